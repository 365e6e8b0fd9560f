//! IDs of the parts of a [`crate::PaginationAio`] (Dash's AIO `ids`
//! convention): `{"component": "PaginationAio", "subcomponent": <name>,
//! "aio_id": <aio_id>}`. Your callbacks read the page from these:
//!
//! ```
//! use aio_pagination::ids;
//! use dash_core::{Input, Output, MATCH};
//! // Render the page whenever it, or its size, changes:
//! let inputs = (Input::new(ids::page("cards-pager"), "data"), Input::new(ids::page_size("cards-pager"), "value"));
//! // Change the number of items (a filter shrank the list):
//! let total = Output::new(ids::total("cards-pager"), "data");
//! # let _ = (inputs, total);
//! ```

use dash_core::{ComponentId, IdValue};

dash_core::aio_ids! {
    component = "PaginationAio";
    /// The `dcc.Store` whose `data` is the current page, from 0. Read it
    /// (`Input(ids::page(aio_id), "data")`) to render the page.
    page,
    /// The page-size `dcc.Dropdown`; its `value` is the page size.
    page_size,
    /// The `dcc.Store` whose `data` is the number of items. Write it from
    /// your callbacks when the number changes; the pager follows.
    total,
    /// The `html.Nav` holding the buttons.
    nav,
    /// The "first page" button.
    first,
    /// The "previous page" button.
    previous,
    /// The "next page" button.
    next,
    /// The "last page" button.
    last,
    /// The line "items X–Y of N".
    summary,
    /// The `dcc.Store` of the pager's fixed settings (what its items are
    /// called).
    options,
}

/// The numbered button in place `index` (0-based) of the pager `aio_id`:
/// `{"component": "PaginationAio", "subcomponent": "slot", "aio_id": …, "index": …}`.
/// Its `value` is the page it shows (from 1), or `""` for a gap.
pub fn slot(aio_id: impl Into<IdValue>, index: impl Into<IdValue>) -> ComponentId {
    ComponentId::dict([
        ("component", IdValue::from(COMPONENT)),
        ("subcomponent", IdValue::from("slot")),
        ("aio_id", aio_id.into()),
        ("index", index.into()),
    ])
}
