//! The callback round trip in-process: request bytes → decode → dispatch
//! → encode → response bytes, through the app's axum router (no sockets).
//!
//! `cargo bench -p dash-core --bench callback_round_trip`

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use dash_core::prelude::*;
use http_body_util::BodyExt;
use tower::ServiceExt;

fn app() -> axum::Router {
    let mut app = Dash::new();
    app.layout(html::Div::new().children((
        dcc::Input::new().id("name").value(""),
        html::Div::new().id("greeting"),
        html::Div::new().id("list"),
    )));
    app.callback(
        Output::new("greeting", "children"),
        Input::new("name", "value"),
        |name: Option<String>| format!("Hello, {}!", name.unwrap_or_default()),
    );
    app.callback(
        Output::new(id! {"type": "label", "index": MATCH}, "style"),
        (
            Input::new(id! {"type": "done", "index": MATCH}, "value"),
            Input::new(id! {"type": "done", "index": ALLSMALLER}, "value"),
        ),
        |this: Vec<String>, before: Vec<Vec<String>>| {
            serde_json::json!({"opacity": if this.is_empty() { 1.0 } else { 0.5 }, "n": before.len()})
        },
    );
    app.into_router().expect("valid app")
}

const HELLO: &str = r#"{"output":"greeting.children","outputs":{"id":"greeting","property":"children"},"inputs":[{"id":"name","property":"value","value":"Ada Lovelace"}],"changedPropIds":["name.value"]}"#;

fn pattern_body() -> String {
    let before: Vec<String> = (0..20)
        .map(|i| {
            format!(r#"{{"id":{{"index":{i},"type":"done"}},"property":"value","value":["done"]}}"#)
        })
        .collect();
    format!(
        r#"{{"output":"{{\"index\":[\"MATCH\"],\"type\":\"label\"}}.style","outputs":{{"id":{{"index":20,"type":"label"}},"property":"style"}},"inputs":[{{"id":{{"index":20,"type":"done"}},"property":"value","value":[]}},[{}]],"changedPropIds":["{{\"index\":20,\"type\":\"done\"}}.value"]}}"#,
        before.join(",")
    )
}

fn bench(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let router = app();
    let mut group = c.benchmark_group("callback_round_trip");
    group.throughput(Throughput::Elements(1));
    for (name, body) in [
        ("hello", HELLO.to_owned()),
        ("allsmaller_20", pattern_body()),
    ] {
        group.bench_function(name, |b| {
            b.iter(|| {
                let req = http::Request::post("/_dash-update-component")
                    .header("content-type", "application/json")
                    .body(axum::body::Body::from(body.clone()))
                    .expect("request");
                let resp = rt.block_on(router.clone().oneshot(req)).expect("response");
                assert_eq!(resp.status(), 200);
                black_box(
                    rt.block_on(resp.into_body().collect())
                        .expect("body")
                        .to_bytes(),
                )
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
