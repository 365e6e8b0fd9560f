//! Props made at render ([`crate::Component::deferred_prop`]): a component
//! tree holds a placeholder string where such a value goes, and the
//! functions that make them travel up the tree as components nest, so the
//! app that renders the root can make every one from its state.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::Value;

use crate::state::AppState;

/// A function making a prop's value from the rendering app's state.
pub(crate) type MakeProp = Arc<dyn Fn(&AppState) -> Result<Value, String> + Send + Sync>;

/// Placeholders start with a NUL, which no text a person types holds.
const PREFIX: &str = "\u{0}dash-deferred:";

/// One deferred prop: its placeholder and its maker.
#[derive(Clone)]
pub(crate) struct Deferred {
    placeholder: Arc<str>,
    make: MakeProp,
}

impl Deferred {
    /// A new deferred prop and the placeholder to put where its value goes.
    pub(crate) fn new(make: MakeProp) -> (String, Deferred) {
        // Unique in the process, so nested trees never share one.
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let placeholder = format!("{PREFIX}{}", NEXT.fetch_add(1, Ordering::Relaxed));
        (
            placeholder.clone(),
            Deferred {
                placeholder: placeholder.into(),
                make,
            },
        )
    }
}

/// The deferred props of a tree.
#[derive(Clone, Default)]
pub(crate) struct DeferredProps(Vec<Deferred>);

impl DeferredProps {
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub(crate) fn len(&self) -> usize {
        self.0.len()
    }

    pub(crate) fn push(&mut self, d: Deferred) {
        self.0.push(d);
    }

    pub(crate) fn extend(&mut self, other: DeferredProps) {
        self.0.extend(other.0);
    }

    /// Replaces every placeholder in `value` by the value its maker makes
    /// from `state`. One walk of the tree; nothing to do when empty.
    pub(crate) fn resolve(&self, value: &mut Value, state: &AppState) -> Result<(), String> {
        if self.0.is_empty() {
            return Ok(());
        }
        let makers: HashMap<&str, &MakeProp> =
            self.0.iter().map(|d| (&*d.placeholder, &d.make)).collect();
        walk(value, &makers, state)
    }
}

fn walk(
    value: &mut Value,
    makers: &HashMap<&str, &MakeProp>,
    state: &AppState,
) -> Result<(), String> {
    match value {
        Value::String(s) if s.starts_with(PREFIX) => {
            if let Some(make) = makers.get(s.as_str()) {
                *value = make(state)?;
            }
            Ok(())
        }
        Value::Array(items) => items.iter_mut().try_for_each(|v| walk(v, makers, state)),
        Value::Object(map) => map.values_mut().try_for_each(|v| walk(v, makers, state)),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use crate::{AppState, Component, Node};
    use serde_json::json;

    struct Label(&'static str);

    fn labelled() -> Component {
        Component::new("ns", "Leaf").deferred_prop("label", |s: &AppState| {
            s.get::<Label>()
                .map(|l| json!(l.0))
                .ok_or_else(|| "no label".to_owned())
        })
    }

    #[test]
    fn nested_deferred_props_are_made_by_the_rendering_app() {
        let tree = Component::new("ns", "Root").children(vec![
            Node::from(Component::new("ns", "Mid").children(labelled())),
            Node::from(labelled()),
        ]);
        assert!(tree.has_deferred());
        let a = AppState::new();
        a.insert(Label("from a"));
        let b = AppState::new();
        b.insert(Label("from b"));
        let va = tree.render(&a).unwrap();
        assert_eq!(
            va["props"]["children"][0]["props"]["children"]["props"]["label"],
            "from a"
        );
        assert_eq!(va["props"]["children"][1]["props"]["label"], "from a");
        let vb = tree.render(&b).unwrap();
        assert_eq!(vb["props"]["children"][1]["props"]["label"], "from b");
        // A maker's error is the render's error.
        assert_eq!(tree.render(&AppState::new()).unwrap_err(), "no label");
        // Outside an app, serializing says why it cannot.
        let e = serde_json::to_value(&tree).unwrap_err().to_string();
        assert!(e.contains("made by the app"), "{e}");
    }

    #[test]
    fn plain_trees_have_nothing_deferred() {
        let tree = Component::new("ns", "Root").children(("a", Component::new("ns", "B")));
        assert!(!tree.has_deferred());
        assert_eq!(tree.render(&AppState::new()).unwrap(), tree.to_value());
    }
}
