//! The process-wide store and view cache the table callbacks use.

use std::sync::OnceLock;

use redis_store::Store;

use crate::engine::ViewCache;

static STORE: OnceLock<Store> = OnceLock::new();
static VIEWS: OnceLock<ViewCache> = OnceLock::new();

/// Bytes of row indices the view cache keeps (default 256 MiB, about 64M
/// cached rows); least recently used views are dropped first.
pub const DEFAULT_VIEW_CACHE_BYTES: usize = 256 * 1024 * 1024;

/// The store that holds the tables' frames: the one given to
/// [`set_store`], else an in-memory store of this process.
pub fn store() -> &'static Store {
    STORE.get_or_init(Store::memory)
}

/// Uses `store` (e.g. [`Store::redis`]) for every table of this process,
/// so several processes serve the same tables. Call it before the first
/// table is built; afterwards it fails with [`crate::Error::StoreAlreadySet`].
pub fn set_store(store: Store) -> Result<(), crate::Error> {
    STORE.set(store).map_err(|_| crate::Error::StoreAlreadySet)
}

/// The environment variable that sets the view cache's budget in bytes
/// (default [`DEFAULT_VIEW_CACHE_BYTES`]); `0` turns the cache off, so
/// every request builds its view (what a load test of uncached queries
/// wants).
pub const VIEW_CACHE_BYTES_ENV: &str = "AIO_DATATABLE_VIEW_CACHE_BYTES";

/// The cache of filtered and sorted views, shared by every table. Its
/// budget comes from [`VIEW_CACHE_BYTES_ENV`] when that holds a number.
pub fn views() -> &'static ViewCache {
    VIEWS.get_or_init(|| {
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
        ViewCache::new(bytes)
    })
}
