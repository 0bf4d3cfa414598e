//! Test support: a throw-away PostgreSQL database per test run.
//!
//! `PERSPECTIEF_TEST_DATABASE_URL` names a PostgreSQL server (any database on it, e.g.
//! `postgres://postgres@127.0.0.1:5432/postgres`). Each [`TestDatabase`] creates its own
//! database with a unique name and drops it again. When the variable is set but the server
//! cannot be reached, creating one fails loudly: a configured PostgreSQL run is never skipped.

use sea_orm::{ConnectionTrait, Database};

/// The environment variable naming the PostgreSQL server for tests.
pub const TEST_DATABASE_URL_VAR: &str = "PERSPECTIEF_TEST_DATABASE_URL";

/// A database created for one test run; dropped when this value is dropped.
#[derive(Debug)]
pub struct TestDatabase {
    /// The URL of the new database.
    pub url: String,
    admin_url: String,
    name: String,
}

fn with_database(url: &str, name: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("postgres", url));
    let (authority, tail) = rest.split_once('/').unwrap_or((rest, ""));
    let query = tail.split_once('?').map(|(_, q)| format!("?{q}")).unwrap_or_default();
    format!("{scheme}://{authority}/{name}{query}")
}

impl TestDatabase {
    /// A new PostgreSQL database when `PERSPECTIEF_TEST_DATABASE_URL` is set; `None` when it
    /// is not. Panics when it is set and the server refuses.
    pub async fn postgres_from_env() -> Option<Self> {
        let admin_url = std::env::var(TEST_DATABASE_URL_VAR).ok().filter(|u| !u.trim().is_empty())?;
        let name = format!("perspectief_test_{}", uuid::Uuid::new_v4().simple());
        let admin = Database::connect(admin_url.as_str())
            .await
            .unwrap_or_else(|e| panic!("{TEST_DATABASE_URL_VAR} is set but PostgreSQL cannot be reached: {e}"));
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap_or_else(|e| panic!("cannot create test database {name}: {e}"));
        let _ = admin.close().await;
        Some(Self { url: with_database(&admin_url, &name), admin_url, name })
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        // Drop runs outside async; use a small runtime of its own on another thread.
        let _ = std::thread::spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
            rt.block_on(async move {
                if let Ok(admin) = Database::connect(admin_url.as_str()).await {
                    let _ = admin.execute_unprepared(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")).await;
                    let _ = admin.close().await;
                }
            });
        })
        .join();
    }
}

/// Run raw SQL against a store's database, bypassing every rule: for tests that play an
/// attacker with direct database access (tampering with the access log) or that inspect what
/// is stored.
pub async fn raw_execute(store: &crate::Store, sql: &str) -> Result<u64, crate::StoreError> {
    Ok(store.inner.reader.execute_unprepared(sql).await?.rows_affected())
}

/// Read one text column of the first row of a raw query (for tests that inspect storage).
pub async fn raw_query_text(store: &crate::Store, sql: &str) -> Result<Option<String>, crate::StoreError> {
    let backend = store.inner.reader.get_database_backend();
    let row = store.inner.reader.query_one_raw(sea_orm::Statement::from_string(backend, sql.to_owned())).await?;
    Ok(row.map(|r| r.try_get_by_index::<String>(0)).transpose()?)
}

/// Whether the store's database is PostgreSQL.
pub fn is_postgres(store: &crate::Store) -> bool {
    store.inner.reader.get_database_backend() == sea_orm::DbBackend::Postgres
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_database_name_is_replaced_and_parameters_kept() {
        assert_eq!(
            super::with_database("postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable", "t1"),
            "postgres://postgres@127.0.0.1:5432/t1?sslmode=disable"
        );
        assert_eq!(super::with_database("postgres://u@h/", "t2"), "postgres://u@h/t2");
    }
}
