//! Loading synthetic data ([`perspectief_synth`]) into a store quickly: many participants at
//! once, with the store's clock fixed just after the data set, so concurrent writers share one
//! clock. Commands the core refuses at that clock (a goal whose deadline lies before it, say)
//! are skipped and counted; contact moments, the bulk of the data, are all accepted.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use chrono::{TimeZone, Utc};
use perspectief_core::access::{Actor, Role};
use perspectief_core::service::{Caller, PerspectiefService};
use perspectief_core::{CaseCommand, DomainError, OrganisationId};
use perspectief_store::{Keyring, ManualClock, Store, StoreOptions};
use perspectief_synth::{Config, participant};

/// What a load did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Loaded {
    /// Participants registered.
    pub participants: u64,
    /// Commands recorded (registrations included).
    pub commands: u64,
    /// Commands the core refused at the fixed clock, skipped.
    pub skipped: u64,
    /// Contact moments recorded.
    pub contact_moments: u64,
}

/// The synthetic data set the benchmarks use: 18 months of registrations from 2025-01-06.
pub fn config() -> Config {
    Config::new(11, chrono::NaiveDate::from_ymd_opt(2025, 1, 6).expect("a date"), 18)
}

/// A store at `url` with `keys` and a manual clock set just after the data set.
pub async fn open(url: &str, keys: Keyring) -> Result<(Store, Arc<ManualClock>), String> {
    let end = config().end().and_hms_opt(12, 0, 0).expect("a time");
    let clock = Arc::new(ManualClock::new(Utc.from_utc_datetime(&end) + chrono::Duration::days(1)));
    let mut options = StoreOptions::new(url, keys);
    options.clock = clock.clone();
    let store = Store::open(options).await.map_err(|e| e.to_string())?;
    Ok((store, clock))
}

/// A project worker of the data set acting locally.
pub fn worker(store: &Store, user: perspectief_core::UserId) -> Caller {
    Caller::local(Actor { user, organisation: store.policy().foundation, role: Role::ProjectWorker })
}

/// A project lead acting locally.
pub fn lead(organisation: OrganisationId) -> Caller {
    Caller::local(Actor { user: perspectief_core::UserId::from_u128(0x1EAD), organisation, role: Role::ProjectLead })
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
            while contacts.load(Ordering::Relaxed) < contact_moments {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let script = participant(&config, index);
                let caller = worker(&store, script.register.profile.project_worker);
                store.register_participant(&caller, script.register.clone()).await.map_err(|e| e.to_string())?;
                loaded.participants += 1;
                loaded.commands += 1;
                for step in &script.steps {
                    let is_contact = matches!(step.command, CaseCommand::LogContact(_));
                    match store
                        .execute(&worker(&store, step.actor), script.register.id, None, step.command.clone())
                        .await
                    {
                        Ok(_) => {
                            loaded.commands += 1;
                            if is_contact {
                                loaded.contact_moments += 1;
                                contacts.fetch_add(1, Ordering::Relaxed);
                            }
                        }
                        // A rule of the core refuses it at the fixed clock, or it refers to a
                        // record a skipped command would have made: skip it.
                        Err(
                            DomainError::InvalidInput(_)
                            | DomainError::IllegalPhaseTransition { .. }
                            | DomainError::IllegalStatusTransition { .. }
                            | DomainError::TrajectoryClosed { .. }
                            | DomainError::RuleViolated { .. }
                            | DomainError::NotFound { .. },
                        ) => loaded.skipped += 1,
                        Err(e) => return Err(format!("{}: {e}", step.command.name())),
                    }
                }
            }
            Ok::<Loaded, String>(loaded)
        }));
    }
    let mut total = Loaded::default();
    for h in handles {
        let l = h.await.map_err(|e| e.to_string())??;
        total.participants += l.participants;
        total.commands += l.commands;
        total.skipped += l.skipped;
        total.contact_moments += l.contact_moments;
    }
    Ok(total)
}
