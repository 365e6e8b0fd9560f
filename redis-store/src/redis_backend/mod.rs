//! The Redis backend: values shared by every process and machine that can
//! reach the same Redis.

mod config;
mod manifest;

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::{Bytes, BytesMut};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::{RedisError, RedisResult};
use tokio::sync::OnceCell;

pub use self::config::{DEFAULT_CHUNK_SIZE, RedisConfig};
use self::manifest::{ChunkLayout, INLINE_MAX, Manifest, Names};
use crate::backend::{Backend, BackendStats, BoxFuture};
use crate::error::{Error, Result};
use crate::key::Slot;

/// Stores values in Redis through a reconnecting connection manager.
///
/// Creating it does not connect: a Redis that is down at start only makes
/// operations fail with [`Error::Unavailable`]; the backend reconnects when
/// Redis returns, and every command is bounded by the configured timeouts.
/// Operations whose connection dropped are retried once (they are all
/// idempotent).
///
/// Stats: `entries` and `bytes` come from a SCAN of the namespace (cost
/// proportional to its size); `hits`/`misses` are this process's reads;
/// `evictions` is the server-wide `evicted_keys` counter of `INFO stats`.
pub struct RedisBackend {
    client: redis::Client,
    manager: OnceCell<ConnectionManager>,
    names: Names,
    config: RedisConfig,
    target: String,
    hits: AtomicU64,
    misses: AtomicU64,
}

impl std::fmt::Debug for RedisBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisBackend")
            .field("target", &self.target)
            .field("namespace", &self.config.namespace)
            .field("ttl", &self.config.ttl)
            .field("chunk_size", &self.config.chunk_size)
            .finish()
    }
}

/// `redis://user:secret@host/` → `redis://***@host/`.
fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_owned();
    };
    let rest = &url[scheme_end..];
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{}***{}", &url[..scheme_end], &rest[at..]),
        None => url.to_owned(),
    }
}

/// A fresh id for one upload, unique enough to keep concurrent writers apart.
fn upload_id(slot: &Slot) -> [u8; 8] {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let mut h = blake3::Hasher::new();
    h.update(slot.hash());
    h.update(&nanos.to_le_bytes());
    h.update(&std::process::id().to_le_bytes());
    h.update(&COUNTER.fetch_add(1, Ordering::Relaxed).to_le_bytes());
    let mut out = [0u8; 8];
    out.copy_from_slice(&h.finalize().as_bytes()[..8]);
    out
}

fn is_connection_error(e: &RedisError) -> bool {
    e.is_io_error() || e.is_connection_dropped() || e.is_connection_refusal()
}

impl RedisBackend {
    /// Validate the settings. Does not connect (see the type's docs).
    pub fn new(config: RedisConfig) -> Result<Self> {
        let target = redact(&config.url);
        let client = redis::Client::open(config.url.as_str())
            .map_err(|e| Error::Config(format!("Redis URL {target}: {e}")))?;
        let names = Names::new(&config.namespace)?;
        if !(1024..=512 << 20).contains(&config.chunk_size) {
            return Err(Error::Config(format!(
                "chunk size {} must be between 1 KiB and 512 MiB",
                config.chunk_size
            )));
        }
        if config.ttl.is_some_and(|t| t.as_secs() == 0) {
            return Err(Error::Config("a TTL must be at least one second".into()));
        }
        if config.connect_timeout.is_zero() || config.command_timeout.is_zero() {
            return Err(Error::Config("timeouts must be positive".into()));
        }
        Ok(RedisBackend {
            client,
            manager: OnceCell::new(),
            names,
            target,
            config,
            hits: AtomicU64::new(0),
            misses: AtomicU64::new(0),
        })
    }

    /// The settings.
    pub fn config(&self) -> &RedisConfig {
        &self.config
    }

    async fn manager(&self) -> Result<ConnectionManager> {
        let manager = self
            .manager
            .get_or_try_init(|| async {
                let config = ConnectionManagerConfig::new()
                    .set_connection_timeout(Some(self.config.connect_timeout))
                    .set_response_timeout(Some(self.config.command_timeout))
                    .set_number_of_retries(1)
                    .set_min_delay(Duration::from_millis(50))
                    .set_max_delay(Duration::from_millis(500));
                ConnectionManager::new_lazy_with_config(self.client.clone(), config).map_err(|e| {
                    Error::Unavailable {
                        target: self.target.clone(),
                        detail: e.to_string(),
                    }
                })
            })
            .await?;
        Ok(manager.clone())
    }

    /// Run one Redis operation under an overall timeout, retrying once if
    /// the connection was lost.
    async fn run<T, F, Fut>(&self, op: &'static str, f: F) -> Result<T>
    where
        F: Fn(ConnectionManager) -> Fut,
        Fut: Future<Output = RedisResult<T>>,
    {
        let manager = self.manager().await?;
        // connect attempts (with one retry and backoff) plus the command
        let budget =
            self.config.connect_timeout * 2 + self.config.command_timeout + Duration::from_secs(1);
        let mut retried = false;
        loop {
            match tokio::time::timeout(budget, f(manager.clone())).await {
                Err(_) => {
                    return Err(Error::Timeout {
                        target: self.target.clone(),
                        op,
                        after: budget,
                    });
                }
                Ok(Ok(value)) => return Ok(value),
                Ok(Err(e)) if !retried && is_connection_error(&e) => {
                    tracing::debug!(target: "redis_store", "{op} on {}: {e}; retrying once", self.target);
                    retried = true;
                }
                Ok(Err(e)) => return Err(self.map_err(op, e)),
            }
        }
    }

    fn map_err(&self, op: &'static str, e: RedisError) -> Error {
        if e.is_timeout() {
            Error::Timeout {
                target: self.target.clone(),
                op,
                after: self.config.command_timeout,
            }
        } else if is_connection_error(&e) {
            Error::Unavailable {
                target: self.target.clone(),
                detail: e.to_string(),
            }
        } else {
            Error::Backend {
                target: self.target.clone(),
                op,
                detail: e.to_string(),
            }
        }
    }

    fn ttl_secs(&self) -> Option<u64> {
        self.config.ttl.map(|t| t.as_secs().max(1))
    }

    /// Chunks outlive their manifest a little: they are written first, and
    /// a reader that found the manifest must still find them.
    fn chunk_ttl_secs(&self) -> Option<u64> {
        self.ttl_secs().map(|t| t + (t / 10).max(60))
    }

    /// `SET key value [EX ttl]`.
    async fn set(&self, op: &'static str, key: &str, value: &[u8], ttl: Option<u64>) -> Result<()> {
        self.run(op, |mut con| async move {
            let mut cmd = redis::cmd("SET");
            cmd.arg(key).arg(value);
            if let Some(ttl) = ttl {
                cmd.arg("EX").arg(ttl);
            }
            cmd.query_async::<()>(&mut con).await
        })
        .await
    }

    /// `GETEX key [EX ttl]` (plain `GET` without a TTL).
    async fn get_refresh(
        &self,
        op: &'static str,
        key: &str,
        ttl: Option<u64>,
    ) -> Result<Option<Bytes>> {
        self.run(op, |mut con| async move {
            let cmd = match ttl {
                Some(ttl) => {
                    let mut c = redis::cmd("GETEX");
                    c.arg(key).arg("EX").arg(ttl);
                    c
                }
                None => {
                    let mut c = redis::cmd("GET");
                    c.arg(key);
                    c
                }
            };
            cmd.query_async::<Option<Bytes>>(&mut con).await
        })
        .await
    }

    async fn read_manifest(&self, slot: &Slot, refresh: bool) -> Result<Option<Manifest<Bytes>>> {
        let ttl = if refresh { self.ttl_secs() } else { None };
        match self
            .get_refresh("GET manifest", &self.names.manifest(slot), ttl)
            .await?
        {
            Some(raw) => manifest::parse(slot, raw).map(Some),
            None => Ok(None),
        }
    }

    fn chunk_keys(&self, slot: &Slot, layout: &ChunkLayout) -> Vec<String> {
        (0..layout.parts)
            .map(|i| self.names.chunk(slot, &layout.upload, i))
            .collect()
    }

    async fn del(&self, keys: Vec<String>) -> Result<u64> {
        if keys.is_empty() {
            return Ok(0);
        }
        let keys = &keys;
        self.run("DEL", |mut con| async move {
            redis::cmd("DEL")
                .arg(keys)
                .query_async::<u64>(&mut con)
                .await
        })
        .await
    }

    async fn put_value(&self, slot: Slot, value: Bytes) -> Result<()> {
        let kind = slot.kind();
        if kind.is_content_addressed() {
            match self.touch_value(&slot).await {
                Ok(true) => return Ok(()), // same key, same bytes: already there
                // absent, or a damaged manifest: write it (again)
                Ok(false) | Err(Error::Integrity { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        let previous = if kind.is_content_addressed() {
            None
        } else {
            self.read_manifest(&slot, false).await.ok().flatten()
        };
        let manifest_key = self.names.manifest(&slot);
        let chunk_size = self.config.chunk_size;
        let written = if value.len() <= INLINE_MAX.min(chunk_size) {
            let raw = manifest::encode_inline(&value);
            self.set("SET manifest", &manifest_key, &raw, self.ttl_secs())
                .await?;
            None
        } else {
            let layout = ChunkLayout::plan(value.len(), chunk_size, upload_id(&slot))?;
            let keys = self.chunk_keys(&slot, &layout);
            for (key, chunk) in keys.iter().zip(value.chunks(chunk_size)) {
                self.set("SET chunk", key, chunk, self.chunk_ttl_secs())
                    .await?;
            }
            // Published last: readers see all of the value or none of it.
            self.set(
                "SET manifest",
                &manifest_key,
                &layout.encode(),
                self.ttl_secs(),
            )
            .await?;
            Some(layout.upload)
        };
        if let Some(Manifest::Chunked(old)) = previous
            && Some(old.upload) != written
        {
            // best effort: the old chunks would otherwise wait for their TTL
            if let Err(e) = self.del(self.chunk_keys(&slot, &old)).await {
                tracing::debug!(target: "redis_store", "could not delete replaced chunks: {e}");
            }
        }
        Ok(())
    }

    async fn get_value(&self, slot: Slot) -> Result<Option<Bytes>> {
        let layout = match self.read_manifest(&slot, true).await? {
            None => return Ok(None),
            Some(Manifest::Inline(value)) => return Ok(Some(value)),
            Some(Manifest::Chunked(layout)) => layout,
        };
        if layout.total_len > self.config.max_value_bytes {
            return Err(Error::TooLarge {
                what: "stored value",
                size: layout.total_len,
                limit: self.config.max_value_bytes,
            });
        }
        let total = usize::try_from(layout.total_len).map_err(|_| Error::TooLarge {
            what: "stored value",
            size: layout.total_len,
            limit: usize::MAX as u64,
        })?;
        let mut out = BytesMut::with_capacity(total);
        for (i, key) in self.chunk_keys(&slot, &layout).iter().enumerate() {
            let Some(chunk) = self
                .get_refresh("GET chunk", key, self.chunk_ttl_secs())
                .await?
            else {
                // Evicted by Redis or deleted meanwhile: the value is gone.
                tracing::debug!(target: "redis_store", "chunk {key} missing; treating {slot:?} as absent");
                return Ok(None);
            };
            let expected = layout.chunk_len(i as u32);
            if chunk.len() as u64 != expected {
                return Err(Error::Integrity {
                    key: slot.hex(),
                    detail: format!("chunk {i} has {} bytes, expected {expected}", chunk.len()),
                });
            }
            out.extend_from_slice(&chunk);
        }
        Ok(Some(out.freeze()))
    }

    async fn touch_value(&self, slot: &Slot) -> Result<bool> {
        match self.read_manifest(slot, true).await? {
            None => Ok(false),
            Some(Manifest::Inline(_)) => Ok(true),
            Some(Manifest::Chunked(layout)) => {
                let Some(ttl) = self.chunk_ttl_secs() else {
                    return Ok(true);
                };
                let keys = self.chunk_keys(slot, &layout);
                let keys = &keys;
                let alive: Vec<u8> = self
                    .run("EXPIRE chunks", |mut con| async move {
                        let mut pipe = redis::pipe();
                        for key in keys {
                            pipe.cmd("EXPIRE").arg(key).arg(ttl);
                        }
                        pipe.query_async::<Vec<u8>>(&mut con).await
                    })
                    .await?;
                Ok(alive.iter().all(|&a| a == 1))
            }
        }
    }

    async fn delete_value(&self, slot: Slot) -> Result<bool> {
        let manifest = self.read_manifest(&slot, false).await;
        let mut keys = vec![self.names.manifest(&slot)];
        if let Ok(Some(Manifest::Chunked(layout))) = &manifest {
            keys.extend(self.chunk_keys(&slot, layout));
        }
        let manifest_existed = matches!(manifest, Ok(Some(_)) | Err(Error::Integrity { .. }));
        let deleted = self.del(keys).await?;
        Ok(manifest_existed && deleted > 0)
    }

    async fn stats_now(&self) -> Result<BackendStats> {
        let pattern = self.names.all_pattern();
        let mut stats = BackendStats {
            hits: self.hits.load(Ordering::Relaxed),
            misses: self.misses.load(Ordering::Relaxed),
            ..BackendStats::default()
        };
        let mut cursor: u64 = 0;
        loop {
            let pattern = &pattern;
            let (next, keys): (u64, Vec<String>) = self
                .run("SCAN", |mut con| async move {
                    redis::cmd("SCAN")
                        .arg(cursor)
                        .arg("MATCH")
                        .arg(pattern)
                        .arg("COUNT")
                        .arg(1000)
                        .query_async(&mut con)
                        .await
                })
                .await?;
            if !keys.is_empty() {
                let keys = &keys;
                let lens: Vec<u64> = self
                    .run("STRLEN", |mut con| async move {
                        let mut pipe = redis::pipe();
                        for key in keys {
                            pipe.cmd("STRLEN").arg(key);
                        }
                        pipe.query_async(&mut con).await
                    })
                    .await?;
                for (key, len) in keys.iter().zip(lens) {
                    stats.bytes += len;
                    if !self.names.is_chunk(key) {
                        stats.entries += 1;
                    }
                }
            }
            cursor = next;
            if cursor == 0 {
                break;
            }
        }
        let info: String = self
            .run("INFO", |mut con| async move {
                redis::cmd("INFO").arg("stats").query_async(&mut con).await
            })
            .await?;
        stats.evictions = info
            .lines()
            .find_map(|l| l.strip_prefix("evicted_keys:"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        Ok(stats)
    }
}

impl Backend for RedisBackend {
    fn name(&self) -> &'static str {
        "redis"
    }

    fn is_remote(&self) -> bool {
        true
    }

    fn put(&self, slot: Slot, value: Bytes) -> BoxFuture<'_, Result<()>> {
        Box::pin(self.put_value(slot, value))
    }

    fn get(&self, slot: Slot) -> BoxFuture<'_, Result<Option<Bytes>>> {
        Box::pin(async move {
            let found = self.get_value(slot).await?;
            let counter = if found.is_some() {
                &self.hits
            } else {
                &self.misses
            };
            counter.fetch_add(1, Ordering::Relaxed);
            Ok(found)
        })
    }

    fn touch(&self, slot: Slot) -> BoxFuture<'_, Result<bool>> {
        Box::pin(async move { self.touch_value(&slot).await })
    }

    fn contains(&self, slot: Slot) -> BoxFuture<'_, Result<bool>> {
        Box::pin(async move {
            let key = self.names.manifest(&slot);
            let key = &key;
            self.run("EXISTS", |mut con| async move {
                redis::cmd("EXISTS")
                    .arg(key)
                    .query_async::<bool>(&mut con)
                    .await
            })
            .await
        })
    }

    fn delete(&self, slot: Slot) -> BoxFuture<'_, Result<bool>> {
        Box::pin(self.delete_value(slot))
    }

    fn stats(&self) -> BoxFuture<'_, Result<BackendStats>> {
        Box::pin(self.stats_now())
    }

    fn ping(&self) -> BoxFuture<'_, Result<()>> {
        Box::pin(async move {
            self.run("PING", |mut con| async move {
                redis::cmd("PING").query_async::<String>(&mut con).await
            })
            .await
            .map(|_| ())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_credentials() {
        assert_eq!(redact("redis://user:pw@h:1/0"), "redis://***@h:1/0");
        assert_eq!(redact("redis://:pw@h"), "redis://***@h");
        assert_eq!(redact("redis://h:6379/"), "redis://h:6379/");
        assert_eq!(redact("nonsense"), "nonsense");
    }

    #[test]
    fn config_is_validated() {
        let ok = RedisConfig::new("redis://127.0.0.1:1/");
        assert!(RedisBackend::new(ok.clone()).is_ok());
        for bad in [
            ok.clone().with_chunk_size(10),
            ok.clone().with_chunk_size(600 << 20),
            ok.clone().with_namespace("a b"),
            ok.clone().with_ttl(Some(Duration::from_millis(10))),
            ok.clone().with_command_timeout(Duration::ZERO),
            RedisConfig::new("not a url"),
        ] {
            let err = RedisBackend::new(bad).unwrap_err();
            assert!(matches!(err, Error::Config(_)), "{err}");
        }
        let err = RedisBackend::new(RedisConfig::new("redis://u:secret@[::1")).unwrap_err();
        assert!(!err.to_string().contains("secret"), "{err}");
    }

    #[test]
    fn upload_ids_differ() {
        let slot = crate::key::FrameKey::from_bytes([1; 32]).slot();
        assert_ne!(upload_id(&slot), upload_id(&slot));
    }
}
