//! `POST _dash-update-component`: decode the request, run the callback,
//! encode the response. Every malformed request gets a 4xx naming the
//! problem; a failing or panicking callback gets a 500 with its message.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::Arc;

use futures_util::FutureExt as _;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::callback::{Compiled, Kind};
use crate::context::{CallbackContext, ContextInner, Triggered};
use crate::deps::Dependency;
use crate::handler::{CallbackError, ErrorKind, is_no_update};
use crate::id::ComponentId;
use crate::request::{Lists, OutputsList, TypedRequest, typed_parts};
use crate::stream::Splice;

/// The body the renderer posts.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CallbackRequest {
    output: String,
    #[serde(default)]
    outputs: Value,
    #[serde(default)]
    inputs: Vec<Value>,
    #[serde(default)]
    state: Vec<Value>,
    #[serde(default)]
    changed_prop_ids: Vec<String>,
}

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

/// The callbacks of an app, by `output` key.
pub(crate) type Registry = HashMap<String, Arc<Compiled>>;

pub(crate) async fn dispatch(registry: &Registry, body: &[u8]) -> Outcome {
    // The usual body reads into typed parts in one pass; anything else is
    // read again as `Value`s, which names the problem precisely.
    if let Ok(req) = serde_json::from_slice::<TypedRequest>(body) {
        let cb = match find_callback(registry, &req.output) {
            Ok(cb) => cb,
            Err(o) => return o,
        };
        if let Some(parts) = typed_parts(cb, req) {
            return run(cb, parts).await.unwrap_or_else(|o| o);
        }
    }
    let req: CallbackRequest = match serde_json::from_slice(body) {
        Ok(r) => r,
        Err(e) => {
            return Outcome::BadRequest(
                400,
                format!("the request body is not a valid callback request: {e}"),
            );
        }
    };
    let cb = match find_callback(registry, &req.output) {
        Ok(cb) => cb,
        Err(o) => return o,
    };
    match general_parts(cb, req) {
        Ok(parts) => run(cb, parts).await.unwrap_or_else(|o| o),
        Err(o) => o,
    }
}

/// The server-side callback registered for `output`.
fn find_callback<'r>(registry: &'r Registry, output: &str) -> Result<&'r Arc<Compiled>, Outcome> {
    let Some(cb) = registry.get(output) else {
        return Err(Outcome::BadRequest(
            404,
            format!(
                "no callback is registered for output {output:?}; the page may be out of date (reload it)"
            ),
        ));
    };
    if matches!(cb.kind, Kind::Clientside(_)) {
        return Err(Outcome::BadRequest(
            400,
            format!("{output:?} is a clientside callback; the browser runs it"),
        ));
    }
    Ok(cb)
}

/// What a callback runs with, however the body was read.
pub(crate) struct Parts {
    pub(crate) inputs: Vec<Value>,
    pub(crate) states: Vec<Value>,
    pub(crate) slots: Vec<OutputSlot>,
    pub(crate) triggered: Vec<Triggered>,
    pub(crate) inputs_list: Lists,
    pub(crate) states_list: Lists,
    pub(crate) outputs_list: OutputsList,
}

/// The parts of a body read the general way; a body that does not fit
/// the callback is a 400 naming the problem.
pub(crate) fn general_parts(cb: &Compiled, req: CallbackRequest) -> Result<Parts, Outcome> {
    let input_deps: Vec<&Dependency> = cb.inputs.iter().map(|i| &i.0).collect();
    let state_deps: Vec<&Dependency> = cb.states.iter().map(|s| &s.0).collect();
    let inputs = read_values("inputs", &req.inputs, &input_deps)?;
    let states = read_values("state", &req.state, &state_deps)?;
    let slots = read_outputs(cb, &req.outputs)?;
    let triggered = triggered(&req.changed_prop_ids, |id_str, property| {
        find_value(&req.inputs, id_str, property)
    });
    Ok(Parts {
        inputs,
        states,
        slots,
        triggered,
        inputs_list: Lists::Values(req.inputs),
        states_list: Lists::Values(req.state),
        outputs_list: OutputsList::Value(req.outputs),
    })
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

fn bad(msg: String) -> Outcome {
    Outcome::BadRequest(400, msg)
}

/// Reads the values of one list (`inputs` or `state`) against its declaration.
fn read_values(what: &str, items: &[Value], deps: &[&Dependency]) -> Result<Vec<Value>, Outcome> {
    if items.len() != deps.len() {
        return Err(bad(format!(
            "expected {} {what} values, got {}",
            deps.len(),
            items.len()
        )));
    }
    let mut out = Vec::with_capacity(items.len());
    for (n, (item, dep)) in items.iter().zip(deps).enumerate() {
        let value = if dep.is_multi() {
            let Value::Array(list) = item else {
                return Err(bad(format!(
                    "{what}[{n}] ({}) uses ALL/ALLSMALLER and must be a list",
                    dep.prop_id()
                )));
            };
            let mut values = Vec::with_capacity(list.len());
            for (k, entry) in list.iter().enumerate() {
                values.push(read_one(entry).map_err(|m| bad(format!("{what}[{n}][{k}]: {m}")))?);
            }
            Value::Array(values)
        } else {
            read_one(item).map_err(|m| bad(format!("{what}[{n}] ({}): {m}", dep.prop_id())))?
        };
        out.push(value);
    }
    Ok(out)
}

fn read_one(item: &Value) -> Result<Value, String> {
    let Value::Object(m) = item else {
        return Err("expected an object with id, property and value".into());
    };
    if !m.contains_key("id") || !m.get("property").is_some_and(Value::is_string) {
        return Err("expected an object with id, property and value".into());
    }
    Ok(m.get("value").cloned().unwrap_or(Value::Null))
}

/// A concrete output target: response key and property.
pub(crate) struct Target {
    pub(crate) key: String,
    pub(crate) property: String,
}

fn read_target(item: &Value) -> Result<Target, String> {
    let Value::Object(m) = item else {
        return Err("expected an object with id and property".into());
    };
    let id = m
        .get("id")
        .ok_or_else(|| "missing id".to_owned())
        .and_then(|v| ComponentId::from_json(v).map_err(|e| e.to_string()))?;
    let property = m
        .get("property")
        .and_then(Value::as_str)
        .ok_or_else(|| "missing property".to_owned())?;
    Ok(Target::new(&id, property))
}

impl Target {
    pub(crate) fn new(id: &ComponentId, property: &str) -> Self {
        // allow_duplicate outputs carry `@<hash>`; responses use the bare prop.
        let property = property.split('@').next().unwrap_or(property).to_owned();
        Target {
            key: id.key(),
            property,
        }
    }
}

/// Reads the concrete outputs: one entry per declared output, each a single
/// target or (for ALL outputs) a list of targets.
fn read_outputs(cb: &Compiled, outputs: &Value) -> Result<Vec<OutputSlot>, Outcome> {
    let entries: Vec<&Value> = if cb.single {
        vec![outputs]
    } else if cb.outputs.is_empty() {
        Vec::new()
    } else {
        match outputs {
            Value::Array(list) if list.len() == cb.outputs.len() => list.iter().collect(),
            Value::Array(list) => {
                return Err(bad(format!(
                    "expected {} outputs, got {}",
                    cb.outputs.len(),
                    list.len()
                )));
            }
            _ => {
                return Err(bad(
                    "outputs must be a list for a multi-output callback".into()
                ));
            }
        }
    };
    let mut slots = Vec::with_capacity(entries.len());
    for (n, (entry, decl)) in entries.into_iter().zip(&cb.outputs).enumerate() {
        if decl.dep.is_multi() {
            let Value::Array(list) = entry else {
                return Err(bad(format!(
                    "outputs[{n}] ({}) uses ALL and must be a list",
                    decl.prop_id()
                )));
            };
            let targets = list
                .iter()
                .map(read_target)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|m| bad(format!("outputs[{n}]: {m}")))?;
            slots.push(OutputSlot::Many(targets));
        } else {
            let t = read_target(entry).map_err(|m| bad(format!("outputs[{n}]: {m}")))?;
            slots.push(OutputSlot::One(t));
        }
    }
    Ok(slots)
}

pub(crate) enum OutputSlot {
    One(Target),
    Many(Vec<Target>),
}

/// The triggered inputs named by `changed`, each with its value as
/// `find(id key, property)` finds it in the inputs.
pub(crate) fn triggered(
    changed: &[String],
    find: impl Fn(&str, &str) -> Option<Value>,
) -> Vec<Triggered> {
    changed
        .iter()
        .map(|prop_id| {
            let (id_str, property) = prop_id.rsplit_once('.').unwrap_or((prop_id.as_str(), ""));
            let id = if id_str.starts_with('{') {
                serde_json::from_str::<Value>(id_str)
                    .ok()
                    .and_then(|v| ComponentId::from_json(&v).ok())
            } else {
                Some(ComponentId::from(id_str))
            };
            let value = find(id_str, property).unwrap_or(Value::Null);
            Triggered {
                prop_id: prop_id.clone(),
                id,
                property: property.to_owned(),
                value,
            }
        })
        .collect()
}

fn find_value(inputs: &[Value], id_str: &str, property: &str) -> Option<Value> {
    let matches = |item: &Value| {
        item.get("property").and_then(Value::as_str) == Some(property)
            && item
                .get("id")
                .and_then(|v| ComponentId::from_json(v).ok())
                .is_some_and(|id| id.key() == id_str)
    };
    inputs.iter().find_map(|item| match item {
        Value::Array(list) => list.iter().find(|i| matches(i)).map(|i| i["value"].clone()),
        other if matches(other) => Some(other.get("value").cloned().unwrap_or(Value::Null)),
        _ => None,
    })
}

async fn run(cb: &Compiled, parts: Parts) -> Result<Outcome, Outcome> {
    let Parts {
        mut inputs,
        mut states,
        slots,
        triggered,
        inputs_list,
        states_list,
        outputs_list,
    } = parts;
    let Kind::Server { handler, .. } = &cb.kind else {
        return Err(bad("not a server-side callback".into()));
    };

    let args = cb.arg_shape.assemble(&mut inputs, &mut states);
    let ctx = CallbackContext::new(ContextInner {
        triggered,
        inputs_list,
        states_list,
        outputs_list,
        side_updates: Default::default(),
        streams: Default::default(),
    });
    // The handler is called inside the scope: a synchronous function runs
    // during `call`, and must already see its context there.
    let handler = handler.clone();
    let fut = ctx.clone().scope(async move { handler.call(args).await });
    let result = match AssertUnwindSafe(fut).catch_unwind().await {
        Ok(r) => r,
        Err(panic) => {
            let msg = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            return Err(Outcome::Failed(format!(
                "callback for {} panicked: {msg}",
                cb.output_key
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
    Ok(match finish(response, side) {
        Outcome::Update(body) if !streams.is_empty() => Outcome::Streamed(body, streams),
        other => other,
    })
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

fn finish(response: Map<String, Value>, side: Map<String, Value>) -> Outcome {
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
