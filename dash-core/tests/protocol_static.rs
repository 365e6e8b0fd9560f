//! In-process protocol tests of the static routes: component suites
//! (fingerprints, caching, ETags, gzip), `_favicon.ico`, `_reload-hash` and
//! the assets folder.

mod common;

use std::io::Read as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use common::{app, between, get, get_with, router, script_srcs, unfingerprint};
use http::{StatusCode, header};

// ---------------------------------------------------------------- helpers

/// A temporary directory removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        static N: AtomicUsize = AtomicUsize::new(0);
        let p = std::env::temp_dir().join(format!(
            "dash-core-protocol-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&p);
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

// ---------------------------------------------------------------- component suites

async fn page_srcs(r: &Router) -> Vec<String> {
    script_srcs(&get(r, "/").await.text())
}

#[tokio::test]
async fn fingerprinted_bundles_are_cached_for_a_year() {
    let r = router(app());
    for src in page_srcs(&r).await {
        let resp = get(&r, &src).await;
        assert_eq!(resp.status, StatusCode::OK, "{src}");
        assert!(
            resp.header(header::CACHE_CONTROL)
                .contains("max-age=31536000"),
            "{src}"
        );
        assert_eq!(
            resp.header(header::CONTENT_TYPE),
            "text/javascript; charset=utf-8"
        );
        assert!(!resp.body.is_empty());
        // The same bytes under the plain name.
        let plain = get(&r, &unfingerprint(&src)).await;
        assert_eq!(plain.status, StatusCode::OK);
        assert_eq!(plain.body, resp.body, "{src}");
    }
}

#[tokio::test]
async fn any_fingerprint_is_stripped() {
    // Fingerprints the server never issued (Python's mtime form) are accepted too.
    let r = router(app());
    let a = get(
        &r,
        "/_dash-component-suites/dash/dcc/dash_core_components.v4_4_1m1795700879.js",
    )
    .await;
    assert_eq!(a.status, StatusCode::OK);
    assert!(a.header(header::CACHE_CONTROL).contains("max-age=31536000"));
    let b = get(
        &r,
        "/_dash-component-suites/dash/dcc/dash_core_components.js",
    )
    .await;
    assert_eq!(a.body, b.body);
}

#[tokio::test]
async fn unfingerprinted_bundles_use_etags() {
    let r = router(app());
    let url = "/_dash-component-suites/dash/dcc/async-graph.js";
    let resp = get(&r, url).await;
    assert_eq!(resp.status, StatusCode::OK);
    assert_eq!(
        resp.header(header::CONTENT_TYPE),
        "text/javascript; charset=utf-8"
    );
    assert!(!resp.header(header::CACHE_CONTROL).contains("31536000"));
    let etag = resp.header(header::ETAG).to_owned();
    assert!(
        etag.starts_with('"') && etag.ends_with('"') && etag.len() > 2,
        "{etag}"
    );

    let again = get_with(&r, url, header::IF_NONE_MATCH, &etag).await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    assert!(again.body.is_empty());
    let listed = get_with(&r, url, header::IF_NONE_MATCH, &format!("\"zzz\", {etag}")).await;
    assert_eq!(listed.status, StatusCode::NOT_MODIFIED);

    let stale = get_with(&r, url, header::IF_NONE_MATCH, "\"not-the-etag\"").await;
    assert_eq!(stale.status, StatusCode::OK);
    assert_eq!(stale.body, resp.body);
}

#[tokio::test]
async fn bundles_are_gzipped_on_request() {
    let r = router(app());
    let url = "/_dash-component-suites/dash/dcc/async-graph.js";
    let plain = get(&r, url).await;
    assert!(plain.headers.get(header::CONTENT_ENCODING).is_none());
    let gz = get_with(&r, url, header::ACCEPT_ENCODING, "gzip, deflate, br").await;
    assert_eq!(gz.status, StatusCode::OK);
    assert_eq!(gz.header(header::CONTENT_ENCODING), "gzip");
    assert!(
        gz.header(header::VARY)
            .to_ascii_lowercase()
            .contains("accept-encoding")
    );
    assert!(gz.body.len() < plain.body.len());
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(&gz.body[..])
        .read_to_end(&mut out)
        .unwrap();
    assert_eq!(out, plain.body.to_vec());

    let refused = get_with(&r, url, header::ACCEPT_ENCODING, "gzip;q=0, br").await;
    assert!(refused.headers.get(header::CONTENT_ENCODING).is_none());
    assert_eq!(refused.body, plain.body);
}

#[tokio::test]
async fn plotly_js_maps_and_unknown_files() {
    let r = router(app());
    let plotly = get(
        &r,
        "/_dash-component-suites/plotly/package_data/plotly.min.js",
    )
    .await;
    assert_eq!(plotly.status, StatusCode::OK);
    assert_eq!(
        plotly.header(header::CONTENT_TYPE),
        "text/javascript; charset=utf-8"
    );
    assert!(plotly.body.len() > 1_000_000);

    let map = get(
        &r,
        "/_dash-component-suites/dash/html/dash_html_components.min.js.map",
    )
    .await;
    assert_eq!(map.status, StatusCode::OK);
    assert_eq!(map.header(header::CONTENT_TYPE), "application/json");
    assert!(map.json().is_object());

    for missing in [
        "/_dash-component-suites/dash/dcc/nope.js",
        "/_dash-component-suites/elsewhere/dcc/async-graph.js",
        "/_dash-component-suites/dash/dcc/../../../Cargo.toml",
    ] {
        let resp = get(&r, missing).await;
        assert_eq!(resp.status, StatusCode::NOT_FOUND, "{missing}");
        assert_eq!(resp.header(header::CONTENT_TYPE), "application/json");
        assert!(resp.json()["error"].is_string(), "{missing}");
    }
}

// ---------------------------------------------------------------- favicon, reload hash

#[tokio::test]
async fn favicon() {
    let r = router(app());
    let resp = get(&r, "/_favicon.ico?v=4.4.1").await;
    assert_eq!(resp.status, StatusCode::OK);
    assert_eq!(resp.header(header::CONTENT_TYPE), "image/x-icon");
    assert_eq!(&resp.body[..4], &[0, 0, 1, 0]);
    assert_eq!(
        u16::from_le_bytes([resp.body[4], resp.body[5]]),
        1,
        "one image"
    );
}

#[tokio::test]
async fn reload_hash() {
    let r = router(app());
    let resp = get(&r, "/_reload-hash").await;
    assert_eq!(resp.status, StatusCode::OK);
    assert_eq!(resp.header(header::CONTENT_TYPE), "application/json");
    let v = resp.json();
    let hash = v["reloadHash"].as_str().expect("reloadHash string");
    assert!(!hash.is_empty());
    assert!(v["hard"].is_boolean(), "{v}");
    assert!(v["packages"].is_array(), "{v}");
    assert!(v["files"].is_array(), "{v}");
    // Stable for the life of the server.
    assert_eq!(get(&r, "/_reload-hash").await.json()["reloadHash"], hash);
}

// ---------------------------------------------------------------- assets

#[tokio::test]
async fn assets_are_linked_and_served() {
    let tmp = TempDir::new("assets");
    let dir = tmp.0.join("assets");
    std::fs::create_dir_all(dir.join("sub")).unwrap();
    std::fs::write(dir.join("style.css"), "body { color: red; }").unwrap();
    std::fs::write(dir.join("app.js"), "window.appLoaded = true;").unwrap();
    std::fs::write(dir.join("sub/x.css"), ".x { margin: 0 }").unwrap();
    std::fs::write(dir.join(".hidden.js"), "nope").unwrap();
    std::fs::write(tmp.0.join("secret.txt"), "TOP SECRET").unwrap();

    let mut a = app();
    a.assets_folder(Some(dir.clone()));
    let r = router(a);
    let page = get(&r, "/").await.text();
    let head = between(&page, "<head>", "</head>");
    assert!(
        head.contains(r#"<link rel="stylesheet" href="/assets/style.css?m="#),
        "{head}"
    );
    assert!(
        head.contains(r#"<link rel="stylesheet" href="/assets/sub/x.css?m="#),
        "{head}"
    );
    assert!(!page.contains(".hidden.js"));
    let srcs = script_srcs(&page);
    let js = srcs
        .iter()
        .position(|s| s.starts_with("/assets/app.js?m="))
        .unwrap_or_else(|| panic!("app.js not linked: {srcs:#?}"));
    let renderer = srcs
        .iter()
        .position(|s| s.contains("dash_renderer"))
        .unwrap();
    let prop_types = srcs.iter().position(|s| s.contains("prop-types")).unwrap();
    assert!(prop_types < js && js < renderer, "{srcs:#?}");
    // The mtime query is a number.
    let m = srcs[js].split("?m=").nth(1).unwrap();
    assert!(m.parse::<u64>().is_ok(), "{m}");

    let css = get(&r, "/assets/style.css").await;
    assert_eq!(css.status, StatusCode::OK);
    assert_eq!(css.text(), "body { color: red; }");
    assert!(css.header(header::CONTENT_TYPE).starts_with("text/css"));
    let sub = get(&r, "/assets/sub/x.css?m=1").await;
    assert_eq!(sub.text(), ".x { margin: 0 }");
    assert_eq!(
        get(&r, "/assets/app.js").await.text(),
        "window.appLoaded = true;"
    );

    for escape in [
        "/assets/../secret.txt",
        "/assets/%2e%2e/secret.txt",
        "/assets/sub/../../secret.txt",
        "/assets/..%2fsecret.txt",
    ] {
        let resp = get(&r, escape).await;
        assert!(
            !resp.text().contains("TOP SECRET"),
            "{escape} escaped the assets folder"
        );
        assert_ne!(resp.status, StatusCode::OK, "{escape}");
    }
    for escape in ["/assets/../Cargo.toml", "/assets/%2e%2e/Cargo.toml"] {
        let resp = get(&r, escape).await;
        assert!(!resp.text().contains("[package]"), "{escape}");
    }
}

#[tokio::test]
async fn asset_names_are_percent_encoded() {
    let tmp = TempDir::new("encoded");
    std::fs::write(tmp.0.join("my style.css"), "p { }").unwrap();
    let mut a = app();
    a.assets_folder(Some(tmp.0.clone()));
    let r = router(a);
    let page = get(&r, "/").await.text();
    assert!(
        page.contains(r#"href="/assets/my%20style.css?m="#),
        "{page}"
    );
    assert_eq!(get(&r, "/assets/my%20style.css").await.text(), "p { }");
}

#[tokio::test]
async fn assets_favicon_replaces_the_default() {
    let tmp = TempDir::new("favicon");
    std::fs::write(tmp.0.join("favicon.ico"), [0u8, 0, 1, 0]).unwrap();
    let mut a = app();
    a.assets_folder(Some(tmp.0.clone()));
    let page = get(&router(a), "/").await.text();
    assert!(
        page.contains(r#"<link rel="icon" type="image/x-icon" href="/assets/favicon.ico">"#),
        "{page}"
    );
}
