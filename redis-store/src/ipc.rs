//! Arrow IPC files written and read a record batch per core at a time.
//!
//! The bytes are those polars' `IpcWriter` writes for the same frame at the
//! oldest compat level (same schema message, dictionaries, batches and
//! footer; proved by the tests below) but for one thing: a string or binary
//! column whose values take under 2 GiB in every batch is written with
//! 32-bit offsets (`Utf8`/`Binary`) rather than 64-bit ones, which leaves
//! less to decompress (a 10M-row frame with two short-string columns read
//! ~15 % faster, though zstd makes the file ~25 % larger). Any Arrow reader
//! reads the values. The work is spread: every batch is compressed, and
//! decompressed and converted back to polars' layout, on its own thread.
//! A frame of one batch (up to [`crate::codec::BATCH_ROWS`] rows) takes
//! the same time as with polars' own writer and reader.

use std::io::{Cursor, Write};
use std::num::NonZeroUsize;
use std::sync::Arc;

use polars::io::schema_to_arrow_checked;
use polars::polars_utils::bool::UnsafeBool;
use polars::prelude::*;
use polars_arrow::array::{BinaryArray, Utf8Array};
use polars_arrow::datatypes::{ArrowDataType, ArrowSchema, ArrowSchemaRef};
use polars_arrow::io::ipc::format::ipc::planus::ReadAsRoot;
use polars_arrow::io::ipc::format::ipc::{MessageHeaderRef, MessageRef};
use polars_arrow::io::ipc::read::{
    Dictionaries, FileMetadata, read_batch, read_file_dictionaries, read_file_metadata,
};
use polars_arrow::io::ipc::write::{
    Block, Compression, DictionaryTracker, EncodedData, FileWriter, WriteOptions,
    default_ipc_fields, encode_new_dictionaries, encode_record_batch,
};
use polars_arrow::offset::OffsetsBuffer;
use polars_arrow::record_batch::RecordBatch;

/// Threads to spread batches over: the machine's cores, at most 16.
fn threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, NonZeroUsize::get)
        .min(16)
}

/// Write `df` (every column in the same chunks, as
/// [`crate::codec::canonicalize`] leaves it) as an Arrow IPC file into
/// `out`, in the oldest compat level (classic `Utf8`/`LargeUtf8` strings,
/// see [`narrowed_schema`]).
///
/// Batches are encoded `threads()` at a time, so besides the output only
/// that many encoded batches are held at once.
pub(crate) fn write(
    df: &DataFrame,
    compression: Option<Compression>,
    out: &mut impl Write,
) -> PolarsResult<()> {
    write_narrowing_below(df, compression, out, NARROW_BELOW)
}

/// Bytes of values per batch under which a string column gets 32-bit offsets.
const NARROW_BELOW: usize = i32::MAX as usize;

/// [`write`], with 32-bit offsets for columns under `narrow_below` bytes.
fn write_narrowing_below(
    df: &DataFrame,
    compression: Option<Compression>,
    out: &mut impl Write,
    narrow_below: usize,
) -> PolarsResult<()> {
    let compat = CompatLevel::oldest();
    let arrow_schema = schema_to_arrow_checked(df.schema(), compat, "ipc")?;
    let (schema, narrow) = narrowed_schema(df, arrow_schema, narrow_below);
    let schema = Arc::new(schema);
    let options = WriteOptions { compression };
    let fields = default_ipc_fields(schema.iter_values());
    let mut writer = FileWriter::try_new(out, Arc::clone(&schema), Some(fields.clone()), options)?;
    // As the file writer does: a dictionary is written when first seen, and
    // a different one for the same field later is an error.
    let mut dictionaries = DictionaryTracker {
        dictionaries: Default::default(),
        cannot_replace: true,
    };
    let mut batches = df.iter_chunks(compat, true).peekable();
    let per_round = threads();
    while batches.peek().is_some() {
        let round: Vec<_> = batches.by_ref().take(per_round).collect();
        // Dictionaries in batch order (cheap: an Enum's is compared, and
        // encoded once).
        let mut new_dictionaries = Vec::with_capacity(round.len());
        for batch in &round {
            let mut encoded = Vec::new();
            for (field, array) in fields.iter().zip(batch.arrays()) {
                encode_new_dictionaries(
                    field,
                    array.as_ref(),
                    &options,
                    &mut dictionaries,
                    &mut encoded,
                )?;
            }
            new_dictionaries.push(encoded);
        }
        let messages = map_parallel(&round, |batch| {
            let batch = narrow_batch(batch, &narrow, &schema)?;
            let mut message = EncodedData::default();
            encode_record_batch(&batch, &options, &mut message);
            Ok(message)
        })?;
        for (dictionaries, message) in new_dictionaries.iter().zip(&messages) {
            writer.write_encoded(dictionaries, message)?;
        }
    }
    writer.finish()
}

/// `schema` with every top-level string (binary) column whose values take
/// less than `below` bytes in each batch as `Utf8` (`Binary`), 32-bit
/// offsets, instead of `LargeUtf8` (`LargeBinary`), and which columns
/// those are.
///
/// Half the offsets to decompress: on the explorer's frame a string
/// column's offsets are nearly half its bytes. Whether a column is
/// narrowed depends on its values only, so keys stay a function of the
/// frame.
fn narrowed_schema(df: &DataFrame, schema: ArrowSchema, below: usize) -> (ArrowSchema, Vec<bool>) {
    let fits = |len: usize| len < below;
    let narrow: Vec<bool> = df
        .columns()
        .iter()
        .map(|column| match column.dtype() {
            DataType::String => column
                .as_materialized_series()
                .str()
                .is_ok_and(|ca| ca.downcast_iter().all(|a| fits(a.total_bytes_len()))),
            DataType::Binary => column
                .as_materialized_series()
                .binary()
                .is_ok_and(|ca| ca.downcast_iter().all(|a| fits(a.total_bytes_len()))),
            _ => false,
        })
        .collect();
    let schema = schema
        .into_iter_values()
        .zip(&narrow)
        .map(|(mut field, &narrow)| {
            if narrow {
                field.dtype = match field.dtype {
                    ArrowDataType::LargeUtf8 => ArrowDataType::Utf8,
                    ArrowDataType::LargeBinary => ArrowDataType::Binary,
                    other => other,
                };
            }
            field
        })
        .collect();
    (schema, narrow)
}

/// `batch` with the columns [`narrowed_schema`] chose given 32-bit offsets
/// (the same values buffer; the offsets are checked to fit).
fn narrow_batch(
    batch: &RecordBatch,
    narrow: &[bool],
    schema: &ArrowSchemaRef,
) -> PolarsResult<RecordBatch> {
    if !narrow.contains(&true) {
        return Ok(batch.clone());
    }
    let arrays = batch
        .arrays()
        .iter()
        .zip(narrow)
        .map(|(array, &narrow)| {
            if !narrow {
                return Ok(array.clone());
            }
            let any = array.as_any();
            if let Some(a) = any.downcast_ref::<Utf8Array<i64>>() {
                let offsets = OffsetsBuffer::<i32>::try_from(a.offsets())?;
                let out = Utf8Array::<i32>::try_new(
                    ArrowDataType::Utf8,
                    offsets,
                    a.values().clone(),
                    a.validity().cloned(),
                )?;
                Ok(out.boxed())
            } else if let Some(a) = any.downcast_ref::<BinaryArray<i64>>() {
                let offsets = OffsetsBuffer::<i32>::try_from(a.offsets())?;
                let out = BinaryArray::<i32>::try_new(
                    ArrowDataType::Binary,
                    offsets,
                    a.values().clone(),
                    a.validity().cloned(),
                )?;
                Ok(out.boxed())
            } else {
                Err(polars_err!(ComputeError: "expected a large string or binary array, got {:?}", array.dtype()))
            }
        })
        .collect::<PolarsResult<Vec<_>>>()?;
    RecordBatch::try_new(batch.height(), Arc::clone(schema), arrays)
}

/// Read an Arrow IPC file: its batches are split into one contiguous run
/// per thread, each run read and converted on its own thread, and the
/// frame assembled in file order (one chunk per batch, as polars'
/// `IpcReader` without rechunking gives).
pub(crate) fn read(bytes: &[u8]) -> PolarsResult<DataFrame> {
    let mut cursor = Cursor::new(bytes);
    let metadata = read_file_metadata(&mut cursor)?;
    let dictionaries = read_file_dictionaries(
        &mut cursor,
        &metadata,
        &mut Vec::new(),
        UnsafeBool::default(),
    )?;
    let blocks = metadata.blocks.len();
    if blocks == 0 {
        return Ok(DataFrame::empty_with_schema(&Schema::from_arrow_schema(
            &metadata.schema,
        )));
    }
    let runs = threads().min(blocks);
    let bounds: Vec<(usize, usize)> = (0..runs)
        .map(|r| (r * blocks / runs, (r + 1) * blocks / runs))
        .collect();
    let parts = map_parallel(&bounds, |&(start, end)| {
        read_run(bytes, &metadata, &dictionaries, start, end)
    })?;
    let mut parts = parts.into_iter().flatten();
    let mut df = parts
        .next()
        .ok_or_else(|| polars_err!(ComputeError: "an IPC file without batches"))?;
    for part in parts {
        df.vstack_mut_owned(part)?;
    }
    Ok(df)
}

/// Bytes the buffers of every record batch and dictionary of an Arrow IPC
/// file take once decompressed, read from the file's own framing (every
/// compressed buffer begins with its decompressed length) without
/// decompressing anything: what a read would allocate, known before it
/// does.
pub(crate) fn decoded_len(bytes: &[u8]) -> PolarsResult<u64> {
    let metadata = read_file_metadata(&mut Cursor::new(bytes))?;
    let dictionaries = metadata.dictionaries.iter().flatten();
    metadata
        .blocks
        .iter()
        .chain(dictionaries)
        .try_fold(0u64, |total, block| {
            Ok(total.saturating_add(block_decoded_len(bytes, block)?))
        })
}

fn block_decoded_len(bytes: &[u8], block: &Block) -> PolarsResult<u64> {
    let bad = |what: &str| polars_err!(ComputeError: "malformed Arrow IPC block: {what}");
    let at = |offset: i64| usize::try_from(offset).map_err(|_| bad("a negative offset"));
    let i32_at = |pos: usize| {
        bytes
            .get(pos..pos.saturating_add(4))
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map(i32::from_le_bytes)
            .ok_or_else(|| bad("an offset past the end"))
    };
    let start = at(block.offset)?;
    let body = start.saturating_add(at(i64::from(block.meta_data_length))?);
    // [continuation marker] length, then the flatbuffer message
    let (mut pos, mut len) = (start + 4, i32_at(start)?);
    if len == -1 {
        len = i32_at(pos)?;
        pos += 4;
    }
    let len = usize::try_from(len).map_err(|_| bad("a negative message length"))?;
    let message = bytes
        .get(pos..pos.saturating_add(len))
        .ok_or_else(|| bad("a message past the end"))?;
    let message = MessageRef::read_as_root(message).map_err(|e| bad(&e.to_string()))?;
    let header = message.header().map_err(|e| bad(&e.to_string()))?;
    let batch = match header {
        Some(MessageHeaderRef::RecordBatch(batch)) => batch,
        Some(MessageHeaderRef::DictionaryBatch(dictionary)) => dictionary
            .data()
            .map_err(|e| bad(&e.to_string()))?
            .ok_or_else(|| bad("a dictionary without data"))?,
        _ => return Ok(0),
    };
    let compressed = batch
        .compression()
        .map_err(|e| bad(&e.to_string()))?
        .is_some();
    let buffers = batch.buffers().map_err(|e| bad(&e.to_string()))?;
    let mut total = 0u64;
    for buffer in buffers.into_iter().flatten() {
        let length = u64::try_from(buffer.length()).map_err(|_| bad("a negative length"))?;
        if !compressed || length == 0 {
            total = total.saturating_add(length);
            continue;
        }
        // i64 decompressed length first; -1: stored uncompressed
        let pos = body.saturating_add(at(buffer.offset())?);
        let prefix = bytes
            .get(pos..pos.saturating_add(8))
            .and_then(|b| <[u8; 8]>::try_from(b).ok())
            .map(i64::from_le_bytes)
            .ok_or_else(|| bad("a buffer past the end"))?;
        total = total.saturating_add(match prefix {
            -1 => length.saturating_sub(8),
            n => u64::try_from(n).map_err(|_| bad("a negative decompressed length"))?,
        });
    }
    Ok(total)
}

/// Batches `start..end` of the file, each as a frame.
fn read_run(
    bytes: &[u8],
    metadata: &FileMetadata,
    dictionaries: &Dictionaries,
    start: usize,
    end: usize,
) -> PolarsResult<Vec<DataFrame>> {
    let mut cursor = Cursor::new(bytes);
    let (mut message_scratch, mut data_scratch) = (Vec::new(), Vec::new());
    (start..end)
        .map(|index| {
            let batch = read_batch(
                &mut cursor,
                dictionaries,
                metadata,
                None,
                None,
                index,
                false,
                &mut message_scratch,
                &mut data_scratch,
                UnsafeBool::default(),
            )?;
            Ok(DataFrame::from(batch))
        })
        .collect()
}

/// `f` over `items`, one scoped thread per item beyond the first (which
/// runs on the calling thread); results in the items' order.
fn map_parallel<T: Sync, R: Send>(
    items: &[T],
    f: impl Fn(&T) -> PolarsResult<R> + Sync,
) -> PolarsResult<Vec<R>> {
    let Some((first, rest)) = items.split_first() else {
        return Ok(Vec::new());
    };
    if rest.is_empty() {
        return Ok(vec![f(first)?]);
    }
    std::thread::scope(|scope| {
        let f = &f;
        let handles: Vec<_> = rest
            .iter()
            .map(|item| scope.spawn(move || f(item)))
            .collect();
        let mut out = Vec::with_capacity(items.len());
        out.push(f(first)?);
        for handle in handles {
            match handle.join() {
                Ok(result) => out.push(result?),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        Ok(out)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec::{BATCH_ROWS, canonicalize};
    use polars::io::ipc::{IpcCompression, IpcReader, IpcWriter};
    use polars::io::{SerReader, SerWriter};

    /// What polars' own writer gives.
    fn polars_bytes(df: &DataFrame, compression: Option<IpcCompression>) -> Vec<u8> {
        let mut canonical = canonicalize(df).unwrap();
        let mut out = Vec::new();
        IpcWriter::new(&mut out)
            .with_compression(compression)
            .with_compat_level(CompatLevel::oldest())
            .finish(&mut canonical)
            .unwrap();
        out
    }

    fn ours(df: &DataFrame, compression: Option<IpcCompression>) -> Vec<u8> {
        let canonical = canonicalize(df).unwrap();
        let mut out = Vec::new();
        write(&canonical, compression.map(Into::into), &mut out).unwrap();
        out
    }

    fn frame(n: usize, enum_column: bool) -> DataFrame {
        let words = ["north", "south", "east", "west", ""];
        let mut df = df!(
            "i" => (0..n as i64).collect::<Vec<_>>(),
            "f" => (0..n).map(|i| (i % 7 != 0).then_some(i as f64 / 3.0)).collect::<Vec<_>>(),
            "s" => (0..n).map(|i| (i % 5 != 1).then_some(words[i % 5])).collect::<Vec<_>>(),
            "b" => (0..n).map(|i| i % 3 == 0).collect::<Vec<_>>(),
        )
        .unwrap();
        if enum_column {
            let frozen = FrozenCategories::new(["west", "east", "north", "south", ""]).unwrap();
            let e = df
                .column("s")
                .unwrap()
                .cast(&DataType::from_frozen_categories(frozen))
                .unwrap()
                .with_name("e".into());
            df.with_column(e).unwrap();
        }
        df
    }

    fn dtype_of(bytes: &[u8], column: &str) -> ArrowDataType {
        let metadata = read_file_metadata(&mut Cursor::new(bytes)).unwrap();
        metadata.schema.get(column).unwrap().dtype.clone()
    }

    #[test]
    fn bytes_equal_polars_writer_but_for_narrow_offsets_and_read_back_equal() {
        let zstd = Some(IpcCompression::ZSTD(Default::default()));
        for (n, enum_column) in [
            (0, false),
            (10, true),
            (BATCH_ROWS, false),
            (3 * BATCH_ROWS + 17, true),
        ] {
            let df = frame(n, enum_column);
            for compression in [None, Some(IpcCompression::LZ4), zstd] {
                let bytes = ours(&df, compression);
                // without string columns, exactly what polars writes
                let no_strings = df.drop("s").unwrap();
                assert!(
                    ours(&no_strings, compression) == polars_bytes(&no_strings, compression),
                    "{n} rows, enum {enum_column}, {compression:?}: bytes differ"
                );
                assert_eq!(dtype_of(&bytes, "s"), ArrowDataType::Utf8);
                let back = read(&bytes).unwrap();
                let theirs = IpcReader::new(Cursor::new(&bytes))
                    .set_rechunk(false)
                    .finish()
                    .unwrap();
                assert_eq!(back.schema(), theirs.schema());
                assert!(back.equals_missing(&theirs), "{n} rows: read differs");
                assert!(back.equals_missing(&df), "{n} rows: not the frame written");
                assert_eq!(back.first_col_n_chunks(), theirs.first_col_n_chunks());
            }
        }
    }

    #[test]
    fn columns_over_the_offset_limit_keep_64_bit_offsets() {
        let mut df = frame(2 * BATCH_ROWS + 5, false);
        let binary = df.column("s").unwrap().cast(&DataType::Binary).unwrap();
        df.with_column(binary.with_name("bin".into())).unwrap();
        let canonical = canonicalize(&df).unwrap();
        let written = |below| {
            let mut out = Vec::new();
            write_narrowing_below(&canonical, None, &mut out, below).unwrap();
            out
        };
        let narrow = written(NARROW_BELOW);
        assert_eq!(dtype_of(&narrow, "s"), ArrowDataType::Utf8);
        assert_eq!(dtype_of(&narrow, "bin"), ArrowDataType::Binary);
        // no column fits: polars' own bytes, 64-bit offsets throughout
        let wide = written(1);
        assert!(
            wide == polars_bytes(&df, None),
            "wide bytes differ from polars'"
        );
        assert_eq!(dtype_of(&wide, "s"), ArrowDataType::LargeUtf8);
        assert_eq!(dtype_of(&wide, "bin"), ArrowDataType::LargeBinary);
        // one batch over the limit is enough to keep the whole column wide
        let sizes: Vec<usize> = canonical
            .column("s")
            .unwrap()
            .str()
            .unwrap()
            .downcast_iter()
            .map(|a| a.total_bytes_len())
            .collect();
        let (small, large) = (sizes.iter().min().unwrap(), sizes.iter().max().unwrap());
        assert!(small < large, "batches of equal size: {sizes:?}");
        let mixed = written(*large);
        assert_eq!(dtype_of(&mixed, "s"), ArrowDataType::LargeUtf8);
        for bytes in [&narrow, &wide, &mixed] {
            assert!(read(bytes).unwrap().equals_missing(&df), "read differs");
        }
    }

    #[test]
    fn decoded_len_is_known_before_decoding_and_bounds_the_buffers() {
        let df = frame(2 * BATCH_ROWS + 3, true);
        let raw = ours(&df, None);
        for compression in [
            Some(IpcCompression::LZ4),
            Some(IpcCompression::ZSTD(Default::default())),
        ] {
            let bytes = ours(&df, compression);
            assert!(
                bytes.len() < raw.len() / 2,
                "{compression:?} did not compress"
            );
            // the same buffers, whatever the compression
            assert_eq!(decoded_len(&bytes).unwrap(), decoded_len(&raw).unwrap());
        }
        // 8 B of i64 + 8 B of f64 + 4 B of offsets and ~3.6 B of text +
        // bits + 1 B of Enum codes per row
        let per_row = decoded_len(&raw).unwrap() as f64 / df.height() as f64;
        assert!((22.0..30.0).contains(&per_row), "{per_row} bytes a row");
        // a forged decompressed length is seen without decompressing
        let small = ours(&frame(1_000, false), Some(IpcCompression::LZ4));
        let honest = decoded_len(&small).unwrap();
        let mut forged = small.clone();
        let pos = first_compressed_prefix(&forged);
        forged[pos..pos + 8].copy_from_slice(&(1i64 << 50).to_le_bytes());
        assert!(decoded_len(&forged).unwrap() > honest + (1 << 49));
    }

    /// Where the first buffer's decompressed length is written.
    fn first_compressed_prefix(bytes: &[u8]) -> usize {
        let metadata = read_file_metadata(&mut Cursor::new(bytes)).unwrap();
        let block = metadata.blocks[0];
        let start = block.offset as usize;
        let body = start + block.meta_data_length as usize;
        let len = i32::from_le_bytes(bytes[start + 4..start + 8].try_into().unwrap()) as usize;
        let message = MessageRef::read_as_root(&bytes[start + 8..start + 8 + len]).unwrap();
        let Some(MessageHeaderRef::RecordBatch(batch)) = message.header().unwrap() else {
            panic!("not a record batch");
        };
        let buffers = batch.buffers().unwrap().unwrap();
        let first = buffers.iter().find(|b| b.length() > 0).unwrap();
        body + first.offset() as usize
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(read(b"").is_err());
        assert!(read(b"ARROW1\0\0garbage").is_err());
        let bytes = ours(&frame(100, true), None);
        assert!(read(&bytes[..bytes.len() / 2]).is_err());
        assert!(decoded_len(b"").is_err());
        assert!(decoded_len(&bytes[..bytes.len() / 2]).is_err());
    }
}
