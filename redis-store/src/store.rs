//! The [`Store`] handle: frames in, keys out; keys in, frames out.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use bytes::{Bytes, BytesMut};
use polars::prelude::{DataFrame, IdxCa, IdxSize, PlSmallStr};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::backend::{Backend, BackendStats};
use crate::codec::{self, Compression};
use crate::error::{Error, Result};
use crate::key::{CacheKey, FrameKey, Slot};
use crate::lru::Lru;
use crate::memory::MemoryBackend;
use crate::redis_backend::{RedisBackend, RedisConfig};
use crate::rows;
use crate::sign::{FrameRef, Signer};

/// Default size of the decoded-frame cache: 512 MiB of frames.
pub const DEFAULT_DECODED_CACHE_BYTES: u64 = 512 << 20;
/// Default largest encoded frame: 2 GiB.
pub const DEFAULT_MAX_FRAME_BYTES: u64 = 2 << 30;

const CACHE_MAGIC: &[u8; 4] = b"RSC1";

/// Counters of the per-process decoded-frame cache.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CacheStats {
    /// Frames held.
    pub entries: u64,
    /// Their estimated in-memory size.
    pub bytes: u64,
    /// The bound on `bytes`.
    pub capacity: u64,
    /// Reads served without decoding.
    pub hits: u64,
    /// Reads that had to fetch and decode.
    pub misses: u64,
    /// Frames dropped to make room.
    pub evictions: u64,
}

/// What [`Store::stats`] reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub struct Stats {
    /// The backend's name (`"memory"`, `"redis"`).
    pub backend: &'static str,
    /// Values in the backend (see each backend for what it counts).
    pub entries: u64,
    /// Bytes in the backend.
    pub bytes: u64,
    /// Backend reads that found a value.
    pub hits: u64,
    /// Backend reads that found nothing.
    pub misses: u64,
    /// Values the backend dropped to make room.
    pub evictions: u64,
    /// The decoded-frame cache in front of the backend.
    pub decoded_cache: CacheStats,
}

struct Inner {
    backend: Arc<dyn Backend>,
    compression: Compression,
    max_frame_bytes: u64,
    max_decoded_bytes: u64,
    cache: Mutex<Lru<FrameKey, DataFrame>>,
    cache_hits: AtomicU64,
    cache_misses: AtomicU64,
    signer: Signer,
    /// One gate per key being fetched and decoded (single flight).
    inflight: Mutex<HashMap<FrameKey, Arc<tokio::sync::Mutex<()>>>>,
}

/// A content-addressed store of polars frames (and a bytes/JSON cache
/// beside it), over one [`Backend`].
///
/// Cheap to clone (an `Arc` inside): give each callback a clone. Frames go
/// in with [`put`](Store::put), which returns their [`FrameKey`]; only that
/// key travels through the browser (e.g. in a `dcc.Store`, as a
/// [`FrameRef`]); [`load`](Store::load) turns it back into the frame.
///
/// A per-process cache of decoded frames sits in front of the backend.
/// Because keys are content hashes it never serves stale data; a cache hit
/// still asks the backend to refresh the TTL (and serves the frame anyway if
/// the backend is unreachable).
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.inner.backend)
            .field("compression", &self.inner.compression)
            .field("max_frame_bytes", &self.inner.max_frame_bytes)
            .finish()
    }
}

impl Default for Store {
    fn default() -> Self {
        Store::memory()
    }
}

/// A frame encoded and hashed by [`Store::prepare`], not stored yet.
#[derive(Debug, Clone)]
pub struct Prepared {
    encoded: codec::Encoded,
    frame: DataFrame,
}

impl Prepared {
    /// The key the frame will be stored under.
    pub fn key(&self) -> FrameKey {
        self.encoded.key
    }

    /// The frame.
    pub fn frame(&self) -> &DataFrame {
        &self.frame
    }

    /// The size of its encoding in bytes.
    pub fn encoded_len(&self) -> usize {
        self.encoded.bytes.len()
    }
}

/// Builds a [`Store`]: `Store::builder().redis(config)?.build()`.
#[derive(Debug)]
pub struct StoreBuilder {
    backend: Option<Arc<dyn Backend>>,
    compression: Compression,
    decoded_cache_bytes: u64,
    max_frame_bytes: u64,
    max_decoded_bytes: u64,
    signer: Option<Signer>,
}

impl StoreBuilder {
    /// Use this backend (default: a [`MemoryBackend`] of 1 GiB).
    pub fn backend(mut self, backend: impl Backend) -> Self {
        self.backend = Some(Arc::new(backend));
        self
    }

    /// Use a shared backend.
    pub fn backend_arc(mut self, backend: Arc<dyn Backend>) -> Self {
        self.backend = Some(backend);
        self
    }

    /// Use Redis with these settings (does not connect yet).
    pub fn redis(self, config: RedisConfig) -> Result<Self> {
        Ok(self.backend(RedisBackend::new(config)?))
    }

    /// Compression of new frames (default zstd level 1). Part of the key.
    pub fn compression(mut self, compression: Compression) -> Self {
        self.compression = compression;
        self
    }

    /// Bound of the decoded-frame cache in bytes (0 disables it).
    pub fn decoded_cache_bytes(mut self, bytes: u64) -> Self {
        self.decoded_cache_bytes = bytes;
        self
    }

    /// Largest encoded frame accepted by `put` and `load` (default 2 GiB).
    pub fn max_frame_bytes(mut self, bytes: u64) -> Self {
        self.max_frame_bytes = bytes;
        self
    }

    /// Largest frame a read decodes, in bytes of decompressed buffers
    /// (default [`codec::DEFAULT_MAX_DECODED_BYTES`], 16 GiB): checked from
    /// the sizes the stored value announces, before anything is allocated.
    pub fn max_decoded_bytes(mut self, bytes: u64) -> Self {
        self.max_decoded_bytes = bytes;
        self
    }

    /// Sign the [`FrameRef`]s this store hands out with `signer` (default:
    /// [`Signer::from_env`], the `DASH_SECRET_KEY` of the environment or a
    /// random secret).
    pub fn signer(mut self, signer: Signer) -> Self {
        self.signer = Some(signer);
        self
    }

    /// The store. Without a [`signer`](Self::signer) and without
    /// `DASH_SECRET_KEY`, references are signed with a random secret (and a
    /// Redis store warns: other processes will refuse them); if the system
    /// has no randomness at all, with a secret derived from the time and
    /// process.
    pub fn build(self) -> Store {
        let signer = self.signer.unwrap_or_else(|| {
            Signer::from_env().unwrap_or_else(|e| {
                tracing::warn!("{e}; frame references are signed with a weak secret");
                let seed = format!("{:?} {}", std::time::SystemTime::now(), std::process::id());
                Signer::new(seed.as_bytes())
            })
        });
        let backend = self
            .backend
            .unwrap_or_else(|| Arc::new(MemoryBackend::default()));
        if !signer.is_shared() && backend.name() != "memory" {
            tracing::warn!(
                "{} is not set: frame references from this process are refused by the app's other processes",
                crate::sign::SECRET_ENV
            );
        }
        Store {
            inner: Arc::new(Inner {
                backend,
                compression: self.compression,
                max_frame_bytes: self.max_frame_bytes,
                max_decoded_bytes: self.max_decoded_bytes,
                cache: Mutex::new(Lru::new(self.decoded_cache_bytes)),
                cache_hits: AtomicU64::new(0),
                cache_misses: AtomicU64::new(0),
                signer,
                inflight: Mutex::new(HashMap::new()),
            }),
        }
    }
}

/// A miss's turn at a key's gate; forgets the gate when the last miss
/// waiting on it is done. Turns are given back under the map's lock, so
/// the last one sees only the map's own reference.
struct Leave<'a> {
    store: &'a Store,
    key: FrameKey,
    turn: Option<tokio::sync::OwnedMutexGuard<()>>,
}

impl Drop for Leave<'_> {
    fn drop(&mut self) {
        let mut inflight = self.store.inflight();
        drop(self.turn.take());
        if inflight
            .get(&self.key)
            .is_some_and(|g| Arc::strong_count(g) == 1)
        {
            inflight.remove(&self.key);
        }
    }
}

/// Run CPU-heavy work off the async worker threads when inside tokio.
async fn blocking<T, F>(op: &'static str, f: F) -> Result<T>
where
    F: FnOnce() -> Result<T> + Send + 'static,
    T: Send + 'static,
{
    if tokio::runtime::Handle::try_current().is_err() {
        return f();
    }
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| Error::Task {
            op,
            detail: e.to_string(),
        })?
}

impl Store {
    /// A store in this process's memory (1 GiB bound, LRU), the default.
    pub fn memory() -> Store {
        Store::builder().build()
    }

    /// A store in Redis at `url` with default settings (namespace `dash`,
    /// 24 h TTL). Does not connect yet; see [`RedisBackend`].
    pub fn redis(url: &str) -> Result<Store> {
        Ok(Store::builder().redis(RedisConfig::new(url))?.build())
    }

    /// A builder for other settings.
    pub fn builder() -> StoreBuilder {
        StoreBuilder {
            backend: None,
            compression: Compression::default(),
            decoded_cache_bytes: DEFAULT_DECODED_CACHE_BYTES,
            max_frame_bytes: DEFAULT_MAX_FRAME_BYTES,
            max_decoded_bytes: codec::DEFAULT_MAX_DECODED_BYTES,
            signer: None,
        }
    }

    /// The backend.
    pub fn backend(&self) -> &Arc<dyn Backend> {
        &self.inner.backend
    }

    fn cache(&self) -> MutexGuard<'_, Lru<FrameKey, DataFrame>> {
        self.inner
            .cache
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn remember(&self, key: FrameKey, df: &DataFrame) {
        // too large for the cache: simply not cached
        let _ = self
            .cache()
            .insert(key, df.clone(), df.estimated_size() as u64, None);
    }

    fn check_size(&self, what: &'static str, size: usize) -> Result<()> {
        let size = size as u64;
        if size > self.inner.max_frame_bytes {
            return Err(Error::TooLarge {
                what,
                size,
                limit: self.inner.max_frame_bytes,
            });
        }
        Ok(())
    }

    /// Store a frame; returns its key. Storing an equal frame again returns
    /// the same key and stores nothing new (it refreshes the TTL).
    pub async fn put(&self, df: &DataFrame) -> Result<FrameKey> {
        let key = self.put_encoded(df).await?;
        self.remember(key, df);
        Ok(key)
    }

    /// Like [`put`](Self::put), but the frame is not kept in this process's
    /// decoded-frame cache (a later [`get`](Self::get) decodes it, and
    /// caches it then). For frames stored for others to read — a table's
    /// current view, say — which should not push the frames this process
    /// serves out of the cache, nor hold their memory.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use polars::prelude::*;
    /// let store = redis_store::Store::memory();
    /// let df = df!("a" => [1i64, 2]).unwrap();
    /// let key = store.put_uncached(&df).await.unwrap();
    /// assert_eq!(store.stats().await.unwrap().decoded_cache.entries, 0);
    /// assert!(store.get(&key).await.unwrap().equals(&df));
    /// assert_eq!(store.stats().await.unwrap().decoded_cache.entries, 1);
    /// # }
    /// ```
    pub async fn put_uncached(&self, df: &DataFrame) -> Result<FrameKey> {
        self.put_encoded(df).await
    }

    /// Stores rows `rows` of the frame under `source`, in that order, as a
    /// frame of its own — without gathering or encoding them: what is
    /// stored is `source`'s key and the row numbers (4 bytes a row). The
    /// frame is gathered from `source` (decoded and cached as usual) each
    /// time it is read with [`get`](Self::get); `source` must still be
    /// stored then (else that read is [`Error::NotFound`] for `source`). For a view of
    /// a large frame (a table's filtered, sorted rows) that others may
    /// read. Its key differs from the key [`put`](Self::put) gives the
    /// same rows gathered. [`Error::NotFound`] if `source` is not stored
    /// now.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use polars::prelude::*;
    /// let store = redis_store::Store::memory();
    /// let df = df!("a" => [10i64, 20, 30]).unwrap();
    /// let source = store.put(&df).await.unwrap();
    /// let view = store.put_rows(&source, &[2, 0]).await.unwrap();
    /// let got = store.get(&view).await.unwrap();
    /// assert!(got.equals(&df!("a" => [30i64, 10]).unwrap()));
    /// # }
    /// ```
    ///
    /// When `source` is itself a rows value, the new value names *its*
    /// source, with the rows composed (row `r` of the new value is row
    /// `rows_of_source[r]` of that frame; a row past the end of `source`
    /// stays past the end, and reading it is an [`Error::Integrity`]), so
    /// no chain of rows values ever forms and every read gathers once.
    pub async fn put_rows(&self, source: &FrameKey, rows: &[IdxSize]) -> Result<FrameKey> {
        let rows = rows.to_vec();
        // A frame in the decoded cache is a frame (rows values are never
        // cached); anything else is read to see what it is — cheap for a
        // rows value, and for a frame a read the caller has usually just
        // made (it is then cached).
        let cached = self.cache().contains(source, Instant::now());
        let (root, rows) = if cached {
            if !self.contains(source).await? {
                return Err(source.slot().not_found());
            }
            (*source, rows)
        } else {
            let bytes = self
                .inner
                .backend
                .get(source.slot())
                .await?
                .ok_or_else(|| source.slot().not_found())?;
            if rows::is_rows(&bytes) {
                let (source, verify) = (*source, self.inner.backend.is_remote());
                blocking("compose rows", move || {
                    if verify && codec::key_of(&bytes) != source {
                        return Err(Error::Integrity {
                            key: source.to_hex(),
                            detail: "the stored bytes do not hash to the key".into(),
                        });
                    }
                    let (root, base) = rows::decode(&bytes, &source)?;
                    let composed = rows
                        .iter()
                        .map(|&r| base.get(r as usize).copied().unwrap_or(IdxSize::MAX))
                        .collect();
                    Ok((root, composed))
                })
                .await?
            } else {
                (*source, rows)
            }
        };
        let encoded = blocking("encode", move || Ok(rows::encode(&root, &rows))).await?;
        self.write("stored rows", encoded).await
    }

    /// The frame a rows value (see [`put_rows`](Self::put_rows)) stored
    /// under `key` names: its source's rows, gathered.
    async fn get_rows(&self, key: FrameKey, bytes: Bytes) -> Result<DataFrame> {
        let (source, rows) = rows::decode(&bytes, &key)?;
        drop(bytes);
        let frame = Box::pin(self.get(&source)).await?;
        blocking("gather", move || {
            let height = frame.height();
            if let Some(&bad) = rows.iter().find(|&&r| r as usize >= height) {
                return Err(Error::Integrity {
                    key: key.to_hex(),
                    detail: format!(
                        "the stored rows name row {bad} of frame {source}, which has {height} rows"
                    ),
                });
            }
            let rows = IdxCa::from_vec(PlSmallStr::EMPTY, rows);
            frame.take(&rows).map_err(|source| Error::Decode {
                key: key.to_hex(),
                source,
            })
        })
        .await
    }

    /// Encodes `df` and writes it to the backend.
    async fn put_encoded(&self, df: &DataFrame) -> Result<FrameKey> {
        let compression = self.inner.compression;
        let owned = df.clone();
        let encoded = blocking("encode", move || codec::encode(&owned, compression)).await?;
        self.write("encoded frame", encoded).await
    }

    /// Writes an encoded value (`what`, for a size error) to the backend.
    async fn write(&self, what: &'static str, encoded: codec::Encoded) -> Result<FrameKey> {
        self.check_size(what, encoded.bytes.len())?;
        self.inner
            .backend
            .put(encoded.key.slot(), encoded.bytes)
            .await?;
        Ok(encoded.key)
    }

    /// Encodes and hashes a frame without storing it: its key is known at
    /// once (CPU work only, no I/O, no runtime needed), and
    /// [`put_prepared`](Self::put_prepared) writes it later. For code that
    /// must name a frame synchronously — a component rendered into a
    /// layout — and write it when it can.
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() {
    /// use polars::prelude::*;
    /// let store = redis_store::Store::memory();
    /// let df = df!("a" => [1i64, 2]).unwrap();
    /// let prepared = store.prepare(&df).unwrap();
    /// assert!(!store.contains(&prepared.key()).await.unwrap());
    /// assert_eq!(store.put_prepared(&prepared).await.unwrap(), prepared.key());
    /// assert!(store.get(&prepared.key()).await.unwrap().equals(&df));
    /// assert_eq!(store.put(&df).await.unwrap(), prepared.key()); // the same key
    /// # }
    /// ```
    pub fn prepare(&self, df: &DataFrame) -> Result<Prepared> {
        let encoded = codec::encode(df, self.inner.compression)?;
        self.check_size("encoded frame", encoded.bytes.len())?;
        Ok(Prepared {
            encoded,
            frame: df.clone(),
        })
    }

    /// Writes a [`prepared`](Self::prepare) frame (and keeps it decoded in
    /// this process's cache, as [`put`](Self::put) does); returns its key.
    pub async fn put_prepared(&self, prepared: &Prepared) -> Result<FrameKey> {
        let key = self
            .write("encoded frame", prepared.encoded.clone())
            .await?;
        self.remember(key, &prepared.frame);
        Ok(key)
    }

    /// Store a frame and return the signed [`FrameRef`] to put into a
    /// `dcc.Store`.
    pub async fn put_ref(&self, df: &DataFrame) -> Result<FrameRef> {
        self.put(df).await.map(|key| self.sign(key))
    }

    /// The signed reference to `key` for the browser; [`verify`](Self::verify)
    /// accepts it back (in any process sharing the secret, see [`Signer`]).
    pub fn sign(&self, key: FrameKey) -> FrameRef {
        self.inner.signer.sign(key)
    }

    /// The key of a reference this store (or a process sharing its secret)
    /// handed out; [`Error::Forged`] for any other.
    pub fn verify(&self, r: &FrameRef) -> Result<FrameKey> {
        self.inner.signer.verify(r)
    }

    /// The frame stored under `key`. [`Error::NotFound`] if it expired or was
    /// never stored; [`Error::Integrity`] if the bytes read from a remote
    /// backend do not hash to `key`.
    pub async fn get(&self, key: &FrameKey) -> Result<DataFrame> {
        let slot = key.slot();
        let cached = self.cache().get(key, Instant::now(), None);
        if let Some(df) = cached {
            match self.inner.backend.touch(slot).await {
                Ok(true) => {
                    self.inner.cache_hits.fetch_add(1, Ordering::Relaxed);
                    return Ok(df);
                }
                Ok(false) => {
                    self.cache().remove(key);
                    return Err(slot.not_found());
                }
                Err(e) if e.is_unavailable() => {
                    tracing::warn!(target: "redis_store", "serving {key} from the local cache: {e}");
                    self.inner.cache_hits.fetch_add(1, Ordering::Relaxed);
                    return Ok(df);
                }
                Err(e) => return Err(e),
            }
        }
        // One fetch and decode per key at a time: concurrent misses for one
        // frame wait for the first and then read its result from the
        // decoded cache (N requests for a cold frame decode it once).
        let turn = self.gate(key).lock_owned().await;
        let _leave = Leave {
            store: self,
            key: *key,
            turn: Some(turn),
        };
        if let Some(df) = self.cache().get(key, Instant::now(), None) {
            self.inner.cache_hits.fetch_add(1, Ordering::Relaxed);
            return Ok(df);
        }
        self.inner.cache_misses.fetch_add(1, Ordering::Relaxed);
        let bytes = self
            .inner
            .backend
            .get(slot)
            .await?
            .ok_or_else(|| slot.not_found())?;
        self.check_size("stored frame", bytes.len())?;
        let verify = self.inner.backend.is_remote();
        let key = *key;
        let checked = move |bytes: &Bytes| {
            if verify && codec::key_of(bytes) != key {
                return Err(Error::Integrity {
                    key: key.to_hex(),
                    detail: "the stored bytes do not hash to the key".into(),
                });
            }
            Ok(())
        };
        if rows::is_rows(&bytes) {
            // Gathered again on every read from the source (decoded and
            // cached itself): kept here, a view as large as its source
            // would push the source out of the cache.
            let bytes = if verify {
                blocking("verify", move || checked(&bytes).map(|()| bytes)).await?
            } else {
                bytes
            };
            return self.get_rows(key, bytes).await;
        }
        let max_decoded = self.inner.max_decoded_bytes;
        let df = blocking("decode", move || {
            checked(&bytes)?;
            codec::decode_limited(bytes, &key, max_decoded)
        })
        .await?;
        self.remember(key, &df);
        Ok(df)
    }

    fn inflight(&self) -> MutexGuard<'_, HashMap<FrameKey, Arc<tokio::sync::Mutex<()>>>> {
        self.inner
            .inflight
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The gate of `key`'s fetch, shared by every concurrent miss of it.
    fn gate(&self, key: &FrameKey) -> Arc<tokio::sync::Mutex<()>> {
        Arc::clone(self.inflight().entry(*key).or_default())
    }

    /// Same as [`get`](Store::get): load the frame a key from a browser names.
    pub async fn load(&self, key: &FrameKey) -> Result<DataFrame> {
        self.get(key).await
    }

    /// Validate a key string from a client, then load its frame.
    pub async fn load_str(&self, key: &str) -> Result<DataFrame> {
        self.get(&FrameKey::parse(key)?).await
    }

    /// True if a frame is stored under `key` (does not refresh its TTL).
    pub async fn contains(&self, key: &FrameKey) -> Result<bool> {
        self.inner.backend.contains(key.slot()).await
    }

    /// Delete a frame everywhere (and from this process's cache); true if
    /// the backend had it. Other processes may still serve it from their own
    /// decoded caches until they next check the backend.
    pub async fn delete(&self, key: &FrameKey) -> Result<bool> {
        self.cache().remove(key);
        self.inner.backend.delete(key.slot()).await
    }

    /// Check that the backend answers now, e.g. for a health endpoint
    /// ([`Error::Unavailable`] or [`Error::Timeout`] if Redis is down).
    pub async fn ping(&self) -> Result<()> {
        self.inner.backend.ping().await
    }

    /// Drop this process's decoded frames (the backend is untouched).
    pub fn clear_decoded_cache(&self) {
        self.cache().clear();
    }

    /// Backend and cache counters.
    pub async fn stats(&self) -> Result<Stats> {
        let BackendStats {
            entries,
            bytes,
            hits,
            misses,
            evictions,
            ..
        } = self.inner.backend.stats().await?;
        let cache = self.cache();
        Ok(Stats {
            backend: self.inner.backend.name(),
            entries,
            bytes,
            hits,
            misses,
            evictions,
            decoded_cache: CacheStats {
                entries: cache.len() as u64,
                bytes: cache.bytes(),
                capacity: cache.capacity(),
                hits: self.inner.cache_hits.load(Ordering::Relaxed),
                misses: self.inner.cache_misses.load(Ordering::Relaxed),
                evictions: cache.evictions(),
            },
        })
    }

    // ----- bytes / JSON cache -----

    /// Store bytes under a caller-chosen key, replacing any previous value.
    /// A checksum binding the value to its key is stored with it and
    /// verified on every read from a remote backend.
    pub async fn put_bytes(&self, key: &CacheKey, value: &[u8]) -> Result<()> {
        self.check_size("cache entry", value.len())?;
        let mut framed = BytesMut::with_capacity(4 + 32 + value.len());
        framed.extend_from_slice(CACHE_MAGIC);
        framed.extend_from_slice(&cache_checksum(key, value));
        framed.extend_from_slice(value);
        self.inner.backend.put(key.slot(), framed.freeze()).await
    }

    /// The bytes stored under `key` ([`Error::NotFound`] if none).
    pub async fn get_bytes(&self, key: &CacheKey) -> Result<Bytes> {
        let slot = key.slot();
        let framed = self
            .inner
            .backend
            .get(slot)
            .await?
            .ok_or_else(|| slot.not_found())?;
        unframe(&slot, key, framed, self.inner.backend.is_remote())
    }

    /// Store a value as JSON under `key`.
    pub async fn put_json<T: Serialize + ?Sized>(&self, key: &CacheKey, value: &T) -> Result<()> {
        let json = serde_json::to_vec(value)?;
        self.put_bytes(key, &json).await
    }

    /// The JSON value stored under `key`, deserialized.
    pub async fn get_json<T: DeserializeOwned>(&self, key: &CacheKey) -> Result<T> {
        let bytes = self.get_bytes(key).await?;
        Ok(serde_json::from_slice(&bytes)?)
    }

    /// True if a cache entry exists under `key`.
    pub async fn contains_bytes(&self, key: &CacheKey) -> Result<bool> {
        self.inner.backend.contains(key.slot()).await
    }

    /// Delete a cache entry; true if it existed.
    pub async fn delete_bytes(&self, key: &CacheKey) -> Result<bool> {
        self.inner.backend.delete(key.slot()).await
    }
}

fn cache_checksum(key: &CacheKey, value: &[u8]) -> [u8; 32] {
    let mut h = blake3::Hasher::new_keyed(key.as_bytes());
    h.update(value);
    *h.finalize().as_bytes()
}

fn unframe(slot: &Slot, key: &CacheKey, framed: Bytes, verify: bool) -> Result<Bytes> {
    let bad = |detail: &str| Error::Integrity {
        key: slot.hex(),
        detail: detail.to_owned(),
    };
    if framed.len() < 36 || &framed[..4] != CACHE_MAGIC {
        return Err(bad("the stored value is not a cache entry"));
    }
    let value = framed.slice(36..);
    if verify && framed[4..36] != cache_checksum(key, &value) {
        return Err(bad("the checksum does not match the value"));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use polars::prelude::*;

    use super::*;

    fn frame(n: i64) -> DataFrame {
        df!("x" => (0..n).collect::<Vec<_>>(), "s" => (0..n).map(|i| format!("r{i}")).collect::<Vec<_>>())
            .unwrap()
    }

    #[tokio::test]
    async fn put_get_delete_stats() {
        let store = Store::builder().decoded_cache_bytes(0).build();
        let df = frame(100);
        let key = store.put(&df).await.unwrap();
        assert_eq!(store.put(&df).await.unwrap(), key);
        assert!(store.contains(&key).await.unwrap());
        assert!(store.get(&key).await.unwrap().equals(&df));
        assert!(store.load_str(&key.to_hex()).await.unwrap().equals(&df));
        let stats = store.stats().await.unwrap();
        assert_eq!(
            (stats.backend, stats.entries, stats.hits, stats.misses),
            ("memory", 1, 2, 0)
        );
        assert!(stats.bytes > 0);
        assert!(store.delete(&key).await.unwrap());
        let err = store.get(&key).await.unwrap_err();
        assert!(err.is_not_found(), "{err}");
        assert!(matches!(
            store.load_str("nope").await,
            Err(Error::MalformedKey { .. })
        ));
    }

    #[tokio::test]
    async fn decoded_cache_hits_and_follows_the_backend() {
        let store = Store::memory();
        let df = frame(10);
        let key = store.put(&df).await.unwrap();
        store.get(&key).await.unwrap();
        store.get(&key).await.unwrap();
        let stats = store.stats().await.unwrap();
        assert_eq!(
            (stats.decoded_cache.hits, stats.decoded_cache.misses),
            (2, 0)
        );
        // deleted behind the cache's back: the cache does not resurrect it
        store.backend().delete(key.slot()).await.unwrap();
        assert!(store.get(&key).await.unwrap_err().is_not_found());
        assert_eq!(store.stats().await.unwrap().decoded_cache.entries, 0);
    }

    #[tokio::test]
    async fn too_large_is_refused() {
        let store = Store::builder()
            .backend(MemoryBackend::new(200))
            .decoded_cache_bytes(0)
            .build();
        let err = store.put(&frame(10_000)).await.unwrap_err();
        assert!(matches!(err, Error::TooLarge { limit: 200, .. }), "{err}");
        let store = Store::builder().max_frame_bytes(100).build();
        let err = store.put(&frame(10_000)).await.unwrap_err();
        assert!(matches!(err, Error::TooLarge { limit: 100, .. }), "{err}");
    }

    #[tokio::test]
    async fn reads_refuse_frames_that_would_decode_past_the_bound() {
        let df = frame(10_000);
        let backend = Arc::new(MemoryBackend::new(1 << 30));
        let writer = Store::builder().backend_arc(backend.clone()).build();
        let key = writer.put_uncached(&df).await.unwrap();
        let reader = |max| {
            Store::builder()
                .backend_arc(backend.clone())
                .decoded_cache_bytes(0)
                .max_decoded_bytes(max)
                .build()
        };
        let err = reader(10_000).get(&key).await.unwrap_err();
        assert!(
            matches!(err, Error::TooLarge { what: "decoded frame", limit: 10_000, size } if size > 10_000),
            "{err}"
        );
        assert!(
            reader(100 << 20)
                .get(&key)
                .await
                .unwrap()
                .equals_missing(&df)
        );
    }

    #[tokio::test]
    async fn bytes_and_json() {
        let store = Store::memory();
        let key = CacheKey::derive(["callback", "v1", "[1,2]"]);
        assert!(store.get_bytes(&key).await.unwrap_err().is_not_found());
        store.put_json(&key, &vec![1, 2, 3]).await.unwrap();
        assert_eq!(
            store.get_json::<Vec<i32>>(&key).await.unwrap(),
            vec![1, 2, 3]
        );
        store.put_bytes(&key, b"").await.unwrap();
        assert_eq!(store.get_bytes(&key).await.unwrap(), Bytes::new());
        assert!(matches!(
            store.get_json::<Vec<i32>>(&key).await,
            Err(Error::Json(_))
        ));
        assert!(store.contains_bytes(&key).await.unwrap());
        assert!(store.delete_bytes(&key).await.unwrap());
    }

    #[test]
    fn unframe_detects_tampering() {
        let key = CacheKey::derive(["k"]);
        let other = CacheKey::derive(["other"]);
        let mut framed = CACHE_MAGIC.to_vec();
        framed.extend_from_slice(&cache_checksum(&key, b"value"));
        framed.extend_from_slice(b"value");
        let framed = Bytes::from(framed);
        assert_eq!(
            unframe(&key.slot(), &key, framed.clone(), true).unwrap(),
            "value"
        );
        // the same bytes moved under another key
        assert!(unframe(&other.slot(), &other, framed.clone(), true).is_err());
        let mut flipped = framed.to_vec();
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        assert!(unframe(&key.slot(), &key, Bytes::from(flipped), true).is_err());
        assert!(unframe(&key.slot(), &key, Bytes::from_static(b"RSC1"), false).is_err());
    }

    /// A frame stored uncached is not put in the decoded cache (a normal
    /// put of a frame that size is), and reads back from the backend.
    #[test]
    fn uncached_puts_stay_out_of_the_decoded_cache() {
        let store = Store::builder().decoded_cache_bytes(4 << 20).build();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let entries = |store: &Store| rt.block_on(store.stats()).unwrap().decoded_cache.entries;
        let served = rt.block_on(store.put(&frame(1_000))).unwrap();
        let view = rt.block_on(store.put_uncached(&frame(50_000))).unwrap();
        assert_eq!(entries(&store), 1);
        rt.block_on(store.put(&frame(50_001))).unwrap();
        assert_eq!(entries(&store), 2);
        assert_eq!(rt.block_on(store.get(&served)).unwrap().height(), 1_000);
        assert_eq!(rt.block_on(store.get(&view)).unwrap().height(), 50_000);
        assert_eq!(entries(&store), 3);
    }

    /// Rows of a frame read back gathered, in their order (repeats too),
    /// from the cached source (they are not cached themselves), and rows
    /// past the source's end are an integrity error, not a panic.
    #[tokio::test]
    async fn rows_of_a_frame_read_back_gathered() {
        let store = Store::memory();
        let df = frame(5);
        let source = store.put(&df).await.unwrap();
        let view = store.put_rows(&source, &[4, 0, 4]).await.unwrap();
        let got = store.get(&view).await.unwrap();
        let want = df
            .take(&IdxCa::from_vec(PlSmallStr::EMPTY, vec![4, 0, 4]))
            .unwrap();
        assert!(got.equals(&want));
        let before = store.stats().await.unwrap().decoded_cache;
        assert!(store.get(&view).await.unwrap().equals(&want));
        let after = store.stats().await.unwrap().decoded_cache;
        assert_eq!((after.entries, after.hits), (1, before.hits + 1));
        let empty = store.put_rows(&source, &[]).await.unwrap();
        assert_eq!(store.get(&empty).await.unwrap().height(), 0);
        let past = store.put_rows(&source, &[1, 5]).await.unwrap();
        let err = store.get(&past).await.unwrap_err();
        assert!(matches!(err, Error::Integrity { .. }), "{err}");
        assert!(err.to_string().contains("row 5"), "{err}");
    }

    /// Rows of rows name the root frame, composed: the value read back is
    /// the same, the stored value names the root (so reading it gathers
    /// once, and no chain grows however often a view is viewed again).
    #[tokio::test]
    async fn rows_of_rows_point_at_the_root() {
        for cache in [true, false] {
            let store = Store::builder()
                .decoded_cache_bytes(if cache { 64 << 20 } else { 0 })
                .build();
            let df = frame(6);
            let root = store.put(&df).await.unwrap();
            let first = store.put_rows(&root, &[5, 3, 1, 0]).await.unwrap();
            let second = store.put_rows(&first, &[2, 0, 9]).await.unwrap();
            // The same as the rows [1, 5, past the end] of the root.
            assert_eq!(
                second,
                store.put_rows(&root, &[1, 5, IdxSize::MAX]).await.unwrap()
            );
            let bytes = store.backend().get(second.slot()).await.unwrap().unwrap();
            assert_eq!(rows::decode(&bytes, &second).unwrap().0, root);
            let ok = store.put_rows(&first, &[2, 0]).await.unwrap();
            let want = df
                .take(&IdxCa::from_vec(PlSmallStr::EMPTY, vec![1, 5]))
                .unwrap();
            assert!(store.get(&ok).await.unwrap().equals(&want));
            let third = store.put_rows(&ok, &[1]).await.unwrap();
            let bytes = store.backend().get(third.slot()).await.unwrap().unwrap();
            assert_eq!(rows::decode(&bytes, &third).unwrap(), (root, vec![5]));
            assert!(matches!(
                store.get(&second).await.unwrap_err(),
                Error::Integrity { .. }
            ));
        }
    }

    /// Concurrent misses of one frame fetch and decode it once: one miss,
    /// the others wait and read the decoded cache.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_misses_decode_once() {
        let store = Store::memory();
        let key = store.put_uncached(&frame(200_000)).await.unwrap();
        let gets: Vec<_> = (0..8)
            .map(|_| {
                let store = store.clone();
                tokio::spawn(async move { store.get(&key).await.map(|df| df.height()) })
            })
            .collect();
        for g in gets {
            assert_eq!(g.await.unwrap().unwrap(), 200_000);
        }
        let stats = store.stats().await.unwrap().decoded_cache;
        assert_eq!((stats.misses, stats.hits), (1, 7), "{stats:?}");
        let left: Vec<usize> = store.inflight().values().map(Arc::strong_count).collect();
        assert!(left.is_empty(), "gates are forgotten: {left:?}");
    }

    #[test]
    fn works_on_a_current_thread_runtime() {
        let store = Store::memory();
        let rt = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap();
        let key = rt.block_on(store.put(&frame(3))).unwrap();
        assert_eq!(rt.block_on(store.get(&key)).unwrap().height(), 3);
    }
}
