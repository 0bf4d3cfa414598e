//! What the import of whole histories (`perspectief import history`) keeps: the foundation's
//! own participant numbers (so a later file set can name the same participants), and a stable
//! key per imported row (so the same file imported twice is refused, naming the rows). Both
//! are written in the import's own transaction. An erased participant's number goes with them;
//! their rows' keys stay, unlinked, so an old spreadsheet cannot bring them back unnoticed.

use sea_orm_migration::prelude::*;

pub(crate) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0021_history_import"
    }
}

// The same text on both backends.
const SCRIPT: &str = r#"
CREATE TABLE participant_numbers (number TEXT PRIMARY KEY, participant_id TEXT NOT NULL UNIQUE);
CREATE TABLE imported_rows (row_key TEXT PRIMARY KEY, kind TEXT NOT NULL, participant_id TEXT, imported_at BIGINT NOT NULL);
CREATE INDEX imported_rows_participant ON imported_rows (participant_id)
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
