//! A second person for access to case data: who created each account and token, and who
//! confirmed it (see the core's `accounts` module). Accounts and tokens that exist already were
//! in use before confirmations existed: they count as confirmed at their creation, by nobody
//! (`confirmed_by` NULL), and are listed for review as such.

use sea_orm_migration::prelude::*;

pub(crate) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0016_account_confirmations"
    }
}

const SCHEMA: &str = r#"
ALTER TABLE users ADD COLUMN created_by TEXT;
ALTER TABLE users ADD COLUMN confirmed_at BIGINT;
ALTER TABLE users ADD COLUMN confirmed_by TEXT;
UPDATE users SET confirmed_at = created_at;
ALTER TABLE tokens ADD COLUMN created_by TEXT;
ALTER TABLE tokens ADD COLUMN confirmed_at BIGINT;
ALTER TABLE tokens ADD COLUMN confirmed_by TEXT;
UPDATE tokens SET confirmed_at = created_at;
CREATE INDEX users_created_at ON users (created_at);
CREATE INDEX tokens_created_at ON tokens (created_at)
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
