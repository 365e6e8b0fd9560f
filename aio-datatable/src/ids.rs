//! IDs of the parts of a [`crate::DataTableAio`], for app authors who
//! attach their own callbacks (Dash's AIO `ids` convention):
//! `{"component": "DataTableAio", "subcomponent": <name>, "aio_id": <aio_id>}`.
//!
//! Pass [`dash_core::MATCH`] as `aio_id` for pattern-matching callbacks.
//!
//! ```
//! use aio_datatable::ids;
//! let table = ids::table("sales");
//! assert_eq!(
//!     table.to_string(),
//!     r#"{"aio_id":"sales","component":"DataTableAio","subcomponent":"table"}"#
//! );
//! ```

use dash_core::{ComponentId, IdValue};

/// The `component` value of every ID of this AIO.
pub const COMPONENT: &str = "DataTableAio";

fn part(subcomponent: &str, aio_id: impl Into<IdValue>) -> ComponentId {
    ComponentId::dict([
        ("component", IdValue::from(COMPONENT)),
        ("subcomponent", IdValue::from(subcomponent)),
        ("aio_id", aio_id.into()),
    ])
}

/// The `dash_table.DataTable`.
pub fn table(aio_id: impl Into<IdValue>) -> ComponentId {
    part("table", aio_id)
}

/// The `dcc.Store` holding the source frame's store key (`{"key": "<hex>"}`).
pub fn source(aio_id: impl Into<IdValue>) -> ComponentId {
    part("source", aio_id)
}

/// The `dcc.Store` holding the redis-store key of the current filtered and
/// sorted frame (`{"key": "<hex>"}`), so other components can show what
/// the table shows. Filled a moment after the table, off the hot path.
pub fn view_key(aio_id: impl Into<IdValue>) -> ComponentId {
    part("view_key", aio_id)
}

/// The `dcc.Store` describing the current view (filter, search, sort);
/// changes only when they change, not on page flips.
pub fn view_spec(aio_id: impl Into<IdValue>) -> ComponentId {
    part("view_spec", aio_id)
}

/// The search box (plain "contains" across text columns).
pub fn search(aio_id: impl Into<IdValue>) -> ComponentId {
    part("search", aio_id)
}

/// The page-size selector.
pub fn page_size(aio_id: impl Into<IdValue>) -> ComponentId {
    part("page_size", aio_id)
}

/// The line "rows X–Y of N (filtered from M)".
pub fn summary(aio_id: impl Into<IdValue>) -> ComponentId {
    part("summary", aio_id)
}

/// Where errors (a filter that does not parse, an unknown column, expired
/// data) are shown.
pub fn message(aio_id: impl Into<IdValue>) -> ComponentId {
    part("message", aio_id)
}

/// The "Export CSV" button.
pub fn export_button(aio_id: impl Into<IdValue>) -> ComponentId {
    part("export_button", aio_id)
}

/// The `dcc.Download` that receives the CSV.
pub fn download(aio_id: impl Into<IdValue>) -> ComponentId {
    part("download", aio_id)
}
