//! A DataTable All-in-One component that pages, filters and sorts frames
//! on the server.
//!
//! [`DataTableAio`] drops a `dash_table.DataTable` into any Dash app whose
//! paging, filtering (the full `filter_query` grammar, see [`query`]) and
//! multi-column sorting run on the server over a polars frame (see
//! [`engine`]). Frames live in the app's [`redis_store::Store`] (see
//! [`TableState`]: in memory by default, Redis when the app chooses it);
//! only their keys travel through the browser. The callbacks reach every
//! app through [`DataTableExtension`], registered at link time, with
//! `MATCH` on the `aio_id`, so any number of tables share a page.
//!
//! ```no_run
//! use aio_datatable::{DataTableAio, TableState};
//! use dash_core::prelude::*;
//! use polars::prelude::*;
//!
//! let df = df!("city" => ["Oslo", "Lima"], "pop" => [0.7, 10.0])?;
//! let mut app = Dash::new();
//! if let Ok(url) = std::env::var("REDIS_URL") {
//!     app.state(TableState::new(redis_store::Store::redis(&url)?));
//! }
//! app.layout(DataTableAio::new(df).aio_id("cities"));
//! app.run()?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod callbacks;
mod component;
pub mod engine;
pub mod ids;
pub mod query;
mod state;

pub use callbacks::{MAX_SEARCH_BYTES, callbacks};
pub use component::{DataTableAio, MAX_PAGE_SIZE, PAGE_SIZES};
pub use state::{DEFAULT_VIEW_CACHE_BYTES, TableState, VIEW_CACHE_BYTES_ENV};

/// Brings the DataTable to an app: its callbacks and a default
/// [`TableState`] (an in-memory store) unless the app set one. Registered
/// for every app at link time; adding it explicitly
/// (`app.extension(DataTableExtension)`) is harmless.
#[derive(Debug, Clone, Copy)]
pub struct DataTableExtension;

impl dash_core::Extension for DataTableExtension {
    fn name(&self) -> &str {
        "aio-datatable"
    }

    fn register(&self, app: &mut dash_core::Dash) {
        app.init_state(TableState::default);
        for cb in callbacks() {
            app.add_callback(cb);
        }
    }
}

dash_core::register_extension!(DataTableExtension);

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
