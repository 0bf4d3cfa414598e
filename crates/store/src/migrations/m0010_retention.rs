//! Retention and erasure: a random data key per participant, wrapped (sealed under the
//! foundation's keyring, bound to the participant). Everything sealed about one participant is
//! sealed with it, so destroying the row leaves any stray copy of those values in this database
//! unreadable. (A backup holds its own copy of the row: the retention run also erases it from
//! the managed backups; copies made by other means keep it.) Values sealed before this
//! migration keep their foundation key id and stay
//! readable; a participant gets a key on the next write of their case.

use sea_orm_migration::prelude::*;

pub(crate) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0010_retention"
    }
}

const SCHEMA: &str = r#"
CREATE TABLE IF NOT EXISTS participant_keys (
    participant_id TEXT PRIMARY KEY NOT NULL,
    key_id TEXT NOT NULL,
    wrapped {BLOB} NOT NULL
)
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
