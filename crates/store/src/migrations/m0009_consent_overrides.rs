//! Consent overrides: one row per referral a project lead had sent without a covering consent,
//! with the reason sealed (the access log itself holds ids and codes only). Written in the same
//! transaction as the case event that sent the referral; listed for review, and the review
//! (who, when, the finding, sealed) is recorded once on the same row, as for break-glass.

use sea_orm_migration::prelude::*;

pub(crate) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0009_consent_overrides"
    }
}

const SCHEMA: &str = r#"
CREATE TABLE consent_overrides (
    id TEXT PRIMARY KEY NOT NULL,
    at BIGINT NOT NULL,
    user_id TEXT NOT NULL,
    organisation_id TEXT NOT NULL,
    role TEXT NOT NULL,
    participant_id TEXT NOT NULL,
    referral_id TEXT NOT NULL,
    partner_id TEXT NOT NULL,
    category TEXT NOT NULL,
    key_id TEXT NOT NULL,
    reason {BLOB} NOT NULL,
    reviewed_at BIGINT,
    reviewed_by TEXT,
    review_key_id TEXT,
    review_note {BLOB}
);
CREATE INDEX consent_overrides_at ON consent_overrides (at, id);
CREATE INDEX consent_overrides_participant ON consent_overrides (participant_id)
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
