//! The stable order of one numeric sort key, in less memory than polars'
//! `arg_sort`.
//!
//! polars sorts `(row, value)` pairs with a stable parallel merge sort,
//! which needs a second buffer as large as the pairs: for nine million
//! rows, 144 MB of pairs and 144 MB of buffer on top of the key column.
//! Here each value becomes an unsigned integer that orders like it (the
//! direction folded in), paired with its row — both in one `u64` for keys
//! of up to 32 bits (8 bytes a row), else a `(u64, row)` pair; pairs
//! compare by key and then by row, so they are all distinct and an
//! in-place unstable sort gives exactly the stable order. The key column
//! can be dropped before the sort, since the pairs hold everything the
//! order needs.

use polars::prelude::*;
use rayon::slice::ParallelSliceMut as _;

/// The rows of a key column in sort order, ready to be sorted (see
/// [`KeyOrder::into_order`]): `(ordering key, row)` for the non-null
/// values, then the rows of nulls (last in both directions).
pub(crate) struct KeyOrder {
    pairs: Pairs,
    nulls: Vec<IdxSize>,
}

/// Keys of up to 32 bits and their row share one `u64` (8 bytes a row,
/// key in the high half); wider keys are `(u64, row)` pairs (16 bytes).
enum Pairs {
    Narrow(Vec<u64>),
    Wide(Vec<(u64, IdxSize)>),
}

/// Rows fit the low half of a narrow pair (not with polars' `bigidx`).
const NARROW_ROWS: bool = size_of::<IdxSize>() == 4;

impl KeyOrder {
    /// The pairs of `column`'s values, ascending or descending; `None` for
    /// a column that is not numeric (strings, booleans, …), which polars
    /// sorts.
    pub(crate) fn of(column: &Column, descending: bool) -> Option<KeyOrder> {
        let physical = column.to_physical_repr();
        let s = physical.as_materialized_series();
        let flip = |k: u64| if descending { !k } else { k };
        let signed = |v: i64| flip((v as u64) ^ (1 << 63));
        let flip32 = |k: u32| if descending { !k } else { k };
        let signed32 = |v: i32| flip32((v as u32) ^ (1 << 31));
        Some(match s.dtype() {
            DataType::Int8 => narrow(s.i8().ok()?, |v| signed32(i32::from(v))),
            DataType::Int16 => narrow(s.i16().ok()?, |v| signed32(i32::from(v))),
            DataType::Int32 => narrow(s.i32().ok()?, signed32),
            DataType::UInt8 => narrow(s.u8().ok()?, |v| flip32(u32::from(v))),
            DataType::UInt16 => narrow(s.u16().ok()?, |v| flip32(u32::from(v))),
            DataType::UInt32 => narrow(s.u32().ok()?, flip32),
            DataType::Int64 => wide(s.i64().ok()?, signed),
            DataType::UInt64 => wide(s.u64().ok()?, flip),
            DataType::Float32 => wide(s.f32().ok()?, |v| flip(float_bits(f64::from(v)))),
            DataType::Float64 => wide(s.f64().ok()?, |v| flip(float_bits(v))),
            _ => return None,
        })
    }

    /// The rows in order: sorted pairs, then nulls.
    pub(crate) fn into_order(self) -> IdxCa {
        let KeyOrder { pairs, nulls } = self;
        let mut rows: Vec<IdxSize> = Vec::new();
        match pairs {
            Pairs::Narrow(mut p) => {
                p.par_sort_unstable();
                rows.reserve_exact(p.len() + nulls.len());
                // The low half is the row.
                rows.extend(p.iter().map(|&k| k as IdxSize));
            }
            Pairs::Wide(mut p) => {
                p.par_sort_unstable();
                rows.reserve_exact(p.len() + nulls.len());
                rows.extend(p.iter().map(|&(_, row)| row));
            }
        }
        rows.extend(nulls);
        IdxCa::from_vec(PlSmallStr::EMPTY, rows)
    }
}

/// `f64` bits as a `u64` in the same order (`total_cmp`'s order: -0 before
/// 0, NaN at the ends; sort keys have neither, see `kernels::float_key`).
fn float_bits(v: f64) -> u64 {
    let b = v.to_bits();
    if b >> 63 == 1 { !b } else { b | (1 << 63) }
}

/// `(key, row)` of each non-null value (in `emit`'s form), and the rows of
/// nulls.
fn collect<T: PolarsNumericType, P>(
    ca: &ChunkedArray<T>,
    emit: impl Fn(T::Native, IdxSize) -> P,
) -> (Vec<P>, Vec<IdxSize>) {
    let nulls_count = ca.null_count();
    let mut pairs = Vec::with_capacity(ca.len() - nulls_count);
    let mut nulls = Vec::with_capacity(nulls_count);
    if nulls_count == 0 {
        pairs.extend(
            ca.into_no_null_iter()
                .enumerate()
                .map(|(row, v)| emit(v, row as IdxSize)),
        );
    } else {
        for (row, v) in ca.iter().enumerate() {
            match v {
                Some(v) => pairs.push(emit(v, row as IdxSize)),
                None => nulls.push(row as IdxSize),
            }
        }
    }
    (pairs, nulls)
}

fn wide<T: PolarsNumericType>(ca: &ChunkedArray<T>, key: impl Fn(T::Native) -> u64) -> KeyOrder {
    let (pairs, nulls) = collect(ca, |v, row| (key(v), row));
    KeyOrder {
        pairs: Pairs::Wide(pairs),
        nulls,
    }
}

fn narrow<T: PolarsNumericType>(ca: &ChunkedArray<T>, key: impl Fn(T::Native) -> u32) -> KeyOrder {
    if !NARROW_ROWS {
        return wide(ca, |v| u64::from(key(v)));
    }
    let (pairs, nulls) = collect(ca, |v, row| (u64::from(key(v)) << 32) | row as u64);
    KeyOrder {
        pairs: Pairs::Narrow(pairs),
        nulls,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn polars_order(column: &Column, descending: bool) -> Vec<IdxSize> {
        let options = SortOptions::default()
            .with_order_descending(descending)
            .with_nulls_last(true)
            .with_maintain_order(true);
        column
            .as_materialized_series()
            .arg_sort(options)
            .into_no_null_iter()
            .collect()
    }

    fn ours(column: &Column, descending: bool) -> Vec<IdxSize> {
        KeyOrder::of(column, descending)
            .expect("a numeric column")
            .into_order()
            .into_no_null_iter()
            .collect()
    }

    proptest! {
        /// The order equals polars' stable arg sort (nulls last) for every
        /// numeric key type, with ties, nulls, negatives and both
        /// directions, on one and several chunks.
        #[test]
        fn order_equals_polars_stable_arg_sort(
            values in prop::collection::vec(prop::option::weighted(0.8, -40i64..40), 0..300),
            descending in any::<bool>(),
            split in any::<prop::sample::Index>(),
        ) {
            let ints = Column::new("k".into(), &values);
            let floats: Vec<Option<f64>> =
                values.iter().map(|v| v.map(|v| v as f64 / 3.0)).collect();
            let mut columns = vec![
                ints.clone(),
                ints.cast(&DataType::Int8).unwrap(),
                ints.cast(&DataType::Int32).unwrap(),
                Column::new("k".into(), &floats),
                ints.cast(&DataType::Float32).unwrap(),
                ints.cast(&DataType::Date).unwrap(),
            ];
            let unsigned: Vec<Option<u64>> =
                values.iter().map(|v| v.map(|v| (v + 40) as u64 * 1_000_000_007)).collect();
            let unsigned = Column::new("k".into(), &unsigned);
            columns.push(unsigned.cast(&DataType::UInt32).unwrap());
            columns.push(unsigned.clone());
            // Two chunks.
            if !values.is_empty() {
                let at = split.index(values.len()) as i64;
                let mut a = ints.slice(0, at as usize).as_materialized_series().clone();
                a.append(ints.slice(at, values.len()).as_materialized_series()).unwrap();
                columns.push(a.into_column());
            }
            for c in &columns {
                prop_assert_eq!(ours(c, descending), polars_order(c, descending), "{:?}", c.dtype());
            }
        }
    }

    #[test]
    fn extremes_keep_their_order() {
        let c = Column::new("k".into(), [i64::MAX, i64::MIN, 0, -1, 1, i64::MIN]);
        assert_eq!(ours(&c, false), vec![1, 5, 3, 2, 4, 0]);
        assert_eq!(ours(&c, true), vec![0, 4, 2, 3, 1, 5]);
        let f = Column::new("k".into(), [f64::MAX, -f64::MAX, 0.0, -1e-300, 1e-300]);
        assert_eq!(ours(&f, false), vec![1, 3, 2, 4, 0]);
        let n = Column::new("k".into(), [i32::MAX, i32::MIN, 0, -1, 1, i32::MIN]);
        assert_eq!(ours(&n, false), vec![1, 5, 3, 2, 4, 0]);
        assert_eq!(ours(&n, true), vec![0, 4, 2, 3, 1, 5]);
        let u = Column::new("k".into(), [u32::MAX, 0, 1 << 31]);
        assert_eq!(ours(&u, true), vec![0, 2, 1]);
        let u = Column::new("k".into(), [u64::MAX, 0, 1 << 63]);
        assert_eq!(ours(&u, false), vec![1, 2, 0]);
        assert!(KeyOrder::of(&Column::new("s".into(), ["a"]), false).is_none());
    }
}
