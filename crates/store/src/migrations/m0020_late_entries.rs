//! Effective dates and late entries on the case events: the day each change took effect
//! (`effective_on`, the core's `CaseChange::effective_on`) and how many days after it the
//! change was recorded (`days_late`), both plain, so the project lead's listing of late
//! entries is an indexed query and the history can mark an entry late without opening
//! anything else.
//!
//! What took effect when is inside the sealed payload, which a migration cannot open (it runs
//! without the keys, also as `perspectief migrate`). So the columns are added empty here and
//! the store fills them for the rows that exist the first time it opens with the keys
//! (`open.rs`, `backfill_effective_dates`), reading each event through its normal decoding:
//! the same values the write path gives new rows. Until then an old row is simply not listed.
//!
//! The mark itself (late or not) is not stored: it is `days_late` above the foundation's
//! threshold in force when read, so changing the threshold re-marks every entry alike. The
//! index covers the rows recorded a day or more after their effective date, in recording order.

use sea_orm_migration::prelude::*;

pub(crate) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0020_late_entries"
    }
}

// The same text on both backends.
const SCRIPT: &str = r#"
ALTER TABLE case_events ADD COLUMN effective_on TEXT;
ALTER TABLE case_events ADD COLUMN days_late BIGINT;
CREATE INDEX case_events_late ON case_events (at, participant_id, version) WHERE days_late > 0
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
