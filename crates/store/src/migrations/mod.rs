//! Schema migrations: forward-only, applied on open, also runnable on their own
//! (`perspectief migrate`). Each runs in one transaction on both backends.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

mod m0001_initial;
mod m0002_append_only_audit;

/// The migrator.
#[derive(Debug)]
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(m0001_initial::Migration), Box::new(m0002_append_only_audit::Migration)]
    }

    fn migration_table_name() -> DynIden {
        "perspectief_migrations".into_iden()
    }
}

/// Run a script of `;`-separated statements, with `{BLOB}` replaced by the backend's binary type.
pub(crate) async fn run_script(manager: &SchemaManager<'_>, script: &str) -> Result<(), DbErr> {
    let blob = match manager.get_database_backend() {
        DbBackend::Postgres => "BYTEA",
        _ => "BLOB",
    };
    let conn = manager.get_connection();
    for statement in script.split(";\n").map(str::trim).filter(|s| !s.is_empty()) {
        conn.execute_unprepared(&statement.replace("{BLOB}", blob)).await?;
    }
    Ok(())
}
