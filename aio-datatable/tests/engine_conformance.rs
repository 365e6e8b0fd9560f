//! Conformance of the engine with dash-table 7.4.1's native filter and
//! sort, on adversarial frames, with the expected rows of the examples in
//! `dash-table-semantics.md` (rules 9–21).

use aio_datatable::engine::{EngineError, SortKey, ViewSpec, build_view, parse_sort_by};
use aio_datatable::query::parse;
use polars::prelude::*;
use serde_json::json;

type Case = (&'static str, &'static [u32]);

fn rows(df: &DataFrame, query: &str, sort: Vec<SortKey>) -> Result<Vec<u32>, EngineError> {
    let filter = parse(query).unwrap_or_else(|e| panic!("{query}: {e}"));
    build_view(df, &ViewSpec::new(filter, "", sort)).map(|v| v.indices())
}

fn check(df: &DataFrame, cases: &[Case]) {
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|(q, want)| match rows(df, q, vec![]) {
            Ok(got) if got == *want => None,
            Ok(got) => Some(format!("{q}: got {got:?}, want {want:?}")),
            Err(e) => Some(format!("{q}: error {e}")),
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

fn all(n: u32) -> Vec<u32> {
    (0..n).collect()
}

fn num_frame() -> DataFrame {
    df! {
        "i" => [Some(0i64), Some(42), Some(-1_000_000), Some(10), Some(100), Some(5), Some(20),
                Some(2020), Some(7), Some(-3), Some(2_147_483_647), None],
        "f" => [Some(0.0), Some(-0.0), Some(0.1 + 0.2), Some(1e300), Some(1e-9), Some(5e-324),
                Some(f64::MAX), Some(1e15), Some(20.0), Some(7.5), Some(12.26), None],
        "g" => [Some(f64::NAN), Some(f64::INFINITY), Some(f64::NEG_INFINITY), Some(3.0), Some(-7.0),
                Some(2.0), Some(9.0), Some(42.0), Some(1e300), Some(-0.0), Some(0.5), None],
    }
    .unwrap()
}

#[rustfmt::skip]
const NUM: &[Case] = &[
    // Rule 9: numeric `=`, hex and quoted literals.
    ("{i} = 0x2A", &[1]),
    ("{i} = ' 42 '", &[1]),
    ("{i} = '42'", &[1]),
    ("{i} eq 42", &[1]),
    ("{i} s= 42", &[1]),
    ("{i} ieq 42", &[1]),
    ("{i} = 2147483647.0", &[10]),
    ("{f} = 0", &[0, 1]),
    ("{f} = -0", &[0, 1]),
    ("{f} = 0.3", &[]),
    ("{f} = 0.30000000000000004", &[2]),
    ("{f} ieq 1E+300", &[3]),
    // Rule 10: strict `!=`, nulls pass.
    ("{i} != 42", &[0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]),
    ("{i} ne 42", &[0, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]),
    ("{i} != {i}", &[]),
    // Rule 11: null is 0; `i` compares text.
    ("{f} < 5", &[0, 1, 2, 4, 5, 11]),
    ("{i} < 5", &[0, 2, 9, 11]),
    ("5 > {i}", &[0, 2, 9, 11]),
    ("{i} <= -3", &[2, 9]),
    ("{f} > 1e299", &[3, 6]),
    ("{i} i< 5", &[0, 1, 2, 3, 4, 6, 7, 9, 10]),
    ("{i} >= {f}", &[0, 1, 4, 5, 10, 11]),
    // Rule 14: `contains` needs a string side; JS number formatting.
    ("{i} contains 4", &[]),
    ("{i} icontains 4", &[]),
    ("{i} contains '4'", &[1, 10]),
    ("{f} contains e", &[3, 4, 5, 6]),
    ("{f} contains '+'", &[3, 6]),
    // Rule 15: numbers are stringified, then normalized.
    ("{i} datestartswith 2020", &[6, 7]),
    ("{f} datestartswith 2020", &[8]),
    // Rule 16: JS `%`, the table's `is prime`.
    ("{i} is even", &[0, 1, 2, 3, 4, 6, 7]),
    ("{i} is odd", &[5, 8, 10]),
    ("{i} is prime", &[5, 8, 10]),
    ("{f} is prime", &[9, 10]),
    ("{f} is even", &[0, 1, 3, 6, 7, 8]),
    ("{f} is num", &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
    ("{i} is nil", &[11]),
    // NaN and ±inf are null cells (JSON cannot carry them).
    ("{g} is nil", &[0, 1, 2, 11]),
    ("{g} < 1", &[0, 1, 2, 4, 9, 10, 11]),
    ("{g} is odd", &[3, 6]),
    ("{g} is prime", &[3, 5]),
    ("{g} is even", &[5, 7, 8, 9]),
    // Logic and literals on the left (rule 6).
    ("{i} = 5 || {i} = 7", &[5, 8]),
    ("!({i} < 100)", &[4, 7, 10]),
    ("{i} > 0 && !({i} = 42)", &[3, 4, 5, 6, 7, 8, 10]),
    ("i = 1", &[]),
];

#[test]
fn numbers() {
    let df = num_frame();
    check(&df, NUM);
    for q in ["{i} != '42'", "{i} = {i}", "1 = 1", "'apple' = apple", ""] {
        assert_eq!(rows(&df, q, vec![]).unwrap(), all(12), "{q}");
    }
}

fn str_frame() -> DataFrame {
    df! {
        "s" => [Some("42"), Some("42.0"), Some(" 42"), Some("42 "), Some("0x2A"), Some("4.2e1"),
                Some("Infinity"), Some("1e3"), Some("2020"), Some(""), Some(" "), Some("-0"),
                Some(".5"), Some("null"), Some("apple"), Some("Apple"), Some("straße"),
                Some("STRASSE"), Some("ß"), None, Some("Z"), Some("a"), Some("😀"), Some("～"),
                Some("true")],
    }
    .unwrap()
}

#[rustfmt::skip]
const STR: &[Case] = &[
    ("{s} = 42", &[0, 1, 2, 3, 4, 5]),
    ("{s} = '42'", &[0, 1, 2, 3, 4, 5]),
    ("{s} = 0x2a", &[0, 1, 2, 3, 4, 5]),
    ("{s} = null", &[13]),
    ("{s} = apple", &[14]),
    ("{s} > 40", &[0, 1, 2, 3, 4, 5, 6, 7, 8]),
    ("{s} < 5", &[9, 10, 11, 12, 19]),
    ("{s} is blank", &[9, 19]),
    ("{s} is num", &[]),
    ("{s} is even", &[]),
    ("{s} icontains ß", &[16, 17, 18]),
    ("{s} icontains ss", &[16, 17, 18]),
    ("{s} contains ß", &[16, 18]),
    ("{s} ieq apple", &[14, 15]),
    ("{s} I= apple", &[14]),
    ("{s} contains 42", &[0, 1, 2, 3]),
    ("{s} < 'a'", &[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 15, 17, 20]),
    ("{s} i< 'b'", &[0, 1, 2, 3, 4, 5, 7, 8, 9, 10, 11, 12, 14, 15, 21]),
    // UTF-16 order: U+FF5E sorts after the emoji's surrogates.
    ("{s} > '😀'", &[23]),
    ("{s} datestartswith 2020", &[8]),
    // Rule 13: the table throws on the null under `&&`; here it just fails.
    ("!({s} is nil) && {s} ieq apple", &[14, 15]),
    ("{s} is nil || {s} ieq apple", &[14, 15, 19]),
];

#[test]
fn strings() {
    let df = str_frame();
    check(&df, STR);
    let but = |skip: &[u32]| {
        all(25)
            .into_iter()
            .filter(|i| !skip.contains(i))
            .collect::<Vec<_>>()
    };
    assert_eq!(rows(&df, "{s} != 42", vec![]).unwrap(), all(25));
    assert_eq!(rows(&df, "{s} >= ''", vec![]).unwrap(), all(25));
    assert_eq!(rows(&df, "{s} = {s}", vec![]).unwrap(), all(25));
    assert_eq!(rows(&df, "{s} != '42'", vec![]).unwrap(), but(&[0]));
    assert_eq!(rows(&df, "{s} is str", vec![]).unwrap(), but(&[19]));
    assert_eq!(rows(&df, "{s} contains ''", vec![]).unwrap(), but(&[19]));
    assert_eq!(rows(&df, "{s} < '～'", vec![]).unwrap(), but(&[19, 23]));
    // `i=` tests numbers on the raw values and only then upper-cases:
    // '0xﬀ' is not numeric, but its upper case is '0XFF'. An unquoted 0XFF
    // is the number 255, whose toString() is '255'.
    let df = df! { "h" => [Some("0xﬀ"), Some("0xff"), Some("255"), None, Some("0XFF")] }.unwrap();
    assert_eq!(rows(&df, "{h} i= '0XFF'", vec![]).unwrap(), [0, 1, 2, 4]);
    assert_eq!(rows(&df, "{h} i= 0XFF", vec![]).unwrap(), [1, 2, 4]);
    assert_eq!(rows(&df, "{h} = '0XFF'", vec![]).unwrap(), [1, 2, 4]);
    assert_eq!(rows(&df, "{h} i= '0xﬀ'", vec![]).unwrap(), [0, 1, 4]);
}

#[rustfmt::skip]
const BOOL: &[Case] = &[
    ("{b} = true", &[]),
    ("{b} ieq TRUE", &[0, 3]),
    ("{b} > 0", &[0, 3]),
    ("{b} <= false", &[]),
    ("{b} contains tru", &[0, 3]),
    ("{bn} < 1", &[1, 2, 3]),
    ("{b} is bool", &[0, 1, 3]),
    ("{b} != true", &[0, 1, 2, 3]),
    ("{b} = {bn}", &[0, 1, 2]),
    ("{b} is blank", &[2]),
];

#[test]
fn booleans() {
    let df = df! {
        "b" => [Some(true), Some(false), None, Some(true)],
        "bn" => [Some(true), Some(false), None, Some(false)],
    }
    .unwrap();
    check(&df, BOOL);
}

fn categorical(name: &str, values: &[Option<&str>]) -> Column {
    Series::new(name.into(), values)
        .cast(&DataType::from_categories(Categories::global()))
        .unwrap()
        .into()
}

#[rustfmt::skip]
const CAT: &[Case] = &[
    ("{cat} I= RED", &[]),
    ("{cat} Ieq RED", &[]),
    ("{cat} i= RED", &[0, 1]),
    ("{cat} = red", &[0]),
    ("{cat} ICONTAINS re", &[0]),
    ("{cat} icontains RE", &[0, 1, 2]),
    ("{cat} < 'a'", &[1, 2, 5]),
    ("{cat} is str", &[0, 1, 2, 3, 5, 6]),
];

#[test]
fn categoricals() {
    let values = [
        Some("red"),
        Some("Red"),
        Some("GREEN"),
        Some("black"),
        None,
        Some("Zürich"),
        Some("blue"),
    ];
    let df = DataFrame::new_infer_height(vec![categorical("cat", &values)]).unwrap();
    check(&df, CAT);
    let sorted = rows(&df, "", vec![SortKey::asc("cat")]).unwrap();
    assert_eq!(sorted, [2, 1, 5, 3, 6, 0, 4]);
}

fn date_frame() -> DataFrame {
    let days = |y: i32, m: u32, d: u32| {
        // Days since 1970-01-01, proleptic Gregorian.
        let (y, m) = if m <= 2 { (y - 1, m + 9) } else { (y, m - 3) };
        let era = y.div_euclid(400);
        let yoe = y.rem_euclid(400);
        let doy = (153 * m as i32 + 2) / 5 + d as i32 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    };
    let ms = |y, mo, d, h: i64, mi: i64, s: i64, frac: i64| {
        i64::from(days(y, mo, d)) * 86_400_000 + ((h * 60 + mi) * 60 + s) * 1000 + frac
    };
    let d = Int32Chunked::from_iter([
        Some(days(2020, 1, 1)),
        Some(days(2020, 1, 15)),
        Some(days(2021, 3, 1)),
        Some(days(1999, 12, 31)),
        None,
        Some(days(2020, 2, 29)),
        Some(days(20, 6, 1)),
        Some(days(2019, 12, 31)),
        Some(days(2020, 1, 5)),
    ])
    .into_date()
    .into_series()
    .with_name("d".into());
    let dt = Int64Chunked::from_iter([
        Some(ms(2020, 1, 1, 0, 0, 0, 0)),
        Some(ms(2020, 1, 1, 10, 30, 0, 0)),
        Some(ms(2019, 12, 31, 23, 59, 59, 500)),
        None,
        Some(ms(2020, 1, 1, 0, 0, 0, 1)),
        Some(ms(2021, 6, 15, 12, 0, 0, 0)),
        Some(ms(1999, 12, 31, 23, 59, 59, 0)),
        Some(ms(2020, 1, 15, 0, 0, 0, 0)),
        Some(ms(2020, 1, 5, 10, 30, 0, 0)),
    ])
    .into_datetime(TimeUnit::Milliseconds, None)
    .into_series()
    .with_name("dt".into());
    let dstr = Series::new(
        "dstr".into(),
        [
            Some("2020-1-5"),
            Some("20-01-05"),
            Some("  2020-01-05  "),
            Some("2020-01-05t10:30"),
            Some("2020-01-05T10:30+02:00"),
            Some("2020-01-15"),
            Some("2020-02-30"),
            Some("2020-01-05"),
            None,
        ],
    );
    DataFrame::new_infer_height(vec![d.into(), dt.into(), dstr.into()]).unwrap()
}

#[rustfmt::skip]
const DATE: &[Case] = &[
    ("{d} < 2000", &[4]),
    ("{d} > 2020", &[]),
    ("{d} >= 0", &[4]),
    ("{dt} <= '2020-01-01'", &[2, 6]),
    ("{dt} > '2020'", &[0, 1, 4, 5, 7, 8]),
    ("{d} datestartswith 2020", &[0, 1, 5, 8]),
    ("{d} datestartswith 2020-1", &[0, 1, 8]),
    ("{d} datestartswith 2020-01", &[0, 1, 8]),
    ("{d} datestartswith 20", &[0, 1, 5, 8]),
    ("{d} datestartswith 0020", &[0, 1, 5, 8]),
    ("{d} datestartswith '0020'", &[6]),
    ("{d} datestartswith 202", &[]),
    ("{d} datestartswith 99", &[3]),
    ("{d} datestartswith 0099", &[3]),
    ("{d} datestartswith -0044", &[]),
    ("{d} datestartswith '2020-01-01T00'", &[]),
    ("{dt} datestartswith '2020-01-01T00'", &[0, 4]),
    ("{dt} datestartswith '2020-01-01 10:30'", &[1]),
    ("{dt} datestartswith 2020-01", &[0, 1, 4, 7, 8]),
    ("{dstr} datestartswith 2020-01-05", &[0, 1, 2, 3, 4, 7]),
    ("{dstr} datestartswith 2020-01", &[0, 1, 2, 3, 4, 5, 7]),
    ("{dstr} datestartswith '2020-01-05 10'", &[3, 4]),
    ("{d} = 2020-01-01", &[0]),
    ("{d} contains '-01-'", &[0, 1, 8]),
    ("{d} is str", &[0, 1, 2, 3, 5, 6, 7, 8]),
];

#[test]
fn dates() {
    let df = date_frame();
    check(&df, DATE);
    assert_eq!(
        rows(&df, "", vec![SortKey::asc("d")]).unwrap(),
        [6, 3, 7, 0, 8, 1, 5, 2, 4]
    );
    assert_eq!(
        rows(&df, "", vec![SortKey::desc("dt")]).unwrap(),
        [5, 7, 8, 1, 4, 0, 2, 6, 3]
    );
    // Years beyond four digits are no dates for the table's regex, and they
    // sort by their cell strings ('+10000-…' < '-0044-…' < '1999-…').
    let d = Int32Chunked::from_iter([
        Some(-4_371_953),
        Some(2_932_897),
        Some(-735_599),
        Some(10_957),
    ])
    .into_date()
    .into_series()
    .with_name("d".into());
    let df = DataFrame::new_infer_height(vec![d.into()]).unwrap();
    let json = aio_datatable::engine::page_to_json(&df);
    let cells: Vec<_> = json
        .iter()
        .map(|r| r["d"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        cells,
        ["-10000-01-01", "+10000-01-01", "-0044-01-01", "2000-01-01"]
    );
    assert_eq!(
        rows(&df, "{d} datestartswith '-1000'", vec![]).unwrap(),
        Vec::<u32>::new()
    );
    assert_eq!(
        rows(&df, "{d} datestartswith '-0044'", vec![]).unwrap(),
        [2]
    );
    assert_eq!(
        rows(&df, "{d} datestartswith '+1000'", vec![]).unwrap(),
        Vec::<u32>::new()
    );
    assert_eq!(
        rows(&df, "", vec![SortKey::asc("d")]).unwrap(),
        [1, 2, 0, 3]
    );
}

#[test]
fn time_zones_use_wall_time() {
    // 2020-01-01T00:00:00Z and 2020-06-30T23:30:00Z in Berlin.
    let dt = Int64Chunked::from_iter([Some(1_577_836_800_000i64), Some(1_593_559_800_000), None])
        .into_datetime(
            TimeUnit::Milliseconds,
            TimeZone::opt_try_new(Some("Europe/Berlin")).unwrap(),
        )
        .into_series()
        .with_name("t".into());
    let df = DataFrame::new_infer_height(vec![dt.into()]).unwrap();
    assert_eq!(
        rows(&df, "{t} datestartswith '2020-01-01 01'", vec![]).unwrap(),
        [0]
    );
    assert_eq!(
        rows(&df, "{t} datestartswith 2020-07-01", vec![]).unwrap(),
        [1]
    );
    assert_eq!(
        rows(&df, "{t} = '2020-07-01T01:30:00+02:00'", vec![]).unwrap(),
        [1]
    );
    assert_eq!(rows(&df, "", vec![SortKey::desc("t")]).unwrap(), [1, 0, 2]);
}

#[test]
fn unknown_columns_are_explicit() {
    let df = num_frame();
    for q in [
        "{nope} = 1",
        "{nope} != 1",
        "{nope} is nil",
        "{i} = 0 || {nope} = 1",
        "{I} = 1",
    ] {
        match rows(&df, q, vec![]) {
            Err(EngineError::UnknownColumn { name, available }) => {
                assert!(q.contains(&format!("{{{name}}}")));
                assert_eq!(available, ["i", "f", "g"]);
            }
            other => panic!("{q}: {other:?}"),
        }
    }
    let e = rows(&df, "{I} = 1", vec![]).unwrap_err().to_string();
    assert!(e.contains("did you mean `i`?"), "{e}");
    let e = rows(&df, "", vec![SortKey::asc("nope")]).unwrap_err();
    assert!(matches!(e, EngineError::UnknownColumn { .. }), "{e}");
}

#[test]
fn sorting() {
    let words = [
        Some("black"),
        Some("Red"),
        Some("～"),
        Some("GREEN"),
        None,
        Some("ｶﾀｶﾅ"),
        Some("😀"),
        Some("Zürich"),
        Some(""),
        Some("red"),
    ];
    let df = df! {
        "w" => words,
        "x" => [Some(0.0), Some(-0.0), Some(f64::NAN), Some(1.0), None, Some(-0.0), Some(f64::INFINITY),
                Some(-5.0), Some(1.0), Some(0.0)],
        "b" => [Some(true), Some(false), None, Some(true), Some(false), Some(true), Some(false), None,
                Some(true), Some(false)],
        "z" => Series::full_null("z".into(), 10, &DataType::Null),
    }
    .unwrap();
    let sort = |keys: Vec<SortKey>| rows(&df, "", keys).unwrap();
    // Rule 20: UTF-16 order; rule 18: nulls last both ways, '' first.
    assert_eq!(
        sort(vec![SortKey::asc("w")]),
        [8, 3, 1, 7, 0, 9, 6, 2, 5, 4]
    );
    assert_eq!(
        sort(vec![SortKey::desc("w")]),
        [5, 2, 6, 9, 0, 7, 1, 3, 8, 4]
    );
    // Rule 19: stable, -0 ties 0; NaN and inf are null cells, last.
    assert_eq!(
        sort(vec![SortKey::asc("x")]),
        [7, 0, 1, 5, 9, 3, 8, 2, 4, 6]
    );
    assert_eq!(
        sort(vec![SortKey::desc("x")]),
        [3, 8, 0, 1, 5, 9, 7, 2, 4, 6]
    );
    assert_eq!(
        sort(vec![SortKey::asc("b")]),
        [1, 4, 6, 9, 0, 3, 5, 8, 2, 7]
    );
    assert_eq!(
        sort(vec![SortKey::desc("b")]),
        [0, 3, 5, 8, 1, 4, 6, 9, 2, 7]
    );
    // A column of nulls changes nothing.
    assert_eq!(sort(vec![SortKey::desc("z")]), all(10));
    // Later keys break ties (rule 21).
    assert_eq!(
        sort(vec![SortKey::asc("b"), SortKey::desc("x")]),
        [1, 9, 4, 6, 3, 8, 0, 5, 7, 2]
    );
    // Any direction but "desc" is ascending; a repeated column adds nothing.
    let keys = parse_sort_by(&json!([
        {"column_id": "b", "direction": "none"},
        {"column_id": "b", "direction": "desc"},
        {"column_id": "x", "direction": "desc"},
    ]))
    .unwrap();
    assert_eq!(sort(keys), [1, 9, 4, 6, 3, 8, 0, 5, 7, 2]);
    // Filtering happens before sorting.
    assert_eq!(
        rows(&df, "{x} >= 0", vec![SortKey::desc("x")]).unwrap(),
        [3, 8, 0, 1, 5, 9, 2, 4, 6]
    );
}

#[test]
fn datestartswith_boundaries_on_datetimes() {
    // 2020-01-01T00:00:00Z in ms, and offsets around each boundary.
    const MIDNIGHT: i64 = 1_577_836_800_000;
    const DAY: i64 = 86_400_000;
    let offsets_ms: [i64; 14] = [
        -1,            // 0: 2019-12-31T23:59:59.999
        0,             // 1
        999,           // 2
        1000,          // 3
        59_999,        // 4
        60_000,        // 5
        3_599_999,     // 6
        3_600_000,     // 7
        DAY - 1,       // 8
        DAY,           // 9: 2020-01-02
        31 * DAY - 1,  // 10: 2020-01-31T23:59:59.999
        31 * DAY,      // 11: 2020-02-01
        366 * DAY - 1, // 12: 2020-12-31T23:59:59.999
        366 * DAY,     // 13: 2021-01-01
    ];
    let cases: [(&str, &[u32]); 8] = [
        ("2020-01-01 00:00:00", &[1, 2]),
        ("2020-01-01T00:00", &[1, 2, 3, 4]),
        ("2020-01-01 00", &[1, 2, 3, 4, 5, 6]),
        ("2020-01-01", &[1, 2, 3, 4, 5, 6, 7, 8]),
        ("2020-01", &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
        ("2020", &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
        ("2019-12-31 23:59:59", &[0]),
        ("2020-01-01 00:00:00.9", &[2]),
    ];
    for (unit, per_ms) in [
        (TimeUnit::Milliseconds, 1i64),
        (TimeUnit::Microseconds, 1000),
        (TimeUnit::Nanoseconds, 1_000_000),
    ] {
        for tz in [None, Some("UTC")] {
            let values = offsets_ms.iter().map(|o| Some((MIDNIGHT + o) * per_ms));
            let dt = Int64Chunked::from_iter(values)
                .into_datetime(unit, TimeZone::opt_try_new(tz).unwrap())
                .into_series()
                .with_name("t".into());
            let df = DataFrame::new_infer_height(vec![dt.into()]).unwrap();
            for (prefix, want) in cases {
                let got = rows(&df, &format!("{{t}} datestartswith '{prefix}'"), vec![]).unwrap();
                assert_eq!(got, want, "{prefix} on {unit:?} {tz:?}");
            }
            // One unit before the next second still belongs to it.
            let last = Int64Chunked::from_iter([Some((MIDNIGHT + 1000) * per_ms - 1)])
                .into_datetime(unit, None)
                .into_series()
                .with_name("t".into());
            let df = DataFrame::new_infer_height(vec![last.into()]).unwrap();
            assert_eq!(
                rows(&df, "{t} datestartswith '2020-01-01 00:00:00'", vec![]).unwrap(),
                [0]
            );
        }
    }
    // Dates have no time: a literal with hours never matches.
    let d = Int32Chunked::from_iter([Some(18_262), Some(18_261)])
        .into_date()
        .into_series()
        .with_name("d".into());
    let df = DataFrame::new_infer_height(vec![d.into()]).unwrap();
    assert_eq!(
        rows(&df, "{d} datestartswith '2020-01-01 00'", vec![]).unwrap(),
        Vec::<u32>::new()
    );
    assert_eq!(
        rows(&df, "{d} datestartswith 2019-12-31", vec![]).unwrap(),
        [1]
    );
}
