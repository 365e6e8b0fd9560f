//! The pager's callback over Dash's HTTP protocol, in process: requests
//! built from `/_dash-dependencies` the way the renderer builds them.

use aio_pagination::{PaginationAio, ids};
use axum::Router;
use axum::body::{Body, to_bytes};
use dash_core::prelude::*;
use http::Request;
use serde_json::{Value, json};
use tower::ServiceExt as _;

const SLOTS: usize = 7;

fn app() -> Router {
    let mut app = Dash::new();
    app.debug(false)
        .assets_folder(None)
        .layout(html::Div::new().children((
            PaginationAio::new(95).aio_id("p").page_size(10),
            PaginationAio::new(3).aio_id("q"),
        )));
    app.into_router().unwrap()
}

async fn send(r: &Router, req: Request<Body>) -> (u16, Value) {
    let resp = r.clone().oneshot(req).await.unwrap();
    let status = resp.status().as_u16();
    let body = to_bytes(resp.into_body(), usize::MAX).await.unwrap();
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

/// The concrete id of a declared one: `aio_id` given, ALL → one per slot.
fn concrete(id: &Value, aio: &str) -> Vec<Value> {
    // `_dash-dependencies` gives dict ids stringified.
    let mut id = match id {
        Value::String(s) => serde_json::from_str(s).unwrap(),
        other => other.clone(),
    };
    id["aio_id"] = json!(aio);
    if id.get("index").is_some() {
        (0..SLOTS)
            .map(|i| {
                let mut one = id.clone();
                one["index"] = json!(i);
                one
            })
            .collect()
    } else {
        vec![id]
    }
}

/// The pager request for `aio`, `fired` naming the subcomponent (and slot
/// index) that changed, with `values(subcomponent, property)`.
async fn request(
    r: &Router,
    aio: &str,
    fired: Option<Value>,
    values: impl Fn(&str, &str, Option<u64>) -> Value,
) -> Value {
    let (_, deps) = send(
        r,
        Request::get("/_dash-dependencies")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    let dep = deps
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["output"].as_str().unwrap().contains("PaginationAio"))
        .unwrap()
        .clone();
    let entries = |list: &Value, with_value: bool| -> Vec<Value> {
        list.as_array()
            .unwrap()
            .iter()
            .map(|d| {
                let ids = concrete(&d["id"], aio);
                let multi = ids.len() > 1;
                let prop = d["property"].as_str().unwrap();
                let items: Vec<Value> = ids
                    .into_iter()
                    .map(|id| {
                        let sub = id["subcomponent"].as_str().unwrap().to_owned();
                        let mut e = json!({"id": id, "property": prop});
                        if with_value {
                            e["value"] = values(&sub, prop, e["id"]["index"].as_u64());
                        }
                        e
                    })
                    .collect();
                if multi {
                    Value::Array(items)
                } else {
                    items[0].clone()
                }
            })
            .collect()
    };
    let outputs: Vec<Value> = dep["output"]
        .as_str()
        .unwrap()
        .trim_matches('.')
        .split("...")
        .map(|o| {
            let (id, prop) = o.rsplit_once('.').unwrap();
            let id: Value = serde_json::from_str(id).unwrap();
            let ids = concrete(&id, aio);
            let items: Vec<Value> = ids
                .into_iter()
                .map(|id| json!({"id": id, "property": prop}))
                .collect();
            if items.len() > 1 {
                Value::Array(items)
            } else {
                items[0].clone()
            }
        })
        .collect();
    let changed: Vec<String> = fired
        .map(|id| {
            vec![format!(
                "{}.n_clicks",
                dash_core::ComponentId::from_json(&id).unwrap()
            )]
        })
        .unwrap_or_default();
    let body = json!({
        "output": dep["output"],
        "outputs": outputs,
        "inputs": entries(&dep["inputs"], true),
        "state": entries(&dep["state"], true),
        "changedPropIds": changed,
    });
    let (status, v) = send(
        r,
        Request::post("/_dash-update-component")
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap(),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    v["response"].clone()
}

fn part(aio: &str, sub: &str) -> String {
    json!({"component": "PaginationAio", "subcomponent": sub, "aio_id": aio}).to_string()
}

fn get<'a>(resp: &'a Value, aio: &str, sub: &str, prop: &str) -> &'a Value {
    let key = dash_core::ComponentId::from_json(&serde_json::from_str(&part(aio, sub)).unwrap())
        .unwrap()
        .to_string();
    &resp[key][prop]
}

fn slot_texts(resp: &Value, aio: &str) -> Vec<String> {
    (0..SLOTS)
        .map(|i| {
            let key = ids::slot(aio, i as i64).to_string();
            resp[key]["children"].as_str().unwrap().to_owned()
        })
        .collect()
}

/// Browser values: page `page`, size 10, the slots of page `page`.
fn state(page: u64, size: Value, total: u64) -> impl Fn(&str, &str, Option<u64>) -> Value {
    move |sub, prop, index| match (sub, prop) {
        ("page", "data") => json!(page),
        ("page_size", "value") => size.clone(),
        ("total", "data") => json!(total),
        ("options", "data") => json!({"label": "items"}),
        ("slot", "value") => {
            // As the first layout draws page 0: 1 2 3 4 5 … 10.
            let texts = ["1", "2", "3", "4", "5", "", "10"];
            json!(texts[index.unwrap_or(0) as usize])
        }
        (_, "n_clicks") => json!(1),
        other => panic!("unexpected {other:?}"),
    }
}

#[tokio::test]
async fn clicks_move_the_page_and_redraw_the_pager() {
    let r = app();
    let id = |sub: &str| serde_json::from_str::<Value>(&part("p", sub)).unwrap();
    let resp = request(&r, "p", Some(id("next")), state(0, json!(10), 95)).await;
    assert_eq!(get(&resp, "p", "page", "data"), 1);
    assert_eq!(get(&resp, "p", "summary", "children"), "items 11–20 of 95");
    assert_eq!(get(&resp, "p", "previous", "disabled"), false);
    let resp = request(&r, "p", Some(id("last")), state(1, json!(10), 95)).await;
    assert_eq!(get(&resp, "p", "page", "data"), 9);
    assert_eq!(get(&resp, "p", "summary", "children"), "items 91–95 of 95");
    assert_eq!(get(&resp, "p", "next", "disabled"), true);
    assert_eq!(slot_texts(&resp, "p"), ["1", "…", "6", "7", "8", "9", "10"]);
    // A numbered button: slot 3 shows page "4".
    let mut slot = id("slot");
    slot["index"] = json!(3);
    let resp = request(&r, "p", Some(slot), state(0, json!(10), 95)).await;
    assert_eq!(get(&resp, "p", "page", "data"), 3);
    assert_eq!(slot_texts(&resp, "p"), ["1", "2", "3", "4", "5", "…", "10"]);
    let current = |i: i64| resp[ids::slot("p", i).to_string()]["aria-current"].clone();
    assert_eq!(current(3), "page");
    assert_eq!(current(0), Value::Null);
    // The other pager is not in the response.
    assert!(resp.get(ids::page("q").to_string()).is_none());
    assert!(resp.get(ids::page("p").to_string()).is_some());
}

#[tokio::test]
async fn hostile_values_are_clamped_not_trusted() {
    let r = app();
    let id = |sub: &str| serde_json::from_str::<Value>(&part("p", sub)).unwrap();
    // A page far past the end, a page size of a billion, garbage sizes.
    let resp = request(
        &r,
        "p",
        Some(id("next")),
        state(10_000, json!(1_000_000_000u64), 95),
    )
    .await;
    assert_eq!(get(&resp, "p", "page", "data"), 0);
    assert_eq!(get(&resp, "p", "summary", "children"), "items 1–95 of 95");
    let resp = request(&r, "p", None, state(2, json!("ten"), 95)).await;
    assert_eq!(get(&resp, "p", "summary", "children"), "items 21–30 of 95");
    let resp = request(&r, "p", None, state(2, json!(-3), 0)).await;
    assert_eq!(get(&resp, "p", "summary", "children"), "no items");
    assert_eq!(get(&resp, "p", "first", "disabled"), true);
    assert_eq!(get(&resp, "p", "last", "disabled"), true);
}
