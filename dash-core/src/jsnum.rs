//! JavaScript's `Number.prototype.toString()` for `f64` (ECMAScript
//! Number::toString, radix 10), so IDs and keys match the browser's text.

/// Formats `x` exactly as JavaScript's `String(x)` does.
///
/// Rust's `{:e}` formatting yields the shortest digits that round-trip,
/// which is what ECMAScript asks for; only the layout differs.
pub(crate) fn format_js_number(x: f64) -> String {
    if x.is_nan() {
        return "NaN".into();
    }
    if x == 0.0 {
        return "0".into();
    }
    if x.is_infinite() {
        return if x > 0.0 { "Infinity" } else { "-Infinity" }.into();
    }
    let sign = if x < 0.0 { "-" } else { "" };
    let sci = format!("{:e}", x.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let e: i32 = exp.parse().unwrap_or(0);
    let k = digits.len() as i32;
    // n is the position of the decimal point relative to the digits.
    let n = e + 1;
    let body = if k <= n && n <= 21 {
        let mut s = digits.clone();
        s.extend(std::iter::repeat_n('0', (n - k) as usize));
        s
    } else if 0 < n && n <= 21 {
        format!("{}.{}", &digits[..n as usize], &digits[n as usize..])
    } else if -6 < n && n <= 0 {
        format!("0.{}{}", "0".repeat((-n) as usize), digits)
    } else {
        let exp_sign = if n - 1 < 0 { '-' } else { '+' };
        let e_abs = (n - 1).abs();
        if k == 1 {
            format!("{digits}e{exp_sign}{e_abs}")
        } else {
            format!("{}.{}e{exp_sign}{e_abs}", &digits[..1], &digits[1..])
        }
    };
    format!("{sign}{body}")
}

#[cfg(test)]
mod tests {
    use super::format_js_number as f;

    #[test]
    fn matches_javascript() {
        assert_eq!(f(1.0), "1");
        assert_eq!(f(-1.5), "-1.5");
        assert_eq!(f(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(f(1e21), "1e+21");
        assert_eq!(f(1e20), "100000000000000000000");
        assert_eq!(f(123456789012345680000.0), "123456789012345680000");
        assert_eq!(f(0.000001), "0.000001");
        assert_eq!(f(0.0000001), "1e-7");
        assert_eq!(f(1.5e-7), "1.5e-7");
        assert_eq!(f(5e-324), "5e-324");
        assert_eq!(f(1.7976931348623157e308), "1.7976931348623157e+308");
        assert_eq!(f(-0.0), "0");
        assert_eq!(f(f64::NAN), "NaN");
        assert_eq!(f(123.456), "123.456");
    }
}
