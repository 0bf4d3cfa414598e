//! Subject access exports are recorded with their reason and reviewed like break-glass reads:
//! the `break_glass` table says which kind of access each row is.

use sea_orm_migration::prelude::*;

pub(crate) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0012_reviewed_exports"
    }
}

const SCHEMA: &str = r#"
ALTER TABLE break_glass ADD COLUMN kind TEXT NOT NULL DEFAULT 'break_glass_read'
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
