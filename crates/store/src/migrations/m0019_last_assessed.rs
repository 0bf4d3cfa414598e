//! The day of each participant's latest self-reliance assessment (5.2.d), kept on the
//! participants row by the write path like `last_contact_on`, so the worklist's "without a
//! self-reliance assessment" list reads a partial index in its own order instead of taking the
//! latest assessment of every active participant from the activity log for each page. Filled
//! here for the rows that exist, from the same activity-log rows the list read before (an
//! assessment's row: code 5.2.d, not a contact moment's).

use sea_orm_migration::prelude::*;

pub(crate) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0019_last_assessed"
    }
}

// The same text on both backends.
const SCRIPT: &str = r#"
ALTER TABLE participants ADD COLUMN last_assessed_on TEXT;
UPDATE participants SET last_assessed_on = (SELECT MAX(l.on_date) FROM activity_log l WHERE l.participant_id = participants.id AND l.code = '5.2.d' AND l.contact_id IS NULL);
CREATE INDEX participants_active_assessed ON participants ((COALESCE(last_assessed_on, registered_on)), id) WHERE outflow_on IS NULL
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
