//! The one trait every storage backend implements.

use std::fmt;
use std::future::Future;
use std::pin::Pin;

use bytes::Bytes;

use crate::error::Result;
use crate::key::Slot;

/// A boxed, sendable future (what [`Backend`] methods return, so the trait
/// stays usable as `dyn Backend`).
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Counters a backend reports. What each one counts is documented per
/// backend; `hits` and `misses` are this process's reads.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct BackendStats {
    /// Values stored (frames and cache entries).
    pub entries: u64,
    /// Bytes stored.
    pub bytes: u64,
    /// Reads that found a value.
    pub hits: u64,
    /// Reads that found nothing.
    pub misses: u64,
    /// Values dropped to make room.
    pub evictions: u64,
}

/// A byte store addressed by [`Slot`]s.
///
/// Backends store opaque bytes; encoding, hashing and integrity checks are
/// done by [`Store`](crate::Store) around them. Implementations must:
///
/// * make a value visible to readers only once it is completely written;
/// * refresh the value's time-to-live (if they have one) on
///   [`get`](Backend::get) and [`touch`](Backend::touch);
/// * return [`Error::Unavailable`](crate::Error::Unavailable) or
///   [`Error::Timeout`](crate::Error::Timeout) rather than block forever
///   when their service is down.
///
/// For [`Kind::Frame`](crate::Kind::Frame) slots the value under a slot
/// never changes, so [`put`](Backend::put) may keep an existing copy
/// (refreshing its TTL) instead of writing it again.
pub trait Backend: Send + Sync + fmt::Debug + 'static {
    /// A short name for stats and logs (`"memory"`, `"redis"`).
    fn name(&self) -> &'static str;

    /// True if values cross a process boundary, so reads must be verified
    /// against their hash.
    fn is_remote(&self) -> bool;

    /// Store a value.
    fn put(&self, slot: Slot, value: Bytes) -> BoxFuture<'_, Result<()>>;

    /// Read a value, refreshing its TTL; `None` if absent or expired.
    fn get(&self, slot: Slot) -> BoxFuture<'_, Result<Option<Bytes>>>;

    /// Refresh a value's TTL without reading it; false if absent.
    fn touch(&self, slot: Slot) -> BoxFuture<'_, Result<bool>>;

    /// True if a value is present (does not refresh the TTL).
    fn contains(&self, slot: Slot) -> BoxFuture<'_, Result<bool>>;

    /// Delete a value; true if it was present.
    fn delete(&self, slot: Slot) -> BoxFuture<'_, Result<bool>>;

    /// Current counters.
    fn stats(&self) -> BoxFuture<'_, Result<BackendStats>>;

    /// Check that the backend's service answers now (for health checks).
    /// The default, for backends without a service, always succeeds.
    fn ping(&self) -> BoxFuture<'_, Result<()>> {
        Box::pin(std::future::ready(Ok(())))
    }
}
