//! The typed syntax tree of a `filter_query`.
//!
//! The tree mirrors the one dash-table builds (`derived_filter_query_structure`)
//! minus its lexical noise: logical operators are binary and chains nest to the
//! right (`a && b && c` is `And(a, And(b, c))`, like the table's leftmost-split
//! syntaxer), parentheses are dropped (they only steer the shape of the tree;
//! the printer puts back the ones the shape needs), and operators are stored
//! normalized (`eq`, `EQ` and `=` are all [`RelOp::Eq`]).

use std::collections::BTreeSet;

use super::number;

/// A parsed `filter_query`: an optional root expression.
///
/// `root` is `None` for the empty query (`""` or only whitespace), which
/// filters nothing out.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Query {
    /// The root of the tree, `None` for the empty query.
    pub root: Option<Expr>,
}

/// A boolean expression of the query language.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `left && right` (also spelt `and`). Chains nest to the right.
    And(Box<Expr>, Box<Expr>),
    /// `left || right` (also spelt `or`). Chains nest to the right.
    Or(Box<Expr>, Box<Expr>),
    /// `!( … )`: negation. The table only accepts `!` before `(` or another
    /// `!`, so it is always printed as `!(…)` or `!!(…)`.
    Not(Box<Expr>),
    /// A binary comparison such as `{pop} s> 5`.
    Compare {
        /// The comparison operator.
        op: RelOp,
        /// The case prefix of the operator (`i`, `s` or none).
        case: Case,
        /// The left-hand side; a column or a literal.
        left: Operand,
        /// The right-hand side; a column or a literal.
        right: Operand,
    },
    /// A postfix type/value check such as `{name} is blank`.
    Is {
        /// The operand being checked; a column or a literal.
        operand: Operand,
        /// Which check.
        check: Check,
    },
}

/// One side of a comparison or the subject of an `is` check.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// A column reference `{…}`, holding the column id with its backslash
    /// escapes removed (`{p\{q\}}` is the column `p{q}`). Never empty when
    /// produced by the parser.
    Field(String),
    /// A constant.
    Literal(Literal),
}

/// A constant operand.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// A string: any quoted literal (`'…'`, `"…"` or `` `…` ``, escapes
    /// removed; `'42'` stays the *string* `42`), or an unquoted literal that
    /// `fast-isnumeric` rejects (`bob`, `2020-01`, `-`, `hello\ world`).
    ///
    /// Note for evaluation: dash-table's `=` still compares a string literal
    /// numerically when both sides look numeric (rule 9); use
    /// [`numeric_value`](super::numeric_value) on the text.
    Str(String),
    /// An unquoted literal that `fast-isnumeric` accepts (`5`, `-0.5`, `.5`,
    /// `5.`, `1e3`, `0x2A`, `0b101`, `0o17`).
    Num {
        /// The number JavaScript's `+raw` gives (always finite).
        value: f64,
        /// The literal exactly as written, e.g. `0x2A` or `0099`; printed back
        /// verbatim. `datestartswith` works on the number's JS string form
        /// (`0099` → `99`), not on this text (rule 15).
        raw: String,
    },
}

/// A comparison operator (dash-table's `relational-operator` sub-types).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RelOp {
    /// `=` / `eq`.
    Eq,
    /// `!=` / `ne`.
    Ne,
    /// `<` / `lt`.
    Lt,
    /// `<=` / `le`.
    Le,
    /// `>` / `gt`.
    Gt,
    /// `>=` / `ge`.
    Ge,
    /// `contains`.
    Contains,
    /// `datestartswith` (takes no case prefix).
    DateStartsWith,
}

/// The case prefix of a comparison operator.
///
/// dash-table accepts `i`, `I`, `s` and `S` as prefixes but only a lowercase
/// `i` makes the comparison case-insensitive (rule 12): `I=` parses to
/// [`Case::Sensitive`], like `s=`. `Sensitive` and `Default` evaluate alike;
/// they are kept apart so that printing keeps the `s` the table UI emits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Case {
    /// No prefix (`=`, `eq`, `contains`).
    #[default]
    Default,
    /// `s` or `S`, or `I` (see the type docs).
    Sensitive,
    /// A lowercase `i`: compare the upper-cased `toString()` of both sides.
    Insensitive,
}

/// A postfix `is …` check (dash-table's `unary-operator`s).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Check {
    /// `is blank`: undefined, null or `''`.
    Blank,
    /// `is nil`: undefined or null.
    Nil,
    /// `is bool`: a boolean.
    Bool,
    /// `is num`: a JSON number (numeric strings are not).
    Num,
    /// `is str`: a string.
    Str,
    /// `is object`: a non-null object.
    Object,
    /// `is even`: a number with `v % 2 === 0`.
    Even,
    /// `is odd`: a number with `v % 2 === 1` (negative odds are not odd).
    Odd,
    /// `is prime`: a number passing the table's trial division.
    Prime,
}

impl RelOp {
    /// All operators, in the order dash-table's lexicon tries them.
    pub const ALL: [RelOp; 8] = [
        RelOp::Contains,
        RelOp::DateStartsWith,
        RelOp::Eq,
        RelOp::Ge,
        RelOp::Gt,
        RelOp::Le,
        RelOp::Lt,
        RelOp::Ne,
    ];

    /// The symbol the printer uses: `=`, `!=`, `<`, `<=`, `>`, `>=`,
    /// `contains` or `datestartswith` (dash-table's normalized `subType`).
    pub fn symbol(self) -> &'static str {
        match self {
            RelOp::Eq => "=",
            RelOp::Ne => "!=",
            RelOp::Lt => "<",
            RelOp::Le => "<=",
            RelOp::Gt => ">",
            RelOp::Ge => ">=",
            RelOp::Contains => "contains",
            RelOp::DateStartsWith => "datestartswith",
        }
    }

    /// The word form (`eq`, `ne`, …); `contains` and `datestartswith` are
    /// words already.
    pub fn word(self) -> &'static str {
        match self {
            RelOp::Eq => "eq",
            RelOp::Ne => "ne",
            RelOp::Lt => "lt",
            RelOp::Le => "le",
            RelOp::Gt => "gt",
            RelOp::Ge => "ge",
            RelOp::Contains => "contains",
            RelOp::DateStartsWith => "datestartswith",
        }
    }

    /// Whether the operator takes an `i`/`s` prefix (all but
    /// `datestartswith`).
    pub fn takes_case(self) -> bool {
        self != RelOp::DateStartsWith
    }
}

impl Check {
    /// All checks, in the order dash-table's lexicon tries them.
    pub const ALL: [Check; 9] = [
        Check::Blank,
        Check::Bool,
        Check::Even,
        Check::Nil,
        Check::Num,
        Check::Object,
        Check::Odd,
        Check::Prime,
        Check::Str,
    ];

    /// The word after `is ` (`blank`, `nil`, …).
    pub fn word(self) -> &'static str {
        match self {
            Check::Blank => "blank",
            Check::Nil => "nil",
            Check::Bool => "bool",
            Check::Num => "num",
            Check::Str => "str",
            Check::Object => "object",
            Check::Even => "even",
            Check::Odd => "odd",
            Check::Prime => "prime",
        }
    }
}

impl Case {
    /// The canonical prefix: `""`, `"s"` or `"i"`.
    pub fn prefix(self) -> &'static str {
        match self {
            Case::Default => "",
            Case::Sensitive => "s",
            Case::Insensitive => "i",
        }
    }
}

impl Literal {
    /// A number literal from its unquoted spelling, if `fast-isnumeric`
    /// accepts it and it contains no character that would end or escape an
    /// unquoted value.
    pub fn number(raw: &str) -> Option<Literal> {
        if raw.chars().any(|c| !super::lexer::is_value_char(c)) {
            return None;
        }
        number::numeric_value(raw).map(|value| Literal::Num {
            value,
            raw: raw.to_owned(),
        })
    }
}

impl Query {
    /// The empty query, which keeps every row.
    pub fn empty() -> Self {
        Query { root: None }
    }

    /// Whether this is the empty query.
    pub fn is_empty(&self) -> bool {
        self.root.is_none()
    }

    /// The ids of all columns the query references (`{…}` operands), sorted.
    pub fn columns(&self) -> BTreeSet<&str> {
        let mut out = BTreeSet::new();
        if let Some(root) = &self.root {
            root.collect_columns(&mut out);
        }
        out
    }

    /// Whether `to_string()` gives text that parses back to this query; see
    /// [`Expr::is_expressible`]. Always true for a parsed query.
    pub fn is_expressible(&self) -> bool {
        self.root.as_ref().is_none_or(Expr::is_expressible)
    }
}

impl Expr {
    /// `left && right`.
    pub fn and(left: Expr, right: Expr) -> Expr {
        Expr::And(Box::new(left), Box::new(right))
    }

    /// `left || right`.
    pub fn or(left: Expr, right: Expr) -> Expr {
        Expr::Or(Box::new(left), Box::new(right))
    }

    /// `!(inner)`.
    #[allow(clippy::should_implement_trait)]
    pub fn not(inner: Expr) -> Expr {
        Expr::Not(Box::new(inner))
    }

    /// The ids of all columns this expression references, sorted.
    pub fn columns(&self) -> BTreeSet<&str> {
        let mut out = BTreeSet::new();
        self.collect_columns(&mut out);
        out
    }

    fn collect_columns<'a>(&'a self, out: &mut BTreeSet<&'a str>) {
        match self {
            Expr::And(l, r) | Expr::Or(l, r) => {
                l.collect_columns(out);
                r.collect_columns(out);
            }
            Expr::Not(inner) => inner.collect_columns(out),
            Expr::Compare { left, right, .. } => {
                for side in [left, right] {
                    if let Operand::Field(name) = side {
                        out.insert(name);
                    }
                }
            }
            Expr::Is { operand, .. } => {
                if let Operand::Field(name) = operand {
                    out.insert(name);
                }
            }
        }
    }

    /// Whether the printed form of this tree parses back to it.
    ///
    /// dash-table rejects `!` right after `(` (rule 4), so a tree where a
    /// parenthesized sub-expression (or the body of a `!`) *starts* with a
    /// `!` has no textual form: `(!(a) || b) && c` is invalid. Such trees
    /// never come out of [`parse`](super::parse); the printer still prints
    /// them, but the text is rejected. Field names must also be non-empty,
    /// the `raw` of a [`Literal::Num`] must be a numeric spelling (see
    /// [`Literal::number`]), and `datestartswith` must have
    /// [`Case::Default`] (it takes no prefix, so the printer drops it).
    pub fn is_expressible(&self) -> bool {
        self.expressible(false)
    }

    /// `parenthesized`: whether the printer wraps this node in `( … )`.
    fn expressible(&self, parenthesized: bool) -> bool {
        use super::print::{needs_parens_left, needs_parens_right};
        if parenthesized && self.starts_with_not() {
            return false;
        }
        match self {
            Expr::And(l, r) | Expr::Or(l, r) => {
                l.expressible(needs_parens_left(self, l))
                    && r.expressible(needs_parens_right(self, r))
            }
            Expr::Not(inner) => match inner.as_ref() {
                Expr::Not(_) => inner.expressible(false),
                other => other.expressible(true),
            },
            Expr::Compare {
                op,
                case,
                left,
                right,
            } => {
                (op.takes_case() || *case == Case::Default)
                    && operand_expressible(left)
                    && operand_expressible(right)
            }
            Expr::Is { operand, .. } => operand_expressible(operand),
        }
    }

    /// Whether the printed text of this node begins with `!`.
    fn starts_with_not(&self) -> bool {
        match self {
            Expr::Not(_) => true,
            Expr::And(l, _) | Expr::Or(l, _) => {
                !super::print::needs_parens_left(self, l) && l.starts_with_not()
            }
            Expr::Compare { .. } | Expr::Is { .. } => false,
        }
    }
}

fn operand_expressible(operand: &Operand) -> bool {
    match operand {
        Operand::Field(name) => !name.is_empty(),
        Operand::Literal(Literal::Str(_)) => true,
        Operand::Literal(num @ Literal::Num { raw, .. }) => {
            Literal::number(raw).as_ref() == Some(num)
        }
    }
}
