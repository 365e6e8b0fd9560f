//! The HTTP side: an axum [`Router`] speaking Dash's protocol, and
//! [`Dash::run`] / [`Dash::serve`] to run it.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Redirect, Response};
use axum::routing::{get, post};
use bytes::Bytes;
use serde_json::json;

use crate::app::{Dash, Layout};
use crate::assets::Suites;
use crate::background::InProcessManager;
use crate::background::protocol::{JobQuery, Jobs};
use crate::callback::{Callback, cancel_callbacks, global_callbacks};
use crate::component::Children;
use crate::dispatch::dispatch;
use crate::error::Error;
use crate::http_util::{error_response, json_response};
use crate::index::{PageSettings, render};
use crate::limits::Limits;
use crate::registry::Registry;
use crate::state::AppState;

/// Everything a running app needs, built once by [`Dash::into_router`].
pub(crate) struct Served {
    registry: Registry,
    jobs: Jobs,
    /// The fixed layout, rendered once (its component tree is not kept).
    static_layout: Option<Bytes>,
    layout_fn: Option<Arc<dyn Fn() -> Children + Send + Sync>>,
    page: PageSettings,
    suites: Suites,
    state: AppState,
    limits: Limits,
    reload_hash: String,
}

/// A layout rendered with the app's state: deferred props made.
fn render_layout(children: Children, state: &AppState) -> Result<serde_json::Value, Error> {
    children
        .render(state)
        .map_err(|e| Error::Config(format!("the layout could not be rendered: {e}")))
}

impl Dash {
    fn build_state(mut self) -> Result<Served, Error> {
        let layout = self.layout.take().ok_or_else(|| {
            Error::Config("the app has no layout: call `app.layout(...)` before serving".into())
        })?;
        // Link-time extensions, after the app's own (each applied once).
        for ext in crate::extension::registered() {
            self.apply_extension(ext);
        }
        let mut callbacks: Vec<Callback> =
            self.callbacks.drain(..).chain(global_callbacks()).collect();
        callbacks.extend(cancel_callbacks(&callbacks));
        let registry = Registry::build(callbacks, self.prevent_initial_callbacks)?;
        let manager = self
            .background_manager
            .take()
            .unwrap_or_else(|| Arc::new(InProcessManager::new()));
        let jobs = Jobs::new(manager, registry.background_handlers(), self.state.clone());
        let (static_layout, layout_fn, validation_layout) = match layout {
            Layout::Static(children) => {
                let v = render_layout(children, &self.state)?;
                (Some(Bytes::from(serde_json::to_vec(&v)?)), None, None)
            }
            Layout::PerRequest(f) => {
                let validation = if self.suppress_callback_exceptions {
                    None
                } else {
                    Some(render_layout(f(), &self.state)?)
                };
                (None, Some(f), validation)
            }
        };
        let suites = Suites::new(&self.libraries)?;
        let page = PageSettings {
            title: self.title,
            update_title: self.update_title,
            prefix: self.prefix,
            meta_tags: self.meta_tags,
            external_stylesheets: self.external_stylesheets,
            external_scripts: self.external_scripts,
            assets_folder: self.assets_folder,
            assets_url_path: self.assets_url_path,
            dev_tools: self.dev_tools,
            suppress_callback_exceptions: self.suppress_callback_exceptions,
            inline_clientside: registry.inline_clientside.clone(),
            validation_layout,
            libraries: self.libraries,
        };
        let reload_hash = {
            use sha2::Digest;
            let seed = format!("{:?}{}", std::time::SystemTime::now(), std::process::id());
            hex::encode(&sha2::Sha256::digest(seed.as_bytes())[..16])
        };
        Ok(Served {
            registry,
            jobs,
            static_layout,
            layout_fn,
            page,
            suites,
            state: self.state,
            limits: self.limits,
            reload_hash,
        })
    }

    /// Builds the axum router of this app, with every route under the
    /// app's [`url_prefix`](Dash::url_prefix). Merge it into any axum app:
    ///
    /// ```no_run
    /// # use dash_core::prelude::*;
    /// # fn layout() -> html::Div { html::Div::new() }
    /// let mut dash = Dash::new();
    /// dash.url_prefix("/dash/").layout(layout());
    /// let app = axum::Router::new()
    ///     .route("/health", axum::routing::get(|| async { "ok" }))
    ///     .merge(dash.into_router()?);
    /// # Ok::<(), dash_core::Error>(())
    /// ```
    pub fn into_router(self) -> Result<Router, Error> {
        let state = Arc::new(self.build_state()?);
        let p = state.page.prefix.clone();
        let mut router = Router::new()
            .route(&p, get(index))
            .route(&format!("{p}_dash-layout"), get(layout))
            .route(&format!("{p}_dash-dependencies"), get(dependencies))
            .route(
                &format!("{p}_dash-update-component"),
                post(update_component),
            )
            .route(&format!("{p}_reload-hash"), get(reload_hash))
            .route(&format!("{p}_favicon.ico"), get(favicon))
            .route(
                &format!("{p}_dash-component-suites/{{namespace}}/{{*path}}"),
                get(suites),
            )
            .route(&format!("{p}{{*rest}}"), get(index));
        if let Some(folder) = state.page.assets_folder.clone() {
            let url = format!("{p}{}", state.page.assets_url_path);
            router = router.nest_service(&url, tower_http::services::ServeDir::new(folder));
        }
        if p != "/" {
            let bare = p.trim_end_matches('/').to_owned();
            router = router.route(&bare, get(move || async move { Redirect::permanent(&p) }));
        }
        let limits = state.limits.clone();
        Ok(limits.apply(router.with_state(state)))
    }

    /// Serves the app until Ctrl-C, on `HOST`:`PORT` from the environment
    /// (default `127.0.0.1:8050`, as Dash). Call from async code.
    pub async fn serve(self) -> Result<(), Error> {
        let host = std::env::var("HOST").unwrap_or_else(|_| "127.0.0.1".into());
        let port = std::env::var("PORT").unwrap_or_else(|_| "8050".into());
        let port: u16 = port.parse().map_err(|_| {
            Error::Config(format!(
                "PORT must be a number from 1 to 65535, got {port:?}"
            ))
        })?;
        let addr: SocketAddr = format!("{host}:{port}")
            .parse()
            .or_else(|_| format!("[{host}]:{port}").parse())
            .map_err(|_| Error::Config(format!("HOST {host:?} is not an IP address")))?;
        let prefix = self.prefix.clone();
        let router = self.into_router()?;
        let listener = tokio::net::TcpListener::bind(addr).await?;
        let shown = listener.local_addr()?;
        println!("Dash is running on http://{shown}{prefix}");
        axum::serve(listener, router)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await?;
        Ok(())
    }

    /// Builds a Tokio runtime and serves the app until Ctrl-C (Dash's `app.run()`).
    pub fn run(self) -> Result<(), Error> {
        tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?
            .block_on(self.serve())
    }
}

type AppRef = State<Arc<Served>>;

async fn index(State(s): AppRef) -> Response {
    let html = render(&s.page, &s.suites);
    Response::builder()
        .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::from(html))
        .unwrap_or_default()
}

async fn layout(State(s): AppRef) -> Response {
    if let Some(bytes) = &s.static_layout {
        return json_response(bytes.clone());
    }
    let Some(f) = &s.layout_fn else {
        return error_response(StatusCode::INTERNAL_SERVER_ERROR, "no layout");
    };
    let (f, state) = (f.clone(), s.state.clone());
    // A layout function is user code: keep a panic from reaching the client.
    let made = tokio::task::spawn_blocking(move || {
        render_layout(f(), &state).and_then(|v| Ok(serde_json::to_vec(&v)?))
    });
    match made.await {
        Ok(Ok(b)) => json_response(Bytes::from(b)),
        Ok(Err(e)) => error_response(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
        Err(e) => error_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("the layout function failed: {e}"),
        ),
    }
}

async fn dependencies(State(s): AppRef) -> Response {
    json_response(s.registry.dependencies.clone())
}

async fn reload_hash(State(s): AppRef) -> Response {
    let body = json!({
        "reloadHash": s.reload_hash,
        "hard": true,
        "packages": ["dash"],
        "files": [],
    });
    json_response(Bytes::from(body.to_string()))
}

async fn suites(
    State(s): AppRef,
    Path((namespace, path)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    s.suites.serve(&namespace, &path, &headers)
}

async fn update_component(State(s): AppRef, req: Request) -> Response {
    let query = JobQuery::parse(req.uri().query());
    let max = s.limits.max_body_bytes;
    let too_large = || {
        error_response(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("the callback request is larger than the limit of {max} bytes"),
        )
    };
    // A body announced over the limit is refused before it is read.
    let announced = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > max as u64) {
        return too_large();
    }
    let read = axum::body::to_bytes(req.into_body(), max);
    let body = match tokio::time::timeout(s.limits.body_timeout, read).await {
        Ok(Ok(b)) => b,
        Ok(Err(e)) if is_length_limit(&e) => return too_large(),
        Ok(Err(e)) => {
            return error_response(
                StatusCode::BAD_REQUEST,
                &format!("the callback request's body could not be read: {e}"),
            );
        }
        Err(_) => {
            return error_response(
                StatusCode::REQUEST_TIMEOUT,
                &format!(
                    "the callback request's body did not arrive within {} s",
                    s.limits.body_timeout.as_secs_f64()
                ),
            );
        }
    };
    let outcome = dispatch(&s.registry, &s.state, &s.jobs, &query, body).await;
    crate::response::write(outcome, s.page.dev_tools.ui)
}

fn is_length_limit(e: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = source {
        if err.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = err.source();
    }
    false
}

/// A 16×16 icon in the ICO format, drawn here (a blue square with a
/// lighter bar), so pages don't log a missing favicon.
fn favicon_bytes() -> Vec<u8> {
    const N: u32 = 16;
    let pixels = (N * N * 4) as usize;
    let mask = (N * 4) as usize; // 1 bit per pixel, rows padded to 32 bits
    let image_len = 40 + pixels + mask;
    let mut b = Vec::with_capacity(22 + image_len);
    b.extend_from_slice(&[0, 0, 1, 0, 1, 0]); // ICONDIR: icon, 1 image
    b.extend_from_slice(&[N as u8, N as u8, 0, 0, 1, 0, 32, 0]);
    b.extend_from_slice(&(image_len as u32).to_le_bytes());
    b.extend_from_slice(&22u32.to_le_bytes());
    b.extend_from_slice(&40u32.to_le_bytes()); // BITMAPINFOHEADER
    b.extend_from_slice(&(N as i32).to_le_bytes());
    b.extend_from_slice(&((N * 2) as i32).to_le_bytes());
    b.extend_from_slice(&1u16.to_le_bytes());
    b.extend_from_slice(&32u16.to_le_bytes());
    b.extend_from_slice(&[0; 24]);
    for y in 0..N {
        for _x in 0..N {
            let bar = (6..10).contains(&y);
            let (r, g, bl) = if bar {
                (0x9f, 0xd3, 0xff)
            } else {
                (0x11, 0x6b, 0xd9)
            };
            b.extend_from_slice(&[bl, g, r, 0xff]);
        }
    }
    b.extend(std::iter::repeat_n(0u8, mask));
    b
}

async fn favicon() -> Response {
    static ICON: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    let bytes = ICON.get_or_init(favicon_bytes).clone();
    Response::builder()
        .header(header::CONTENT_TYPE, "image/x-icon")
        .header(header::CACHE_CONTROL, "public, max-age=86400")
        .body(Body::from(bytes))
        .unwrap_or_default()
}
