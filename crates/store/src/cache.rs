//! Decrypted case files, kept between loads so that a load of an unchanged case costs neither
//! the transfer of its sealed state (20–30 kB), nor its decryption, nor parsing its JSON.
//!
//! An entry is keyed by the *seal* it came from: the sealed state's nonce (its first
//! [`HEAD_LEN`] bytes, random for every seal). A load asks the database for the state only when
//! the row's nonce differs from the cached one ([`crate::repo::load_case_keyed_cached`]), in the
//! same single query, so whatever rewrote the row (a command, a key rotation, a retention run,
//! an erasure, another process, a restore) the cache cannot serve a state the row no longer
//! holds. Entries come only from committed data: the writer adds the states it sealed after
//! their group committed (a rolled-back job leaves nothing), and the read pool adds what it read
//! (committed by definition). A load inside the writer's transaction never adds one, as it may
//! see an earlier job's uncommitted state.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use perspectief_core::ParticipantId;
use perspectief_core::case::Case;

use crate::crypto::Keyring;

/// The bytes of a sealed value that identify its seal: the XChaCha20 nonce, random per seal.
pub(crate) const HEAD_LEN: usize = 24;

/// How many case files are kept by default (the least recently added go first): at 20–30 kB
/// of state each, some 15 MB.
pub(crate) const DEFAULT_CAPACITY: usize = 512;

/// A case file as it was sealed, with the data key that sealed it.
#[derive(Debug)]
pub(crate) struct Cached {
    /// The sealed state's first [`HEAD_LEN`] bytes.
    pub(crate) head: Vec<u8>,
    pub(crate) case: Case,
    /// The participant's data key (`None` for a state sealed with a foundation key).
    pub(crate) own: Option<Keyring>,
}

impl Cached {
    /// An entry for `case` as sealed in `state`; `None` if `state` is too short to have a nonce.
    pub(crate) fn new(state: &[u8], case: Case, own: Option<Keyring>) -> Option<Self> {
        let head = state.get(..HEAD_LEN)?.to_vec();
        Some(Self { head, case, own })
    }
}

#[derive(Debug, Default)]
struct Entries {
    map: HashMap<ParticipantId, Arc<Cached>>,
    /// Insertion order, for eviction (may name ids already replaced or removed).
    order: std::collections::VecDeque<ParticipantId>,
}

/// The store's cache of decrypted case files (shared by the read pool and the writer).
#[derive(Debug, Clone)]
pub(crate) struct CaseCache {
    entries: Arc<Mutex<Entries>>,
    capacity: usize,
}

impl CaseCache {
    /// A cache of at most `capacity` case files (0: it keeps none).
    pub(crate) fn new(capacity: usize) -> Self {
        Self { entries: Arc::default(), capacity }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Entries> {
        self.entries.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The cached entry of a participant, if any (valid only if its head matches the row's).
    pub(crate) fn get(&self, id: ParticipantId) -> Option<Arc<Cached>> {
        self.lock().map.get(&id).cloned()
    }

    /// Keep `entry` as participant `id`'s case file, replacing what was kept.
    pub(crate) fn put(&self, id: ParticipantId, entry: Cached) {
        if self.capacity == 0 {
            return;
        }
        let mut e = self.lock();
        if e.map.insert(id, Arc::new(entry)).is_none() {
            e.order.push_back(id);
        }
        while e.map.len() > self.capacity {
            let Some(old) = e.order.pop_front() else { break };
            e.map.remove(&old);
        }
        // Ids replaced or removed leave stale places in `order`: drop them when they pile up.
        if e.order.len() > 2 * self.capacity {
            let Entries { map, order } = &mut *e;
            order.retain(|id| map.contains_key(id));
        }
    }

    /// Drop participant `id`'s entry (a load found the row changed, or the person was erased:
    /// their data should not linger in memory either).
    pub(crate) fn forget(&self, id: ParticipantId) {
        self.lock().map.remove(&id);
    }

    /// How many case files are kept.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.lock().map.len()
    }
}

/// Case files sealed by a job, added to the cache only once its group has committed.
#[derive(Debug, Default)]
pub(crate) struct Fills(Vec<(ParticipantId, Cached)>);

impl Fills {
    pub(crate) fn push(&mut self, id: ParticipantId, entry: Cached) {
        self.0.push((id, entry));
    }

    pub(crate) fn absorb(&mut self, other: Fills) {
        self.0.extend(other.0);
    }

    /// Add them to `cache`, in the order they were sealed (the last state of a case wins).
    pub(crate) fn commit(self, cache: &CaseCache) {
        for (id, entry) in self.0 {
            cache.put(id, entry);
        }
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use perspectief_core::case::{CommandContext, RegisterParticipant};
    use perspectief_core::{Name, ParticipantProfile, UserId};

    use super::*;

    fn case() -> Case {
        let ctx = CommandContext::at(UserId::from_u128(1), Utc.with_ymd_and_hms(2026, 11, 2, 12, 0, 0).unwrap());
        let profile = ParticipantProfile::minimal(Name::parse("Cache").unwrap(), UserId::from_u128(1));
        Case::register(RegisterParticipant { id: ParticipantId::from_u128(9), profile, registered_on: ctx.today }, &ctx)
            .unwrap()
            .0
    }

    #[test]
    fn the_oldest_entries_go_first_when_full() {
        let cache = CaseCache::new(DEFAULT_CAPACITY);
        for n in 0..(DEFAULT_CAPACITY as u128 + 3) {
            cache.put(ParticipantId::from_u128(n), Cached::new(&[n as u8; HEAD_LEN], case(), None).unwrap());
        }
        assert_eq!(cache.len(), DEFAULT_CAPACITY);
        assert!(cache.get(ParticipantId::from_u128(0)).is_none());
        assert!(cache.get(ParticipantId::from_u128(DEFAULT_CAPACITY as u128 + 2)).is_some());
        assert!(Cached::new(&[0; HEAD_LEN - 1], case(), None).is_none(), "no nonce, no entry");
        let none = CaseCache::new(0);
        none.put(ParticipantId::from_u128(1), Cached::new(&[1; HEAD_LEN], case(), None).unwrap());
        assert!(none.get(ParticipantId::from_u128(1)).is_none(), "capacity 0 keeps nothing");
    }
}
