//! Callbacks registered for every app of the process: at link time with
//! `dash_core::register_callbacks!` (inventory) and at run time with
//! `dash_core::callback(...)`. They live in their own test binary because
//! every app built in it gets them.

mod common;

use axum::Router;
use common::{Resp, get, update_app};
use dash_core::{Callback, ClientsideFunction, Error, Input, MATCH, Output, id};
use http::StatusCode;
use serde_json::{Value, json};

/// The status and body of an answer: its JSON, else its text, else null
/// when empty.
fn status_and_value(resp: Resp) -> (StatusCode, Value) {
    let v = if resp.body.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&resp.body)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&resp.body).into()))
    };
    (resp.status, v)
}

async fn dependencies(r: &Router) -> Vec<Value> {
    let (status, v) = status_and_value(get(r, "/_dash-dependencies").await);
    assert_eq!(status, StatusCode::OK);
    v.as_array().unwrap().clone()
}

async fn post(r: &Router, body: Value) -> (StatusCode, Value) {
    status_and_value(common::post(r, body).await)
}

fn outputs_of(deps: &[Value]) -> Vec<&str> {
    deps.iter().map(|d| d["output"].as_str().unwrap()).collect()
}

// A component crate ships its callbacks like this (All-in-One pattern).
fn echo_component_callbacks() -> Vec<Callback> {
    vec![
        Callback::new(
            Output::new(
                id! {"component": "EchoAIO", "subcomponent": "out", "aio_id": MATCH},
                "children",
            ),
            Input::new(
                id! {"component": "EchoAIO", "subcomponent": "in", "aio_id": MATCH},
                "value",
            ),
            |v: Option<String>| format!("echo: {}", v.unwrap_or_default()),
        )
        .prevent_initial_call(true),
    ]
}
dash_core::register_callbacks!(echo_component_callbacks);

const ECHO_OUTPUT: &str =
    r#"{"aio_id":["MATCH"],"component":"EchoAIO","subcomponent":"out"}.children"#;

#[tokio::test]
async fn link_time_callbacks_reach_every_app() {
    for _ in 0..2 {
        let r = update_app().into_router().unwrap();
        let deps = dependencies(&r).await;
        let echo = deps
            .iter()
            .find(|d| d["output"] == ECHO_OUTPUT)
            .unwrap_or_else(|| panic!("the registered callback is missing: {deps:#?}"));
        assert_eq!(
            echo["inputs"],
            json!([{"id": r#"{"aio_id":["MATCH"],"component":"EchoAIO","subcomponent":"in"}"#, "property": "value"}])
        );
        assert_eq!(echo["prevent_initial_call"], true);
        let (status, v) = post(
            &r,
            json!({
                "output": ECHO_OUTPUT,
                "outputs": {"id": {"component": "EchoAIO", "subcomponent": "out", "aio_id": "a1"}, "property": "children"},
                "inputs": [{"id": {"component": "EchoAIO", "subcomponent": "in", "aio_id": "a1"}, "property": "value", "value": "hi"}],
                "changedPropIds": [r#"{"aio_id":"a1","component":"EchoAIO","subcomponent":"in"}.value"#],
            }),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{v}");
        assert_eq!(
            v,
            json!({"multi": true, "response": {
                r#"{"aio_id":"a1","component":"EchoAIO","subcomponent":"out"}"#: {"children": "echo: hi"}
            }})
        );
    }
}

#[tokio::test]
async fn runtime_callbacks_reach_apps_built_afterwards() {
    let before = update_app().into_router().unwrap();
    assert!(!outputs_of(&dependencies(&before).await).contains(&"rt-out.children"));

    dash_core::callback(
        Output::new("rt-out", "children"),
        Input::new("rt-in", "value"),
        |v: i64| v * 3,
    );
    dash_core::clientside_callback(
        Output::new("rt-cs", "children"),
        Input::new("rt-in", "value"),
        ClientsideFunction::namespaced("ns", "fn"),
    );

    let mut a = update_app();
    // The app's own callbacks come first.
    a.callback(
        Output::new("own", "children"),
        Input::new("own-in", "value"),
        |v: Value| v,
    );
    let r = a.into_router().unwrap();
    let deps = dependencies(&r).await;
    let outs = outputs_of(&deps);
    assert_eq!(outs[0], "own.children");
    assert!(outs.contains(&"rt-out.children"), "{outs:?}");
    assert!(outs.contains(&ECHO_OUTPUT), "{outs:?}");
    let cs = deps
        .iter()
        .find(|d| d["output"] == "rt-cs.children")
        .unwrap();
    assert_eq!(
        cs["clientside_function"],
        json!({"namespace": "ns", "function_name": "fn"})
    );

    let (status, v) = post(
        &r,
        json!({
            "output": "rt-out.children",
            "outputs": {"id": "rt-out", "property": "children"},
            "inputs": [{"id": "rt-in", "property": "value", "value": 5}],
            "changedPropIds": ["rt-in.value"],
        }),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(
        v,
        json!({"multi": true, "response": {"rt-out": {"children": 15}}})
    );

    // The router built before the registration does not know it.
    let (status, _) = post(
        &before,
        json!({
            "output": "rt-out.children",
            "outputs": {"id": "rt-out", "property": "children"},
            "inputs": [{"id": "rt-in", "property": "value", "value": 5}],
        }),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_global_callback_also_added_to_the_app_is_kept_once() {
    let mut a = update_app();
    for cb in echo_component_callbacks() {
        a.add_callback(cb);
    }
    let r = a.into_router().unwrap();
    let deps = dependencies(&r).await;
    assert_eq!(
        outputs_of(&deps)
            .iter()
            .filter(|o| **o == ECHO_OUTPUT)
            .count(),
        1
    );
}

#[test]
fn an_app_callback_clashing_with_a_global_one_is_a_duplicate_output() {
    // Same output as the registered echo callback, but a multi-output
    // callback: a different callback writing the same property.
    let mut a = update_app();
    a.callback(
        (
            Output::new(
                id! {"component": "EchoAIO", "subcomponent": "out", "aio_id": MATCH},
                "children",
            ),
            Output::new(
                id! {"component": "EchoAIO", "subcomponent": "out", "aio_id": MATCH},
                "title",
            ),
        ),
        Input::new(
            id! {"component": "EchoAIO", "subcomponent": "in", "aio_id": MATCH},
            "n_submit",
        ),
        |_n: Value| ("a", "b"),
    );
    match a.into_router() {
        Err(Error::DuplicateOutput(p)) => assert_eq!(
            p,
            r#"{"aio_id":["MATCH"],"component":"EchoAIO","subcomponent":"out"}.children"#
        ),
        Err(e) => panic!("wrong error: {e:?}"),
        Ok(_) => panic!("the app should not build"),
    }
}
