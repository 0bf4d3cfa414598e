//! Opening stores for tests, with synthetic data.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use perspectief_core::case::RegisterParticipant;
use perspectief_core::service::Caller;
use perspectief_core::*;
use perspectief_store::testing::TestDatabase;
use perspectief_store::{Keyring, ManualClock, Store, StoreOptions};

pub fn new_keys() -> Keyring {
    Keyring::from_hex_keys(&[Keyring::generate_hex_key().unwrap()]).unwrap()
}

pub fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(Utc.with_ymd_and_hms(2026, 11, 2, 12, 0, 0).unwrap()))
}

/// A temporary directory, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new() -> Self {
        let dir = std::env::temp_dir().join(format!("perspectief-store-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    pub fn url(&self, file: &str) -> String {
        format!("sqlite://{}", self.0.join(file).display())
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub async fn open(url: &str, keys: Keyring, clock: Arc<ManualClock>) -> Store {
    let mut options = StoreOptions::new(url, keys);
    options.clock = clock;
    Store::open(options).await.unwrap()
}

/// A store on each backend this machine offers: SQLite in memory, a SQLite file, and
/// PostgreSQL when `PERSPECTIEF_TEST_DATABASE_URL` is set.
pub enum Backend {
    Memory,
    File(TempDir),
    Postgres(TestDatabase),
}

impl Backend {
    pub fn url(&self) -> String {
        match self {
            Backend::Memory => "sqlite::memory:".to_owned(),
            Backend::File(dir) => dir.url("p.db"),
            Backend::Postgres(db) => db.url.clone(),
        }
    }
}

/// A file-backed SQLite store and PostgreSQL (when configured).
pub async fn durable_backends() -> Vec<Backend> {
    let mut v = vec![Backend::File(TempDir::new())];
    match TestDatabase::postgres_from_env().await {
        Some(db) => v.push(Backend::Postgres(db)),
        None => eprintln!("PERSPECTIEF_TEST_DATABASE_URL is not set: the PostgreSQL half did not run"),
    }
    v
}

/// Every backend.
pub async fn all_backends() -> Vec<Backend> {
    let mut v = vec![Backend::Memory];
    v.extend(durable_backends().await);
    v
}

pub fn lead(store: &Store) -> Caller {
    Caller::local(Actor {
        user: UserId::from_u128(1),
        organisation: store.policy().foundation,
        role: Role::ProjectLead,
        grant: perspectief_core::access::Grant::NONE,
    })
}

pub fn registration(name: &str, worker: UserId, on: chrono::NaiveDate) -> RegisterParticipant {
    RegisterParticipant {
        id: ParticipantId::from_uuid(uuid::Uuid::new_v4()),
        profile: ParticipantProfile {
            given_names: Name::parse(name).unwrap(),
            family_name: None,
            aliases: vec![],
            date_of_birth: None,
            country_of_origin: None,
            nationalities: vec![],
            languages: vec![],
            v_number: None,
            lvv_location: None,
            project_worker: worker,
        },
        registered_on: on,
    }
}

/// The foundation's administrator (a local caller: the store trusts who works on it directly).
pub fn administrator(store: &Store) -> Caller {
    Caller::local(Actor {
        user: UserId::from_u128(0xad),
        organisation: store.policy().foundation,
        role: Role::Administrator,
        grant: perspectief_core::access::Grant::NONE,
    })
}

/// Register an organisation (an NGO serving every domain) under `code`, as the administrator:
/// accounts, grants, consents and referrals name only registered organisations.
pub async fn register(store: &Store, id: OrganisationId, code: &str) -> perspectief_core::Organisation {
    let organisation = perspectief_core::organisation::OrganisationInput {
        code: code.to_owned(),
        name: format!("Organisatie {code}"),
        kind: "ngo".to_owned(),
        domains: PartnerDomain::ALL.iter().map(|d| d.as_str().to_owned()).collect(),
        ..Default::default()
    }
    .into_organisation(id, store.policy().foundation)
    .unwrap();
    store.add_organisation(&administrator(store), organisation).await.unwrap()
}
