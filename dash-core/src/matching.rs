//! Whether a request entry is one the callback declared: its property, and
//! its ID against the declared ID or pattern — literal values equal, every
//! `MATCH` of one key the same value across the whole request, `ALLSMALLER`
//! values below that `MATCH` value (the renderer's `idMatch`). The Dash
//! renderer never sends anything else, so a body that does is refused
//! before the callback runs: a client cannot write to a component the
//! callback does not output to, or hand it inputs it did not ask for.
//!
//! Every check costs the size of the entry and of the declared pattern:
//! nothing here grows with the square of the request.

use std::cmp::Ordering;

use crate::deps::Dependency;
use crate::id::{ComponentId, IdValue, Wildcard};

/// Checks the entries of one request against their dependencies,
/// remembering the values `MATCH` took so far.
#[derive(Default)]
pub(crate) struct Matcher {
    /// `(key, value)` for each key a `MATCH` has been bound to.
    bound: Vec<(String, IdValue)>,
    /// `ALLSMALLER` values to compare once every `MATCH` is bound:
    /// `(key, value, where)`.
    smaller: Vec<(String, IdValue, String)>,
}

impl Matcher {
    /// Checks the entry at `place` (such as `inputs[1][0]`), with `id` and
    /// `property`, against `dep`. `property` may carry an `@…` suffix when
    /// `allow_suffix` (an `allow_duplicate` output).
    pub(crate) fn check(
        &mut self,
        place: &str,
        id: &ComponentId,
        property: &str,
        dep: &Dependency,
        allow_suffix: bool,
    ) -> Result<(), String> {
        let bare = if allow_suffix {
            property.split('@').next().unwrap_or(property)
        } else {
            property
        };
        if bare != dep.property {
            return Err(format!(
                "{place} names property {property:?}, but the callback declared {}",
                dep.prop_id()
            ));
        }
        let mismatch = || {
            format!(
                "{place} names component {id}, which is not {} of this callback",
                dep.id
            )
        };
        match (&dep.id, id) {
            (ComponentId::Str(want), ComponentId::Str(got)) if want == got => Ok(()),
            (ComponentId::Dict(pattern), ComponentId::Dict(got)) if pattern.len() == got.len() => {
                for (key, want) in pattern {
                    let Some(value) = id.get(key) else {
                        return Err(mismatch());
                    };
                    if let IdValue::Wildcard(_) = value {
                        return Err(format!(
                            "{place}: component {id} has a wildcard as a value; a request names concrete components"
                        ));
                    }
                    match want {
                        IdValue::Wildcard(Wildcard::All) => {}
                        IdValue::Wildcard(Wildcard::Match) => self.bind(place, key, value)?,
                        IdValue::Wildcard(Wildcard::AllSmaller) => {
                            self.smaller
                                .push((key.clone(), value.clone(), place.to_owned()));
                        }
                        literal if literal == value => {}
                        _ => return Err(mismatch()),
                    }
                }
                Ok(())
            }
            _ => Err(mismatch()),
        }
    }

    fn bind(&mut self, place: &str, key: &str, value: &IdValue) -> Result<(), String> {
        match self.bound.iter().find(|(k, _)| k == key) {
            Some((_, have)) if have == value => Ok(()),
            Some((_, have)) => Err(format!(
                "{place}: MATCH on {key:?} is {} here but {} elsewhere in the request; every MATCH of a key names one value",
                value.to_json(),
                have.to_json()
            )),
            None => {
                self.bound.push((key.to_owned(), value.clone()));
                Ok(())
            }
        }
    }

    /// Checks every `ALLSMALLER` value against its key's `MATCH` value;
    /// gives the value each `MATCH` key took.
    pub(crate) fn finish(self) -> Result<Vec<(String, IdValue)>, String> {
        for (key, value, place) in &self.smaller {
            let Some((_, reference)) = self.bound.iter().find(|(k, _)| k == key) else {
                return Err(format!(
                    "{place}: ALLSMALLER on {key:?} needs a MATCH value of {key:?} in the request"
                ));
            };
            if js_less(value, reference) != Some(true) {
                return Err(format!(
                    "{place}: ALLSMALLER on {key:?} names {}, which is not smaller than the MATCH value {}",
                    value.to_json(),
                    reference.to_json()
                ));
            }
        }
        Ok(self.bound)
    }
}

/// Whether `id` could be one of the components `dep` names: the keys and
/// literal values of its pattern, any value under a wildcard. For
/// `changedPropIds`, which may name a component just removed from an
/// `ALL` list (so it is in no other part of the request).
pub(crate) fn may_name(id: &ComponentId, dep: &ComponentId) -> bool {
    match (dep, id) {
        (ComponentId::Str(want), ComponentId::Str(got)) => want == got,
        (ComponentId::Dict(pattern), ComponentId::Dict(got)) => {
            pattern.len() == got.len()
                && pattern.iter().all(|(key, want)| match (want, id.get(key)) {
                    (_, None | Some(IdValue::Wildcard(_))) => false,
                    (IdValue::Wildcard(_), Some(_)) => true,
                    (literal, Some(value)) => literal == value,
                })
        }
        _ => false,
    }
}

/// JavaScript's `a < b` for ID values of one kind: numbers by value,
/// strings by UTF-16 code units; `None` for values of different kinds.
fn js_less(a: &IdValue, b: &IdValue) -> Option<bool> {
    let num = |v: &IdValue| match v {
        IdValue::Int(i) => Some(*i as f64),
        IdValue::Float(f) => Some(*f),
        IdValue::Bool(b) => Some(f64::from(u8::from(*b))),
        _ => None,
    };
    match (a, b) {
        (IdValue::Str(x), IdValue::Str(y)) => {
            Some(x.encode_utf16().cmp(y.encode_utf16()) == Ordering::Less)
        }
        _ => Some(num(a)? < num(b)?),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ALL, ALLSMALLER, MATCH, id};

    fn dep(id: ComponentId, property: &str) -> Dependency {
        Dependency {
            id,
            property: property.into(),
        }
    }

    #[test]
    fn literal_ids_and_properties_must_be_the_declared_ones() {
        let d = dep("out".into(), "children");
        let mut m = Matcher::default();
        assert!(m.check("o", &"out".into(), "children", &d, false).is_ok());
        let e = m
            .check("o", &"secret".into(), "children", &d, false)
            .unwrap_err();
        assert!(e.contains("secret") && e.contains("not out"), "{e}");
        let e = m.check("o", &"out".into(), "style", &d, false).unwrap_err();
        assert!(e.contains("\"style\""), "{e}");
        // The duplicate-output suffix only where it is allowed.
        assert!(m.check("o", &"out".into(), "children@ab", &d, true).is_ok());
        assert!(
            m.check("o", &"out".into(), "children@ab", &d, false)
                .is_err()
        );
    }

    #[test]
    fn patterns_match_keys_literals_and_one_match_value() {
        let row = dep(id! {"type": "row", "i": MATCH}, "value");
        let mut m = Matcher::default();
        assert!(
            m.check("a", &id! {"i": 3, "type": "row"}, "value", &row, false)
                .is_ok()
        );
        // The same MATCH value again is fine; another one is not.
        assert!(
            m.check("b", &id! {"type": "row", "i": 3}, "value", &row, false)
                .is_ok()
        );
        let e = m
            .check("c", &id! {"type": "row", "i": 4}, "value", &row, false)
            .unwrap_err();
        assert!(e.contains("MATCH on \"i\" is 4 here but 3"), "{e}");
        for other in [
            id! {"type": "col", "i": 3},
            id! {"type": "row"},
            id! {"type": "row", "i": 3, "x": 1},
            id! {"type": "row", "j": 3},
            ComponentId::from("row"),
            id! {"type": "row", "i": MATCH},
        ] {
            assert!(
                Matcher::default()
                    .check("d", &other, "value", &row, false)
                    .is_err(),
                "{other}"
            );
        }
    }

    #[test]
    fn allsmaller_values_sit_below_the_match_value() {
        let this = dep(id! {"i": MATCH}, "value");
        let before = dep(id! {"i": ALLSMALLER}, "value");
        let mut m = Matcher::default();
        m.check("a", &id! {"i": 0}, "value", &before, false)
            .unwrap();
        m.check("b", &id! {"i": 2}, "value", &this, false).unwrap();
        m.check("c", &id! {"i": 1.5}, "value", &before, false)
            .unwrap();
        assert!(m.finish().is_ok());
        let mut m = Matcher::default();
        m.check("a", &id! {"i": 2}, "value", &before, false)
            .unwrap();
        m.check("b", &id! {"i": 2}, "value", &this, false).unwrap();
        let e = m.finish().unwrap_err();
        assert!(e.contains("not smaller than the MATCH value 2"), "{e}");
        let mut m = Matcher::default();
        m.check("a", &id! {"i": "b"}, "value", &before, false)
            .unwrap();
        m.check("b", &id! {"i": "c"}, "value", &this, false)
            .unwrap();
        assert!(m.finish().is_ok());
    }

    #[test]
    fn changed_props_may_name_any_component_of_a_pattern() {
        let all = id! {"type": "item", "i": ALL};
        assert!(may_name(&id! {"type": "item", "i": 9}, &all));
        assert!(!may_name(&id! {"type": "other", "i": 9}, &all));
        assert!(!may_name(&id! {"type": "item"}, &all));
        assert!(!may_name(&id! {"type": "item", "i": ALL}, &all));
        assert!(may_name(&"x".into(), &"x".into()));
        assert!(!may_name(&"y".into(), &"x".into()));
    }
}
