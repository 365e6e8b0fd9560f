//! Engine benchmarks on a generated 1M-row frame: a numeric filter, a
//! `contains` filter, a two-column sort, and a page flip from a cached view.
//!
//! `cargo bench -p aio-datatable --bench engine` (set `ENGINE_BENCH_ROWS` to
//! change the size).

use std::hint::black_box;
use std::time::Duration;

use aio_datatable::engine::{SortKey, ViewCache, ViewSpec, build_view, page_to_json};
use aio_datatable::query::parse;
use criterion::{Criterion, criterion_group, criterion_main};
use polars::prelude::*;

/// The frame's columns while generating them.
type Columns = (
    Vec<i64>,
    Vec<Option<String>>,
    Vec<String>,
    Vec<Option<f64>>,
    Vec<Option<i32>>,
    Vec<Option<i64>>,
);

/// id i64, name string (~10k distinct), category cat_0..cat_19, price f64
/// 0–1000, qty i32, ts datetime; about 2% nulls in name, price, qty, ts.
fn frame(n: usize) -> DataFrame {
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut cols: Columns = Default::default();
    for i in 0..n {
        let r = next();
        let null = r % 50 == 0;
        cols.0.push(i as i64);
        cols.1.push((!null).then(|| format!("name_{}", r % 10_007)));
        cols.2.push(format!("cat_{}", (r >> 20) % 20));
        cols.3
            .push((!null).then(|| ((r >> 24) % 100_000) as f64 / 100.0));
        cols.4
            .push((r % 51 != 0).then_some(((r >> 40) % 500) as i32));
        cols.5
            .push((r % 53 != 0).then_some(1_577_836_800_000 + ((r >> 16) % 31_536_000_000) as i64));
    }
    let ts = Int64Chunked::from_iter(cols.5)
        .into_datetime(TimeUnit::Milliseconds, None)
        .into_series()
        .with_name("ts".into());
    let category = Series::new("category".into(), cols.2)
        .cast(&DataType::from_categories(Categories::global()))
        .expect("categorical cast");
    DataFrame::new(
        n,
        vec![
            Series::new("id".into(), cols.0).into(),
            Series::new("name".into(), cols.1).into(),
            category.into(),
            Series::new("price".into(), cols.3).into(),
            Series::new("qty".into(), cols.4).into(),
            ts.into(),
        ],
    )
    .expect("frame")
}

fn spec(q: &str, sort: Vec<SortKey>) -> ViewSpec {
    ViewSpec::new(parse(q).expect("query"), "", sort)
}

fn benches(c: &mut Criterion) {
    let n = std::env::var("ENGINE_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let df = frame(n);
    let mut g = c.benchmark_group(format!("engine_{n}_rows"));
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(5));
    let cases: [(&str, ViewSpec); 11] = [
        (
            "filter numeric `{price} < 500`",
            spec("{price} < 500", vec![]),
        ),
        (
            "filter numeric `{qty} = 42 && {price} >= 10`",
            spec("{qty} = 42 && {price} >= 10", vec![]),
        ),
        (
            "filter contains `{name} contains me_12`",
            spec("{name} contains me_12", vec![]),
        ),
        (
            "filter icontains `{name} icontains ME_12`",
            spec("{name} icontains ME_12", vec![]),
        ),
        (
            "filter text-as-number `{name} = 42`",
            spec("{name} = 42", vec![]),
        ),
        (
            "filter datestartswith `{ts} datestartswith 2020-03`",
            spec("{ts} datestartswith 2020-03", vec![]),
        ),
        ("sort price desc", spec("", vec![SortKey::desc("price")])),
        (
            "sort category asc",
            spec("", vec![SortKey::asc("category")]),
        ),
        ("sort id desc", spec("", vec![SortKey::desc("id")])),
        (
            "sort category asc, price desc",
            spec("", vec![SortKey::asc("category"), SortKey::desc("price")]),
        ),
        (
            "filter + sort name asc",
            spec("{price} < 100", vec![SortKey::asc("name")]),
        ),
    ];
    for (name, s) in &cases {
        let view = build_view(&df, s).expect("view");
        println!("{name}: {} rows", view.len());
        g.bench_function(*name, |b| {
            b.iter(|| build_view(black_box(&df), black_box(s)).expect("view"))
        });
    }
    let cache = ViewCache::new(256 << 20);
    let sorted = spec("", vec![SortKey::asc("category"), SortKey::desc("price")]);
    let view = cache.get_or_build("bench", &sorted, &df).expect("view");
    let mut page = 0usize;
    g.bench_function("page flip (cached view, 250 rows, take + JSON)", |b| {
        b.iter(|| {
            page = (page + 997) % 4000;
            let view = cache.get_or_build("bench", &sorted, &df).expect("view");
            let frame = view.page(&df, page, 250).expect("page");
            black_box(page_to_json(&frame))
        })
    });
    g.bench_function(
        "page flip (cached view, 100 rows, records written as the callback does)",
        |b| {
            b.iter(|| {
                page = (page + 997) % 10_000;
                let view = cache.get_or_build("bench", &sorted, &df).expect("view");
                let records = view.page_records(&df, page, 100).expect("page");
                black_box(serde_json::to_vec(&records).expect("json"))
            })
        },
    );
    g.bench_function("page flip (cached view, 250 rows, take only)", |b| {
        b.iter(|| {
            page = (page + 997) % 4000;
            black_box(view.page(&df, page, 250).expect("page"))
        })
    });
    g.finish();
}

criterion_group!(engine, benches);
criterion_main!(engine);
