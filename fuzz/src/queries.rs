//! Filter-query cases: grammar pieces in random order, with a sort and a
//! search, run on a small frame holding every column kind the table shows.

use aio_datatable::engine::{ViewSpec, build_view};
use polars::prelude::*;
use rand::RngExt as _;
use rand_pcg::Pcg64Mcg;
use serde_json::{Value, json};

use crate::mutate;

/// One case: the table's three props.
#[derive(Debug, Clone)]
pub struct Case {
    /// `filter_query`.
    pub filter: String,
    /// The search box.
    pub search: String,
    /// `sort_by`.
    pub sort_by: Value,
}

/// 64 rows: ints with nulls, floats with NaN and infinities, strings
/// (empty, unicode, date-like), a categorical, dates, datetimes, bools.
pub fn frame() -> PolarsResult<DataFrame> {
    let n = 64usize;
    let id: Vec<Option<i64>> = (0..n as i64)
        .map(|i| (i % 7 != 3).then_some(i - 20))
        .collect();
    let price: Vec<f64> = (0..n)
        .map(|i| match i % 9 {
            0 => f64::NAN,
            1 => f64::INFINITY,
            2 => -0.0,
            _ => i as f64 * 1.5 - 30.0,
        })
        .collect();
    let names = [
        "",
        "é x",
        "2024-01-02",
        "ab",
        "AB",
        "1e3",
        " 7 ",
        "\u{2028}",
    ];
    let name: Vec<Option<&str>> = (0..n)
        .map(|i| (i % 11 != 5).then(|| names[i % names.len()]))
        .collect();
    let days: Vec<i32> = (0..n as i32).map(|i| 19_000 + i * 37 - 900).collect();
    let mut df = df!(
        "id" => id,
        "price" => price,
        "name" => name,
        "qty" => (0..n as i64).map(|i| i * i - 100).collect::<Vec<_>>(),
        "flag" => (0..n).map(|i| i % 3 == 0).collect::<Vec<_>>(),
    )?;
    let category = Series::new(
        "category".into(),
        (0..n).map(|i| format!("cat_{}", i % 5)).collect::<Vec<_>>(),
    )
    .cast(&DataType::from_categories(Categories::global()))?;
    df.with_column(category.into())?;
    df.with_column(
        Series::new("day".into(), days.clone())
            .cast(&DataType::Date)?
            .into(),
    )?;
    let micros: Vec<i64> = days
        .iter()
        .map(|d| i64::from(*d) * 86_400_000_000 + 3_600_000_000)
        .collect();
    df.with_column(
        Series::new("ts".into(), micros)
            .cast(&DataType::Datetime(TimeUnit::Microseconds, None))?
            .into(),
    )?;
    Ok(df)
}

/// A random case.
pub fn case(rng: &mut Pcg64Mcg) -> Case {
    let columns = [
        "id", "price", "name", "qty", "flag", "category", "day", "ts", "nope",
    ];
    let sort_by = if rng.random_bool(0.5) {
        Value::Array(
            (0..rng.random_range(0..4))
                .map(|_| {
                    let column = columns[rng.random_range(0..columns.len())];
                    let direction = ["asc", "desc", "none"][rng.random_range(0..3)];
                    json!({"column_id": column, "direction": direction})
                })
                .collect(),
        )
    } else {
        mutate::value(rng, 2)
    };
    let search = if rng.random_bool(0.3) {
        mutate::query(rng)
    } else {
        String::new()
    };
    let day = if rng.random_bool(0.5) {
        "{ts}"
    } else {
        "{day}"
    };
    let filter = mutate::query(rng).replace("{ts}", day);
    Case {
        filter,
        search,
        sort_by,
    }
}

/// Runs a case: `true` when it gave a page, `false` when it was refused
/// with an error (both fine; a panic is the finding).
pub fn run(frame: &DataFrame, case: &Case) -> bool {
    let Ok(spec) = ViewSpec::from_props(&case.filter, &case.search, &case.sort_by) else {
        return false;
    };
    let Ok(view) = build_view(frame, &spec) else {
        return false;
    };
    view.page_records(frame, 0, 10)
        .is_ok_and(|p| p.to_json().is_ok())
}
