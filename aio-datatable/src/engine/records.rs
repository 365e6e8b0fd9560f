//! A page written as DataTable `data` records straight from the frame's
//! columns: each column's cells are read at the page's rows into a small
//! typed vector, then written, with no page frame built, no categorical
//! cast to text and no value allocated per cell. This is what a page flip
//! costs, so it is kept to that.

use polars::prelude::*;

use super::date_text::{DateText, per_second};
use super::json::{Cells, converted, write_cell};

/// Rows of a frame, in a given order, as DataTable records (`{column id:
/// cell}`), cells exactly as [`page_to_json`](super::page_to_json) makes
/// them. Serialize it (it is what the table callback sends as `data`).
///
/// ```
/// use aio_datatable::engine::records;
/// use polars::prelude::*;
///
/// let df = df!("a" => [1i64, 2, 3], "b" => ["x", "y", "z"]).unwrap();
/// let page = records(&df, vec![2, 0]);
/// assert_eq!(
///     serde_json::to_string(&page).unwrap(),
///     r#"[{"a":3,"b":"z"},{"a":1,"b":"x"}]"#
/// );
/// ```
#[derive(Debug)]
pub struct PageRecords<'a> {
    names: Vec<&'a str>,
    columns: Vec<Source<'a>>,
    rows: Vec<IdxSize>,
}

/// Rows `rows` (frame positions, each below `frame.height()`) of `frame`
/// as records, in the order given. A position past the end gives a
/// record of nulls (never a panic).
pub fn records(frame: &DataFrame, rows: Vec<IdxSize>) -> PageRecords<'_> {
    PageRecords {
        names: frame.columns().iter().map(|c| c.name().as_str()).collect(),
        columns: frame
            .columns()
            .iter()
            .map(|c| Source::of(c, &rows))
            .collect(),
        rows,
    }
}

/// Every row of `page` as records (see [`records`]).
pub fn page_records(page: &DataFrame) -> PageRecords<'_> {
    records(page, (0..page.height() as IdxSize).collect())
}

impl PageRecords<'_> {
    /// The records as JSON text, byte for byte what serde_json writes for
    /// them (`serde_json::to_vec(&page)`), but written directly: each
    /// column name is escaped once per page instead of once per row,
    /// integers and dates are written without a serializer, and text that
    /// needs no escaping is copied as it is. This is what a page flip
    /// sends.
    ///
    /// ```
    /// use aio_datatable::engine::records;
    /// use polars::prelude::*;
    ///
    /// let df = df!("a" => [1i64, 2], "b" => ["x\"", "y"]).unwrap();
    /// let page = records(&df, vec![1, 0]);
    /// assert_eq!(page.to_json().unwrap(), serde_json::to_vec(&page).unwrap());
    /// ```
    pub fn to_json(&self) -> Result<Vec<u8>, serde_json::Error> {
        let keys = self
            .names
            .iter()
            .map(serde_json::to_vec)
            .collect::<Result<Vec<_>, _>>()?;
        let per_row: usize = keys.iter().map(|k| k.len() + 12).sum();
        let mut out = Vec::with_capacity(2 + self.rows.len() * (per_row + 2));
        out.push(b'[');
        for at in 0..self.rows.len() {
            if at > 0 {
                out.push(b',');
            }
            out.push(b'{');
            for (i, (key, source)) in keys.iter().zip(&self.columns).enumerate() {
                if i > 0 {
                    out.push(b',');
                }
                out.extend_from_slice(key);
                out.push(b':');
                write_json_cell(&mut out, source, at)?;
            }
            out.push(b'}');
            if at == 0 {
                // Later rows are about as long as the first.
                let row = out.len();
                out.reserve((row + row / 4) * (self.rows.len() - 1) + 1);
            }
        }
        out.push(b']');
        Ok(out)
    }

    /// The number of records.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    /// True if there are no records.
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
}

/// One column's cells of the page, gathered first (a tight loop per
/// column, so the memory reads of random rows overlap) and written after.
#[derive(Debug)]
enum Source<'a> {
    Int(Vec<Option<i64>>),
    UInt(Vec<Option<u64>>),
    /// NaN and ±inf already made `None`.
    Float(Vec<Option<f64>>),
    Bool(Vec<Option<bool>>),
    /// Strings, and the strings of categories.
    Text(Vec<Option<&'a str>>),
    /// Dates and naive datetimes, every one in years 0000–9999.
    Date(Vec<Option<DateText>>),
    /// Anything else: the rows taken and converted the general way.
    Gathered(Cells),
}

/// `f` of the value at each of `rows` (`None` for nulls), read from the
/// array directly when `ca` has one chunk.
///
/// The values are read first, in a loop that does nothing else, and `f`
/// runs after: the reads of random rows are cache misses, and only a loop
/// this small lets the processor have many of them in flight at once (a
/// call to `f` between two reads — say, formatting a datetime — makes
/// each read wait for the one before).
fn gather<'a, T, O>(
    ca: &'a ChunkedArray<T>,
    rows: &[IdxSize],
    f: impl Fn(T::Physical<'a>) -> O,
) -> Vec<Option<O>>
where
    T: PolarsDataType,
{
    let mut chunks = ca.downcast_iter();
    let values: Vec<Option<T::Physical<'a>>> = match (chunks.next(), chunks.next()) {
        (Some(arr), None) => rows.iter().map(|&r| arr.get(r as usize)).collect(),
        // polars' `get` panics past the end: such rows read as null.
        _ => rows
            .iter()
            .map(|&r| {
                let r = r as usize;
                if r < ca.len() { ca.get(r) } else { None }
            })
            .collect(),
    };
    values.into_iter().map(|v| v.map(&f)).collect()
}

/// `Some` only if every known cell is `Some`.
fn all_known<T>(cells: Vec<Option<Option<T>>>) -> Option<Vec<Option<T>>> {
    cells
        .into_iter()
        .map(|c| match c {
            None => Some(None),
            Some(known) => known.map(Some),
        })
        .collect()
}

impl<'a> Source<'a> {
    fn of(column: &'a Column, rows: &[IdxSize]) -> Source<'a> {
        Self::direct(column, rows).unwrap_or_else(|| {
            let idx = IdxCa::from_vec(PlSmallStr::EMPTY, rows.to_vec());
            match column.take(&idx) {
                Ok(page) => Source::Gathered(converted(&page)),
                // Rows out of range: the caller's bug; cells read as null.
                Err(_) => Source::Gathered(Cells::Values(Vec::new())),
            }
        })
    }

    fn direct(column: &'a Column, rows: &[IdxSize]) -> Option<Source<'a>> {
        let finite = |v: f64| v.is_finite().then_some(v);
        Some(match column.dtype() {
            DataType::Int8 => Source::Int(gather(column.i8().ok()?, rows, i64::from)),
            DataType::Int16 => Source::Int(gather(column.i16().ok()?, rows, i64::from)),
            DataType::Int32 => Source::Int(gather(column.i32().ok()?, rows, i64::from)),
            DataType::Int64 => Source::Int(gather(column.i64().ok()?, rows, |v| v)),
            DataType::UInt8 => Source::UInt(gather(column.u8().ok()?, rows, u64::from)),
            DataType::UInt16 => Source::UInt(gather(column.u16().ok()?, rows, u64::from)),
            DataType::UInt32 => Source::UInt(gather(column.u32().ok()?, rows, u64::from)),
            DataType::UInt64 => Source::UInt(gather(column.u64().ok()?, rows, |v| v)),
            DataType::Float32 => {
                let cells = gather(column.f32().ok()?, rows, |v| finite(f64::from(v)));
                Source::Float(cells.into_iter().map(Option::flatten).collect())
            }
            DataType::Float64 => {
                let cells = gather(column.f64().ok()?, rows, finite);
                Source::Float(cells.into_iter().map(Option::flatten).collect())
            }
            DataType::Boolean => Source::Bool(gather(column.bool().ok()?, rows, |v| v)),
            DataType::String => Source::Text(gather(column.str().ok()?, rows, |v| v)),
            d @ (DataType::Categorical(..) | DataType::Enum(..)) => {
                let mapping = d.cat_mapping().ok()?;
                let text = |c: CatSize| mapping.cat_to_str(c);
                let cells = match d.cat_physical().ok()? {
                    CategoricalPhysical::U8 => {
                        gather(column.cat8().ok()?.physical(), rows, |c| text(c.into()))
                    }
                    CategoricalPhysical::U16 => {
                        gather(column.cat16().ok()?.physical(), rows, |c| text(c.into()))
                    }
                    CategoricalPhysical::U32 => gather(column.cat32().ok()?.physical(), rows, text),
                };
                // A code the mapping does not know reads as null.
                Source::Text(cells.into_iter().map(Option::flatten).collect())
            }
            DataType::Date => {
                let days = column.date().ok()?.physical();
                Source::Date(all_known(gather(days, rows, |d| {
                    DateText::date(i64::from(d))
                }))?)
            }
            DataType::Datetime(unit, None) => {
                let ticks = column.datetime().ok()?.physical();
                let per_second = per_second(*unit);
                Source::Date(all_known(gather(ticks, rows, |t| {
                    DateText::datetime(t, per_second)
                }))?)
            }
            _ => return None,
        })
    }
}

impl serde::Serialize for PageRecords<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::{SerializeMap, SerializeSeq};
        struct Row<'r, 'a>(&'r PageRecords<'a>, usize);
        impl serde::Serialize for Row<'_, '_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                let Row(records, at) = *self;
                let mut m = s.serialize_map(Some(records.names.len()))?;
                for (name, source) in records.names.iter().zip(&records.columns) {
                    m.serialize_entry(name, &Cell { source, at })?;
                }
                m.end()
            }
        }
        let mut seq = s.serialize_seq(Some(self.rows.len()))?;
        for at in 0..self.rows.len() {
            seq.serialize_element(&Row(self, at))?;
        }
        seq.end()
    }
}

/// Appends the cell of `source` at position `at` in the page as JSON,
/// as [`Cell`]'s serde_json serialization writes it.
fn write_json_cell(out: &mut Vec<u8>, source: &Source<'_>, at: usize) -> serde_json::Result<()> {
    fn known<T: Copy>(cells: &[Option<T>], at: usize) -> Option<T> {
        cells.get(at).copied().flatten()
    }
    let null = |out: &mut Vec<u8>| out.extend_from_slice(b"null");
    match source {
        Source::Int(c) => match known(c, at) {
            Some(v) => out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes()),
            None => null(out),
        },
        Source::UInt(c) => match known(c, at) {
            Some(v) => out.extend_from_slice(itoa::Buffer::new().format(v).as_bytes()),
            None => null(out),
        },
        Source::Float(c) => match known(c, at) {
            // serde_json's own float text (it is not the shortest text
            // another library would write).
            Some(v) => serde_json::to_writer(&mut *out, &v)?,
            None => null(out),
        },
        Source::Bool(c) => match known(c, at) {
            Some(true) => out.extend_from_slice(b"true"),
            Some(false) => out.extend_from_slice(b"false"),
            None => null(out),
        },
        Source::Text(c) => match known(c, at) {
            Some(v) => write_json_str(out, v)?,
            None => null(out),
        },
        Source::Date(c) => match c.get(at) {
            // Only ASCII digits and separators: nothing to escape.
            Some(Some(t)) => {
                out.push(b'"');
                out.extend_from_slice(t.as_bytes());
                out.push(b'"');
            }
            _ => null(out),
        },
        Source::Gathered(cells) => write_cell(cells, at, &mut serde_json::Serializer::new(out))?,
    }
    Ok(())
}

/// Appends `s` as a JSON string: copied between quotes when no byte needs
/// an escape (no control character, quote or backslash; JSON leaves every
/// other byte of UTF-8 as it is), else escaped by serde_json.
fn write_json_str(out: &mut Vec<u8>, s: &str) -> serde_json::Result<()> {
    if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') {
        out.push(b'"');
        out.extend_from_slice(s.as_bytes());
        out.push(b'"');
        Ok(())
    } else {
        serde_json::to_writer(out, s)
    }
}

/// The cell of `source` at position `at` in the page.
struct Cell<'s, 'a> {
    source: &'s Source<'a>,
    at: usize,
}

impl serde::Serialize for Cell<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        fn opt<S: serde::Serializer, T: Copy>(
            s: S,
            cells: &[Option<T>],
            at: usize,
            f: impl FnOnce(S, T) -> Result<S::Ok, S::Error>,
        ) -> Result<S::Ok, S::Error> {
            match cells.get(at).copied().flatten() {
                Some(v) => f(s, v),
                None => s.serialize_unit(),
            }
        }
        let at = self.at;
        match self.source {
            Source::Int(c) => opt(s, c, at, |s, v| s.serialize_i64(v)),
            Source::UInt(c) => opt(s, c, at, |s, v| s.serialize_u64(v)),
            Source::Float(c) => opt(s, c, at, |s, v| s.serialize_f64(v)),
            Source::Bool(c) => opt(s, c, at, |s, v| s.serialize_bool(v)),
            Source::Text(c) => opt(s, c, at, |s, v| s.serialize_str(v)),
            Source::Date(c) => match c.get(at) {
                Some(Some(t)) => s.serialize_str(t.as_str()),
                _ => s.serialize_unit(),
            },
            Source::Gathered(cells) => write_cell(cells, at, s),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    /// Every source kind, with nulls, NaN, a date out of 0000–9999 and a
    /// Time column (gathered), in a scrambled order: the records equal
    /// `page_to_json` of the gathered page.
    #[test]
    fn records_equal_page_to_json_of_the_gathered_rows() {
        let n = 12usize;
        let frozen = FrozenCategories::new(["z", "a", "m"]).unwrap();
        let mut df = df!(
            "i8" => (0..n).map(|i| (i % 5 != 0).then_some(i as i8 - 6)).collect::<Vec<_>>(),
            "u64" => (0..n).map(|i| u64::MAX - i as u64).collect::<Vec<_>>(),
            "f32" => (0..n).map(|i| (i % 4 != 1).then_some(i as f32 / 3.0)).collect::<Vec<_>>(),
            "f64" => (0..n).map(|i| [1.5, f64::NAN, -0.0, f64::INFINITY][i % 4]).collect::<Vec<_>>(),
            "b" => (0..n).map(|i| (i % 3 != 0).then_some(i % 2 == 0)).collect::<Vec<_>>(),
            "s" => (0..n).map(|i| (i % 6 != 2).then(|| format!("é\"{i}\n"))).collect::<Vec<_>>(),
            "cat" => (0..n).map(|i| (i % 7 != 3).then_some(["a", "m", "z"][i % 3])).collect::<Vec<_>>(),
            "enum" => (0..n).map(|i| (i % 5 != 4).then_some(["m", "z", "a"][i % 3])).collect::<Vec<_>>(),
            "date" => (0..n).map(|i| (i % 4 != 2).then_some(i as i32 * 4000 - 20_000)).collect::<Vec<_>>(),
            "dt" => (0..n).map(|i| (i % 5 != 1).then_some(i as i64 * 86_399_123_456 - 10)).collect::<Vec<_>>(),
            "far" => (0..n).map(|i| i as i32 * 1_000_000).collect::<Vec<_>>(),
            "t" => (0..n).map(|i| i as i64 * 1_000_000_007).collect::<Vec<_>>(),
        )
        .unwrap();
        let casts = [
            ("cat", DataType::from_categories(Categories::global())),
            ("enum", DataType::from_frozen_categories(frozen)),
            ("date", DataType::Date),
            ("dt", DataType::Datetime(TimeUnit::Microseconds, None)),
            ("far", DataType::Date),
            ("t", DataType::Time),
        ];
        for (name, dtype) in casts {
            df.apply(name, |c| c.cast(&dtype).unwrap()).unwrap();
        }
        // Several chunks, so rows are found across chunk boundaries.
        let df = {
            let mut parts = df.slice(0, 5);
            parts.vstack_mut(&df.slice(5, 4)).unwrap();
            parts.vstack_mut(&df.slice(9, 3)).unwrap();
            parts
        };
        let order: Vec<IdxSize> = vec![11, 0, 5, 3, 3, 9, 1, 10, 2, 8, 4, 7, 6];
        let page = df
            .take(&IdxCa::from_vec(PlSmallStr::EMPTY, order.clone()))
            .unwrap();
        let page_records = records(&df, order);
        let text = page_records.to_json().unwrap();
        assert_eq!(text, serde_json::to_vec(&page_records).unwrap());
        let got: Value = serde_json::from_slice(&text).unwrap();
        let want: Vec<Value> = super::super::page_to_json(&page)
            .into_iter()
            .map(Value::Object)
            .collect();
        assert_eq!(got, Value::Array(want));
        // Near a year boundary only some pages leave the direct path.
        let near = serde_json::to_string(&records(&df, vec![0, 1])).unwrap();
        assert!(near.contains(r#""far":"1970-01-01""#), "{near}");
    }

    #[test]
    fn rows_past_the_end_read_as_nulls() {
        let df = df!("a" => [1i64, 2], "d" => [Some(3i32), None]).unwrap();
        let mut two_chunks = df.slice(0, 1);
        two_chunks.vstack_mut(&df.slice(1, 1)).unwrap();
        two_chunks
            .apply("d", |c| c.cast(&DataType::Date).unwrap())
            .unwrap();
        for frame in [&df, &two_chunks] {
            let page = records(frame, vec![1, 9]);
            let json = String::from_utf8(page.to_json().unwrap()).unwrap();
            assert_eq!(json, serde_json::to_string(&page).unwrap());
            assert!(json.ends_with(r#"{"a":null,"d":null}]"#), "{json}");
        }
    }

    /// Every ASCII character, alone and inside other text, and some
    /// beyond ASCII (U+2028 is valid in JSON text): what serde_json
    /// writes.
    #[test]
    fn strings_are_written_as_serde_json_writes_them() {
        let mut samples: Vec<String> = (0u8..128).map(|b| char::from(b).to_string()).collect();
        samples.extend(
            [
                "",
                "plain",
                "a\"b",
                "x\\y",
                "tab\there",
                "é ü 漢 🎉",
                "\u{2028}\u{7f}",
            ]
            .map(str::to_owned),
        );
        for s in samples {
            let mut out = Vec::new();
            write_json_str(&mut out, &s).unwrap();
            assert_eq!(out, serde_json::to_vec(&s).unwrap(), "{s:?}");
        }
    }

    proptest::proptest! {
        /// Any floats (NaN, ±inf, subnormals), integers and strings
        /// (control characters, any Unicode), with nulls: the hand-written
        /// text is serde_json's.
        #[test]
        fn hand_written_text_is_serde_jsons(
            cells in proptest::collection::vec(
                (
                    proptest::option::of(proptest::num::f64::ANY),
                    proptest::option::of(proptest::prelude::any::<i64>()),
                    proptest::option::of(".{0,6}"),
                ),
                0..20,
            ),
        ) {
            let (f, (i, s)): (Vec<_>, (Vec<_>, Vec<_>)) =
                cells.into_iter().map(|(f, i, s)| (f, (i, s))).unzip();
            let n = f.len() as IdxSize;
            let df = df!("f" => f, "i" => i, "s" => s).unwrap();
            let page = records(&df, (0..n).rev().collect());
            proptest::prop_assert_eq!(page.to_json().unwrap(), serde_json::to_vec(&page).unwrap());
        }
    }
}
