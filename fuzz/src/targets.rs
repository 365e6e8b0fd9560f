//! The apps under test and their seed requests: every server-side callback
//! of every example, as the renderer would ask it on page load (IDs taken
//! from the layout, values from the components' props).

use axum::Router;
use axum::body::Body;
use dash_core::Dash;
use http::Request;
use serde_json::{Map, Value, json};
use tower::ServiceExt as _;

/// An app mounted in process, with requests to start mutating from.
pub struct Target {
    /// The example's name.
    pub name: &'static str,
    /// Its router.
    pub router: Router,
    /// Well-formed callback requests, one or more per callback.
    pub seeds: Vec<Value>,
    /// Error messages its own callbacks give for bad input on purpose, or
    /// its bounds give under load (a 500 or 503 naming one is the app's
    /// answer, not a server fault).
    pub app_errors: &'static [&'static str],
}

/// Rows of the explorer's generated frame in the fuzzed app: small, so a
/// case costs microseconds, and over `POSTINGS_MIN_ROWS`-free paths.
const EXPLORER_ROWS: usize = 2_000;

/// Every example app, mounted.
pub async fn all() -> Result<Vec<Target>, String> {
    let apps: Vec<(&'static str, Dash, &'static [&'static str])> = vec![
        ("hello", examples::apps::hello::app(), &[]),
        (
            "callbacks",
            examples::apps::callbacks::app(),
            &["the demo button always fails", "the square is not a number"],
        ),
        ("todo", examples::apps::todo::app(), &[]),
        ("graph", examples::apps::graph::app(), &["unknown dataset"]),
        // Background jobs: starts, polls and cancels with forged handles;
        // a flood of starts is shed with a 503 naming the bound.
        (
            "long_job",
            examples::apps::long_job::app(),
            &["too many background jobs"],
        ),
        (
            "cards",
            examples::apps::cards::app().map_err(|e| e.to_string())?,
            &[],
        ),
        (
            "explorer",
            examples::apps::explorer::app(EXPLORER_ROWS).map_err(|e| e.to_string())?,
            &[],
        ),
    ];
    let mut out = Vec::new();
    for (name, mut app, app_errors) in apps {
        app.debug(false).assets_folder(None);
        let router = app.into_router().map_err(|e| format!("{name}: {e}"))?;
        let deps = get_json(&router, "/_dash-dependencies").await?;
        let layout = get_json(&router, "/_dash-layout").await?;
        let mut components = Vec::new();
        collect(&layout, &mut components);
        // What a person does first (type, click), so callbacks guarded
        // against the page-load values run too.
        for (id, prop, value) in interactions(name) {
            if let Some((_, props)) = components.iter_mut().find(|(c, _)| c == &id) {
                props.insert(prop.to_owned(), value);
            }
        }
        // Components the answers add (a todo item appended by a Patch) get
        // seeds of their own: the pattern-matching callbacks on them, as
        // the browser asks after the click.
        let mut seeds = seeds_of(&deps, &components);
        for _ in 0..2 {
            let before = components.len();
            for seed in &seeds {
                let answer = post_json(&router, seed).await?;
                let mut added = Vec::new();
                collect(&answer, &mut added);
                for (id, props) in added {
                    if !components.iter().any(|(c, _)| c == &id) {
                        components.push((id, props));
                    }
                }
            }
            if components.len() == before {
                break;
            }
            seeds = seeds_of(&deps, &components);
        }
        out.push(Target {
            name,
            router,
            seeds,
            app_errors,
        });
    }
    Ok(out)
}

/// `(id, prop, value)`s a person sets before the callbacks are asked.
fn interactions(app: &str) -> Vec<(Value, &'static str, Value)> {
    match app {
        "todo" => vec![
            (json!("new-item"), "value", json!("buy milk")),
            (json!("add"), "n_clicks", json!(1)),
        ],
        "long_job" => vec![
            (json!("run"), "n_clicks", json!(1)),
            (json!("cancel"), "n_clicks", json!(1)),
        ],
        _ => Vec::new(),
    }
}

/// A seed for every server-side callback the layout's components allow.
fn seeds_of(deps: &Value, components: &Components) -> Vec<Value> {
    deps.as_array()
        .into_iter()
        .flatten()
        .filter(|d| d.get("clientside_function").is_none_or(Value::is_null))
        .filter_map(|d| seed(d, components))
        .collect()
}

/// The JSON answer to a callback request (`Null` for an empty or non-JSON
/// answer such as a 204).
async fn post_json(r: &Router, body: &Value) -> Result<Value, String> {
    let req = Request::post("/_dash-update-component")
        .header(http::header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .map_err(|e| e.to_string())?;
    let resp = r.clone().oneshot(req).await.map_err(|e| e.to_string())?;
    let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .map_err(|e| e.to_string())?;
    Ok(serde_json::from_slice(&body).unwrap_or(Value::Null))
}

async fn get_json(r: &Router, uri: &str) -> Result<Value, String> {
    let req = Request::get(uri)
        .body(Body::empty())
        .map_err(|e| e.to_string())?;
    let resp = r.clone().oneshot(req).await.map_err(|e| e.to_string())?;
    let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .map_err(|e| e.to_string())?;
    serde_json::from_slice(&body).map_err(|e| format!("{uri}: {e}"))
}

/// `(id, props)` of every component with an id in a layout.
fn collect(node: &Value, out: &mut Vec<(Value, Map<String, Value>)>) {
    match node {
        Value::Object(o) => {
            if let Some(Value::Object(props)) = o.get("props")
                && let Some(id) = props.get("id")
            {
                out.push((id.clone(), props.clone()));
            }
            o.values().for_each(|v| collect(v, out));
        }
        Value::Array(a) => a.iter().for_each(|v| collect(v, out)),
        _ => {}
    }
}

/// Whether a concrete `id` matches the dependency id `pattern`.
fn matches(id: &Value, pattern: &Value) -> bool {
    match (pattern, id) {
        (Value::Object(p), Value::Object(i)) => {
            p.len() == i.len()
                && p.iter().all(|(k, v)| match (v, i.get(k)) {
                    (Value::Array(_), Some(_)) => true,
                    (want, Some(got)) => want == got,
                    (_, None) => false,
                })
        }
        (p, i) => p == i,
    }
}

/// The id of a dependency: `_dash-dependencies` writes dict ids as text.
fn dep_id(d: &Value) -> Value {
    match &d["id"] {
        Value::String(s) if s.starts_with('{') => serde_json::from_str(s).unwrap_or(Value::Null),
        other => other.clone(),
    }
}

fn is_multi(id: &Value) -> bool {
    id.as_object().is_some_and(|o| {
        o.values()
            .any(|v| v == &json!(["ALL"]) || v == &json!(["ALLSMALLER"]))
    })
}

type Components = [(Value, Map<String, Value>)];

/// `pattern` with its `MATCH` values replaced by those bound so far.
fn bound(pattern: &Value, match_values: &Map<String, Value>) -> Value {
    match pattern {
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| {
                    let v = match match_values.get(k) {
                        Some(b) if v == &json!(["MATCH"]) => b.clone(),
                        _ => v.clone(),
                    };
                    (k.clone(), v)
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Binds the `MATCH` keys of `pattern` from the concrete `id`.
fn bind(pattern: &Value, id: &Value, match_values: &mut Map<String, Value>) {
    if let (Value::Object(p), Value::Object(i)) = (pattern, id) {
        for (k, v) in p {
            if v == &json!(["MATCH"])
                && let Some(got) = i.get(k)
            {
                match_values.insert(k.clone(), got.clone());
            }
        }
    }
}

/// The entry (or, for ALL/ALLSMALLER, the list of entries) the renderer
/// sends for dependency `(pattern, prop)`, or `None` when the layout has
/// no component for a single-valued one (the renderer would not call it).
fn entry(
    pattern: &Value,
    prop: &str,
    components: &Components,
    match_values: &mut Map<String, Value>,
    with_value: bool,
) -> Option<Value> {
    let one = |id: &Value| {
        let mut e = json!({"id": id, "property": prop});
        if with_value {
            let bare = prop.split('@').next().unwrap_or(prop);
            let value = components
                .iter()
                .find(|(c, _)| c == id)
                .and_then(|(_, props)| props.get(bare))
                .cloned()
                .unwrap_or(Value::Null);
            e["value"] = value;
        }
        e
    };
    let pattern_now = bound(pattern, match_values);
    if is_multi(&pattern_now) {
        // ALLSMALLER: the matches whose value for that key is below the
        // MATCH value bound so far (as the renderer picks them).
        let smaller = |id: &Value| {
            pattern_now.as_object().into_iter().flatten().all(|(k, v)| {
                v != &json!(["ALLSMALLER"])
                    || match (id.get(k).and_then(Value::as_f64), match_values.get(k)) {
                        (Some(got), Some(bound)) => bound.as_f64().is_some_and(|b| got < b),
                        _ => true,
                    }
            })
        };
        let all: Vec<Value> = components
            .iter()
            .filter(|(id, _)| matches(id, &pattern_now) && smaller(id))
            .map(|(id, _)| one(id))
            .collect();
        return Some(Value::Array(all));
    }
    let (id, _) = components
        .iter()
        .find(|(id, _)| matches(id, &pattern_now))?;
    bind(pattern, id, match_values);
    Some(one(id))
}

/// The `(id, property)` targets of an `output` key of `_dash-dependencies`.
fn outputs_of(output: &str) -> Vec<(Value, String)> {
    let parts: Vec<&str> = if let Some(multi) = output.strip_prefix("..") {
        multi.trim_end_matches("..").split("...").collect()
    } else {
        vec![output]
    };
    parts
        .into_iter()
        .filter_map(|p| {
            let (id, prop) = p.rsplit_once('.')?;
            let id = if id.starts_with('{') {
                serde_json::from_str(id).ok()?
            } else {
                Value::from(id)
            };
            Some((id, prop.to_owned()))
        })
        .collect()
}

/// The request the renderer sends for dependency entry `d` on page load,
/// or `None` when it would not send one (a component is not in the layout).
fn seed(d: &Value, components: &Components) -> Option<Value> {
    let output = d["output"].as_str().unwrap_or("").to_owned();
    let mut match_values = Map::new();
    let list = |key: &str, match_values: &mut Map<String, Value>| -> Option<Vec<Value>> {
        d[key]
            .as_array()
            .into_iter()
            .flatten()
            .map(|i| {
                entry(
                    &dep_id(i),
                    i["property"].as_str().unwrap_or(""),
                    components,
                    match_values,
                    true,
                )
            })
            .collect()
    };
    let inputs = list("inputs", &mut match_values)?;
    let state = list("state", &mut match_values)?;
    let outputs: Vec<Value> = outputs_of(&output)
        .iter()
        .map(|(id, prop)| entry(id, prop, components, &mut match_values, false))
        .collect::<Option<_>>()?;
    let single = !output.starts_with("..");
    let changed: Vec<String> = inputs
        .iter()
        .filter_map(|i| {
            let id = i.get("id")?;
            Some(format!("{}.{}", stringify(id), i["property"].as_str()?))
        })
        .take(1)
        .collect();
    Some(json!({
        "output": output,
        "outputs": if single { outputs.into_iter().next().unwrap_or(Value::Null) } else { Value::Array(outputs) },
        "inputs": inputs,
        "state": state,
        "changedPropIds": changed,
    }))
}

/// The renderer's `stringifyId`: keys sorted, values as JSON.
pub fn stringify(id: &Value) -> String {
    match id {
        Value::Object(o) => {
            let mut keys: Vec<&String> = o.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys
                .iter()
                .map(|k| format!("{}:{}", Value::from(k.as_str()), o[*k]))
                .collect();
            format!("{{{}}}", parts.join(","))
        }
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
