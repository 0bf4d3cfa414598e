//! Grants (*autorisaties*): per organisation outside the foundation, the data categories it may
//! receive at all and the highest confidentiality level. Without a row nothing is shared.

use sea_orm_migration::prelude::*;

pub(crate) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0011_grants"
    }
}

const SCHEMA: &str = r#"
CREATE TABLE grants (
    organisation_id TEXT PRIMARY KEY NOT NULL,
    categories TEXT NOT NULL,
    max_level TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL
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
