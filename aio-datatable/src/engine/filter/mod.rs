//! Compiling a `filter_query` tree into one polars expression with
//! dash-table's semantics (rules 9–16 of `dash-table-semantics.md`).
//!
//! Every comparison and check becomes a non-null Boolean expression (nulls
//! are decided explicitly, never left to polars' three-valued logic), so
//! `!`, `&&` and `||` map to polars' `not`, `and`, `or`. Constant parts
//! (literal against literal, or a side that can never match, such as
//! `contains` between two numbers) fold away before polars sees them.

mod ops;

use polars::prelude::*;

use self::ops::{contains, eq, fold, is, ne, order};
use super::columns::{Kind, Repr, resolve};
use super::{EngineError, dictionary, js, kernels};
use crate::query::{
    Case, Expr as QExpr, Literal, Operand, Query, RelOp, js_to_number, numeric_value,
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

/// One of a query's top-level `&&` conjuncts that reads a single
/// Categorical/Enum column, answered once per category (see
/// [`category_conjuncts`]).
#[derive(Debug)]
pub(crate) struct CategoryConjunct {
    /// The column it reads.
    pub(crate) column: String,
    /// For each code of the column's dtype, whether the conjunct keeps its
    /// rows; the last entry is for null cells.
    pub(crate) keeps: Vec<bool>,
    /// Its place among [`Conjuncts::parts`].
    index: usize,
}

/// A query's top-level `&&` conjuncts, and those of them that read one
/// Categorical/Enum column (see [`category_conjuncts`]).
pub(crate) struct Conjuncts<'q> {
    parts: Vec<&'q QExpr>,
    /// The conjuncts answered per category.
    pub(crate) categorical: Vec<CategoryConjunct>,
}

impl Conjuncts<'_> {
    /// The query without `conjunct`: the other conjuncts joined by `&&`,
    /// built once for the conjunct a view starts from (building it for
    /// every candidate would cost the square of the conjuncts).
    pub(crate) fn rest(&self, conjunct: &CategoryConjunct) -> Query {
        let root = self
            .parts
            .iter()
            .enumerate()
            .rev()
            .filter(|&(j, _)| j != conjunct.index)
            .map(|(_, e)| (*e).clone())
            .reduce(|acc, left| QExpr::And(Box::new(left), Box::new(acc)));
        Query { root }
    }
}

/// The conjuncts of `query` (the operands of its top-level `&&`s) that
/// read one Categorical/Enum column and nothing else, each with the
/// categories it keeps. A view can then start from the rows of those
/// categories (see `super::postings`) instead of testing every row.
pub(crate) fn category_conjuncts<'q>(
    query: &'q Query,
    schema: &Schema,
) -> Result<Conjuncts<'q>, EngineError> {
    let mut parts = Vec::new();
    let mut stack: Vec<&QExpr> = query.root.iter().collect();
    while let Some(e) = stack.pop() {
        match e {
            QExpr::And(l, r) => {
                stack.push(r);
                stack.push(l);
            }
            other => parts.push(other),
        }
    }
    let cx = Cx {
        schema,
        yfirst: js::two_digit_year_start(),
    };
    let mut categorical = Vec::new();
    for (index, part) in parts.iter().enumerate() {
        let Some((name, dtype)) = cx.categorical_field(part) else {
            continue;
        };
        let P::E(pred) = cx.leaf(part)? else {
            continue;
        };
        let Some(keeps) = dictionary::answers(&pred, name, dtype) else {
            continue;
        };
        categorical.push(CategoryConjunct {
            column: name.to_owned(),
            keeps,
            index,
        });
    }
    Ok(Conjuncts { parts, categorical })
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
        match e {
            QExpr::And(l, r) => Ok(self.expr(l)?.and(self.expr(r)?)),
            QExpr::Or(l, r) => Ok(self.expr(l)?.or(self.expr(r)?)),
            QExpr::Not(inner) => Ok(self.expr(inner)?.not()),
            leaf => {
                let p = self.leaf(leaf)?;
                self.finish_leaf(p, leaf)
            }
        }
    }

    /// A comparison or check, row by row (before the folding and the
    /// per-category evaluation of [`Cx::finish_leaf`]).
    fn leaf(&self, e: &QExpr) -> Result<P, EngineError> {
        Ok(match e {
            QExpr::And(..) | QExpr::Or(..) | QExpr::Not(..) => self.expr(e)?,
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
    }

    /// A leaf's predicate made final: literal-only leaves folded to a
    /// constant, leaves on a categorical column evaluated once per
    /// category.
    fn finish_leaf(&self, p: P, e: &QExpr) -> Result<P, EngineError> {
        match (p, e) {
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
        }
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
