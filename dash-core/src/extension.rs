//! [`Extension`]: the one way a crate brings what it needs to any app —
//! callbacks, app state defaults, assets and component libraries.
//!
//! An extension is added explicitly ([`crate::Dash::extension`]) or, for
//! every app of the program, at link time ([`crate::register_extension!`],
//! through `inventory`) — so an All-in-One component works even when it
//! first appears in a layout a callback returns, and the app author wires
//! nothing. Either way each extension (by [`Extension::name`]) is applied
//! to an app once; explicit ones first, in the order added, then the
//! link-time ones sorted by name (link order is not defined).
//!
//! ```
//! use dash_core::prelude::*;
//! use dash_core::{ComponentLibrary, Extension};
//!
//! /// What a community crate ships: its callbacks and a stylesheet.
//! struct Badges;
//! impl Extension for Badges {
//!     fn name(&self) -> &str { "badges" }
//!     fn register(&self, app: &mut Dash) {
//!         app.component_library(
//!             ComponentLibrary::new("badges", "0.1.0").stylesheet("badges.css", &b".badge{}"[..]),
//!         );
//!         app.add_callback(Callback::new(
//!             Output::new(id! {"component": "BadgeAio", "subcomponent": "text", "aio_id": MATCH}, "children"),
//!             Input::new(id! {"component": "BadgeAio", "subcomponent": "count", "aio_id": MATCH}, "data"),
//!             |n: Option<u32>| format!("{} new", n.unwrap_or(0)),
//!         ));
//!     }
//! }
//! // Every app of the program gets it:
//! dash_core::register_extension!(Badges);
//! // or one app only: app.extension(Badges);
//! ```

use crate::app::Dash;

/// Something that configures an app: adds callbacks
/// ([`Dash::add_callback`]), default state ([`Dash::init_state`]),
/// component libraries and assets ([`Dash::component_library`]).
///
/// Use [`Dash::init_state`] (not [`Dash::state`]) for defaults, so a value
/// the app author set is kept.
pub trait Extension: Send + Sync + 'static {
    /// The extension's unique name; one with the same name is applied to
    /// an app only once. Default: the type's name.
    fn name(&self) -> &str {
        std::any::type_name::<Self>()
    }

    /// Configures `app`.
    fn register(&self, app: &mut Dash);
}

/// Any `Fn(&mut Dash)` is an extension named by its type.
impl<F: Fn(&mut Dash) + Send + Sync + 'static> Extension for F {
    fn register(&self, app: &mut Dash) {
        self(app)
    }
}

/// An extension registered at link time. Use [`crate::register_extension!`].
#[doc(hidden)]
pub struct ExtensionEntry(pub &'static dyn Extension);

inventory::collect!(ExtensionEntry);

/// Registers an extension for every app of the program, at link time.
/// The argument is a constant expression (a unit struct, or a `static`).
///
/// A crate that nothing else references may be dropped by the linker
/// with its registrations; an app that names the crate (uses its
/// component) keeps it. Where that is in doubt, add the extension
/// explicitly with [`crate::Dash::extension`] as well: it is applied once.
#[macro_export]
macro_rules! register_extension {
    ($ext:expr) => {
        $crate::inventory::submit! { $crate::ExtensionEntry(&$ext) }
    };
}

/// The link-time extensions, sorted by name.
pub(crate) fn registered() -> Vec<&'static dyn Extension> {
    let mut all: Vec<&'static dyn Extension> = inventory::iter::<ExtensionEntry>
        .into_iter()
        .map(|e| e.0)
        .collect();
    all.sort_by(|a, b| a.name().cmp(b.name()));
    all
}
