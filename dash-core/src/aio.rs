//! All-in-One components: the ID convention every AIO crate shares.
//!
//! An AIO component (Dash's convention) is a layout of several components
//! whose IDs are dicts `{"component": C, "subcomponent": S, "aio_id": A}`,
//! with callbacks registered once with `MATCH` on `aio_id`, so any number
//! of instances share a page. [`aio_ids!`](crate::aio_ids) declares the
//! functions that make those IDs; [`random_aio_id`] is the default `aio_id`.
//!
//! ```
//! pub mod ids {
//!     dash_core::aio_ids! {
//!         component = "GaugeAio";
//!         /// The dial.
//!         dial,
//!         /// The label under it.
//!         label,
//!     }
//! }
//! use dash_core::MATCH;
//! assert_eq!(ids::COMPONENT, "GaugeAio");
//! assert_eq!(ids::SUBCOMPONENTS, ["dial", "label"]);
//! assert_eq!(
//!     ids::dial("g1").to_string(),
//!     r#"{"aio_id":"g1","component":"GaugeAio","subcomponent":"dial"}"#
//! );
//! assert_eq!(
//!     ids::label(MATCH).to_string(),
//!     r#"{"aio_id":["MATCH"],"component":"GaugeAio","subcomponent":"label"}"#
//! );
//! assert_eq!(ids::new_aio_id().len(), 36); // a UUID v4
//! ```

use crate::id::{ComponentId, IdValue};

/// The ID of `subcomponent` of the instance `aio_id` of `component`.
///
/// ```
/// let id = dash_core::aio::part("GaugeAio", "dial", 3);
/// assert_eq!(id.to_string(), r#"{"aio_id":3,"component":"GaugeAio","subcomponent":"dial"}"#);
/// ```
pub fn part(component: &str, subcomponent: &str, aio_id: impl Into<IdValue>) -> ComponentId {
    ComponentId::dict([
        ("component", IdValue::from(component)),
        ("subcomponent", IdValue::from(subcomponent)),
        ("aio_id", aio_id.into()),
    ])
}

/// A new random `aio_id`: a UUID v4 string, the default of every AIO
/// instance. Give instances fixed IDs instead when layouts are built per
/// request or served by several processes.
pub fn random_aio_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Declares the ID functions of an All-in-One component, inside the
/// crate's `ids` module: `COMPONENT`, `SUBCOMPONENTS`, one function per
/// subcomponent taking the `aio_id` (a string, number, or a wildcard such
/// as [`MATCH`](crate::MATCH)), and `new_aio_id()`.
///
/// The `component` name is the namespace of the IDs: pick one no other
/// crate uses (the crate's type name, as `DataTableAio`).
/// See the [module docs](crate::aio) for an example.
#[macro_export]
macro_rules! aio_ids {
    (
        component = $component:literal;
        $( $(#[$meta:meta])* $name:ident ),* $(,)?
    ) => {
        /// The `component` value of every ID of this All-in-One component.
        pub const COMPONENT: &str = $component;

        /// The `subcomponent` values, in declaration order.
        pub const SUBCOMPONENTS: &[&str] = &[$(stringify!($name)),*];

        $(
            $(#[$meta])*
            pub fn $name(aio_id: impl ::core::convert::Into<$crate::IdValue>) -> $crate::ComponentId {
                $crate::aio::part(COMPONENT, stringify!($name), aio_id)
            }
        )*

        /// A new random `aio_id` (a UUID v4), the default of every instance.
        pub fn new_aio_id() -> ::std::string::String {
            $crate::aio::random_aio_id()
        }
    };
}

#[cfg(test)]
mod tests {
    use crate::{ALL, MATCH};

    mod ids {
        crate::aio_ids! {
            component = "TestAio";
            /// One part.
            alpha,
            beta
        }
    }

    #[test]
    fn ids_are_dicts_with_the_component_name() {
        assert_eq!(ids::COMPONENT, "TestAio");
        assert_eq!(ids::SUBCOMPONENTS, ["alpha", "beta"]);
        assert_eq!(
            ids::alpha("x").to_string(),
            r#"{"aio_id":"x","component":"TestAio","subcomponent":"alpha"}"#
        );
        assert_eq!(
            ids::beta(ALL).to_json(),
            serde_json::json!({"component": "TestAio", "subcomponent": "beta", "aio_id": ["ALL"]})
        );
        assert!(
            ids::alpha(MATCH)
                .wildcards()
                .contains(&crate::Wildcard::Match)
        );
        assert_eq!(ids::alpha(MATCH), ids::alpha(MATCH));
        assert_ne!(ids::alpha("x"), ids::beta("x"));
    }

    #[test]
    fn random_ids_are_uuids_and_differ() {
        let a = ids::new_aio_id();
        let b = ids::new_aio_id();
        assert_ne!(a, b);
        let u = uuid::Uuid::parse_str(&a).expect("a UUID");
        assert_eq!(u.get_version_num(), 4);
        assert!(ids::alpha(a.as_str()).validate().is_ok());
    }
}
