//! How typed polars columns stand in for DataTable's JSON cells.
//!
//! A cell's JavaScript value is what [`page_to_json`](super::page_to_json)
//! sends for it, and the filter and sort read exactly that value:
//!
//! | polars dtype | JS value | DataTable `type` |
//! |---|---|---|
//! | Int8 … UInt64 | number (as the browser's double: ints beyond 2^53 round) | `numeric` |
//! | Float32, Float64 | number; **NaN, ±inf → null** (JSON cannot carry them); Float32 widened exactly | `numeric` |
//! | other numbers (Int128, UInt128, Float16, Decimal) | number via a cast to Float64 | `numeric` |
//! | String | string | `text` |
//! | Categorical, Enum | string (the category) | `text` |
//! | Boolean | boolean | `any` |
//! | Date | string `YYYY-MM-DD` | `datetime` |
//! | Datetime, no time zone | string `YYYY-MM-DDTHH:MM:SS[.fff]` | `datetime` |
//! | Datetime with a time zone | string `YYYY-MM-DDTHH:MM:SS[.fff]+HH:MM` (wall time in that zone) | `datetime` |
//! | Time, Duration | string, polars' own cast to String | `text` |
//! | Null | null | `any` |
//!
//! Fractional seconds print with 3, 6 or 9 digits as needed and not at all
//! when zero (chrono's `%.f`), which is close to Python's `isoformat()`.
//! Years outside 0000–9999 print as chrono does (`-0044`, `+10000`).
//! Lists, arrays, structs, binary and objects have no cell representation:
//! filtering or sorting on one is an [`EngineError::TypeMismatch`].

use polars::prelude::*;
use serde_json::{Value, json};

use super::EngineError;

/// `strftime` format of Date cells.
pub(crate) const DATE_FORMAT: &str = "%Y-%m-%d";
/// `strftime` format of time-zone-naive Datetime cells.
pub(crate) const DATETIME_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.f";
/// `strftime` format of time-zone-aware Datetime cells.
pub(crate) const DATETIME_TZ_FORMAT: &str = "%Y-%m-%dT%H:%M:%S%.f%:z";
/// `normalizeDate`'s layout, for Date/Datetime cells (see [`Repr::date_norm`]).
const NORMALIZED_FORMAT: &str = "%Y-%m-%d %H:%M:%S%.f";

/// The JavaScript type of a column's non-null cells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Num,
    Str,
    Bool,
    /// Only nulls.
    Null,
}

/// How a column's dtype maps to cells.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Repr {
    /// Int8 … UInt64.
    Int,
    /// Float32, Float64.
    Float,
    /// Other numbers, read through a cast to Float64.
    OtherNum,
    Text,
    Categorical,
    Date,
    Datetime {
        unit: TimeUnit,
        tz: Option<String>,
    },
    /// Time, Duration: polars' cast to String.
    OtherText,
    Bool,
    Null,
}

impl Repr {
    /// The representation of `dtype`, `None` for dtypes cells cannot hold.
    pub(crate) fn of(dtype: &DataType) -> Option<Repr> {
        Some(match dtype {
            DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32
            | DataType::UInt64 => Repr::Int,
            DataType::Float32 | DataType::Float64 => Repr::Float,
            d if d.is_primitive_numeric() || d.is_decimal() => Repr::OtherNum,
            DataType::String => Repr::Text,
            DataType::Categorical(..) | DataType::Enum(..) => Repr::Categorical,
            DataType::Date => Repr::Date,
            DataType::Datetime(unit, tz) => Repr::Datetime {
                unit: *unit,
                tz: tz.as_ref().map(|t| t.to_string()),
            },
            DataType::Time | DataType::Duration(_) => Repr::OtherText,
            DataType::Boolean => Repr::Bool,
            DataType::Null => Repr::Null,
            _ => return None,
        })
    }

    /// The JavaScript type of the cells.
    pub(crate) fn kind(&self) -> Kind {
        match self {
            Repr::Int | Repr::Float | Repr::OtherNum => Kind::Num,
            Repr::Text
            | Repr::Categorical
            | Repr::Date
            | Repr::Datetime { .. }
            | Repr::OtherText => Kind::Str,
            Repr::Bool => Kind::Bool,
            Repr::Null => Kind::Null,
        }
    }

    /// The cells as a typed expression: Float64 for numbers (non-finite →
    /// null), String for strings, Boolean, or the Null column itself.
    pub(crate) fn value(&self, name: &str) -> Expr {
        let c = col(name);
        match self {
            Repr::Int | Repr::OtherNum => c.cast(DataType::Float64),
            Repr::Float => {
                let f = c.cast(DataType::Float64);
                when(f.clone().is_finite()).then(f).otherwise(lit(NULL))
            }
            Repr::Text | Repr::Bool | Repr::Null => c,
            Repr::Categorical | Repr::OtherText => c.cast(DataType::String),
            Repr::Date => c.dt().to_string(DATE_FORMAT),
            Repr::Datetime { tz: None, .. } => c.dt().to_string(DATETIME_FORMAT),
            Repr::Datetime { tz: Some(_), .. } => c.dt().to_string(DATETIME_TZ_FORMAT),
        }
    }

    /// `normalizeDate` of Date/Datetime cells, computed natively: the cell
    /// string `YYYY-MM-DD[THH:MM:SS[.f]][+HH:MM]` normalizes to
    /// `YYYY-MM-DD[ HH:MM:SS[.f]]` when the year has four digits (the table's
    /// regex takes no other), else to nothing. `None` for other columns.
    pub(crate) fn date_norm(&self, name: &str) -> Option<Expr> {
        let (format, c) = match self {
            Repr::Date => (DATE_FORMAT, col(name)),
            Repr::Datetime { .. } => (NORMALIZED_FORMAT, col(name)),
            _ => return None,
        };
        let year = c.clone().dt().year();
        let in_range = year.clone().gt_eq(lit(-9999)).and(year.lt_eq(lit(9999)));
        Some(
            when(in_range)
                .then(c.dt().to_string(format))
                .otherwise(lit(NULL)),
        )
    }

    /// `datestartswith` against a literal whose normalized form is
    /// `prefix`, as a range test on the physical values: a prefix of
    /// `YYYY-MM-DD HH:MM:SS` (4, 7, 10, 13, 16 or 19 characters, year
    /// 0000–9999) selects one year, month, day, hour, minute or second. Same
    /// rows as formatting and comparing the cells (which only hold four-digit
    /// years), without formatting them. `None` (use the general path) for
    /// time-zone-aware columns other than UTC, for fraction-of-second
    /// prefixes and for other columns.
    pub(crate) fn date_prefix(&self, name: &str, prefix: &str) -> Option<Expr> {
        let (per_day, per_second): (i128, i128) = match self {
            Repr::Date => (1, 0),
            Repr::Datetime { unit, tz } if tz.as_deref().is_none_or(|z| z == "UTC") => {
                let per_second = match unit {
                    TimeUnit::Nanoseconds => 1_000_000_000,
                    TimeUnit::Microseconds => 1_000_000,
                    TimeUnit::Milliseconds => 1_000,
                };
                (86_400 * per_second, per_second)
            }
            _ => return None,
        };
        let b = prefix.as_bytes();
        let field = |at: usize, len: usize| -> Option<i128> {
            let digits = b.get(at..at + len)?;
            digits
                .iter()
                .all(u8::is_ascii_digit)
                .then(|| digits.iter().fold(0, |n, d| n * 10 + i128::from(d - b'0')))
        };
        let year = field(0, 4)?;
        let month = if b.len() >= 7 { field(5, 2)? } else { 1 };
        let day = if b.len() >= 10 { field(8, 2)? } else { 1 };
        let (h, mi, sec) = (
            if b.len() >= 13 { field(11, 2)? } else { 0 },
            if b.len() >= 16 { field(14, 2)? } else { 0 },
            if b.len() >= 19 { field(17, 2)? } else { 0 },
        );
        let days = |y: i128, m: i128| i128::from(super::js::days_from_civil(y as i64, m as u32, 1));
        let start =
            (days(year, month) + day - 1) * per_day + ((h * 60 + mi) * 60 + sec) * per_second;
        let end = match b.len() {
            4 => days(year + 1, 1) * per_day,
            7 if month == 12 => days(year + 1, 1) * per_day,
            7 => days(year, month + 1) * per_day,
            10 => start + per_day,
            13 | 16 | 19 if per_second == 0 => return Some(lit(false)),
            13 => start + 3600 * per_second,
            16 => start + 60 * per_second,
            19 => start + per_second,
            _ => return None,
        };
        let bound = |v: i128| v.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64;
        let phys = col(name).to_physical().cast(DataType::Int64);
        Some(
            phys.clone()
                .gt_eq(lit(bound(start)))
                .and(phys.lt(lit(bound(end)))),
        )
    }

    /// The DataTable column `type`.
    fn table_type(&self) -> &'static str {
        match self {
            Repr::Int | Repr::Float | Repr::OtherNum => "numeric",
            Repr::Date | Repr::Datetime { .. } => "datetime",
            Repr::Text | Repr::Categorical | Repr::OtherText => "text",
            Repr::Bool | Repr::Null => "any",
        }
    }
}

/// The representation of column `name`, or the error to report.
pub(crate) fn resolve(
    schema: &Schema,
    name: &str,
    action: &'static str,
) -> Result<Repr, EngineError> {
    let Some(dtype) = schema.get(name) else {
        return Err(EngineError::UnknownColumn {
            name: name.to_owned(),
            available: schema.iter_names().map(|n| n.to_string()).collect(),
        });
    };
    Repr::of(dtype).ok_or_else(|| EngineError::TypeMismatch {
        column: name.to_owned(),
        dtype: dtype.to_string(),
        action,
    })
}

/// DataTable `columns` entries for a frame's schema:
/// `{"name": id, "id": id, "type": t}` with `t` = `numeric` (numbers),
/// `datetime` (Date, Datetime), `text` (String, Categorical, Enum, Time,
/// Duration) or `any` (Boolean, Null, and dtypes cells cannot hold).
///
/// The type only matters for what the table's per-column filter boxes turn
/// into a query (`s=` for numeric, `datestartswith` for datetime,
/// `scontains` otherwise); `filter_query` and `sort_by` ignore it.
pub fn column_specs(schema: &Schema) -> Vec<Value> {
    schema
        .iter()
        .map(|(name, dtype)| {
            let t = Repr::of(dtype).map_or("any", |r| r.table_type());
            json!({"name": name.as_str(), "id": name.as_str(), "type": t})
        })
        .collect()
}
