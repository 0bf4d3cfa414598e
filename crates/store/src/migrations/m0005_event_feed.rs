//! The event feed: one global, gap-free position per case event, in commit order, so a
//! partner can follow the events it is entitled to and resume from a cursor after a
//! disconnect. Existing events get positions in the order they happened.

use sea_orm_migration::prelude::*;

pub(crate) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0005_event_feed"
    }
}

const SCHEMA: &str = r#"
CREATE TABLE event_feed (
    position BIGINT PRIMARY KEY NOT NULL,
    participant_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    FOREIGN KEY (participant_id, version) REFERENCES case_events (participant_id, version)
);
CREATE UNIQUE INDEX event_feed_event ON event_feed (participant_id, version);
INSERT INTO event_feed (position, participant_id, version)
SELECT ROW_NUMBER() OVER (ORDER BY at, participant_id, version), participant_id, version FROM case_events
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
