//! Sealed state bound to its version: `aad_version` says how a row's sealed state (and a
//! participant's display name) is bound. 1: to its row only (written before this migration;
//! such a row is sealed anew, bound to its version, at its next change); 2: to its row and its
//! version, so that an older sealed state put back in the row does not open.

use sea_orm_migration::prelude::*;

pub(crate) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0015_version_bound_seals"
    }
}

const SCHEMA: &str = r#"
ALTER TABLE participants ADD COLUMN aad_version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE sessions ADD COLUMN aad_version BIGINT NOT NULL DEFAULT 1;
ALTER TABLE meetings ADD COLUMN aad_version BIGINT NOT NULL DEFAULT 1
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::run_script(manager, SCHEMA).await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
