//! `perspectief-bench`: benchmarks that report each figure as a ratio against a baseline
//! measured in the same run on the same machine, because machines are noisy.
//!
//! ```text
//! perspectief-bench grpc  [--seconds N] [--warmup N] [--tasks N] [--connections N] [--participants N] [--rate R]
//! perspectief-bench write [--seconds N] [--warmup N] [--tasks N] [--participants N]
//! ```
//!
//! - `grpc`: an audited read (GetCaseFile, its access-log record durable before the answer)
//!   and an audited write (LogContact) through a real server on loopback, against the no-op
//!   ceiling of the same server set-up (grpc.health.v1 Check on the same connections).
//! - `write`: the store's write path (a contact moment with its access-log record, SQLite
//!   `synchronous=FULL`) against raw single-row SQLite autocommits at the same durability.
//!
//! Results are printed as Markdown rows for BENCHMARKS.md.

// A benchmark's whole output is its report on standard output.
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod load;

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use perspectief_core::access::{Actor, Role};
use perspectief_core::accounts::UserAccount;
use perspectief_core::service::{Caller, PerspectiefService};
use perspectief_core::{
    ActivityCode, CaseCommand, ContactId, ContactKind, ContactLocation, DataCategory, Label, NewContact, ParticipantId,
    Text, UserId,
};
use perspectief_grpc::pb;
use perspectief_grpc::pb::case_service_client::CaseServiceClient;
use perspectief_grpc::server::{ServerConfig, serve};
use perspectief_store::{Keyring, ManualClock, Store, StoreOptions};
use perspectief_synth::{Config, participant, replay};
use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};
use tonic::transport::Channel;
use tonic::transport::server::TcpIncoming;

use crate::load::{Outcome, Plan};

#[derive(Debug, Clone)]
struct Args {
    seconds: u64,
    warmup: u64,
    tasks: usize,
    connections: usize,
    participants: u64,
    rate: Option<u32>,
}

fn parse(args: &[String]) -> Result<Args, String> {
    let mut a = Args { seconds: 10, warmup: 2, tasks: 16, connections: 2, participants: 200, rate: None };
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let n: u64 = value.parse().map_err(|_| format!("{flag}: '{value}' is not a number"))?;
        match flag.as_str() {
            "--seconds" => a.seconds = n.max(1),
            "--warmup" => a.warmup = n,
            "--tasks" => a.tasks = usize::try_from(n.max(1)).map_err(|e| e.to_string())?,
            "--connections" => a.connections = usize::try_from(n.max(1)).map_err(|e| e.to_string())?,
            "--participants" => a.participants = n.max(1),
            "--rate" => a.rate = Some(u32::try_from(n.max(1)).map_err(|e| e.to_string())?),
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(a)
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((what, rest)) = args.split_first() else {
        eprintln!("usage: perspectief-bench grpc|write [options] (see the crate docs)");
        return std::process::ExitCode::from(64);
    };
    let options = match parse(rest) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("perspectief-bench: {e}");
            return std::process::ExitCode::from(64);
        }
    };
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a tokio runtime");
    let result = runtime.block_on(async {
        match what.as_str() {
            "grpc" => grpc(&options).await,
            "write" => write(&options).await,
            other => Err(format!("unknown benchmark {other}")),
        }
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("perspectief-bench: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// A store on a fresh SQLite file (durable settings), with `n` synthetic participants, its
/// clock left just after the data set.
async fn seeded_store(dir: &std::path::Path, n: u64) -> Result<(Store, Caller, Vec<ParticipantId>), String> {
    let clock = Arc::new(ManualClock::new(Utc.with_ymd_and_hms(2025, 1, 1, 8, 0, 0).single().expect("a time")));
    let keys = Keyring::from_hex_keys(&[Keyring::generate_hex_key().map_err(|e| e.to_string())?])?;
    let url = format!("sqlite://{}?mode=rwc", dir.join("bench.db").display());
    let mut options = StoreOptions::new(url, keys);
    options.clock = clock.clone();
    let store = Store::open(options).await.map_err(|e| e.to_string())?;
    let foundation = store.policy().foundation;
    let caller_for = move |user| Caller::local(Actor { user, organisation: foundation, role: Role::ProjectWorker });
    let set_clock = |at| clock.set(at);
    let config = Config::new(11, chrono::NaiveDate::from_ymd_opt(2025, 1, 6).expect("a date"), 12);
    let mut ids = Vec::new();
    for i in 0..n {
        let script = participant(&config, i);
        replay(&store, &script, &caller_for, &set_clock).await.map_err(|e| e.to_string())?;
        ids.push(script.register.id);
    }
    clock.set(Utc.from_utc_datetime(&config.end().and_hms_opt(12, 0, 0).expect("a time")) + chrono::Duration::days(1));
    let lead =
        Caller::local(Actor { user: UserId::from_u128(0xBE4C), organisation: foundation, role: Role::ProjectLead });
    Ok((store, lead, ids))
}

fn contact(n: u64) -> NewContact {
    NewContact {
        id: ContactId::from_u128((0xBE4C_u128 << 64) | u128::from(n)),
        at: Utc.with_ymd_and_hms(2026, 1, 5, 10, 0, 0).single().expect("a time"),
        kind: ContactKind::Phone,
        location: ContactLocation::Remote,
        staff: Default::default(),
        activities: [ActivityCode::SocialGuidance].into_iter().collect(),
        summary: Text::parse("Belafspraak (synthetisch).").expect("valid text"),
        category: DataCategory::Guidance,
        partner: None,
        duration_minutes: Some(10),
        agreements: vec![],
    }
}

fn row(name: &str, o: &Outcome, baseline: Option<&Outcome>) -> String {
    let ratio =
        baseline.map_or_else(|| "1.00 (baseline)".to_owned(), |b| format!("{:.2}", o.per_second() / b.per_second()));
    let errors = if o.errors.is_empty() { "none".to_owned() } else { format!("{:?}", o.errors) };
    format!(
        "| {name} | {:.0}/s | {:.2} ms | {:.2} ms | {:.2} ms | {ratio} | {errors} |",
        o.per_second(),
        o.ms(0.5),
        o.ms(0.99),
        o.ms(0.999)
    )
}

const HEADER: &str =
    "| operation | throughput | p50 | p99 | p99.9 | ratio to baseline | errors |\n|---|---|---|---|---|---|---|";

async fn grpc(a: &Args) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("perspectief-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let (store, _, ids) = seeded_store(&dir, a.participants).await?;
    let admin = Caller::local(
        store
            .bootstrap_administrator(UserId::from_u128(0xAD), "Beheer (synthetisch)")
            .await
            .map_err(|e| e.to_string())?
            .actor(),
    );
    let account = UserAccount {
        id: UserId::from_u128(0x1EAD),
        organisation: store.policy().foundation,
        role: Role::ProjectLead,
        name: Label::parse("Projectleider (synthetisch)").expect("valid label"),
        disabled: false,
    };
    store.create_user(&admin, account.clone()).await.map_err(|e| e.to_string())?;
    let (_, token) =
        store.create_token(&admin, account.id, "bench", chrono::Duration::days(1)).await.map_err(|e| e.to_string())?;
    let incoming = TcpIncoming::bind("127.0.0.1:0".parse().expect("an address")).map_err(|e| e.to_string())?;
    let address = incoming.local_addr().map_err(|e| e.to_string())?;
    let served = Arc::new(store.clone());
    tokio::spawn(async move { serve(served, ServerConfig::default(), incoming, std::future::pending()).await });
    let mut channels = Vec::new();
    for _ in 0..a.connections {
        let channel = Channel::from_shared(format!("http://{address}"))
            .map_err(|e| e.to_string())?
            .connect()
            .await
            .map_err(|e| e.to_string())?;
        channels.push(channel);
    }
    let plan = Plan {
        tasks: a.tasks,
        warmup: Duration::from_secs(a.warmup),
        measure: Duration::from_secs(a.seconds),
        rate: a.rate,
    };
    let bearer: tonic::metadata::MetadataValue<_> = format!("Bearer {token}").parse().map_err(|_| "token")?;
    let ids = Arc::new(ids);

    let ch = channels.clone();
    let baseline = load::run(plan, move |task, _| {
        let mut client = tonic_health::pb::health_client::HealthClient::new(ch[task % ch.len()].clone());
        async move {
            client
                .check(tonic_health::pb::HealthCheckRequest { service: String::new() })
                .await
                .map(drop)
                .map_err(|s| format!("{:?}", s.code()))
        }
    })
    .await;

    let (ch, ids2, b) = (channels.clone(), ids.clone(), bearer.clone());
    let reads = load::run(plan, move |task, n| {
        let mut client = CaseServiceClient::new(ch[task % ch.len()].clone());
        let id = ids2[((task as u64 * 7919 + n) % ids2.len() as u64) as usize];
        let mut request = tonic::Request::new(pb::GetCaseFileRequest { name: format!("participants/{id}") });
        request.metadata_mut().insert("authorization", b.clone());
        async move { client.get_case_file(request).await.map(drop).map_err(|s| format!("{:?}", s.code())) }
    })
    .await;

    let (ch, ids3, b) = (channels.clone(), ids.clone(), bearer.clone());
    let writes = load::run(plan, move |task, n| {
        let mut client = CaseServiceClient::new(ch[task % ch.len()].clone());
        let id = ids3[((task as u64 * 104_729 + n) % ids3.len() as u64) as usize];
        let contact = contact(((task as u64) << 40) | n);
        let cmd = CaseCommand::LogContact(contact);
        let request = match perspectief_grpc::convert::case_commands::case_command_request(id, None, &cmd) {
            perspectief_grpc::convert::case_commands::CaseCommandRequest::LogContact(r) => r,
            _ => unreachable!("a contact command"),
        };
        let mut request = tonic::Request::new(request);
        request.metadata_mut().insert("authorization", b.clone());
        async move { client.log_contact(request).await.map(drop).map_err(|s| format!("{:?}", s.code())) }
    })
    .await;

    println!(
        "gRPC on loopback: {} connections x {} tasks, {} s measured after {} s warm-up, {} participants{}",
        a.connections,
        a.tasks,
        a.seconds,
        a.warmup,
        a.participants,
        a.rate.map_or(String::new(), |r| format!(", fixed rate {r}/s"))
    );
    println!("{HEADER}");
    println!("{}", row("no-op tonic call (health Check)", &baseline, None));
    println!("{}", row("audited read (GetCaseFile)", &reads, Some(&baseline)));
    println!("{}", row("audited durable write (LogContact)", &writes, Some(&baseline)));
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

async fn write(a: &Args) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("perspectief-bench-w-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let plan = Plan {
        tasks: a.tasks,
        warmup: Duration::from_secs(a.warmup),
        measure: Duration::from_secs(a.seconds),
        rate: a.rate,
    };

    // Baseline: raw single-row autocommits, WAL, synchronous=FULL, one connection per task.
    let url = format!("sqlite://{}?mode=rwc", dir.join("raw.db").display());
    let db = Database::connect(&url).await.map_err(|e| e.to_string())?;
    for sql in [
        "PRAGMA journal_mode=WAL",
        "PRAGMA synchronous=FULL",
        "CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, payload TEXT NOT NULL)",
    ] {
        db.execute_raw(Statement::from_string(DbBackend::Sqlite, sql)).await.map_err(|e| e.to_string())?;
    }
    let mut conns = Vec::new();
    for _ in 0..a.tasks {
        let c = Database::connect(&url).await.map_err(|e| e.to_string())?;
        for sql in ["PRAGMA synchronous=FULL", "PRAGMA busy_timeout=10000"] {
            c.execute_raw(Statement::from_string(DbBackend::Sqlite, sql)).await.map_err(|e| e.to_string())?;
        }
        conns.push(c);
    }
    let conns = Arc::new(conns);
    let raw = load::run(plan, move |task, n| {
        let c = conns[task].clone();
        async move {
            c.execute_raw(Statement::from_sql_and_values(
                DbBackend::Sqlite,
                "INSERT INTO t (payload) VALUES (?)",
                [format!("row {task} {n}").into()],
            ))
            .await
            .map(drop)
            .map_err(|e| e.to_string())
        }
    })
    .await;

    let (store, lead, ids) = seeded_store(&dir, a.participants).await?;
    let store = Arc::new(store);
    let ids = Arc::new(ids);
    let lead = Arc::new(lead);
    let s = store.clone();
    let writes = load::run(plan, move |task, n| {
        let (s, ids, lead) = (s.clone(), ids.clone(), lead.clone());
        async move {
            let id = ids[((task as u64 * 104_729 + n) % ids.len() as u64) as usize];
            let cmd = CaseCommand::LogContact(contact(((task as u64) << 40) | n));
            s.execute(&lead, id, None, cmd).await.map(drop).map_err(|e| e.code().to_owned())
        }
    })
    .await;
    println!(
        "Durable writes on SQLite (WAL, synchronous=FULL): {} concurrent writers, {} s measured after {} s warm-up",
        a.tasks, a.seconds, a.warmup
    );
    println!("{HEADER}");
    println!("{}", row("raw single-row autocommit INSERT", &raw, None));
    println!("{}", row("store: contact moment + access-log record", &writes, Some(&raw)));
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}
