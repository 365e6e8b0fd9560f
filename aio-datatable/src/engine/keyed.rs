//! The first step of every view: the rows a filter and search keep, and
//! the sort keys evaluated for them.

use polars::prelude::*;

use super::EngineError;
use super::filter::{P, compile_pred};
use super::postings::{POSTINGS_MIN_ROWS, narrowed_rows};
use super::sort::{SortExprs, sort_exprs};
use super::topk::KeyCol;
use super::view::{ViewSpec, search_expr};

/// The filtered rows of `df` with their row index and evaluated sort keys,
/// or a simpler answer.
pub(super) enum Keyed {
    /// No filter and no sort: every row in frame order.
    All,
    /// The filter keeps nothing.
    Nothing,
    /// A filter and no sort: the kept rows, in frame order.
    Rows(Vec<IdxSize>),
    /// Column `index` (the frame row), then one column per computed sort
    /// key; `pending` are the keys left to compute (name, expression,
    /// source column), see [`LaterKeys`].
    Frame {
        frame: DataFrame,
        index: String,
        keys: Vec<KeyCol>,
        pending: Vec<(String, Expr, String)>,
    },
}

/// The rows where `pred` holds, in frame order. The predicate is evaluated
/// alone (one Boolean column) and its set bits read off, so no row index
/// is materialized and no other column is filtered.
pub(super) fn matching_rows(df: &DataFrame, pred: Expr) -> Result<Vec<IdxSize>, EngineError> {
    let out = df.clone().lazy().select([pred.alias("keep")]).collect()?;
    let mask = out.column("keep")?.bool()?;
    if mask.len() == 1 && df.height() != 1 {
        // A constant predicate (e.g. a category nobody has) broadcasts.
        return Ok(if mask.get(0).unwrap_or(false) {
            (0..df.height() as IdxSize).collect()
        } else {
            Vec::new()
        });
    }
    let mut rows = Vec::new();
    let mut offset = 0;
    for arr in mask.downcast_iter() {
        let base = offset as IdxSize;
        match arr.validity() {
            Some(valid) if valid.unset_bits() > 0 => {
                let keep = arr.values() & valid;
                rows.extend(keep.true_idx_iter().map(|i| base + i as IdxSize));
            }
            _ => rows.extend(arr.values().true_idx_iter().map(|i| base + i as IdxSize)),
        }
        offset += arr.len();
    }
    if offset != df.height() {
        return Err(EngineError::Polars(format!(
            "the filter gave {offset} answers for {} rows",
            df.height()
        )));
    }
    Ok(rows)
}

/// The kept rows of `df` with the first `eager` sort keys computed (the
/// others are returned as pending, see [`LaterKeys`]).
pub(super) fn keyed(df: &DataFrame, spec: &ViewSpec, eager: usize) -> Result<Keyed, EngineError> {
    let total_rows = df.height();
    if IdxSize::try_from(total_rows).is_err() {
        return Err(EngineError::Polars(format!(
            "the frame has {total_rows} rows, more than polars' row index type holds; \
             build polars with the `bigidx` feature"
        )));
    }
    let schema = df.schema();
    let search = search_expr(&spec.search, schema);
    // A large frame filtered to a few categories starts from their rows;
    // otherwise the whole predicate runs over every row.
    let narrowed = narrowed_rows(df, &spec.filter, search.clone(), POSTINGS_MIN_ROWS)?;
    let pred = match narrowed {
        Some(_) => None,
        None => {
            let mut pred = compile_pred(&spec.filter, schema)?;
            if let Some(search) = search {
                pred = pred.and(P::E(search));
            }
            Some(pred)
        }
    };
    let SortExprs {
        exprs,
        descending,
        sources,
    } = sort_exprs(df, &spec.sort)?;
    let kept = match (narrowed, pred) {
        (Some(rows), _) => Some(rows),
        (None, Some(P::Const(true))) if exprs.is_empty() => return Ok(Keyed::All),
        (None, Some(P::Const(false))) => return Ok(Keyed::Nothing),
        (None, Some(P::E(e))) => Some(matching_rows(df, e)?),
        (None, Some(P::Const(true)) | None) => None,
    };
    let Some(..) = exprs.first() else {
        return Ok(Keyed::Rows(kept.unwrap_or_default()));
    };
    // The eager keys' columns at the kept rows only, then their keys.
    let eager = eager.min(exprs.len());
    let mut base = df.select(sources[..eager].iter().map(String::as_str))?;
    let rows = match kept {
        Some(rows) => {
            let rows = IdxCa::from_vec(PlSmallStr::EMPTY, rows);
            base = base.take(&rows)?;
            rows
        }
        None => IdxCa::from_vec(PlSmallStr::EMPTY, (0..total_rows as IdxSize).collect()),
    };
    let mut index = String::from("__aio_row_index");
    while schema.contains(&index) {
        index.push('_');
    }
    let keys: Vec<KeyCol> = descending
        .into_iter()
        .enumerate()
        .map(|(i, d)| (format!("{index}_{i}"), d))
        .collect();
    let mut columns =
        vec![lit(rows.with_name(index.as_str().into()).into_series()).alias(index.as_str())];
    let mut pending = Vec::new();
    for (i, ((e, (n, _)), source)) in exprs.into_iter().zip(&keys).zip(sources).enumerate() {
        if i < eager {
            columns.push(e.alias(n.as_str()));
        } else {
            pending.push((n.clone(), e, source));
        }
    }
    let frame = base.lazy().select(columns).collect()?;
    Ok(Keyed::Frame {
        frame,
        index,
        keys,
        pending,
    })
}

pub(super) fn indices_of(frame: &DataFrame, index: &str) -> Result<Vec<IdxSize>, EngineError> {
    Ok(frame.column(index)?.idx()?.into_no_null_iter().collect())
}
