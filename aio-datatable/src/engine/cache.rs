//! A bounded, thread-safe cache of views.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Weak};

use polars::prelude::DataFrame;

use super::{EngineError, View, ViewSpec, build_view};

/// Views keyed by (frame key, [`ViewSpec::cache_key`]), evicting the least
/// recently used ones once their indices exceed a byte budget.
///
/// The frame key is the caller's name for the frame's *content* (e.g. the
/// content hash redis-store gives it): a view is only valid for the frame it
/// was built from. Paging through a cached view costs O(page size).
///
/// Thread-safe: lookups take a short lock; a missing view is built outside
/// the lock, once: a caller asking for a view another thread is building
/// waits for that build instead of repeating it (and builds it itself only
/// if the result was not kept). A view larger than the whole budget is
/// returned but not kept.
#[derive(Debug)]
pub struct ViewCache {
    capacity_bytes: usize,
    inner: Mutex<Inner>,
    /// Keys being built, and the signal that one finished.
    building: Mutex<HashSet<Key>>,
    built: Condvar,
    /// The views just built, for callers that waited on them when the
    /// cache did not keep them (larger than the budget).
    handed_over: Mutex<HashMap<Key, Weak<View>>>,
}

type Key = (String, String);

#[derive(Debug, Default)]
struct Inner {
    map: HashMap<Key, Slot>,
    /// Last use → key; the first entry is the least recently used.
    lru: BTreeMap<u64, Key>,
    tick: u64,
    bytes: usize,
}

#[derive(Debug)]
struct Slot {
    view: Arc<View>,
    tick: u64,
    bytes: usize,
}

impl Inner {
    fn touch(&mut self, key: &Key) -> Option<Arc<View>> {
        self.tick += 1;
        let tick = self.tick;
        let slot = self.map.get_mut(key)?;
        self.lru.remove(&slot.tick);
        slot.tick = tick;
        self.lru.insert(tick, key.clone());
        Some(Arc::clone(&slot.view))
    }

    fn remove(&mut self, key: &Key) {
        if let Some(slot) = self.map.remove(key) {
            self.lru.remove(&slot.tick);
            self.bytes -= slot.bytes;
        }
    }
}

/// Ends a claimed build (also when it fails or panics) and wakes waiters.
struct Release<'a> {
    cache: &'a ViewCache,
    key: &'a Key,
}

impl Drop for Release<'_> {
    fn drop(&mut self) {
        let mut building = self
            .cache
            .building
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        building.remove(self.key);
        self.cache.built.notify_all();
    }
}

impl ViewCache {
    /// A cache keeping at most about `capacity_bytes` of views (row indices
    /// take 4 bytes a row: 64 MiB hold 16 M rows of views).
    pub fn new(capacity_bytes: usize) -> Self {
        ViewCache {
            capacity_bytes,
            inner: Mutex::new(Inner::default()),
            building: Mutex::new(HashSet::new()),
            built: Condvar::new(),
            handed_over: Mutex::new(HashMap::new()),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // The map is consistent between statements, so a panic elsewhere
        // while holding the lock cannot leave it broken.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The cached view of `spec` over the frame `frame_key`, if any.
    pub fn get(&self, frame_key: &str, spec: &ViewSpec) -> Option<Arc<View>> {
        self.lock().touch(&(frame_key.to_owned(), spec.cache_key()))
    }

    /// The view of `spec` over `df` (known as `frame_key`), from the cache
    /// or built with [`build_view`] and cached. Errors are not cached.
    pub fn get_or_build(
        &self,
        frame_key: &str,
        spec: &ViewSpec,
        df: &DataFrame,
    ) -> Result<Arc<View>, EngineError> {
        let key = (frame_key.to_owned(), spec.cache_key());
        if let Some(view) = self.lock().touch(&key) {
            return Ok(view);
        }
        // Claim the build, or wait for the thread that has it.
        {
            let mut building = self.building.lock().unwrap_or_else(|e| e.into_inner());
            while building.contains(&key) {
                building = self.built.wait(building).unwrap_or_else(|e| e.into_inner());
                if let Some(view) = self.lock().touch(&key) {
                    return Ok(view);
                }
                let handed = self.handed_over.lock().unwrap_or_else(|e| e.into_inner());
                if let Some(view) = handed.get(&key).and_then(Weak::upgrade) {
                    return Ok(view);
                }
            }
            building.insert(key.clone());
        }
        let _release = Release {
            cache: self,
            key: &key,
        };
        let view = self.insert_keyed(key.clone(), build_view(df, spec)?);
        let mut handed = self.handed_over.lock().unwrap_or_else(|e| e.into_inner());
        handed.retain(|_, v| v.strong_count() > 0);
        handed.insert(key.clone(), Arc::downgrade(&view));
        Ok(view)
    }

    /// Whether a thread is building the view of `spec` over `frame_key`
    /// in [`ViewCache::get_or_build`] right now (asking for it then waits
    /// for that build).
    pub fn is_building(&self, frame_key: &str, spec: &ViewSpec) -> bool {
        let key = (frame_key.to_owned(), spec.cache_key());
        self.building
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(&key)
    }

    /// Cache `view` as the view of `spec` over `frame_key`, replacing any
    /// previous one, and return it shared.
    pub fn insert(&self, frame_key: &str, spec: &ViewSpec, view: View) -> Arc<View> {
        self.insert_keyed((frame_key.to_owned(), spec.cache_key()), view)
    }

    fn insert_keyed(&self, key: Key, view: View) -> Arc<View> {
        let bytes = view.heap_bytes() + key.0.len() + key.1.len() + 64;
        let view = Arc::new(view);
        if bytes > self.capacity_bytes {
            return view;
        }
        let mut inner = self.lock();
        inner.remove(&key);
        while inner.bytes + bytes > self.capacity_bytes {
            let Some((_, oldest)) = inner.lru.pop_first() else {
                break;
            };
            if let Some(slot) = inner.map.remove(&oldest) {
                inner.bytes -= slot.bytes;
            }
        }
        inner.tick += 1;
        let tick = inner.tick;
        inner.lru.insert(tick, key.clone());
        inner.bytes += bytes;
        inner.map.insert(
            key,
            Slot {
                view: Arc::clone(&view),
                tick,
                bytes,
            },
        );
        view
    }

    /// Drop every view of the frame `frame_key` (e.g. when it is replaced).
    pub fn invalidate_frame(&self, frame_key: &str) {
        let mut inner = self.lock();
        let keys: Vec<Key> = inner
            .map
            .keys()
            .filter(|(f, _)| f == frame_key)
            .cloned()
            .collect();
        for key in keys {
            inner.remove(&key);
        }
    }

    /// Drop every view.
    pub fn clear(&self) {
        *self.lock() = Inner::default();
    }

    /// Number of cached views.
    pub fn len(&self) -> usize {
        self.lock().map.len()
    }

    /// Whether no view is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes currently accounted to cached views.
    pub fn bytes(&self) -> usize {
        self.lock().bytes
    }

    /// The byte budget.
    pub fn capacity_bytes(&self) -> usize {
        self.capacity_bytes
    }
}
