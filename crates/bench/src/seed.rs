//! Loading synthetic data ([`perspectief_synth`]) into a store quickly: many participants at
//! once, with the store's clock fixed just after the data set, so concurrent writers share one
//! clock. Commands the core refuses at that clock (a goal whose deadline lies before it, say)
//! are skipped and counted; contact moments, the bulk of the data, are all accepted.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{TimeZone, Utc};
use perspectief_core::OrganisationId;
use perspectief_core::access::{Actor, Role};
use perspectief_core::service::Caller;
use perspectief_store::{Keyring, ManualClock, Store, StoreOptions};
use perspectief_synth::{Config, participant};

pub use perspectief_synth::Loaded;

/// The synthetic data set the benchmarks use: 18 months of registrations from 2025-01-06.
pub fn config() -> Config {
    Config::new(11, chrono::NaiveDate::from_ymd_opt(2025, 1, 6).expect("a date"), 18)
}

/// A store at `url` with `keys` and a manual clock set just after the data set.
pub async fn open(url: &str, keys: Keyring) -> Result<(Store, Arc<ManualClock>), String> {
    open_with(url, keys, None).await
}

/// [`open`] with a case cache of `case_cache` files (0: none; `None`: the store's default), to
/// measure what it saves.
pub async fn open_with(
    url: &str,
    keys: Keyring,
    case_cache: Option<usize>,
) -> Result<(Store, Arc<ManualClock>), String> {
    let end = config().end().and_hms_opt(12, 0, 0).expect("a time");
    let clock = Arc::new(ManualClock::new(Utc.from_utc_datetime(&end) + chrono::Duration::days(1)));
    let mut options = StoreOptions::new(url, keys);
    options.clock = clock.clone();
    if let Some(n) = case_cache {
        options.case_cache = n;
    }
    let store = Store::open(options).await.map_err(|e| e.to_string())?;
    // The synthetic partners in the organisations register (the data set's referrals and
    // consents name them), registered by the foundation's administrator.
    let admin = Caller::local(Actor {
        user: perspectief_core::UserId::from_u128(0xAD),
        organisation: store.policy().foundation,
        role: Role::Administrator,
        grant: perspectief_core::access::Grant::NONE,
    });
    for organisation in config().partner_organisations(store.policy().foundation) {
        match store.add_organisation(&admin, organisation).await {
            Ok(_) | Err(perspectief_core::DomainError::AlreadyExists { .. }) => {}
            Err(e) => return Err(e.to_string()),
        }
    }
    Ok((store, clock))
}

/// A project worker of the data set acting locally.
pub fn worker(store: &Store, user: perspectief_core::UserId) -> Caller {
    Caller::local(Actor {
        user,
        organisation: store.policy().foundation,
        role: Role::ProjectWorker,
        grant: perspectief_core::access::Grant::NONE,
    })
}

/// A project lead acting locally.
pub fn lead(organisation: OrganisationId) -> Caller {
    Caller::local(Actor {
        user: perspectief_core::UserId::from_u128(0x1EAD),
        organisation,
        role: Role::ProjectLead,
        grant: perspectief_core::access::Grant::NONE,
    })
}

/// Load participants `from..` of the data set, `tasks` at a time, until at least
/// `contact_moments` contact moments are recorded.
pub async fn load_until(store: &Store, from: u64, contact_moments: u64, tasks: usize) -> Result<Loaded, String> {
    let next = Arc::new(AtomicU64::new(from));
    let contacts = Arc::new(AtomicU64::new(0));
    let config = Arc::new(config());
    let mut handles = Vec::new();
    for _ in 0..tasks.max(1) {
        let (store, next, contacts, config) = (store.clone(), next.clone(), contacts.clone(), config.clone());
        handles.push(tokio::spawn(async move {
            let mut loaded = Loaded::default();
            // The data set's project lead acts as the lead (a judgment communicated on an
            // override), everyone else as a project worker.
            let caller_for = |user| config.caller(store.policy().foundation, user);
            while contacts.load(Ordering::Relaxed) < contact_moments {
                let script = participant(&config, next.fetch_add(1, Ordering::Relaxed));
                let l = perspectief_synth::load_participant(&store, &script, &caller_for)
                    .await
                    .map_err(|e| format!("participant {}: {e}", script.register.id))?;
                contacts.fetch_add(l.contact_moments, Ordering::Relaxed);
                loaded.add(l);
            }
            Ok::<Loaded, String>(loaded)
        }));
    }
    let mut total = Loaded::default();
    for h in handles {
        total.add(h.await.map_err(|e| e.to_string())??);
    }
    Ok(total)
}
