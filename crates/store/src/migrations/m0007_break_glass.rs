//! Break-glass access: one row per emergency read of a case outside the access matrix, with
//! its reason sealed (the access log itself holds ids and codes only). Listed for review; the
//! review (who, when, the finding, sealed) is recorded once on the same row.

use sea_orm_migration::prelude::*;

pub(crate) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0007_break_glass"
    }
}

const SCHEMA: &str = r#"
CREATE TABLE break_glass (
    id TEXT PRIMARY KEY NOT NULL,
    at BIGINT NOT NULL,
    user_id TEXT NOT NULL,
    organisation_id TEXT NOT NULL,
    role TEXT NOT NULL,
    participant_id TEXT NOT NULL,
    key_id TEXT NOT NULL,
    reason {BLOB} NOT NULL,
    reviewed_at BIGINT,
    reviewed_by TEXT,
    review_key_id TEXT,
    review_note {BLOB}
);
CREATE INDEX break_glass_at ON break_glass (at, id);
CREATE INDEX break_glass_participant ON break_glass (participant_id)
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
