//! In-process protocol tests of `_dash-dependencies` and of the errors
//! `Dash::into_router()` reports for apps that cannot be served.

mod common;

use common::{app, get, matches_hex, router};
use dash_core::{
    ALL, ALLSMALLER, Callback, ClientsideFunction, Dash, Error, Input, MATCH, Output, State, id,
};
use http::{StatusCode, header};
use serde_json::{Value, json};

// ---------------------------------------------------------------- dependencies

/// The full `_dash-dependencies` entry of a server callback.
fn entry(output: &str, inputs: Value, state: Value, prevent: bool) -> Value {
    json!({
        "output": output,
        "inputs": inputs,
        "state": state,
        "clientside_function": null,
        "prevent_initial_call": prevent,
        "background": null,
        "dynamic_creator": false,
        "no_output": false,
        "optional": false,
        "hidden": false,
        "websocket": false,
        "persistent": false,
    })
}

/// The `_dash-dependencies` of `a`, checked to be a 200 JSON answer.
async fn dependencies(a: Dash) -> Value {
    let resp = get(&router(a), "/_dash-dependencies").await;
    assert_eq!(resp.status, StatusCode::OK);
    assert_eq!(resp.header(header::CONTENT_TYPE), "application/json");
    resp.json()
}

#[tokio::test]
async fn dependencies_of_plain_callbacks() {
    let mut a = app();
    a.callback(
        Output::new("out", "children"),
        Input::new("in", "value"),
        |v: Option<String>| v,
    );
    a.callback(
        (Output::new("a", "children"), Output::new("b", "children")),
        (Input::new("in", "n_clicks"), State::new("store", "data")),
        |_n: Option<i64>, _d: Value| ("x", "y"),
    );
    a.add_callback(
        Callback::new(
            Output::new("c", "children"),
            Input::new("in", "title"),
            |v: Option<String>| v,
        )
        .prevent_initial_call(true),
    );
    a.callback(
        Output::new("d", "children"),
        (
            Input::new("in", "id").allow_optional(),
            State::new("gone", "data").allow_optional(),
        ),
        |_a: Value, _b: Value| 1,
    );
    let deps = dependencies(a).await;
    assert_eq!(
        deps,
        json!([
            entry(
                "out.children",
                json!([{"id":"in","property":"value"}]),
                json!([]),
                false
            ),
            entry(
                "..a.children...b.children..",
                json!([{"id":"in","property":"n_clicks"}]),
                json!([{"id":"store","property":"data"}]),
                false
            ),
            entry(
                "c.children",
                json!([{"id":"in","property":"title"}]),
                json!([]),
                true
            ),
            entry(
                "d.children",
                json!([{"id":"in","property":"id","allow_optional":true}]),
                json!([{"id":"gone","property":"data","allow_optional":true}]),
                false
            ),
        ])
    );
}

#[tokio::test]
async fn dependencies_with_app_wide_prevent_initial_callbacks() {
    let mut a = app();
    a.prevent_initial_callbacks(true);
    a.callback(
        Output::new("out", "children"),
        Input::new("in", "value"),
        |v: Option<String>| v,
    );
    a.add_callback(
        Callback::new(
            Output::new("o2", "children"),
            Input::new("in", "title"),
            |v: Option<String>| v,
        )
        .prevent_initial_call(false),
    );
    let deps = dependencies(a).await;
    assert_eq!(deps[0]["prevent_initial_call"], true);
    assert_eq!(deps[1]["prevent_initial_call"], false);
}

#[tokio::test]
async fn dependencies_with_pattern_matching_ids() {
    let mut a = app();
    a.callback(
        Output::new(id! {"type": "x", "index": MATCH}, "children"),
        (
            Input::new(id! {"type": "in", "index": MATCH}, "value"),
            Input::new(id! {"type": "in", "index": ALLSMALLER}, "value"),
            State::new(id! {"type": "st", "index": ALL}, "data"),
        ),
        |_a: Value, _b: Value, _c: Value| 1,
    );
    a.callback(
        Output::new(id! {"type": "all", "index": ALL}, "children"),
        Input::new(id! {"index": 2.5, "flag": true, "name": "é\"q"}, "n_clicks"),
        |_n: Value| Vec::<i64>::new(),
    );
    let deps = dependencies(a).await;
    assert_eq!(
        deps[0]["output"],
        r#"{"index":["MATCH"],"type":"x"}.children"#
    );
    // Dependency ids travel stringified, as Python's `component_id_str()`:
    // the renderer's `computeGraphs` calls `parseIfWildcard(id)`, i.e.
    // `id.startsWith('{')`, which needs a string.
    assert_eq!(
        deps[0]["inputs"],
        json!([
            {"id":r#"{"index":["MATCH"],"type":"in"}"#,"property":"value"},
            {"id":r#"{"index":["ALLSMALLER"],"type":"in"}"#,"property":"value"}
        ])
    );
    assert_eq!(
        deps[0]["state"],
        json!([{"id":r#"{"index":["ALL"],"type":"st"}"#,"property":"data"}])
    );
    assert_eq!(
        deps[1]["output"],
        r#"{"index":["ALL"],"type":"all"}.children"#
    );
    assert_eq!(
        deps[1]["inputs"],
        json!([{"id":r#"{"flag":true,"index":2.5,"name":"é\"q"}"#,"property":"n_clicks"}])
    );
    // Keys sorted by the stringification, whatever the declaration order.
    let mut a = app();
    a.callback(
        Output::new(id! {"type": "x", "index": MATCH}, "children"),
        Input::new(id! {"z": 1, "a": 2}, "value"),
        |_v: Value| 1,
    );
    let raw = get(&router(a), "/_dash-dependencies").await.text();
    assert!(
        raw.contains(r#"{"id":"{\"a\":2,\"z\":1}","property":"value"}"#),
        "{raw}"
    );
}

#[tokio::test]
async fn dependencies_with_allow_duplicate() {
    let mut a = app();
    a.callback(
        Output::new("out", "children"),
        Input::new("in", "value"),
        |v: Option<String>| v,
    );
    a.callback(
        Output::new("out", "children").allow_duplicate(),
        Input::new("in", "n_clicks"),
        |_n: Option<i64>| "clicked",
    );
    a.callback(
        (
            Output::new("out", "children").allow_duplicate(),
            Output::new("other", "children"),
        ),
        Input::new("in", "title"),
        |_t: Option<String>| ("t", "u"),
    );
    let deps = dependencies(a).await;
    assert_eq!(deps.as_array().unwrap().len(), 3);
    assert_eq!(deps[0]["output"], "out.children");
    let dup = deps[1]["output"].as_str().unwrap();
    assert!(matches_hex(dup, "out.children@", ""), "{dup}");
    let multi = deps[2]["output"].as_str().unwrap();
    let (first, rest) = multi.strip_prefix("..").unwrap().split_once("...").unwrap();
    assert!(matches_hex(first, "out.children@", ""), "{multi}");
    assert_eq!(rest, "other.children..");
    // Different inputs: different suffixes.
    assert_ne!(dup, first);
}

#[tokio::test]
async fn dependencies_of_clientside_callbacks() {
    let src = "function(v) { return v + '</script>'; }";
    let mut a = app();
    a.clientside_callback(
        ClientsideFunction::inline(src),
        Output::new("out", "children"),
        (Input::new("in", "value"), State::new("in", "title")),
    );
    a.clientside_callback(
        ClientsideFunction::namespaced("clientside", "double"),
        Output::new("o2", "children"),
        Input::new("in", "n_clicks"),
    );
    let r = router(a);
    let deps = get(&r, "/_dash-dependencies").await.json();
    use sha2::Digest as _;
    let hash = hex::encode(sha2::Sha256::digest(src.as_bytes()));
    let mut want = entry(
        "out.children",
        json!([{"id":"in","property":"value"}]),
        json!([{"id":"in","property":"title"}]),
        false,
    );
    want["clientside_function"] =
        json!({"namespace": "_dashprivate_clientside_funcs", "function_name": hash});
    assert_eq!(deps[0], want);
    assert_eq!(
        deps[1]["clientside_function"],
        json!({"namespace": "clientside", "function_name": "double"})
    );

    // The inline source is defined in a script of the page, after the
    // component bundles and before the renderer starts.
    let page = get(&r, "/").await.text();
    let defined = format!("[\"{hash}\"] = function(v) {{ return v + '<\\/script>'; }}");
    let at = page
        .find(&defined)
        .unwrap_or_else(|| panic!("{defined} not in page:\n{page}"));
    assert!(page.contains("_dashprivate_clientside_funcs"));
    assert!(page.find("dash_table/bundle").unwrap() < at);
    assert!(at < page.find("new DashRenderer()").unwrap());
}

#[tokio::test]
async fn dependencies_of_no_output_running_and_hidden_callbacks() {
    let mut a = app();
    a.callback((), Input::new("in", "value"), |_v: Value| {
        dash_core::NoUpdate
    });
    a.add_callback(
        Callback::new(
            Output::new("out", "children"),
            Input::new("btn", "n_clicks"),
            |_n: Value| "x",
        )
        .running(Output::new("btn", "disabled"), true, false)
        .running(
            Output::new("spin", "style"),
            json!({"display": "block"}),
            json!({"display": "none"}),
        )
        .hidden(true),
    );
    let deps = dependencies(a).await;
    let no_output = &deps[0];
    let key = no_output["output"].as_str().unwrap();
    assert!(
        key.len() == 64 && key.chars().all(|c| c.is_ascii_hexdigit()),
        "{key}"
    );
    assert_eq!(no_output["no_output"], true);
    assert_eq!(
        no_output["inputs"],
        json!([{"id": "in", "property": "value"}])
    );

    let mut want = entry(
        "out.children",
        json!([{"id":"btn","property":"n_clicks"}]),
        json!([]),
        false,
    );
    want["hidden"] = json!(true);
    want["running"] = json!({
        "running": {"btn.disabled": true, "spin.style": {"display": "block"}},
        "runningOff": {"btn.disabled": false, "spin.style": {"display": "none"}}
    });
    assert_eq!(deps[1], want);
}

#[tokio::test]
async fn dependencies_of_an_app_without_callbacks() {
    assert_eq!(dependencies(app()).await, json!([]));
}

// ---------------------------------------------------------------- build errors

fn build_err(a: Dash) -> Error {
    match a.into_router() {
        Ok(_) => panic!("the app should not build"),
        Err(e) => e,
    }
}

/// Asserts that `a` does not build because two callbacks write `out.children`.
#[track_caller]
fn assert_duplicate_out_children(a: Dash) {
    let e = build_err(a);
    assert!(
        matches!(&e, Error::DuplicateOutput(p) if p == "out.children"),
        "{e:?}"
    );
}

#[test]
fn build_error_no_layout() {
    let mut a = Dash::new();
    a.assets_folder(None);
    let e = build_err(a);
    assert!(matches!(e, Error::Config(_)), "{e:?}");
    assert!(e.to_string().contains("layout"), "{e}");
}

#[test]
fn build_error_duplicate_output_multi_vs_single() {
    let mut a = app();
    a.callback(
        (Output::new("out", "children"), Output::new("x", "children")),
        Input::new("in", "value"),
        |_v: Value| (1, 2),
    );
    a.callback(
        Output::new("out", "children"),
        Input::new("in", "n_clicks"),
        |_v: Value| 1,
    );
    assert_duplicate_out_children(a);
}

#[test]
fn build_error_duplicate_single_output() {
    let mut a = app();
    a.callback(
        Output::new("out", "children"),
        Input::new("in", "value"),
        |_v: Value| 1,
    );
    a.callback(
        Output::new("out", "children"),
        Input::new("in", "n_clicks"),
        |_v: Value| 2,
    );
    assert_duplicate_out_children(a);
}

#[test]
fn build_error_no_input() {
    let mut a = app();
    a.callback(
        Output::new("out", "children"),
        State::new("in", "value"),
        |_v: Value| 1,
    );
    let e = build_err(a);
    assert!(matches!(e, Error::InvalidCallback(_)), "{e:?}");
    assert!(e.to_string().contains("no Input"), "{e}");

    let mut a = app();
    a.callback(Output::new("out", "children"), (), || 1);
    assert!(matches!(build_err(a), Error::InvalidCallback(_)));
}

#[test]
fn build_error_dotted_string_id() {
    for bad in ["my.input", "a{b", ""] {
        let mut a = app();
        a.callback(
            Output::new("out", "children"),
            Input::new(bad, "value"),
            |_v: Value| 1,
        );
        let e = build_err(a);
        assert!(matches!(e, Error::InvalidId(_)), "{bad:?}: {e:?}");
    }
    let mut a = app();
    a.callback(
        Output::new("o.ut", "children"),
        Input::new("in", "value"),
        |_v: Value| 1,
    );
    assert!(matches!(build_err(a), Error::InvalidId(_)));
}

#[test]
fn build_error_arity_mismatch() {
    let mut a = app();
    a.callback(
        Output::new("out", "children"),
        Input::new("in", "value"),
        |_a: Value, _b: Value| 1,
    );
    let e = build_err(a);
    assert!(matches!(e, Error::InvalidCallback(_)), "{e:?}");
    assert!(e.to_string().contains("2 parameters"), "{e}");

    // A 3-tuple for a 2-parameter function.
    let mut a = app();
    a.callback(
        Output::new("out", "children"),
        (
            Input::new("in", "value"),
            Input::new("in", "title"),
            Input::new("in", "id"),
        ),
        |_a: Value, _b: Value| 1,
    );
    assert!(matches!(build_err(a), Error::InvalidCallback(_)));
}

#[test]
fn build_error_allsmaller_in_output() {
    let mut a = app();
    a.callback(
        Output::new(id! {"type": "x", "index": ALLSMALLER}, "children"),
        Input::new(id! {"type": "in", "index": MATCH}, "value"),
        |_v: Value| 1,
    );
    let e = build_err(a);
    assert!(matches!(e, Error::InvalidCallback(_)), "{e:?}");
    assert!(e.to_string().contains("ALLSMALLER"), "{e}");
}

#[test]
fn build_error_output_among_inputs() {
    let mut a = app();
    a.callback(
        Output::new("out", "children"),
        (Input::new("in", "value"), Output::new("x", "y")),
        |_a: Value, _b: Value| 1,
    );
    assert!(matches!(build_err(a), Error::InvalidCallback(_)));
}
