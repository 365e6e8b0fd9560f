//! A counter button as a Dash All-in-One component: [`CounterAio`].
//!
//! The shape every AIO crate follows:
//!
//! - [`ids`]: the component's IDs, declared with `dash_core::aio_ids!`, so
//!   app authors can attach callbacks of their own;
//! - [`CounterAio`]: a builder whose `build()` returns the layout —
//!   synchronous and cheap, any number of instances per page;
//! - `callbacks()`: the component's callbacks, with `MATCH` on `aio_id`,
//!   registered once for every instance;
//! - [`CounterExtension`]: brings the callbacks, a default app state and
//!   the stylesheet to every app (at link time), without globals.
//!
//! ```
//! use aio_counter::CounterAio;
//! use dash_core::prelude::*;
//! let mut app = Dash::new();
//! app.layout(html::Div::new().children((
//!     CounterAio::new().aio_id("likes").label("Like"),
//!     CounterAio::new().aio_id("stars").label("Star").step(5),
//! )));
//! ```

use dash_core::{
    Callback, CallbackError, ComponentLibrary, Dash, Extension, Input, MATCH, Node, Output, State,
    dcc, html,
};
use serde_json::Value;

/// IDs of a counter's parts: `{"component": "CounterAio", "subcomponent": …, "aio_id": …}`.
pub mod ids {
    dash_core::aio_ids! {
        component = "CounterAio";
        /// The button to press.
        button,
        /// The `dcc.Store` whose `data` is the count: read it in your callbacks.
        count,
        /// The text showing the count.
        display,
        /// The `dcc.Store` with the counter's step.
        step,
    }
}

/// The largest count, for every counter of an app unless the app sets a
/// [`CounterLimit`] of its own. It is app state: two apps can differ.
pub const DEFAULT_LIMIT: u64 = 1_000_000;

/// The largest count the counters of an app reach (app state).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CounterLimit(pub u64);

impl Default for CounterLimit {
    fn default() -> Self {
        CounterLimit(DEFAULT_LIMIT)
    }
}

/// A button that counts how often it is pressed.
#[derive(Debug, Clone)]
pub struct CounterAio {
    aio_id: String,
    label: String,
    step: u64,
}

impl Default for CounterAio {
    fn default() -> Self {
        Self::new()
    }
}

impl CounterAio {
    /// A counter labelled "Count", step 1, with a random `aio_id`.
    pub fn new() -> Self {
        CounterAio {
            aio_id: ids::new_aio_id(),
            label: "Count".into(),
            step: 1,
        }
    }

    /// Sets the `aio_id` (so your callbacks can name this counter).
    pub fn aio_id(mut self, aio_id: impl Into<String>) -> Self {
        self.aio_id = aio_id.into();
        self
    }

    /// The button's text.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = label.into();
        self
    }

    /// How much one press adds (at least 1).
    pub fn step(mut self, step: u64) -> Self {
        self.step = step.max(1);
        self
    }

    /// The layout.
    pub fn build(self) -> html::Div {
        let aio = self.aio_id.as_str();
        html::Div::new().class_name("counter-aio").children((
            dcc::Store::new().id(ids::count(aio)).data(0),
            dcc::Store::new().id(ids::step(aio)).data(self.step),
            html::Button::new()
                .id(ids::button(aio))
                .class_name("counter-aio__button")
                .n_clicks(0)
                .children(self.label),
            html::Span::new()
                .id(ids::display(aio))
                .class_name("counter-aio__count")
                .aria("live", "polite")
                .children("0"),
        ))
    }
}

impl From<CounterAio> for Node {
    fn from(c: CounterAio) -> Node {
        Node::from(c.build())
    }
}

/// A whole number from 0 up sent by the browser, or `None`.
fn count_of(v: &Value) -> Option<u64> {
    v.as_u64()
}

/// Adds the step to the count, up to the app's [`CounterLimit`]. Every
/// value comes from the browser, so each is checked.
fn press(clicks: Option<u64>, count: Value, step: Value) -> Result<(u64, String), CallbackError> {
    let limit = dash_core::app_state()?.get_or_default::<CounterLimit>().0;
    let count = count_of(&count).unwrap_or(0).min(limit);
    let step = count_of(&step).unwrap_or(1).clamp(1, limit.max(1));
    let next = if clicks.unwrap_or(0) == 0 {
        count
    } else {
        count.saturating_add(step).min(limit)
    };
    Ok((next, next.to_string()))
}

/// The counter's callbacks: one, with `MATCH` on the `aio_id`.
pub fn callbacks() -> Vec<Callback> {
    vec![Callback::new(
        (
            Output::new(ids::count(MATCH), "data"),
            Output::new(ids::display(MATCH), "children"),
        ),
        (
            Input::new(ids::button(MATCH), "n_clicks"),
            State::new(ids::count(MATCH), "data"),
            State::new(ids::step(MATCH), "data"),
        ),
        press,
    )]
}

/// Brings the counter to an app: its callback, the default
/// [`CounterLimit`] and the stylesheet.
#[derive(Debug, Clone, Copy)]
pub struct CounterExtension;

impl Extension for CounterExtension {
    fn name(&self) -> &str {
        env!("CARGO_PKG_NAME")
    }

    fn register(&self, app: &mut Dash) {
        app.init_state(CounterLimit::default);
        app.component_library(
            ComponentLibrary::new(env!("CARGO_PKG_NAME").replace('-', "_"), env!("CARGO_PKG_VERSION"))
                .stylesheet("counter.css", include_str!("../assets/counter.css").as_bytes()),
        );
        for cb in callbacks() {
            app.add_callback(cb);
        }
    }
}

dash_core::register_extension!(CounterExtension);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_name_the_component() {
        assert_eq!(ids::COMPONENT, "CounterAio");
        assert_eq!(
            ids::button("a").to_string(),
            r#"{"aio_id":"a","component":"CounterAio","subcomponent":"button"}"#
        );
    }

    #[test]
    fn the_layout_holds_every_part() {
        let v = serde_json::to_value(CounterAio::new().aio_id("a").step(3).build()).unwrap();
        let text = v.to_string();
        for sub in ids::SUBCOMPONENTS {
            assert!(text.contains(&format!("\"subcomponent\":\"{sub}\"")), "{sub} missing");
        }
        assert!(text.contains("\"data\":3"));
    }
}
