//! Printing a tree back to a canonical query string.
//!
//! The canonical form uses the symbol operators with their case prefix
//! (`s>`, `i=`, `contains`, `datestartswith`), `&&`/`||`, single spaces
//! between tokens, `is <check>` in lowercase, only the parentheses the tree's
//! shape needs, `{…}` with `{`, `}` and `\` escaped, numbers as written, and
//! strings bare when the table would read them back as the same string (else
//! in `"…"` with `"` and `\` escaped). Parsing the output gives back an equal
//! tree for every tree [`parse`](super::parse) returns (and every tree for
//! which [`Expr::is_expressible`] holds).

use std::fmt::{self, Display, Formatter, Write};

use super::ast::{Case, Expr, Literal, Operand, Query, RelOp};
use super::lexer::is_value_char;
use super::number::numeric_value;

/// Whether `child`, the left operand of `parent`, must be parenthesized.
/// Chains nest to the right, so a left-nested chain needs parentheses.
pub(crate) fn needs_parens_left(parent: &Expr, child: &Expr) -> bool {
    match parent {
        Expr::Or(..) => matches!(child, Expr::Or(..)),
        Expr::And(..) => matches!(child, Expr::Or(..) | Expr::And(..)),
        _ => false,
    }
}

/// Whether `child`, the right operand of `parent`, must be parenthesized.
pub(crate) fn needs_parens_right(parent: &Expr, child: &Expr) -> bool {
    matches!(parent, Expr::And(..)) && matches!(child, Expr::Or(..))
}

impl Display for Query {
    /// The canonical query string; `""` for the empty query.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match &self.root {
            Some(root) => root.fmt(f),
            None => Ok(()),
        }
    }
}

fn write_child(f: &mut Formatter<'_>, child: &Expr, parens: bool) -> fmt::Result {
    if parens {
        write!(f, "({child})")
    } else {
        child.fmt(f)
    }
}

impl Display for Expr {
    /// The canonical query string of this expression.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Expr::And(l, r) | Expr::Or(l, r) => {
                write_child(f, l, needs_parens_left(self, l))?;
                f.write_str(if matches!(self, Expr::And(..)) {
                    " && "
                } else {
                    " || "
                })?;
                write_child(f, r, needs_parens_right(self, r))
            }
            Expr::Not(inner) => match inner.as_ref() {
                Expr::Not(_) => write!(f, "!{inner}"),
                other => write!(f, "!({other})"),
            },
            Expr::Compare {
                op,
                case,
                left,
                right,
            } => {
                let prefix = if op.takes_case() { case.prefix() } else { "" };
                write!(f, "{left} {prefix}{} {right}", op.symbol())
            }
            Expr::Is { operand, check } => write!(f, "{operand} is {}", check.word()),
        }
    }
}

impl Display for Operand {
    /// `{…}` with `{`, `}` and `\` escaped, or the literal.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Operand::Field(name) => {
                f.write_char('{')?;
                for c in name.chars() {
                    if matches!(c, '{' | '}' | '\\') {
                        f.write_char('\\')?;
                    }
                    f.write_char(c)?;
                }
                f.write_char('}')
            }
            Operand::Literal(literal) => literal.fmt(f),
        }
    }
}

impl Display for Literal {
    /// A number as written; a string bare if that reads back as the same
    /// string, else double-quoted.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Num { raw, .. } => f.write_str(raw),
            Literal::Str(text) if prints_bare(text) => f.write_str(text),
            Literal::Str(text) => {
                f.write_char('"')?;
                for c in text.chars() {
                    if matches!(c, '"' | '\\') {
                        f.write_char('\\')?;
                    }
                    f.write_char(c)?;
                }
                f.write_char('"')
            }
        }
    }
}

/// Whether an unquoted spelling of `text` lexes back to the string `text`
/// in every operand position: only value characters, not numeric, and no
/// leading `!` (which would be read as negation at the start of a
/// condition).
fn prints_bare(text: &str) -> bool {
    !text.is_empty()
        && text.chars().all(is_value_char)
        && !text.starts_with('!')
        && numeric_value(text).is_none()
}

impl Display for RelOp {
    /// The canonical symbol (`=`, `!=`, …, `contains`, `datestartswith`).
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

impl Display for Case {
    /// The canonical prefix: empty, `s` or `i`.
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        f.write_str(self.prefix())
    }
}
