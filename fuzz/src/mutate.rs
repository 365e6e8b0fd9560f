//! Mutations of a well-formed callback request: the shapes a hostile or
//! broken client sends — other IDs, wildcards where values belong,
//! properties the callback does not have, odd values and sizes, repeated
//! entries, missing keys, another callback's output, broken JSON.

use rand::RngExt as _;
use rand_pcg::Pcg64Mcg;
use serde_json::{Map, Value, json};

/// Filter-query pieces the DataTable grammar knows, and some it does not.
const QUERY_TOKENS: &[&str] = &[
    "{price}",
    "{qty}",
    "{name}",
    "{category}",
    "{ts}",
    "{id}",
    "{nope}",
    "=",
    "eq",
    "!=",
    "<",
    ">=",
    "contains",
    "datestartswith",
    "i=",
    "s>",
    "is blank",
    "is prime",
    "is str",
    "&&",
    "||",
    "!",
    "(",
    ")",
    "1",
    "-0",
    "1e308",
    "0x10",
    "\"a b\"",
    "'x'",
    "cat_7",
    "2024-01",
    "\"\\\"",
    "`",
    "\u{2028}",
    "é",
    " ",
    " ",
    "",
];

/// A random JSON value, at most `depth` levels deep.
pub fn value(rng: &mut Pcg64Mcg, depth: u32) -> Value {
    match rng.random_range(0..12) {
        0 => Value::Null,
        1 => json!(rng.random_bool(0.5)),
        2 => json!(rng.random_range(-5i64..5)),
        3 => {
            let v = [i64::MIN, i64::MAX, 9_007_199_254_740_993i64][rng.random_range(0..3)];
            json!(v)
        }
        4 => {
            let v = [1e308, -0.0, 0.1, 5e-324][rng.random_range(0..4)];
            json!(v)
        }
        5 => json!(u64::MAX),
        6 => Value::String("x".repeat(rng.random_range(0..4096))),
        7 => Value::String(query(rng)),
        8 if depth > 0 => Value::Array(
            (0..rng.random_range(0..4))
                .map(|_| value(rng, depth - 1))
                .collect(),
        ),
        9 if depth > 0 => {
            let mut m = Map::new();
            for k in ["column_id", "direction", "key", "sig", "a"] {
                if rng.random_bool(0.4) {
                    m.insert(k.into(), value(rng, depth - 1));
                }
            }
            Value::Object(m)
        }
        10 => nested(rng.random_range(1..300)),
        _ => json!(["MATCH"]),
    }
}

/// Arrays nested `n` deep (serde_json refuses past 128).
fn nested(n: usize) -> Value {
    let text = format!("{}{}", "[".repeat(n), "]".repeat(n));
    serde_json::from_str(&text).unwrap_or(Value::Null)
}

/// A filter query of grammar pieces in random order.
pub fn query(rng: &mut Pcg64Mcg) -> String {
    let n = rng.random_range(0..12);
    let mut q = String::new();
    for _ in 0..n {
        q.push_str(QUERY_TOKENS[rng.random_range(0..QUERY_TOKENS.len())]);
        if rng.random_bool(0.7) {
            q.push(' ');
        }
    }
    q
}

/// Every entry object of a request (`outputs`, `inputs`, `state`, lists
/// flattened), for picking one to mutate.
fn entries(body: &mut Value) -> Vec<&mut Value> {
    fn walk<'a>(v: &'a mut Value, out: &mut Vec<&'a mut Value>) {
        match v {
            Value::Array(a) => a.iter_mut().for_each(|x| walk(x, out)),
            Value::Object(o) if o.contains_key("property") => out.push(v),
            _ => {}
        }
    }
    let mut out = Vec::new();
    if let Value::Object(o) = body {
        for (k, v) in o.iter_mut() {
            if matches!(k.as_str(), "outputs" | "inputs" | "state") {
                walk(v, &mut out);
            }
        }
    }
    out
}

/// One mutation of `body` (a seed of this or another callback: `others`).
/// Returns the bytes to send.
pub fn mutate(rng: &mut Pcg64Mcg, body: &Value, others: &[Value]) -> Vec<u8> {
    let mut b = body.clone();
    for _ in 0..rng.random_range(1..4) {
        step(rng, &mut b, others);
    }
    let mut bytes = serde_json::to_vec(&b).unwrap_or_default();
    match rng.random_range(0..40) {
        0 if !bytes.is_empty() => {
            let cut = rng.random_range(0..bytes.len());
            bytes.truncate(cut);
        }
        1 if !bytes.is_empty() => {
            let at = rng.random_range(0..bytes.len());
            bytes[at] = rng.random();
        }
        _ => {}
    }
    bytes
}

fn step(rng: &mut Pcg64Mcg, b: &mut Value, others: &[Value]) {
    match rng.random_range(0..10) {
        // A value: random, or a filter query.
        0 | 1 => {
            let mut es = entries(b);
            if !es.is_empty() {
                let i = rng.random_range(0..es.len());
                es[i]["value"] = value(rng, 3);
            }
        }
        // An id: another string, a wildcard, a key more or less.
        2 => {
            let mut es = entries(b);
            if !es.is_empty() {
                let i = rng.random_range(0..es.len());
                let e = &mut es[i];
                match (rng.random_range(0..5), e["id"].as_object_mut()) {
                    (0, Some(o)) => {
                        o.insert("extra".into(), json!(1));
                    }
                    (1, Some(o)) => {
                        if let Some(k) = o.keys().next().cloned() {
                            o.insert(k, json!(["MATCH"]));
                        }
                    }
                    (2, Some(o)) => {
                        if let Some(k) = o.keys().next().cloned() {
                            o.insert(k, value(rng, 1));
                        }
                    }
                    (3, _) => e["id"] = json!("secret"),
                    _ => e["id"] = value(rng, 2),
                }
            }
        }
        // A property.
        3 => {
            let mut es = entries(b);
            if !es.is_empty() {
                let i = rng.random_range(0..es.len());
                let props = ["children", "value@x", "", "data", "style"];
                es[i]["property"] = json!(props[rng.random_range(0..props.len())]);
            }
        }
        // Repetition: an entry list or changedPropIds grown.
        4 => {
            let key = ["inputs", "state", "changedPropIds"][rng.random_range(0..3)];
            if let Some(list) = b.get_mut(key).and_then(Value::as_array_mut)
                && let Some(first) = list.first().cloned()
            {
                let n = [1, 2, 100, 5000][rng.random_range(0..4)];
                list.extend(std::iter::repeat_n(first, n));
            }
        }
        // A key dropped or replaced by a random value.
        5 => {
            let key =
                ["output", "outputs", "inputs", "state", "changedPropIds"][rng.random_range(0..5)];
            if let Value::Object(o) = b {
                if rng.random_bool(0.5) {
                    o.remove(key);
                } else {
                    o.insert(key.into(), value(rng, 2));
                }
            }
        }
        // Another callback's output key, or its parts.
        6 if !others.is_empty() => {
            let other = &others[rng.random_range(0..others.len())];
            let key = ["output", "outputs", "inputs"][rng.random_range(0..3)];
            if let (Value::Object(o), Some(v)) = (&mut *b, other.get(key)) {
                o.insert(key.into(), v.clone());
            }
        }
        // changedPropIds naming something else.
        7 => {
            let names = ["secret.value", "{\"a\":1}.x", "no-dot", "{bad.value"];
            b["changedPropIds"] = json!([names[rng.random_range(0..names.len())]]);
        }
        // A table's prop: filter, sort, page size.
        8 => {
            let mut es = entries(b);
            if let Some(e) = es.iter_mut().find(|e| e["property"] == "filter_query") {
                e["value"] = json!(query(rng));
            } else if let Some(e) = es.iter_mut().find(|e| e["property"] == "sort_by") {
                e["value"] = value(rng, 3);
            } else if let Some(e) = es.iter_mut().find(|e| e["property"] == "page_size") {
                e["value"] = value(rng, 1);
            }
        }
        // Nothing: the seed as is (must be answered well too).
        _ => {}
    }
}
