//! The organisations register on every backend: kept by the administrator (authorised and
//! logged), read by everyone, named by every command that refers to an organisation (an
//! unregistered or, for a new reference, inactive one is refused with nothing written), and
//! filled by migration 13 from the ids a database already used.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use perspectief_core::access::Grant;
use perspectief_core::case::CaseCommand;
use perspectief_core::organisation::{
    DirectoryService, OrganisationChanges, OrganisationCode, OrganisationFilter, OrganisationInput, OrganisationKind,
    OrganisationRef,
};
use perspectief_core::service::{AuditOutcome, Caller, PageRequest, PerspectiefService, Purpose};
use perspectief_core::session::PlanSession;
use perspectief_core::*;
use perspectief_store::Store;
use perspectief_store::testing::raw_execute;

use crate::support::*;
use perspectief_store::testing::active_account;

fn fresh() -> u128 {
    uuid::Uuid::new_v4().as_u128()
}

fn outsider(org: OrganisationId, role: Role) -> Caller {
    Caller {
        actor: Actor { user: UserId::from_u128(fresh()), organisation: org, role, grant: Grant::NONE },
        on_behalf_of: None,
        purpose: Purpose::ChainCooperation,
        client: "local".to_owned(),
    }
}

fn input(code: &str, kind: &str, domains: &[&str]) -> OrganisationInput {
    OrganisationInput {
        code: code.to_owned(),
        name: format!("{code} Nederland"),
        kind: kind.to_owned(),
        domains: domains.iter().map(|d| (*d).to_owned()).collect(),
        email: Some(format!("info@{}.example", code.to_lowercase())),
        ..Default::default()
    }
}

fn all() -> PageRequest {
    PageRequest { page_size: 500, page_token: None }
}

fn code(c: &str) -> OrganisationRef {
    OrganisationRef::Code(OrganisationCode::parse(c).unwrap())
}

/// The access-log records of `operation`, oldest first.
async fn logged(store: &Store, operation: &str) -> Vec<perspectief_core::service::AuditRecord> {
    let auditor = staff(store, Role::Auditor);
    let log = store.audit_log(&auditor, None, 0, 500).await.unwrap();
    log.into_iter().filter(|r| r.entry.operation == operation).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_administrator_keeps_the_register_everyone_reads_it_and_every_change_is_logged() {
    for backend in all_backends().await {
        let store = open(&backend.url(), new_keys(), clock()).await;
        let foundation = store.policy().foundation;
        let admin = administrator(&store);
        let worker = staff(&store, Role::ProjectWorker);

        // The foundation registered itself with the database.
        let own = store.get_organisation(&worker, OrganisationRef::Id(foundation)).await.unwrap();
        assert_eq!((own.code.as_str(), own.kind, own.active), ("STICHTING", OrganisationKind::Foundation, true));

        let iom_id = OrganisationId::from_u128(fresh());
        let iom = input("iom", "international_organisation", &["return", "medical"])
            .into_organisation(iom_id, foundation)
            .unwrap();
        assert_eq!(store.add_organisation(&admin, iom.clone()).await.unwrap(), iom);
        // Codes are unique whatever the case staff type them in.
        let twin = input("Iom", "ngo", &[]).into_organisation(OrganisationId::from_u128(fresh()), foundation).unwrap();
        let err = store.add_organisation(&admin, twin).await.unwrap_err();
        assert_eq!(err, DomainError::AlreadyExists { entity: EntityKind::Organisation, id: "IOM".to_owned() });
        // Only the administrator keeps the register; a refusal is logged as one.
        let askv = input("ASKV", "ngo", &["legal", "activities"])
            .into_organisation(OrganisationId::from_u128(fresh()), foundation)
            .unwrap();
        for caller in [staff(&store, Role::ProjectLead), worker.clone(), outsider(iom_id, Role::ChainPartner)] {
            assert_eq!(store.add_organisation(&caller, askv.clone()).await.unwrap_err().code(), "access_denied");
        }
        store.add_organisation(&admin, askv.clone()).await.unwrap();
        // A second foundation cannot be registered.
        let fake =
            input("GOEDWERK2", "foundation", &[]).into_organisation(OrganisationId::from_u128(fresh()), foundation);
        assert!(fake.unwrap_err().violations().unwrap().has("kind"));

        // Everyone reads the register: staff, partners, the municipality.
        let gemeente_caller = outsider(OrganisationId::from_u128(fresh()), Role::MunicipalCaseManager);
        for caller in [worker.clone(), outsider(iom_id, Role::ChainPartner), gemeente_caller] {
            let listed = store.list_organisations(&caller, OrganisationFilter::default(), all()).await.unwrap();
            let codes: Vec<&str> = listed.items.iter().map(|o| o.code.as_str()).collect();
            assert_eq!(codes, ["ASKV", "IOM", "STICHTING"], "by code");
            assert_eq!(store.get_organisation(&caller, code("iom")).await.unwrap(), iom);
            assert_eq!(store.get_organisation(&caller, OrganisationRef::Id(askv.id)).await.unwrap(), askv);
        }
        assert_eq!(
            store.get_organisation(&worker, code("KRUISPOST")).await.unwrap_err(),
            DomainError::NotFound { entity: EntityKind::Organisation, id: "KRUISPOST".to_owned() }
        );
        let returning = OrganisationFilter { domain: Some(PartnerDomain::Return), ..Default::default() };
        let listed = store.list_organisations(&worker, returning, all()).await.unwrap();
        assert_eq!(listed.items, std::slice::from_ref(&iom));
        let foundations = OrganisationFilter { kind: Some(OrganisationKind::Foundation), ..Default::default() };
        assert_eq!(
            store.list_organisations(&worker, foundations, all()).await.unwrap().items,
            std::slice::from_ref(&own)
        );

        // Pages follow the code order and end.
        let first = store
            .list_organisations(&worker, OrganisationFilter::default(), PageRequest { page_size: 2, page_token: None })
            .await
            .unwrap();
        assert_eq!(first.items.len(), 2);
        let token = first.next_page_token.clone().expect("a second page");
        let second = store
            .list_organisations(
                &worker,
                OrganisationFilter::default(),
                PageRequest { page_size: 2, page_token: Some(token) },
            )
            .await
            .unwrap();
        assert_eq!(second.items, std::slice::from_ref(&own));
        assert_eq!(second.next_page_token, None);
        let bad = PageRequest { page_size: 2, page_token: Some("staff.1".to_owned()) };
        let err = store.list_organisations(&worker, OrganisationFilter::default(), bad).await.unwrap_err();
        assert!(err.violations().unwrap().has("page_token"));

        // Renaming, recoding, retiring.
        let changes = OrganisationChanges {
            name: Some(Label::parse("IOM Den Haag").unwrap()),
            code: Some(OrganisationCode::parse("iom-nl").unwrap()),
            ..Default::default()
        };
        let renamed = store.update_organisation(&admin, code("IOM"), changes).await.unwrap();
        assert_eq!((renamed.code.as_str(), renamed.name.as_str()), ("IOM-NL", "IOM Den Haag"));
        assert_eq!(store.get_organisation(&worker, code("iom-nl")).await.unwrap(), renamed);
        assert_eq!(store.get_organisation(&worker, code("IOM")).await.unwrap_err().code(), "not_found");
        let taken = OrganisationChanges { code: Some(OrganisationCode::parse("askv").unwrap()), ..Default::default() };
        assert_eq!(
            store.update_organisation(&admin, code("IOM-NL"), taken).await.unwrap_err(),
            DomainError::AlreadyExists { entity: EntityKind::Organisation, id: "ASKV".to_owned() }
        );
        let retire = OrganisationChanges { active: Some(false), ..Default::default() };
        assert_eq!(
            store.update_organisation(&worker, code("ASKV"), retire.clone()).await.unwrap_err().code(),
            "access_denied"
        );
        assert!(!store.update_organisation(&admin, code("ASKV"), retire.clone()).await.unwrap().active);
        let active = store.list_organisations(&worker, OrganisationFilter::default(), all()).await.unwrap();
        assert!(active.items.iter().all(|o| o.code.as_str() != "ASKV"), "inactive ones are left out by default");
        let everyone = OrganisationFilter { include_inactive: true, ..Default::default() };
        assert_eq!(store.list_organisations(&worker, everyone, all()).await.unwrap().items.len(), 3);
        // The foundation stays active.
        let err = store.update_organisation(&admin, OrganisationRef::Id(foundation), retire).await.unwrap_err();
        assert!(err.violations().unwrap().has("active"));

        // Every change and every refusal is in the access log, as the administrator's.
        let adds = logged(&store, "add_organisation").await;
        let outcomes: Vec<AuditOutcome> = adds.iter().map(|r| r.entry.outcome).collect();
        assert_eq!(
            outcomes,
            [
                AuditOutcome::Success,
                AuditOutcome::Failed,
                AuditOutcome::Denied,
                AuditOutcome::Denied,
                AuditOutcome::Denied,
                AuditOutcome::Success
            ]
        );
        assert_eq!(adds[0].entry.user, admin.actor.user);
        assert_eq!(adds[0].entry.action, Action::Create);
        assert_eq!(adds[1].entry.error_code.as_deref(), Some("already_exists"));
        let updates = logged(&store, "update_organisation").await;
        assert_eq!(updates.iter().filter(|r| r.entry.outcome == AuditOutcome::Success).count(), 2);
        assert!(updates.iter().any(|r| r.entry.outcome == AuditOutcome::Denied && r.entry.user == worker.actor.user));
        assert!(!logged(&store, "list_organisations").await.is_empty());
        assert!(logged(&store, "get_organisation").await.iter().any(|r| r.entry.role == Role::ChainPartner));
        assert!(logged(&store, "get_organisation").await.iter().all(|r| r.entry.participant.is_none()));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_staff_directory_names_the_foundations_staff_for_the_foundation_only() {
    for backend in all_backends().await {
        let store = open(&backend.url(), new_keys(), clock()).await;
        let admin = store.bootstrap_administrator(UserId::from_u128(1), "Beheer").await.unwrap();
        let admin = Caller::local(admin.actor(Grant::NONE));
        let iom = OrganisationId::from_u128(fresh());
        register(&store, iom, "IOM").await;
        let account =
            |id: u128, organisation, role, name: &str| active_account(UserId::from_u128(id), organisation, role, name);
        let foundation = store.policy().foundation;
        store.create_user(&admin, account(2, foundation, Role::ProjectWorker, "Sanne de Vries")).await.unwrap();
        store.create_user(&admin, account(3, foundation, Role::ProjectLead, "Ahmed Bakker")).await.unwrap();
        store.create_user(&admin, account(4, iom, Role::ChainPartner, "IOM-koppeling")).await.unwrap();
        store.set_user_disabled(&admin, UserId::from_u128(3), true).await.unwrap();

        let worker = staff(&store, Role::ProjectWorker);
        let listed = store.list_staff(&worker, all()).await.unwrap();
        let names: Vec<(&str, bool)> = listed.items.iter().map(|s| (s.name.as_str(), s.active)).collect();
        assert_eq!(names, [("Ahmed Bakker", false), ("Beheer", true), ("Sanne de Vries", true)], "no partner accounts");
        let page = store.list_staff(&worker, PageRequest { page_size: 2, page_token: None }).await.unwrap();
        let rest = store.list_staff(&worker, PageRequest { page_size: 2, page_token: page.next_page_token }).await;
        assert_eq!(rest.unwrap().items, listed.items[2..]);
        for caller in [outsider(iom, Role::ChainPartner), outsider(iom, Role::MunicipalCaseManager)] {
            assert_eq!(store.list_staff(&caller, all()).await.unwrap_err().code(), "access_denied");
        }
        assert!(logged(&store, "list_staff").await.iter().any(|r| r.entry.outcome == AuditOutcome::Denied));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn naming_an_unregistered_or_inactive_organisation_is_refused_with_nothing_written() {
    for backend in all_backends().await {
        let store = open(&backend.url(), new_keys(), clock()).await;
        let admin = administrator(&store);
        let lead = staff(&store, Role::ProjectLead);
        let today = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        let case = store.register_participant(&lead, registration("Verwijzing", lead.actor.user, today)).await.unwrap();
        let p = case.id();
        let nowhere = OrganisationId::from_u128(fresh());
        let retired = OrganisationId::from_u128(fresh());
        register(&store, retired, "OUD").await;
        // While it was active, the person consented to its receiving progress reports.
        let reports = CaseCommand::GiveConsent {
            id: ConsentId::from_u128(fresh()),
            organisation: retired,
            categories: BTreeSet::from([DataCategory::Reports]),
            purpose: text("Rapportage."),
            given_on: today,
        };
        let case_version = store.execute(&lead, p, None, reports).await.unwrap().version;
        let case = store.get_case(&lead, p).await.unwrap();
        let retire = OrganisationChanges { active: Some(false), ..Default::default() };
        store.update_organisation(&admin, OrganisationRef::Id(retired), retire).await.unwrap();

        let referral = |partner| CaseCommand::ProposeReferral {
            id: ReferralId::from_u128(fresh()),
            partner,
            domain: PartnerDomain::Legal,
            reason: text("Juridisch advies (synthetisch)."),
            on: None,
        };
        let consent = |organisation| CaseCommand::GiveConsent {
            id: ConsentId::from_u128(fresh()),
            organisation,
            categories: BTreeSet::from([DataCategory::Legal]),
            purpose: text("Juridische hulp."),
            given_on: today,
        };
        let report = |sent_to| CaseCommand::RecordProgressReport {
            id: ReportId::from_u128(fresh()),
            period_from: today,
            period_to: today,
            sent_to,
            sent_on: None,
        };
        let events_before = store.case_events(&lead, p, 0, 500).await.unwrap().len();
        let not_found = DomainError::NotFound { entity: EntityKind::Organisation, id: nowhere.to_string() };
        for cmd in [referral(nowhere), consent(nowhere), report(nowhere)] {
            assert_eq!(store.execute(&lead, p, Some(case_version), cmd).await.unwrap_err(), not_found);
        }
        for cmd in [referral(retired), consent(retired)] {
            let err = store.execute(&lead, p, Some(case_version), cmd).await.unwrap_err();
            assert_eq!(err.code(), "organisation_inactive");
        }
        // Nothing was written: the case, its events and the referral projection are unchanged.
        let after = store.get_case(&lead, p).await.unwrap();
        assert_eq!(after, case);
        assert_eq!(store.case_events(&lead, p, 0, 500).await.unwrap().len(), events_before);
        let referrals = "SELECT id FROM referrals LIMIT 1";
        assert_eq!(perspectief_store::testing::raw_query_text(&store, referrals).await.unwrap(), None);
        let failures: Vec<_> = store
            .audit_log(&staff(&store, Role::Auditor), Some(p), 0, 500)
            .await
            .unwrap()
            .into_iter()
            .filter(|r| r.entry.outcome == AuditOutcome::Failed)
            .map(|r| r.entry.error_code.unwrap_or_default())
            .collect();
        assert_eq!(failures, ["not_found", "not_found", "not_found", "organisation_inactive", "organisation_inactive"]);

        // Recording what happened with an organisation that is no longer active is fine; a
        // new reference to a registered, active one too.
        store.execute(&lead, p, Some(case_version), report(retired)).await.unwrap();
        let askv = OrganisationId::from_u128(fresh());
        register(&store, askv, "ASKV").await;
        store.execute(&lead, p, Some(case_version + 1), referral(askv)).await.unwrap();

        // Sessions, accounts, tokens and grants name registered organisations too.
        let session = PlanSession {
            languages: BTreeSet::from([LanguageCode::parse("nl").unwrap()]),
            partner: Some(nowhere),
            ..session_plan(SessionId::from_u128(fresh()), today)
        };
        assert_eq!(store.plan_session(&lead, session.clone()).await.unwrap_err(), not_found);
        let session = PlanSession { partner: Some(retired), ..session };
        assert_eq!(store.plan_session(&lead, session).await.unwrap_err().code(), "organisation_inactive");
        let account =
            |organisation| active_account(UserId::from_u128(fresh()), organisation, Role::ChainPartner, "Koppeling");
        assert_eq!(store.create_user(&admin, account(nowhere)).await.unwrap_err(), not_found);
        assert_eq!(store.create_user(&admin, account(retired)).await.unwrap_err().code(), "organisation_inactive");
        let grant = Grant::all_categories(ConfidentialityLevel::Vertrouwelijk);
        assert_eq!(store.set_grant(&admin, nowhere, Some(grant)).await.unwrap_err(), not_found);
        assert_eq!(store.set_grant(&admin, retired, Some(grant)).await.unwrap_err().code(), "organisation_inactive");
        store.set_grant(&admin, retired, None).await.unwrap();
        let users = store.list_users(&admin).await.unwrap();
        assert!(users.iter().all(|u| u.organisation != nowhere && u.organisation != retired), "no account written");
        assert!(store.list_grants(&admin).await.unwrap().is_empty(), "no grant written");
        // An account made while its organisation was active gets no new token once it is not.
        let active_then = store.create_user(&admin, account(askv)).await.unwrap();
        let retire = OrganisationChanges { active: Some(false), ..Default::default() };
        store.update_organisation(&admin, OrganisationRef::Id(askv), retire).await.unwrap();
        let err =
            store.create_token(&admin, active_then.id, "koppeling", chrono::Duration::days(30)).await.unwrap_err();
        assert_eq!(err.code(), "organisation_inactive");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn migration_13_registers_every_organisation_a_database_already_used() {
    for backend in durable_backends().await {
        let url = backend.url();
        let keys = new_keys();
        let store = open(&url, keys.clone(), clock()).await;
        let foundation = store.policy().foundation;
        let admin = store.bootstrap_administrator(UserId::from_u128(1), "Beheer").await.unwrap();
        let admin = Caller::local(admin.actor(Grant::NONE));
        let lead = staff(&store, Role::ProjectLead);
        // Two ids whose first eight hex digits are the same, and a third.
        let (with_user, with_grant, referred) =
            (OrganisationId::from_u128(500), OrganisationId::from_u128(501), OrganisationId::from_u128(fresh()));
        let consented_only = OrganisationId::from_u128(fresh());
        for (id, c) in [(with_user, "IOM"), (with_grant, "ASKV"), (referred, "GGD"), (consented_only, "BOOST")] {
            register(&store, id, c).await;
        }
        store
            .create_user(&admin, active_account(UserId::from_u128(2), with_user, Role::ChainPartner, "IOM-koppeling"))
            .await
            .unwrap();
        store
            .set_grant(&admin, with_grant, Some(Grant::all_categories(ConfidentialityLevel::Vertrouwelijk)))
            .await
            .unwrap();
        let today = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        let case = store.register_participant(&lead, registration("Oud", lead.actor.user, today)).await.unwrap();
        let referral = CaseCommand::ProposeReferral {
            id: ReferralId::from_u128(fresh()),
            partner: referred,
            domain: PartnerDomain::Medical,
            reason: text("Huisarts."),
            on: None,
        };
        store.execute(&lead, case.id(), None, referral).await.unwrap();
        let consent = CaseCommand::GiveConsent {
            id: ConsentId::from_u128(fresh()),
            organisation: consented_only,
            categories: BTreeSet::from([DataCategory::Guidance]),
            purpose: text("Dagbesteding."),
            given_on: today,
        };
        store.execute(&lead, case.id(), None, consent).await.unwrap();
        // Back to a database of before the register: no table, migration 13 not applied.
        raw_execute(&store, "DROP TABLE organisations").await.unwrap();
        raw_execute(&store, "DELETE FROM perspectief_migrations WHERE version = 'm0013_organisations'").await.unwrap();
        drop(store);

        let store = open(&url, keys, clock()).await;
        let worker = staff(&store, Role::ProjectWorker);
        let everyone = OrganisationFilter { include_inactive: true, ..Default::default() };
        let listed = store.list_organisations(&worker, everyone, all()).await.unwrap().items;
        let ids: BTreeSet<OrganisationId> = listed.iter().map(|o| o.id).collect();
        assert_eq!(ids, BTreeSet::from([foundation, with_user, with_grant, referred]));
        let own = listed.iter().find(|o| o.id == foundation).unwrap();
        assert_eq!((own.code.as_str(), own.kind), ("STICHTING", OrganisationKind::Foundation));
        for o in listed.iter().filter(|o| o.id != foundation) {
            assert_eq!(o.name.as_str(), o.id.to_string(), "named by its id until renamed");
            assert!(o.code.as_str().starts_with("ORG-"), "{}", o.code);
            assert_eq!((o.kind, o.active), (OrganisationKind::Ngo, true));
        }
        let code_of = |id| listed.iter().find(|o| o.id == id).unwrap().code.as_str().to_owned();
        assert_eq!(code_of(with_user), "ORG-00000000");
        assert_eq!(code_of(with_grant), "ORG-000001F5", "the first eight hex digits were taken");
        // The organisation named only inside the sealed case is not registered (SQL cannot read
        // it); the case still reads, and the administrator registers it to name it again.
        assert_eq!(
            store.get_organisation(&worker, OrganisationRef::Id(consented_only)).await.unwrap_err().code(),
            "not_found"
        );
        assert!(
            store.get_case(&lead, case.id()).await.unwrap().consents().iter().any(|c| c.organisation == consented_only)
        );
        // Existing accounts keep working, and the register works as for a new database.
        assert!(store.local_account(UserId::from_u128(2)).await.unwrap().is_some());
        let renamed = OrganisationChanges {
            code: Some(OrganisationCode::parse("IOM").unwrap()),
            name: Some(Label::parse("IOM Nederland").unwrap()),
            ..Default::default()
        };
        store.update_organisation(&administrator(&store), OrganisationRef::Id(with_user), renamed).await.unwrap();
        assert_eq!(store.get_organisation(&worker, code("iom")).await.unwrap().id, with_user);
    }
}
