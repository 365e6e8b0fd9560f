//! The engine's API around the filter: JSON pages, column specs, search,
//! paging, the view cache and the errors.

use std::sync::Arc;

use aio_datatable::engine::{
    EngineError, SortKey, ViewCache, ViewSpec, build_view, clamp_page, column_specs,
    compile_filter, page_to_json, page_window, search_expr, to_csv,
};
use aio_datatable::query::parse;
use polars::prelude::*;
use serde_json::{Value, json};

fn frame() -> DataFrame {
    let dt = Int64Chunked::from_iter([Some(1_577_836_800_000i64), Some(1_577_836_800_123), None])
        .into_datetime(TimeUnit::Milliseconds, None)
        .into_series()
        .with_name("dt".into());
    let d = Int32Chunked::from_iter([Some(18_262), None, Some(0)])
        .into_date()
        .into_series()
        .with_name("d".into());
    let cat = Series::new("cat".into(), [Some("red"), None, Some("Blue")])
        .cast(&DataType::from_categories(Categories::global()))
        .unwrap();
    let mut df = df! {
        "big" => [Some(9_007_199_254_740_993i64), Some(-1), None],
        "u" => [Some(u64::MAX), Some(0), Some(7)],
        "f" => [Some(f64::NAN), Some(-0.0), Some(f64::INFINITY)],
        "f32" => [Some(0.5f32), None, Some(f32::NEG_INFINITY)],
        "s" => [Some("Straße"), Some(""), None],
        "b" => [Some(true), None, Some(false)],
        "z" => Series::full_null("z".into(), 3, &DataType::Null),
    }
    .unwrap();
    for c in [dt, d, cat] {
        df.with_column(c.into()).unwrap();
    }
    df
}

#[test]
fn json_pages_use_the_cell_representation() {
    let rows = page_to_json(&frame());
    assert_eq!(
        Value::from(rows.clone()),
        json!([
            {"big": 9_007_199_254_740_993i64, "u": u64::MAX, "f": null, "f32": 0.5, "s": "Straße", "b": true,
             "z": null, "dt": "2020-01-01T00:00:00", "d": "2020-01-01", "cat": "red"},
            {"big": -1, "u": 0, "f": -0.0, "f32": null, "s": "", "b": null,
             "z": null, "dt": "2020-01-01T00:00:00.123", "d": null, "cat": null},
            {"big": null, "u": 7, "f": null, "f32": null, "s": null, "b": false,
             "z": null, "dt": null, "d": "1970-01-01", "cat": "Blue"},
        ])
    );
    // Column order is kept, and -0.0 stays -0.0 on the wire.
    assert_eq!(
        rows[0].keys().collect::<Vec<_>>(),
        ["big", "u", "f", "f32", "s", "b", "z", "dt", "d", "cat"]
    );
    assert_eq!(serde_json::to_string(&rows[1]["f"]).unwrap(), "-0.0");

    // Lists have no cell form: sent as text, but not filterable.
    let lists = df! { "l" => [Series::new("".into(), [1i64, 2])], "n" => [1i64] }.unwrap();
    assert_eq!(
        Value::from(page_to_json(&lists)),
        json!([{"l": "[1, 2]", "n": 1}])
    );
    let err = build_view(
        &lists,
        &ViewSpec::new(parse("{l} is nil").unwrap(), "", vec![]),
    )
    .unwrap_err();
    assert!(
        matches!(&err, EngineError::TypeMismatch { column, action: "filtered", .. } if column == "l"),
        "{err}"
    );
    assert!(
        err.to_string().contains("cast it to a string or a number"),
        "{err}"
    );
    let err = build_view(
        &lists,
        &ViewSpec::new(parse("").unwrap(), "", vec![SortKey::asc("l")]),
    )
    .unwrap_err();
    assert!(
        matches!(
            &err,
            EngineError::TypeMismatch {
                action: "sorted",
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn views_export_as_csv() {
    let df = df! {
        "name" => [Some("a,b"), Some("say \"hi\""), None, Some("plain")],
        "x" => [Some(1.5), Some(f64::NAN), Some(-0.0), Some(3.0)],
        "n" => [1i64, 2, 3, 4],
    }
    .unwrap();
    let view = build_view(
        &df,
        &ViewSpec::new(parse("{n} > 1").unwrap(), "", vec![SortKey::desc("n")]),
    )
    .unwrap();
    let rows = view.take_all(&df).unwrap();
    assert_eq!(
        rows.column("n").unwrap().i64().unwrap().to_vec(),
        [Some(4), Some(3), Some(2)]
    );
    assert_eq!(
        to_csv(&rows).unwrap(),
        "name,x,n\nplain,3.0,4\n,-0.0,3\n\"say \"\"hi\"\"\",,2\n"
    );
    assert_eq!(
        to_csv(&df.head(Some(1))).unwrap(),
        "name,x,n\n\"a,b\",1.5,1\n"
    );
    assert_eq!(clamp_page(0, 3, 10), (0, 1));
    assert_eq!(clamp_page(95, 20, 10), (9, 10));
}

#[test]
fn column_specs_give_table_types() {
    let specs = column_specs(frame().schema());
    let types: Vec<(&str, &str)> = specs
        .iter()
        .map(|c| (c["id"].as_str().unwrap(), c["type"].as_str().unwrap()))
        .collect();
    assert_eq!(
        types,
        [
            ("big", "numeric"),
            ("u", "numeric"),
            ("f", "numeric"),
            ("f32", "numeric"),
            ("s", "text"),
            ("b", "any"),
            ("z", "any"),
            ("dt", "datetime"),
            ("d", "datetime"),
            ("cat", "text")
        ]
    );
    assert_eq!(
        specs[0],
        json!({"name": "big", "id": "big", "type": "numeric"})
    );
}

#[test]
fn constant_queries_compile_to_nothing() {
    let schema = frame().schema().clone();
    for q in ["", "1 = 1", "{s} = 1 || 1 = 1", "!(a = b)"] {
        assert!(
            compile_filter(&parse(q).unwrap(), &schema)
                .unwrap()
                .is_none(),
            "{q}"
        );
    }
    for q in ["{s} = 1", "1 = 2", "{b} contains x"] {
        assert!(
            compile_filter(&parse(q).unwrap(), &schema)
                .unwrap()
                .is_some(),
            "{q}"
        );
    }
    let e = compile_filter(
        &parse("{l} = 1").unwrap(),
        &Schema::from_iter([Field::new(
            "l".into(),
            DataType::List(Box::new(DataType::Int64)),
        )]),
    )
    .unwrap_err();
    assert!(
        matches!(
            e,
            EngineError::TypeMismatch {
                action: "filtered",
                ..
            }
        ),
        "{e}"
    );
}

#[test]
fn search_is_case_insensitive_over_text_columns() {
    let df = df! {
        "name" => [Some("Alice"), Some("BOB"), None, Some("a.b")],
        "city" => [Some("Paris"), Some("Oslo"), Some("bobtown"), None],
        "n" => [1i64, 2, 3, 4],
    }
    .unwrap();
    let view = |q: &str, search: &str| {
        build_view(&df, &ViewSpec::new(parse(q).unwrap(), search, vec![]))
            .unwrap()
            .indices()
    };
    assert_eq!(view("", "bob"), [1, 2]);
    assert_eq!(view("", "  ALI "), [0]);
    assert_eq!(view("", "."), [3]); // regex characters are literal
    assert_eq!(view("", "3"), Vec::<u32>::new()); // numbers are not text
    assert_eq!(view("{n} > 1", "bob"), [1, 2]);
    assert_eq!(view("{n} > 2", "bob"), [2]);
    assert!(search_expr(" \t", df.schema()).is_none());
    let numbers = df! { "n" => [1i64] }.unwrap();
    assert!(search_expr("x", numbers.schema()).is_some());
    assert!(
        build_view(&numbers, &ViewSpec::new(parse("").unwrap(), "x", vec![]))
            .unwrap()
            .is_empty()
    );
}

#[test]
fn pages_clamp_and_count() {
    let df = df! { "x" => (0..25i64).rev().collect::<Vec<_>>() }.unwrap();
    let spec = ViewSpec::new(parse("{x} >= 3").unwrap(), "", vec![SortKey::asc("x")]);
    let view = build_view(&df, &spec).unwrap();
    assert_eq!((view.len(), view.total_rows()), (22, 25));
    let w = view.window(9, 10);
    assert_eq!(
        (w.page_current, w.page_count, w.offset, w.len),
        (2, 3, 20, 2)
    );
    let page = view.page(&df, 9, 10).unwrap();
    assert_eq!(
        page.column("x").unwrap().i64().unwrap().to_vec(),
        [Some(23), Some(24)]
    );
    assert_eq!(view.page_indices(0, 3), [21, 20, 19]);
    // An empty view still has one (empty) page.
    let empty = build_view(&df, &ViewSpec::new(parse("{x} > 100").unwrap(), "", vec![])).unwrap();
    assert_eq!(empty.window(4, 10), page_window(0, 0, 10));
    assert_eq!(empty.page(&df, 4, 10).unwrap().height(), 0);
    // The unfiltered, unsorted view stores nothing and slices the frame.
    let all = build_view(&df, &ViewSpec::default()).unwrap();
    assert_eq!(all.page_indices(2, 10), [20, 21, 22, 23, 24]);
    assert!(all.heap_bytes() < 100);
    let other = df.head(Some(3));
    assert_eq!(
        view.page(&other, 0, 10).unwrap_err(),
        EngineError::FrameMismatch {
            expected: 25,
            actual: 3
        }
    );
}

#[test]
fn spec_keys_and_props() {
    let a = ViewSpec::from_props(
        "{a} eq 1 and {b} contains x",
        " q ",
        &json!([{"column_id": "a"}]),
    )
    .unwrap();
    let b = ViewSpec::from_props(
        "{a} = 1 && {b} contains x",
        "q",
        &json!([{"column_id": "a", "direction": "none"}]),
    )
    .unwrap();
    assert_eq!(a.cache_key(), b.cache_key());
    let c = ViewSpec::from_props(
        "{a} = 1 && {b} contains x",
        "q",
        &json!([{"column_id": "a", "direction": "desc"}]),
    )
    .unwrap();
    assert_ne!(a.cache_key(), c.cache_key());
    assert!(matches!(
        ViewSpec::from_props("{a} = ", "", &Value::Null),
        Err(aio_datatable::Error::Query(_))
    ));
    assert!(matches!(
        ViewSpec::from_props("", "", &json!({})),
        Err(aio_datatable::Error::Engine(EngineError::BadSortBy(_)))
    ));
}

#[test]
fn cache_is_lru_by_bytes() {
    let df = df! { "x" => (0..1000i64).collect::<Vec<_>>() }.unwrap();
    let spec = |q: &str| ViewSpec::new(parse(q).unwrap(), "", vec![SortKey::desc("x")]);
    let one = build_view(&df, &spec("{x} >= 0")).unwrap().heap_bytes();
    let cache = ViewCache::new(one * 2 + 1000);
    let a = cache.get_or_build("f1", &spec("{x} >= 0"), &df).unwrap();
    let again = cache.get_or_build("f1", &spec("{x} ge 0"), &df).unwrap();
    assert!(Arc::ptr_eq(&a, &again), "same canonical key");
    let _b = cache.get_or_build("f1", &spec("{x} >= 1"), &df).unwrap();
    assert!(cache.get("f1", &spec("{x} >= 0")).is_some()); // a is now the most recent
    let _c = cache.get_or_build("f1", &spec("{x} >= 2"), &df).unwrap();
    assert_eq!(cache.len(), 2);
    assert!(
        cache.get("f1", &spec("{x} >= 1")).is_none(),
        "least recently used goes first"
    );
    assert!(cache.get("f1", &spec("{x} >= 0")).is_some());
    assert!(cache.bytes() <= cache.capacity_bytes());
    // Another frame key is another view.
    assert!(cache.get("f2", &spec("{x} >= 0")).is_none());
    cache.invalidate_frame("f1");
    assert!(cache.is_empty() && cache.bytes() == 0);
    // Errors are not cached; a view bigger than the budget is returned, not kept.
    assert!(cache.get_or_build("f1", &spec("{nope} = 1"), &df).is_err());
    let tiny = ViewCache::new(10);
    assert_eq!(tiny.get_or_build("f1", &spec(""), &df).unwrap().len(), 1000);
    assert!(tiny.is_empty());
}

#[test]
fn cache_is_shared_across_threads() {
    let df =
        Arc::new(df! { "x" => (0..5000i64).map(|i| i * 7919 % 5000).collect::<Vec<_>>() }.unwrap());
    let cache = Arc::new(ViewCache::new(1 << 20));
    let handles: Vec<_> = (0..4)
        .map(|t| {
            let (df, cache) = (Arc::clone(&df), Arc::clone(&cache));
            std::thread::spawn(move || {
                for i in 0..20 {
                    let spec = ViewSpec::new(
                        parse(&format!("{{x}} > {}", (i + t) % 5 * 1000)).unwrap(),
                        "",
                        vec![SortKey::asc("x")],
                    );
                    let view = cache.get_or_build("f", &spec, &df).unwrap();
                    let first = view.page(&df, 0, 1).unwrap();
                    let x = first.column("x").unwrap().i64().unwrap().get(0);
                    assert_eq!(x, Some((i + t) % 5 * 1000 + 1));
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert_eq!(cache.len(), 5);
}

#[test]
fn large_sorts_stay_stable() {
    // Big enough for polars' parallel sort paths; few distinct keys, so
    // almost every comparison is a tie that must keep frame order.
    let n = 300_000u32;
    let df = df! {
        "k" => (0..n).map(|i| (i.wrapping_mul(2_654_435_761) >> 29) as i64).collect::<Vec<_>>(),
        "s" => (0..n).map(|i| if i % 3 == 0 { None } else { Some(["b", "a", "～", "😀"][(i % 4) as usize]) }).collect::<Vec<_>>(),
    }
    .unwrap();
    let k = df.column("k").unwrap().i64().unwrap().to_vec();
    let s: Vec<Option<String>> = df
        .column("s")
        .unwrap()
        .str()
        .unwrap()
        .iter()
        .map(|v| v.map(str::to_owned))
        .collect();
    let spec = ViewSpec::new(
        parse("{k} != 3").unwrap(),
        "",
        vec![SortKey::asc("s"), SortKey::desc("k")],
    );
    let rows = build_view(&df, &spec).unwrap().indices();
    assert_eq!(rows.len(), k.iter().filter(|v| **v != Some(3)).count());
    let key = |r: u32| {
        let s = s[r as usize]
            .as_ref()
            .map(|t| t.encode_utf16().collect::<Vec<_>>());
        (s.is_none(), s, std::cmp::Reverse(k[r as usize]))
    };
    for w in rows.windows(2) {
        let (a, b) = (key(w[0]), key(w[1]));
        assert!(
            a < b || (a == b && w[0] < w[1]),
            "rows {} and {} out of order",
            w[0],
            w[1]
        );
    }
}

#[test]
fn concurrent_requests_for_one_new_view_build_it_once() {
    let n = 400_000i64;
    let df = Arc::new(df! { "x" => (0..n).map(|i| i * 7919 % n).collect::<Vec<_>>() }.unwrap());
    let cache = Arc::new(ViewCache::new(1 << 30));
    let spec = ViewSpec::new(parse("{x} > 10").unwrap(), "", vec![SortKey::desc("x")]);
    let barrier = Arc::new(std::sync::Barrier::new(4));
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let (df, cache, spec, barrier) = (
                Arc::clone(&df),
                Arc::clone(&cache),
                spec.clone(),
                Arc::clone(&barrier),
            );
            std::thread::spawn(move || {
                barrier.wait();
                cache.get_or_build("f", &spec, &df).unwrap()
            })
        })
        .collect();
    let views: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    // One build: every caller holds the very same view.
    for v in &views[1..] {
        assert!(Arc::ptr_eq(v, &views[0]));
    }
    assert_eq!(views[0].len(), (n - 11) as usize);
    assert_eq!(cache.len(), 1);
}
