//! The component tree: [`Component`], [`Node`], [`Children`] and [`Number`].
//!
//! A component is what Dash sends to the renderer:
//! `{"type": "Div", "namespace": "dash_html_components", "props": {...}}`.
//! The typed builders in [`crate::html`], [`crate::dcc`] and
//! [`crate::dash_table`] wrap a `Component`; `Component` itself is the
//! escape hatch for community component libraries.

use std::sync::Arc;

use serde::Serialize;
use serde::ser::{SerializeStruct, Serializer};
use serde_json::{Map, Value};

use crate::deferred::{Deferred, DeferredProps};
use crate::id::ComponentId;
use crate::state::AppState;

/// A component of any library: namespace, type and props.
///
/// ```
/// use dash_core::Component;
/// let c = Component::new("my_library", "Gauge").id("g").prop("value", 3);
/// assert_eq!(
///     serde_json::to_string(&c).unwrap(),
///     r#"{"type":"Gauge","namespace":"my_library","props":{"id":"g","value":3}}"#
/// );
/// ```
#[derive(Clone)]
pub struct Component {
    namespace: String,
    type_name: String,
    props: Map<String, Value>,
    /// Props (here or in nested components) whose values are made when an
    /// app renders the tree; their places in `props` hold placeholders.
    deferred: DeferredProps,
}

impl std::fmt::Debug for Component {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut d = f.debug_struct("Component");
        d.field("namespace", &self.namespace)
            .field("type_name", &self.type_name)
            .field("props", &self.props);
        if !self.deferred.is_empty() {
            d.field("deferred", &self.deferred.len());
        }
        d.finish()
    }
}

/// Equal namespace, type and props (deferred props compare by placeholder).
impl PartialEq for Component {
    fn eq(&self, other: &Self) -> bool {
        self.namespace == other.namespace
            && self.type_name == other.type_name
            && self.props == other.props
    }
}

impl Component {
    /// A component of `type_name` from the JS library registered as `namespace`.
    pub fn new(namespace: impl Into<String>, type_name: impl Into<String>) -> Self {
        Component {
            namespace: namespace.into(),
            type_name: type_name.into(),
            props: Map::new(),
            deferred: DeferredProps::default(),
        }
    }

    /// Sets the `id` prop.
    pub fn id(self, id: impl Into<ComponentId>) -> Self {
        let id = id.into();
        self.prop("id", id.to_json())
    }

    /// Sets any prop to a JSON value.
    pub fn prop(mut self, name: impl Into<String>, value: impl Into<Value>) -> Self {
        self.props.insert(name.into(), value.into());
        self
    }

    /// Sets a prop that holds components (`children` or another node prop).
    pub fn children_prop(mut self, name: impl Into<String>, children: impl Into<Children>) -> Self {
        let (v, deferred) = children.into().into_parts();
        self.deferred.extend(deferred);
        self.prop(name, v)
    }

    /// Sets a prop whose value is made when an app renders this component
    /// (its layout is served, or a callback returns it), from that app's
    /// [`AppState`]. This is how an All-in-One component reaches the
    /// app's store or cache while its constructor stays synchronous and
    /// cheap: the expensive or app-specific part runs at render.
    ///
    /// `make` may run once per render (for a layout function, once per
    /// page load); an error becomes the app's error for that request.
    /// Outside an app (serializing the component by hand) the value
    /// cannot be made and serialization fails with a message saying so.
    ///
    /// ```
    /// use dash_core::{AppState, Component};
    /// struct Greeting(String);
    /// let c = Component::new("ns", "T").deferred_prop("title", |state: &AppState| {
    ///     Ok(state.get::<Greeting>().map_or("hello".into(), |g| g.0.clone()).into())
    /// });
    /// let state = AppState::new();
    /// state.insert(Greeting("hej".into()));
    /// assert_eq!(c.render(&state).unwrap()["props"]["title"], "hej");
    /// ```
    pub fn deferred_prop<F>(mut self, name: impl Into<String>, make: F) -> Self
    where
        F: Fn(&AppState) -> Result<Value, String> + Send + Sync + 'static,
    {
        let (placeholder, deferred) = Deferred::new(Arc::new(make));
        self.deferred.push(deferred);
        self.prop(name, placeholder)
    }

    /// The component as JSON with its deferred props made from `state`.
    pub fn render(&self, state: &AppState) -> Result<Value, String> {
        let mut v = self.to_value();
        self.deferred.resolve(&mut v, state)?;
        Ok(v)
    }

    /// Whether some prop of this tree is made at render.
    pub fn has_deferred(&self) -> bool {
        !self.deferred.is_empty()
    }

    /// Sets `children`.
    pub fn children(self, children: impl Into<Children>) -> Self {
        self.children_prop("children", children)
    }

    /// The JS namespace (library global), e.g. `dash_html_components`.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The component type, e.g. `Div`.
    pub fn type_name(&self) -> &str {
        &self.type_name
    }

    /// The props set so far.
    pub fn props(&self) -> &Map<String, Value> {
        &self.props
    }

    /// Mutable access to the props.
    pub fn props_mut(&mut self) -> &mut Map<String, Value> {
        &mut self.props
    }

    /// The component as JSON.
    pub fn to_value(&self) -> Value {
        let mut m = Map::with_capacity(3);
        m.insert("type".into(), Value::String(self.type_name.clone()));
        m.insert("namespace".into(), Value::String(self.namespace.clone()));
        m.insert("props".into(), Value::Object(self.props.clone()));
        Value::Object(m)
    }

    /// Consumes the component into JSON.
    pub fn into_value(self) -> Value {
        let mut m = Map::with_capacity(3);
        m.insert("type".into(), Value::String(self.type_name));
        m.insert("namespace".into(), Value::String(self.namespace));
        m.insert("props".into(), Value::Object(self.props));
        Value::Object(m)
    }
}

impl Serialize for Component {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if !self.deferred.is_empty() {
            // Returned by a callback: made from the callback's app.
            let state = crate::context::callback_context()
                .map(|c| c.app_state().clone())
                .ok_or_else(|| {
                    serde::ser::Error::custom(format!(
                        "the {}.{} component has props made by the app that renders it; \
                         serialize it inside a callback or give it to an app's layout",
                        self.namespace, self.type_name
                    ))
                })?;
            let v = self.render(&state).map_err(serde::ser::Error::custom)?;
            return v.serialize(s);
        }
        let mut st = s.serialize_struct("Component", 3)?;
        st.serialize_field("type", &self.type_name)?;
        st.serialize_field("namespace", &self.namespace)?;
        st.serialize_field("props", &self.props)?;
        st.end()
    }
}

impl From<Component> for Value {
    fn from(c: Component) -> Value {
        c.into_value()
    }
}

/// A JSON number that keeps integers as integers.
///
/// ```
/// use dash_core::Number;
/// assert_eq!(serde_json::to_string(&Number::from(3)).unwrap(), "3");
/// assert_eq!(serde_json::to_string(&Number::from(0.5)).unwrap(), "0.5");
/// assert_eq!(serde_json::to_string(&Number::from(f64::NAN)).unwrap(), "null");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Number(Value);

impl Number {
    /// The number as JSON (`null` for NaN and infinities, as Dash sends them).
    pub fn into_value(self) -> Value {
        self.0
    }
}

impl Serialize for Number {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

macro_rules! number_from {
    ($($t:ty),*) => {$(
        impl From<$t> for Number {
            fn from(v: $t) -> Self { Number(Value::from(v)) }
        }
    )*};
}
number_from!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize);

impl From<f64> for Number {
    fn from(v: f64) -> Self {
        Number(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
}
impl From<f32> for Number {
    fn from(v: f32) -> Self {
        Number::from(f64::from(v))
    }
}
impl From<Number> for Value {
    fn from(n: Number) -> Value {
        n.0
    }
}

/// One child in a component tree: a component, text, a number or nothing.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// A component.
    Component(Component),
    /// Text.
    Text(String),
    /// A number, rendered as text.
    Number(Number),
    /// `null`: renders nothing.
    Null,
    /// Raw JSON, passed through as is (for values produced elsewhere).
    Json(Value),
}

impl Node {
    /// The node as JSON and the deferred props in it.
    pub(crate) fn into_parts(self) -> (Value, DeferredProps) {
        match self {
            Node::Component(mut c) => {
                let d = std::mem::take(&mut c.deferred);
                (c.into_value(), d)
            }
            other => (other.into_value(), DeferredProps::default()),
        }
    }

    /// The node as JSON. Deferred props (see
    /// [`Component::deferred_prop`]) keep their placeholders; an app
    /// renders them.
    pub fn into_value(self) -> Value {
        match self {
            Node::Component(c) => c.into_value(),
            Node::Text(t) => Value::String(t),
            Node::Number(n) => n.into_value(),
            Node::Null => Value::Null,
            Node::Json(v) => v,
        }
    }
}

impl Serialize for Node {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Node::Component(c) => c.serialize(s),
            Node::Text(t) => s.serialize_str(t),
            Node::Number(n) => n.serialize(s),
            Node::Null => s.serialize_none(),
            Node::Json(v) => v.serialize(s),
        }
    }
}

impl From<Component> for Node {
    fn from(c: Component) -> Self {
        Node::Component(c)
    }
}
impl From<&str> for Node {
    fn from(t: &str) -> Self {
        Node::Text(t.to_owned())
    }
}
impl From<String> for Node {
    fn from(t: String) -> Self {
        Node::Text(t)
    }
}
impl From<&String> for Node {
    fn from(t: &String) -> Self {
        Node::Text(t.clone())
    }
}
impl From<Number> for Node {
    fn from(n: Number) -> Self {
        Node::Number(n)
    }
}
impl From<Value> for Node {
    fn from(v: Value) -> Self {
        Node::Json(v)
    }
}
impl<T: Into<Node>> From<Option<T>> for Node {
    fn from(v: Option<T>) -> Self {
        v.map_or(Node::Null, Into::into)
    }
}
macro_rules! node_from_number {
    ($($t:ty),*) => {$(
        impl From<$t> for Node {
            fn from(v: $t) -> Self { Node::Number(Number::from(v)) }
        }
    )*};
}
node_from_number!(i8, i16, i32, i64, isize, u8, u16, u32, u64, usize, f32, f64);

/// The value of a `children` prop: one node or a list of nodes.
///
/// Converts from a component, text, a number, a `Vec` or array of nodes,
/// and tuples of up to twelve different node types.
#[derive(Debug, Clone, PartialEq)]
pub enum Children {
    /// A single child, sent as itself.
    One(Node),
    /// A list of children, sent as an array.
    Many(Vec<Node>),
}

impl Children {
    /// The children as JSON and the deferred props in them.
    pub(crate) fn into_parts(self) -> (Value, DeferredProps) {
        match self {
            Children::One(n) => n.into_parts(),
            Children::Many(v) => {
                let mut all = DeferredProps::default();
                let values = v
                    .into_iter()
                    .map(|n| {
                        let (v, d) = n.into_parts();
                        all.extend(d);
                        v
                    })
                    .collect();
                (Value::Array(values), all)
            }
        }
    }

    /// The children as JSON made with `state`: deferred props rendered.
    pub fn render(self, state: &AppState) -> Result<Value, String> {
        let (mut v, d) = self.into_parts();
        d.resolve(&mut v, state)?;
        Ok(v)
    }

    /// The children as JSON. Deferred props keep their placeholders (see
    /// [`Children::render`]).
    pub fn into_value(self) -> Value {
        match self {
            Children::One(n) => n.into_value(),
            Children::Many(v) => Value::Array(v.into_iter().map(Node::into_value).collect()),
        }
    }
}

impl Serialize for Children {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Children::One(n) => n.serialize(s),
            Children::Many(v) => s.collect_seq(v),
        }
    }
}

impl<T: Into<Node>> From<T> for Children {
    fn from(v: T) -> Self {
        Children::One(v.into())
    }
}
impl<T: Into<Node>> From<Vec<T>> for Children {
    fn from(v: Vec<T>) -> Self {
        Children::Many(v.into_iter().map(Into::into).collect())
    }
}
impl<T: Into<Node>, const N: usize> From<[T; N]> for Children {
    fn from(v: [T; N]) -> Self {
        Children::Many(v.into_iter().map(Into::into).collect())
    }
}

macro_rules! children_from_tuple {
    ($($name:ident),+) => {
        impl<$($name: Into<Node>),+> From<($($name,)+)> for Children {
            #[allow(non_snake_case)]
            fn from(($($name,)+): ($($name,)+)) -> Self {
                Children::Many(vec![$($name.into()),+])
            }
        }
    };
}
children_from_tuple!(A);
children_from_tuple!(A, B);
children_from_tuple!(A, B, C);
children_from_tuple!(A, B, C, D);
children_from_tuple!(A, B, C, D, E);
children_from_tuple!(A, B, C, D, E, F);
children_from_tuple!(A, B, C, D, E, F, G);
children_from_tuple!(A, B, C, D, E, F, G, H);
children_from_tuple!(A, B, C, D, E, F, G, H, I);
children_from_tuple!(A, B, C, D, E, F, G, H, I, J);
children_from_tuple!(A, B, C, D, E, F, G, H, I, J, K);
children_from_tuple!(A, B, C, D, E, F, G, H, I, J, K, L);

/// Declares a typed component builder: a newtype over [`Component`] with
/// `new`, `id`, `prop` and the conversions every builder needs. The code
/// generator uses this for every html, dcc and dash_table component; a
/// community component crate may use it too.
///
/// ```
/// dash_core::component_type!(
///     /// A gauge from a community library.
///     Gauge, "my_library", "Gauge"
/// );
/// let g = Gauge::new().id("g").prop("value", 3);
/// let node: dash_core::Node = g.into();
/// ```
#[macro_export]
macro_rules! component_type {
    ($(#[$meta:meta])* $name:ident, $namespace:literal, $type_name:literal) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq)]
        pub struct $name($crate::Component);

        impl $name {
            /// A new component with no props set.
            pub fn new() -> Self {
                $name($crate::Component::new($namespace, $type_name))
            }

            /// Sets the `id` prop (a string or a dict ID).
            pub fn id(self, id: impl Into<$crate::ComponentId>) -> Self {
                $name(self.0.id(id))
            }

            /// Sets any prop to a JSON value (escape hatch for props this
            /// builder does not type).
            pub fn prop(self, name: impl Into<String>, value: impl Into<$crate::serde_json::Value>) -> Self {
                $name(self.0.prop(name, value))
            }

            /// The untyped component.
            pub fn into_component(self) -> $crate::Component {
                self.0
            }
        }

        impl ::core::default::Default for $name {
            fn default() -> Self {
                Self::new()
            }
        }

        impl ::core::convert::From<$name> for $crate::Component {
            fn from(c: $name) -> $crate::Component {
                c.0
            }
        }

        impl ::core::convert::From<$name> for $crate::Node {
            fn from(c: $name) -> $crate::Node {
                $crate::Node::Component(c.0)
            }
        }

        impl ::core::convert::From<$name> for $crate::serde_json::Value {
            fn from(c: $name) -> $crate::serde_json::Value {
                c.0.into_value()
            }
        }

        impl $crate::serde::Serialize for $name {
            fn serialize<S: $crate::serde::Serializer>(&self, s: S) -> ::core::result::Result<S::Ok, S::Error> {
                self.0.serialize(s)
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn children_forms() {
        let c = Component::new("ns", "T").children((
            "text",
            3,
            Component::new("ns", "U"),
            Option::<String>::None,
        ));
        assert_eq!(
            serde_json::to_value(&c).unwrap()["props"]["children"],
            serde_json::json!(["text", 3, {"type":"U","namespace":"ns","props":{}}, null])
        );
        let one = Component::new("ns", "T").children("hi");
        assert_eq!(one.props()["children"], Value::String("hi".into()));
    }

    #[test]
    fn serializer_matches_to_value() {
        let c = Component::new("ns", "T").id("x").prop("n", 1.5);
        assert_eq!(serde_json::to_value(&c).unwrap(), c.to_value());
    }
}
