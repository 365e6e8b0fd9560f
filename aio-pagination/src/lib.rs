//! A pager for any paged content, as a Dash All-in-One component:
//! [`PaginationAio`].
//!
//! This crate is also the model for writing an AIO crate of your own: it
//! is small, uses only `dash-core`'s public API, and holds no globals. Its
//! parts, one idea a module:
//!
//! - [`ids`]: the component's IDs, declared with [`dash_core::aio_ids!`];
//! - [`pages`]: the arithmetic, apart from any UI, tested on its own;
//! - `view`: what the pager shows for a page (used by the first layout and
//!   the callback alike);
//! - `component`: the builder that returns the layout;
//! - `callbacks`: one callback with `MATCH` on the `aio_id`;
//! - [`PaginationExtension`]: registers the callback and the stylesheet
//!   for every app (at link time).
//!
//! See the crate's README for the guide to writing, testing and
//! publishing an AIO crate.

mod callbacks;
mod component;
pub mod ids;
pub mod pages;
mod view;

pub use callbacks::callbacks;
pub use component::{DEFAULT_LABEL, MAX_PAGE_SIZE, PaginationAio};

use dash_core::{ComponentLibrary, Dash, Extension};

/// Errors of the pagination AIO.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An error from the Dash core.
    #[error(transparent)]
    Dash(#[from] dash_core::Error),
}

/// The pager's stylesheet, served at
/// `_dash-component-suites/aio_pagination/pagination.css`.
const STYLESHEET: &str = include_str!("../assets/pagination.css");

/// Brings the pager to an app: its callback and its stylesheet.
/// Registered for every app at link time; adding it explicitly
/// (`app.extension(PaginationExtension)`) is harmless.
#[derive(Debug, Clone, Copy)]
pub struct PaginationExtension;

impl Extension for PaginationExtension {
    fn name(&self) -> &str {
        "aio-pagination"
    }

    fn register(&self, app: &mut Dash) {
        app.component_library(
            ComponentLibrary::new("aio_pagination", env!("CARGO_PKG_VERSION"))
                .stylesheet("pagination.css", STYLESHEET.as_bytes()),
        );
        for cb in callbacks() {
            app.add_callback(cb);
        }
    }
}

dash_core::register_extension!(PaginationExtension);
