//! The day the foundation first advised a chain meeting on ending each participant's
//! trajectory (3.2.g), kept on the participants row by the write path (from the case's chain
//! meeting records), so the worklist's "past the limit without a termination advice" list
//! reads a partial index in its own order. No row has such a record before this migration
//! (chain meetings reached the case file from the same release), so nothing is filled in.

use sea_orm_migration::prelude::*;

pub(crate) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0022_termination_advised"
    }
}

// The same text on both backends.
const SCRIPT: &str = r#"
ALTER TABLE participants ADD COLUMN termination_advised_on TEXT;
CREATE INDEX participants_active_unadvised ON participants (limit_on, id) WHERE outflow_on IS NULL AND termination_advised_on IS NULL
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::run_script(manager, SCRIPT).await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
