//! Opening stores for tests, with synthetic data.

use std::path::PathBuf;
use std::sync::Arc;

use chrono::{TimeZone, Utc};
use perspectief_core::case::RegisterParticipant;
use perspectief_core::service::{Caller, PerspectiefService};
use perspectief_core::*;
use perspectief_store::testing::TestDatabase;
use perspectief_store::{Keyring, ManualClock, Store, StoreOptions};

pub fn text(s: &str) -> Text {
    Text::parse(s).unwrap()
}

pub fn day(y: i32, m: u32, d: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// Noon in Amsterdam on `d` in winter (11:00 UTC).
pub fn noon(d: chrono::NaiveDate) -> chrono::DateTime<Utc> {
    Utc.from_utc_datetime(&d.and_hms_opt(11, 0, 0).unwrap())
}

/// A staff member `user` of the foundation in `role`, without a grant (a local caller).
pub fn staff_as(store: &Store, user: UserId, role: Role) -> Caller {
    Caller::local(Actor {
        user,
        organisation: store.policy().foundation,
        role,
        grant: perspectief_core::access::Grant::NONE,
    })
}

/// A new staff member of the foundation in `role` (a fresh user id).
pub fn staff(store: &Store, role: Role) -> Caller {
    staff_as(store, UserId::from_uuid(uuid::Uuid::new_v4()), role)
}

/// Drop the access log's append-only triggers, as an attacker with the database's owner
/// rights would, so that a test can alter the log underneath the store.
pub async fn drop_audit_triggers(store: &Store) {
    use perspectief_store::testing::{is_postgres, raw_execute};
    if is_postgres(store) {
        raw_execute(store, "DROP TRIGGER audit_log_no_update ON audit_log").await.unwrap();
        raw_execute(store, "DROP TRIGGER audit_log_no_truncate ON audit_log").await.unwrap();
    } else {
        raw_execute(store, "DROP TRIGGER audit_log_no_update").await.unwrap();
        raw_execute(store, "DROP TRIGGER audit_log_no_delete").await.unwrap();
    }
}

/// A theme session on `date` (return, at the WereldHuis, in Tigrinya) with nobody yet.
pub fn session_plan(id: SessionId, date: chrono::NaiveDate) -> perspectief_core::session::PlanSession {
    perspectief_core::session::PlanSession {
        id,
        date,
        topic: perspectief_core::session::SessionTopic::Theme(Label::parse("Terugkeer").unwrap()),
        venue: Label::parse("WereldHuis").unwrap(),
        languages: [LanguageCode::parse("ti").unwrap()].into(),
        facilitators: std::collections::BTreeSet::new(),
        partner: None,
    }
}

/// Plan [`session_plan`] on `date` as `caller` and register `attendees`; the new session's id.
pub async fn session_attended_by(
    store: &Store,
    caller: &Caller,
    date: chrono::NaiveDate,
    attendees: &[ParticipantId],
) -> SessionId {
    let id = SessionId::from_uuid(uuid::Uuid::new_v4());
    store.plan_session(caller, session_plan(id, date)).await.unwrap();
    for &participant in attendees {
        let attend = perspectief_core::session::SessionCommand::RegisterAttendance { participant };
        store.execute_session(caller, id, None, attend).await.unwrap();
    }
    id
}

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
    staff_as(store, UserId::from_u128(1), Role::ProjectLead)
}

pub fn registration(name: &str, worker: UserId, on: chrono::NaiveDate) -> RegisterParticipant {
    RegisterParticipant {
        id: ParticipantId::from_uuid(uuid::Uuid::new_v4()),
        profile: perspectief_tests::fixtures::minimal_profile(name, worker),
        registered_on: on,
    }
}

/// The foundation's administrator (a local caller: the store trusts who works on it directly).
pub fn administrator(store: &Store) -> Caller {
    staff_as(store, UserId::from_u128(0xad), Role::Administrator)
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
