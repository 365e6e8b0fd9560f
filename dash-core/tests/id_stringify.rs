//! `ComponentId`'s text form against an independent model of dash-renderer's
//! `stringifyId` (npm `dash-renderer@3.4.1`, `lib/actions/dependencies.js`):
//!
//! ```js
//! function stringifyId(id) {
//!   if (typeof id !== 'object') return id;
//!   const stringifyVal = v => (v && v.wild) || JSON.stringify(v);
//!   const parts = Object.keys(id).sort().map(k => JSON.stringify(k) + ':' + stringifyVal(id[k]));
//!   return '{' + parts.join(',') + '}';
//! }
//! ```
//!
//! Response keys are looked up with it byte for byte, so the model below
//! re-implements each piece from the ECMAScript spec without calling
//! dash-core: `Array.prototype.sort` on strings (UTF-16 code units),
//! `JSON.stringify` of strings (QuoteJSONString) and of numbers
//! (Number::toString). Wildcards are written in their wire form
//! `["MATCH"]` (what `JSON.stringify` gives for the unparsed value, and
//! what Python's `stringify_id` writes into `_dash-dependencies`).
//!
//! When `node` is installed, the model is also checked against a real
//! JavaScript engine running the renderer's logic.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::process::{Command, Stdio};

use dash_core::{ALL, ALLSMALLER, ComponentId, IdValue, MATCH, Wildcard};
use proptest::prelude::*;
use proptest::strategy::ValueTree as _;
use proptest::test_runner::TestRunner;
use serde_json::Value;

// ---------------------------------------------------------------- the model

/// A dict-id value as the test generates it.
#[derive(Debug, Clone, PartialEq)]
enum Val {
    Int(i64),
    Float(f64),
    Bool(bool),
    Str(String),
    Wild(Wildcard),
}

impl Val {
    fn to_id_value(&self) -> IdValue {
        match self {
            Val::Int(i) => IdValue::from(*i),
            Val::Float(f) => IdValue::from(*f),
            Val::Bool(b) => IdValue::from(*b),
            Val::Str(s) => IdValue::from(s.as_str()),
            Val::Wild(w) => IdValue::from(*w),
        }
    }

    /// The same value through the public enum variants directly (a float
    /// that happens to be integral stays `Float`).
    fn to_raw_id_value(&self) -> IdValue {
        match self {
            Val::Int(i) => IdValue::Int(*i),
            Val::Float(f) => IdValue::Float(*f),
            Val::Bool(b) => IdValue::Bool(*b),
            Val::Str(s) => IdValue::Str(s.clone()),
            Val::Wild(w) => IdValue::Wildcard(*w),
        }
    }

    /// `stringifyVal(v)`.
    fn stringify(&self) -> String {
        match self {
            // A JS number holds an i64 only up to 2^53 exactly; the
            // generators stay inside that range.
            Val::Int(i) => js_number(*i as f64),
            Val::Float(f) if f.is_finite() => js_number(*f),
            // JSON.stringify(NaN) and of ±Infinity.
            Val::Float(_) => "null".into(),
            Val::Bool(b) => b.to_string(),
            Val::Str(s) => quote_json_string(s),
            Val::Wild(w) => format!("[{}]", quote_json_string(w.as_str())),
        }
    }

    /// The value as JSON for `node` (exact for every finite f64).
    fn to_json(&self) -> Value {
        match self {
            Val::Int(i) => Value::from(*i),
            Val::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
            Val::Bool(b) => Value::Bool(*b),
            Val::Str(s) => Value::String(s.clone()),
            Val::Wild(w) => Value::Array(vec![Value::String(w.as_str().into())]),
        }
    }
}

/// ECMAScript QuoteJSONString for a well-formed string (Rust strings hold
/// no lone surrogates): `"`, `\`, the five short escapes, other code units
/// below U+0020 as lowercase `\u00xx`; everything else as is (U+007F,
/// U+2028, U+2029 and astral characters included).
fn quote_json_string(s: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => {
                let n = u32::from(c) as usize;
                out.push_str("\\u00");
                out.push(HEX[n >> 4] as char);
                out.push(HEX[n & 15] as char);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// ECMAScript Number::toString(x) (radix 10) for a finite `x`.
///
/// The shortest round-tripping digits come from Rust's `Display` for f64,
/// which never uses an exponent: `1e-7` displays as `0.0000001` and `1e21`
/// as `1000000000000000000000`. The digit string `s` and the decimal
/// point position `n` are read off that text, then laid out by the
/// spec's four cases.
fn js_number(x: f64) -> String {
    assert!(x.is_finite());
    if x == 0.0 {
        return "0".into(); // +0 and -0
    }
    if x < 0.0 {
        return format!("-{}", js_number(-x));
    }
    let plain = format!("{x}");
    let (int_part, frac_part) = plain.split_once('.').unwrap_or((&plain, ""));
    let all: String = format!("{int_part}{frac_part}");
    let leading_zeros = all.len() - all.trim_start_matches('0').len();
    let digits = all.trim_start_matches('0').trim_end_matches('0');
    assert!(!digits.is_empty(), "{plain}");
    let k = digits.len() as i64;
    let n = int_part.len() as i64 - leading_zeros as i64;
    if k <= n && n <= 21 {
        format!("{digits}{}", "0".repeat((n - k) as usize))
    } else if 0 < n && n <= 21 {
        let (a, b) = digits.split_at(n as usize);
        format!("{a}.{b}")
    } else if -6 < n && n <= 0 {
        format!("0.{}{digits}", "0".repeat((-n) as usize))
    } else {
        let e = n - 1;
        let sign = if e < 0 { '-' } else { '+' };
        let (first, rest) = digits.split_at(1);
        if rest.is_empty() {
            format!("{first}e{sign}{}", e.abs())
        } else {
            format!("{first}.{rest}e{sign}{}", e.abs())
        }
    }
}

/// `stringifyId` of a dict built by assigning the pairs in order to a JS
/// object (a repeated key keeps its last value).
fn reference(pairs: &[(String, Val)]) -> String {
    let mut obj: BTreeMap<Vec<u16>, (&str, &Val)> = BTreeMap::new();
    for (k, v) in pairs {
        // `Array.prototype.sort()` without a comparator compares UTF-16 code units.
        obj.insert(k.encode_utf16().collect(), (k.as_str(), v));
    }
    let parts: Vec<String> = obj
        .values()
        .map(|(k, v)| format!("{}:{}", quote_json_string(k), v.stringify()))
        .collect();
    format!("{{{}}}", parts.join(","))
}

fn dash_id(pairs: &[(String, Val)]) -> ComponentId {
    ComponentId::dict(pairs.iter().map(|(k, v)| (k.clone(), v.to_id_value())))
}

fn dash_id_raw(pairs: &[(String, Val)]) -> ComponentId {
    ComponentId::dict(pairs.iter().map(|(k, v)| (k.clone(), v.to_raw_id_value())))
}

// ---------------------------------------------------------------- generators

/// Characters whose UTF-16 order differs from their code-point order
/// (astral vs U+E000–U+FFFF), plus ASCII, non-ASCII BMP, quotes, backslash
/// and control characters.
fn key_char() -> impl Strategy<Value = char> {
    prop_oneof![
        3 => prop::sample::select(vec![
            'a', 'b', 'z', 'A', '0', '_', '-', ' ', '"', '\\', '\n', '\u{1}', '\u{7f}',
            'é', 'ß', '\u{ff61}', '\u{e000}', '\u{fffd}', '\u{ffff}',
            '😀', '🎉', '\u{10000}', '\u{10ffff}', '\u{1f9ff}',
        ]),
        2 => prop::char::range('a', 'e'),
        1 => prop::char::range('\u{0}', '\u{7f}'),
        1 => prop::char::range('\u{80}', '\u{d7ff}'),
        1 => prop::char::range('\u{e000}', '\u{ffff}'),
        1 => prop::char::range('\u{10000}', '\u{10ffff}'),
        1 => prop::char::range('\u{1f300}', '\u{1faff}'),
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop::collection::vec(key_char(), 0..4).prop_map(String::from_iter)
}

fn string_char() -> impl Strategy<Value = char> {
    prop_oneof![
        2 => key_char(),
        1 => prop::char::range('\u{0}', '\u{1f}'),
        1 => prop::sample::select(vec!['"', '\\', '/', '\u{2028}', '\u{2029}', '\u{7f}', '<', '>', '\u{8}', '\u{c}']),
        1 => any::<char>(),
    ]
}

fn string_value() -> impl Strategy<Value = String> {
    prop::collection::vec(string_char(), 0..8).prop_map(String::from_iter)
}

const MAX_SAFE: i64 = (1 << 53) - 1;

fn finite_float() -> impl Strategy<Value = f64> {
    prop_oneof![
        3 => any::<f64>().prop_filter("finite", |f| f.is_finite()),
        2 => -1e6f64..1e6f64,
        // Tiny and huge: d.ddd × 10^e over the whole range, including subnormals.
        3 => (any::<u64>(), 1usize..18, -345i32..=310, any::<bool>()).prop_filter_map(
            "finite",
            |(m, len, e, neg)| {
                let digits = m.to_string();
                let digits = &digits[..len.min(digits.len())];
                let f: f64 = format!("{}{digits}e{e}", if neg { "-" } else { "" }).parse().ok()?;
                f.is_finite().then_some(f)
            }
        ),
        // Integral floats (the `1.0` case) on both sides of 2^53 and 1e21.
        1 => any::<i64>().prop_map(|i| i as f64),
        1 => (-30i32..=30).prop_map(|e| 10f64.powi(e)),
        1 => prop::sample::select(vec![
            -0.0, 0.0, 1e21, 1e20, 123456789012345680000.0, 1e-6, 1e-7, 1.5e-7, 0.1 + 0.2,
            5e-324, f64::MIN_POSITIVE, f64::MAX, -f64::MAX, 9007199254740992.0,
            9007199254740994.0, 2f64.powi(64), 0.5, -1.0, 1.0,
        ]),
    ]
}

fn value() -> impl Strategy<Value = Val> {
    prop_oneof![
        3 => (-MAX_SAFE..=MAX_SAFE).prop_map(Val::Int),
        2 => (-1000i64..1000).prop_map(Val::Int),
        4 => finite_float().prop_map(Val::Float),
        1 => any::<bool>().prop_map(Val::Bool),
        3 => string_value().prop_map(Val::Str),
        1 => prop::sample::select(vec![MATCH, ALL, ALLSMALLER]).prop_map(Val::Wild),
    ]
}

fn pairs() -> impl Strategy<Value = Vec<(String, Val)>> {
    prop::collection::vec((key(), value()), 1..7)
}

// ---------------------------------------------------------------- the model itself

/// `cases` random cases; failures are reported, not saved to a
/// regressions file next to the test.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

#[test]
fn model_numbers_match_known_javascript_output() {
    // Values and results as printed by `String(x)` in JavaScript.
    let cases: &[(f64, &str)] = &[
        (1.0, "1"),
        (-1.5, "-1.5"),
        (0.1 + 0.2, "0.30000000000000004"),
        (100.0, "100"),
        (123.456, "123.456"),
        (1e21, "1e+21"),
        (1e20, "100000000000000000000"),
        (123456789012345680000.0, "123456789012345680000"),
        (1.5e21, "1.5e+21"),
        (0.000001, "0.000001"),
        (0.0000015, "0.0000015"),
        (1e-7, "1e-7"),
        (1.5e-7, "1.5e-7"),
        (-1e-7, "-1e-7"),
        (123e-20, "1.23e-18"),
        (5e-324, "5e-324"),
        (2.2250738585072014e-308, "2.2250738585072014e-308"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (9007199254740992.0, "9007199254740992"),
        (9007199254740993.0, "9007199254740992"),
        (18446744073709551616.0, "18446744073709552000"),
        (-0.0, "0"),
        (0.5, "0.5"),
        (1e300, "1e+300"),
        (4.35, "4.35"),
    ];
    for (x, want) in cases {
        assert_eq!(js_number(*x), *want, "{x:e}");
    }
}

#[test]
fn model_strings_match_known_json_stringify_output() {
    assert_eq!(quote_json_string("a\"b\\c"), r#""a\"b\\c""#);
    assert_eq!(quote_json_string("\u{8}\u{c}\n\r\t"), r#""\b\f\n\r\t""#);
    assert_eq!(
        quote_json_string("\u{0}\u{1f}\u{7f}"),
        "\"\\u0000\\u001f\u{7f}\""
    );
    assert_eq!(quote_json_string("é😀\u{2028}/<"), "\"é😀\u{2028}/<\"");
}

proptest! {
    #![proptest_config(config(2000))]

    /// serde_json writes strings as JSON.stringify does; a second witness
    /// for the model's string escaping.
    #[test]
    fn model_string_escaping_agrees_with_serde_json(s in string_value()) {
        prop_assert_eq!(quote_json_string(&s), serde_json::to_string(&s).unwrap());
    }

    /// The model's number text parses back to the same f64 (shortest
    /// round-trip digits, as the spec asks).
    #[test]
    fn model_numbers_round_trip(x in finite_float()) {
        let text = js_number(x);
        let back: f64 = text.parse().unwrap();
        prop_assert!(back == x, "{} -> {} -> {}", x, text, back);
    }
}

// ---------------------------------------------------------------- dash-core against the model

/// Whether serde_json reads every float of `p`, written as JavaScript
/// writes it, back to the same f64 (`str::parse` always does).
fn numbers_parse_exactly(p: &[(String, Val)]) -> bool {
    p.iter().all(|(_, v)| match v {
        Val::Float(f) => serde_json::from_str::<f64>(&js_number(*f)).is_ok_and(|g| g == *f),
        _ => true,
    })
}

proptest! {
    #![proptest_config(config(3000))]

    #[test]
    fn dict_ids_stringify_like_the_renderer(p in pairs()) {
        let want = reference(&p);
        prop_assert_eq!(dash_id(&p).to_string(), want.clone());
        prop_assert_eq!(dash_id_raw(&p).to_string(), want);
    }

    /// The stringification is JSON; parsing it as a request id gives back
    /// the same string (integers stay integers, floats keep their text).
    /// Restricted to numbers serde_json parses exactly; see the next test.
    #[test]
    fn parsing_the_reference_text_round_trips(
        p in pairs().prop_filter("numbers serde_json parses exactly", |p| numbers_parse_exactly(p))
    ) {
        let want = reference(&p);
        let v: Value = serde_json::from_str(&want).unwrap();
        let id = ComponentId::from_json(&v).unwrap();
        prop_assert_eq!(id.to_string(), want.clone());
        // And through serde's Deserialize.
        let id: ComponentId = serde_json::from_str(&want).unwrap();
        prop_assert_eq!(id.to_string(), want);
    }

    #[test]
    fn parsing_the_reference_text_round_trips_for_every_float(p in pairs()) {
        let want = reference(&p);
        let v: Value = serde_json::from_str(&want).unwrap();
        prop_assert_eq!(ComponentId::from_json(&v).unwrap().to_string(), want);
    }

    /// `to_json` (what layouts and dependency lists carry) parses back to
    /// an id with the same stringification.
    #[test]
    fn to_json_round_trips(p in pairs()) {
        let id = dash_id(&p);
        let back = ComponentId::from_json(&id.to_json()).unwrap();
        prop_assert_eq!(back.to_string(), reference(&p));
    }

    #[test]
    fn string_ids_are_the_string_itself(s in string_value()) {
        prop_assert_eq!(ComponentId::from(s.as_str()).to_string(), s.clone());
        prop_assert_eq!(ComponentId::from_json(&Value::String(s.clone())).unwrap().to_string(), s);
    }
}

#[test]
fn integers_written_as_floats_stringify_as_integers() {
    for (json, want) in [
        (r#"{"index":1.0,"type":"x"}"#, r#"{"index":1,"type":"x"}"#),
        (r#"{"index":-3.000}"#, r#"{"index":-3}"#),
        (r#"{"index":-0.0}"#, r#"{"index":0}"#),
        (r#"{"index":-0}"#, r#"{"index":0}"#),
        (r#"{"index":1e2}"#, r#"{"index":100}"#),
        (r#"{"index":2.50}"#, r#"{"index":2.5}"#),
        (r#"{"index":1E21}"#, r#"{"index":1e+21}"#),
        (r#"{"index":0.0000001}"#, r#"{"index":1e-7}"#),
        (
            r#"{"index":100000000000000000000}"#,
            r#"{"index":100000000000000000000}"#,
        ),
        (
            r#"{"index":9007199254740992.0}"#,
            r#"{"index":9007199254740992}"#,
        ),
    ] {
        let v: Value = serde_json::from_str(json).unwrap();
        assert_eq!(
            ComponentId::from_json(&v).unwrap().to_string(),
            want,
            "{json}"
        );
    }
    assert_eq!(
        ComponentId::dict([("index", IdValue::from(1.0)), ("f", IdValue::Float(2.0))]).to_string(),
        r#"{"f":2,"index":1}"#
    );
}

#[test]
fn request_floats_parse_exactly() {
    for text in [
        "-930132.9119672619",
        "0.30000000000000004",
        "5e-324",
        "1.7976931348623157e+308",
    ] {
        let json = format!("{{\"index\":{text}}}");
        let v: Value = serde_json::from_str(&json).unwrap();
        assert_eq!(ComponentId::from_json(&v).unwrap().to_string(), json);
    }
}

#[test]
fn keys_sort_by_utf16_code_units_not_code_points() {
    // U+FF61 < U+1F600 as code points, but the emoji's first UTF-16 unit is
    // 0xD83D < 0xFF61, so JavaScript puts the emoji first.
    let id = ComponentId::dict([("\u{ff61}", IdValue::from(1)), ("😀", IdValue::from(2))]);
    assert_eq!(id.to_string(), "{\"😀\":2,\"\u{ff61}\":1}");
    let id = ComponentId::dict([
        ("\u{e000}", IdValue::from(1)),
        ("\u{10000}", IdValue::from(2)),
        ("z", IdValue::from(3)),
    ]);
    assert_eq!(id.to_string(), "{\"z\":3,\"\u{10000}\":2,\"\u{e000}\":1}");
    // Shorter prefix first; "" sorts before everything.
    let id = ComponentId::dict([
        ("ab", IdValue::from(1)),
        ("a", IdValue::from(2)),
        ("", IdValue::from(3)),
    ]);
    assert_eq!(id.to_string(), r#"{"":3,"a":2,"ab":1}"#);
}

#[test]
fn wildcards_and_repeated_keys() {
    let id = ComponentId::dict([
        ("type", IdValue::from("x")),
        ("index", IdValue::from(MATCH)),
        ("all", IdValue::from(ALL)),
        ("small", IdValue::from(ALLSMALLER)),
    ]);
    assert_eq!(
        id.to_string(),
        r#"{"all":["ALL"],"index":["MATCH"],"small":["ALLSMALLER"],"type":"x"}"#
    );
    // As in a JS object literal, the last value of a repeated key wins.
    let id = ComponentId::dict([("k", IdValue::from(1)), ("k", IdValue::from("two"))]);
    assert_eq!(id.to_string(), r#"{"k":"two"}"#);
}

#[test]
fn non_finite_floats_stringify_as_null() {
    for f in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let p = vec![("index".to_owned(), Val::Float(f))];
        assert_eq!(dash_id(&p).to_string(), r#"{"index":null}"#, "{f}");
        assert_eq!(reference(&p), r#"{"index":null}"#);
    }
}

#[test]
fn integers_beyond_2_pow_53_stringify_like_javascript_numbers() {
    for (i, js) in [
        (9_007_199_254_740_993_i64, "9007199254740992"),
        (i64::MAX, "9223372036854776000"),
        (i64::MIN, "-9223372036854776000"),
        (1_152_921_504_606_846_977, "1152921504606847000"),
    ] {
        assert_eq!(js_number(i as f64), js);
        let id = ComponentId::dict([("i", IdValue::from(i))]);
        assert_eq!(id.to_string(), format!("{{\"i\":{js}}}"), "{i}");
    }
}

// ---------------------------------------------------------------- against a JavaScript engine

/// The renderer's `stringifyId` (dash-renderer 3.4.1), restated. Input:
/// a JSON list of ids, each a string or a list of `[key, value]` pairs
/// assigned in order to a fresh object. Output: the JSON list of results.
const NODE_PROGRAM: &str = r#"
const read = require('fs').readFileSync(0, 'utf8');
const ids = JSON.parse(read).map(x => {
  if (typeof x === 'string') return x;
  const o = {};
  for (const [k, v] of x) o[k] = v;
  return o;
});
function stringifyId(id) {
  if (typeof id !== 'object') {
    return id;
  }
  const stringifyVal = v => (v && v.wild) || JSON.stringify(v);
  const parts = Object.keys(id)
    .sort()
    .map(k => JSON.stringify(k) + ':' + stringifyVal(id[k]));
  return '{' + parts.join(',') + '}';
}
process.stdout.write(JSON.stringify(ids.map(stringifyId)));
"#;

fn node_available() -> bool {
    Command::new("node")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn node_runs_the_renderer_logic_to_the_same_strings() {
    if !node_available() {
        eprintln!("note: `node` is not installed; skipping the JavaScript cross-check");
        return;
    }
    let mut runner = TestRunner::deterministic();
    let strategy = pairs();
    let mut cases: Vec<Vec<(String, Val)>> = (0..240)
        .map(|_| strategy.new_tree(&mut runner).unwrap().current())
        .collect();
    // Hand-picked corners, too.
    cases.push(vec![
        ("\u{ff61}".into(), Val::Int(1)),
        ("😀".into(), Val::Int(2)),
    ]);
    cases.push(vec![
        ("index".into(), Val::Float(-0.0)),
        ("x".into(), Val::Float(1e21)),
    ]);
    cases.push(vec![
        ("k".into(), Val::Int(1)),
        ("k".into(), Val::Str("last".into())),
    ]);
    cases.push(vec![
        ("".into(), Val::Bool(false)),
        ("0".into(), Val::Int(0)),
        ("10".into(), Val::Str(String::new())),
    ]);
    let strings = ["plain", "with space", "é😀", ""];

    let mut input: Vec<Value> = cases
        .iter()
        .map(|p| {
            Value::Array(
                p.iter()
                    .map(|(k, v)| Value::Array(vec![Value::String(k.clone()), v.to_json()]))
                    .collect(),
            )
        })
        .collect();
    input.extend(strings.iter().map(|s| Value::String((*s).into())));

    let mut child = Command::new("node")
        .arg("-e")
        .arg(NODE_PROGRAM)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start node");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(Value::Array(input).to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().expect("node output");
    assert!(
        out.status.success(),
        "node failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let js: Vec<String> = serde_json::from_slice(&out.stdout).expect("node printed a JSON list");
    assert_eq!(js.len(), cases.len() + strings.len());

    for (p, js) in cases.iter().zip(&js) {
        assert_eq!(&reference(p), js, "model vs node for {p:?}");
        assert_eq!(&dash_id(p).to_string(), js, "dash-core vs node for {p:?}");
        assert_eq!(
            &dash_id_raw(p).to_string(),
            js,
            "dash-core (raw values) vs node for {p:?}"
        );
    }
    for (s, js) in strings.iter().zip(&js[cases.len()..]) {
        assert_eq!(&ComponentId::from(*s).to_string(), js);
    }
}
