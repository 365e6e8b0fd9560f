//! In-process tests of `POST _dash-update-component`: request details
//! (missing `value`/`state`, `@hash` suffixes) and every error answer
//! (400, 404, 413, 500 in production and debug mode, panics).

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use common::{
    assert_error, body, dependencies, from_title, get, inp, multi, ok, post, post_raw, router,
    simple, target, update_app, with,
};
use dash_core::{ALL, CallbackError, ClientsideFunction, Dash, Input, Output, State, id};
use http::StatusCode;
use serde_json::{Value, json};

// ---------------------------------------------------------------- helpers

/// The callback of `simple` requests that answers with its input:
/// `out.children` from `in.value`.
fn echo(a: &mut Dash) {
    a.callback(
        Output::new("out", "children"),
        Input::new("in", "value"),
        |v: String| v,
    );
}

// ---------------------------------------------------------------- request details

#[tokio::test]
async fn missing_value_is_null() {
    let r = with(|a| {
        a.callback(
            Output::new("out", "children"),
            Input::new("in", "n_submit"),
            |v: Option<String>| format!("{v:?}"),
        );
    });
    let req = body(
        "out.children",
        target("out", "children"),
        json!([{"id": "in", "property": "n_submit"}]),
        json!([]),
        &[],
    );
    assert_eq!(
        ok(&post(&r, req).await)["response"]["out"]["children"],
        "None"
    );
}

#[tokio::test]
async fn state_key_may_be_missing() {
    let r = with(|a| {
        echo(a);
        a.callback(
            Output::new("o2", "children"),
            (Input::new("in", "title"), State::new("s", "data")),
            |_t: Value, s: Value| s,
        );
    });
    // No `state` key at all for a callback without State.
    let mut req = simple(json!("v"));
    assert!(req.get("state").is_none());
    assert_eq!(
        ok(&post(&r, req.clone()).await)["response"]["out"]["children"],
        "v"
    );
    req["state"] = json!([]);
    assert_eq!(ok(&post(&r, req).await)["response"]["out"]["children"], "v");
    // A callback with State needs it.
    let req = from_title("o2", 1);
    let resp = post(&r, req).await;
    assert_error(&resp, StatusCode::BAD_REQUEST, "state");
}

#[tokio::test]
async fn duplicate_suffix_is_stripped_from_the_response() {
    let r = with(|a| {
        echo(a);
        a.callback(
            Output::new("out", "children").allow_duplicate(),
            Input::new("btn", "n_clicks"),
            |_n: Option<i64>| "reset",
        );
    });
    let deps = dependencies(&r).await;
    let key = deps[1]["output"].as_str().unwrap().to_owned();
    let (_, hash) = key.split_once('@').expect("an @hash suffix");
    let resp = post(
        &r,
        body(
            &key,
            target("out", format!("children@{hash}").as_str()),
            json!([inp("btn", "n_clicks", 1)]),
            json!([]),
            &["btn.n_clicks"],
        ),
    )
    .await;
    assert_eq!(
        ok(&resp),
        json!({"multi": true, "response": {"out": {"children": "reset"}}})
    );
    // The plain output is still the first callback's.
    assert_eq!(
        ok(&post(&r, simple(json!("typed"))).await)["response"]["out"]["children"],
        "typed"
    );
}

// ---------------------------------------------------------------- errors

#[tokio::test]
async fn malformed_json_is_400() {
    let r = with(echo);
    let resp = post_raw(&r, "{\"output\": ").await;
    assert_error(
        &resp,
        StatusCode::BAD_REQUEST,
        "not a valid callback request",
    );

    let resp = post_raw(&r, "[1, 2]").await;
    assert_eq!(resp.status, StatusCode::BAD_REQUEST);
    resp.error();

    let resp = post(&r, json!({"inputs": []})).await;
    assert_error(&resp, StatusCode::BAD_REQUEST, "output");

    let resp = post(&r, json!({"output": "out.children", "outputs": {"id": "out", "property": "children"}, "inputs": "nope"})).await;
    assert_error(&resp, StatusCode::BAD_REQUEST, "expected a sequence");
}

#[tokio::test]
async fn unknown_output_is_404() {
    let r = with(echo);
    let mut req = simple(json!("x"));
    req["output"] = json!("ghost.children");
    let resp = post(&r, req).await;
    assert_error(&resp, StatusCode::NOT_FOUND, "ghost.children");
}

#[tokio::test]
async fn wrong_number_of_inputs_is_400() {
    let r = with(echo);
    let mut req = simple(json!("x"));
    req["inputs"] = json!([inp("in", "value", "x"), inp("in", "title", "y")]);
    let resp = post(&r, req.clone()).await;
    assert_eq!(resp.status, StatusCode::BAD_REQUEST);
    let msg = resp.error();
    assert!(msg.contains('1') && msg.contains('2'), "{msg}");
    req["inputs"] = json!([]);
    assert_eq!(post(&r, req).await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn all_input_that_is_not_a_list_is_400() {
    let r = with(|a| {
        a.callback(
            Output::new("out", "children"),
            Input::new(id! {"type": "n", "index": ALL}, "value"),
            |v: Vec<Value>| v.len(),
        );
    });
    let req = body(
        "out.children",
        target("out", "children"),
        json!([inp(json!({"type": "n", "index": 1}), "value", 1)]),
        json!([]),
        &[],
    );
    let resp = post(&r, req).await;
    assert_error(&resp, StatusCode::BAD_REQUEST, "list");
}

#[tokio::test]
async fn input_item_not_an_object_is_400() {
    let r = with(|a| {
        a.callback(
            Output::new("out", "children"),
            Input::new("in", "value"),
            |v: Value| v,
        );
    });
    for bad in [
        json!("in.value"),
        json!(3),
        json!(null),
        json!({"value": 1}),
        json!({"id": "in", "property": 5}),
    ] {
        let mut req = simple(json!("x"));
        req["inputs"] = json!([bad.clone()]);
        let resp = post(&r, req).await;
        assert_eq!(
            resp.status,
            StatusCode::BAD_REQUEST,
            "{bad}: {}",
            resp.text()
        );
        resp.error();
    }
    // A malformed output target.
    let mut req = simple(json!("x"));
    req["outputs"] = json!("out.children");
    assert_eq!(post(&r, req).await.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn argument_type_mismatch_is_400() {
    let r = with(|a| {
        a.callback(
            Output::new("out", "children"),
            Input::new("in", "value"),
            |n: i64| n + 1,
        );
        a.callback(
            Output::new("o2", "children"),
            (Input::new("in", "title"), Input::new("in", "id")),
            |_a: String, b: i64| b,
        );
    });
    let resp = post(&r, simple(json!("not a number"))).await;
    assert_eq!(resp.status, StatusCode::BAD_REQUEST);
    let msg = resp.error();
    assert!(msg.contains("argument 1"), "{msg}");
    assert!(msg.contains("out.children"), "{msg}");

    let req = body(
        "o2.children",
        target("o2", "children"),
        json!([inp("in", "title", "ok"), inp("in", "id", "nan")]),
        json!([]),
        &[],
    );
    let resp = post(&r, req).await;
    assert_error(&resp, StatusCode::BAD_REQUEST, "argument 2");
}

fn failing_app(debug: bool) -> Router {
    let mut a = update_app();
    a.debug(debug);
    a.callback(
        Output::new("out", "children"),
        Input::new("in", "value"),
        |_v: Value| Err::<String, _>(CallbackError::msg("boom <b>")),
    );
    router(a)
}

#[tokio::test]
async fn callback_error_is_500_json_in_production() {
    let resp = post(&failing_app(false), simple(json!(1))).await;
    assert_error(&resp, StatusCode::INTERNAL_SERVER_ERROR, "boom <b>");
}

#[tokio::test]
async fn callback_error_is_500_html_in_debug() {
    let resp = post(&failing_app(true), simple(json!(1))).await;
    assert_eq!(resp.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(
        resp.content_type().starts_with("text/html"),
        "{}",
        resp.content_type()
    );
    let text = resp.text();
    assert!(text.contains("boom &lt;b&gt;"), "{text}");
}

#[tokio::test]
async fn std_errors_become_500() {
    let r = with(|a| {
        a.callback(
            Output::new("out", "children"),
            Input::new("in", "value"),
            |v: String| v.parse::<i64>(),
        );
    });
    assert_eq!(
        ok(&post(&r, simple(json!("12"))).await)["response"]["out"]["children"],
        12
    );
    let resp = post(&r, simple(json!("twelve"))).await;
    assert_error(&resp, StatusCode::INTERNAL_SERVER_ERROR, "invalid digit");
}

#[tokio::test]
async fn wrong_result_shape_is_500() {
    let r = with(|a| {
        a.callback(
            (Output::new("a", "children"), Output::new("b", "children")),
            Input::new("in", "value"),
            |_n: i64| vec![1, 2, 3],
        );
    });
    let resp = post(&r, multi(&[("a", "children"), ("b", "children")], 1, &[])).await;
    assert_error(&resp, StatusCode::INTERNAL_SERVER_ERROR, "expected 2");
}

#[tokio::test]
async fn panicking_callback_is_500_and_the_server_goes_on() {
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    let r = with(move |a| {
        a.callback(
            Output::new("out", "children"),
            Input::new("in", "value"),
            move |n: i64| {
                c.fetch_add(1, Ordering::SeqCst);
                if n == 0 {
                    panic!("sync kaboom");
                }
                n
            },
        );
        a.callback(
            Output::new("o2", "children"),
            Input::new("in", "title"),
            |n: i64| async move {
                tokio::task::yield_now().await;
                if n == 0 {
                    panic!("async kaboom");
                }
                n
            },
        );
    });
    let resp = post(&r, simple(json!(0))).await;
    assert_error(&resp, StatusCode::INTERNAL_SERVER_ERROR, "sync kaboom");
    assert_eq!(
        ok(&post(&r, simple(json!(7))).await)["response"]["out"]["children"],
        7
    );
    assert_eq!(calls.load(Ordering::SeqCst), 2);

    let resp = post(&r, from_title("o2", 0)).await;
    assert_error(&resp, StatusCode::INTERNAL_SERVER_ERROR, "async kaboom");
    assert_eq!(
        ok(&post(&r, from_title("o2", 8)).await)["response"]["o2"]["children"],
        8
    );
}

#[tokio::test]
async fn large_bodies_pass_under_the_default_limit() {
    // dcc.Upload contents travel base64-encoded in callback bodies: more
    // than axum's 2 MB extractor default must get through.
    let r = with(|a| {
        a.callback(
            Output::new("out", "children"),
            Input::new("in", "value"),
            |v: String| v.len(),
        );
    });
    let big = "A".repeat(3 * 1024 * 1024);
    assert_eq!(
        ok(&post(&r, simple(json!(big))).await)["response"]["out"]["children"],
        3 * 1024 * 1024
    );
}

#[tokio::test]
async fn oversized_body_is_413() {
    let mut a = update_app();
    a.max_body_bytes(100);
    echo(&mut a);
    let r = router(a);
    let resp = post(&r, simple(json!("x".repeat(200)))).await;
    assert_error(&resp, StatusCode::PAYLOAD_TOO_LARGE, "100");
    // A body within the limit works.
    let mut a = update_app();
    a.max_body_bytes(200);
    echo(&mut a);
    let r = router(a);
    let small = simple(json!("s")).to_string();
    assert!(small.len() <= 200, "{}", small.len());
    assert_eq!(
        ok(&post_raw(&r, small).await)["response"]["out"]["children"],
        "s"
    );
    assert_eq!(
        post(&r, simple(json!("x".repeat(200)))).await.status,
        StatusCode::PAYLOAD_TOO_LARGE
    );
}

#[tokio::test]
async fn clientside_output_posted_to_the_server_is_400() {
    let r = with(|a| {
        a.clientside_callback(
            ClientsideFunction::inline("function(v) { return v; }"),
            Output::new("out", "children"),
            Input::new("in", "value"),
        );
    });
    let resp = post(&r, simple(json!("x"))).await;
    assert_error(&resp, StatusCode::BAD_REQUEST, "clientside");
}

#[tokio::test]
async fn get_is_not_allowed_on_the_update_route() {
    let r = with(echo);
    let resp = get(&r, "/_dash-update-component").await;
    assert_eq!(resp.status, StatusCode::METHOD_NOT_ALLOWED);
}
