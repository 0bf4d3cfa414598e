//! Schema migrations: forward-only, applied on open, also runnable on their own
//! (`perspectief migrate`). Each runs in one transaction on both backends.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

mod m0001_initial;
mod m0002_append_only_audit;
mod m0003_accounts;
mod m0004_audit_head_guard;
mod m0005_event_feed;
mod m0006_reporting;
mod m0007_break_glass;
mod m0008_report_firsts;
mod m0009_consent_overrides;
mod m0010_retention;
mod m0011_grants;
mod m0012_reviewed_exports;
mod m0013_organisations;
mod m0014_audit_checkpoints;
mod m0015_version_bound_seals;
mod m0016_account_confirmations;
mod m0017_erasure_on_request;
mod m0018_worklist_paging;
mod m0019_last_assessed;
mod m0020_late_entries;
mod m0021_history_import;
mod m0022_termination_advised;
mod m0023_worklist_reports_judgments;
mod m0027_worklist_per_worker;

/// The migrator.
#[derive(Debug)]
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m0001_initial::Migration),
            Box::new(m0002_append_only_audit::Migration),
            Box::new(m0003_accounts::Migration),
            Box::new(m0004_audit_head_guard::Migration),
            Box::new(m0005_event_feed::Migration),
            Box::new(m0006_reporting::Migration),
            Box::new(m0007_break_glass::Migration),
            Box::new(m0008_report_firsts::Migration),
            Box::new(m0009_consent_overrides::Migration),
            Box::new(m0010_retention::Migration),
            Box::new(m0011_grants::Migration),
            Box::new(m0012_reviewed_exports::Migration),
            Box::new(m0013_organisations::Migration),
            Box::new(m0014_audit_checkpoints::Migration),
            Box::new(m0015_version_bound_seals::Migration),
            Box::new(m0016_account_confirmations::Migration),
            Box::new(m0017_erasure_on_request::Migration),
            Box::new(m0018_worklist_paging::Migration),
            Box::new(m0019_last_assessed::Migration),
            Box::new(m0020_late_entries::Migration),
            Box::new(m0021_history_import::Migration),
            Box::new(m0022_termination_advised::Migration),
            Box::new(m0023_worklist_reports_judgments::Migration),
            Box::new(m0027_worklist_per_worker::Migration),
        ]
    }

    fn migration_table_name() -> DynIden {
        "perspectief_migrations".into_iden()
    }
}

/// Run a script of statements separated by `;` at the end of a line (so a statement that
/// contains `;` keeps them inside a line), with `{BLOB}` replaced by the backend's binary type.
pub(crate) async fn run_script(manager: &SchemaManager<'_>, script: &str) -> Result<(), DbErr> {
    let blob = match manager.get_database_backend() {
        DbBackend::Postgres => "BYTEA",
        _ => "BLOB",
    };
    let conn = manager.get_connection();
    for statement in script.split(";\n").map(str::trim).filter(|s| !s.is_empty()) {
        conn.execute_unprepared(&statement.replace("{BLOB}", blob)).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use perspectief_core::case::{Case, CommandContext, RegisterParticipant};
    use perspectief_core::service::{AuditEntry, Caller, ChainVerification, PerspectiefService};
    use perspectief_core::*;
    use sea_orm::{ConnectionTrait, Database};
    use sea_orm_migration::MigratorTrait;

    use super::Migrator;
    use crate::{Keyring, Store, StoreOptions};

    /// A database made by the first migration, with data in it, is upgraded on open to the
    /// latest schema, and its data survives whole.
    async fn upgrade(url: &str) {
        let keys = Keyring::from_hex_keys(&[Keyring::generate_hex_key().unwrap()]).unwrap();
        let foundation = OrganisationId::from_u128(100);
        let lead = Actor {
            user: UserId::from_u128(1),
            organisation: foundation,
            role: Role::ProjectLead,
            grant: perspectief_core::access::Grant::NONE,
        };
        let now = Utc.with_ymd_and_hms(2026, 11, 2, 12, 0, 0).unwrap();
        let ctx = CommandContext::at(lead.user, now);
        let (case, event) = Case::register(
            RegisterParticipant {
                id: ParticipantId::from_u128(7),
                profile: ParticipantProfile::minimal(Name::parse("Oudeschema").unwrap(), lead.user),
                registered_on: ctx.today,
            },
            &ctx,
        )
        .unwrap();
        {
            let db = Database::connect(url).await.unwrap();
            Migrator::up(&db, Some(1)).await.unwrap();
            assert_eq!(Migrator::get_applied_migrations(&db).await.unwrap().len(), 1);
            // Today's code also writes the event feed (migration 5); a database of this age has
            // none, so the feed is made for the write and dropped again: the upgrade must build it.
            // The same for the reporting columns (migration 6) and the report projection
            // (migration 8, which must fill it for the periods that exist: one is defined here).
            let feed = "CREATE TABLE event_feed (position BIGINT PRIMARY KEY, participant_id TEXT, version BIGINT)";
            db.execute_unprepared(feed).await.unwrap();
            db.execute_unprepared("ALTER TABLE participants ADD COLUMN lvv_location TEXT").await.unwrap();
            db.execute_unprepared("ALTER TABLE activity_log ADD COLUMN contact_id TEXT").await.unwrap();
            let firsts = "CREATE TABLE report_firsts (period_id TEXT, participant_id TEXT, measure TEXT, \
                          first_on TEXT, first_month TEXT, nationality TEXT, lvv_location TEXT, project_worker TEXT, \
                          PRIMARY KEY (period_id, participant_id, measure))";
            db.execute_unprepared(firsts).await.unwrap();
            // Participant keys (migration 10): today's code seals the case with one; the table is
            // kept (the migration creates it only if missing), so the key stays with the data.
            let blob = if db.get_database_backend() == sea_orm::DbBackend::Postgres { "BYTEA" } else { "BLOB" };
            let pkeys = format!(
                "CREATE TABLE participant_keys (participant_id TEXT PRIMARY KEY NOT NULL, key_id TEXT NOT NULL, \
                 wrapped {blob} NOT NULL)"
            );
            db.execute_unprepared(&pkeys).await.unwrap();
            db.execute_unprepared("ALTER TABLE participants ADD COLUMN aad_version BIGINT NOT NULL DEFAULT 1")
                .await
                .unwrap();
            // The latest assessment's day (migration 19), dropped again below: the upgrade adds it.
            db.execute_unprepared("ALTER TABLE participants ADD COLUMN last_assessed_on TEXT").await.unwrap();
            // The effective dates (migration 20), dropped again below: the open fills them.
            db.execute_unprepared("ALTER TABLE case_events ADD COLUMN effective_on TEXT").await.unwrap();
            db.execute_unprepared("ALTER TABLE case_events ADD COLUMN days_late BIGINT").await.unwrap();
            // The reporting stretches (migration 23), dropped again below: the upgrade fills them.
            let periods = "CREATE TABLE report_periods (participant_id TEXT, from_on TEXT, until_on TEXT, due_on TEXT)";
            db.execute_unprepared(periods).await.unwrap();
            // The day of the first termination advice (migration 22), dropped again below.
            db.execute_unprepared("ALTER TABLE participants ADD COLUMN termination_advised_on TEXT").await.unwrap();
            crate::repo::save_case(&db, &keys, &case, None, &[event]).await.unwrap();
            // Sealed as before the version binding (migration 14): bound to the row only.
            let own = crate::repo::participant_key(&db, &keys, case.id()).await.unwrap().unwrap();
            let id = case.id().to_string();
            for (column, bound, legacy) in [
                ("state", crate::repo::state_aad(case.id(), Some(1)), crate::repo::state_aad(case.id(), None)),
                ("display", crate::repo::display_aad(case.id(), Some(1)), crate::repo::display_aad(case.id(), None)),
            ] {
                let row = crate::sql::one(
                    &db,
                    &format!("SELECT {column} FROM participants WHERE id = $1"),
                    [id.clone().into()],
                )
                .await
                .unwrap()
                .unwrap();
                let blob: Vec<u8> = crate::sql::get(&row, column).unwrap();
                let plain = own.open(own.current_id(), bound.as_bytes(), &blob).unwrap();
                let sealed = own.seal(legacy.as_bytes(), &plain).unwrap();
                crate::sql::exec(
                    &db,
                    &format!("UPDATE participants SET {column} = $2 WHERE id = $1"),
                    [id.clone().into(), sealed.blob.into()],
                )
                .await
                .unwrap();
            }
            db.execute_unprepared("ALTER TABLE participants DROP COLUMN aad_version").await.unwrap();
            db.execute_unprepared("ALTER TABLE participants DROP COLUMN last_assessed_on").await.unwrap();
            db.execute_unprepared("ALTER TABLE case_events DROP COLUMN effective_on").await.unwrap();
            db.execute_unprepared("ALTER TABLE case_events DROP COLUMN days_late").await.unwrap();
            db.execute_unprepared("DROP TABLE report_periods").await.unwrap();
            db.execute_unprepared("ALTER TABLE participants DROP COLUMN termination_advised_on").await.unwrap();
            db.execute_unprepared("DROP TABLE event_feed").await.unwrap();
            db.execute_unprepared("DROP TABLE report_firsts").await.unwrap();
            db.execute_unprepared("ALTER TABLE participants DROP COLUMN lvv_location").await.unwrap();
            db.execute_unprepared("ALTER TABLE activity_log DROP COLUMN contact_id").await.unwrap();
            let period = perspectief_core::activity::SubsidyPeriod::new(
                SubsidyPeriodId::from_u128(9),
                "Oud",
                ctx.today,
                ctx.today.succ_opt().unwrap(),
                vec![],
            )
            .unwrap();
            crate::sql::exec(
                &db,
                "INSERT INTO subsidy_periods (id, starts_on, ends_on, definition) VALUES ($1, $2, $3, $4)",
                [
                    period.id().to_string().into(),
                    crate::sql::date(period.starts_on()).into(),
                    crate::sql::date(period.ends_on()).into(),
                    serde_json::to_string(&period).unwrap().into(),
                ],
            )
            .await
            .unwrap();
            let audit_key = crate::open::audit_key(&db, &keys).await.unwrap();
            let mut chain = crate::audit::Chain::lock(&db, audit_key).await.unwrap();
            chain.append(&AuditEntry::new(&Caller::local(lead), now, Action::Create, "register_participant"));
            chain.save(&db).await.unwrap();
            // Before the upgrade the log is not yet protected by triggers.
            let triggers = match db.get_database_backend() {
                sea_orm::DbBackend::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'trigger'",
                _ => "SELECT trigger_name FROM information_schema.triggers WHERE event_object_table = 'audit_log'",
            };
            let n =
                db.query_all_raw(sea_orm::Statement::from_string(db.get_database_backend(), triggers)).await.unwrap();
            assert!(n.is_empty());
            db.close().await.unwrap();
        }
        let mut options = StoreOptions::new(url, keys);
        options.foundation = Some(foundation);
        let store = Store::open(options).await.unwrap();
        assert_eq!(store.get_case(&Caller::local(lead), case.id()).await.unwrap(), case);
        // The old event got its effective date from its sealed payload on open.
        assert_eq!(
            crate::testing::raw_query_text(&store, "SELECT effective_on FROM case_events").await.unwrap().as_deref(),
            Some("2026-11-02")
        );
        // The report projection was filled for the period that already existed.
        let report = perspectief_core::report::ReportingService::subsidy_report(
            &store,
            &Caller::local(lead),
            SubsidyPeriodId::from_u128(9),
            ctx.today,
        )
        .await
        .unwrap();
        assert_eq!(report.reached.registered_persons, 1);
        // The reporting schedule's first stretch was filled from the registration: due three
        // months on, as the core says.
        let due = crate::testing::raw_query_text(&store, "SELECT due_on FROM report_periods").await.unwrap();
        assert_eq!(due, Some(crate::sql::date(case.report_periods()[0].due_on)));
        // The old events got their places in the feed (the reads in this test are logged too).
        let feed = store.watch_events(&Caller::local(lead), 0, 10).await.unwrap();
        assert_eq!(feed.events.iter().map(|e| (e.position, e.event.version)).collect::<Vec<_>>(), [(1, 1)]);
        assert!(matches!(store.verify_chain().await.unwrap(), ChainVerification::Intact { records: 4, .. }));
        assert!(
            crate::testing::raw_execute(&store, "UPDATE audit_log SET operation = 'x' WHERE seq = 1").await.is_err()
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_first_migration_database_upgrades_with_its_data() {
        let dir = std::env::temp_dir().join(format!("perspectief-upgrade-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        // An old version made the file under the umask; the operator makes it private first
        // (a readable database is refused at open, with this command).
        let old = dir.join("old.db");
        crate::files::create_private(&old).unwrap();
        upgrade(&format!("sqlite://{}?mode=rwc", old.display())).await;
        let _ = std::fs::remove_dir_all(dir);
        if let Some(db) = crate::testing::TestDatabase::postgres_from_env().await {
            upgrade(&db.url).await;
        }
    }
}
