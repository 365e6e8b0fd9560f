//! Step 4 of a callback request: run the callback with its parts in its
//! context and turn its result into an [`Outcome`]. A failing or panicking
//! callback is a 500 with its message; a malformed request (steps 1–2) a
//! 4xx naming the problem.

use std::panic::AssertUnwindSafe;

use bytes::Bytes;
use futures_util::FutureExt as _;
use serde_json::{Map, Value};

use crate::background::{self, protocol::JobQuery, protocol::Jobs};
use crate::callback::{Compiled, Kind};
use crate::context::{CallbackContext, ContextInner};
use crate::handler::{CallbackError, ErrorKind, is_no_update};
use crate::registry::Registry;
use crate::request::{self, BadRequest, OutputSlot, Parts, Target};
use crate::splice::Splice;
use crate::state::AppState;

/// The outcome of one callback request.
pub(crate) enum Outcome {
    /// 200 with this JSON body.
    Update(Value),
    /// 200 with this JSON body, whose placeholder strings are replaced by
    /// their splices while it is sent (see [`crate::stream`]).
    Streamed(Value, Vec<(String, Splice)>),
    /// 204: nothing to update.
    NoContent,
    /// 4xx: the request was wrong.
    BadRequest(u16, String),
    /// 500: the callback failed.
    Failed(String),
}

impl From<BadRequest> for Outcome {
    fn from(BadRequest(code, msg): BadRequest) -> Self {
        Outcome::BadRequest(code, msg)
    }
}

impl std::fmt::Debug for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Outcome::Update(v) => f.debug_tuple("Update").field(v).finish(),
            Outcome::Streamed(v, s) => write!(f, "Streamed({v}, {} streams)", s.len()),
            Outcome::NoContent => f.write_str("NoContent"),
            Outcome::BadRequest(c, m) => f.debug_tuple("BadRequest").field(c).field(m).finish(),
            Outcome::Failed(m) => f.debug_tuple("Failed").field(m).finish(),
        }
    }
}

/// Bodies larger than this are parsed on the blocking pool, so a large
/// request does not hold an async worker that serves other users.
const PARSE_INLINE_BYTES: usize = 256 * 1024;

/// Reads `body`, finds its callback and runs it with the app's state (a
/// background callback through `jobs`, with the query's job handles).
pub(crate) async fn dispatch(
    registry: &Registry,
    state: &AppState,
    jobs: &Jobs,
    query: &JobQuery,
    body: Bytes,
) -> Outcome {
    let parsed = if body.len() <= PARSE_INLINE_BYTES {
        request::parse(&body)
    } else {
        match tokio::task::spawn_blocking(move || request::parse(&body)).await {
            Ok(r) => r,
            Err(e) => return Outcome::Failed(format!("reading the request failed: {e}")),
        }
    };
    let req = match parsed {
        Ok(r) => r,
        Err(e) => return e.into(),
    };
    let cb = match registry.find(&req.output) {
        Ok(cb) => cb,
        Err(e) => return e.into(),
    };
    let parts = match request::read(cb, req) {
        Ok(parts) => parts,
        Err(e) => return e.into(),
    };
    // The renderer names jobs to cancel on the request of a callback that
    // listens to their cancel inputs (the hidden cancel callbacks).
    background::protocol::cancel_named(jobs, query, &parts.matched).await;
    match &cb.background {
        Some(bg) => background::protocol::serve(cb, bg, parts, jobs, query).await,
        None => run(cb, parts, state.clone()).await.unwrap_or_else(|o| o),
    }
}

/// The message of a caught panic.
pub(crate) fn panic_message(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "unknown panic".into())
}

fn bad(msg: String) -> Outcome {
    Outcome::BadRequest(400, msg)
}

async fn run(cb: &Compiled, parts: Parts, app_state: AppState) -> Result<Outcome, Outcome> {
    let Parts {
        mut inputs,
        mut states,
        slots,
        fired: triggered,
        matched: _,
        inputs_list,
        states_list,
        outputs_list,
    } = parts;
    let Kind::Server { handler, .. } = &cb.kind else {
        return Err(bad("not a server-side callback".into()));
    };

    let args = cb.arg_shape.assemble(&mut inputs, &mut states);
    let ctx = CallbackContext::new(ContextInner {
        app_state,
        triggered,
        inputs_list,
        states_list,
        outputs_list,
        side_updates: Default::default(),
        streams: Default::default(),
        job: None,
    });
    // The handler is called inside the scope: a synchronous function runs
    // during `call`, and must already see its context there.
    let handler = handler.clone();
    let fut = ctx.clone().scope(async move { handler.call(args).await });
    let result = match AssertUnwindSafe(fut).catch_unwind().await {
        Ok(r) => r,
        Err(panic) => {
            return Err(Outcome::Failed(format!(
                "callback for {} panicked: {}",
                cb.output_key,
                panic_message(&*panic)
            )));
        }
    };
    let side = ctx.take_side_updates();
    let streams = ctx.take_streams();
    let value = match result {
        Ok(v) => v,
        // set_props updates sent with PreventUpdate may hold splices too.
        Err(e) => {
            return Err(match error_outcome(cb, &e, side) {
                Outcome::Update(body) if !streams.is_empty() => Outcome::Streamed(body, streams),
                other => other,
            });
        }
    };

    Ok(match respond(cb, slots, value, side) {
        Outcome::Update(body) if !streams.is_empty() => Outcome::Streamed(body, streams),
        other => other,
    })
}

/// The reply to a callback that returned `value` for the outputs `slots`
/// name, with `side` updates.
pub(crate) fn respond(
    cb: &Compiled,
    slots: Vec<OutputSlot>,
    value: Value,
    side: Map<String, Value>,
) -> Outcome {
    match response_of(cb, slots, value) {
        Ok(response) => finish(response, side),
        Err(outcome) => outcome,
    }
}

fn response_of(
    cb: &Compiled,
    slots: Vec<OutputSlot>,
    value: Value,
) -> Result<Map<String, Value>, Outcome> {
    let mut per_output: Vec<Option<Value>> = vec![None; cb.outputs.len()];
    cb.output_shape
        .split(value, &mut per_output, "")
        .map_err(|m| Outcome::Failed(format!("callback for {}: {m}", cb.output_key)))?;

    let mut response: Map<String, Value> = Map::new();
    for (n, (slot, value)) in slots.into_iter().zip(per_output).enumerate() {
        let Some(value) = value else { continue };
        match slot {
            OutputSlot::One(t) => put(&mut response, t, value),
            OutputSlot::Many(targets) => {
                let Value::Array(values) = value else {
                    return Err(Outcome::Failed(format!(
                        "callback for {}: output {n} ({}) uses ALL, so it must return a list of {} values",
                        cb.output_key,
                        cb.outputs[n].prop_id(),
                        targets.len()
                    )));
                };
                if values.len() != targets.len() {
                    return Err(Outcome::Failed(format!(
                        "callback for {}: output {n} ({}) matched {} components but the callback returned {} values",
                        cb.output_key,
                        cb.outputs[n].prop_id(),
                        targets.len(),
                        values.len()
                    )));
                }
                for (t, v) in targets.into_iter().zip(values) {
                    put(&mut response, t, v);
                }
            }
        }
    }
    Ok(response)
}

fn put(response: &mut Map<String, Value>, t: Target, value: Value) {
    if is_no_update(&value) {
        return;
    }
    let entry = response
        .entry(t.key)
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(props) = entry {
        props.insert(t.property, value);
    }
}

pub(crate) fn finish(response: Map<String, Value>, side: Map<String, Value>) -> Outcome {
    if response.is_empty() && side.is_empty() {
        return Outcome::NoContent;
    }
    let mut body = Map::new();
    body.insert("multi".into(), Value::Bool(true));
    body.insert("response".into(), Value::Object(response));
    if !side.is_empty() {
        body.insert("sideUpdate".into(), Value::Object(side));
    }
    Outcome::Update(Value::Object(body))
}

fn error_outcome(cb: &Compiled, e: &CallbackError, side: Map<String, Value>) -> Outcome {
    match e.kind() {
        // PreventUpdate still delivers set_props updates made before it.
        ErrorKind::Prevent => finish(Map::new(), side),
        ErrorKind::BadArguments(m) => bad(format!("callback for {}: {m}", cb.output_key)),
        ErrorKind::Failed(m) => {
            Outcome::Failed(format!("callback for {} failed: {m}", cb.output_key))
        }
    }
}
