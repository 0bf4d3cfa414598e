//! Robustness under load, bounded in time so CI stays within its budget: a mixed read/write
//! load through a real server on loopback finishes with no errors beyond the configured limits,
//! and every acknowledged write is in the store afterwards.

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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bounded_mixed_load_has_no_errors_beyond_the_limits_and_loses_no_acknowledged_write() {
    let dir = tempfile_dir();
    let keys = Keyring::from_hex_keys(&[Keyring::generate_hex_key().unwrap()]).unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.join("load.db").display());
    let (store, _) = seed::open(&url, keys).await.unwrap();
    let loaded = seed::load_until(&store, 0, 300, 8).await.unwrap();
    let config = seed::config();
    let ids: Vec<_> =
        (0..loaded.participants).map(|i| perspectief_synth::participant(&config, i).register.id).collect();
    let admin = Caller::local(store.bootstrap_administrator(UserId::from_u128(0xAD), "Beheer").await.unwrap().actor());
    let lead = UserAccount {
        id: UserId::from_u128(0x1EAD),
        organisation: store.policy().foundation,
        role: Role::ProjectLead,
        name: Label::parse("Projectleider (synthetisch)").unwrap(),
        disabled: false,
    };
    store.create_user(&admin, lead.clone()).await.unwrap();
    let (_, token) = store.create_token(&admin, lead.id, "load", chrono::Duration::days(1)).await.unwrap();
    // Tight limits, so the load meets them.
    let server_config =
        ServerConfig { concurrency_limit_per_connection: 8, max_concurrent_streams: 16, ..Default::default() };
    let incoming = TcpIncoming::bind("127.0.0.1:0".parse().unwrap()).unwrap();
    let address = incoming.local_addr().unwrap();
    let served = Arc::new(store.clone());
    tokio::spawn(async move { serve(served, server_config, incoming, std::future::pending()).await });

    let mut channels = Vec::new();
    for _ in 0..2 {
        channels.push(Channel::from_shared(format!("http://{address}")).unwrap().connect().await.unwrap());
    }
    let bearer: tonic::metadata::MetadataValue<_> = format!("Bearer {token}").parse().unwrap();
    let ids = Arc::new(ids);
    // The day before the store's clock: after every registration, not in the future.
    let at = config.end().and_hms_opt(10, 0, 0).unwrap().and_utc().timestamp();
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
            let request = pb::LogContactRequest {
                name: format!("participants/{id}"),
                etag: String::new(),
                contact: Some(pb::NewContact {
                    contact_id: contact_id.clone(),
                    at: Some(prost_types::Timestamp { seconds: at, nanos: 0 }),
                    kind: pb::ContactKind::Phone as i32,
                    location: Some(pb::ContactLocation { kind: Some(pb::contact_location::Kind::Remote(())) }),
                    activities: vec!["3.2.e".into()],
                    summary: "Belafspraak (synthetisch).".into(),
                    category: pb::DataCategory::Guidance as i32,
                    ..Default::default()
                }),
            };
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
    let reader = seed::lead(store.policy().foundation);
    for (participant, contact) in acknowledged {
        let case = store.get_case(&reader, participant).await.unwrap();
        assert!(case.contacts().any(|(c, _)| c.id.to_string() == contact), "acknowledged contact {contact} is missing");
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
