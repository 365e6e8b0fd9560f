//! The error of the engine.

use std::fmt::Write as _;

/// Why a view could not be built or used.
///
/// dash-table fails silently in several places (an unknown column filters as
/// `undefined`, a bad `sort_by` is ignored); the engine says what is wrong
/// and what to do instead. Every message is meant to be shown next to the
/// table as is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EngineError {
    /// A `{column}` in the filter query or a `sort_by` entry names a column
    /// the frame does not have. Column ids are exact: `{ID}` is not `{id}`
    /// and `{id }` is not `{id}`.
    #[error("{}", unknown_column_message(name, available))]
    UnknownColumn {
        /// The column id as written (escapes removed).
        name: String,
        /// The columns the frame has, in frame order.
        available: Vec<String>,
    },
    /// A column whose polars dtype has no DataTable cell representation
    /// (lists, arrays, structs, binary, objects) was used in a filter or a
    /// sort ([`page_to_json`](super::page_to_json) sends such cells as text). dash-table never reaches this case (its cells are
    /// flat JSON), so there is no table behaviour to match.
    #[error(
        "column `{column}` has dtype {dtype}, which a DataTable cell cannot hold, so it \
         cannot be {action}; cast it to a string or a number (or drop it) before handing \
         the frame to the table"
    )]
    TypeMismatch {
        /// The column id.
        column: String,
        /// The polars dtype, as polars prints it.
        dtype: String,
        /// What was attempted: `filtered` or `sorted`.
        action: &'static str,
    },
    /// The `sort_by` prop does not have DataTable's shape
    /// (`[{"column_id": "a", "direction": "asc"}, …]`).
    #[error("invalid sort_by: {0}")]
    BadSortBy(String),
    /// A view was used with a frame of another height than the one it was
    /// built from.
    #[error(
        "the view was built from a frame of {expected} rows but was given one of {actual} \
         rows; rebuild the view (or key the view cache by the frame's content hash)"
    )]
    FrameMismatch {
        /// Rows of the frame the view was built from.
        expected: usize,
        /// Rows of the frame given.
        actual: usize,
    },
    /// A page or an export reached past the known rows of a view built
    /// with [`build_view_head`](super::build_view_head); build the whole
    /// view with [`build_view`](super::build_view).
    #[error(
        "only the first {known} rows of this view are sorted, but {needed} were asked for; \
         build the whole view"
    )]
    BeyondHead {
        /// Rows whose position is known.
        known: usize,
        /// Rows the page or export needs.
        needed: usize,
    },
    /// polars failed while evaluating the view. This is a bug or a resource
    /// problem rather than a bad query; the message is polars'.
    #[error("polars failed while building the view: {0}")]
    Polars(String),
}

impl From<polars::prelude::PolarsError> for EngineError {
    fn from(e: polars::prelude::PolarsError) -> Self {
        EngineError::Polars(e.to_string())
    }
}

fn unknown_column_message(name: &str, available: &[String]) -> String {
    let mut msg = format!("unknown column `{name}`");
    let close = available.iter().find(|a| {
        a.as_str() != name && (a.trim() == name.trim() || a.to_lowercase() == name.to_lowercase())
    });
    if let Some(close) = close {
        let _ = write!(msg, "; did you mean `{close}`? Column ids are exact");
    }
    if available.is_empty() {
        msg.push_str("; the frame has no columns");
    } else {
        const SHOWN: usize = 20;
        msg.push_str("; the columns are ");
        for (i, a) in available.iter().take(SHOWN).enumerate() {
            if i > 0 {
                msg.push_str(", ");
            }
            let _ = write!(msg, "`{a}`");
        }
        if available.len() > SHOWN {
            let _ = write!(msg, " and {} more", available.len() - SHOWN);
        }
    }
    msg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_column_suggests_a_near_miss() {
        let e = EngineError::UnknownColumn {
            name: "ID".into(),
            available: vec!["id".into(), "name".into()],
        };
        assert_eq!(
            e.to_string(),
            "unknown column `ID`; did you mean `id`? Column ids are exact; the columns are \
             `id`, `name`"
        );
        let e = EngineError::UnknownColumn {
            name: "x".into(),
            available: (0..25).map(|i| format!("c{i}")).collect(),
        };
        assert!(e.to_string().ends_with("`c19` and 5 more"), "{e}");
    }
}
