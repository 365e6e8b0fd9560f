//! The callback context: which inputs fired the callback, the resolved
//! wildcard lists, and `set_props` side updates (Dash's `ctx`).

use std::sync::{Arc, Mutex};

use serde_json::{Map, Value};

use crate::background::JobSignals;
use crate::id::ComponentId;
pub use crate::request::Triggered;
use crate::request::{Lists, OutputsList};
use crate::splice::{Splice, Streams};
use crate::state::AppState;

#[derive(Debug, Default)]
pub(crate) struct ContextInner {
    pub(crate) app_state: AppState,
    pub(crate) triggered: Vec<Triggered>,
    pub(crate) inputs_list: Lists,
    pub(crate) states_list: Lists,
    pub(crate) outputs_list: OutputsList,
    pub(crate) side_updates: Mutex<Map<String, Value>>,
    pub(crate) streams: Streams,
    /// The job's signals when the callback runs as a background job.
    pub(crate) job: Option<Arc<JobSignals>>,
}

/// What a running callback knows about its call. Get it with
/// [`callback_context`] inside a callback.
///
/// ```
/// use dash_core::callback_context;
/// fn which_button(_n: Option<u32>) -> String {
///     let ctx = callback_context().expect("called from a callback");
///     match ctx.triggered_id() {
///         Some(id) => format!("{id} was clicked"),
///         None => "nothing clicked yet".into(),
///     }
/// }
/// ```
#[derive(Debug, Clone)]
pub struct CallbackContext(pub(crate) Arc<ContextInner>);

tokio::task_local! {
    static CURRENT: CallbackContext;
}

/// The context of the callback running on this task, or `None` outside one.
pub fn callback_context() -> Option<CallbackContext> {
    CURRENT.try_with(Clone::clone).ok()
}

/// The state of the app whose callback runs on this task (see
/// [`crate::Dash::state`]), or an error outside a callback — so a callback
/// can write `app_state()?.require::<MyStore>()?`.
pub fn app_state() -> Result<AppState, crate::CallbackError> {
    callback_context()
        .map(|c| c.0.app_state.clone())
        .ok_or_else(|| crate::CallbackError::msg("app_state() is available only inside a callback"))
}

/// Sets props of any component from inside a callback (Dash's `set_props`).
/// The updates travel with the callback's response. Returns `false` (and
/// does nothing) when called outside a callback.
///
/// ```
/// use dash_core::{set_props, serde_json::json};
/// fn notify(n: u32) -> u32 {
///     set_props("status", json!({"children": format!("notified {n} times")}));
///     n
/// }
/// ```
pub fn set_props(id: impl Into<ComponentId>, props: Value) -> bool {
    match callback_context() {
        Some(ctx) => {
            ctx.set_props(id, props);
            true
        }
        None => {
            tracing::warn!("set_props called outside a callback; ignored");
            false
        }
    }
}

impl CallbackContext {
    pub(crate) fn new(inner: ContextInner) -> Self {
        CallbackContext(Arc::new(inner))
    }

    pub(crate) fn sync_scope<R>(self, f: impl FnOnce() -> R) -> R {
        CURRENT.sync_scope(self, f)
    }

    /// The signals of the background job this callback runs as.
    pub(crate) fn job(&self) -> Option<Arc<JobSignals>> {
        self.0.job.clone()
    }

    pub(crate) async fn scope<F: std::future::Future>(self, f: F) -> F::Output {
        CURRENT.scope(self, f).await
    }

    /// The state of the app this callback runs in.
    pub fn app_state(&self) -> &AppState {
        &self.0.app_state
    }

    /// The app's value of type `T` (see [`crate::Dash::state`]).
    ///
    /// ```
    /// # use dash_core::callback_context;
    /// struct Greeting(String);
    /// fn greet() -> Option<String> {
    ///     let ctx = callback_context()?;
    ///     ctx.state::<Greeting>().map(|g| g.0.clone())
    /// }
    /// ```
    pub fn state<T: Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        self.0.app_state.get::<T>()
    }

    /// Every property that fired this call (empty on the initial call).
    pub fn triggered(&self) -> &[Triggered] {
        &self.0.triggered
    }

    /// The ID of the first property that fired this call.
    pub fn triggered_id(&self) -> Option<&ComponentId> {
        self.0.triggered.first().and_then(|t| t.id.as_ref())
    }

    /// The raw `inputs` list of the request (wildcard inputs resolved to
    /// concrete IDs, as Dash's `ctx.inputs_list`).
    pub fn inputs_list(&self) -> &[Value] {
        self.0.inputs_list.values()
    }

    /// The raw `state` list of the request (`ctx.states_list`).
    pub fn states_list(&self) -> &[Value] {
        self.0.states_list.values()
    }

    /// The raw `outputs` of the request (`ctx.outputs_list`).
    pub fn outputs_list(&self) -> &Value {
        self.0.outputs_list.value()
    }

    /// Sets props of any component, merged into the response's side updates.
    pub fn set_props(&self, id: impl Into<ComponentId>, props: Value) {
        let key = id.into().to_string();
        if let Some(job) = &self.0.job {
            // delivered by the job's polls
            job.set_props(key, props);
            return;
        }
        let Ok(mut side) = self.0.side_updates.lock() else {
            return;
        };
        let entry = side.entry(key).or_insert_with(|| Value::Object(Map::new()));
        if let (Value::Object(target), Value::Object(new)) = (entry, props) {
            target.extend(new);
        }
    }

    /// Registers a [`crate::TextStream`] or [`crate::Json`]; returns the
    /// placeholder string that stands for it in the response.
    pub(crate) fn add_splice(&self, splice: Splice) -> String {
        self.0.streams.add(splice)
    }

    pub(crate) fn splice_mark(&self) -> String {
        self.0.streams.mark()
    }

    pub(crate) fn splice_count(&self) -> usize {
        self.0.streams.len()
    }

    pub(crate) fn take_streams(&self) -> Vec<(String, Splice)> {
        self.0.streams.take()
    }

    pub(crate) fn take_side_updates(&self) -> Map<String, Value> {
        self.0
            .side_updates
            .lock()
            .map(|mut m| std::mem::take(&mut *m))
            .unwrap_or_default()
    }
}
