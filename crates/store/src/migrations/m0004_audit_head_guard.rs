//! The access log's head only moves forward and is never deleted: a second line of defence
//! against cutting records off the end of the log and resetting the head to match.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

pub(crate) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0004_audit_head_guard"
    }
}

const SQLITE: &str = r#"
CREATE TRIGGER audit_head_forward BEFORE UPDATE ON audit_head WHEN NEW.seq < OLD.seq
BEGIN SELECT RAISE(ABORT, 'audit_head only moves forward'); END;
CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
BEGIN SELECT RAISE(ABORT, 'audit_head only moves forward'); END
"#;

const POSTGRES: &str = r#"
CREATE FUNCTION perspectief_audit_head_forward() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN IF TG_OP = 'DELETE' OR NEW.seq < OLD.seq THEN RAISE EXCEPTION 'audit_head only moves forward'; END IF; RETURN NEW; END
$body$;
CREATE TRIGGER audit_head_forward BEFORE UPDATE OR DELETE ON audit_head
FOR EACH ROW EXECUTE FUNCTION perspectief_audit_head_forward()
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let script = match manager.get_database_backend() {
            DbBackend::Postgres => POSTGRES,
            _ => SQLITE,
        };
        super::run_script(manager, script).await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
