//! Step 5 of a callback request: the [`Outcome`] written as an HTTP
//! response — JSON (spliced or streamed when it holds `TextStream`/`Json`
//! placeholders), 204, a 4xx naming the problem, or a 500 (an HTML page
//! the dev-tools overlay shows, in debug mode).

use axum::body::Body;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;

use crate::dispatch::Outcome;
use crate::http_util::{error_response, escape_html, json_response};

/// The HTTP response for `outcome`; `html_errors` in debug mode.
pub(crate) fn write(outcome: Outcome, html_errors: bool) -> Response {
    match outcome {
        Outcome::Update(v) => match serde_json::to_vec(&v) {
            Ok(b) => json_response(Bytes::from(b)),
            Err(e) => error_response(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
        },
        Outcome::Streamed(v, streams) => {
            let body = match serde_json::to_vec(&v) {
                Ok(b) => b,
                Err(e) => return error_response(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
            };
            let response = if crate::splice::all_raw(&streams) {
                crate::splice::assemble(body, streams).map(json_response)
            } else {
                crate::splice::splice(body, streams).map(|parts| {
                    Response::builder()
                        .header(header::CONTENT_TYPE, "application/json")
                        .header(header::CACHE_CONTROL, "no-store")
                        .body(Body::from_stream(parts))
                        .unwrap_or_default()
                })
            };
            response.unwrap_or_else(|msg| {
                tracing::error!("{msg}");
                error_response(StatusCode::INTERNAL_SERVER_ERROR, &msg)
            })
        }
        Outcome::NoContent => StatusCode::NO_CONTENT.into_response(),
        Outcome::BadRequest(code, msg) => {
            tracing::warn!("{msg}");
            error_response(
                StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST),
                &msg,
            )
        }
        Outcome::Failed(msg) => {
            tracing::error!("{msg}");
            if html_errors {
                // The dev-tools overlay shows the body of a failed callback as HTML.
                let html = format!(
                    "<!DOCTYPE html><html><head><title>Callback error</title></head><body><h1>Callback error</h1><pre>{}</pre></body></html>",
                    escape_html(&msg)
                );
                Response::builder()
                    .status(StatusCode::INTERNAL_SERVER_ERROR)
                    .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
                    .body(Body::from(html))
                    .unwrap_or_default()
            } else {
                error_response(StatusCode::INTERNAL_SERVER_ERROR, &msg)
            }
        }
    }
}
