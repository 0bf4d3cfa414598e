//! Errors of opening and running the store. Runtime errors reach callers as
//! [`DomainError`]s; these are for opening, keys, migrations and backups, where the operator
//! has to act.

use perspectief_core::DomainError;
use sea_orm::DbErr;

/// What can go wrong opening or maintaining a store. Each variant has a stable code.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// No encryption key was given.
    #[error("no encryption key: set PERSPECTIEF_KEY or pass a key file (perspectief init creates one)")]
    NoKey,
    /// The key file cannot be read or is malformed.
    #[error("the key file {path} cannot be used: {reason}")]
    KeyFile {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// The database was encrypted with a key that is not in the keyring.
    #[error(
        "the database was written with key {key_id}, which is not among the keys given; use the key file that belongs to this database"
    )]
    UnknownKey {
        /// The key id stored in the database.
        key_id: String,
    },
    /// A key with the right id does not decrypt the database: the key file is corrupt or the
    /// database was tampered with.
    #[error("the key {key_id} does not decrypt this database: the key file or the database is damaged")]
    WrongKey {
        /// The key id.
        key_id: String,
    },
    /// The database URL is not one this store supports.
    #[error("unsupported database URL '{0}': use sqlite://PATH, sqlite::memory: or postgres://…")]
    UnsupportedUrl(String),
    /// A SQLite setting did not take effect.
    #[error("SQLite setting {name} is {actual}, expected {expected}; refusing to open")]
    Setting {
        /// The PRAGMA.
        name: &'static str,
        /// What was asked.
        expected: String,
        /// What the database reports.
        actual: String,
    },
    /// The database cannot be reached or refused the operation.
    #[error("database error: {0}")]
    Database(String),
    /// A migration failed.
    #[error("migration failed: {0}")]
    Migration(String),
    /// Database files that other local accounts can read or write.
    #[error(
        "other accounts on this machine can read or change {files}; make them private first: chmod 600 {files} (and chmod 700 on their directory)"
    )]
    NotPrivate {
        /// The files, separated by spaces.
        files: String,
    },
    /// The access log does not verify, so no checkpoint is signed over it.
    #[error("the access log does not verify at record {seq}: {reason}; no checkpoint was signed")]
    AuditBroken {
        /// The first sequence number that does not verify.
        seq: u64,
        /// What is wrong there.
        reason: String,
    },
    /// A file operation failed.
    #[error("{what}: {reason}")]
    Io {
        /// What was being done.
        what: String,
        /// Why it failed.
        reason: String,
    },
}

impl StoreError {
    /// Stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            Self::NoKey => "no_key",
            Self::KeyFile { .. } => "key_file",
            Self::UnknownKey { .. } => "unknown_key",
            Self::WrongKey { .. } => "wrong_key",
            Self::UnsupportedUrl(_) => "unsupported_url",
            Self::Setting { .. } => "setting_not_applied",
            Self::Database(_) => "database",
            Self::Migration(_) => "migration",
            Self::NotPrivate { .. } => "not_private",
            Self::AuditBroken { .. } => "audit_broken",
            Self::Io { .. } => "io",
        }
    }
}

impl From<DbErr> for StoreError {
    fn from(e: DbErr) -> Self {
        Self::Database(e.to_string())
    }
}

/// Turn an unexpected database error into an opaque internal error for callers, logging the
/// detail (which may hold SQL, never personal data: values are bound, not formatted in) under
/// a reference.
pub(crate) fn internal(e: impl std::fmt::Display) -> DomainError {
    let reference = uuid::Uuid::new_v4().simple().to_string()[..12].to_owned();
    tracing::error!(reference = %reference, error = %e, "internal store error");
    DomainError::Internal { reference }
}

/// Whether the database refused for a lock held too long by someone else (SQLite's busy
/// timeout passed, PostgreSQL's lock timeout): worth trying again shortly.
fn is_busy(e: &DbErr) -> bool {
    use sea_orm::RuntimeErr;
    let (DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e))) = e else {
        return false;
    };
    let Some(code) = e.as_database_error().and_then(|d| d.code()) else { return false };
    // SQLite: SQLITE_BUSY (5) and its extended codes, SQLITE_LOCKED (6); PostgreSQL:
    // lock_not_available.
    let code = code.as_ref();
    code == "55P03" || code.parse::<u32>().is_ok_and(|c| matches!(c & 0xff, 5 | 6))
}

/// A database error in a request: connection trouble and a busy database are `unavailable`
/// (try again), anything else is `internal`.
pub(crate) fn db(e: DbErr) -> DomainError {
    match &e {
        DbErr::ConnectionAcquire(_) | DbErr::Conn(_) => {
            tracing::warn!(error = %e, "database unavailable");
            DomainError::Unavailable { reason: "the database cannot be reached".to_owned() }
        }
        _ if is_busy(&e) => {
            tracing::warn!(error = %e, "database busy: another connection held the write lock past the busy timeout, or wrote under a read that meant to write");
            DomainError::Unavailable { reason: "the database is busy with another connection's write".to_owned() }
        }
        _ => internal(e),
    }
}
