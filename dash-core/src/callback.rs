//! Callbacks: declaring them ([`Callback`]), clientside ones
//! ([`ClientsideFunction`]), and registering them without an app handle
//! ([`callback`], [`register`], [`crate::register_callbacks!`]).

use std::marker::PhantomData;
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::background::Background;
use crate::deps::{
    ArgShape, DepTree, Group, Input, Output, OutputShape, State, flatten_args, flatten_outputs,
};
use crate::error::Error;
use crate::handler::{Erased, ErasedHandler, Handler};

/// A JavaScript function run in the browser instead of on the server.
#[derive(Debug, Clone, PartialEq)]
pub enum ClientsideFunction {
    /// Inline source, e.g. `"function(x) { return x * 2; }"`.
    Inline(String),
    /// `window.dash_clientside[namespace][function_name]`, defined in an
    /// asset script.
    Namespaced {
        /// The namespace object under `window.dash_clientside`.
        namespace: String,
        /// The function name in that namespace.
        function_name: String,
    },
}

impl ClientsideFunction {
    /// Inline JavaScript source of a function.
    pub fn inline(source: impl Into<String>) -> Self {
        ClientsideFunction::Inline(source.into())
    }

    /// A function defined in an asset: `window.dash_clientside[namespace][name]`.
    pub fn namespaced(namespace: impl Into<String>, function_name: impl Into<String>) -> Self {
        ClientsideFunction::Namespaced {
            namespace: namespace.into(),
            function_name: function_name.into(),
        }
    }

    pub(crate) const INLINE_NAMESPACE: &'static str = "_dashprivate_clientside_funcs";

    /// `(namespace, function_name)` as sent in `_dash-dependencies`.
    pub(crate) fn names(&self) -> (String, String) {
        match self {
            ClientsideFunction::Inline(src) => (
                Self::INLINE_NAMESPACE.to_owned(),
                hex::encode(Sha256::digest(src.as_bytes())),
            ),
            ClientsideFunction::Namespaced {
                namespace,
                function_name,
            } => (namespace.clone(), function_name.clone()),
        }
    }
}

#[derive(Clone)]
pub(crate) enum Kind {
    Server {
        handler: Arc<dyn ErasedHandler>,
        arity: usize,
    },
    Clientside(ClientsideFunction),
}

/// A callback: outputs, inputs/states, and a function (server or client side).
///
/// Built with [`Callback::new`] or [`Callback::clientside`], configured
/// with its builder methods, and added to an app
/// ([`crate::Dash::add_callback`]) or to every app ([`register`]).
///
/// ```
/// use dash_core::{Callback, Input, Output};
/// let cb = Callback::new(
///     Output::new("greeting", "children"),
///     Input::new("name", "value"),
///     |name: Option<String>| format!("Hello, {}!", name.unwrap_or_default()),
/// )
/// .prevent_initial_call(true);
/// # let _ = cb;
/// ```
#[derive(Clone)]
pub struct Callback {
    pub(crate) outputs: DepTree,
    pub(crate) args: DepTree,
    pub(crate) kind: Kind,
    pub(crate) prevent_initial_call: Option<bool>,
    pub(crate) hidden: bool,
    pub(crate) running: Vec<(Output, Value, Value)>,
    pub(crate) background: Option<Background>,
}

impl std::fmt::Debug for Callback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Callback")
            .field("outputs", &self.outputs)
            .field("args", &self.args)
            .field("prevent_initial_call", &self.prevent_initial_call)
            .finish_non_exhaustive()
    }
}

impl Callback {
    /// A server-side callback: `f` receives the values of `inputs` (inputs
    /// and states, grouped as declared) and returns the values of `outputs`.
    pub fn new<H, Args, M>(outputs: impl Group, inputs: impl Group, f: H) -> Self
    where
        H: Handler<Args, M>,
        Args: 'static,
        M: 'static,
    {
        Callback {
            outputs: outputs.into_tree(),
            args: inputs.into_tree(),
            kind: Kind::Server {
                handler: Arc::new(Erased {
                    handler: f,
                    _marker: PhantomData,
                }),
                arity: H::ARITY,
            },
            prevent_initial_call: None,
            hidden: false,
            running: Vec::new(),
            background: None,
        }
    }

    /// A clientside callback: the browser runs `function` with the input
    /// and state values as positional arguments.
    pub fn clientside(
        outputs: impl Group,
        inputs: impl Group,
        function: ClientsideFunction,
    ) -> Self {
        Callback {
            outputs: outputs.into_tree(),
            args: inputs.into_tree(),
            kind: Kind::Clientside(function),
            prevent_initial_call: None,
            hidden: false,
            running: Vec::new(),
            background: None,
        }
    }

    /// Skips the call made when the page loads (default: the app's setting).
    pub fn prevent_initial_call(mut self, prevent: bool) -> Self {
        self.prevent_initial_call = Some(prevent);
        self
    }

    /// Hides the callback from the dev-tools callback graph.
    pub fn hidden(mut self, hidden: bool) -> Self {
        self.hidden = hidden;
        self
    }

    /// Sets `output` to `on` while the callback runs and to `off` after
    /// (applied by the browser, Dash's `running=`).
    pub fn running(mut self, output: Output, on: impl Into<Value>, off: impl Into<Value>) -> Self {
        self.running.push((output, on.into(), off.into()));
        self
    }

    /// Runs the callback as a background job (Dash's `background=True`):
    /// progress, cancel inputs, caching (see [`crate::background`]).
    /// Only server-side callbacks run in the background.
    pub fn background(mut self, background: Background) -> Self {
        self.background = Some(background);
        self
    }
}

/// A callback checked and flattened into what the protocol needs.
pub(crate) struct Compiled {
    /// The `output` string: the lookup key of requests.
    pub(crate) output_key: String,
    pub(crate) outputs: Vec<Output>,
    pub(crate) output_shape: OutputShape,
    /// A single (non-grouped) output: the request's `outputs` is one object.
    pub(crate) single: bool,
    pub(crate) inputs: Vec<Input>,
    pub(crate) states: Vec<State>,
    pub(crate) arg_shape: ArgShape,
    pub(crate) kind: Kind,
    pub(crate) prevent_initial_call: bool,
    pub(crate) hidden: bool,
    pub(crate) running: Vec<(Output, Value, Value)>,
    pub(crate) background: Option<Background>,
}

fn duplicate_suffix(inputs: &[Input]) -> String {
    let joined: Vec<String> = inputs.iter().map(Input::prop_id).collect();
    hex::encode(Sha256::digest(joined.join(",").as_bytes()))
}

impl Compiled {
    pub(crate) fn compile(cb: Callback, default_prevent: bool) -> Result<Self, Error> {
        let bad = |m: String| Error::InvalidCallback(m);
        let mut outputs = Vec::new();
        let output_shape = flatten_outputs(cb.outputs, &mut outputs).map_err(bad)?;
        let single = matches!(output_shape, OutputShape::Output(_));
        let mut inputs = Vec::new();
        let mut states = Vec::new();
        let arg_shape = flatten_args(cb.args, &mut inputs, &mut states).map_err(bad)?;
        let name = outputs
            .iter()
            .map(Output::prop_id)
            .collect::<Vec<_>>()
            .join(", ");
        if inputs.is_empty() {
            return Err(bad(format!(
                "the callback for [{name}] has no Input; at least one Input must fire it"
            )));
        }
        for id in outputs
            .iter()
            .map(|o| &o.dep.id)
            .chain(inputs.iter().map(|i| &i.0.id))
            .chain(states.iter().map(|s| &s.0.id))
        {
            id.validate()?;
        }
        for o in &outputs {
            if o.dep.id.wildcards().contains(&crate::Wildcard::AllSmaller) {
                return Err(bad(format!(
                    "Output({}) uses ALLSMALLER, which is allowed only in inputs and states",
                    o.prop_id()
                )));
            }
        }
        if let Some(bg) = &cb.background {
            if matches!(cb.kind, Kind::Clientside(_)) {
                return Err(bad(format!(
                    "the callback for [{name}] is clientside; only server-side callbacks run in the background"
                )));
            }
            for (o, _) in &bg.progress_default {
                if !bg.progress.iter().any(|p| p.prop_id() == o.prop_id()) {
                    return Err(bad(format!(
                        "the callback for [{name}] has a progress_default for {}, which is not one of its progress outputs",
                        o.prop_id()
                    )));
                }
            }
            for id in bg
                .progress
                .iter()
                .map(|o| &o.dep.id)
                .chain(bg.cancel.iter().map(|i| &i.0.id))
            {
                id.validate()?;
            }
        }
        if let Kind::Server { arity, .. } = &cb.kind
            && *arity > 1
            && arg_shape.top_len() != Some(*arity)
        {
            return Err(bad(format!(
                "the callback for [{name}] takes {arity} parameters, but its inputs are not a tuple of {arity} groups"
            )));
        }
        let suffix = outputs
            .iter()
            .any(|o| o.allow_duplicate)
            .then(|| duplicate_suffix(&inputs));
        let out_str = |o: &Output| match (&suffix, o.allow_duplicate) {
            (Some(s), true) => format!("{}@{s}", o.prop_id()),
            _ => o.prop_id(),
        };
        let output_key = if single {
            out_str(&outputs[0])
        } else if outputs.is_empty() {
            // A callback with no outputs (only side updates): Dash names it by a hash.
            duplicate_suffix(&inputs)
        } else {
            format!(
                "..{}..",
                outputs.iter().map(out_str).collect::<Vec<_>>().join("...")
            )
        };
        Ok(Compiled {
            output_key,
            outputs,
            output_shape,
            single,
            inputs,
            states,
            arg_shape,
            kind: cb.kind,
            prevent_initial_call: cb.prevent_initial_call.unwrap_or(default_prevent),
            hidden: cb.hidden,
            running: cb.running,
            background: cb.background,
        })
    }

    /// The entry of `_dash-dependencies`.
    pub(crate) fn dependency_json(&self) -> Value {
        let dep = |d: &crate::deps::Dependency, optional: bool| {
            let mut v = d.to_json();
            if optional {
                v["allow_optional"] = Value::Bool(true);
            }
            v
        };
        let clientside = match &self.kind {
            Kind::Clientside(f) => {
                let (namespace, function_name) = f.names();
                json!({"namespace": namespace, "function_name": function_name})
            }
            Kind::Server { .. } => Value::Null,
        };
        let mut v = json!({
            "output": self.output_key,
            "inputs": self.inputs.iter().map(|i| dep(&i.0, i.1)).collect::<Vec<_>>(),
            "state": self.states.iter().map(|s| dep(&s.0, s.1)).collect::<Vec<_>>(),
            "clientside_function": clientside,
            "prevent_initial_call": self.prevent_initial_call,
            "background": self.background.as_ref().map(|b| {
                json!({"interval": u64::try_from(b.interval.as_millis()).unwrap_or(u64::MAX)})
            }),
            "dynamic_creator": false,
            "no_output": self.outputs.is_empty(),
            "optional": false,
            "hidden": self.hidden,
            "websocket": false,
            "persistent": false,
        });
        if !self.running.is_empty() {
            let mut on = serde_json::Map::new();
            let mut off = serde_json::Map::new();
            for (o, a, b) in &self.running {
                on.insert(o.prop_id(), a.clone());
                off.insert(o.prop_id(), b.clone());
            }
            v["running"] = json!({"running": on, "runningOff": off});
        }
        v
    }
}

/// The hidden callbacks through which the renderer cancels background
/// jobs: one per cancel input, `Output(<id>, "id") ← Input(<id>, <prop>)`,
/// returning nothing (Dash registers the same). The request carries the
/// jobs to cancel; dispatch cancels them before the callback runs.
pub(crate) fn cancel_callbacks(callbacks: &[Callback]) -> Vec<Callback> {
    let mut out: Vec<Callback> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for bg in callbacks.iter().filter_map(|c| c.background.as_ref()) {
        for input in &bg.cancel {
            if !seen.insert(input.prop_id()) {
                continue;
            }
            let id = input.0.id.clone();
            out.push(
                Callback::new(
                    Output::new(id, "id").allow_duplicate(),
                    input.clone(),
                    |_: Value| crate::NoUpdate,
                )
                .prevent_initial_call(true)
                .hidden(true),
            );
        }
    }
    out
}

/// A set of callbacks registered at link time by a crate (for example an
/// All-in-One component). Use [`crate::register_callbacks!`] rather than this.
#[doc(hidden)]
pub struct CallbackSet(pub fn() -> Vec<Callback>);

inventory::collect!(CallbackSet);

/// Registers, at link time, callbacks that every app of the program gets:
/// pass a `fn() -> Vec<Callback>`. This is how All-in-One component
/// crates ship their callbacks: apps that use the component need no wiring,
/// even when the component first appears in a layout returned by a callback.
///
/// ```
/// use dash_core::{Callback, Input, Output, MATCH, id};
/// fn my_component_callbacks() -> Vec<Callback> {
///     vec![Callback::new(
///         Output::new(id! {"component": "Echo", "aio_id": MATCH}, "children"),
///         Input::new(id! {"component": "EchoInput", "aio_id": MATCH}, "value"),
///         |v: Option<String>| v.unwrap_or_default(),
///     )]
/// }
/// dash_core::register_callbacks!(my_component_callbacks);
/// ```
#[macro_export]
macro_rules! register_callbacks {
    ($f:path) => {
        $crate::inventory::submit! { $crate::CallbackSet($f) }
    };
}

static GLOBAL: Mutex<Vec<Callback>> = Mutex::new(Vec::new());

/// Registers a callback for every app of this process (Dash's
/// `dash.callback`). Apps built after this call include it.
pub fn register(cb: Callback) {
    if let Ok(mut g) = GLOBAL.lock() {
        g.push(cb);
    }
}

/// Declares a server-side callback for every app (Dash's `dash.callback`).
///
/// ```
/// use dash_core::prelude::*;
/// callback(Output::new("out", "children"), Input::new("in", "value"), |v: Option<String>| v);
/// ```
pub fn callback<H, Args, M>(outputs: impl Group, inputs: impl Group, f: H)
where
    H: Handler<Args, M>,
    Args: 'static,
    M: 'static,
{
    register(Callback::new(outputs, inputs, f));
}

/// Declares a clientside callback for every app (Dash's `dash.clientside_callback`).
pub fn clientside_callback(outputs: impl Group, inputs: impl Group, function: ClientsideFunction) {
    register(Callback::clientside(outputs, inputs, function));
}

/// Every callback registered without an app: link-time sets first, then
/// the runtime list.
pub(crate) fn global_callbacks() -> Vec<Callback> {
    let mut all: Vec<Callback> = inventory::iter::<CallbackSet>
        .into_iter()
        .flat_map(|set| (set.0)())
        .collect();
    if let Ok(g) = GLOBAL.lock() {
        all.extend(g.iter().cloned());
    }
    all
}
