//! Indexes for the worklist's pages: each list read in its own order (date, participant,
//! subject) over its open items only, so a page of the foundation-wide worklist reads about a
//! page of index entries at any size instead of sorting every open item; and a project worker's
//! own list found from their participants (each participant's open goals, agreements and sent
//! referrals, and their latest self-reliance assessment, by index) instead of from every open
//! item of everybody.

use sea_orm_migration::prelude::*;

pub(crate) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0018_worklist_paging"
    }
}

// The same text on both backends: partial indexes, and an expression in parentheses.
const SCRIPT: &str = r#"
CREATE INDEX goals_open_deadline ON goals (deadline, participant_id, id) WHERE status IN ('open', 'in_progress');
CREATE INDEX agreements_open_due ON agreements (due_on, participant_id, id) WHERE status = 'open';
CREATE INDEX referrals_sent_on ON referrals (sent_on, participant_id, id) WHERE status = 'sent';
CREATE INDEX participants_active_contact ON participants ((COALESCE(last_contact_on, registered_on)), id) WHERE outflow_on IS NULL;
CREATE INDEX participants_active_limit ON participants (limit_on, id) WHERE outflow_on IS NULL;
CREATE INDEX goals_participant_status ON goals (participant_id, status, deadline);
CREATE INDEX agreements_participant_status ON agreements (participant_id, status, due_on);
CREATE INDEX referrals_participant_status ON referrals (participant_id, status, sent_on);
CREATE INDEX activity_log_participant_code ON activity_log (participant_id, code, on_date)
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
