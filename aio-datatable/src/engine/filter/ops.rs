//! The comparisons and checks of the filter language, one function per
//! operator family (rules 9–16), over the [`Side`]s of a leaf.

use polars::prelude::*;

use super::{Order, P, Side};
use crate::engine::columns::{Kind, Repr};
use crate::engine::{EngineError, js, kernels};
use crate::query::{Check, js_to_number};

/// Evaluate a predicate that reads no column (literal against literal).
pub(super) fn fold(e: Expr) -> Result<P, EngineError> {
    let out = DataFrame::empty().lazy().select([e.alias("v")]).collect()?;
    Ok(P::Const(out.column("v")?.bool()?.get(0).unwrap_or(false)))
}

/// Strict `===`: same type and value; `null === null`.
pub(super) fn strict_eq(l: &Side, r: &Side) -> P {
    if l.kind() != r.kind() || l.kind() == Kind::Null {
        return l.is_null().and(r.is_null());
    }
    P::leaf(l.value().eq_missing(r.value()))
}

/// Rule 9: numeric `=` when both sides are `fast-isnumeric`, else `===`
/// (or, with `i`, equality of the upper-cased `toString()`s).
pub(super) fn eq(l: &Side, r: &Side, insensitive: bool) -> P {
    if l.kind() == Kind::Num && r.kind() == Kind::Num {
        // Cells hold finite numbers only, which are always numeric.
        return if insensitive {
            P::leaf(l.value().eq(r.value()))
        } else {
            P::leaf(l.value().eq_missing(r.value()))
        };
    }
    let (Some(a), Some(b)) = (l.numeric(), r.numeric()) else {
        return if insensitive {
            upper_cmp(l, r, |a, b| a.eq(b))
        } else {
            strict_eq(l, r)
        };
    };
    let lit_numeric =
        matches!(l, Side::Num(_) | Side::Str(_)) || matches!(r, Side::Num(_) | Side::Str(_));
    if lit_numeric && !insensitive {
        // A literal that is numeric: a string `===` to it is numeric too, so
        // the strict branch can only add `null === null`, impossible here.
        return P::leaf(a.eq(b));
    }
    let fallback = if insensitive {
        upper_cmp(l, r, |a, b| a.eq(b))
    } else {
        strict_eq(l, r)
    };
    let both = P::E(a.clone().is_not_null().and(b.clone().is_not_null()));
    P::select(both, P::leaf(a.eq(b)), fallback)
}

/// Rule 10: strict `!==`, so nulls pass and a number never equals a string;
/// with `i`, `!==` of the upper-cased `toString()`s (nulls never match).
pub(super) fn ne(l: &Side, r: &Side, insensitive: bool) -> P {
    if insensitive {
        return upper_cmp(l, r, |a, b| a.neq(b));
    }
    if l.kind() != r.kind() || l.kind() == Kind::Null {
        return l.is_null().and(r.is_null()).not();
    }
    P::leaf(l.value().neq_missing(r.value()))
}

pub(super) fn upper_cmp(l: &Side, r: &Side, f: impl Fn(Expr, Expr) -> Expr) -> P {
    match (l.upper(), r.upper()) {
        (Some(a), Some(b)) => P::leaf(f(a, b)),
        _ => P::Const(false),
    }
}

/// Rule 11: JS `<` …: two strings compare by UTF-16 code units, anything
/// else as numbers (null → 0, booleans → 0/1, strings → `Number()`, NaN
/// never matches). With `i`, both sides are upper-cased strings.
pub(super) fn order(l: &Side, r: &Side, op: Order, insensitive: bool) -> P {
    if insensitive {
        return match (l.upper(), r.upper()) {
            (Some(a), Some(b)) => {
                let text = |s: &Side| s.lit_text().map(|t| t.to_uppercase());
                compare_strings((a, text(l)), (b, text(r)), op)
            }
            _ => P::Const(false),
        };
    }
    if let Some(p) = float_against_literal(l, r, op) {
        return p;
    }
    let numbers = |l: Option<Expr>, r: Option<Expr>| match (l, r) {
        (Some(a), Some(b)) => P::leaf(op.apply(a, b)),
        _ => P::Const(false),
    };
    if l.kind() != Kind::Str || r.kind() != Kind::Str {
        return numbers(l.to_number(), r.to_number());
    }
    let strings = compare_strings((l.value(), l.lit_text()), (r.value(), r.lit_text()), op);
    let both = l.is_null().or(r.is_null()).not();
    // Where a side is null it counts as 0. Against a literal the null side
    // is the column, so that branch folds to a constant.
    let on_null = match (l, r) {
        (Side::Col { .. }, Side::Col { .. }) => numbers(l.to_number(), r.to_number()),
        _ => {
            let num = |s: &Side| match s {
                Side::Col { .. } => Some(0.0),
                Side::Num(v) => Some(*v),
                Side::Str(t) => js_to_number(t),
            };
            match (num(l), num(r)) {
                (Some(a), Some(b)) => P::Const(a.partial_cmp(&b).is_some_and(|o| op.holds(o))),
                _ => P::Const(false),
            }
        }
    };
    P::select(both, strings, on_null)
}

/// The hot case of `<`…: a float column against a number literal, as one
/// pass over the raw column ([`kernels::float_test`]). A cell that is null, NaN or ±inf is
/// null to the table and counts as 0, so it matches exactly when `0 op x`
/// holds; a finite cell matches when `cell op x` holds. Same result as the
/// general path, without materializing the converted column.
pub(super) fn float_against_literal(l: &Side, r: &Side, op: Order) -> Option<P> {
    let (name, x, op) = match (l, r) {
        (
            Side::Col {
                name,
                repr: Repr::Float,
            },
            Side::Num(x),
        ) => (name, *x, op),
        (
            Side::Num(x),
            Side::Col {
                name,
                repr: Repr::Float,
            },
        ) => (name, *x, op.flipped()),
        _ => return None,
    };
    let c = col(name.as_str()).cast(DataType::Float64);
    let zero_matches = 0.0f64.partial_cmp(&x).is_some_and(|o| op.holds(o));
    Some(P::E(match op {
        Order::Lt => kernels::float_test(c, move |v| v < x, zero_matches),
        Order::Le => kernels::float_test(c, move |v| v <= x, zero_matches),
        Order::Gt => kernels::float_test(c, move |v| v > x, zero_matches),
        Order::Ge => kernels::float_test(c, move |v| v >= x, zero_matches),
    }))
}

/// Ordering of two string expressions by UTF-16 code units. `lit` is the
/// text of a literal side.
pub(super) fn compare_strings(
    l: (Expr, Option<String>),
    r: (Expr, Option<String>),
    op: Order,
) -> P {
    match (&l.1, &r.1) {
        (Some(a), Some(b)) => P::Const(op.holds(a.encode_utf16().cmp(b.encode_utf16()))),
        // Code-point order differs from UTF-16 order only when the first
        // difference pits a character >= U+E000 against an astral one; with
        // a literal free of such characters that cannot happen.
        (Some(t), None) | (None, Some(t)) if !js::needs_utf16_key(t) => P::leaf(op.apply(l.0, r.0)),
        _ => {
            let key = |(e, t): (Expr, Option<String>)| match t {
                Some(t) => lit(js::utf16_key(&t).into_owned()),
                None => kernels::utf16(e),
            };
            P::leaf(op.apply(key(l), key(r)))
        }
    }
}

/// Rule 14: both sides non-null, at least one a string (type taken before
/// any `i` upper-casing), and `String(l)` contains `String(r)`.
pub(super) fn contains(l: &Side, r: &Side, insensitive: bool) -> P {
    if l.kind() != Kind::Str && r.kind() != Kind::Str {
        return P::Const(false);
    }
    let text = |s: &Side| {
        s.lit_text()
            .map(|t| if insensitive { t.to_uppercase() } else { t })
    };
    if let (Some(a), Some(b)) = (text(l), text(r)) {
        return P::Const(a.contains(&b));
    }
    let pair = if insensitive {
        (l.upper(), r.upper())
    } else {
        (l.string(), r.string())
    };
    match pair {
        (Some(a), Some(b)) => P::leaf(a.str().contains_literal(b)),
        _ => P::Const(false),
    }
}

/// Rule 16: the `is …` checks, JavaScript type tests on the cell.
pub(super) fn is(s: &Side, check: Check) -> P {
    let kind = s.kind();
    let present = |k: Kind| {
        if kind == k {
            s.is_null().not()
        } else {
            P::Const(false)
        }
    };
    match check {
        Check::Nil => s.is_null(),
        Check::Blank => match s {
            Side::Str(t) => P::Const(t.is_empty()),
            Side::Col { .. } if kind == Kind::Str => s.is_null().or(P::leaf(s.value().eq(lit("")))),
            _ => s.is_null(),
        },
        Check::Bool => present(Kind::Bool),
        Check::Num => present(Kind::Num),
        Check::Str => present(Kind::Str),
        Check::Object => P::Const(false),
        Check::Even | Check::Odd | Check::Prime => match s {
            Side::Num(v) => P::Const(match check {
                Check::Even => v % 2.0 == 0.0,
                Check::Odd => v % 2.0 == 1.0,
                _ => js::is_prime_js(*v),
            }),
            Side::Col { .. } if kind == Kind::Num => {
                let v = s.value();
                P::leaf(match check {
                    Check::Even => even(v),
                    Check::Odd => odd(v),
                    _ => kernels::prime(v),
                })
            }
            _ => P::Const(false),
        },
    }
}

/// 2^53: every double at or beyond it is an even integer.
const TWO_53: f64 = 9_007_199_254_740_992.0;

/// JS `v % 2 === 0` on finite doubles, without polars' floor modulo.
pub(super) fn even(v: Expr) -> Expr {
    let t = v.clone().cast(DataType::Int64);
    v.clone()
        .eq(lit(0.0))
        .or(v.clone().gt_eq(lit(TWO_53)))
        .or(v.clone().lt_eq(lit(-TWO_53)))
        .or(t
            .clone()
            .cast(DataType::Float64)
            .eq(v)
            .and((t % lit(2i64)).eq(lit(0i64))))
}

/// JS `v % 2 === 1`: positive odd integers only.
pub(super) fn odd(v: Expr) -> Expr {
    let t = v.clone().cast(DataType::Int64);
    v.clone()
        .gt_eq(lit(1.0))
        .and(v.clone().lt(lit(TWO_53)))
        .and(t.clone().cast(DataType::Float64).eq(v))
        .and((t % lit(2i64)).eq(lit(1i64)))
}
