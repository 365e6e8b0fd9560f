//! The Redis backend against a real Redis (REDIS_URL, or one the harness
//! starts). Every test uses its own namespace.

mod common;

use std::time::Duration;

use common::*;
use polars::prelude::*;
use redis_store::codec::{self, Compression};
use redis_store::{CacheKey, Error, FrameKey, FrameRef, RedisConfig, Signer};

fn config(ns: &str) -> RedisConfig {
    RedisConfig::new(shared_url()).with_namespace(ns)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn round_trip_dedup_delete() {
    let url = shared_url();
    let ns = unique_ns("roundtrip");
    let store = redis_store(config(&ns), true);
    let other = redis_store(config(&ns), false);
    let df = df!("a" => [1i64, 2, 3], "b" => ["x", "", "ü"]).unwrap();
    let key = store.put(&df).await.unwrap();
    assert_eq!(
        store.put(&df).await.unwrap(),
        key,
        "equal frames, equal keys"
    );
    assert_eq!(
        keys_of(&url, &ns),
        vec![format!("{ns}:frame:{key}")],
        "stored once, inline"
    );
    assert!(other.contains(&key).await.unwrap());
    assert!(other.get(&key).await.unwrap().equals(&df));
    let signer = Signer::new(b"one app");
    let via_json: FrameRef =
        serde_json::from_value(serde_json::to_value(signer.sign(key)).unwrap()).unwrap();
    let back = signer.verify(&via_json).unwrap();
    assert!(other.load(&back).await.unwrap().equals(&df));
    let stats = other.stats().await.unwrap();
    assert_eq!(
        (stats.backend, stats.entries, stats.hits, stats.misses),
        ("redis", 1, 2, 0)
    );
    assert!(stats.bytes > 0);
    assert!(other.delete(&key).await.unwrap());
    assert!(!other.delete(&key).await.unwrap());
    assert!(other.get(&key).await.unwrap_err().is_not_found());
    // the first store's decoded cache checks Redis: no resurrection
    assert!(store.get(&key).await.unwrap_err().is_not_found());
    assert!(keys_of(&url, &ns).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn large_values_are_chunked() {
    let url = shared_url();
    let ns = unique_ns("chunked");
    let store = redis_store(config(&ns).with_chunk_size(4096), false);
    let df = incompressible(20_000, 1);
    let encoded = codec::encode(&df, Compression::default()).unwrap();
    let key = store.put(&df).await.unwrap();
    assert_eq!(key, encoded.key);
    let parts = encoded.bytes.len().div_ceil(4096);
    assert!(parts > 10, "{parts}");
    let keys = keys_of(&url, &ns);
    let chunks = keys
        .iter()
        .filter(|k| k.starts_with(&format!("{ns}:chunk:frame:{key}:")))
        .count();
    assert_eq!(chunks, parts);
    assert_eq!(keys.len(), parts + 1);
    assert!(store.get(&key).await.unwrap().equals(&df));
    // storing it again writes nothing new
    store.put(&df).await.unwrap();
    assert_eq!(keys_of(&url, &ns), keys);
    let stats = store.stats().await.unwrap();
    assert_eq!(stats.entries, 1);
    assert!(stats.bytes >= encoded.bytes.len() as u64);
    assert!(store.delete(&key).await.unwrap());
    assert!(keys_of(&url, &ns).is_empty(), "chunks deleted too");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chunks_without_a_manifest_are_invisible() {
    let url = shared_url();
    let ns = unique_ns("halfwritten");
    let store = redis_store(config(&ns).with_chunk_size(1024), false);
    let df = incompressible(5_000, 2);
    let encoded = codec::encode(&df, Compression::default()).unwrap();
    // what a writer that died before publishing leaves behind
    let mut con = raw(&url);
    for (i, chunk) in encoded.bytes.chunks(1024).enumerate() {
        let key = format!("{ns}:chunk:frame:{}:0000000000000000:{i}", encoded.key);
        let _: () = redis::cmd("SET")
            .arg(key)
            .arg(chunk)
            .query(&mut con)
            .unwrap();
    }
    assert!(!store.contains(&encoded.key).await.unwrap());
    assert!(store.get(&encoded.key).await.unwrap_err().is_not_found());
    cleanup(&url, &ns);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readers_never_see_a_partial_value() {
    let url = shared_url();
    let ns = unique_ns("concurrent");
    let writer = redis_store(config(&ns).with_chunk_size(1024), false);
    let reader = redis_store(config(&ns).with_chunk_size(1024), false);
    let df = incompressible(30_000, 3);
    let key = codec::encode(&df, Compression::default()).unwrap().key;
    let write = tokio::spawn({
        let df = df.clone();
        async move { writer.put(&df).await }
    });
    let mut seen_missing = 0u32;
    loop {
        match reader.get(&key).await {
            Ok(got) => {
                assert!(got.equals(&df), "a reader saw a different frame");
                break;
            }
            Err(e) if e.is_not_found() => seen_missing += 1,
            Err(e) => panic!("reader saw {e}"),
        }
        if write.is_finished() && seen_missing > 0 {
            // the writer is done: the next read must succeed
            let got = reader.get(&key).await.unwrap();
            assert!(got.equals(&df));
            break;
        }
    }
    assert_eq!(write.await.unwrap().unwrap(), key);
    cleanup(&url, &ns);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ttl_is_set_refreshed_and_expiry_is_not_found() {
    let url = shared_url();
    let ns = unique_ns("ttl");
    let ttl = Duration::from_secs(1000);
    let store = redis_store(config(&ns).with_ttl(Some(ttl)).with_chunk_size(1024), false);
    let df = incompressible(3_000, 4);
    let key = store.put(&df).await.unwrap();
    let mut con = raw(&url);
    let pttl = |con: &mut redis::Connection, k: &str| -> i64 {
        redis::cmd("PTTL").arg(k).query(con).unwrap()
    };
    let manifest = format!("{ns}:frame:{key}");
    let chunks: Vec<String> = keys_of(&url, &ns)
        .into_iter()
        .filter(|k| k.contains(":chunk:"))
        .collect();
    assert!(!chunks.is_empty());
    let t = pttl(&mut con, &manifest);
    assert!(t > 0 && t <= 1_000_000, "{t}");
    for c in &chunks {
        assert!(pttl(&mut con, c) > t, "chunks outlive their manifest");
    }
    // pretend time passed, then read: the TTL is back to ~1000 s everywhere
    let _: () = redis::cmd("PEXPIRE")
        .arg(&manifest)
        .arg(5_000)
        .query(&mut con)
        .unwrap();
    for c in &chunks {
        let _: () = redis::cmd("PEXPIRE")
            .arg(c)
            .arg(5_000)
            .query(&mut con)
            .unwrap();
    }
    store.get(&key).await.unwrap();
    assert!(pttl(&mut con, &manifest) > 5_000);
    for c in &chunks {
        assert!(pttl(&mut con, c) > 5_000);
    }
    // a cached store refreshes through touch
    let cached = redis_store(config(&ns).with_ttl(Some(ttl)).with_chunk_size(1024), true);
    cached.get(&key).await.unwrap();
    let _: () = redis::cmd("PEXPIRE")
        .arg(&manifest)
        .arg(5_000)
        .query(&mut con)
        .unwrap();
    cached.get(&key).await.unwrap();
    assert!(pttl(&mut con, &manifest) > 5_000);
    // expiry (PEXPIRE 0 expires at once)
    let _: () = redis::cmd("PEXPIRE")
        .arg(&manifest)
        .arg(0)
        .query(&mut con)
        .unwrap();
    let err = store.get(&key).await.unwrap_err();
    assert!(err.is_not_found());
    assert!(err.to_string().contains("expired"), "{err}");
    assert!(cached.get(&key).await.unwrap_err().is_not_found());
    cleanup(&url, &ns);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evicted_chunk_means_not_found() {
    let url = shared_url();
    let ns = unique_ns("evicted");
    let store = redis_store(config(&ns).with_chunk_size(1024), false);
    let key = store.put(&incompressible(3_000, 5)).await.unwrap();
    let chunk = keys_of(&url, &ns)
        .into_iter()
        .find(|k| k.ends_with(":1"))
        .unwrap();
    let _: () = redis::cmd("DEL").arg(chunk).query(&mut raw(&url)).unwrap();
    assert!(store.get(&key).await.unwrap_err().is_not_found());
    // a put repairs it
    let key2 = store.put(&incompressible(3_000, 5)).await.unwrap();
    assert_eq!(key, key2);
    assert!(store.get(&key).await.is_ok());
    cleanup(&url, &ns);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn corruption_is_an_integrity_error() {
    let url = shared_url();
    let ns = unique_ns("corrupt");
    let mut con = raw(&url);
    // inline value: flip the last byte of the manifest
    let store = redis_store(config(&ns), false);
    let key = store.put(&df!("a" => [1i32, 2]).unwrap()).await.unwrap();
    let manifest = format!("{ns}:frame:{key}");
    flip_last_byte(&mut con, &manifest, 0x40);
    let err = store.get(&key).await.unwrap_err();
    assert!(matches!(err, Error::Integrity { .. }), "{err}");
    // chunked value: flip a byte in a chunk, then truncate one
    let store = redis_store(config(&ns).with_chunk_size(1024), false);
    let key = store.put(&incompressible(3_000, 6)).await.unwrap();
    let chunk = keys_of(&url, &ns)
        .into_iter()
        .find(|k| k.ends_with(":2"))
        .unwrap();
    let mut bytes: Vec<u8> = redis::cmd("GET").arg(&chunk).query(&mut con).unwrap();
    bytes[10] ^= 1;
    let _: () = redis::cmd("SET")
        .arg(&chunk)
        .arg(&bytes)
        .query(&mut con)
        .unwrap();
    assert!(matches!(
        store.get(&key).await,
        Err(Error::Integrity { .. })
    ));
    let _: () = redis::cmd("SET")
        .arg(&chunk)
        .arg(&bytes[..100])
        .query(&mut con)
        .unwrap();
    let err = store.get(&key).await.unwrap_err();
    assert!(err.to_string().contains("chunk 2 has 100 bytes"), "{err}");
    // a damaged manifest
    let _: () = redis::cmd("SET")
        .arg(format!("{ns}:frame:{key}"))
        .arg("garbage")
        .query(&mut con)
        .unwrap();
    assert!(matches!(
        store.get(&key).await,
        Err(Error::Integrity { .. })
    ));
    // storing the frame again repairs it
    assert_eq!(store.put(&incompressible(3_000, 6)).await.unwrap(), key);
    assert!(
        store
            .get(&key)
            .await
            .unwrap()
            .equals(&incompressible(3_000, 6))
    );
    cleanup(&url, &ns);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn namespaces_are_isolated_and_clients_cannot_escape() {
    let url = shared_url();
    let ns_a = unique_ns("iso-a");
    let ns_b = unique_ns("iso-b");
    let a = redis_store(config(&ns_a), false);
    let b = redis_store(config(&ns_b), false);
    let key = a.put(&df!("x" => [1u8]).unwrap()).await.unwrap();
    assert!(!b.contains(&key).await.unwrap());
    assert!(b.get(&key).await.unwrap_err().is_not_found());
    // anything that is not a bare hash is refused before Redis is asked, so
    // no client string can name a Redis key outside the namespace
    for forged in [
        "secret".to_string(),
        format!("{ns_a}:frame:{key}"),
        format!("../{key}"),
        format!("{key}*"),
        format!("{key}\r\nFLUSHALL"),
        key.to_hex().to_uppercase(),
    ] {
        let err = b.load_str(&forged).await.unwrap_err();
        assert!(
            matches!(err, Error::MalformedKey { .. }),
            "{forged:?}: {err}"
        );
        let sig = "00".repeat(16);
        assert!(
            serde_json::from_value::<FrameRef>(serde_json::json!({ "key": forged, "sig": sig }))
                .is_err()
        );
    }
    cleanup(&url, &ns_a);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bytes_and_json_cache_entries() {
    let url = shared_url();
    let ns = unique_ns("cache");
    let store = redis_store(config(&ns).with_chunk_size(1024), false);
    let key = CacheKey::derive(["callback-id", "v1", "{\"n\":1}"]);
    assert!(store.get_bytes(&key).await.unwrap_err().is_not_found());
    let big: Vec<u8> = (0..100_000u32).flat_map(|i| i.to_le_bytes()).collect();
    store.put_bytes(&key, &big).await.unwrap();
    assert_eq!(store.get_bytes(&key).await.unwrap(), big);
    let chunked_keys = keys_of(&url, &ns).len();
    assert!(chunked_keys > 2);
    // replacing a chunked value by a small one removes the old chunks
    store
        .put_json(&key, &serde_json::json!({"rows": 3}))
        .await
        .unwrap();
    assert_eq!(keys_of(&url, &ns), vec![format!("{ns}:cache:{key}")]);
    let v: serde_json::Value = store.get_json(&key).await.unwrap();
    assert_eq!(v["rows"], 3);
    // tampering is detected
    let manifest = format!("{ns}:cache:{key}");
    let mut con = raw(&url);
    let mut raw_value: Vec<u8> = redis::cmd("GET").arg(&manifest).query(&mut con).unwrap();
    let last = raw_value.len() - 2;
    raw_value[last] = b'9';
    let _: () = redis::cmd("SET")
        .arg(&manifest)
        .arg(&raw_value)
        .query(&mut con)
        .unwrap();
    assert!(matches!(
        store.get_bytes(&key).await,
        Err(Error::Integrity { .. })
    ));
    assert!(store.delete_bytes(&key).await.unwrap());
    assert!(keys_of(&url, &ns).is_empty());
    let _ = FrameKey::parse(&key.to_hex()).unwrap(); // same textual format
}

/// Rows of a stored frame, stored as row numbers: another process reads
/// them as the gathered frame; the key is checked like a frame's; once the
/// source is gone, reading the rows says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rows_of_a_frame_are_read_by_another_process() {
    let url = shared_url();
    let ns = unique_ns("rows");
    let store = redis_store(config(&ns), true);
    let other = redis_store(config(&ns), false);
    let df = df!("a" => [1i64, 2, 3, 4], "b" => ["w", "x", "y", "z"]).unwrap();
    let source = store.put(&df).await.unwrap();
    let view = store.put_rows(&source, &[3, 1, 1]).await.unwrap();
    assert_ne!(view, source);
    assert_eq!(store.put_rows(&source, &[3, 1, 1]).await.unwrap(), view);
    let want = df!("a" => [4i64, 2, 2], "b" => ["z", "x", "x"]).unwrap();
    assert!(other.get(&view).await.unwrap().equals(&want));

    // A tampered value fails its key check.
    let slot = format!("{ns}:frame:{view}");
    flip_last_byte(&mut raw(&url), &slot, 1);
    let fresh = redis_store(config(&ns), false);
    let err = fresh.get(&view).await.unwrap_err();
    assert!(matches!(err, Error::Integrity { .. }), "{err}");

    // Rows of a source that is gone: NotFound naming the source.
    let again = store.put_rows(&source, &[0]).await.unwrap();
    assert!(store.delete(&source).await.unwrap());
    let err = fresh.get(&again).await.unwrap_err();
    assert!(
        err.is_not_found() && err.to_string().contains(&source.to_hex()),
        "{err}"
    );
    assert!(
        store
            .put_rows(&source, &[0])
            .await
            .unwrap_err()
            .is_not_found()
    );
}
