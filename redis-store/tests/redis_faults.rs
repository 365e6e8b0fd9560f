//! Redis down at start, restarted mid-test, and not answering: each test
//! runs its own redis-server (never the shared one).

mod common;

use std::net::TcpListener;
use std::time::Duration;

use common::*;
use polars::prelude::*;
use redis_store::{Error, RedisConfig};

fn fast(url: &str, ns: &str) -> RedisConfig {
    RedisConfig::new(url)
        .with_namespace(ns)
        .with_connect_timeout(Duration::from_millis(500))
        .with_command_timeout(Duration::from_secs(2))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn down_at_start_then_comes_up() {
    let port = free_port();
    let url = format!("redis://127.0.0.1:{port}/");
    let store = redis_store(fast(&url, "faults"), true);
    let df = df!("a" => [1i64, 2]).unwrap();
    for _ in 0..2 {
        let err = store.put(&df).await.unwrap_err();
        assert!(err.is_unavailable(), "{err}");
        assert!(
            err.to_string().contains(&format!("127.0.0.1:{port}")),
            "{err}"
        );
    }
    assert!(store.stats().await.unwrap_err().is_unavailable());
    assert!(store.ping().await.unwrap_err().is_unavailable());
    let _server = RedisServer::start(port, &temp_dir("down-at-start"));
    store.ping().await.expect("answers once Redis is up");
    let key = store.put(&df).await.expect("reconnects once Redis is up");
    assert!(store.get(&key).await.unwrap().equals(&df));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn restarted_in_the_middle() {
    let port = free_port();
    let dir = temp_dir("restart");
    let mut server = RedisServer::start(port, &dir);
    let url = server.url();
    let plain = redis_store(fast(&url, "restart"), false);
    let cached = redis_store(fast(&url, "restart"), true);
    let a = df!("a" => [1i64, 2, 3]).unwrap();
    let b = df!("b" => ["x", "y"]).unwrap();
    let key_a = plain.put(&a).await.unwrap();
    assert!(cached.get(&key_a).await.unwrap().equals(&a));

    drop(server); // Redis dies (SIGKILL): nothing is persisted
    let err = plain.get(&key_a).await.unwrap_err();
    assert!(err.is_unavailable(), "{err}");
    assert!(plain.put(&b).await.unwrap_err().is_unavailable());
    assert!(plain.contains(&key_a).await.unwrap_err().is_unavailable());
    // the process keeps serving what it has decoded
    assert!(cached.get(&key_a).await.unwrap().equals(&a));

    server = RedisServer::start(port, &dir);
    // same connection managers, new server: they reconnect by themselves
    let err = plain.get(&key_a).await.unwrap_err();
    assert!(err.is_not_found(), "the restarted Redis is empty: {err}");
    let key_b = plain.put(&b).await.unwrap();
    assert!(cached.get(&key_b).await.unwrap().equals(&b));
    assert!(cached.get(&key_a).await.unwrap_err().is_not_found());
    drop(server);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_server_times_out() {
    // accepts connections and never answers
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let hold = std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().take(8) {
            match stream {
                Ok(s) => held.push(s),
                Err(_) => break,
            }
        }
        held
    });
    let config = RedisConfig::new(format!("redis://127.0.0.1:{port}/"))
        .with_namespace("silent")
        .with_connect_timeout(Duration::from_millis(300))
        .with_command_timeout(Duration::from_millis(300));
    let store = redis_store(config, false);
    let err = store.put(&df!("a" => [1]).unwrap()).await.unwrap_err();
    assert!(
        matches!(err, Error::Timeout { .. } | Error::Unavailable { .. }),
        "{err}"
    );
    drop(store);
    drop(hold); // the thread ends when the process does
}
