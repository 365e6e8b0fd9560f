//! `sort_by`: parsing the prop and turning it into polars sort keys with
//! dash-table's order (rules 18–21).

use std::collections::HashSet;

use polars::prelude::*;
use serde_json::Value;

use super::columns::{Repr, resolve};
use super::{EngineError, dictionary, js, kernels};

/// One key of DataTable's `sort_by`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct SortKey {
    /// The column id.
    pub column: String,
    /// `true` for `"direction": "desc"`; every other direction sorts
    /// ascending (rule 21).
    pub descending: bool,
}

impl SortKey {
    /// An ascending key.
    pub fn asc(column: impl Into<String>) -> Self {
        SortKey {
            column: column.into(),
            descending: false,
        }
    }

    /// A descending key.
    pub fn desc(column: impl Into<String>) -> Self {
        SortKey {
            column: column.into(),
            descending: true,
        }
    }
}

/// The most entries a `sort_by` may have: more than any table has
/// columns to sort on with a meaning (a later key only orders rows tied on
/// every earlier one).
pub const MAX_SORT_KEYS: usize = 256;

/// The keys of DataTable's `sort_by` prop:
/// `[{"column_id": "pop", "direction": "asc"}, {"column_id": "name", "direction": "desc"}]`.
///
/// `null` (an unset prop) is no sort. `direction` `"desc"` is descending;
/// any other string, `null` or no `direction` at all is ascending, like the
/// table (rule 21, `"none"` included). A column repeated later adds nothing
/// (it can only compare values already found equal), so only its first
/// entry is kept. Extra fields are ignored. Anything else — not an array,
/// an entry that is not an object, a missing or non-string `column_id`, a
/// non-string `direction` — is an [`EngineError::BadSortBy`] naming the
/// entry, and so is a list of more than [`MAX_SORT_KEYS`] entries (the
/// check costs the length of the list). Whether the columns exist is
/// checked when the view is built.
pub fn parse_sort_by(value: &Value) -> Result<Vec<SortKey>, EngineError> {
    const SHAPE: &str = r#"expected [{"column_id": "<column>", "direction": "asc" | "desc"}, …]"#;
    let items = match value {
        Value::Null => return Ok(Vec::new()),
        Value::Array(items) => items,
        other => {
            return Err(EngineError::BadSortBy(format!(
                "got {}; {SHAPE}",
                describe(other)
            )));
        }
    };
    if items.len() > MAX_SORT_KEYS {
        return Err(EngineError::BadSortBy(format!(
            "{} entries; at most {MAX_SORT_KEYS} columns can be sorted on",
            items.len()
        )));
    }
    let mut keys: Vec<SortKey> = Vec::with_capacity(items.len());
    let mut seen: HashSet<&str> = HashSet::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let Some(obj) = item.as_object() else {
            return Err(EngineError::BadSortBy(format!(
                "entry {i} is {}; {SHAPE}",
                describe(item)
            )));
        };
        let column = match obj.get("column_id") {
            Some(Value::String(s)) => s,
            Some(other) => {
                return Err(EngineError::BadSortBy(format!(
                    "entry {i} has a column_id that is {}, not a string; {SHAPE}",
                    describe(other)
                )));
            }
            None => {
                return Err(EngineError::BadSortBy(format!(
                    "entry {i} has no column_id; {SHAPE}"
                )));
            }
        };
        let descending = match obj.get("direction") {
            None | Some(Value::Null) => false,
            Some(Value::String(d)) => d == "desc",
            Some(other) => {
                return Err(EngineError::BadSortBy(format!(
                    "entry {i} (column `{column}`) has a direction that is {}, not a string; \
                     {SHAPE}",
                    describe(other)
                )));
            }
        };
        if seen.insert(column) {
            keys.push(SortKey {
                column: column.clone(),
                descending,
            });
        }
    }
    Ok(keys)
}

fn describe(v: &Value) -> String {
    let text = v.to_string();
    let kind = match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    };
    if text.chars().count() > 60 {
        kind.to_owned()
    } else {
        format!("{kind} ({text})")
    }
}

/// Days from 1970-01-01 to 0000-01-01 and to 9999-12-31.
const DAYS_0000: i64 = -719_528;
const DAYS_9999: i64 = 2_932_896;

/// The polars sort expressions (and their `descending` flags) for `keys`
/// over `df`, ordering like dash-table: numbers by value (-0 = 0), strings
/// by UTF-16 code units, false before true, nulls (NaN, ±inf) last in both
/// directions. Stability comes from the caller (`maintain_order`).
///
/// Keys are chosen from the data: a string column is re-keyed for UTF-16
/// order only if it holds characters >= U+E000, and Date/Datetime columns
/// sort by their physical value when that order equals the order of their
/// cell strings (years 0000–9999, no time zone or UTC), else by the strings.
/// Columns of nulls are dropped (they cannot change the order).
pub(crate) fn sort_exprs(df: &DataFrame, keys: &[SortKey]) -> Result<SortExprs, EngineError> {
    let schema = df.schema();
    let mut exprs = Vec::with_capacity(keys.len());
    let mut descending = Vec::with_capacity(keys.len());
    let mut sources = Vec::with_capacity(keys.len());
    for key in keys {
        let name = key.column.as_str();
        let repr = resolve(schema, name, "sorted")?;
        let column = df.column(name)?;
        let expr = match &repr {
            Repr::Null => continue,
            // Integers a double holds exactly sort as they are (no cast);
            // 64-bit ones go through the browser's double, where distinct
            // values beyond 2^53 tie.
            Repr::Int if exact_in_f64(column.dtype()) => col(name),
            Repr::Int | Repr::OtherNum | Repr::Bool | Repr::OtherText => repr.value(name),
            // Non-finite values are null; -0.0 becomes 0.0 so that they tie.
            Repr::Float => kernels::float_key(col(name).cast(DataType::Float64)),
            // Categories sort by their rank among the distinct values (in
            // UTF-16 order), looked up by physical code: a u32 key instead
            // of strings.
            Repr::Categorical => category_ranks(name, column)?,
            Repr::Text => {
                let strings = column.cast(&DataType::String)?;
                if strings.str()?.iter().flatten().any(js::needs_utf16_key) {
                    kernels::utf16(repr.value(name))
                } else {
                    repr.value(name)
                }
            }
            Repr::Date => {
                let days = column.date()?.physical();
                let in_range = |d: Option<i32>| {
                    d.is_none_or(|d| (DAYS_0000..=DAYS_9999).contains(&i64::from(d)))
                };
                // One pass for both ends (this runs on every new sort).
                let (lo, hi) = days.min_max().unzip();
                if in_range(lo) && in_range(hi) {
                    col(name)
                } else {
                    repr.value(name)
                }
            }
            Repr::Datetime { tz, .. } => {
                let ca = column.datetime()?;
                let per_day: i128 = match ca.time_unit() {
                    TimeUnit::Nanoseconds => 86_400_000_000_000,
                    TimeUnit::Microseconds => 86_400_000_000,
                    TimeUnit::Milliseconds => 86_400_000,
                };
                let in_range = |t: Option<i64>| {
                    t.is_none_or(|t| {
                        let lo = i128::from(DAYS_0000) * per_day;
                        let hi = (i128::from(DAYS_9999) + 1) * per_day;
                        (lo..hi).contains(&i128::from(t))
                    })
                };
                let utc = tz.as_deref().is_none_or(|z| z == "UTC");
                let phys = ca.physical();
                let (lo, hi) = phys.min_max().unzip();
                if utc && in_range(lo) && in_range(hi) {
                    col(name)
                } else {
                    repr.value(name)
                }
            }
        };
        exprs.push(expr);
        descending.push(key.descending);
        sources.push(key.column.clone());
    }
    Ok(SortExprs {
        exprs,
        descending,
        sources,
    })
}

/// The sort keys of a view as expressions (see [`sort_exprs`]): a key
/// per sorted column that is not all null, its direction, and the one
/// column it reads.
pub(crate) struct SortExprs {
    pub(crate) exprs: Vec<Expr>,
    pub(crate) descending: Vec<bool>,
    pub(crate) sources: Vec<String>,
}

fn exact_in_f64(dtype: &DataType) -> bool {
    matches!(
        dtype,
        DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32
    )
}

/// `col(name)` mapped to the rank of each category's string, in UTF-16
/// order, among the dtype's categories (see [`dictionary::ranks`]); for a
/// mapping too large for a table, the strings themselves.
fn category_ranks(name: &str, column: &Column) -> Result<Expr, EngineError> {
    Ok(dictionary::ranks(name, column.dtype(), |a, b| {
        a.encode_utf16().cmp(b.encode_utf16())
    })
    .unwrap_or_else(|| kernels::utf16(col(name).cast(DataType::String))))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// Narrow integers sort by their own values; the order is the one of
    /// their doubles (what the table sorts), ties and nulls included.
    #[test]
    fn narrow_integers_sort_like_their_doubles() {
        use crate::engine::{ViewSpec, build_view};
        let a: Vec<Option<i32>> = (0..200)
            .map(|i| (i % 7 != 3).then_some((i * 37 % 23) - 11))
            .collect();
        let u: Vec<Option<u32>> = (0..200)
            .map(|i| (i % 5 != 1).then_some(i * 31 % 17))
            .collect();
        let mut df = df!("a" => a, "u" => u).unwrap();
        df.with_column(
            df.column("a")
                .unwrap()
                .cast(&DataType::Float64)
                .unwrap()
                .with_name("fa".into()),
        )
        .unwrap();
        df.with_column(
            df.column("u")
                .unwrap()
                .cast(&DataType::Float64)
                .unwrap()
                .with_name("fu".into()),
        )
        .unwrap();
        for (int, float) in [("a", "fa"), ("u", "fu")] {
            for desc in [false, true] {
                let key = |c: &str| {
                    if desc {
                        SortKey::desc(c)
                    } else {
                        SortKey::asc(c)
                    }
                };
                let by = |c: &str| {
                    build_view(&df, &ViewSpec::new(Default::default(), "", vec![key(c)]))
                        .unwrap()
                        .indices()
                };
                assert_eq!(by(int), by(float), "{int} desc {desc}");
            }
        }
    }

    #[test]
    fn sort_by_shapes() {
        let keys = parse_sort_by(&json!([
            {"column_id": "a", "direction": "desc"},
            {"column_id": "b", "direction": "none"},
            {"column_id": "a", "direction": "asc"},
            {"column_id": "c"},
        ]))
        .unwrap();
        assert_eq!(
            keys,
            [SortKey::desc("a"), SortKey::asc("b"), SortKey::asc("c")]
        );
        assert_eq!(parse_sort_by(&json!(null)).unwrap(), []);
        for (bad, needle) in [
            (json!({"column_id": "a"}), "got an object"),
            (json!(["a"]), "entry 0 is a string (\"a\")"),
            (json!([{"direction": "asc"}]), "entry 0 has no column_id"),
            (json!([{"column_id": 3}]), "column_id that is a number (3)"),
            (
                json!([{"column_id": "a", "direction": 1}]),
                "direction that is a number",
            ),
        ] {
            let e = parse_sort_by(&bad).unwrap_err().to_string();
            assert!(e.contains(needle), "{e}");
        }
    }
}
