//! The error of [`parse`](super::parse).

/// Why a `filter_query` was rejected.
///
/// dash-table silently ignores a query it cannot parse (it shows every row);
/// this parser says what is wrong instead. The message names the offending
/// text, what was expected there and, where it helps, how to fix it, e.g.
/// ``unexpected `smith` after the value `bob`; quote values that contain
/// spaces: {name} = "bob smith"``.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid filter query at character {char_offset}: {message}")]
pub struct ParseError {
    message: String,
    offset: usize,
    char_offset: usize,
}

impl ParseError {
    /// An error at byte `offset` of `query`.
    pub(crate) fn new(query: &str, offset: usize, message: impl Into<String>) -> Self {
        let offset = offset.min(query.len());
        // `offset` always sits on a char boundary (it comes from the lexer);
        // count defensively anyway.
        let char_offset = query
            .char_indices()
            .take_while(|(i, _)| *i < offset)
            .count();
        ParseError {
            message: super::diagnose::visible(&message.into()),
            offset,
            char_offset,
        }
    }

    /// What went wrong and how to fix it (without the position prefix the
    /// `Display` impl adds). Control and invisible characters of the query
    /// are shown as `\u{…}` escapes.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Byte offset into the query where the problem starts (just after the
    /// last token when the query ends too early).
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// The same position counted in Unicode scalar values (0-based), for
    /// pointing at it in a UI.
    pub fn char_offset(&self) -> usize {
        self.char_offset
    }
}
