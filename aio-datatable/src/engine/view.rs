//! Views: the filtered, sorted row order of a frame, and its pages.

use polars::prelude::*;
use serde_json::Value;

use super::columns::Repr;
use super::keyed::{Keyed, indices_of, keyed};
use super::sort::{SortKey, parse_sort_by};
use super::topk::{KeyCol, LaterKeys, sort_head, stable_sort};
use super::{EngineError, PageRecords, dictionary};
use crate::query::{Query, is_js_whitespace, parse};

/// What the table shows: a filter, a search text and a sort.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ViewSpec {
    /// The parsed `filter_query`.
    pub filter: Query,
    /// The search box text (see [`search_expr`]); empty for none.
    pub search: String,
    /// The parsed `sort_by` (see [`parse_sort_by`]).
    pub sort: Vec<SortKey>,
}

impl ViewSpec {
    /// A spec from its parts.
    pub fn new(filter: Query, search: impl Into<String>, sort: Vec<SortKey>) -> Self {
        ViewSpec {
            filter,
            search: search.into(),
            sort,
        }
    }

    /// A spec from the table's props: `filter_query` (parsed with
    /// [`crate::query::parse`]), the search text and `sort_by`.
    pub fn from_props(
        filter_query: &str,
        search: &str,
        sort_by: &Value,
    ) -> Result<Self, crate::Error> {
        Ok(ViewSpec {
            filter: parse(filter_query)?,
            search: search.to_owned(),
            sort: parse_sort_by(sort_by)?,
        })
    }

    /// A canonical key for caching: specs that print the same filter, have
    /// the same trimmed search text and the same sort keys share it. The
    /// filter is printed with the query's `Display` (so `{a} eq 1` and
    /// `{a} = 1` share a key); the whole is a JSON array, so no text can
    /// collide with another part.
    pub fn cache_key(&self) -> String {
        let sort: Vec<Value> = self
            .sort
            .iter()
            .map(|k| {
                Value::from(vec![
                    Value::from(k.column.as_str()),
                    Value::from(k.descending),
                ])
            })
            .collect();
        Value::from(vec![
            Value::from(self.filter.to_string()),
            Value::from(search_text(&self.search)),
            Value::from(sort),
        ])
        .to_string()
    }
}

fn search_text(text: &str) -> &str {
    text.trim_matches(is_js_whitespace)
}

/// The search box as a predicate: rows where any text column (String,
/// Categorical, Enum) contains `text`, case-insensitively (Unicode simple
/// case folding, so `ß` does not match `SS`). The caller ANDs it with the
/// filter ([`build_view`] does). Leading and trailing whitespace is ignored;
/// `None` when nothing is left. When the frame has no text column, nothing
/// matches. Null cells never match.
pub fn search_expr(text: &str, schema: &Schema) -> Option<Expr> {
    let text = search_text(text);
    if text.is_empty() {
        return None;
    }
    let pattern = format!("(?i){}", regex::escape(text));
    let mut out: Option<Expr> = None;
    for (name, dtype) in schema.iter() {
        let c = match Repr::of(dtype) {
            Some(Repr::Text) => col(name.as_str()),
            Some(Repr::Categorical) => col(name.as_str()).cast(DataType::String),
            _ => continue,
        };
        let mut hit = c
            .str()
            .contains(lit(pattern.as_str()), true)
            .fill_null(lit(false));
        if let Some(fast) = dictionary::per_category(&hit, name, dtype) {
            hit = fast;
        }
        out = Some(match out {
            Some(acc) => acc.or(hit),
            None => hit,
        });
    }
    Some(out.unwrap_or(lit(false)))
}

/// The rows of a frame that a [`ViewSpec`] shows, in display order.
///
/// A view holds row indices only (4 bytes a row), never data: pages are
/// taken from the frame it was built from with [`View::page`]. A view from
/// [`build_view`] is complete; one from [`build_view_head`] knows its
/// length but only its first rows ([`View::is_complete`]).
#[derive(Debug, Clone, PartialEq)]
pub struct View {
    rows: Rows,
    len: usize,
    total_rows: usize,
}

#[derive(Debug, Clone, PartialEq)]
enum Rows {
    /// Every row in frame order (no filter, no sort): nothing stored.
    All,
    /// The frame rows in display order: all of them, or the first ones of
    /// a head.
    Indices(Vec<IdxSize>),
}

/// Where a page lies in a view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageWindow {
    /// The page shown, clamped to the last page (0-based).
    pub page_current: usize,
    /// How many pages the view has; at least 1, even when it is empty.
    pub page_count: usize,
    /// Position of the page's first row in the view.
    pub offset: usize,
    /// Rows on the page (0 only for an empty view).
    pub len: usize,
}

/// The window of page `page_current` of `page_size` rows in a view of
/// `rows` rows. A `page_current` beyond the end (a filter shrank the view)
/// is clamped to the last page — dash-table itself would jump back to page
/// 0 — and `page_count` is always at least 1 (the table's custom paging
/// wants one). A `page_size` of 0 counts as 1.
pub fn page_window(rows: usize, page_current: usize, page_size: usize) -> PageWindow {
    let size = page_size.max(1);
    let page_count = rows.div_ceil(size).max(1);
    let page_current = page_current.min(page_count - 1);
    let offset = page_current * size;
    PageWindow {
        page_current,
        page_count,
        offset,
        len: size.min(rows - offset.min(rows)),
    }
}

/// [`page_window`] as `(page_current, page_count)`: the page to show,
/// clamped to the last one, and the page count (at least 1) for the table's
/// `page_current` and `page_count` props.
pub fn clamp_page(rows: usize, page_current: usize, page_size: usize) -> (usize, usize) {
    let w = page_window(rows, page_current, page_size);
    (w.page_current, w.page_count)
}

impl View {
    /// Rows in the view (after filtering).
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the filter kept no row.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Rows of the frame the view was built from (before filtering).
    pub fn total_rows(&self) -> usize {
        self.total_rows
    }

    /// Whether every row's position is known (always, except for a
    /// [`build_view_head`] that stopped short of the end).
    pub fn is_complete(&self) -> bool {
        self.computed() == self.len
    }

    /// How many of the first rows have a known position.
    pub fn computed(&self) -> usize {
        match &self.rows {
            Rows::All => self.len,
            Rows::Indices(ix) => ix.len(),
        }
    }

    /// The frame row of every known view row, in display order (dash-table's
    /// `derived_virtual_indices` for a complete view).
    pub fn indices(&self) -> Vec<IdxSize> {
        self.slice(0, self.computed())
    }

    /// The window of a page; see [`page_window`].
    pub fn window(&self, page_current: usize, page_size: usize) -> PageWindow {
        page_window(self.len, page_current, page_size)
    }

    /// Whether page `page_current` (clamped) of `page_size` rows lies
    /// within the known rows, so [`View::page`] can take it.
    pub fn covers(&self, page_current: usize, page_size: usize) -> bool {
        let w = self.window(page_current, page_size);
        w.offset + w.len <= self.computed()
    }

    /// The frame rows of a page, in display order (dash-table's
    /// `derived_viewport_indices`); only its known rows for a head.
    pub fn page_indices(&self, page_current: usize, page_size: usize) -> Vec<IdxSize> {
        let w = self.window(page_current, page_size);
        let end = (w.offset + w.len).min(self.computed());
        self.slice(w.offset.min(end), end - w.offset.min(end))
    }

    fn slice(&self, offset: usize, len: usize) -> Vec<IdxSize> {
        match &self.rows {
            // The frame height was checked to fit `IdxSize` at build time.
            Rows::All => (offset..offset + len).map(|i| i as IdxSize).collect(),
            Rows::Indices(ix) => ix[offset..offset + len].to_vec(),
        }
    }

    /// Page `page_current` (clamped, see [`page_window`]) of `page_size`
    /// rows, taken from `df`, which must be the frame the view was built
    /// from. Costs O(page size): a slice of the indices and a gather.
    /// A page beyond the known rows of a head is
    /// [`EngineError::BeyondHead`].
    pub fn page(
        &self,
        df: &DataFrame,
        page_current: usize,
        page_size: usize,
    ) -> Result<DataFrame, EngineError> {
        let w = self.window(page_current, page_size);
        self.rows(df, w.offset, w.len)
    }

    /// Page `page_current` (clamped, see [`page_window`]) of `page_size`
    /// rows as DataTable records read straight from `df` (the frame the
    /// view was built from): what a page flip sends. O(page size ×
    /// columns); no page frame is gathered. A page beyond the known rows
    /// of a head is [`EngineError::BeyondHead`].
    pub fn page_records<'a>(
        &self,
        df: &'a DataFrame,
        page_current: usize,
        page_size: usize,
    ) -> Result<PageRecords<'a>, EngineError> {
        self.check_frame(df)?;
        let w = self.window(page_current, page_size);
        if w.offset + w.len > self.computed() {
            return Err(EngineError::BeyondHead {
                known: self.computed(),
                needed: w.offset + w.len,
            });
        }
        Ok(super::records(df, self.slice(w.offset, w.len)))
    }

    /// View rows `offset..offset + len` (cut at the end of the view),
    /// taken from `df` (the frame the view was built from): a page, or one
    /// piece of a streamed export. Rows beyond the known rows of a head are
    /// [`EngineError::BeyondHead`].
    pub fn rows(
        &self,
        df: &DataFrame,
        offset: usize,
        len: usize,
    ) -> Result<DataFrame, EngineError> {
        self.check_frame(df)?;
        let offset = offset.min(self.len);
        let len = len.min(self.len - offset);
        if offset + len > self.computed() {
            return Err(EngineError::BeyondHead {
                known: self.computed(),
                needed: offset + len,
            });
        }
        Ok(match &self.rows {
            Rows::All => df.slice(offset as i64, len),
            Rows::Indices(_) => {
                // Column by column on this thread: for a page, handing the
                // columns to polars' thread pool costs more than the work.
                let idx = IdxCa::from_vec(PlSmallStr::EMPTY, self.slice(offset, len));
                let columns = df
                    .columns()
                    .iter()
                    .map(|c| c.take(&idx))
                    .collect::<PolarsResult<Vec<_>>>()?;
                DataFrame::new(len, columns)?
            }
        })
    }

    /// Every row of the view, in display order, taken from `df` (the frame
    /// the view was built from): the data behind an export or a stored
    /// result. O(view rows). A head that is not complete is
    /// [`EngineError::BeyondHead`].
    pub fn take_all(&self, df: &DataFrame) -> Result<DataFrame, EngineError> {
        self.check_frame(df)?;
        if !self.is_complete() {
            return Err(EngineError::BeyondHead {
                known: self.computed(),
                needed: self.len,
            });
        }
        Ok(match &self.rows {
            Rows::All => df.clone(),
            Rows::Indices(ix) => df.take(&IdxCa::from_vec(PlSmallStr::EMPTY, ix.clone()))?,
        })
    }

    fn check_frame(&self, df: &DataFrame) -> Result<(), EngineError> {
        if df.height() == self.total_rows {
            Ok(())
        } else {
            Err(EngineError::FrameMismatch {
                expected: self.total_rows,
                actual: df.height(),
            })
        }
    }

    /// Approximate heap size, for [`super::ViewCache`]'s budget.
    pub fn heap_bytes(&self) -> usize {
        let rows = match &self.rows {
            Rows::All => 0,
            Rows::Indices(ix) => ix.capacity() * size_of::<IdxSize>(),
        };
        size_of::<View>() + rows
    }
}

/// Build the view `spec` describes over `df`: filter (the compiled query
/// ANDed with the search, evaluated as one Boolean mask), then a stable
/// sort by the keys with nulls last in both directions. Only row indices
/// and the evaluated keys of the kept rows are materialized.
///
/// Errors: an unknown column in the filter or the sort
/// ([`EngineError::UnknownColumn`]), a column cells cannot hold
/// ([`EngineError::TypeMismatch`]), or a polars failure.
pub fn build_view(df: &DataFrame, spec: &ViewSpec) -> Result<View, EngineError> {
    view_with(df, spec, usize::MAX, |frame, keys, _| {
        stable_sort(frame, keys)
    })
}

/// Like [`build_view`], but positions only the first `rows` rows of the
/// view (all of them when it is shorter): the first pages of a new sort
/// without sorting millions of rows. The filter still runs over the whole
/// frame, so [`View::len`] is exact. The rows equal [`build_view`]'s first
/// rows (see the `topk` module for how).
pub fn build_view_head(df: &DataFrame, spec: &ViewSpec, rows: usize) -> Result<View, EngineError> {
    // Only the first key is computed for every kept row; the others for
    // the rows the narrowing leaves.
    view_with(df, spec, 1, |frame, keys, later| {
        sort_head(frame, keys, rows, later)
    })
}

/// The view of `spec` over `df`, `order` putting the kept rows (with their
/// first `eager` keys, the others computed on demand) in display order:
/// all of them, or a head.
fn view_with(
    df: &DataFrame,
    spec: &ViewSpec,
    eager: usize,
    order: impl FnOnce(DataFrame, &[KeyCol], &LaterKeys<'_>) -> PolarsResult<DataFrame>,
) -> Result<View, EngineError> {
    let total_rows = df.height();
    let (rows, len) = match keyed(df, spec, eager)? {
        Keyed::All => (Rows::All, total_rows),
        Keyed::Nothing => (Rows::Indices(Vec::new()), 0),
        Keyed::Rows(ix) => {
            let len = ix.len();
            (Rows::Indices(ix), len)
        }
        Keyed::Frame {
            frame,
            index,
            keys,
            pending,
        } => {
            let len = frame.height();
            let later = LaterKeys::new(df, &index, pending);
            let ordered = order(frame, &keys, &later)?;
            (Rows::Indices(indices_of(&ordered, &index)?), len)
        }
    };
    Ok(View {
        rows,
        len,
        total_rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn windows_clamp_and_count() {
        let w = page_window(0, 3, 10);
        assert_eq!(
            (w.page_current, w.page_count, w.offset, w.len),
            (0, 1, 0, 0)
        );
        let w = page_window(25, 1, 10);
        assert_eq!(
            (w.page_current, w.page_count, w.offset, w.len),
            (1, 3, 10, 10)
        );
        let w = page_window(25, 7, 10);
        assert_eq!(
            (w.page_current, w.page_count, w.offset, w.len),
            (2, 3, 20, 5)
        );
        let w = page_window(5, 0, 0);
        assert_eq!(
            (w.page_current, w.page_count, w.offset, w.len),
            (0, 5, 0, 1)
        );
    }

    /// A head has the complete view's first rows and length, over a frame
    /// large enough for the narrowing path, for text, number, categorical
    /// and datetime keys, with a filter and a search.
    #[test]
    fn heads_are_prefixes_of_the_complete_view() {
        let n = 150_000usize;
        let name: Vec<Option<String>> = (0..n)
            .map(|i| (i % 13 != 0).then(|| format!("n{}", (i * 7919) % 501)))
            .collect();
        let price: Vec<Option<f64>> = (0..n)
            .map(|i| (i % 17 != 0).then_some(((i * 104_729) % 1000) as f64 / 4.0))
            .collect();
        let cat: Vec<String> = (0..n).map(|i| format!("c{}", (i * 31) % 7)).collect();
        let ts: Vec<i64> = (0..n)
            .map(|i| ((i * 65_537) % 100_000) as i64 * 60_000)
            .collect();
        let mut df = df!("name" => name, "price" => price, "cat" => cat, "ts" => ts).unwrap();
        df.apply("cat", |c| {
            c.cast(&DataType::from_categories(Categories::global()))
                .unwrap()
        })
        .unwrap();
        df.apply("ts", |c| {
            c.cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
                .unwrap()
        })
        .unwrap();
        let sorts = [
            vec![SortKey::asc("cat"), SortKey::desc("price")],
            vec![SortKey::desc("name"), SortKey::asc("ts")],
            vec![SortKey::asc("price")],
            vec![
                SortKey::desc("ts"),
                SortKey::asc("name"),
                SortKey::desc("cat"),
            ],
        ];
        for filter in ["", "{price} > 100", "{name} contains 9"] {
            for sort in &sorts {
                let spec = ViewSpec::new(parse(filter).unwrap(), "", sort.clone());
                let full = build_view(&df, &spec).unwrap();
                for rows in [1, 100, 2_500] {
                    let head = build_view_head(&df, &spec, rows).unwrap();
                    assert_eq!(head.len(), full.len());
                    assert_eq!(head.computed(), rows.min(full.len()));
                    assert_eq!(
                        head.indices(),
                        full.indices()[..head.computed()],
                        "filter {filter:?} sort {sort:?} rows {rows}"
                    );
                    let err = head.take_all(&df).unwrap_err();
                    assert!(matches!(err, EngineError::BeyondHead { .. }), "{err}");
                    assert!(head.covers(0, rows) && !head.covers(1, rows));
                }
            }
        }
    }
}
