//! Test helpers: find or start a Redis, private Redis servers for fault
//! tests, unique namespaces and frames.
#![allow(dead_code)] // each test binary uses a different subset

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use polars::prelude::*;
use redis_store::{RedisConfig, Store};

/// The Redis the tests share: `REDIS_URL` (default redis://127.0.0.1:6379/).
/// If nothing answers there and `redis-server` is on PATH, a private server
/// is started once per test binary (and stopped when the binary exits).
pub fn shared_url() -> String {
    static URL: OnceLock<(String, Option<RedisServer>)> = OnceLock::new();
    URL.get_or_init(|| {
        let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".into());
        if ping(&url) {
            return (url, None);
        }
        eprintln!("no Redis answers at {url}; starting a private redis-server");
        let server = RedisServer::start(free_port(), &temp_dir("shared"));
        (server.url(), Some(server))
    })
    .0
    .clone()
}

/// True if a Redis at `url` answers PING within a second.
pub fn ping(url: &str) -> bool {
    let Ok(client) = redis::Client::open(url) else {
        return false;
    };
    let Ok(mut con) = client.get_connection_with_timeout(Duration::from_secs(1)) else {
        return false;
    };
    let _ = con.set_read_timeout(Some(Duration::from_secs(1)));
    redis::cmd("PING").query::<String>(&mut con).is_ok()
}

/// A port nothing listens on (right now).
pub fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind an ephemeral port");
    listener.local_addr().expect("local addr").port()
}

/// A fresh directory under the system temp dir.
pub fn temp_dir(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("redis-store-test-{tag}-{}", unique()));
    std::fs::create_dir_all(&dir).expect("create temp dir");
    dir
}

fn unique() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    format!("{}-{nanos}", std::process::id())
}

/// A namespace no other test (or test run) uses.
pub fn unique_ns(test: &str) -> String {
    format!("rstest:{test}:{}", unique())
}

/// A redis-server owned by a test: no persistence, killed on drop (and by a
/// watchdog if the test process dies first).
pub struct RedisServer {
    redis: Child,
    watchdog: Child,
    port: u16,
    dir: PathBuf,
}

impl RedisServer {
    /// Start on `port` with working directory `dir`; waits until it answers.
    pub fn start(port: u16, dir: &Path) -> RedisServer {
        std::fs::create_dir_all(dir).expect("create the server's directory");
        let redis = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no", "--daemonize", "no"])
            .arg("--dir")
            .arg(dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("redis-server must be on PATH for this test (apt-get install redis-server)");
        // Kills this redis-server if the test process goes away without Drop.
        let script = format!(
            "while kill -0 {parent} 2>/dev/null; do sleep 1; done; kill {child} 2>/dev/null",
            parent = std::process::id(),
            child = redis.id()
        );
        let watchdog = Command::new("sh")
            .args(["-c", &script])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn sh");
        let server = RedisServer {
            redis,
            watchdog,
            port,
            dir: dir.to_owned(),
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        while !ping(&server.url()) {
            assert!(
                Instant::now() < deadline,
                "redis-server on port {port} did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        server
    }

    /// Its URL.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}/", self.port)
    }

    /// Its port.
    pub fn port(&self) -> u16 {
        self.port
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        let _ = self.redis.kill();
        let _ = self.redis.wait();
        let _ = self.watchdog.kill();
        let _ = self.watchdog.wait();
        let _ = std::fs::remove_dir(&self.dir); // only if empty, as it should be
    }
}

/// A synchronous connection for poking at Redis directly.
pub fn raw(url: &str) -> redis::Connection {
    redis::Client::open(url)
        .expect("url")
        .get_connection_with_timeout(Duration::from_secs(5))
        .expect("connect to Redis")
}

/// All keys of a namespace.
pub fn keys_of(url: &str, ns: &str) -> Vec<String> {
    let mut con = raw(url);
    let mut out = Vec::new();
    let mut cursor = 0u64;
    loop {
        let (next, keys): (u64, Vec<String>) = redis::cmd("SCAN")
            .arg(cursor)
            .arg("MATCH")
            .arg(format!("{ns}:*"))
            .arg("COUNT")
            .arg(1000)
            .query(&mut con)
            .expect("SCAN");
        out.extend(keys);
        cursor = next;
        if cursor == 0 {
            break;
        }
    }
    out.sort();
    out
}

/// Delete a namespace's keys.
pub fn cleanup(url: &str, ns: &str) {
    let keys = keys_of(url, ns);
    if !keys.is_empty() {
        let _: u64 = redis::cmd("DEL")
            .arg(&keys)
            .query(&mut raw(url))
            .expect("DEL");
    }
}

/// A Redis-backed store (decoded cache off unless `cache`).
pub fn redis_store(config: RedisConfig, cache: bool) -> Store {
    let cache_bytes = if cache { 64 << 20 } else { 0 };
    Store::builder()
        .redis(config)
        .expect("valid config")
        .decoded_cache_bytes(cache_bytes)
        .build()
}

/// A frame of `n` rows whose encoding barely compresses (hex strings).
pub fn incompressible(n: usize, seed: u64) -> DataFrame {
    let ids: Vec<i64> = (0..n as i64).collect();
    let hex: Vec<String> = (0..n)
        .map(|i| {
            blake3::hash(&[seed.to_le_bytes(), (i as u64).to_le_bytes()].concat()).to_hex()[..24]
                .to_string()
        })
        .collect();
    df!("id" => ids, "hex" => hex).expect("frame")
}

/// Flips bits of the last byte of the raw Redis value under `redis_key`
/// (a tampered or corrupted value).
pub fn flip_last_byte(con: &mut redis::Connection, redis_key: &str, mask: u8) {
    let mut value: Vec<u8> = redis::cmd("GET").arg(redis_key).query(con).unwrap();
    let last = value.len() - 1;
    value[last] ^= mask;
    let _: () = redis::cmd("SET")
        .arg(redis_key)
        .arg(&value)
        .query(con)
        .unwrap();
}
