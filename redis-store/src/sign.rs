//! Signed frame references: what a browser holds instead of a bare key.
//!
//! A [`FrameKey`] is a content hash, so anyone who knows a frame's content
//! (a deterministic dataset, a published file) can compute its key. A key
//! alone must therefore not be enough to read a frame through an app: the
//! app hands out a [`FrameRef`] — the key and a tag, blake3 in keyed mode
//! over the key with the app's secret — and accepts back only references
//! whose tag it can recompute ([`Signer::verify`]). Every process of one
//! app shares the secret through the `DASH_SECRET_KEY` environment
//! variable; without it each [`Store`](crate::Store) picks a random one,
//! which is right for one process and refuses references made elsewhere.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::key::FrameKey;

/// The environment variable holding an app's secret (any text; at least
/// 32 random characters are advised). All processes serving one app must
/// share it so a reference made by one is accepted by the others.
pub const SECRET_ENV: &str = "DASH_SECRET_KEY";

const CONTEXT: &str = "redis-store 2026 frame reference v1";

/// Length of a tag in bytes (128 bits).
const TAG_LEN: usize = 16;

/// Makes and checks the tags of [`FrameRef`]s with one secret.
#[derive(Clone)]
pub struct Signer {
    key: [u8; 32],
    /// Whether the secret came from the caller or the environment (and so
    /// is shared with other processes), not picked at random.
    shared: bool,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("shared", &self.shared)
            .finish_non_exhaustive()
    }
}

impl Signer {
    /// A signer over `secret` (any bytes; it is hashed into the key).
    ///
    /// ```
    /// use redis_store::{FrameKey, Signer};
    /// let a = Signer::new(b"one app's secret");
    /// let key = FrameKey::from_bytes([7; 32]);
    /// let r = a.sign(key);
    /// assert_eq!(a.verify(&r).unwrap(), key);
    /// assert!(Signer::new(b"another app").verify(&r).is_err());
    /// ```
    pub fn new(secret: &[u8]) -> Self {
        Signer {
            key: blake3::derive_key(CONTEXT, secret),
            shared: true,
        }
    }

    /// A signer with a random secret: references it makes are accepted by
    /// it (and its clones) only.
    pub fn random() -> Result<Self> {
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret).map_err(|e| Error::Task {
            op: "picking a random secret",
            detail: e.to_string(),
        })?;
        Ok(Signer {
            key: blake3::derive_key(CONTEXT, &secret),
            shared: false,
        })
    }

    /// The signer of [`SECRET_ENV`] when it is set and not empty, else a
    /// random one.
    pub fn from_env() -> Result<Self> {
        match std::env::var(SECRET_ENV) {
            Ok(s) if !s.is_empty() => Ok(Signer::new(s.as_bytes())),
            _ => Signer::random(),
        }
    }

    /// Whether other processes can share this signer's secret (it was
    /// given, not picked at random).
    pub fn is_shared(&self) -> bool {
        self.shared
    }

    fn tag(&self, key: &FrameKey) -> [u8; TAG_LEN] {
        let full = blake3::keyed_hash(&self.key, key.as_bytes());
        let mut tag = [0u8; TAG_LEN];
        tag.copy_from_slice(&full.as_bytes()[..TAG_LEN]);
        tag
    }

    /// The reference to `key` that this signer accepts back.
    pub fn sign(&self, key: FrameKey) -> FrameRef {
        FrameRef {
            key,
            sig: Tag(self.tag(&key)),
        }
    }

    /// The key of `r` when this signer made it; otherwise
    /// [`Error::Forged`]. The comparison takes the same time wherever the
    /// tags differ.
    pub fn verify(&self, r: &FrameRef) -> Result<FrameKey> {
        let want = blake3::Hash::from(pad(self.tag(&r.key)));
        if want == blake3::Hash::from(pad(r.sig.0)) {
            Ok(r.key)
        } else {
            Err(Error::Forged {
                key: r.key.to_hex(),
            })
        }
    }
}

/// A tag in a 32-byte array, for `blake3::Hash`'s constant-time equality.
fn pad(tag: [u8; TAG_LEN]) -> [u8; 32] {
    let mut out = [0u8; 32];
    out[..TAG_LEN].copy_from_slice(&tag);
    out
}

/// The tag of a [`FrameRef`]: 32 lowercase hex characters on the wire.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct Tag([u8; TAG_LEN]);

impl fmt::Debug for Tag {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl Serialize for Tag {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(&format_args!("{self:?}"))
    }
}

impl<'de> Deserialize<'de> for Tag {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(d)?;
        parse_tag(&s).map_err(serde::de::Error::custom)
    }
}

fn parse_tag(s: &str) -> Result<Tag> {
    let bad = || {
        Error::malformed(
            s,
            "the signature must be 32 lowercase hex characters, as the app handed it out",
        )
    };
    if s.len() != TAG_LEN * 2 {
        return Err(bad());
    }
    let mut tag = [0u8; TAG_LEN];
    for (i, pair) in s.as_bytes().chunks_exact(2).enumerate() {
        let digit = |c: u8| match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            _ => None,
        };
        tag[i] = (digit(pair[0]).ok_or_else(bad)? << 4) | digit(pair[1]).ok_or_else(bad)?;
    }
    Ok(Tag(tag))
}

/// What a `dcc.Store` holds for a stored frame:
/// `{"key": "<64 hex>", "sig": "<32 hex>"}` — the frame's key and the
/// app's signature of it (see the [module docs](self)).
///
/// Made only by a [`Signer`] (or [`Store::put_ref`](crate::Store::put_ref)
/// / [`Store::sign`](crate::Store::sign)); its key is read back only
/// through [`Signer::verify`] / [`Store::verify`](crate::Store::verify),
/// so a callback cannot use a key it did not hand out by mistake.
/// Deserializing checks the shape; unknown fields are ignored, so an AIO
/// component may add its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FrameRef {
    key: FrameKey,
    sig: Tag,
}

impl FrameRef {
    /// Reads a `FrameRef` from a JSON value (a `dcc.Store`'s `data`),
    /// mapping any shape, key or signature problem to
    /// [`Error::MalformedKey`]. Whether the app made it is
    /// [`Signer::verify`]'s question.
    pub fn from_json(value: &serde_json::Value) -> Result<Self> {
        let field = |name: &str| {
            let v = value.get(name).ok_or_else(|| {
                Error::malformed(
                    &value.to_string(),
                    "expected an object with \"key\" and \"sig\" fields, as the app handed it out",
                )
            })?;
            v.as_str()
                .ok_or_else(|| Error::malformed(&v.to_string(), "the field must be a string"))
        };
        Ok(FrameRef {
            key: FrameKey::parse(field("key")?)?,
            sig: parse_tag(field("sig")?)?,
        })
    }

    /// The key this reference claims, not yet verified: for logs and
    /// messages only.
    pub fn claimed_key(&self) -> FrameKey {
        self.key
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_verify_only_with_their_secret() {
        let s = Signer::new(b"secret");
        let key = FrameKey::from_bytes([3; 32]);
        let r = s.sign(key);
        assert_eq!(s.verify(&r).unwrap(), key);
        assert_eq!(Signer::new(b"secret").verify(&r).unwrap(), key);
        let e = Signer::new(b"other").verify(&r).unwrap_err();
        assert!(matches!(e, Error::Forged { .. }), "{e}");
        assert!(Signer::random().unwrap().verify(&r).is_err());
        // Another key under this tag, or a tag with one bit changed.
        let moved = FrameRef {
            key: FrameKey::from_bytes([4; 32]),
            sig: r.sig,
        };
        assert!(s.verify(&moved).is_err());
        let mut sig = r.sig;
        sig.0[15] ^= 1;
        assert!(s.verify(&FrameRef { key, sig }).is_err());
    }

    #[test]
    fn references_travel_as_json() {
        let s = Signer::new(b"secret");
        let r = s.sign(FrameKey::from_bytes([0xab; 32]));
        let v = serde_json::to_value(r).unwrap();
        assert_eq!(v["key"], "ab".repeat(32));
        assert_eq!(v["sig"].as_str().unwrap().len(), 32);
        assert_eq!(FrameRef::from_json(&v).unwrap(), r);
        assert_eq!(serde_json::from_value::<FrameRef>(v.clone()).unwrap(), r);
        // Unknown fields are ignored (an AIO component may add its own).
        let mut extra = v.clone();
        extra["extra"] = serde_json::json!(1);
        assert_eq!(FrameRef::from_json(&extra).unwrap(), r);
        for bad in [
            serde_json::json!({"key": "ab".repeat(32)}),
            serde_json::json!({"key": "ab".repeat(32), "sig": "AB".repeat(16)}),
            serde_json::json!({"key": "ab".repeat(32), "sig": "ab"}),
            serde_json::json!({"key": "ab".repeat(32), "sig": 1}),
            serde_json::json!({"key": "x", "sig": "ab".repeat(16)}),
            serde_json::Value::Null,
        ] {
            assert!(FrameRef::from_json(&bad).is_err(), "{bad}");
            assert!(serde_json::from_value::<FrameRef>(bad).is_err());
        }
    }
}
