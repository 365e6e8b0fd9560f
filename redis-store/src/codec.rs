//! Frame encoding: canonical, compressed Arrow IPC, and its blake3 key.
//!
//! The encoding is made canonical so that equal frames give equal bytes, and
//! so equal keys, however the frames were built:
//!
//! * columns are rechunked and written as record batches of a fixed number of
//!   rows ([`BATCH_ROWS`]; one batch when the frame has Categorical columns,
//!   whose dictionary may differ between batches while an IPC file allows
//!   only one; Enum dictionaries are the same in every batch), so the
//!   input's chunk layout does not matter;
//! * strings use Arrow's classic layout (offsets + one values buffer)
//!   rather than polars' string views, whose buffers depend on how a column
//!   was built: `Utf8` with 32-bit offsets when the column's values take
//!   under 2 GiB in every batch, `LargeUtf8` otherwise (the same for binary
//!   columns); this also makes the bytes readable by any Arrow
//!   implementation (pyarrow, arrow-rs);
//! * the hidden values under nulls (which polars arithmetic leaves as
//!   whatever it computed) are set to zero / empty;
//! * categoricals are written with a dictionary of only the categories used,
//!   in order of first appearance (polars does this), not the process-wide
//!   category table.
//!
//! Two frames can still give different keys while comparing equal in one
//! respect: float bit patterns (`0.0` vs `-0.0`, NaN payloads), column order
//! and names, data types and the compression all count.

use bytes::Bytes;
use polars::io::ipc::IpcCompression;
use polars::prelude::*;

use crate::error::{Error, Result};
use crate::key::FrameKey;

/// Rows per Arrow record batch in the encoding: 524,288.
///
/// Batches are what a write compresses and a read decompresses in
/// parallel; at this size a batch's buffers are a few MiB, which the
/// allocator reuses from one read to the next (at 2^20 rows a 10M-row
/// frame read ~10 % slower, measured with `benches/throughput.rs`).
pub const BATCH_ROWS: usize = 1 << 19;

/// Compression of the Arrow IPC buffers.
///
/// Part of the encoding: the same frame stored with different compressions
/// gets different keys. Any build reads all three.
/// The default is zstd at level 1: on the explorer frame it is as small as
/// level 3 (within 1 %) and about a third faster to write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Compression {
    /// zstd at a level in 1..=22 (3 is zstd's default). Smallest values.
    Zstd(i32),
    /// LZ4 (frame format). Fastest to write and read, larger values.
    Lz4,
    /// No compression.
    None,
}

impl Default for Compression {
    fn default() -> Self {
        Compression::Zstd(1)
    }
}

impl Compression {
    fn to_ipc(self) -> Result<Option<IpcCompression>> {
        Ok(match self {
            Compression::Zstd(level) => Some(IpcCompression::ZSTD(
                polars::polars_utils::compression::ZstdLevel::try_new(level).map_err(|e| {
                    Error::Config(format!("zstd level {level} is out of range 1..=22: {e}"))
                })?,
            )),
            Compression::Lz4 => Some(IpcCompression::LZ4),
            Compression::None => None,
        })
    }
}

/// An encoded frame and its key.
#[derive(Debug, Clone)]
pub struct Encoded {
    /// The content key: blake3 of `bytes`.
    pub key: FrameKey,
    /// Arrow IPC file bytes.
    pub bytes: Bytes,
}

/// The key of some encoded bytes: their blake3 hash (on every core for
/// values of a MiB or more; the hash is the same).
pub fn key_of(bytes: &[u8]) -> FrameKey {
    let hash = if bytes.len() >= 1 << 20 {
        *blake3::Hasher::new()
            .update_rayon(bytes)
            .finalize()
            .as_bytes()
    } else {
        *blake3::hash(bytes).as_bytes()
    };
    FrameKey::from_bytes(hash)
}

/// Encode a frame canonically as compressed Arrow IPC and compute its key.
///
/// Record batches are compressed on all cores (the bytes are what polars'
/// `IpcWriter` writes).
pub fn encode(df: &DataFrame, compression: Compression) -> Result<Encoded> {
    let ipc_compression = compression.to_ipc()?;
    let canonical = canonicalize(df).map_err(Error::Encode)?;
    let mut buf = Vec::with_capacity(estimate_capacity(df, compression));
    crate::ipc::write(&canonical, ipc_compression.map(Into::into), &mut buf)
        .map_err(Error::Encode)?;
    buf.shrink_to_fit(); // the memory backend keeps this allocation
    let bytes = Bytes::from(buf);
    Ok(Encoded {
        key: key_of(&bytes),
        bytes,
    })
}

/// The output buffer's first size: generous, because outgrowing it
/// reallocates (and, for a large frame, briefly holds both copies), while
/// the excess is returned by `shrink_to_fit` (measured on the explorer's
/// 10M rows, zstd 1: 153 MB of 364 MB, so a third was too little).
fn estimate_capacity(df: &DataFrame, compression: Compression) -> usize {
    let raw = df.estimated_size();
    let guess = match compression {
        Compression::None => raw + raw / 8,
        _ => raw / 2,
    };
    guess.clamp(1024, 512 << 20)
}

/// Default bound of a frame's decoded buffers: 16 GiB.
pub const DEFAULT_MAX_DECODED_BYTES: u64 = 16 << 30;

/// Decode Arrow IPC bytes (any Arrow IPC file, compressed or not), its
/// record batches on all cores, refusing a file whose buffers would take
/// more than [`DEFAULT_MAX_DECODED_BYTES`] once decompressed.
///
/// `key` is only used in the error message.
pub fn decode(bytes: Bytes, key: &FrameKey) -> Result<DataFrame> {
    decode_limited(bytes, key, DEFAULT_MAX_DECODED_BYTES)
}

/// [`decode`] with another bound: the decompressed size every buffer
/// announces is added up before anything is allocated, and over
/// `max_decoded` bytes the value is refused ([`Error::TooLarge`]).
pub fn decode_limited(bytes: Bytes, key: &FrameKey, max_decoded: u64) -> Result<DataFrame> {
    let failed = |source| Error::Decode {
        key: key.to_hex(),
        source,
    };
    let decoded = crate::ipc::decoded_len(&bytes).map_err(failed)?;
    if decoded > max_decoded {
        return Err(Error::TooLarge {
            what: "decoded frame",
            size: decoded,
            limit: max_decoded,
        });
    }
    crate::ipc::read(&bytes).map_err(failed)
}

/// The canonical form described in the module docs: every column
/// materialized, in one chunk, with canonical buffers, then split into
/// aligned chunks of [`BATCH_ROWS`] rows.
pub fn canonicalize(df: &DataFrame) -> PolarsResult<DataFrame> {
    let mut columns = Vec::with_capacity(df.width());
    for column in df.columns() {
        let series = canonical_buffers(column.as_materialized_series())?;
        columns.push(series.rechunk().into_column());
    }
    let whole = DataFrame::new(df.height(), columns)?;
    let height = whole.height();
    // An Arrow IPC file allows one dictionary per field. An Enum's
    // dictionary is its fixed categories, the same in every batch; a
    // Categorical's may differ from batch to batch, so a frame with one is
    // written as one batch (the writer then holds it whole, twice).
    let has_categorical = whole.columns().iter().any(|c| c.dtype().is_categorical());
    if height <= BATCH_ROWS || has_categorical {
        return Ok(whole);
    }
    let mut out = whole.slice(0, BATCH_ROWS);
    let mut offset = BATCH_ROWS;
    while offset < height {
        out.vstack_mut(&whole.slice(offset as i64, BATCH_ROWS))?;
        offset += BATCH_ROWS;
    }
    Ok(out)
}

/// Make the buffers of a column a function of its values only:
///
/// * a column with nulls is rebuilt from its values, so every null's hidden
///   slot holds zero / the empty string and the validity bitmap is fresh
///   (no stray bits past the end of a slice); a numeric column whose
///   hidden values are already zero keeps its values buffer (checked in
///   one pass) and gets only a fresh bitmap;
/// * a column without nulls loses any all-valid validity bitmap (polars
///   keeps one after some operations, and it would be written);
/// * booleans are always rebuilt (their values are a bitmap, see above).
///
/// Categoricals need nothing: polars rebuilds their keys on export. Other
/// data types (lists, structs, decimals…) are left as they are, so equal
/// values may then get different keys (never the reverse).
fn canonical_buffers(s: &Series) -> PolarsResult<Series> {
    macro_rules! canon {
        ($accessor:ident, $ca:ty) => {{
            let ca = s.$accessor()?;
            let out: $ca = if ca.null_count() > 0 {
                ca.iter().collect()
            } else {
                ca.clone().with_validity(None)
            };
            out.with_name(s.name().clone()).into_series()
        }};
        // Numbers: when every hidden value is already zero, the values
        // are kept as they are (no copy of a column of millions of rows)
        // and only the validity bitmap is rebuilt.
        ($accessor:ident, $ca:ty, $zero:expr) => {{
            let ca = s.$accessor()?;
            if ca.null_count() == 0 {
                canon!($accessor, $ca)
            } else {
                let values: $ca = if hidden_values_are_zero(ca, $zero) {
                    ca.clone()
                } else {
                    ca.iter().collect()
                };
                fresh_validity(values)
                    .with_name(s.name().clone())
                    .into_series()
            }
        }};
    }
    let out = match s.dtype() {
        DataType::Boolean => {
            let out: BooleanChunked = s.bool()?.iter().collect();
            out.with_name(s.name().clone()).into_series()
        }
        DataType::String => canon!(str, StringChunked),
        DataType::Binary => canon!(binary, BinaryChunked),
        DataType::Int8 => canon!(i8, Int8Chunked, |v: &i8| *v == 0),
        DataType::Int16 => canon!(i16, Int16Chunked, |v: &i16| *v == 0),
        DataType::Int32 => canon!(i32, Int32Chunked, |v: &i32| *v == 0),
        DataType::Int64 => canon!(i64, Int64Chunked, |v: &i64| *v == 0),
        DataType::UInt8 => canon!(u8, UInt8Chunked, |v: &u8| *v == 0),
        DataType::UInt16 => canon!(u16, UInt16Chunked, |v: &u16| *v == 0),
        DataType::UInt32 => canon!(u32, UInt32Chunked, |v: &u32| *v == 0),
        DataType::UInt64 => canon!(u64, UInt64Chunked, |v: &u64| *v == 0),
        DataType::Float32 => canon!(f32, Float32Chunked, |v: &f32| v.to_bits() == 0),
        DataType::Float64 => canon!(f64, Float64Chunked, |v: &f64| v.to_bits() == 0),
        DataType::Date | DataType::Datetime(_, _) => {
            let physical = canonical_buffers(&s.to_physical_repr())?;
            physical.cast(s.dtype())?
        }
        _ => s.clone(),
    };
    Ok(out)
}

/// True if `ca` is one chunk whose values under nulls are all zero bits.
fn hidden_values_are_zero<T: PolarsNumericType>(
    ca: &ChunkedArray<T>,
    zero: impl Fn(&T::Native) -> bool,
) -> bool {
    let mut chunks = ca.downcast_iter();
    let (Some(arr), None) = (chunks.next(), chunks.next()) else {
        return false;
    };
    arr.validity().is_some_and(|valid| {
        valid
            .iter()
            .zip(arr.values().iter())
            .all(|(ok, v)| ok || zero(v))
    })
}

/// `ca` with each validity bitmap rebuilt bit by bit: starting at its
/// first byte, and zero past the last row (the writer copies whole bytes,
/// and builders leave those bits in different states).
fn fresh_validity<T: PolarsNumericType>(ca: ChunkedArray<T>) -> ChunkedArray<T> {
    let chunks: Vec<_> = ca
        .downcast_iter()
        .map(|arr| {
            let validity = arr.validity().map(|v| v.iter().collect());
            arr.clone().with_validity(validity)
        })
        .collect();
    ChunkedArray::from_chunk_iter(ca.name().clone(), chunks)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame() -> DataFrame {
        df!(
            "a" => [Some(1i64), None, Some(3)],
            "s" => [Some("x"), Some(""), None],
            "f" => [f64::NAN, f64::INFINITY, -0.5],
        )
        .unwrap()
    }

    #[test]
    fn round_trips_and_keys_are_stable() {
        let df = frame();
        let enc = encode(&df, Compression::default()).unwrap();
        assert_eq!(enc.key, key_of(&enc.bytes));
        let back = decode(enc.bytes.clone(), &enc.key).unwrap();
        assert!(back.equals_missing(&df));
        // re-encoding the decoded frame gives the same key
        assert_eq!(encode(&back, Compression::default()).unwrap().key, enc.key);
        // compression is part of the key
        let lz4 = encode(&df, Compression::Lz4).unwrap();
        assert_ne!(lz4.key, enc.key);
        assert!(decode(lz4.bytes, &lz4.key).unwrap().equals_missing(&df));
    }

    #[test]
    fn chunking_does_not_change_the_key() {
        let df = frame();
        let mut chunked = df.slice(0, 1);
        chunked.vstack_mut(&df.slice(1, 2)).unwrap();
        assert!(chunked.max_n_chunks() > 1);
        assert_eq!(
            encode(&chunked, Compression::default()).unwrap().key,
            encode(&df, Compression::default()).unwrap().key
        );
    }

    #[test]
    fn hidden_null_values_do_not_change_the_key() {
        // arithmetic leaves the computed value under a null
        let a = Series::new("a".into(), [Some(1i64), None]);
        let b = Series::new("a".into(), [10i64, 20]);
        let sum = (&a + &b).unwrap();
        let direct = Series::new("a".into(), [Some(11i64), None]);
        assert!(sum.equals_missing(&direct));
        let k1 = encode(
            &DataFrame::new(2, vec![sum.into()]).unwrap(),
            Compression::Lz4,
        );
        let k2 = encode(
            &DataFrame::new(2, vec![direct.into()]).unwrap(),
            Compression::Lz4,
        );
        assert_eq!(k1.unwrap().key, k2.unwrap().key);
    }

    #[test]
    fn validity_and_bitmap_slices_do_not_change_the_key() {
        // a bool column sliced out of a longer one shares its bitmap bytes
        let long = df!("b" => [false, true, true, true, true, true, true, true, true]).unwrap();
        let short = df!("b" => [false, true]).unwrap();
        let key = |df: &DataFrame| encode(df, Compression::None).unwrap().key;
        assert_eq!(key(&long.slice(0, 2)), key(&short));
        assert_eq!(
            key(&long.slice(7, 2)),
            key(&df!("b" => [true, true]).unwrap())
        );
        // no nulls left, but a validity bitmap kept by the filter
        let with_nulls = df!("x" => [Some(1i64), None, Some(3)]).unwrap();
        let filtered = with_nulls.drop_nulls::<String>(None).unwrap();
        assert_eq!(key(&filtered), key(&df!("x" => [1i64, 3]).unwrap()));
        let empty: Vec<Option<i32>> = Vec::new();
        let zero_rows = df!("x" => empty).unwrap();
        let back = decode(
            encode(&zero_rows, Compression::Lz4).unwrap().bytes,
            &key(&zero_rows),
        )
        .unwrap();
        assert_eq!(
            encode(&back, Compression::Lz4).unwrap().key,
            encode(&zero_rows, Compression::Lz4).unwrap().key
        );
    }

    #[test]
    fn large_frames_are_split_into_fixed_batches() {
        let n = BATCH_ROWS + 5;
        let df = df!("x" => (0..n as i64).collect::<Vec<_>>()).unwrap();
        let canonical = canonicalize(&df).unwrap();
        assert_eq!(canonical.first_col_n_chunks(), 2);
        let enc = encode(&df, Compression::Lz4).unwrap();
        let back = decode(enc.bytes, &enc.key).unwrap();
        assert_eq!(back.height(), n);
        assert!(back.equals(&df));
    }

    #[test]
    fn large_frames_with_categoricals_are_one_batch_and_round_trip() {
        let n = BATCH_ROWS + 5;
        let cats: Vec<String> = (0..n).map(|i| format!("c{}", (i * 7) % 13)).collect();
        // The second batch's rows use categories in another order of first
        // appearance than the first's: several batches would each need
        // their own dictionary.
        let mut df = df!("x" => (0..n as i64).collect::<Vec<_>>(), "c" => cats).unwrap();
        df.apply("c", |c| {
            c.cast(&DataType::from_categories(Categories::global()))
                .unwrap()
        })
        .unwrap();
        assert_eq!(canonicalize(&df).unwrap().first_col_n_chunks(), 1);
        let enc = encode(&df, Compression::Zstd(1)).unwrap();
        let back = decode(enc.bytes, &enc.key).unwrap();
        assert_eq!(back.height(), n);
        let strings = |d: &DataFrame| d.column("c").unwrap().cast(&DataType::String).unwrap();
        assert!(strings(&back).equals(&strings(&df)));
        assert_eq!(encode(&back, Compression::Zstd(1)).unwrap().key, enc.key);
    }

    #[test]
    fn large_enum_frames_are_batched_and_round_trip() {
        let n = BATCH_ROWS + 5;
        let frozen = FrozenCategories::new(["z", "a", "m"]).unwrap();
        let values: Vec<Option<&str>> = (0..n)
            .map(|i| (i % 11 != 0).then_some(["a", "m", "z"][(i * 7) % 3]))
            .collect();
        let mut df = df!("c" => values).unwrap();
        df.apply("c", |c| {
            c.cast(&DataType::from_frozen_categories(frozen.clone()))
                .unwrap()
        })
        .unwrap();
        assert_eq!(canonicalize(&df).unwrap().first_col_n_chunks(), 2);
        let enc = encode(&df, Compression::Zstd(1)).unwrap();
        let back = decode(enc.bytes, &enc.key).unwrap();
        assert!(back.equals_missing(&df));
        assert_eq!(
            back.column("c").unwrap().dtype(),
            df.column("c").unwrap().dtype()
        );
        assert_eq!(encode(&back, Compression::Zstd(1)).unwrap().key, enc.key);
    }

    #[test]
    fn numeric_columns_already_canonical_are_not_copied() {
        let fresh = Series::new("x".into(), [Some(1.5f64), None, Some(-2.0), None]);
        let canonical = canonical_buffers(&fresh).unwrap();
        let data = |s: &Series| {
            s.f64()
                .unwrap()
                .downcast_iter()
                .next()
                .unwrap()
                .values()
                .as_ptr()
        };
        assert_eq!(data(&canonical), data(&fresh), "copied a canonical column");
        // A slice starting past bit 0 and -0.0 under a null are rebuilt,
        // and give the fresh column's key.
        let key = |s: Series| {
            let df = DataFrame::new(s.len(), vec![s.into()]).unwrap();
            encode(&df, Compression::None).unwrap().key
        };
        let longer = Series::new(
            "x".into(),
            [Some(9.0f64), Some(1.5), None, Some(-2.0), None],
        );
        assert_eq!(key(longer.slice(1, 4)), key(fresh.clone()));
        // Arithmetic computes under nulls too: 0 * -1 leaves -0.0 there.
        let signs = Series::new("x".into(), [1.0f64, -1.0, 1.0, -1.0]);
        let hidden = (&fresh * &signs).unwrap();
        assert!(hidden.equals_missing(&fresh));
        assert_eq!(key(hidden), key(fresh));
    }

    #[test]
    fn garbage_is_a_decode_error() {
        let key = key_of(b"nope");
        let err = decode(Bytes::from_static(b"nope"), &key).unwrap_err();
        assert!(matches!(err, Error::Decode { .. }), "{err}");
        assert!(matches!(
            encode(&frame(), Compression::Zstd(99)),
            Err(Error::Config(_))
        ));
    }
}
