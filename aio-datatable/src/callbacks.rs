//! The callbacks every [`crate::DataTableAio`] shares, registered once (by
//! [`crate::DataTableExtension`]) with `MATCH` on the `aio_id`. Each reads
//! its app's [`TableState`].

use std::sync::Arc;

use dash_core::{
    Callback, CallbackError, Input, Json, MATCH, Output, PreventUpdate, State, TextStream, Update,
    callback_context, named,
};
use futures_util::{StreamExt as _, stream};
use polars::prelude::DataFrame;
use redis_store::{FrameKey, FrameRef};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::component::MAX_PAGE_SIZE;
use crate::engine::{self, View, ViewSpec};
use crate::state::{StoredViews, TableState};
use crate::{ids, query};

/// What the table callback reads.
#[derive(Debug, Deserialize)]
struct TableArgs {
    page_current: Option<f64>,
    sort_by: Option<Value>,
    filter_query: Option<String>,
    search: Option<String>,
    page_size: Option<f64>,
    source: Option<Value>,
}

/// What the table callback writes.
#[derive(Debug, Serialize)]
struct TableOut {
    data: Update<Json>,
    page_count: Update<usize>,
    page_current: Update<usize>,
    page_size: Update<usize>,
    summary: Update<String>,
    message: String,
    view_spec: Update<Value>,
}

impl TableOut {
    /// Shows `message` and keeps the last good page.
    fn error(message: String) -> Self {
        TableOut {
            data: Update::NoUpdate,
            page_count: Update::NoUpdate,
            page_current: Update::NoUpdate,
            page_size: Update::NoUpdate,
            summary: Update::NoUpdate,
            message,
            view_spec: Update::NoUpdate,
        }
    }
}

fn source_key(tables: &TableState, source: Option<&Value>) -> Result<FrameKey, String> {
    let v = source.ok_or("the table has lost its data source; reload the page")?;
    FrameRef::from_json(v)
        .and_then(|r| tables.store().verify(&r))
        .map_err(|e| format!("the table's data source is invalid: {e}"))
}

/// The app's table state (the store, the view cache, the permits).
fn tables() -> Result<Arc<TableState>, CallbackError> {
    Ok(TableState::of(&dash_core::app_state()?))
}

/// Frames from this height up are sorted one at a time.
const LARGE_FRAME_ROWS: usize = 1_000_000;

/// Whether a build sorts or copies a large frame (see [`build`]).
fn heavy(frame: &DataFrame, sorts: bool) -> bool {
    sorts && frame.height() >= LARGE_FRAME_ROWS
}

/// Runs `f` (a view build, [`heavy`] or not) on the blocking pool once its
/// build permits are free. View builds share the cores and, for large
/// frames, memory: a sort (or a copy of the view) over a frame of at least
/// [`LARGE_FRAME_ROWS`] rows holds every permit (polars spreads a sort
/// over the cores anyway, and each holds keys and permutations of
/// millions of rows), any other build a single permit (one per core:
/// filters run side by side). Requests beyond that queue in order.
async fn build<T: Send + 'static>(
    tables: &TableState,
    heavy: bool,
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, String> {
    let wanted = if heavy { tables.cores } else { 1 };
    let _permit = tables
        .permits
        .acquire_many(wanted)
        .await
        .map_err(|e| format!("the table query failed: {e}"))?;
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| format!("the table query failed: {e}"))
}

/// The complete view for `spec`, from the cache or built off the async
/// threads.
async fn view(
    tables: &Arc<TableState>,
    key: &FrameKey,
    frame: DataFrame,
    spec: ViewSpec,
) -> Result<(Arc<View>, DataFrame), String> {
    let cache_key = key.to_hex();
    if let Some(v) = tables.views().get(&cache_key, &spec) {
        return Ok((v, frame));
    }
    let t = Arc::clone(tables);
    build(tables, heavy(&frame, !spec.sort.is_empty()), move || {
        t.views()
            .get_or_build(&cache_key, &spec, &frame)
            .map(|v| (v, frame))
            .map_err(|e| e.to_string())
    })
    .await?
}

/// Frames at least this high show a new sort's first pages from a head
/// ([`engine::build_view_head`]) while the whole view is built behind it.
const HEAD_MIN_ROWS: usize = 200_000;
/// Pages further than this many rows into a view are taken from the whole
/// view (a head that long costs about as much, and would be built twice).
const HEAD_MAX_ROWS: usize = 10_000;

/// A view that can show page `page_current` of `page_size` rows: the
/// cached view; else, for a sorted view of a large frame, just the sorted
/// head the page needs (the complete view is then built in the background
/// for the next pages, if the cache keeps views); else the complete view.
async fn view_for_page(
    tables: &Arc<TableState>,
    key: &FrameKey,
    frame: DataFrame,
    spec: ViewSpec,
    page_current: usize,
    page_size: usize,
) -> Result<(Arc<View>, DataFrame), String> {
    let cache_key = key.to_hex();
    if let Some(v) = tables.views().get(&cache_key, &spec) {
        return Ok((v, frame));
    }
    let building = tables.views().is_building(&cache_key, &spec);
    // Small frames, no sort, a page deep into the view, or the whole view
    // already on its way (wait for it rather than sort a head beside it).
    let rows = page_current.saturating_add(1).saturating_mul(page_size);
    if spec.sort.is_empty() || frame.height() < HEAD_MIN_ROWS || rows > HEAD_MAX_ROWS || building {
        return view(tables, key, frame, spec).await;
    }
    let t = Arc::clone(tables);
    build(tables, heavy(&frame, true), move || {
        let head = engine::build_view_head(&frame, &spec, rows).map_err(|e| e.to_string())?;
        if head.is_complete() {
            return Ok((t.views().insert(&cache_key, &spec, head), frame));
        }
        // Only when the cache would keep the result (about 4 bytes a row).
        let fits = head.len().saturating_mul(4).saturating_add(4096) <= t.views().capacity_bytes();
        if fits {
            build_in_background(&t, cache_key, spec, frame.clone());
        }
        Ok((Arc::new(head), frame))
    })
    .await?
}

/// Builds the whole view behind a head. One background build at a time:
/// a person clicking through several sorts should not queue a full sort
/// per click ahead of page requests.
fn build_in_background(
    tables: &Arc<TableState>,
    cache_key: String,
    spec: ViewSpec,
    frame: DataFrame,
) {
    let Ok(slot) = Arc::clone(&tables.background).try_acquire_owned() else {
        // Another full sort is under way; this view's later pages will be
        // built when they are asked for.
        return;
    };
    let tables = Arc::clone(tables);
    tokio::spawn(async move {
        let _slot = slot;
        // The cache builds each view once; a request for it meanwhile
        // waits for this build (see ViewCache::get_or_build).
        let sorts = heavy(&frame, true);
        let t = Arc::clone(&tables);
        let built = build(&tables, sorts, move || {
            t.views().get_or_build(&cache_key, &spec, &frame)
        })
        .await;
        if let Err(e) = built.and_then(|r| r.map(|_| ()).map_err(|e| e.to_string())) {
            tracing::warn!("building a sorted view in the background failed: {e}");
        }
    });
}

fn view_spec_json(spec: &ViewSpec, sort_by: &Value) -> Value {
    json!({"filter": spec.filter.to_string(), "search": spec.search, "sort_by": sort_by})
}

/// The longest search text accepted, in bytes: a search is matched
/// against every cell, so its cost grows with its length.
pub const MAX_SEARCH_BYTES: usize = 1024;

fn check_search(search: &str) -> Result<(), String> {
    if search.len() > MAX_SEARCH_BYTES {
        return Err(format!(
            "Search: the text is {} bytes long; at most {MAX_SEARCH_BYTES} are allowed",
            search.len()
        ));
    }
    Ok(())
}

fn spec_from_json(v: &Value) -> Result<ViewSpec, String> {
    let filter = v.get("filter").and_then(Value::as_str).unwrap_or("");
    let filter = query::parse(filter).map_err(|e| format!("filter: {e}"))?;
    let search = v
        .get("search")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    check_search(&search)?;
    let sort = engine::parse_sort_by(v.get("sort_by").unwrap_or(&Value::Null))
        .map_err(|e| e.to_string())?;
    Ok(ViewSpec {
        filter,
        search,
        sort,
    })
}

async fn table(args: TableArgs) -> Result<TableOut, CallbackError> {
    let tables = tables()?;
    let key = match source_key(&tables, args.source.as_ref()) {
        Ok(k) => k,
        Err(m) => return Ok(TableOut::error(m)),
    };
    let search = args.search.unwrap_or_default();
    if let Err(m) = check_search(&search) {
        return Ok(TableOut::error(m));
    }
    let filter_text = args.filter_query.unwrap_or_default();
    let filter = match query::parse(&filter_text) {
        Ok(q) => q,
        Err(e) => return Ok(TableOut::error(format!("Filter: {e}"))),
    };
    let sort_by = args.sort_by.unwrap_or(Value::Array(Vec::new()));
    let sort = match engine::parse_sort_by(&sort_by) {
        Ok(s) => s,
        Err(e) => return Ok(TableOut::error(format!("Sort: {e}"))),
    };
    let page_size = match args.page_size {
        Some(n) if n.fract() == 0.0 && n >= 1.0 && n <= f64::from(MAX_PAGE_SIZE) => n as usize,
        None => 25,
        Some(n) => {
            return Ok(TableOut::error(format!(
                "page size {n} is not allowed: choose 1 to {MAX_PAGE_SIZE} rows"
            )));
        }
    };
    // A new filter, sort, search or page size starts from the first page;
    // only a page flip keeps the requested page (clamped below).
    let flipped = callback_context()
        .map(|c| {
            !c.triggered().is_empty() && c.triggered().iter().all(|t| t.property == "page_current")
        })
        .unwrap_or(false);
    let requested = match args.page_current {
        Some(p) if flipped && p.is_finite() && p >= 0.0 => p as usize,
        _ => 0,
    };
    let spec = ViewSpec {
        filter,
        search,
        sort,
    };
    // A page flip shows the same view: its spec is already published.
    let spec_json = (!flipped).then(|| view_spec_json(&spec, &sort_by));
    let frame = match tables.load(&key).await {
        Ok(f) => f,
        Err(m) => return Ok(TableOut::error(m)),
    };
    let (view, frame) = match view_for_page(&tables, &key, frame, spec, requested, page_size).await
    {
        Ok(v) => v,
        Err(m) => return Ok(TableOut::error(m)),
    };
    let (page_current, page_count) = engine::clamp_page(view.len(), requested, page_size);
    let page = match view.page_records(&frame, page_current, page_size) {
        Ok(p) => p,
        Err(e) => return Ok(TableOut::error(e.to_string())),
    };
    let first = page_current * page_size;
    let summary = if view.is_empty() {
        format!("no rows match (filtered from {})", view.total_rows())
    } else {
        let last = (first + page.len()).min(view.len());
        let filtered = if view.len() == view.total_rows() {
            String::new()
        } else {
            format!(" (filtered from {})", view.total_rows())
        };
        format!("rows {}–{} of {}{}", first + 1, last, view.len(), filtered)
    };
    let data = match page.to_json().and_then(Json::from_serialized) {
        Ok(d) => d,
        Err(e) => {
            return Ok(TableOut::error(format!(
                "the page could not be written: {e}"
            )));
        }
    };
    Ok(TableOut {
        data: Update::Set(data),
        page_count: Update::Set(page_count),
        page_current: Update::Set(page_current),
        page_size: Update::Set(page_size),
        summary: Update::Set(summary),
        message: String::new(),
        view_spec: spec_json.map_or(Update::NoUpdate, Update::Set),
    })
}

/// Puts the current view into the store (a moment after the table shows
/// it) and publishes its key. Cheap: a view that keeps every row in frame
/// order is the source itself; any other is stored as the source's key and
/// the view's row numbers, gathered only when someone reads it; a view
/// stored before (and still in the store) is not stored again.
async fn view_key(spec: Option<Value>, source: Option<Value>) -> Result<Value, CallbackError> {
    let spec = spec.ok_or(PreventUpdate)?;
    let tables = tables()?;
    let key = source_key(&tables, source.as_ref()).map_err(CallbackError::bad_input)?;
    let spec = spec_from_json(&spec).map_err(CallbackError::bad_input)?;
    let to_json =
        |k: FrameKey| serde_json::to_value(tables.store().sign(k)).map_err(CallbackError::msg);
    let no_search = spec.search.trim_matches(query::is_js_whitespace).is_empty();
    if spec.filter.root.is_none() && spec.sort.is_empty() && no_search {
        return to_json(key);
    }
    let memo = StoredViews::name(&key, &spec.cache_key());
    // Views already stored, by (source key, view spec key): showing a view
    // again costs a lookup.
    let known = tables
        .stored
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&memo);
    if let Some(stored) = known
        && tables.store().contains(&stored).await.unwrap_or(false)
    {
        return to_json(stored);
    }
    let frame = tables.load(&key).await.map_err(CallbackError::msg)?;
    let (view, _) = view(&tables, &key, frame, spec)
        .await
        .map_err(CallbackError::msg)?;
    if !view.is_complete() {
        return Err(CallbackError::msg("the table's view is still being built"));
    }
    // The view's row numbers (4 bytes a row), not its rows: the store
    // gathers them when someone reads the key (redis_store::Store::put_rows).
    let stored = tables
        .store()
        .put_rows(&key, &view.indices())
        .await
        .map_err(CallbackError::msg)?;
    tables
        .stored
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .insert(memo, stored);
    to_json(stored)
}

/// Rows rendered per piece of a streamed export.
const EXPORT_CHUNK_ROWS: usize = 50_000;

/// What `dcc.Download`'s `data` receives.
#[derive(Serialize)]
struct Download {
    content: TextStream,
    filename: &'static str,
    #[serde(rename = "type")]
    mime: &'static str,
    base64: bool,
}

/// The whole filtered and sorted result as CSV for `dcc.Download`,
/// streamed into the response 50,000 rows at a time: the server never
/// holds the whole result or its text.
async fn export(
    clicks: Option<u64>,
    spec: Option<Value>,
    source: Option<Value>,
) -> Result<Download, CallbackError> {
    clicks.ok_or(PreventUpdate)?;
    let tables = tables()?;
    let key = source_key(&tables, source.as_ref()).map_err(CallbackError::bad_input)?;
    let spec = match spec {
        Some(s) => spec_from_json(&s).map_err(CallbackError::bad_input)?,
        None => ViewSpec::default(),
    };
    let frame = tables.load(&key).await.map_err(CallbackError::msg)?;
    let (view, frame) = view(&tables, &key, frame, spec)
        .await
        .map_err(CallbackError::msg)?;
    let header = engine::csv_header(&frame);
    let len = view.len();
    // Each piece is rendered on the blocking pool under a build permit, so
    // exports queue with view builds instead of crowding them out.
    let body = stream::unfold(0usize, move |offset| {
        let (view, frame, tables) = (Arc::clone(&view), frame.clone(), Arc::clone(&tables));
        async move {
            if offset >= len {
                return None;
            }
            let piece = build(&tables, false, move || {
                view.rows(&frame, offset, EXPORT_CHUNK_ROWS)
                    .map(|rows| engine::csv_rows(&rows))
                    .map_err(|e| e.to_string())
            })
            .await
            .map_err(|e| format!("the export failed: {e}"))
            .and_then(|r| r);
            Some((piece, offset + EXPORT_CHUNK_ROWS))
        }
    });
    let content = stream::once(std::future::ready(Ok::<_, String>(header))).chain(body);
    Ok(Download {
        content: TextStream::new(content),
        filename: "export.csv",
        mime: "text/csv",
        base64: false,
    })
}

/// The callbacks of every DataTableAio (added to every app by
/// [`crate::DataTableExtension`]).
pub fn callbacks() -> Vec<Callback> {
    vec![
        Callback::new(
            named! {
                data: Output::new(ids::table(MATCH), "data"),
                page_count: Output::new(ids::table(MATCH), "page_count"),
                page_current: Output::new(ids::table(MATCH), "page_current"),
                page_size: Output::new(ids::table(MATCH), "page_size"),
                summary: Output::new(ids::summary(MATCH), "children"),
                message: Output::new(ids::message(MATCH), "children"),
                view_spec: Output::new(ids::view_spec(MATCH), "data"),
            },
            named! {
                page_current: Input::new(ids::table(MATCH), "page_current"),
                sort_by: Input::new(ids::table(MATCH), "sort_by"),
                filter_query: Input::new(ids::table(MATCH), "filter_query"),
                search: Input::new(ids::search(MATCH), "value"),
                page_size: Input::new(ids::page_size(MATCH), "value"),
                source: State::new(ids::source(MATCH), "data"),
            },
            table,
        ),
        Callback::new(
            Output::new(ids::view_key(MATCH), "data"),
            (
                Input::new(ids::view_spec(MATCH), "data"),
                State::new(ids::source(MATCH), "data"),
            ),
            view_key,
        ),
        Callback::new(
            Output::new(ids::download(MATCH), "data"),
            (
                Input::new(ids::export_button(MATCH), "n_clicks"),
                State::new(ids::view_spec(MATCH), "data"),
                State::new(ids::source(MATCH), "data"),
            ),
            export,
        )
        .prevent_initial_call(true),
    ]
}
