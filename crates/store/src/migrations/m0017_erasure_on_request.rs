//! Erasure on request (GDPR art. 17) and legal holds: a project lead's request to erase a
//! person, pending until a second person confirms it (`erasure_requests`, reason sealed; the
//! row stays after the erasure as the record of who asked, who confirmed and why), and legal
//! holds that keep a person from any erasure while set (`legal_holds`, reasons sealed).

use sea_orm_migration::prelude::*;

pub(crate) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0017_erasure_on_request"
    }
}

const SCHEMA: &str = r#"
CREATE TABLE erasure_requests (
    id TEXT PRIMARY KEY NOT NULL,
    participant_id TEXT NOT NULL,
    requested_at BIGINT NOT NULL,
    requested_by TEXT NOT NULL,
    key_id TEXT NOT NULL,
    reason {BLOB} NOT NULL,
    status TEXT NOT NULL,
    decided_at BIGINT,
    decided_by TEXT
);
CREATE INDEX erasure_requests_participant ON erasure_requests (participant_id);
CREATE INDEX erasure_requests_requested_at ON erasure_requests (requested_at, id);
CREATE TABLE legal_holds (
    id TEXT PRIMARY KEY NOT NULL,
    participant_id TEXT NOT NULL,
    set_at BIGINT NOT NULL,
    set_by TEXT NOT NULL,
    key_id TEXT NOT NULL,
    reason {BLOB} NOT NULL,
    lifted_at BIGINT,
    lifted_by TEXT,
    lift_key_id TEXT,
    lift_reason {BLOB}
);
CREATE INDEX legal_holds_participant ON legal_holds (participant_id);
CREATE UNIQUE INDEX legal_holds_one_active ON legal_holds (participant_id) WHERE lifted_at IS NULL
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
