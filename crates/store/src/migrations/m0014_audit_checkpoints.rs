//! Signed checkpoints of the access log kept in the database (`audit_checkpoints`): made
//! automatically (every N records or minutes) and on export, each after the whole chain
//! verified. Append-only like the log itself.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

pub(crate) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0014_audit_checkpoints"
    }
}

const SCHEMA: &str = r#"
CREATE TABLE audit_checkpoints (
    seq BIGINT PRIMARY KEY,
    at BIGINT NOT NULL,
    head_hash TEXT NOT NULL,
    foundation TEXT NOT NULL,
    public_key TEXT NOT NULL,
    signature TEXT NOT NULL
)
"#;

const SQLITE: &str = r#"
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only'); END;
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
BEGIN SELECT RAISE(ABORT, 'audit_checkpoints is append-only'); END
"#;

const POSTGRES: &str = r#"
CREATE FUNCTION perspectief_audit_checkpoints_append_only() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN RAISE EXCEPTION 'audit_checkpoints is append-only'; END
$body$;
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE OR DELETE ON audit_checkpoints
FOR EACH ROW EXECUTE FUNCTION perspectief_audit_checkpoints_append_only();
CREATE TRIGGER audit_checkpoints_no_truncate BEFORE TRUNCATE ON audit_checkpoints
FOR EACH STATEMENT EXECUTE FUNCTION perspectief_audit_checkpoints_append_only()
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::run_script(manager, SCHEMA).await?;
        let triggers = match manager.get_database_backend() {
            DbBackend::Postgres => POSTGRES,
            _ => SQLITE,
        };
        super::run_script(manager, triggers).await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
