//! Callback dependencies: [`Input`], [`State`], [`Output`] and the groups
//! they form (positional tuples, named maps and nesting of both).
//!
//! A group's shape decides how a callback receives its arguments and
//! returns its results: a tuple becomes a JSON array (a Rust tuple), a
//! [`Named`] group becomes a JSON object (a struct deriving serde's
//! traits), and a single dependency is its bare value.

use serde_json::Value;

use crate::id::{ComponentId, IdValue, Wildcard};

/// One `(component id, property)` pair.
#[derive(Debug, Clone, PartialEq)]
pub struct Dependency {
    /// The component ID (may contain wildcards).
    pub id: ComponentId,
    /// The property name.
    pub property: String,
}

impl Dependency {
    fn new(id: impl Into<ComponentId>, property: impl Into<String>) -> Self {
        Dependency {
            id: id.into(),
            property: property.into(),
        }
    }

    /// `"<idstr>.<prop>"`, as Dash writes a dependency.
    pub fn prop_id(&self) -> String {
        format!("{}.{}", self.id, self.property)
    }

    /// The wildcard that turns this dependency's value into a list
    /// (`ALL` or `ALLSMALLER`), if any.
    pub(crate) fn is_multi(&self) -> bool {
        match &self.id {
            ComponentId::Str(_) => false,
            ComponentId::Dict(pairs) => pairs
                .iter()
                .any(|(_, v)| matches!(v, IdValue::Wildcard(Wildcard::All | Wildcard::AllSmaller))),
        }
    }

    /// The entry of `_dash-dependencies`: the ID travels stringified
    /// (as Dash's `component_id_str`), and the renderer parses it back.
    pub(crate) fn to_json(&self) -> Value {
        serde_json::json!({"id": self.id.to_string(), "property": self.property})
    }
}

/// A property whose change fires the callback.
///
/// ```
/// use dash_core::Input;
/// let i = Input::new("name", "value");
/// assert_eq!(i.prop_id(), "name.value");
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Input(pub(crate) Dependency, pub(crate) bool);

impl Input {
    /// Listens to `property` of the component `id`.
    pub fn new(id: impl Into<ComponentId>, property: impl Into<String>) -> Self {
        Input(Dependency::new(id, property), false)
    }

    /// Lets the component be absent from the layout (its value is then `null`).
    pub fn allow_optional(mut self) -> Self {
        self.1 = true;
        self
    }

    /// `"<idstr>.<prop>"`.
    pub fn prop_id(&self) -> String {
        self.0.prop_id()
    }
}

/// A property read when the callback fires, without firing it.
#[derive(Debug, Clone, PartialEq)]
pub struct State(pub(crate) Dependency, pub(crate) bool);

impl State {
    /// Reads `property` of the component `id`.
    pub fn new(id: impl Into<ComponentId>, property: impl Into<String>) -> Self {
        State(Dependency::new(id, property), false)
    }

    /// Lets the component be absent from the layout (its value is then `null`).
    pub fn allow_optional(mut self) -> Self {
        self.1 = true;
        self
    }

    /// `"<idstr>.<prop>"`.
    pub fn prop_id(&self) -> String {
        self.0.prop_id()
    }
}

/// A property the callback sets.
#[derive(Debug, Clone, PartialEq)]
pub struct Output {
    pub(crate) dep: Dependency,
    pub(crate) allow_duplicate: bool,
}

impl Output {
    /// Sets `property` of the component `id`.
    pub fn new(id: impl Into<ComponentId>, property: impl Into<String>) -> Self {
        Output {
            dep: Dependency::new(id, property),
            allow_duplicate: false,
        }
    }

    /// Lets more than one callback set this output (Dash's `allow_duplicate=True`).
    pub fn allow_duplicate(mut self) -> Self {
        self.allow_duplicate = true;
        self
    }

    /// `"<idstr>.<prop>"` (without any duplicate suffix).
    pub fn prop_id(&self) -> String {
        self.dep.prop_id()
    }
}

/// The tree of a dependency group: leaves are inputs, states or outputs;
/// inner nodes are positional (a JSON array) or named (a JSON object).
#[derive(Debug, Clone)]
pub enum DepTree {
    /// One input.
    Input(Input),
    /// One state.
    State(State),
    /// One output.
    Output(Output),
    /// A positional group (a JSON array; a Rust tuple).
    Tuple(Vec<DepTree>),
    /// A named group (a JSON object; a Rust struct).
    Named(Vec<(String, DepTree)>),
}

/// Anything that can stand for a group of dependencies: an [`Input`],
/// [`State`] or [`Output`], tuples (up to 12) and `Vec`s of groups, `()`
/// and [`Named`]. The inputs of a callback must hold only inputs and
/// states; its outputs only outputs.
pub trait Group {
    /// The group as a tree.
    fn into_tree(self) -> DepTree;
}

impl Group for Input {
    fn into_tree(self) -> DepTree {
        DepTree::Input(self)
    }
}
impl Group for State {
    fn into_tree(self) -> DepTree {
        DepTree::State(self)
    }
}
impl Group for Output {
    fn into_tree(self) -> DepTree {
        DepTree::Output(self)
    }
}
impl Group for DepTree {
    fn into_tree(self) -> DepTree {
        self
    }
}
impl<T: Group> Group for Vec<T> {
    fn into_tree(self) -> DepTree {
        DepTree::Tuple(self.into_iter().map(Group::into_tree).collect())
    }
}
impl Group for () {
    fn into_tree(self) -> DepTree {
        DepTree::Tuple(Vec::new())
    }
}

macro_rules! tuple_groups {
    ($($name:ident),+) => {
        impl<$($name: Group),+> Group for ($($name,)+) {
            #[allow(non_snake_case)]
            fn into_tree(self) -> DepTree {
                let ($($name,)+) = self;
                DepTree::Tuple(vec![$($name.into_tree()),+])
            }
        }
    };
}
tuple_groups!(A);
tuple_groups!(A, B);
tuple_groups!(A, B, C);
tuple_groups!(A, B, C, D);
tuple_groups!(A, B, C, D, E);
tuple_groups!(A, B, C, D, E, F);
tuple_groups!(A, B, C, D, E, F, G);
tuple_groups!(A, B, C, D, E, F, G, H);
tuple_groups!(A, B, C, D, E, F, G, H, I);
tuple_groups!(A, B, C, D, E, F, G, H, I, J);
tuple_groups!(A, B, C, D, E, F, G, H, I, J, K);
tuple_groups!(A, B, C, D, E, F, G, H, I, J, K, L);

/// A named group: its values travel as a JSON object, so the callback
/// takes (or returns) a struct that derives `Deserialize` (or `Serialize`).
///
/// ```
/// use dash_core::{Input, Named, State};
/// let args = Named::new()
///     .with("city", Input::new("city", "value"))
///     .with("units", State::new("units", "value"));
/// # let _ = args;
/// ```
#[derive(Debug, Clone, Default)]
pub struct Named {
    entries: Vec<(String, DepTree)>,
}

impl Named {
    /// An empty named group.
    pub fn new() -> Self {
        Named::default()
    }

    /// Adds an entry named `name`.
    pub fn with(mut self, name: impl Into<String>, group: impl Group) -> Self {
        self.entries.push((name.into(), group.into_tree()));
        self
    }
}

impl Group for Named {
    fn into_tree(self) -> DepTree {
        DepTree::Named(self.entries)
    }
}

/// Builds a [`Named`] group: `named! { city: Input::new("city", "value"), ... }`.
///
/// ```
/// use dash_core::{named, Output};
/// let outs = named! { square: Output::new("square", "children"), cube: Output::new("cube", "children") };
/// # let _ = outs;
/// ```
#[macro_export]
macro_rules! named {
    ($($k:ident : $v:expr),+ $(,)?) => {
        $crate::Named::new()$(.with(stringify!($k), $v))+
    };
}

/// Flattened form of an argument tree: the input and state lists Dash
/// sends, and a shape that rebuilds the grouped value.
#[derive(Debug, Clone)]
pub(crate) enum ArgShape {
    Input(usize),
    State(usize),
    Tuple(Vec<ArgShape>),
    Named(Vec<(String, ArgShape)>),
}

pub(crate) fn flatten_args(
    tree: DepTree,
    inputs: &mut Vec<Input>,
    states: &mut Vec<State>,
) -> Result<ArgShape, String> {
    Ok(match tree {
        DepTree::Input(i) => {
            inputs.push(i);
            ArgShape::Input(inputs.len() - 1)
        }
        DepTree::State(s) => {
            states.push(s);
            ArgShape::State(states.len() - 1)
        }
        DepTree::Output(o) => {
            return Err(format!(
                "Output({}) is among the inputs; outputs go in the first argument",
                o.prop_id()
            ));
        }
        DepTree::Tuple(items) => ArgShape::Tuple(
            items
                .into_iter()
                .map(|t| flatten_args(t, inputs, states))
                .collect::<Result<_, _>>()?,
        ),
        DepTree::Named(items) => ArgShape::Named(
            items
                .into_iter()
                .map(|(k, t)| flatten_args(t, inputs, states).map(|s| (k, s)))
                .collect::<Result<_, _>>()?,
        ),
    })
}

impl ArgShape {
    /// Rebuilds the grouped value from the flat input and state values.
    pub(crate) fn assemble(&self, inputs: &mut [Value], states: &mut [Value]) -> Value {
        match self {
            ArgShape::Input(i) => inputs.get_mut(*i).map(Value::take).unwrap_or(Value::Null),
            ArgShape::State(i) => states.get_mut(*i).map(Value::take).unwrap_or(Value::Null),
            ArgShape::Tuple(items) => {
                Value::Array(items.iter().map(|s| s.assemble(inputs, states)).collect())
            }
            ArgShape::Named(items) => Value::Object(
                items
                    .iter()
                    .map(|(k, s)| (k.clone(), s.assemble(inputs, states)))
                    .collect(),
            ),
        }
    }

    /// How many positional arguments this group spreads into.
    pub(crate) fn top_len(&self) -> Option<usize> {
        match self {
            ArgShape::Tuple(items) => Some(items.len()),
            _ => None,
        }
    }
}

/// Flattened outputs: the list and a shape that splits a result.
#[derive(Debug, Clone)]
pub(crate) enum OutputShape {
    Output(usize),
    Tuple(Vec<OutputShape>),
    Named(Vec<(String, OutputShape)>),
}

pub(crate) fn flatten_outputs(
    tree: DepTree,
    outputs: &mut Vec<Output>,
) -> Result<OutputShape, String> {
    Ok(match tree {
        DepTree::Output(o) => {
            outputs.push(o);
            OutputShape::Output(outputs.len() - 1)
        }
        DepTree::Input(i) => {
            return Err(format!("Input({}) is among the outputs", i.prop_id()));
        }
        DepTree::State(i) => {
            return Err(format!("State({}) is among the outputs", i.prop_id()));
        }
        DepTree::Tuple(items) => OutputShape::Tuple(
            items
                .into_iter()
                .map(|t| flatten_outputs(t, outputs))
                .collect::<Result<_, _>>()?,
        ),
        DepTree::Named(items) => OutputShape::Named(
            items
                .into_iter()
                .map(|(k, t)| flatten_outputs(t, outputs).map(|s| (k, s)))
                .collect::<Result<_, _>>()?,
        ),
    })
}

impl OutputShape {
    /// Splits a callback's result into one value per output.
    /// `slots[i]` receives output `i`'s value.
    pub(crate) fn split(
        &self,
        value: Value,
        slots: &mut [Option<Value>],
        path: &str,
    ) -> Result<(), String> {
        if crate::handler::is_no_update(&value) {
            // No update for the whole group: leave every slot empty.
            return Ok(());
        }
        match self {
            OutputShape::Output(i) => {
                if let Some(slot) = slots.get_mut(*i) {
                    *slot = Some(value);
                }
                Ok(())
            }
            // A callback without outputs may return anything (e.g. `()`).
            OutputShape::Tuple(items) if items.is_empty() => Ok(()),
            OutputShape::Tuple(items) => {
                let Value::Array(values) = value else {
                    return Err(format!(
                        "expected a list of {} values for the outputs{path}, got {}",
                        items.len(),
                        short(&value)
                    ));
                };
                if values.len() != items.len() {
                    return Err(format!(
                        "expected {} values for the outputs{path}, got {}",
                        items.len(),
                        values.len()
                    ));
                }
                for (n, (shape, v)) in items.iter().zip(values).enumerate() {
                    shape.split(v, slots, &format!("{path}[{n}]"))?;
                }
                Ok(())
            }
            OutputShape::Named(items) => {
                let Value::Object(mut map) = value else {
                    return Err(format!(
                        "expected an object with keys {:?} for the outputs{path}, got {}",
                        items.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
                        short(&value)
                    ));
                };
                for (k, shape) in items {
                    let v = map.remove(k).ok_or_else(|| {
                        format!("the result for the outputs{path} has no field {k:?}")
                    })?;
                    shape.split(v, slots, &format!("{path}.{k}"))?;
                }
                Ok(())
            }
        }
    }
}

fn short(v: &Value) -> String {
    let s = v.to_string();
    if s.len() > 80 {
        let cut = (0..=80).rev().find(|i| s.is_char_boundary(*i)).unwrap_or(0);
        format!("{}…", &s[..cut])
    } else {
        s
    }
}
