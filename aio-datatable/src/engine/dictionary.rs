//! Work on categorical columns done once per category instead of once per
//! row.
//!
//! A Categorical or Enum column stores a small code per row and its strings
//! once, in the dtype's mapping. A filter leaf or a search that reads only
//! such a column is evaluated over the mapping's strings (thousands of
//! rows at most) and then looked up by code, so `{name} contains ab` over
//! ten million rows costs one gather instead of ten million substring
//! searches. Sort keys use the same idea (the rank of each string).

use polars::prelude::*;

use super::kernels;

/// Mappings holding more strings than this are not worth a table; such
/// columns are evaluated row by row.
const MAX_STRINGS: usize = 1 << 20;

/// The strings of a Categorical/Enum dtype, indexed by physical code
/// (`None` for a code the mapping does not know), or `None` for other
/// dtypes and very large mappings.
pub(crate) fn strings(dtype: &DataType) -> Option<Vec<Option<&str>>> {
    if !(dtype.is_categorical() || dtype.is_enum()) {
        return None;
    }
    let mapping = dtype.cat_mapping().ok()?;
    let n = mapping.num_cats_upper_bound();
    if n > MAX_STRINGS {
        return None;
    }
    Some(
        (0..n)
            .map(|code| {
                CatSize::try_from(code)
                    .ok()
                    .and_then(|c| mapping.cat_to_str(c))
            })
            .collect(),
    )
}

/// Rows read to judge whether a String column repeats its values enough.
const PROBE_ROWS: usize = 65_536;

/// `frame` with each String column that repeats its values a lot (at most
/// one distinct value per 4 rows of the first 65,536, and at most 65,536
/// distinct values in all) stored as an Enum of its distinct strings in
/// byte order. The cells stay the same strings —
/// [`page_to_json`](super::page_to_json), filters, sorts and the search
/// treat String, Categorical and Enum alike — but filters and sorts on
/// them then work once per category, and memory shrinks to one byte a row
/// (up to 256 distinct values) or two. The categories depend only on the
/// column's values, so equal frames stay equal (and get equal store
/// keys) in every process. Columns that turn out to have more distinct
/// values than the limit stay String.
pub fn encode_repeated_strings(frame: &DataFrame) -> PolarsResult<DataFrame> {
    let mut columns = Vec::with_capacity(frame.width());
    for c in frame.columns() {
        let dtype = if c.dtype() == &DataType::String && repeats(c)? {
            enum_of_values(c)?
        } else {
            None
        };
        columns.push(match dtype {
            Some(dtype) => c.cast(&dtype)?,
            None => c.clone(),
        });
    }
    DataFrame::new(frame.height(), columns)
}

/// The Enum dtype of a String column's distinct values, sorted, or `None`
/// when there are more than [`PROBE_ROWS`] of them.
fn enum_of_values(c: &Column) -> PolarsResult<Option<DataType>> {
    let distinct = c.as_materialized_series().unique()?;
    if distinct.len() > PROBE_ROWS {
        return Ok(None);
    }
    let mut values: Vec<&str> = distinct.str()?.iter().flatten().collect();
    values.sort_unstable();
    let frozen = FrozenCategories::new(values.iter().copied())?;
    Ok(Some(DataType::from_frozen_categories(frozen)))
}

fn repeats(c: &Column) -> PolarsResult<bool> {
    let probe = c.slice(0, PROBE_ROWS);
    let rows = probe.len();
    Ok(rows >= 64 && probe.as_materialized_series().n_unique()? <= rows / 4)
}

/// `pred`, a Boolean expression that reads no column but `name` (a
/// Categorical/Enum column of `dtype`, which `pred` reads through a cast to
/// String), evaluated once per category and spread over the rows by code:
/// a constant when every category answers alike, one code comparison
/// when a single category matches, else a table lookup. `None` when the
/// dtype has no usable mapping or `pred` does not give one non-null answer
/// per category; the caller then keeps `pred`.
pub(crate) fn per_category(pred: &Expr, name: &str, dtype: &DataType) -> Option<Expr> {
    let table = answers(pred, name, dtype)?;
    let len = table.len();
    let codes = col(name).to_physical();
    let matching: Vec<usize> = (0..len).filter(|&i| table[i]).collect();
    Some(match matching.as_slice() {
        [] => lit(false),
        _ if matching.len() == len => lit(true),
        // One category, not the null slot: `code == c` (nulls never match).
        [only] if *only + 1 < len => kernels::code_equals(codes, *only as u32),
        _ => kernels::code_lookup(codes, table),
    })
}

/// `pred` (as for [`per_category`]) for each category of `dtype`, by
/// code, then for a null cell (the last entry).
pub(crate) fn answers(pred: &Expr, name: &str, dtype: &DataType) -> Option<Vec<bool>> {
    let mut cats = strings(dtype)?;
    cats.push(None); // null cells
    let len = cats.len();
    let dict = DataFrame::new(len, vec![Column::new(name.into(), cats)]).ok()?;
    let out = dict
        .lazy()
        .select([pred.clone().alias("hit")])
        .collect()
        .ok()?;
    let hits = out.column("hit").ok()?.bool().ok()?.clone();
    if hits.len() != len || hits.null_count() > 0 {
        return None;
    }
    Some(hits.iter().map(|b| b.unwrap_or(false)).collect())
}

/// `col(name)` (a Categorical/Enum column of `dtype`) as the rank of each
/// category's string under `order`, nulls staying null: a u32 sort key
/// that orders like the strings.
pub(crate) fn ranks(
    name: &str,
    dtype: &DataType,
    order: impl Fn(&str, &str) -> std::cmp::Ordering,
) -> Option<Expr> {
    let cats = strings(dtype)?;
    let mut known: Vec<(usize, &str)> = cats
        .iter()
        .enumerate()
        .filter_map(|(code, s)| Some((code, (*s)?)))
        .collect();
    known.sort_by(|a, b| order(a.1, b.1));
    let mut table: Vec<Option<u32>> = vec![None; cats.len()];
    for (rank, (code, _)) in known.iter().enumerate() {
        table[*code] = Some(rank as u32);
    }
    Some(kernels::code_map(col(name).to_physical(), table))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The same column as a global Categorical (u32 codes) and as an Enum
    /// (u8 codes, in an order unlike the strings').
    fn frames() -> [DataFrame; 2] {
        let values = [Some("b"), None, Some("a"), Some("ab"), Some("b"), None];
        let frozen = FrozenCategories::new(["ab", "b", "a"]).unwrap();
        [
            DataType::from_categories(Categories::global()),
            DataType::from_frozen_categories(frozen),
        ]
        .map(|dtype| {
            let c = Column::new("c".into(), values).cast(&dtype).unwrap();
            DataFrame::new(values.len(), vec![c]).unwrap()
        })
    }

    #[test]
    fn per_category_equals_the_row_by_row_predicate() {
        for df in frames() {
            per_category_case(&df);
        }
    }

    fn per_category_case(df: &DataFrame) {
        let dtype = df.column("c").unwrap().dtype().clone();
        let pred = col("c")
            .cast(DataType::String)
            .str()
            .contains_literal(lit("a"))
            .fill_null(lit(true));
        let fast = per_category(&pred, "c", &dtype).unwrap();
        let run = |e: Expr| {
            df.clone()
                .lazy()
                .select([e.alias("m")])
                .collect()
                .unwrap()
                .column("m")
                .unwrap()
                .bool()
                .unwrap()
                .iter()
                .collect::<Vec<_>>()
        };
        assert_eq!(run(fast), run(pred));
        assert_eq!(
            run(per_category(&col("c").is_null(), "c", &dtype).unwrap()),
            [false, true, false, false, false, true].map(Some)
        );
        // One category matches: the `code == c` kernel.
        let only_a = col("c")
            .cast(DataType::String)
            .eq(lit("a"))
            .fill_null(lit(false));
        assert_eq!(
            run(per_category(&only_a, "c", &dtype).unwrap()),
            [false, false, true, false, false, false].map(Some)
        );
    }

    #[test]
    fn repeated_strings_become_categorical_and_unique_ones_do_not() {
        let n = 10_000usize;
        let repeated: Vec<Option<String>> = (0..n)
            .map(|i| (i % 7 != 0).then(|| format!("r{}", i % 50)))
            .collect();
        let unique: Vec<String> = (0..n).map(|i| format!("u{i}")).collect();
        let df = df!("r" => &repeated, "u" => &unique, "x" => vec![1i64; n]).unwrap();
        let out = encode_repeated_strings(&df).unwrap();
        let r = out.column("r").unwrap();
        assert!(r.dtype().is_enum(), "{:?}", r.dtype());
        // 50 categories: one byte a row.
        assert_eq!(r.to_physical_repr().dtype(), &DataType::UInt8);
        assert_eq!(out.column("u").unwrap().dtype(), &DataType::String);
        assert_eq!(out.column("x").unwrap().dtype(), &DataType::Int64);
        let back = out.column("r").unwrap().cast(&DataType::String).unwrap();
        assert!(back.equals_missing(df.column("r").unwrap()));
    }

    #[test]
    fn ranks_order_like_the_strings_and_keep_nulls() {
        for df in frames() {
            ranks_case(df);
        }
    }

    fn ranks_case(df: DataFrame) {
        let dtype = df.column("c").unwrap().dtype().clone();
        let key = ranks("c", &dtype, |a, b| a.cmp(b)).unwrap();
        let out = df.lazy().select([key.alias("k")]).collect().unwrap();
        let k: Vec<Option<u32>> = out.column("k").unwrap().u32().unwrap().iter().collect();
        let (b, a, ab) = (k[0].unwrap(), k[2].unwrap(), k[3].unwrap());
        assert!(a < ab && ab < b, "{k:?}");
        assert_eq!(k[4], k[0]);
        assert_eq!((k[1], k[5]), (None, None));
    }
}
