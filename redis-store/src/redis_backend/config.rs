//! Settings of the Redis backend.

use std::time::Duration;

/// Default chunk size: 32 MiB (Redis accepts up to 512 MiB per value).
pub const DEFAULT_CHUNK_SIZE: usize = 32 << 20;

/// Settings of a [`RedisBackend`]. Build with [`RedisConfig::new`] and the
/// `with_*` methods.
#[derive(Debug, Clone)]
pub struct RedisConfig {
    pub(super) url: String,
    pub(super) namespace: String,
    pub(super) ttl: Option<Duration>,
    pub(super) chunk_size: usize,
    pub(super) connect_timeout: Duration,
    pub(super) command_timeout: Duration,
    pub(super) max_value_bytes: u64,
}

impl RedisConfig {
    /// Settings for the Redis at `url` (e.g. `redis://127.0.0.1:6379/`, or
    /// `rediss://`, `redis+unix://`), with namespace `dash`, a TTL of 24
    /// hours, 32 MiB chunks, a 2 s connect timeout, a 10 s command timeout
    /// and values up to 4 GiB.
    pub fn new(url: impl Into<String>) -> Self {
        RedisConfig {
            url: url.into(),
            namespace: "dash".into(),
            ttl: Some(Duration::from_secs(24 * 3600)),
            chunk_size: DEFAULT_CHUNK_SIZE,
            connect_timeout: Duration::from_secs(2),
            command_timeout: Duration::from_secs(10),
            max_value_bytes: 4 << 30,
        }
    }

    /// Prefix of every Redis key the store writes: `<namespace>:frame:<hash>`
    /// and so on. 1–100 characters from `A-Z a-z 0-9 _ . - :`. Apps sharing
    /// frames must use the same namespace.
    pub fn with_namespace(mut self, namespace: impl Into<String>) -> Self {
        self.namespace = namespace.into();
        self
    }

    /// Time-to-live of values, refreshed on every read (`None`: keep until
    /// deleted or evicted by Redis). Whole seconds, at least one.
    pub fn with_ttl(mut self, ttl: Option<Duration>) -> Self {
        self.ttl = ttl;
        self
    }

    /// Largest piece written in one command (1 KiB ..= 512 MiB).
    pub fn with_chunk_size(mut self, bytes: usize) -> Self {
        self.chunk_size = bytes;
        self
    }

    /// How long to wait for a TCP connection.
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How long to wait for the answer to one command.
    pub fn with_command_timeout(mut self, timeout: Duration) -> Self {
        self.command_timeout = timeout;
        self
    }

    /// Largest value read back; a manifest announcing more is refused
    /// before anything is allocated.
    pub fn with_max_value_bytes(mut self, bytes: u64) -> Self {
        self.max_value_bytes = bytes;
        self
    }

    /// The namespace.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The TTL.
    pub fn ttl(&self) -> Option<Duration> {
        self.ttl
    }
}
