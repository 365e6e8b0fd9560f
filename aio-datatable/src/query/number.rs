//! JavaScript's string-to-number conversion and the `fast-isnumeric` test
//! that dash-table applies to unquoted literals (and, when evaluating `=`, to
//! cell values and quoted literals).

/// Whether `c` is matched by JavaScript's `\s` (WhiteSpace and
/// LineTerminator: tab, VT, FF, space, NBSP, U+FEFF, the Zs category, LF, CR,
/// U+2028, U+2029). This is also the set `+str` trims. Unlike
/// [`char::is_whitespace`] it excludes U+0085 and includes U+FEFF.
pub fn is_js_whitespace(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\u{0B}' | '\u{0C}' | '\r' | ' ' | '\u{A0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200A}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202F}'
                | '\u{205F}'
                | '\u{3000}'
                | '\u{FEFF}'
    )
}

/// Whether `c` is a JavaScript line terminator, which a regex `.` (and so a
/// backslash escape in the query language) does not match.
pub(crate) fn is_line_terminator(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{2028}' | '\u{2029}')
}

/// JavaScript's `+text` (ECMAScript `StringToNumber`), `None` for `NaN`.
///
/// Trims JS whitespace; the empty string is `0`; accepts an optionally
/// signed decimal (`5`, `5.`, `.5`, `1e-3`, `Infinity`) or an unsigned
/// `0x`/`0o`/`0b` integer. Underscores, `inf`, `nan` and signed hex are not
/// numbers.
pub fn js_to_number(text: &str) -> Option<f64> {
    let s = text.trim_matches(is_js_whitespace);
    if s.is_empty() {
        return Some(0.0);
    }
    let bytes = s.as_bytes();
    if bytes.len() > 2 && bytes[0] == b'0' {
        let bits = match bytes[1] {
            b'x' | b'X' => Some(4),
            b'o' | b'O' => Some(3),
            b'b' | b'B' => Some(1),
            _ => None,
        };
        if let Some(bits) = bits {
            return radix_pow2_to_f64(&s[2..], bits);
        }
    }
    let (negative, unsigned) = match bytes[0] {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    if unsigned == "Infinity" {
        return Some(if negative {
            f64::NEG_INFINITY
        } else {
            f64::INFINITY
        });
    }
    if !is_unsigned_decimal(unsigned) {
        return None;
    }
    // The syntax is now a subset of what Rust's correctly rounded parser
    // accepts, so the value is the one JavaScript computes.
    let value: f64 = unsigned.parse().ok()?;
    Some(if negative { -value } else { value })
}

/// `fast-isnumeric` on a string: `+text` is finite and `text` is not blank.
/// Returns the number when it is numeric.
///
/// This is the test dash-table uses to turn an unquoted literal into a
/// number and, in `=`, to compare two values numerically (rule 9: `'42'`,
/// `' 42 '`, `'0x2A'` and `'4.2e1'` all equal `42`).
pub fn numeric_value(text: &str) -> Option<f64> {
    if text.chars().all(is_js_whitespace) {
        return None;
    }
    js_to_number(text).filter(|v| v.is_finite())
}

/// `StrUnsignedDecimalLiteral` without `Infinity`:
/// `digits [. digits?] [exp] | . digits [exp]`.
fn is_unsigned_decimal(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i - start
    };
    let int_digits = digits(&mut i);
    let mut frac_digits = 0;
    if i < b.len() && b[i] == b'.' {
        i += 1;
        frac_digits = digits(&mut i);
    }
    if int_digits + frac_digits == 0 {
        return false;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// The value of `digits` in base `2^bits`, rounded to nearest-even like V8.
fn radix_pow2_to_f64(digits: &str, bits: u32) -> Option<f64> {
    let radix = 1u32 << bits;
    let mut mantissa: u64 = 0;
    let mut dropped: i32 = 0;
    let mut sticky = false;
    for c in digits.chars() {
        let d = c.to_digit(radix)?;
        for k in (0..bits).rev() {
            let bit = u64::from((d >> k) & 1);
            if mantissa < (1 << 63) {
                mantissa = (mantissa << 1) | bit;
            } else {
                dropped = dropped.saturating_add(1);
                sticky |= bit == 1;
            }
        }
    }
    if sticky {
        // Bit 0 lies far below an f64's rounding bit once 64 bits are held,
        // so folding the sticky bits into it keeps the rounding exact.
        mantissa |= 1;
    }
    // `u64 as f64` rounds to nearest-even; scaling by 2^dropped is exact
    // (or overflows to infinity, which `fast-isnumeric` then rejects).
    #[allow(clippy::cast_precision_loss)]
    let value = mantissa as f64;
    Some(value * 2f64.powi(dropped.min(2000)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimal_forms() {
        assert_eq!(js_to_number("42"), Some(42.0));
        assert_eq!(js_to_number(" 42 "), Some(42.0));
        assert_eq!(js_to_number("\u{a0}42\n"), Some(42.0));
        assert_eq!(js_to_number(".5"), Some(0.5));
        assert_eq!(js_to_number("5."), Some(5.0));
        assert_eq!(js_to_number("-4.2e1"), Some(-42.0));
        assert_eq!(js_to_number("+1E+2"), Some(100.0));
        assert_eq!(js_to_number("0099"), Some(99.0));
        assert_eq!(js_to_number(""), Some(0.0));
        for nan in [
            ".", "e5", "5e", "1_000", "inf", "nan", "NaN", "1,5", "--1", "5e+",
        ] {
            assert_eq!(js_to_number(nan), None, "{nan}");
        }
        assert_eq!(js_to_number("-Infinity"), Some(f64::NEG_INFINITY));
        assert_eq!(js_to_number("infinity"), None);
    }

    #[test]
    fn non_decimal_forms() {
        assert_eq!(js_to_number("0x2A"), Some(42.0));
        assert_eq!(js_to_number("0X2a"), Some(42.0));
        assert_eq!(js_to_number("0o17"), Some(15.0));
        assert_eq!(js_to_number("0b101"), Some(5.0));
        assert_eq!(js_to_number("0x"), None);
        assert_eq!(js_to_number("-0x10"), None);
        assert_eq!(js_to_number("0x1g"), None);
        assert_eq!(js_to_number("0b2"), None);
        // 2^64 + 1 rounds to 2^64; 2^53 + 1 rounds to even.
        assert_eq!(
            js_to_number("0x10000000000000001"),
            Some(18446744073709551616.0)
        );
        assert_eq!(js_to_number("0x20000000000001"), Some(9007199254740992.0));
        assert_eq!(js_to_number("0x20000000000003"), Some(9007199254740996.0));
        // Half-way plus a sticky bit far below rounds up.
        assert_eq!(
            js_to_number("0x200000000000010000000001"),
            Some(9007199254740994.0 * 2f64.powi(40))
        );
    }

    #[test]
    fn fast_isnumeric() {
        assert_eq!(numeric_value("42"), Some(42.0));
        assert_eq!(numeric_value(" 42 "), Some(42.0));
        assert_eq!(numeric_value(""), None);
        assert_eq!(numeric_value("  "), None);
        assert_eq!(numeric_value("Infinity"), None);
        assert_eq!(numeric_value("1e400"), None);
        assert_eq!(numeric_value("abc"), None);
        assert!(numeric_value("-0").is_some_and(|v| v == 0.0 && v.is_sign_negative()));
        assert_eq!(numeric_value(&format!("0x{}", "f".repeat(300))), None);
    }
}
