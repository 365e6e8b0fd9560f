//! Column kernels for the JavaScript conversions polars has no native
//! equivalent of. Each one runs once over a whole column (chunk by chunk,
//! inside the polars plan, via [`Expr::map`]); the filter tree itself is
//! always a single polars expression.
//!
//! | kernel | input → output | used by |
//! |---|---|---|
//! | [`fast_numeric`] | String → Float64 (`fast-isnumeric` value, else null) | `=` on text cells |
//! | [`js_number`] | String → Float64 (JS `+s`, NaN → null) | `<` … text vs number |
//! | [`number_string`] | Float64 → String (JS `String(v)`) | `contains`, `i` ops, `datestartswith` on numbers |
//! | [`date_norm`] | String → String (`normalizeDate`, else null) | `datestartswith` |
//! | [`utf16`] | String → String (UTF-16 order key) | `<` …, sorting |
//! | [`prime`] | Float64 → Boolean | `is prime` |
//! | [`code_lookup`] | UInt8/16/32 → Boolean (a table by code) | leaves on categorical columns |
//! | [`code_map`] | UInt8/16/32 → UInt32 (a table by code, null where the table has none) | sort keys of categorical columns |
//! | [`float_key`] | Float64 → Float64 (NaN/±inf → null, -0 → 0) | sort keys of float columns |
//! | [`float_test`] | Float64 → Boolean (a test, or a fixed answer for null/NaN/±inf) | `<` … on float columns |

use polars::prelude::*;
use polars_arrow::array::{BooleanArray, PrimitiveArray};
use polars_arrow::bitmap::Bitmap;
use polars_arrow::datatypes::ArrowDataType;

use super::js;
use crate::query::{js_to_number, numeric_value};

fn kernel<F>(input: Expr, out: DataType, name: &'static str, f: F) -> Expr
where
    F: Fn(&Series) -> PolarsResult<Series> + Send + Sync + 'static,
{
    input.map_with_fmt_str(
        move |c: Column| f(c.as_materialized_series()).map(Column::from),
        move |_, field| Ok(Field::new(field.name().clone(), out.clone())),
        name,
    )
}

fn str_to_f64(s: &Series, f: fn(&str) -> Option<f64>) -> PolarsResult<Series> {
    let ca = s.str()?;
    let out: Float64Chunked = ca.iter().map(|o| o.and_then(f)).collect();
    Ok(out.with_name(s.name().clone()).into_series())
}

/// `fast-isnumeric`'s number for each string (null when not numeric).
pub(crate) fn fast_numeric(e: Expr) -> Expr {
    kernel(e, DataType::Float64, "js_fast_numeric", |s| {
        str_to_f64(s, numeric_value)
    })
}

/// JavaScript's `+s` for each string, `NaN` as null (`Infinity` kept).
pub(crate) fn js_number(e: Expr) -> Expr {
    kernel(e, DataType::Float64, "js_number", |s| {
        str_to_f64(s, js_to_number)
    })
}

/// JavaScript's `String(v)` for each number.
pub(crate) fn number_string(e: Expr) -> Expr {
    kernel(e, DataType::String, "js_number_string", |s| {
        let ca = s.f64()?;
        let out: StringChunked = ca.iter().map(|o| o.map(js::number_to_string)).collect();
        Ok(out.with_name(s.name().clone()).into_series())
    })
}

/// dash-table's `normalizeDate` for each string (null when not a date).
pub(crate) fn date_norm(e: Expr, yfirst: i32) -> Expr {
    kernel(e, DataType::String, "js_normalize_date", move |s| {
        let ca = s.str()?;
        let out: StringChunked = ca
            .iter()
            .map(|o| o.and_then(|t| js::normalize_date(t, yfirst)))
            .collect();
        Ok(out.with_name(s.name().clone()).into_series())
    })
}

/// A key whose byte order is the strings' UTF-16 order (see
/// [`js::utf16_key`]); cheap for strings without characters >= U+E000.
pub(crate) fn utf16(e: Expr) -> Expr {
    kernel(e, DataType::String, "utf16_key", |s| {
        let ca = s.str()?;
        Ok(ca.apply_values(js::utf16_key).into_series())
    })
}

/// dash-table's `is prime` for each number (null stays null).
pub(crate) fn prime(e: Expr) -> Expr {
    kernel(e, DataType::Boolean, "js_is_prime", |s| {
        let ca = s.f64()?;
        let out: BooleanChunked = ca.iter().map(|o| o.map(js::is_prime_js)).collect();
        Ok(out.with_name(s.name().clone()).into_series())
    })
}

/// `table[code]` for each code; a null code reads the table's last entry,
/// a code past the table is `false`. One tight loop over the codes: the
/// per-category answer of a categorical filter, spread over its rows.
pub(crate) fn code_lookup(codes: Expr, table: Vec<bool>) -> Expr {
    let on_null = table.last().copied().unwrap_or(false);
    code_test(
        codes,
        move |c| table.get(c as usize).copied().unwrap_or(false),
        on_null,
    )
}

/// `code == only` for each code, `false` for nulls: the leaf of a
/// categorical filter that one category satisfies.
pub(crate) fn code_equals(codes: Expr, only: u32) -> Expr {
    code_test(codes, move |c| c == only, false)
}

fn code_test<F>(codes: Expr, test: F, on_null: bool) -> Expr
where
    F: Fn(u32) -> bool + Send + Sync + 'static,
{
    kernel(codes, DataType::Boolean, "category_test", move |s| {
        // Codes are read in their physical width (an Enum of up to 256
        // categories has one byte per row): the scan reads a quarter of
        // the memory a u32 copy would.
        macro_rules! run {
            ($ca:expr) => {{
                let chunks = $ca.downcast_iter().map(|arr| {
                    test_bits(
                        arr.values(),
                        arr.validity(),
                        |c| test(u32::from(*c)),
                        on_null,
                    )
                });
                BooleanChunked::from_chunk_iter(s.name().clone(), chunks)
            }};
        }
        let out = match s.dtype() {
            DataType::UInt8 => run!(s.u8()?),
            DataType::UInt16 => run!(s.u16()?),
            _ => run!(s.u32()?),
        };
        Ok(out.into_series())
    })
}

/// `test(v)` for each finite value, `otherwise` for null, NaN and ±inf:
/// one pass over the values, no converted column.
pub(crate) fn float_test<F>(e: Expr, test: F, otherwise: bool) -> Expr
where
    F: Fn(f64) -> bool + Copy + Send + Sync + 'static,
{
    kernel(e, DataType::Boolean, "float_test", move |s| {
        let ca = s.f64()?;
        // Branch-free, so the packing loop vectorizes.
        let one = move |v: &f64| {
            let finite = v.abs() < f64::INFINITY;
            (finite & test(*v)) | (!finite & otherwise)
        };
        let chunks = ca
            .downcast_iter()
            .map(|arr| test_bits(arr.values(), arr.validity(), one, otherwise));
        Ok(BooleanChunked::from_chunk_iter(s.name().clone(), chunks).into_series())
    })
}

/// A Boolean array of `test` over `values`, with `on_null` where
/// `validity` is unset: the bits are packed eight at a time, then merged
/// with the validity bitmap word-wise.
fn test_bits<T>(
    values: &[T],
    validity: Option<&Bitmap>,
    test: impl Fn(&T) -> bool,
    on_null: bool,
) -> BooleanArray {
    let mut bytes = Vec::with_capacity(values.len().div_ceil(8));
    let mut chunks = values.chunks_exact(8);
    for chunk in &mut chunks {
        let mut byte = 0u8;
        for (i, v) in chunk.iter().enumerate() {
            byte |= u8::from(test(v)) << i;
        }
        bytes.push(byte);
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut byte = 0u8;
        for (i, v) in rest.iter().enumerate() {
            byte |= u8::from(test(v)) << i;
        }
        bytes.push(byte);
    }
    let mut bits = Bitmap::from_u8_vec(bytes, values.len());
    if let Some(valid) = validity
        && valid.unset_bits() > 0
    {
        bits = if on_null {
            &bits | &!valid
        } else {
            &bits & valid
        };
    }
    BooleanArray::new(ArrowDataType::Boolean, bits, None)
}

/// `table[code]` for each code (null for a null code, a code past the
/// table or a `None` entry): categories to their sort rank.
pub(crate) fn code_map(codes: Expr, table: Vec<Option<u32>>) -> Expr {
    kernel(codes, DataType::UInt32, "category_rank", move |s| {
        let at = |c: u32| table.get(c as usize).copied().flatten();
        macro_rules! run {
            ($ca:expr) => {{
                let chunks = $ca.downcast_iter().map(|arr| {
                    let values: Vec<u32> = arr
                        .values()
                        .iter()
                        .map(|c| at(u32::from(*c)).unwrap_or(0))
                        .collect();
                    let known = test_bits(
                        arr.values(),
                        arr.validity(),
                        |c| at(u32::from(*c)).is_some(),
                        false,
                    );
                    PrimitiveArray::new(
                        ArrowDataType::UInt32,
                        values.into(),
                        Some(known.values().clone()),
                    )
                });
                UInt32Chunked::from_chunk_iter(s.name().clone(), chunks)
            }};
        }
        let out = match s.dtype() {
            DataType::UInt8 => run!(s.u8()?),
            DataType::UInt16 => run!(s.u16()?),
            _ => run!(s.u32()?),
        };
        Ok(out.into_series())
    })
}

/// A float column as a sort key: the table's cells (NaN and ±inf are null)
/// with -0 made 0 so that it ties with 0.
pub(crate) fn float_key(e: Expr) -> Expr {
    kernel(e, DataType::Float64, "float_key", |s| {
        let ca = s.f64()?;
        let chunks = ca.downcast_iter().map(|arr| {
            let values: Vec<f64> = arr.values().iter().map(|v| v + 0.0).collect();
            let finite = test_bits(arr.values(), arr.validity(), |v| v.is_finite(), false);
            PrimitiveArray::new(
                ArrowDataType::Float64,
                values.into(),
                Some(finite.values().clone()),
            )
        });
        Ok(Float64Chunked::from_chunk_iter(s.name().clone(), chunks).into_series())
    })
}
