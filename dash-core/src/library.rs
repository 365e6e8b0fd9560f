//! Front-end files an app serves: [`ComponentLibrary`] — a JS component
//! library (its bundle, async chunks, CSS and `children_props`), or just
//! the stylesheet an All-in-One component brings.
//!
//! Files are served at `_dash-component-suites/<package>/<path>`, as Dash
//! serves a Python component package; scripts and stylesheets are linked
//! in the index page with a fingerprint (`.v<version>m<hash>`), so
//! browsers cache them for a year. The html, dcc and dash_table
//! libraries of Dash itself are registered this same way
//! ([`crate::builtin`]).
//!
//! ```
//! use dash_core::{ComponentLibrary, Dash};
//! static BUNDLE: &[u8] = b"window.my_gauges = { Gauge: function () { return null; } };";
//! let lib = ComponentLibrary::new("my_gauges", "0.3.0")
//!     .script("my_gauges.min.js", BUNDLE)
//!     .stylesheet("my_gauges.css", &b".gauge { color: teal }"[..])
//!     .children_props("my_gauges", "Gauge", ["label"]);
//! let mut app = Dash::new();
//! app.component_library(lib);
//! ```

use std::sync::{Arc, OnceLock};

use bytes::Bytes;
use sha2::Digest as _;

/// When a library script is linked in the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkWhen {
    /// Always.
    Always,
    /// Only in debug mode (development bundles).
    Dev,
    /// Only outside debug mode (production bundles).
    Prod,
    /// Only when props are checked in the browser (`dev_tools.props_check`).
    PropsCheck,
    /// Never linked: served for the library to load itself (async chunks,
    /// source maps, data files).
    Served,
}

/// One file of a library.
#[derive(Clone)]
pub(crate) struct LibraryFile {
    pub(crate) path: String,
    pub(crate) content: Bytes,
    pub(crate) when: LinkWhen,
    pub(crate) css: bool,
    etag: Arc<OnceLock<String>>,
}

impl std::fmt::Debug for LibraryFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LibraryFile")
            .field("path", &self.path)
            .field("bytes", &self.content.len())
            .field("when", &self.when)
            .finish()
    }
}

impl LibraryFile {
    /// A content hash: the ETag and the fingerprint's hash (made once).
    pub(crate) fn etag(&self) -> &str {
        self.etag
            .get_or_init(|| hex::encode(&sha2::Sha256::digest(&self.content)[..16]))
    }
}

/// A JS component library, or the assets of an All-in-One component:
/// files served under one package name, the scripts and stylesheets the
/// page links (in the order added), and the library's `children_props`
/// (props other than `children` that hold components).
#[derive(Debug, Clone)]
pub struct ComponentLibrary {
    pub(crate) package: String,
    pub(crate) version: String,
    pub(crate) files: Vec<LibraryFile>,
    pub(crate) children_props: Vec<(String, String, Vec<String>)>,
}

impl ComponentLibrary {
    /// A library served under `package` (a URL segment: letters, digits,
    /// `_`, `-`, `.`), whose files carry `version` in their fingerprint.
    pub fn new(package: impl Into<String>, version: impl Into<String>) -> Self {
        ComponentLibrary {
            package: package.into(),
            version: version.into(),
            files: Vec::new(),
            children_props: Vec::new(),
        }
    }

    /// The package name (the URL segment).
    pub fn package(&self) -> &str {
        &self.package
    }

    /// Adds a file, linked as `when` says (a `.css` path is a stylesheet).
    pub fn file(
        mut self,
        path: impl Into<String>,
        content: impl Into<Bytes>,
        when: LinkWhen,
    ) -> Self {
        let path = path.into();
        let css = path.ends_with(".css");
        self.files.push(LibraryFile {
            path,
            content: content.into(),
            when,
            css,
            etag: Arc::default(),
        });
        self
    }

    /// Adds an embedded file whose content hash is known (built-in files).
    pub(crate) fn file_with_etag(
        mut self,
        path: &str,
        content: &'static [u8],
        when: LinkWhen,
        etag: &str,
    ) -> Self {
        let lock = OnceLock::new();
        let _ = lock.set(etag.to_owned());
        self.files.push(LibraryFile {
            path: path.to_owned(),
            content: Bytes::from_static(content),
            when,
            css: path.ends_with(".css"),
            etag: Arc::new(lock),
        });
        self
    }

    /// Adds a script linked in every page, after the Dash renderer.
    pub fn script(self, path: impl Into<String>, content: impl Into<Bytes>) -> Self {
        self.file(path, content, LinkWhen::Always)
    }

    /// Adds a stylesheet linked in every page's head.
    pub fn stylesheet(self, path: impl Into<String>, content: impl Into<Bytes>) -> Self {
        self.file(path, content, LinkWhen::Always)
    }

    /// Adds a file that is served but not linked (an async chunk the
    /// bundle loads itself, a source map).
    pub fn served(self, path: impl Into<String>, content: impl Into<Bytes>) -> Self {
        self.file(path, content, LinkWhen::Served)
    }

    /// Declares props of component `type_name` (JS namespace `namespace`)
    /// that hold components, in Dash's path syntax (`"label"`,
    /// `"options[].label"`, `"slots{}"`), so the renderer renders them.
    pub fn children_props<S: Into<String>>(
        mut self,
        namespace: impl Into<String>,
        type_name: impl Into<String>,
        paths: impl IntoIterator<Item = S>,
    ) -> Self {
        self.children_props.push((
            namespace.into(),
            type_name.into(),
            paths.into_iter().map(Into::into).collect(),
        ));
        self
    }

    /// Checks the package name and paths.
    pub(crate) fn validate(&self) -> Result<(), crate::Error> {
        let ok_segment = |s: &str| {
            !s.is_empty()
                && s != "."
                && s != ".."
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_-.@".contains(c))
        };
        if !ok_segment(&self.package) {
            return Err(crate::Error::Config(format!(
                "component library package {:?} must be letters, digits, `_`, `-`, `.` or `@`",
                self.package
            )));
        }
        for f in &self.files {
            if !f.path.split('/').all(ok_segment) {
                return Err(crate::Error::Config(format!(
                    "file {:?} of component library {:?} is not a relative path of plain segments",
                    f.path, self.package
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_checked() {
        assert!(ComponentLibrary::new("ok_lib-1", "1").validate().is_ok());
        assert!(ComponentLibrary::new("a/b", "1").validate().is_err());
        assert!(ComponentLibrary::new("..", "1").validate().is_err());
        let lib = ComponentLibrary::new("lib", "1").script("../x.js", &b""[..]);
        assert!(lib.validate().is_err());
        let lib = ComponentLibrary::new("lib", "1").script("dist/x.js", &b""[..]);
        assert!(lib.validate().is_ok());
    }

    #[test]
    fn css_files_are_stylesheets_and_etags_hash_content() {
        let lib = ComponentLibrary::new("lib", "1")
            .script("a.js", &b"1"[..])
            .stylesheet("a.css", &b"2"[..]);
        assert!(!lib.files[0].css);
        assert!(lib.files[1].css);
        assert_ne!(lib.files[0].etag(), lib.files[1].etag());
        assert_eq!(lib.files[0].etag().len(), 32);
    }
}
