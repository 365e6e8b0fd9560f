//! The HTTP side: an axum [`Router`] speaking Dash's protocol, and
//! [`Dash::run`] / [`Dash::serve`] to run it.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use bytes::Bytes;
use serde_json::{Value, json};

use crate::app::{Dash, Layout};
use crate::assets::Bundles;
use crate::callback::{Compiled, Kind, global_callbacks};
use crate::dispatch::{Outcome, Registry, dispatch};
use crate::error::Error;
use crate::index::{PageSettings, escape_html, render};

pub(crate) struct AppState {
    registry: Registry,
    dependencies: Bytes,
    layout: Layout,
    static_layout: Option<Bytes>,
    page: PageSettings,
    bundles: Bundles,
    max_body: usize,
    reload_hash: String,
}

/// A JSON error body `{"error": message}` with `status`.
pub(crate) fn error_response(status: StatusCode, message: &str) -> Response {
    let body = json!({"error": message}).to_string();
    Response::builder()
        .status(status)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body))
        .unwrap_or_default()
}

/// Percent-encodes one URL path segment.
pub(crate) fn encode_path_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn json_response(body: Bytes) -> Response {
    Response::builder()
        .header(header::CONTENT_TYPE, "application/json")
        .header(header::CACHE_CONTROL, "no-store")
        .body(Body::from(body))
        .unwrap_or_default()
}

impl Dash {
    fn build_state(mut self) -> Result<AppState, Error> {
        let layout = self.layout.take().ok_or_else(|| {
            Error::Config("the app has no layout: call `app.layout(...)` before serving".into())
        })?;
        let mut registry: Registry = HashMap::new();
        let mut order: Vec<Arc<Compiled>> = Vec::new();
        let mut owners: HashMap<String, String> = HashMap::new();
        let mut inline_clientside = Vec::new();
        for cb in self.callbacks.drain(..).chain(global_callbacks()) {
            let compiled = Compiled::compile(cb, self.prevent_initial_callbacks)?;
            if let Some(existing) = registry.get(&compiled.output_key) {
                // The very same declaration twice (e.g. a global callback
                // also added to the app) is kept once; anything else
                // writing the same outputs is a mistake.
                if existing.dependency_json() == compiled.dependency_json() {
                    continue;
                }
                let first = compiled
                    .outputs
                    .first()
                    .map_or_else(|| compiled.output_key.clone(), |o| o.prop_id());
                return Err(Error::DuplicateOutput(first));
            }
            for o in compiled.outputs.iter().filter(|o| !o.allow_duplicate) {
                if let Some(prev) = owners.insert(o.prop_id(), compiled.output_key.clone())
                    && prev != compiled.output_key
                {
                    return Err(Error::DuplicateOutput(o.prop_id()));
                }
            }
            if let Kind::Clientside(crate::ClientsideFunction::Inline(src)) = &compiled.kind {
                inline_clientside.push(src.clone());
            }
            let compiled = Arc::new(compiled);
            registry.insert(compiled.output_key.clone(), compiled.clone());
            order.push(compiled);
        }
        let deps: Vec<Value> = order.iter().map(|c| c.dependency_json()).collect();
        let dependencies = Bytes::from(serde_json::to_vec(&deps)?);
        let (static_layout, validation_layout) = match &layout {
            Layout::Static(v) => (Some(Bytes::from(serde_json::to_vec(v.as_ref())?)), None),
            Layout::PerRequest(f) => (
                None,
                (!self.suppress_callback_exceptions).then(|| f().into_value()),
            ),
        };
        let bundles = Bundles::new();
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
            inline_clientside,
            validation_layout,
        };
        let reload_hash = {
            use sha2::Digest;
            let seed = format!("{:?}{}", std::time::SystemTime::now(), std::process::id());
            hex::encode(&sha2::Sha256::digest(seed.as_bytes())[..16])
        };
        Ok(AppState {
            registry,
            dependencies,
            layout,
            static_layout,
            page,
            bundles,
            max_body: self.max_body_bytes,
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
        Ok(router.with_state(state))
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

type AppRef = State<Arc<AppState>>;

async fn index(State(s): AppRef) -> Response {
    let html = render(&s.page, &s.bundles);
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
    let Layout::PerRequest(f) = &s.layout else {
        return error_response(StatusCode::INTERNAL_SERVER_ERROR, "no layout");
    };
    let f = f.clone();
    // A layout function is user code: keep a panic from reaching the client.
    match tokio::task::spawn_blocking(move || f().into_value()).await {
        Ok(v) => match serde_json::to_vec(&v) {
            Ok(b) => json_response(Bytes::from(b)),
            Err(e) => error_response(
                StatusCode::INTERNAL_SERVER_ERROR,
                &format!("the layout is not valid JSON: {e}"),
            ),
        },
        Err(e) => error_response(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("the layout function failed: {e}"),
        ),
    }
}

async fn dependencies(State(s): AppRef) -> Response {
    json_response(s.dependencies.clone())
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
    s.bundles.serve(&namespace, &path, &headers)
}

async fn update_component(State(s): AppRef, req: Request) -> Response {
    let body = match axum::body::to_bytes(req.into_body(), s.max_body).await {
        Ok(b) => b,
        Err(_) => {
            return error_response(
                StatusCode::PAYLOAD_TOO_LARGE,
                &format!(
                    "the callback request is larger than the limit of {} bytes",
                    s.max_body
                ),
            );
        }
    };
    match dispatch(&s.registry, &body).await {
        Outcome::Update(v) => match serde_json::to_vec(&v) {
            Ok(b) => json_response(Bytes::from(b)),
            Err(e) => error_response(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
        },
        Outcome::Streamed(v, streams) => {
            let body = match serde_json::to_vec(&v) {
                Ok(b) => b,
                Err(e) => return error_response(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
            };
            let response = if crate::stream::all_raw(&streams) {
                crate::stream::assemble(body, streams).map(json_response)
            } else {
                crate::stream::splice(body, streams).map(|parts| {
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
            if s.page.dev_tools.ui {
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
