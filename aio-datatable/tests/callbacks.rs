//! The table's callbacks over Dash's HTTP protocol, in process
//! (`tower::ServiceExt::oneshot` on `Dash::into_router()`): two tables on
//! one app, requests built from `/_dash-dependencies` the way the renderer
//! builds them, answers checked against results computed here.

use aio_datatable::{DataTableAio, TableState, ids};
use axum::Router;
use axum::body::{Body, to_bytes};
use dash_core::Dash;
use dash_core::prelude::*;
use http::{Request, StatusCode};
use polars::prelude::*;
use serde_json::{Value, json};
use tower::ServiceExt as _;

const ROWS: usize = 57;

/// `id` 0..57, `name` (null every 10th row), `price` = (id * 37) % 101.
fn frame_a() -> DataFrame {
    let id: Vec<i64> = (0..ROWS as i64).collect();
    let name: Vec<Option<String>> = (0..ROWS)
        .map(|i| (i % 10 != 3).then(|| format!("{} {i}", ["Ada", "Alan", "Grace"][i % 3])))
        .collect();
    let price: Vec<f64> = (0..ROWS).map(|i| ((i * 37) % 101) as f64).collect();
    df!("id" => id, "name" => name, "price" => price).unwrap()
}

fn price_of(id: i64) -> f64 {
    ((id * 37) % 101) as f64
}

fn frame_b() -> DataFrame {
    df!("city" => ["Oslo", "Lima", "Pune"], "pop" => [0.7, 10.0, 7.0]).unwrap()
}

/// Two tables on one app, whose store is `store`.
fn app(store: redis_store::Store) -> Router {
    let a = DataTableAio::new(frame_a()).aio_id("a").page_size(10);
    let b = DataTableAio::new(frame_b()).aio_id("b");
    let mut app = Dash::new();
    app.debug(false)
        .assets_folder(None)
        .state(TableState::new(store))
        .layout(html::Div::new().children((a, b)));
    app.into_router().unwrap()
}

async fn send(r: &Router, req: Request<Body>) -> (StatusCode, Value) {
    let resp = r.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let body = to_bytes(resp.into_body(), usize::MAX).await.unwrap();
    let v = serde_json::from_slice(&body).unwrap_or(Value::Null);
    (status, v)
}

async fn get(r: &Router, path: &str) -> Value {
    let (status, v) = send(r, Request::get(path).body(Body::empty()).unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{path}");
    v
}

/// Finds the value of `prop` of the component with id `id` in a layout.
fn find_prop<'a>(node: &'a Value, id: &Value, prop: &str) -> Option<&'a Value> {
    match node {
        Value::Object(o) => {
            if o.get("props").and_then(|p| p.get("id")) == Some(id) {
                return o["props"].get(prop);
            }
            o.values().find_map(|v| find_prop(v, id, prop))
        }
        Value::Array(a) => a.iter().find_map(|v| find_prop(v, id, prop)),
        _ => None,
    }
}

/// Replaces `["MATCH"]` by the concrete `aio_id`; `/_dash-dependencies`
/// gives dict ids stringified.
fn concrete(id: &Value, aio: &str) -> Value {
    let mut id = match id {
        Value::String(s) if s.starts_with('{') => serde_json::from_str(s).unwrap(),
        other => other.clone(),
    };
    if let Some(v) = id.get_mut("aio_id") {
        *v = json!(aio);
    }
    id
}

/// What one table request sets.
#[derive(Clone)]
struct Props {
    page_current: u64,
    sort_by: Value,
    filter_query: String,
    search: String,
    page_size: Value,
    source: Value,
    /// The properties that changed (`changedPropIds`): table props such as
    /// `"page_current"`, or `"search"` for the search box.
    changed: Vec<&'static str>,
}

struct Client {
    router: Router,
    store: redis_store::Store,
    deps: Vec<Value>,
    layout: Value,
}

impl Client {
    async fn new() -> Self {
        let store = redis_store::Store::memory();
        Client::of(app(store.clone()), store).await
    }

    /// A client of `router`, whose tables use `store`.
    async fn of(router: Router, store: redis_store::Store) -> Self {
        let deps = get(&router, "/_dash-dependencies")
            .await
            .as_array()
            .unwrap()
            .clone();
        let layout = get(&router, "/_dash-layout").await;
        Client {
            router,
            store,
            deps,
            layout,
        }
    }

    fn source(&self, aio: &str) -> Value {
        find_prop(&self.layout, &ids::source(aio).to_json(), "data")
            .unwrap()
            .clone()
    }

    fn props(&self, aio: &str) -> Props {
        Props {
            page_current: 0,
            sort_by: json!([]),
            filter_query: String::new(),
            search: String::new(),
            page_size: find_prop(&self.layout, &ids::table(aio).to_json(), "page_size")
                .unwrap()
                .clone(),
            source: self.source(aio),
            changed: vec![],
        }
    }

    /// The table callback's request for `aio`, as the renderer sends it.
    fn table_request(&self, aio: &str, p: &Props) -> Value {
        let table = ids::table(aio).to_string();
        // A table prop by name, or the search box's value.
        let changed: Vec<String> = p
            .changed
            .iter()
            .map(|c| match *c {
                "search" => format!("{}.value", ids::search(aio)),
                c => format!("{table}.{c}"),
            })
            .collect();
        self.request(".page_count", aio, &changed, |sub, prop| {
            match (sub, prop) {
                ("table", "page_current") => json!(p.page_current),
                ("table", "sort_by") => p.sort_by.clone(),
                ("table", "filter_query") => json!(p.filter_query),
                ("search", "value") => json!(p.search),
                ("page_size", "value") => p.page_size.clone(),
                ("source", "data") => p.source.clone(),
                other => panic!("unexpected dependency {other:?}"),
            }
        })
    }

    /// The request for the callback whose `output` contains `output`,
    /// for table `aio`, with input and state values from `value(subcomponent,
    /// property)`.
    fn request(
        &self,
        output: &str,
        aio: &str,
        changed: &[String],
        value: impl Fn(&str, &str) -> Value,
    ) -> Value {
        let dep = self
            .deps
            .iter()
            .find(|d| d["output"].as_str().unwrap().contains(output))
            .expect("the callback is registered");
        let outputs: Vec<Value> = dep["output"]
            .as_str()
            .unwrap()
            .trim_matches('.')
            .split("...")
            .map(|o| {
                let (id, prop) = o.rsplit_once('.').unwrap();
                let id: Value = serde_json::from_str(id).unwrap();
                json!({"id": concrete(&id, aio), "property": prop})
            })
            .collect();
        let with_values = |list: &Value| -> Vec<Value> {
            list.as_array()
                .unwrap()
                .iter()
                .map(|d| {
                    let id = concrete(&d["id"], aio);
                    let prop = d["property"].as_str().unwrap();
                    let sub = id["subcomponent"].as_str().unwrap().to_owned();
                    json!({"id": id, "property": prop, "value": value(&sub, prop)})
                })
                .collect()
        };
        let single = outputs.len() == 1 && !dep["output"].as_str().unwrap().starts_with("..");
        json!({
            "output": dep["output"],
            "outputs": if single { outputs[0].clone() } else { Value::Array(outputs) },
            "inputs": with_values(&dep["inputs"]),
            "state": with_values(&dep["state"]),
            "changedPropIds": changed,
        })
    }

    /// Sends the table request; returns the response's props by
    /// subcomponent (`table`, `summary`, `message`, ...).
    async fn table(&self, aio: &str, p: &Props) -> Value {
        let body = self.table_request(aio, p);
        let req = Request::post("/_dash-update-component")
            .header("content-type", "application/json")
            .body(Body::from(body.to_string()))
            .unwrap();
        let (status, v) = send(&self.router, req).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        let mut out = serde_json::Map::new();
        for (id, props) in v["response"].as_object().unwrap() {
            let id: Value = serde_json::from_str(id).unwrap();
            assert_eq!(id["aio_id"], json!(aio), "an answer for another table");
            out.insert(
                id["subcomponent"].as_str().unwrap().to_owned(),
                props.clone(),
            );
        }
        Value::Object(out)
    }
}

fn ids_of(data: &Value) -> Vec<i64> {
    data.as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect()
}

#[tokio::test]
async fn first_page_pages_and_summary() {
    let c = Client::new().await;
    let p = c.props("a");
    let out = c.table("a", &p).await;
    assert_eq!(ids_of(&out["table"]["data"]), (0..10).collect::<Vec<_>>());
    assert_eq!(out["table"]["page_count"], json!(6));
    assert_eq!(out["table"]["page_current"], json!(0));
    assert_eq!(out["summary"]["children"], json!("rows 1–10 of 57"));
    assert_eq!(out["message"]["children"], json!(""));
    // The null name is sent as null.
    assert_eq!(out["table"]["data"][3]["name"], Value::Null);

    let last = c
        .table(
            "a",
            &Props {
                page_current: 5,
                changed: vec!["page_current"],
                ..p.clone()
            },
        )
        .await;
    assert_eq!(ids_of(&last["table"]["data"]), (50..57).collect::<Vec<_>>());
    assert_eq!(last["summary"]["children"], json!("rows 51–57 of 57"));
}

#[tokio::test]
async fn filter_sort_and_clamping_match_an_independent_computation() {
    let c = Client::new().await;
    let base = c.props("a");
    let mut expected: Vec<i64> = (0..ROWS as i64).filter(|&i| price_of(i) > 50.0).collect();
    // Sorted by price descending, ties in frame order (stable).
    expected.sort_by(|x, y| price_of(*y).total_cmp(&price_of(*x)));
    let p = Props {
        filter_query: "{price} > 50".into(),
        sort_by: json!([{"column_id": "price", "direction": "desc"}]),
        changed: vec!["filter_query"],
        ..base.clone()
    };
    let out = c.table("a", &p).await;
    assert_eq!(ids_of(&out["table"]["data"]), expected[..10]);
    assert_eq!(
        out["summary"]["children"],
        json!(format!(
            "rows 1–10 of {} (filtered from 57)",
            expected.len()
        ))
    );
    // A page past the end (the filter shrank the view) is clamped.
    let out = c
        .table(
            "a",
            &Props {
                page_current: 40,
                changed: vec!["page_current"],
                ..p.clone()
            },
        )
        .await;
    let last_page = (expected.len() - 1) / 10;
    assert_eq!(out["table"]["page_current"], json!(last_page));
    assert_eq!(ids_of(&out["table"]["data"]), expected[last_page * 10..]);
    // A new filter starts from the first page, whatever page_current says.
    let out = c
        .table(
            "a",
            &Props {
                page_current: 3,
                filter_query: "{price} <= 10".into(),
                changed: vec!["filter_query"],
                ..p
            },
        )
        .await;
    assert_eq!(out["table"]["page_current"], json!(0));
    let mut small: Vec<i64> = (0..ROWS as i64).filter(|&i| price_of(i) <= 10.0).collect();
    small.sort_by(|x, y| price_of(*y).total_cmp(&price_of(*x)));
    assert_eq!(ids_of(&out["table"]["data"]), small);
}

#[tokio::test]
async fn search_combines_with_the_filter() {
    let c = Client::new().await;
    let p = Props {
        search: "  gRACE ".into(),
        filter_query: "{id} < 30".into(),
        changed: vec!["search"],
        ..c.props("a")
    };
    let out = c.table("a", &p).await;
    // Grace is every third row; row 23's name is null.
    let expected: Vec<i64> = (0..30).filter(|i| i % 3 == 2 && i % 10 != 3).collect();
    assert_eq!(expected.len(), 9);
    assert_eq!(ids_of(&out["table"]["data"]), expected);
    assert_eq!(
        out["summary"]["children"],
        json!("rows 1–9 of 9 (filtered from 57)")
    );
}

#[tokio::test]
async fn bad_input_shows_a_message_and_keeps_the_last_page() {
    let c = Client::new().await;
    let base = c.props("a");
    let cases = [
        (
            Props {
                filter_query: "{price} >".into(),
                ..base.clone()
            },
            "Filter",
        ),
        (
            Props {
                filter_query: "{nope} = 1".into(),
                ..base.clone()
            },
            "nope",
        ),
        (
            Props {
                sort_by: json!([{"column_id": "nope", "direction": "asc"}]),
                ..base.clone()
            },
            "nope",
        ),
        (
            Props {
                sort_by: json!([{"column_id": "price", "direction": 1}]),
                ..base.clone()
            },
            "Sort",
        ),
        (
            Props {
                page_size: json!(5000),
                ..base.clone()
            },
            "page size",
        ),
        // Hostile props: each is refused at a cost linear in its size.
        (
            Props {
                sort_by: Value::Array(
                    (0..100_000)
                        .map(|i| json!({"column_id": format!("c{i}"), "direction": "asc"}))
                        .collect(),
                ),
                ..base.clone()
            },
            "100000 entries; at most 256",
        ),
        (
            Props {
                sort_by: json!([{"column_id": "price"}, {"column_id": "nope"}]),
                ..base.clone()
            },
            "nope",
        ),
        (
            Props {
                filter_query: format!("{{name}} datestartswith \"{}\"", "\n".repeat(300_000)),
                ..base.clone()
            },
            "bytes long",
        ),
        (
            Props {
                filter_query: format!(
                    "{}{{price}} > 1{}",
                    "(".repeat(2_000_000),
                    ")".repeat(2_000_000)
                ),
                ..base.clone()
            },
            "bytes long",
        ),
        (
            Props {
                filter_query: vec!["{price} > 1"; 200_000].join(" || "),
                ..base.clone()
            },
            "bytes long",
        ),
        (
            Props {
                search: "x".repeat(100_000),
                ..base.clone()
            },
            "at most 1024",
        ),
        (
            Props {
                filter_query: vec!["{price} > 1"; 257].join(" || "),
                ..base.clone()
            },
            "more than 256 conditions",
        ),
        (
            Props {
                filter_query: format!("{}{{price}} > 1{}", "(".repeat(65), ")".repeat(65)),
                ..base.clone()
            },
            "nest more than 64",
        ),
        (
            Props {
                source: json!({"key": "not a key"}),
                ..base.clone()
            },
            "data source",
        ),
        (
            Props {
                source: serde_json::to_value(
                    c.store.sign(redis_store::FrameKey::from_bytes([0xab; 32])),
                )
                .unwrap(),
                ..base.clone()
            },
            "expired",
        ),
        // The real key with a made-up signature: knowing a key is not
        // enough to read its frame.
        (
            Props {
                source: json!({"key": base.source["key"], "sig": "00".repeat(16)}),
                ..base.clone()
            },
            "not handed out by this app",
        ),
        (
            Props {
                source: json!({"key": "ab".repeat(32)}),
                ..base.clone()
            },
            "data source",
        ),
    ];
    for (props, needle) in cases {
        let out = c.table("a", &props).await;
        let message = out["message"]["children"].as_str().unwrap();
        assert!(
            message.contains(needle),
            "{needle:?} not in {message:?} for {}",
            props.filter_query.chars().take(80).collect::<String>()
        );
        // Nothing else changes: the last good page stays.
        for sub in ["table", "summary", "view_spec"] {
            assert!(out.get(sub).is_none(), "{sub} was updated: {out}");
        }
    }
    // And the table still answers.
    let out = c.table("a", &base).await;
    assert_eq!(ids_of(&out["table"]["data"]).len(), 10);
}

#[tokio::test]
async fn two_tables_are_independent() {
    let c = Client::new().await;
    let a = c
        .table(
            "a",
            &Props {
                filter_query: "{id} >= 50".into(),
                ..c.props("a")
            },
        )
        .await;
    assert_eq!(ids_of(&a["table"]["data"]), (50..57).collect::<Vec<_>>());
    let b = c
        .table(
            "b",
            &Props {
                sort_by: json!([{"column_id": "pop", "direction": "desc"}]),
                ..c.props("b")
            },
        )
        .await;
    let cities: Vec<&str> = b["table"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["city"].as_str().unwrap())
        .collect();
    assert_eq!(cities, ["Lima", "Pune", "Oslo"]);
    assert_eq!(b["summary"]["children"], json!("rows 1–3 of 3"));
    // A's filter is not applied to b, nor b's source to a.
    assert_ne!(c.source("a"), c.source("b"));
}

#[tokio::test]
async fn export_streams_the_whole_filtered_sorted_result_as_csv() {
    let c = Client::new().await;
    let source = c.source("a");
    let spec = json!({
        "filter": "{price} > 20",
        "search": "",
        "sort_by": [{"column_id": "price", "direction": "desc"}],
    });
    let button = ids::export_button("a").to_string();
    let body = c.request(
        "download",
        "a",
        &[format!("{button}.n_clicks")],
        |sub, prop| match (sub, prop) {
            ("export_button", "n_clicks") => json!(1),
            ("view_spec", "data") => spec.clone(),
            ("source", "data") => source.clone(),
            other => panic!("unexpected dependency {other:?}"),
        },
    );
    let req = Request::post("/_dash-update-component")
        .header("content-type", "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let (status, v) = send(&c.router, req).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let download = ids::download("a").to_string();
    let data = &v["response"][download.as_str()]["data"];
    assert_eq!(data["filename"], json!("export.csv"));
    assert_eq!(data["base64"], json!(false));
    // Every matching row (more than a page), in the sorted order.
    let mut rows: Vec<i64> = (0..ROWS as i64).filter(|&i| price_of(i) > 20.0).collect();
    rows.sort_by(|x, y| price_of(*y).total_cmp(&price_of(*x)));
    assert!(rows.len() > 10);
    let mut expected = String::from("id,name,price\n");
    for i in rows {
        let i_usize = i as usize;
        let name = if i_usize % 10 != 3 {
            format!("{} {i}", ["Ada", "Alan", "Grace"][i_usize % 3])
        } else {
            String::new()
        };
        expected.push_str(&format!("{i},{name},{:.1}\n", price_of(i)));
    }
    assert_eq!(data["content"].as_str().unwrap(), expected);
}

#[tokio::test]
async fn view_key_holds_the_filtered_sorted_frame() {
    let c = Client::new().await;
    let source = c.source("a");
    let ask = |spec: Value| {
        let source = source.clone();
        c.request("view_key", "a", &[], move |sub, prop| match (sub, prop) {
            ("view_spec", "data") => spec.clone(),
            ("source", "data") => source.clone(),
            other => panic!("unexpected dependency {other:?}"),
        })
    };
    let router = c.router.clone();
    let post = |body: Value| {
        let router = router.clone();
        async move {
            let req = Request::post("/_dash-update-component")
                .header("content-type", "application/json")
                .body(Body::from(body.to_string()))
                .unwrap();
            let (status, v) = send(&router, req).await;
            assert_eq!(status, StatusCode::OK, "{v}");
            v["response"][ids::view_key("a").to_string().as_str()]["data"].clone()
        }
    };
    let spec = json!({"filter": "{price} > 20", "search": "",
                      "sort_by": [{"column_id": "price", "direction": "desc"}]});
    let stored = post(ask(spec.clone())).await;
    let key = c
        .store
        .verify(&redis_store::FrameRef::from_json(&stored).unwrap())
        .unwrap();
    let frame = c.store.load(&key).await.unwrap();
    let mut expected: Vec<i64> = (0..ROWS as i64).filter(|&i| price_of(i) > 20.0).collect();
    expected.sort_by(|x, y| price_of(*y).total_cmp(&price_of(*x)));
    let got: Vec<i64> = frame
        .column("id")
        .unwrap()
        .i64()
        .unwrap()
        .into_no_null_iter()
        .collect();
    assert_eq!(got, expected);
    // Asking again gives the same key; the unfiltered view is the source.
    assert_eq!(post(ask(spec)).await, stored);
    let all = json!({"filter": "", "search": " ", "sort_by": []});
    assert_eq!(post(ask(all)).await, source);
}

/// An app with one table `t` over `frame`, its frames in `store`.
fn one_table(frame: DataFrame, store: redis_store::Store) -> Router {
    let mut app = Dash::new();
    app.debug(false)
        .assets_folder(None)
        .state(TableState::new(store))
        .layout(DataTableAio::new(frame).aio_id("t"));
    app.into_router().unwrap()
}

/// Waits until the frame under `source` (rendered into a layout) is written.
async fn stored(store: &redis_store::Store, source: &Value) -> bool {
    let key = store
        .verify(&redis_store::FrameRef::from_json(source).unwrap())
        .unwrap();
    for _ in 0..200 {
        if store.contains(&key).await.unwrap() {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    false
}

#[tokio::test]
async fn two_apps_in_one_process_use_their_own_stores() {
    let (sa, sb) = (redis_store::Store::memory(), redis_store::Store::memory());
    let a = Client::of(one_table(frame_a(), sa.clone()), sa.clone()).await;
    let b = Client::of(one_table(frame_b(), sb.clone()), sb.clone()).await;
    let (src_a, src_b) = (a.source("t"), b.source("t"));
    assert_ne!(src_a, src_b);
    assert!(stored(&sa, &src_a).await, "app a's frame is in a's store");
    assert!(stored(&sb, &src_b).await, "app b's frame is in b's store");
    let key = |s: &redis_store::Store, v: &Value| {
        s.verify(&redis_store::FrameRef::from_json(v).unwrap())
            .unwrap()
    };
    assert!(!sa.contains(&key(&sb, &src_b)).await.unwrap());
    assert!(!sb.contains(&key(&sa, &src_a)).await.unwrap());
    // Each app pages its own frame.
    let out = a.table("t", &a.props("t")).await;
    assert_eq!(out["summary"]["children"], format!("rows 1–25 of {ROWS}"));
    let out = b.table("t", &b.props("t")).await;
    assert_eq!(out["summary"]["children"], "rows 1–3 of 3");
    // A key from another app's store is not this app's data.
    let mut p = b.props("t");
    p.source = src_a;
    let out = b.table("t", &p).await;
    let message = out["message"]["children"].as_str().unwrap();
    assert!(message.contains("not handed out by this app"), "{message}");
}

#[tokio::test]
async fn a_table_built_in_a_per_request_layout_pages_and_filters() {
    let store = redis_store::Store::memory();
    let mut app = Dash::new();
    let df = frame_a();
    app.debug(false)
        .assets_folder(None)
        .state(TableState::new(store.clone()))
        .layout_fn(move || {
            html::Div::new().children((
                html::H1::new().children("per request"),
                DataTableAio::new(df.clone()).aio_id("t").page_size(10),
            ))
        });
    let c = Client::of(app.into_router().unwrap(), store.clone()).await;
    // Every page load names the same frame (hashed once, then looked up).
    let again = get(&c.router, "/_dash-layout").await;
    let source = c.source("t");
    assert_eq!(
        find_prop(&again, &ids::source("t").to_json(), "data"),
        Some(&source)
    );
    assert!(stored(&store, &source).await);
    let mut p = c.props("t");
    p.filter_query = "{price} > 50".into();
    p.changed = vec!["filter_query"];
    let out = c.table("t", &p).await;
    let expected: Vec<i64> = (0..ROWS as i64).filter(|&i| price_of(i) > 50.0).collect();
    assert_eq!(
        out["summary"]["children"],
        format!("rows 1–10 of {} (filtered from {ROWS})", expected.len())
    );
    p.page_current = 1;
    p.changed = vec!["page_current"];
    let out = c.table("t", &p).await;
    let ids_shown: Vec<i64> = out["table"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids_shown, expected[10..20]);
}
