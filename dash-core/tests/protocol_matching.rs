//! In-process tests of `POST _dash-update-component` for the callback
//! context (`callback_context()`) and pattern-matching ids (MATCH, ALL,
//! ALLSMALLER inputs and outputs, response keys byte for byte).

use axum::Router;
use axum::body::Body;
use bytes::Bytes;
use dash_core::{ALL, ALLSMALLER, Component, Dash, Input, MATCH, Output, callback_context, id};
use http::{HeaderMap, Request, StatusCode, header};
use serde_json::{Value, json};
use tower::ServiceExt as _;

// ---------------------------------------------------------------- helpers

fn app() -> Dash {
    let mut app = Dash::new();
    app.debug(false).assets_folder(None).layout(
        Component::new("dash_html_components", "Div")
            .id("root")
            .children(Component::new("dash_html_components", "Div").id("out")),
    );
    app
}

struct Resp {
    status: StatusCode,
    headers: HeaderMap,
    body: Bytes,
}

impl Resp {
    fn text(&self) -> String {
        String::from_utf8(self.body.to_vec()).expect("utf-8 body")
    }
    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }
    fn content_type(&self) -> &str {
        self.headers
            .get(header::CONTENT_TYPE)
            .map_or("", |v| v.to_str().unwrap())
    }
    /// The `error` message of a JSON error answer.
    fn error(&self) -> String {
        assert_eq!(self.content_type(), "application/json", "{}", self.text());
        self.json()["error"]
            .as_str()
            .unwrap_or_else(|| panic!("no error message: {}", self.text()))
            .to_owned()
    }
}

async fn post_raw(r: &Router, body: impl Into<Body>) -> Resp {
    let req = Request::post("/_dash-update-component")
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.into())
        .unwrap();
    let resp = r.clone().oneshot(req).await.expect("infallible router");
    let status = resp.status();
    let headers = resp.headers().clone();
    let body = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .expect("body");
    Resp {
        status,
        headers,
        body,
    }
}

async fn post(r: &Router, body: Value) -> Resp {
    post_raw(r, body.to_string()).await
}

fn inp(id: impl Into<Value>, prop: &str, value: impl Into<Value>) -> Value {
    json!({"id": id.into(), "property": prop, "value": value.into()})
}

fn target(id: impl Into<Value>, prop: &str) -> Value {
    json!({"id": id.into(), "property": prop})
}

/// A request body as the renderer builds it (no `state` key when empty).
fn body(output: &str, outputs: Value, inputs: Value, state: Value, changed: &[&str]) -> Value {
    let mut b = json!({
        "output": output,
        "outputs": outputs,
        "inputs": inputs,
        "changedPropIds": changed,
        "parsedChangedPropsIds": changed,
    });
    if state.as_array().is_some_and(|s| !s.is_empty()) {
        b["state"] = state;
    }
    b
}

/// The common single-output request: `out.children` from `in.value`.
fn simple(value: Value) -> Value {
    body(
        "out.children",
        target("out", "children"),
        json!([inp("in", "value", value)]),
        json!([]),
        &["in.value"],
    )
}

fn ok(resp: &Resp) -> Value {
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    assert_eq!(resp.content_type(), "application/json");
    resp.json()
}

fn no_content(resp: &Resp) {
    assert_eq!(resp.status, StatusCode::NO_CONTENT, "{}", resp.text());
    assert!(resp.body.is_empty(), "{}", resp.text());
}

fn build(a: Dash) -> Router {
    a.into_router().expect("the app builds")
}

fn with<F: FnOnce(&mut Dash)>(f: F) -> Router {
    let mut a = app();
    f(&mut a);
    build(a)
}

// ---------------------------------------------------------------- callback context

fn describe_context() -> Value {
    let ctx = callback_context().expect("inside a callback");
    let t = ctx.triggered();
    json!({
        "id": ctx.triggered_id().map(|i| i.to_string()),
        "count": t.len(),
        "prop_ids": t.iter().map(|t| t.prop_id.clone()).collect::<Vec<_>>(),
        "props": t.iter().map(|t| t.property.clone()).collect::<Vec<_>>(),
        "values": t.iter().map(|t| t.value.clone()).collect::<Vec<_>>(),
        "inputs_list": ctx.inputs_list(),
        "outputs_list": ctx.outputs_list(),
    })
}

#[tokio::test]
async fn callback_context_triggered() {
    let r = with(|a| {
        a.callback(
            Output::new("out", "children"),
            (
                Input::new("btn-a", "n_clicks"),
                Input::new(id! {"type": "b", "index": 7}, "n_clicks"),
            ),
            |_a: Option<i64>, _b: Option<i64>| describe_context(),
        );
    });
    let inputs = json!([
        inp("btn-a", "n_clicks", 1),
        inp(json!({"type": "b", "index": 7}), "n_clicks", 4)
    ]);
    let req = |changed: &[&str]| {
        body(
            "out.children",
            target("out", "children"),
            inputs.clone(),
            json!([]),
            changed,
        )
    };
    let v = ok(&post(&r, req(&["btn-a.n_clicks"])).await)["response"]["out"]["children"].clone();
    assert_eq!(v["id"], "btn-a");
    assert_eq!(v["prop_ids"], json!(["btn-a.n_clicks"]));
    assert_eq!(v["props"], json!(["n_clicks"]));
    assert_eq!(v["values"], json!([1]));
    assert_eq!(v["inputs_list"], inputs);
    assert_eq!(v["outputs_list"], target("out", "children"));

    let dict = r#"{"index":7,"type":"b"}.n_clicks"#;
    let v = ok(&post(&r, req(&[dict])).await)["response"]["out"]["children"].clone();
    assert_eq!(v["id"], r#"{"index":7,"type":"b"}"#);
    assert_eq!(v["props"], json!(["n_clicks"]));
    assert_eq!(v["values"], json!([4]));

    // Initial call: nothing triggered.
    let v = ok(&post(&r, req(&[])).await)["response"]["out"]["children"].clone();
    assert_eq!(v["id"], Value::Null);
    assert_eq!(v["count"], 0);
}

#[tokio::test]
async fn callback_context_in_async_callbacks() {
    let r = with(|a| {
        a.callback(
            Output::new("out", "children"),
            Input::new("in", "value"),
            |_v: Value| async {
                tokio::task::yield_now().await;
                describe_context()
            },
        );
    });
    let v = ok(&post(&r, simple(json!("q"))).await)["response"]["out"]["children"].clone();
    assert_eq!(v["id"], "in");
    assert_eq!(v["values"], json!(["q"]));
}

// ---------------------------------------------------------------- pattern matching

#[tokio::test]
async fn match_input_and_output_with_dict_ids() {
    let r = with(|a| {
        a.callback(
            Output::new(id! {"type": "x", "index": MATCH}, "children"),
            Input::new(id! {"type": "in", "index": MATCH}, "value"),
            |v: String| format!("{v}!"),
        );
    });
    let output = r#"{"index":["MATCH"],"type":"x"}.children"#;
    assert_eq!(dependencies(&r).await[0]["output"], output);
    let resp = post(
        &r,
        body(
            output,
            target(json!({"type": "x", "index": 1}), "children"),
            json!([inp(json!({"type": "in", "index": 1}), "value", "v")]),
            json!([]),
            &[r#"{"index":1,"type":"in"}.value"#],
        ),
    )
    .await;
    assert_eq!(resp.status, StatusCode::OK);
    assert_eq!(
        resp.text(),
        r#"{"multi":true,"response":{"{\"index\":1,\"type\":\"x\"}":{"children":"v!"}}}"#
    );
    // A float-looking integer from the browser keeps the integer key.
    let resp = post(
        &r,
        body(
            output,
            target(json!({"type": "x", "index": 2.0}), "children"),
            json!([inp(json!({"type": "in", "index": 2.0}), "value", "w")]),
            json!([]),
            &[],
        ),
    )
    .await;
    assert_eq!(
        ok(&resp),
        json!({"multi": true, "response": {r#"{"index":2,"type":"x"}"#: {"children": "w!"}}})
    );
    // String values and non-ASCII, unescaped as the renderer writes them.
    let resp = post(
        &r,
        body(
            output,
            target(json!({"type": "x", "index": "é\"ü"}), "children"),
            json!([inp(json!({"index": "é\"ü", "type": "in"}), "value", "u")]),
            json!([]),
            &[],
        ),
    )
    .await;
    assert_eq!(
        resp.text(),
        r#"{"multi":true,"response":{"{\"index\":\"é\\\"ü\",\"type\":\"x\"}":{"children":"u!"}}}"#
    );
}

#[tokio::test]
async fn match_with_a_float_index_keeps_the_browsers_key() {
    let r = with(|a| {
        a.callback(
            Output::new(id! {"type": "x", "index": MATCH}, "children"),
            Input::new(id! {"type": "in", "index": MATCH}, "value"),
            |v: String| v,
        );
    });
    let body_text = r#"{"output":"{\"index\":[\"MATCH\"],\"type\":\"x\"}.children","outputs":{"id":{"index":-930132.9119672619,"type":"x"},"property":"children"},"inputs":[{"id":{"index":-930132.9119672619,"type":"in"},"property":"value","value":"f"}],"changedPropIds":[]}"#;
    let resp = post_raw(&r, body_text).await;
    assert_eq!(
        resp.text(),
        r#"{"multi":true,"response":{"{\"index\":-930132.9119672619,\"type\":\"x\"}":{"children":"f"}}}"#
    );
}

#[tokio::test]
async fn all_input() {
    let r = with(|a| {
        a.callback(
            Output::new("out", "children"),
            Input::new(id! {"type": "n", "index": ALL}, "value"),
            |vals: Vec<Option<i64>>| vals.into_iter().flatten().sum::<i64>(),
        );
    });
    let output = "out.children";
    let items = json!([
        inp(json!({"type": "n", "index": 1}), "value", 1),
        inp(json!({"type": "n", "index": 2}), "value", 20),
        {"id": {"type": "n", "index": 3}, "property": "value"}
    ]);
    let resp = post(
        &r,
        body(
            output,
            target("out", "children"),
            json!([items]),
            json!([]),
            &[],
        ),
    )
    .await;
    assert_eq!(ok(&resp)["response"]["out"]["children"], 21);
    // No matching components: an empty list.
    let resp = post(
        &r,
        body(
            output,
            target("out", "children"),
            json!([[]]),
            json!([]),
            &[],
        ),
    )
    .await;
    assert_eq!(ok(&resp)["response"]["out"]["children"], 0);
}

#[tokio::test]
async fn all_output() {
    let r = with(|a| {
        a.callback(
            Output::new(id! {"type": "cell", "index": ALL}, "children"),
            Input::new(id! {"type": "n", "index": ALL}, "value"),
            |vals: Vec<i64>| {
                if vals.first() == Some(&-1) {
                    vec![0; 3]
                } else {
                    vals.into_iter().map(|v| v * 10).collect()
                }
            },
        );
    });
    let output = r#"{"index":["ALL"],"type":"cell"}.children"#;
    let targets = json!([
        target(json!({"type": "cell", "index": 1}), "children"),
        target(json!({"type": "cell", "index": 2}), "children")
    ]);
    let req = |a: i64, b: i64| {
        body(
            output,
            targets.clone(),
            json!([[
                inp(json!({"type": "n", "index": 1}), "value", a),
                inp(json!({"type": "n", "index": 2}), "value", b)
            ]]),
            json!([]),
            &[],
        )
    };
    let resp = post(&r, req(1, 2)).await;
    assert_eq!(
        ok(&resp),
        json!({"multi": true, "response": {
            r#"{"index":1,"type":"cell"}"#: {"children": 10},
            r#"{"index":2,"type":"cell"}"#: {"children": 20}
        }})
    );
    // Three values for two targets.
    let resp = post(&r, req(-1, 0)).await;
    assert_eq!(resp.status, StatusCode::INTERNAL_SERVER_ERROR);
    let msg = resp.error();
    assert!(
        msg.contains("matched 2 components") && msg.contains("returned 3 values"),
        "{msg}"
    );
    // No targets and no inputs.
    let resp = post(&r, body(output, json!([]), json!([[]]), json!([]), &[])).await;
    no_content(&resp);
}

#[tokio::test]
async fn allsmaller_input() {
    let r = with(|a| {
        a.callback(
            Output::new(id! {"type": "total", "index": MATCH}, "children"),
            (
                Input::new(id! {"type": "n", "index": MATCH}, "value"),
                Input::new(id! {"type": "n", "index": ALLSMALLER}, "value"),
            ),
            |me: i64, before: Vec<i64>| me + before.iter().sum::<i64>(),
        );
    });
    let resp = post(
        &r,
        body(
            r#"{"index":["MATCH"],"type":"total"}.children"#,
            target(json!({"type": "total", "index": 3}), "children"),
            json!([
                inp(json!({"type": "n", "index": 3}), "value", 100),
                [
                    inp(json!({"type": "n", "index": 1}), "value", 1),
                    inp(json!({"type": "n", "index": 2}), "value", 10)
                ]
            ]),
            json!([]),
            &[],
        ),
    )
    .await;
    assert_eq!(
        ok(&resp),
        json!({"multi": true, "response": {r#"{"index":3,"type":"total"}"#: {"children": 111}}})
    );
}

async fn dependencies(r: &Router) -> Value {
    let resp = r
        .clone()
        .oneshot(
            Request::get("/_dash-dependencies")
                .body(Body::empty())
                .unwrap(),
        )
        .await
        .unwrap();
    let bytes = axum::body::to_bytes(resp.into_body(), usize::MAX)
        .await
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}
