//! A tour of callback features: named multi-output, chaining, grouped
//! arguments, a clientside callback, `set_props` and `Patch`.
//!
//! `cargo run -p examples --bin callbacks`

use dash_core::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;

/// Named outputs: a struct whose fields match the `named!` keys.
#[derive(Serialize)]
struct Powers {
    square: String,
    cube: String,
}

/// Writes a number the way a person expects (`9`, not `9.0`).
fn show(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// Named inputs: a struct whose fields match the `named!` keys.
#[derive(Deserialize)]
struct SumArgs {
    label: Option<String>,
    terms: (Option<f64>, Option<f64>),
}

fn number_input(id: &str, value: i64) -> dcc::Input {
    dcc::Input::new()
        .id(id)
        .r#type(dcc::InputType::Number)
        .value(value)
}

fn row(label: &str, id: &str) -> html::Div {
    html::Div::new().children((
        html::Span::new().children(format!("{label}: ")),
        html::Span::new().id(id),
    ))
}

/// The app, ready to serve (`app().run()`) or to mount (`into_router`).
pub fn app() -> Dash {
    let mut app = Dash::new();
    app.title("Callbacks · dash-rs");
    app.layout(
        html::Div::new().children((
            html::Section::new().children((
                html::H2::new().children("Chained and multi-output callbacks"),
                number_input("number", 3),
                row("square", "square"),
                row("cube", "cube"),
                row("parity of the square", "parity"),
                html::Div::new().id("doubled"),
            )),
            html::Section::new().children((
                html::H2::new().children("Grouped arguments"),
                dcc::Input::new().id("label").value("sum"),
                number_input("a", 1),
                number_input("b", 2),
                html::Div::new().id("sum"),
            )),
            html::Section::new().children((
                html::H2::new().children("set_props and Patch"),
                html::Button::new().id("notify").children("Notify"),
                html::Span::new().id("notify-count"),
                html::Div::new().id("status"),
                html::Button::new().id("add-line").children("Add a line"),
                html::Ul::new().id("lines").children(Vec::<Node>::new()),
            )),
            html::Section::new().children((
                html::H2::new().children("Errors"),
                html::Button::new()
                    .id("fail")
                    .children("Run a failing callback"),
                html::Div::new().id("fail-result"),
            )),
        )),
    );

    // Multi-output with named outputs: the function returns a struct.
    app.callback(
        named! {
            square: Output::new("square", "children"),
            cube: Output::new("cube", "children"),
        },
        Input::new("number", "value"),
        |n: Option<f64>| -> Result<Powers, CallbackError> {
            let n = n.ok_or(PreventUpdate)?;
            Ok(Powers {
                square: show(n * n),
                cube: show(n * n * n),
            })
        },
    );

    // Chained: fires when the square changes.
    app.callback(
        Output::new("parity", "children"),
        Input::new("square", "children"),
        |square: Option<String>| -> Result<&'static str, CallbackError> {
            let n: f64 = square
                .ok_or(PreventUpdate)?
                .parse()
                .map_err(|_| CallbackError::msg("the square is not a number"))?;
            Ok(if n % 2.0 == 0.0 { "even" } else { "odd" })
        },
    );

    // Clientside: runs in the browser.
    app.clientside_callback(
        ClientsideFunction::inline(
            "function(n) { return (n === null || n === undefined || n === '') ? '' : 'doubled: ' + (2 * n); }",
        ),
        Output::new("doubled", "children"),
        Input::new("number", "value"),
    );

    // Grouped (nested) and named arguments.
    app.callback(
        Output::new("sum", "children"),
        named! {
            label: Input::new("label", "value"),
            terms: (Input::new("a", "value"), Input::new("b", "value")),
        },
        |args: SumArgs| {
            let total = args.terms.0.unwrap_or(0.0) + args.terms.1.unwrap_or(0.0);
            format!("{} = {}", args.label.unwrap_or_default(), show(total))
        },
    );

    // set_props: update a component that is not an output.
    app.callback(
        Output::new("notify-count", "children"),
        Input::new("notify", "n_clicks"),
        |n: Option<u64>| -> Result<u64, CallbackError> {
            let n = n.ok_or(PreventUpdate)?;
            set_props("status", json!({"children": format!("notified {n} times")}));
            Ok(n)
        },
    );

    // Patch: append one list item without resending the list.
    app.add_callback(
        Callback::new(
            Output::new("lines", "children"),
            Input::new("add-line", "n_clicks"),
            |n: Option<u64>| -> Result<Patch, CallbackError> {
                let n = n.ok_or(PreventUpdate)?;
                Ok(Patch::new().append((), html::Li::new().children(format!("line {n}"))))
            },
        )
        .prevent_initial_call(true),
    );
    // A failing callback: the server answers 500 with the message, which
    // debug mode shows in the dev-tools overlay; the server keeps running.
    app.add_callback(
        Callback::new(
            Output::new("fail-result", "children"),
            Input::new("fail", "n_clicks"),
            |_n: Option<u64>| -> Result<String, CallbackError> {
                Err(CallbackError::msg("the demo button always fails"))
            },
        )
        .prevent_initial_call(true),
    );
    app
}
