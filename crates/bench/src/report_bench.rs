//! `report`: the subsidy report and the worklist at growing sizes (see the crate root).

use super::*;

pub(crate) fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

pub(crate) async fn timed<F, Fut, T>(repeat: usize, f: F) -> Result<Duration, String>
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = Result<T, String>>,
{
    f().await?; // warm-up: caches and connections
    let mut times = Vec::new();
    for _ in 0..repeat {
        let start = std::time::Instant::now();
        f().await?;
        times.push(start.elapsed());
    }
    Ok(median(times))
}

/// The key of the kept benchmark databases, made on first use.
pub(crate) fn bench_keys(dir: &std::path::Path) -> Result<Keyring, String> {
    let path = dir.join("bench.key");
    if !path.exists() {
        std::fs::write(&path, Keyring::generate_hex_key().map_err(|e| e.to_string())?).map_err(|e| e.to_string())?;
    }
    let hex = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
    Keyring::from_hex_keys(&[hex.trim()])
}

async fn postgres_url(size: u64) -> Result<String, String> {
    let base =
        std::env::var("PERSPECTIEF_BENCH_POSTGRES").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned());
    let name = format!("perspectief_bench_{size}");
    let admin = Database::connect(format!("{base}/postgres")).await.map_err(|e| e.to_string())?;
    let exists = admin
        .query_one_raw(Statement::from_sql_and_values(
            DbBackend::Postgres,
            "SELECT 1 FROM pg_database WHERE datname = $1",
            [name.clone().into()],
        ))
        .await
        .map_err(|e| e.to_string())?
        .is_some();
    if !exists {
        admin
            .execute_raw(Statement::from_string(DbBackend::Postgres, format!("CREATE DATABASE {name}")))
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(format!("{base}/{name}"))
}

/// Items of each list on one page of the foundation-wide worklist in the report benchmark.
const WORKLIST_PAGE: u32 = 50;

pub(crate) async fn report(a: &Args) -> Result<(), String> {
    use perspectief_core::report::ReportingService;
    use perspectief_core::service::WorklistQuery;
    use perspectief_core::{SubsidyPeriod, SubsidyPeriodId, Target, TargetMeasure};
    std::fs::create_dir_all(&a.dir).map_err(|e| e.to_string())?;
    let keys = bench_keys(&a.dir)?;
    let backends = backends(a, "both");
    println!(
        "Subsidy report and worklist by contact moments ({} timed runs each, median; loaded with {} writers)",
        a.repeat, a.tasks
    );
    println!(
        "| backend | contact moments | participants | activity-log scan (baseline) | subsidy report | ratio to scan | worklist (everybody's, unpaged) | worklist page 1 ({WORKLIST_PAGE} a list) | worklist page 10 | a worker's own list | report time growth / size growth |\n|---|---|---|---|---|---|---|---|---|---|---|"
    );
    for backend in backends {
        let mut first: Option<(u64, Duration)> = None;
        for &size in &a.sizes {
            let url = match backend {
                "sqlite" => format!("sqlite://{}?mode=rwc", a.dir.join(format!("report-{size}.db")).display()),
                "postgres" => postgres_url(size).await?,
                other => return Err(format!("unknown backend {other}")),
            };
            let marker = a.dir.join(format!("report-{backend}-{size}.loaded"));
            let base = a.sizes.iter().copied().filter(|s| *s <= a.load_limit).max();
            let replicated = size > a.load_limit;
            if replicated && !marker.exists() {
                let base = base.ok_or("--sizes needs a size within --load-limit to replicate")?;
                replicate(a, backend, base, size, &url).await?;
            }
            let (store, _) = seed::open(&url, keys.clone()).await?;
            let loaded: seed::Loaded = if marker.exists() {
                let text = std::fs::read_to_string(&marker).map_err(|e| e.to_string())?;
                let n: Vec<u64> = text.split_whitespace().filter_map(|v| v.parse().ok()).collect();
                seed::Loaded { participants: n[0], commands: n[1], skipped: n[2], contact_moments: n[3] }
            } else {
                let started = std::time::Instant::now();
                let l = seed::load_until(&store, 0, size, a.tasks).await?;
                eprintln!(
                    "{backend} {size}: loaded {} participants, {} commands ({} skipped), {} contact moments in {:.0} s",
                    l.participants,
                    l.commands,
                    l.skipped,
                    l.contact_moments,
                    started.elapsed().as_secs_f64()
                );
                if backend == "postgres" {
                    settle(&url).await?;
                }
                std::fs::write(
                    &marker,
                    format!("{} {} {} {}", l.participants, l.commands, l.skipped, l.contact_moments),
                )
                .map_err(|e| e.to_string())?;
                l
            };
            let lead = seed::lead(store.policy().foundation);
            let config = seed::config();
            let period = match store.subsidy_periods(&lead).await.map_err(|e| e.to_string())?.first() {
                Some(p) => p.id(),
                None => {
                    let targets = vec![Target {
                        measure: TargetMeasure::Activity(perspectief_core::ActivityCode::OrientationTalks),
                        persons: 200,
                    }];
                    let period = SubsidyPeriod::new(
                        SubsidyPeriodId::from_u128(0xBE4C),
                        "Benchmark",
                        config.start,
                        config.end(),
                        targets,
                    )
                    .map_err(|e| e.to_string())?;
                    let id = period.id();
                    store.define_subsidy_period(&lead, period).await.map_err(|e| e.to_string())?;
                    id
                }
            };
            let raw = Database::connect(&url).await.map_err(|e| e.to_string())?;
            let db_backend = if backend == "postgres" { DbBackend::Postgres } else { DbBackend::Sqlite };
            let scan = timed(a.repeat, || async {
                raw.query_one_raw(Statement::from_string(
                    db_backend,
                    "SELECT COUNT(*), COUNT(DISTINCT participant_id) FROM activity_log",
                ))
                .await
                .map(drop)
                .map_err(|e| e.to_string())
            })
            .await?;
            let as_of = config.end();
            let report = timed(a.repeat, || async {
                store.subsidy_report(&lead, period, as_of).await.map(drop).map_err(|e| e.to_string())
            })
            .await?;
            // The worklist reads only plain projection columns, replicated like the rest.
            let worklist = {
                let t = timed(a.repeat, || async {
                    store.worklist(&lead, WorklistQuery::for_day(as_of)).await.map(drop).map_err(|e| e.to_string())
                })
                .await?;
                format!("{:.1} ms", t.as_secs_f64() * 1e3)
            };
            // The foundation-wide worklist in pages: the first, and the tenth (the nine before
            // it walked untimed for its token).
            let paged = |token: Option<String>| {
                let mut q = WorklistQuery::for_day(as_of);
                q.page_size = WORKLIST_PAGE;
                q.page_token = token;
                q
            };
            let page1 = timed(a.repeat, || async {
                store.worklist(&lead, paged(None)).await.map(drop).map_err(|e| e.to_string())
            })
            .await?;
            let mut token = None;
            for _ in 0..9 {
                token = store.worklist(&lead, paged(token)).await.map_err(|e| e.to_string())?.next_page_token;
            }
            let page10 = timed(a.repeat, || async {
                store.worklist(&lead, paged(token.clone())).await.map(drop).map_err(|e| e.to_string())
            })
            .await?;
            // A project worker's own list, unpaged: the copies of a replicated set have project
            // workers of their own, so a worker's caseload is the same at every size.
            let worker = seed::worker(&store, config.workers[0]);
            let own = timed(a.repeat, || async {
                let mut q = WorklistQuery::for_day(as_of);
                q.project_worker = Some(config.workers[0]);
                store.worklist(&worker, q).await.map(drop).map_err(|e| e.to_string())
            })
            .await?;
            let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1e3);
            let growth = match first {
                None => {
                    first = Some((loaded.contact_moments, report));
                    "1.00 (smallest)".to_owned()
                }
                Some((n0, t0)) => {
                    let size_ratio = loaded.contact_moments as f64 / n0 as f64;
                    format!("{:.2}", (report.as_secs_f64() / t0.as_secs_f64()) / size_ratio)
                }
            };
            println!(
                "| {backend} | {}{} | {} | {:.1} ms | {:.1} ms | {:.2} | {worklist} | {} | {} | {} | {growth} |",
                loaded.contact_moments,
                if replicated { " (replicated)" } else { "" },
                loaded.participants,
                scan.as_secs_f64() * 1e3,
                report.as_secs_f64() * 1e3,
                report.as_secs_f64() / scan.as_secs_f64(),
                ms(page1),
                ms(page10),
                ms(own),
            );
            let _ = raw.close().await;
            drop(store);
        }
    }
    Ok(())
}

/// After a bulk load on PostgreSQL, what an operator does after a large import or migration:
/// `VACUUM ANALYZE`. Every command rewrites its participant's row, so a load leaves about ten
/// dead versions of each, and tables whose statistics still say "empty": the planner then
/// combines the worklist's partial indexes with `participants_worker` over the dead versions
/// (about 360 ms of SQL for one worker's lists at 1 043 participants, 12–30 ms after it; see
/// BENCHMARKS.md). Autovacuum would do it some time later (and is off on some servers); the
/// benchmark measures the settled database a running server has.
async fn settle(url: &str) -> Result<(), String> {
    let db = Database::connect(url).await.map_err(|e| e.to_string())?;
    // A plain query: VACUUM runs outside any transaction.
    db.execute_unprepared("VACUUM ANALYZE").await.map_err(|e| e.to_string())?;
    let _ = db.close().await;
    Ok(())
}

/// The column names of a table, in order.
async fn columns(db: &sea_orm::DatabaseConnection, backend: DbBackend, table: &str) -> Result<Vec<String>, String> {
    let sql = match backend {
        DbBackend::Postgres => format!(
            "SELECT column_name AS name FROM information_schema.columns WHERE table_name = '{table}' ORDER BY ordinal_position"
        ),
        _ => format!("SELECT name FROM pragma_table_info('{table}') ORDER BY cid"),
    };
    let rows = db.query_all_raw(Statement::from_string(backend, sql)).await.map_err(|e| e.to_string())?;
    rows.iter().map(|r| r.try_get::<String>("", "name").map_err(|e| e.to_string())).collect()
}

/// Make the data set of `size` contact moments from the loaded one of `base`: a copy of its
/// database with the tables the report and the worklist read replicated under new ids.
async fn replicate(a: &Args, backend: &str, base: u64, size: u64, url: &str) -> Result<(), String> {
    let base_marker = a.dir.join(format!("report-{backend}-{base}.loaded"));
    let text = std::fs::read_to_string(&base_marker).map_err(|_| format!("load {base} first"))?;
    let n: Vec<u64> = text.split_whitespace().filter_map(|v| v.parse().ok()).collect();
    let (participants, contacts) = (n[0], n[3].max(1));
    let copies = size.div_ceil(contacts);
    let db_backend = if backend == "postgres" { DbBackend::Postgres } else { DbBackend::Sqlite };
    match backend {
        "sqlite" => {
            let from = a.dir.join(format!("report-{base}.db"));
            let raw = Database::connect(format!("sqlite://{}", from.display())).await.map_err(|e| e.to_string())?;
            raw.execute_raw(Statement::from_string(DbBackend::Sqlite, "PRAGMA wal_checkpoint(TRUNCATE)"))
                .await
                .map_err(|e| e.to_string())?;
            let _ = raw.close().await;
            std::fs::copy(&from, a.dir.join(format!("report-{size}.db"))).map_err(|e| e.to_string())?;
        }
        _ => {
            let base_url = std::env::var("PERSPECTIEF_BENCH_POSTGRES")
                .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".to_owned());
            let admin = Database::connect(format!("{base_url}/postgres")).await.map_err(|e| e.to_string())?;
            for sql in [
                format!("DROP DATABASE IF EXISTS perspectief_bench_{size}"),
                format!("CREATE DATABASE perspectief_bench_{size} TEMPLATE perspectief_bench_{base}"),
            ] {
                admin.execute_raw(Statement::from_string(DbBackend::Postgres, sql)).await.map_err(|e| e.to_string())?;
            }
        }
    }
    let db = Database::connect(url).await.map_err(|e| e.to_string())?;
    // Every id column of the tables the report and the worklist read. Synthetic ids all start
    // with 51; a copy gets its own first byte instead, so ids stay UUIDs (hence at most 255
    // copies).
    if copies > 255 {
        return Err(format!("{size} needs {copies} copies of {base}: load a larger base (--load-limit)"));
    }
    // A copy's participants get project workers of their own (the copy's prefix on the
    // original worker's id), so that one worker's caseload stays the same at every size.
    let tables: [(&str, &[&str]); 8] = [
        ("participants", &["id", "project_worker"]),
        ("activity_log", &["participant_id"]),
        ("report_firsts", &["participant_id"]),
        ("goals", &["id", "participant_id"]),
        ("agreements", &["id", "participant_id"]),
        ("referrals", &["id", "participant_id"]),
        ("report_periods", &["participant_id"]),
        ("judgment_communications", &["participant_id"]),
    ];
    for (table, id_columns) in tables {
        let cols = columns(&db, db_backend, table).await?;
        let select: Vec<String> = cols
            .iter()
            .map(|c| if id_columns.contains(&c.as_str()) { format!("$1 || SUBSTR({c}, 3)") } else { c.clone() })
            .collect();
        for copy in 1..copies {
            let prefix = format!("{:02x}", (0x51 + copy) % 256);
            let sql = format!(
                "INSERT INTO {table} ({}) SELECT {} FROM {table} WHERE SUBSTR({}, 1, 2) = '51'",
                cols.join(", "),
                select.join(", "),
                id_columns[0]
            );
            db.execute_raw(Statement::from_sql_and_values(db_backend, sql, [prefix.into()]))
                .await
                .map_err(|e| e.to_string())?;
        }
    }
    let _ = db.close().await;
    if db_backend == DbBackend::Postgres {
        settle(url).await?;
    }
    std::fs::write(
        a.dir.join(format!("report-{backend}-{size}.loaded")),
        format!("{} {} {} {}", participants * copies, n[1] * copies, n[2] * copies, contacts * copies),
    )
    .map_err(|e| e.to_string())?;
    Ok(())
}
