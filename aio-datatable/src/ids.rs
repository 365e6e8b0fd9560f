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

dash_core::aio_ids! {
    component = "DataTableAio";
    /// The `dash_table.DataTable`.
    table,

    /// The `dcc.Store` holding the source frame's store key (`{"key": "<hex>"}`).
    source,

    /// The `dcc.Store` holding the redis-store key of the current filtered and
    /// sorted frame (`{"key": "<hex>"}`), so other components can show what
    /// the table shows. Filled a moment after the table, off the hot path.
    view_key,

    /// The `dcc.Store` describing the current view (filter, search, sort);
    /// changes only when they change, not on page flips.
    view_spec,

    /// The search box (plain "contains" across text columns).
    search,

    /// The page-size selector.
    page_size,

    /// The line "rows X–Y of N (filtered from M)".
    summary,

    /// Where errors (a filter that does not parse, an unknown column, expired
    /// data) are shown.
    message,

    /// The "Export CSV" button.
    export_button,

    /// The `dcc.Download` that receives the CSV.
    download,
}
