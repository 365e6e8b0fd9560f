//! Compiling a `filter_query` tree into one polars expression with
//! dash-table's semantics (rules 9–16 of `dash-table-semantics.md`).
//!
//! Every comparison and check becomes a non-null Boolean expression (nulls
//! are decided explicitly, never left to polars' three-valued logic), so
//! `!`, `&&` and `||` map to polars' `not`, `and`, `or`. Constant parts
//! (literal against literal, or a side that can never match, such as
//! `contains` between two numbers) fold away before polars sees them.

use polars::prelude::*;

use super::columns::{Kind, Repr, resolve};
use super::{EngineError, dictionary, js, kernels};
use crate::query::{
    Case, Check, Expr as QExpr, Literal, Operand, Query, RelOp, js_to_number, numeric_value,
};

/// The polars expression selecting the rows that `query` keeps, evaluated
/// over a frame with `schema`, or `None` when the query keeps every row (the
/// empty query, or one that is constantly true such as `1 = 1`).
///
/// The semantics are dash-table's, column by column as described in
/// [`super`]; unlike the table, a `{column}` the frame does not have is an
/// [`EngineError::UnknownColumn`], and a column of a dtype cells cannot hold
/// (lists, structs, binary) an [`EngineError::TypeMismatch`].
pub fn compile_filter(query: &Query, schema: &Schema) -> Result<Option<Expr>, EngineError> {
    Ok(match compile_pred(query, schema)? {
        P::Const(true) => None,
        p => Some(p.expr()),
    })
}

/// [`compile_filter`] without the final conversion, so callers can see a
/// constant result.
pub(crate) fn compile_pred(query: &Query, schema: &Schema) -> Result<P, EngineError> {
    let Some(root) = &query.root else {
        return Ok(P::Const(true));
    };
    let cx = Cx {
        schema,
        yfirst: js::two_digit_year_start(),
    };
    cx.expr(root)
}

/// A predicate: a constant or a non-null Boolean expression.
#[derive(Clone)]
pub(crate) enum P {
    Const(bool),
    E(Expr),
}

impl P {
    /// A comparison result; nulls (from null cells or NaN) do not match.
    fn leaf(e: Expr) -> P {
        P::E(e.fill_null(lit(false)))
    }

    pub(crate) fn expr(self) -> Expr {
        match self {
            P::Const(b) => lit(b),
            P::E(e) => e,
        }
    }

    pub(crate) fn and(self, other: P) -> P {
        match (self, other) {
            (P::Const(false), _) | (_, P::Const(false)) => P::Const(false),
            (P::Const(true), x) | (x, P::Const(true)) => x,
            (P::E(a), P::E(b)) => P::E(a.and(b)),
        }
    }

    fn or(self, other: P) -> P {
        match (self, other) {
            (P::Const(true), _) | (_, P::Const(true)) => P::Const(true),
            (P::Const(false), x) | (x, P::Const(false)) => x,
            (P::E(a), P::E(b)) => P::E(a.or(b)),
        }
    }

    #[allow(clippy::should_implement_trait)]
    fn not(self) -> P {
        match self {
            P::Const(b) => P::Const(!b),
            P::E(e) => P::E(e.not()),
        }
    }

    /// `if cond { then } else { otherwise }`.
    fn select(cond: P, then: P, otherwise: P) -> P {
        match (cond, then, otherwise) {
            (P::Const(c), t, o) => {
                if c {
                    t
                } else {
                    o
                }
            }
            (_, P::Const(t), P::Const(o)) if t == o => P::Const(t),
            (c, t, o) => P::E(when(c.expr()).then(t.expr()).otherwise(o.expr())),
        }
    }
}

struct Cx<'a> {
    schema: &'a Schema,
    yfirst: i32,
}

/// One side of a comparison.
enum Side {
    Col {
        name: String,
        repr: Repr,
    },
    /// A literal, as the JS value it evaluates to.
    Num(f64),
    Str(String),
}

#[derive(Clone, Copy)]
enum Order {
    Lt,
    Le,
    Gt,
    Ge,
}

impl Order {
    fn apply(self, a: Expr, b: Expr) -> Expr {
        match self {
            Order::Lt => a.lt(b),
            Order::Le => a.lt_eq(b),
            Order::Gt => a.gt(b),
            Order::Ge => a.gt_eq(b),
        }
    }

    /// The order with its sides swapped (`a < b` ⇔ `b > a`).
    fn flipped(self) -> Order {
        match self {
            Order::Lt => Order::Gt,
            Order::Le => Order::Ge,
            Order::Gt => Order::Lt,
            Order::Ge => Order::Le,
        }
    }

    fn holds(self, o: std::cmp::Ordering) -> bool {
        match self {
            Order::Lt => o.is_lt(),
            Order::Le => o.is_le(),
            Order::Gt => o.is_gt(),
            Order::Ge => o.is_ge(),
        }
    }
}

impl Side {
    fn kind(&self) -> Kind {
        match self {
            Side::Col { repr, .. } => repr.kind(),
            Side::Num(_) => Kind::Num,
            Side::Str(_) => Kind::Str,
        }
    }

    fn is_null(&self) -> P {
        match self {
            Side::Col {
                repr: Repr::Null, ..
            } => P::Const(true),
            Side::Col { name, repr } => P::E(repr.value(name).is_null()),
            _ => P::Const(false),
        }
    }

    /// The JS value as a typed expression.
    fn value(&self) -> Expr {
        match self {
            Side::Col { name, repr } => repr.value(name),
            Side::Num(v) => lit(*v),
            Side::Str(s) => lit(s.as_str()),
        }
    }

    /// The JS `String(v)` of a literal.
    fn lit_text(&self) -> Option<String> {
        match self {
            Side::Col { .. } => None,
            Side::Num(v) => Some(js::number_to_string(*v)),
            Side::Str(s) => Some(s.clone()),
        }
    }

    /// `fast-isnumeric`'s number, null where not numeric; `None` when never.
    fn numeric(&self) -> Option<Expr> {
        match self {
            Side::Col { name, repr } => match repr.kind() {
                Kind::Num => Some(repr.value(name)),
                Kind::Str => Some(kernels::fast_numeric(repr.value(name))),
                Kind::Bool | Kind::Null => None,
            },
            Side::Num(v) => Some(lit(*v)),
            Side::Str(s) => numeric_value(s).map(lit),
        }
    }

    /// JS `Number(v)` with null as 0 and NaN as null; `None` when always NaN.
    fn to_number(&self) -> Option<Expr> {
        match self {
            Side::Col { name, repr } => {
                let v = repr.value(name);
                Some(match repr.kind() {
                    Kind::Num => v.fill_null(lit(0.0)),
                    Kind::Str => when(v.clone().is_null())
                        .then(lit(0.0))
                        .otherwise(kernels::js_number(v)),
                    Kind::Bool => v.cast(DataType::Float64).fill_null(lit(0.0)),
                    Kind::Null => lit(0.0),
                })
            }
            Side::Num(v) => Some(lit(*v)),
            Side::Str(s) => js_to_number(s).map(lit),
        }
    }

    /// JS `String(v)`, null for null; `None` when always null.
    fn string(&self) -> Option<Expr> {
        match self {
            Side::Col { name, repr } => {
                let v = repr.value(name);
                match repr.kind() {
                    Kind::Num => Some(kernels::number_string(v)),
                    Kind::Str => Some(v),
                    Kind::Bool => Some(v.cast(DataType::String)),
                    Kind::Null => None,
                }
            }
            lit_side => lit_side.lit_text().map(lit),
        }
    }

    /// `v.toString().toUpperCase()` (Rust's full mapping, like JS's).
    fn upper(&self) -> Option<Expr> {
        match self {
            Side::Col { .. } => self.string().map(|e| e.str().to_uppercase()),
            lit_side => lit_side.lit_text().map(|t| lit(t.to_uppercase())),
        }
    }

    /// `normalizeDate` of the value (numbers stringified first).
    fn date_norm(&self, yfirst: i32) -> Option<Expr> {
        match self {
            Side::Col { name, repr } => {
                if let Some(e) = repr.date_norm(name) {
                    return Some(e);
                }
                let v = repr.value(name);
                match repr.kind() {
                    Kind::Num => Some(kernels::date_norm(kernels::number_string(v), yfirst)),
                    Kind::Str => Some(kernels::date_norm(v, yfirst)),
                    Kind::Bool | Kind::Null => None,
                }
            }
            lit_side => lit_side
                .lit_text()
                .and_then(|t| js::normalize_date(&t, yfirst))
                .map(lit),
        }
    }
}

impl Cx<'_> {
    fn expr(&self, e: &QExpr) -> Result<P, EngineError> {
        Ok(match e {
            QExpr::And(l, r) => self.expr(l)?.and(self.expr(r)?),
            QExpr::Or(l, r) => self.expr(l)?.or(self.expr(r)?),
            QExpr::Not(inner) => self.expr(inner)?.not(),
            QExpr::Compare {
                op,
                case,
                left,
                right,
            } => {
                let (l, r) = (self.side(left)?, self.side(right)?);
                let i = *case == Case::Insensitive;
                match op {
                    RelOp::Eq => eq(&l, &r, i),
                    RelOp::Ne => ne(&l, &r, i),
                    RelOp::Lt => order(&l, &r, Order::Lt, i),
                    RelOp::Le => order(&l, &r, Order::Le, i),
                    RelOp::Gt => order(&l, &r, Order::Gt, i),
                    RelOp::Ge => order(&l, &r, Order::Ge, i),
                    RelOp::Contains => contains(&l, &r, i),
                    RelOp::DateStartsWith => {
                        // Date/Datetime column against a literal: a range
                        // test on the physical values where possible.
                        if let (Side::Col { name, repr }, Some(t)) = (&l, r.lit_text()) {
                            let norm = js::normalize_date(&t, self.yfirst);
                            if let Some(e) = norm.and_then(|n| repr.date_prefix(name, &n)) {
                                return Ok(P::leaf(e));
                            }
                        }
                        match (l.date_norm(self.yfirst), r.date_norm(self.yfirst)) {
                            (Some(a), Some(b)) => P::leaf(a.str().starts_with(b)),
                            _ => P::Const(false),
                        }
                    }
                }
            }
            QExpr::Is { operand, check } => is(&self.side(operand)?, *check),
        })
        .and_then(|p| match (p, e) {
            (
                P::E(e),
                QExpr::Compare {
                    left: Operand::Literal(_),
                    right: Operand::Literal(_),
                    ..
                },
            )
            | (
                P::E(e),
                QExpr::Is {
                    operand: Operand::Literal(_),
                    ..
                },
            ) => fold(e),
            // A leaf reading one categorical column: once per category.
            (P::E(pred), e) => Ok(P::E(match self.categorical_field(e) {
                Some((name, dtype)) => dictionary::per_category(&pred, name, dtype).unwrap_or(pred),
                None => pred,
            })),
            (p, _) => Ok(p),
        })
    }

    /// The column of a leaf (a comparison of a column with a literal, or a
    /// check of a column) when it is Categorical or Enum, with its dtype.
    fn categorical_field<'e>(&self, e: &'e QExpr) -> Option<(&'e str, &DataType)> {
        let name = match e {
            QExpr::Compare {
                left: Operand::Field(f),
                right: Operand::Literal(_),
                ..
            }
            | QExpr::Compare {
                left: Operand::Literal(_),
                right: Operand::Field(f),
                ..
            }
            | QExpr::Is {
                operand: Operand::Field(f),
                ..
            } => f.as_str(),
            _ => return None,
        };
        let dtype = self.schema.get(name)?;
        (dtype.is_categorical() || dtype.is_enum()).then_some((name, dtype))
    }

    fn side(&self, operand: &Operand) -> Result<Side, EngineError> {
        Ok(match operand {
            Operand::Field(name) => Side::Col {
                name: name.clone(),
                repr: resolve(self.schema, name, "filtered")?,
            },
            Operand::Literal(Literal::Num { value, .. }) => Side::Num(*value),
            Operand::Literal(Literal::Str(s)) => Side::Str(s.clone()),
        })
    }
}

/// Evaluate a predicate that reads no column (literal against literal).
fn fold(e: Expr) -> Result<P, EngineError> {
    let out = DataFrame::empty().lazy().select([e.alias("v")]).collect()?;
    Ok(P::Const(out.column("v")?.bool()?.get(0).unwrap_or(false)))
}

/// Strict `===`: same type and value; `null === null`.
fn strict_eq(l: &Side, r: &Side) -> P {
    if l.kind() != r.kind() || l.kind() == Kind::Null {
        return l.is_null().and(r.is_null());
    }
    P::leaf(l.value().eq_missing(r.value()))
}

/// Rule 9: numeric `=` when both sides are `fast-isnumeric`, else `===`
/// (or, with `i`, equality of the upper-cased `toString()`s).
fn eq(l: &Side, r: &Side, insensitive: bool) -> P {
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
fn ne(l: &Side, r: &Side, insensitive: bool) -> P {
    if insensitive {
        return upper_cmp(l, r, |a, b| a.neq(b));
    }
    if l.kind() != r.kind() || l.kind() == Kind::Null {
        return l.is_null().and(r.is_null()).not();
    }
    P::leaf(l.value().neq_missing(r.value()))
}

fn upper_cmp(l: &Side, r: &Side, f: impl Fn(Expr, Expr) -> Expr) -> P {
    match (l.upper(), r.upper()) {
        (Some(a), Some(b)) => P::leaf(f(a, b)),
        _ => P::Const(false),
    }
}

/// Rule 11: JS `<` …: two strings compare by UTF-16 code units, anything
/// else as numbers (null → 0, booleans → 0/1, strings → `Number()`, NaN
/// never matches). With `i`, both sides are upper-cased strings.
fn order(l: &Side, r: &Side, op: Order, insensitive: bool) -> P {
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
fn float_against_literal(l: &Side, r: &Side, op: Order) -> Option<P> {
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
fn compare_strings(l: (Expr, Option<String>), r: (Expr, Option<String>), op: Order) -> P {
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
fn contains(l: &Side, r: &Side, insensitive: bool) -> P {
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
fn is(s: &Side, check: Check) -> P {
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
fn even(v: Expr) -> Expr {
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
fn odd(v: Expr) -> Expr {
    let t = v.clone().cast(DataType::Int64);
    v.clone()
        .gt_eq(lit(1.0))
        .and(v.clone().lt(lit(TWO_53)))
        .and(t.clone().cast(DataType::Float64).eq(v))
        .and((t % lit(2i64)).eq(lit(1i64)))
}
