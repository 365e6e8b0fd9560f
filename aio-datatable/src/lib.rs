//! A DataTable All-in-One component that pages, filters and sorts frames
//! on the server.
//!
//! The component itself lands with the aio-datatable issue; this crate
//! already reserves its name, its error type and its place in the
//! workspace so that apps and CI see the final layout.

pub mod query;

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
}
