//! Scalar JavaScript behaviour that dash-table's filter relies on and polars
//! has no kernel for: `Number.prototype.toString`, dash-table's
//! `normalizeDate`, its `checkPrimality`, and UTF-16 string order.
//!
//! [`super::kernels`] lifts these onto whole columns.

use std::borrow::Cow;
use std::sync::LazyLock;

use regex::Regex;

use crate::query::is_js_whitespace;

/// JavaScript's `String(v)` for a number (ECMAScript `Number::toString`):
/// shortest round-trip digits, plain notation for exponents in
/// `-7 < e < 21`, otherwise `1e+21`, `1.5e-7`.
pub(crate) fn number_to_string(v: f64) -> String {
    if v.is_nan() {
        return "NaN".to_owned();
    }
    if v == 0.0 {
        return "0".to_owned();
    }
    if v.is_infinite() {
        return if v > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    // Rust's `{:e}` prints the shortest digits that round-trip, like JS.
    let sci = format!("{:e}", v.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let k = digits.len() as i64;
    let n = exp.parse::<i64>().unwrap_or(0) + 1;
    let mut out = String::with_capacity(k as usize + 8);
    if v < 0.0 {
        out.push('-');
    }
    if k <= n && n <= 21 {
        out.push_str(&digits);
        out.extend(std::iter::repeat_n('0', (n - k) as usize));
    } else if 0 < n && n <= 21 {
        out.push_str(&digits[..n as usize]);
        out.push('.');
        out.push_str(&digits[n as usize..]);
    } else if -6 < n && n <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-n) as usize));
        out.push_str(&digits);
    } else {
        out.push_str(&digits[..1]);
        if k > 1 {
            out.push('.');
            out.push_str(&digits[1..]);
        }
        out.push('e');
        out.push(if n > 0 { '+' } else { '-' });
        out.push_str(&(n - 1).abs().to_string());
    }
    out
}

/// JavaScript's `\s` as a regex class body (see
/// [`crate::query::is_js_whitespace`]).
const JS_WS: &str =
    r"\t\n\x0B\x0C\r \xA0\x{1680}\x{2000}-\x{200A}\x{2028}\x{2029}\x{202F}\x{205F}\x{3000}\x{FEFF}";

/// dash-table's `DATETIME_REGEXP` (`src/dash-table/type/date.ts`), anchored
/// at the start of the haystack. The table's regex has the `m` flag, so its
/// `$` also matches before a line terminator: `\s*$` becomes
/// `\s*(?:\z|[LT])` (same acceptance, and the part is outside every group, so
/// the captures are the same under leftmost-first priority). Its `^` is
/// handled by [`normalize_date`] trying every line start.
static DATETIME: LazyLock<Regex> = LazyLock::new(|| {
    let pattern = format!(
        r"\A[{JS_WS}]*(-?[0-9]{{4}}|[0-9]{{2}})(-([0-9]{{1,2}})(-([0-9]{{1,2}})([ Tt]([01]?[0-9]|2[0-3])(:([0-5][0-9])(:([0-5][0-9](\.[0-9]+)?))?(Z|z|[+\-][0-9]{{2}}:?[0-9]{{2}})?)?)?)?)?[{JS_WS}]*(?:\z|[\n\r\x{{2028}}\x{{2029}}])"
    );
    Regex::new(&pattern).expect("DATETIME_REGEXP is a valid regex")
});

/// The first year dash-table maps two-digit years onto:
/// `new Date().getFullYear() - 70` (taken in UTC here).
pub(crate) fn two_digit_year_start() -> i32 {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    civil_year((secs / 86_400) as i64) - 70
}

/// The proleptic Gregorian year of a day count since 1970-01-01.
fn civil_year(days: i64) -> i32 {
    civil_from_days(days).0 as i32
}

/// The proleptic Gregorian (year, month, day) of a day count since
/// 1970-01-01 (Howard Hinnant's `civil_from_days`).
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
pub(crate) fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let (y, m) = if month <= 2 {
        (year - 1, i64::from(month) + 9)
    } else {
        (year, i64::from(month) - 3)
    };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let doy = (153 * m + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn days_in_month(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

/// dash-table's `normalizeDate(value, {allow_YY: true})` on a string:
/// `YYYY-MM-DD HH:MM:SS.fff…` cut to the precision the text gives, or `None`
/// when the text is not a date (including impossible dates like 2020-02-30).
/// `yfirst` is [`two_digit_year_start`].
pub(crate) fn normalize_date(text: &str, yfirst: i32) -> Option<String> {
    // The table's regex is multi-line: `^` matches at the start and after
    // every line terminator, and the first line start that matches wins.
    let starts = std::iter::once(0).chain(
        text.char_indices()
            .filter(|(_, c)| matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}'))
            .map(|(i, c)| i + c.len_utf8()),
    );
    // A failed try from `start` skipped whitespace up to the first other
    // character; a try from any line start inside that whitespace skips to
    // the same character and fails the same way, so it is not made. Every
    // character is read by O(1) tries: linear in the text, where trying
    // each of n line starts in a run of n newlines would be quadratic.
    let mut skip_through = None;
    for start in starts {
        if skip_through.is_some_and(|end| start <= end) {
            continue;
        }
        let rest = &text[start..];
        if let Some(caps) = DATETIME.captures(rest) {
            return normalize_captures(&caps, yfirst);
        }
        let spaces = rest.len() - rest.trim_start_matches(is_js_whitespace).len();
        skip_through = Some(start + spaces);
    }
    None
}

fn normalize_captures(caps: &regex::Captures<'_>, yfirst: i32) -> Option<String> {
    let year_text = caps.get(1)?.as_str();
    let num = |i: usize| caps.get(i).map(|m| m.as_str().parse::<i32>().unwrap_or(0));
    let year = if year_text.len() == 2 {
        let yy: i32 = year_text.parse().ok()?;
        // JS `%` truncates like Rust's.
        (yy + 2000 - yfirst) % 100 + yfirst
    } else {
        year_text.parse().ok()?
    };
    let month = num(3).unwrap_or(1);
    let day = num(5).unwrap_or(1);
    let hour = num(7).unwrap_or(0);
    let minute = num(9).unwrap_or(0);
    let second = caps.get(11).map(|m| m.as_str());
    if !(1..=12).contains(&month) || day < 1 || day as u32 > days_in_month(year, month as u32) {
        return None;
    }
    let full = format!(
        "{:04}-{month:02}-{day:02} {hour:02}:{minute:02}:{}",
        year.unsigned_abs(),
        second.unwrap_or("")
    );
    let len = if second.is_some() {
        29
    } else if caps.get(9).is_some() {
        16
    } else if caps.get(7).is_some() {
        13
    } else if caps.get(5).is_some() {
        10
    } else if caps.get(3).is_some() {
        7
    } else {
        4
    };
    let mut out = String::with_capacity(len + 1);
    if year < 0 {
        out.push('-');
    }
    // Everything is ASCII, so byte and UTF-16 lengths agree.
    out.push_str(&full[..len.min(full.len())]);
    Some(out)
}

/// dash-table's `is prime` on a number (`checkPrimality`): 2, or above 2,
/// not `% 2 === 0` and no odd `n` with `n * n <= v` divides it. Every
/// non-integer above 2 passes (no remainder is ever 0); for integers this is
/// primality, decided with a deterministic Miller–Rabin test instead of the
/// table's trial division (same answers; integers above 2^53 are even).
pub(crate) fn is_prime_js(v: f64) -> bool {
    if v == 2.0 {
        return true;
    }
    if v.is_nan() || v < 2.0 || v % 2.0 == 0.0 {
        return false;
    }
    if v.is_infinite() {
        // `Infinity % 2` is NaN and so is every `Infinity % n`: the loop
        // never finds a divisor (and never ends in JS). Unreachable for cells,
        // which hold finite numbers only.
        return true;
    }
    if v.fract() != 0.0 {
        return true;
    }
    // An odd integer in 3..=2^53.
    is_prime_u64(v as u64)
}

fn is_prime_u64(n: u64) -> bool {
    if n < 2 {
        return false;
    }
    const BASES: [u64; 12] = [2, 3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37];
    for p in BASES {
        if n.is_multiple_of(p) {
            return n == p;
        }
    }
    let mul = |a: u64, b: u64| ((u128::from(a) * u128::from(b)) % u128::from(n)) as u64;
    let pow = |mut b: u64, mut e: u64| {
        let mut r = 1u64;
        while e > 0 {
            if e & 1 == 1 {
                r = mul(r, b);
            }
            b = mul(b, b);
            e >>= 1;
        }
        r
    };
    let d = (n - 1) >> (n - 1).trailing_zeros();
    let s = (n - 1).trailing_zeros();
    'bases: for a in BASES {
        let mut x = pow(a, d);
        if x == 1 || x == n - 1 {
            continue;
        }
        for _ in 1..s {
            x = mul(x, x);
            if x == n - 1 {
                continue 'bases;
            }
        }
        return false;
    }
    true
}

/// Whether a string holds a character at or above U+E000, the only ones
/// whose UTF-16 order differs from their UTF-8/code-point order.
pub(crate) fn needs_utf16_key(s: &str) -> bool {
    // Lead bytes 0xEE–0xF4 start exactly the characters >= U+E000.
    s.bytes().any(|b| b >= 0xEE)
}

/// A string whose UTF-8 byte order is the UTF-16 code-unit order of `s`.
///
/// UTF-16 puts U+E000–U+FFFF *after* the astral characters (which start with
/// a surrogate, 0xD800–0xDFFF); UTF-8 puts them before. The key writes each
/// U+E000–U+FFFF character as U+10FFFF followed by itself, and U+10FFFF as
/// U+10FFFF followed by NUL. This is a prefix-free code whose codewords
/// compare like the characters do in UTF-16, so whole keys compare like the
/// strings do in UTF-16.
pub(crate) fn utf16_key(s: &str) -> Cow<'_, str> {
    if !needs_utf16_key(s) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '\u{E000}'..='\u{FFFF}' => {
                out.push('\u{10FFFF}');
                out.push(c);
            }
            '\u{10FFFF}' => {
                out.push('\u{10FFFF}');
                out.push('\0');
            }
            _ => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn js_number_strings() {
        let cases: &[(f64, &str)] = &[
            (0.0, "0"),
            (-0.0, "0"),
            (42.0, "42"),
            (-1.5, "-1.5"),
            (0.1 + 0.2, "0.30000000000000004"),
            (1e15, "1000000000000000"),
            (1e21, "1e+21"),
            (123456789012345680000.0, "123456789012345680000"),
            (1e-6, "0.000001"),
            (1e-7, "1e-7"),
            (1.5e-7, "1.5e-7"),
            (1e300, "1e+300"),
            (5e-324, "5e-324"),
            (f64::MAX, "1.7976931348623157e+308"),
            (9223372036854775807.0, "9223372036854776000"),
            (0.000123, "0.000123"),
        ];
        for (v, s) in cases {
            assert_eq!(number_to_string(*v), *s, "{v:e}");
        }
    }

    #[test]
    fn dates_normalize_like_dash_table() {
        let y = 1956; // two-digit years map onto 1956..=2055
        let n = |s: &str| normalize_date(s, y);
        assert_eq!(n("2020").as_deref(), Some("2020"));
        assert_eq!(n("2020-1").as_deref(), Some("2020-01"));
        assert_eq!(n("20").as_deref(), Some("2020"));
        assert_eq!(n("99").as_deref(), Some("1999"));
        assert_eq!(n("55").as_deref(), Some("2055"));
        assert_eq!(n("56").as_deref(), Some("1956"));
        assert_eq!(n("202"), None);
        assert_eq!(n("-44"), None);
        assert_eq!(n("-0044-03-15").as_deref(), Some("-0044-03-15"));
        assert_eq!(n("2020-02-30"), None);
        assert_eq!(n("2020-02-29").as_deref(), Some("2020-02-29"));
        assert_eq!(n("2021-02-29"), None);
        assert_eq!(n("  2020-1-5  ").as_deref(), Some("2020-01-05"));
        assert_eq!(n("2020-01-05t10:30").as_deref(), Some("2020-01-05 10:30"));
        assert_eq!(n("2020-01-05T10").as_deref(), Some("2020-01-05 10"));
        assert_eq!(
            n("2020-01-05 23:59:59.1234567891+02:00").as_deref(),
            Some("2020-01-05 23:59:59.123456789")
        );
        assert_eq!(
            n("2020-01-05T10:30+02:00").as_deref(),
            Some("2020-01-05 10:30")
        );
        assert_eq!(n("2020-01-05T24:00"), None);
        assert_eq!(n("x\n2020-03"), Some("2020-03".into()));
        assert_eq!(n("2020-03\nx"), Some("2020-03".into()));
        assert_eq!(n("x2020"), None);
        assert_eq!(n("2020-00"), None);
    }

    #[test]
    fn primes_like_dash_table() {
        for (v, p) in [
            (2.0, true),
            (3.0, true),
            (1.0, false),
            (-7.0, false),
            (9.0, false),
            (7.5, true),
            (2.5, true),
            (12.26, true),
            (2147483647.0, true),
            (9007199254740991.0, false),
            (9007199254740881.0, true),
            (1e300, false),
        ] {
            assert_eq!(is_prime_js(v), p, "{v}");
        }
    }

    #[test]
    fn utf16_order() {
        let mut words = vec![
            "～",
            "ｶﾀｶﾅ",
            "😀",
            "a",
            "\u{10FFFF}",
            "\u{10FFFF}\0",
            "\u{E000}",
            "Z",
        ];
        words.sort_by(|a, b| utf16_key(a).cmp(&utf16_key(b)));
        let mut by_units = words.clone();
        by_units.sort_by(|a, b| a.encode_utf16().cmp(b.encode_utf16()));
        assert_eq!(words, by_units);
        assert_eq!(by_units[..3], ["Z", "a", "😀"]);
    }

    #[test]
    fn civil_years() {
        assert_eq!(civil_year(0), 1970);
        assert_eq!(civil_year(-1), 1969);
        assert_eq!(civil_year(19_723), 2024); // 2024-01-01
        assert_eq!(civil_year(19_722), 2023);
        for days in [-800_000, -719_528, -1, 0, 59, 10_957, 19_723, 2_932_896] {
            let y = civil_year(days);
            let start = days_from_civil(i64::from(y), 1, 1);
            assert!(
                start <= days && days < days_from_civil(i64::from(y) + 1, 1, 1),
                "{days}"
            );
        }
        assert_eq!(
            days_from_civil(2020, 3, 1) - days_from_civil(2020, 2, 1),
            29
        );
    }

    /// The table's multi-line reading, tried from every line start: the
    /// reference for the try that skips starts inside whitespace.
    fn normalize_date_every_start(text: &str, yfirst: i32) -> Option<String> {
        let starts = std::iter::once(0).chain(
            text.char_indices()
                .filter(|(_, c)| matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}'))
                .map(|(i, c)| i + c.len_utf8()),
        );
        for start in starts {
            if let Some(caps) = DATETIME.captures(&text[start..]) {
                return normalize_captures(&caps, yfirst);
            }
        }
        None
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        /// Texts of dates, line breaks, spaces and junk: skipping the
        /// starts inside a run of whitespace never changes the answer.
        #[test]
        fn skipping_starts_in_whitespace_changes_nothing(
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::prelude::Just("\n".to_owned()),
                    proptest::prelude::Just("\r\n".to_owned()),
                    proptest::prelude::Just("\u{2028}".to_owned()),
                    proptest::prelude::Just(" ".to_owned()),
                    proptest::prelude::Just("\t".to_owned()),
                    proptest::prelude::Just("\u{a0}".to_owned()),
                    proptest::prelude::Just("x".to_owned()),
                    proptest::prelude::Just("2020".to_owned()),
                    proptest::prelude::Just("2020-02-30".to_owned()),
                    proptest::prelude::Just("1999-12-31 23:59".to_owned()),
                    proptest::prelude::Just("-07".to_owned()),
                    proptest::prelude::Just("12".to_owned()),
                    "[0-9:. T-]{1,6}",
                ],
                0..14,
            )
        ) {
            let text = parts.concat();
            proptest::prop_assert_eq!(
                normalize_date(&text, 1956),
                normalize_date_every_start(&text, 1956),
                "{:?}", text
            );
        }
    }

    /// 300,000 line breaks before the value: the answer of a linear read
    /// (trying every line start took 12 s for 75,000).
    #[test]
    fn many_line_breaks_are_read_once() {
        let text = format!("{}2021-03-04", "\n".repeat(300_000));
        assert_eq!(normalize_date(&text, 1956).as_deref(), Some("2021-03-04"));
        let junk = format!("{}x", "\n \r\n".repeat(100_000));
        assert_eq!(normalize_date(&junk, 1956), None);
    }
}
