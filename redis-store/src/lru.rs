//! A least-recently-used map bounded by the total weight (bytes) of its
//! values, with optional per-entry expiry. Used by the memory backend and by
//! the decoded-frame cache.
//!
//! Time is passed in (`now`), never read here, so tests drive it.

use std::collections::{BTreeMap, HashMap};
use std::hash::Hash;
use std::time::Instant;

struct Entry<V> {
    value: V,
    weight: u64,
    tick: u64,
    expires: Option<Instant>,
}

/// Why an insert was refused.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct TooHeavy {
    pub weight: u64,
    pub capacity: u64,
}

/// The LRU map. Not thread-safe; wrap it in a mutex.
pub(crate) struct Lru<K, V> {
    map: HashMap<K, Entry<V>>,
    /// Recency order: smallest tick = least recently used.
    order: BTreeMap<u64, K>,
    tick: u64,
    bytes: u64,
    capacity: u64,
    evictions: u64,
}

impl<K: Hash + Eq + Clone, V: Clone> Lru<K, V> {
    /// An empty map holding at most `capacity` bytes of values.
    pub fn new(capacity: u64) -> Self {
        Lru {
            map: HashMap::new(),
            order: BTreeMap::new(),
            tick: 0,
            bytes: 0,
            capacity,
            evictions: 0,
        }
    }

    fn next_tick(&mut self) -> u64 {
        self.tick += 1;
        self.tick
    }

    /// Insert or replace; evicts least recently used entries until the new
    /// one fits. A value heavier than the whole capacity is refused and the
    /// map is left unchanged.
    pub fn insert(
        &mut self,
        key: K,
        value: V,
        weight: u64,
        expires: Option<Instant>,
    ) -> Result<(), TooHeavy> {
        if weight > self.capacity {
            return Err(TooHeavy {
                weight,
                capacity: self.capacity,
            });
        }
        self.remove(&key);
        while self.bytes + weight > self.capacity {
            let Some((_, victim)) = self.order.pop_first() else {
                break;
            };
            if let Some(old) = self.map.remove(&victim) {
                self.bytes -= old.weight;
                self.evictions += 1;
            }
        }
        let tick = self.next_tick();
        self.order.insert(tick, key.clone());
        self.bytes += weight;
        self.map.insert(
            key,
            Entry {
                value,
                weight,
                tick,
                expires,
            },
        );
        Ok(())
    }

    /// Look up a live entry, mark it most recently used and, if `refresh` is
    /// given, set its new expiry. Expired entries are dropped and not found.
    pub fn get(&mut self, key: &K, now: Instant, refresh: Option<Instant>) -> Option<V> {
        if self.drop_if_expired(key, now) {
            return None;
        }
        let tick = self.next_tick();
        let entry = self.map.get_mut(key)?;
        self.order.remove(&entry.tick);
        entry.tick = tick;
        if refresh.is_some() {
            entry.expires = refresh;
        }
        self.order.insert(tick, key.clone());
        Some(entry.value.clone())
    }

    /// True if a live entry exists. Does not change recency or expiry.
    pub fn contains(&mut self, key: &K, now: Instant) -> bool {
        !self.drop_if_expired(key, now) && self.map.contains_key(key)
    }

    /// Remove an entry; true if it was there (expired or not).
    pub fn remove(&mut self, key: &K) -> bool {
        match self.map.remove(key) {
            Some(old) => {
                self.order.remove(&old.tick);
                self.bytes -= old.weight;
                true
            }
            None => false,
        }
    }

    fn drop_if_expired(&mut self, key: &K, now: Instant) -> bool {
        let expired = self
            .map
            .get(key)
            .and_then(|e| e.expires)
            .is_some_and(|at| at <= now);
        if expired {
            self.remove(key);
        }
        expired
    }

    /// Drop every expired entry.
    pub fn purge_expired(&mut self, now: Instant) {
        let dead: Vec<K> = self
            .map
            .iter()
            .filter(|(_, e)| e.expires.is_some_and(|at| at <= now))
            .map(|(k, _)| k.clone())
            .collect();
        for key in dead {
            self.remove(&key);
        }
    }

    /// Drop everything (not counted as evictions).
    pub fn clear(&mut self) {
        self.map.clear();
        self.order.clear();
        self.bytes = 0;
    }

    /// Number of entries (including expired ones not yet purged).
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Total weight of the entries.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// The weight bound.
    pub fn capacity(&self) -> u64 {
        self.capacity
    }

    /// Entries dropped to make room, since creation.
    pub fn evictions(&self) -> u64 {
        self.evictions
    }

    /// Keys from least to most recently used (for tests).
    #[cfg(test)]
    fn keys_lru_first(&self) -> Vec<K> {
        self.order.values().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use proptest::prelude::*;

    use super::*;

    #[test]
    fn evicts_least_recently_used_and_refuses_giants() {
        let now = Instant::now();
        let mut lru = Lru::new(10);
        lru.insert("a", 1, 4, None).unwrap();
        lru.insert("b", 2, 4, None).unwrap();
        assert_eq!(lru.get(&"a", now, None), Some(1)); // a is now newest
        lru.insert("c", 3, 4, None).unwrap(); // evicts b
        assert!(!lru.contains(&"b", now));
        assert!(lru.contains(&"a", now));
        assert_eq!(lru.evictions(), 1);
        assert_eq!(lru.bytes(), 8);
        assert_eq!(
            lru.insert("d", 4, 11, None),
            Err(TooHeavy {
                weight: 11,
                capacity: 10
            })
        );
        assert_eq!(lru.len(), 2);
    }

    #[test]
    fn expiry_and_refresh() {
        let t0 = Instant::now();
        let ttl = Duration::from_secs(10);
        let mut lru = Lru::new(100);
        lru.insert("a", 1, 1, Some(t0 + ttl)).unwrap();
        // read at t0+9 refreshes to t0+19
        assert_eq!(
            lru.get(
                &"a",
                t0 + ttl - Duration::from_secs(1),
                Some(t0 + ttl * 2 - Duration::from_secs(1))
            ),
            Some(1)
        );
        assert!(lru.contains(&"a", t0 + ttl + Duration::from_secs(5)));
        assert!(!lru.contains(&"a", t0 + ttl * 2));
        assert_eq!(lru.len(), 0);
        assert_eq!(lru.bytes(), 0);
        lru.insert("b", 1, 1, Some(t0)).unwrap();
        lru.insert("c", 1, 1, None).unwrap();
        lru.purge_expired(t0);
        assert_eq!(lru.len(), 1);
    }

    #[derive(Debug, Clone)]
    enum Op {
        Insert(u8, u64),
        Get(u8),
        Remove(u8),
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            (0u8..8, 0u64..40).prop_map(|(k, w)| Op::Insert(k, w)),
            (0u8..8).prop_map(Op::Get),
            (0u8..8).prop_map(Op::Remove),
        ]
    }

    proptest! {
        /// Compare with a naive model: a Vec in recency order.
        #[test]
        fn matches_a_naive_model(cap in 0u64..100, ops in proptest::collection::vec(op(), 0..60)) {
            let now = Instant::now();
            let mut lru = Lru::new(cap);
            let mut model: Vec<(u8, u64)> = Vec::new();
            let mut model_evictions = 0u64;
            for op in ops {
                match op {
                    Op::Insert(k, w) => {
                        let got = lru.insert(k, u64::from(k) * 1000 + w, w, None);
                        if w > cap {
                            prop_assert!(got.is_err());
                        } else {
                            prop_assert!(got.is_ok());
                            model.retain(|(mk, _)| *mk != k);
                            while model.iter().map(|(_, w)| w).sum::<u64>() + w > cap {
                                model.remove(0);
                                model_evictions += 1;
                            }
                            model.push((k, w));
                        }
                    }
                    Op::Get(k) => {
                        let pos = model.iter().position(|(mk, _)| *mk == k);
                        let got = lru.get(&k, now, None);
                        match pos {
                            Some(i) => {
                                let e = model.remove(i);
                                prop_assert_eq!(got, Some(u64::from(k) * 1000 + e.1));
                                model.push(e);
                            }
                            None => prop_assert_eq!(got, None),
                        }
                    }
                    Op::Remove(k) => {
                        let was = model.iter().any(|(mk, _)| *mk == k);
                        model.retain(|(mk, _)| *mk != k);
                        prop_assert_eq!(lru.remove(&k), was);
                    }
                }
                prop_assert_eq!(lru.keys_lru_first(), model.iter().map(|(k, _)| *k).collect::<Vec<_>>());
                prop_assert_eq!(lru.bytes(), model.iter().map(|(_, w)| w).sum::<u64>());
                prop_assert_eq!(lru.evictions(), model_evictions);
                prop_assert!(lru.bytes() <= lru.capacity());
            }
        }
    }
}
