//! Shared helpers for the example apps.

pub mod data;
