//! In-process tests of `POST _dash-update-component`: callback shapes,
//! no-update and PreventUpdate, `set_props`, `Patch` and `no_output`
//! callbacks. The callback context and pattern-matching ids are in
//! `protocol_matching.rs`, error answers in `protocol_errors.rs`.

mod common;

use common::{
    body, dependencies, from_title, inp, multi, no_content, ok, post, simple, target, with,
};
use dash_core::{
    CallbackError, Component, Input, NoUpdate, Output, Patch, PreventUpdate, State, Update,
    callback_context, id, named, set_props,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

// ---------------------------------------------------------------- callback shapes

#[tokio::test]
async fn single_output() {
    let r = with(|a| {
        a.callback(
            Output::new("out", "children"),
            Input::new("in", "value"),
            |v: String| format!("Hello {v}"),
        );
    });
    let resp = post(&r, simple(json!("x"))).await;
    assert_eq!(
        ok(&resp),
        json!({"multi": true, "response": {"out": {"children": "Hello x"}}})
    );
    assert_eq!(
        resp.text(),
        r#"{"multi":true,"response":{"out":{"children":"Hello x"}}}"#
    );
}

#[tokio::test]
async fn multi_output_tuple() {
    let r = with(|a| {
        a.callback(
            (Output::new("a", "children"), Output::new("b", "style")),
            Input::new("in", "value"),
            |n: i64| (n + 1, json!({"width": n * 2})),
        );
    });
    let resp = post(
        &r,
        multi(&[("a", "children"), ("b", "style")], 3, &["in.value"]),
    )
    .await;
    assert_eq!(
        ok(&resp),
        json!({"multi": true, "response": {"a": {"children": 4}, "b": {"style": {"width": 6}}}})
    );
}

#[tokio::test]
async fn two_props_of_one_component() {
    let r = with(|a| {
        a.callback(
            (Output::new("a", "children"), Output::new("a", "title")),
            Input::new("in", "value"),
            |v: String| (v.clone(), v.to_uppercase()),
        );
    });
    let resp = post(&r, multi(&[("a", "children"), ("a", "title")], "q", &[])).await;
    assert_eq!(
        ok(&resp),
        json!({"multi": true, "response": {"a": {"children": "q", "title": "Q"}}})
    );
}

#[derive(Serialize)]
struct Powers {
    square: i64,
    cube: i64,
}

#[tokio::test]
async fn named_outputs() {
    let r =
        with(|a| {
            a.callback(
            named! { square: Output::new("sq", "children"), cube: Output::new("cu", "children") },
            Input::new("in", "value"),
            |n: i64| Powers { square: n * n, cube: n * n * n },
        );
        });
    let deps = dependencies(&r).await;
    assert_eq!(deps[0]["output"], "..sq.children...cu.children..");
    let resp = post(
        &r,
        multi(&[("sq", "children"), ("cu", "children")], 3, &["in.value"]),
    )
    .await;
    assert_eq!(
        ok(&resp),
        json!({"multi": true, "response": {"sq": {"children": 9}, "cu": {"children": 27}}})
    );
}

#[derive(Deserialize)]
struct Weather {
    city: String,
    units: Option<String>,
}

#[tokio::test]
async fn named_inputs() {
    let r = with(|a| {
        a.callback(
            Output::new("out", "children"),
            named! { city: Input::new("city", "value"), units: State::new("units", "value") },
            |w: Weather| format!("{} in {}", w.city, w.units.unwrap_or_else(|| "K".into())),
        );
    });
    let resp = post(
        &r,
        body(
            "out.children",
            target("out", "children"),
            json!([inp("city", "value", "Oslo")]),
            json!([inp("units", "value", "C")]),
            &["city.value"],
        ),
    )
    .await;
    assert_eq!(ok(&resp)["response"]["out"]["children"], "Oslo in C");
    // A state whose value is absent.
    let resp = post(
        &r,
        body(
            "out.children",
            target("out", "children"),
            json!([inp("city", "value", "Rome")]),
            json!([{"id": "units", "property": "value"}]),
            &[],
        ),
    )
    .await;
    assert_eq!(ok(&resp)["response"]["out"]["children"], "Rome in K");
}

#[tokio::test]
async fn grouped_nested_inputs() {
    let r = with(|a| {
        a.callback(
            Output::new("out", "children"),
            (
                Input::new("a", "value"),
                (Input::new("b", "value"), State::new("c", "value")),
            ),
            |a: i64, (b, c): (i64, i64)| a + 10 * b + 100 * c,
        );
    });
    let resp = post(
        &r,
        body(
            "out.children",
            target("out", "children"),
            json!([inp("a", "value", 1), inp("b", "value", 2)]),
            json!([inp("c", "value", 3)]),
            &["a.value"],
        ),
    )
    .await;
    assert_eq!(ok(&resp)["response"]["out"]["children"], 321);
}

#[tokio::test]
async fn async_callback() {
    let r = with(|a| {
        a.callback(
            Output::new("out", "children"),
            Input::new("in", "value"),
            |n: i64| async move {
                tokio::task::yield_now().await;
                Ok::<_, CallbackError>(n * 2)
            },
        );
    });
    assert_eq!(
        ok(&post(&r, simple(json!(21))).await)["response"]["out"]["children"],
        42
    );
}

#[tokio::test]
async fn components_as_values() {
    let r = with(|a| {
        a.callback(
            Output::new("out", "children"),
            Input::new("in", "value"),
            |v: String| {
                Component::new("dash_html_components", "B")
                    .id("bold")
                    .children(v)
            },
        );
    });
    assert_eq!(
        ok(&post(&r, simple(json!("x"))).await)["response"]["out"]["children"],
        json!({"type": "B", "namespace": "dash_html_components", "props": {"id": "bold", "children": "x"}})
    );
}

// ---------------------------------------------------------------- no update, PreventUpdate

fn two_outputs(values: Value) -> Value {
    multi(
        &[("a", "children"), ("b", "children")],
        values,
        &["in.value"],
    )
}

#[tokio::test]
async fn no_update_outputs_are_omitted() {
    let r = with(|a| {
        a.callback(
            (Output::new("a", "children"), Output::new("b", "children")),
            Input::new("in", "value"),
            |n: i64| -> (Update<String>, Update<String>) {
                match n {
                    0 => (Update::NoUpdate, Update::Set("b0".into())),
                    1 => (Update::Set("a1".into()), Update::NoUpdate),
                    _ => (Update::NoUpdate, Update::NoUpdate),
                }
            },
        );
    });
    assert_eq!(
        ok(&post(&r, two_outputs(json!(0))).await),
        json!({"multi": true, "response": {"b": {"children": "b0"}}})
    );
    assert_eq!(
        ok(&post(&r, two_outputs(json!(1))).await),
        json!({"multi": true, "response": {"a": {"children": "a1"}}})
    );
    no_content(&post(&r, two_outputs(json!(2))).await);
}

#[tokio::test]
async fn no_update_struct() {
    let r = with(|a| {
        a.callback(
            (Output::new("a", "children"), Output::new("b", "children")),
            Input::new("in", "value"),
            |_n: i64| (NoUpdate, "b"),
        );
        a.callback(
            Output::new("out", "children"),
            Input::new("in", "title"),
            |_t: Value| NoUpdate,
        );
    });
    assert_eq!(
        ok(&post(&r, two_outputs(json!(0))).await),
        json!({"multi": true, "response": {"b": {"children": "b"}}})
    );
    let single = from_title("out", "t");
    no_content(&post(&r, single).await);
}

#[tokio::test]
async fn prevent_update_gives_204() {
    let r = with(|a| {
        a.callback(
            Output::new("out", "children"),
            Input::new("in", "value"),
            |n: Option<i64>| {
                let n = n.ok_or(PreventUpdate)?;
                Ok::<_, PreventUpdate>(n)
            },
        );
        a.callback(
            Output::new("o2", "children"),
            Input::new("in", "title"),
            |_t: Value| Err::<String, _>(CallbackError::prevent_update()),
        );
    });
    no_content(&post(&r, simple(Value::Null)).await);
    assert_eq!(
        ok(&post(&r, simple(json!(5))).await)["response"]["out"]["children"],
        5
    );
    let other = from_title("o2", 1);
    no_content(&post(&r, other).await);
}

// ---------------------------------------------------------------- set_props, Patch

#[tokio::test]
async fn set_props_travels_as_side_update() {
    let r = with(|a| {
        a.callback(
            Output::new("out", "children"),
            Input::new("in", "value"),
            |v: String| {
                assert!(set_props("status", json!({"children": format!("saw {v}")})));
                set_props("status", json!({"title": "t"}));
                set_props(id! {"type": "card", "index": 2}, json!({"hidden": true}));
                v
            },
        );
    });
    let resp = post(&r, simple(json!("x"))).await;
    assert_eq!(
        ok(&resp),
        json!({
            "multi": true,
            "response": {"out": {"children": "x"}},
            "sideUpdate": {
                "status": {"children": "saw x", "title": "t"},
                r#"{"index":2,"type":"card"}"#: {"hidden": true}
            }
        })
    );
}

#[tokio::test]
async fn set_props_from_async_callbacks() {
    let r = with(|a| {
        a.callback(
            Output::new("out", "children"),
            Input::new("in", "value"),
            |v: String| async move {
                tokio::task::yield_now().await;
                set_props("status", json!({"children": v.clone()}));
                NoUpdate
            },
        );
    });
    let resp = post(&r, simple(json!("y"))).await;
    assert_eq!(
        ok(&resp),
        json!({"multi": true, "response": {}, "sideUpdate": {"status": {"children": "y"}}})
    );
}

#[tokio::test]
async fn set_props_with_no_update_and_prevent_update() {
    let r = with(|a| {
        a.callback(
            Output::new("out", "children"),
            Input::new("in", "value"),
            |v: String| {
                set_props("status", json!({"children": v}));
                NoUpdate
            },
        );
        a.callback(
            Output::new("o2", "children"),
            Input::new("in", "title"),
            |v: String| {
                set_props("status", json!({"children": v}));
                Err::<String, _>(PreventUpdate)
            },
        );
    });
    assert_eq!(
        ok(&post(&r, simple(json!("z"))).await),
        json!({"multi": true, "response": {}, "sideUpdate": {"status": {"children": "z"}}})
    );
    let other = from_title("o2", "p");
    assert_eq!(
        ok(&post(&r, other).await),
        json!({"multi": true, "response": {}, "sideUpdate": {"status": {"children": "p"}}})
    );
}

/// A callback with no outputs (Dash's `no_output`): the renderer posts no
/// `outputs` key; only side updates come back.
fn no_output_request(key: &str, value: Value) -> Value {
    json!({
        "output": key,
        "inputs": [inp("in", "value", value)],
        "changedPropIds": ["in.value"],
    })
}

#[tokio::test]
async fn no_output_callback_with_set_props() {
    let r = with(|a| {
        a.callback((), Input::new("in", "value"), |v: Option<String>| {
            if let Some(v) = v {
                set_props("status", json!({"children": v}));
            }
            NoUpdate
        });
    });
    let key = dependencies(&r).await[0]["output"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        ok(&post(&r, no_output_request(&key, json!("s"))).await),
        json!({"multi": true, "response": {}, "sideUpdate": {"status": {"children": "s"}}})
    );
    no_content(&post(&r, no_output_request(&key, Value::Null)).await);
}

#[tokio::test]
async fn no_output_callback_returning_unit() {
    let r = with(|a| {
        a.callback((), Input::new("in", "value"), |v: String| {
            set_props("status", json!({"children": v}));
        });
    });
    let key = dependencies(&r).await[0]["output"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        ok(&post(&r, no_output_request(&key, json!("u"))).await),
        json!({"multi": true, "response": {}, "sideUpdate": {"status": {"children": "u"}}})
    );
}

#[test]
fn set_props_outside_a_callback_is_ignored() {
    assert!(!set_props("x", json!({"a": 1})));
    assert!(callback_context().is_none());
}

#[tokio::test]
async fn patch_result() {
    let r = with(|a| {
        a.callback(
            Output::new("out", "children"),
            Input::new("in", "value"),
            |v: String| {
                Patch::new()
                    .append((), v)
                    .assign([0], "first")
                    .insert((), 1, json!({"k": 1}))
                    .delete(["x", "y"])
            },
        );
    });
    assert_eq!(
        ok(&post(&r, simple(json!("new"))).await)["response"]["out"]["children"],
        json!({
            "__dash_patch_update": "__dash_patch_update",
            "operations": [
                {"operation": "Append", "location": [], "params": {"value": "new"}},
                {"operation": "Assign", "location": [0], "params": {"value": "first"}},
                {"operation": "Insert", "location": [], "params": {"index": 1, "value": {"k": 1}}},
                {"operation": "Delete", "location": ["x", "y"], "params": {}}
            ]
        })
    );
}
