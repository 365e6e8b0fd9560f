//! Conformance of the `filter_query` parser with dash-table 7.4.1's grammar.
//!
//! Each case gives a query and either its canonical print (which pins down
//! operator, case prefix, operand kinds — numbers print bare, strings that
//! would read as numbers print quoted — and the tree's shape through the
//! parentheses) or the error it must raise: a piece of the message and the
//! character offset. The expected parses were checked against dash-table's
//! own lexer and syntaxer (`derived_filter_query_structure`).

use aio_datatable::query::{
    Case, Check, Expr, Literal, MAX_CONDITIONS, MAX_DEPTH, MAX_NESTING, MAX_QUERY_BYTES, Operand,
    Query, RelOp, parse,
};

enum Expect {
    /// Parses; prints as this canonical string.
    Ok(&'static str),
    /// Fails; the message contains this text and points at this character.
    Err(&'static str, usize),
}
use Expect::{Err, Ok};

#[rustfmt::skip]
const CASES: &[(&str, Expect)] = &[
    // Empty queries filter nothing.
    ("", Ok("")),
    (" \t\u{a0}\n", Ok("")),
    // `=` in every spelling; only a lowercase `i` is insensitive (rule 12).
    ("{a} = 1", Ok("{a} = 1")),
    ("{a} eq 1", Ok("{a} = 1")),
    ("{a} EQ 1", Ok("{a} = 1")),
    ("{a} s= 1", Ok("{a} s= 1")),
    ("{a} S= 1", Ok("{a} s= 1")),
    ("{a} i= red", Ok("{a} i= red")),
    ("{a} I= RED", Ok("{a} s= RED")),
    ("{a} ieq red", Ok("{a} i= red")),
    ("{a} Ieq red", Ok("{a} s= red")),
    ("{a} seq red", Ok("{a} s= red")),
    // `!=`.
    ("{a} != 1", Ok("{a} != 1")),
    ("{a} ne 1", Ok("{a} != 1")),
    ("{a} sne 1", Ok("{a} s!= 1")),
    ("{a} ine x", Ok("{a} i!= x")),
    ("{a} I!= x", Ok("{a} s!= x")),
    // `<`, `<=`, `>`, `>=`.
    ("{a} < 1", Ok("{a} < 1")),
    ("{a} lt 1", Ok("{a} < 1")),
    ("{a} ilt x", Ok("{a} i< x")),
    ("{a} Slt 1", Ok("{a} s< 1")),
    ("{a} <= 1", Ok("{a} <= 1")),
    ("{a} le 1", Ok("{a} <= 1")),
    ("{a} i<= x", Ok("{a} i<= x")),
    ("{a} sLE 1", Ok("{a} s<= 1")),
    ("{a} > 1", Ok("{a} > 1")),
    ("{a} GT 1", Ok("{a} > 1")),
    ("{a} s> 1", Ok("{a} s> 1")),
    ("{a} igt x", Ok("{a} i> x")),
    ("{a} >= 1", Ok("{a} >= 1")),
    ("{a} ge 1", Ok("{a} >= 1")),
    ("{a} i>= x", Ok("{a} i>= x")),
    ("{a} Sge 1", Ok("{a} s>= 1")),
    ("{a}>=1", Ok("{a} >= 1")),
    // `contains`, `datestartswith` (no prefix for the latter).
    ("{a} contains x", Ok("{a} contains x")),
    ("{a} scontains x", Ok("{a} scontains x")),
    ("{a} icontains ß", Ok("{a} icontains ß")),
    ("{a} ICONTAINS x", Ok("{a} scontains x")),
    ("{a} Contains '4'", Ok("{a} contains \"4\"")),
    ("{d} datestartswith 2020-01", Ok("{d} datestartswith 2020-01")),
    ("{d} DateStartsWith 2020", Ok("{d} datestartswith 2020")),
    ("{d} idatestartswith 2020", Err("`datestartswith` takes no `i`/`s` prefix", 4)),
    ("{d} sdatestartswith 2020", Err("`datestartswith` takes no `i`/`s` prefix", 4)),
    // Every `is` check, case-insensitive, exactly one space.
    ("{a} is blank", Ok("{a} is blank")),
    ("{a} is nil", Ok("{a} is nil")),
    ("{a} is bool", Ok("{a} is bool")),
    ("{a} is num", Ok("{a} is num")),
    ("{a} is str", Ok("{a} is str")),
    ("{a} is object", Ok("{a} is object")),
    ("{a} is even", Ok("{a} is even")),
    ("{a} is odd", Ok("{a} is odd")),
    ("{a} is prime", Ok("{a} is prime")),
    ("{a} IS BLANK", Ok("{a} is blank")),
    ("{a} Is Prime", Ok("{a} is prime")),
    ("1 is num", Ok("1 is num")),
    ("{a} is  blank", Err("`is` and `blank` must be separated by exactly one space", 4)),
    ("{a} is\tblank", Err("exactly one space", 4)),
    ("{a} is number", Err("unknown check `is number`", 4)),
    ("{a} is blanket", Err("unknown check `is blanket`", 4)),
    ("{a} is foo", Err("unknown check `is foo`", 4)),
    ("{a} is", Err("`is` after `{a}` must be followed by one space", 4)),
    // No boundary after the check word, exactly as in the table.
    ("{a} is strand {b} = 1", Ok("{a} is str && {b} = 1")),
    // Logical operators, precedence and parentheses.
    ("{a} = 1 && {b} = 2", Ok("{a} = 1 && {b} = 2")),
    ("{a} = 1 and {b} = 2", Ok("{a} = 1 && {b} = 2")),
    ("{a} = 1 AND\u{a0}{b} = 2", Ok("{a} = 1 && {b} = 2")),
    ("{a} = 1 || {b} = 2", Ok("{a} = 1 || {b} = 2")),
    ("{a} = 1 or {b} = 2", Ok("{a} = 1 || {b} = 2")),
    ("{a} = 1 Or {b} = 2", Ok("{a} = 1 || {b} = 2")),
    ("{a} = 1 || {b} = 2 && {c} = 3", Ok("{a} = 1 || {b} = 2 && {c} = 3")),
    ("{a} = 1 && {b} = 2 || {c} = 3", Ok("{a} = 1 && {b} = 2 || {c} = 3")),
    ("({a} = 1 || {b} = 2) && {c} = 3", Ok("({a} = 1 || {b} = 2) && {c} = 3")),
    ("{a} = 1 && ({b} = 2 || {c} = 3)", Ok("{a} = 1 && ({b} = 2 || {c} = 3)")),
    ("(({a} = 1))", Ok("{a} = 1")),
    ("( {a} = 1 && {b} = 2 ) && {c} = 3", Ok("({a} = 1 && {b} = 2) && {c} = 3")),
    ("{a} = 1 && ({b} = 2 && {c} = 3)", Ok("{a} = 1 && {b} = 2 && {c} = 3")),
    ("{a} = 1 && {b} is nil || !({c} = 3)", Ok("{a} = 1 && {b} is nil || !({c} = 3)")),
    // `!` (rule 4).
    ("!({i} = 0)", Ok("!({i} = 0)")),
    ("! ( {i} = 0 )", Ok("!({i} = 0)")),
    ("!!({i} = 0)", Ok("!!({i} = 0)")),
    ("! !({i} = 0)", Ok("!!({i} = 0)")),
    ("{f} > 0 && !({i} = 0)", Ok("{f} > 0 && !({i} = 0)")),
    ("!({a} = 1 || {b} = 2) || {c} = 3", Ok("!({a} = 1 || {b} = 2) || {c} = 3")),
    ("!{i} = 0", Err("`!` must be followed by `(` or another `!`, found `{i}`: write `!({i} = 0)`", 1)),
    ("(!({i} = 0))", Err("`!` cannot come right after `(`", 1)),
    ("( ! ({i} = 0))", Err("`!` cannot come right after `(`", 2)),
    ("{a} = 1 && (!({i} = 0))", Err("`!` cannot come right after `(`", 12)),
    ("!", Err("the query ends with `!`", 1)),
    ("! && {a} = 1", Err("`!` must be followed by `(` or another `!`, found `&&`", 2)),
    // After `(` a `!` can only start a value.
    ("(!x = 1)", Ok("\"!x\" = 1")),
    // Quoting: three quote kinds, escapes, always strings.
    ("{a} = 'x y'", Ok("{a} = \"x y\"")),
    ("{a} = \"x y\"", Ok("{a} = \"x y\"")),
    ("{a} = `x y`", Ok("{a} = \"x y\"")),
    ("{a} = 'it\\'s'", Ok("{a} = \"it's\"")),
    ("{a} = \"say \\\"hi\\\"\"", Ok("{a} = \"say \\\"hi\\\"\"")),
    ("{a} = ''", Ok("{a} = \"\"")),
    ("{a} = '42'", Ok("{a} = \"42\"")),
    ("{a} = 'bob'", Ok("{a} = bob")),
    ("{a} = \"two\nlines\"", Ok("{a} = \"two\nlines\"")),
    // Backslash escapes in fields and unquoted values (rule 8).
    ("{p\\{q\\}} = 1", Ok("{p\\{q\\}} = 1")),
    ("{\\i} = 1", Ok("{i} = 1")),
    ("{a\\\\b} = 1", Ok("{a\\\\b} = 1")),
    ("{my col} = 1", Ok("{my col} = 1")),
    ("{a} = hello\\ world", Ok("{a} = \"hello world\"")),
    ("{a} = 1\\0", Ok("{a} = \"10\"")),
    ("{a} = x\\", Err("a `\\` must be followed by the character it escapes", 7)),
    // Literals on the left (rule 6) and column against column.
    ("i = 1", Ok("i = 1")),
    ("1 = 1", Ok("1 = 1")),
    ("'apple' = apple", Ok("apple = apple")),
    ("{i} = {n}", Ok("{i} = {n}")),
    ("{f} >= {i}", Ok("{f} >= {i}")),
    // Numbers keep their spelling; non-finite and non-numbers are strings.
    ("{a} = 0x2A", Ok("{a} = 0x2A")),
    ("{a} = 0b101", Ok("{a} = 0b101")),
    ("{a} = 0o17", Ok("{a} = 0o17")),
    ("{a} = 1e3", Ok("{a} = 1e3")),
    ("{a} = -4.2E-1", Ok("{a} = -4.2E-1")),
    ("{a} = .5", Ok("{a} = .5")),
    ("{a} = 5.", Ok("{a} = 5.")),
    ("{a} = +5", Ok("{a} = +5")),
    ("{a} = 0099", Ok("{a} = 0099")),
    ("{a} = Infinity", Ok("{a} = Infinity")),
    ("{a} = 1e400", Ok("{a} = 1e400")),
    ("{a} = -0x10", Ok("{a} = -0x10")),
    // Whitespace is JavaScript's `\s` (rule 2).
    ("{i}\u{a0}=\u{a0}0", Ok("{i} = 0")),
    ("{i}\t=\n0\u{3000}&&\u{2028}{j} = 1", Ok("{i} = 0 && {j} = 1")),
    ("\u{feff} {i} = 0", Ok("{i} = 0")),
    ("{i} = 0 ", Ok("{i} = 0")), // deliberate: the table rejects trailing whitespace
    ("{i}\u{85}= 0", Err("note: U+0085 is not a space in a query", 3)),
    // Unquoted values end only at whitespace, `)` or the end (rule 3).
    ("{i} > 0&&{f} > 0", Err("put spaces around `&&` and `||`", 9)),
    ("{i}=0||{i}=1", Err("the unquoted value `0||` runs into `{`", 7)),
    ("{i}=1", Ok("{i} = 1")),
    ("({i}=1)", Ok("{i} = 1")),
    ("{i} > 0 &&{f} > 0", Ok("{i} > 0 && {f} > 0")),
    ("{i} eq1", Err("the operator `eq` needs a space after it: `{i} eq 1`", 4)),
    ("{i} = 1 and{f} = 2", Err("`and` needs a space after it", 8)),
    ("{s} = and", Ok("{s} = and")),
    ("{s} = &&", Ok("{s} = &&")),
    ("{s} = is", Ok("{s} = is")),
    ("and = or", Ok("and = or")),
    ("{name} = bob smith", Err("quote values that contain spaces: {name} = \"bob smith\"", 13)),
    ("{a} = it's", Err("the unquoted value `it` runs into `'`", 8)),
    // Trailing tokens after a comparison (rule 5): explicit errors here.
    ("{i} = 1 = 2", Err("unexpected `= 2` after the comparison `{i} = 1`", 8)),
    ("{i} = 1 is blank", Err("unexpected `is blank` after the comparison `{i} = 1`", 8)),
    ("{i} = 1 = 2 && {j} = 3", Err("unexpected `= 2` after the comparison", 8)),
    ("({i} = 1 = 2)", Err("unexpected `= 2` after the comparison `{i} = 1`", 9)),
    ("{i} == 1", Err("`==` is not an operator: write `{i} = 1`", 7)),
    ("{i} =< 1", Err("`=<` is not an operator: write `{i} <= 1`", 7)),
    ("{i} ==1", Ok("{i} = =1")),
    ("{i} = -", Ok("{i} = -")),
    // A check followed by `(` or `!`: the table keeps every row.
    ("{a} is blank ({b} = 1)", Err("unexpected `(` after the check `{a} is blank`", 13)),
    ("{a} is blank !({b} = 1)", Err("unexpected `!` after the check `{a} is blank`", 13)),
    // Incomplete or unbalanced queries (rule 1).
    ("{a}", Err("`{a}` alone is not a condition", 0)),
    ("{a} =", Err("the query ends after the operator `=`", 5)),
    ("{a} = 1 &&", Err("the query ends with `&&`", 10)),
    ("{a} = 1 or", Err("the query ends with `or`", 8)),
    ("{a} = 1 AND", Err("the query ends with `AND`", 8)),
    ("{a} = 1 & {b} = 2", Err("`&` is not an operator: write `&&` (or `and`)", 8)),
    ("{a} = 1 | {b} = 2", Err("`|` is not an operator: write `||` (or `or`)", 8)),
    ("({a} = 1", Err("missing `)`: the `(` at character 0 is never closed", 8)),
    ("{a} = 1)", Err("unmatched `)`", 7)),
    ("()", Err("empty parentheses `()`", 0)),
    ("( )", Err("empty parentheses `( )`", 0)),
    ("{a} && {b} = 1", Err("`{a}` needs an operator", 0)),
    ("{a} = 1 {b} = 2", Err("expected `&&`, `||` or the end of the query after `{a} = 1`, found `{b}`", 8)),
    ("{} = 1", Err("empty column name `{}`", 0)),
    ("{a = 1", Err("this column name is never closed", 0)),
    ("{a{b} = 1", Err("a `{` inside a column name must be escaped as `\\{`", 2)),
    ("{a} = 'x", Err("this string is never closed: add the closing '", 6)),
    ("{a} = (1)", Err("expected a value after `=`, found `(`", 6)),
    ("{a} bob", Err("expected an operator after `{a}`, found `bob`", 4)),
    ("= 1", Err("expected an operator after `=`, found `1`", 2)),
    // What the table UI emits.
    (
        "{pop} s> 5 && {name} scontains \"Hello world\" && {date} datestartswith 2020-01",
        Ok("{pop} s> 5 && {name} scontains \"Hello world\" && {date} datestartswith 2020-01"),
    ),
    (
        "{pop} ge 7 and {pop} lt 10 || {name} = 'bob'",
        Ok("{pop} >= 7 && {pop} < 10 || {name} = bob"),
    ),
];

#[test]
fn conformance_table() {
    assert!(CASES.len() >= 60);
    let mut failures = Vec::new();
    for (query, expect) in CASES {
        let got = parse(query);
        match (expect, &got) {
            (Ok(canonical), Result::Ok(parsed)) => {
                let printed = parsed.to_string();
                if printed != *canonical {
                    failures.push(format!(
                        "{query:?}: printed {printed:?}, want {canonical:?}"
                    ));
                } else if parse(&printed).as_ref() != Result::Ok(parsed) {
                    failures.push(format!("{query:?}: {printed:?} does not parse back"));
                }
            }
            (Err(part, offset), Result::Err(err)) => {
                if !err.message().contains(part) || err.char_offset() != *offset {
                    failures.push(format!(
                        "{query:?}: error at {} {:?}, want {offset} containing {part:?}",
                        err.char_offset(),
                        err.message()
                    ));
                }
            }
            (Ok(canonical), Result::Err(err)) => {
                failures.push(format!("{query:?}: error {err}, want {canonical:?}"));
            }
            (Err(part, _), Result::Ok(parsed)) => {
                failures.push(format!(
                    "{query:?}: parsed as {parsed}, want error {part:?}"
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn field(name: &str) -> Operand {
    Operand::Field(name.into())
}

fn num(raw: &str, value: f64) -> Operand {
    Operand::Literal(Literal::Num {
        value,
        raw: raw.into(),
    })
}

fn string(text: &str) -> Operand {
    Operand::Literal(Literal::Str(text.into()))
}

fn cmp(op: RelOp, case: Case, left: Operand, right: Operand) -> Expr {
    Expr::Compare {
        op,
        case,
        left,
        right,
    }
}

fn root(query: &str) -> Expr {
    parse(query)
        .unwrap_or_else(|e| panic!("{query:?}: {e}"))
        .root
        .unwrap_or_else(|| panic!("{query:?} is empty"))
}

#[test]
fn operands_and_cases_are_typed() {
    use Case::*;
    assert_eq!(
        root("{a} I= x"),
        cmp(RelOp::Eq, Sensitive, field("a"), string("x"))
    );
    assert_eq!(
        root("{a} ieq x"),
        cmp(RelOp::Eq, Insensitive, field("a"), string("x"))
    );
    assert_eq!(
        root("{a} = 0x2A"),
        cmp(RelOp::Eq, Default, field("a"), num("0x2A", 42.0))
    );
    assert_eq!(
        root("{a} = '42'"),
        cmp(RelOp::Eq, Default, field("a"), string("42"))
    );
    assert_eq!(
        root("{a} = 42"),
        cmp(RelOp::Eq, Default, field("a"), num("42", 42.0))
    );
    assert_eq!(
        root("{a} = -0"),
        cmp(RelOp::Eq, Default, field("a"), num("-0", -0.0))
    );
    assert_eq!(
        root("{a} = 1e-3"),
        cmp(RelOp::Eq, Default, field("a"), num("1e-3", 0.001))
    );
    assert_eq!(
        root("'apple' = apple"),
        cmp(RelOp::Eq, Default, string("apple"), string("apple"))
    );
    assert_eq!(
        root("{d} datestartswith 0099"),
        cmp(
            RelOp::DateStartsWith,
            Default,
            field("d"),
            num("0099", 99.0)
        )
    );
    assert_eq!(
        root("{x} is odd"),
        Expr::Is {
            operand: field("x"),
            check: Check::Odd
        }
    );
}

#[test]
fn logical_chains_nest_to_the_right() {
    let c = |name: &str| cmp(RelOp::Eq, Case::Default, field(name), num("1", 1.0));
    assert_eq!(
        root("{a} = 1 && {b} = 1 && {c} = 1"),
        Expr::and(c("a"), Expr::and(c("b"), c("c")))
    );
    assert_eq!(
        root("{a} = 1 || {b} = 1 && {c} = 1"),
        Expr::or(c("a"), Expr::and(c("b"), c("c")))
    );
    assert_eq!(
        root("({a} = 1 || {b} = 1) && {c} = 1"),
        Expr::and(Expr::or(c("a"), c("b")), c("c"))
    );
    assert_eq!(root("!!({a} = 1)"), Expr::not(Expr::not(c("a"))));
    assert_eq!(
        root("{a} = 1 || {b} = 1 || {c} = 1").to_string(),
        "{a} = 1 || {b} = 1 || {c} = 1"
    );
    let left_nested = Expr::or(Expr::or(c("a"), c("b")), c("c"));
    assert_eq!(left_nested.to_string(), "({a} = 1 || {b} = 1) || {c} = 1");
    assert_eq!(root(&left_nested.to_string()), left_nested);
}

#[test]
fn columns_are_collected() {
    let q = parse("{b} = 1 && ({a} > {c\\}} || !(x = {b})) && {d} is blank").unwrap();
    assert_eq!(
        q.columns().into_iter().collect::<Vec<_>>(),
        ["a", "b", "c}", "d"]
    );
    assert!(parse("1 = 1").unwrap().columns().is_empty());
    assert!(Query::empty().columns().is_empty());
}

#[test]
fn errors_display_position_and_message() {
    let err = parse("{ä} = bob smith").unwrap_err();
    assert_eq!(err.offset(), 11);
    assert_eq!(err.char_offset(), 10);
    assert_eq!(
        err.to_string(),
        "invalid filter query at character 10: unexpected `smith` after the value `bob`; \
         quote values that contain spaces: {ä} = \"bob smith\""
    );
    let err: aio_datatable::Error = err.into();
    assert!(err.to_string().contains("bob smith"));
    assert!("{a} = 1".parse::<Query>().is_ok());
}

#[test]
fn unexpressible_trees_are_detected() {
    let c = cmp(RelOp::Eq, Case::Default, field("a"), num("1", 1.0));
    // `(!(a) || b) && c` has no textual form: `!` may not follow `(`.
    let bad = Expr::and(Expr::or(Expr::not(c.clone()), c.clone()), c.clone());
    assert!(!bad.is_expressible());
    assert!(parse(&bad.to_string()).is_err());
    assert!(!Expr::not(Expr::and(Expr::not(c.clone()), c.clone())).is_expressible());
    assert!(Expr::and(Expr::not(c.clone()), c.clone()).is_expressible());
    assert!(
        !cmp(
            RelOp::DateStartsWith,
            Case::Insensitive,
            field("a"),
            string("x")
        )
        .is_expressible()
    );
    assert!(!cmp(RelOp::Eq, Case::Default, field(""), string("x")).is_expressible());
    assert!(!cmp(RelOp::Eq, Case::Default, field("a"), num("x", 1.0)).is_expressible());
}

/// Long, wide and deep queries are rejected with a message before any
/// recursive walk could overflow the stack; queries at the limits parse,
/// print, compare and drop on a 1 MiB stack (unoptimized build).
#[test]
fn size_and_depth_are_bounded() {
    let run = || {
        let chain = vec!["{a} = 1"; MAX_CONDITIONS].join(" && ");
        let q = parse(&chain).unwrap();
        assert_eq!(parse(&q.to_string()).unwrap(), q);
        let wide = vec!["{a} = 1"; MAX_CONDITIONS + 1].join(" || ");
        let e = parse(&wide).unwrap_err();
        assert!(
            e.message()
                .contains(&format!("more than {MAX_CONDITIONS} conditions")),
            "{e}"
        );

        let nested = format!(
            "{}{{a}} = 1{}",
            "(".repeat(MAX_NESTING),
            ")".repeat(MAX_NESTING)
        );
        assert_eq!(parse(&nested).unwrap().to_string(), "{a} = 1");
        let too_nested = format!(
            "{}{{a}} = 1{}",
            "(".repeat(MAX_NESTING + 1),
            ")".repeat(MAX_NESTING + 1)
        );
        let e = parse(&too_nested).unwrap_err();
        assert!(e.message().contains("nest more than"), "{e}");
        assert_eq!(e.char_offset(), MAX_NESTING);

        let nots = format!("{}({{a}} = 1)", "!".repeat(MAX_NESTING));
        let q = parse(&nots).unwrap();
        assert_eq!(q.to_string(), nots);
        drop(q.clone());
        let e = parse(&format!("{}({{a}} = 1)", "!".repeat(MAX_NESTING + 1))).unwrap_err();
        assert!(e.message().contains("in a row"), "{e}");

        // Each group adds an `&&` and eight `!`: the tree is deeper than
        // MAX_DEPTH though no single limit above is passed.
        let groups = MAX_DEPTH / 9 + 1;
        assert!(groups < MAX_NESTING.min(MAX_CONDITIONS));
        let deep = format!(
            "{}{{a}} = 1{}",
            "{a} = 1 && !!!!!!!!(".repeat(groups),
            ")".repeat(groups)
        );
        let e = parse(&deep).unwrap_err();
        assert!(e.message().contains("levels deep"), "{e}");

        // Over the length limit: refused before it is read.
        for long in [
            "(".repeat(100_000),
            format!("{}{{a}} = 1{}", "(".repeat(50_000), ")".repeat(50_000)),
            format!("{{a}} = \"{}\"", "é".repeat(MAX_QUERY_BYTES)),
        ] {
            let e = parse(&long).unwrap_err();
            assert!(e.message().contains("bytes long"), "{e}");
        }
        let at_limit = format!("{{a}} = \"{}\"", "x".repeat(MAX_QUERY_BYTES - 8));
        assert_eq!(at_limit.len(), MAX_QUERY_BYTES);
        assert!(parse(&at_limit).is_ok());
    };
    std::thread::Builder::new()
        .stack_size(1 << 20)
        .spawn(run)
        .unwrap()
        .join()
        .unwrap();
}
