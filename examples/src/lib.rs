//! The example apps (`apps`) and their shared helpers.

pub mod apps;

#[cfg(feature = "explorer")]
pub mod data;
