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

use std::fmt::Display;
use std::sync::Mutex;

use bytes::Bytes;
use futures_util::{Stream, StreamExt as _};
use serde::ser::{Error as _, Serialize, Serializer};

use crate::context::callback_context;
use crate::splice::{Pieces, Splice, find_all, json_of};

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
