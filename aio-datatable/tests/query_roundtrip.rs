//! Property tests: printing a tree and parsing it back gives the same tree,
//! and no input makes the parser panic.

use aio_datatable::query::{Case, Check, Expr, Literal, Operand, Query, RelOp, parse};
use proptest::prelude::*;

/// Characters that stress escaping and quoting: braces, backslashes,
/// quotes, parentheses, operators, JS and non-JS whitespace, non-ASCII.
const TRICKY: &[char] = &[
    '{', '}', '\\', '\'', '"', '`', '(', ')', '!', '&', '|', '=', '<', '>', ' ', '\t', '\n',
    '\u{a0}', '\u{85}', '\u{2028}', '\u{feff}', 'é', 'ß', '漢', '😀', '-', '.', 'e', 'x', '0', '4',
    '2',
];

fn tricky_string(min: usize, max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            3 => prop::sample::select(TRICKY),
            2 => prop::char::range('a', 'z'),
            1 => any::<char>(),
        ],
        min..=max,
    )
    .prop_map(|chars| chars.into_iter().collect())
}

fn field() -> impl Strategy<Value = Operand> {
    prop_oneof![
        "[a-z_][a-z0-9_ ]{0,6}".prop_map(Operand::Field),
        tricky_string(1, 8).prop_map(Operand::Field),
    ]
}

fn string_literal() -> impl Strategy<Value = Literal> {
    prop_oneof![
        "[a-zA-Z][a-zA-Z0-9_-]{0,8}".prop_map(Literal::Str),
        tricky_string(0, 10).prop_map(Literal::Str),
        // Strings that read as numbers or words must survive quoting.
        prop::sample::select(
            &[
                "42", " 42 ", "0x2A", "-1", "and", "&&", "is", "!x", "=1", ""
            ][..]
        )
        .prop_map(|s| Literal::Str(s.to_owned())),
    ]
}

fn number_literal() -> impl Strategy<Value = Literal> {
    let raw = prop_oneof![
        any::<i64>().prop_map(|n| n.to_string()),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(|f| format!("{f:e}")),
        (-1e6f64..1e6).prop_map(|f| f.to_string()),
        any::<u32>().prop_map(|n| format!("0x{n:X}")),
        any::<u16>().prop_map(|n| format!("0b{n:b}")),
        any::<u16>().prop_map(|n| format!("0o{n:o}")),
        "[0-9]{1,4}".prop_map(|d| format!(".{d}")),
        "[0-9]{1,4}".prop_map(|d| format!("{d}.")),
        "[0-9]{1,3}".prop_map(|d| format!("+{d}")),
        "[0-9]{1,3}(\\.[0-9]{1,3})?[eE][+-]?[0-9]{1,3}".prop_map(|s| format!("-{s}")),
    ];
    raw.prop_filter_map("numeric", |raw| Literal::number(&raw))
}

fn operand() -> impl Strategy<Value = Operand> {
    prop_oneof![
        2 => field(),
        1 => string_literal().prop_map(Operand::Literal),
        1 => number_literal().prop_map(Operand::Literal),
    ]
}

fn leaf() -> impl Strategy<Value = Expr> {
    let case = prop::sample::select(&[Case::Default, Case::Sensitive, Case::Insensitive][..]);
    let compare = (
        prop::sample::select(&RelOp::ALL[..]),
        case,
        operand(),
        operand(),
    )
        .prop_map(|(op, case, left, right)| Expr::Compare {
            op,
            case: if op.takes_case() { case } else { Case::Default },
            left,
            right,
        });
    let is = (operand(), prop::sample::select(&Check::ALL[..]))
        .prop_map(|(operand, check)| Expr::Is { operand, check });
    prop_oneof![3 => compare, 1 => is]
}

fn expr() -> impl Strategy<Value = Expr> {
    leaf().prop_recursive(5, 32, 2, |inner| {
        prop_oneof![
            (inner.clone(), inner.clone()).prop_map(|(l, r)| Expr::and(l, r)),
            (inner.clone(), inner.clone()).prop_map(|(l, r)| Expr::or(l, r)),
            inner.prop_map(Expr::not),
        ]
    })
}

/// Strings made of the grammar's own pieces, which reach deeper into the
/// parser than arbitrary text.
fn query_like() -> impl Strategy<Value = String> {
    let piece = prop::sample::select(
        &[
            "{a}",
            "{b c}",
            "{p\\{q\\}}",
            "{",
            "}",
            "(",
            ")",
            "!",
            "&&",
            "||",
            "and ",
            "or ",
            " ",
            "\t",
            "\u{a0}",
            "\u{85}",
            "=",
            "eq ",
            "!=",
            "<",
            ">=",
            "s",
            "i",
            "I",
            "contains ",
            "datestartswith ",
            "is blank",
            "is  num",
            "is ",
            "1",
            "-2.5e3",
            "0x1F",
            "'x y'",
            "\"q\\\"\"",
            "`b`",
            "x",
            "\\",
            "\\ ",
            "'",
            "\n",
        ][..],
    );
    prop::collection::vec(piece, 0..24).prop_map(|pieces| pieces.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn print_then_parse_gives_the_same_tree(
        root in expr().prop_filter("expressible", Expr::is_expressible)
    ) {
        let query = Query { root: Some(root) };
        let printed = query.to_string();
        let reparsed = parse(&printed);
        prop_assert_eq!(reparsed.as_ref(), Ok(&query), "printed: {}", printed);
    }

    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        check_any(&text)?;
    }

    #[test]
    fn query_like_text_never_panics(text in query_like()) {
        check_any(&text)?;
    }
}

/// `parse` returns; a successful parse prints to a query that parses back to
/// the same tree; an error's offset lies inside the text.
fn check_any(text: &str) -> Result<(), TestCaseError> {
    match parse(text) {
        Ok(query) => {
            prop_assert!(query.is_expressible());
            let printed = query.to_string();
            let reparsed = parse(&printed);
            prop_assert_eq!(reparsed.as_ref(), Ok(&query), "printed: {}", printed);
        }
        Err(err) => {
            prop_assert!(err.offset() <= text.len());
            prop_assert!(text.is_char_boundary(err.offset()));
            prop_assert!(!err.message().is_empty());
        }
    }
    Ok(())
}
