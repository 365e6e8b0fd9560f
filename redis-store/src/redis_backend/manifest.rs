//! How a value is laid out in Redis.
//!
//! Every value has a *manifest* at `<namespace>:<kind>:<hash>` (`kind` is
//! `frame` or `cache`). A small value (≤ [`INLINE_MAX`] bytes) lives inside
//! its manifest. A larger one is split into chunks at
//! `<namespace>:chunk:<kind>:<hash>:<upload>:<i>`, written first; the
//! manifest, which names the upload and the chunk count, is written last with
//! one `SET`, so a reader either finds no manifest or a complete value. The
//! per-upload id keeps two writers of the same cache key from mixing chunks.
//!
//! The hash in every key is printed from a validated 32-byte [`Slot`], so a
//! client-supplied string can never address a Redis key outside the
//! namespace.

use crate::error::{Error, Result};
use crate::key::Slot;

/// Values up to this size are stored inline in their manifest.
pub(crate) const INLINE_MAX: usize = 64 * 1024;

const MAGIC: &[u8; 4] = b"RSM1";
const INLINE: u8 = 0;
const CHUNKED: u8 = 1;
/// Bytes of a chunked manifest: magic, layout, total, chunk size, parts, upload.
const CHUNKED_LEN: usize = 4 + 1 + 8 + 8 + 4 + 8;

/// A parsed manifest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Manifest<B> {
    /// The value itself.
    Inline(B),
    /// Where the chunks are.
    Chunked(ChunkLayout),
}

/// The layout of a chunked value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ChunkLayout {
    /// Total length of the value.
    pub total_len: u64,
    /// Length of every chunk but the last.
    pub chunk_size: u64,
    /// Number of chunks.
    pub parts: u32,
    /// Id of the upload that wrote the chunks.
    pub upload: [u8; 8],
}

impl ChunkLayout {
    /// Plan the chunks of a value of `total_len` bytes.
    pub fn plan(total_len: usize, chunk_size: usize, upload: [u8; 8]) -> Result<Self> {
        let parts = total_len.div_ceil(chunk_size.max(1));
        let parts = u32::try_from(parts).map_err(|_| {
            Error::Config(format!(
                "a value of {total_len} bytes needs too many chunks"
            ))
        })?;
        Ok(ChunkLayout {
            total_len: total_len as u64,
            chunk_size: chunk_size as u64,
            parts,
            upload,
        })
    }

    /// Expected length of chunk `i`.
    pub fn chunk_len(&self, i: u32) -> u64 {
        let start = u64::from(i) * self.chunk_size;
        self.total_len.saturating_sub(start).min(self.chunk_size)
    }

    /// The manifest bytes.
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(CHUNKED_LEN);
        out.extend_from_slice(MAGIC);
        out.push(CHUNKED);
        out.extend_from_slice(&self.total_len.to_le_bytes());
        out.extend_from_slice(&self.chunk_size.to_le_bytes());
        out.extend_from_slice(&self.parts.to_le_bytes());
        out.extend_from_slice(&self.upload);
        out
    }
}

/// The manifest bytes of an inline value.
pub(crate) fn encode_inline(value: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(5 + value.len());
    out.extend_from_slice(MAGIC);
    out.push(INLINE);
    out.extend_from_slice(value);
    out
}

/// Parse manifest bytes; a damaged manifest is an integrity error.
pub(crate) fn parse(slot: &Slot, raw: bytes::Bytes) -> Result<Manifest<bytes::Bytes>> {
    let bad = |detail: &str| Error::Integrity {
        key: slot.hex(),
        detail: format!("the Redis manifest is damaged ({detail})"),
    };
    if raw.len() < 5 || &raw[..4] != MAGIC {
        return Err(bad("unknown format"));
    }
    match raw[4] {
        INLINE => Ok(Manifest::Inline(raw.slice(5..))),
        CHUNKED if raw.len() == CHUNKED_LEN => {
            let u64_at = |at: usize| {
                let mut b = [0u8; 8];
                b.copy_from_slice(&raw[at..at + 8]);
                u64::from_le_bytes(b)
            };
            let mut parts = [0u8; 4];
            parts.copy_from_slice(&raw[21..25]);
            let mut upload = [0u8; 8];
            upload.copy_from_slice(&raw[25..33]);
            let layout = ChunkLayout {
                total_len: u64_at(5),
                chunk_size: u64_at(13),
                parts: u32::from_le_bytes(parts),
                upload,
            };
            let expected = layout.total_len.div_ceil(layout.chunk_size.max(1));
            if layout.chunk_size == 0 || expected != u64::from(layout.parts) {
                return Err(bad("chunk count does not match the length"));
            }
            Ok(Manifest::Chunked(layout))
        }
        _ => Err(bad("unknown layout")),
    }
}

/// Key names of one namespace.
#[derive(Debug, Clone)]
pub(crate) struct Names {
    namespace: String,
}

impl Names {
    /// Names under a validated namespace.
    pub fn new(namespace: &str) -> Result<Self> {
        validate_namespace(namespace)?;
        Ok(Names {
            namespace: namespace.to_owned(),
        })
    }

    /// `<namespace>:<kind>:<hash>`.
    pub fn manifest(&self, slot: &Slot) -> String {
        format!("{}:{}:{}", self.namespace, slot.kind().as_str(), slot)
    }

    /// `<namespace>:chunk:<kind>:<hash>:<upload>:<i>`.
    pub fn chunk(&self, slot: &Slot, upload: &[u8; 8], i: u32) -> String {
        let upload: String = upload.iter().map(|b| format!("{b:02x}")).collect();
        format!(
            "{}:chunk:{}:{}:{}:{}",
            self.namespace,
            slot.kind().as_str(),
            slot,
            upload,
            i
        )
    }

    /// SCAN pattern matching every key of the namespace.
    pub fn all_pattern(&self) -> String {
        format!("{}:*", self.namespace)
    }

    /// True if `key` (from SCAN of [`all_pattern`](Self::all_pattern)) is a chunk.
    pub fn is_chunk(&self, key: &str) -> bool {
        key.get(self.namespace.len()..)
            .is_some_and(|rest| rest.starts_with(":chunk:"))
    }
}

/// A namespace is 1–100 characters from `A-Z a-z 0-9 _ . - :`, not starting
/// or ending with `:`. No glob characters, so it can be used in SCAN patterns.
pub(crate) fn validate_namespace(namespace: &str) -> Result<()> {
    let ok_chars = namespace
        .bytes()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-' | b':'));
    if namespace.is_empty()
        || namespace.len() > 100
        || !ok_chars
        || namespace.starts_with(':')
        || namespace.ends_with(':')
    {
        return Err(Error::Config(format!(
            "namespace {namespace:?} must be 1-100 characters from A-Z a-z 0-9 _ . - : and not start or end with ':'"
        )));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use bytes::Bytes;
    use proptest::prelude::*;

    use super::*;
    use crate::key::{CacheKey, FrameKey};

    fn slot() -> Slot {
        FrameKey::from_bytes([7; 32]).slot()
    }

    #[test]
    fn names_stay_inside_the_namespace() {
        let names = Names::new("app:prod").unwrap();
        let s = slot();
        assert_eq!(
            names.manifest(&s),
            format!("app:prod:frame:{}", "07".repeat(32))
        );
        let c = CacheKey::from_bytes([7; 32]).slot();
        assert_eq!(
            names.manifest(&c),
            format!("app:prod:cache:{}", "07".repeat(32))
        );
        let chunk = names.chunk(&s, &[0xab; 8], 3);
        assert_eq!(
            chunk,
            format!(
                "app:prod:chunk:frame:{}:abababababababab:3",
                "07".repeat(32)
            )
        );
        assert!(names.is_chunk(&chunk));
        assert!(!names.is_chunk(&names.manifest(&s)));
        for bad in [
            "",
            ":a",
            "a:",
            "a*",
            "a b",
            "a?",
            "a[x]",
            "a\\b",
            &"x".repeat(101),
        ] {
            assert!(Names::new(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn damaged_manifests_are_integrity_errors() {
        for raw in [&b""[..], b"RSM", b"XXXX\x00", b"RSM1\x07", b"RSM1\x01short"] {
            let err = parse(&slot(), Bytes::copy_from_slice(raw)).unwrap_err();
            assert!(matches!(err, Error::Integrity { .. }), "{raw:?}: {err}");
        }
        let mut layout = ChunkLayout::plan(100, 10, [1; 8]).unwrap();
        layout.parts = 9;
        let err = parse(&slot(), Bytes::from(layout.encode())).unwrap_err();
        assert!(err.to_string().contains("chunk count"));
    }

    proptest! {
        #[test]
        fn manifests_round_trip(total in 1usize..10_000_000, chunk in 1usize..5_000_000, upload in any::<[u8; 8]>()) {
            let layout = ChunkLayout::plan(total, chunk, upload).unwrap();
            let lens: u64 = (0..layout.parts).map(|i| layout.chunk_len(i)).sum();
            prop_assert_eq!(lens, total as u64);
            prop_assert!((0..layout.parts).all(|i| layout.chunk_len(i) > 0));
            let parsed = parse(&slot(), Bytes::from(layout.encode())).unwrap();
            prop_assert_eq!(parsed, Manifest::Chunked(layout));
        }

        #[test]
        fn inline_round_trips(value in proptest::collection::vec(any::<u8>(), 0..300)) {
            let parsed = parse(&slot(), Bytes::from(encode_inline(&value))).unwrap();
            prop_assert_eq!(parsed, Manifest::Inline(Bytes::from(value)));
        }
    }
}
