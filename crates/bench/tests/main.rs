//! Robustness under load, bounded in time so CI stays within its budget: a mixed read/write
//! load through a real server on loopback finishes with no errors beyond the configured limits,
//! and every acknowledged write is in the store afterwards.

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use perspectief_bench::load::{self, Plan};
use perspectief_bench::seed;
use perspectief_core::access::Role;
use perspectief_core::accounts::UserAccount;
use perspectief_core::service::{Caller, PerspectiefService};
use perspectief_core::{Label, UserId};
use perspectief_grpc::pb;
use perspectief_grpc::pb::case_service_client::CaseServiceClient;
use perspectief_grpc::server::{ServerConfig, serve};
use perspectief_store::Keyring;
use tonic::transport::Channel;
use tonic::transport::server::TcpIncoming;

mod reports;
mod seeded;

/// A seeded file-backed store served on loopback, with a project lead's token.
struct Served {
    store: perspectief_store::Store,
    url: String,
    address: std::net::SocketAddr,
    bearer: tonic::metadata::MetadataValue<tonic::metadata::Ascii>,
    /// Participants whose trajectory is open.
    ids: Vec<perspectief_core::ParticipantId>,
    /// A contact moment's time: after every registration, not in the future.
    at: i64,
}

impl Served {
    async fn start(contact_moments: u64, server_config: ServerConfig) -> Self {
        let dir = tempfile_dir();
        let keys = Keyring::from_hex_keys(&[Keyring::generate_hex_key().unwrap()]).unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.join("load.db").display());
        let (store, _) = seed::open(&url, keys).await.unwrap();
        let loaded = seed::load_until(&store, 0, contact_moments, 8).await.unwrap();
        let config = seed::config();
        let ids: Vec<_> =
            (0..loaded.participants).map(|i| perspectief_synth::participant(&config, i).register.id).collect();
        let admin = Caller::local(
            store
                .bootstrap_administrator(UserId::from_u128(0xAD), "Beheer")
                .await
                .unwrap()
                .actor(perspectief_core::access::Grant::NONE),
        );
        let lead = UserAccount {
            id: UserId::from_u128(0x1EAD),
            organisation: store.policy().foundation,
            role: Role::ProjectLead,
            name: Label::parse("Projectleider (synthetisch)").unwrap(),
            disabled: false,
            awaiting_confirmation: false,
        };
        store.create_user(&admin, lead.clone()).await.unwrap();
        let (info, token) = store.create_token(&admin, lead.id, "load", chrono::Duration::days(1)).await.unwrap();
        let confirming = Caller::local(lead.actor(perspectief_core::access::Grant::NONE));
        store.confirm_account(&confirming, lead.id).await.unwrap();
        store.confirm_token(&confirming, info.id).await.unwrap();
        let incoming = TcpIncoming::bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let address = incoming.local_addr().unwrap();
        let served = Arc::new(store.clone());
        tokio::spawn(async move { serve(served, server_config, incoming, std::future::pending()).await });
        let at = config.end().and_hms_opt(10, 0, 0).unwrap().and_utc().timestamp();
        let bearer = format!("Bearer {token}").parse().unwrap();
        // Only trajectories still open accept new contact moments.
        let reader = seed::lead(store.policy().foundation);
        let mut open = Vec::new();
        for id in ids {
            if store.get_case(&reader, id).await.unwrap().outflow().is_none() {
                open.push(id);
            }
        }
        assert!(open.len() >= 4, "the seed leaves open trajectories");
        Self { store, url, address, bearer, ids: open, at }
    }

    async fn channel(&self) -> Channel {
        Channel::from_shared(format!("http://{}", self.address)).unwrap().connect().await.unwrap()
    }

    fn log_contact(
        &self,
        participant: perspectief_core::ParticipantId,
        contact_id: &str,
        timeout: Option<Duration>,
    ) -> tonic::Request<pb::LogContactRequest> {
        let request = log_contact_request(participant, contact_id, self.at);
        self.authorised(request, timeout)
    }

    fn authorised<T>(&self, message: T, timeout: Option<Duration>) -> tonic::Request<T> {
        let mut request = tonic::Request::new(message);
        request.metadata_mut().insert("authorization", self.bearer.clone());
        if let Some(t) = timeout {
            request.set_timeout(t);
        }
        request
    }

    /// Hold SQLite's write lock from another connection until the returned transaction is
    /// dropped: every write (and every audited read) of the server waits behind it.
    async fn lock_writes(&self) -> sea_orm::DatabaseTransaction {
        use sea_orm::{ConnectionTrait, TransactionTrait};
        let raw = sea_orm::Database::connect(&self.url).await.unwrap();
        let txn = raw.begin().await.unwrap();
        txn.execute_unprepared("CREATE TABLE test_write_lock (x INTEGER)").await.unwrap();
        txn
    }

    /// Every contact answered OK is in the store.
    async fn assert_durable(&self, acknowledged: &BTreeSet<(perspectief_core::ParticipantId, String)>) {
        let reader = seed::lead(self.store.policy().foundation);
        for (participant, contact) in acknowledged {
            let case = self.store.get_case(&reader, *participant).await.unwrap();
            assert!(
                case.contacts().any(|(c, _)| c.id.to_string() == *contact),
                "acknowledged contact {contact} is missing"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bounded_mixed_load_has_no_errors_beyond_the_limits_and_loses_no_acknowledged_write() {
    // Tight limits, so the load meets them: 32 tasks against room for 24 calls at once.
    let server_config = ServerConfig {
        concurrency_limit_per_connection: 8,
        max_concurrent_streams: 16,
        max_in_flight: 24,
        queue_wait: Duration::from_millis(5),
        ..Default::default()
    };
    let served = Served::start(300, server_config).await;
    let mut channels = Vec::new();
    for _ in 0..2 {
        channels.push(served.channel().await);
    }
    let bearer = served.bearer.clone();
    let ids = Arc::new(served.ids.clone());
    let at = served.at;
    let acknowledged = Arc::new(Mutex::new(BTreeSet::new()));
    let (ch, ids2, ack) = (channels.clone(), ids.clone(), acknowledged.clone());
    let plan = Plan { tasks: 16, warmup: Duration::from_millis(500), measure: Duration::from_secs(6), rate: None };
    let outcome = load::run(plan, move |task, n| {
        let mut client = CaseServiceClient::new(ch[task % ch.len()].clone());
        let id = ids2[((task as u64) * 31 + n) as usize % ids2.len()];
        let bearer = bearer.clone();
        let ack = ack.clone();
        async move {
            // Four reads to one write.
            if n % 5 != 4 {
                let mut request = tonic::Request::new(pb::GetCaseFileRequest { name: format!("participants/{id}") });
                request.metadata_mut().insert("authorization", bearer);
                return client.get_case_file(request).await.map(drop).map_err(|s| format!("{:?}", s.code()));
            }
            let contact_id = uuid_for(task as u64, n);
            let request = log_contact_request(id, &contact_id, at);
            let mut request = tonic::Request::new(request);
            request.metadata_mut().insert("authorization", bearer);
            match client.log_contact(request).await {
                Ok(_) => {
                    ack.lock().unwrap().insert((id, contact_id));
                    Ok(())
                }
                // A closed trajectory refuses new contacts: a rule, not a failure of the load.
                Err(s) if s.code() == tonic::Code::FailedPrecondition => Ok(()),
                Err(s) => Err(format!("{:?}", s.code())),
            }
        }
    })
    .await;
    let unexpected: Vec<_> = outcome.errors.keys().filter(|code| code.as_str() != "ResourceExhausted").collect();
    assert!(unexpected.is_empty(), "errors beyond the limits: {:?}", outcome.errors);
    assert!(outcome.ok > 100, "{} calls answered", outcome.ok);
    // Every acknowledged write is durable in the store.
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(!acknowledged.is_empty());
    served.assert_durable(&acknowledged).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deadline_shorter_than_the_work_is_deadline_exceeded_and_no_acknowledged_write_is_lost() {
    let served = Served::start(60, ServerConfig::default()).await;
    let mut client = CaseServiceClient::new(served.channel().await);
    let id = served.ids[0];

    // Work that cannot finish in time: the database's write lock is held elsewhere.
    let lock = served.lock_writes().await;
    let started = std::time::Instant::now();
    let request = served.log_contact(id, &uuid_for(900, 1), Some(Duration::from_millis(300)));
    let status = client.log_contact(request).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::DeadlineExceeded, "{status:?}");
    assert!(started.elapsed() < Duration::from_secs(3), "answered at the deadline, not after the work");
    // An audited read waits for its access record, so it meets the deadline too.
    let read = served
        .authorised(pb::GetCaseFileRequest { name: format!("participants/{id}") }, Some(Duration::from_millis(200)));
    assert_eq!(client.get_case_file(read).await.unwrap_err().code(), tonic::Code::DeadlineExceeded);
    drop(lock);

    // Deadlines racing the commits: whatever is acknowledged is stored; the rest is
    // DEADLINE_EXCEEDED, never another error.
    let mut calls = Vec::new();
    for n in 0..48u64 {
        let contact = uuid_for(901, n);
        let request = served.log_contact(
            served.ids[n as usize % served.ids.len()],
            &contact,
            Some(Duration::from_millis(1 + n % 24)),
        );
        let mut client = client.clone();
        let participant = served.ids[n as usize % served.ids.len()];
        calls.push(tokio::spawn(async move { (participant, contact, client.log_contact(request).await) }));
    }
    let mut acknowledged = BTreeSet::new();
    let mut exceeded = 0;
    for call in calls {
        let (participant, contact, answer) = call.await.unwrap();
        match answer {
            Ok(_) => {
                acknowledged.insert((participant, contact));
            }
            Err(s) if s.code() == tonic::Code::DeadlineExceeded => exceeded += 1,
            // tonic's client also keeps the deadline and gives up on its own (CANCELLED,
            // "Timeout expired") when the server's answer is still on its way.
            Err(s) if s.code() == tonic::Code::Cancelled && s.message() == "Timeout expired" => exceeded += 1,
            Err(s) => panic!("unexpected answer {s:?}"),
        }
    }
    assert!(exceeded > 0, "some deadlines of 1 to 24 ms are too short for a durable write");
    served.assert_durable(&acknowledged).await;
    // After the storm the server answers normally and the access log's chain is whole.
    let request = served.log_contact(id, &uuid_for(902, 1), Some(Duration::from_secs(10)));
    client.log_contact(request).await.unwrap();
    served.store.verify_chain().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_beyond_the_in_flight_limit_are_shed_with_resource_exhausted_and_health_still_answers() {
    use tonic_types::StatusExt;
    let config = ServerConfig { max_in_flight: 2, queue_wait: Duration::from_millis(50), ..Default::default() };
    let served = Served::start(60, config).await;
    let channel = served.channel().await;
    let mut client = CaseServiceClient::new(channel.clone());

    // Two writes take the room and wait behind a held write lock.
    let lock = served.lock_writes().await;
    let mut busy = Vec::new();
    for n in 0..2u64 {
        let request = served.log_contact(served.ids[n as usize], &uuid_for(910, n), Some(Duration::from_secs(20)));
        let mut client = client.clone();
        busy.push(tokio::spawn(async move { client.log_contact(request).await }));
    }
    tokio::time::sleep(Duration::from_millis(300)).await;

    // A third call is refused at once, with a retry delay, rather than queued without bound.
    let started = std::time::Instant::now();
    let read = served.authorised(pb::GetCaseFileRequest { name: format!("participants/{}", served.ids[3]) }, None);
    let status = client.get_case_file(read).await.unwrap_err();
    assert_eq!(status.code(), tonic::Code::ResourceExhausted, "{status:?}");
    assert!(started.elapsed() < Duration::from_secs(2));
    let details = status.get_error_details();
    assert_eq!(details.error_info().map(|i| i.reason.as_str()), Some("OVERLOADED"));
    assert!(details.retry_info().and_then(|r| r.retry_delay).is_some());
    // Health checks are never shed.
    let mut health = tonic_health::pb::health_client::HealthClient::new(channel.clone());
    let answer = health.check(tonic_health::pb::HealthCheckRequest { service: String::new() }).await.unwrap();
    assert_eq!(answer.into_inner().status, tonic_health::pb::health_check_response::ServingStatus::Serving as i32);

    // When the work drains, the waiting writes are done and new calls are served.
    drop(lock);
    let mut acknowledged = BTreeSet::new();
    for (n, call) in busy.into_iter().enumerate() {
        call.await.unwrap().unwrap();
        acknowledged.insert((served.ids[n], uuid_for(910, n as u64)));
    }
    served.assert_durable(&acknowledged).await;
    let read = served.authorised(pb::GetCaseFileRequest { name: format!("participants/{}", served.ids[3]) }, None);
    client.get_case_file(read).await.unwrap();
}

/// A phone call logged for `participant` at `at` (seconds since the epoch), synthetic.
fn log_contact_request(
    participant: perspectief_core::ParticipantId,
    contact_id: &str,
    at: i64,
) -> pb::LogContactRequest {
    pb::LogContactRequest {
        name: format!("participants/{participant}"),
        etag: String::new(),
        contact: Some(pb::NewContact {
            contact_id: contact_id.to_owned(),
            at: Some(prost_types::Timestamp { seconds: at, nanos: 0 }),
            kind: pb::ContactKind::Phone as i32,
            location: Some(pb::ContactLocation { kind: Some(pb::contact_location::Kind::Remote(())) }),
            activities: vec!["3.2.e".into()],
            summary: "Belafspraak (synthetisch).".into(),
            category: pb::DataCategory::Guidance as i32,
            ..Default::default()
        }),
    }
}

fn uuid_for(task: u64, n: u64) -> String {
    format!("0192f0c1-7c3e-7000-8000-{:04x}{:08x}", task, n)
}

fn tempfile_dir() -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("perspectief-load-{}-{}", std::process::id(), rand_suffix()));
    std::fs::create_dir_all(&dir).expect("a temporary directory");
    dir
}

fn rand_suffix() -> u128 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).expect("a clock after 1970").as_nanos()
}
