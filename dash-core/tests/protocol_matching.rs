//! In-process tests of `POST _dash-update-component` for the callback
//! context (`callback_context()`) and pattern-matching ids (MATCH, ALL,
//! ALLSMALLER inputs and outputs, response keys byte for byte).

mod common;

use common::{body, dependencies, inp, no_content, ok, post, post_raw, simple, target, with};
use dash_core::{ALL, ALLSMALLER, Input, MATCH, Output, callback_context, id};
use http::StatusCode;
use serde_json::{Value, json};

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
