//! Fetches the pinned Dash 4.4.1 front-end packages from the npm registry,
//! checks each tarball against its registry integrity hash, caches it
//! outside the repository and embeds the files the server serves.
//!
//! Environment:
//! - `DASH_RS_NPM_DIR`: a folder that already holds the tarballs (as
//!   `npm pack` names them, e.g. `dash-renderer-3.4.1.tgz`); nothing is
//!   downloaded. Use it for offline builds.
//! - `DASH_RS_CACHE`: the cache folder (default `$HOME/.cache/dash-rs`).
//! - `DOCS_RS` (set by docs.rs) or `DASH_RS_NO_FRONTEND=1`: embed nothing
//!   (docs build with no network); the server then answers 404 for bundles.

use std::fmt::Write as _;
use std::io::Read;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use sha2::Digest as _;

/// Where a file of a tarball is served: the namespace (`dash`/`plotly`),
/// the path inside it, and the version used in the fingerprint.
struct Mapping {
    /// Path inside the tarball (after `package/`): a file, or a folder ending in `/`.
    from: &'static str,
    /// Path under the namespace.
    to: &'static str,
}

struct Package {
    name: &'static str,
    version: &'static str,
    integrity: &'static str,
    namespace: &'static str,
    /// The version written into fingerprints (Dash's owning package).
    fingerprint_version: &'static str,
    files: &'static [Mapping],
}

const PACKAGES: &[Package] = &[
    Package {
        name: "@babel/polyfill",
        version: "7.12.1",
        integrity: "sha512-X0pi0V6gxLi6lFZpGmeNa4zxtwEmCs42isWLNjZZDE0Y8yVfgu0T2OAHlzBbdYlqbW/YXVvoBHpATEM+goCj8g==",
        namespace: "dash",
        fingerprint_version: "4.4.1",
        files: &[Mapping {
            from: "dist/polyfill.min.js",
            to: "deps/polyfill@7.12.1.min.js",
        }],
    },
    Package {
        name: "react",
        version: "18.3.1",
        integrity: "sha512-wS+hAgJShR0KhEvPJArfuPVN1+Hz1t0Y6n5jLrGQbkb4urgPE/0Rve+1kMB1v/oWgHgm4WIcV+i7F2pTVj+2iQ==",
        namespace: "dash",
        fingerprint_version: "4.4.1",
        files: &[
            Mapping {
                from: "umd/react.production.min.js",
                to: "deps/react@18.3.1.min.js",
            },
            Mapping {
                from: "umd/react.development.js",
                to: "deps/react@18.3.1.js",
            },
        ],
    },
    Package {
        name: "react-dom",
        version: "18.3.1",
        integrity: "sha512-5m4nQKp+rZRb09LNH59GM4BxTh9251/ylbKIbpe7TpGxfJ+9kv6BLkLBXIjjspbgbnIBNqlI23tRnTWT0snUIw==",
        namespace: "dash",
        fingerprint_version: "4.4.1",
        files: &[
            Mapping {
                from: "umd/react-dom.production.min.js",
                to: "deps/react-dom@18.3.1.min.js",
            },
            Mapping {
                from: "umd/react-dom.development.js",
                to: "deps/react-dom@18.3.1.js",
            },
        ],
    },
    Package {
        name: "prop-types",
        version: "15.8.1",
        integrity: "sha512-oj87CgZICdulUohogVAR7AjlC0327U4el4L6eAvOqCeudMDVU0NThNaV+b9Df4dXgSP1gXMTnPdhfe/2qDH5cg==",
        namespace: "dash",
        fingerprint_version: "4.4.1",
        files: &[
            Mapping {
                from: "prop-types.min.js",
                to: "deps/prop-types@15.8.1.min.js",
            },
            Mapping {
                from: "prop-types.js",
                to: "deps/prop-types@15.8.1.js",
            },
        ],
    },
    Package {
        name: "dash-renderer",
        version: "3.4.1",
        integrity: "sha512-dbl2emiVjUzX2H/areS3S0ujs5x5yMRkAlij9jlZQ6JtzuoyvuxIh2WM7dDP2VhNu+BSvPRLQjh40TzSUmnLnQ==",
        namespace: "dash",
        fingerprint_version: "4.4.1",
        files: &[Mapping {
            from: "build/",
            to: "dash-renderer/build/",
        }],
    },
    Package {
        name: "dash-core-components",
        version: "4.4.1",
        integrity: "sha512-z0nMEFlzK43NiuXWDtWIntv7xL++rOgk54sFZ4z/PkwvtBPgcHTqG2CQe8x0u9sl0BCwE3BKp4nx/RnMCKU5Eg==",
        namespace: "dash",
        fingerprint_version: "4.4.1",
        files: &[Mapping {
            from: "dash_core_components/",
            to: "dcc/",
        }],
    },
    Package {
        name: "dash-html-components",
        version: "4.4.1",
        integrity: "sha512-QxtGgynPWaOaKihyBquZIWc8CMaWBtHfGc3wUqwqm1qgjn6K+4EX95NuplxoIilduna+BXknT+HplofClGQB4g==",
        namespace: "dash",
        fingerprint_version: "4.4.1",
        files: &[Mapping {
            from: "dash_html_components/",
            to: "html/",
        }],
    },
    Package {
        name: "dash-table",
        version: "7.4.1",
        integrity: "sha512-A5nCbUDSBUp84pzsrGiEuuKWebbmyMQS+EZR+nOsAq9VDrNM3kVxmmAI8qXhrlRyWd9QLEvPZo+cKp5Pwg8Hmw==",
        namespace: "dash",
        fingerprint_version: "7.4.1",
        files: &[Mapping {
            from: "dash_table/",
            to: "dash_table/",
        }],
    },
    Package {
        name: "plotly.js-dist-min",
        version: "4.1.1",
        integrity: "sha512-4Jg6n9FKcn5WBuqHESZmueEBYOLjGlsz8ivzMCl03WCX+GAAOgIALvdONwIi54JDMq0tkxbu+vs5Yj7QSPQtgg==",
        namespace: "plotly",
        fingerprint_version: "4.1.1",
        files: &[Mapping {
            from: "plotly.min.js",
            to: "package_data/plotly.min.js",
        }],
    },
];

type BoxError = Box<dyn std::error::Error>;

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    for var in [
        "DASH_RS_NPM_DIR",
        "DASH_RS_CACHE",
        "DOCS_RS",
        "DASH_RS_NO_FRONTEND",
    ] {
        println!("cargo::rerun-if-env-changed={var}");
    }
    let out_dir = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    let skip = std::env::var_os("DOCS_RS").is_some()
        || std::env::var("DASH_RS_NO_FRONTEND").is_ok_and(|v| v == "1");
    let code = if skip {
        "/// No front-end files were embedded (docs build).\npub(crate) static FRONTEND_FILES: &[crate::assets::BundledFile] = &[];\n".to_owned()
    } else {
        match embed_all(&out_dir) {
            Ok(code) => code,
            Err(e) => {
                // A build script error is the clearest place to say what to do.
                panic!(
                    "dash-core could not get the Dash front-end packages: {e}\n\
                     The first build downloads them from registry.npmjs.org. For an offline build, \
                     set DASH_RS_NPM_DIR to a folder holding the tarballs (npm pack <name>@<version>), \
                     or DASH_RS_NO_FRONTEND=1 to build without them."
                )
            }
        }
    };
    std::fs::write(out_dir.join("frontend_files.rs"), code)
        .expect("write OUT_DIR/frontend_files.rs");
}

fn cache_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("DASH_RS_CACHE") {
        return PathBuf::from(dir);
    }
    match std::env::var_os("HOME") {
        Some(home) => PathBuf::from(home).join(".cache").join("dash-rs"),
        None => {
            PathBuf::from(std::env::var_os("OUT_DIR").unwrap_or_default()).join("dash-rs-cache")
        }
    }
}

/// `@babel/polyfill` → `babel-polyfill`, as `npm pack` names tarballs.
fn tarball_name(p: &Package) -> String {
    format!(
        "{}-{}.tgz",
        p.name.trim_start_matches('@').replace('/', "-"),
        p.version
    )
}

fn tarball_url(p: &Package) -> String {
    let base = p.name.rsplit('/').next().unwrap_or(p.name);
    format!(
        "https://registry.npmjs.org/{}/-/{}-{}.tgz",
        p.name, base, p.version
    )
}

fn check_integrity(p: &Package, bytes: &[u8]) -> Result<(), BoxError> {
    let digest = sha2::Sha512::digest(bytes);
    let got = format!(
        "sha512-{}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    );
    if got != p.integrity {
        return Err(format!(
            "{}@{}: integrity mismatch (expected {}, got {got})",
            p.name, p.version, p.integrity
        )
        .into());
    }
    Ok(())
}

fn fetch_tarball(p: &Package) -> Result<Vec<u8>, BoxError> {
    let name = tarball_name(p);
    if let Some(dir) = std::env::var_os("DASH_RS_NPM_DIR") {
        let path = Path::new(&dir).join(&name);
        let bytes = std::fs::read(&path)
            .map_err(|e| format!("DASH_RS_NPM_DIR: cannot read {}: {e}", path.display()))?;
        check_integrity(p, &bytes)?;
        return Ok(bytes);
    }
    let dir = cache_dir().join("npm");
    let path = dir.join(&name);
    if let Ok(bytes) = std::fs::read(&path)
        && check_integrity(p, &bytes).is_ok()
    {
        return Ok(bytes);
    }
    let url = tarball_url(p);
    // The system's trust store (it may hold a site CA that webpki-roots lacks).
    let tls = ureq::tls::TlsConfig::builder()
        .root_certs(ureq::tls::RootCerts::PlatformVerifier)
        .build();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .tls_config(tls)
        .timeout_global(Some(std::time::Duration::from_secs(300)))
        .build()
        .into();
    let mut resp = agent
        .get(&url)
        .call()
        .map_err(|e| format!("GET {url}: {e}"))?;
    let bytes = resp
        .body_mut()
        .with_config()
        .limit(200 * 1024 * 1024)
        .read_to_vec()
        .map_err(|e| format!("GET {url}: {e}"))?;
    check_integrity(p, &bytes)?;
    std::fs::create_dir_all(&dir)?;
    let tmp = dir.join(format!("{name}.{}.part", std::process::id()));
    std::fs::write(&tmp, &bytes)?;
    std::fs::rename(&tmp, &path)?;
    Ok(bytes)
}

/// Files worth serving: scripts, source maps and the CSS some bundles load.
fn wanted(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    (name.ends_with(".js") || name.ends_with(".js.map") || name.ends_with(".css"))
        && !name.contains("_test")
        && name != "demo.js"
}

fn embed_all(out_dir: &Path) -> Result<String, BoxError> {
    let root = out_dir.join("frontend");
    let mut code = String::from(
        "/// The pinned Dash 4.4.1 front-end files, embedded at build time.\n\
         pub(crate) static FRONTEND_FILES: &[crate::assets::BundledFile] = &[\n",
    );
    for p in PACKAGES {
        let tgz = fetch_tarball(p)?;
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(tgz.as_slice()));
        for entry in archive.entries()? {
            let mut entry = entry?;
            let path = entry.path()?.to_string_lossy().into_owned();
            let Some(inner) = path.strip_prefix("package/") else {
                continue;
            };
            let target = p.files.iter().find_map(|m| {
                if m.from.ends_with('/') {
                    inner
                        .strip_prefix(m.from)
                        .filter(|r| wanted(r))
                        .map(|r| format!("{}{r}", m.to))
                } else {
                    (inner == m.from).then(|| m.to.to_owned())
                }
            });
            let Some(target) = target else { continue };
            let mut bytes = Vec::new();
            entry.read_to_end(&mut bytes)?;
            let file = root.join(p.namespace).join(&target);
            if let Some(parent) = file.parent() {
                std::fs::create_dir_all(parent)?;
            }
            std::fs::write(&file, &bytes)?;
            let etag = hex(&sha2::Sha256::digest(&bytes)[..12]);
            writeln!(
                code,
                "    crate::assets::BundledFile {{ namespace: {:?}, path: {:?}, version: {:?}, etag: {:?}, content: include_bytes!({:?}) }},",
                p.namespace,
                target,
                p.fingerprint_version,
                etag,
                file.display().to_string()
            )?;
        }
    }
    code.push_str("];\n");
    Ok(code)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}
