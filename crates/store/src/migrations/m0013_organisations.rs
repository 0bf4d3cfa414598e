//! The organisations register. Before it, organisations existed only as ids (each staff member
//! wrote their own names for them in a config file). This migration creates the `organisations`
//! table and registers every organisation id already in use, so an existing database keeps
//! working: each is named by its id until the administrator renames it, with a generated code
//! (`ORG-` and eight hex digits of the id, see `OrganisationCode::generated`), active, of kind
//! NGO; the foundation's own id (in `meta`) becomes the organisation of kind foundation, code
//! `STICHTING`, named "Stichting".
//!
//! The sources scanned are the plain columns that hold organisation ids:
//!
//! | table | column | what it is |
//! |---|---|---|
//! | `meta` | `value` of `foundation` | the foundation itself |
//! | `users` | `organisation` | every account's organisation (partner users and tokens) |
//! | `grants` | `organisation_id` | every organisation with a grant |
//! | `referrals` | `partner` | every referral's addressee (the projection of the case files) |
//! | `consent_overrides` | `partner_id` | referrals sent on a project lead's override |
//! | `break_glass` | `organisation_id` | who broke the glass (the foundation) |
//! | `audit_log` | `organisation_id` | every organisation that ever acted |
//!
//! Consents, goal, agreement, obstacle and contact partners, judgment recipients and progress
//! report addressees live only in the sealed case state, which SQL cannot read (and a migration
//! has no key). An id found only there is not registered: the case file still reads, the
//! command line shows it as an unregistered organisation, and a new command naming it is
//! refused until the administrator registers it (`perspectief organisation add --id ...`).
//! In practice every organisation that receives anything has an account or a grant, so it is
//! registered here.

use std::collections::BTreeSet;

use perspectief_core::OrganisationId;
use perspectief_core::organisation::{Organisation, OrganisationCode};
use sea_orm_migration::prelude::*;

use crate::sql::{self, get};

pub(crate) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m0013_organisations"
    }
}

const SCHEMA: &str = r#"
CREATE TABLE organisations (
    id TEXT PRIMARY KEY NOT NULL,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    kind TEXT NOT NULL,
    domains TEXT NOT NULL,
    phone TEXT,
    email TEXT,
    address TEXT,
    active BIGINT NOT NULL,
    created_at BIGINT NOT NULL,
    created_by TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    updated_by TEXT NOT NULL
);
CREATE UNIQUE INDEX organisations_code ON organisations (code)
"#;

/// The plain columns that hold organisation ids (see the module documentation).
const SOURCES: [&str; 6] = [
    "SELECT DISTINCT organisation AS id FROM users",
    "SELECT DISTINCT organisation_id AS id FROM grants",
    "SELECT DISTINCT partner AS id FROM referrals",
    "SELECT DISTINCT partner_id AS id FROM consent_overrides",
    "SELECT DISTINCT organisation_id AS id FROM break_glass",
    "SELECT DISTINCT organisation_id AS id FROM audit_log",
];

fn migration_error(e: impl std::fmt::Display) -> DbErr {
    DbErr::Migration(format!("registering the organisations in use: {e}"))
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        super::run_script(manager, SCHEMA).await?;
        let conn = manager.get_connection();
        let foundation = match sql::one(conn, "SELECT value FROM meta WHERE key = 'foundation'", []).await? {
            Some(row) => Some(OrganisationId::parse(&get::<String>(&row, "value")?).map_err(migration_error)?),
            None => None,
        };
        let mut ids = BTreeSet::new();
        for source in SOURCES {
            for row in sql::all(conn, source, []).await? {
                // Only ids can be referred to; a value that is not one was never an
                // organisation anybody could name.
                if let Ok(id) = OrganisationId::parse(&get::<String>(&row, "id")?) {
                    ids.insert(id);
                }
            }
        }
        let now = crate::clock::Clock::now(&crate::clock::SystemClock);
        let system = crate::organisations::SYSTEM;
        if let Some(foundation) = foundation {
            ids.remove(&foundation);
            let own = crate::organisations::foundation_entry(conn, foundation).await.map_err(migration_error)?;
            crate::organisations::insert(conn, &own, now, system).await.map_err(migration_error)?;
        }
        let mut taken: BTreeSet<OrganisationCode> =
            crate::organisations::all_codes(conn).await.map_err(migration_error)?;
        // In id order, so the generated codes are the same on every copy of a database.
        for id in ids {
            let entry = Organisation::registered_from_use(id, |c| taken.contains(c));
            taken.insert(entry.code.clone());
            crate::organisations::insert(conn, &entry, now, system).await.map_err(migration_error)?;
        }
        Ok(())
    }

    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }
}
