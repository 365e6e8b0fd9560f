//! Date and datetime cell text written on the stack, as chrono writes it.

use polars::prelude::*;

/// Ticks per second of a time unit.
pub(super) fn per_second(unit: TimeUnit) -> i64 {
    match unit {
        TimeUnit::Nanoseconds => 1_000_000_000,
        TimeUnit::Microseconds => 1_000_000,
        TimeUnit::Milliseconds => 1_000,
    }
}

/// A date or datetime's cell text, made on the stack: `YYYY-MM-DD` or
/// `YYYY-MM-DDTHH:MM:SS[.fff|.ffffff|.fffffffff]`, exactly as chrono's
/// `%Y-%m-%d` / `%Y-%m-%dT%H:%M:%S%.f` write it for years 0000–9999
/// (other years are `None`: chrono writes those with a sign).
#[derive(Debug)]
pub(super) struct DateText {
    buf: [u8; 32],
    len: usize,
}

impl DateText {
    /// The date `days` after 1970-01-01.
    pub(super) fn date(days: i64) -> Option<DateText> {
        let (y, m, d) = super::js::civil_from_days(days);
        if !(0..=9999).contains(&y) {
            return None;
        }
        let mut t = DateText {
            buf: [0; 32],
            len: 0,
        };
        t.digits(y, 4);
        t.push(b'-');
        t.digits(i64::from(m), 2);
        t.push(b'-');
        t.digits(i64::from(d), 2);
        Some(t)
    }

    /// The datetime `ticks` after the epoch, `per_second` ticks a second.
    pub(super) fn datetime(ticks: i64, per_second: i64) -> Option<DateText> {
        let secs = ticks.div_euclid(per_second);
        let nanos = ticks.rem_euclid(per_second) * (1_000_000_000 / per_second);
        let (days, sod) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
        let mut t = DateText::date(days)?;
        t.push(b'T');
        t.digits(sod / 3600, 2);
        t.push(b':');
        t.digits(sod / 60 % 60, 2);
        t.push(b':');
        t.digits(sod % 60, 2);
        if nanos != 0 {
            t.push(b'.');
            if nanos % 1_000_000 == 0 {
                t.digits(nanos / 1_000_000, 3);
            } else if nanos % 1_000 == 0 {
                t.digits(nanos / 1_000, 6);
            } else {
                t.digits(nanos, 9);
            }
        }
        Some(t)
    }

    /// The text.
    pub(super) fn as_str(&self) -> &str {
        // Only ASCII digits and separators are ever pushed.
        std::str::from_utf8(self.as_bytes()).unwrap_or_default()
    }

    /// The text's bytes (ASCII digits and separators only).
    pub(super) fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }

    fn push(&mut self, b: u8) {
        self.buf[self.len] = b;
        self.len += 1;
    }

    /// Appends `n` (0 ≤ n < 10^width, width ≤ 9) zero-padded to `width`
    /// digits, two at a time.
    fn digits(&mut self, n: i64, width: u32) {
        const PAIRS: &[u8; 200] = b"0001020304050607080910111213141516171819\
            2021222324252627282930313233343536373839\
            4041424344454647484950515253545556575859\
            6061626364656667686970717273747576777879\
            8081828384858687888990919293949596979899";
        let width = width as usize;
        let end = self.len + width;
        let (mut n, mut at) = (n.unsigned_abs(), end);
        while at >= self.len + 2 {
            let pair = (n % 100) as usize * 2;
            self.buf[at - 2..at].copy_from_slice(&PAIRS[pair..pair + 2]);
            n /= 100;
            at -= 2;
        }
        if at > self.len {
            self.buf[at - 1] = b'0' + (n % 10) as u8;
        }
        self.len = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_text_is_chrono_text() {
        for days in [-719_528i64, -1, 0, 59, 2_932_896] {
            let want = chrono_date(days);
            assert_eq!(DateText::date(days).map(|t| t.as_str().to_owned()), want);
        }
        assert!(DateText::date(-719_529).is_none());
        assert!(DateText::date(2_932_897).is_none());
    }

    fn chrono_date(days: i64) -> Option<String> {
        let s = Int32Chunked::from_vec("d".into(), vec![days as i32])
            .into_date()
            .to_string("%Y-%m-%d")
            .unwrap();
        s.get(0).map(str::to_owned)
    }
}
