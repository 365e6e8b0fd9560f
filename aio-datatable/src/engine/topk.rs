//! The first rows of a sorted view without sorting all of it (top-k).
//!
//! The first page of a new sort over millions of rows needs only its first
//! `k` rows. [`sort_head`] narrows the rows down by the first key: a value
//! `t` is picked from an evenly spaced sample so that, very likely, at
//! least `k` rows sort before or at it; the rows strictly before `t` are
//! all in the head (they are fewer than `k`, or the search narrows again
//! among them), and the rows equal to `t` fill the rest, ordered by the
//! remaining keys in the same way. Every step is a vectorised filter; only
//! the small remainder is sorted. When the sample guessed badly (too few
//! rows at or before `t`) or the keys leave nothing to narrow, it sorts
//! everything, so the answer is always the exact stable sort's head.

use polars::prelude::*;

use super::argsort::KeyOrder;

/// Frames at most this high (or four times `k`) are simply sorted.
const SMALL: usize = 65_536;
/// Rows read to pick a threshold.
const SAMPLE: usize = 4_096;

/// A sort key column of the keyed frame and its direction.
pub(crate) type KeyCol = (String, bool);

/// Sort keys not computed yet, computed for the rows that need them: a
/// head's narrowing reads the first key of every row, but the next keys
/// only of the rows tied on the first (and of the few rows before the
/// threshold), so computing them for ten million rows up front is wasted.
#[derive(Default)]
pub(crate) struct LaterKeys<'a> {
    /// The frame the keys are computed from, and the keyed frame's column
    /// of its row numbers.
    source: Option<(&'a DataFrame, &'a str)>,
    /// Each pending key: its column name in the keyed frame, its
    /// expression, and the source column the expression reads.
    pending: Vec<(String, Expr, String)>,
}

impl<'a> LaterKeys<'a> {
    /// Keys `pending` computed from `source` at the rows in its `index`
    /// column.
    pub(crate) fn new(
        source: &'a DataFrame,
        index: &'a str,
        pending: Vec<(String, Expr, String)>,
    ) -> Self {
        LaterKeys {
            source: Some((source, index)),
            pending,
        }
    }

    /// `frame` with the key columns of `keys` it lacks, computed for its
    /// rows.
    fn fill(&self, mut frame: DataFrame, keys: &[KeyCol]) -> PolarsResult<DataFrame> {
        for (name, _) in keys {
            if frame.schema().contains(name) {
                continue;
            }
            let found = self.pending.iter().find(|(n, _, _)| n == name);
            let (Some((_, expr, column)), Some((source, index))) = (found, self.source) else {
                polars_bail!(ComputeError: "sort key {name} is missing");
            };
            let rows = frame.column(index)?.idx()?.clone();
            let values = source.select([column.as_str()])?.take(&rows)?;
            let key = values
                .lazy()
                .select([expr.clone().alias(name.as_str())])
                .collect()?;
            frame.with_column(key.column(name)?.clone())?;
        }
        Ok(frame)
    }
}

/// `frame` stably sorted by `keys` (in order; `true` = descending), nulls
/// last in both directions, **without the key columns**. Sorting by the
/// last key first and keeping ties in order gives the multi-key order;
/// with polars 0.55 this is about twice as fast as one multi-column sort.
/// Each pass computes the permutation of one key and applies it only to
/// the columns still needed: that key is then dropped, so no pass moves
/// a key it has finished with (for one key, only the other columns — the
/// row index — are ever gathered).
pub(crate) fn stable_sort(mut frame: DataFrame, keys: &[KeyCol]) -> PolarsResult<DataFrame> {
    for (name, desc) in keys.iter().rev() {
        // Numeric keys are sorted here (see `argsort`), with the key column
        // freed before the sort; others by polars.
        let order = match KeyOrder::of(frame.column(name)?, *desc) {
            Some(pairs) => {
                frame = frame.drop(name)?;
                pairs.into_order()
            }
            None => {
                let options = SortOptions::default()
                    .with_order_descending(*desc)
                    .with_nulls_last(true)
                    .with_maintain_order(true);
                let order = frame
                    .column(name)?
                    .as_materialized_series()
                    .arg_sort(options);
                frame = frame.drop(name)?;
                order
            }
        };
        frame = frame.take(&order)?;
    }
    Ok(frame)
}

/// The first `k` rows of [`stable_sort`]`(frame, keys)`, exactly (also
/// without the key columns), without sorting every row when `frame` is
/// large. `frame`'s rows must be in the order ties keep (frame order);
/// keys it lacks are computed by `later` for the rows that need them.
pub(crate) fn sort_head(
    frame: DataFrame,
    keys: &[KeyCol],
    k: usize,
    later: &LaterKeys<'_>,
) -> PolarsResult<DataFrame> {
    let height = frame.height();
    let drop_keys = |f: DataFrame| f.drop_many(keys.iter().map(|(n, _)| n.as_str()));
    if k == 0 {
        return Ok(drop_keys(frame).head(Some(0)));
    }
    let Some(((name, desc), rest)) = keys.split_first() else {
        return Ok(frame.head(Some(k)));
    };
    let sort_all = |frame: DataFrame| -> PolarsResult<DataFrame> {
        Ok(stable_sort(later.fill(frame, keys)?, keys)?.head(Some(k)))
    };
    if height <= SMALL.max(k.saturating_mul(4)) {
        return sort_all(frame);
    }
    let frame = later.fill(frame, &keys[..1])?;
    let Some(t) = threshold(frame.column(name)?, *desc, k)? else {
        return sort_all(frame);
    };
    let c = col(name.as_str());
    let before = if *desc {
        c.clone().gt(lit(t.clone()))
    } else {
        c.clone().lt(lit(t.clone()))
    };
    let ahead = frame.clone().lazy().filter(before).collect()?;
    if ahead.height() >= k {
        // All of the head sorts before `t`; narrow again among those rows.
        return sort_head(ahead, keys, k, later);
    }
    let ties = frame.clone().lazy().filter(c.eq(lit(t))).collect()?;
    if ahead.height() + ties.height() < k {
        // The sample guessed too small a value: rows after `t` are needed.
        return sort_all(frame);
    }
    let mut head = stable_sort(later.fill(ahead, keys)?, keys)?;
    let tail = sort_head(ties.drop(name)?, rest, k - head.height(), later)?;
    head.vstack_mut(&tail)?;
    Ok(head)
}

/// A value of `column` such that, by an evenly spaced sample, about four
/// times `k` non-null values sort before or at it. `None` when fewer than
/// `k` values are non-null (the head reaches into the nulls) or the sample
/// has none.
fn threshold(column: &Column, desc: bool, k: usize) -> PolarsResult<Option<Scalar>> {
    let n = column.len();
    if n - column.null_count() < k {
        return Ok(None);
    }
    let step = (n / SAMPLE).max(1);
    let at: Vec<IdxSize> = (0..n)
        .step_by(step)
        .take(SAMPLE)
        .map(|i| i as IdxSize)
        .collect();
    let sample = column
        .take(&IdxCa::from_vec(PlSmallStr::EMPTY, at))?
        .drop_nulls()
        .as_materialized_series()
        .sort(SortOptions::default().with_order_descending(desc))?;
    let m = sample.len();
    if m == 0 {
        return Ok(None);
    }
    // Sample value j stands for about (j + 1) * n / m rows.
    let j = (k.saturating_mul(4).saturating_mul(m) / n).min(m - 1);
    let value = sample.get(j)?.into_static();
    Ok(Some(Scalar::new(sample.dtype().clone(), value)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn keyed(a: Vec<Option<i32>>, b: Vec<Option<String>>) -> DataFrame {
        let idx: Vec<IdxSize> = (0..a.len() as IdxSize).collect();
        df!("i" => idx, "a" => a, "b" => b).unwrap()
    }

    fn indices(df: &DataFrame) -> Vec<IdxSize> {
        df.column("i")
            .unwrap()
            .idx()
            .unwrap()
            .into_no_null_iter()
            .collect()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        /// The head equals the head of the full stable sort, for frames
        /// large enough to take the narrowing path, with many ties and
        /// nulls in both keys.
        #[test]
        fn head_equals_the_full_sorts_head(
            seed in any::<u64>(),
            distinct_a in 1u64..40,
            distinct_b in 1u64..6,
            da in any::<bool>(),
            db in any::<bool>(),
            k in prop_oneof![Just(1usize), 1usize..300, Just(5_000)],
        ) {
            let n = 80_000usize;
            let mut s = seed | 1;
            let mut next = move || { s ^= s << 13; s ^= s >> 7; s ^= s << 17; s };
            let a: Vec<Option<i32>> = (0..n)
                .map(|_| { let r = next(); (r % 17 != 0).then_some((r % distinct_a) as i32 - 5) })
                .collect();
            let b: Vec<Option<String>> = (0..n)
                .map(|_| { let r = next(); (r % 11 != 0).then(|| format!("v{}", r % distinct_b)) })
                .collect();
            let df = keyed(a, b);
            let keys = vec![("a".to_owned(), da), ("b".to_owned(), db)];
            let expected = stable_sort(df.clone(), &keys).unwrap().head(Some(k));
            let got = sort_head(df, &keys, k, &LaterKeys::default()).unwrap();
            prop_assert_eq!(indices(&got), indices(&expected));
        }
    }

    #[test]
    fn mostly_null_keys_and_tiny_k_still_match() {
        let n = 100_000usize;
        let a: Vec<Option<i32>> = (0..n)
            .map(|i| (i % 1000 == 7).then_some((i % 13) as i32))
            .collect();
        let b: Vec<Option<String>> = (0..n).map(|i| Some(format!("{}", i % 3))).collect();
        let df = keyed(a, b);
        for k in [1, 50, 99, 100, 101, 250] {
            for desc in [false, true] {
                let keys = vec![("a".to_owned(), desc), ("b".to_owned(), !desc)];
                let expected = stable_sort(df.clone(), &keys).unwrap().head(Some(k));
                let got = sort_head(df.clone(), &keys, k, &LaterKeys::default()).unwrap();
                assert_eq!(indices(&got), indices(&expected), "k {k} desc {desc}");
            }
        }
    }
}
