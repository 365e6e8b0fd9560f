//! Shared helpers for the example apps.

#[cfg(feature = "explorer")]
pub mod data;
