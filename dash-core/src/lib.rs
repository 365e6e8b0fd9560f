#![doc = include_str!("../README.md")]
#![warn(clippy::unwrap_used)]

pub mod app;
mod assets;
pub mod callback;
pub mod component;
mod components;
pub mod context;
pub mod deps;
mod dispatch;
pub mod error;
pub mod handler;
pub mod id;
mod index;
mod jsnum;
pub mod patch;
mod request;
mod server;
pub mod stream;

pub use app::{Dash, DevTools, Resource};
pub use assets::DASH_VERSION;
pub use callback::{
    Callback, CallbackSet, ClientsideFunction, callback, clientside_callback, register,
};
pub use component::{Children, Component, Node, Number};
pub use components::{dash_table, dcc, html};
pub use context::{CallbackContext, Triggered, callback_context, set_props};
pub use deps::{DepTree, Group, Input, Named, Output, State};
pub use error::Error;
pub use handler::{CallbackError, Handler, IntoCallbackOutput, NoUpdate, PreventUpdate, Update};
pub use id::{ALL, ALLSMALLER, ComponentId, IdValue, MATCH, Wildcard};
pub use patch::Patch;
pub use stream::{Json, TextStream};

#[doc(hidden)]
pub use inventory;
#[doc(hidden)]
pub use serde;
#[doc(hidden)]
pub use serde_json;

/// One import line for apps, as Dash 2.0's
/// `from dash import Dash, Input, Output, State, html, dcc, dash_table, callback`.
///
/// ```
/// use dash_core::prelude::*;
/// let mut app = Dash::new();
/// app.layout(html::Div::new().children("hi"));
/// ```
pub mod prelude {
    pub use crate::{
        ALL, ALLSMALLER, Callback, CallbackError, Children, ClientsideFunction, Component,
        ComponentId, Dash, Input, MATCH, Named, NoUpdate, Node, Output, Patch, PreventUpdate,
        State, Update, callback, callback_context, clientside_callback, dash_table, dcc, html, id,
        named, set_props,
    };
}
