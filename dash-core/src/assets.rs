//! The front-end files: the pinned Dash packages embedded at build time
//! (see `build.rs`), served at Dash's URLs with fingerprints, caching
//! headers and gzip.

use std::collections::HashMap;
use std::io::Write as _;
use std::sync::{Arc, OnceLock};

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;

/// One embedded file of a front-end package.
#[derive(Debug)]
pub(crate) struct BundledFile {
    /// `dash` or `plotly`.
    pub(crate) namespace: &'static str,
    /// Path under the namespace, e.g. `dcc/dash_core_components.js`.
    pub(crate) path: &'static str,
    /// The version written into the fingerprint.
    pub(crate) version: &'static str,
    /// A content hash, used as ETag and fingerprint.
    pub(crate) etag: &'static str,
    /// The bytes.
    pub(crate) content: &'static [u8],
}

include!(concat!(env!("OUT_DIR"), "/frontend_files.rs"));

/// The Dash version whose front end is embedded.
pub const DASH_VERSION: &str = "4.4.1";

/// Index of the embedded files with a lazily filled gzip cache.
pub(crate) struct Bundles {
    files: HashMap<String, usize>,
    gzipped: Vec<OnceLock<Arc<Vec<u8>>>>,
}

impl Bundles {
    pub(crate) fn new() -> Self {
        let files = FRONTEND_FILES
            .iter()
            .enumerate()
            .map(|(i, f)| (format!("{}/{}", f.namespace, f.path), i))
            .collect();
        Bundles {
            files,
            gzipped: FRONTEND_FILES.iter().map(|_| OnceLock::new()).collect(),
        }
    }

    /// Whether the front end was embedded (it is not in docs builds).
    pub(crate) fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    pub(crate) fn get(&self, namespace: &str, path: &str) -> Option<(usize, &'static BundledFile)> {
        self.files
            .get(&format!("{namespace}/{path}"))
            .map(|i| (*i, &FRONTEND_FILES[*i]))
    }

    /// The fingerprinted URL path (after `_dash-component-suites/`) of a file.
    pub(crate) fn fingerprinted(&self, namespace: &str, path: &str) -> String {
        match self.get(namespace, path) {
            Some((_, f)) => format!("{namespace}/{}", fingerprint(path, f.version, f.etag)),
            None => format!("{namespace}/{path}"),
        }
    }

    fn gzip(&self, i: usize) -> Arc<Vec<u8>> {
        self.gzipped[i]
            .get_or_init(|| {
                let mut enc =
                    flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
                // Writing to a Vec cannot fail.
                let _ = enc.write_all(FRONTEND_FILES[i].content);
                Arc::new(enc.finish().unwrap_or_default())
            })
            .clone()
    }

    /// Answers `GET _dash-component-suites/<namespace>/<path>`.
    pub(crate) fn serve(&self, namespace: &str, raw_path: &str, headers: &HeaderMap) -> Response {
        let (path, fingerprinted) = strip_fingerprint(raw_path);
        let Some((i, file)) = self.get(namespace, &path) else {
            let msg = if self.is_empty() {
                "the Dash front end was not embedded in this build (DASH_RS_NO_FRONTEND or docs build)".to_owned()
            } else {
                format!("no front-end file {namespace}/{raw_path}")
            };
            return crate::server::error_response(StatusCode::NOT_FOUND, &msg);
        };
        let etag = format!("\"{}\"", file.etag);
        let mut builder = Response::builder()
            .header(header::CONTENT_TYPE, content_type(&path))
            .header(header::VARY, "Accept-Encoding");
        if fingerprinted {
            builder = builder.header(header::CACHE_CONTROL, "public, max-age=31536000, immutable");
        } else {
            builder = builder
                .header(header::ETAG, &etag)
                .header(header::CACHE_CONTROL, "public, max-age=0, must-revalidate");
            if headers
                .get(header::IF_NONE_MATCH)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.split(',').any(|t| t.trim() == etag || t.trim() == "*"))
            {
                return builder
                    .status(StatusCode::NOT_MODIFIED)
                    .body(Body::empty())
                    .unwrap_or_default();
            }
        }
        let wants_gzip = headers
            .get(header::ACCEPT_ENCODING)
            .and_then(|v| v.to_str().ok())
            .is_some_and(accepts_gzip);
        let response = if wants_gzip && file.content.len() > 1024 {
            let gz = self.gzip(i);
            builder
                .header(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"))
                .body(Body::from(gz.as_ref().clone()))
        } else {
            builder.body(Body::from(file.content))
        };
        response.unwrap_or_default()
    }
}

fn accepts_gzip(v: &str) -> bool {
    v.split(',').any(|part| {
        let mut it = part.split(';');
        let name = it.next().unwrap_or("").trim();
        let q_zero = it.any(|p| {
            p.trim()
                .strip_prefix("q=")
                .is_some_and(|q| q.trim().parse::<f32>().is_ok_and(|q| q == 0.0))
        });
        (name.eq_ignore_ascii_case("gzip") || name == "*") && !q_zero
    })
}

fn content_type(path: &str) -> &'static str {
    if path.ends_with(".map") || path.ends_with(".json") {
        "application/json"
    } else if path.ends_with(".css") {
        "text/css; charset=utf-8"
    } else {
        "text/javascript; charset=utf-8"
    }
}

/// Dash's fingerprint: `.v<version>m<hash>` inserted after the first dot
/// of the file name (`react@18.3.1.min.js` → `react@18.v4_4_1m….3.1.min.js`).
pub(crate) fn fingerprint(path: &str, version: &str, hash: &str) -> String {
    let (dir, name) = match path.rsplit_once('/') {
        Some((d, n)) => (format!("{d}/"), n),
        None => (String::new(), path),
    };
    let version: String = version
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '_' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let tag = &hash[..hash.len().min(10)];
    match name.split_once('.') {
        Some((head, rest)) => format!("{dir}{head}.v{version}m{tag}.{rest}"),
        None => format!("{dir}{name}.v{version}m{tag}"),
    }
}

/// Removes a `v<version>m<hex>` second name segment, as Dash's server
/// does. Returns the plain path and whether a fingerprint was present.
pub(crate) fn strip_fingerprint(path: &str) -> (String, bool) {
    let (dir, name) = match path.rsplit_once('/') {
        Some((d, n)) => (format!("{d}/"), n),
        None => (String::new(), path),
    };
    let parts: Vec<&str> = name.split('.').collect();
    if parts.len() >= 2 && is_fingerprint(parts[1]) {
        let mut kept = vec![parts[0]];
        kept.extend_from_slice(&parts[2..]);
        (format!("{dir}{}", kept.join(".")), true)
    } else {
        (path.to_owned(), false)
    }
}

fn is_fingerprint(seg: &str) -> bool {
    let Some(rest) = seg.strip_prefix('v') else {
        return false;
    };
    // `^v[\w-]+m[0-9a-fA-F]+$`: the last `m` splits version and hash.
    let Some(m) = rest.rfind('m') else {
        return false;
    };
    let (ver, hash) = (&rest[..m], &rest[m + 1..]);
    !ver.is_empty()
        && ver
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        && !hash.is_empty()
        && hash.chars().all(|c| c.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_round_trip() {
        let f = fingerprint("deps/react@18.3.1.min.js", "4.4.1", "abcdef0123456789");
        assert_eq!(f, "deps/react@18.v4_4_1mabcdef0123.3.1.min.js");
        assert_eq!(
            strip_fingerprint(&f),
            ("deps/react@18.3.1.min.js".into(), true)
        );
        assert_eq!(
            strip_fingerprint("dcc/dash_core_components.v4_4_1m1795700879.js"),
            ("dcc/dash_core_components.js".into(), true)
        );
        assert_eq!(
            strip_fingerprint("dcc/async-graph.js"),
            ("dcc/async-graph.js".into(), false)
        );
    }

    #[test]
    fn gzip_negotiation() {
        assert!(accepts_gzip("gzip, deflate, br"));
        assert!(accepts_gzip("br;q=1.0, gzip;q=0.8"));
        assert!(!accepts_gzip("gzip;q=0"));
        assert!(!accepts_gzip("br"));
    }

    #[test]
    fn the_pinned_set_is_embedded() {
        let b = Bundles::new();
        for (ns, p) in [
            ("dash", "deps/react@18.3.1.min.js"),
            ("dash", "dash-renderer/build/dash_renderer.min.js"),
            ("dash", "dcc/dash_core_components.js"),
            ("dash", "dcc/async-graph.js"),
            ("dash", "html/dash_html_components.min.js"),
            ("dash", "dash_table/bundle.js"),
            ("plotly", "package_data/plotly.min.js"),
        ] {
            assert!(b.get(ns, p).is_some(), "{ns}/{p} missing");
        }
    }
}
