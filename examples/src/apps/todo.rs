//! Pattern-matching callbacks: a todo list whose items are added at run
//! time. `MATCH` strikes through one item, `ALL` counts, `ALLSMALLER`
//! keeps running totals.
//!
//! `cargo run -p examples --bin todo`

use dash_core::prelude::*;
use serde_json::{Value, json};

fn item(index: usize, text: &str) -> html::Div {
    html::Div::new().class_name("todo-item").children((
        dcc::Checklist::new()
            .id(id! {"type": "done", "index": index})
            .options(json!([{"label": "done", "value": "done"}]))
            .value(json!([]))
            .inline(true),
        html::Span::new()
            .id(id! {"type": "label", "index": index})
            .children(text.to_owned()),
        html::Span::new().children(" · running total: "),
        html::Span::new().id(id! {"type": "total", "index": index}),
    ))
}

fn is_done(v: &Value) -> bool {
    v.as_array().is_some_and(|a| !a.is_empty())
}

/// The app, ready to serve (`app().run()`) or to mount (`into_router`).
pub fn app() -> Dash {
    let mut app = Dash::new();
    app.title("Todo · dash-rs");
    app.layout(
        html::Div::new().children((
            html::H2::new().children("Todo"),
            dcc::Input::new()
                .id("new-item")
                .value("")
                .placeholder("something to do"),
            html::Button::new().id("add").children("Add"),
            html::Div::new().id("list").children(Vec::<Node>::new()),
            html::Div::new().id("count"),
        )),
    );

    // Add an item: append it with a Patch, clear the input.
    app.add_callback(
        Callback::new(
            (
                Output::new("list", "children"),
                Output::new("new-item", "value"),
            ),
            (
                Input::new("add", "n_clicks"),
                State::new("new-item", "value"),
                State::new("list", "children"),
            ),
            |_clicks: Option<u64>, text: Option<String>, items: Option<Vec<Value>>| {
                let text = text.unwrap_or_default();
                let text = text.trim();
                if text.is_empty() {
                    return Err(PreventUpdate);
                }
                let index = items.map_or(0, |v| v.len());
                Ok((Patch::new().append((), item(index, text)), ""))
            },
        )
        .prevent_initial_call(true),
    );

    // MATCH: strike through the label of the item whose box changed.
    app.callback(
        Output::new(id! {"type": "label", "index": MATCH}, "style"),
        Input::new(id! {"type": "done", "index": MATCH}, "value"),
        |value: Value| {
            let decoration = if is_done(&value) {
                "line-through"
            } else {
                "none"
            };
            json!({"textDecoration": decoration})
        },
    );

    // ALL: count the done items.
    app.callback(
        Output::new("count", "children"),
        Input::new(id! {"type": "done", "index": ALL}, "value"),
        |values: Vec<Value>| {
            let done = values.iter().filter(|v| is_done(v)).count();
            format!("{done} of {} done", values.len())
        },
    );

    // ALLSMALLER: done items up to and including this one.
    app.callback(
        Output::new(id! {"type": "total", "index": MATCH}, "children"),
        (
            Input::new(id! {"type": "done", "index": MATCH}, "value"),
            Input::new(id! {"type": "done", "index": ALLSMALLER}, "value"),
        ),
        |this: Value, before: Vec<Value>| {
            let total = before.iter().filter(|v| is_done(v)).count() + usize::from(is_done(&this));
            total.to_string()
        },
    );
    app
}
