//! Property tests: random frames of every supported data type survive the
//! store unchanged, and equal frames get equal keys.

mod common;

use std::sync::OnceLock;

use polars::prelude::*;
use proptest::prelude::*;
use redis_store::codec::{self, Compression};
use redis_store::{RedisConfig, Store};

/// One generated column: its values, nulls as `None`.
#[derive(Debug, Clone)]
enum Col {
    I8(Vec<Option<i8>>),
    I16(Vec<Option<i16>>),
    I32(Vec<Option<i32>>),
    I64(Vec<Option<i64>>),
    U8(Vec<Option<u8>>),
    U16(Vec<Option<u16>>),
    U32(Vec<Option<u32>>),
    U64(Vec<Option<u64>>),
    F32(Vec<Option<f32>>),
    F64(Vec<Option<f64>>),
    Str(Vec<Option<String>>),
    Bool(Vec<Option<bool>>),
    Date(Vec<Option<i32>>),
    Datetime(Vec<Option<i64>>, TimeUnit, Option<&'static str>),
    Cat(Vec<Option<String>>),
}

const ZONES: [Option<&str>; 5] = [
    None,
    Some("UTC"),
    Some("Europe/Amsterdam"),
    Some("America/New_York"),
    Some("Asia/Kolkata"),
];

fn opt<T: std::fmt::Debug + Clone>(
    s: impl Strategy<Value = T>,
    n: usize,
) -> impl Strategy<Value = Vec<Option<T>>> {
    // ~1 in 4 null, and sometimes all null
    prop_oneof![
        9 => proptest::collection::vec(proptest::option::weighted(0.75, s), n),
        1 => Just(vec![None; n]),
    ]
}

fn f64s() -> impl Strategy<Value = f64> {
    prop_oneof![
        4 => any::<f64>(),
        1 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(f64::NEG_INFINITY),
        1 => Just(-0.0),
    ]
}

fn strings() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "\\PC{0,20}",
        Just("naïve café 日本語 🦀👩‍🔬".to_string()),
        "[a-z]{13,40}", // longer than a string view's inline part
    ]
}

fn column(n: usize) -> impl Strategy<Value = Col> {
    prop_oneof![
        opt(any::<i8>(), n).prop_map(Col::I8),
        opt(any::<i16>(), n).prop_map(Col::I16),
        opt(any::<i32>(), n).prop_map(Col::I32),
        opt(any::<i64>(), n).prop_map(Col::I64),
        opt(any::<u8>(), n).prop_map(Col::U8),
        opt(any::<u16>(), n).prop_map(Col::U16),
        opt(any::<u32>(), n).prop_map(Col::U32),
        opt(any::<u64>(), n).prop_map(Col::U64),
        opt(f64s().prop_map(|f| f as f32), n).prop_map(Col::F32),
        opt(f64s(), n).prop_map(Col::F64),
        opt(strings(), n).prop_map(Col::Str),
        opt(any::<bool>(), n).prop_map(Col::Bool),
        opt(-1_000_000i32..1_000_000, n).prop_map(Col::Date),
        (
            opt(-4_000_000_000_000_000i64..4_000_000_000_000_000, n),
            prop_oneof![
                Just(TimeUnit::Nanoseconds),
                Just(TimeUnit::Microseconds),
                Just(TimeUnit::Milliseconds)
            ],
            proptest::sample::select(&ZONES[..]),
        )
            .prop_map(|(v, tu, tz)| Col::Datetime(v, tu, tz)),
        opt(
            proptest::sample::select(vec!["red", "green", "", "blå", "🟦"]).prop_map(String::from),
            n
        )
        .prop_map(Col::Cat),
    ]
}

fn build(cols: &[Col]) -> DataFrame {
    let n = cols.first().map_or(0, len);
    let columns: Vec<Column> = cols
        .iter()
        .enumerate()
        .map(|(i, c)| series(&format!("c{i}"), c).into_column())
        .collect();
    DataFrame::new(n, columns).unwrap()
}

fn len(c: &Col) -> usize {
    match c {
        Col::I8(v) => v.len(),
        Col::I16(v) => v.len(),
        Col::I32(v) | Col::Date(v) => v.len(),
        Col::I64(v) | Col::Datetime(v, ..) => v.len(),
        Col::U8(v) => v.len(),
        Col::U16(v) => v.len(),
        Col::U32(v) => v.len(),
        Col::U64(v) => v.len(),
        Col::F32(v) => v.len(),
        Col::F64(v) => v.len(),
        Col::Str(v) | Col::Cat(v) => v.len(),
        Col::Bool(v) => v.len(),
    }
}

fn series(name: &str, c: &Col) -> Series {
    let name = PlSmallStr::from(name);
    match c {
        Col::I8(v) => Series::new(name, v),
        Col::I16(v) => Series::new(name, v),
        Col::I32(v) => Series::new(name, v),
        Col::I64(v) => Series::new(name, v),
        Col::U8(v) => Series::new(name, v),
        Col::U16(v) => Series::new(name, v),
        Col::U32(v) => Series::new(name, v),
        Col::U64(v) => Series::new(name, v),
        Col::F32(v) => Series::new(name, v),
        Col::F64(v) => Series::new(name, v),
        Col::Str(v) => Series::new(name, v),
        Col::Bool(v) => Series::new(name, v),
        Col::Date(v) => Series::new(name, v).cast(&DataType::Date).unwrap(),
        Col::Datetime(v, tu, tz) => {
            let tz = TimeZone::opt_try_new(*tz).unwrap();
            Series::new(name, v)
                .cast(&DataType::Datetime(*tu, tz))
                .unwrap()
        }
        Col::Cat(v) => Series::new(name, v)
            .cast(&DataType::from_categories(Categories::global()))
            .unwrap(),
    }
}

/// Strict equality: names, dtypes, nulls, and float bit patterns (NaN == NaN).
fn same(a: &DataFrame, b: &DataFrame) -> Result<(), String> {
    if a.height() != b.height() || a.width() != b.width() {
        return Err(format!("shape {:?} vs {:?}", a.shape(), b.shape()));
    }
    for (x, y) in a.columns().iter().zip(b.columns()) {
        let (x, y) = (x.as_materialized_series(), y.as_materialized_series());
        if x.name() != y.name() || x.dtype() != y.dtype() {
            return Err(format!(
                "{}: {:?} vs {}: {:?}",
                x.name(),
                x.dtype(),
                y.name(),
                y.dtype()
            ));
        }
        let equal = match x.dtype() {
            DataType::Float64 => {
                let bits = |s: &Series| {
                    s.f64()
                        .unwrap()
                        .iter()
                        .map(|v| v.map(f64::to_bits))
                        .collect::<Vec<_>>()
                };
                bits(x) == bits(y)
            }
            DataType::Float32 => {
                let bits = |s: &Series| {
                    s.f32()
                        .unwrap()
                        .iter()
                        .map(|v| v.map(f32::to_bits))
                        .collect::<Vec<_>>()
                };
                bits(x) == bits(y)
            }
            DataType::Categorical(..) => {
                let strs = |s: &Series| {
                    s.cast(&DataType::String)
                        .unwrap()
                        .str()
                        .unwrap()
                        .iter()
                        .map(|v| v.map(str::to_owned))
                        .collect::<Vec<_>>()
                };
                strs(x) == strs(y)
            }
            _ => x.equals_missing(y),
        };
        if !equal {
            return Err(format!("column {} differs:\n{x}\n{y}", x.name()));
        }
    }
    Ok(())
}

/// The same frame built differently: split into two chunks at `at`.
fn rechunked(df: &DataFrame, at: usize) -> DataFrame {
    let at = at.min(df.height());
    let mut out = df.slice(0, at);
    out.vstack_mut(&df.slice(at as i64, df.height() - at))
        .unwrap();
    out
}

fn frames() -> impl Strategy<Value = (Vec<Col>, usize)> {
    (0usize..40).prop_flat_map(|n| (proptest::collection::vec(column(n), 1..7), 0..=n))
}

fn runtime() -> &'static tokio::runtime::Runtime {
    static RT: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RT.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap()
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn codec_round_trips_and_keys_are_canonical((cols, at) in frames()) {
        let df = build(&cols);
        for compression in [Compression::default(), Compression::Lz4, Compression::None] {
            let enc = codec::encode(&df, compression).unwrap();
            let back = codec::decode(enc.bytes.clone(), &enc.key).unwrap();
            same(&df, &back).map_err(TestCaseError::fail)?;
            // equal frames, equal keys: built again, chunked differently, decoded
            prop_assert_eq!(codec::encode(&build(&cols), compression).unwrap().key, enc.key);
            prop_assert_eq!(codec::encode(&rechunked(&df, at), compression).unwrap().key, enc.key);
            prop_assert_eq!(codec::encode(&back, compression).unwrap().key, enc.key);
            // slices of a longer column share (and overhang) its buffers
            let mut doubled = df.vstack(&df).unwrap();
            doubled.rechunk_mut();
            let n = df.height();
            prop_assert_eq!(codec::encode(&doubled.slice(0, n), compression).unwrap().key, enc.key);
            prop_assert_eq!(codec::encode(&doubled.slice(n as i64, n), compression).unwrap().key, enc.key);
        }
    }

    #[test]
    fn different_frames_get_different_keys((a, _) in frames(), (b, _) in frames()) {
        let (a, b) = (build(&a), build(&b));
        let ka = codec::encode(&a, Compression::default()).unwrap().key;
        let kb = codec::encode(&b, Compression::default()).unwrap().key;
        prop_assert_eq!(ka == kb, same(&a, &b).is_ok());
    }

    #[test]
    fn memory_store_round_trips((cols, _) in frames()) {
        let df = build(&cols);
        let store = Store::builder().decoded_cache_bytes(0).build();
        let (key, back) = runtime().block_on(async {
            let key = store.put(&df).await.unwrap();
            (key, store.get(&key).await.unwrap())
        });
        same(&df, &back).map_err(TestCaseError::fail)?;
        prop_assert_eq!(key, codec::encode(&df, Compression::default()).unwrap().key);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Through a real Redis, with tiny chunks so most frames are split.
    #[test]
    fn redis_store_round_trips((cols, _) in frames()) {
        let url = common::shared_url();
        let ns = common::unique_ns("prop");
        let df = build(&cols);
        let config = RedisConfig::new(url.as_str()).with_namespace(ns.as_str()).with_chunk_size(1024);
        let store = common::redis_store(config, false);
        let (key, back) = runtime().block_on(async {
            let key = store.put(&df).await.unwrap();
            (key, store.get(&key).await.unwrap())
        });
        common::cleanup(&url, &ns);
        same(&df, &back).map_err(TestCaseError::fail)?;
        prop_assert_eq!(key, codec::encode(&df, Compression::default()).unwrap().key);
    }
}

#[test]
fn zero_rows_and_zero_columns() {
    let empty = DataFrame::empty();
    let enc = codec::encode(&empty, Compression::default()).unwrap();
    let back = codec::decode(enc.bytes, &enc.key).unwrap();
    assert_eq!(back.shape(), (0, 0));
    let cols = vec![
        Col::I64(vec![]),
        Col::Str(vec![]),
        Col::Cat(vec![]),
        Col::Datetime(vec![], TimeUnit::Milliseconds, Some("UTC")),
    ];
    let df = build(&cols);
    let enc = codec::encode(&df, Compression::default()).unwrap();
    same(&df, &codec::decode(enc.bytes, &enc.key).unwrap()).unwrap();
}

#[test]
fn categoricals_do_not_depend_on_the_global_category_table() {
    let cat = DataType::from_categories(Categories::global());
    let make = |v: &[&str]| {
        DataFrame::new(
            v.len(),
            vec![Series::new("c".into(), v).cast(&cat).unwrap().into_column()],
        )
        .unwrap()
    };
    let first = codec::encode(&make(&["q-later", "q-first"]), Compression::default())
        .unwrap()
        .key;
    // grow the process-wide table with other categories, in another order
    let _ = make(&["zzz-1", "q-first", "zzz-2", "q-later"]);
    let again = codec::encode(&make(&["q-later", "q-first"]), Compression::default())
        .unwrap()
        .key;
    assert_eq!(first, again);
}
