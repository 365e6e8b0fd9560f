//! String outputs streamed into the callback response as they are produced.
//!
//! A callback answers with one JSON document, and the renderer needs all of
//! it; but the server need not build it whole. A [`TextStream`] stands for
//! a string (say `dcc.Download`'s `content`: a CSV of millions of rows):
//! the response is sent up to that string, then each piece as the stream
//! yields it (escaped for JSON), then the rest. The server holds one piece
//! at a time, and the first bytes leave at once.

use std::collections::hash_map::RandomState;
use std::fmt::Display;
use std::hash::{BuildHasher, Hasher};
use std::pin::Pin;
use std::sync::Mutex;

use bytes::Bytes;
use futures_util::{Stream, StreamExt as _, stream};
use serde::ser::{Error as _, Serialize, Serializer};

use crate::callback_context;

/// The pieces of a [`TextStream`], as the server keeps them.
pub(crate) type Pieces = Pin<Box<dyn Stream<Item = Result<String, String>> + Send>>;

/// A string output sent piece by piece while `pieces` produces it.
///
/// Return it from a callback anywhere a string goes (directly, in a
/// struct, or inside `json!`); the response streams it. It can only be
/// serialized inside a running callback, once. If the stream fails
/// part-way, the response is cut off (the status is already sent), so the
/// browser reports a failed callback rather than a truncated value.
///
/// ```
/// use dash_core::TextStream;
/// use dash_core::serde_json::{Value, json};
/// use futures_util::stream;
///
/// // A callback for `dcc.Download`'s `data`:
/// async fn export(_clicks: Option<u32>) -> Value {
///     let lines = (0..3).map(|i| Ok::<_, std::io::Error>(format!("row {i}\n")));
///     json!({
///         "content": TextStream::new(stream::iter(lines)),
///         "filename": "rows.txt",
///         "base64": false,
///     })
/// }
/// ```
pub struct TextStream(Mutex<Option<Pieces>>);

impl TextStream {
    /// A string made of the pieces `pieces` yields, in order.
    pub fn new<S, E>(pieces: S) -> Self
    where
        S: Stream<Item = Result<String, E>> + Send + 'static,
        E: Display,
    {
        let pieces = pieces.map(|r| r.map_err(|e| e.to_string()));
        TextStream(Mutex::new(Some(Box::pin(pieces))))
    }
}

impl std::fmt::Debug for TextStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TextStream")
    }
}

impl Serialize for TextStream {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let ctx = callback_context()
            .ok_or_else(|| S::Error::custom("a TextStream can only be returned from a callback"))?;
        let pieces = self
            .0
            .lock()
            .ok()
            .and_then(|mut p| p.take())
            .ok_or_else(|| S::Error::custom("a TextStream can be serialized only once"))?;
        s.serialize_str(&ctx.add_stream(pieces))
    }
}

/// The streams of one response, each known by a placeholder string that
/// carries a random token no client can guess, so no user-supplied string
/// can pose as one.
pub(crate) struct Streams {
    token: u64,
    list: Mutex<Vec<(String, Pieces)>>,
}

impl Default for Streams {
    fn default() -> Self {
        Streams {
            token: RandomState::new().build_hasher().finish(),
            list: Mutex::new(Vec::new()),
        }
    }
}

impl std::fmt::Debug for Streams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let n = self.list.lock().map(|l| l.len()).unwrap_or(0);
        write!(f, "Streams({n})")
    }
}

impl Streams {
    /// Registers `pieces`; returns the string that stands for them.
    pub(crate) fn add(&self, pieces: Pieces) -> String {
        let Ok(mut list) = self.list.lock() else {
            return String::new();
        };
        let text = format!(
            "\u{0}dash-rs text stream {:016x} {}\u{0}",
            self.token,
            list.len()
        );
        list.push((text.clone(), pieces));
        text
    }

    /// Every registered stream with its placeholder.
    pub(crate) fn take(&self) -> Vec<(String, Pieces)> {
        self.list
            .lock()
            .map(|mut l| std::mem::take(&mut *l))
            .unwrap_or_default()
    }
}

/// One part of a streamed body.
type BodyPart = Pin<Box<dyn Stream<Item = Result<Bytes, std::io::Error>> + Send>>;

/// The JSON of a placeholder string as it appears in the serialized body.
fn json_of(text: &str) -> Vec<u8> {
    serde_json::to_vec(text).unwrap_or_default()
}

/// `body` (the serialized response) with each placeholder string replaced
/// by its stream's pieces, as a byte stream. A stream whose placeholder is
/// not in the body (its output was dropped) is never polled.
pub(crate) fn splice(
    body: Vec<u8>,
    streams: Vec<(String, Pieces)>,
) -> impl Stream<Item = Result<Bytes, std::io::Error>> + Send {
    // (position in body, length of the quoted placeholder, stream)
    let mut found: Vec<(usize, usize, Pieces)> = streams
        .into_iter()
        .filter_map(|(text, pieces)| {
            let needle = json_of(&text);
            let at = body.windows(needle.len()).position(|w| w == needle)?;
            Some((at, needle.len(), pieces))
        })
        .collect();
    found.sort_by_key(|f| f.0);
    let body = Bytes::from(body);
    let mut parts: Vec<BodyPart> = Vec::new();
    let mut pos = 0;
    for (at, len, pieces) in found {
        parts.push(Box::pin(stream::iter([
            Ok(body.slice(pos..at)),
            Ok(Bytes::from_static(b"\"")),
        ])));
        parts.push(Box::pin(pieces.map(|r| match r {
            Ok(piece) => {
                let quoted = json_of(&piece);
                let end = quoted.len().saturating_sub(1).max(1);
                Ok(Bytes::from(quoted).slice(1..end))
            }
            Err(e) => {
                tracing::error!("a streamed callback output failed: {e}");
                Err(std::io::Error::other(e))
            }
        })));
        parts.push(Box::pin(stream::iter([Ok(Bytes::from_static(b"\""))])));
        pos = at + len;
    }
    parts.push(Box::pin(stream::iter([Ok(body.slice(pos..))])));
    stream::iter(parts).flatten()
}
