//! A DataTable All-in-One component that pages, filters and sorts frames
//! on the server.
//!
//! [`DataTableAio`] drops a `dash_table.DataTable` into any Dash app whose
//! paging, filtering (the full `filter_query` grammar, see [`query`]) and
//! multi-column sorting run on the server over a polars frame (see
//! [`engine`]). Frames live in a [`redis_store::Store`]; only their keys
//! travel through the browser. The callbacks are registered at link time
//! with `MATCH` on the `aio_id`, so any number of tables share a page.

mod callbacks;
mod component;
pub mod engine;
mod global;
pub mod ids;
pub mod query;

pub use callbacks::callbacks;
pub use component::{DataTableAio, MAX_PAGE_SIZE, PAGE_SIZES};
pub use global::{DEFAULT_VIEW_CACHE_BYTES, VIEW_CACHE_BYTES_ENV, set_store, store, views};

/// Errors of the DataTable AIO.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An error from the Dash core.
    #[error(transparent)]
    Dash(#[from] dash_core::Error),
    /// A `filter_query` that does not parse.
    #[error(transparent)]
    Query(#[from] query::ParseError),
    /// A view that cannot be built: unknown column, bad `sort_by`, ….
    #[error(transparent)]
    Engine(#[from] engine::EngineError),
    /// The frame store failed (Redis down, frame too large, …).
    #[error(transparent)]
    Store(#[from] redis_store::Error),
    /// polars failed on the frame given to the table.
    #[error("polars: {0}")]
    Polars(String),
    /// [`set_store`] was called after the store was first used.
    #[error(
        "the table store is already set: call aio_datatable::set_store before building any table"
    )]
    StoreAlreadySet,
    /// Something that should not happen; the message says what.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// Wraps a polars error.
    pub fn polars(e: impl std::fmt::Display) -> Self {
        Error::Polars(e.to_string())
    }
}
