//! The front-end files: the pinned Dash packages embedded at build time
//! (see `build.rs`) and the files of every component library an app
//! registers, served at Dash's URLs with fingerprints, caching headers and
//! gzip.

use std::collections::HashMap;
use std::io::Write as _;
use std::sync::OnceLock;

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::Response;
use bytes::Bytes;

use crate::http_util::error_response;
use crate::library::ComponentLibrary;

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

/// The packages and paths of the renderer's own files (React, the
/// renderer, polyfills): linked by the index page itself. Every other
/// embedded file belongs to a component library ([`crate::builtin`]).
pub(crate) fn is_renderer_file(f: &BundledFile) -> bool {
    f.namespace == "dash" && (f.path.starts_with("deps/") || f.path.starts_with("dash-renderer/"))
}

/// One file served under `_dash-component-suites/`.
struct SuiteFile {
    content: Bytes,
    version: String,
    etag: String,
    gzipped: OnceLock<Bytes>,
}

/// Every file an app serves under `_dash-component-suites/<package>/`:
/// the renderer's and each component library's, with a lazily filled
/// gzip cache.
pub(crate) struct Suites {
    files: HashMap<String, SuiteFile>,
    embedded: bool,
}

impl Suites {
    /// The renderer's files and those of `libraries`. Two libraries may
    /// share a package but not a file.
    pub(crate) fn new(libraries: &[ComponentLibrary]) -> Result<Self, crate::Error> {
        let mut files = HashMap::new();
        for f in FRONTEND_FILES.iter().filter(|f| is_renderer_file(f)) {
            files.insert(
                format!("{}/{}", f.namespace, f.path),
                SuiteFile {
                    content: Bytes::from_static(f.content),
                    version: f.version.to_owned(),
                    etag: f.etag.to_owned(),
                    gzipped: OnceLock::new(),
                },
            );
        }
        for lib in libraries {
            lib.validate()?;
            for f in &lib.files {
                let key = format!("{}/{}", lib.package, f.path);
                let file = SuiteFile {
                    content: f.content.clone(),
                    version: lib.version.clone(),
                    etag: f.etag().to_owned(),
                    gzipped: OnceLock::new(),
                };
                if files.insert(key.clone(), file).is_some() {
                    return Err(crate::Error::Config(format!(
                        "two component libraries serve the file {key}; give each library its own package name"
                    )));
                }
            }
        }
        Ok(Suites {
            files,
            embedded: !FRONTEND_FILES.is_empty(),
        })
    }

    fn get(&self, package: &str, path: &str) -> Option<&SuiteFile> {
        self.files.get(&format!("{package}/{path}"))
    }

    /// The fingerprinted URL path (after `_dash-component-suites/`) of a file.
    pub(crate) fn fingerprinted(&self, package: &str, path: &str) -> String {
        match self.get(package, path) {
            Some(f) => format!("{package}/{}", fingerprint(path, &f.version, &f.etag)),
            None => format!("{package}/{path}"),
        }
    }

    fn gzip(file: &SuiteFile) -> Bytes {
        file.gzipped
            .get_or_init(|| {
                let mut enc =
                    flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
                // Writing to a Vec cannot fail.
                let _ = enc.write_all(&file.content);
                Bytes::from(enc.finish().unwrap_or_default())
            })
            .clone()
    }

    /// Answers `GET _dash-component-suites/<package>/<path>`.
    pub(crate) fn serve(&self, package: &str, raw_path: &str, headers: &HeaderMap) -> Response {
        let (path, fingerprinted) = strip_fingerprint(raw_path);
        let Some(file) = self.get(package, &path) else {
            let msg = if !self.embedded && package == "dash" {
                "the Dash front end was not embedded in this build (DASH_RS_NO_FRONTEND or docs build)".to_owned()
            } else {
                format!("no front-end file {package}/{raw_path}")
            };
            return error_response(StatusCode::NOT_FOUND, &msg);
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
            builder
                .header(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"))
                .body(Body::from(Self::gzip(file)))
        } else {
            builder.body(Body::from(file.content.clone()))
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
        let mut app = crate::Dash::new();
        let b = Suites::new(&std::mem::take(&mut app.libraries)).unwrap();
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
        // Two libraries may not serve the same file.
        let twice = [
            ComponentLibrary::new("lib", "1").script("a.js", &b"1"[..]),
            ComponentLibrary::new("lib", "2").script("a.js", &b"2"[..]),
        ];
        assert!(Suites::new(&twice).is_err());
        let beside = [
            ComponentLibrary::new("lib", "1").script("a.js", &b"1"[..]),
            ComponentLibrary::new("lib", "2").script("b.js", &b"2"[..]),
        ];
        assert!(Suites::new(&beside).is_ok());
    }
}
