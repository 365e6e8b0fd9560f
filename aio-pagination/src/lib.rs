//! A standalone pagination All-in-One component.
//!
//! The component lands with the pagination issue; this crate already
//! reserves its name, its error type and its place in the workspace.

/// Errors of the pagination AIO.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An error from the Dash core.
    #[error(transparent)]
    Dash(#[from] dash_core::Error),
}
