//! Set-up shared by the gRPC tests: a served store with its administrator ([`Served`]),
//! accounts with working tokens and connected clients ([`Served::account`]), and participants
//! with the minimal profile ([`register`]).

use std::net::SocketAddr;
use std::sync::Arc;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};
use perspectief_core::access::{Grant, Role};
use perspectief_core::case::{CaseCommand, RegisterParticipant};
use perspectief_core::service::{Caller, PerspectiefService, Purpose};
use perspectief_core::{ConsentId, DataCategory, OrganisationId, ParticipantId, UserId};
use perspectief_grpc::client::{RemoteService, StaticToken};
use perspectief_grpc::server::{ServerConfig, serve};
use perspectief_store::testing::active_account;
use perspectief_store::{Keyring, ManualClock, Store, StoreOptions};
use perspectief_tests::fixtures::minimal_profile;
use tonic::transport::server::TcpIncoming;

/// The project lead who confirms the test worlds' accounts and tokens (the second person an
/// account that reads case data needs).
const CONFIRMING_LEAD: UserId = UserId::from_u128(0x1EAD_0000);

/// A token for `user` that works: created by the administrator, then the account (if it still
/// waits) and the token confirmed by a project lead, the way an installation does it.
pub async fn working_token(store: &Store, admin: &Caller, user: UserId, label: &str, valid_for: Duration) -> String {
    let lead = confirming_lead(store, admin).await;
    let account = store.local_account(user).await.unwrap().expect("the token's account exists");
    if account.awaiting_confirmation {
        store.confirm_account(&lead, user).await.unwrap();
    }
    let (info, token) = store.create_token(admin, user, label, valid_for).await.unwrap();
    if info.awaiting_confirmation {
        store.confirm_token(&lead, info.id).await.unwrap();
    }
    token
}

/// The confirming project lead, registered and activated on first use (the first project lead
/// of a database activates their own account).
async fn confirming_lead(store: &Store, admin: &Caller) -> Caller {
    let account = match store.local_account(CONFIRMING_LEAD).await.unwrap() {
        Some(account) => account,
        None => {
            let account = active_account(
                CONFIRMING_LEAD,
                store.policy().foundation,
                Role::ProjectLead,
                "Projectleider Bevestiging",
            );
            store.create_user(admin, account).await.unwrap()
        }
    };
    let lead = Caller::local(account.actor(Grant::NONE));
    if account.awaiting_confirmation {
        store.confirm_account(&lead, CONFIRMING_LEAD).await.unwrap();
    }
    lead
}

/// The chain partner, a second partner without a grant, and the municipality of the access
/// tests (`matrix.rs`, `partners.rs`).
pub const PARTNER: u128 = 0xA1;
pub const UNGRANTED: u128 = 0xA2;
pub const MUNICIPALITY: u128 = 0xB1;

/// Who calls in the access tests: each an account of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Who {
    /// The project worker the cases are assigned to.
    AssignedWorker,
    OtherWorker,
    Lead,
    CaseManager,
    Partner,
    UngrantedPartner,
    Auditor,
    Administrator,
}

impl Who {
    /// The role of the account and its organisation.
    pub fn role_in(self, foundation: OrganisationId) -> (Role, OrganisationId) {
        match self {
            Who::AssignedWorker | Who::OtherWorker => (Role::ProjectWorker, foundation),
            Who::Lead => (Role::ProjectLead, foundation),
            Who::CaseManager => (Role::MunicipalCaseManager, OrganisationId::from_u128(MUNICIPALITY)),
            Who::Partner => (Role::ChainPartner, OrganisationId::from_u128(PARTNER)),
            Who::UngrantedPartner => (Role::ChainPartner, OrganisationId::from_u128(UNGRANTED)),
            Who::Auditor => (Role::Auditor, foundation),
            Who::Administrator => (Role::Administrator, foundation),
        }
    }
}

/// A case's consents for the organisations outside the foundation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Consents {
    None,
    ReturnOnly,
    Everything,
    /// Everything, then withdrawn.
    Withdrawn,
}

/// Whether a call was allowed (`Ok`) or denied (`AccessDenied`); any other answer fails the
/// test, naming `what` was called.
pub fn allowed<T>(result: &Result<T, perspectief_core::DomainError>, what: &str) -> bool {
    match result {
        Ok(_) => true,
        Err(perspectief_core::DomainError::AccessDenied(_)) => false,
        Err(e) => panic!("{what}: neither allowed nor denied: {e}"),
    }
}

impl Consents {
    /// The categories the consents cover while they are given.
    pub fn categories(self) -> std::collections::BTreeSet<DataCategory> {
        match self {
            Consents::None => std::collections::BTreeSet::new(),
            Consents::ReturnOnly => [DataCategory::Return].into(),
            Consents::Everything | Consents::Withdrawn => DataCategory::ALL.into(),
        }
    }
}

/// The command giving `organisation` consent for `categories` on `on` (for cooperation in the
/// chain), and the new consent's id.
pub fn consent(
    organisation: OrganisationId,
    categories: std::collections::BTreeSet<DataCategory>,
    on: NaiveDate,
) -> (ConsentId, CaseCommand) {
    let id = ConsentId::from_u128(uuid::Uuid::new_v4().as_u128());
    let purpose = perspectief_core::Text::parse("Samenwerking in de keten.").unwrap();
    (id, CaseCommand::GiveConsent { id, organisation, categories, purpose, given_on: on })
}

/// When the test worlds live by default: a Monday at noon, Amsterdam's 2 November 2026.
pub fn noon() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 2, 12, 0, 0).unwrap()
}

/// A store on an in-memory database with its administrator, served on an ephemeral loopback
/// port for as long as the test runs: the world the gRPC tests build on.
pub struct Served {
    pub store: Store,
    pub address: SocketAddr,
    /// The bootstrapped administrator (user 1), a local caller on the store.
    pub admin: Caller,
}

/// An account made through [`Served::account`]: its token, the caller a remote call of it
/// carries (the account's actor and grant, the first purpose its role may state), and a client
/// connected with its token.
pub struct Account {
    pub token: String,
    pub caller: Caller,
    pub remote: RemoteService<StaticToken>,
}

impl Served {
    /// A world whose store's clock stands still at `now`.
    pub async fn at(now: DateTime<Utc>) -> Self {
        Self::open(Some(Arc::new(ManualClock::new(now)))).await
    }

    /// A world on the wall clock.
    pub async fn on_the_wall_clock() -> Self {
        Self::open(None).await
    }

    async fn open(clock: Option<Arc<ManualClock>>) -> Self {
        let (store, admin) = store_with_administrator(clock).await;
        let incoming = TcpIncoming::bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let address = incoming.local_addr().unwrap();
        let served = Arc::new(store.clone());
        tokio::spawn(async move { serve(served, ServerConfig::default(), incoming, std::future::pending()).await });
        Self { store, address, admin }
    }

    /// The foundation of the store's access policy.
    pub fn foundation(&self) -> OrganisationId {
        self.store.policy().foundation
    }

    /// A grant of every category at every level for an organisation outside the foundation
    /// (none for the foundation), for tests about roles and consent: the grant's own limits are
    /// tested separately.
    pub fn full_grant_outside_the_foundation(&self, organisation: OrganisationId) -> Option<Grant> {
        (organisation != self.foundation())
            .then(|| Grant::all_categories(perspectief_core::ConfidentialityLevel::ZeerGeheim))
    }

    /// An account `id` of `role` in `organisation` (registered first when new), with a working
    /// token and a connected client; `grant`, when given, becomes the organisation's grant.
    pub async fn account(&self, id: UserId, organisation: OrganisationId, role: Role, grant: Option<Grant>) -> Account {
        self.account_named(id, organisation, role, grant, "Synthetisch account").await
    }

    /// [`Served::account`] under a display name of its own.
    pub async fn account_named(
        &self,
        id: UserId,
        organisation: OrganisationId,
        role: Role,
        grant: Option<Grant>,
        name: &str,
    ) -> Account {
        crate::organisations::ensure_registered(&self.store, &self.admin, organisation).await;
        let account = self.store.create_user(&self.admin, active_account(id, organisation, role, name)).await.unwrap();
        if let Some(grant) = grant {
            self.store.set_grant(&self.admin, organisation, Some(grant)).await.unwrap();
        }
        let grant = self.store.grant_of(organisation).await.unwrap();
        let token = working_token(&self.store, &self.admin, account.id, "test", Duration::days(30)).await;
        let remote = self.connect(&token).await;
        let caller = Caller { purpose: Purpose::permitted_for(role)[0], ..Caller::local(account.actor(grant)) };
        Account { token, caller, remote }
    }

    /// A client of the server carrying `token`.
    pub async fn connect(&self, token: &str) -> RemoteService<StaticToken> {
        RemoteService::connect(&format!("http://{}", self.address), StaticToken::new(token)).await.unwrap()
    }
}

/// A store on a fresh in-memory database (on `clock` when given) and its bootstrapped
/// administrator, user 1, as a local caller.
pub async fn store_with_administrator(clock: Option<Arc<ManualClock>>) -> (Store, Caller) {
    let keys = Keyring::from_hex_keys(&[Keyring::generate_hex_key().unwrap()]).unwrap();
    let mut options = StoreOptions::new("sqlite::memory:", keys);
    if let Some(clock) = clock {
        options.clock = clock;
    }
    let store = Store::open(options).await.unwrap();
    let admin =
        Caller::local(store.bootstrap_administrator(UserId::from_u128(1), "Beheer").await.unwrap().actor(Grant::NONE));
    (store, admin)
}

/// Register a participant of `worker` with the minimal profile under `name`, through `svc`;
/// its new id.
pub async fn register<S: PerspectiefService>(
    svc: &S,
    worker: &Caller,
    name: &str,
    registered_on: NaiveDate,
) -> ParticipantId {
    let id = ParticipantId::from_u128(uuid::Uuid::new_v4().as_u128());
    let profile = minimal_profile(name, worker.actor.user);
    svc.register_participant(worker, RegisterParticipant { id, profile, registered_on }).await.unwrap();
    id
}

/// A request carrying `token` as its bearer credentials, for calls through the generated
/// clients (the Rust client adds them itself).
pub fn authed<T>(token: &str, message: T) -> tonic::Request<T> {
    let mut request = tonic::Request::new(message);
    request.metadata_mut().insert("authorization", format!("Bearer {token}").parse().unwrap());
    request
}
