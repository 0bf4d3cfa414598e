//! Indexes for a project worker's own worklist: one worker's active participants in the
//! order of each list of participants (without contact, near the limit, without an
//! assessment), so such a list reads the worker's entries in its range and nothing else, and
//! the lists of items start from the same entries. Before, PostgreSQL combined a list's
//! partial index (everybody's active participants) with `participants_worker` (a bitmap AND),
//! and both backends read the worker's rows of every phase and sorted them.

use sea_orm_migration::prelude::*;

pub(crate) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0027_worklist_per_worker"
    }
}

// The same text on both backends: partial indexes, an expression in parentheses.
const SCRIPT: &str = r#"
CREATE INDEX participants_worker_contact ON participants (project_worker, (COALESCE(last_contact_on, registered_on)), id) WHERE outflow_on IS NULL;
CREATE INDEX participants_worker_limit ON participants (project_worker, limit_on, id) WHERE outflow_on IS NULL;
CREATE INDEX participants_worker_assessed ON participants (project_worker, (COALESCE(last_assessed_on, registered_on)), id) WHERE outflow_on IS NULL
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
