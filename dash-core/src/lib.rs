#![doc = include_str!("../README.md")]
#![warn(clippy::unwrap_used)]

// Building blocks: IDs, components, dependencies, handlers, state.
pub mod aio;
pub mod component;
mod components;
mod deferred;
pub mod deps;
pub mod error;
pub mod handler;
pub mod id;
mod jsnum;
pub mod patch;
mod splice;
pub mod state;

// The app and how crates extend it.
pub mod app;
pub mod background;
pub mod builtin;
pub mod callback;
pub mod extension;
pub mod library;

// The request path, one way (each module uses only those before it):
// matching → request → registry → context (holding its response's splices) → stream
// (outputs spliced into the response) → dispatch → response.
pub mod context;
mod dispatch;
mod matching;
mod registry;
mod request;
mod response;
pub mod stream;

// The HTTP side: helpers → limits → files → index page → routes.
mod assets;
mod http_util;
mod index;
mod limits;
mod server;

pub use app::{Dash, DevTools, Resource};
pub use assets::DASH_VERSION;
pub use callback::{
    Callback, CallbackSet, ClientsideFunction, callback, clientside_callback, register,
};
pub use component::{Children, Component, Node, Number};
pub use components::{dash_table, dcc, html};
pub use context::{CallbackContext, Triggered, app_state, callback_context, set_props};
pub use deps::{DepTree, Group, Input, Named, Output, State};
pub use error::Error;
pub use extension::{Extension, ExtensionEntry};
pub use handler::{CallbackError, Handler, IntoCallbackOutput, NoUpdate, PreventUpdate, Update};
pub use id::{ALL, ALLSMALLER, ComponentId, IdValue, MATCH, Wildcard};
pub use library::{ComponentLibrary, LinkWhen};
pub use limits::Limits;
pub use patch::Patch;
pub use state::AppState;
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
        ALL, ALLSMALLER, AppState, Callback, CallbackError, Children, ClientsideFunction,
        Component, ComponentId, Dash, Extension, Input, MATCH, Named, NoUpdate, Node, Output,
        Patch, PreventUpdate, State, Update, app_state, callback, callback_context,
        clientside_callback, dash_table, dcc, html, id, named, set_props,
    };
}
