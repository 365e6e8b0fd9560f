//! The engine against a naive reference: random frames × random filter
//! trees × random sorts, evaluated row by row over JS-like values with the
//! rules of `dash-table-semantics.md`, written here independently of the
//! engine (own cell conversion, number printing, date regex, comparator).

use std::cmp::Ordering;
use std::sync::LazyLock;

use aio_datatable::engine::{SortKey, View, ViewSpec, build_view, page_to_json};
use aio_datatable::query::{
    Case, Check, Expr, Literal, Operand, Query, RelOp, js_to_number, numeric_value,
};
use polars::prelude::*;
use proptest::prelude::*;

// ---------------------------------------------------------------- cells

/// A cell as the browser sees it.
#[derive(Debug, Clone, PartialEq)]
enum J {
    Null,
    Num(f64),
    Str(String),
    Bool(bool),
}

fn civil(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

fn ymd(days: i64) -> String {
    let (y, m, d) = civil(days);
    let year = match y {
        0..=9999 => format!("{y:04}"),
        y if y < 0 => format!("-{:04}", -y),
        y => format!("+{y}"),
    };
    format!("{year}-{m:02}-{d:02}")
}

/// Every column of `df` as JS values, in frame order.
fn cells(df: &DataFrame) -> Vec<(String, Vec<J>)> {
    df.columns()
        .iter()
        .map(|c| {
            let s = match c.dtype() {
                DataType::Categorical(..) => c.cast(&DataType::String).unwrap(),
                _ => c.clone(),
            };
            let s = s.as_materialized_series().rechunk();
            let vals = s
                .iter()
                .map(|v| match v {
                    AnyValue::Null => J::Null,
                    AnyValue::Boolean(b) => J::Bool(b),
                    AnyValue::Int64(v) => J::Num(v as f64),
                    AnyValue::Float64(v) if v.is_finite() => J::Num(v),
                    AnyValue::Float64(_) => J::Null,
                    AnyValue::String(s) => J::Str(s.to_owned()),
                    AnyValue::Date(d) => J::Str(ymd(i64::from(d))),
                    AnyValue::Datetime(ms, TimeUnit::Milliseconds, None) => {
                        let (days, rem) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
                        let (h, mi, sec, frac) = (
                            rem / 3_600_000,
                            rem / 60_000 % 60,
                            rem / 1000 % 60,
                            rem % 1000,
                        );
                        let frac = if frac == 0 {
                            String::new()
                        } else {
                            format!(".{frac:03}")
                        };
                        J::Str(format!("{}T{h:02}:{mi:02}:{sec:02}{frac}", ymd(days)))
                    }
                    other => panic!("unexpected cell {other:?}"),
                })
                .collect();
            (c.name().to_string(), vals)
        })
        .collect()
}

// ------------------------------------------------------ JS behaviour

/// `Number.prototype.toString`, derived from Rust's plain shortest print.
fn js_num_str(v: f64) -> String {
    if v == 0.0 {
        return "0".into();
    }
    let sign = if v < 0.0 { "-" } else { "" };
    let plain = format!("{}", v.abs()); // shortest digits, never exponent
    let (int, frac) = plain.split_once('.').unwrap_or((&plain, ""));
    let all = format!("{int}{frac}");
    let lead = all.len() - all.trim_start_matches('0').len();
    let digits = all.trim_matches('0');
    // value = 0.digits × 10^n
    let n = int.trim_start_matches('0').len() as i64
        - if int.trim_start_matches('0').is_empty() {
            (lead - int.len()) as i64
        } else {
            0
        };
    let k = digits.len() as i64;
    let body = if k <= n && n <= 21 {
        format!("{digits}{}", "0".repeat((n - k) as usize))
    } else if 0 < n && n <= 21 {
        format!("{}.{}", &digits[..n as usize], &digits[n as usize..])
    } else if -6 < n && n <= 0 {
        format!("0.{}{digits}", "0".repeat((-n) as usize))
    } else {
        let e = n - 1;
        let mant = if k == 1 {
            digits.to_owned()
        } else {
            format!("{}.{}", &digits[..1], &digits[1..])
        };
        format!("{mant}e{}{}", if e >= 0 { "+" } else { "-" }, e.abs())
    };
    format!("{sign}{body}")
}

fn to_str(v: &J) -> Option<String> {
    match v {
        J::Null => None,
        J::Num(n) => Some(js_num_str(*n)),
        J::Str(s) => Some(s.clone()),
        J::Bool(b) => Some(b.to_string()),
    }
}

fn is_numeric(v: &J) -> Option<f64> {
    match v {
        J::Num(n) => Some(*n),
        J::Str(s) => numeric_value(s),
        _ => None,
    }
}

fn to_number(v: &J) -> f64 {
    match v {
        J::Null => 0.0,
        J::Num(n) => *n,
        J::Bool(b) => f64::from(u8::from(*b)),
        J::Str(s) => js_to_number(s).unwrap_or(f64::NAN),
    }
}

/// JS abstract relational comparison of `a` and `b` (`None` = undefined).
fn js_cmp(a: &J, b: &J) -> Option<Ordering> {
    match (a, b) {
        (J::Str(x), J::Str(y)) => Some(x.encode_utf16().cmp(y.encode_utf16())),
        _ => to_number(a).partial_cmp(&to_number(b)),
    }
}

static DATE_RE: LazyLock<regex::Regex> = LazyLock::new(|| {
    let ws = r"[\t\n\x0B\x0C\r \xA0\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF}]";
    let d = "[0-9]";
    regex::Regex::new(&format!(
        r"(?m)^{ws}*(-?{d}{{4}}|{d}{{2}})(-({d}{{1,2}})(-({d}{{1,2}})([ Tt]([01]?{d}|2[0-3])(:([0-5]{d})(:([0-5]{d}(\.{d}+)?))?(Z|z|[+\-]{d}{{2}}:?{d}{{2}})?)?)?)?)?{ws}*$"
    ))
    .unwrap()
});

fn yfirst() -> i64 {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs()
        / 86_400;
    civil(days as i64).0 - 70
}

/// dash-table's `normalizeDate(value, {allow_YY: true})`.
fn normalize(text: &str) -> Option<String> {
    // Rust's `(?m)` only knows `\n`; every JS line terminator is `\s`, so
    // turning them into `\n` changes nothing else.
    let t: String = text
        .chars()
        .map(|c| {
            if matches!(c, '\r' | '\u{2028}' | '\u{2029}') {
                '\n'
            } else {
                c
            }
        })
        .collect();
    let c = DATE_RE.captures(&t)?;
    let g = |i: usize| c.get(i).map(|m| m.as_str());
    let yt = g(1)?;
    let y: i64 = if yt.len() == 2 {
        (yt.parse::<i64>().ok()? + 2000 - yfirst()) % 100 + yfirst()
    } else {
        yt.parse().ok()?
    };
    let num = |i: usize, d: i64| g(i).map_or(d, |s| s.parse().unwrap());
    let (m, d, h, mi) = (num(3, 1), num(5, 1), num(7, 0), num(9, 0));
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let dim = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&m) || d < 1 || d > dim[(m - 1) as usize] {
        return None;
    }
    let full = format!(
        "{:04}-{m:02}-{d:02} {h:02}:{mi:02}:{}",
        y.abs(),
        g(11).unwrap_or("")
    );
    let len = [(11, 29), (9, 16), (7, 13), (5, 10), (3, 7)]
        .iter()
        .find(|(i, _)| g(*i).is_some())
        .map_or(4, |p| p.1);
    Some(format!(
        "{}{}",
        if y < 0 { "-" } else { "" },
        &full[..len.min(full.len())]
    ))
}

fn js_prime(c: f64) -> bool {
    if c == 2.0 {
        return true;
    }
    if c < 2.0 || c % 2.0 == 0.0 {
        return false;
    }
    let mut n = 3.0;
    while n * n <= c {
        if c % n == 0.0 {
            return false;
        }
        n += 2.0;
    }
    true
}

// ------------------------------------------------------- evaluation

fn compare(op: RelOp, case: Case, l: &J, r: &J) -> bool {
    let i = case == Case::Insensitive;
    // With `i`, the table calls `toString().toUpperCase()`; on null that
    // throws, which the engine turns into "no match".
    let up = || Some((to_str(l)?.to_uppercase(), to_str(r)?.to_uppercase()));
    let ord = |f: fn(Ordering) -> bool| {
        if i {
            up().is_some_and(|(a, b)| f(a.encode_utf16().cmp(b.encode_utf16())))
        } else {
            js_cmp(l, r).is_some_and(f)
        }
    };
    match op {
        RelOp::Eq => match (is_numeric(l), is_numeric(r)) {
            (Some(a), Some(b)) => a == b,
            _ if i => up().is_some_and(|(a, b)| a == b),
            _ => l == r, // `===`; cells hold no NaN
        },
        RelOp::Ne if i => up().is_some_and(|(a, b)| a != b),
        RelOp::Ne => l != r,
        RelOp::Lt => ord(Ordering::is_lt),
        RelOp::Le => ord(Ordering::is_le),
        RelOp::Gt => ord(Ordering::is_gt),
        RelOp::Ge => ord(Ordering::is_ge),
        RelOp::Contains => {
            (matches!(l, J::Str(_)) || matches!(r, J::Str(_)))
                && match (to_str(l), to_str(r)) {
                    (Some(a), Some(b)) if i => a.to_uppercase().contains(&b.to_uppercase()),
                    (Some(a), Some(b)) => a.contains(&b),
                    _ => false,
                }
        }
        RelOp::DateStartsWith => {
            let norm = |v: &J| match v {
                J::Num(_) | J::Str(_) => normalize(&to_str(v)?),
                _ => None,
            };
            matches!((norm(l), norm(r)), (Some(a), Some(b)) if a.starts_with(&b))
        }
    }
}

fn check(check: Check, v: &J) -> bool {
    match (check, v) {
        (Check::Blank, J::Null) | (Check::Nil, J::Null) => true,
        (Check::Blank, J::Str(s)) => s.is_empty(),
        (Check::Bool, J::Bool(_)) | (Check::Num, J::Num(_)) | (Check::Str, J::Str(_)) => true,
        (Check::Even, J::Num(n)) => n % 2.0 == 0.0,
        (Check::Odd, J::Num(n)) => n % 2.0 == 1.0,
        (Check::Prime, J::Num(n)) => js_prime(*n),
        _ => false,
    }
}

fn eval(e: &Expr, row: &dyn Fn(&str) -> J) -> bool {
    let val = |o: &Operand| match o {
        Operand::Field(f) => row(f),
        Operand::Literal(Literal::Num { value, .. }) => J::Num(*value),
        Operand::Literal(Literal::Str(s)) => J::Str(s.clone()),
    };
    match e {
        Expr::And(a, b) => eval(a, row) & eval(b, row),
        Expr::Or(a, b) => eval(a, row) || eval(b, row),
        Expr::Not(a) => !eval(a, row),
        Expr::Compare {
            op,
            case,
            left,
            right,
        } => compare(*op, *case, &val(left), &val(right)),
        Expr::Is { operand, check: c } => check(*c, &val(operand)),
    }
}

/// dash-table's sort comparator for one key: nulls last both ways.
fn key_cmp(a: &J, b: &J, descending: bool) -> Ordering {
    let o = match (a, b) {
        (J::Null, J::Null) => return Ordering::Equal,
        (J::Null, _) => return Ordering::Greater,
        (_, J::Null) => return Ordering::Less,
        (J::Num(x), J::Num(y)) => x.partial_cmp(y).unwrap(),
        (J::Str(x), J::Str(y)) => x.encode_utf16().cmp(y.encode_utf16()),
        (J::Bool(x), J::Bool(y)) => x.cmp(y),
        _ => panic!("mixed column"),
    };
    if descending { o.reverse() } else { o }
}

fn reference(df: &DataFrame, spec: &ViewSpec) -> Vec<u32> {
    let cols = cells(df);
    let get = |name: &str, r: usize| cols.iter().find(|c| c.0 == name).unwrap().1[r].clone();
    let mut rows: Vec<usize> = (0..df.height())
        .filter(|&r| {
            spec.filter
                .root
                .as_ref()
                .is_none_or(|e| eval(e, &|n| get(n, r)))
        })
        .collect();
    let row_cmp = |&a: &usize, &b: &usize| {
        spec.sort
            .iter()
            .map(|k| key_cmp(&get(&k.column, a), &get(&k.column, b), k.descending))
            .find(|o| o.is_ne())
            .unwrap_or(Ordering::Equal)
    };
    rows.sort_by(row_cmp); // stable
    for w in rows.windows(2) {
        let o = row_cmp(&w[0], &w[1]);
        assert!(
            o.is_lt() || (o.is_eq() && w[0] < w[1]),
            "reference order broken"
        );
    }
    rows.into_iter().map(|r| r as u32).collect()
}

// ------------------------------------------------------- strategies

const COLS: [&str; 8] = ["i", "f", "s", "b", "d", "dt", "c", "z"];

#[rustfmt::skip]
const STRINGS: &[&str] = &[
    "", " ", "42", "42.0", " 42", "42 ", "0x2A", "0x2a", "4.2e1", "Infinity", "-Infinity", "1e3", "2020",
    "20", "-0", ".5", "5.", "null", "true", "apple", "Apple", "APPLE", "straße", "STRASSE", "ß", "Z", "a",
    "😀", "～", "ｶﾀｶﾅ", "\u{E000}", "\u{10FFFF}", "2020-1-5", "20-01-05", "  2020-01-05  ", "2020-01-05t10:30",
    "2020-01-05T10:30:00+02:00", "2020-02-30", "2020-02-29", "99", "0099", "-0044-01-01", "x\n2020",
    "2020\rx", "0xﬀ", "ﬀ", "ı", "İ", "1e400", "2019-12-31", "2020-01-01", "2020-01-01 00", "2020-01-01T10:30",
    "2019-12-25 13:46:40", "2019-12", "2020-1", "19", "2019-12-31 23:59:59.5", "2020-02", "2020-03-01",
    "2019-12-28T05", "2019-12-28T05:20", "2019-12-28 05:20:00", "0xff", "0XFF", "0.5", "b", "B",
];

fn string() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(STRINGS).prop_map(str::to_owned),
        1 => "[a-cA-C0-9 .eEx\\-😀～ßİ\u{E000}\u{10FFFF}]{0,5}",
    ]
}

fn nullable<T: std::fmt::Debug + Clone>(
    s: impl Strategy<Value = T>,
) -> impl Strategy<Value = Option<T>> {
    prop_oneof![1 => Just(None), 4 => s.prop_map(Some)]
}

fn int() -> impl Strategy<Value = i64> {
    prop_oneof![
        4 => -30i64..30,
        1 => prop::sample::select(vec![2_147_483_647, 9_007_199_254_740_991, 9_007_199_254_740_993, -9_007_199_254_740_993,
            i64::MAX, i64::MIN, 2020, 1999, 99, 42, 1_000_000, -1_000_000, 7919]),
    ]
}

fn float() -> impl Strategy<Value = f64> {
    prop_oneof![
        2 => prop::sample::select(vec![f64::NAN, f64::INFINITY, f64::NEG_INFINITY, -0.0, 0.0, 0.5, 7.5, 12.26, 0.1 + 0.2,
            1e300, 1e-9, 5e-324, f64::MAX, 1e15, 1e21, 20.0, 2020.0, -3.0, 2.0, 3.0, 1e-7, 123456.789]),
        2 => (-40i32..40).prop_map(f64::from),
        1 => -1e6f64..1e6,
    ]
}

/// Milliseconds around 2020-01-01, many on whole seconds, some clustered
/// on the minute and second boundaries around midnight.
fn datetime_ms() -> impl Strategy<Value = i64> {
    prop_oneof![
        3 => (1_577_000_000_000i64..1_578_000_000_000).prop_map(|v| v / 1000 * 1000),
        1 => 1_577_000_000_000i64..1_578_000_000_000,
        // Whole minutes and seconds around midnight, and 1 ms either side.
        1 => (-30i64..30, -1i64..=1).prop_map(|(m, j)| 1_577_836_800_000 + m * 60_000 + j),
        1 => (-90i64..90, -1i64..=1).prop_map(|(sec, j)| 1_577_836_800_000 + sec * 1000 + j),
    ]
}

/// A `datestartswith` literal naming a year … second near the data.
fn date_prefix() -> impl Strategy<Value = String> {
    let ms = prop_oneof![
        datetime_ms(),
        (18_200i64..18_400).prop_map(|d| d * 86_400_000)
    ];
    (
        ms,
        prop::sample::select(vec![4usize, 7, 10, 13, 16, 19, 21]),
        any::<bool>(),
    )
        .prop_map(|(ms, len, t)| {
            let (days, rem) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
            let full = format!(
                "{} {:02}:{:02}:{:02}.{:03}",
                ymd(days),
                rem / 3_600_000,
                rem / 60_000 % 60,
                rem / 1000 % 60,
                rem % 1000
            );
            let text = full[..len.min(full.len())].to_owned();
            if t { text.replacen(' ', "T", 1) } else { text }
        })
}

fn frame() -> impl Strategy<Value = DataFrame> {
    (0usize..24).prop_flat_map(|n| {
        (
            prop::collection::vec(nullable(int()), n),
            prop::collection::vec(nullable(float()), n),
            prop::collection::vec(nullable(string()), n),
            prop::collection::vec(nullable(any::<bool>()), n),
            prop::collection::vec(
                nullable(prop_oneof![6 => 18_200i32..18_400, 1 => -800_000i32..3_000_000]),
                n,
            ),
            prop::collection::vec(nullable(datetime_ms()), n),
            prop::collection::vec(
                nullable(prop::sample::select(vec![
                    "red", "Red", "GREEN", "black", "～", "😀", "42",
                ])),
                n,
            ),
        )
            .prop_map(|(i, f, s, b, d, dt, c)| {
                let n = i.len();
                let d = Int32Chunked::from_iter(d)
                    .into_date()
                    .into_series()
                    .with_name("d".into());
                let dt = Int64Chunked::from_iter(dt)
                    .into_datetime(TimeUnit::Milliseconds, None)
                    .into_series()
                    .with_name("dt".into());
                let c = Series::new("c".into(), c)
                    .cast(&DataType::from_categories(Categories::global()))
                    .unwrap();
                let cols: Vec<Column> = vec![
                    Series::new("i".into(), i).into(),
                    Series::new("f".into(), f).into(),
                    Series::new("s".into(), s).into(),
                    Series::new("b".into(), b).into(),
                    d.into(),
                    dt.into(),
                    c.into(),
                    Series::full_null("z".into(), n, &DataType::Null).into(),
                ];
                DataFrame::new(n, cols).unwrap()
            })
    })
}

const NUM_LITS: &[&str] = &[
    "0",
    "42",
    "0x2A",
    "-3",
    "5",
    "1e3",
    ".5",
    "5.",
    "2020",
    "20",
    "0099",
    "-0044",
    "7.5",
    "1e300",
    "0.30000000000000004",
    "-0",
    "2",
];

fn field() -> impl Strategy<Value = Operand> {
    prop::sample::select(&COLS[..]).prop_map(|c| Operand::Field(c.to_owned()))
}

fn literal() -> impl Strategy<Value = Operand> {
    prop_oneof![
        2 => prop::sample::select(NUM_LITS).prop_map(|r| Operand::Literal(Literal::number(r).unwrap())),
        3 => string().prop_map(|s| Operand::Literal(Literal::Str(s))),
    ]
}

fn sides() -> impl Strategy<Value = (Operand, Operand)> {
    prop_oneof![
        6 => (field(), literal()),
        2 => (literal(), field()),
        2 => (field(), field()),
        1 => (literal(), literal()),
    ]
}

fn leaf() -> impl Strategy<Value = Expr> {
    let cases = prop::sample::select(vec![Case::Default, Case::Sensitive, Case::Insensitive]);
    prop_oneof![
        3 => (prop::sample::select(RelOp::ALL.to_vec()), cases, sides()).prop_map(|(op, case, (left, right))| {
            let case = if op.takes_case() { case } else { Case::Default };
            Expr::Compare { op, case, left, right }
        }),
        1 => (prop_oneof![3 => field(), 1 => literal()], prop::sample::select(Check::ALL.to_vec()))
            .prop_map(|(operand, check)| Expr::Is { operand, check }),
    ]
}

fn tree() -> impl Strategy<Value = Expr> {
    leaf().prop_recursive(3, 12, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Expr::and(a, b)),
            (inner.clone(), inner.clone()).prop_map(|(a, b)| Expr::or(a, b)),
            inner.prop_map(Expr::not),
        ]
    })
}

fn sort_keys() -> impl Strategy<Value = Vec<SortKey>> {
    prop::collection::vec((prop::sample::select(&COLS[..]), any::<bool>()), 0..4).prop_map(|keys| {
        let mut out: Vec<SortKey> = Vec::new();
        for (c, desc) in keys {
            if !out.iter().any(|k| k.column == c) {
                out.push(SortKey {
                    column: c.to_owned(),
                    descending: desc,
                });
            }
        }
        out
    })
}

// ------------------------------------------------------------ tests

fn pages_cover(df: &DataFrame, view: &View, size: usize) {
    let w = view.window(0, size);
    let mut seen = Vec::new();
    for p in 0..w.page_count {
        let ix = view.page_indices(p, size);
        assert!(ix.len() <= size.max(1));
        let page = view.page(df, p, size).unwrap();
        let want = df.take(&IdxCa::from_vec("".into(), ix.clone())).unwrap();
        assert_eq!(page_to_json(&page), page_to_json(&want));
        seen.extend(ix);
    }
    assert_eq!(seen, view.indices(), "pages of {size} rows");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1500, ..ProptestConfig::default() })]

    #[test]
    fn filter_matches_reference(df in frame(), e in tree()) {
        let spec = ViewSpec::new(Query { root: Some(e) }, "", vec![]);
        let view = build_view(&df, &spec).unwrap();
        prop_assert_eq!(view.indices(), reference(&df, &spec), "query: {}", spec.filter);
        prop_assert_eq!(view.total_rows(), df.height());
    }

}

proptest! {
    #![proptest_config(ProptestConfig { cases: 500, ..ProptestConfig::default() })]

    #[test]
    fn date_prefixes_match_reference(df in frame(), column in prop::sample::select(vec!["d", "dt", "s"]), prefix in date_prefix()) {
        let e = Expr::Compare {
            op: RelOp::DateStartsWith,
            case: Case::Default,
            left: Operand::Field(column.to_owned()),
            right: Operand::Literal(Literal::Str(prefix)),
        };
        let spec = ViewSpec::new(Query { root: Some(e) }, "", vec![]);
        let view = build_view(&df, &spec).unwrap();
        prop_assert_eq!(view.indices(), reference(&df, &spec), "query: {}", spec.filter);
    }

    #[test]
    fn sort_matches_reference(df in frame(), e in prop::option::of(tree()), sort in sort_keys(), size in 0usize..9) {
        let spec = ViewSpec::new(Query { root: e }, "", sort);
        let view = build_view(&df, &spec).unwrap();
        prop_assert_eq!(view.indices(), reference(&df, &spec), "query: {} sort: {:?}", spec.filter, spec.sort);
        pages_cover(&df, &view, size);
    }
}
