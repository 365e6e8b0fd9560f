//! Plotly Dash in Rust, in one dependency: [`dash_core`] (components,
//! callbacks, the server) and, behind cargo features, the All-in-One
//! components. One import line, as Dash 2.0's
//! `from dash import Dash, Input, Output, State, html, dcc, dash_table, callback`:
//!
//! ```no_run
//! use dash::prelude::*;
//!
//! fn main() -> Result<(), dash::Error> {
//!     let mut app = Dash::new();
//!     app.layout(html::Div::new().children((
//!         dcc::Input::new().id("name").value("World"),
//!         html::Div::new().id("greeting"),
//!         PaginationAio::new(120).aio_id("pager"), // feature `pagination` (default)
//!     )));
//!     app.callback(
//!         Output::new("greeting", "children"),
//!         Input::new("name", "value"),
//!         |name: Option<String>| format!("Hello, {}!", name.unwrap_or_default()),
//!     );
//!     app.run()
//! }
//! ```
//!
//! | feature | brings |
//! |---|---|
//! | `pagination` (default) | [`PaginationAio`](prelude::PaginationAio), module [`pagination`] |
//! | `datatable` | `DataTableAio`, `TableState`, modules `datatable` and `polars` (implies `redis`) |
//! | `chart` | module `chart` (the chart builder) |
//! | `redis` | module `store`: the blake3 frame store, in memory or in Redis |
//! | `full` | all of them |
//!
//! A crate that publishes its own AIO component depends on `dash-core`
//! only; see `aio-pagination`'s README.

#![cfg_attr(docsrs, feature(doc_cfg))]

pub use dash_core::*;

#[cfg(feature = "chart")]
pub use aio_chart_builder as chart;
#[cfg(feature = "datatable")]
pub use aio_datatable as datatable;
#[cfg(feature = "pagination")]
pub use aio_pagination as pagination;
#[cfg(feature = "datatable")]
pub use polars;
#[cfg(feature = "redis")]
pub use redis_store as store;

/// Everything an app names, in one `use dash::prelude::*;`: `Dash`,
/// `Input`, `Output`, `State`, `html`, `dcc`, `dash_table`, `callback`,
/// `clientside_callback`, `MATCH`/`ALL`/`ALLSMALLER`, `Patch`,
/// `NoUpdate`, `PreventUpdate`, … and the enabled AIO components.
pub mod prelude {
    pub use dash_core::prelude::*;

    #[cfg(feature = "datatable")]
    pub use aio_datatable::{DataTableAio, TableState};
    #[cfg(feature = "pagination")]
    pub use aio_pagination::PaginationAio;
    #[cfg(feature = "redis")]
    pub use redis_store::Store;
}

/// The repository README's example, compiled as a doctest (with the
/// `datatable` feature: `cargo test -p dash --features full`).
#[cfg(all(doctest, feature = "datatable"))]
#[doc = include_str!("../../README.md")]
struct RepositoryReadme;

#[cfg(test)]
mod tests {
    use super::prelude::*;

    #[test]
    fn the_prelude_names_what_an_app_needs() {
        let mut app = Dash::new();
        app.layout(html::Div::new().children((
            dcc::Input::new().id("in"),
            html::Div::new().id("out"),
            dash_table::DataTable::new().id("t"),
            PaginationAio::new(10).aio_id("p"),
        )));
        app.callback(
            Output::new("out", "children"),
            (Input::new("in", "value"), State::new("t", "data")),
            |v: Option<String>,
             _d: dash_core::serde_json::Value|
             -> Result<Update<String>, CallbackError> {
                match v {
                    None => Err(PreventUpdate.into()),
                    Some(v) if v.is_empty() => Ok(Update::NoUpdate),
                    Some(v) => Ok(Update::Set(v)),
                }
            },
        );
        let _ = (MATCH, ALL, ALLSMALLER, NoUpdate, Patch::new());
        callback(
            Output::new("x", "children"),
            Input::new("y", "value"),
            |v: Option<String>| v,
        );
        clientside_callback(
            Output::new("x2", "children"),
            Input::new("y2", "value"),
            ClientsideFunction::inline("function (v) { return v; }"),
        );
        assert!(app.into_router().is_ok());
    }
}
