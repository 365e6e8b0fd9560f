//! Put/get throughput of the store on the explorer's generated schema, memory
//! and Redis backends, against a raw Redis SET/GET of the same bytes.
//!
//! ```sh
//! cargo bench -p redis-store --bench throughput                 # 1M rows
//! BENCH_ROWS=1000000,10000000 BENCH_REPEAT=3 REDIS_URL=redis://127.0.0.1:6379/ \
//!     cargo bench -p redis-store --bench throughput
//! ```
//! `BENCH_COMPRESSION` picks the codecs (default `zstd1,lz4`; also `zstd2`…`zstd22`, `none`);
//! `BENCH_DROP=name,category` leaves columns out; `BENCH_PROFILE=decode` only
//! decodes and gets from memory, `BENCH_REPEAT` times each (for `perf record`).
//! Not run by `cargo test` (harness = false, no `#[test]`s). MB/s are MiB of
//! the frame's in-memory size (polars' estimate) per second; `wire MB` is the
//! encoded size; `x raw` is the time relative to a raw `SET`/`GET` of the
//! encoded bytes as one value (1.0 = as fast as Redis can move the bytes).

use std::time::{Duration, Instant};

use polars::io::ipc::{IpcCompression, IpcReader, IpcWriter};
use polars::io::{SerReader, SerWriter};
use polars::polars_utils::compression::ZstdLevel;
use polars::prelude::*;
use redis_store::codec::{self, Compression};
use redis_store::{MemoryBackend, RedisConfig, Store};

// The explorer's allocator (examples/src/bin/explorer.rs): with the system
// allocator every decoded buffer is fresh mmap'd pages, faulted in and
// unmapped again, which measured here adds a third to a 10M-row decode.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const MIB: f64 = (1 << 20) as f64;

/// SplitMix64: a deterministic stream of pseudo-random numbers.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

/// id i64, name string (~10k distinct), category (20 values), price f64,
/// qty i32, ts datetime(ms).
fn explorer_frame(n: usize) -> DataFrame {
    let mut rng = Rng(42);
    let first = [
        "Ada", "Bo", "Chen", "Dana", "Eve", "Farah", "Gus", "Hana", "Ivo", "Jun",
    ];
    let names: Vec<String> = (0..10_000)
        .map(|i| format!("{} {:04}", first[i % 10], i))
        .collect();
    let categories: Vec<String> = (0..20).map(|i| format!("category-{i:02}")).collect();
    let mut name = Vec::with_capacity(n);
    let mut category = Vec::with_capacity(n);
    let mut price = Vec::with_capacity(n);
    let mut qty = Vec::with_capacity(n);
    let mut ts = Vec::with_capacity(n);
    let start_ms = 1_704_067_200_000i64; // 2024-01-01
    for i in 0..n {
        let r = rng.next();
        name.push(names[(r % 10_000) as usize].as_str());
        category.push(categories[((r >> 20) % 20) as usize].as_str());
        price.push(((r >> 32) % 100_000) as f64 / 100.0);
        qty.push(((r >> 48) % 100) as i32 + 1);
        ts.push(start_ms + i as i64 * 1_000 + ((r >> 8) % 1_000) as i64);
    }
    let ts = Series::new("ts".into(), ts)
        .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
        .expect("datetime");
    DataFrame::new(
        n,
        vec![
            Series::new("id".into(), (0..n as i64).collect::<Vec<_>>()).into_column(),
            Series::new("name".into(), name).into_column(),
            Series::new("category".into(), category).into_column(),
            Series::new("price".into(), price).into_column(),
            Series::new("qty".into(), qty).into_column(),
            ts.into_column(),
        ],
    )
    .expect("frame")
}

fn env_list(name: &str, default: &str) -> Vec<usize> {
    std::env::var(name)
        .unwrap_or_else(|_| default.into())
        .split(',')
        .filter_map(|s| s.trim().replace('_', "").parse().ok())
        .collect()
}

/// Best time of `repeat` runs of `f`.
async fn best<F, Fut, T>(repeat: usize, mut f: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: Future<Output = T>,
{
    let mut best = Duration::MAX;
    for _ in 0..repeat.max(1) {
        let t = Instant::now();
        let out = std::hint::black_box(f().await);
        best = best.min(t.elapsed());
        drop(out); // freeing the result is not part of the time
    }
    best
}

fn row(label: &str, frame_bytes: usize, time: Duration, raw: Option<Duration>) {
    let mbs = frame_bytes as f64 / MIB / time.as_secs_f64();
    let ratio = raw.map_or(String::from("-"), |r| {
        format!("{:.2}", time.as_secs_f64() / r.as_secs_f64())
    });
    println!(
        "  {label:<34} {:>9.1} ms {:>9.1} MB/s   x raw {ratio}",
        time.as_secs_f64() * 1e3,
        mbs
    );
}

async fn redis_up(url: &str) -> bool {
    let Ok(client) = redis::Client::open(url) else {
        return false;
    };
    let connect = client.get_multiplexed_async_connection();
    matches!(
        tokio::time::timeout(Duration::from_secs(2), connect).await,
        Ok(Ok(_))
    )
}

async fn bench(n: usize, repeat: usize, url: &str, redis_ok: bool) {
    let t = Instant::now();
    let mut df = explorer_frame(n);
    if let Ok(drop) = std::env::var("BENCH_DROP") {
        df = df.drop_many(drop.split(','));
    }
    let frame_bytes = df.estimated_size();
    println!(
        "\n{n} rows, {:.1} MB in memory (generated in {:.1} s)",
        frame_bytes as f64 / MIB,
        t.elapsed().as_secs_f64()
    );
    let compressions: Vec<Compression> = std::env::var("BENCH_COMPRESSION")
        .unwrap_or_else(|_| "zstd1,lz4".into())
        .split(',')
        .filter_map(|c| match c.trim() {
            "lz4" => Some(Compression::Lz4),
            "none" => Some(Compression::None),
            z => z
                .strip_prefix("zstd")
                .and_then(|l| l.parse().ok())
                .map(Compression::Zstd),
        })
        .collect();
    for compression in compressions {
        let enc = codec::encode(&df, compression).expect("encode");
        let wire = enc.bytes.len();
        println!(
            "  -- {compression:?}: wire {:.1} MB ({:.1}% of memory)",
            wire as f64 / MIB,
            100.0 * wire as f64 / frame_bytes as f64
        );
        if std::env::var("BENCH_PROFILE").as_deref() == Ok("decode") {
            // only decodes, for a profiler (`perf record`)
            let t_dec = best(repeat, || async {
                codec::decode(enc.bytes.clone(), &enc.key).expect("decode")
            })
            .await;
            row("verify-free decode", frame_bytes, t_dec, None);
            let store = Store::builder()
                .backend(MemoryBackend::new(16 << 30))
                .decoded_cache_bytes(0)
                .compression(compression)
                .build();
            let key = store.put(&df).await.expect("put");
            for _ in 0..repeat {
                let t = Instant::now();
                let got = store.get(&key).await.expect("get");
                row("memory get (decode)", frame_bytes, t.elapsed(), None);
                drop(got);
            }
            continue;
        }
        let t_enc = best(repeat, || async {
            codec::encode(&df, compression).expect("encode")
        })
        .await;
        row("encode + hash", frame_bytes, t_enc, None);
        let t_dec = best(repeat, || async {
            codec::decode(enc.bytes.clone(), &enc.key).expect("decode")
        })
        .await;
        row("verify-free decode", frame_bytes, t_dec, None);
        // The same work as polars' own reader and writer do it (one thread
        // for the batches): the figures the parallel codec is measured by.
        let ipc_compression = match compression {
            Compression::Zstd(level) => Some(IpcCompression::ZSTD(
                ZstdLevel::try_new(level).expect("zstd level"),
            )),
            Compression::Lz4 => Some(IpcCompression::LZ4),
            _ => None,
        };
        let t_polars_enc = best(repeat, || async {
            let mut canonical = codec::canonicalize(&df).expect("canonical");
            let mut out = Vec::new();
            IpcWriter::new(&mut out)
                .with_compression(ipc_compression)
                .with_compat_level(CompatLevel::oldest())
                .finish(&mut canonical)
                .expect("write");
            codec::key_of(&out)
        })
        .await;
        row("  polars IpcWriter + hash", frame_bytes, t_polars_enc, None);
        let t_polars_dec = best(repeat, || async {
            IpcReader::new(std::io::Cursor::new(enc.bytes.clone()))
                .set_rechunk(false)
                .finish()
                .expect("read")
        })
        .await;
        row("  polars IpcReader", frame_bytes, t_polars_dec, None);

        // memory backend: a fresh store per put, decoded cache off for cold gets
        let fresh = || {
            Store::builder()
                .backend(MemoryBackend::new(16 << 30))
                .decoded_cache_bytes(0)
                .compression(compression)
                .build()
        };
        let mut store = fresh();
        let mut t_put = Duration::MAX;
        for _ in 0..repeat.max(1) {
            store = fresh();
            let t = Instant::now();
            store.put(&df).await.expect("put");
            t_put = t_put.min(t.elapsed());
        }
        row("memory put", frame_bytes, t_put, None);
        let key = store.put(&df).await.expect("put");
        let t_get = best(repeat, || async { store.get(&key).await.expect("get") }).await;
        row("memory get (decode)", frame_bytes, t_get, None);
        let cached = Store::builder()
            .compression(compression)
            .decoded_cache_bytes(16 << 30)
            .build();
        let key = cached.put(&df).await.expect("put");
        let t_hit = best(repeat, || async { cached.get(&key).await.expect("get") }).await;
        row("memory get (decoded-cache hit)", frame_bytes, t_hit, None);

        if !redis_ok {
            println!("  (Redis at {url} not reachable: Redis rows skipped)");
            continue;
        }
        let ns = format!("bench:{}", std::process::id());
        let config = RedisConfig::new(url)
            .with_namespace(ns.as_str())
            .with_command_timeout(Duration::from_secs(120));
        let store = Store::builder()
            .redis(config)
            .expect("config")
            .decoded_cache_bytes(0)
            .compression(compression)
            .build();
        let client = redis::Client::open(url).expect("url");
        // one big value needs a long response timeout (the store's chunks don't)
        let raw_config = redis::AsyncConnectionConfig::new()
            .set_response_timeout(Some(Duration::from_secs(120)));
        let mut con = client
            .get_multiplexed_async_connection_with_config(&raw_config)
            .await
            .expect("connect");
        let raw_key = format!("{ns}:raw");
        let t_raw_set = best(repeat, || async {
            redis::cmd("SET")
                .arg(&raw_key)
                .arg(&enc.bytes[..])
                .query_async::<()>(&mut con.clone())
                .await
                .expect("SET")
        })
        .await;
        let t_raw_get = best(repeat, || async {
            redis::cmd("GET")
                .arg(&raw_key)
                .query_async::<bytes::Bytes>(&mut con.clone())
                .await
                .expect("GET")
        })
        .await;
        let _: () = redis::cmd("DEL")
            .arg(&raw_key)
            .query_async(&mut con)
            .await
            .expect("DEL");
        row(
            "raw Redis SET of the wire bytes",
            frame_bytes,
            t_raw_set,
            Some(t_raw_set),
        );
        row(
            "raw Redis GET of the wire bytes",
            frame_bytes,
            t_raw_get,
            Some(t_raw_get),
        );
        let key = enc.key;
        let mut t_put = Duration::MAX;
        for _ in 0..repeat.max(1) {
            store.delete(&key).await.expect("delete");
            let t = Instant::now();
            store.put(&df).await.expect("put");
            t_put = t_put.min(t.elapsed());
        }
        row(
            "redis put (encode+hash+SET chunks)",
            frame_bytes,
            t_put,
            Some(t_raw_set),
        );
        let t_get = best(repeat, || async { store.get(&key).await.expect("get") }).await;
        row(
            "redis get (GET+verify+decode)",
            frame_bytes,
            t_get,
            Some(t_raw_get),
        );
        let cached = Store::builder()
            .redis(RedisConfig::new(url).with_namespace(ns.as_str()))
            .expect("config")
            .compression(compression)
            .build();
        cached.get(&key).await.expect("get");
        let t_hit = best(repeat, || async { cached.get(&key).await.expect("get") }).await;
        row(
            "redis get (decoded-cache hit)",
            frame_bytes,
            t_hit,
            Some(t_raw_get),
        );
        store.delete(&key).await.expect("delete");
    }
}

fn main() {
    // `cargo bench` passes `--bench`; nothing to parse.
    let rows = env_list("BENCH_ROWS", "1000000");
    let repeat = env_list("BENCH_REPEAT", "3").first().copied().unwrap_or(3);
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".into());
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let redis_ok = redis_up(&url).await;
        println!(
            "redis-store throughput: rows {rows:?}, best of {repeat}, Redis {url} ({})",
            if redis_ok { "up" } else { "down" }
        );
        for n in rows {
            bench(n, repeat, &url, redis_ok).await;
        }
    });
}
