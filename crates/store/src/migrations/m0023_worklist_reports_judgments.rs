//! The worklist's projections for progress reports due and final judgments not yet
//! communicated (issue #17), kept by the write path from the core's
//! [`Case::report_periods`](perspectief_core::Case::report_periods) and
//! [`Case::expected_communications`](perspectief_core::Case::expected_communications).
//! Both keep their history, so the worklist of a past day shows what was due that day:
//!
//! - `report_periods`: one row per stretch of a participant's reporting schedule (from the
//!   registration or a report, until the next report), with the day the next report is due.
//!   Filled here for the rows that exist from the participants' registration days and the
//!   activity log's report rows (code 5.2.e without a contact moment: only a progress report
//!   books it so), at the default of three months (no schedule was set before this).
//! - `judgment_communications`: one row per final judgment and recipient it should reach, from
//!   when, and the day it first did. The judgments are sealed, so rows exist for a judgment
//!   once the store opens with the keys (`repo::fill_judgment_communications`, once; `perspectief
//!   migrate` alone cannot read them).
//!
//! And `consent_overrides` also records judgments communicated on the project lead's override
//! (to the municipality or a partner without a consent covering reports): a `judgment_id`
//! column, and `referral_id` and `partner_id` may be empty (a judgment's override names no
//! referral; the municipality as its recipient is no organisation a consent names). SQLite
//! cannot drop a NOT NULL, so there the table is copied into its new form.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

pub(crate) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0023_worklist_reports_judgments"
    }
}

// `{DUE}` is the start plus three calendar months, clamped to the month's last day as chrono's
// `checked_add_months` does (SQLite's `+3 months` would roll 30 November over into March).
const SCRIPT: &str = r#"
CREATE TABLE report_periods (
    participant_id TEXT NOT NULL,
    from_on TEXT NOT NULL,
    until_on TEXT,
    due_on TEXT NOT NULL,
    PRIMARY KEY (participant_id, from_on)
);
CREATE INDEX report_periods_due ON report_periods (due_on, participant_id);
CREATE TABLE judgment_communications (
    participant_id TEXT NOT NULL,
    judgment_id TEXT NOT NULL,
    recipient TEXT NOT NULL,
    from_on TEXT NOT NULL,
    communicated_on TEXT,
    PRIMARY KEY (participant_id, judgment_id, recipient)
);
CREATE INDEX judgment_communications_from ON judgment_communications (from_on, participant_id, judgment_id, recipient);
INSERT INTO report_periods (participant_id, from_on, until_on, due_on)
SELECT s.participant_id, s.from_on,
       (SELECT MIN(n.from_on) FROM (SELECT id AS participant_id, registered_on AS from_on FROM participants
                                    UNION SELECT participant_id, on_date FROM activity_log WHERE code = '5.2.e' AND contact_id IS NULL) n
        WHERE n.participant_id = s.participant_id AND n.from_on > s.from_on),
       {DUE}
FROM (SELECT id AS participant_id, registered_on AS from_on FROM participants
      UNION SELECT participant_id, on_date FROM activity_log WHERE code = '5.2.e' AND contact_id IS NULL) s
"#;

const OVERRIDES_POSTGRES: &str = r#"
ALTER TABLE consent_overrides ALTER COLUMN referral_id DROP NOT NULL;
ALTER TABLE consent_overrides ALTER COLUMN partner_id DROP NOT NULL;
ALTER TABLE consent_overrides ADD COLUMN judgment_id TEXT
"#;

const OVERRIDES_SQLITE: &str = r#"
CREATE TABLE consent_overrides_m0023 (
    id TEXT PRIMARY KEY NOT NULL,
    at BIGINT NOT NULL,
    user_id TEXT NOT NULL,
    organisation_id TEXT NOT NULL,
    role TEXT NOT NULL,
    participant_id TEXT NOT NULL,
    referral_id TEXT,
    partner_id TEXT,
    category TEXT NOT NULL,
    key_id TEXT NOT NULL,
    reason BLOB NOT NULL,
    reviewed_at BIGINT,
    reviewed_by TEXT,
    review_key_id TEXT,
    review_note BLOB,
    judgment_id TEXT
);
INSERT INTO consent_overrides_m0023 (id, at, user_id, organisation_id, role, participant_id, referral_id, partner_id, category, key_id, reason, reviewed_at, reviewed_by, review_key_id, review_note)
SELECT id, at, user_id, organisation_id, role, participant_id, referral_id, partner_id, category, key_id, reason, reviewed_at, reviewed_by, review_key_id, review_note FROM consent_overrides;
DROP TABLE consent_overrides;
ALTER TABLE consent_overrides_m0023 RENAME TO consent_overrides;
CREATE INDEX consent_overrides_at ON consent_overrides (at, id);
CREATE INDEX consent_overrides_participant ON consent_overrides (participant_id)
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let due = match manager.get_database_backend() {
            DbBackend::Postgres => "CAST(CAST(CAST(s.from_on AS DATE) + INTERVAL '3 months' AS DATE) AS TEXT)",
            _ => "MIN(DATE(s.from_on, '+3 months'), DATE(s.from_on, 'start of month', '+4 months', '-1 day'))",
        };
        super::run_script(manager, &SCRIPT.replace("{DUE}", due)).await?;
        let overrides = match manager.get_database_backend() {
            DbBackend::Postgres => OVERRIDES_POSTGRES,
            _ => OVERRIDES_SQLITE,
        };
        super::run_script(manager, overrides).await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
