//! Small helpers for portable SQL: statements with `$N` placeholders (accepted by both SQLite
//! and PostgreSQL), instants as microseconds since the epoch (BIGINT), and calendar dates as
//! `YYYY-MM-DD` text (which sorts and compares correctly on both).

use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::{
    ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, QueryResult, Statement, Value,
};

/// Whether the statement failed on a unique constraint (a second record with the same key):
/// the one test, on both backends, for every "already exists".
pub(crate) fn is_unique_violation(e: &DbErr) -> bool {
    matches!(e.sql_err(), Some(sea_orm::SqlErr::UniqueConstraintViolation(_)))
}

/// A transaction that reads and then writes. On SQLite it takes the write lock when it begins
/// (`BEGIN IMMEDIATE`), waiting up to the busy timeout for it: a deferred one reads a snapshot
/// first and then fails at once (`SQLITE_BUSY_SNAPSHOT`, no waiting) if another connection,
/// another process on the same file, committed in between. PostgreSQL ignores the mode.
pub(crate) async fn write_transaction(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    use sea_orm::{SqliteTransactionMode, TransactionOptions, TransactionTrait};
    let options =
        TransactionOptions { sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate), ..Default::default() };
    db.begin_with_options(options).await
}

/// The key of PostgreSQL's advisory lock taken by [`upgrade_transaction`] ("perspect" in ASCII).
const UPGRADE_LOCK: i64 = 0x7065_7273_7065_6374;

/// A transaction for what opening a store does once to its database (the migrations, and
/// filling what they could not without the keys): SQLite's write lock as in
/// [`write_transaction`], and on PostgreSQL a transaction-scoped advisory lock as well, so
/// that two processes opening the database at once (`serve` and a local command, right after
/// an upgrade) take turns and the second finds the work done.
pub(crate) async fn upgrade_transaction(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    let txn = write_transaction(db).await?;
    if db.get_database_backend() == DbBackend::Postgres {
        txn.execute_unprepared(&format!("SELECT pg_advisory_xact_lock({UPGRADE_LOCK})")).await?;
    }
    Ok(txn)
}

/// A read-only transaction over one snapshot: what it reads agrees with itself. A SQLite read
/// transaction in WAL mode reads one snapshot by nature; PostgreSQL needs REPEATABLE READ.
pub(crate) async fn read_snapshot(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    use sea_orm::{AccessMode, IsolationLevel, TransactionOptions, TransactionTrait};
    let options = match db.get_database_backend() {
        DbBackend::Sqlite => TransactionOptions::default(),
        _ => TransactionOptions {
            isolation_level: Some(IsolationLevel::RepeatableRead),
            access_mode: Some(AccessMode::ReadOnly),
            ..Default::default()
        },
    };
    db.begin_with_options(options).await
}

/// A statement for this connection's backend.
pub(crate) fn stmt(backend: DbBackend, sql: &str, values: impl IntoIterator<Item = Value>) -> Statement {
    Statement::from_sql_and_values(backend, sql, values)
}

/// Execute a statement; returns the number of rows affected.
pub(crate) async fn exec<C: ConnectionTrait>(
    c: &C,
    sql: &str,
    values: impl IntoIterator<Item = Value>,
) -> Result<u64, DbErr> {
    Ok(c.execute_raw(stmt(c.get_database_backend(), sql, values)).await?.rows_affected())
}

/// Query one row.
pub(crate) async fn one<C: ConnectionTrait>(
    c: &C,
    sql: &str,
    values: impl IntoIterator<Item = Value>,
) -> Result<Option<QueryResult>, DbErr> {
    c.query_one_raw(stmt(c.get_database_backend(), sql, values)).await
}

/// The row of `entity` `id` (bound as `$1` of `sql`), or not found.
pub(crate) async fn found<C: ConnectionTrait>(
    c: &C,
    sql: &str,
    entity: perspectief_core::EntityKind,
    id: String,
) -> Result<QueryResult, perspectief_core::DomainError> {
    one(c, sql, [id.clone().into()])
        .await
        .map_err(crate::error::db)?
        .ok_or(perspectief_core::DomainError::NotFound { entity, id })
}

/// Query all rows.
pub(crate) async fn all<C: ConnectionTrait>(
    c: &C,
    sql: &str,
    values: impl IntoIterator<Item = Value>,
) -> Result<Vec<QueryResult>, DbErr> {
    c.query_all_raw(stmt(c.get_database_backend(), sql, values)).await
}

/// An instant as microseconds since the epoch.
pub(crate) fn micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

/// An instant from microseconds since the epoch.
pub(crate) fn from_micros(v: i64) -> Result<DateTime<Utc>, DbErr> {
    DateTime::from_timestamp_micros(v).ok_or_else(|| DbErr::Type(format!("timestamp out of range: {v}")))
}

/// Truncate an instant to microseconds, the precision both databases keep.
pub(crate) fn truncate(t: DateTime<Utc>) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(t.timestamp_micros()).unwrap_or(t)
}

/// A calendar date as `YYYY-MM-DD`.
pub(crate) fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// A calendar date from `YYYY-MM-DD`.
pub(crate) fn parse_date(s: &str) -> Result<NaiveDate, DbErr> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| DbErr::Type(format!("not a date: {s}")))
}

/// Get a column.
pub(crate) fn get<T: sea_orm::TryGetable>(row: &QueryResult, col: &str) -> Result<T, DbErr> {
    row.try_get("", col)
}
