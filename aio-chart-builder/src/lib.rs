//! A chart builder All-in-One component with server-side aggregation.
//!
//! The component lands with the chart builder issue; this crate already
//! reserves its name, its error type and its place in the workspace.

/// Errors of the chart builder AIO.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An error from the Dash core.
    #[error(transparent)]
    Dash(#[from] dash_core::Error),
}
