//! Step 1 of a callback request: the body read in one pass into typed
//! parts — entries (`{id, property, value}`) and their IDs become structs,
//! not a `serde_json::Value` map each — and checked against the callback's
//! declaration ([`read`]); what does not fit is a [`BadRequest`] naming
//! the problem.
//!
//! The request path runs one way: `request` (this module) → `registry`
//! (which callback) → `context` (what the callback may ask) → `dispatch`
//! (run it) → `response` (write the answer). Each module uses only the
//! ones before it.
//!
//! The callback context's `inputs_list`, `states_list` and `outputs_list`
//! are made from these parts only when a callback asks for them.

use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::callback::Compiled;
use crate::deps::Dependency;
use crate::id::{ComponentId, IdValue};
use crate::matching::{Matcher, may_name};

/// A request that does not fit: the HTTP status and the message.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct BadRequest(pub(crate) u16, pub(crate) String);

fn bad(msg: String) -> BadRequest {
    BadRequest(400, msg)
}

/// Reads a request body: its JSON structure (a 400 with serde's message,
/// which names the place, when it is not a callback request).
pub(crate) fn parse(body: &[u8]) -> Result<TypedRequest, BadRequest> {
    serde_json::from_slice(body).map_err(|e| {
        bad(format!(
            "the request body is not a valid callback request: {e}"
        ))
    })
}

/// A concrete output target: response key and property.
pub(crate) struct Target {
    pub(crate) key: String,
    pub(crate) property: String,
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

/// The targets of one declared output: one, or (ALL) a list.
pub(crate) enum OutputSlot {
    One(Target),
    Many(Vec<Target>),
}

/// One property that changed and fired the callback.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Triggered {
    /// `"<idstr>.<prop>"` as the renderer sent it.
    pub prop_id: String,
    /// The component ID, parsed (dict IDs become [`ComponentId::Dict`]).
    pub id: Option<ComponentId>,
    /// The property name.
    pub property: String,
    /// The new value of that property.
    pub value: Value,
}

/// What a callback runs with.
pub(crate) struct Parts {
    pub(crate) inputs: Vec<Value>,
    pub(crate) states: Vec<Value>,
    pub(crate) slots: Vec<OutputSlot>,
    pub(crate) fired: Vec<Triggered>,
    /// The value each `MATCH` key took in this request.
    pub(crate) matched: Vec<(String, IdValue)>,
    pub(crate) inputs_list: Lists,
    pub(crate) states_list: Lists,
    pub(crate) outputs_list: OutputsList,
}

/// One entry of a request list: a component's property (and, for inputs
/// and state, its value).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Item {
    pub(crate) id: ComponentId,
    pub(crate) property: String,
    /// `None` when the entry has no `value` key; a JSON `null` is
    /// `Some(Value::Null)`.
    #[serde(default, deserialize_with = "present")]
    pub(crate) value: Option<Value>,
}

fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Value>, D::Error> {
    Value::deserialize(d).map(Some)
}

impl Item {
    /// The entry as the request held it (the ID's keys in their order).
    fn to_json(&self) -> Value {
        let id = match &self.id {
            ComponentId::Str(s) => Value::String(s.clone()),
            ComponentId::Dict(pairs) => Value::Object(
                pairs
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect(),
            ),
        };
        let mut m = Map::new();
        m.insert("id".into(), id);
        m.insert("property".into(), Value::String(self.property.clone()));
        if let Some(v) = &self.value {
            m.insert("value".into(), v.clone());
        }
        Value::Object(m)
    }
}

/// An entry, or a list of them (a wildcard dependency's matches, or the
/// outputs of a multi-output callback).
#[derive(Debug, Clone)]
pub(crate) enum Node {
    Item(Item),
    List(Vec<Node>),
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct NodeVisitor;
        impl<'de> de::Visitor<'de> for NodeVisitor {
            type Value = Node;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an entry {id, property, value} or a list of entries")
            }
            fn visit_map<A: de::MapAccess<'de>>(self, m: A) -> Result<Node, A::Error> {
                Item::deserialize(de::value::MapAccessDeserializer::new(m)).map(Node::Item)
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut s: A) -> Result<Node, A::Error> {
                let mut list = Vec::with_capacity(s.size_hint().unwrap_or(4));
                while let Some(n) = s.next_element()? {
                    list.push(n);
                }
                Ok(Node::List(list))
            }
        }
        d.deserialize_any(NodeVisitor)
    }
}

impl Node {
    fn to_json(&self) -> Value {
        match self {
            Node::Item(i) => i.to_json(),
            Node::List(l) => Value::Array(l.iter().map(Node::to_json).collect()),
        }
    }
}

/// The body of `POST _dash-update-component`, typed.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TypedRequest {
    pub(crate) output: String,
    #[serde(default)]
    pub(crate) outputs: Option<Node>,
    #[serde(default)]
    pub(crate) inputs: Vec<Node>,
    #[serde(default)]
    pub(crate) state: Vec<Node>,
    #[serde(default)]
    pub(crate) changed_prop_ids: Vec<String>,
}

/// A request list for the callback context: as read the general way, or
/// made from typed entries the first time it is asked for.
#[derive(Debug)]
pub(crate) enum Lists {
    Values(Vec<Value>),
    Typed(Vec<Node>, OnceLock<Vec<Value>>),
}

impl Default for Lists {
    fn default() -> Self {
        Lists::Values(Vec::new())
    }
}

impl Lists {
    pub(crate) fn typed(nodes: Vec<Node>) -> Self {
        Lists::Typed(nodes, OnceLock::new())
    }

    pub(crate) fn values(&self) -> &[Value] {
        match self {
            Lists::Values(v) => v,
            Lists::Typed(nodes, made) => {
                made.get_or_init(|| nodes.iter().map(Node::to_json).collect())
            }
        }
    }
}

/// The outputs list for the callback context (see [`Lists`]).
#[derive(Debug)]
pub(crate) enum OutputsList {
    Value(Value),
    Typed(Option<Node>, OnceLock<Value>),
}

impl Default for OutputsList {
    fn default() -> Self {
        OutputsList::Value(Value::Null)
    }
}

impl OutputsList {
    pub(crate) fn value(&self) -> &Value {
        match self {
            OutputsList::Value(v) => v,
            OutputsList::Typed(node, made) => {
                made.get_or_init(|| node.as_ref().map_or(Value::Null, Node::to_json))
            }
        }
    }
}

/// The values of one list (`inputs` or `state`) checked against its
/// declaration: one entry per dependency, a list for ALL/ALLSMALLER, each
/// entry naming a component and property the dependency declares.
fn values(
    what: &str,
    nodes: &[Node],
    deps: &[&Dependency],
    matcher: &mut Matcher,
) -> Result<Vec<Value>, BadRequest> {
    if nodes.len() != deps.len() {
        return Err(bad(format!(
            "expected {} {what} values, got {}",
            deps.len(),
            nodes.len()
        )));
    }
    let mut value = |place: &dyn Fn() -> String, i: &Item, dep: &Dependency| {
        matcher
            .check(&place(), &i.id, &i.property, dep, false)
            .map_err(bad)?;
        Ok(i.value.clone().unwrap_or(Value::Null))
    };
    let mut out = Vec::with_capacity(nodes.len());
    for (n, (node, dep)) in nodes.iter().zip(deps).enumerate() {
        out.push(match (dep.is_multi(), node) {
            (true, Node::List(list)) => {
                let mut values = Vec::with_capacity(list.len());
                for (k, n2) in list.iter().enumerate() {
                    let Node::Item(i) = n2 else {
                        return Err(bad(format!(
                            "{what}[{n}][{k}]: expected an object with id, property and value"
                        )));
                    };
                    values.push(value(&|| format!("{what}[{n}][{k}]"), i, dep)?);
                }
                Value::Array(values)
            }
            (false, Node::Item(i)) => value(&|| format!("{what}[{n}]"), i, dep)?,
            (true, Node::Item(_)) => {
                return Err(bad(format!(
                    "{what}[{n}] ({}) uses ALL/ALLSMALLER and must be a list",
                    dep.prop_id()
                )));
            }
            (false, Node::List(_)) => {
                return Err(bad(format!(
                    "{what}[{n}] ({}): expected an object with id, property and value",
                    dep.prop_id()
                )));
            }
        });
    }
    Ok(out)
}

/// The concrete outputs: one entry per declared output, each a single
/// target or (for ALL outputs) a list of targets, each one the callback
/// declares.
fn slots(
    cb: &Compiled,
    outputs: Option<&Node>,
    matcher: &mut Matcher,
) -> Result<Vec<OutputSlot>, BadRequest> {
    let entries: Vec<&Node> = if cb.single {
        vec![outputs.ok_or_else(|| bad("the request has no outputs".into()))?]
    } else if cb.outputs.is_empty() {
        Vec::new()
    } else {
        match outputs {
            Some(Node::List(list)) if list.len() == cb.outputs.len() => list.iter().collect(),
            Some(Node::List(list)) => {
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
    let mut target = |place: String, node: &Node, decl: &crate::deps::Output| match node {
        Node::Item(i) => {
            matcher
                .check(&place, &i.id, &i.property, &decl.dep, decl.allow_duplicate)
                .map_err(bad)?;
            Ok(Target::new(&i.id, &i.property))
        }
        Node::List(_) => Err(bad(format!(
            "{place}: expected an object with id and property"
        ))),
    };
    let mut slots = Vec::with_capacity(entries.len());
    for (n, (entry, decl)) in entries.into_iter().zip(&cb.outputs).enumerate() {
        slots.push(match (decl.dep.is_multi(), entry) {
            (true, Node::List(list)) => OutputSlot::Many(
                list.iter()
                    .enumerate()
                    .map(|(k, t)| target(format!("outputs[{n}][{k}]"), t, decl))
                    .collect::<Result<Vec<_>, _>>()?,
            ),
            (true, Node::Item(_)) => {
                return Err(bad(format!(
                    "outputs[{n}] ({}) uses ALL and must be a list",
                    decl.prop_id()
                )));
            }
            (false, node) => OutputSlot::One(target(format!("outputs[{n}]"), node, decl)?),
        });
    }
    Ok(slots)
}

/// The properties named by `changedPropIds`, each with its value as the
/// inputs hold it (`null` when they do not: a component just removed from
/// an `ALL` list). Each must be distinct and one of the callback's
/// declared inputs, so no value is copied more than once; the inputs are
/// indexed once, so the cost is linear in the request.
fn fired(
    changed: &[String],
    inputs: &[Node],
    deps: &[&Dependency],
) -> Result<Vec<Triggered>, BadRequest> {
    if changed.is_empty() {
        return Ok(Vec::new());
    }
    let mut by_prop: HashMap<String, &Item> = HashMap::new();
    for node in inputs {
        let entries = match node {
            Node::Item(_) => std::slice::from_ref(node),
            Node::List(list) => list.as_slice(),
        };
        for entry in entries {
            if let Node::Item(i) = entry {
                by_prop
                    .entry(format!("{}.{}", i.id.key(), i.property))
                    .or_insert(i);
            }
        }
    }
    let mut seen = HashSet::with_capacity(changed.len());
    let mut fired = Vec::with_capacity(changed.len());
    for prop_id in changed {
        if !seen.insert(prop_id.as_str()) {
            return Err(bad(format!("changedPropIds names {prop_id:?} twice")));
        }
        let (id_str, property) = prop_id.rsplit_once('.').ok_or_else(|| {
            bad(format!(
                "changedPropIds: {prop_id:?} is not \"<component id>.<property>\""
            ))
        })?;
        let id = if id_str.starts_with('{') {
            serde_json::from_str::<ComponentId>(id_str).map_err(|e| {
                bad(format!(
                    "changedPropIds: {prop_id:?} does not start with a component id: {e}"
                ))
            })?
        } else {
            ComponentId::from(id_str)
        };
        if !deps
            .iter()
            .any(|d| d.property == property && may_name(&id, &d.id))
        {
            return Err(bad(format!(
                "changedPropIds names {prop_id:?}, which is not an input of this callback"
            )));
        }
        let value = by_prop
            .get(prop_id.as_str())
            .and_then(|i| i.value.clone())
            .unwrap_or(Value::Null);
        fired.push(Triggered {
            prop_id: prop_id.clone(),
            id: Some(id),
            property: property.to_owned(),
            value,
        });
    }
    Ok(fired)
}

/// The parts of a request for callback `cb`, or what does not fit.
pub(crate) fn read(cb: &Compiled, req: TypedRequest) -> Result<Parts, BadRequest> {
    let input_deps: Vec<&Dependency> = cb.inputs.iter().map(|i| &i.0).collect();
    let state_deps: Vec<&Dependency> = cb.states.iter().map(|s| &s.0).collect();
    let mut matcher = Matcher::default();
    // Outputs first: a MATCH is most often bound by the output.
    let slots = slots(cb, req.outputs.as_ref(), &mut matcher)?;
    let inputs = values("inputs", &req.inputs, &input_deps, &mut matcher)?;
    let states = values("state", &req.state, &state_deps, &mut matcher)?;
    let matched = matcher.finish().map_err(bad)?;
    let fired = fired(&req.changed_prop_ids, &req.inputs, &input_deps)?;
    Ok(Parts {
        inputs,
        states,
        slots,
        fired,
        matched,
        inputs_list: Lists::typed(req.inputs),
        states_list: Lists::typed(req.state),
        outputs_list: OutputsList::Typed(req.outputs, OnceLock::new()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ALL, ALLSMALLER, Callback, Input, MATCH, Output, State, id};
    use serde_json::json;

    #[test]
    fn entries_read_back_as_the_request_held_them() {
        let body = json!({
            "output": "o.children",
            "outputs": {"id": "o", "property": "children"},
            "inputs": [
                {"id": {"z": 1, "a": ["MATCH"], "z2": "x"}, "property": "value", "value": null},
                [{"id": {"i": 2.5}, "property": "n_clicks"}],
            ],
            "changedPropIds": ["o.children"],
        });
        let r: TypedRequest = serde_json::from_value(body.clone()).unwrap();
        let inputs = Lists::typed(r.inputs);
        assert_eq!(
            inputs.values(),
            body["inputs"].as_array().unwrap().as_slice()
        );
        let outputs = OutputsList::Typed(r.outputs, OnceLock::new());
        assert_eq!(outputs.value(), &body["outputs"]);
    }

    #[test]
    fn ids_read_like_from_json() {
        for v in [
            json!("plain"),
            json!({"b": 1, "a": ["ALL"], "c": true, "d": 3.0, "e": 1e300}),
            json!({"u": u64::MAX, "n": -7, "big": 9_007_199_254_740_993u64, "f": -0.5}),
            json!({"w": ["ALLSMALLER"], "m": ["MATCH"], "s": "é\"x"}),
        ] {
            let typed: ComponentId = serde_json::from_value(v.clone()).unwrap();
            assert_eq!(typed, ComponentId::from_json(&v).unwrap(), "{v}");
        }
        // A repeated key: first place, last value, as a `Value` map keeps it.
        let text = r#"{"k": 1, "j": 0, "k": 2}"#;
        let typed: ComponentId = serde_json::from_str(text).unwrap();
        let v: Value = serde_json::from_str(text).unwrap();
        assert_eq!(typed, ComponentId::from_json(&v).unwrap());
        for bad in [
            json!(1),
            json!(null),
            json!({"a": {"b": 1}}),
            json!({"a": ["NOPE"]}),
            json!({"a": null}),
            json!({"a": ["ALL", "ALL"]}),
            json!({"a": [1]}),
        ] {
            assert!(
                serde_json::from_value::<ComponentId>(bad.clone()).is_err(),
                "{bad}"
            );
            assert!(ComponentId::from_json(&bad).is_err(), "{bad}");
        }
    }

    fn compiled(cb: Callback) -> Compiled {
        Compiled::compile(cb, false).unwrap()
    }

    fn read_body(cb: &Compiled, body: Value) -> Result<Parts, BadRequest> {
        read(cb, parse(body.to_string().as_bytes())?)
    }

    /// Values, targets (duplicate suffix dropped, ALL lists), fired inputs
    /// with their values, and the context's lists as the body held them.
    #[test]
    fn a_pattern_matching_body_reads_into_its_parts() {
        let cb = compiled(Callback::new(
            (
                Output::new(id! {"type": "row", "i": MATCH}, "children").allow_duplicate(),
                Output::new(id! {"type": "all", "i": ALL}, "value"),
            ),
            (
                Input::new(id! {"type": "row", "i": MATCH}, "n_clicks"),
                Input::new(id! {"type": "all", "i": ALLSMALLER}, "value"),
                State::new("s", "data"),
            ),
            |_a: Value, _b: Value, _c: Value| (0, vec![0]),
        ));
        let body = json!({
            "output": "x",
            "outputs": [
                {"id": {"type": "row", "i": 3}, "property": "children@abc"},
                [{"id": {"i": 0, "type": "all"}, "property": "value"},
                 {"id": {"i": 1, "type": "all"}, "property": "value"}],
            ],
            "inputs": [
                {"id": {"type": "row", "i": 3}, "property": "n_clicks", "value": 2},
                [{"id": {"i": 0, "type": "all"}, "property": "value", "value": "a"},
                 {"id": {"i": 1, "type": "all"}, "property": "value"}],
            ],
            "state": [{"id": "s", "property": "data", "value": null}],
            "changedPropIds": [r#"{"i":3,"type":"row"}.n_clicks"#, r#"{"i":7,"type":"all"}.value"#],
        });
        let p = read_body(&cb, body.clone()).unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(p.inputs, vec![json!(2), json!(["a", null])]);
        assert_eq!(p.states, vec![Value::Null]);
        let OutputSlot::One(t) = &p.slots[0] else {
            panic!("one target")
        };
        assert_eq!(
            (t.key.as_str(), t.property.as_str()),
            (r#"{"i":3,"type":"row"}"#, "children")
        );
        let OutputSlot::Many(ts) = &p.slots[1] else {
            panic!("a list")
        };
        assert_eq!(ts.len(), 2);
        assert_eq!(p.fired.len(), 2);
        assert_eq!(p.fired[0].value, json!(2));
        assert_eq!(p.fired[0].property, "n_clicks");
        assert_eq!(p.fired[1].value, Value::Null);
        assert_eq!(
            p.inputs_list.values(),
            body["inputs"].as_array().unwrap().as_slice()
        );
        assert_eq!(
            p.states_list.values(),
            body["state"].as_array().unwrap().as_slice()
        );
        assert_eq!(p.outputs_list.value(), &body["outputs"]);
    }

    #[test]
    fn bodies_that_do_not_fit_say_how() {
        let cb = compiled(Callback::new(
            Output::new("out", "children"),
            (Input::new(id! {"i": ALL}, "value"), State::new("s", "data")),
            |_a: Value, _s: Value| 0,
        ));
        let out = json!({"id": "out", "property": "children"});
        let all = json!([{"id": {"i": 1}, "property": "value", "value": 1}]);
        let st = json!([{"id": "s", "property": "data"}]);
        let cases = [
            (
                json!({"output": "o", "outputs": out, "inputs": [], "state": st}),
                "expected 1 inputs values, got 0",
            ),
            (
                json!({"output": "o", "outputs": out, "inputs": [all[0]], "state": st}),
                "must be a list",
            ),
            (
                json!({"output": "o", "outputs": out, "inputs": [all]}),
                "expected 1 state values, got 0",
            ),
            (
                json!({"output": "o", "inputs": [all], "state": st}),
                "no outputs",
            ),
        ];
        for (body, want) in cases {
            let e = read_body(&cb, body.clone())
                .err()
                .unwrap_or_else(|| panic!("{body} read"));
            assert_eq!(e.0, 400);
            assert!(e.1.contains(want), "{body}: {}", e.1);
        }
        let e = parse(br#"{"output": "o", "inputs": "nope"}"#).unwrap_err();
        assert!(e.1.contains("expected a sequence"), "{}", e.1);
        let e = parse(br#"{"output": "o", "inputs": [{"value": 1}]}"#).unwrap_err();
        assert!(e.1.contains("missing field `id`"), "{}", e.1);
    }
}
