//! [`Dash`]: the app builder — layout, callbacks, state, extensions, page
//! settings, debug mode.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;

use crate::background::BackgroundManager;
use crate::callback::{Callback, ClientsideFunction};
use crate::component::Children;
use crate::deps::Group;
use crate::extension::Extension;
use crate::handler::Handler;
use crate::library::ComponentLibrary;
use crate::limits::Limits;
use crate::state::AppState;

/// The layout: fixed, or built anew for every page load.
#[derive(Clone)]
pub(crate) enum Layout {
    Static(Children),
    PerRequest(Arc<dyn Fn() -> Children + Send + Sync>),
}

/// A script or stylesheet tag: a URL, or a URL with extra attributes
/// (`integrity`, `crossorigin`, `type`, …).
#[derive(Debug, Clone, PartialEq)]
pub struct Resource {
    pub(crate) url: String,
    pub(crate) attributes: Vec<(String, String)>,
}

impl Resource {
    /// A resource at `url`.
    pub fn new(url: impl Into<String>) -> Self {
        Resource {
            url: url.into(),
            attributes: Vec::new(),
        }
    }

    /// Adds an attribute to the tag.
    pub fn attr(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.attributes.push((name.into(), value.into()));
        self
    }
}

impl From<&str> for Resource {
    fn from(url: &str) -> Self {
        Resource::new(url)
    }
}
impl From<String> for Resource {
    fn from(url: String) -> Self {
        Resource::new(url)
    }
}

/// Debug-mode switches (Dash's `dev_tools_*`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DevTools {
    /// Show the dev-tools UI (error overlay, callback graph).
    pub ui: bool,
    /// Check props against their types in the browser (dev bundles).
    pub props_check: bool,
    /// Validate the callback graph in the browser.
    pub validate_callbacks: bool,
    /// Reload the page when the server restarts (polls `_reload-hash`).
    pub hot_reload: bool,
    /// Serve the development bundles of React and the renderer.
    pub serve_dev_bundles: bool,
}

impl DevTools {
    /// Everything on: what `debug(true)` selects.
    pub const DEBUG: DevTools = DevTools {
        ui: true,
        props_check: true,
        validate_callbacks: true,
        hot_reload: true,
        serve_dev_bundles: true,
    };
    /// Everything off: production.
    pub const PRODUCTION: DevTools = DevTools {
        ui: false,
        props_check: false,
        validate_callbacks: false,
        hot_reload: false,
        serve_dev_bundles: false,
    };
}

/// A Dash app: a layout, callbacks and page settings.
///
/// ```no_run
/// use dash_core::prelude::*;
///
/// fn main() -> Result<(), dash_core::Error> {
///     let mut app = Dash::new();
///     app.layout(html::Div::new().children((
///         dcc::Input::new().id("name").value("World"),
///         html::Div::new().id("greeting"),
///     )));
///     app.callback(
///         Output::new("greeting", "children"),
///         Input::new("name", "value"),
///         |name: Option<String>| format!("Hello, {}!", name.unwrap_or_default()),
///     );
///     app.run()
/// }
/// ```
pub struct Dash {
    pub(crate) title: String,
    pub(crate) update_title: Option<String>,
    pub(crate) layout: Option<Layout>,
    pub(crate) callbacks: Vec<Callback>,
    pub(crate) meta_tags: Vec<Vec<(String, String)>>,
    pub(crate) external_stylesheets: Vec<Resource>,
    pub(crate) external_scripts: Vec<Resource>,
    pub(crate) assets_folder: Option<PathBuf>,
    pub(crate) assets_url_path: String,
    pub(crate) prefix: String,
    pub(crate) suppress_callback_exceptions: bool,
    pub(crate) prevent_initial_callbacks: bool,
    pub(crate) dev_tools: DevTools,
    pub(crate) limits: Limits,
    pub(crate) state: AppState,
    pub(crate) libraries: Vec<ComponentLibrary>,
    pub(crate) extensions: HashSet<String>,
    pub(crate) background_manager: Option<Arc<dyn BackgroundManager>>,
}

impl Default for Dash {
    fn default() -> Self {
        Self::new()
    }
}

impl Dash {
    /// A new app. Debug mode is on when the `DASH_DEBUG` environment
    /// variable is `1`/`true` (as in Dash), otherwise off.
    pub fn new() -> Self {
        let debug = std::env::var("DASH_DEBUG")
            .is_ok_and(|v| matches!(v.to_ascii_lowercase().as_str(), "1" | "true" | "yes"));
        let mut app = Dash {
            title: "Dash".into(),
            update_title: Some("Updating...".into()),
            layout: None,
            callbacks: Vec::new(),
            meta_tags: Vec::new(),
            external_stylesheets: Vec::new(),
            external_scripts: Vec::new(),
            assets_folder: Some(PathBuf::from("assets")),
            assets_url_path: "assets".into(),
            prefix: "/".into(),
            suppress_callback_exceptions: false,
            prevent_initial_callbacks: false,
            dev_tools: if debug {
                DevTools::DEBUG
            } else {
                DevTools::PRODUCTION
            },
            limits: Limits::default(),
            state: AppState::new(),
            libraries: Vec::new(),
            extensions: HashSet::new(),
            background_manager: None,
        };
        app.extension(crate::builtin::DashComponents);
        app
    }

    /// Sets a fixed layout. Props made at render
    /// ([`crate::Component::deferred_prop`]) are made once, when the app
    /// starts serving.
    pub fn layout(&mut self, layout: impl Into<Children>) -> &mut Self {
        self.layout = Some(Layout::Static(layout.into()));
        self
    }

    /// Builds the layout anew for every page load (Dash's function layout).
    /// The function runs off the async threads; All-in-One components
    /// built in it are cheap (their app-specific parts are made at render).
    pub fn layout_fn<L, F>(&mut self, f: F) -> &mut Self
    where
        L: Into<Children>,
        F: Fn() -> L + Send + Sync + 'static,
    {
        self.layout = Some(Layout::PerRequest(Arc::new(move || f().into())));
        self
    }

    /// Adds a server-side callback (Dash's `@app.callback`). For options
    /// such as `prevent_initial_call`, build a [`Callback`] and use
    /// [`Dash::add_callback`].
    pub fn callback<H, Args, M>(
        &mut self,
        outputs: impl Group,
        inputs: impl Group,
        f: H,
    ) -> &mut Self
    where
        H: Handler<Args, M>,
        Args: 'static,
        M: 'static,
    {
        self.add_callback(Callback::new(outputs, inputs, f))
    }

    /// Adds a clientside callback (Dash's `app.clientside_callback`).
    pub fn clientside_callback(
        &mut self,
        function: ClientsideFunction,
        outputs: impl Group,
        inputs: impl Group,
    ) -> &mut Self {
        self.add_callback(Callback::clientside(outputs, inputs, function))
    }

    /// Adds a callback built with [`Callback`].
    pub fn add_callback(&mut self, cb: Callback) -> &mut Self {
        self.callbacks.push(cb);
        self
    }

    /// The page title (default `Dash`).
    pub fn title(&mut self, title: impl Into<String>) -> &mut Self {
        self.title = title.into();
        self
    }

    /// The title shown while callbacks run (default `Updating...`; `None` disables).
    pub fn update_title(&mut self, title: Option<String>) -> &mut Self {
        self.update_title = title;
        self
    }

    /// Adds a `<meta>` tag with these attributes.
    pub fn meta_tag<K: Into<String>, V: Into<String>>(
        &mut self,
        attributes: impl IntoIterator<Item = (K, V)>,
    ) -> &mut Self {
        self.meta_tags.push(
            attributes
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
        );
        self
    }

    /// Adds a stylesheet linked before the assets' CSS.
    pub fn external_stylesheet(&mut self, r: impl Into<Resource>) -> &mut Self {
        self.external_stylesheets.push(r.into());
        self
    }

    /// Adds a script loaded before the Dash renderer.
    pub fn external_script(&mut self, r: impl Into<Resource>) -> &mut Self {
        self.external_scripts.push(r.into());
        self
    }

    /// The folder whose `.css`/`.js` files are linked automatically and
    /// served under `assets/` (default `./assets`; `None` disables).
    pub fn assets_folder(&mut self, folder: Option<PathBuf>) -> &mut Self {
        self.assets_folder = folder;
        self
    }

    /// The URL path prefix of the app, e.g. `/dash/` when it is mounted
    /// under `/dash/` in a larger axum app (Dash's `requests_pathname_prefix`
    /// and `routes_pathname_prefix`). Default `/`.
    pub fn url_prefix(&mut self, prefix: &str) -> &mut Self {
        let mut p = prefix.trim().to_owned();
        if !p.starts_with('/') {
            p.insert(0, '/');
        }
        if !p.ends_with('/') {
            p.push('/');
        }
        self.prefix = p;
        self
    }

    /// Don't complain about callbacks whose components are not in the
    /// initial layout.
    pub fn suppress_callback_exceptions(&mut self, on: bool) -> &mut Self {
        self.suppress_callback_exceptions = on;
        self
    }

    /// The default of `prevent_initial_call` for every callback of this app.
    pub fn prevent_initial_callbacks(&mut self, on: bool) -> &mut Self {
        self.prevent_initial_callbacks = on;
        self
    }

    /// Debug mode: development bundles, prop checks, the dev-tools UI and
    /// reload on restart. Off by default unless `DASH_DEBUG=1`.
    pub fn debug(&mut self, on: bool) -> &mut Self {
        self.dev_tools = if on {
            DevTools::DEBUG
        } else {
            DevTools::PRODUCTION
        };
        self
    }

    /// Fine-grained debug switches.
    pub fn dev_tools(&mut self, tools: DevTools) -> &mut Self {
        self.dev_tools = tools;
        self
    }

    /// Puts a value into the app's state (replacing one of the same type):
    /// callbacks read it with [`crate::CallbackContext::state`] or
    /// [`crate::app_state`], components when the app renders them. Each
    /// app has its own state.
    ///
    /// ```
    /// use dash_core::prelude::*;
    /// struct Greeting(&'static str);
    /// let mut app = Dash::new();
    /// app.state(Greeting("Hej"));
    /// app.callback(Output::new("out", "children"), Input::new("in", "value"), |v: Option<String>| {
    ///     let greeting = dash_core::app_state()?.require::<Greeting>()?;
    ///     Ok::<_, CallbackError>(format!("{} {}", greeting.0, v.unwrap_or_default()))
    /// });
    /// ```
    pub fn state<T: Send + Sync + 'static>(&mut self, value: T) -> &mut Self {
        self.state.insert(value);
        self
    }

    /// Puts a value into the app's state unless there is one of its type:
    /// what an [`Extension`] uses for its defaults.
    pub fn init_state<T: Send + Sync + 'static>(&mut self, init: impl FnOnce() -> T) -> &mut Self {
        self.state.get_or_init(init);
        self
    }

    /// The app's state (shared: a clone is a handle to the same values).
    pub fn app_state(&self) -> &AppState {
        &self.state
    }

    /// Applies an extension to this app unless one of the same
    /// [`name`](Extension::name) was applied already.
    pub fn extension(&mut self, extension: impl Extension) -> &mut Self {
        self.apply_extension(&extension);
        self
    }

    pub(crate) fn apply_extension(&mut self, extension: &dyn Extension) {
        if self.extensions.insert(extension.name().to_owned()) {
            extension.register(self);
        }
    }

    /// Whether an extension of this name was applied.
    pub fn has_extension(&self, name: &str) -> bool {
        self.extensions.contains(name)
    }

    /// Serves a component library's (or an All-in-One component's) files
    /// and links its scripts and stylesheets in the page, after the
    /// libraries added before it.
    pub fn component_library(&mut self, library: ComponentLibrary) -> &mut Self {
        self.libraries.push(library);
        self
    }

    /// The largest callback request body accepted (default 16 MiB); the
    /// same as setting [`Limits::max_body_bytes`].
    pub fn max_body_bytes(&mut self, bytes: usize) -> &mut Self {
        self.limits.max_body_bytes = bytes;
        self
    }

    /// Sets every bound on what a request may cost (see [`Limits`]: body
    /// size and arrival time, request timeout, requests at once).
    pub fn limits(&mut self, limits: Limits) -> &mut Self {
        self.limits = limits;
        self
    }

    /// Where background callbacks run (default: an
    /// [`InProcessManager`](crate::background::InProcessManager)).
    pub fn background_manager(&mut self, manager: impl BackgroundManager) -> &mut Self {
        self.background_manager = Some(Arc::new(manager));
        self
    }
}
