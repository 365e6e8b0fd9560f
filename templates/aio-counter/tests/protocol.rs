//! The counter over Dash's HTTP protocol, in process: the app's router
//! answers requests as the browser sends them.

use aio_counter::{CounterAio, CounterLimit, ids};
use axum::body::Body;
use dash_core::Dash;
use http::Request;
use http_body_util::BodyExt as _;
use serde_json::{Value, json};
use tower::ServiceExt as _;

fn app(limit: Option<u64>) -> axum::Router {
    let mut app = Dash::new();
    app.assets_folder(None)
        .layout(CounterAio::new().aio_id("c").step(2));
    if let Some(l) = limit {
        app.state(CounterLimit(l));
    }
    app.into_router().expect("the app builds")
}

async fn press(r: &axum::Router, clicks: u64, count: u64) -> Value {
    let id = |sub: &str| json!({"component": "CounterAio", "subcomponent": sub, "aio_id": "c"});
    let output = format!(
        "..{}.data...{}.children..",
        ids::count(dash_core::MATCH),
        ids::display(dash_core::MATCH)
    );
    let body = json!({
        "output": output,
        "outputs": [{"id": id("count"), "property": "data"}, {"id": id("display"), "property": "children"}],
        "inputs": [{"id": id("button"), "property": "n_clicks", "value": clicks}],
        "state": [{"id": id("count"), "property": "data", "value": count},
                  {"id": id("step"), "property": "data", "value": 2}],
        "changedPropIds": [format!("{}.n_clicks", ids::button("c"))],
    });
    let req = Request::post("/_dash-update-component")
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let resp = r.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), 200);
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    let v: Value = serde_json::from_slice(&bytes).unwrap();
    v["response"][ids::display("c").to_string()]["children"].clone()
}

#[tokio::test]
async fn a_press_adds_the_step_up_to_the_apps_limit() {
    let r = app(None);
    assert_eq!(press(&r, 1, 0).await, "2");
    assert_eq!(press(&r, 2, 2).await, "4");
    // Another app in the same process, with its own limit.
    let small = app(Some(5));
    assert_eq!(press(&small, 3, 4).await, "5");
    assert_eq!(press(&r, 3, 4).await, "6");
}
