//! Frames stored as rows of another stored frame (see
//! [`Store::put_rows`](crate::Store::put_rows)).
//!
//! The stored value is `RSROWS1\0`, the source frame's 32-byte key and the
//! row numbers as little-endian polars row indices (`u32`; `u64` with
//! polars' `bigidx`, which then reads only values of its own kind): 4
//! bytes a row instead of the rows' data, written without gathering or
//! encoding a frame. Its key is the blake3 hash of that value, like any
//! frame's, so it is checked on read the same way and never changes.

use polars::prelude::IdxSize;

use crate::codec::Encoded;
use crate::error::{Error, Result};
use crate::key::FrameKey;

const MAGIC: &[u8; 8] = b"RSROWS1\0";
const HEADER: usize = MAGIC.len() + 32;
const ROW: usize = size_of::<IdxSize>();

/// The value and key of "rows `rows` of the frame under `source`".
pub(crate) fn encode(source: &FrameKey, rows: &[IdxSize]) -> Encoded {
    let mut bytes = Vec::with_capacity(HEADER + ROW * rows.len());
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(source.as_bytes());
    for r in rows {
        bytes.extend_from_slice(&r.to_le_bytes());
    }
    let key = crate::codec::key_of(&bytes);
    Encoded {
        key,
        bytes: bytes.into(),
    }
}

/// Whether a stored value is a rows value (not an encoded frame).
pub(crate) fn is_rows(bytes: &[u8]) -> bool {
    bytes.starts_with(MAGIC)
}

/// The source key and the rows of a rows value stored under `key`.
pub(crate) fn decode(bytes: &[u8], key: &FrameKey) -> Result<(FrameKey, Vec<IdxSize>)> {
    let corrupt = |detail: &str| Error::Integrity {
        key: key.to_hex(),
        detail: detail.to_owned(),
    };
    if !is_rows(bytes) || bytes.len() < HEADER || !(bytes.len() - HEADER).is_multiple_of(ROW) {
        return Err(corrupt("the stored rows value is truncated"));
    }
    let mut source = [0u8; 32];
    source.copy_from_slice(&bytes[MAGIC.len()..HEADER]);
    let rows = bytes[HEADER..]
        .chunks_exact(ROW)
        .map(|c| {
            let mut le = [0u8; ROW];
            le.copy_from_slice(c);
            IdxSize::from_le_bytes(le)
        })
        .collect();
    Ok((FrameKey::from_bytes(source), rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_key() {
        let source = FrameKey::from_bytes([7; 32]);
        let rows: Vec<IdxSize> = vec![3, 0, 2, IdxSize::MAX, 2];
        let e = encode(&source, &rows);
        assert_eq!(e.key, crate::codec::key_of(&e.bytes));
        assert!(is_rows(&e.bytes));
        assert_eq!(decode(&e.bytes, &e.key).unwrap(), (source, rows.clone()));
        // Another order is another value.
        assert_ne!(encode(&source, &[0, 3, 2, IdxSize::MAX, 2]).key, e.key);
        // Truncated values are refused, not misread.
        let cut = &e.bytes[..e.bytes.len() - 1];
        assert!(matches!(decode(cut, &e.key), Err(Error::Integrity { .. })));
        assert!(decode(&e.bytes[..10], &e.key).is_err());
    }
}
