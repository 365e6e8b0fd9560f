//! The stable order of one numeric sort key, in less memory than polars'
//! `arg_sort`.
//!
//! polars sorts `(row, value)` pairs with a stable parallel merge sort,
//! which needs a second buffer as large as the pairs: for nine million
//! rows, 144 MB of pairs and 144 MB of buffer on top of the key column.
//! Here each value becomes a `u64` that orders like it (the direction
//! folded in), paired with its row; pairs compare by key and then by row,
//! so they are all distinct and an in-place unstable sort gives exactly
//! the stable order. The key column can be dropped before the sort, since
//! the pairs hold everything the order needs.

use polars::prelude::*;
use rayon::slice::ParallelSliceMut as _;

/// The rows of a key column in sort order, ready to be sorted (see
/// [`KeyOrder::into_order`]): `(ordering key, row)` for the non-null
/// values, then the rows of nulls (last in both directions).
pub(crate) struct KeyOrder {
    pairs: Vec<(u64, IdxSize)>,
    nulls: Vec<IdxSize>,
}

impl KeyOrder {
    /// The pairs of `column`'s values, ascending or descending; `None` for
    /// a column that is not numeric (strings, booleans, …), which polars
    /// sorts.
    pub(crate) fn of(column: &Column, descending: bool) -> Option<KeyOrder> {
        let physical = column.to_physical_repr();
        let s = physical.as_materialized_series();
        let flip = |k: u64| if descending { !k } else { k };
        let signed = |v: i64| flip((v as u64) ^ (1 << 63));
        Some(match s.dtype() {
            DataType::Int8 => collect(s.i8().ok()?, |v| signed(i64::from(v))),
            DataType::Int16 => collect(s.i16().ok()?, |v| signed(i64::from(v))),
            DataType::Int32 => collect(s.i32().ok()?, |v| signed(i64::from(v))),
            DataType::Int64 => collect(s.i64().ok()?, signed),
            DataType::UInt8 => collect(s.u8().ok()?, |v| flip(u64::from(v))),
            DataType::UInt16 => collect(s.u16().ok()?, |v| flip(u64::from(v))),
            DataType::UInt32 => collect(s.u32().ok()?, |v| flip(u64::from(v))),
            DataType::UInt64 => collect(s.u64().ok()?, flip),
            DataType::Float32 => collect(s.f32().ok()?, |v| flip(float_bits(f64::from(v)))),
            DataType::Float64 => collect(s.f64().ok()?, |v| flip(float_bits(v))),
            _ => return None,
        })
    }

    /// The rows in order: sorted pairs, then nulls.
    pub(crate) fn into_order(self) -> IdxCa {
        let KeyOrder { mut pairs, nulls } = self;
        pairs.par_sort_unstable();
        let mut rows: Vec<IdxSize> = Vec::with_capacity(pairs.len() + nulls.len());
        rows.extend(pairs.iter().map(|&(_, row)| row));
        drop(pairs);
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

fn collect<T: PolarsNumericType>(ca: &ChunkedArray<T>, key: impl Fn(T::Native) -> u64) -> KeyOrder {
    let nulls_count = ca.null_count();
    let mut pairs = Vec::with_capacity(ca.len() - nulls_count);
    let mut nulls = Vec::with_capacity(nulls_count);
    if nulls_count == 0 {
        pairs.extend(
            ca.into_no_null_iter()
                .enumerate()
                .map(|(row, v)| (key(v), row as IdxSize)),
        );
    } else {
        for (row, v) in ca.iter().enumerate() {
            match v {
                Some(v) => pairs.push((key(v), row as IdxSize)),
                None => nulls.push(row as IdxSize),
            }
        }
    }
    KeyOrder { pairs, nulls }
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
        let u = Column::new("k".into(), [u64::MAX, 0, 1 << 63]);
        assert_eq!(ours(&u, false), vec![1, 2, 0]);
        assert!(KeyOrder::of(&Column::new("s".into(), ["a"]), false).is_none());
    }
}
