//! Rendering a page as DataTable `data`, and a view as CSV.

use std::fmt::Write as _;

use polars::prelude::*;
use serde_json::{Map, Number, Value};

use super::EngineError;
use super::columns::{DATE_FORMAT, DATETIME_FORMAT, DATETIME_TZ_FORMAT, Repr};
use super::date_text::{DateText, per_second};

/// The rows of `page` as DataTable `data` records (`{column id: cell}`), in
/// the representation the filter and the sort read (see [`super`]):
/// integers as they are (even beyond 2^53, where the browser will round
/// them), finite floats as numbers and NaN/±inf as `null`, booleans,
/// strings, categories as strings, dates as `YYYY-MM-DD`, datetimes as
/// `YYYY-MM-DDTHH:MM:SS[.fff][+HH:MM]`, nulls as `null`.
///
/// Meant for a page: O(rows × columns) JSON values. Never fails: a column
/// of a dtype cells cannot hold (lists, structs, binary — which the filter
/// and the sort reject with [`EngineError::TypeMismatch`]) is sent as
/// polars' text of each value, so the table can at least show it.
pub fn page_to_json(page: &DataFrame) -> Vec<Map<String, Value>> {
    let mut rows: Vec<Map<String, Value>> = (0..page.height()).map(|_| Map::new()).collect();
    for column in page.columns() {
        let name = column.name().as_str();
        for (row, cell) in rows.iter_mut().zip(cells(column)) {
            row.insert(name.to_owned(), cell);
        }
    }
    rows
}

/// A frame (typically [`View::take_all`](super::View::take_all)) as CSV:
/// [`csv_header`] then [`csv_rows`]. For large results prefer streaming
/// the two pieces by chunk of rows (as the table's export does).
pub fn to_csv(frame: &DataFrame) -> Result<String, EngineError> {
    const CHUNK: usize = 65_536;
    let mut out = csv_header(frame);
    let mut offset = 0;
    while offset < frame.height() {
        out.push_str(&csv_rows(&frame.slice(offset as i64, CHUNK)));
        offset += CHUNK;
    }
    Ok(out)
}

/// The CSV header line of a frame: its column ids, comma-separated,
/// quoted when needed, ending with `\n`.
pub fn csv_header(frame: &DataFrame) -> String {
    let mut out = String::new();
    for (i, name) in frame.get_column_names().into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        csv_field(&mut out, name.as_str());
    }
    out.push('\n');
    out
}

/// One CSV line per row of `rows`, with the cells of [`page_to_json`]:
/// `null` as an empty field, strings quoted when they hold a comma, a
/// quote or a line break (quotes doubled), numbers as JSON writes them.
/// Lines end with `\n`.
pub fn csv_rows(rows: &DataFrame) -> String {
    let mut out = String::new();
    let columns: Vec<Vec<Value>> = rows.columns().iter().map(cells).collect();
    for r in 0..rows.height() {
        for (i, column) in columns.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            match &column[r] {
                Value::Null => {}
                Value::String(s) => csv_field(&mut out, s),
                other => {
                    let _ = write!(out, "{other}");
                }
            }
        }
        out.push('\n');
    }
    out
}

fn csv_field(out: &mut String, text: &str) {
    if text.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&text.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(text);
    }
}

/// A column's cells ready to write: a column of a JSON-native dtype
/// (integers, floats, booleans, strings, nulls), written cell by cell with
/// no allocation, or cells already made (dates, and the last resort).
#[derive(Debug, Clone)]
pub(super) enum Cells {
    Series(Series),
    Values(Vec<Value>),
}

/// The JSON cells of one column.
fn cells(column: &Column) -> Vec<Value> {
    match converted(column) {
        Cells::Series(s) => s.iter().map(cell_to_json).collect(),
        Cells::Values(v) => v,
    }
}

/// A column converted to its cells' representation. Conversions are eager
/// column kernels (no query plan per page: a page is small and the plan
/// would cost more than the cells).
pub(super) fn converted(column: &Column) -> Cells {
    let converted: PolarsResult<Column> = match Repr::of(column.dtype()) {
        Some(Repr::Int | Repr::Float | Repr::Text | Repr::Bool | Repr::Null) => Ok(column.clone()),
        Some(Repr::OtherNum) => column.cast(&DataType::Float64),
        Some(Repr::Categorical | Repr::OtherText) | None => column.cast(&DataType::String),
        Some(Repr::Date) => match fast_dates(column) {
            Some(cells) => return Cells::Values(cells),
            None => column
                .date()
                .and_then(|ca| ca.to_string(DATE_FORMAT))
                .map(|ca| ca.into_column()),
        },
        Some(Repr::Datetime { tz: None, .. }) if let Some(cells) = fast_datetimes(column) => {
            return Cells::Values(cells);
        }
        Some(Repr::Datetime { tz, .. }) => column
            .datetime()
            .and_then(|ca| {
                ca.to_string(if tz.is_some() {
                    DATETIME_TZ_FORMAT
                } else {
                    DATETIME_FORMAT
                })
            })
            .map(|ca| ca.into_column()),
    };
    match converted {
        Ok(c) => Cells::Series(c.as_materialized_series().rechunk()),
        // Last resort for dtypes polars cannot even cast to text.
        Err(_) => Cells::Values(
            (0..column.len())
                .map(|i| match column.get(i) {
                    Ok(AnyValue::Null) | Err(_) => Value::Null,
                    Ok(v) => Value::from(v.to_string()),
                })
                .collect(),
        ),
    }
}

/// Cell `at` of `cells` (null past the end), written as [`cell_to_json`]
/// would make it.
pub(super) fn write_cell<S: serde::Serializer>(
    cells: &Cells,
    at: usize,
    s: S,
) -> Result<S::Ok, S::Error> {
    use serde::Serialize as _;
    match cells {
        Cells::Series(c) => Cell(c.get(at).unwrap_or(AnyValue::Null)).serialize(s),
        Cells::Values(v) => v.get(at).unwrap_or(&Value::Null).serialize(s),
    }
}

/// One cell written straight from its [`AnyValue`], as [`cell_to_json`]
/// would make it.
struct Cell<'a>(AnyValue<'a>);

impl serde::Serialize for Cell<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match &self.0 {
            AnyValue::Null => s.serialize_unit(),
            AnyValue::Boolean(b) => s.serialize_bool(*b),
            AnyValue::Int8(v) => s.serialize_i8(*v),
            AnyValue::Int16(v) => s.serialize_i16(*v),
            AnyValue::Int32(v) => s.serialize_i32(*v),
            AnyValue::Int64(v) => s.serialize_i64(*v),
            AnyValue::UInt8(v) => s.serialize_u8(*v),
            AnyValue::UInt16(v) => s.serialize_u16(*v),
            AnyValue::UInt32(v) => s.serialize_u32(*v),
            AnyValue::UInt64(v) => s.serialize_u64(*v),
            AnyValue::Float32(v) if v.is_finite() => s.serialize_f64(f64::from(*v)),
            AnyValue::Float64(v) if v.is_finite() => s.serialize_f64(*v),
            AnyValue::Float32(_) | AnyValue::Float64(_) => s.serialize_unit(),
            AnyValue::String(t) => s.serialize_str(t),
            AnyValue::StringOwned(t) => s.serialize_str(t.as_str()),
            other => s.serialize_str(&other.to_string()),
        }
    }
}

/// Date cells written directly (`YYYY-MM-DD`), when every year has four
/// digits; `None` otherwise (chrono then writes them).
fn fast_dates(column: &Column) -> Option<Vec<Value>> {
    let ca = column.date().ok()?;
    ca.physical()
        .iter()
        .map(|d| match d {
            None => Some(Value::Null),
            Some(d) => DateText::date(i64::from(d)).map(|t| Value::from(t.as_str())),
        })
        .collect()
}

/// Time-zone-naive Datetime cells written directly, exactly as chrono's
/// `%Y-%m-%dT%H:%M:%S%.f` would (fraction of 3, 6 or 9 digits, none when
/// zero), when every year has four digits; `None` otherwise.
fn fast_datetimes(column: &Column) -> Option<Vec<Value>> {
    let ca = column.datetime().ok()?;
    let per_second = per_second(ca.time_unit());
    ca.physical()
        .iter()
        .map(|t| match t {
            None => Some(Value::Null),
            Some(t) => DateText::datetime(t, per_second).map(|t| Value::from(t.as_str())),
        })
        .collect()
}

fn float(v: f64) -> Value {
    Number::from_f64(v).map_or(Value::Null, Value::Number)
}

fn cell_to_json(cell: AnyValue<'_>) -> Value {
    match cell {
        AnyValue::Null => Value::Null,
        AnyValue::Boolean(b) => Value::Bool(b),
        AnyValue::Int8(v) => Value::from(v),
        AnyValue::Int16(v) => Value::from(v),
        AnyValue::Int32(v) => Value::from(v),
        AnyValue::Int64(v) => Value::from(v),
        AnyValue::UInt8(v) => Value::from(v),
        AnyValue::UInt16(v) => Value::from(v),
        AnyValue::UInt32(v) => Value::from(v),
        AnyValue::UInt64(v) => Value::from(v),
        AnyValue::Float32(v) => float(f64::from(v)),
        AnyValue::Float64(v) => float(v),
        AnyValue::String(s) => Value::from(s),
        AnyValue::StringOwned(s) => Value::from(s.as_str()),
        // Every other dtype was converted to one of the above.
        other => Value::from(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::records::page_records;
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn page_records_serialize_like_page_to_json() {
        let df = df!(
            "i" => [Some(1i64), None, Some(-3)],
            "f" => [Some(1.5f64), Some(f64::NAN), None],
            "s" => [Some("a\"b"), None, Some("Zoë")],
            "b" => [Some(true), Some(false), None],
        )
        .unwrap();
        let records = serde_json::to_value(page_records(&df)).unwrap();
        let maps: Vec<Value> = page_to_json(&df).into_iter().map(Value::Object).collect();
        assert_eq!(records, Value::Array(maps));
        assert_eq!(
            serde_json::to_string(&page_records(&df.head(Some(1)))).unwrap(),
            r#"[{"i":1,"f":1.5,"s":"a\"b","b":true}]"#
        );
    }

    proptest! {
        /// The direct writers give chrono's text (polars' `to_string`).
        #[test]
        fn fast_date_and_datetime_cells_equal_chrono(
            raw in prop::collection::vec(prop_oneof![
                Just(None),
                any::<i64>().prop_map(Some),
                (-5_000_000_000i64..5_000_000_000).prop_map(Some),
            ], 1..40),
            unit in prop::sample::select(vec![
                TimeUnit::Nanoseconds, TimeUnit::Microseconds, TimeUnit::Milliseconds,
            ]),
        ) {
            // Years 0000-9999 in the unit (nanoseconds reach 1677-2262).
            let (lo, hi): (i64, i64) = match unit {
                TimeUnit::Nanoseconds => (i64::MIN, i64::MAX),
                TimeUnit::Microseconds => (-62_167_219_200_000_000, 253_402_300_799_000_000),
                TimeUnit::Milliseconds => (-62_167_219_200_000, 253_402_300_799_000),
            };
            let values: Vec<Option<i64>> = raw
                .iter()
                .map(|t| t.map(|t| if t >= lo && t <= hi { t } else { lo + t.rem_euclid(hi - lo) }))
                .collect();
            let dt = Int64Chunked::from_iter(values).into_datetime(unit, None).into_column();
            let fast = fast_datetimes(&dt).unwrap();
            let chrono: Vec<Value> = dt
                .datetime()
                .unwrap()
                .to_string(DATETIME_FORMAT)
                .unwrap()
                .iter()
                .map(|o| o.map_or(Value::Null, Value::from))
                .collect();
            prop_assert_eq!(fast, chrono);

            let days: Vec<Option<i32>> = raw
                .iter()
                .map(|t| t.map(|t| (t.rem_euclid(3_652_059) - 719_528) as i32))
                .collect();
            let d = Int32Chunked::from_iter(days).into_date().into_column();
            let chrono: Vec<Value> = d
                .date()
                .unwrap()
                .to_string(DATE_FORMAT)
                .unwrap()
                .iter()
                .map(|o| o.map_or(Value::Null, Value::from))
                .collect();
            prop_assert_eq!(fast_dates(&d).unwrap(), chrono);
        }
    }
}
