//! Reporting: the plain columns and indexes the subsidy report aggregates over. The LVV
//! location joins the participant's plain attributes (like the nationality) for the
//! breakdown by location; an activity that is a contact moment keeps the contact's id, so a
//! figure can be drilled down to the contact moments behind it. Rows written before this
//! migration have neither (their location appears as unknown until the case's next change).

use sea_orm_migration::prelude::*;

pub(crate) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0006_reporting"
    }
}

const SCHEMA: &str = r#"
ALTER TABLE participants ADD COLUMN lvv_location TEXT;
ALTER TABLE activity_log ADD COLUMN contact_id TEXT;
CREATE INDEX activity_log_day ON activity_log (on_date, participant_id, code);
CREATE INDEX participants_outflow ON participants (outflow_on)
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
