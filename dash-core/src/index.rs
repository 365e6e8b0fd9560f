//! The index page: head tags, `_dash-config`, and the scripts in the order
//! the renderer needs them.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::{Map, Value, json};

use crate::app::{DevTools, Resource};
use crate::assets::{DASH_VERSION, Suites};
use crate::callback::ClientsideFunction;
use crate::http_util::{encode_path_segment, escape_html};
use crate::library::{ComponentLibrary, LinkWhen};

/// Everything the page needs, fixed when the app is built.
pub(crate) struct PageSettings {
    pub(crate) title: String,
    pub(crate) update_title: Option<String>,
    pub(crate) prefix: String,
    pub(crate) meta_tags: Vec<Vec<(String, String)>>,
    pub(crate) external_stylesheets: Vec<Resource>,
    pub(crate) external_scripts: Vec<Resource>,
    pub(crate) assets_folder: Option<std::path::PathBuf>,
    pub(crate) assets_url_path: String,
    pub(crate) dev_tools: DevTools,
    pub(crate) suppress_callback_exceptions: bool,
    pub(crate) inline_clientside: Vec<String>,
    pub(crate) validation_layout: Option<Value>,
    /// The component libraries, in the order their files are linked.
    pub(crate) libraries: Vec<ComponentLibrary>,
}

/// JSON safe to embed in a `<script>` element, as Dash writes it.
pub(crate) fn script_json(v: &Value) -> String {
    v.to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('/', "\\u002f")
}

/// `children_props` of every library: `{namespace: {type: [paths]}}`.
fn children_props(libraries: &[ComponentLibrary]) -> Value {
    let mut by_ns: Map<String, Value> = Map::new();
    for (ns, ty, paths) in libraries.iter().flat_map(|l| &l.children_props) {
        let entry = by_ns
            .entry(ns.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(m) = entry {
            m.insert(ty.clone(), json!(paths));
        }
    }
    Value::Object(by_ns)
}

/// Whether a library file is linked in a page with these switches.
fn linked(when: LinkWhen, dev: &DevTools) -> bool {
    match when {
        LinkWhen::Always => true,
        LinkWhen::Dev => dev.serve_dev_bundles,
        LinkWhen::Prod => !dev.serve_dev_bundles,
        LinkWhen::PropsCheck => dev.props_check,
        LinkWhen::Served => false,
    }
}

pub(crate) fn config_json(p: &PageSettings) -> Value {
    let mut c = json!({
        "url_base_pathname": null,
        "requests_pathname_prefix": p.prefix,
        "ui": p.dev_tools.ui,
        "props_check": p.dev_tools.props_check,
        "disable_version_check": true,
        "show_undo_redo": false,
        "suppress_callback_exceptions": p.suppress_callback_exceptions,
        "update_title": p.update_title.clone().unwrap_or_default(),
        "children_props": children_props(&p.libraries),
        "serve_locally": true,
        "dash_version": DASH_VERSION,
        "python_version": format!("Rust (dash-core {})", env!("CARGO_PKG_VERSION")),
        "dash_version_url": "",
        "ddk_version": null,
        "plotly_version": "",
        "validate_callbacks": p.dev_tools.validate_callbacks,
        "plotly_cloud_installed": false,
    });
    if p.dev_tools.hot_reload {
        c["hot_reload"] = json!({"interval": 3000, "max_retry": 8});
    }
    if p.dev_tools.ui {
        c["dev_tools"] = json!([]);
    }
    if let Some(v) = &p.validation_layout {
        c["validation_layout"] = v.clone();
    }
    c
}

/// Files of the assets folder to link: `(relative url path, mtime)`, sorted.
pub(crate) fn asset_files(folder: &Path) -> Vec<(String, u64)> {
    let mut out = Vec::new();
    let mut stack = vec![folder.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let path = e.path();
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') {
                continue;
            }
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(rel) = path.strip_prefix(folder) {
                let rel = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
                let mtime = e
                    .metadata()
                    .and_then(|m| m.modified())
                    .ok()
                    .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                    .map_or(0, |d| d.as_secs());
                out.push((rel, mtime));
            }
        }
    }
    out.sort();
    out
}

fn attrs(r: &Resource) -> String {
    r.attributes.iter().fold(String::new(), |mut s, (k, v)| {
        let _ = write!(s, " {}=\"{}\"", escape_html(k), escape_html(v));
        s
    })
}

pub(crate) fn render(p: &PageSettings, suites: &Suites) -> String {
    let prefix = &p.prefix;
    let dev = p.dev_tools.serve_dev_bundles;
    let suite = |ns: &str, path: &str| {
        format!(
            "{prefix}_dash-component-suites/{}",
            suites.fingerprinted(ns, path)
        )
    };
    let assets = p
        .assets_folder
        .as_deref()
        .map(asset_files)
        .unwrap_or_default();
    let asset_url = |rel: &str, m: u64| {
        format!(
            "{prefix}{}/{}?m={m}",
            p.assets_url_path,
            rel.split('/')
                .map(encode_path_segment)
                .collect::<Vec<_>>()
                .join("/")
        )
    };

    let mut head = String::new();
    head.push_str(
        "<meta http-equiv=\"X-UA-Compatible\" content=\"IE=edge\">\n<meta charset=\"UTF-8\">\n",
    );
    let has_viewport = p
        .meta_tags
        .iter()
        .any(|m| m.iter().any(|(k, v)| k == "name" && v == "viewport"));
    if !has_viewport {
        head.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    }
    for tag in &p.meta_tags {
        head.push_str("<meta");
        for (k, v) in tag {
            let _ = write!(head, " {}=\"{}\"", escape_html(k), escape_html(v));
        }
        head.push_str(">\n");
    }
    let _ = writeln!(head, "<title>{}</title>", escape_html(&p.title));
    let favicon = if assets.iter().any(|(r, _)| r == "favicon.ico") {
        format!("{prefix}{}/favicon.ico", p.assets_url_path)
    } else {
        format!("{prefix}_favicon.ico?v={DASH_VERSION}")
    };
    let _ = writeln!(
        head,
        "<link rel=\"icon\" type=\"image/x-icon\" href=\"{}\">",
        escape_html(&favicon)
    );
    for css in &p.external_stylesheets {
        let _ = writeln!(
            head,
            "<link rel=\"stylesheet\" href=\"{}\"{}>",
            escape_html(&css.url),
            attrs(css)
        );
    }
    let library_files = || {
        p.libraries.iter().flat_map(|l| {
            l.files
                .iter()
                .filter(|f| linked(f.when, &p.dev_tools))
                .map(move |f| (l.package.as_str(), f))
        })
    };
    for (package, f) in library_files().filter(|(_, f)| f.css) {
        let _ = writeln!(
            head,
            "<link rel=\"stylesheet\" href=\"{}\">",
            escape_html(&suite(package, &f.path))
        );
    }
    for (rel, m) in assets.iter().filter(|(r, _)| r.ends_with(".css")) {
        let _ = writeln!(
            head,
            "<link rel=\"stylesheet\" href=\"{}\">",
            escape_html(&asset_url(rel, *m))
        );
    }

    let mut scripts: Vec<String> = Vec::new();
    let script = |src: String| format!("<script src=\"{}\"></script>", escape_html(&src));
    scripts.push(script(suite("dash", "deps/polyfill@7.12.1.min.js")));
    if dev {
        scripts.push(script(suite("dash", "deps/react@18.3.1.js")));
        scripts.push(script(suite("dash", "deps/react-dom@18.3.1.js")));
        scripts.push(script(suite("dash", "deps/prop-types@15.8.1.js")));
    } else {
        scripts.push(script(suite("dash", "deps/react@18.3.1.min.js")));
        scripts.push(script(suite("dash", "deps/react-dom@18.3.1.min.js")));
        scripts.push(script(suite("dash", "deps/prop-types@15.8.1.min.js")));
    }
    for js in &p.external_scripts {
        scripts.push(format!(
            "<script src=\"{}\"{}></script>",
            escape_html(&js.url),
            attrs(js)
        ));
    }
    for (rel, m) in assets.iter().filter(|(r, _)| r.ends_with(".js")) {
        scripts.push(script(asset_url(rel, *m)));
    }
    scripts.push(script(suite(
        "dash",
        if dev {
            "dash-renderer/build/dash_renderer.dev.js"
        } else {
            "dash-renderer/build/dash_renderer.min.js"
        },
    )));
    for (package, f) in library_files().filter(|(_, f)| !f.css) {
        scripts.push(script(suite(package, &f.path)));
    }
    if !p.inline_clientside.is_empty() {
        let mut s = String::from(
            "<script>\nvar clientside = window.dash_clientside = window.dash_clientside || {};\n",
        );
        let _ = writeln!(
            s,
            "var ns = clientside[\"{0}\"] = clientside[\"{0}\"] || {{}};",
            ClientsideFunction::INLINE_NAMESPACE
        );
        for src in &p.inline_clientside {
            let (_, name) = ClientsideFunction::inline(src.clone()).names();
            // `</script>` inside the source would end the element early.
            let _ = writeln!(s, "ns[\"{name}\"] = {};", src.replace("</", "<\\/"));
        }
        s.push_str("</script>");
        scripts.push(s);
    }

    let config = script_json(&config_json(p));
    format!(
        "<!DOCTYPE html>\n<html>\n<head>\n{head}</head>\n<body>\n\
         <div id=\"react-entry-point\">\n<div class=\"_dash-loading\">Loading...</div>\n</div>\n\
         <footer>\n<script id=\"_dash-config\" type=\"application/json\">{config}</script>\n{}\n\
         <script id=\"_dash-renderer\" type=\"application/javascript\">var renderer = new DashRenderer();</script>\n\
         </footer>\n</body>\n</html>\n",
        scripts.join("\n")
    )
}
