//! Background callbacks over the renderer's protocol, in process: the
//! start reply, polls with progress and side updates, the final response,
//! cancel (also per MATCH instance), superseding, caching, failures, and
//! handles a client forged.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use common::*;
use dash_core::background::{Background, is_cancelled, set_progress};
use dash_core::{Callback, CallbackError, Input, MATCH, Output, id, set_props};
use http::StatusCode;
use serde_json::{Value, json};

/// `out.children` from `in.value`, in the background.
fn start_body(value: Value) -> Value {
    simple(value)
}

/// The poll the renderer sends: the same body with every value nulled,
/// to the URL with the job's handles.
async fn poll(r: &Router, start: &Value, body: &Value) -> Resp {
    let mut b = body.clone();
    for i in b["inputs"].as_array_mut().unwrap() {
        i["value"] = Value::Null;
    }
    let uri = format!(
        "/_dash-update-component?cacheKey={}&job={}",
        start["cacheKey"].as_str().unwrap(),
        start["job"].as_str().unwrap()
    );
    post_to(r, &uri, b.to_string()).await
}

/// Polls until the reply holds a `response` (or is a 204 / an error),
/// collecting the progress values seen on the way.
async fn poll_to_end(r: &Router, start: &Value, body: &Value) -> (Resp, Vec<Value>) {
    let mut seen = Vec::new();
    for _ in 0..400 {
        let resp = poll(r, start, body).await;
        if resp.status != StatusCode::OK {
            return (resp, seen);
        }
        let v = resp.json();
        if let Some(p) = v.get("progress") {
            seen.push(p.clone());
        }
        if v.get("response").is_some() {
            return (resp, seen);
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the job did not end");
}

fn counting(calls: Arc<AtomicUsize>) -> Callback {
    Callback::new(
        Output::new("out", "children"),
        Input::new("in", "value"),
        move |v: Option<String>| {
            calls.fetch_add(1, Ordering::SeqCst);
            for step in 1..=5 {
                std::thread::sleep(Duration::from_millis(10));
                set_progress(format!("{step}/5"));
            }
            format!("done {}", v.unwrap_or_default())
        },
    )
    .background(
        Background::new()
            .interval(Duration::from_millis(100))
            .progress(Output::new("prog", "children"))
            .progress_default(Output::new("prog", "children"), "idle")
            .cancel(Input::new("stop", "n_clicks"))
            .cache("v1", Duration::from_secs(60)),
    )
}

#[tokio::test]
async fn dependencies_declare_the_interval_and_a_hidden_cancel_callback() {
    let r = with(|a| {
        a.add_callback(counting(Arc::default()));
    });
    let deps = dependencies(&r).await;
    let list = deps.as_array().unwrap();
    let main = list.iter().find(|d| d["output"] == "out.children").unwrap();
    assert_eq!(main["background"], json!({"interval": 100}));
    let cancel = list
        .iter()
        .find(|d| d["output"].as_str().unwrap().starts_with("stop.id@"))
        .expect("a cancel callback");
    assert_eq!(
        cancel["inputs"],
        json!([{"id": "stop", "property": "n_clicks"}])
    );
    assert_eq!(cancel["prevent_initial_call"], true);
    assert_eq!(cancel["hidden"], true);
    assert_eq!(cancel["background"], Value::Null);
}

#[tokio::test]
async fn a_job_starts_reports_progress_and_delivers_its_result_once() {
    let calls = Arc::new(AtomicUsize::new(0));
    let c = Arc::clone(&calls);
    let r = with(move |a| {
        a.add_callback(counting(c));
    });
    let body = start_body(json!("x"));
    let start = ok(&post(&r, body.clone()).await);
    assert!(start.get("response").is_none(), "{start}");
    assert_eq!(
        start["cancel"],
        json!([{"id": "stop", "property": "n_clicks"}])
    );
    assert_eq!(start["progressDefault"], json!({"prog.children": "idle"}));
    let (end, progress) = poll_to_end(&r, &start, &body).await;
    let end = ok(&end);
    assert_eq!(end["response"], json!({"out": {"children": "done x"}}));
    assert!(!progress.is_empty(), "some progress was seen");
    for p in &progress {
        let text = p["prog.children"].as_str().unwrap();
        assert!(text.ends_with("/5"), "{p}");
    }
    // delivered once: the job is gone
    no_content(&poll(&r, &start, &body).await);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    // the same arguments: answered from the cache, no job
    let again = ok(&post(&r, body.clone()).await);
    assert_eq!(again["response"], json!({"out": {"children": "done x"}}));
    assert!(again.get("job").is_none());
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    // other arguments run again
    let other = ok(&post(&r, start_body(json!("y"))).await);
    assert!(other.get("job").is_some());
}

#[tokio::test]
async fn forged_or_foreign_handles_are_no_job() {
    let r = with(|a| {
        a.add_callback(counting(Arc::default()));
    });
    let body = start_body(json!("x"));
    let start = ok(&post(&r, body.clone()).await);
    let job = start["job"].as_str().unwrap();
    let (value, tag) = job.rsplit_once('~').unwrap();
    let flipped = if tag.starts_with('0') { "1" } else { "0" };
    let forged = json!({
        "cacheKey": start["cacheKey"],
        "job": format!("{value}~{flipped}{}", &tag[1..]),
    });
    no_content(&poll(&r, &forged, &body).await);
    // a handle another app signed
    let other = with(|a| {
        a.add_callback(counting(Arc::default()));
    });
    no_content(&poll(&other, &start, &body).await);
    // the real handle still works
    let (end, _) = poll_to_end(&r, &start, &body).await;
    assert_eq!(ok(&end)["response"], json!({"out": {"children": "done x"}}));
}

/// A job that runs until cancelled, and says when it stopped.
fn endless(stopped: Arc<AtomicBool>) -> Callback {
    Callback::new(
        Output::new("out", "children"),
        Input::new("in", "value"),
        move |_: Option<String>| {
            let mut n = 0u64;
            while !is_cancelled() {
                n += 1;
                set_progress(n);
                std::thread::sleep(Duration::from_millis(5));
            }
            stopped.store(true, Ordering::SeqCst);
            "never delivered".to_owned()
        },
    )
    .background(
        Background::new()
            .progress(Output::new("prog", "children"))
            .cancel(Input::new("stop", "n_clicks")),
    )
}

async fn eventually(flag: &AtomicBool) -> bool {
    for _ in 0..300 {
        if flag.load(Ordering::SeqCst) {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    false
}

/// An app with the [`endless`] job, started once: the router, the job's
/// stop flag, the start body and the start reply.
async fn started_endless() -> (Router, Arc<AtomicBool>, Value, Value) {
    let stopped = Arc::new(AtomicBool::new(false));
    let s = Arc::clone(&stopped);
    let r = with(move |a| {
        a.add_callback(endless(s));
    });
    let body = start_body(json!("x"));
    let start = ok(&post(&r, body.clone()).await);
    // running: a job cancelled while it waits for the pool never runs
    for _ in 0..500 {
        if ok(&poll(&r, &start, &body).await).get("progress").is_some() {
            return (r, stopped, body, start);
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    panic!("the endless job did not start");
}

#[tokio::test]
async fn a_cancel_input_stops_the_job_and_no_result_comes() {
    let (r, stopped, body, start) = started_endless().await;
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(!stopped.load(Ordering::SeqCst));
    // the renderer fires the hidden cancel callback with `cancelJob`
    let deps = dependencies(&r).await;
    let cancel_key = deps
        .as_array()
        .unwrap()
        .iter()
        .find_map(|d| d["output"].as_str().filter(|o| o.starts_with("stop.id@")))
        .unwrap()
        .to_owned();
    let cancel = body_for(
        &cancel_key,
        target("stop", "id"),
        json!([inp("stop", "n_clicks", 1)]),
        &["stop.n_clicks"],
    );
    let uri = format!(
        "/_dash-update-component?cancelJob={}",
        start["job"].as_str().unwrap()
    );
    let resp = post_to(&r, &uri, cancel.to_string()).await;
    assert!(
        resp.status == StatusCode::NO_CONTENT || resp.status == StatusCode::OK,
        "{}",
        resp.text()
    );
    assert!(eventually(&stopped).await, "the job did not stop");
    no_content(&poll(&r, &start, &body).await);
}

fn body_for(output: &str, outputs: Value, inputs: Value, changed: &[&str]) -> Value {
    body(output, outputs, inputs, json!([]), changed)
}

#[tokio::test]
async fn a_cancel_without_a_valid_handle_cancels_nothing() {
    let (r, stopped, body, start) = started_endless().await;
    let job = start["job"].as_str().unwrap();
    // the last tag digit changed (never to itself)
    let last = if job.ends_with('0') { '1' } else { '0' };
    let forged = format!("{}{last}", &job[..job.len() - 1]);
    let uri = format!("/_dash-update-component?cancelJob={forged}");
    post_to(&r, &uri, simple(json!("x")).to_string()).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        !stopped.load(Ordering::SeqCst),
        "a forged handle cancelled the job"
    );
    let still = ok(&poll(&r, &start, &body).await);
    assert!(
        still.get("response").is_none() && still.get("progress").is_some(),
        "{still}"
    );
    // a newer call supersedes it (oldJob)
    let uri = format!("/_dash-update-component?oldJob={job}");
    let newer = ok(&post_to(&r, &uri, simple(json!("y")).to_string()).await);
    assert!(newer.get("job").is_some());
    assert!(
        eventually(&stopped).await,
        "the superseded job did not stop"
    );
}

#[tokio::test]
async fn two_match_instances_do_not_cancel_each_other() {
    let stopped: Arc<[AtomicBool; 3]> = Arc::new(Default::default());
    let started: Arc<[AtomicBool; 3]> = Arc::new(Default::default());
    let s = Arc::clone(&stopped);
    let go = Arc::clone(&started);
    let r = with(move |a| {
        a.add_callback(
            Callback::new(
                Output::new(id! {"type": "res", "index": MATCH}, "children"),
                Input::new(id! {"type": "run", "index": MATCH}, "n_clicks"),
                move |_: Option<u32>| {
                    let index = dash_core::callback_context()
                        .and_then(|c| c.triggered_id().and_then(|i| i.get("index").cloned()))
                        .and_then(|v| match v {
                            dash_core::IdValue::Int(i) => usize::try_from(i).ok(),
                            _ => None,
                        })
                        .unwrap_or(0);
                    go[index].store(true, Ordering::SeqCst);
                    while !is_cancelled() {
                        std::thread::sleep(Duration::from_millis(5));
                    }
                    s[index].store(true, Ordering::SeqCst);
                    "x".to_owned()
                },
            )
            .background(
                Background::new()
                    .cancel(Input::new(id! {"type": "stop", "index": MATCH}, "n_clicks")),
            ),
        );
    });
    let start_for = |i: i64| {
        body(
            r#"{"index":["MATCH"],"type":"res"}.children"#,
            target(json!({"type": "res", "index": i}), "children"),
            json!([inp(json!({"type": "run", "index": i}), "n_clicks", 1)]),
            json!([]),
            &[&format!(r#"{{"index":{i},"type":"run"}}.n_clicks"#)],
        )
    };
    let one = ok(&post(&r, start_for(1)).await);
    let two = ok(&post(&r, start_for(2)).await);
    // in the form the renderer compares with the cancel callback's inputs
    assert_eq!(
        one["cancel"],
        json!([{"id": {"index": {"wild": "MATCH"}, "type": "stop"}, "property": "n_clicks"}])
    );
    // both running (a job cancelled while it waits for the pool never runs)
    assert!(eventually(&started[1]).await && eventually(&started[2]).await);
    let cancel_key = dependencies(&r)
        .await
        .as_array()
        .unwrap()
        .iter()
        .find_map(|d| {
            d["output"]
                .as_str()
                .filter(|o| o.contains("\"stop\""))
                .map(str::to_owned)
        })
        .unwrap();
    // the renderer sends every job whose cancel inputs the fired callback
    // shares: both handles, for instance 2's button
    let cancel = body(
        &cancel_key,
        target(json!({"type": "stop", "index": 2}), "id"),
        json!([inp(json!({"type": "stop", "index": 2}), "n_clicks", 1)]),
        json!([]),
        &[r#"{"index":2,"type":"stop"}.n_clicks"#],
    );
    let uri = format!(
        "/_dash-update-component?cancelJob={}&cancelJob={}",
        one["job"].as_str().unwrap(),
        two["job"].as_str().unwrap()
    );
    let resp = post_to(&r, &uri, cancel.to_string()).await;
    assert!(resp.status.is_success(), "{}", resp.text());
    assert!(
        eventually(&stopped[2]).await,
        "instance 2 was not cancelled"
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        !stopped[1].load(Ordering::SeqCst),
        "instance 1 was cancelled by instance 2's button"
    );
    let still = ok(&poll(&r, &one, &start_for(1)).await);
    assert!(still.get("response").is_none(), "{still}");
}

#[tokio::test]
async fn failures_panics_and_prevent_update_reach_the_page() {
    let r = with(|a| {
        a.add_callback(
            Callback::new(
                Output::new("out", "children"),
                Input::new("in", "value"),
                |v: String| match v.as_str() {
                    "fail" => Err(CallbackError::msg("the data source is down")),
                    "panic" => panic!("index out of range"),
                    "prevent" => {
                        set_props("side", json!({"children": "told"}));
                        Err(dash_core::PreventUpdate.into())
                    }
                    _ => Ok(v),
                },
            )
            .background(Background::new()),
        );
    });
    for (value, status, needle) in [
        (
            "fail",
            StatusCode::INTERNAL_SERVER_ERROR,
            "the data source is down",
        ),
        (
            "panic",
            StatusCode::INTERNAL_SERVER_ERROR,
            "index out of range",
        ),
    ] {
        let body = start_body(json!(value));
        let start = ok(&post(&r, body.clone()).await);
        let (end, _) = poll_to_end(&r, &start, &body).await;
        assert_eq!(end.status, status, "{value}: {}", end.text());
        assert!(end.text().contains(needle), "{value}: {}", end.text());
    }
    let body = start_body(json!("prevent"));
    let start = ok(&post(&r, body.clone()).await);
    let (end, _) = poll_to_end(&r, &start, &body).await;
    let end = ok(&end);
    assert_eq!(end["sideUpdate"], json!({"side": {"children": "told"}}));
    assert_eq!(end["response"], json!({}));
}

#[tokio::test]
async fn an_async_job_is_dropped_when_cancelled() {
    struct Guard(Arc<AtomicBool>);
    impl Drop for Guard {
        fn drop(&mut self) {
            self.0.store(true, Ordering::SeqCst);
        }
    }
    let dropped = Arc::new(AtomicBool::new(false));
    let started = Arc::new(AtomicBool::new(false));
    let d = Arc::clone(&dropped);
    let go = Arc::clone(&started);
    let r = with(move |a| {
        a.add_callback(
            Callback::new(
                Output::new("out", "children"),
                Input::new("in", "value"),
                move |_: Value| {
                    let guard = Guard(Arc::clone(&d));
                    go.store(true, Ordering::SeqCst);
                    async move {
                        let _guard = guard;
                        tokio::time::sleep(Duration::from_secs(3600)).await;
                        "late".to_owned()
                    }
                },
            )
            .background(Background::new().cancel(Input::new("stop", "n_clicks"))),
        );
    });
    let body = start_body(json!("x"));
    let start = ok(&post(&r, body.clone()).await);
    assert!(eventually(&started).await, "the async job did not start");
    let uri = format!(
        "/_dash-update-component?cancelJob={}",
        start["job"].as_str().unwrap()
    );
    post_to(&r, &uri, simple(json!("x")).to_string()).await;
    assert!(eventually(&dropped).await, "the async job was not dropped");
    no_content(&poll(&r, &start, &body).await);
}
