//! The extension API: app-scoped state, extensions (explicit and at link
//! time), component libraries and props made at render. Its own test
//! binary, because the link-time extension reaches every app built in it.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{body, config, get, inp, ok, post, router, script_srcs, target, unfingerprint};
use dash_core::prelude::*;
use dash_core::{ComponentLibrary, Extension, LinkWhen};
use http::StatusCode;
use serde_json::{Value, json};

/// A store-like value each app holds its own of.
struct Greeting(&'static str);

/// Counts, per app, how often the extension is applied to it.
#[derive(Default)]
struct Applied(AtomicUsize);

/// What a community crate does: callbacks with MATCH on its ids, a
/// stylesheet and a script, a default state value.
struct Gauges;
impl Extension for Gauges {
    fn name(&self) -> &str {
        "test-gauges"
    }
    fn register(&self, app: &mut Dash) {
        app.app_state()
            .get_or_default::<Applied>()
            .0
            .fetch_add(1, Ordering::SeqCst);
        app.init_state(|| Greeting("default"));
        app.component_library(
            ComponentLibrary::new("test_gauges", "0.2.0")
                .script("gauges.min.js", &b"window.test_gauges = {};"[..])
                .stylesheet("gauges.css", &b".gauge { color: teal }"[..])
                .file("gauges.dev.js", &b"/* dev */"[..], LinkWhen::Dev)
                .served("async-chunk.js", &b"/* chunk */"[..])
                .children_props("test_gauges", "Gauge", ["label", "marks[].label"]),
        );
        app.add_callback(Callback::new(
            Output::new(
                id! {"component": "GaugeAio", "subcomponent": "out", "aio_id": MATCH},
                "children",
            ),
            Input::new(
                id! {"component": "GaugeAio", "subcomponent": "in", "aio_id": MATCH},
                "value",
            ),
            |v: Option<String>| -> Result<String, CallbackError> {
                let g = app_state()?.require::<Greeting>()?;
                Ok(format!("{} {}", g.0, v.unwrap_or_default()))
            },
        ));
    }
}
dash_core::register_extension!(Gauges);

fn base() -> Dash {
    let mut app = Dash::new();
    app.debug(false).assets_folder(None).layout(
        html::Div::new()
            .id("root")
            .children(html::Div::new().id("out")),
    );
    app
}

fn gauge_request(aio: &str, value: &str) -> Value {
    let out = json!({"component": "GaugeAio", "subcomponent": "out", "aio_id": aio});
    let inp_id = json!({"component": "GaugeAio", "subcomponent": "in", "aio_id": aio});
    body(
        r#"{"aio_id":["MATCH"],"component":"GaugeAio","subcomponent":"out"}.children"#,
        target(out, "children"),
        json!([inp(inp_id, "value", value)]),
        json!([]),
        &[],
    )
}

#[tokio::test]
async fn two_apps_in_one_process_hold_their_own_state() {
    let mut a = base();
    a.state(Greeting("hej"));
    let mut b = base();
    b.state(Greeting("hola"));
    let c = base(); // keeps the extension's default
    let (a, b, c) = (router(a), router(b), router(c));
    let answer =
        |r: Value| r["response"].as_object().unwrap().values().next().unwrap()["children"].clone();
    assert_eq!(
        answer(ok(&post(&a, gauge_request("x", "Ada")).await)),
        "hej Ada"
    );
    assert_eq!(
        answer(ok(&post(&b, gauge_request("x", "Ada")).await)),
        "hola Ada"
    );
    assert_eq!(
        answer(ok(&post(&c, gauge_request("y", "Bo")).await)),
        "default Bo"
    );
}

#[tokio::test]
async fn an_extension_is_applied_once_however_it_arrives() {
    let mut app = base();
    app.extension(Gauges).extension(Gauges);
    assert!(app.has_extension("test-gauges"));
    let state = app.app_state().clone();
    let r = router(app); // the link-time registration finds it applied
    assert_eq!(state.get::<Applied>().unwrap().0.load(Ordering::SeqCst), 1);
    let deps = common::dependencies(&r).await;
    let gauge_callbacks = deps
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["output"].as_str().unwrap().contains("GaugeAio"))
        .count();
    assert_eq!(gauge_callbacks, 1);
    // A closure is an extension too.
    let mut app = base();
    app.extension(|app: &mut Dash| {
        app.state(Greeting("closure"));
    });
    let answer = ok(&post(&router(app), gauge_request("z", "C")).await);
    assert_eq!(
        answer["response"]
            .as_object()
            .unwrap()
            .values()
            .next()
            .unwrap()["children"],
        "closure C"
    );
}

#[tokio::test]
async fn a_library_is_linked_served_and_declares_its_children_props() {
    let r = router(base());
    let page = get(&r, "/").await.text();
    let srcs: Vec<String> = script_srcs(&page)
        .iter()
        .map(|s| unfingerprint(s))
        .collect();
    let pos = |p: &str| {
        srcs.iter()
            .position(|s| s == p)
            .unwrap_or_else(|| panic!("{p} not linked: {srcs:?}"))
    };
    // After the renderer and Dash's own libraries, which register the same way.
    assert!(
        pos("/_dash-component-suites/test_gauges/gauges.min.js")
            > pos("/_dash-component-suites/dash/dash_table/bundle.js")
    );
    assert!(
        pos("/_dash-component-suites/dash/dcc/dash_core_components.js")
            > pos("/_dash-component-suites/dash/dash-renderer/build/dash_renderer.min.js")
    );
    assert!(
        !srcs
            .iter()
            .any(|s| s.contains("gauges.dev.js") || s.contains("async-chunk")),
        "{srcs:?}"
    );
    assert!(
        page.contains("/_dash-component-suites/test_gauges/gauges.v0_2_0m"),
        "fingerprinted"
    );
    let css_at = page.find("gauges.v0_2_0m").unwrap();
    assert!(
        css_at < page.find("</head>").unwrap(),
        "the stylesheet is in the head"
    );
    let cfg = config(&page);
    assert_eq!(
        cfg["children_props"]["test_gauges"]["Gauge"],
        json!(["label", "marks[].label"])
    );
    assert_eq!(
        cfg["children_props"]["dash_core_components"]["Tab"],
        json!(["label"])
    );
    // Served, fingerprinted or not, with its content type.
    let js = get(&r, "/_dash-component-suites/test_gauges/gauges.min.js").await;
    assert_eq!(js.status, StatusCode::OK);
    assert_eq!(js.text(), "window.test_gauges = {};");
    assert!(js.content_type().starts_with("text/javascript"));
    let chunk = get(&r, "/_dash-component-suites/test_gauges/async-chunk.js").await;
    assert_eq!(chunk.text(), "/* chunk */");
    let css = get(&r, "/_dash-component-suites/test_gauges/gauges.css").await;
    assert!(css.content_type().starts_with("text/css"));
    let missing = get(&r, "/_dash-component-suites/test_gauges/nope.js").await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    // In debug mode the dev file is linked.
    let mut dev = base();
    dev.debug(true);
    let page = get(&router(dev), "/").await.text();
    let srcs: Vec<String> = script_srcs(&page)
        .iter()
        .map(|s| unfingerprint(s))
        .collect();
    assert!(
        srcs.iter()
            .any(|s| s == "/_dash-component-suites/test_gauges/gauges.dev.js"),
        "dev bundle linked in debug mode: {srcs:?}"
    );
}

#[test]
fn a_library_with_a_bad_name_or_a_clashing_file_is_a_startup_error() {
    let mut app = base();
    app.component_library(ComponentLibrary::new("bad/name", "1"));
    let Err(e) = app.into_router() else {
        panic!("rejected")
    };
    let e = e.to_string();
    assert!(e.contains("bad/name"), "{e}");
    let mut app = base();
    app.component_library(
        ComponentLibrary::new("dash", "1").script("dcc/dash_core_components.js", &b""[..]),
    );
    let Err(e) = app.into_router() else {
        panic!("rejected")
    };
    let e = e.to_string();
    assert!(e.contains("dash/dcc/dash_core_components.js"), "{e}");
}

/// A component whose `title` prop is made from the rendering app's state,
/// counting how often it is made.
fn greeting_div(id: &str, made: Arc<AtomicUsize>) -> html::Div {
    let c = Component::new("dash_html_components", "Div")
        .id(id)
        .deferred_prop("title", move |state: &AppState| {
            made.fetch_add(1, Ordering::SeqCst);
            let g = state.get::<Greeting>().ok_or("no greeting")?;
            Ok(Value::from(g.0))
        });
    html::Div::new().children(c)
}

#[tokio::test]
async fn props_made_at_render_use_the_apps_state() {
    // A fixed layout: made once, when the app starts serving.
    let made = Arc::new(AtomicUsize::new(0));
    let mut app = base();
    app.state(Greeting("static"))
        .layout(html::Div::new().children(greeting_div("g", made.clone())));
    let r = router(app);
    assert_eq!(made.load(Ordering::SeqCst), 1);
    for _ in 0..2 {
        let layout = get(&r, "/_dash-layout").await.json();
        assert_eq!(
            layout["props"]["children"]["props"]["children"]["props"]["title"],
            "static"
        );
    }
    assert_eq!(made.load(Ordering::SeqCst), 1);

    // A layout function: made on every page load, from this app's state.
    let made = Arc::new(AtomicUsize::new(0));
    let mut app = base();
    let m = made.clone();
    app.state(Greeting("per request"))
        .suppress_callback_exceptions(true)
        .layout_fn(move || greeting_div("g", m.clone()));
    let r = router(app);
    for n in 1..=2 {
        let layout = get(&r, "/_dash-layout").await.json();
        assert_eq!(layout["props"]["children"]["props"]["title"], "per request");
        assert_eq!(made.load(Ordering::SeqCst), n);
    }

    // A maker's error is a 500 naming it.
    struct Missing;
    let mut app = base();
    app.suppress_callback_exceptions(true).layout_fn(|| {
        Component::new("dash_html_components", "Div").deferred_prop("title", |s: &AppState| {
            s.get::<Missing>()
                .map(|_| Value::Null)
                .ok_or_else(|| "no greeting".to_owned())
        })
    });
    let r = router(app);
    let resp = get(&r, "/_dash-layout").await;
    assert_eq!(resp.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(resp.text().contains("no greeting"), "{}", resp.text());
}

#[tokio::test]
async fn props_made_at_render_in_a_callbacks_output() {
    let mut app = base();
    app.state(Greeting("from callback"));
    app.callback(
        Output::new("out", "children"),
        Input::new("in", "value"),
        |_v: Option<String>| greeting_div("inner", Arc::default()),
    );
    let r = router(app);
    let req = body(
        "out.children",
        target("out", "children"),
        json!([inp("in", "value", "x")]),
        json!([]),
        &["in.value"],
    );
    let v = ok(&post(&r, req).await);
    assert_eq!(
        v["response"]["out"]["children"]["props"]["children"]["props"]["title"],
        "from callback"
    );
}
