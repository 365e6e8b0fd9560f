//! A Plotly bar chart that follows a dropdown; plotly.js is served by
//! this server, not a CDN.
//!
//! `cargo run -p examples --bin graph`

use dash_core::prelude::*;
use serde_json::{Value, json};

fn figure(dataset: &str) -> Option<Value> {
    let (x, y): (Vec<&str>, Vec<i32>) = match dataset {
        "fruits" => (vec!["apples", "bananas", "cherries"], vec![3, 5, 2]),
        "vegetables" => (vec!["carrots", "peas"], vec![4, 1]),
        _ => return None,
    };
    Some(json!({
        "data": [{"type": "bar", "x": x, "y": y, "name": dataset}],
        "layout": {"title": {"text": format!("Stock of {dataset}")}, "margin": {"t": 48}},
    }))
}

/// The app, ready to serve (`app().run()`) or to mount (`into_router`).
pub fn app() -> Dash {
    let mut app = Dash::new();
    app.title("Graph · dash-rs");
    app.layout(
        html::Div::new().children((
            html::H2::new().children("Stock"),
            dcc::Dropdown::new()
                .id("dataset")
                .options(json!(["fruits", "vegetables"]))
                .value("fruits")
                .clearable(false),
            dcc::Graph::new().id("chart"),
        )),
    );
    app.callback(
        Output::new("chart", "figure"),
        Input::new("dataset", "value"),
        |dataset: Option<String>| -> Result<Value, CallbackError> {
            let dataset = dataset.ok_or(PreventUpdate)?;
            figure(&dataset)
                .ok_or_else(|| CallbackError::msg(format!("unknown dataset {dataset:?}")))
        },
    );
    app
}
