//! Error messages for queries the lexer rejects: what was found, what was
//! expected, and how to fix it.

use super::ast::{Check, RelOp};
use super::error::ParseError;
use super::lexer::{OperandFailure, Prev, Tok, Token, operand, relational, strip_prefix_ci};
use super::number::is_js_whitespace;

/// The text of a token as written (without the whitespace an `and`/`or`
/// token swallows).
pub(crate) fn token_text<'q>(query: &'q str, token: &Token) -> &'q str {
    query[token.start..token.end].trim_end_matches(is_js_whitespace)
}

/// The text from `rest`'s start up to the next whitespace (or the whole
/// operand there, if one can be read), shortened.
fn snippet(rest: &str) -> String {
    let word = match operand(rest) {
        Ok((_, len)) => &rest[..len],
        Err(_) => rest.split(is_js_whitespace).next().unwrap_or(rest),
    };
    let word = if word.is_empty() { rest } else { word };
    let mut out: String = word.chars().take(32).collect();
    if word.chars().nth(32).is_some() {
        out.push('…');
    }
    out
}

/// `text` with control and invisible characters (U+0085, zero-width
/// spaces, …) written as `\u{…}` so that messages show them.
pub(crate) fn visible(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let invisible = c.is_control()
            || (c.is_whitespace() && c != ' ')
            || matches!(
                c,
                '\u{180E}' | '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}'
            );
        if invisible {
            out.push_str(&format!("\\u{{{:x}}}", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// The words of `rest` up to the next logical operator or parenthesis
/// (and, with `value_only`, up to the next operator, column or quote).
fn condition_words(rest: &str, value_only: bool) -> String {
    rest.split(is_js_whitespace)
        .filter(|w| !w.is_empty())
        .take_while(|w| {
            let logical = ["and", "or", "&&", "||"]
                .iter()
                .any(|o| w.eq_ignore_ascii_case(o));
            let operator = w.eq_ignore_ascii_case("is")
                || w.starts_with(['{', '\'', '"', '`', '!'])
                || relational(w).is_some();
            !(logical || w.contains(['(', ')']) || (value_only && operator))
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn class(tokens: &[Token]) -> Prev {
    tokens.last().map_or(Prev::Start, |t| t.tok.class())
}

const CHECKS: &str = "blank, nil, bool, num, str, object, even, odd or prime";

/// No lexeme allowed after `tokens` matches at byte `pos`.
pub(crate) fn unlexable(query: &str, pos: usize, tokens: &[Token], opens: &[usize]) -> ParseError {
    let error = explain(query, pos, tokens, opens);
    // A space-like character that JavaScript's `\s` does not match (U+0085,
    // U+200B, …) near the error is the likely culprit; say so.
    let word = query[pos..]
        .split(is_js_whitespace)
        .next()
        .unwrap_or_default();
    let mut near = query[..pos]
        .chars()
        .next_back()
        .into_iter()
        .chain(word.chars().take(40));
    match near.find(|&c| is_fake_space(c)) {
        Some(c) => ParseError::new(
            query,
            error.offset(),
            format!(
                "{}; note: U+{:04X} is not a space in a query, use a regular space",
                error.message(),
                u32::from(c)
            ),
        ),
        None => error,
    }
}

/// Space-like characters that do not separate tokens.
fn is_fake_space(c: char) -> bool {
    (c.is_whitespace() && !is_js_whitespace(c))
        || matches!(c, '\u{180E}' | '\u{200B}'..='\u{200D}' | '\u{2060}')
}

fn explain(query: &str, pos: usize, tokens: &[Token], opens: &[usize]) -> ParseError {
    let rest = &query[pos..];
    let found = snippet(rest);
    let prev = class(tokens);
    let after = tokens
        .last()
        .map(|t| token_text(query, t))
        .unwrap_or_default();
    let err = |offset: usize, msg: String| ParseError::new(query, offset, msg);

    if rest.starts_with(')') && opens.is_empty() {
        return err(pos, "unmatched `)`: there is no `(` for it to close".into());
    }
    match prev {
        Prev::Start | Prev::Open | Prev::Logical | Prev::Rel => {
            operand_error(query, pos, prev, &found, after)
        }
        Prev::Expr if follows_rel(tokens) => {
            after_comparison(query, pos, tokens, &found, !opens.is_empty())
        }
        Prev::Expr if after.starts_with('!') && is_after_open(tokens) => {
            let start = tokens.last().map_or(pos, |t| t.start);
            err(start, NOT_AFTER_OPEN.into())
        }
        Prev::Expr => err(pos, missing_operator(rest, after, &found)),
        Prev::Check => {
            let glued = tokens.last().is_some_and(|t| t.end == pos);
            if glued && rest.starts_with(|c: char| c.is_alphanumeric()) {
                let start = tokens.last().map_or(pos, |t| t.start);
                err(
                    start,
                    format!(
                        "unknown check `{after}{found}`: write `is`, one space and one of {CHECKS}"
                    ),
                )
            } else {
                err(pos, expected_end(after, &found, !opens.is_empty()))
            }
        }
        Prev::Close => err(pos, expected_end(after, &found, !opens.is_empty())),
        Prev::Not => {
            let body = condition_words(rest, false);
            let fix = if body.is_empty() {
                "write `!(condition)`".to_owned()
            } else {
                format!("write `!({body})`")
            };
            err(
                pos,
                format!("`!` must be followed by `(` or another `!`, found `{found}`: {fix}"),
            )
        }
    }
}

const NOT_AFTER_OPEN: &str = "`!` cannot come right after `(` (dash-table only accepts it at \
     the start of the query or after `&&`, `||` or `!`): move it outside the parentheses, e.g. \
     `!({i} = 0)` rather than `(!({i} = 0))`, or negate the comparison itself (`!=`)";

fn is_after_open(tokens: &[Token]) -> bool {
    tokens.len() >= 2 && tokens[tokens.len() - 2].tok == Tok::Open
}

fn follows_rel(tokens: &[Token]) -> bool {
    tokens.len() >= 2 && matches!(tokens[tokens.len() - 2].tok, Tok::Rel(..))
}

fn expected_end(after: &str, found: &str, in_parens: bool) -> String {
    let close = if in_parens { ", `)`" } else { "" };
    format!("expected `&&`, `||`{close} or the end of the query after `{after}`, found `{found}`")
}

/// An operand (or `(` / `!` where allowed) was expected.
fn operand_error(query: &str, pos: usize, prev: Prev, found: &str, after: &str) -> ParseError {
    let rest = &query[pos..];
    let err = |offset: usize, msg: String| ParseError::new(query, offset, msg);
    if prev == Prev::Open && rest.starts_with('!') {
        return err(pos, NOT_AFTER_OPEN.into());
    }
    if prev == Prev::Rel && rest.starts_with('(') {
        return err(
            pos,
            format!(
                "expected a value after `{after}`, found `(`: parentheses group conditions; \
                 quote a value that contains `(`"
            ),
        );
    }
    let expected = match prev {
        Prev::Rel => format!("a value or a `{{column}}` after `{after}`"),
        Prev::Start => "a condition such as `{column} = value`".to_owned(),
        _ => format!("a condition after `{after}`"),
    };
    let Err(failure) = operand(rest) else {
        // Unreachable: an operand is allowed here and would have matched.
        return err(pos, format!("expected {expected}, found `{found}`"));
    };
    match failure {
        OperandFailure::UnclosedField => err(
            pos,
            "this column name is never closed: add the closing `}` (escape a `}` inside the \
             name as `\\}`)"
                .into(),
        ),
        OperandFailure::EmptyField => err(
            pos,
            "empty column name `{}`: write the column id between the braces, e.g. `{name}`".into(),
        ),
        OperandFailure::BraceInField(at) => err(
            pos + at,
            "a `{` inside a column name must be escaped as `\\{`".into(),
        ),
        OperandFailure::UnclosedString => {
            let quote = rest.chars().next().unwrap_or('"');
            err(
                pos,
                format!(
                    "this string is never closed: add the closing {quote} (escape a {quote} \
                     inside it as \\{quote})"
                ),
            )
        }
        OperandFailure::BadEscape(at) => err(
            pos + at,
            "a `\\` must be followed by the character it escapes, not by a line break or the \
             end of the query"
                .into(),
        ),
        OperandFailure::ValueNotEnded(end) => {
            let value = &rest[..end];
            let stop = rest[end..].chars().next().unwrap_or(' ');
            let mut msg = format!(
                "the unquoted value `{value}` runs into `{stop}`: an unquoted value ends only at \
                 whitespace, `)` or the end of the query and cannot contain quotes, braces, \
                 parentheses or `\\`"
            );
            if value.contains("&&") || value.contains("||") {
                msg.push_str("; put spaces around `&&` and `||`, e.g. `{i} > 0 && {f} > 0`");
            } else {
                msg.push_str(&format!(
                    "; add a space before `{stop}` or quote the whole value"
                ));
            }
            err(pos + end, msg)
        }
        OperandFailure::Nothing => err(pos, format!("expected {expected}, found `{found}`")),
    }
}

/// Something that is not `&&`, `||` or `)` follows a complete comparison.
fn after_comparison(
    query: &str,
    pos: usize,
    tokens: &[Token],
    found: &str,
    in_parens: bool,
) -> ParseError {
    let rest = &query[pos..];
    let n = tokens.len();
    let text = |i: usize| token_text(query, &tokens[i]);
    let (left, op, value) = (text(n - 3), text(n - 2), text(n - 1));
    let unquoted = !value.starts_with(['\'', '"', '`', '{']);
    let glued = tokens[n - 2].end == tokens[n - 1].start;
    let fixed = match (op, value) {
        ("=", "=") => Some("="),
        ("=", ">") => Some(">="),
        ("=", "<") => Some("<="),
        ("<", ">") => Some("!="),
        _ => None,
    };
    let msg = if let Some(fixed) = fixed.filter(|_| glued) {
        format!("`{op}{value}` is not an operator: write `{left} {fixed} {found}`")
    } else if ["and", "or"].iter().any(|w| rest.eq_ignore_ascii_case(w)) {
        format!("the query ends with `{rest}`: add a condition after it")
    } else if let Some(single) = ["&", "|"]
        .into_iter()
        .find(|op| rest.starts_with(op) && !rest[1..].starts_with(op))
    {
        let word = if single == "&" { "and" } else { "or" };
        format!("`{single}` is not an operator: write `{single}{single}` (or `{word}`)")
    } else if let Some(word) = ["and", "or"].into_iter().find(|w| {
        strip_prefix_ci(rest, w).is_some_and(|a| a.starts_with(['{', '(', '!', '\'', '"', '`']))
    }) {
        format!("`{word}` needs a space after it (or use `&&` / `||`), found `{found}`")
    } else if let Some(more) = Some(condition_words(rest, true))
        .filter(|more| unquoted && !more.is_empty() && !more.contains(is_fake_space))
    {
        let joined = format!("{value} {more}")
            .replace('\\', "\\\\")
            .replace('"', "\\\"");
        format!(
            "unexpected `{found}` after the value `{value}`; quote values that contain spaces: \
             {left} {op} \"{joined}\""
        )
    } else {
        expected_end(&format!("{left} {op} {value}"), found, in_parens)
    };
    ParseError::new(query, pos, msg)
}

/// An operand that needs an operator was followed by something else.
fn missing_operator(rest: &str, after: &str, found: &str) -> String {
    if let Some(tail) = strip_prefix_ci(rest, "is")
        && (tail.is_empty() || tail.starts_with(is_js_whitespace))
    {
        let word_start = tail.trim_start_matches(is_js_whitespace);
        let word = snippet(word_start);
        let gap = &tail[..tail.len() - word_start.len()];
        let known = Check::ALL
            .iter()
            .any(|c| c.word().eq_ignore_ascii_case(&word));
        return if word.is_empty() {
            format!("`is` after `{after}` must be followed by one space and one of {CHECKS}")
        } else if known && gap != " " {
            format!(
                "`is` and `{word}` must be separated by exactly one space: write \
                 `{after} is {word}`"
            )
        } else {
            format!(
                "unknown check `is {word}` after `{after}`: write `is`, one space and one of \
                 {CHECKS}"
            )
        };
    }
    let body = rest
        .strip_prefix(['i', 'I', 's', 'S'])
        .filter(|b| strip_prefix_ci(b, "datestartswith").is_some());
    if body.is_some() {
        return "`datestartswith` takes no `i`/`s` prefix: write `datestartswith`".into();
    }
    let unprefixed = rest.strip_prefix(['i', 'I', 's', 'S']).unwrap_or(rest);
    for candidate in [rest, unprefixed] {
        for op in RelOp::ALL {
            if let Some(tail) = strip_prefix_ci(candidate, op.word())
                && tail.starts_with(|c: char| !is_js_whitespace(c))
            {
                let word = &rest[..rest.len() - tail.len()];
                return format!(
                    "the operator `{word}` needs a space after it: `{after} {word} {}`",
                    snippet(tail)
                );
            }
        }
    }
    format!(
        "expected an operator after `{after}`, found `{found}`: use `=`, `!=`, `<`, `<=`, `>`, \
         `>=` (or `eq`, `ne`, `lt`, `le`, `gt`, `ge`), `contains` or `datestartswith`, \
         optionally prefixed with `i` (case-insensitive) or `s`, or a check such as \
         `is blank`"
    )
}

/// The query ended where it may not (dash-table's `terminal` rule).
pub(crate) fn unterminated(query: &str, tokens: &[Token], opens: &[usize]) -> ParseError {
    let Some(last) = tokens.last() else {
        return ParseError::new(query, query.len(), "the query is incomplete");
    };
    let end = last.end;
    let text = token_text(query, last);
    let msg = match class(tokens) {
        Prev::Logical => format!("the query ends with `{text}`: add a condition after it"),
        Prev::Open => "the query ends with `(`: add a condition and `)`".into(),
        Prev::Rel => format!(
            "the query ends after the operator `{text}`: add a value, e.g. `{} {text} 5` \
             (quote text that contains spaces)",
            tokens
                .len()
                .checked_sub(2)
                .map_or("{column}", |i| token_text(query, &tokens[i]))
        ),
        Prev::Not => "the query ends with `!`: write `!(condition)`".into(),
        Prev::Expr if !follows_rel(tokens) => {
            return ParseError::new(
                query,
                last.start,
                format!(
                    "`{text}` alone is not a condition: compare it (`{text} = value`) or check \
                     it (`{text} is blank`)"
                ),
            );
        }
        Prev::Start | Prev::Expr | Prev::Close | Prev::Check => {
            let open = opens.last().copied().unwrap_or(0);
            return ParseError::new(
                query,
                end,
                format!(
                    "missing `)`: the `(` at character {} is never closed",
                    query[..open].chars().count()
                ),
            );
        }
    };
    ParseError::new(query, end, msg)
}
