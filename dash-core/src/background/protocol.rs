//! The renderer's background-callback protocol on the server side: the
//! start reply (`cacheKey`, `job`, `cancel`, `progressDefault`), polls
//! (`progress`, `sideUpdate`, then `response`; 204 when the job is gone),
//! `cancelJob` and `oldJob`. Dash's `dash-protocol.md` §3 has the facts.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures_util::{FutureExt as _, StreamExt as _};
use serde_json::{Map, Value, json};

use super::Background;
use super::handles::{Handles, Scope};
use super::job::{JobRequest, JobResult, JobSignals};
use super::manager::{BackgroundManager, JobError, JobRunner, JobState};
use crate::callback::Compiled;
use crate::context::{CallbackContext, ContextInner};
use crate::dispatch::{Outcome, finish, panic_message, respond};
use crate::handler::{ErasedHandler, ErrorKind};
use crate::id::{ComponentId, IdValue, Wildcard};
use crate::request::{Lists, OutputsList, Parts};
use crate::state::AppState;

/// The background-callback arguments of a request's query string.
#[derive(Debug, Default)]
pub(crate) struct JobQuery {
    cache_key: Option<String>,
    job: Option<String>,
    cancel_job: Vec<String>,
    old_job: Vec<String>,
}

/// At most this many query arguments are read (the renderer sends a few).
const MAX_QUERY_ARGS: usize = 64;

impl JobQuery {
    /// Reads `cacheKey`, `job`, `cancelJob` and `oldJob` (repeatable);
    /// anything else (`endId`) is ignored. Handles are plain ASCII, so a
    /// value needing percent-decoding is no handle of ours and is dropped.
    pub(crate) fn parse(query: Option<&str>) -> Self {
        let mut q = JobQuery::default();
        for pair in query.unwrap_or("").split('&').take(MAX_QUERY_ARGS) {
            let Some((name, value)) = pair.split_once('=') else {
                continue;
            };
            if value.contains('%') || value.is_empty() {
                continue;
            }
            let value = value.to_owned();
            match name {
                "cacheKey" => q.cache_key = Some(value),
                "job" => q.job = Some(value),
                "cancelJob" => q.cancel_job.push(value),
                "oldJob" => q.old_job.push(value),
                _ => {}
            }
        }
        q
    }
}

/// An app's background jobs: where they run and how their handles are
/// signed.
pub(crate) struct Jobs {
    pub(crate) manager: Arc<dyn BackgroundManager>,
    pub(crate) handles: Handles,
    pub(crate) runner: JobRunner,
}

impl Jobs {
    pub(crate) fn new(
        manager: Arc<dyn BackgroundManager>,
        handlers: HashMap<String, Arc<dyn ErasedHandler>>,
        app_state: AppState,
    ) -> Self {
        Jobs {
            manager,
            handles: Handles::from_env(),
            runner: runner(Arc::new(handlers), app_state),
        }
    }
}

/// The runner of an app's background callbacks (by `output` key).
fn runner(
    handlers: Arc<HashMap<String, Arc<dyn ErasedHandler>>>,
    app_state: AppState,
) -> JobRunner {
    JobRunner(Arc::new(
        move |job: JobRequest, signals: Arc<JobSignals>| {
            let handlers = Arc::clone(&handlers);
            let app_state = app_state.clone();
            async move {
                let Some(handler) = handlers.get(&job.callback).cloned() else {
                    return JobResult::Failed(format!(
                        "this app has no background callback for {}",
                        job.callback
                    ));
                };
                let ctx = CallbackContext::new(ContextInner {
                    app_state,
                    triggered: job.triggered,
                    inputs_list: Lists::Values(job.inputs_list),
                    states_list: Lists::Values(job.states_list),
                    outputs_list: OutputsList::Value(job.outputs_list),
                    side_updates: Default::default(),
                    streams: Default::default(),
                    job: Some(signals),
                });
                // A synchronous callback does its work inside `call`: on the
                // blocking pool, not on an async worker.
                let (sync_ctx, args) = (ctx.clone(), job.args);
                let called = tokio::task::spawn_blocking(move || {
                    std::panic::catch_unwind(AssertUnwindSafe(|| {
                        sync_ctx.sync_scope(|| handler.call(args))
                    }))
                })
                .await;
                let fut = match called {
                    Ok(Ok(fut)) => fut,
                    Ok(Err(panic)) => return JobResult::Failed(panic_message(&*panic)),
                    Err(e) => return JobResult::Failed(format!("the job could not run: {e}")),
                };
                let result = AssertUnwindSafe(ctx.clone().scope(fut))
                    .catch_unwind()
                    .await;
                match result {
                    Ok(Ok(value)) => match materialize(value, &ctx).await {
                        Ok(v) => JobResult::Done(v),
                        Err(e) => JobResult::Failed(e),
                    },
                    Ok(Err(e)) => match e.kind() {
                        ErrorKind::Prevent => JobResult::Prevented,
                        ErrorKind::BadArguments(m) | ErrorKind::Failed(m) => {
                            JobResult::Failed(m.clone())
                        }
                    },
                    Err(panic) => JobResult::Failed(panic_message(&*panic)),
                }
            }
            .boxed()
        },
    ))
}

/// `value` with the streamed outputs (`Json`, `TextStream`) it stands for
/// written in: a job's result outlives the context they belong to.
async fn materialize(value: Value, ctx: &CallbackContext) -> Result<Value, String> {
    let streams = ctx.take_streams();
    if streams.is_empty() {
        return Ok(value);
    }
    let body = serde_json::to_vec(&value).map_err(|e| e.to_string())?;
    let mut parts = crate::splice::splice(body, streams)?;
    let mut out = Vec::new();
    while let Some(piece) = parts.next().await {
        out.extend_from_slice(&piece.map_err(|e| e.to_string())?);
    }
    serde_json::from_slice(&out).map_err(|e| format!("a streamed output is not JSON: {e}"))
}

/// Cancels the jobs a request names in `cancelJob` whose instance is the
/// request's: a job started for one `MATCH` value is not cancelled by
/// another instance's cancel button.
pub(crate) async fn cancel_named(jobs: &Jobs, query: &JobQuery, matched: &[(String, IdValue)]) {
    for handle in &query.cancel_job {
        let Some(value) = jobs.handles.verify(Scope::Job, handle) else {
            tracing::debug!("cancelJob with a handle this app did not sign; ignored");
            continue;
        };
        let (id, bound) = split_job_value(value);
        let same_instance = matched.iter().all(|(key, v)| {
            bound
                .iter()
                .find(|(k, _)| k == key)
                .is_none_or(|(_, bv)| bv == &v.to_json())
        });
        if !same_instance {
            continue;
        }
        if let Err(e) = jobs.manager.cancel(id).await {
            tracing::warn!("cancelling job {id}: {e}");
        }
    }
}

/// A job handle's value: the job id, then (after `.`) the hex of the
/// `MATCH` values of the call that started it.
fn job_value(id: &str, matched: &[(String, IdValue)]) -> String {
    if matched.is_empty() {
        return id.to_owned();
    }
    let list: Vec<Value> = matched
        .iter()
        .map(|(k, v)| json!([k, v.to_json()]))
        .collect();
    format!("{id}.{}", hex::encode(Value::Array(list).to_string()))
}

fn split_job_value(value: &str) -> (&str, Vec<(String, Value)>) {
    let Some((id, hexed)) = value.split_once('.') else {
        return (value, Vec::new());
    };
    let bound = hex::decode(hexed)
        .ok()
        .and_then(|b| serde_json::from_slice::<Vec<(String, Value)>>(&b).ok())
        .unwrap_or_default();
    (id, bound)
}

/// Longest job handle value: ids with long `MATCH` values are not
/// instance-scoped beyond it (every cancel of the callback cancels them).
const MAX_JOB_VALUE: usize = 1000;

/// A background callback's request: a start (no `job` in the query) or a
/// poll.
pub(crate) async fn serve(
    cb: &Compiled,
    bg: &Background,
    parts: Parts,
    jobs: &Jobs,
    query: &JobQuery,
) -> Outcome {
    match &query.job {
        Some(handle) => poll(cb, parts, jobs, query, handle).await,
        None => start(cb, bg, parts, jobs, query).await,
    }
}

async fn poll(cb: &Compiled, parts: Parts, jobs: &Jobs, query: &JobQuery, handle: &str) -> Outcome {
    let cache_ok = query
        .cache_key
        .as_deref()
        .is_none_or(|k| jobs.handles.verify(Scope::CacheKey, k).is_some());
    let Some(value) = jobs.handles.verify(Scope::Job, handle).filter(|_| cache_ok) else {
        // As Dash does: a handle this app did not give out is no job.
        return Outcome::NoContent;
    };
    let (id, _) = split_job_value(value);
    let status = match jobs.manager.status(id).await {
        Ok(s) => s,
        Err(e) => return unavailable(cb, &e),
    };
    let progress = status.progress.and_then(|p| progress_map(cb, p));
    match status.state {
        JobState::Queued | JobState::Running => {
            let mut body = Map::new();
            body.insert("multi".into(), Value::Bool(true));
            if let Some(p) = progress {
                body.insert("progress".into(), Value::Object(p));
            }
            if !status.side_updates.is_empty() {
                body.insert("sideUpdate".into(), Value::Object(status.side_updates));
            }
            Outcome::Update(Value::Object(body))
        }
        JobState::Finished(JobResult::Done(v)) => {
            with_progress(respond(cb, parts.slots, v, status.side_updates), progress)
        }
        JobState::Finished(JobResult::Prevented) => {
            with_progress(finish(Map::new(), status.side_updates), progress)
        }
        JobState::Finished(JobResult::Failed(m)) => Outcome::Failed(format!(
            "background callback for {} failed: {m}",
            cb.output_key
        )),
        JobState::Cancelled | JobState::Unknown => Outcome::NoContent,
    }
}

async fn start(
    cb: &Compiled,
    bg: &Background,
    parts: Parts,
    jobs: &Jobs,
    query: &JobQuery,
) -> Outcome {
    if bg.supersede {
        for handle in &query.old_job {
            if let Some(value) = jobs.handles.verify(Scope::Job, handle) {
                let (id, _) = split_job_value(value);
                if let Err(e) = jobs.manager.cancel(id).await {
                    tracing::warn!("cancelling superseded job {id}: {e}");
                }
            }
        }
    }
    let Parts {
        mut inputs,
        mut states,
        slots,
        fired,
        matched,
        inputs_list,
        states_list,
        outputs_list,
    } = parts;
    let args = cb.arg_shape.assemble(&mut inputs, &mut states);
    let cache_key = bg
        .cache
        .as_ref()
        .filter(|c| !c.ttl.is_zero())
        .map(|c| cache_key(&cb.output_key, &c.version, &keyed_args(&args, &c.ignore)));
    if let Some(key) = &cache_key {
        match jobs.manager.cached(key).await {
            Ok(Some(v)) => return respond(cb, slots, v, Map::new()),
            Ok(None) => {}
            Err(e) => tracing::warn!("reading the result cache: {e}"),
        }
    }
    let id = uuid::Uuid::new_v4().simple().to_string();
    let job = JobRequest {
        id: id.clone(),
        callback: cb.output_key.clone(),
        args,
        cache_key: cache_key.clone(),
        cache_ttl_secs: cache_key
            .as_ref()
            .and(bg.cache.as_ref())
            .map(|c| c.ttl.as_secs().max(1)),
        triggered: fired,
        inputs_list: inputs_list.values().to_vec(),
        states_list: states_list.values().to_vec(),
        outputs_list: outputs_list.value().clone(),
    };
    if let Err(e) = jobs.manager.start(job, jobs.runner.clone()).await {
        return unavailable(cb, &e);
    }
    let mut value = job_value(&id, &matched);
    if value.len() > MAX_JOB_VALUE {
        value = id.clone();
    }
    let mut body = Map::new();
    body.insert(
        "cacheKey".into(),
        Value::String(
            jobs.handles
                .sign(Scope::CacheKey, cache_key.as_deref().unwrap_or(&id)),
        ),
    );
    body.insert(
        "job".into(),
        Value::String(jobs.handles.sign(Scope::Job, &value)),
    );
    if !bg.cancel.is_empty() {
        let cancel: Vec<Value> = bg
            .cancel
            .iter()
            .map(|i| json!({"id": renderer_id(&i.0.id), "property": i.0.property}))
            .collect();
        body.insert("cancel".into(), Value::Array(cancel));
    }
    if !bg.progress_default.is_empty() {
        let defaults: Map<String, Value> = bg
            .progress_default
            .iter()
            .map(|(o, v)| (o.prop_id(), v.clone()))
            .collect();
        body.insert("progressDefault".into(), Value::Object(defaults));
    }
    Outcome::Update(Value::Object(body))
}

/// An ID as the renderer holds a callback's inputs after parsing
/// `_dash-dependencies` (`dependencies.js` `parseWildcardId`): a string as
/// is, a dict as an object whose wildcards are `{"wild": "MATCH"}` (ALL and
/// ALLSMALLER with their `multi`/`expand` flags). The renderer decides
/// which jobs a fired callback cancels by deep-comparing a job's `cancel`
/// list with the callback's inputs, so a pattern-matching cancel input
/// must come back in this form (a stringified ID never equals it).
fn renderer_id(id: &ComponentId) -> Value {
    let ComponentId::Dict(pairs) = id else {
        return id.to_json();
    };
    let object: Map<String, Value> = pairs
        .iter()
        .map(|(k, v)| {
            let v = match v {
                IdValue::Wildcard(Wildcard::Match) => json!({"wild": "MATCH"}),
                IdValue::Wildcard(Wildcard::All) => json!({"wild": "ALL", "multi": 1}),
                IdValue::Wildcard(Wildcard::AllSmaller) => {
                    json!({"wild": "ALLSMALLER", "multi": 1, "expand": 1})
                }
                other => other.to_json(),
            };
            (k.clone(), v)
        })
        .collect();
    Value::Object(object)
}

/// `args` without the top-level positions in `ignore`.
fn keyed_args(args: &Value, ignore: &[usize]) -> Value {
    match args {
        Value::Array(items) if !ignore.is_empty() => Value::Array(
            items
                .iter()
                .enumerate()
                .filter(|(i, _)| !ignore.contains(i))
                .map(|(_, v)| v.clone())
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The key a result is cached under: blake3 over the callback, the
/// version its author declares and the arguments.
fn cache_key(callback: &str, version: &str, args: &Value) -> String {
    let mut h = blake3::Hasher::new_derive_key("dash-core 2026 background result v1");
    for part in [callback, version] {
        h.update(&(part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    h.update(args.to_string().as_bytes());
    h.finalize().to_hex().to_string()
}

/// The `progress` object for `value`: one progress output takes it whole,
/// several take a list's items in order.
fn progress_map(cb: &Compiled, value: Value) -> Option<Map<String, Value>> {
    let bg = cb.background.as_ref()?;
    match bg.progress.as_slice() {
        [] => None,
        [one] => Some(Map::from_iter([(one.prop_id(), value)])),
        many => match value {
            Value::Array(values) if values.len() == many.len() => {
                Some(many.iter().map(|o| o.prop_id()).zip(values).collect())
            }
            other => {
                tracing::warn!(
                    "background callback for {}: set_progress needs a list of {} values, got {other}",
                    cb.output_key,
                    many.len()
                );
                None
            }
        },
    }
}

fn with_progress(outcome: Outcome, progress: Option<Map<String, Value>>) -> Outcome {
    match (outcome, progress) {
        (Outcome::Update(Value::Object(mut body)), Some(p)) => {
            body.insert("progress".into(), Value::Object(p));
            Outcome::Update(Value::Object(body))
        }
        (other, _) => other,
    }
}

fn unavailable(cb: &Compiled, e: &JobError) -> Outcome {
    Outcome::BadRequest(
        503,
        format!("background callback for {}: {e}", cb.output_key),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_arguments_are_read_and_others_ignored() {
        let q = JobQuery::parse(Some(
            "endId=x&cacheKey=a~1&job=b~2&cancelJob=c&cancelJob=d&oldJob=e&job2=z&bad&x=%41",
        ));
        assert_eq!(q.cache_key.as_deref(), Some("a~1"));
        assert_eq!(q.job.as_deref(), Some("b~2"));
        assert_eq!(q.cancel_job, ["c", "d"]);
        assert_eq!(q.old_job, ["e"]);
        let many = vec!["cancelJob=x"; 1000].join("&");
        assert_eq!(
            JobQuery::parse(Some(&many)).cancel_job.len(),
            MAX_QUERY_ARGS
        );
    }

    #[test]
    fn job_values_carry_their_match_values() {
        let matched = vec![("index".to_owned(), IdValue::Int(3))];
        let v = job_value("abc", &matched);
        let (id, bound) = split_job_value(&v);
        assert_eq!(id, "abc");
        assert_eq!(bound, vec![("index".to_owned(), json!(3))]);
        assert_eq!(split_job_value("abc"), ("abc", Vec::new()));
        assert_eq!(split_job_value("abc.zz"), ("abc", Vec::new()));
    }

    #[test]
    fn cache_keys_depend_on_callback_version_and_arguments() {
        let a = cache_key("o.children", "v1", &json!([1]));
        assert_eq!(a, cache_key("o.children", "v1", &json!([1])));
        assert_ne!(a, cache_key("o.children", "v2", &json!([1])));
        assert_ne!(a, cache_key("o.children", "v1", &json!([2])));
        assert_ne!(a, cache_key("p.children", "v1", &json!([1])));
        assert_eq!(a.len(), 64);
        let ignored = |n: i32| keyed_args(&json!([n, "label"]), &[0]);
        assert_eq!(ignored(1), ignored(2));
        assert_eq!(keyed_args(&json!([1, 2]), &[]), json!([1, 2]));
    }
}
