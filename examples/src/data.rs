//! Data for the explorer: a deterministic generated dataset, or a CSV,
//! Parquet or Arrow IPC file.

use std::path::Path;

use polars::prelude::*;

/// A small, fast, deterministic generator (SplitMix64), so every run and
/// every process sees the same dataset.
struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const GIVEN: &[&str] = &[
    "Ada",
    "Alan",
    "Barbara",
    "Claude",
    "Dennis",
    "Donald",
    "Edsger",
    "Frances",
    "Grace",
    "Hedy",
    "Ivan",
    "Jean",
    "John",
    "Ken",
    "Katherine",
    "Linus",
    "Margaret",
    "Niklaus",
    "Radia",
    "Tim",
];
const FAMILY: &[&str] = &[
    "Lovelace",
    "Turing",
    "Liskov",
    "Shannon",
    "Ritchie",
    "Knuth",
    "Dijkstra",
    "Allen",
    "Hopper",
    "Lamarr",
    "Sutherland",
    "Sammet",
    "McCarthy",
    "Thompson",
    "Johnson",
    "Torvalds",
    "Hamilton",
    "Wirth",
    "Perlman",
    "Berners-Lee",
];

/// The explorer's generated dataset: `rows` rows of
/// `id` i64, `name` string (about 10,000 distinct), `category` string
/// (`cat_0` … `cat_19`), `price` f64 in 0–1000, `qty` i32, `ts` datetime
/// (ms), with some nulls in `name`, `price` and `qty`. The two string
/// columns are dictionary-encoded (polars Enum, as the table stores
/// repeated strings anyway, with two bytes a row for `name` and one for
/// `category`), which keeps ten million rows in ~310 MB. The same `rows`
/// give the same frame.
pub fn generated(rows: usize) -> PolarsResult<DataFrame> {
    // The ~10,000 distinct names and 20 categories are made once; rows
    // refer to them, so no string is allocated per row.
    let names: Vec<String> = GIVEN
        .iter()
        .flat_map(|g| FAMILY.iter().map(move |f| (g, f)))
        .flat_map(|(g, f)| (0..25).map(move |n| format!("{g} {f} {n}")))
        .collect();
    let categories: Vec<String> = (0..20).map(|c| format!("cat_{c}")).collect();
    let mut rng = SplitMix(0x5EED_DA5A);
    // One pass over the generator (the columns interleave its draws), each
    // value appended straight to its column's builder: the frame is
    // allocated once, at its final size, and nothing else of that size
    // exists meanwhile (the string columns keep a small code per row until
    // they are encoded).
    let mut name = Vec::with_capacity(rows);
    let mut category = Vec::with_capacity(rows);
    let mut price = PrimitiveChunkedBuilder::<Float64Type>::new("price".into(), rows);
    let mut qty = PrimitiveChunkedBuilder::<Int32Type>::new("qty".into(), rows);
    let mut ts = PrimitiveChunkedBuilder::<Int64Type>::new("ts".into(), rows);
    // 2020-01-01T00:00:00Z, spread over about five years.
    let start_ms: i64 = 1_577_836_800_000;
    for i in 0..rows {
        let g = rng.below(GIVEN.len() as u64);
        let f = rng.below(FAMILY.len() as u64);
        let n = rng.below(25);
        let which = (g * FAMILY.len() as u64 + f) * 25 + n;
        name.push(if i % 89 != 7 { which as u32 } else { u32::MAX });
        category.push(rng.below(20) as u8);
        let cents = rng.below(100_001) as f64;
        price.append_option((i % 97 != 3).then_some(cents / 100.0));
        let q = rng.below(500) as i32;
        qty.append_option((i % 101 != 5).then_some(q));
        ts.append_value(start_ms + (rng.below(5 * 365 * 86_400) as i64) * 1000);
    }
    let id = Int64Chunked::from_iter_values("id".into(), 0..rows as i64);
    let name = enum_column("name", &names, &name, |i| usize::try_from(i).ok())?;
    let category = enum_column("category", &categories, &category, |c| Some(usize::from(c)))?;
    let ts = ts
        .finish()
        .into_datetime(TimeUnit::Milliseconds, None)
        .into_series();
    DataFrame::new(
        rows,
        vec![
            id.into_column(),
            name,
            category,
            price.finish().into_column(),
            qty.finish().into_column(),
            ts.into_column(),
        ],
    )
}

/// An Enum column over `categories` (code `i` is `categories[i]`) from
/// one code per row, `None` for null: the codes become the column's
/// physical array as they are (one byte a row for up to 256 categories,
/// two for up to 65,536), no string is made per row.
fn enum_column<T: Copy>(
    name: &str,
    categories: &[String],
    codes: &[T],
    code: impl Fn(T) -> Option<usize>,
) -> PolarsResult<Column> {
    let frozen = FrozenCategories::new(categories.iter().map(String::as_str))?;
    let dtype = DataType::from_frozen_categories(frozen);
    let known = |c: T| code(c).filter(|&i| i < categories.len());
    let series = match dtype.cat_physical()? {
        CategoricalPhysical::U8 => {
            let ids: UInt8Chunked = codes.iter().map(|&c| known(c).map(|i| i as u8)).collect();
            Categorical8Chunked::from_cats_and_dtype(ids, dtype).into_series()
        }
        CategoricalPhysical::U16 => {
            let ids: UInt16Chunked = codes.iter().map(|&c| known(c).map(|i| i as u16)).collect();
            Categorical16Chunked::from_cats_and_dtype(ids, dtype).into_series()
        }
        CategoricalPhysical::U32 => {
            let ids: UInt32Chunked = codes.iter().map(|&c| known(c).map(|i| i as u32)).collect();
            Categorical32Chunked::from_cats_and_dtype(ids, dtype).into_series()
        }
    };
    Ok(series.with_name(name.into()).into_column())
}

/// Reads a CSV (`.csv`, with a header row; column types inferred from the
/// first 10,000 rows, dates and datetimes recognised), Parquet
/// (`.parquet`/`.pq`) or Arrow IPC (`.arrow`/`.ipc`/`.feather`) file.
pub fn read_file(path: &Path) -> PolarsResult<DataFrame> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase)
        .unwrap_or_default();
    let file = std::fs::File::open(path).map_err(|e| {
        PolarsError::ComputeError(format!("cannot open {}: {e}", path.display()).into())
    })?;
    match ext.as_str() {
        "parquet" | "pq" => ParquetReader::new(file).finish(),
        "arrow" | "ipc" | "feather" => IpcReader::new(file).finish(),
        "csv" => {
            drop(file);
            CsvReadOptions::default()
                .with_has_header(true)
                .with_infer_schema_length(Some(10_000))
                .map_parse_options(|o| o.with_try_parse_dates(true))
                .try_into_reader_with_file_path(Some(path.to_path_buf()))?
                .finish()
        }
        other => Err(PolarsError::ComputeError(
            format!(
                "cannot read {}: unsupported extension {other:?} (use .csv, .parquet or .arrow/.ipc)",
                path.display()
            )
            .into(),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> std::path::PathBuf {
        std::env::temp_dir().join(format!("dash-rs-data-{}-{name}", std::process::id()))
    }

    #[test]
    fn generated_is_deterministic_and_has_the_documented_columns() {
        let a = generated(2_000).unwrap();
        assert!(a.equals_missing(&generated(2_000).unwrap()));
        let names: Vec<&str> = a.get_column_names().iter().map(|n| n.as_str()).collect();
        assert_eq!(names, ["id", "name", "category", "price", "qty", "ts"]);
        assert!(a.column("price").unwrap().null_count() > 0);
        let cats = a.column("category").unwrap().n_unique().unwrap();
        assert_eq!(cats, 20);
    }

    #[test]
    fn files_round_trip_in_every_format() {
        let mut df = generated(1_500).unwrap();
        let parquet = temp("t.parquet");
        ParquetWriter::new(std::fs::File::create(&parquet).unwrap())
            .finish(&mut df)
            .unwrap();
        assert!(read_file(&parquet).unwrap().equals_missing(&df));
        let ipc = temp("t.arrow");
        IpcWriter::new(std::fs::File::create(&ipc).unwrap())
            .finish(&mut df)
            .unwrap();
        assert!(read_file(&ipc).unwrap().equals_missing(&df));

        let csv = temp("t.csv");
        CsvWriter::new(std::fs::File::create(&csv).unwrap())
            .finish(&mut df)
            .unwrap();
        let back = read_file(&csv).unwrap();
        assert_eq!(back.shape(), df.shape());
        assert_eq!(back.column("id").unwrap().dtype(), &DataType::Int64);
        assert_eq!(back.column("price").unwrap().dtype(), &DataType::Float64);
        assert!(matches!(
            back.column("ts").unwrap().dtype(),
            DataType::Datetime(..)
        ));
        for name in ["id", "name", "category", "price", "qty"] {
            let (a, b) = (df.column(name).unwrap(), back.column(name).unwrap());
            assert!(
                a.cast(b.dtype()).unwrap().equals_missing(b),
                "column {name} differs after a CSV round trip"
            );
        }
        let ts = |d: &DataFrame| {
            d.column("ts")
                .unwrap()
                .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
                .unwrap()
        };
        assert!(ts(&back).equals_missing(&ts(&df)));

        let err = read_file(&temp("t.xlsx")).unwrap_err().to_string();
        assert!(err.contains("cannot open"), "{err}");
        for p in [parquet, ipc, csv] {
            let _ = std::fs::remove_file(p);
        }
    }
}
