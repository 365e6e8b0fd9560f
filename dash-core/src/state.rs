//! App-scoped typed state ([`AppState`]): values an app holds for its
//! callbacks and components — a frame store, a cache, a connection pool —
//! one per type, as axum's `State`/`Extension` and bevy's resources.
//!
//! Each [`crate::Dash`] app has its own map, so two apps in one process
//! can hold different values of the same type. Callbacks read it through
//! their context ([`crate::CallbackContext::state`], [`crate::app_state`]);
//! components read it when the app renders them
//! ([`crate::Component::deferred_prop`]).
//!
//! ```
//! use dash_core::AppState;
//! #[derive(Default)]
//! struct Counter(std::sync::atomic::AtomicU64);
//!
//! let state = AppState::new();
//! let a = state.get_or_default::<Counter>();
//! let b = state.get_or_default::<Counter>();
//! assert!(std::sync::Arc::ptr_eq(&a, &b)); // one value per type and app
//! assert!(AppState::new().get::<Counter>().is_none()); // another app: its own
//! ```

use std::any::{Any, TypeId, type_name};
use std::collections::HashMap;
use std::sync::{Arc, RwLock};

type Entry = Arc<dyn Any + Send + Sync>;

/// A map from a type to one shared value of it. Cloning is cheap and gives
/// a handle to the same map.
#[derive(Clone, Default)]
pub struct AppState {
    map: Arc<RwLock<HashMap<TypeId, (&'static str, Entry)>>>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self
            .map
            .read()
            .map(|m| m.values().map(|(n, _)| *n).collect())
            .unwrap_or_default();
        f.debug_struct("AppState").field("types", &names).finish()
    }
}

impl AppState {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// Puts `value` in, replacing any value of the same type.
    pub fn insert<T: Send + Sync + 'static>(&self, value: T) {
        self.insert_arc(Arc::new(value));
    }

    /// Puts an already shared value in, replacing any value of its type.
    pub fn insert_arc<T: Send + Sync + 'static>(&self, value: Arc<T>) {
        let mut map = self.map.write().unwrap_or_else(|e| e.into_inner());
        map.insert(TypeId::of::<T>(), (type_name::<T>(), value));
    }

    /// The value of type `T`, if there is one.
    pub fn get<T: Send + Sync + 'static>(&self) -> Option<Arc<T>> {
        let map = self.map.read().unwrap_or_else(|e| e.into_inner());
        map.get(&TypeId::of::<T>())
            .and_then(|(_, v)| Arc::clone(v).downcast::<T>().ok())
    }

    /// Whether there is a value of type `T`.
    pub fn contains<T: Send + Sync + 'static>(&self) -> bool {
        let map = self.map.read().unwrap_or_else(|e| e.into_inner());
        map.contains_key(&TypeId::of::<T>())
    }

    /// The value of type `T`; made with `init` and kept if there is none.
    /// `init` runs outside the map's lock (it may read other values); if two
    /// threads race, the first value put in wins and both get it.
    pub fn get_or_init<T: Send + Sync + 'static>(&self, init: impl FnOnce() -> T) -> Arc<T> {
        if let Some(v) = self.get::<T>() {
            return v;
        }
        let made: Entry = Arc::new(init());
        let mut map = self.map.write().unwrap_or_else(|e| e.into_inner());
        let (_, v) = map
            .entry(TypeId::of::<T>())
            .or_insert((type_name::<T>(), made));
        // The entry under T's TypeId always holds a T.
        Arc::clone(v)
            .downcast::<T>()
            .unwrap_or_else(|_| unreachable!("AppState entry of the wrong type"))
    }

    /// The value of type `T`, made with `T::default()` if there is none.
    pub fn get_or_default<T: Default + Send + Sync + 'static>(&self) -> Arc<T> {
        self.get_or_init(T::default)
    }

    /// The value of type `T`, or an error naming the type and how to add it.
    pub fn require<T: Send + Sync + 'static>(&self) -> Result<Arc<T>, crate::CallbackError> {
        self.get::<T>().ok_or_else(|| {
            crate::CallbackError::msg(format!(
                "the app has no state of type {}: add it with `app.state(...)`",
                type_name::<T>()
            ))
        })
    }

    /// Whether both handles are the same map.
    pub fn same_as(&self, other: &AppState) -> bool {
        Arc::ptr_eq(&self.map, &other.map)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, PartialEq)]
    struct Name(&'static str);

    #[test]
    fn one_value_per_type_replaced_by_insert() {
        let s = AppState::new();
        assert!(s.get::<Name>().is_none());
        assert!(!s.contains::<Name>());
        s.insert(Name("a"));
        assert_eq!(*s.get::<Name>().unwrap(), Name("a"));
        s.insert(Name("b"));
        assert_eq!(*s.get::<Name>().unwrap(), Name("b"));
        s.insert(7u32);
        assert_eq!(*s.get::<u32>().unwrap(), 7);
        assert_eq!(*s.get::<Name>().unwrap(), Name("b"));
    }

    #[test]
    fn get_or_init_keeps_the_first_value() {
        let s = AppState::new();
        let mut calls = 0;
        let a = s.get_or_init(|| {
            calls += 1;
            Name("first")
        });
        let b = s.get_or_init(|| {
            calls += 1;
            Name("second")
        });
        assert_eq!(calls, 1);
        assert!(Arc::ptr_eq(&a, &b));
        assert_eq!(*b, Name("first"));
        // An init may read the map (no lock is held while it runs).
        let n = s.get_or_init(|| s.get::<Name>().map_or(0usize, |n| n.0.len()));
        assert_eq!(*n, 5);
    }

    #[test]
    fn clones_share_and_new_maps_do_not() {
        let s = AppState::new();
        let t = s.clone();
        t.insert(Name("x"));
        assert_eq!(*s.get::<Name>().unwrap(), Name("x"));
        assert!(s.same_as(&t));
        let other = AppState::new();
        assert!(!other.same_as(&s));
        assert!(other.get::<Name>().is_none());
        let e = other.require::<Name>().unwrap_err().to_string();
        assert!(e.contains("Name") && e.contains("app.state"), "{e}");
    }
}
