//! Keys: what travels through the browser, and what a backend is addressed by.
//!
//! A key is a 32-byte blake3 hash written as 64 lowercase hex characters. The
//! browser only ever sees that string. A backend is addressed by a [`Slot`],
//! which can only be built from a parsed key, so the Redis key
//! `<namespace>:frame:<hash>` is always assembled on the server: whatever a
//! client sends, it cannot name a Redis key outside the store's namespace.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{Error, Result};

/// Length of a key in hex characters.
pub const KEY_HEX_LEN: usize = 64;

/// Parse 64 lowercase hex characters into 32 bytes.
fn parse_hash(input: &str) -> Result<[u8; 32]> {
    if input.len() != KEY_HEX_LEN {
        return Err(Error::malformed(
            input,
            "it must be exactly 64 characters long",
        ));
    }
    let bytes = input.as_bytes();
    let mut out = [0u8; 32];
    for (i, pair) in bytes.chunks_exact(2).enumerate() {
        let hi = hex_value(pair[0]).ok_or_else(|| bad_char(input))?;
        let lo = hex_value(pair[1]).ok_or_else(|| bad_char(input))?;
        out[i] = (hi << 4) | lo;
    }
    Ok(out)
}

fn bad_char(input: &str) -> Error {
    Error::malformed(
        input,
        "it may only contain the characters 0-9 and a-f (lowercase)",
    )
}

fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    }
}

fn write_hex(hash: &[u8; 32], f: &mut fmt::Formatter<'_>) -> fmt::Result {
    for b in hash {
        write!(f, "{b:02x}")?;
    }
    Ok(())
}

macro_rules! hash_key {
    ($(#[$doc:meta])* $name:ident, $kind:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name([u8; 32]);

        impl $name {
            /// Parse and validate a key, e.g. one that came back from a browser.
            ///
            /// Accepts exactly 64 lowercase hex characters; anything else is
            /// [`Error::MalformedKey`].
            pub fn parse(input: &str) -> Result<Self> {
                parse_hash(input).map(Self)
            }

            /// Wrap 32 raw hash bytes.
            pub fn from_bytes(bytes: [u8; 32]) -> Self {
                Self(bytes)
            }

            /// The 32 raw hash bytes.
            pub fn as_bytes(&self) -> &[u8; 32] {
                &self.0
            }

            /// The key as 64 lowercase hex characters (same as `to_string()`).
            pub fn to_hex(&self) -> String {
                self.to_string()
            }

            /// The backend slot this key addresses.
            pub fn slot(&self) -> Slot {
                Slot { kind: Kind::$kind, hash: self.0 }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write_hex(&self.0, f)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, concat!(stringify!($name), "("))?;
                write_hex(&self.0, f)?;
                write!(f, ")")
            }
        }

        impl FromStr for $name {
            type Err = Error;
            fn from_str(s: &str) -> Result<Self> {
                Self::parse(s)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
                serializer.collect_str(self)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
                let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
                Self::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

hash_key!(
    /// The key of a stored frame: the blake3 hash of its encoding.
    ///
    /// Equal frames get equal keys, so a key names its content forever and
    /// never goes stale. It serializes (serde) as its 64-hex string, which is
    /// what a `dcc.Store` holds; deserializing validates it.
    ///
    /// ```
    /// use redis_store::FrameKey;
    /// let key = FrameKey::parse(&"ab".repeat(32)).unwrap();
    /// assert_eq!(serde_json::to_string(&key).unwrap(), format!("\"{}\"", "ab".repeat(32)));
    /// assert!(FrameKey::parse("../../etc/passwd").is_err());
    /// ```
    FrameKey,
    Frame
);

hash_key!(
    /// The key of a cache entry (bytes or JSON), chosen by the caller, e.g.
    /// with [`CacheKey::derive`] over a callback's id, version and arguments.
    CacheKey,
    Cache
);

impl CacheKey {
    /// Derive a key from parts (e.g. callback id, version, serialized
    /// arguments). Parts are length-prefixed, so `["ab", "c"]` and
    /// `["a", "bc"]` give different keys.
    pub fn derive<I, P>(parts: I) -> Self
    where
        I: IntoIterator<Item = P>,
        P: AsRef<[u8]>,
    {
        let mut hasher = blake3::Hasher::new_derive_key("redis-store 2026 cache key v1");
        for part in parts {
            let part = part.as_ref();
            hasher.update(&(part.len() as u64).to_le_bytes());
            hasher.update(part);
        }
        Self(*hasher.finalize().as_bytes())
    }
}

/// Which kind of value a [`Slot`] holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Kind {
    /// An encoded frame; its hash is the blake3 of the value, so the value
    /// under a slot never changes.
    Frame,
    /// A cache entry; the caller picks the key, the value may be replaced.
    Cache,
}

impl Kind {
    /// The word used in backend key names: `frame` or `cache`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Frame => "frame",
            Kind::Cache => "cache",
        }
    }

    /// A human name for messages.
    pub fn what(self) -> &'static str {
        match self {
            Kind::Frame => "frame",
            Kind::Cache => "cache entry",
        }
    }

    /// True when the value under a slot of this kind can never change.
    pub fn is_content_addressed(self) -> bool {
        matches!(self, Kind::Frame)
    }
}

/// The address of a value in a [`Backend`](crate::Backend): a kind and a
/// validated 32-byte hash. Built only from a [`FrameKey`] or [`CacheKey`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Slot {
    kind: Kind,
    hash: [u8; 32],
}

impl Slot {
    /// The kind of value.
    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The raw hash.
    pub fn hash(&self) -> &[u8; 32] {
        &self.hash
    }

    /// The hash as 64 lowercase hex characters.
    pub fn hex(&self) -> String {
        self.to_string()
    }

    /// A [`Error::NotFound`] for this slot.
    pub fn not_found(&self) -> Error {
        Error::NotFound {
            key: self.hex(),
            what: self.kind.what(),
        }
    }
}

impl fmt::Display for Slot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_hex(&self.hash, f)
    }
}

impl fmt::Debug for Slot {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Slot({}:", self.kind.as_str())?;
        write_hex(&self.hash, f)?;
        write!(f, ")")
    }
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn rejects_bad_input_with_reasons() {
        for (input, needle) in [
            ("", "64 characters"),
            ("abc", "64 characters"),
            (&"A".repeat(64)[..], "lowercase"),
            (&format!("{}g", "a".repeat(63))[..], "0-9"),
            (&format!("{}:", "a".repeat(63))[..], "0-9"),
            (&"a".repeat(65)[..], "64 characters"),
        ] {
            let err = FrameKey::parse(input).expect_err(input);
            assert!(err.to_string().contains(needle), "{input}: {err}");
        }
        // a multi-byte character that makes the byte length 64 is rejected too
        let sneaky = format!("{}é", "a".repeat(62));
        assert_eq!(sneaky.len(), 64);
        assert!(FrameKey::parse(&sneaky).is_err());
    }

    #[test]
    fn serde_uses_the_hex_string_and_validates() {
        let key = FrameKey::from_bytes([0xab; 32]);
        let json = serde_json::to_string(&key).unwrap();
        assert_eq!(json, format!("\"{}\"", "ab".repeat(32)));
        let back: FrameKey = serde_json::from_str(&json).unwrap();
        assert_eq!(back, key);
        assert!(serde_json::from_str::<FrameKey>("\"*\"").is_err());
    }

    #[test]
    fn derive_is_length_prefixed() {
        assert_ne!(CacheKey::derive(["ab", "c"]), CacheKey::derive(["a", "bc"]));
        assert_eq!(CacheKey::derive(["a", "b"]), CacheKey::derive(["a", "b"]));
    }

    proptest! {
        #[test]
        fn hex_round_trips(bytes in proptest::array::uniform32(any::<u8>())) {
            let key = FrameKey::from_bytes(bytes);
            let hex = key.to_hex();
            // naive reference: format each byte
            let naive: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            prop_assert_eq!(&hex, &naive);
            prop_assert_eq!(FrameKey::parse(&hex).unwrap(), key);
        }

        #[test]
        fn parse_accepts_exactly_lowercase_hex(s in "\\PC{0,70}") {
            let ok = s.len() == 64 && s.bytes().all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c));
            prop_assert_eq!(FrameKey::parse(&s).is_ok(), ok);
        }
    }
}
