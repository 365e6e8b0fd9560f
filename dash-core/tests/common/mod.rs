//! Helpers shared by the in-process protocol tests (`protocol*.rs`): the
//! apps they serve, requests sent with `tower::ServiceExt::oneshot` on
//! `Dash::into_router()`, the answers read back, `_dash-update-component`
//! request bodies and index-page parsing.
//!
//! Every test binary declares `mod common;` and uses only some of these.

#![allow(dead_code)]

use axum::Router;
use axum::body::Body;
use bytes::Bytes;
use dash_core::{Component, Dash};
use http::{HeaderMap, Request, StatusCode, header};
use serde_json::{Value, json};
use tower::ServiceExt as _;

// ---------------------------------------------------------------- apps

pub fn div(id: &str) -> Component {
    Component::new("dash_html_components", "Div").id(id)
}

/// A production app (explicitly, whatever `DASH_DEBUG` says) with no
/// assets folder and a small layout: `root` holding `in` and `out`.
pub fn app() -> Dash {
    let mut app = Dash::new();
    app.debug(false).assets_folder(None).layout(
        Component::new("dash_html_components", "Div")
            .id("root")
            .children((div("in"), div("out"))),
    );
    app
}

/// The production app of the `_dash-update-component` tests: no assets
/// folder, a layout of `root` holding only `out`.
pub fn update_app() -> Dash {
    let mut app = Dash::new();
    app.debug(false).assets_folder(None).layout(
        Component::new("dash_html_components", "Div")
            .id("root")
            .children(Component::new("dash_html_components", "Div").id("out")),
    );
    app
}

pub fn router(app: Dash) -> Router {
    app.into_router().expect("the app builds")
}

/// The router of `update_app()` after `f` has added its callbacks.
pub fn with<F: FnOnce(&mut Dash)>(f: F) -> Router {
    let mut a = update_app();
    f(&mut a);
    router(a)
}

// ---------------------------------------------------------------- requests and answers

/// An answer, read to the end.
pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Resp {
    pub fn text(&self) -> String {
        String::from_utf8(self.body.to_vec()).expect("utf-8 body")
    }

    pub fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text()))
    }

    /// The header `name`, which must be there.
    pub fn header(&self, name: header::HeaderName) -> &str {
        self.headers
            .get(&name)
            .unwrap_or_else(|| panic!("no {name} header; headers: {:?}", self.headers))
            .to_str()
            .expect("ascii header")
    }

    /// The `Content-Type` header, `""` when there is none.
    pub fn content_type(&self) -> &str {
        self.headers
            .get(header::CONTENT_TYPE)
            .map_or("", |v| v.to_str().unwrap())
    }

    /// The `error` message of a JSON error answer.
    pub fn error(&self) -> String {
        assert_eq!(self.content_type(), "application/json", "{}", self.text());
        self.json()["error"]
            .as_str()
            .unwrap_or_else(|| panic!("no error message: {}", self.text()))
            .to_owned()
    }
}

pub async fn send(r: &Router, req: Request<Body>) -> Resp {
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

pub async fn get(r: &Router, uri: &str) -> Resp {
    send(r, Request::get(uri).body(Body::empty()).unwrap()).await
}

/// A GET with one request header.
pub async fn get_with(r: &Router, uri: &str, name: header::HeaderName, value: &str) -> Resp {
    send(
        r,
        Request::get(uri)
            .header(name, value)
            .body(Body::empty())
            .unwrap(),
    )
    .await
}

/// A JSON POST of `body` (sent as is) to `uri`.
pub async fn post_to(r: &Router, uri: &str, body: impl Into<Body>) -> Resp {
    let req = Request::post(uri)
        .header(header::CONTENT_TYPE, "application/json")
        .body(body.into())
        .unwrap();
    send(r, req).await
}

/// A POST of `body` (sent as is) to `/_dash-update-component`.
pub async fn post_raw(r: &Router, body: impl Into<Body>) -> Resp {
    post_to(r, "/_dash-update-component", body).await
}

/// A POST of `body` to `/_dash-update-component`.
pub async fn post(r: &Router, body: Value) -> Resp {
    post_raw(r, body.to_string()).await
}

/// The `_dash-dependencies` of the app, whatever the status.
pub async fn dependencies(r: &Router) -> Value {
    get(r, "/_dash-dependencies").await.json()
}

// ---------------------------------------------------------------- _dash-update-component bodies

pub fn inp(id: impl Into<Value>, prop: &str, value: impl Into<Value>) -> Value {
    json!({"id": id.into(), "property": prop, "value": value.into()})
}

pub fn target(id: impl Into<Value>, prop: &str) -> Value {
    json!({"id": id.into(), "property": prop})
}

/// A request body as the renderer builds it (no `state` key when empty).
pub fn body(output: &str, outputs: Value, inputs: Value, state: Value, changed: &[&str]) -> Value {
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
pub fn simple(value: Value) -> Value {
    body(
        "out.children",
        target("out", "children"),
        json!([inp("in", "value", value)]),
        json!([]),
        &["in.value"],
    )
}

/// A multi-output request: the `(id, property)` outputs (keyed
/// `..a.children...b.style..`) from `in.value`.
pub fn multi(outputs: &[(&str, &str)], value: impl Into<Value>, changed: &[&str]) -> Value {
    let keys: Vec<String> = outputs.iter().map(|(id, p)| format!("{id}.{p}")).collect();
    let targets: Vec<Value> = outputs.iter().map(|(id, p)| target(*id, p)).collect();
    body(
        &format!("..{}..", keys.join("...")),
        Value::Array(targets),
        json!([inp("in", "value", value)]),
        json!([]),
        changed,
    )
}

/// A request for `<out>.children` from `in.title`, nothing changed.
pub fn from_title(out: &str, title: impl Into<Value>) -> Value {
    body(
        &format!("{out}.children"),
        target(out, "children"),
        json!([inp("in", "title", title)]),
        json!([]),
        &[],
    )
}

/// The JSON of a 200 answer.
#[track_caller]
pub fn ok(resp: &Resp) -> Value {
    assert_eq!(resp.status, StatusCode::OK, "{}", resp.text());
    assert_eq!(resp.content_type(), "application/json");
    resp.json()
}

/// Asserts an empty 204 answer.
#[track_caller]
pub fn no_content(resp: &Resp) {
    assert_eq!(resp.status, StatusCode::NO_CONTENT, "{}", resp.text());
    assert!(resp.body.is_empty(), "{}", resp.text());
}

/// Asserts an error answer: its status, and a JSON error message that
/// contains `needle`.
#[track_caller]
pub fn assert_error(resp: &Resp, status: StatusCode, needle: &str) {
    assert_eq!(resp.status, status);
    assert!(resp.error().contains(needle), "{}", resp.text());
}

// ---------------------------------------------------------------- index page

/// The text between `start` (exclusive) and the next `end`.
pub fn between<'a>(s: &'a str, start: &str, end: &str) -> &'a str {
    let i = s
        .find(start)
        .unwrap_or_else(|| panic!("{start:?} not in page:\n{s}"))
        + start.len();
    let j = s[i..]
        .find(end)
        .unwrap_or_else(|| panic!("{end:?} not after {start:?}"))
        + i;
    &s[i..j]
}

pub const CONFIG_OPEN: &str = r#"<script id="_dash-config" type="application/json">"#;

pub fn config_text(page: &str) -> &str {
    between(page, CONFIG_OPEN, "</script>")
}

pub fn config(page: &str) -> Value {
    serde_json::from_str(config_text(page)).expect("_dash-config is JSON")
}

/// Every `<script src="...">` of the page, in order.
pub fn script_srcs(page: &str) -> Vec<String> {
    page.match_indices("<script src=\"")
        .map(|(i, m)| {
            let rest = &page[i + m.len()..];
            rest[..rest.find('"').unwrap()].replace("&amp;", "&")
        })
        .collect()
}

/// Whether `s` is `<prefix><hex digits><suffix>` with at least one digit.
pub fn matches_hex(s: &str, prefix: &str, suffix: &str) -> bool {
    s.strip_prefix(prefix)
        .and_then(|r| r.strip_suffix(suffix))
        .is_some_and(|h| !h.is_empty() && h.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Removes Dash's fingerprint (`.v<ver>m<hex>` after the first dot).
pub fn unfingerprint(src: &str) -> String {
    let (dir, name) = src.rsplit_once('/').unwrap();
    let parts: Vec<&str> = name.split('.').collect();
    let is_fp = parts.len() > 1
        && parts[1].starts_with('v')
        && parts[1]
            .rsplit_once('m')
            .is_some_and(|(_, h)| h.chars().all(|c| c.is_ascii_hexdigit()));
    if is_fp {
        let mut kept = vec![parts[0]];
        kept.extend(&parts[2..]);
        format!("{dir}/{}", kept.join("."))
    } else {
        src.to_owned()
    }
}
