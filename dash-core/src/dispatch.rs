//! `POST _dash-update-component`: decode the request, run the callback,
//! encode the response. Every malformed request gets a 4xx naming the
//! problem; a failing or panicking callback gets a 500 with its message.

use std::collections::HashMap;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, OnceLock};

use futures_util::FutureExt as _;
use serde::Deserialize;
use serde_json::{Map, Value};

use crate::callback::{Compiled, Kind};
use crate::context::{CallbackContext, ContextInner, Triggered};
use crate::deps::Dependency;
use crate::handler::{CallbackError, ErrorKind, is_no_update};
use crate::id::ComponentId;
use crate::request::{Item, Lists, Node, OutputsList, TypedRequest};
use crate::stream::Splice;

/// The body the renderer posts.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CallbackRequest {
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
struct Parts {
    inputs: Vec<Value>,
    states: Vec<Value>,
    slots: Vec<OutputSlot>,
    triggered: Vec<Triggered>,
    inputs_list: Lists,
    states_list: Lists,
    outputs_list: OutputsList,
}

/// The parts of a body read the general way; a body that does not fit
/// the callback is a 400 naming the problem.
fn general_parts(cb: &Compiled, req: CallbackRequest) -> Result<Parts, Outcome> {
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

/// The parts of a typed body, exactly as [`general_parts`] makes them;
/// `None` when the body does not fit the callback (the general way then
/// says how).
fn typed_parts(cb: &Compiled, req: TypedRequest) -> Option<Parts> {
    let value = |i: &Item| i.value.clone().unwrap_or(Value::Null);
    let values = |nodes: &[Node], deps: &[&Dependency]| -> Option<Vec<Value>> {
        if nodes.len() != deps.len() {
            return None;
        }
        let read = |(node, dep): (&Node, &&Dependency)| match (dep.is_multi(), node) {
            (true, Node::List(list)) => list
                .iter()
                .map(|n| match n {
                    Node::Item(i) => Some(value(i)),
                    Node::List(_) => None,
                })
                .collect::<Option<Vec<_>>>()
                .map(Value::Array),
            (false, Node::Item(i)) => Some(value(i)),
            _ => None,
        };
        nodes.iter().zip(deps).map(read).collect()
    };
    let input_deps: Vec<&Dependency> = cb.inputs.iter().map(|i| &i.0).collect();
    let state_deps: Vec<&Dependency> = cb.states.iter().map(|s| &s.0).collect();
    let inputs = values(&req.inputs, &input_deps)?;
    let states = values(&req.state, &state_deps)?;
    let entries: Vec<&Node> = if cb.single {
        vec![req.outputs.as_ref()?]
    } else if cb.outputs.is_empty() {
        Vec::new()
    } else {
        match req.outputs.as_ref()? {
            Node::List(list) if list.len() == cb.outputs.len() => list.iter().collect(),
            _ => return None,
        }
    };
    let slots = entries
        .into_iter()
        .zip(&cb.outputs)
        .map(|(entry, decl)| match (decl.dep.is_multi(), entry) {
            (true, Node::List(list)) => list
                .iter()
                .map(|n| match n {
                    Node::Item(i) => Some(Target::new(&i.id, &i.property)),
                    Node::List(_) => None,
                })
                .collect::<Option<Vec<_>>>()
                .map(OutputSlot::Many),
            (false, Node::Item(i)) => Some(OutputSlot::One(Target::new(&i.id, &i.property))),
            _ => None,
        })
        .collect::<Option<Vec<_>>>()?;
    let triggered = triggered(&req.changed_prop_ids, |id_str, property| {
        let matches = |i: &Item| i.property == property && i.id.key() == id_str;
        req.inputs.iter().find_map(|node| match node {
            Node::List(list) => list.iter().find_map(|n| match n {
                Node::Item(i) if matches(i) => Some(value(i)),
                _ => None,
            }),
            Node::Item(i) if matches(i) => Some(value(i)),
            Node::Item(_) => None,
        })
    });
    Some(Parts {
        inputs,
        states,
        slots,
        triggered,
        inputs_list: Lists::typed(req.inputs),
        states_list: Lists::typed(req.state),
        outputs_list: OutputsList::Typed(req.outputs, OnceLock::new()),
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
struct Target {
    key: String,
    property: String,
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
    fn new(id: &ComponentId, property: &str) -> Self {
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

enum OutputSlot {
    One(Target),
    Many(Vec<Target>),
}

/// The triggered inputs named by `changed`, each with its value as
/// `find(id key, property)` finds it in the inputs.
fn triggered(changed: &[String], find: impl Fn(&str, &str) -> Option<Value>) -> Vec<Triggered> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ALL, ALLSMALLER, Callback, Input, MATCH, Output, State, id};
    use serde_json::json;

    fn item(id: Value, property: &str, value: Option<Value>) -> Value {
        let mut m = json!({"id": id, "property": property});
        if let Some(v) = value {
            m["value"] = v;
        }
        m
    }

    /// Both ways of reading a body give the same parts: values, output
    /// targets, triggered inputs and the context's lists.
    #[test]
    fn typed_and_general_reading_agree() {
        let one = Callback::new(
            Output::new("out", "children"),
            (Input::new("a", "value"), State::new("s", "data")),
            |_a: Value, _s: Value| 0,
        );
        let pattern = Callback::new(
            (
                Output::new(id! {"type": "row", "i": MATCH}, "children"),
                Output::new(id! {"type": "all", "i": ALL}, "value"),
            ),
            (
                Input::new(id! {"type": "row", "i": MATCH}, "n_clicks"),
                Input::new(id! {"type": "all", "i": ALLSMALLER}, "value"),
            ),
            |_a: Value, _b: Value| (0, vec![0]),
        );
        let row = |i: i64| json!({"type": "row", "i": i});
        let all = |i: i64| json!({"i": i, "type": "all"});
        let cases = [
            (
                one,
                json!({
                    "output": "out.children",
                    "outputs": item(json!("out"), "children", None),
                    "inputs": [item(json!("a"), "value", Some(json!({"x": [1, 2.5, null]})))],
                    "state": [item(json!("s"), "data", None)],
                    "changedPropIds": ["a.value", "gone.value"],
                }),
            ),
            (
                pattern,
                json!({
                    "output": "x",
                    "outputs": [
                        item(row(3), "children@abc", None),
                        [item(all(0), "value", None), item(all(1), "value", None)],
                    ],
                    "inputs": [
                        item(row(3), "n_clicks", Some(json!(null))),
                        [item(all(0), "value", Some(json!("a"))), item(all(1), "value", None)],
                    ],
                    "changedPropIds": [r#"{"i":3,"type":"row"}.n_clicks"#, r#"{"i":1,"type":"all"}.value"#],
                }),
            ),
        ];
        for (cb, body) in cases {
            let cb = Compiled::compile(cb, false).unwrap();
            let typed: TypedRequest = serde_json::from_value(body.clone()).unwrap();
            let general: CallbackRequest = serde_json::from_value(body.clone()).unwrap();
            let t = typed_parts(&cb, typed).expect("the typed reading fits");
            let Ok(g) = general_parts(&cb, general) else {
                panic!("the general reading fits")
            };
            assert_eq!(t.inputs, g.inputs, "{body}");
            assert_eq!(t.states, g.states, "{body}");
            let keys = |slots: &[OutputSlot]| -> Vec<Vec<(String, String)>> {
                slots
                    .iter()
                    .map(|s| match s {
                        OutputSlot::One(t) => vec![(t.key.clone(), t.property.clone())],
                        OutputSlot::Many(ts) => ts
                            .iter()
                            .map(|t| (t.key.clone(), t.property.clone()))
                            .collect(),
                    })
                    .collect()
            };
            assert_eq!(keys(&t.slots), keys(&g.slots), "{body}");
            assert_eq!(t.triggered, g.triggered, "{body}");
            assert_eq!(t.inputs_list.values(), g.inputs_list.values(), "{body}");
            assert_eq!(t.states_list.values(), g.states_list.values(), "{body}");
            assert_eq!(t.outputs_list.value(), g.outputs_list.value(), "{body}");
        }
    }
}
