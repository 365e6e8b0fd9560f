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

#[cfg(test)]
mod tests {
    use super::*;
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
}
