//! The tokenizer, a re-implementation of dash-table's context-sensitive
//! lexer (`core/syntax-tree/lexer.ts` with the `lexicon/query.ts` lexicon).
//!
//! Like the table it skips whitespace (JS `\s`) before each token, then tries
//! the lexemes allowed after the previous token in lexicon order (logical,
//! `)`, `(`, relational, `is …`, `!`, field, quoted string, unquoted value)
//! and takes the first that matches. The one deliberate difference: trailing
//! whitespace ends the query instead of invalidating it.

use super::ast::{Case, Check, Literal, Operand, RelOp};
use super::diagnose;
use super::error::ParseError;
use super::number::{is_js_whitespace, is_line_terminator, numeric_value};

/// What a token is.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Tok {
    /// `&&` or `and` followed by one whitespace character.
    And,
    /// `||` or `or` followed by one whitespace character.
    Or,
    /// `(`.
    Open,
    /// `)`.
    Close,
    /// A relational operator with its case prefix.
    Rel(RelOp, Case),
    /// `is …`.
    Is(Check),
    /// `!`.
    Not,
    /// A field, quoted string or unquoted value.
    Operand(Operand),
}

/// A token and its byte span in the query.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Token {
    pub(crate) tok: Tok,
    pub(crate) start: usize,
    pub(crate) end: usize,
}

/// The class of the previous token, which decides what may come next
/// (the `if` predicates of `lexicon/index.ts`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Prev {
    /// Nothing yet.
    Start,
    /// `&&` / `||`.
    Logical,
    /// `(`.
    Open,
    /// `)`.
    Close,
    /// A relational operator.
    Rel,
    /// An operand.
    Expr,
    /// An `is …` check.
    Check,
    /// `!`.
    Not,
}

impl Tok {
    /// The class that decides what may follow this token.
    pub(crate) fn class(&self) -> Prev {
        match self {
            Tok::And | Tok::Or => Prev::Logical,
            Tok::Open => Prev::Open,
            Tok::Close => Prev::Close,
            Tok::Rel(..) => Prev::Rel,
            Tok::Is(_) => Prev::Check,
            Tok::Not => Prev::Not,
            Tok::Operand(_) => Prev::Expr,
        }
    }
}

/// Whether `c` may appear unescaped in an unquoted value
/// (`[^\s'"`{}()\\]`).
pub(crate) fn is_value_char(c: char) -> bool {
    !is_js_whitespace(c) && !matches!(c, '\'' | '"' | '`' | '{' | '}' | '(' | ')' | '\\')
}

/// Splits `query` into tokens, or says why dash-table's lexer would reject
/// it.
pub(crate) fn lex(query: &str) -> Result<Vec<Token>, ParseError> {
    let mut tokens: Vec<Token> = Vec::new();
    let mut opens: Vec<usize> = Vec::new();
    let mut pos = 0;
    loop {
        pos += leading_whitespace(&query[pos..]);
        if pos == query.len() {
            break;
        }
        let prev = tokens.last().map_or(Prev::Start, |t| t.tok.class());
        let Some((tok, len)) = next_token(&query[pos..], prev, opens.len()) else {
            return Err(diagnose::unlexable(query, pos, &tokens, &opens));
        };
        match tok {
            Tok::Open => opens.push(pos),
            Tok::Close => {
                opens.pop();
            }
            _ => {}
        }
        tokens.push(Token {
            tok,
            start: pos,
            end: pos + len,
        });
        pos += len;
    }
    check_terminal(query, &tokens, &opens)?;
    Ok(tokens)
}

/// The table's `terminal` rule for the last token.
fn check_terminal(query: &str, tokens: &[Token], opens: &[usize]) -> Result<(), ParseError> {
    let Some(last) = tokens.last() else {
        return Ok(());
    };
    let before = tokens.len().checked_sub(2).map(|i| &tokens[i].tok);
    let ok = match last.tok.class() {
        Prev::Close | Prev::Check => opens.is_empty(),
        Prev::Expr => opens.is_empty() && matches!(before, Some(Tok::Rel(..))),
        Prev::Start | Prev::Logical | Prev::Open | Prev::Rel | Prev::Not => false,
    };
    if ok {
        Ok(())
    } else {
        Err(diagnose::unterminated(query, tokens, opens))
    }
}

/// Byte length of the JS whitespace at the start of `s`.
fn leading_whitespace(s: &str) -> usize {
    s.find(|c| !is_js_whitespace(c)).unwrap_or(s.len())
}

/// The first lexeme allowed after `prev` that matches at the start of
/// `rest`, with its byte length.
pub(crate) fn next_token(rest: &str, prev: Prev, depth: usize) -> Option<(Tok, usize)> {
    use Prev::*;
    if matches!(prev, Close | Expr | Check | Not)
        && let Some(found) = logical(rest)
    {
        return Some(found);
    }
    if matches!(prev, Close | Open | Expr | Check | Not) && depth > 0 && rest.starts_with(')') {
        return Some((Tok::Close, 1));
    }
    if matches!(prev, Start | Open | Logical | Check | Not) && rest.starts_with('(') {
        return Some((Tok::Open, 1));
    }
    if prev == Expr {
        if let Some((op, case, len)) = relational(rest) {
            return Some((Tok::Rel(op, case), len));
        }
        if let Some((check, len)) = is_check(rest) {
            return Some((Tok::Is(check), len));
        }
    }
    if matches!(prev, Start | Logical | Check | Not) && rest.starts_with('!') {
        return Some((Tok::Not, 1));
    }
    if matches!(prev, Start | Open | Logical | Rel) {
        return operand(rest).ok().map(|(o, len)| (Tok::Operand(o), len));
    }
    None
}

/// `^(and\s|&&)` / `^(or\s|\|\|)`, case-insensitive.
fn logical(rest: &str) -> Option<(Tok, usize)> {
    for (tok, symbol, word) in [(Tok::And, "&&", "and"), (Tok::Or, "||", "or")] {
        if rest.starts_with(symbol) {
            return Some((tok, 2));
        }
        if let Some(after) = strip_prefix_ci(rest, word)
            && let Some(c) = after.chars().next().filter(|&c| is_js_whitespace(c))
        {
            return Some((tok, word.len() + c.len_utf8()));
        }
    }
    None
}

/// `rest` without the ASCII `prefix`, compared case-insensitively.
pub(crate) fn strip_prefix_ci<'a>(rest: &'a str, prefix: &str) -> Option<&'a str> {
    let head = rest.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| &rest[prefix.len()..])
}

/// At a word boundary as the `(?=\s|$)` lookahead defines it.
fn at_word_end(after: &str) -> bool {
    after.chars().next().is_none_or(is_js_whitespace)
}

/// The relational lexemes: `^((i|s)?(=|(eq)(?=\s|$)))` and friends,
/// case-insensitive; `datestartswith` takes no prefix.
pub(crate) fn relational(rest: &str) -> Option<(RelOp, Case, usize)> {
    let (case, prefix) = match rest.chars().next()? {
        'i' => (Case::Insensitive, 1),
        'I' | 's' | 'S' => (Case::Sensitive, 1),
        _ => (Case::Default, 0),
    };
    let body = &rest[prefix..];
    for op in RelOp::ALL {
        if op == RelOp::DateStartsWith && prefix > 0 {
            continue;
        }
        let symbol = op.symbol();
        if !op.is_word_only() && body.starts_with(symbol) {
            return Some((op, case, prefix + symbol.len()));
        }
        let word = op.word();
        if let Some(after) = strip_prefix_ci(body, word)
            && at_word_end(after)
        {
            return Some((op, case, prefix + word.len()));
        }
    }
    None
}

impl RelOp {
    fn is_word_only(self) -> bool {
        matches!(self, RelOp::Contains | RelOp::DateStartsWith)
    }
}

/// `^(is blank)` and friends: case-insensitive, exactly one space, and no
/// lookahead (so `is strand …` is `is str` then `and …`, as in the table).
pub(crate) fn is_check(rest: &str) -> Option<(Check, usize)> {
    let after = strip_prefix_ci(rest, "is ")?;
    Check::ALL.into_iter().find_map(|check| {
        strip_prefix_ci(after, check.word()).map(|_| (check, 3 + check.word().len()))
    })
}

/// Why an operand could not be read (for the diagnostics).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OperandFailure {
    /// Nothing operand-like here (`=`-less junk such as `}` or `)`).
    Nothing,
    /// A `{` with no closing `}` (byte offset of the end of the scan).
    UnclosedField,
    /// `{}`.
    EmptyField,
    /// An unescaped `{` inside a field name, at this byte offset.
    BraceInField(usize),
    /// A quote that is never closed.
    UnclosedString,
    /// A backslash at the end of the query or before a line break, at this
    /// byte offset.
    BadEscape(usize),
    /// An unquoted value whose run of characters stops at this byte offset
    /// on a character that cannot end it.
    ValueNotEnded(usize),
}

/// Reads a field, a quoted string or an unquoted value at the start of
/// `rest`, in that order.
pub(crate) fn operand(rest: &str) -> Result<(Operand, usize), OperandFailure> {
    let mut chars = rest.char_indices().peekable();
    match chars.next() {
        Some((_, '{')) => {
            let (name, len) = scan_escaped(rest, 1, |c| c == '}', |c| c == '{')?;
            if name.is_empty() {
                return Err(OperandFailure::EmptyField);
            }
            Ok((Operand::Field(name), len))
        }
        Some((_, q @ ('\'' | '"' | '`'))) => {
            let (text, len) = scan_escaped(rest, 1, |c| c == q, |_| false)?;
            Ok((Operand::Literal(Literal::Str(text)), len))
        }
        _ => value(rest).map(|(lit, len)| (Operand::Literal(lit), len)),
    }
}

/// Scans `([^close\\]|\\.)*` from byte `from` up to and including the
/// closing character; `reject` marks characters that end the match with a
/// failure. Returns the unescaped text and the byte length including the
/// closing character.
fn scan_escaped(
    rest: &str,
    from: usize,
    close: impl Fn(char) -> bool,
    reject: impl Fn(char) -> bool,
) -> Result<(String, usize), OperandFailure> {
    let field = rest.starts_with('{');
    let mut out = String::new();
    let mut iter = rest[from..].char_indices().map(|(i, c)| (i + from, c));
    while let Some((i, c)) = iter.next() {
        if close(c) {
            return Ok((out, i + c.len_utf8()));
        }
        if reject(c) {
            return Err(OperandFailure::BraceInField(i));
        }
        if c == '\\' {
            match iter.next() {
                Some((_, e)) if !is_line_terminator(e) => out.push(e),
                _ => return Err(OperandFailure::BadEscape(i)),
            }
        } else {
            out.push(c);
        }
    }
    Err(if field {
        OperandFailure::UnclosedField
    } else {
        OperandFailure::UnclosedString
    })
}

/// An unquoted value: `^(([^\s'"`{}()\\]|\\.)+)(?:[\s)]|$)`; a number when
/// `fast-isnumeric` accepts its raw text, else a string with escapes
/// removed.
fn value(rest: &str) -> Result<(Literal, usize), OperandFailure> {
    let mut text = String::new();
    let mut end = 0;
    let mut iter = rest.char_indices().peekable();
    while let Some(&(i, c)) = iter.peek() {
        if c == '\\' {
            iter.next();
            match iter.next() {
                Some((j, e)) if !is_line_terminator(e) => {
                    text.push(e);
                    end = j + e.len_utf8();
                }
                _ => return Err(OperandFailure::BadEscape(i)),
            }
        } else if is_value_char(c) {
            iter.next();
            text.push(c);
            end = i + c.len_utf8();
        } else {
            break;
        }
    }
    if end == 0 {
        return Err(OperandFailure::Nothing);
    }
    match rest[end..].chars().next() {
        None | Some(')') => {}
        Some(c) if is_js_whitespace(c) => {}
        Some(_) => return Err(OperandFailure::ValueNotEnded(end)),
    }
    let raw = &rest[..end];
    let literal = match numeric_value(raw) {
        Some(value) => Literal::Num {
            value,
            raw: raw.to_owned(),
        },
        None => Literal::Str(text),
    };
    Ok((literal, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(q: &str) -> Vec<Tok> {
        lex(q)
            .unwrap_or_else(|e| panic!("{q:?}: {e}"))
            .into_iter()
            .map(|t| t.tok)
            .collect()
    }

    fn field(name: &str) -> Tok {
        Tok::Operand(Operand::Field(name.into()))
    }

    fn s(text: &str) -> Tok {
        Tok::Operand(Operand::Literal(Literal::Str(text.into())))
    }

    fn n(raw: &str, value: f64) -> Tok {
        Tok::Operand(Operand::Literal(Literal::Num {
            value,
            raw: raw.into(),
        }))
    }

    #[test]
    fn simple_comparison() {
        assert_eq!(
            toks("{a} = 1"),
            [field("a"), Tok::Rel(RelOp::Eq, Case::Default), n("1", 1.0)]
        );
        assert_eq!(toks("{a}=1"), toks("{a} = 1"));
        assert_eq!(toks(" {a}\t=\u{a0}1\n"), toks("{a} = 1"));
    }

    #[test]
    fn spans_cover_tokens() {
        let tokens = lex("{a} and {b} is blank").unwrap();
        let spans: Vec<_> = tokens.iter().map(|t| (t.start, t.end)).collect();
        assert_eq!(spans, [(0, 3), (4, 8), (8, 11), (12, 20)]);
    }

    #[test]
    fn case_prefixes() {
        let op = |q: &str| toks(q)[1].clone();
        assert_eq!(op("{a} i= x"), Tok::Rel(RelOp::Eq, Case::Insensitive));
        assert_eq!(op("{a} I= x"), Tok::Rel(RelOp::Eq, Case::Sensitive));
        assert_eq!(op("{a} S= x"), Tok::Rel(RelOp::Eq, Case::Sensitive));
        assert_eq!(op("{a} ine x"), Tok::Rel(RelOp::Ne, Case::Insensitive));
        assert_eq!(
            op("{a} ICONTAINS x"),
            Tok::Rel(RelOp::Contains, Case::Sensitive)
        );
        assert_eq!(op("{a} s>= x"), Tok::Rel(RelOp::Ge, Case::Sensitive));
        assert_eq!(
            op("{a} DateStartsWith x"),
            Tok::Rel(RelOp::DateStartsWith, Case::Default)
        );
        assert!(lex("{a} idatestartswith 2020").is_err());
        assert!(lex("{a} eq1").is_err());
    }

    #[test]
    fn operator_symbols_need_no_space() {
        assert_eq!(toks("{a}>=1")[1], Tok::Rel(RelOp::Ge, Case::Default));
        assert_eq!(toks("{a}<1")[1], Tok::Rel(RelOp::Lt, Case::Default));
        assert_eq!(toks("{a} ==1")[2], s("=1"));
        assert_eq!(toks("{a} > =1")[2], s("=1"));
    }

    #[test]
    fn words_are_values_in_value_position() {
        assert_eq!(toks("{s} = and")[2], s("and"));
        assert_eq!(toks("{s} = &&")[2], s("&&"));
        assert_eq!(toks("and = 1")[0], s("and"));
        assert_eq!(toks("{s} = is")[2], s("is"));
    }

    #[test]
    fn logical_words() {
        assert_eq!(toks("{a} = 1 AND {b} = 2")[3], Tok::And);
        assert_eq!(toks("{a} = 1 Or\u{a0}{b} = 2")[3], Tok::Or);
        assert_eq!(toks("{a} = 1 &&{b} = 2")[3], Tok::And);
        assert!(lex("{a} = 1 and{b} = 2").is_err());
        assert!(lex("{a} > 0&&{b} > 0").is_err());
    }

    #[test]
    fn checks() {
        assert_eq!(toks("{a} IS BLANK")[1], Tok::Is(Check::Blank));
        assert_eq!(toks("{a} is prime")[1], Tok::Is(Check::Prime));
        assert!(lex("{a} is  blank").is_err());
        assert!(lex("{a} is\tblank").is_err());
        assert!(lex("{a} is number").is_err());
        // No lookahead after the check word, as in the table.
        assert_eq!(toks("{a} is strand {b} = 1")[2], Tok::And);
    }

    #[test]
    fn quoting_and_escapes() {
        assert_eq!(toks("{p\\{q\\}} = 1")[0], field("p{q}"));
        assert_eq!(toks("{\\i} = 1")[0], field("i"));
        assert_eq!(toks("{my col} = 1")[0], field("my col"));
        assert_eq!(toks("{a} = hello\\ world")[2], s("hello world"));
        assert_eq!(toks("{a} = 'it\\'s'")[2], s("it's"));
        assert_eq!(toks("{a} = \"x y\"")[2], s("x y"));
        assert_eq!(toks("{a} = `x`")[2], s("x"));
        assert_eq!(toks("{a} = ''")[2], s(""));
        assert_eq!(toks("{a} = '42'")[2], s("42"));
        assert_eq!(toks("{a} = 1\\0")[2], s("10"));
        assert!(lex("{a} = 'x").is_err());
        assert!(lex("{} = 1").is_err());
        assert!(lex("{a\\\n} = 1").is_err());
        assert!(lex("{a} = x\\").is_err());
    }

    #[test]
    fn numbers() {
        assert_eq!(toks("{a} = 0x2A")[2], n("0x2A", 42.0));
        assert_eq!(toks("{a} = -1e3")[2], n("-1e3", -1000.0));
        assert_eq!(toks("{a} = .5")[2], n(".5", 0.5));
        assert_eq!(toks("{a} = 5.")[2], n("5.", 5.0));
        assert_eq!(toks("{a} = Infinity")[2], s("Infinity"));
        assert_eq!(toks("{a} = 1e400")[2], s("1e400"));
        assert_eq!(toks("{a} = 2020-01")[2], s("2020-01"));
        assert_eq!(toks("({a} = 5)")[3], n("5", 5.0));
    }

    #[test]
    fn not_placement() {
        assert_eq!(toks("!({a} = 1)")[0], Tok::Not);
        assert_eq!(toks("!!({a} = 1)")[1], Tok::Not);
        assert!(lex("!{a} = 1").is_err());
        assert!(lex("(!({a} = 1))").is_err());
        // After `(`, a `!` can only start a value.
        assert_eq!(toks("(!x = 1)")[1], s("!x"));
    }

    #[test]
    fn terminal_rules() {
        assert!(lex("").unwrap().is_empty());
        assert!(lex(" \t\u{a0}").unwrap().is_empty());
        assert!(lex("{a} = 1 ").is_ok());
        for bad in [
            "{a}",
            "{a} =",
            "{a} = 1 &&",
            "({a} = 1",
            "{a} = 1)",
            "!",
            "(",
        ] {
            assert!(lex(bad).is_err(), "{bad}");
        }
        // Accepted by the lexer, rejected by the parser (as by the table's
        // syntaxer).
        assert!(lex("()").is_ok());
        assert!(lex("{a} = 1 = 2").is_ok());
    }
}
