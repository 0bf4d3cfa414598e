//! `perspectief-bench`: benchmarks that report each figure as a ratio against a baseline
//! measured in the same run on the same machine, because machines are noisy.
//!
//! ```text
//! perspectief-bench grpc  [--seconds N] [--warmup N] [--tasks N] [--connections N] [--participants N] [--rate R] [--backend sqlite|postgres|both] [--case-cache N]
//! perspectief-bench write [--seconds N] [--warmup N] [--tasks N] [--participants N] [--backend sqlite|postgres|both] [--case-cache N]
//! perspectief-bench streams [--streams N] [--seconds N] [--connections N]
//! perspectief-bench report [--sizes 10000,100000,1000000] [--backend sqlite|postgres|both] [--dir DIR] [--tasks N] [--repeat N]
//! perspectief-bench cli [--sizes 100000] [--dir DIR] [--repeat N]
//! perspectief-bench keys [--repeat N] [--batch N]
//! ```
//!
//! - `grpc`: an audited read (GetCaseFile, its access-log record durable before the answer)
//!   and an audited write (LogContact) through a real server on loopback, against the no-op
//!   ceiling of the same server set-up (grpc.health.v1 Check on the same connections), and
//!   the process's memory (RSS) idle and after each load. `--rate R` runs at a fixed rate
//!   (requests are sent on schedule, so a slow answer shows in the latency instead of
//!   slowing the client down).
//! - `cli`: the `perspectief` binary showing one participant of a kept `report` database,
//!   against the same binary's start without a database.
//! - `write`: the store's write path (a contact moment with its access-log record, SQLite
//!   `synchronous=FULL`) against raw single-row SQLite autocommits at the same durability
//!   (on PostgreSQL: against raw single-row autocommits on the same server).
//! - `streams`: idle open WatchEvents streams: the process's CPU time and memory (RSS) with
//!   `--streams` of them open and nothing written, against the same server idle without them.
//!
//! - `keys`: what a participant's own data key adds (unwrapping it with the foundation's key
//!   and setting up its cipher: once per uncached load of a case, once per participant in a
//!   page of events) against what every load and write of a case file pays anyway (opening and
//!   sealing its state), at three state sizes; in one thread, no database.
//!
//! `--case-cache N` sets the store's cache of decrypted case files (0 turns it off, to measure
//! what it saves; absent, the store's default).
//!
//! `grpc` and `write` run on SQLite by default; `--backend postgres` (or `both`) runs them on
//! a fresh database of the PostgreSQL server at `PERSPECTIEF_BENCH_POSTGRES` (default the local
//! one), dropped afterwards.
//!
//! - `report`: the subsidy report and the worklist at growing numbers of contact moments, on
//!   SQLite and PostgreSQL (`PERSPECTIEF_BENCH_POSTGRES`, default the local server), against a
//!   bare scan of the activity log on the same database (the floor any report must pay), and
//!   against the smallest size (how the cost grows). Loaded databases are kept in `--dir` and
//!   reused, so a second run only measures. Loading goes through the audited, durable write
//!   path (a few hundred commands a second here), so sizes above `--load-limit` are made by
//!   replicating the largest loaded data set's participants, activity log, report projection
//!   (`report_firsts`) and goal, agreement, referral, report-period and judgment-communication
//!   projections under new ids in SQL: the report and the worklist read only those tables'
//!   plain columns, so their cost is that of real data of the same shape (a copy's sealed case
//!   file does not open: it is bound to the original's id). On PostgreSQL a loaded or
//!   replicated database gets `VACUUM ANALYZE`, as after any bulk load.
//!
//! Results are printed as Markdown rows for BENCHMARKS.md.

// A benchmark's whole output is its report on standard output.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use perspectief_core::access::Role;
use perspectief_core::accounts::UserAccount;
use perspectief_core::service::{Caller, PerspectiefService};
use perspectief_core::{
    ActivityCode, CaseCommand, ContactId, ContactKind, ContactLocation, DataCategory, Label, NewContact, ParticipantId,
    Text, UserId,
};
use perspectief_grpc::pb;
use perspectief_grpc::pb::case_service_client::CaseServiceClient;
use perspectief_grpc::server::{ServerConfig, serve};
use perspectief_store::{Keyring, Store};
use sea_orm::{ConnectionTrait, Database, DbBackend, Statement};
use tonic::transport::Channel;

use perspectief_bench::load::{self, Outcome, Plan};
use perspectief_bench::seed;

mod report_bench;
use report_bench::{bench_keys, report, timed};

#[derive(Debug, Clone)]
struct Args {
    seconds: u64,
    warmup: u64,
    tasks: usize,
    connections: usize,
    participants: u64,
    rate: Option<u32>,
    /// `report`: the numbers of contact moments to measure at.
    sizes: Vec<u64>,
    /// sqlite, postgres or both (`report`: both by default; `grpc`, `write`: sqlite).
    backend: Option<String>,
    /// `streams`: how many WatchEvents streams to hold open.
    streams: usize,
    /// `report`: where the loaded databases and their key are kept between runs.
    dir: std::path::PathBuf,
    /// `report`: timed runs per figure (the median is reported).
    repeat: usize,
    /// `report`: sizes above this are made by replicating the largest loaded data set.
    load_limit: u64,
    /// `grpc`, `write`: the store's case cache capacity (0: none; absent: the default).
    case_cache: Option<usize>,
    /// `keys`: operations timed together in one batch.
    batch: u32,
}

fn parse(args: &[String]) -> Result<Args, String> {
    let mut a = Args {
        seconds: 10,
        warmup: 2,
        tasks: 16,
        connections: 2,
        participants: 200,
        rate: None,
        sizes: vec![10_000, 100_000, 1_000_000],
        backend: None,
        streams: 1000,
        dir: std::env::temp_dir().join("perspectief-bench-report"),
        repeat: 5,
        load_limit: 100_000,
        case_cache: None,
        batch: 2_000,
    };
    let mut it = args.iter();
    while let Some(flag) = it.next() {
        let value = it.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--sizes" => {
                a.sizes = value
                    .split(',')
                    .map(|v| v.trim().replace('_', "").parse::<u64>().map_err(|_| format!("--sizes: '{v}'")))
                    .collect::<Result<_, _>>()?;
                continue;
            }
            "--backend" => {
                a.backend = Some(value.clone());
                continue;
            }
            "--dir" => {
                a.dir = value.into();
                continue;
            }
            _ => {}
        }
        let n: u64 = value.parse().map_err(|_| format!("{flag}: '{value}' is not a number"))?;
        match flag.as_str() {
            "--seconds" => a.seconds = n.max(1),
            "--warmup" => a.warmup = n,
            "--tasks" => a.tasks = usize::try_from(n.max(1)).map_err(|e| e.to_string())?,
            "--connections" => a.connections = usize::try_from(n.max(1)).map_err(|e| e.to_string())?,
            "--participants" => a.participants = n.max(1),
            "--rate" => a.rate = Some(u32::try_from(n.max(1)).map_err(|e| e.to_string())?),
            "--repeat" => a.repeat = usize::try_from(n.max(1)).map_err(|e| e.to_string())?,
            "--load-limit" => a.load_limit = n,
            "--streams" => a.streams = usize::try_from(n.max(1)).map_err(|e| e.to_string())?,
            "--case-cache" => a.case_cache = Some(usize::try_from(n).map_err(|e| e.to_string())?),
            "--batch" => a.batch = u32::try_from(n.max(1)).map_err(|e| e.to_string())?,
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(a)
}

fn main() -> std::process::ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some((what, rest)) = args.split_first() else {
        eprintln!("usage: perspectief-bench grpc|write|streams|report|cli|keys [options] (see the crate docs)");
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
            "grpc" => {
                for backend in backends(&options, "sqlite") {
                    grpc(&options, backend).await?;
                }
                Ok(())
            }
            "write" => {
                for backend in backends(&options, "sqlite") {
                    write(&options, backend).await?;
                }
                Ok(())
            }
            "streams" => streams(&options).await,
            "report" => report(&options).await,
            "cli" => cli(&options).await,
            "keys" => keys(&options),
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

/// The case cache as `--case-cache` set it, for the report.
fn cache_setting(a: &Args) -> String {
    match a.case_cache {
        None => "the store's default".to_owned(),
        Some(0) => "off".to_owned(),
        Some(n) => format!("{n} case files"),
    }
}

/// The backends `--backend` names (`default` when absent).
fn backends<'a>(a: &'a Args, default: &'a str) -> Vec<&'a str> {
    match a.backend.as_deref().unwrap_or(default) {
        "both" => vec!["sqlite", "postgres"],
        one => vec![one],
    }
}

/// A fresh database for one run: a SQLite file in `dir`, or a new PostgreSQL database named
/// after `name` and this process (drop it with [`drop_database`]).
async fn fresh_database(backend: &str, dir: &std::path::Path, name: &str) -> Result<String, String> {
    match backend {
        "sqlite" => Ok(format!("sqlite://{}?mode=rwc", dir.join(format!("{name}.db")).display())),
        "postgres" => {
            let base = postgres_base();
            let db = format!("perspectief_bench_{name}_{}", std::process::id());
            let admin = Database::connect(format!("{base}/postgres")).await.map_err(|e| e.to_string())?;
            for sql in [format!("DROP DATABASE IF EXISTS {db}"), format!("CREATE DATABASE {db}")] {
                admin.execute_raw(Statement::from_string(DbBackend::Postgres, sql)).await.map_err(|e| e.to_string())?;
            }
            let _ = admin.close().await;
            Ok(format!("{base}/{db}"))
        }
        other => Err(format!("unknown backend {other}")),
    }
}

/// Drop a PostgreSQL database made by [`fresh_database`] (a SQLite file goes with its folder).
async fn drop_database(url: &str) {
    if let Some(name) = url.strip_prefix(&format!("{}/", postgres_base()))
        && let Ok(admin) = Database::connect(format!("{}/postgres", postgres_base())).await
    {
        let sql = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
        let _ = admin.execute_raw(Statement::from_string(DbBackend::Postgres, sql)).await;
        let _ = admin.close().await;
    }
}

fn postgres_base() -> String {
    std::env::var("PERSPECTIEF_BENCH_POSTGRES").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned())
}

/// A store on a fresh database (durable settings) with `n` synthetic participants, its clock
/// fixed just after the data set.
async fn seeded_store(
    url: &str,
    n: u64,
    case_cache: Option<usize>,
) -> Result<(Store, Caller, Vec<ParticipantId>), String> {
    let keys = Keyring::from_hex_keys(&[Keyring::generate_hex_key().map_err(|e| e.to_string())?])?;
    let (store, _) = seed::open_with(url, keys, case_cache).await?;
    // Whole synthetic trajectories: about a dozen contact moments per participant.
    seed::load_until(&store, 0, n * 12, 16).await?;
    let lead = seed::lead(store.policy().foundation);
    // The open trajectories: a closed one refuses new contact moments.
    let mut ids = Vec::new();
    let mut page = perspectief_core::service::PageRequest { page_size: 500, page_token: None };
    loop {
        let found = store
            .list_participants(&lead, perspectief_core::service::ParticipantFilter::default(), page.clone())
            .await
            .map_err(|e| e.to_string())?;
        ids.extend(found.items.iter().map(|p| p.id));
        match found.next_page_token {
            Some(t) => page.page_token = Some(t),
            None => break,
        }
    }
    Ok((store, lead, ids))
}

fn contact(n: u64) -> NewContact {
    NewContact {
        id: ContactId::from_u128((0xBE4C_u128 << 64) | u128::from(n)),
        // The day before the store's fixed clock: after every registration, not in the future.
        at: Utc.from_utc_datetime(&seed::config().end().and_hms_opt(10, 0, 0).expect("a time")),
        kind: ContactKind::Phone,
        location: ContactLocation::Remote,
        staff: Default::default(),
        activities: [ActivityCode::SocialGuidance].into_iter().collect(),
        summary: Text::parse("Belafspraak (synthetisch).").expect("valid text"),
        category: DataCategory::Guidance,
        partner: None,
        duration_minutes: Some(10),
        agreements: vec![],
        documents: Vec::new(),
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

/// Serve `store` on loopback as `perspectief serve` does (TCP_NODELAY), with a confirmed
/// project lead's token: the address and the bearer header value.
async fn serve_with_lead(
    store: &Store,
    config: ServerConfig,
) -> Result<(std::net::SocketAddr, tonic::metadata::MetadataValue<tonic::metadata::Ascii>), String> {
    let admin = Caller::local(
        store
            .bootstrap_administrator(UserId::from_u128(0xAD), "Beheer (synthetisch)")
            .await
            .map_err(|e| e.to_string())?
            .actor(perspectief_core::access::Grant::NONE),
    );
    let account = UserAccount {
        id: UserId::from_u128(0x1EAD),
        organisation: store.policy().foundation,
        role: Role::ProjectLead,
        name: Label::parse("Projectleider (synthetisch)").expect("valid label"),
        disabled: false,
        awaiting_confirmation: false,
    };
    store.create_user(&admin, account.clone()).await.map_err(|e| e.to_string())?;
    let (info, token) =
        store.create_token(&admin, account.id, "bench", chrono::Duration::days(1)).await.map_err(|e| e.to_string())?;
    // The lead activates their account and token: the second person a case-reading token needs.
    let lead = Caller::local(account.actor(perspectief_core::access::Grant::NONE));
    store.confirm_account(&lead, account.id).await.map_err(|e| e.to_string())?;
    store.confirm_token(&lead, info.id).await.map_err(|e| e.to_string())?;
    // As `perspectief serve` binds: TCP_NODELAY, or multi-frame answers wait for delayed ACKs.
    let incoming =
        perspectief_grpc::server::bind("127.0.0.1:0".parse().expect("an address")).map_err(|e| e.to_string())?;
    let address = incoming.local_addr().map_err(|e| e.to_string())?;
    let served = Arc::new(store.clone());
    tokio::spawn(async move { serve(served, config, incoming, std::future::pending()).await });
    let bearer: tonic::metadata::MetadataValue<_> = format!("Bearer {token}").parse().map_err(|_| "token")?;
    Ok((address, bearer))
}

async fn connect(address: std::net::SocketAddr, n: usize) -> Result<Vec<Channel>, String> {
    let mut channels = Vec::new();
    for _ in 0..n {
        let channel = Channel::from_shared(format!("http://{address}"))
            .map_err(|e| e.to_string())?
            .connect()
            .await
            .map_err(|e| e.to_string())?;
        channels.push(channel);
    }
    Ok(channels)
}

async fn grpc(a: &Args, backend: &str) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("perspectief-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let url = fresh_database(backend, &dir, "grpc").await?;
    let (store, _, ids) = seeded_store(&url, a.participants, a.case_cache).await?;
    let (address, bearer) = serve_with_lead(&store, ServerConfig::default()).await?;
    let channels = connect(address, a.connections).await?;
    let plan = Plan {
        tasks: a.tasks,
        warmup: Duration::from_secs(a.warmup),
        measure: Duration::from_secs(a.seconds),
        rate: a.rate,
    };
    let ids = Arc::new(ids);

    let idle = memory();
    let ch = channels.clone();
    phase("no-op calls");
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
    let before_reads = WriterTotals::read(&store);
    phase("audited reads");
    let reads = load::run(plan, move |task, n| {
        let mut client = CaseServiceClient::new(ch[task % ch.len()].clone());
        let id = ids2[((task as u64 * 7919 + n) % ids2.len() as u64) as usize];
        let mut request = tonic::Request::new(pb::GetCaseFileRequest { name: format!("participants/{id}") });
        request.metadata_mut().insert("authorization", b.clone());
        async move { client.get_case_file(request).await.map(drop).map_err(|s| format!("{:?}", s.code())) }
    })
    .await;

    let after_reads = memory();
    let (ch, ids3, b) = (channels.clone(), ids.clone(), bearer.clone());
    let before_writes = WriterTotals::read(&store);
    phase("audited writes");
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
        "gRPC on loopback ({backend}): {} connections x {} tasks, {} s measured after {} s warm-up, {} participants{}",
        a.connections,
        a.tasks,
        a.seconds,
        a.warmup,
        a.participants,
        a.rate.map_or(String::new(), |r| format!(", fixed rate {r}/s"))
    );
    println!("Case cache: {}", cache_setting(a));
    println!("{HEADER}");
    println!("{}", row("no-op tonic call (health Check)", &baseline, None));
    println!("{}", row("audited read (GetCaseFile)", &reads, Some(&baseline)));
    println!("{}", row("audited durable write (LogContact)", &writes, Some(&baseline)));
    let after_writes = memory();
    println!();
    println!("{}", before_reads.since(before_writes, "the reads (their access-log records)"));
    println!("{}", before_writes.since(WriterTotals::read(&store), "the writes"));
    println!(
        "\nMemory of the process (server and load generator share it; from /proc/self/status)\n\n\
         | moment | RSS | ratio to idle | peak RSS so far |\n|---|---|---|---|"
    );
    for (moment, m) in
        [("idle, server up", idle), ("after the read load", after_reads), ("after the write load", after_writes)]
    {
        println!("| {moment} | {:.1} MiB | {:.2} | {:.1} MiB |", m.0, m.0 / idle.0.max(0.1), m.1);
    }
    drop(store);
    drop_database(&url).await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// This process's CPU time so far (user + system), from /proc/self/stat (zero where absent).
fn cpu_time() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    // After the command name in parentheses: fields 14 and 15 (utime, stime) in clock ticks.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
    // Linux reports in USER_HZ, 100 a second on every architecture it supports.
    Duration::from_millis((ticks(11) + ticks(12)) * 10)
}

/// `streams`: `--streams` open WatchEvents streams on an idle server: CPU time and RSS over
/// `--seconds`, against the same server idle without streams over the same time.
async fn streams(a: &Args) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("perspectief-bench-s-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let url = fresh_database("sqlite", &dir, "streams").await?;
    let (store, _, _) = seeded_store(&url, a.participants, a.case_cache).await?;
    let config = ServerConfig {
        streams: perspectief_grpc::api::StreamSettings {
            per_caller: a.streams,
            total: a.streams,
            signal: Some(store.feed_signal()),
        },
        ..ServerConfig::default()
    };
    let (address, bearer) = serve_with_lead(&store, config).await?;
    // Within the server's concurrent streams per connection.
    let channels = connect(address, a.streams.div_ceil(100).max(1)).await?;
    let window = Duration::from_secs(a.seconds);
    let settle = Duration::from_secs(a.warmup.max(1));
    tokio::time::sleep(settle).await;
    let (idle_rss, idle_cpu) = (memory(), cpu_time());
    tokio::time::sleep(window).await;
    let idle_used = cpu_time().saturating_sub(idle_cpu);
    let feed_reads = store.feed_reads();
    let mut open = Vec::with_capacity(a.streams);
    for i in 0..a.streams {
        let mut client =
            perspectief_grpc::pb::event_service_client::EventServiceClient::new(channels[i % channels.len()].clone());
        let mut request = tonic::Request::new(pb::WatchEventsRequest { after_position: u64::MAX / 2 });
        request.metadata_mut().insert("authorization", bearer.clone());
        let stream =
            client.watch_events(request).await.map_err(|s| format!("stream {i}: {:?} {}", s.code(), s.message()))?;
        open.push(stream.into_inner());
    }
    tokio::time::sleep(settle).await;
    let (open_rss, open_cpu) = (memory(), cpu_time());
    let reads_before = store.feed_reads();
    tokio::time::sleep(window).await;
    let open_used = cpu_time().saturating_sub(open_cpu);
    let reads_idle = store.feed_reads() - reads_before;
    println!(
        "Idle WatchEvents streams on loopback (SQLite, nothing written): {} streams over {} connections, {} s each",
        a.streams,
        channels.len(),
        a.seconds
    );
    println!(
        "\n| state | CPU time in {} s | CPU share | feed reads | RSS | RSS added |\n|---|---|---|---|---|---|",
        a.seconds
    );
    let share = |d: Duration| format!("{:.2} %", 100.0 * d.as_secs_f64() / window.as_secs_f64());
    println!(
        "| server up, no streams (baseline) | {:.0} ms | {} | {} | {:.1} MiB | 0 |",
        idle_used.as_secs_f64() * 1e3,
        share(idle_used),
        feed_reads,
        idle_rss.0
    );
    println!(
        "| {} streams open, idle | {:.0} ms | {} | {reads_idle} | {:.1} MiB | {:.1} MiB |",
        a.streams,
        open_used.as_secs_f64() * 1e3,
        share(open_used),
        open_rss.0,
        open_rss.0 - idle_rss.0
    );
    drop(open);
    drop(store);
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// This process's resident memory now and at its peak, in MiB (0 where /proc is absent).
fn memory() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib = |key: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(key))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (kib("VmRSS:") / 1024.0, kib("VmHWM:") / 1024.0)
}

/// `cli`: the latency of the `perspectief` binary showing one participant from a loaded
/// database (`--dir`, the first of `--sizes`), against the same binary printing the activity
/// codes (process start, configuration and messages, no database): the time a person waits.
async fn cli(a: &Args) -> Result<(), String> {
    let size = *a.sizes.first().ok_or("--sizes: give the database size to use")?;
    let file = a.dir.join(format!("report-{size}.db"));
    if !file.exists() {
        return Err(format!("{} is missing: run the report benchmark with --sizes {size} first", file.display()));
    }
    let url = format!("sqlite://{}", file.display());
    let keys = bench_keys(&a.dir)?;
    let (store, _) = seed::open(&url, keys).await?;
    // The reader: a project lead with an account (the binary checks the acting user's account).
    let admin_id = UserId::from_u128(0xAD);
    let admin = match store.bootstrap_administrator(admin_id, "Beheer (synthetisch)").await {
        Ok(account) => Caller::local(account.actor(perspectief_core::access::Grant::NONE)),
        Err(_) => Caller::local(perspectief_core::access::Actor {
            user: admin_id,
            organisation: store.policy().foundation,
            role: Role::Administrator,
            grant: perspectief_core::access::Grant::NONE,
        }),
    };
    let lead = UserAccount {
        id: UserId::from_u128(0x1EAD),
        organisation: store.policy().foundation,
        role: Role::ProjectLead,
        name: Label::parse("Projectleider (synthetisch)").expect("valid label"),
        disabled: false,
        awaiting_confirmation: false,
    };
    match store.create_user(&admin, lead.clone()).await {
        Ok(_) | Err(perspectief_core::DomainError::AlreadyExists { .. }) => {}
        Err(e) => return Err(e.to_string()),
    }
    let raw = Database::connect(&url).await.map_err(|e| e.to_string())?;
    let count = raw
        .query_one_raw(Statement::from_string(DbBackend::Sqlite, "SELECT COUNT(*) AS n FROM participants"))
        .await
        .map_err(|e| e.to_string())?
        .and_then(|r| r.try_get::<i64>("", "n").ok())
        .unwrap_or(0);
    let pick = raw
        .query_one_raw(Statement::from_string(
            DbBackend::Sqlite,
            // A loaded participant (id prefix 51), not a replicated copy: a copy's sealed state
            // is bound to the original's id and does not open under the copy's.
            "SELECT id FROM participants WHERE SUBSTR(id, 1, 2) = '51' ORDER BY id LIMIT 1 OFFSET 100",
        ))
        .await
        .map_err(|e| e.to_string())?
        .and_then(|r| r.try_get::<String>("", "id").ok())
        .ok_or("no participants in the database")?;
    let _ = raw.close().await;
    drop(store);
    let binary = std::env::current_exe().map_err(|e| e.to_string())?.with_file_name("perspectief");
    if !binary.exists() {
        return Err(format!("{} is missing: cargo build --workspace first", binary.display()));
    }
    let key_file = a.dir.join("bench.key");
    let lead_id = lead.id.to_string();
    let run = |args: Vec<String>| {
        let binary = binary.clone();
        async move {
            let out = std::process::Command::new(&binary)
                .args(&args)
                .env("PERSPECTIEF_CONFIG", "/nonexistent/perspectief-bench.toml")
                .env_remove("PERSPECTIEF_KEY")
                .env_remove("PERSPECTIEF_SERVER")
                .output()
                .map_err(|e| e.to_string())?;
            if out.status.success() {
                Ok(())
            } else {
                Err(format!("{args:?}: {}", String::from_utf8_lossy(&out.stderr)))
            }
        }
    };
    let baseline = timed(a.repeat, || run(vec!["activiteiten".into()])).await?;
    let show = timed(a.repeat, || {
        run(vec![
            "--database".into(),
            url.clone(),
            "--key-file".into(),
            key_file.display().to_string(),
            "--as".into(),
            lead_id.clone(),
            "participant".into(),
            "show".into(),
            pick.clone(),
        ])
    })
    .await?;
    println!("CLI latency on a database of {count} participants ({size} contact moments), median of {} runs", a.repeat);
    println!("\n| command | time | ratio to baseline |\n|---|---|---|");
    println!(
        "| `perspectief activiteiten` (baseline: start, no database) | {:.1} ms | 1.00 |",
        baseline.as_secs_f64() * 1e3
    );
    println!(
        "| `perspectief participant show ID` (open, decrypt, audit, print) | {:.1} ms | {:.2} |",
        show.as_secs_f64() * 1e3,
        show.as_secs_f64() / baseline.as_secs_f64()
    );
    Ok(())
}

async fn write(a: &Args, backend: &str) -> Result<(), String> {
    let dir = std::env::temp_dir().join(format!("perspectief-bench-w-{}", std::process::id()));
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let plan = Plan {
        tasks: a.tasks,
        warmup: Duration::from_secs(a.warmup),
        measure: Duration::from_secs(a.seconds),
        rate: a.rate,
    };
    let url = fresh_database(backend, &dir, "write").await?;
    phase("raw autocommits");
    let raw =
        if backend == "postgres" { raw_postgres(a, plan, &url).await? } else { raw_sqlite(a, plan, &dir).await? };
    let (store, lead, ids) = seeded_store(&url, a.participants, a.case_cache).await?;
    let store = Arc::new(store);
    let ids = Arc::new(ids);
    let lead = Arc::new(lead);
    let s = store.clone();
    let states_before = state_sizes(&url).await?;
    let totals = WriterTotals::read(&store);
    phase("store writes");
    let writes = load::run(plan, move |task, n| {
        let (s, ids, lead) = (s.clone(), ids.clone(), lead.clone());
        async move {
            let id = ids[((task as u64 * 104_729 + n) % ids.len() as u64) as usize];
            let cmd = CaseCommand::LogContact(contact(((task as u64) << 40) | n));
            s.execute(&lead, id, None, cmd).await.map(drop).map_err(|e| e.code().to_owned())
        }
    })
    .await;
    if backend == "postgres" {
        println!(
            "Durable writes on PostgreSQL (synchronous_commit on): {} concurrent writers, {} s measured after {} s warm-up",
            a.tasks, a.seconds, a.warmup
        );
    } else {
        println!(
            "Durable writes on SQLite (WAL, synchronous=FULL): {} concurrent writers, {} s measured after {} s warm-up",
            a.tasks, a.seconds, a.warmup
        );
    }
    println!("Case cache: {}", cache_setting(a));
    println!("{HEADER}");
    println!("{}", row("raw single-row autocommit INSERT", &raw, None));
    println!("{}", row("store: contact moment + access-log record", &writes, Some(&raw)));
    println!();
    println!("{}", totals.since(WriterTotals::read(&store), "the store's writes"));
    let states_after = state_sizes(&url).await?;
    println!(
        "Sealed case states (rewritten whole by every write): {} cases, mean {:.1} kB, largest {:.1} kB before the run; mean {:.1} kB, largest {:.1} kB after it.",
        states_before.0,
        states_before.1 as f64 / 1000.0,
        states_before.2 as f64 / 1000.0,
        states_after.1 as f64 / 1000.0,
        states_after.2 as f64 / 1000.0
    );
    drop(store);
    drop_database(&url).await;
    let _ = std::fs::remove_dir_all(&dir);
    Ok(())
}

/// `keys`: the cost of per-participant data keys, measured against opening and sealing a case
/// state of the same run (median of `--repeat` batches of `--batch` operations, 2 000 unless set).
fn keys(a: &Args) -> Result<(), String> {
    use std::hint::black_box;
    let foundation = Keyring::from_hex_keys(&[Keyring::generate_hex_key().map_err(|e| e.to_string())?])?;
    let mut key = [0u8; 32];
    let hex = Keyring::generate_hex_key().map_err(|e| e.to_string())?;
    for (i, byte) in key.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(|e| e.to_string())?;
    }
    let aad = b"participant-key:bench".as_slice();
    let wrapped = foundation.seal(aad, &key).map_err(|e| e.to_string())?;
    let own = Keyring::from_key(&key);
    let batch = a.batch;
    // Median time of one operation, in microseconds.
    let per_op = |op: &mut dyn FnMut() -> Result<(), String>| -> Result<f64, String> {
        let mut batches = Vec::with_capacity(a.repeat);
        for _ in 0..a.repeat.max(3) {
            let started = std::time::Instant::now();
            for _ in 0..batch {
                op()?;
            }
            batches.push(started.elapsed().as_secs_f64() * 1e6 / f64::from(batch));
        }
        batches.sort_by(f64::total_cmp);
        Ok(batches[batches.len() / 2])
    };
    let unwrap = per_op(&mut || {
        let bytes = foundation.open(&wrapped.key_id, aad, &wrapped.blob).map_err(|e| e.to_string())?;
        let bytes: &[u8; 32] = bytes.as_slice().try_into().map_err(|_| "a key is 32 bytes".to_owned())?;
        black_box(Keyring::from_key(bytes));
        Ok(())
    })?;
    println!(
        "Per-participant data keys (XChaCha20-Poly1305; median of {} batches of {batch}, one thread)\n",
        a.repeat.max(3)
    );
    println!(
        "| case state | open the state (every uncached load) | seal the state (every write) | unwrap the participant's key (uncached load) | key ÷ (open + seal) |\n|---|---|---|---|---|"
    );
    for size in [5_000_usize, 20_000, 50_000] {
        // The cipher's cost does not depend on the content.
        let plaintext = vec![b'x'; size];
        let sealed = own.seal(b"state", &plaintext).map_err(|e| e.to_string())?;
        let open = per_op(&mut || {
            black_box(own.open(&sealed.key_id, b"state", &sealed.blob).map_err(|e| e.to_string())?);
            Ok(())
        })?;
        let seal = per_op(&mut || {
            black_box(own.seal(b"state", black_box(&plaintext)).map_err(|e| e.to_string())?);
            Ok(())
        })?;
        println!(
            "| {:.0} kB | {open:.2} µs | {seal:.2} µs | {unwrap:.2} µs | {:.3} |",
            size as f64 / 1000.0,
            unwrap / (open + seal)
        );
    }
    Ok(())
}

/// Say on standard error which load starts now (with the warm-up), so that a profiler can be
/// attached to one phase of a run (`perf record -p PID`); the report stays on standard output.
fn phase(name: &str) {
    eprintln!("perspectief-bench: {name} start (pid {})", std::process::id());
}

/// The writer's groups so far, as the store's own metrics count them.
#[derive(Debug, Clone, Copy, Default)]
struct WriterTotals {
    groups: f64,
    jobs: f64,
    seconds: f64,
}

impl WriterTotals {
    fn read(store: &Store) -> Self {
        let mut registry = prometheus_client::registry::Registry::default();
        store.register_metrics(&mut registry);
        let mut text = String::new();
        if prometheus_client::encoding::text::encode(&mut text, &registry).is_err() {
            return Self::default();
        }
        let value = |name: &str| {
            text.lines()
                .find_map(|l| l.strip_prefix(name).and_then(|v| v.strip_prefix(' ')))
                .and_then(|v| v.trim().parse::<f64>().ok())
                .unwrap_or(0.0)
        };
        Self {
            groups: value("perspectief_store_writer_batch_size_count"),
            jobs: value("perspectief_store_writer_batch_size_sum"),
            seconds: value("perspectief_store_writer_commit_seconds_sum"),
        }
    }

    /// What the writer did between `self` and `later`, as a sentence for the report: how many
    /// jobs a group held and how long a group took from its start to its commit. Throughput is
    /// bounded by their quotient, as the writer runs one group at a time.
    fn since(self, later: Self, what: &str) -> String {
        let groups = later.groups - self.groups;
        if groups < 1.0 {
            return format!("Writer during {what}: no group committed.");
        }
        let jobs = (later.jobs - self.jobs) / groups;
        let ms = (later.seconds - self.seconds) / groups * 1000.0;
        format!(
            "Writer during {what} (warm-up included): {groups:.0} groups, {jobs:.1} jobs a group, {ms:.2} ms a group from its start to its commit ({:.0} jobs/s while a group runs).",
            jobs / ms * 1000.0
        )
    }
}

/// The sealed case states of a database: how many, their mean and largest size in bytes (each
/// write of a case rewrites its whole state).
async fn state_sizes(url: &str) -> Result<(i64, i64, i64), String> {
    let db = Database::connect(url).await.map_err(|e| e.to_string())?;
    let backend = db.get_database_backend();
    let row = db
        .query_one_raw(Statement::from_string(
            backend,
            "SELECT COUNT(*) AS n, CAST(COALESCE(SUM(LENGTH(state)), 0) AS BIGINT) AS total, \
             CAST(COALESCE(MAX(LENGTH(state)), 0) AS BIGINT) AS largest FROM participants",
        ))
        .await
        .map_err(|e| e.to_string())?
        .ok_or("no answer")?;
    let n: i64 = row.try_get("", "n").map_err(|e| e.to_string())?;
    let total: i64 = row.try_get("", "total").map_err(|e| e.to_string())?;
    let largest: i64 = row.try_get("", "largest").map_err(|e| e.to_string())?;
    let _ = db.close().await;
    Ok((n, total / n.max(1), largest))
}

/// Raw single-row autocommit INSERTs on PostgreSQL, one connection per writer, in a table of
/// their own in the run's database.
async fn raw_postgres(a: &Args, plan: Plan, url: &str) -> Result<Outcome, String> {
    let db = Database::connect(url).await.map_err(|e| e.to_string())?;
    db.execute_raw(Statement::from_string(
        DbBackend::Postgres,
        "CREATE TABLE raw_bench (id BIGSERIAL PRIMARY KEY, payload TEXT NOT NULL)",
    ))
    .await
    .map_err(|e| e.to_string())?;
    let mut conns = Vec::new();
    for _ in 0..a.tasks {
        let mut opt = sea_orm::ConnectOptions::new(url.to_owned());
        opt.max_connections(1).sqlx_logging(false);
        conns.push(Database::connect(opt).await.map_err(|e| e.to_string())?);
    }
    let raw = raw_inserts(plan, conns, DbBackend::Postgres, "INSERT INTO raw_bench (payload) VALUES ($1)").await;
    let _ = db.execute_raw(Statement::from_string(DbBackend::Postgres, "DROP TABLE raw_bench")).await;
    Ok(raw)
}

/// Raw single-row autocommit INSERTs on a SQLite file, WAL, synchronous=FULL, one connection
/// per writer.
async fn raw_sqlite(a: &Args, plan: Plan, dir: &std::path::Path) -> Result<Outcome, String> {
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
    Ok(raw_inserts(plan, conns, DbBackend::Sqlite, "INSERT INTO t (payload) VALUES (?)").await)
}

/// The baseline's load: one single-row INSERT (autocommit) per request, each task on its own
/// connection.
async fn raw_inserts(
    plan: Plan,
    conns: Vec<sea_orm::DatabaseConnection>,
    backend: DbBackend,
    insert: &'static str,
) -> Outcome {
    let conns = Arc::new(conns);
    load::run(plan, move |task, n| {
        let c = conns[task].clone();
        async move {
            c.execute_raw(Statement::from_sql_and_values(backend, insert, [format!("row {task} {n}").into()]))
                .await
                .map(drop)
                .map_err(|e| e.to_string())
        }
    })
    .await
}
