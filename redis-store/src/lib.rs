//! A content-addressed store for polars frames, shared by Dash callbacks,
//! processes and machines.
//!
//! Dash apps pass data between callbacks through the browser; for a big
//! frame that is slow and, across processes, impossible without a shared
//! store (the "hidden div" problem). This crate keeps the frame on the
//! server and lets only its key travel:
//!
//! * [`Store::put`] encodes a frame as compressed Arrow IPC (zstd by
//!   default, LZ4 selectable, see [`Compression`]) and stores it under its
//!   [`FrameKey`]: the blake3 hash of the encoding, 64 hex characters. Equal
//!   frames give equal keys and are stored once (see [`codec`] for what
//!   "equal" covers).
//! * The key goes to the browser signed, e.g. in a `dcc.Store` as a
//!   [`FrameRef`] (`{"key": "<hex>", "sig": "<hex>"}`, see [`Signer`]):
//!   knowing a frame's content hash is not enough to read it through an
//!   app, only a reference the app handed out is.
//! * A later callback, in any process of the app, checks the reference it
//!   got back with [`Store::verify`] and calls [`Store::load`] with the
//!   key. Keys from clients are validated ([`FrameKey::parse`], or
//!   serde); Redis key names are always built on the server as
//!   `<namespace>:frame:<hash>`, so a client cannot make the server read a
//!   Redis key outside the store. Bytes read from Redis are re-hashed and a
//!   mismatch is an [`Error::Integrity`].
//!
//! Backends implement one trait, [`Backend`]: [`MemoryBackend`] (the
//! default: this process, bounded by bytes, LRU) and [`RedisBackend`]
//! (shared; TTL refreshed on read; values split into chunks written before
//! the manifest that publishes them; reconnects by itself). A per-process
//! cache of decoded frames sits in front, so repeated loads cost no decode.
//!
//! Beside frames, [`Store::put_bytes`]/[`Store::put_json`] cache arbitrary
//! results under a caller-chosen [`CacheKey`] (e.g. [`CacheKey::derive`]
//! over a callback id, version and arguments).
//!
//! ```no_run
//! use polars::prelude::*;
//! use redis_store::{FrameRef, Store};
//!
//! # async fn demo() -> Result<(), Box<dyn std::error::Error>> {
//! let store = Store::redis("redis://127.0.0.1:6379/")?; // or Store::memory()
//! let df = df!("city" => ["Oslo", "Lima"], "pop" => [0.7, 10.0])?;
//! let stored: FrameRef = store.put_ref(&df).await?; // → dcc.Store data
//! let json = serde_json::to_value(stored)?; // {"key": "3f…", "sig": "9c…"}
//! // …later, in a callback of any process, with the Store's data:
//! let back: FrameRef = serde_json::from_value(json)?; // checks the shape
//! let key = store.verify(&back)?; // refuses a reference it did not sign
//! match store.load(&key).await {
//!     Ok(frame) => assert!(frame.equals(&df)),
//!     Err(e) if e.is_not_found() => println!("this data expired — reload"),
//!     Err(e) => return Err(e.into()),
//! }
//! # Ok(()) }
//! ```

mod backend;
pub mod codec;
mod error;
mod ipc;
mod key;
mod lru;
mod memory;
mod redis_backend;
mod rows;
mod sign;
mod store;

pub use backend::{Backend, BackendStats, BoxFuture};
pub use codec::Compression;
pub use error::{Error, Result};
pub use key::{CacheKey, FrameKey, KEY_HEX_LEN, Kind, Slot};
pub use memory::{DEFAULT_MEMORY_CAPACITY, MemoryBackend};
pub use redis_backend::{DEFAULT_CHUNK_SIZE, RedisBackend, RedisConfig};
pub use sign::{FrameRef, SECRET_ENV, Signer};
pub use store::{
    CacheStats, DEFAULT_DECODED_CACHE_BYTES, DEFAULT_MAX_FRAME_BYTES, Prepared, Stats, Store,
    StoreBuilder,
};
