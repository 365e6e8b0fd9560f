//! In-process protocol tests (`tower::ServiceExt::oneshot` on
//! `Dash::into_router()`): the index page and `_dash-config`, the catch-all,
//! `_dash-layout`, and an app mounted under a URL prefix.
//!
//! Other protocol tests: `protocol_deps.rs` (`_dash-dependencies`, build
//! errors), `protocol_static.rs` (component suites, favicon, reload hash,
//! assets), `protocol_callbacks.rs` and `protocol_errors.rs`
//! (`_dash-update-component`), `protocol_global.rs` (callbacks registered for
//! every app, which would leak into the apps of the other files).

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use common::{
    CONFIG_OPEN, app, between, config, config_text, div, get, matches_hex, post_to, router,
    script_srcs, unfingerprint,
};
use dash_core::{Component, Dash, Input, Output, Resource, id};
use http::{StatusCode, header};
use serde_json::{Value, json};

// ---------------------------------------------------------------- index page

const PROD_ORDER: [&str; 9] = [
    "/_dash-component-suites/dash/deps/polyfill@7.12.1.min.js",
    "/_dash-component-suites/dash/deps/react@18.3.1.min.js",
    "/_dash-component-suites/dash/deps/react-dom@18.3.1.min.js",
    "/_dash-component-suites/dash/deps/prop-types@15.8.1.min.js",
    "/_dash-component-suites/dash/dash-renderer/build/dash_renderer.min.js",
    "/_dash-component-suites/dash/dcc/dash_core_components.js",
    "/_dash-component-suites/dash/dcc/dash_core_components-shared.js",
    "/_dash-component-suites/dash/html/dash_html_components.min.js",
    "/_dash-component-suites/dash/dash_table/bundle.js",
];

#[tokio::test]
async fn index_page_in_production() {
    let r = router(app());
    let resp = get(&r, "/").await;
    assert_eq!(resp.status, StatusCode::OK);
    assert_eq!(
        resp.header(header::CONTENT_TYPE),
        "text/html; charset=utf-8"
    );
    let page = resp.text();
    assert!(page.contains(r#"<div id="react-entry-point">"#), "{page}");
    assert!(page.contains(
        r#"<script id="_dash-renderer" type="application/javascript">var renderer = new DashRenderer();</script>"#
    ));
    assert!(page.contains("<title>Dash</title>"));
    assert!(page.contains(r#"<link rel="icon" type="image/x-icon" href="/_favicon.ico?v=4.4.1">"#));

    let c = config(&page);
    assert_eq!(c["requests_pathname_prefix"], "/");
    assert_eq!(c["disable_version_check"], true);
    assert_eq!(c["ui"], false);
    assert_eq!(c["props_check"], false);
    assert_eq!(c["serve_locally"], true);
    assert_eq!(c["update_title"], "Updating...");
    assert!(
        c.get("hot_reload").is_none(),
        "no hot reload in production: {c}"
    );
    let cp = &c["children_props"];
    assert!(cp.is_object(), "{c}");
    assert_eq!(cp["dash_core_components"]["Tab"], json!(["label"]));
    assert_eq!(
        cp["dash_core_components"]["Loading"],
        json!(["custom_spinner"])
    );
    assert_eq!(
        cp["dash_core_components"]["Clipboard"],
        json!(["copied_children"])
    );

    let srcs = script_srcs(&page);
    let plain: Vec<String> = srcs.iter().map(|s| unfingerprint(s)).collect();
    assert_eq!(plain, PROD_ORDER, "scripts: {srcs:#?}");
    assert!(
        matches_hex(
            &srcs[1],
            "/_dash-component-suites/dash/deps/react@18.v4_4_1m",
            ".3.1.min.js"
        ),
        "{}",
        srcs[1]
    );
    assert!(matches_hex(
        &srcs[5],
        "/_dash-component-suites/dash/dcc/dash_core_components.v4_4_1m",
        ".js"
    ));
    assert!(matches_hex(
        &srcs[8],
        "/_dash-component-suites/dash/dash_table/bundle.v7_4_1m",
        ".js"
    ));
    // Every bundle is fingerprinted.
    assert!(srcs.iter().zip(&plain).all(|(s, p)| s != p), "{srcs:#?}");
    // The config comes before the scripts, the renderer call last.
    let cfg_at = page.find(CONFIG_OPEN).unwrap();
    let first_script = page.find("<script src=").unwrap();
    let renderer_call = page.find("new DashRenderer()").unwrap();
    assert!(cfg_at < first_script && first_script < renderer_call);
}

#[tokio::test]
async fn index_page_in_debug_mode() {
    let mut a = app();
    a.debug(true);
    let r = router(a);
    let page = get(&r, "/").await.text();
    let c = config(&page);
    assert_eq!(c["ui"], true);
    assert_eq!(c["props_check"], true);
    assert_eq!(c["validate_callbacks"], true);
    assert_eq!(c["disable_version_check"], true);
    assert!(c["hot_reload"]["interval"].is_number(), "{c}");
    let srcs = script_srcs(&page);
    let plain: Vec<String> = srcs.iter().map(|s| unfingerprint(s)).collect();
    assert_eq!(
        plain,
        [
            "/_dash-component-suites/dash/deps/polyfill@7.12.1.min.js",
            "/_dash-component-suites/dash/deps/react@18.3.1.js",
            "/_dash-component-suites/dash/deps/react-dom@18.3.1.js",
            "/_dash-component-suites/dash/deps/prop-types@15.8.1.js",
            "/_dash-component-suites/dash/dash-renderer/build/dash_renderer.dev.js",
            "/_dash-component-suites/dash/dcc/dash_core_components.js",
            "/_dash-component-suites/dash/dcc/dash_core_components-shared.js",
            "/_dash-component-suites/dash/dcc/proptypes.js",
            "/_dash-component-suites/dash/html/dash_html_components.min.js",
            "/_dash-component-suites/dash/dash_table/bundle.js",
        ]
    );
    assert!(matches_hex(
        &srcs[1],
        "/_dash-component-suites/dash/deps/react@18.v4_4_1m",
        ".3.1.js"
    ));
    assert!(matches_hex(
        &srcs[4],
        "/_dash-component-suites/dash/dash-renderer/build/dash_renderer.v4_4_1m",
        ".dev.js"
    ));
}

#[tokio::test]
async fn index_escapes_title_and_config() {
    let mut a = Dash::new();
    a.debug(false)
        .assets_folder(None)
        .title("</script><b>A & \"B\"</b>")
        .update_title(Some("</script>".into()))
        // A function layout is sent as `validation_layout` in the config.
        .layout_fn(|| div("x").children("</script><script>alert(1)</script>"));
    let page = get(&router(a), "/").await.text();
    assert!(
        page.contains("<title>&lt;/script&gt;&lt;b&gt;A &amp; &quot;B&quot;&lt;/b&gt;</title>"),
        "{page}"
    );
    let raw = config_text(&page);
    assert!(raw.contains(r"\u003c\u002fscript\u003e"), "{raw}");
    assert!(
        !raw.contains('<') && !raw.contains('>') && !raw.contains('/'),
        "{raw}"
    );
    let c: Value = serde_json::from_str(raw).unwrap();
    assert_eq!(c["update_title"], "</script>");
    assert_eq!(
        c["validation_layout"]["props"]["children"],
        "</script><script>alert(1)</script>"
    );
    // The page holds exactly the scripts it should: the payload did not open one.
    assert_eq!(page.matches("<script>alert(1)").count(), 0);
}

#[tokio::test]
async fn validation_layout_only_when_callback_exceptions_are_not_suppressed() {
    let mut a = Dash::new();
    a.debug(false).assets_folder(None).layout_fn(|| div("x"));
    let c = config(&get(&router(a), "/").await.text());
    assert_eq!(
        c["validation_layout"],
        json!({"type":"Div","namespace":"dash_html_components","props":{"id":"x"}})
    );
    assert_eq!(c["suppress_callback_exceptions"], false);

    let mut a = Dash::new();
    a.debug(false)
        .assets_folder(None)
        .suppress_callback_exceptions(true)
        .layout_fn(|| div("x"));
    let c = config(&get(&router(a), "/").await.text());
    assert!(c.get("validation_layout").is_none(), "{c}");
    assert_eq!(c["suppress_callback_exceptions"], true);

    // A static layout needs no validation layout.
    let c = config(&get(&router(app()), "/").await.text());
    assert!(c.get("validation_layout").is_none(), "{c}");
}

#[tokio::test]
async fn unknown_paths_serve_the_index() {
    let r = router(app());
    let root = get(&r, "/").await.text();
    for path in ["/some/deep/page", "/page-2", "/a/b/c/d?x=1"] {
        let resp = get(&r, path).await;
        assert_eq!(resp.status, StatusCode::OK, "{path}");
        assert_eq!(
            resp.header(header::CONTENT_TYPE),
            "text/html; charset=utf-8"
        );
        assert_eq!(resp.text(), root, "{path}");
    }
}

#[tokio::test]
async fn external_resources_and_meta_tags() {
    let mut a = app();
    a.external_stylesheet(
        Resource::new("https://cdn.example/s.css")
            .attr("integrity", "sha384-x")
            .attr("crossorigin", "anonymous"),
    )
    .external_script("https://cdn.example/x.js?a=1&b=2")
    .meta_tag([("name", "description"), ("content", "A \"quoted\" <app>")]);
    let page = get(&router(a), "/").await.text();
    let head = between(&page, "<head>", "</head>");
    assert!(
        head.contains(r#"<link rel="stylesheet" href="https://cdn.example/s.css" integrity="sha384-x" crossorigin="anonymous">"#),
        "{head}"
    );
    assert!(
        head.contains(r#"<meta name="description" content="A &quot;quoted&quot; &lt;app&gt;">"#),
        "{head}"
    );
    assert!(head.contains(r#"<meta name="viewport""#));
    assert!(head.contains(r#"<meta charset="UTF-8">"#));
    let srcs = script_srcs(&page);
    let ext = srcs
        .iter()
        .position(|s| s == "https://cdn.example/x.js?a=1&b=2")
        .expect("external script");
    let prop_types = srcs.iter().position(|s| s.contains("prop-types")).unwrap();
    let renderer = srcs
        .iter()
        .position(|s| s.contains("dash_renderer"))
        .unwrap();
    assert!(prop_types < ext && ext < renderer, "{srcs:#?}");
}

// ---------------------------------------------------------------- layout

#[tokio::test]
async fn static_layout_is_served_exactly() {
    let r = router(app());
    let resp = get(&r, "/_dash-layout").await;
    assert_eq!(resp.status, StatusCode::OK);
    assert_eq!(resp.header(header::CONTENT_TYPE), "application/json");
    assert_eq!(
        resp.text(),
        r#"{"type":"Div","namespace":"dash_html_components","props":{"id":"root","children":[{"type":"Div","namespace":"dash_html_components","props":{"id":"in"}},{"type":"Div","namespace":"dash_html_components","props":{"id":"out"}}]}}"#
    );
}

#[tokio::test]
async fn list_layout_and_dict_ids() {
    let mut a = Dash::new();
    a.debug(false).assets_folder(None).layout(vec![
        Component::new("dash_html_components", "Div").id(id! {"type": "x", "index": 1}),
        Component::new("dash_core_components", "Store")
            .id("s")
            .prop("data", json!({"k": [1, 2.5]})),
    ]);
    let resp = get(&router(a), "/_dash-layout").await;
    assert_eq!(
        resp.json(),
        json!([
            {"type":"Div","namespace":"dash_html_components","props":{"id":{"index":1,"type":"x"}}},
            {"type":"Store","namespace":"dash_core_components","props":{"id":"s","data":{"k":[1,2.5]}}}
        ])
    );
}

#[tokio::test]
async fn layout_function_runs_per_request() {
    let calls = Arc::new(AtomicUsize::new(0));
    let c = calls.clone();
    let mut a = Dash::new();
    a.debug(false).assets_folder(None).layout_fn(move || {
        let n = c.fetch_add(1, Ordering::SeqCst) + 1;
        div("x").children(format!("call {n}"))
    });
    let r = router(a);
    let before = calls.load(Ordering::SeqCst);
    let one = get(&r, "/_dash-layout").await;
    assert_eq!(one.status, StatusCode::OK);
    assert_eq!(one.header(header::CONTENT_TYPE), "application/json");
    let two = get(&r, "/_dash-layout").await;
    assert_eq!(calls.load(Ordering::SeqCst), before + 2);
    assert_eq!(
        one.json(),
        json!({"type":"Div","namespace":"dash_html_components","props":{"id":"x","children":format!("call {}", before + 1)}})
    );
    assert_eq!(
        two.json()["props"]["children"],
        format!("call {}", before + 2)
    );
}

#[tokio::test]
async fn panicking_layout_function_gives_500() {
    let mut a = Dash::new();
    a.debug(false)
        .assets_folder(None)
        .suppress_callback_exceptions(true)
        .layout_fn(|| -> Component { panic!("layout exploded") });
    let r = router(a);
    let resp = get(&r, "/_dash-layout").await;
    assert_eq!(resp.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(resp.json()["error"].is_string());
    // The server keeps serving.
    assert_eq!(get(&r, "/_dash-dependencies").await.status, StatusCode::OK);
}

// ---------------------------------------------------------------- mounting under a prefix

#[tokio::test]
async fn mounted_under_a_prefix() {
    let mut a = app();
    a.url_prefix("/dash/");
    a.callback(
        Output::new("out", "children"),
        Input::new("in", "value"),
        |v: Option<String>| v,
    );
    let r = Router::new()
        .route("/health", axum::routing::get(|| async { "ok" }))
        .merge(a.into_router().unwrap());

    let health = get(&r, "/health").await;
    assert_eq!(health.status, StatusCode::OK);
    assert_eq!(health.text(), "ok");

    let page = get(&r, "/dash/").await;
    assert_eq!(page.status, StatusCode::OK);
    let page = page.text();
    assert_eq!(config(&page)["requests_pathname_prefix"], "/dash/");
    assert!(page.contains(r#"href="/dash/_favicon.ico?v=4.4.1""#));
    let srcs = script_srcs(&page);
    assert!(
        srcs.iter()
            .all(|s| s.starts_with("/dash/_dash-component-suites/")),
        "{srcs:#?}"
    );
    assert_eq!(get(&r, &srcs[0]).await.status, StatusCode::OK);

    let layout = get(&r, "/dash/_dash-layout").await;
    assert_eq!(layout.status, StatusCode::OK);
    assert_eq!(layout.json()["props"]["id"], "root");
    let deps = get(&r, "/dash/_dash-dependencies").await.json();
    assert_eq!(deps[0]["output"], "out.children");
    assert_eq!(get(&r, "/dash/_favicon.ico").await.status, StatusCode::OK);
    assert_eq!(get(&r, "/dash/_reload-hash").await.status, StatusCode::OK);
    let deep = get(&r, "/dash/some/page").await;
    assert_eq!(deep.status, StatusCode::OK);
    assert!(deep.text().contains("react-entry-point"));

    let post = post_to(
        &r,
        "/dash/_dash-update-component",
        json!({"output":"out.children","outputs":{"id":"out","property":"children"},
               "inputs":[{"id":"in","property":"value","value":"hi"}],"changedPropIds":[]})
        .to_string(),
    )
    .await;
    assert_eq!(post.status, StatusCode::OK);
    assert_eq!(
        post.json(),
        json!({"multi":true,"response":{"out":{"children":"hi"}}})
    );

    let bare = get(&r, "/dash").await;
    assert!(bare.status.is_redirection(), "{}", bare.status);
    assert_eq!(bare.header(header::LOCATION), "/dash/");

    // Paths outside the prefix are not the app's.
    assert_eq!(get(&r, "/_dash-layout").await.status, StatusCode::NOT_FOUND);
    assert_eq!(get(&r, "/elsewhere").await.status, StatusCode::NOT_FOUND);
}

#[test]
fn url_prefix_is_normalised() {
    for (given, want) in [
        ("dash", "/dash/"),
        ("/dash", "/dash/"),
        ("dash/", "/dash/"),
        ("/a/b/", "/a/b/"),
    ] {
        let mut a = app();
        a.url_prefix(given);
        let r = router(a);
        // The router's time limits need a runtime with timers.
        let page = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap()
            .block_on(async { get(&r, want).await.text() });
        assert_eq!(config(&page)["requests_pathname_prefix"], want, "{given}");
    }
}
