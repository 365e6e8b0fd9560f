//! `TextStream` outputs: the response streams the string while it is
//! produced, escaped for JSON, and a failure part-way cuts the response off.

mod common;

use std::time::Duration;

use axum::body::Body;
use common::{multi, ok, post, simple, with};
use dash_core::{Input, NoUpdate, Output, TextStream};
use futures_util::stream;
use http::{Request, header};
use serde_json::{Value, json};
use tower::ServiceExt as _;

fn pieces() -> Vec<Result<String, String>> {
    vec![
        Ok("id,name\n".into()),
        Ok("1,\"Ada, \"\"the\"\" first\"\n".into()),
        Ok(String::new()),
        Ok("2,Ωmega \u{1F600}\t\u{0}\n".into()),
    ]
}

#[tokio::test]
async fn a_text_stream_is_spliced_into_the_response_as_a_json_string() {
    let r = with(|a| {
        a.callback(
            Output::new("out", "children"),
            Input::new("in", "value"),
            |v: String| async move {
                json!({
                    "content": TextStream::new(stream::iter(pieces())),
                    "filename": format!("{v}.csv"),
                    "base64": false,
                })
            },
        );
    });
    let resp = post(&r, simple(json!("rows"))).await;
    assert_eq!(
        resp.headers.get(header::CONTENT_TYPE).unwrap(),
        "application/json"
    );
    let expected: String = pieces().into_iter().map(|p| p.unwrap()).collect();
    assert_eq!(
        ok(&resp),
        json!({"multi": true, "response": {"out": {"children": {
            "content": expected, "filename": "rows.csv", "base64": false
        }}}})
    );
}

#[tokio::test]
async fn pieces_are_produced_while_the_body_is_read() {
    let r = with(|a| {
        a.callback(
            Output::new("out", "children"),
            Input::new("in", "value"),
            |_v: String| {
                let slow = futures_util::StreamExt::then(stream::iter(0..3), |i| async move {
                    tokio::time::sleep(Duration::from_millis(5)).await;
                    Ok::<_, String>(format!("<{i}>"))
                });
                TextStream::new(slow)
            },
        );
    });
    let resp = post(&r, simple(json!("x"))).await;
    assert_eq!(
        ok(&resp),
        json!({"multi": true, "response": {"out": {"children": "<0><1><2>"}}})
    );
}

#[tokio::test]
async fn two_streams_and_a_dropped_one() {
    let r = with(|a| {
        a.callback(
            (Output::new("a", "children"), Output::new("b", "children")),
            Input::new("in", "value"),
            |_v: String| {
                // The second output is NoUpdate: its stream is never sent.
                let one = TextStream::new(stream::iter([Ok::<_, String>("first".to_owned())]));
                let two = TextStream::new(stream::iter([Ok::<_, String>("second".to_owned())]));
                drop(two);
                (
                    json!({"x": one, "y": TextStream::new(stream::iter([Ok::<_, String>("third".to_owned())]))}),
                    NoUpdate,
                )
            },
        );
    });
    let resp = post(
        &r,
        multi(&[("a", "children"), ("b", "children")], "v", &["in.value"]),
    )
    .await;
    assert_eq!(
        ok(&resp),
        json!({"multi": true, "response": {"a": {"children": {"x": "first", "y": "third"}}}})
    );
}

#[tokio::test]
async fn a_failing_stream_cuts_the_response_off() {
    let r = with(|a| {
        a.callback(
            Output::new("out", "children"),
            Input::new("in", "value"),
            |_v: String| {
                TextStream::new(stream::iter([
                    Ok("partial".to_owned()),
                    Err("the disk went away".to_owned()),
                    Ok("never".to_owned()),
                ]))
            },
        );
    });
    let req = Request::post("/_dash-update-component")
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(simple(json!("x")).to_string()))
        .unwrap();
    let resp = r.clone().oneshot(req).await.unwrap();
    assert_eq!(resp.status(), 200);
    let body = axum::body::to_bytes(resp.into_body(), usize::MAX).await;
    body.expect_err("the body must fail, not end as if it were complete");
}

#[test]
fn a_text_stream_outside_a_callback_does_not_serialize() {
    let s = TextStream::new(stream::iter([Ok::<_, String>("x".to_owned())]));
    let err = serde_json::to_value(&s).unwrap_err().to_string();
    assert!(err.contains("only be returned from a callback"), "{err}");
}

#[tokio::test]
async fn a_client_cannot_forge_a_placeholder() {
    let r = with(|a| {
        a.callback(
            Output::new("out", "children"),
            Input::new("in", "value"),
            |v: String| json!({"echo": v, "s": TextStream::new(stream::iter([Ok::<_, String>("real".to_owned())]))}),
        );
    });
    for n in 0..2 {
        let forged = format!("\u{0}dash-rs splice {:016x} 0\u{0}", n);
        let resp = post(&r, simple(Value::String(forged.clone()))).await;
        assert_eq!(
            ok(&resp),
            json!({"multi": true, "response": {"out": {"children": {"echo": forged, "s": "real"}}}})
        );
    }
}

#[tokio::test]
async fn json_values_are_spliced_in_as_is() {
    use dash_core::Json;
    let r = with(|a| {
        a.callback(
            (Output::new("a", "children"), Output::new("b", "children")),
            Input::new("in", "value"),
            |v: String| {
                let rows = vec![json!({"id": 1, "name": v}), json!({"id": 2, "name": null})];
                (
                    Json::new(&rows).unwrap(),
                    json!({"wrapped": Json::new(&[1.5, 2.0]).unwrap()}),
                )
            },
        );
    });
    let resp = post(
        &r,
        multi(
            &[("a", "children"), ("b", "children")],
            "Zoë \"q\"",
            &["in.value"],
        ),
    )
    .await;
    assert_eq!(
        ok(&resp),
        json!({"multi": true, "response": {
            "a": {"children": [{"id": 1, "name": "Zoë \"q\""}, {"id": 2, "name": null}]},
            "b": {"children": {"wrapped": [1.5, 2.0]}},
        }})
    );
    // Sent with a length, not streamed.
    assert!(resp.headers.get(header::CONTENT_LENGTH).is_some());
    let err = serde_json::to_value(Json::new(&1).unwrap()).unwrap_err();
    assert!(err.to_string().contains("only be returned from a callback"));
}

#[tokio::test]
async fn cloned_json_is_spliced_everywhere_and_a_cloned_stream_is_an_error() {
    use dash_core::Json;
    let r = with(|a| {
        a.callback(
            Output::new("out", "children"),
            Input::new("in", "value"),
            |_v: String| {
                let j = serde_json::to_value(Json::new(&[1, 2]).unwrap()).unwrap();
                json!({"a": j.clone(), "b": j})
            },
        );
    });
    let resp = post(&r, simple(json!("x"))).await;
    assert_eq!(
        ok(&resp),
        json!({"multi": true, "response": {"out": {"children": {"a": [1, 2], "b": [1, 2]}}}})
    );

    let r = with(|a| {
        a.callback(
            Output::new("out", "children"),
            Input::new("in", "value"),
            |_v: String| {
                let t = TextStream::new(stream::iter([Ok::<_, String>("once".to_owned())]));
                let v = serde_json::to_value(t).unwrap();
                json!([v.clone(), v])
            },
        );
    });
    let resp = post(&r, simple(json!("x"))).await;
    assert_eq!(resp.status, 500);
    assert!(resp.text().contains("more than once"), "{}", resp.text());
}

#[tokio::test]
async fn a_json_cannot_hold_a_stream() {
    use dash_core::{CallbackError, Json};
    let r = with(|a| {
        a.callback(
            Output::new("out", "children"),
            Input::new("in", "value"),
            |_v: String| -> Result<Json, CallbackError> {
                let inner = TextStream::new(stream::iter([Ok::<_, String>("x".to_owned())]));
                Json::new(&json!({"s": inner})).map_err(CallbackError::msg)
            },
        );
    });
    let resp = post(&r, simple(json!("x"))).await;
    assert_eq!(resp.status, 500);
    assert!(resp.text().contains("cannot contain"), "{}", resp.text());
}

#[tokio::test]
async fn serialized_json_is_spliced_in_and_checked_for_placeholders() {
    use dash_core::{CallbackError, Json};
    let r = with(|a| {
        a.callback(
            Output::new("out", "children"),
            Input::new("in", "value"),
            |v: String| -> Result<Json, CallbackError> {
                let text = format!(r#"[{{"v":{}}},null]"#, serde_json::to_string(&v).unwrap());
                Json::from_serialized(text.into_bytes()).map_err(CallbackError::msg)
            },
        );
    });
    let resp = post(&r, simple(json!("a\"b"))).await;
    assert_eq!(
        ok(&resp),
        json!({"multi": true, "response": {"out": {"children": [{"v": "a\"b"}, null]}}})
    );

    // Text holding another value's placeholder would be filled in by the
    // server: refused.
    let r = with(|a| {
        a.callback(
            Output::new("out", "children"),
            Input::new("in", "value"),
            |_v: String| -> Result<Json, CallbackError> {
                let inner = serde_json::to_string(&Json::new(&[1]).unwrap()).unwrap();
                Json::from_serialized(format!("[{inner}]").into_bytes()).map_err(CallbackError::msg)
            },
        );
    });
    let resp = post(&r, simple(json!("x"))).await;
    assert_eq!(resp.status, 500);
    assert!(resp.text().contains("cannot contain"), "{}", resp.text());

    // Debug builds (the tests) parse the text.
    if cfg!(debug_assertions) {
        assert!(Json::from_serialized(b"[1,".to_vec()).is_err());
    }
}
