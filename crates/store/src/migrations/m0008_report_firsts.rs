//! The subsidy report's projection (see `firsts.rs`): each participant's first day per
//! measure per subsidy period, with the breakdown attributes beside it, filled here for the
//! periods that already exist. The index covers the report's grouped scan of one period in
//! the order of its groups (the month is a column of its own for that), so the database
//! streams the groups instead of sorting the rows.

use sea_orm_migration::prelude::*;

pub(crate) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0008_report_firsts"
    }
}

const SCHEMA: &str = r#"
CREATE TABLE report_firsts (
    period_id TEXT NOT NULL,
    participant_id TEXT NOT NULL REFERENCES participants (id),
    measure TEXT NOT NULL,
    first_on TEXT NOT NULL,
    first_month TEXT NOT NULL,
    nationality TEXT,
    lvv_location TEXT,
    project_worker TEXT NOT NULL,
    PRIMARY KEY (period_id, participant_id, measure)
);
CREATE INDEX report_firsts_participant ON report_firsts (participant_id);
CREATE INDEX report_firsts_report ON report_firsts
    (period_id, measure, nationality, lvv_location, project_worker, first_month, first_on)
"#;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::run_script(manager, SCHEMA).await?;
        crate::firsts::rebuild_all(manager.get_connection()).await
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
