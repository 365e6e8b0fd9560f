//! The smallest interactive app: type a name, get a greeting.
//!
//! `cargo run -p examples --bin hello`, then open http://127.0.0.1:8050/.

use dash_core::prelude::*;

/// The app, ready to serve (`app().run()`) or to mount (`into_router`).
pub fn app() -> Dash {
    let mut app = Dash::new();
    app.title("Hello · dash-rs");
    app.layout(
        html::Div::new().children((
            html::H1::new().children("Hello, Dash in Rust"),
            html::Label::new().html_for("name").children("Your name: "),
            dcc::Input::new()
                .id("name")
                .value("")
                .placeholder("type a name")
                .debounce(false),
            html::Div::new().id("greeting"),
        )),
    );
    app.callback(
        Output::new("greeting", "children"),
        Input::new("name", "value"),
        |name: Option<String>| match name.as_deref().map(str::trim) {
            Some(n) if !n.is_empty() => format!("Hello, {n}!"),
            _ => "Hello! Who are you?".to_owned(),
        },
    );
    app
}
