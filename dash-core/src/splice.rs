//! The response side of spliced outputs (see [`crate::stream`]): what
//! replaces each placeholder ([`Splice`]), the placeholders a response
//! holds ([`Streams`], in the callback context), and writing the body with
//! them replaced — at once ([`assemble`]) or streamed ([`splice`]).
//! A leaf: the context and the public output types build on it.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::pin::Pin;
use std::sync::Mutex;

use bytes::Bytes;
use futures_util::{Stream, StreamExt as _, stream};

/// The pieces of a [`crate::TextStream`], as the server keeps them.
pub(crate) type Pieces = Pin<Box<dyn Stream<Item = Result<String, String>> + Send>>;

/// What replaces a placeholder in the response.
pub(crate) enum Splice {
    /// A string, streamed piece by piece (quoted and escaped).
    Text(Pieces),
    /// JSON text, inserted as is.
    Raw(Bytes),
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
pub(crate) fn json_of(text: &str) -> Vec<u8> {
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
pub(crate) fn find_all<'a>(hay: &'a [u8], needle: &'a [u8]) -> impl Iterator<Item = usize> + 'a {
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
