//! Dash's own component libraries — dash_core_components (with plotly.js,
//! which `dcc.Graph` loads itself), dash_html_components and dash_table —
//! registered through the same [`Extension`] API a community crate uses.
//! Every [`crate::Dash::new`] app applies [`DashComponents`].

use crate::app::Dash;
use crate::assets::{BundledFile, FRONTEND_FILES, is_renderer_file};
use crate::components::children_props::CHILDREN_PROPS;
use crate::extension::Extension;
use crate::library::{ComponentLibrary, LinkWhen};

/// The html, dcc and dash_table libraries of Dash 4.4.1 and plotly.js
/// 4.1.1, from the files embedded at build time.
#[derive(Debug, Clone, Copy)]
pub struct DashComponents;

/// One built-in library: its JS namespace, the folder its files are in,
/// and the files the page links (in order, with when).
struct Builtin {
    namespace: &'static str,
    package: &'static str,
    folder: &'static str,
    linked: &'static [(&'static str, LinkWhen)],
}

const BUILTINS: &[Builtin] = &[
    Builtin {
        namespace: "dash_core_components",
        package: "dash",
        folder: "dcc/",
        linked: &[
            ("dcc/dash_core_components.js", LinkWhen::Always),
            ("dcc/dash_core_components-shared.js", LinkWhen::Always),
            ("dcc/proptypes.js", LinkWhen::PropsCheck),
        ],
    },
    Builtin {
        namespace: "dash_html_components",
        package: "dash",
        folder: "html/",
        linked: &[("html/dash_html_components.min.js", LinkWhen::Always)],
    },
    Builtin {
        namespace: "dash_table",
        package: "dash",
        folder: "dash_table/",
        linked: &[("dash_table/bundle.js", LinkWhen::Always)],
    },
    // plotly.js: loaded by dcc.Graph from its fixed path, never linked.
    Builtin {
        namespace: "plotly",
        package: "plotly",
        folder: "package_data/",
        linked: &[],
    },
];

fn library(b: &Builtin) -> ComponentLibrary {
    let mine = |f: &&BundledFile| {
        f.namespace == b.package && f.path.starts_with(b.folder) && !is_renderer_file(f)
    };
    let files: Vec<&BundledFile> = FRONTEND_FILES.iter().filter(mine).collect();
    let version = files.first().map_or(crate::DASH_VERSION, |f| f.version);
    let mut lib = ComponentLibrary::new(b.package, version);
    for (path, when) in b.linked {
        if let Some(f) = files.iter().find(|f| f.path == *path) {
            lib = lib.file_with_etag(f.path, f.content, *when, f.etag);
        }
    }
    for f in files
        .iter()
        .filter(|f| !b.linked.iter().any(|(p, _)| *p == f.path))
    {
        lib = lib.file_with_etag(f.path, f.content, LinkWhen::Served, f.etag);
    }
    for (ns, ty, paths) in CHILDREN_PROPS
        .iter()
        .filter(|(ns, _, _)| *ns == b.namespace)
    {
        lib = lib.children_props(*ns, *ty, paths.iter().copied());
    }
    lib
}

impl Extension for DashComponents {
    fn name(&self) -> &str {
        "dash-components"
    }

    fn register(&self, app: &mut Dash) {
        for b in BUILTINS {
            app.component_library(library(b));
        }
    }
}
