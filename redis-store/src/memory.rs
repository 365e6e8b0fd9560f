//! The in-memory backend: the default, nothing to install, one process.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::backend::{Backend, BackendStats, BoxFuture};
use crate::error::{Error, Result};
use crate::key::Slot;
use crate::lru::Lru;

/// Default bound of a [`MemoryBackend`]: 1 GiB of encoded values.
pub const DEFAULT_MEMORY_CAPACITY: u64 = 1 << 30;

type Clock = Arc<dyn Fn() -> Instant + Send + Sync>;

/// Keeps encoded values in this process, bounded by their total size in
/// bytes; the least recently used values are evicted first. An optional
/// time-to-live drops values not read for that long.
///
/// Rows of a frame ([`Store::put_rows`](crate::Store::put_rows): a table's
/// filtered view) are held in a budget of their own, a quarter of the
/// capacity beside it, so however many views clients make, they never
/// push out the frames they name.
///
/// Stats: `entries`/`bytes` are what is held now, `evictions` counts values
/// dropped to make room (not expiries).
pub struct MemoryBackend {
    lru: Mutex<Budgets>,
    ttl: Option<Duration>,
    hits: AtomicU64,
    misses: AtomicU64,
    clock: Clock,
}

/// Frames and cache entries; rows values beside them.
struct Budgets {
    values: Lru<Slot, Bytes>,
    rows: Lru<Slot, Bytes>,
}

impl Budgets {
    fn get(&mut self, slot: &Slot, now: Instant, refresh: Option<Instant>) -> Option<Bytes> {
        self.values
            .get(slot, now, refresh)
            .or_else(|| self.rows.get(slot, now, refresh))
    }
}

impl std::fmt::Debug for MemoryBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let lru = self.lock();
        f.debug_struct("MemoryBackend")
            .field("capacity", &lru.values.capacity())
            .field("rows_capacity", &lru.rows.capacity())
            .field("bytes", &(lru.values.bytes() + lru.rows.bytes()))
            .field("entries", &(lru.values.len() + lru.rows.len()))
            .field("ttl", &self.ttl)
            .finish()
    }
}

impl Default for MemoryBackend {
    fn default() -> Self {
        Self::new(DEFAULT_MEMORY_CAPACITY)
    }
}

impl MemoryBackend {
    /// A backend holding at most `capacity_bytes` of encoded values (and a
    /// quarter of that of rows values beside them), no TTL.
    pub fn new(capacity_bytes: u64) -> Self {
        Self::with_clock(capacity_bytes, Arc::new(Instant::now))
    }

    fn with_clock(capacity_bytes: u64, clock: Clock) -> Self {
        MemoryBackend {
            lru: Mutex::new(Budgets {
                values: Lru::new(capacity_bytes),
                rows: Lru::new(capacity_bytes / 4),
            }),
            ttl: None,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
            clock,
        }
    }

    /// Drop values that have not been read or written for `ttl`.
    pub fn with_ttl(mut self, ttl: Duration) -> Self {
        self.ttl = Some(ttl);
        self
    }

    fn lock(&self) -> MutexGuard<'_, Budgets> {
        // A panic while holding the lock cannot leave the map inconsistent
        // in a way that matters more than losing the cache, so keep going.
        self.lru
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn expiry(&self, now: Instant) -> Option<Instant> {
        self.ttl.and_then(|ttl| now.checked_add(ttl))
    }

    fn put_now(&self, slot: Slot, value: Bytes) -> Result<()> {
        let now = (self.clock)();
        let expires = self.expiry(now);
        let mut lru = self.lock();
        if slot.kind().is_content_addressed() && lru.get(&slot, now, expires).is_some() {
            return Ok(());
        }
        let weight = value.len() as u64;
        let budget = if slot.kind().is_content_addressed() && crate::rows::is_rows(&value) {
            &mut lru.rows
        } else {
            &mut lru.values
        };
        budget
            .insert(slot, value, weight, expires)
            .map_err(|too| Error::TooLarge {
                what: "encoded value",
                size: too.weight,
                limit: too.capacity,
            })
    }

    fn get_now(&self, slot: Slot) -> Option<Bytes> {
        let now = (self.clock)();
        let found = self.lock().get(&slot, now, self.expiry(now));
        let counter = if found.is_some() {
            &self.hits
        } else {
            &self.misses
        };
        counter.fetch_add(1, Ordering::Relaxed);
        found
    }

    fn stats_now(&self) -> BackendStats {
        let mut lru = self.lock();
        let now = (self.clock)();
        lru.values.purge_expired(now);
        lru.rows.purge_expired(now);
        BackendStats {
            entries: (lru.values.len() + lru.rows.len()) as u64,
            bytes: lru.values.bytes() + lru.rows.bytes(),
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            evictions: lru.values.evictions() + lru.rows.evictions(),
        }
    }
}

impl Backend for MemoryBackend {
    fn name(&self) -> &'static str {
        "memory"
    }

    fn is_remote(&self) -> bool {
        false
    }

    fn put(&self, slot: Slot, value: Bytes) -> BoxFuture<'_, Result<()>> {
        let result = self.put_now(slot, value);
        Box::pin(std::future::ready(result))
    }

    fn get(&self, slot: Slot) -> BoxFuture<'_, Result<Option<Bytes>>> {
        let result = Ok(self.get_now(slot));
        Box::pin(std::future::ready(result))
    }

    fn touch(&self, slot: Slot) -> BoxFuture<'_, Result<bool>> {
        let now = (self.clock)();
        let found = self.lock().get(&slot, now, self.expiry(now)).is_some();
        Box::pin(std::future::ready(Ok(found)))
    }

    fn contains(&self, slot: Slot) -> BoxFuture<'_, Result<bool>> {
        let now = (self.clock)();
        let mut lru = self.lock();
        let found = lru.values.contains(&slot, now) || lru.rows.contains(&slot, now);
        Box::pin(std::future::ready(Ok(found)))
    }

    fn delete(&self, slot: Slot) -> BoxFuture<'_, Result<bool>> {
        let mut lru = self.lock();
        // Both: a value is in one budget, but look in each.
        let found = lru.values.remove(&slot) | lru.rows.remove(&slot);
        Box::pin(std::future::ready(Ok(found)))
    }

    fn stats(&self) -> BoxFuture<'_, Result<BackendStats>> {
        Box::pin(std::future::ready(Ok(self.stats_now())))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Mutex as StdMutex;

    use super::*;
    use crate::key::{CacheKey, FrameKey};

    fn block<T>(f: BoxFuture<'_, T>) -> T {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(f)
    }

    #[test]
    fn ttl_expires_and_is_refreshed_by_reads() {
        let t0 = Instant::now();
        let offset = Arc::new(StdMutex::new(Duration::ZERO));
        let clock_offset = offset.clone();
        let clock: Clock = Arc::new(move || t0 + *clock_offset.lock().unwrap());
        let backend = MemoryBackend::with_clock(1000, clock).with_ttl(Duration::from_secs(10));
        let set = |secs| *offset.lock().unwrap() = Duration::from_secs(secs);
        let a = FrameKey::from_bytes([1; 32]).slot();
        let b = FrameKey::from_bytes([2; 32]).slot();
        block(backend.put(a, Bytes::from_static(b"aaa"))).unwrap();
        block(backend.put(b, Bytes::from_static(b"bbb"))).unwrap();
        set(8);
        assert!(block(backend.get(a)).unwrap().is_some()); // refreshed to 18
        set(12);
        assert!(block(backend.get(a)).unwrap().is_some()); // refreshed to 22
        assert!(block(backend.get(b)).unwrap().is_none()); // expired at 10
        assert!(!block(backend.contains(b)).unwrap());
        set(21);
        assert!(block(backend.touch(a)).unwrap()); // refreshed to 31
        set(30);
        assert!(block(backend.contains(a)).unwrap());
        set(31);
        assert!(!block(backend.contains(a)).unwrap());
        let stats = block(backend.stats()).unwrap();
        assert_eq!(
            (stats.entries, stats.bytes, stats.hits, stats.misses),
            (0, 0, 2, 1)
        );
    }

    #[test]
    fn bounded_by_bytes() {
        let backend = MemoryBackend::new(10);
        let a = FrameKey::from_bytes([1; 32]).slot();
        let b = CacheKey::from_bytes([2; 32]).slot();
        block(backend.put(a, Bytes::from(vec![0u8; 6]))).unwrap();
        block(backend.put(b, Bytes::from(vec![0u8; 6]))).unwrap();
        assert!(!block(backend.contains(a)).unwrap());
        let err = block(backend.put(a, Bytes::from(vec![0u8; 11]))).unwrap_err();
        assert!(
            matches!(
                err,
                Error::TooLarge {
                    size: 11,
                    limit: 10,
                    ..
                }
            ),
            "{err}"
        );
        let stats = block(backend.stats()).unwrap();
        assert_eq!((stats.entries, stats.bytes, stats.evictions), (1, 6, 1));
        assert!(block(backend.delete(b)).unwrap());
        assert!(!block(backend.delete(b)).unwrap());
    }

    #[test]
    fn cache_entries_are_replaced_frames_are_kept() {
        let backend = MemoryBackend::new(100);
        let c = CacheKey::from_bytes([3; 32]).slot();
        block(backend.put(c, Bytes::from_static(b"one"))).unwrap();
        block(backend.put(c, Bytes::from_static(b"two"))).unwrap();
        assert_eq!(
            block(backend.get(c)).unwrap().unwrap(),
            Bytes::from_static(b"two")
        );
        let f = FrameKey::from_bytes([4; 32]).slot();
        block(backend.put(f, Bytes::from_static(b"one"))).unwrap();
        block(backend.put(f, Bytes::from_static(b"two"))).unwrap();
        assert_eq!(
            block(backend.get(f)).unwrap().unwrap(),
            Bytes::from_static(b"one")
        );
    }

    /// However many rows values are written, the frames stay.
    #[test]
    fn rows_values_never_push_out_frames() {
        let backend = MemoryBackend::new(4000);
        let frame = FrameKey::from_bytes([9; 32]).slot();
        block(backend.put(frame, Bytes::from(vec![1u8; 3000]))).unwrap();
        for i in 0..50u8 {
            let rows = crate::rows::encode(&FrameKey::from_bytes([9; 32]), &[0; 100]);
            // Distinct values: the source key differs per view.
            let mut bytes = rows.bytes.to_vec();
            bytes.push(i);
            let slot = FrameKey::from_bytes([i + 100; 32]).slot();
            block(backend.put(slot, Bytes::from(bytes))).unwrap();
        }
        assert!(block(backend.contains(frame)).unwrap(), "the frame stays");
        let stats = block(backend.stats()).unwrap();
        assert!(
            stats.evictions > 0,
            "rows values were evicted among themselves"
        );
        assert!(stats.bytes <= 4000 + 1000, "{stats:?}");
    }
}
