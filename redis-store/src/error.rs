//! The crate's one error type.

use std::time::Duration;

/// A result whose error is this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong when storing or loading a frame.
///
/// Each message says what was wrong and, where there is one, what to do.
/// [`Error::NotFound`] is the one a UI usually shows to its user ("this data
/// expired — reload"); [`Error::Unavailable`] means the service behind the store
/// is down, the store keeps working and reconnects by itself.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A key (usually from a browser) that is not 64 lowercase hex characters.
    #[error(
        "malformed store key {input}: {reason}; a key is the 64 lowercase hex characters returned by `Store::put`"
    )]
    MalformedKey {
        /// The offending input, quoted, escaped and cut to 80 characters.
        input: String,
        /// What is wrong with it.
        reason: &'static str,
    },

    /// A frame reference this app did not hand out: its signature does not
    /// match its key (made up, altered, or signed with another secret).
    #[error(
        "the data reference for key {key} was not handed out by this app (its signature does not match); reload the page, and give every process of the app the same DASH_SECRET_KEY"
    )]
    Forged {
        /// The key the reference claimed, as 64 hex characters.
        key: String,
    },

    /// The key is well formed but nothing is stored under it (never stored,
    /// expired, evicted or deleted).
    #[error(
        "no {what} is stored under key {key}: it expired, was evicted or was never stored; reload the data"
    )]
    NotFound {
        /// The key, as 64 hex characters.
        key: String,
        /// What was looked up (`"frame"` or `"cache entry"`).
        what: &'static str,
    },

    /// The stored bytes do not hash to their key or checksum: the value was
    /// corrupted or tampered with. It is never decoded.
    #[error(
        "integrity check failed for key {key}: {detail}; the stored value is corrupt, delete it and store the data again"
    )]
    Integrity {
        /// The key, as 64 hex characters.
        key: String,
        /// What did not match.
        detail: String,
    },

    /// A value larger than the configured bound: refused before it can
    /// exhaust memory.
    #[error(
        "{what} of {size} bytes exceeds the limit of {limit} bytes; raise the limit in the store's configuration or store a smaller frame"
    )]
    TooLarge {
        /// What was too large (e.g. `"encoded frame"`).
        what: &'static str,
        /// Its size in bytes.
        size: u64,
        /// The configured limit in bytes.
        limit: u64,
    },

    /// The backing service (Redis) cannot be reached or did not answer in
    /// time. The store reconnects by itself when the service returns.
    #[error(
        "{target} is unavailable ({detail}); is it running? the store reconnects when it returns"
    )]
    Unavailable {
        /// The service, with credentials removed (e.g. `redis://127.0.0.1:6379/`).
        target: String,
        /// What happened.
        detail: String,
    },

    /// A command did not complete within the configured timeout.
    #[error("{target} did not answer {op} within {after:?}; it may be overloaded or unreachable")]
    Timeout {
        /// The service, with credentials removed.
        target: String,
        /// The operation that timed out.
        op: &'static str,
        /// The timeout that elapsed.
        after: Duration,
    },

    /// The backing service answered with an error (e.g. Redis out of memory).
    #[error("{target} refused {op}: {detail}")]
    Backend {
        /// The service, with credentials removed.
        target: String,
        /// The operation that failed.
        op: &'static str,
        /// The service's message.
        detail: String,
    },

    /// A frame could not be encoded as Arrow IPC.
    #[error("could not encode the frame as Arrow IPC: {0}")]
    Encode(#[source] polars::error::PolarsError),

    /// Stored bytes hashed correctly but could not be decoded (e.g. written by
    /// a build with a data type this build does not know).
    #[error("could not decode the stored frame {key}: {source}")]
    Decode {
        /// The key, as 64 hex characters.
        key: String,
        /// The decoder's error.
        #[source]
        source: polars::error::PolarsError,
    },

    /// A cache entry could not be converted to or from JSON.
    #[error("cache entry is not the expected JSON: {0}")]
    Json(#[from] serde_json::Error),

    /// Invalid configuration (URL, namespace, sizes).
    #[error("invalid store configuration: {0}")]
    Config(String),

    /// Encoding or decoding ran on a blocking thread that panicked or was
    /// cancelled (the runtime is shutting down).
    #[error("background {op} task failed: {detail}")]
    Task {
        /// The operation (`"encode"` or `"decode"`).
        op: &'static str,
        /// What happened.
        detail: String,
    },
}

impl Error {
    /// True for [`Error::NotFound`]: the data expired or never existed.
    pub fn is_not_found(&self) -> bool {
        matches!(self, Error::NotFound { .. })
    }

    /// True when the backing service is down or slow ([`Error::Unavailable`]
    /// or [`Error::Timeout`]): retrying later may succeed.
    pub fn is_unavailable(&self) -> bool {
        matches!(self, Error::Unavailable { .. } | Error::Timeout { .. })
    }

    /// Build a [`Error::MalformedKey`], quoting and shortening the input so an
    /// attacker cannot flood logs through it.
    pub(crate) fn malformed(input: &str, reason: &'static str) -> Self {
        let mut shown: String = input.chars().take(80).collect();
        if shown.len() < input.len() {
            shown.push('…');
        }
        Error::MalformedKey {
            input: format!("{shown:?}"),
            reason,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn malformed_input_is_quoted_and_cut() {
        let long = "x".repeat(500);
        let Error::MalformedKey { input, .. } = Error::malformed(&long, "r") else {
            panic!("wrong variant");
        };
        assert!(input.len() < 100, "{input}");
        assert!(input.starts_with('"'));
        let Error::MalformedKey { input, .. } = Error::malformed("a\nb", "r") else {
            panic!("wrong variant");
        };
        assert_eq!(input, "\"a\\nb\"");
    }

    #[test]
    fn messages_say_what_to_do() {
        let e = Error::NotFound {
            key: "ab".into(),
            what: "frame",
        };
        assert!(e.to_string().contains("reload"));
        assert!(e.is_not_found());
        let e = Error::Unavailable {
            target: "redis://h/".into(),
            detail: "refused".into(),
        };
        assert!(e.is_unavailable());
        assert!(e.to_string().contains("reconnects"));
    }
}
