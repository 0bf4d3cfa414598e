//! # perspectief-store
//!
//! Persistence for Perspectief with sea-orm: SQLite as the embedded default, PostgreSQL at
//! scale, from one codebase. The only crate that knows SQL. [`Store`] implements the core's
//! [`PerspectiefService`](perspectief_core::service::PerspectiefService): every call is
//! authorised with the core's access policy, every write is one transaction holding the state
//! change, its events and its audit record, and every read's audit record is on disk before the
//! answer is returned (group commit keeps that fast).
//!
//! ```no_run
//! # async fn demo() -> Result<(), perspectief_store::StoreError> {
//! use perspectief_store::{Keyring, Store, StoreOptions};
//! let keys = Keyring::from_hex_keys(&[Keyring::generate_hex_key()?]).expect("a fresh key is valid");
//! let store = Store::open(StoreOptions::new("sqlite::memory:", keys)).await?;
//! # let _ = store; Ok(()) }
//! ```

use std::path::Path;
use std::sync::Arc;

use perspectief_core::AccessPolicy;
use perspectief_core::service::ChainVerification;
use sea_orm::DatabaseConnection;

mod accounts;
mod audit;
mod cache;
mod checkpoints;
mod clock;
mod crypto;
mod deferred;
mod directory;
mod erasure;
mod error;
mod files;
mod firsts;
mod import;
mod keys;
mod late;
mod migrations;
mod open;
mod organisations;
mod privacy;
mod repo;
mod report;
mod retention;
mod service;
mod sql;
#[cfg(any(test, feature = "testing"))]
pub mod testing;
mod writer;

pub use accounts::MAX_TOKEN_DAYS;
pub use checkpoints::CheckpointPolicy;
pub use clock::{Clock, ManualClock, SystemClock};
pub use crypto::{Keyring, Sealed};
pub use error::StoreError;
pub use import::{
    ExportedParticipant, HistoryExport, HistoryImport, ImportError, ImportSummary, ImportedCase, ImportedChainStep,
    ImportedMeeting, ImportedParticipant, ImportedSession, RowKey,
};
pub use keys::{DEFAULT_ROTATION_BATCH, KeyStatus, KeyUse, Rotation, RotationProgress};
pub use migrations::Migrator;
pub use open::{DATABASE_URL_VAR, StoreOptions, default_database_path, migrate, resolve_database_url};

/// A Perspectief database. Cheap to clone (shared).
#[derive(Clone)]
pub struct Store {
    inner: Arc<Inner>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("foundation", &self.inner.policy.foundation).finish_non_exhaustive()
    }
}

struct Inner {
    reader: DatabaseConnection,
    writer: writer::Writer,
    audit_key: audit::AuditKey,
    checkpoint_key: privacy::CheckpointKey,
    /// When checkpoints are made and where else they are kept.
    checkpoints: CheckpointPolicy,
    /// The smallest breakdown cell shown outside the foundation.
    min_cell: u32,
    keys: Keyring,
    clock: Arc<dyn Clock>,
    policy: AccessPolicy,
    /// Where managed backups go (and the retention run finds them).
    backup_dir: Option<std::path::PathBuf>,
    /// The database's size, as last measured.
    size: prometheus_client::metrics::gauge::Gauge,
    /// Reads of the event feed (by open streams and ListFeedEvents).
    feed_reads: prometheus_client::metrics::counter::Counter,
}

impl Store {
    /// Open a store: connect, check the SQLite settings, apply pending migrations, check the key.
    pub async fn open(options: StoreOptions) -> Result<Self, StoreError> {
        open::open(options).await
    }

    /// The access policy in force (it names the foundation whose staff roles count).
    pub fn policy(&self) -> AccessPolicy {
        self.inner.policy
    }

    /// A signal that changes after every committed write: what open event streams wait on
    /// instead of polling (one process; another process writing the same database is not seen).
    pub fn feed_signal(&self) -> tokio::sync::watch::Receiver<u64> {
        self.inner.writer.written.clone()
    }

    /// Register the store's metrics (prefix `perspectief_store_`): the writer's queue depth,
    /// batch sizes, commit latency and failed batches, and the database's size (kept current
    /// by [`Store::refresh_metrics`]).
    pub fn register_metrics(&self, registry: &mut prometheus_client::registry::Registry) {
        let r = registry.sub_registry_with_prefix("perspectief_store");
        let m = &self.inner.writer.metrics;
        r.register("writer_queue_depth", "Jobs waiting for the writer", m.queue_depth.clone());
        r.register("writer_batch_size", "Jobs per committed batch", m.batch_size.clone());
        r.register("writer_commit_seconds", "Time from a batch's start to its commit", m.commit_seconds.clone());
        r.register("writer_failed_batches", "Batches rolled back or not committed", m.failed_batches.clone());
        r.register("database_bytes", "The database's size on disk", self.inner.size.clone());
        r.register("feed_reads", "Reads of the event feed", self.inner.feed_reads.clone());
    }

    /// How often the event feed was read since the store was opened (an idle open stream
    /// must not read it).
    pub fn feed_reads(&self) -> u64 {
        self.inner.feed_reads.get()
    }

    /// Read the values that are measured rather than counted (the database's size).
    pub async fn refresh_metrics(&self) {
        if let Some(bytes) = open::database_bytes(&self.inner.reader).await {
            self.inner.size.set(i64::try_from(bytes).unwrap_or(i64::MAX));
        }
    }

    /// Walk the access log's hash chain directly (for operators; the service method
    /// `verify_audit_log` does the same for an authorised caller, and logs it).
    pub async fn verify_chain(&self) -> Result<ChainVerification, StoreError> {
        audit::verify_with(&self.inner.reader, &self.inner.audit_key, &self.guard()).await.map_err(StoreError::from)
    }

    /// Copy a live SQLite database, consistently, to a new file (`VACUUM INTO`). The copy is
    /// encrypted like the original and needs the same key file.
    pub async fn backup_to(&self, path: &Path) -> Result<(), StoreError> {
        // On a read connection: the copy reads one snapshot and writes go on meanwhile.
        open::backup_sqlite(&self.inner.reader, path).await
    }

    /// The value of a SQLite setting, as the database reports it (for checks and tests).
    pub async fn sqlite_setting(&self, name: &str) -> Result<String, StoreError> {
        use sea_orm::ConnectionTrait;
        let allowed = ["journal_mode", "synchronous", "foreign_keys", "busy_timeout", "secure_delete"];
        if !allowed.contains(&name) {
            return Err(StoreError::Database(format!("unknown setting {name}")));
        }
        let row = self
            .inner
            .reader
            .query_one_raw(sea_orm::Statement::from_string(sea_orm::DbBackend::Sqlite, format!("PRAGMA {name}")))
            .await?
            .ok_or_else(|| StoreError::Database("no value".to_owned()))?;
        row.try_get_by_index::<String>(0)
            .or_else(|_| row.try_get_by_index::<i64>(0).map(|v| v.to_string()))
            .map_err(StoreError::from)
    }
}
