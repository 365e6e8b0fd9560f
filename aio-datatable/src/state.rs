//! [`TableState`]: what every [`crate::DataTableAio`] of one app shares —
//! the frame store, the view cache, the build permits — held in the app's
//! state ([`dash_core::AppState`]), so two apps in one process can use two
//! stores. No process globals.

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};

use dash_core::AppState;
use polars::prelude::DataFrame;
use redis_store::{FrameKey, FrameRef, Prepared, Store};
use tokio::sync::Semaphore;

use crate::engine::ViewCache;

/// Bytes of row indices the view cache keeps (default 256 MiB, about 64M
/// cached rows); least recently used views are dropped first.
pub const DEFAULT_VIEW_CACHE_BYTES: usize = 256 * 1024 * 1024;

/// The environment variable that sets the view cache's budget in bytes
/// (default [`DEFAULT_VIEW_CACHE_BYTES`]); `0` turns the cache off, so
/// every request builds its view (what a load test of uncached queries
/// wants).
pub const VIEW_CACHE_BYTES_ENV: &str = "AIO_DATATABLE_VIEW_CACHE_BYTES";

/// Frames given to tables whose store key this app remembers (so a
/// layout built per request over the same frame hashes it once).
const KNOWN_FRAMES: usize = 16;

/// Frames rendered into a layout whose store write has not finished.
const PENDING_FRAMES: usize = 64;

/// Views whose store keys are remembered (the oldest forgotten past this
/// many). Each entry has a fixed size (two 32-byte hashes), so the memo
/// holds at most about 100 KiB whatever the clients' filters are.
pub(crate) const STORED_VIEWS: usize = 1024;

/// The tables' shared parts for one app: put it into the app's state to
/// choose the store (default: an in-memory store of this process).
///
/// ```no_run
/// use aio_datatable::TableState;
/// use dash_core::Dash;
/// let mut app = Dash::new();
/// // Share frames with other processes through Redis:
/// app.state(TableState::new(redis_store::Store::redis("redis://127.0.0.1:6379")?));
/// # Ok::<(), redis_store::Error>(())
/// ```
pub struct TableState {
    store: Store,
    views: ViewCache,
    /// View builds: one permit per core (see `callbacks::build`).
    pub(crate) permits: Semaphore,
    pub(crate) cores: u32,
    /// One background build at a time.
    pub(crate) background: Arc<Semaphore>,
    /// Store keys of views already stored, by (source key, view spec key).
    pub(crate) stored: Mutex<StoredViews>,
    known: Mutex<VecDeque<Known>>,
    pending: Arc<Mutex<Pending>>,
    /// Known frames being written again after the store lost them.
    restoring: Arc<Mutex<HashSet<FrameKey>>>,
}

impl std::fmt::Debug for TableState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TableState")
            .field("views_capacity_bytes", &self.views.capacity_bytes())
            .finish_non_exhaustive()
    }
}

impl Default for TableState {
    /// An in-memory store and the view cache budget from
    /// [`VIEW_CACHE_BYTES_ENV`].
    fn default() -> Self {
        TableState::new(Store::memory())
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl TableState {
    /// Tables over `store`, with the view cache budget from
    /// [`VIEW_CACHE_BYTES_ENV`] (default [`DEFAULT_VIEW_CACHE_BYTES`]).
    pub fn new(store: Store) -> Self {
        let bytes = match std::env::var(VIEW_CACHE_BYTES_ENV) {
            Ok(v) => v.trim().parse().unwrap_or_else(|_| {
                tracing::warn!(
                    "{VIEW_CACHE_BYTES_ENV}={v:?} is not a number of bytes; \
                     using {DEFAULT_VIEW_CACHE_BYTES}"
                );
                DEFAULT_VIEW_CACHE_BYTES
            }),
            Err(_) => DEFAULT_VIEW_CACHE_BYTES,
        };
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let cores = u32::try_from(cores).unwrap_or(2).clamp(1, 64);
        TableState {
            store,
            views: ViewCache::new(bytes),
            permits: Semaphore::new(cores as usize),
            cores,
            background: Arc::new(Semaphore::new(1)),
            stored: Mutex::new(StoredViews::default()),
            known: Mutex::new(VecDeque::new()),
            pending: Arc::default(),
            restoring: Arc::default(),
        }
    }

    /// The same, with a view cache of `bytes` (0 turns it off).
    pub fn view_cache_bytes(mut self, bytes: usize) -> Self {
        self.views = ViewCache::new(bytes);
        self
    }

    /// The store holding the tables' frames.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The cache of filtered and sorted views.
    pub fn views(&self) -> &ViewCache {
        &self.views
    }

    /// The tables' state of the app `state` belongs to (made with its
    /// default if the app has none).
    pub fn of(state: &AppState) -> Arc<TableState> {
        state.get_or_default::<TableState>()
    }

    /// The store key of `frame` as a table shows it (`prepare` turns the
    /// given frame into the shown one: columns chosen, strings encoded).
    /// A frame seen before (the same columns in memory: a layout built per
    /// request over one frame) costs a lookup; a new one is encoded and
    /// hashed here and written to the store in the background (or on the
    /// first request that needs it, outside a runtime).
    pub(crate) fn register(
        &self,
        frame: &DataFrame,
        options: &str,
        prepare: impl FnOnce(&DataFrame) -> Result<DataFrame, String>,
    ) -> Result<FrameRef, String> {
        let identity = Identity::of(frame, options);
        {
            let mut known = lock(&self.known);
            known.retain(Known::is_used);
            if let Some(k) = known.iter().find(|k| k.identity == identity) {
                return Ok(k.key);
            }
        }
        let shown = prepare(frame)?;
        let prepared = self
            .store
            .prepare(&shown)
            .map_err(|e| format!("the table's frame cannot be stored: {e}"))?;
        let key = self.store.sign(prepared.key());
        {
            let mut known = lock(&self.known);
            if known.len() >= KNOWN_FRAMES {
                known.pop_front();
            }
            known.push_back(Known {
                identity,
                frame: frame.clone(),
                shown: prepared.frame().clone(),
                key,
            });
        }
        self.add_pending(prepared);
        Ok(key)
    }

    fn add_pending(&self, prepared: Prepared) {
        let key = prepared.key();
        {
            let mut p = lock(&self.pending);
            if p.frames.contains_key(&key) {
                return;
            }
            if p.frames.len() >= PENDING_FRAMES
                && let Some(old) = p.order.pop_front()
            {
                tracing::warn!("dropping the unwritten table frame {}", old.to_hex());
                p.frames.remove(&old);
            }
            p.order.push_back(key);
            p.frames.insert(key, (prepared, false));
        }
        self.write_pending(key);
    }

    /// Starts the store write of a pending frame, if a runtime runs and no
    /// write of it is under way.
    fn write_pending(&self, key: FrameKey) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let prepared = {
            let mut p = lock(&self.pending);
            match p.frames.get_mut(&key) {
                Some((prepared, writing)) if !*writing => {
                    *writing = true;
                    prepared.clone()
                }
                _ => return,
            }
        };
        let store = self.store.clone();
        let pending = Arc::clone(&self.pending);
        runtime.spawn(async move {
            let result = store.put_prepared(&prepared).await;
            let mut p = lock(&pending);
            match result {
                Ok(_) => {
                    p.frames.remove(&key);
                    p.order.retain(|k| *k != key);
                }
                Err(e) => {
                    // Kept: this process still serves it, and the next
                    // request that needs it tries the write again.
                    tracing::warn!("storing a table's frame failed (will retry): {e}");
                    if let Some((_, writing)) = p.frames.get_mut(&key) {
                        *writing = false;
                    }
                }
            }
        });
    }

    /// The frame under `key`: a frame rendered here and not yet written,
    /// else the store's.
    pub(crate) async fn load(&self, key: &FrameKey) -> Result<DataFrame, String> {
        let pending = lock(&self.pending)
            .frames
            .get(key)
            .map(|(p, _)| p.frame().clone());
        if let Some(frame) = pending {
            self.write_pending(*key);
            return Ok(frame);
        }
        lock(&self.known).retain(Known::is_used);
        // Another process may have rendered the layout and still be
        // writing the frame: give it a moment before calling it expired.
        let mut waited = 0;
        loop {
            match self.store.load(key).await {
                Ok(f) => return Ok(f),
                Err(e) if e.is_not_found() && waited < 5 => {
                    waited += 1;
                    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
                }
                Err(e) if e.is_not_found() => {
                    // A frame this app rendered and still holds (the store
                    // lost it: Redis restarted empty, or evicted it) is
                    // served from here and written again; anything else
                    // has expired.
                    return self
                        .restore(key)
                        .ok_or_else(|| "this data expired — reload the page".to_owned());
                }
                Err(e) => return Err(format!("the data could not be loaded: {e}")),
            }
        }
    }

    /// The shown frame of `key` if this app rendered it and still holds
    /// it, writing it to the store again in the background (once, however
    /// many requests ask meanwhile).
    fn restore(&self, key: &FrameKey) -> Option<DataFrame> {
        let shown = lock(&self.known)
            .iter()
            .find(|k| k.key.claimed_key() == *key)
            .map(|k| k.shown.clone())?;
        let runtime = tokio::runtime::Handle::try_current().ok()?;
        if lock(&self.restoring).insert(*key) {
            tracing::warn!(
                "the store lost the table frame {}; writing it again",
                key.to_hex()
            );
            let (store, restoring, frame, key) = (
                self.store.clone(),
                Arc::clone(&self.restoring),
                shown.clone(),
                *key,
            );
            runtime.spawn(async move {
                let written = async {
                    let prepared = tokio::task::spawn_blocking({
                        let store = store.clone();
                        move || store.prepare(&frame)
                    })
                    .await
                    .map_err(|e| e.to_string())?
                    .map_err(|e| e.to_string())?;
                    store
                        .put_prepared(&prepared)
                        .await
                        .map_err(|e| e.to_string())
                }
                .await;
                match written {
                    Ok(k) if k == key => {}
                    Ok(k) => tracing::warn!("rewrote {} as {}", key.to_hex(), k.to_hex()),
                    Err(e) => tracing::warn!("could not write {} again: {e}", key.to_hex()),
                }
                lock(&restoring).remove(&key);
            });
        }
        Some(shown)
    }

    /// Whether a frame rendered here is still waiting for its store write.
    pub fn is_pending(&self, key: &FrameKey) -> bool {
        lock(&self.pending).frames.contains_key(key)
    }
}

/// The store keys of views already stored, by a blake3 hash of (source
/// key, view spec key): bounded in entries and, since every entry has the
/// same size, in bytes (a 16 KiB filter costs what a short one does).
#[derive(Debug, Default)]
pub(crate) struct StoredViews {
    keys: HashMap<[u8; 32], FrameKey>,
    order: VecDeque<[u8; 32]>,
}

impl StoredViews {
    /// The memo's name for the view `spec_key` over `source`.
    pub(crate) fn name(source: &FrameKey, spec_key: &str) -> [u8; 32] {
        let mut hasher = blake3::Hasher::new();
        hasher.update(source.as_bytes());
        hasher.update(spec_key.as_bytes());
        *hasher.finalize().as_bytes()
    }

    pub(crate) fn get(&self, name: &[u8; 32]) -> Option<FrameKey> {
        self.keys.get(name).copied()
    }

    /// Remember `stored` under `name`, forgetting the oldest entry past
    /// [`STORED_VIEWS`].
    pub(crate) fn insert(&mut self, name: [u8; 32], stored: FrameKey) {
        if self.keys.insert(name, stored).is_some() {
            return;
        }
        self.order.push_back(name);
        while self.order.len() > STORED_VIEWS {
            if let Some(old) = self.order.pop_front() {
                self.keys.remove(&old);
            }
        }
    }

    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }
}

/// Frames rendered into layouts and not yet in the store: each with
/// whether a write of it is under way, in the order they came.
#[derive(Default)]
struct Pending {
    frames: HashMap<FrameKey, (Prepared, bool)>,
    order: VecDeque<FrameKey>,
}

/// A frame's columns in memory (their shared buffers), its height and the
/// table options: equal for clones of one frame.
#[derive(Debug, PartialEq, Eq)]
struct Identity {
    columns: Vec<(String, usize)>,
    height: usize,
    options: String,
}

impl Identity {
    fn of(frame: &DataFrame, options: &str) -> Self {
        Identity {
            columns: frame
                .columns()
                .iter()
                .map(|c| {
                    let s = c.as_materialized_series();
                    (
                        c.name().to_string(),
                        Arc::as_ptr(&s.0) as *const () as usize,
                    )
                })
                .collect(),
            height: frame.height(),
            options: options.to_owned(),
        }
    }
}

/// A frame whose key is known. It holds a clone of the frame so its
/// buffers (and so the identity) cannot be reused by another frame while
/// it is remembered; dropped once some column of it is held by nothing
/// else (the app let the frame go: a fixed layout, rendered once), so it
/// never keeps columns alive on its own — columns the table's prepared
/// frame shares (all but re-encoded strings) are held by the store anyway.
struct Known {
    identity: Identity,
    frame: DataFrame,
    /// The frame as the table shows it (sharing the stored frame's
    /// buffers), to write again if the store loses it.
    shown: DataFrame,
    key: FrameRef,
}

impl Known {
    fn is_used(&self) -> bool {
        self.frame
            .columns()
            .iter()
            .all(|c| Arc::strong_count(&c.as_materialized_series().0) > 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn frame() -> DataFrame {
        df!("a" => [1i64, 2, 3], "s" => ["x", "y", "x"]).unwrap()
    }

    #[test]
    fn a_frame_seen_before_is_looked_up_and_served_until_written() {
        let t = TableState::new(Store::memory());
        let calls = AtomicUsize::new(0);
        let prepare = |f: &DataFrame| {
            calls.fetch_add(1, Ordering::SeqCst);
            Ok(f.clone())
        };
        let df = frame();
        let k1 = t.register(&df.clone(), "o", prepare).unwrap();
        let k2 = t.register(&df.clone(), "o", prepare).unwrap();
        assert_eq!(k1, k2);
        assert_eq!(
            calls.load(Ordering::SeqCst),
            1,
            "a clone of a known frame is not prepared again"
        );
        // Other table options: prepared again.
        t.register(&df, "other", prepare).unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        // An equal frame made apart: its own buffers, prepared, the same key.
        let k3 = t.register(&frame(), "o", prepare).unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 3);
        assert_eq!(k3, k1);

        // Outside a runtime nothing was written; the frame is served from
        // the pending list, and the write starts with the first load.
        let key = t.store().verify(&k1).unwrap();
        assert!(t.is_pending(&key));
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            assert!(!t.store().contains(&key).await.unwrap());
            let got = t.load(&key).await.unwrap();
            assert!(got.equals(&df));
            for _ in 0..200 {
                if !t.is_pending(&key) {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
            assert!(!t.is_pending(&key), "written");
            assert!(t.store().contains(&key).await.unwrap());
        });
    }

    /// Redis restarted empty (or evicted the frame): a frame the app still
    /// holds is served and written again; one it let go has expired.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_held_frame_the_store_lost_is_written_again() {
        let t = TableState::new(Store::memory());
        let df = frame();
        let key = t.register(&df, "o", |f: &DataFrame| Ok(f.clone())).unwrap();
        let key = t.store().verify(&key).unwrap();
        assert!(t.load(&key).await.unwrap().equals(&df));
        for _ in 0..200 {
            if !t.is_pending(&key) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        assert!(t.store().delete(&key).await.unwrap(), "was stored");
        // every request meanwhile is answered; one write restores it
        for _ in 0..5 {
            assert!(t.load(&key).await.unwrap().equals(&df));
        }
        let mut back = false;
        for _ in 0..400 {
            if t.store().contains(&key).await.unwrap() && lock(&t.restoring).is_empty() {
                back = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        }
        assert!(back, "the frame is in the store again");
        // a key this app never rendered has expired
        let other = FrameKey::from_bytes([9; 32]);
        let err = t.load(&other).await.unwrap_err();
        assert!(err.contains("expired"), "{err}");
    }

    #[test]
    fn a_frame_the_app_let_go_is_forgotten() {
        let t = TableState::new(Store::memory());
        let df = frame();
        // Preparing makes new columns (as encoding strings does).
        t.register(&df, "o", |_: &DataFrame| Ok(frame())).unwrap();
        assert_eq!(lock(&t.known).len(), 1);
        drop(df);
        // The next registration sweeps it: only the memo held the app's
        // columns (the pending write holds the prepared ones).
        let calls = AtomicUsize::new(0);
        t.register(&frame(), "o", |f: &DataFrame| {
            calls.fetch_add(1, Ordering::SeqCst);
            Ok(f.clone())
        })
        .unwrap();
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(lock(&t.known).len(), 1, "the dropped frame's entry is gone");
    }

    #[test]
    fn stored_views_forget_the_oldest_and_have_a_fixed_size_entry() {
        let source = FrameKey::from_bytes([7; 32]);
        let long = "x".repeat(16 * 1024);
        let mut memo = StoredViews::default();
        // a 16 KiB spec and a short one have names of the same size
        let a = StoredViews::name(&source, &long);
        let b = StoredViews::name(&source, "short");
        assert_ne!(a, b);
        assert_ne!(a, StoredViews::name(&FrameKey::from_bytes([8; 32]), &long));
        memo.insert(a, FrameKey::from_bytes([1; 32]));
        memo.insert(b, FrameKey::from_bytes([2; 32]));
        assert_eq!(memo.get(&a), Some(FrameKey::from_bytes([1; 32])));
        for i in 0..STORED_VIEWS as u32 {
            memo.insert(StoredViews::name(&source, &i.to_string()), source);
        }
        assert_eq!(memo.len(), STORED_VIEWS);
        assert_eq!(memo.get(&a), None, "the oldest entry is forgotten first");
        assert_eq!(memo.get(&StoredViews::name(&source, "0")), Some(source));
        // inserting a known name again does not grow the memo
        memo.insert(StoredViews::name(&source, "0"), source);
        assert_eq!(memo.len(), STORED_VIEWS);
    }
}
