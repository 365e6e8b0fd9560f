//! The example apps, each a function returning its `Dash` app, so a
//! binary serves it and tests (the fuzzer, `tests/`) mount it in process.

pub mod callbacks;
#[cfg(feature = "explorer")]
pub mod cards;
#[cfg(feature = "explorer")]
pub mod explorer;
pub mod graph;
pub mod hello;
pub mod long_job;
pub mod todo;
