//! Outputs spliced into the callback response instead of built into it.
//!
//! A callback answers with one JSON document, and the renderer needs all of
//! it; but the server need not build it whole.
//!
//! * A [`TextStream`] stands for a string (say `dcc.Download`'s `content`:
//!   a CSV of millions of rows): the response is sent up to that string,
//!   then each piece as the stream yields it (escaped for JSON), then the
//!   rest. The server holds one piece at a time, and the first bytes leave
//!   at once.
//! * A [`Json`] is a value already serialized (say a page of table rows
//!   written straight from columns): its text goes into the response as
//!   is, never turned into a `serde_json::Value` tree and back.
//!
//! Both serialize to a placeholder string carrying a random per-response
//! token, which the server replaces when it writes the body.

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

/// What replaces a placeholder in the response.
pub(crate) enum Splice {
    /// A string, streamed piece by piece (quoted and escaped).
    Text(Pieces),
    /// JSON text, inserted as is.
    Raw(Bytes),
}

/// A JSON value serialized ahead of time, spliced into the callback
/// response as is.
///
/// Building a large output as a `serde_json::Value` tree costs an
/// allocation per string and per map entry, twice (the callback's tree,
/// then the response's); a `Json` is written once by the callback (with
/// any `Serialize` type, e.g. rows read straight from columns) and copied
/// into the body. Return it from a callback anywhere a value goes. Like
/// [`TextStream`], it can only be serialized inside a running callback.
///
/// ```
/// use dash_core::Json;
/// // A callback for a DataTable's `data`:
/// fn rows(_page: u32) -> Result<Json, dash_core::CallbackError> {
///     let rows = vec![[("id", 1)], [("id", 2)]];
///     let records: Vec<std::collections::BTreeMap<_, _>> =
///         rows.into_iter().map(|r| r.into_iter().collect()).collect();
///     Json::new(&records).map_err(dash_core::CallbackError::msg)
/// }
/// ```
#[derive(Debug, Clone)]
pub struct Json(Bytes);

impl Json {
    /// `value` serialized with serde_json (so the text is always valid
    /// JSON).
    /// A [`TextStream`] or another `Json` inside `value` is an error: its
    /// placeholder would end up in the text, which is never searched.
    pub fn new<T: Serialize + ?Sized>(value: &T) -> Result<Self, serde_json::Error> {
        let ctx = callback_context();
        let count = || ctx.as_ref().map_or(0, |c| c.splice_count());
        let before = count();
        let mut bytes = Vec::with_capacity(4096);
        serde_json::to_writer(&mut bytes, value)?;
        let holds_placeholder = ctx.as_ref().is_some_and(|c| {
            let mark = json_of(&c.splice_mark());
            // The mark without its quotes: a prefix of every placeholder
            // of this response.
            find_all(&bytes, &mark[1..mark.len() - 1]).next().is_some()
        });
        if count() != before || holds_placeholder {
            return Err(serde_json::Error::custom(
                "a Json cannot contain a TextStream or another Json",
            ));
        }
        Ok(Json(Bytes::from(bytes)))
    }

    /// JSON text written by other means (a hand-written writer that is
    /// faster than a serializer for its one shape, say), sent as it is.
    ///
    /// `text` must be one complete JSON value: release builds take that on
    /// trust (checking would cost as much as writing it with
    /// [`Json::new`]), debug builds parse it and return the error. Text
    /// holding a [`TextStream`]'s or another `Json`'s placeholder is an
    /// error, as in [`Json::new`].
    ///
    /// ```
    /// use dash_core::Json;
    /// let json = Json::from_serialized(br#"[{"id":1},{"id":2}]"#.to_vec()).unwrap();
    /// assert_eq!(json.as_bytes(), br#"[{"id":1},{"id":2}]"#);
    /// ```
    pub fn from_serialized(text: Vec<u8>) -> Result<Self, serde_json::Error> {
        if cfg!(debug_assertions) {
            serde_json::from_slice::<serde::de::IgnoredAny>(&text)?;
        }
        let holds_placeholder = callback_context().is_some_and(|c| {
            let mark = json_of(&c.splice_mark());
            find_all(&text, &mark[1..mark.len() - 1]).next().is_some()
        });
        if holds_placeholder {
            return Err(serde_json::Error::custom(
                "a Json cannot contain a TextStream or another Json",
            ));
        }
        Ok(Json(Bytes::from(text)))
    }

    /// The JSON text.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl Serialize for Json {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let ctx = callback_context()
            .ok_or_else(|| S::Error::custom("a Json can only be returned from a callback"))?;
        s.serialize_str(&ctx.add_splice(Splice::Raw(self.0.clone())))
    }
}

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
        s.serialize_str(&ctx.add_splice(Splice::Text(pieces)))
    }
}

/// The streams of one response, each known by a placeholder string that
/// carries a random token no client can guess, so no user-supplied string
/// can pose as one.
pub(crate) struct Streams {
    token: u64,
    list: Mutex<Vec<(String, Splice)>>,
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
    /// Registers a splice; returns the string that stands for it.
    pub(crate) fn add(&self, splice: Splice) -> String {
        let Ok(mut list) = self.list.lock() else {
            return String::new();
        };
        let text = format!("{}{}\u{0}", self.mark(), list.len());
        list.push((text.clone(), splice));
        text
    }

    /// The start of every placeholder of this response.
    pub(crate) fn mark(&self) -> String {
        format!("\u{0}dash-rs splice {:016x} ", self.token)
    }

    /// How many splices are registered.
    pub(crate) fn len(&self) -> usize {
        self.list.lock().map(|l| l.len()).unwrap_or(0)
    }

    /// Every registered splice with its placeholder.
    pub(crate) fn take(&self) -> Vec<(String, Splice)> {
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

/// Where each placeholder is in `body`: (position, length of the quoted
/// placeholder, splice), in body order. A splice whose placeholder is not
/// in the body (its output was dropped) is left out; ready JSON whose
/// placeholder occurs several times (the value was cloned) is put at each.
/// A text stream can be sent only once: a second occurrence is an error.
fn locate(
    body: &[u8],
    splices: Vec<(String, Splice)>,
) -> Result<Vec<(usize, usize, Splice)>, String> {
    let mut found: Vec<(usize, usize, Splice)> = Vec::new();
    for (text, splice) in splices {
        let needle = json_of(&text);
        let at: Vec<usize> = find_all(body, &needle).collect();
        match (splice, at.as_slice()) {
            (_, []) => {}
            (splice, [one]) => found.push((*one, needle.len(), splice)),
            (Splice::Raw(bytes), many) => {
                found.extend(
                    many.iter()
                        .map(|&i| (i, needle.len(), Splice::Raw(bytes.clone()))),
                );
            }
            (Splice::Text(_), _) => {
                return Err(
                    "a TextStream appears more than once in the callback's output; \
                            a stream can be sent only once"
                        .into(),
                );
            }
        }
    }
    found.sort_by_key(|f| f.0);
    Ok(found)
}

/// Every position of `needle` in `hay` (a SIMD substring search: a
/// response or a page of rows is searched on every callback).
fn find_all<'a>(hay: &'a [u8], needle: &'a [u8]) -> impl Iterator<Item = usize> + 'a {
    memchr::memmem::find_iter(hay, needle)
}

/// Whether every splice is ready JSON (nothing to stream).
pub(crate) fn all_raw(splices: &[(String, Splice)]) -> bool {
    splices.iter().all(|(_, s)| matches!(s, Splice::Raw(_)))
}

/// `body` with each placeholder replaced by its [`Splice::Raw`] text (text
/// streams must have been ruled out with [`all_raw`]).
pub(crate) fn assemble(body: Vec<u8>, splices: Vec<(String, Splice)>) -> Result<Bytes, String> {
    let found = locate(&body, splices)?;
    let extra: usize = found
        .iter()
        .map(|(_, _, s)| match s {
            Splice::Raw(b) => b.len(),
            Splice::Text(_) => 0,
        })
        .sum();
    let mut out = Vec::with_capacity(body.len() + extra);
    let mut pos = 0;
    for (at, len, splice) in found {
        out.extend_from_slice(&body[pos..at]);
        if let Splice::Raw(b) = splice {
            out.extend_from_slice(&b);
        }
        pos = at + len;
    }
    out.extend_from_slice(&body[pos..]);
    Ok(Bytes::from(out))
}

/// `body` (the serialized response) with each placeholder replaced by its
/// splice, as a byte stream: text streams piece by piece, quoted and
/// escaped; ready JSON as is.
pub(crate) fn splice(
    body: Vec<u8>,
    splices: Vec<(String, Splice)>,
) -> Result<impl Stream<Item = Result<Bytes, std::io::Error>> + Send, String> {
    let found = locate(&body, splices)?;
    let body = Bytes::from(body);
    let mut parts: Vec<BodyPart> = Vec::new();
    let mut pos = 0;
    for (at, len, splice) in found {
        parts.push(Box::pin(stream::iter([Ok(body.slice(pos..at))])));
        match splice {
            Splice::Raw(b) => parts.push(Box::pin(stream::iter([Ok(b)]))),
            Splice::Text(pieces) => {
                parts.push(Box::pin(stream::iter([Ok(Bytes::from_static(b"\""))])));
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
            }
        }
        pos = at + len;
    }
    parts.push(Box::pin(stream::iter([Ok(body.slice(pos..))])));
    Ok(stream::iter(parts).flatten())
}
