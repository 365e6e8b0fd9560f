//! The callback request body read in one pass into typed parts: entries
//! (`{id, property, value}`) and their IDs become structs, not a
//! `serde_json::Value` map each (hashing every key). This is the usual
//! case; a body it cannot read is read again the general way (see
//! [`crate::dispatch`]), which names what is wrong.
//!
//! The callback context's `inputs_list`, `states_list` and `outputs_list`
//! are made from these parts only when a callback asks for them.

use std::sync::OnceLock;

use serde::Deserialize;
use serde::de::{self, Deserializer};
use serde_json::{Map, Value};

use crate::callback::Compiled;
use crate::deps::Dependency;
use crate::dispatch::{OutputSlot, Parts, Target, triggered};
use crate::id::ComponentId;

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

/// The parts of a typed body, exactly as
/// [`general_parts`](crate::dispatch::general_parts) makes them;
/// `None` when the body does not fit the callback (the general way then
/// says how).
pub(crate) fn typed_parts(cb: &Compiled, req: TypedRequest) -> Option<Parts> {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dispatch::{CallbackRequest, general_parts};
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
