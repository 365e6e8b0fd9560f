//! Two separate processes share frames through Redis: this test binary runs
//! itself again as a child, which loads the parent's frame by key and stores
//! a derived one for the parent to load.

mod common;

use std::process::Command;

use common::*;
use polars::prelude::*;
use redis_store::{Error, FrameKey, FrameRef, RedisConfig, SECRET_ENV, Signer, Store};

const ROLE: &str = "REDIS_STORE_CHILD_ROLE";

/// The secret both processes are given, as every process of one app is.
const SECRET: &str = "two-process test secret";

fn store(url: &str, ns: &str) -> Store {
    redis_store(
        RedisConfig::new(url)
            .with_namespace(ns)
            .with_chunk_size(64 * 1024),
        true,
    )
}

fn derive(df: &DataFrame) -> DataFrame {
    let mask = df
        .column("id")
        .unwrap()
        .as_materialized_series()
        .i64()
        .unwrap()
        .lt(100);
    df.filter(&mask).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn child_process() {
    // Does nothing unless started by `two_processes_share_frames`.
    let Ok(role) = std::env::var(ROLE) else {
        return;
    };
    assert_eq!(role, "child");
    let url = std::env::var("CHILD_REDIS_URL").unwrap();
    let ns = std::env::var("CHILD_NS").unwrap();
    // the key arrives the way it would from a browser: a dcc.Store's JSON
    let data: FrameRef = serde_json::from_str(&std::env::var("CHILD_STORE_DATA").unwrap()).unwrap();
    // This store takes its secret from the environment, as an app's does.
    assert_eq!(std::env::var(SECRET_ENV).unwrap(), SECRET);
    let store = store(&url, &ns);
    let key = store.verify(&data).unwrap();
    // A process with another secret refuses the reference.
    let e = Signer::new(b"another app").verify(&data).unwrap_err();
    assert!(matches!(e, Error::Forged { .. }), "{e}");
    let df = store.load(&key).await.unwrap();
    let derived = store.put(&derive(&df)).await.unwrap();
    // (the test harness may print "test child_process ... " before these)
    println!("\nCHILD_ROWS={}", df.height());
    println!("\nDERIVED_KEY={derived}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_share_frames() {
    if std::env::var(ROLE).is_ok() {
        return;
    }
    let url = shared_url();
    let ns = unique_ns("two-process");
    let df = incompressible(50_000, 7); // several 64 KiB chunks
    let parent = Store::builder()
        .redis(
            RedisConfig::new(&url)
                .with_namespace(&ns)
                .with_chunk_size(64 * 1024),
        )
        .unwrap()
        .signer(Signer::new(SECRET.as_bytes()))
        .build();
    let data = serde_json::to_string(&parent.put_ref(&df).await.unwrap()).unwrap();

    let output = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_process",
            "--nocapture",
            "--test-threads",
            "1",
        ])
        .env(ROLE, "child")
        .env("CHILD_REDIS_URL", &url)
        .env("CHILD_NS", &ns)
        .env("CHILD_STORE_DATA", &data)
        .env(SECRET_ENV, SECRET)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "child failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let field = |name: &str| {
        stdout
            .lines()
            .find_map(|l| l.split_once(name).map(|(_, value)| value.trim()))
            .unwrap_or_else(|| panic!("child printed no {name}:\n{stdout}"))
            .to_owned()
    };
    assert_eq!(field("CHILD_ROWS="), "50000");
    let derived_key = FrameKey::parse(&field("DERIVED_KEY=")).unwrap();
    let derived = parent.load(&derived_key).await.unwrap();
    assert!(derived.equals(&derive(&df)));
    assert_eq!(derived.height(), 100);
    cleanup(&url, &ns);
}
