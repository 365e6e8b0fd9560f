//! Hostile callback requests: each gets a prompt 4xx or 503 naming the
//! problem, and the app answers a normal request right after. Entries
//! must be the ones the callback declared (the renderer never sends
//! others); bodies, time and requests at once are bounded by `Limits`.

mod common;

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use bytes::Bytes;
use common::{assert_error, body, inp, ok, post, router, send, simple, target, update_app, with};
use dash_core::{ALL, ALLSMALLER, Dash, Input, Limits, MATCH, Output, id};
use futures_util::StreamExt as _;
use http::{Request, StatusCode, header};
use serde_json::{Value, json};
use tokio::sync::Notify;

/// `out.children` echoing `in.value`.
fn echo(a: &mut Dash) {
    a.callback(
        Output::new("out", "children"),
        Input::new("in", "value"),
        |v: Option<String>| v.unwrap_or_default(),
    );
}

/// The app still answers a normal request.
async fn still_answers(r: &axum::Router) {
    assert_eq!(
        ok(&post(r, simple(json!("fine"))).await)["response"]["out"]["children"],
        "fine"
    );
}

#[tokio::test]
async fn outputs_must_be_the_declared_ones() {
    let r = with(echo);
    // The `hello` attack: the output key is right, the target is not.
    let mut b = simple(json!("x"));
    b["outputs"] = target("secret", "children");
    let resp = post(&r, b).await;
    assert_error(
        &resp,
        StatusCode::BAD_REQUEST,
        "outputs[0] names component secret",
    );
    let mut b = simple(json!("x"));
    b["outputs"] = target("out", "style");
    assert_error(
        &post(&r, b).await,
        StatusCode::BAD_REQUEST,
        "names property \"style\"",
    );
    still_answers(&r).await;
}

#[tokio::test]
async fn inputs_and_state_must_be_the_declared_ones() {
    let r = with(|a| {
        a.callback(
            Output::new("out", "children"),
            (
                Input::new("in", "value"),
                dash_core::State::new("s", "data"),
            ),
            |v: Option<String>, _s: Value| v.unwrap_or_default(),
        );
    });
    let good = |inputs: Value, state: Value| {
        body(
            "out.children",
            target("out", "children"),
            inputs,
            state,
            &["in.value"],
        )
    };
    let resp = post(
        &r,
        good(
            json!([inp("other", "value", "x")]),
            json!([inp("s", "data", 1)]),
        ),
    )
    .await;
    assert_error(
        &resp,
        StatusCode::BAD_REQUEST,
        "inputs[0] names component other",
    );
    let resp = post(
        &r,
        good(
            json!([inp("in", "value", "x")]),
            json!([inp("s", "secret", 1)]),
        ),
    )
    .await;
    assert_error(
        &resp,
        StatusCode::BAD_REQUEST,
        "state[0] names property \"secret\"",
    );
    let resp = post(
        &r,
        good(
            json!([inp("in", "value", "x")]),
            json!([inp("s", "data", 1)]),
        ),
    )
    .await;
    assert_eq!(ok(&resp)["response"]["out"]["children"], "x");
}

#[tokio::test]
async fn changed_prop_ids_are_distinct_inputs_of_the_callback() {
    let r = with(echo);
    // One 256 KiB input named 4,000 times: each name would copy the value.
    let big = "v".repeat(256 * 1024);
    let mut b = simple(json!(big));
    b["changedPropIds"] = json!(vec!["in.value"; 4000]);
    let resp = post(&r, b).await;
    assert_error(
        &resp,
        StatusCode::BAD_REQUEST,
        "changedPropIds names \"in.value\" twice",
    );
    let mut b = simple(json!("x"));
    b["changedPropIds"] = json!(["secret.value"]);
    assert_error(
        &post(&r, b).await,
        StatusCode::BAD_REQUEST,
        "not an input of this callback",
    );
    let mut b = simple(json!("x"));
    b["changedPropIds"] = json!(["no-dot"]);
    assert_error(
        &post(&r, b).await,
        StatusCode::BAD_REQUEST,
        "is not \"<component id>.<property>\"",
    );
    still_answers(&r).await;
}

#[tokio::test]
async fn pattern_entries_must_fit_their_patterns() {
    let r = with(|a| {
        a.callback(
            Output::new(id! {"type": "out", "i": MATCH}, "children"),
            (
                Input::new(id! {"type": "in", "i": MATCH}, "value"),
                Input::new(id! {"type": "in", "i": ALLSMALLER}, "value"),
                Input::new(id! {"type": "all", "i": ALL}, "value"),
            ),
            |v: Value, before: Vec<Value>, all: Vec<Value>| {
                format!("{v} after {} of {}", before.len(), all.len())
            },
        );
    });
    let request = |out_i: i64, in_i: i64, smaller: &[i64], all: Value| {
        let before: Vec<Value> = smaller
            .iter()
            .map(|i| inp(json!({"type": "in", "i": i}), "value", *i))
            .collect();
        body(
            r#"{"i":["MATCH"],"type":"out"}.children"#,
            target(json!({"type": "out", "i": out_i}), "children"),
            json!([
                inp(json!({"type": "in", "i": in_i}), "value", "v"),
                before,
                all,
            ]),
            json!([]),
            &[&format!(r#"{{"i":{in_i},"type":"in"}}.value"#)],
        )
    };
    let all = json!([inp(json!({"type": "all", "i": "a"}), "value", 1)]);
    let resp = post(&r, request(2, 2, &[0, 1], all.clone())).await;
    assert_eq!(
        ok(&resp)["response"][r#"{"i":2,"type":"out"}"#]["children"],
        "\"v\" after 2 of 1"
    );
    // MATCH must name one component across the request.
    let resp = post(&r, request(2, 3, &[0], all.clone())).await;
    assert_error(
        &resp,
        StatusCode::BAD_REQUEST,
        "MATCH on \"i\" is 3 here but 2",
    );
    // ALLSMALLER only what sits below the MATCH value.
    let resp = post(&r, request(2, 2, &[5], all.clone())).await;
    assert_error(
        &resp,
        StatusCode::BAD_REQUEST,
        "not smaller than the MATCH value 2",
    );
    // An ALL entry of another type, or with a key too many.
    let other = json!([inp(json!({"type": "secret", "i": 1}), "value", 1)]);
    let resp = post(&r, request(2, 2, &[], other)).await;
    assert_error(
        &resp,
        StatusCode::BAD_REQUEST,
        "inputs[2][0] names component",
    );
    let extra = json!([inp(json!({"type": "all", "i": 1, "x": 0}), "value", 1)]);
    let resp = post(&r, request(2, 2, &[], extra)).await;
    assert_error(
        &resp,
        StatusCode::BAD_REQUEST,
        "inputs[2][0] names component",
    );
}

#[tokio::test]
async fn dict_ids_with_too_many_keys_are_refused() {
    let r = with(echo);
    let mut huge = serde_json::Map::new();
    for k in 0..100_000 {
        huge.insert(format!("k{k}"), json!(k));
    }
    let mut b = simple(json!("x"));
    b["inputs"] = json!([inp(Value::Object(huge), "value", "x")]);
    let resp = post(&r, b).await;
    assert_error(&resp, StatusCode::BAD_REQUEST, "more than 64 keys");
    still_answers(&r).await;
}

/// A body that sends `first` and then never anything more.
fn stalled(first: Bytes) -> Body {
    let chunks = futures_util::stream::once(async move { Ok::<_, std::io::Error>(first) })
        .chain(futures_util::stream::pending());
    Body::from_stream(chunks)
}

fn limited(limits: Limits) -> axum::Router {
    let mut a = update_app();
    a.limits(limits);
    echo(&mut a);
    router(a)
}

/// Answers within `secs` (the guard keeps a hang from stalling the suite).
async fn answer(r: &axum::Router, req: Request<Body>, secs: u64) -> common::Resp {
    tokio::time::timeout(Duration::from_secs(secs), send(r, req))
        .await
        .expect("the server answers instead of waiting")
}

#[tokio::test]
async fn a_body_announced_over_the_limit_is_refused_before_it_is_read() {
    let r = limited(Limits::default());
    let req = Request::post("/_dash-update-component")
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CONTENT_LENGTH, 64 * 1024 * 1024)
        .body(stalled(Bytes::from(vec![b' '; 1024 * 1024])))
        .unwrap();
    let resp = answer(&r, req, 20).await;
    assert_error(
        &resp,
        StatusCode::PAYLOAD_TOO_LARGE,
        "limit of 16777216 bytes",
    );
    still_answers(&r).await;
}

#[tokio::test]
async fn a_trickled_body_times_out() {
    let r = limited(Limits {
        body_timeout: Duration::from_millis(200),
        ..Limits::default()
    });
    let req = Request::post("/_dash-update-component")
        .header(header::CONTENT_TYPE, "application/json")
        .body(stalled(Bytes::from_static(b"{\"output\": ")))
        .unwrap();
    let resp = answer(&r, req, 20).await;
    assert_error(
        &resp,
        StatusCode::REQUEST_TIMEOUT,
        "did not arrive within 0.2 s",
    );
    still_answers(&r).await;
}

#[tokio::test]
async fn a_slow_request_gets_503_at_the_timeout_and_load_is_shed() {
    let release = Arc::new(Notify::new());
    let mut a = update_app();
    a.limits(Limits {
        request_timeout: Duration::from_millis(300),
        max_concurrent_requests: 1,
        ..Limits::default()
    });
    let wait = release.clone();
    a.callback(
        Output::new("out", "children"),
        Input::new("in", "value"),
        move |v: Option<String>| {
            let wait = wait.clone();
            async move {
                if v.as_deref() == Some("hold") {
                    wait.notified().await;
                }
                v.unwrap_or_default()
            }
        },
    );
    let r = router(a);
    let held = {
        let r = r.clone();
        tokio::spawn(async move { post(&r, simple(json!("hold"))).await })
    };
    // While it is held, the next request is shed at once.
    let mut shed = None;
    for _ in 0..100 {
        let resp = post(&r, simple(json!("next"))).await;
        if resp.status == StatusCode::SERVICE_UNAVAILABLE {
            shed = Some(resp);
            break;
        }
        tokio::task::yield_now().await;
    }
    let shed = shed.expect("a second request at once is shed");
    assert!(
        shed.error().contains("busy (1 requests under way)"),
        "{}",
        shed.error()
    );
    assert_eq!(shed.header(header::RETRY_AFTER), "1");
    // The held one ends at the timeout with a message.
    let timed_out = held.await.unwrap();
    assert_error(
        &timed_out,
        StatusCode::SERVICE_UNAVAILABLE,
        "did not finish within",
    );
    assert_eq!(timed_out.header(header::RETRY_AFTER), "1");
    release.notify_waiters();
    still_answers(&r).await;
}
