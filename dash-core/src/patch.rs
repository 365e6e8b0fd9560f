//! Partial updates of a property (Dash's `Patch`): append to a list,
//! change one key of a figure, and so on, without sending the whole value.

use serde::Serialize;
use serde_json::{Value, json};

/// One step of a location inside a property value: a key or an index.
#[derive(Debug, Clone, PartialEq)]
pub enum PathKey {
    /// An object key.
    Key(String),
    /// A list index (negative counts from the end).
    Index(i64),
}

impl From<&str> for PathKey {
    fn from(k: &str) -> Self {
        PathKey::Key(k.into())
    }
}
impl From<String> for PathKey {
    fn from(k: String) -> Self {
        PathKey::Key(k)
    }
}
impl From<i64> for PathKey {
    fn from(i: i64) -> Self {
        PathKey::Index(i)
    }
}
impl From<i32> for PathKey {
    fn from(i: i32) -> Self {
        PathKey::Index(i64::from(i))
    }
}
impl From<usize> for PathKey {
    fn from(i: usize) -> Self {
        PathKey::Index(i64::try_from(i).unwrap_or(i64::MAX))
    }
}

impl PathKey {
    fn to_json(&self) -> Value {
        match self {
            PathKey::Key(k) => Value::String(k.clone()),
            PathKey::Index(i) => Value::from(*i),
        }
    }
}

/// A list of operations the renderer applies to the current value of an
/// output. Return it from a callback in place of the new value.
///
/// ```
/// use dash_core::Patch;
/// let p = Patch::new().append((), "new item").assign(["layout", "title"], "Sales");
/// let v = serde_json::to_value(&p).unwrap();
/// assert_eq!(v["__dash_patch_update"], "__dash_patch_update");
/// assert_eq!(v["operations"][0]["operation"], "Append");
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Patch {
    operations: Vec<Value>,
}

/// A location inside a property value: `()` for the value itself, a key,
/// an index, or an array/`Vec` of steps (`["layout", "title"]`).
pub trait Location {
    /// The location as the list of steps the renderer expects.
    fn steps(self) -> Vec<PathKey>;
}
impl Location for () {
    fn steps(self) -> Vec<PathKey> {
        Vec::new()
    }
}
impl Location for &str {
    fn steps(self) -> Vec<PathKey> {
        vec![self.into()]
    }
}
impl Location for i64 {
    fn steps(self) -> Vec<PathKey> {
        vec![self.into()]
    }
}
impl Location for i32 {
    fn steps(self) -> Vec<PathKey> {
        vec![self.into()]
    }
}
impl Location for usize {
    fn steps(self) -> Vec<PathKey> {
        vec![self.into()]
    }
}
impl<P: Into<PathKey>, const N: usize> Location for [P; N] {
    fn steps(self) -> Vec<PathKey> {
        self.into_iter().map(Into::into).collect()
    }
}
impl<P: Into<PathKey>> Location for Vec<P> {
    fn steps(self) -> Vec<PathKey> {
        self.into_iter().map(Into::into).collect()
    }
}

fn loc(location: impl Location) -> Value {
    Value::Array(location.steps().iter().map(PathKey::to_json).collect())
}

macro_rules! value_op {
    ($(#[$m:meta])* $fn:ident, $name:literal) => {
        $(#[$m])*
        pub fn $fn(self, location: impl Location, value: impl Into<Value>) -> Self {
            self.op($name, loc(location), json!({"value": value.into()}))
        }
    };
}

macro_rules! bare_op {
    ($(#[$m:meta])* $fn:ident, $name:literal) => {
        $(#[$m])*
        pub fn $fn(self, location: impl Location) -> Self {
            self.op($name, loc(location), json!({}))
        }
    };
}

impl Patch {
    /// An empty patch.
    pub fn new() -> Self {
        Patch::default()
    }

    fn op(mut self, name: &str, location: Value, params: Value) -> Self {
        self.operations
            .push(json!({"operation": name, "location": location, "params": params}));
        self
    }

    value_op!(/// Sets the value at `location`.
        assign, "Assign");
    value_op!(/// Merges an object into the object at `location`.
        merge, "Merge");
    value_op!(/// Appends all items of a list to the list at `location`.
        extend, "Extend");
    value_op!(/// Appends one item to the list at `location`.
        append, "Append");
    value_op!(/// Inserts one item at the start of the list at `location`.
        prepend, "Prepend");
    value_op!(/// Adds a number to the number at `location`.
        add, "Add");
    value_op!(/// Subtracts a number from the number at `location`.
        sub, "Sub");
    value_op!(/// Multiplies the number at `location`.
        mul, "Mul");
    value_op!(/// Divides the number at `location`.
        div, "Div");
    value_op!(/// Removes the first item equal to `value` from the list at `location`.
        remove, "Remove");
    bare_op!(/// Deletes the key or index at `location`.
        delete, "Delete");
    bare_op!(/// Empties the list or object at `location`.
        clear, "Clear");
    bare_op!(/// Reverses the list at `location`.
        reverse, "Reverse");

    /// Inserts `value` at `index` in the list at `location`.
    pub fn insert(self, location: impl Location, index: i64, value: impl Into<Value>) -> Self {
        self.op(
            "Insert",
            loc(location),
            json!({"index": index, "value": value.into()}),
        )
    }

    /// Whether no operation was added.
    pub fn is_empty(&self) -> bool {
        self.operations.is_empty()
    }
}

impl Serialize for Patch {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        json!({
            "__dash_patch_update": "__dash_patch_update",
            "operations": self.operations,
        })
        .serialize(s)
    }
}
