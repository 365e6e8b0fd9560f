//! Rows by category: for a Categorical/Enum column of a large frame, the
//! rows holding each code, in frame order (an inverted index, as a
//! database keeps for a low-cardinality column). Built once per column and
//! kept in a small bounded cache, it lets a filter such as
//! `{price} > 500 && {category} = cat_7` start from the rows of `cat_7`
//! (one row in twenty) and test `{price}` on those rows only, instead of
//! reading both columns in full.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, OnceLock};

use polars::prelude::*;
use polars_arrow::array::PrimitiveArray;

use super::EngineError;
use super::filter::{P, category_conjuncts, compile_pred};
use super::keyed::matching_rows;
use crate::query::Query;

/// Frames from this height up start a filter from the rows of the
/// categories it keeps, when that is at most a quarter of the rows.
pub(crate) const POSTINGS_MIN_ROWS: usize = 1 << 20;

/// The rows of `df` that `filter` (with `search`, when given, ANDed) keeps,
/// in frame order, found from the postings of its most selective
/// categorical conjunct: that conjunct's rows, then the rest of the
/// predicate tested on those rows only. `None` when `df` has fewer than
/// `min_rows` rows or no categorical conjunct keeps at most a quarter of
/// them (the caller then tests every row); the answer is the same rows
/// either way.
pub(crate) fn narrowed_rows(
    df: &DataFrame,
    filter: &Query,
    search: Option<Expr>,
    min_rows: usize,
) -> Result<Option<Vec<IdxSize>>, EngineError> {
    if df.height() < min_rows {
        return Ok(None);
    }
    let schema = df.schema();
    let mut best = None;
    let conjuncts = category_conjuncts(filter, schema)?;
    for conjunct in &conjuncts.categorical {
        // Keeping many of the categories is rarely selective: not worth
        // an index.
        let kept = conjunct.keeps.iter().filter(|k| **k).count();
        if kept.saturating_mul(4) > conjunct.keeps.len() {
            continue;
        }
        let Some(postings) = of(df.column(&conjunct.column)?) else {
            continue;
        };
        let n = postings.count(&conjunct.keeps);
        if best.as_ref().is_none_or(|(m, _, _)| n < *m) {
            best = Some((n, postings, conjunct));
        }
    }
    let Some((n, postings, conjunct)) = best else {
        return Ok(None);
    };
    if n.saturating_mul(4) > df.height() {
        return Ok(None);
    }
    let rows = postings.rows(&conjunct.keeps);
    let rest_query = conjuncts.rest(conjunct);
    // Only the columns the rest reads (every one for a search), taken at
    // those rows.
    let columns: Vec<&str> = if search.is_some() {
        df.get_column_names()
            .into_iter()
            .map(|n| n.as_str())
            .collect()
    } else {
        rest_query.columns().into_iter().collect()
    };
    let mut rest = compile_pred(&rest_query, schema)?;
    if let Some(search) = search {
        rest = rest.and(P::E(search));
    }
    let pred = match rest {
        P::Const(true) => return Ok(Some(rows)),
        P::Const(false) => return Ok(Some(Vec::new())),
        P::E(_) if columns.is_empty() => return Ok(None),
        P::E(e) => e,
    };
    let sub = gather(&df.select(columns)?, &rows)?;
    let keep = matching_rows(&sub, pred)?;
    Ok(Some(keep.into_iter().map(|i| rows[i as usize]).collect()))
}

/// The rows `rows` of `df`: numeric columns of one chunk gathered here
/// (values, then validity bits: two tight loops), others by polars.
fn gather(df: &DataFrame, rows: &[IdxSize]) -> PolarsResult<DataFrame> {
    let mut idx = None;
    let columns = df
        .columns()
        .iter()
        .map(|c| {
            macro_rules! fast {
                ($accessor:ident) => {
                    c.$accessor().ok().and_then(|ca| gather_numeric(ca, rows))
                };
            }
            let fast: Option<Series> = match c.dtype() {
                DataType::Int8 => fast!(i8),
                DataType::Int16 => fast!(i16),
                DataType::Int32 => fast!(i32),
                DataType::Int64 => fast!(i64),
                DataType::UInt8 => fast!(u8),
                DataType::UInt16 => fast!(u16),
                DataType::UInt32 => fast!(u32),
                DataType::UInt64 => fast!(u64),
                DataType::Float32 => fast!(f32),
                DataType::Float64 => fast!(f64),
                _ => None,
            };
            match fast {
                Some(s) => Ok(s.into_column()),
                None => {
                    let idx = idx
                        .get_or_insert_with(|| IdxCa::from_vec(PlSmallStr::EMPTY, rows.to_vec()));
                    c.take(idx)
                }
            }
        })
        .collect::<PolarsResult<Vec<_>>>()?;
    DataFrame::new(rows.len(), columns)
}

fn gather_numeric<T: PolarsNumericType>(ca: &ChunkedArray<T>, rows: &[IdxSize]) -> Option<Series> {
    let mut chunks = ca.downcast_iter();
    let (Some(arr), None) = (chunks.next(), chunks.next()) else {
        return None;
    };
    let values = arr.values();
    if rows.iter().any(|&r| r as usize >= values.len()) {
        return None;
    }
    let out: Vec<T::Native> = rows.iter().map(|&r| values[r as usize]).collect();
    let validity = arr
        .validity()
        .map(|v| rows.iter().map(|&r| v.get_bit(r as usize)).collect());
    let gathered = PrimitiveArray::new(arr.dtype().clone(), out.into(), validity);
    Some(ChunkedArray::<T>::from_chunk_iter(ca.name().clone(), [gathered]).into_series())
}

/// The rows of each code of one column.
#[derive(Debug)]
pub(crate) struct Postings {
    /// `rows[starts[s]..starts[s + 1]]` are the rows of slot `s`: codes
    /// `0..codes`, then null cells, then codes the dtype's mapping did not
    /// know when this was built (never kept).
    starts: Vec<usize>,
    rows: Vec<IdxSize>,
    codes: usize,
}

impl Postings {
    /// The postings of a Categorical/Enum column (`None` for other dtypes).
    pub(crate) fn build(column: &Column) -> Option<Postings> {
        let codes = column.dtype().cat_mapping().ok()?.num_cats_upper_bound();
        let slots = codes + 2;
        let slot_of = |c: Option<u32>| match c {
            Some(c) if (c as usize) < codes => c as usize,
            Some(_) => codes + 1,
            None => codes,
        };
        // Counting sort: count per slot, then place each row.
        let all: Vec<usize> = match column.dtype().cat_physical().ok()? {
            CategoricalPhysical::U8 => column
                .cat8()
                .ok()?
                .physical()
                .iter()
                .map(|c| slot_of(c.map(u32::from)))
                .collect(),
            CategoricalPhysical::U16 => column
                .cat16()
                .ok()?
                .physical()
                .iter()
                .map(|c| slot_of(c.map(u32::from)))
                .collect(),
            CategoricalPhysical::U32 => column
                .cat32()
                .ok()?
                .physical()
                .iter()
                .map(slot_of)
                .collect(),
        };
        let mut starts = vec![0usize; slots + 1];
        for &s in &all {
            starts[s + 1] += 1;
        }
        for s in 0..slots {
            starts[s + 1] += starts[s];
        }
        let mut next = starts.clone();
        let mut rows = vec![0 as IdxSize; all.len()];
        for (row, &s) in all.iter().enumerate() {
            rows[next[s]] = row as IdxSize;
            next[s] += 1;
        }
        Some(Postings {
            starts,
            rows,
            codes,
        })
    }

    /// The slots `keeps` selects (`keeps[code]` for each code, its last
    /// entry for null cells; missing entries keep nothing).
    fn kept_slots<'k>(&self, keeps: &'k [bool]) -> impl Iterator<Item = usize> + 'k {
        let codes = self.codes;
        let null = keeps.last().copied().unwrap_or(false);
        (0..codes)
            .filter(move |&c| c + 1 < keeps.len() && keeps[c])
            .chain(null.then_some(codes))
    }

    /// How many rows `keeps` selects.
    pub(crate) fn count(&self, keeps: &[bool]) -> usize {
        self.kept_slots(keeps)
            .map(|s| self.starts[s + 1] - self.starts[s])
            .sum()
    }

    /// The rows `keeps` selects, in frame order: one slot's list as it
    /// is; several merged through a bitset of the frame's rows (one bit a
    /// row, read back in order), which costs the same for two slots or a
    /// thousand.
    pub(crate) fn rows(&self, keeps: &[bool]) -> Vec<IdxSize> {
        let slots: Vec<usize> = self.kept_slots(keeps).collect();
        let list = |s: usize| &self.rows[self.starts[s]..self.starts[s + 1]];
        match slots.as_slice() {
            [] => Vec::new(),
            [one] => list(*one).to_vec(),
            _ => {
                let mut bits = vec![0u64; self.rows.len().div_ceil(64)];
                for &s in &slots {
                    for &r in list(s) {
                        bits[r as usize / 64] |= 1 << (r % 64);
                    }
                }
                let mut out = Vec::with_capacity(self.count(keeps));
                for (w, &word) in bits.iter().enumerate() {
                    let mut word = word;
                    while word != 0 {
                        out.push((w * 64) as IdxSize + word.trailing_zeros() as IdxSize);
                        word &= word - 1;
                    }
                }
                out
            }
        }
    }

    fn heap_bytes(&self) -> usize {
        self.rows.len() * std::mem::size_of::<IdxSize>()
            + self.starts.len() * std::mem::size_of::<usize>()
    }
}

/// Bytes of postings kept at most; the oldest are dropped first.
const CAPACITY_BYTES: usize = 128 << 20;

/// A cached entry: the column it was built from (kept, so its buffers —
/// which identify it — stay alive and are never reused for other data)
/// and its postings.
struct Entry {
    column: Column,
    postings: Arc<Postings>,
}

#[derive(Default)]
struct Cache {
    entries: VecDeque<Entry>,
    bytes: usize,
}

fn cache() -> &'static Mutex<Cache> {
    static CACHE: OnceLock<Mutex<Cache>> = OnceLock::new();
    CACHE.get_or_init(Default::default)
}

/// Where a categorical column's codes and validity live, chunk by chunk.
type Buffers = Vec<(usize, usize, Option<(usize, usize)>)>;

fn buffers(column: &Column) -> Option<Buffers> {
    macro_rules! of {
        ($ca:expr) => {
            $ca.downcast_iter()
                .map(|arr| {
                    let validity = arr.validity().map(|v| {
                        let (bytes, offset, _) = v.as_slice();
                        (bytes.as_ptr() as usize, offset)
                    });
                    (arr.values().as_ptr() as usize, arr.len(), validity)
                })
                .collect()
        };
    }
    Some(match column.dtype().cat_physical().ok()? {
        CategoricalPhysical::U8 => of!(column.cat8().ok()?.physical()),
        CategoricalPhysical::U16 => of!(column.cat16().ok()?.physical()),
        CategoricalPhysical::U32 => of!(column.cat32().ok()?.physical()),
    })
}

/// Whether two categorical columns are the same data: same dtype, and
/// their codes in the same buffers (arrow buffers do not change while
/// shared, and the cache holds a reference, so an address is not reused
/// for other data while an entry names it).
fn same_buffers(a: &Column, b: &Column) -> bool {
    a.len() == b.len()
        && a.dtype() == b.dtype()
        && buffers(a).is_some_and(|x| buffers(b) == Some(x))
}

/// The postings of `column` (a Categorical/Enum column), from the cache or
/// built now. `None` for other dtypes.
pub(crate) fn of(column: &Column) -> Option<Arc<Postings>> {
    let same = |c: &Column| same_buffers(c, column);
    {
        let cache = cache().lock().unwrap_or_else(|e| e.into_inner());
        if let Some(e) = cache.entries.iter().find(|e| same(&e.column)) {
            return Some(Arc::clone(&e.postings));
        }
    }
    let postings = Arc::new(Postings::build(column)?);
    let bytes = postings.heap_bytes();
    if bytes <= CAPACITY_BYTES {
        let mut cache = cache().lock().unwrap_or_else(|e| e.into_inner());
        if !cache.entries.iter().any(|e| same(&e.column)) {
            while cache.bytes + bytes > CAPACITY_BYTES {
                let Some(old) = cache.entries.pop_front() else {
                    break;
                };
                cache.bytes -= old.postings.heap_bytes();
            }
            cache.bytes += bytes;
            cache.entries.push_back(Entry {
                column: column.clone(),
                postings: Arc::clone(&postings),
            });
        }
    }
    Some(postings)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::search_expr;
    use crate::query::parse;

    fn frame(n: usize) -> DataFrame {
        let cats: Vec<String> = (0..40).map(|c| format!("cat_{c}")).collect();
        let frozen = FrozenCategories::new(cats.iter().map(String::as_str)).unwrap();
        let mut df = df!(
            "category" => (0..n).map(|i| (i % 23 != 4).then(|| cats[(i * 7919) % 40].clone())).collect::<Vec<_>>(),
            "tag" => (0..n).map(|i| (i % 19 != 2).then(|| format!("t{}", (i * 31) % 9))).collect::<Vec<_>>(),
            "price" => (0..n).map(|i| match i % 29 { 0 => None, 1 => Some(f64::NAN), _ => Some(((i * 104_729) % 1000) as f64 / 2.0) }).collect::<Vec<_>>(),
            "name" => (0..n).map(|i| format!("n{}ab{}", i % 13, i % 7)).collect::<Vec<_>>(),
        )
        .unwrap();
        df.apply("category", |c| {
            c.cast(&DataType::from_frozen_categories(frozen.clone()))
                .unwrap()
        })
        .unwrap();
        df.apply("tag", |c| {
            c.cast(&DataType::from_categories(Categories::global()))
                .unwrap()
        })
        .unwrap();
        df
    }

    /// Narrowed rows equal the rows the whole predicate keeps, for
    /// selective and unselective conjuncts, nulls, unknown categories,
    /// `||` at the top, negations and a search.
    #[test]
    fn narrowed_rows_equal_the_full_filter() {
        let df = frame(20_000);
        let cases = [
            ("{price} > 200 && {category} = cat_7", "", true),
            (
                "{category} = cat_7 && {price} > 200 && {tag} = t3",
                "",
                true,
            ),
            ("{category} = cat_7", "", true),
            ("{category} = cat_7 && {category} = cat_8", "", true),
            ("{category} = nope && {price} > 1", "", true),
            ("{category} is blank && {price} <= 300", "", true),
            ("{category} contains cat_1 && {price} < 100", "", false),
            ("{category} != cat_7 && {price} > 200", "", false),
            ("{category} = cat_7 || {price} > 200", "", false),
            ("!({category} = cat_7) && {price} > 200", "", false),
            ("{tag} = t3 && {name} contains ab", "", true),
            ("{tag} != t3 && {name} contains ab", "", false),
            ("{category} = cat_3 && {tag} = t1", "ab1", true),
            ("{category} = cat_3", "n4", true),
        ];
        for (text, search, narrows) in cases {
            let q = parse(text).unwrap();
            let s = search_expr(search, df.schema());
            let mut full = compile_pred(&q, df.schema()).unwrap();
            if let Some(s) = &s {
                full = full.and(P::E(s.clone()));
            }
            let want = match full {
                P::Const(b) => {
                    if b {
                        (0..df.height() as IdxSize).collect()
                    } else {
                        Vec::new()
                    }
                }
                P::E(e) => matching_rows(&df, e).unwrap(),
            };
            let got = narrowed_rows(&df, &q, s, 0).unwrap();
            assert_eq!(got.is_some(), narrows, "{text} / {search}");
            if let Some(got) = got {
                assert_eq!(got, want, "{text} / {search}");
            }
            assert!(
                narrowed_rows(&df, &q, None, df.height() + 1)
                    .unwrap()
                    .is_none()
            );
        }
    }

    /// A random frame (categories drawn from a few, nulls, values no
    /// category has) and a random `&&` of leaves over its columns, some on
    /// the categorical columns: narrowed rows equal the full filter's.
    mod random {
        use super::*;
        use proptest::prelude::*;

        fn leaf() -> impl Strategy<Value = String> {
            prop_oneof![
                (0u8..6).prop_map(|c| format!("{{e}} = e{c}")),
                (0u8..6).prop_map(|c| format!("{{e}} != e{c}")),
                (0u8..6).prop_map(|c| format!("{{g}} = g{c}")),
                (0u8..6).prop_map(|c| format!("{{g}} ieq G{c}")),
                Just("{e} is blank".to_owned()),
                Just("{g} is nil".to_owned()),
                Just("{e} contains 1".to_owned()),
                Just("{g} > g2".to_owned()),
                (-2i32..12).prop_map(|x| format!("{{x}} > {x}")),
                (-2i32..12).prop_map(|x| format!("{{x}} <= {x}")),
                Just("{x} is even".to_owned()),
                Just("({e} = e1 || {x} < 3)".to_owned()),
                Just("!({g} = g1)".to_owned()),
            ]
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(64))]
            #[test]
            fn narrowed_rows_equal_the_full_filter(
                rows in prop::collection::vec(
                    (prop::option::of(0u8..8), prop::option::of(0u8..8), prop::option::of(-3i32..14)),
                    0..300,
                ),
                leaves in prop::collection::vec(leaf(), 1..4),
                search in prop::sample::select(vec!["", "e1", "G3", "1"]),
            ) {
                let frozen = FrozenCategories::new((0..6).map(|c| ["e0", "e1", "e2", "e3", "e4", "e5"][c])).unwrap();
                let mut df = df!(
                    "e" => rows.iter().map(|r| r.0.map(|c| format!("e{c}"))).collect::<Vec<_>>(),
                    "g" => rows.iter().map(|r| r.1.map(|c| format!("g{c}"))).collect::<Vec<_>>(),
                    "x" => rows.iter().map(|r| r.2).collect::<Vec<_>>(),
                )
                .unwrap();
                // e6, e7 are not categories of the Enum: they become nulls.
                df.apply("e", |c| c.cast(&DataType::from_frozen_categories(frozen.clone())).unwrap()).unwrap();
                df.apply("g", |c| c.cast(&DataType::from_categories(Categories::global())).unwrap()).unwrap();
                let q = parse(&leaves.join(" && ")).unwrap();
                let s = search_expr(search, df.schema());
                let mut full = compile_pred(&q, df.schema()).unwrap();
                if let Some(s) = &s {
                    full = full.and(P::E(s.clone()));
                }
                let want: Vec<IdxSize> = match full {
                    P::Const(true) => (0..df.height() as IdxSize).collect(),
                    P::Const(false) => Vec::new(),
                    P::E(e) => matching_rows(&df, e).unwrap(),
                };
                if let Some(got) = narrowed_rows(&df, &q, s, 0).unwrap() {
                    prop_assert_eq!(got, want);
                }
            }
        }
    }

    #[test]
    fn postings_count_and_list_rows_by_code() {
        let df = frame(1_000);
        let column = df.column("category").unwrap();
        let p = of(column).unwrap();
        // Cached: the same column gives the same postings.
        assert!(Arc::ptr_eq(&p, &of(column).unwrap()));
        let codes: Vec<Option<u8>> = column.cat8().unwrap().physical().iter().collect();
        let mut keeps = vec![false; 41];
        keeps[3] = true;
        keeps[40] = true; // nulls
        let want: Vec<IdxSize> = (0..codes.len())
            .filter(|&i| matches!(codes[i], Some(3) | None))
            .map(|i| i as IdxSize)
            .collect();
        assert_eq!(p.rows(&keeps), want);
        assert_eq!(p.count(&keeps), want.len());
        assert!(of(df.column("price").unwrap()).is_none());
    }
}
