//! The server-side filter/sort/page engine: DataTable's native filtering
//! and sorting, reproduced over polars frames.
//!
//! A user switching a DataTable from `filter_action='native'` to this engine
//! sees the same rows in the same order (the spec is
//! `dash-table-semantics.md`, rules 9–21, observed on dash-table 7.4.1).
//!
//! # Use
//!
//! ```
//! use aio_datatable::engine::{ViewCache, ViewSpec, page_to_json};
//! use polars::prelude::*;
//! use serde_json::json;
//!
//! let df = df! {
//!     "name" => ["b", "a", "c", "d"],
//!     "pop" => [Some(3i64), None, Some(10), Some(7)],
//! }?;
//! let cache = ViewCache::new(64 << 20);
//! let spec = ViewSpec::from_props(
//!     "{pop} < 8",
//!     "",
//!     &json!([{"column_id": "pop", "direction": "desc"}]),
//! )?;
//! let view = cache.get_or_build("frame-hash", &spec, &df)?;
//! // Null counts as 0 in `<`, and nulls sort last in both directions.
//! assert_eq!(view.indices(), [3, 0, 1]);
//! let page = view.page(&df, 0, 2)?;
//! assert_eq!(
//!     serde_json::Value::from(page_to_json(&page)),
//!     json!([{"name": "d", "pop": 7}, {"name": "b", "pop": 3}]),
//! );
//! assert_eq!(aio_datatable::engine::clamp_page(view.len(), 5, 2), (1, 2));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Cells
//!
//! The engine filters and sorts the JavaScript value each cell would have in
//! the browser, which is exactly what [`page_to_json`] sends; see the table
//! in the `columns` module: numbers are doubles, **NaN and ±inf are null**
//! (JSON has no other spelling for them; Dash's Python encoder also sends
//! `null`), Date and Datetime cells are ISO strings
//! (`YYYY-MM-DD`, `YYYY-MM-DDTHH:MM:SS[.fff][+HH:MM]`), categories are
//! strings, booleans are booleans. [`column_specs`] gives the matching
//! `columns` prop.
//!
//! # Semantics kept from dash-table
//!
//! All of rules 9–16 and 18–21, including: numeric `=` whenever both sides
//! are `fast-isnumeric` (`{s} = 42` matches `'0x2A'`, `' 42'`, `'4.2e1'`);
//! strict `!=` (nulls pass; a number never equals a string); `<` … as raw JS
//! comparisons (null is 0, strings against numbers through `Number()`,
//! strings against strings by **UTF-16 code units**, exactly — see
//! `js::utf16_key`); only a lowercase `i` prefix is case-insensitive,
//! comparing `toString().toUpperCase()` (Rust's full mapping, like JS), with
//! `=` still numeric on the raw values and `contains` still requiring a
//! string before upper-casing; `contains` with JS number formatting
//! (`1e+300`); `datestartswith` with the table's `normalizeDate` (two-digit
//! years, its multi-line regex, impossible dates rejected); the `is` checks
//! with JS `%` (negative odd numbers are not odd) and the table's `is prime`
//! (non-integers above 2 are prime); sorting stable, nulls last in both
//! directions, later keys breaking ties, `-0 = 0`.
//!
//! # Deliberate differences
//!
//! * **Unknown columns are errors** ([`EngineError::UnknownColumn`]), in the
//!   filter (the table treats them as `undefined`, rule 17) and in `sort_by`
//!   (the table ignores the key, rule 19): either way the app's columns and
//!   its frame disagree, which deserves a message.
//! * **An `i` comparison on a null cell does not match** (the table throws
//!   and keeps showing stale rows, rule 12). It is false for that row, so a
//!   `!( … )` around it is true. `icontains` never throws in the table and
//!   never matches nulls here either.
//! * Two-digit years in `datestartswith` pivot on the current **UTC** year −
//!   70 (the table uses the browser's local year).
//! * `is prime` decides integers with a deterministic Miller–Rabin test
//!   instead of trial division: the same answers, without the table's
//!   multi-second loop on large primes.
//! * Typed columns cannot mix numbers and strings, so the table's
//!   engine-specific order for mixed sort columns (see the spec) never
//!   arises.
//! * Lists, structs, binary and objects have no cell form:
//!   [`EngineError::TypeMismatch`] when filtered or sorted; [`page_to_json`]
//!   sends polars' text of them.
//! * The search box ([`search_expr`]) is not a dash-table feature.
//!
//! Type errors are otherwise never raised: `{name} is even` or
//! `{date} > 5` are valid and simply match what the table would match
//! (nothing, or the nulls).
//!
//! # Evaluation
//!
//! [`compile_filter`] turns the whole tree into one polars expression. Hot
//! comparisons use polars kernels (`=`/`<` on numbers, string equality,
//! `contains` on strings; `datestartswith` on a Date or a naive/UTC
//! Datetime column is a range test on the physical values); the JavaScript
//! conversions polars lacks (`fast-isnumeric` and `Number()` of strings,
//! `String()` of numbers, `normalizeDate` of strings, UTF-16 keys, primality)
//! are column kernels applied inside the plan, never a per-row walk of the
//! tree. [`build_view`] runs filter and sort as one plan that returns row
//! indices only; [`View::page`] gathers a page from them.

mod argsort;
mod cache;
mod columns;
mod date_text;
mod dictionary;
mod error;
mod filter;
mod js;
mod json;
mod kernels;
mod keyed;
mod postings;
mod records;
mod sort;
mod topk;
mod view;

pub use cache::ViewCache;
pub use columns::column_specs;
pub use dictionary::encode_repeated_strings;
pub use error::EngineError;
pub use filter::compile_filter;
pub use json::{csv_header, csv_rows, page_to_json, to_csv};
pub use records::{PageRecords, page_records, records};
pub use sort::{MAX_SORT_KEYS, SortKey, parse_sort_by};
pub use view::{
    PageWindow, View, ViewSpec, build_view, build_view_head, clamp_page, page_window, search_expr,
};
