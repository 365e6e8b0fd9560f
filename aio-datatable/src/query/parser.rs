//! Builds the tree from the tokens (dash-table's `syntaxer.ts`, rewritten as
//! an operator-precedence parser with the same precedence and an explicit
//! stack, so that no query can exhaust the call stack).
//!
//! The table splits a token list at the top-level token of the loosest
//! operator (`||`, then `&&`, then `!`, then `(`), leftmost first, so
//! `a || b && c` is `a || (b && c)` and chains nest to the right. Where its
//! syntaxer silently builds a meaningless tree or drops tokens, this parser
//! reports an error instead:
//!
//! * tokens after a complete comparison or check (`{i} = 1 = 2`,
//!   `{i} = 1 is blank`; rule 5), which the table drops;
//! * `(` or `!` right after an `is` check (`{a} is blank ({b} = 1)`), which
//!   the table's lexer accepts but whose tree is malformed (the table then
//!   rejects the query or keeps every row);
//! * `()`, `!` before `&&`/`||`/`)`, and an operand with no operator
//!   (`{a} && {b} = 1`), which the table's syntaxer rejects too.

use super::ast::{Expr, Operand, Query};
use super::diagnose::token_text;
use super::error::ParseError;
use super::lexer::{Tok, Token, lex};

/// How deep the tree may nest (`&&`/`||` chains and `!` count; parentheses
/// alone do not). Deeper queries are rejected so that recursive walks over
/// the tree (printing, comparing, dropping, compiling) stay well within a
/// thread's stack.
pub const MAX_DEPTH: usize = 500;

/// The longest `filter_query` accepted, in bytes. The table's filter row
/// writes a few dozen bytes per column; a longer query is refused before
/// it is read, so no query costs more than this to parse.
pub const MAX_QUERY_BYTES: usize = 16 * 1024;

/// The most comparisons and checks one query may hold.
pub const MAX_CONDITIONS: usize = 256;

/// How deep parentheses may nest, and how many `!` may stand in a row.
pub const MAX_NESTING: usize = 64;

/// Parses a `filter_query` string.
///
/// `""` and all-whitespace queries give the empty [`Query`]. Every query
/// dash-table 7.4.1 accepts with a meaningful tree parses to the same tree
/// (see the module docs of [`query`](super) for the deliberate
/// differences); everything else is a [`ParseError`] saying what is wrong.
pub fn parse(query: &str) -> Result<Query, ParseError> {
    if query.len() > MAX_QUERY_BYTES {
        let at = (0..=MAX_QUERY_BYTES)
            .rev()
            .find(|&i| query.is_char_boundary(i))
            .unwrap_or(0);
        return Err(ParseError::new(
            query,
            at,
            format!(
                "the query is {} bytes long; at most {MAX_QUERY_BYTES} are allowed",
                query.len()
            ),
        ));
    }
    let tokens = lex(query)?;
    if tokens.is_empty() {
        return Ok(Query::empty());
    }
    let parser = Parser {
        query,
        tokens: &tokens,
        pos: 0,
        conditions: 0,
    };
    let root = parser.run()?;
    Ok(Query { root: Some(root) })
}

struct Parser<'q, 't> {
    query: &'q str,
    tokens: &'t [Token],
    pos: usize,
    /// Comparisons and checks read so far.
    conditions: usize,
}

/// An expression with the depth of its tree.
type Node = (Expr, usize);

/// One level of parentheses (or the whole query) being parsed:
/// `ors` joined by `||`, each an `&&` chain; `ands` is the chain in progress.
struct Group<'t> {
    open: Option<&'t Token>,
    ors: Vec<Node>,
    ands: Vec<Node>,
    /// `!`s read before the next term.
    nots: usize,
}

impl<'t> Group<'t> {
    fn new(open: Option<&'t Token>) -> Self {
        Group {
            open,
            ors: Vec::new(),
            ands: Vec::new(),
            nots: 0,
        }
    }
}

impl<'q, 't> Parser<'q, 't> {
    fn peek_token(&self) -> Option<&'t Token> {
        self.tokens.get(self.pos)
    }

    fn peek(&self) -> Option<&'t Tok> {
        self.peek_token().map(|t| &t.tok)
    }

    fn text(&self, token: &Token) -> &'q str {
        token_text(self.query, token)
    }

    fn error_at(&self, token: &Token, message: String) -> ParseError {
        ParseError::new(self.query, token.start, message)
    }

    fn error_at_end(&self, message: String) -> ParseError {
        let end = self.tokens.last().map_or(self.query.len(), |t| t.end);
        ParseError::new(self.query, end, message)
    }

    /// Cannot happen after the lexer's balance check; an error, not a panic.
    fn unbalanced(&self) -> ParseError {
        self.error_at_end("unbalanced parentheses".into())
    }

    /// A limit passed at the next token.
    fn limit(&self, message: String) -> ParseError {
        ParseError::new(
            self.query,
            self.peek_token().map_or(0, |t| t.start),
            message,
        )
    }

    fn too_deep(&self) -> ParseError {
        ParseError::new(
            self.query,
            self.peek_token().map_or(0, |t| t.start),
            format!("the query nests more than {MAX_DEPTH} levels deep; simplify it"),
        )
    }

    /// `or := and ('||' and)*`, `and := not ('&&' not)*`,
    /// `not := '!'* primary`, `primary := '(' or ')' | condition`.
    fn run(mut self) -> Result<Expr, ParseError> {
        let mut stack = vec![Group::new(None)];
        loop {
            // A term: `!`s, then `(` (open a group) or a condition.
            let Some(group) = stack.last_mut() else {
                return Err(self.unbalanced());
            };
            while self.peek() == Some(&Tok::Not) {
                if group.nots == MAX_NESTING {
                    return Err(self.limit(format!(
                        "more than {MAX_NESTING} `!` in a row; two cancel out, so remove pairs"
                    )));
                }
                self.pos += 1;
                group.nots += 1;
            }
            let Some(token) = self.peek_token() else {
                return Err(self.error_at_end("expected a condition; the query ends here".into()));
            };
            if group.nots > 0 && token.tok != Tok::Open {
                return Err(self.error_at(
                    token,
                    format!(
                        "`!` must be followed by `(` or another `!`, found `{}`",
                        self.text(token)
                    ),
                ));
            }
            let mut node = match &token.tok {
                Tok::Open => {
                    self.pos += 1;
                    if let Some(close) = self.peek_token().filter(|t| t.tok == Tok::Close) {
                        return Err(self.error_at(
                            token,
                            format!(
                                "empty parentheses `{}`: put a condition inside or remove them",
                                &self.query[token.start..close.end]
                            ),
                        ));
                    }
                    if stack.len() > MAX_NESTING {
                        return Err(self.error_at(
                            token,
                            format!(
                                "parentheses nest more than {MAX_NESTING} deep; remove the ones \
                                 that group nothing"
                            ),
                        ));
                    }
                    stack.push(Group::new(Some(token)));
                    continue;
                }
                Tok::Operand(left) => {
                    if self.conditions == MAX_CONDITIONS {
                        return Err(self.error_at(
                            token,
                            format!(
                                "the query has more than {MAX_CONDITIONS} conditions; filter on \
                                 fewer values at once"
                            ),
                        ));
                    }
                    self.conditions += 1;
                    self.pos += 1;
                    self.condition(token, left)?
                }
                _ => {
                    return Err(self.error_at(
                        token,
                        format!("expected a condition, found `{}`", self.text(token)),
                    ));
                }
            };
            // After a term: `&&`, `||`, `)` (closing groups) or the end.
            loop {
                let Some(group) = stack.last_mut() else {
                    return Err(self.unbalanced());
                };
                for _ in 0..std::mem::take(&mut group.nots) {
                    if node.1 >= MAX_DEPTH {
                        return Err(self.too_deep());
                    }
                    node = (Expr::not(node.0), node.1 + 1);
                }
                group.ands.push(node);
                match self.peek() {
                    Some(Tok::And) => {
                        self.pos += 1;
                        break;
                    }
                    Some(Tok::Or) => {
                        self.pos += 1;
                        let chain = self.fold_right(std::mem::take(&mut group.ands), Expr::and)?;
                        group.ors.push(chain);
                        break;
                    }
                    Some(Tok::Close) if group.open.is_some() => {
                        self.pos += 1;
                        let done = stack.pop().ok_or_else(|| self.unbalanced())?;
                        node = self.finish(done)?;
                    }
                    None if stack.len() == 1 => {
                        let done = stack.pop().ok_or_else(|| self.unbalanced())?;
                        return self.finish(done).map(|(expr, _)| expr);
                    }
                    None => return Err(self.error_at_end("missing `)`".into())),
                    Some(_) => {
                        let token = &self.tokens[self.pos];
                        return Err(
                            self.error_at(token, format!("unexpected `{}`", self.text(token)))
                        );
                    }
                }
            }
        }
    }

    /// The value of a completed group.
    fn finish(&self, mut group: Group<'t>) -> Result<Node, ParseError> {
        let chain = self.fold_right(std::mem::take(&mut group.ands), Expr::and)?;
        group.ors.push(chain);
        self.fold_right(group.ors, Expr::or)
    }

    fn fold_right(
        &self,
        mut parts: Vec<Node>,
        join: fn(Expr, Expr) -> Expr,
    ) -> Result<Node, ParseError> {
        let mut acc = parts
            .pop()
            .ok_or_else(|| self.error_at_end("expected a condition".into()))?;
        while let Some((left, depth)) = parts.pop() {
            let depth = depth.max(acc.1) + 1;
            if depth > MAX_DEPTH {
                return Err(self.too_deep());
            }
            acc = (join(left, acc.0), depth);
        }
        Ok(acc)
    }

    /// The rest of a comparison or check whose first operand is `first`.
    fn condition(&mut self, first: &'t Token, left: &Operand) -> Result<Node, ParseError> {
        let expr = match self.peek() {
            Some(&Tok::Rel(op, case)) => {
                self.pos += 1;
                match self.peek() {
                    Some(Tok::Operand(right)) => {
                        self.pos += 1;
                        Expr::Compare {
                            op,
                            case,
                            left: left.clone(),
                            right: right.clone(),
                        }
                    }
                    _ => {
                        return Err(self.error_at_end("expected a value after the operator".into()));
                    }
                }
            }
            Some(&Tok::Is(check)) => {
                self.pos += 1;
                Expr::Is {
                    operand: left.clone(),
                    check,
                }
            }
            next => {
                let text = self.text(first);
                let msg = format!(
                    "`{text}` needs an operator: compare it (`{text} = value`) or check it \
                     (`{text} is blank`)"
                );
                return Err(match next {
                    Some(_) => self.error_at(first, msg),
                    None => self.error_at_end(msg),
                });
            }
        };
        self.check_followers(first)?;
        Ok((expr, 1))
    }

    /// After a comparison or check only `&&`, `||`, `)` or the end may
    /// follow.
    fn check_followers(&self, first: &Token) -> Result<(), ParseError> {
        let Some(next) = self.peek_token() else {
            return Ok(());
        };
        let kind = match next.tok {
            Tok::And | Tok::Or | Tok::Close => return Ok(()),
            Tok::Rel(..) | Tok::Is(_) | Tok::Operand(_) => "trailing",
            Tok::Open | Tok::Not => "block",
        };
        let done = &self.tokens[self.pos - 1];
        let what = if matches!(done.tok, Tok::Is(_)) {
            "check"
        } else {
            "comparison"
        };
        let condition = &self.query[first.start..done.end];
        let extra_end = self.tokens[self.pos..]
            .iter()
            .take_while(|t| !matches!(t.tok, Tok::And | Tok::Or | Tok::Close))
            .last()
            .map_or(next.end, |t| t.end);
        let extra = self.query[next.start..extra_end].trim_end();
        let msg = if kind == "trailing" {
            format!(
                "unexpected `{extra}` after the {what} `{condition}` (dash-table would \
                 silently ignore it): join conditions with `&&` or `||`, e.g. \
                 `{condition} && …`"
            )
        } else {
            format!(
                "unexpected `{}` after the {what} `{condition}`: join conditions with `&&` or \
                 `||`",
                self.text(next)
            )
        };
        Err(self.error_at(next, msg))
    }
}
