//! Opening a store: resolving the URL, connecting with the right settings, checking them,
//! migrating, and checking the encryption key.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use perspectief_core::OrganisationId;
use sea_orm::sqlx::sqlite::{SqliteJournalMode, SqliteSynchronous};
use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr, Statement};
use sea_orm_migration::MigratorTrait;
use zeroize::Zeroizing;

use crate::clock::{Clock, SystemClock};
use crate::crypto::Keyring;
use crate::error::StoreError;
use crate::migrations::Migrator;
use crate::sql::{self, get};
use crate::writer::Writer;
use crate::{Inner, Store};

/// The environment variable that names the database.
pub const DATABASE_URL_VAR: &str = "PERSPECTIEF_DATABASE_URL";

/// How long SQLite waits for a lock held by another connection or process.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Where the embedded database lives when no URL is given: `perspectief.db` in the platform's
/// data directory (on Linux `~/.local/share/perspectief/`).
pub fn default_database_path() -> Result<PathBuf, StoreError> {
    directories::ProjectDirs::from("nl", "Perspectief", "perspectief")
        .map(|d| d.data_dir().join("perspectief.db"))
        .ok_or_else(|| StoreError::Io {
            what: "finding the data directory".to_owned(),
            reason: "no home directory".to_owned(),
        })
}

/// The database URL: the explicit one, else `PERSPECTIEF_DATABASE_URL`, else the embedded
/// default file.
pub fn resolve_database_url(explicit: Option<&str>) -> Result<String, StoreError> {
    if let Some(url) = explicit.filter(|u| !u.trim().is_empty()) {
        return Ok(url.trim().to_owned());
    }
    if let Ok(url) = std::env::var(DATABASE_URL_VAR)
        && !url.trim().is_empty()
    {
        return Ok(url.trim().to_owned());
    }
    let path = default_database_path()?;
    Ok(format!("sqlite://{}", path.display()))
}

/// What kind of database a URL names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    SqliteFile(PathBuf),
    SqliteMemory,
    Postgres(String),
}

pub(crate) fn target(url: &str) -> Result<Target, StoreError> {
    if url == "sqlite::memory:" || url == "sqlite://:memory:" {
        return Ok(Target::SqliteMemory);
    }
    if let Some(rest) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
        let path = rest.split('?').next().unwrap_or(rest);
        if path.is_empty() {
            return Err(StoreError::UnsupportedUrl(url.to_owned()));
        }
        return Ok(Target::SqliteFile(PathBuf::from(path)));
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(Target::Postgres(url.to_owned()));
    }
    Err(StoreError::UnsupportedUrl(url.to_owned()))
}

/// Options for opening a store.
#[derive(Clone)]
pub struct StoreOptions {
    /// The database URL (see [`resolve_database_url`]).
    pub url: String,
    /// The encryption keys.
    pub keys: Keyring,
    /// The foundation's organisation id: recorded in a new database, checked against an
    /// existing one. `None` takes the one recorded (or creates one for a new database).
    pub foundation: Option<OrganisationId>,
    /// The clock.
    pub clock: Arc<dyn Clock>,
    /// Connections for reads (SQLite files and PostgreSQL).
    pub read_connections: u32,
    /// The most jobs committed in one group.
    pub max_batch: usize,
    /// The managed backup directory ([`Store::managed_backup`]; processed by the retention
    /// run). `None` picks `<database file name>.backups/` next to a SQLite file database;
    /// in-memory and PostgreSQL databases have none unless one is given.
    pub backup_dir: Option<PathBuf>,
    /// How long SQLite waits for a lock held by another connection or process before the
    /// request is answered `unavailable` (try again).
    pub busy_timeout: Duration,
    /// Automatic signed checkpoints of the access log (every 1,000 records or hour by
    /// default); `None` makes them only on request (tests of the log's mechanics).
    pub checkpoints: Option<crate::CheckpointPolicy>,
    /// The smallest subsidy-report breakdown cell shown to readers outside the foundation
    /// (smaller ones are suppressed; default 5), who also get no drill-down to ids.
    pub min_cell: u32,
    /// How many decrypted case files are kept between loads (default 512; 0 keeps none): see
    /// the store's cache.rs. A cached load still asks the database whether the case changed.
    pub case_cache: usize,
}

impl std::fmt::Debug for StoreOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreOptions").field("url", &self.url).field("keys", &self.keys).finish_non_exhaustive()
    }
}

impl StoreOptions {
    /// Options with defaults for a URL and keys.
    pub fn new(url: impl Into<String>, keys: Keyring) -> Self {
        Self {
            url: url.into(),
            keys,
            foundation: None,
            clock: Arc::new(SystemClock),
            read_connections: 4,
            max_batch: 256,
            backup_dir: None,
            busy_timeout: BUSY_TIMEOUT,
            checkpoints: Some(crate::CheckpointPolicy::default()),
            min_cell: perspectief_core::report::DEFAULT_MIN_CELL,
            case_cache: crate::cache::DEFAULT_CAPACITY,
        }
    }
}

pub(crate) fn sqlite_options(url: &str, connections: u32, busy_timeout: Duration) -> ConnectOptions {
    let mut opt = ConnectOptions::new(url.to_owned());
    opt.max_connections(connections)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(30))
        .idle_timeout(None::<Duration>)
        .max_lifetime(None::<Duration>)
        .sqlx_logging(false)
        .map_sqlx_sqlite_opts(move |o| {
            o.create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(busy_timeout)
                .pragma("secure_delete", "ON")
        });
    opt
}

async fn pragma(db: &DatabaseConnection, name: &'static str) -> Result<String, StoreError> {
    let row = db
        .query_one_raw(Statement::from_string(DbBackend::Sqlite, format!("PRAGMA {name}")))
        .await?
        .ok_or_else(|| StoreError::Database(format!("PRAGMA {name} returned nothing")))?;
    row.try_get_by_index::<String>(0)
        .or_else(|_| row.try_get_by_index::<i64>(0).map(|v| v.to_string()))
        .map_err(StoreError::from)
}

/// The SQLite settings a store insists on, as (PRAGMA, expected value).
pub(crate) fn required_settings(memory: bool, busy_timeout: Duration) -> Vec<(&'static str, String)> {
    vec![
        ("journal_mode", if memory { "memory".to_owned() } else { "wal".to_owned() }),
        ("synchronous", "2".to_owned()),
        ("foreign_keys", "1".to_owned()),
        ("busy_timeout", busy_timeout.as_millis().to_string()),
        ("secure_delete", "1".to_owned()),
    ]
}

async fn check_settings(db: &DatabaseConnection, memory: bool, busy_timeout: Duration) -> Result<(), StoreError> {
    for (name, expected) in required_settings(memory, busy_timeout) {
        let actual = pragma(db, name).await?;
        if !actual.eq_ignore_ascii_case(&expected) {
            return Err(StoreError::Setting { name, expected, actual });
        }
    }
    Ok(())
}

/// Before SQLite opens a database file: its directory and the file itself are created
/// private (SQLite then makes its WAL and shared memory private too), and an existing database
/// that other accounts can read is refused.
fn prepare_sqlite_file(path: &Path) -> Result<(), StoreError> {
    if let Some(dir) = path.parent() {
        crate::files::private_dir(dir)?;
    }
    if !path.exists() {
        crate::files::create_private(path)?;
    }
    crate::files::check_private(path)
}

/// Open (and migrate) a store.
pub async fn open(options: StoreOptions) -> Result<Store, StoreError> {
    let backup_dir = options.backup_dir.clone().or_else(|| match target(&options.url) {
        Ok(Target::SqliteFile(path)) => {
            let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            Some(path.with_file_name(format!("{name}.backups")))
        }
        _ => None,
    });
    let (reader, writer_db, memory) = match target(&options.url)? {
        Target::SqliteMemory => {
            // One connection: an in-memory database exists only within its pool.
            let db = Database::connect(sqlite_options("sqlite::memory:", 1, options.busy_timeout)).await?;
            (db.clone(), db, true)
        }
        Target::SqliteFile(path) => {
            prepare_sqlite_file(&path)?;
            let url = format!("sqlite://{}", path.display());
            // The writer gets its own single connection; readers share a pool (WAL lets them
            // read while the writer commits).
            let writer = Database::connect(sqlite_options(&url, 1, options.busy_timeout)).await?;
            let reader =
                Database::connect(sqlite_options(&url, options.read_connections.max(1), options.busy_timeout)).await?;
            (reader, writer, false)
        }
        Target::Postgres(url) => {
            let mut opt = ConnectOptions::new(url);
            opt.max_connections(options.read_connections.max(2) + 1)
                .acquire_timeout(Duration::from_secs(30))
                .sqlx_logging(false);
            let db = Database::connect(opt).await?;
            (db.clone(), db, false)
        }
    };
    if writer_db.get_database_backend() == DbBackend::Sqlite {
        check_settings(&writer_db, memory, options.busy_timeout).await?;
        check_settings(&reader, memory, options.busy_timeout).await?;
    } else {
        check_postgres_durability(&writer_db).await?;
    }
    run_migrations(&writer_db).await?;
    check_key(&writer_db, &options.keys).await?;
    // Migration 20's columns, for the events stored before it (it ran without the keys).
    crate::late::backfill_effective_dates(&writer_db, &options.keys).await?;
    // What migration 23 could not fill without the keys.
    crate::repo::fill_judgment_communications(&writer_db, &options.keys)
        .await
        .map_err(|e| StoreError::Migration(format!("projecting the judgments' communications: {e}")))?;
    let audit_key = audit_key(&writer_db, &options.keys).await?;
    let checkpoint_key = checkpoint_key(&writer_db, &options.keys).await?;
    let foundation = foundation(&writer_db, options.foundation).await?;
    // A new database registers its own organisation (an existing one did so in migration 13).
    crate::organisations::register_foundation(&writer_db, foundation, options.clock.now())
        .await
        .map_err(|e| StoreError::Database(format!("registering the foundation's organisation: {e}")))?;
    let writer = Writer::start(writer_db, audit_key.clone(), options.max_batch, 4096, options.case_cache);
    let automatic = options.checkpoints.is_some();
    let store = Store {
        inner: Arc::new(Inner {
            reader,
            writer,
            audit_key,
            checkpoint_key,
            checkpoints: options.checkpoints.unwrap_or_default(),
            min_cell: options.min_cell,
            keys: options.keys,
            clock: options.clock,
            policy: perspectief_core::AccessPolicy { foundation },
            backup_dir,
            size: Default::default(),
            feed_reads: Default::default(),
        }),
    };
    if automatic {
        crate::checkpoints::start(&store);
    }
    Ok(store)
}

/// PostgreSQL acknowledges a commit before it is on disk when `synchronous_commit` is off;
/// refuse that, as SQLite refuses anything but `synchronous=FULL`.
async fn check_postgres_durability(db: &DatabaseConnection) -> Result<(), StoreError> {
    let row = db
        .query_one_raw(Statement::from_string(DbBackend::Postgres, "SHOW synchronous_commit"))
        .await?
        .ok_or_else(|| StoreError::Database("SHOW synchronous_commit returned nothing".to_owned()))?;
    let actual: String = row.try_get_by_index(0)?;
    if !matches!(actual.as_str(), "on" | "remote_write" | "remote_apply") {
        return Err(StoreError::Setting { name: "synchronous_commit", expected: "on".to_owned(), actual });
    }
    Ok(())
}

pub(crate) const AUDIT_KEY: &str = "audit_key";
pub(crate) const AUDIT_KEY_AAD: &[u8] = b"meta:audit_key";

/// The access log's HMAC key: random, made once per database, sealed like everything else.
pub(crate) async fn audit_key(db: &DatabaseConnection, keys: &Keyring) -> Result<crate::audit::AuditKey, StoreError> {
    let malformed = || StoreError::Database("malformed audit key".to_owned());
    if let Some(row) = sql::one(db, "SELECT value FROM meta WHERE key = $1", [AUDIT_KEY.into()]).await? {
        let value: String = get(&row, "value")?;
        let (key_id, blob) = value.split_once(':').ok_or_else(malformed)?;
        let plain = Zeroizing::new(keys.open(key_id, AUDIT_KEY_AAD, &hex::decode(blob).map_err(|_| malformed())?)?);
        let mut key = crate::audit::AuditKey([0; 32]);
        if plain.len() != key.0.len() {
            return Err(malformed());
        }
        key.0.copy_from_slice(&plain);
        return Ok(key);
    }
    let mut key = crate::audit::AuditKey([0; 32]);
    getrandom::fill(&mut key.0)
        .map_err(|e| StoreError::Io { what: "generating the audit key".to_owned(), reason: e.to_string() })?;
    let sealed = keys.seal(AUDIT_KEY_AAD, &key.0)?;
    let value = format!("{}:{}", sealed.key_id, hex::encode(sealed.blob));
    sql::exec(db, "INSERT INTO meta (key, value) VALUES ($1, $2)", [AUDIT_KEY.into(), value.into()]).await?;
    Ok(key)
}

pub(crate) const CHECKPOINT_KEY: &str = "checkpoint_signing_key";
pub(crate) const CHECKPOINT_KEY_AAD: &[u8] = b"meta:checkpoint_signing_key";

/// The Ed25519 key that signs checkpoints of the access log: a random seed made once per
/// database, sealed with the encryption key in `meta` beside the audit key.
pub(crate) async fn checkpoint_key(
    db: &DatabaseConnection,
    keys: &Keyring,
) -> Result<crate::privacy::CheckpointKey, StoreError> {
    let malformed = || StoreError::Database("malformed checkpoint signing key".to_owned());
    if let Some(row) = sql::one(db, "SELECT value FROM meta WHERE key = $1", [CHECKPOINT_KEY.into()]).await? {
        let value: String = get(&row, "value")?;
        let (key_id, blob) = value.split_once(':').ok_or_else(malformed)?;
        let plain =
            Zeroizing::new(keys.open(key_id, CHECKPOINT_KEY_AAD, &hex::decode(blob).map_err(|_| malformed())?)?);
        let mut seed = Zeroizing::new([0u8; 32]);
        if plain.len() != seed.len() {
            return Err(malformed());
        }
        seed.copy_from_slice(&plain);
        return Ok(crate::privacy::CheckpointKey(ed25519_dalek::SigningKey::from_bytes(&seed)));
    }
    let mut seed = Zeroizing::new([0u8; 32]);
    getrandom::fill(seed.as_mut())
        .map_err(|e| StoreError::Io { what: "generating the checkpoint key".to_owned(), reason: e.to_string() })?;
    let sealed = keys.seal(CHECKPOINT_KEY_AAD, seed.as_ref())?;
    let value = format!("{}:{}", sealed.key_id, hex::encode(sealed.blob));
    sql::exec(db, "INSERT INTO meta (key, value) VALUES ($1, $2)", [CHECKPOINT_KEY.into(), value.into()]).await?;
    Ok(crate::privacy::CheckpointKey(ed25519_dalek::SigningKey::from_bytes(&seed)))
}

pub(crate) const KEY_IDS: &str = "key_ids";
pub(crate) const KEY_CHECK: &str = "key_check";
pub(crate) const KEY_CHECK_AAD: &[u8] = b"meta:key_check";
const KEY_CHECK_TEXT: &[u8] = b"perspectief";

/// A database remembers a value sealed with its first key; opening it with keys that cannot
/// open that value fails here, before anything else is read or written.
async fn check_key(db: &DatabaseConnection, keys: &Keyring) -> Result<(), StoreError> {
    let row = sql::one(db, "SELECT value FROM meta WHERE key = $1", [KEY_CHECK.into()]).await?;
    match row {
        Some(row) => {
            let value: String = get(&row, "value")?;
            let (key_id, blob) =
                value.split_once(':').ok_or_else(|| StoreError::Database("malformed key check".to_owned()))?;
            let blob = hex::decode(blob).map_err(|_| StoreError::Database("malformed key check".to_owned()))?;
            let text = keys.open(key_id, KEY_CHECK_AAD, &blob)?;
            if text != KEY_CHECK_TEXT {
                return Err(StoreError::WrongKey { key_id: key_id.to_owned() });
            }
            check_key_ids(db, keys).await
        }
        None => {
            let sealed = keys.seal(KEY_CHECK_AAD, KEY_CHECK_TEXT)?;
            let value = format!("{}:{}", sealed.key_id, hex::encode(sealed.blob));
            sql::exec(db, "INSERT INTO meta (key, value) VALUES ($1, $2)", [KEY_CHECK.into(), value.into()]).await?;
            check_key_ids(db, keys).await
        }
    }
}

async fn foundation(db: &DatabaseConnection, given: Option<OrganisationId>) -> Result<OrganisationId, StoreError> {
    let row = sql::one(db, "SELECT value FROM meta WHERE key = 'foundation'", []).await?;
    match (row, given) {
        (Some(row), given) => {
            let value: String = get(&row, "value")?;
            let stored = OrganisationId::parse(&value).map_err(|e| StoreError::Database(e.to_string()))?;
            match given {
                Some(g) if g != stored => {
                    Err(StoreError::Database(format!("this database belongs to foundation {stored}, not {g}")))
                }
                _ => Ok(stored),
            }
        }
        (None, given) => {
            let id = given.unwrap_or_else(|| OrganisationId::from_uuid(uuid::Uuid::now_v7()));
            sql::exec(db, "INSERT INTO meta (key, value) VALUES ('foundation', $1)", [id.to_string().into()]).await?;
            Ok(id)
        }
    }
}

/// Copy a live SQLite database, consistently, to `path` (`VACUUM INTO`). For PostgreSQL use
/// `pg_dump` (see the README).
pub(crate) async fn backup_sqlite(db: &DatabaseConnection, path: &Path) -> Result<(), StoreError> {
    if db.get_database_backend() != DbBackend::Sqlite {
        return Err(StoreError::UnsupportedUrl(
            "backup copies SQLite databases; use pg_dump for PostgreSQL".to_owned(),
        ));
    }
    if path.exists() {
        return Err(StoreError::Io {
            what: format!("backing up to {}", path.display()),
            reason: "the file exists".to_owned(),
        });
    }
    // Into an empty file that is private from the start (SQLite accepts an empty target).
    crate::files::create_private(path)?;
    if let Err(e) = sql::exec(db, "VACUUM INTO $1", [path.display().to_string().into()]).await {
        let _ = std::fs::remove_file(path);
        return Err(e.into());
    }
    // Make the copy itself durable before reporting success.
    let io = |e: std::io::Error| StoreError::Io { what: format!("syncing {}", path.display()), reason: e.to_string() };
    std::fs::File::open(path).and_then(|f| f.sync_all()).map_err(io)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::File::open(dir).and_then(|f| f.sync_all()).map_err(io)?;
    }
    Ok(())
}

/// The database's size in bytes: SQLite's pages (the WAL aside), PostgreSQL's
/// `pg_database_size`. `None` when it cannot be read.
pub(crate) async fn database_bytes(db: &DatabaseConnection) -> Option<u64> {
    let sql = match db.get_database_backend() {
        DbBackend::Sqlite => {
            "SELECT CAST(page_count * page_size AS BIGINT) AS bytes FROM pragma_page_count(), pragma_page_size()"
        }
        _ => "SELECT CAST(pg_database_size(current_database()) AS BIGINT) AS bytes",
    };
    let row = sql::one(db, sql, []).await.ok()??;
    get::<i64>(&row, "bytes").ok().and_then(|b| u64::try_from(b).ok())
}

/// Apply pending migrations to the database at `url` without opening a store (no key needed);
/// returns the names of the migrations applied now. Opening a store applies them too.
pub async fn migrate(url: &str) -> Result<Vec<String>, StoreError> {
    let db = match target(url)? {
        Target::SqliteMemory => {
            return Err(StoreError::UnsupportedUrl("an in-memory database has nothing to migrate".to_owned()));
        }
        Target::SqliteFile(path) => {
            prepare_sqlite_file(&path)?;
            Database::connect(sqlite_options(&format!("sqlite://{}", path.display()), 1, BUSY_TIMEOUT)).await?
        }
        Target::Postgres(url) => Database::connect(url.as_str()).await?,
    };
    let applied = run_migrations(&db).await;
    let _ = db.close().await;
    applied
}

/// Apply the pending migrations in one transaction that first takes the database's lock for
/// them, so that two processes opening an old database at once (`serve` and a local command,
/// right after an upgrade) upgrade it once: the second waits, then finds nothing pending.
/// Each migration was atomic already; with its own transaction alone, the second process read
/// the same pending list and failed on the first table the first had made
/// ([`sql::upgrade_transaction`]). Returns the names of the migrations applied.
async fn run_migrations(db: &DatabaseConnection) -> Result<Vec<String>, StoreError> {
    let failed = |e: DbErr| StoreError::Migration(e.to_string());
    let txn = sql::upgrade_transaction(db).await.map_err(failed)?;
    let pending: Vec<String> =
        Migrator::get_pending_migrations(&txn).await.map_err(failed)?.iter().map(|m| m.name().to_owned()).collect();
    Migrator::up(&txn, None).await.map_err(failed)?;
    txn.commit().await.map_err(failed)?;
    Ok(pending)
}

/// Every key that ever sealed a value in this database is listed in `meta` (a store seals only
/// with its current key, which is listed when the store opens). Opening with a keyring that
/// lacks any of them is refused here, rather than failing later on one old record.
async fn check_key_ids(db: &DatabaseConnection, keys: &Keyring) -> Result<(), StoreError> {
    let row = sql::one(db, "SELECT value FROM meta WHERE key = $1", [KEY_IDS.into()]).await?;
    let mut ids: Vec<String> = match &row {
        Some(r) => get::<String>(r, "value")?.split(',').filter(|s| !s.is_empty()).map(str::to_owned).collect(),
        None => Vec::new(),
    };
    if let Some(missing) = ids.iter().find(|id| !keys.has(id)) {
        return Err(StoreError::UnknownKey { key_id: missing.clone() });
    }
    if !ids.iter().any(|id| id == keys.current_id()) {
        ids.push(keys.current_id().to_owned());
        let value = ids.join(",");
        if row.is_some() {
            sql::exec(db, "UPDATE meta SET value = $2 WHERE key = $1", [KEY_IDS.into(), value.into()]).await?;
        } else {
            sql::exec(db, "INSERT INTO meta (key, value) VALUES ($1, $2)", [KEY_IDS.into(), value.into()]).await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_setting_that_did_not_take_refuses_the_open() {
        // An in-memory database cannot run in WAL mode: checked as a file database it fails.
        let db = Database::connect(sqlite_options("sqlite::memory:", 1, BUSY_TIMEOUT)).await.unwrap();
        let err = check_settings(&db, false, BUSY_TIMEOUT).await.unwrap_err();
        assert!(matches!(err, StoreError::Setting { name: "journal_mode", .. }), "{err}");
        assert!(err.to_string().contains("refusing to open"));
        check_settings(&db, true, BUSY_TIMEOUT).await.unwrap();
    }

    #[test]
    fn urls_are_understood() {
        assert_eq!(target("sqlite::memory:").unwrap(), Target::SqliteMemory);
        assert_eq!(
            target("sqlite:///var/lib/p.db?mode=rwc").unwrap(),
            Target::SqliteFile(PathBuf::from("/var/lib/p.db"))
        );
        assert!(matches!(target("postgres://u@h/db").unwrap(), Target::Postgres(_)));
        assert_eq!(target("mysql://x").unwrap_err().code(), "unsupported_url");
        assert!(resolve_database_url(Some("sqlite::memory:")).unwrap() == "sqlite::memory:");
    }

    #[tokio::test]
    async fn migrations_run_on_their_own_once() {
        let dir = std::env::temp_dir().join(format!("perspectief-migrate-{}", uuid::Uuid::new_v4()));
        let url = format!("sqlite://{}", dir.join("m.db").display());
        std::fs::create_dir_all(&dir).unwrap();
        assert_eq!(
            migrate(&url).await.unwrap(),
            [
                "m0001_initial",
                "m0002_append_only_audit",
                "m0003_accounts",
                "m0004_audit_head_guard",
                "m0005_event_feed",
                "m0006_reporting",
                "m0007_break_glass",
                "m0008_report_firsts",
                "m0009_consent_overrides",
                "m0010_retention",
                "m0011_grants",
                "m0012_reviewed_exports",
                "m0013_organisations",
                "m0014_audit_checkpoints",
                "m0015_version_bound_seals",
                "m0016_account_confirmations",
                "m0017_erasure_on_request",
                "m0018_worklist_paging",
                "m0019_last_assessed",
                "m0020_late_entries",
                "m0021_history_import",
                "m0022_termination_advised",
                "m0023_worklist_reports_judgments",
                "m0027_worklist_per_worker"
            ]
        );
        assert!(migrate(&url).await.unwrap().is_empty());
        let _ = std::fs::remove_dir_all(dir);
    }

    /// Two processes opening an old database at once (`serve` and a local command, right
    /// after an upgrade) both open it, and it is upgraded once. A third connection holds the
    /// database for a second (SQLite: the write lock; PostgreSQL: the migrations table), so
    /// that both openers have come as far as they can before either may migrate.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_processes_opening_an_old_database_at_once_both_open_it_and_it_is_upgraded_once() {
        use sea_orm::TransactionTrait;
        let dir = std::env::temp_dir().join(format!("perspectief-migrate-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let postgres = crate::testing::TestDatabase::postgres_from_env().await;
        let mut urls = vec![format!("sqlite://{}", dir.join("m.db").display())];
        urls.extend(postgres.as_ref().map(|p| p.url.clone()));
        for url in urls {
            let keys = Keyring::from_hex_keys(&[Keyring::generate_hex_key().unwrap()]).unwrap();
            let options = || StoreOptions { checkpoints: None, ..StoreOptions::new(url.clone(), keys.clone()) };
            // The database as a version before migration 23 left it.
            let store = open(options()).await.unwrap();
            crate::testing::undo_migration_23(&store).await.unwrap();
            drop(store);
            let (holder, holding) = if url.starts_with("sqlite") {
                let holder = Database::connect(sqlite_options(&url, 1, BUSY_TIMEOUT)).await.unwrap();
                let holding = sql::write_transaction(&holder).await.unwrap();
                holding.execute_unprepared("INSERT INTO meta (key, value) VALUES ('holder', '1')").await.unwrap();
                (holder, holding)
            } else {
                let holder = Database::connect(url.as_str()).await.unwrap();
                let holding = holder.begin().await.unwrap();
                holding.execute_unprepared("LOCK TABLE perspectief_migrations IN ACCESS EXCLUSIVE MODE").await.unwrap();
                (holder, holding)
            };
            let openers = [tokio::spawn(open(options())), tokio::spawn(open(options()))];
            tokio::time::sleep(Duration::from_secs(1)).await;
            holding.commit().await.unwrap();
            for opener in openers {
                let store = opener.await.unwrap().unwrap_or_else(|e| panic!("{url}: {e}"));
                let applied = crate::testing::raw_query_text(
                    &store,
                    "SELECT CAST(COUNT(*) AS TEXT) FROM perspectief_migrations \
                     WHERE version = 'm0023_worklist_reports_judgments'",
                )
                .await
                .unwrap();
                assert_eq!(applied.as_deref(), Some("1"), "{url}");
            }
            let _ = holder.close().await;
        }
        drop(postgres);
        let _ = std::fs::remove_dir_all(dir);
    }
}
