//! One background job: what it runs with ([`JobRequest`], plain data that
//! can travel to another process), what it reports while it runs
//! ([`JobSignals`]), and how it ended ([`JobResult`]).

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tokio::sync::Notify;

use crate::context::callback_context;
use crate::request::Triggered;

/// A job to run: the callback (by its `output` key), its arguments as the
/// callback receives them, and the context of the call that started it.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JobRequest {
    /// The job's id (random, 32 hex digits).
    pub id: String,
    /// The `output` key of the callback to run.
    pub callback: String,
    /// The callback's arguments, grouped as it takes them.
    pub args: Value,
    /// The key its result is cached under (blake3 of callback, version and
    /// arguments), when the callback caches.
    pub cache_key: Option<String>,
    /// How long a cached result is kept, in seconds.
    pub cache_ttl_secs: Option<u64>,
    /// What fired the call (`callback_context().triggered()` in the job).
    pub triggered: Vec<Triggered>,
    /// The request's `inputs` list (`inputs_list()` in the job).
    pub inputs_list: Vec<Value>,
    /// The request's `state` list.
    pub states_list: Vec<Value>,
    /// The request's `outputs`.
    pub outputs_list: Value,
}

/// How a job ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum JobResult {
    /// The callback's return value (every output, before `no_update`s are
    /// dropped).
    Done(Value),
    /// The callback raised `PreventUpdate`: nothing to update.
    Prevented,
    /// The callback failed or panicked; the message is shown to the user.
    Failed(String),
}

/// What a running job reports and is told: its newest progress and
/// `set_props` updates (taken by each poll), and whether it was cancelled.
#[derive(Debug, Default)]
pub struct JobSignals {
    progress: Mutex<Option<Value>>,
    side_updates: Mutex<Map<String, Value>>,
    cancelled: AtomicBool,
    cancel_notify: Notify,
}

impl JobSignals {
    /// Records `value` as the newest progress (replacing one not yet
    /// delivered).
    pub fn set_progress(&self, value: Value) {
        if let Ok(mut p) = self.progress.lock() {
            *p = Some(value);
        }
    }

    /// The newest progress not yet delivered.
    pub fn take_progress(&self) -> Option<Value> {
        self.progress.lock().ok().and_then(|mut p| p.take())
    }

    /// Merges `props` into the pending side updates of component `key`.
    pub fn set_props(&self, key: String, props: Value) {
        let Ok(mut side) = self.side_updates.lock() else {
            return;
        };
        let entry = side.entry(key).or_insert_with(|| Value::Object(Map::new()));
        if let (Value::Object(target), Value::Object(new)) = (entry, props) {
            target.extend(new);
        }
    }

    /// The side updates not yet delivered.
    pub fn take_side_updates(&self) -> Map<String, Value> {
        self.side_updates
            .lock()
            .map(|mut m| std::mem::take(&mut *m))
            .unwrap_or_default()
    }

    /// Tells the job to stop.
    pub fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
        self.cancel_notify.notify_waiters();
    }

    /// Whether the job was told to stop.
    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::SeqCst)
    }

    /// Resolves once the job is told to stop.
    pub async fn cancelled(&self) {
        loop {
            let notified = self.cancel_notify.notified();
            if self.is_cancelled() {
                return;
            }
            notified.await;
        }
    }
}

/// Reports progress from inside a background job (Dash's `set_progress`):
/// one value for one progress output, a list for several. The newest value
/// reaches the page at its next poll. Returns `false` (and does nothing)
/// outside a background job.
pub fn set_progress(value: impl Serialize) -> bool {
    let Some(job) = callback_context().and_then(|c| c.job()) else {
        tracing::warn!("set_progress called outside a background callback; ignored");
        return false;
    };
    match serde_json::to_value(value) {
        Ok(v) => {
            job.set_progress(v);
            true
        }
        Err(e) => {
            tracing::warn!("set_progress: the value does not serialize: {e}");
            false
        }
    }
}

/// Whether the background job running on this task was cancelled (by a
/// cancel input, a newer call, or the page going away). A synchronous job
/// should check it between steps and return; an async job is also dropped
/// at its next `.await`. `false` outside a background job.
pub fn is_cancelled() -> bool {
    callback_context()
        .and_then(|c| c.job())
        .is_some_and(|j| j.is_cancelled())
}
