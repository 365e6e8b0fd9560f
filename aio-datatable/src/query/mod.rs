//! The DataTable `filter_query` language: a parser producing a typed tree
//! that prints back to a query string.
//!
//! This is the grammar of dash-table 7.4.1's query lexicon
//! (`src/dash-table/syntax-tree/lexicon/query.ts` and the lexemes it lists,
//! driven by `src/core/syntax-tree/{lexer,syntaxer}.ts`):
//!
//! ```text
//! query      := ε | or
//! or         := and ( ('||' | 'or' WS) and )*          -- nests to the right
//! and        := not ( ('&&' | 'and' WS) not )*         -- nests to the right
//! not        := '!' not | primary                       -- '!' only before '(' or '!'
//! primary    := '(' or ')' | operand relop operand | operand ' is ' check
//! relop      := [iIsS]? ('=' | 'eq' | '!=' | 'ne' | '<' | 'lt' | '<=' | 'le'
//!                        | '>' | 'gt' | '>=' | 'ge' | 'contains')
//!             | 'datestartswith'                        -- words need WS after
//! check      := 'blank' | 'nil' | 'bool' | 'num' | 'str' | 'object'
//!             | 'even' | 'odd' | 'prime'                -- `is` + exactly one space
//! operand    := '{' ([^{}\\] | '\' .)+ '}'              -- a column
//!             | quoted string ('…', "…" or `…`, '\' escapes)
//!             | ([^\s'"`{}()\\] | '\' .)+ followed by WS, ')' or the end
//! ```
//!
//! Words (`and`, `eq`, `is blank`, …) are case-insensitive; whitespace is
//! JavaScript's `\s` (NBSP included); an unquoted operand is a number when
//! `fast-isnumeric` accepts its raw text (see [`numeric_value`]).
//! `!` may only start the query or follow `&&`, `||` or `!`; the table's
//! lexer also rejects it after `(`.
//!
//! # Tree
//!
//! [`parse`] gives a [`Query`] whose `root` is an [`Expr`]: binary
//! [`Expr::And`]/[`Expr::Or`] nested to the right like the table's tree,
//! [`Expr::Not`], [`Expr::Compare`] (a [`RelOp`], a [`Case`] prefix and two
//! [`Operand`]s, each a column or a [`Literal`]) and [`Expr::Is`] (an operand
//! and a [`Check`]). Parentheses are not kept: the `Display` impls print the
//! ones the tree needs, and `parse(&q.to_string()) == Ok(q)` for every parsed
//! `q`.
//!
//! # Deliberate differences from dash-table
//!
//! dash-table shows every row when a query is invalid and says nothing; here
//! a [`ParseError`] explains the problem. On top of the queries the table
//! rejects (rules 1–4 of the semantics spec), these are errors here:
//!
//! * **Trailing tokens after a comparison or check** (`{i} = 1 = 2`,
//!   `{i} = 1 is blank`): the table silently keeps `{i} = 1`.
//! * **`(` or `!` right after an `is` check** (`{a} is blank ({b} = 1)`): the
//!   table's lexer accepts it and builds a malformed tree, which the table
//!   then rejects or evaluates as "keep every row".
//!
//! And one query the table rejects is accepted:
//!
//! * **Trailing whitespace** (`{i} = 0 `, and the all-whitespace query, which
//!   is the empty query here). The table's lexer fails on the empty rest.
//!
//! Every query costs at most its length to read, and its length is
//! bounded: a query over [`MAX_QUERY_BYTES`], with more than
//! [`MAX_CONDITIONS`] conditions, parentheses nested more than
//! [`MAX_NESTING`] deep or more than that many `!` in a row is rejected
//! with a message saying so, and so is a tree deeper than [`MAX_DEPTH`]
//! levels (which keeps tree walks within the stack).
//!
//! Quirks of the table that are kept: `I=`/`Ieq`/`ICONTAINS` are accepted and
//! case-*sensitive* ([`Case::Sensitive`]); `{i} ==1` compares with the string
//! `=1` while `{i} == 1` is invalid; words in value position are values
//! (`{s} = and`); `is` checks have no word boundary after them, so
//! `{a} is strand {b} = 1` reads as `{a} is str and {b} = 1`; a `!` right
//! after `(` can start an unquoted value (`(!x = 1)` compares the string
//! `!x`).
//!
//! # Example
//!
//! ```
//! use aio_datatable::query::{parse, Case, Expr, RelOp};
//!
//! let q = parse(r#"{pop} s> 5 && {name} scontains "Hello world""#).unwrap();
//! assert_eq!(q.to_string(), r#"{pop} s> 5 && {name} scontains "Hello world""#);
//! assert_eq!(q.columns().into_iter().collect::<Vec<_>>(), ["name", "pop"]);
//! let Some(Expr::And(first, _)) = &q.root else { panic!() };
//! assert!(matches!(**first, Expr::Compare { op: RelOp::Gt, case: Case::Sensitive, .. }));
//!
//! let err = parse("{name} = bob smith").unwrap_err();
//! assert!(err.message().contains(r#"{name} = "bob smith""#));
//! ```

mod ast;
mod diagnose;
mod error;
mod lexer;
mod number;
mod parser;
mod print;

pub use ast::{Case, Check, Expr, Literal, Operand, Query, RelOp};
pub use error::ParseError;
pub use number::{is_js_whitespace, js_to_number, numeric_value};
pub use parser::{MAX_CONDITIONS, MAX_DEPTH, MAX_NESTING, MAX_QUERY_BYTES, parse};

impl std::str::FromStr for Query {
    type Err = ParseError;

    /// Same as [`parse`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        parse(s)
    }
}
