//! Signed job handles: what the browser holds for a background job.
//!
//! A handle is `<value>~<tag>`: the job id (or cache key) and 128 bits of
//! blake3 in keyed mode over a scope (`job` or `cacheKey`) and the value,
//! with a key derived from the app's secret. A client cannot poll, cancel
//! or supersede a job whose handle it was not given, and a cache key made
//! for one scope is not accepted as the other.

use std::fmt;

/// The environment variable holding an app's secret, shared by every
/// process of one app (the same variable `redis-store` signs frame
/// references with). Unset, each process picks a random one.
pub const SECRET_ENV: &str = "DASH_SECRET_KEY";

const CONTEXT: &str = "dash-core 2026 background job handle v1";
const TAG_HEX: usize = 32;
/// Longest value a handle carries (a job id with its `MATCH` values).
const MAX_VALUE: usize = 1024;

/// What a handle names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    Job,
    CacheKey,
}

impl Scope {
    fn as_str(self) -> &'static str {
        match self {
            Scope::Job => "job",
            Scope::CacheKey => "cacheKey",
        }
    }
}

/// Signs and checks handles with one secret.
#[derive(Clone)]
pub(crate) struct Handles {
    key: [u8; 32],
}

impl fmt::Debug for Handles {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Handles(..)")
    }
}

impl Handles {
    pub(crate) fn new(secret: &[u8]) -> Self {
        Handles {
            key: blake3::derive_key(CONTEXT, secret),
        }
    }

    /// Handles over `DASH_SECRET_KEY`, or over a random secret.
    pub(crate) fn from_env() -> Self {
        match std::env::var(SECRET_ENV) {
            Ok(s) if !s.is_empty() => Handles::new(s.as_bytes()),
            _ => {
                let mut secret = [0u8; 32];
                if getrandom::fill(&mut secret).is_err() {
                    // No OS randomness: a per-process value still differs
                    // between processes and runs.
                    let fallback =
                        format!("{:?}{}", std::time::SystemTime::now(), std::process::id());
                    secret = *blake3::hash(fallback.as_bytes()).as_bytes();
                }
                Handles::new(&secret)
            }
        }
    }

    fn tag(&self, scope: Scope, value: &str) -> String {
        let mut h = blake3::Hasher::new_keyed(&self.key);
        h.update(scope.as_str().as_bytes());
        h.update(&[0]);
        h.update(value.as_bytes());
        let hex = h.finalize().to_hex();
        hex[..TAG_HEX].to_owned()
    }

    /// The handle of `value` in `scope`.
    pub(crate) fn sign(&self, scope: Scope, value: &str) -> String {
        format!("{value}~{}", self.tag(scope, value))
    }

    /// The value of a handle this app signed for `scope`, or `None`.
    pub(crate) fn verify<'a>(&self, scope: Scope, handle: &'a str) -> Option<&'a str> {
        let (value, tag) = handle.rsplit_once('~')?;
        if value.is_empty() || value.len() > MAX_VALUE || tag.len() != TAG_HEX {
            return None;
        }
        let want = self.tag(scope, value);
        // Constant time over the tag's bytes.
        let diff = want
            .bytes()
            .zip(tag.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b));
        (diff == 0).then_some(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_this_apps_handles_of_the_right_scope_verify() {
        let a = Handles::new(b"app a");
        let h = a.sign(Scope::Job, "0123abcd");
        assert_eq!(a.verify(Scope::Job, &h), Some("0123abcd"));
        assert_eq!(a.verify(Scope::CacheKey, &h), None);
        assert_eq!(Handles::new(b"app b").verify(Scope::Job, &h), None);
        let forged = format!("0123abce~{}", &h[9..]);
        assert_eq!(a.verify(Scope::Job, &forged), None);
        for bad in ["", "~", "abc", "abc~", "~0123", &"a".repeat(3000)] {
            assert_eq!(a.verify(Scope::Job, bad), None, "{bad}");
        }
    }
}
