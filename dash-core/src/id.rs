//! Component IDs: plain strings, dict IDs and the pattern-matching
//! wildcards `MATCH`, `ALL` and `ALLSMALLER`.
//!
//! IDs are stringified exactly as dash-renderer's `stringifyId` does
//! (keys sorted by UTF-16 code units, no whitespace, values written as
//! `JSON.stringify` writes them), because response keys are looked up
//! byte for byte by the browser.

use std::fmt;

use serde::de::{self, Deserializer};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::Error;
use crate::jsnum::format_js_number;

/// A pattern-matching wildcard used in a dict ID value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Wildcard {
    /// Matches the one component whose other keys match the triggering input.
    Match,
    /// Matches every component with the other keys.
    All,
    /// Matches every component whose value sorts before the triggering one.
    AllSmaller,
}

impl Wildcard {
    /// The name the renderer uses on the wire (`"MATCH"`, `"ALL"`, `"ALLSMALLER"`).
    pub fn as_str(self) -> &'static str {
        match self {
            Wildcard::Match => "MATCH",
            Wildcard::All => "ALL",
            Wildcard::AllSmaller => "ALLSMALLER",
        }
    }
}

/// `MATCH`: one component per triggering input.
pub const MATCH: Wildcard = Wildcard::Match;
/// `ALL`: every matching component.
pub const ALL: Wildcard = Wildcard::All;
/// `ALLSMALLER`: every matching component whose key is smaller.
pub const ALLSMALLER: Wildcard = Wildcard::AllSmaller;

/// A value inside a dict ID: a string, a number, a bool or a wildcard.
#[derive(Debug, Clone, PartialEq)]
pub enum IdValue {
    /// A string value.
    Str(String),
    /// An integer value (kept an integer on the wire).
    Int(i64),
    /// A non-integer number.
    Float(f64),
    /// A boolean value.
    Bool(bool),
    /// A pattern-matching wildcard.
    Wildcard(Wildcard),
}

impl IdValue {
    /// The value as `JSON.stringify` would write it (wildcards as `["MATCH"]`).
    fn write_js(&self, out: &mut String) {
        match self {
            IdValue::Str(s) => write_json_string(s, out),
            // Beyond 2^53 the browser holds the nearest double: write that.
            IdValue::Int(i) if i.unsigned_abs() > 1 << 53 => {
                out.push_str(&format_js_number(*i as f64));
            }
            IdValue::Int(i) => out.push_str(&i.to_string()),
            // JSON.stringify writes NaN and the infinities as null.
            IdValue::Float(f) if !f.is_finite() => out.push_str("null"),
            IdValue::Float(f) => out.push_str(&format_js_number(*f)),
            IdValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            IdValue::Wildcard(w) => {
                out.push_str("[\"");
                out.push_str(w.as_str());
                out.push_str("\"]");
            }
        }
    }

    /// The value as JSON (wildcards as one-element arrays).
    pub fn to_json(&self) -> Value {
        match self {
            IdValue::Str(s) => Value::String(s.clone()),
            IdValue::Int(i) => Value::from(*i),
            IdValue::Float(f) => serde_json::Number::from_f64(*f)
                .map(Value::Number)
                .unwrap_or(Value::Null),
            IdValue::Bool(b) => Value::Bool(*b),
            IdValue::Wildcard(w) => Value::Array(vec![Value::String(w.as_str().into())]),
        }
    }

    /// A number that is not an `i64`: an integer if it is a whole number
    /// the browser holds exactly, else a float.
    fn number(f: f64) -> Self {
        if f.fract() == 0.0 && f.abs() < 9.007_199_254_740_992e15 {
            IdValue::Int(f as i64)
        } else {
            IdValue::Float(f)
        }
    }

    fn from_json(v: &Value) -> Result<Self, Error> {
        match v {
            Value::String(s) => Ok(IdValue::Str(s.clone())),
            Value::Bool(b) => Ok(IdValue::Bool(*b)),
            Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    Ok(IdValue::Int(i))
                } else if let Some(f) = n.as_f64() {
                    Ok(IdValue::number(f))
                } else {
                    Err(Error::InvalidId(format!("number {n} is out of range")))
                }
            }
            Value::Array(a) => match a.as_slice() {
                [Value::String(w)] => match w.as_str() {
                    "MATCH" => Ok(IdValue::Wildcard(Wildcard::Match)),
                    "ALL" => Ok(IdValue::Wildcard(Wildcard::All)),
                    "ALLSMALLER" => Ok(IdValue::Wildcard(Wildcard::AllSmaller)),
                    other => Err(Error::InvalidId(format!("unknown wildcard {other:?}"))),
                },
                _ => Err(Error::InvalidId(
                    "a dict ID value must be a string, number, bool or wildcard".into(),
                )),
            },
            _ => Err(Error::InvalidId(
                "a dict ID value must be a string, number, bool or wildcard".into(),
            )),
        }
    }
}

macro_rules! id_value_from_int {
    ($($t:ty),*) => {$(
        impl From<$t> for IdValue {
            fn from(v: $t) -> Self { IdValue::Int(i64::from(v)) }
        }
    )*};
}
id_value_from_int!(i8, i16, i32, i64, u8, u16, u32);

impl From<usize> for IdValue {
    fn from(v: usize) -> Self {
        i64::try_from(v).map_or(IdValue::Float(v as f64), IdValue::Int)
    }
}
impl From<f64> for IdValue {
    fn from(v: f64) -> Self {
        if v.fract() == 0.0 && v.abs() < 9.007_199_254_740_992e15 {
            IdValue::Int(v as i64)
        } else {
            IdValue::Float(v)
        }
    }
}
impl From<bool> for IdValue {
    fn from(v: bool) -> Self {
        IdValue::Bool(v)
    }
}
impl From<&str> for IdValue {
    fn from(v: &str) -> Self {
        IdValue::Str(v.to_owned())
    }
}
impl From<String> for IdValue {
    fn from(v: String) -> Self {
        IdValue::Str(v)
    }
}
impl From<&String> for IdValue {
    fn from(v: &String) -> Self {
        IdValue::Str(v.clone())
    }
}
impl From<Wildcard> for IdValue {
    fn from(v: Wildcard) -> Self {
        IdValue::Wildcard(v)
    }
}

/// A component ID: a string or a dict of string/number/bool values.
///
/// ```
/// use dash_core::{ComponentId, MATCH};
/// let plain = ComponentId::from("name");
/// let item = ComponentId::dict([("type", "todo".into()), ("index", 3.into())]);
/// assert_eq!(item.to_string(), r#"{"index":3,"type":"todo"}"#);
/// let pattern = ComponentId::dict([("type", "todo".into()), ("index", MATCH.into())]);
/// assert_eq!(pattern.to_string(), r#"{"index":["MATCH"],"type":"todo"}"#);
/// assert_eq!(plain.to_string(), "name");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub enum ComponentId {
    /// A plain string ID.
    Str(String),
    /// A dict ID; keys are kept in insertion order and sorted on output.
    Dict(Vec<(String, IdValue)>),
}

impl ComponentId {
    /// Builds a dict ID from `(key, value)` pairs. A repeated key keeps the last value.
    pub fn dict<K: Into<String>>(pairs: impl IntoIterator<Item = (K, IdValue)>) -> Self {
        let mut out: Vec<(String, IdValue)> = Vec::new();
        for (k, v) in pairs {
            let k = k.into();
            if let Some(slot) = out.iter_mut().find(|(ek, _)| *ek == k) {
                slot.1 = v;
            } else {
                out.push((k, v));
            }
        }
        ComponentId::Dict(out)
    }

    /// Parses an ID as it appears in a request body.
    pub fn from_json(v: &Value) -> Result<Self, Error> {
        match v {
            Value::String(s) => Ok(ComponentId::Str(s.clone())),
            Value::Object(m) => {
                let mut pairs = Vec::with_capacity(m.len());
                for (k, v) in m {
                    pairs.push((k.clone(), IdValue::from_json(v)?));
                }
                Ok(ComponentId::Dict(pairs))
            }
            other => Err(Error::InvalidId(format!(
                "an ID must be a string or an object, got {}",
                json_kind(other)
            ))),
        }
    }

    /// The ID as JSON, as it appears in a layout.
    pub fn to_json(&self) -> Value {
        match self {
            ComponentId::Str(s) => Value::String(s.clone()),
            ComponentId::Dict(pairs) => Value::Object(
                sorted(pairs)
                    .into_iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }

    /// Checks the rules the renderer enforces: no `.` or `{` in string IDs,
    /// no empty IDs, no empty dicts.
    pub fn validate(&self) -> Result<(), Error> {
        match self {
            ComponentId::Str(s) if s.is_empty() => {
                Err(Error::InvalidId("an ID must not be empty".into()))
            }
            ComponentId::Str(s) if s.contains(['.', '{']) => Err(Error::InvalidId(format!(
                "string ID {s:?} contains '.' or '{{', which the Dash renderer rejects"
            ))),
            ComponentId::Dict(p) if p.is_empty() => {
                Err(Error::InvalidId("a dict ID needs at least one key".into()))
            }
            _ => Ok(()),
        }
    }

    /// Whether any value is a wildcard.
    pub fn is_pattern(&self) -> bool {
        matches!(self, ComponentId::Dict(p) if p.iter().any(|(_, v)| matches!(v, IdValue::Wildcard(_))))
    }

    /// The wildcards in this ID, in key order.
    pub fn wildcards(&self) -> Vec<Wildcard> {
        match self {
            ComponentId::Str(_) => Vec::new(),
            ComponentId::Dict(p) => sorted(p)
                .into_iter()
                .filter_map(|(_, v)| match v {
                    IdValue::Wildcard(w) => Some(*w),
                    _ => None,
                })
                .collect(),
        }
    }

    /// The value under `key` of a dict ID.
    pub fn get(&self, key: &str) -> Option<&IdValue> {
        match self {
            ComponentId::Str(_) => None,
            ComponentId::Dict(p) => p.iter().find(|(k, _)| k == key).map(|(_, v)| v),
        }
    }
}

fn sorted(pairs: &[(String, IdValue)]) -> Vec<&(String, IdValue)> {
    let mut v: Vec<_> = pairs.iter().collect();
    // JavaScript orders keys by UTF-16 code units; for ASCII that is the
    // byte order.
    v.sort_by(|a, b| {
        if a.0.is_ascii() && b.0.is_ascii() {
            a.0.cmp(&b.0)
        } else {
            a.0.encode_utf16().cmp(b.0.encode_utf16())
        }
    });
    v
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a bool",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Writes `s` as `JSON.stringify` does: escapes `"`, `\` and control
/// characters, leaves everything else (non-ASCII included) as is.
pub(crate) fn write_json_string(s: &str, out: &mut String) {
    out.push('"');
    if !s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\') {
        out.push_str(s);
        out.push('"');
        return;
    }
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
}

impl fmt::Display for ComponentId {
    /// The renderer's `stringifyId`: the string itself, or sorted compact JSON.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ComponentId::Str(s) => f.write_str(s),
            ComponentId::Dict(_) => f.write_str(&self.key()),
        }
    }
}

impl ComponentId {
    /// The renderer's `stringifyId` (what `Display` writes), without the
    /// formatting machinery: the key of this component's outputs in a
    /// response, built for every output of every request.
    pub(crate) fn key(&self) -> String {
        match self {
            ComponentId::Str(s) => s.clone(),
            ComponentId::Dict(pairs) => {
                let mut out = String::with_capacity(16 + 32 * pairs.len());
                out.push('{');
                for (i, (k, v)) in sorted(pairs).into_iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    write_json_string(k, &mut out);
                    out.push(':');
                    v.write_js(&mut out);
                }
                out.push('}');
                out
            }
        }
    }
}

impl From<&str> for ComponentId {
    fn from(s: &str) -> Self {
        ComponentId::Str(s.to_owned())
    }
}
impl From<String> for ComponentId {
    fn from(s: String) -> Self {
        ComponentId::Str(s)
    }
}
impl From<&String> for ComponentId {
    fn from(s: &String) -> Self {
        ComponentId::Str(s.clone())
    }
}
impl From<&ComponentId> for ComponentId {
    fn from(s: &ComponentId) -> Self {
        s.clone()
    }
}

impl Serialize for ComponentId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            ComponentId::Str(v) => s.serialize_str(v),
            ComponentId::Dict(pairs) => {
                let sorted = sorted(pairs);
                let mut m = s.serialize_map(Some(sorted.len()))?;
                for (k, v) in sorted {
                    m.serialize_entry(k, &v.to_json())?;
                }
                m.end()
            }
        }
    }
}

/// Reads a dict ID's value as `IdValue::from_json` does, straight from
/// the text.
impl<'de> Deserialize<'de> for IdValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ValueVisitor;
        impl<'de> de::Visitor<'de> for ValueVisitor {
            type Value = IdValue;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a dict ID value (a string, number, bool or wildcard)")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<IdValue, E> {
                Ok(IdValue::Str(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<IdValue, E> {
                Ok(IdValue::Str(v))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<IdValue, E> {
                Ok(IdValue::Bool(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<IdValue, E> {
                Ok(IdValue::Int(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<IdValue, E> {
                Ok(match i64::try_from(v) {
                    Ok(i) => IdValue::Int(i),
                    Err(_) => IdValue::number(v as f64),
                })
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<IdValue, E> {
                Ok(IdValue::number(v))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut s: A) -> Result<IdValue, A::Error> {
                let mut items = Vec::new();
                while let Some(v) = s.next_element::<Value>()? {
                    items.push(v);
                }
                IdValue::from_json(&Value::Array(items)).map_err(de::Error::custom)
            }
        }
        d.deserialize_any(ValueVisitor)
    }
}

/// The most keys a dict ID read from a request may have: far more than any
/// layout uses, and few enough that finding a repeated key stays cheap.
pub const MAX_DICT_KEYS: usize = 64;

/// Reads an ID as [`ComponentId::from_json`] does, without building a
/// `Value` map first (a request carries one ID per input and output).
impl<'de> Deserialize<'de> for ComponentId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct IdVisitor;
        impl<'de> de::Visitor<'de> for IdVisitor {
            type Value = ComponentId;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an ID (a string or an object)")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ComponentId, E> {
                Ok(ComponentId::Str(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<ComponentId, E> {
                Ok(ComponentId::Str(v))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, mut m: A) -> Result<ComponentId, A::Error> {
                let mut pairs: Vec<(String, IdValue)> =
                    Vec::with_capacity(m.size_hint().unwrap_or(4));
                while let Some((k, v)) = m.next_entry::<String, IdValue>()? {
                    // A repeated key keeps its first place and its last value,
                    // as a `Value` map does.
                    if let Some(slot) = pairs.iter_mut().find(|(have, _)| *have == k) {
                        slot.1 = v;
                    } else if pairs.len() == MAX_DICT_KEYS {
                        return Err(de::Error::custom(format_args!(
                            "a dict ID has more than {MAX_DICT_KEYS} keys"
                        )));
                    } else {
                        pairs.push((k, v));
                    }
                }
                Ok(ComponentId::Dict(pairs))
            }
        }
        d.deserialize_any(IdVisitor)
    }
}

/// Builds a dict [`ComponentId`]: `id!{"type": "todo", "index": MATCH}`.
///
/// ```
/// use dash_core::{id, ALL};
/// let all = id! {"type": "todo", "index": ALL};
/// assert_eq!(all.to_string(), r#"{"index":["ALL"],"type":"todo"}"#);
/// ```
#[macro_export]
macro_rules! id {
    ($($k:literal : $v:expr),+ $(,)?) => {
        $crate::ComponentId::dict([$(($k, $crate::IdValue::from($v))),+])
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stringify_sorts_keys_and_keeps_integers() {
        let id = ComponentId::dict([("z", 1.into()), ("a", "é\"x".into()), ("m", 1.5.into())]);
        assert_eq!(id.to_string(), r#"{"a":"é\"x","m":1.5,"z":1}"#);
    }

    #[test]
    fn parses_request_ids() {
        let v: Value = serde_json::from_str(r#"{"type":"res","index":1.0}"#).unwrap();
        let id = ComponentId::from_json(&v).unwrap();
        assert_eq!(id.to_string(), r#"{"index":1,"type":"res"}"#);
        assert!(ComponentId::from_json(&Value::Null).is_err());
        let bad: Value = serde_json::from_str(r#"{"a":{"b":1}}"#).unwrap();
        assert!(ComponentId::from_json(&bad).is_err());
    }

    #[test]
    fn validates_string_ids() {
        assert!(ComponentId::from("a.b").validate().is_err());
        assert!(ComponentId::from("a{").validate().is_err());
        assert!(ComponentId::from("").validate().is_err());
        assert!(ComponentId::from("ok-id").validate().is_ok());
    }
}
