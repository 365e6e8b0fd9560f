//! What one client can make the server do: bounds set on [`Dash`] with
//! [`Dash::limits`], applied as tower layers on every route of the app's
//! router — a request timeout, a concurrency limit that sheds load (503
//! with `Retry-After`) — and in the callback route: a body limit refused
//! at once when `Content-Length` announces more, and a deadline for the
//! body to arrive.
//!
//! [`Dash`]: crate::Dash
//! [`Dash::limits`]: crate::Dash::limits

use std::time::Duration;

use axum::error_handling::HandleErrorLayer;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use axum::{BoxError, Router};
use tower::ServiceBuilder;
use tower::limit::GlobalConcurrencyLimitLayer;

use crate::http_util::error_response;

/// Bounds on the work of one request, and on how many are served at once.
///
/// The defaults suit an app on a small server; raise them for an app
/// whose callbacks legitimately take long or receive large bodies. The
/// time limits need a Tokio runtime with timers (`enable_time`, or
/// `enable_all` as [`Dash::run`](crate::Dash::run) builds).
///
/// ```
/// use std::time::Duration;
/// use dash_core::{Dash, Limits};
/// let mut app = Dash::new();
/// app.limits(Limits {
///     request_timeout: Duration::from_secs(120),
///     ..Limits::default()
/// });
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// The largest callback request body, in bytes (default 16 MiB). A
    /// body announced larger is refused with 413 before it is read.
    pub max_body_bytes: usize,
    /// How long a callback request's body may take to arrive (default
    /// 10 s); a client that trickles it gets 408.
    pub body_timeout: Duration,
    /// How long any request may take, body and answer (default 30 s, as
    /// gunicorn's default worker timeout); past it the client gets 503.
    /// Callbacks that take longer belong in background callbacks.
    pub request_timeout: Duration,
    /// Requests served at once by this app (default 256); the next one
    /// is refused at once with 503 and `Retry-After: 1` rather than queued.
    pub max_concurrent_requests: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 16 * 1024 * 1024,
            body_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
            max_concurrent_requests: 256,
        }
    }
}

impl Limits {
    /// `router` behind the layers every route gets: the timeout and the
    /// load shedder, whose errors become answers naming the limit.
    pub(crate) fn apply<S: Clone + Send + Sync + 'static>(&self, router: Router<S>) -> Router<S> {
        let (timeout, max) = (self.request_timeout, self.max_concurrent_requests);
        router.layer(
            ServiceBuilder::new()
                .layer(HandleErrorLayer::new(move |e: BoxError| async move {
                    refused(&e, timeout, max)
                }))
                .load_shed()
                .layer(GlobalConcurrencyLimitLayer::new(max.max(1)))
                .timeout(timeout),
        )
    }
}

fn refused(e: &BoxError, timeout: Duration, max: usize) -> Response {
    let mut r = if e.is::<tower::timeout::error::Elapsed>() {
        error_response(
            StatusCode::SERVICE_UNAVAILABLE,
            &format!(
                "the request did not finish within the server's limit of {} s",
                timeout.as_secs_f64()
            ),
        )
    } else if e.is::<tower::load_shed::error::Overloaded>() {
        error_response(
            StatusCode::SERVICE_UNAVAILABLE,
            &format!("the server is busy ({max} requests under way); try again in a moment"),
        )
    } else {
        error_response(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string())
    };
    r.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
    r
}
