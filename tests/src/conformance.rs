//! The conformance suite: written once against [`PerspectiefService`], run against every
//! implementation (the store on SQLite in memory and on a file, on PostgreSQL, and through a
//! loopback gRPC server: `crates/grpc/tests/remote.rs`). [`conformance_tests!`] makes one
//! test per check for a backend. Each check sets up its own participants with fresh ids, so
//! checks could share one service; each test still gets a fresh one.

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;
use std::pin::Pin;

use crate::fixtures::talk;
use chrono::{Duration, NaiveDate};
use perspectief_core::access::{Actor, ConfidentialityLevel, Grant, Role};
use perspectief_core::case::{Case, CaseCommand, NewAgreement, NewContact, NewGoal, RegisterParticipant};
use perspectief_core::contact::{PartnerDomain, ReferralStatus};
use perspectief_core::meeting::ChainDecision;
use perspectief_core::organisation::{
    DirectoryService, Organisation, OrganisationChanges, OrganisationFilter, OrganisationInput, OrganisationRef,
};
use perspectief_core::report::{AgendaQuery, Figure, FigureQuery, Measure, ReportingService, Slice};
use perspectief_core::service::{
    AuditOutcome, Caller, ChainVerification, PageRequest, ParticipantFilter, PerspectiefService, WorkItem, WorkSubject,
    WorklistQuery,
};
use perspectief_core::session::{PlanSession, SessionCommand, SessionTopic};
use perspectief_core::trajectory::Phase;
use perspectief_core::{
    ActivityCode, Advice, AgendaReason, AgreementId, ChainStep, DataCategory, DateOfBirth, DomainError, GoalId,
    GoalStatus, Label, LanguageCode, MeetingCommand, MeetingId, Name, OrganisationId, OutflowOutcome, ParticipantId,
    ParticipantProfile, ReferralId, Responsible, SessionId, SubsidyPeriod, SubsidyPeriodId, Target, TargetMeasure,
    Text, UserId,
};

/// A future of the organisations register's keeper.
pub type Kept<'a> = Pin<Box<dyn Future<Output = Result<Organisation, DomainError>> + Send + 'a>>;

/// What the suite needs besides the service: who the foundation is, a way to move time, and
/// the administrator's hand on the organisations register (which is kept on the store itself,
/// not through the service).
pub struct Env<'a> {
    /// The foundation's organisation id (the service's access policy).
    pub foundation: OrganisationId,
    /// Move the service's clock forward.
    pub advance: &'a (dyn Fn(Duration) + Sync),
    /// The service's current instant, read after any advance.
    pub now: &'a (dyn Fn() -> chrono::DateTime<chrono::Utc> + Sync),
    /// Calls go over the network: the access log records the peer's address as the client,
    /// not what the caller claims.
    pub remote: bool,
    /// Register an organisation, as the administrator.
    pub add_organisation: &'a (dyn Fn(Organisation) -> Kept<'a> + Sync),
    /// Change an organisation, as the administrator.
    pub update_organisation: &'a (dyn Fn(OrganisationId, OrganisationChanges) -> Kept<'a> + Sync),
}

impl Env<'_> {
    fn today(&self) -> NaiveDate {
        perspectief_core::time::amsterdam_date((self.now)())
    }
}

impl std::fmt::Debug for Env<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Env").field("foundation", &self.foundation).finish_non_exhaustive()
    }
}

fn fresh() -> u128 {
    uuid::Uuid::new_v4().as_u128()
}

fn text(s: &str) -> Text {
    Text::parse(s).expect("valid text")
}

/// Register a chain partner (an NGO serving every domain) under a fresh code starting with
/// `prefix`: checks share one service, so every check registers its own.
pub async fn register_partner(env: &Env<'_>, prefix: &str) -> Organisation {
    let suffix = format!("{:08X}", fresh() as u32);
    let organisation = OrganisationInput {
        code: format!("{prefix}-{suffix}"),
        name: format!("{prefix} (synthetisch)"),
        kind: "ngo".to_owned(),
        domains: PartnerDomain::ALL.iter().map(|d| d.as_str().to_owned()).collect(),
        ..Default::default()
    }
    .into_organisation(OrganisationId::from_u128(fresh()), env.foundation)
    .expect("organisation");
    (env.add_organisation)(organisation).await.expect("register")
}

/// A staff caller of the foundation.
pub fn staff(env: &Env<'_>, role: Role) -> Caller {
    Caller::local(Actor { user: UserId::from_u128(fresh()), organisation: env.foundation, role, grant: Grant::NONE })
}

fn profile(worker: UserId, name: &str) -> ParticipantProfile {
    ParticipantProfile {
        family_name: Some(Name::parse("Synthetisch").expect("name")),
        date_of_birth: Some(DateOfBirth::Estimated { year: 1990 }),
        languages: vec![LanguageCode::parse("ar").expect("lang")],
        ..crate::fixtures::minimal_profile(name, worker)
    }
}

async fn register<S: PerspectiefService>(svc: &S, env: &Env<'_>, worker: &Caller, name: &str) -> Case {
    let cmd = RegisterParticipant {
        id: ParticipantId::from_u128(fresh()),
        profile: profile(worker.actor.user, name),
        registered_on: env.today(),
    };
    svc.register_participant(worker, cmd).await.expect("register")
}

fn contact(env: &Env<'_>, codes: &[ActivityCode], agreements: Vec<NewAgreement>) -> CaseCommand {
    // A minute ago by the service's clock (which tests keep at midday).
    let at = (env.now)() - Duration::minutes(1);
    CaseCommand::LogContact(NewContact {
        activities: codes.iter().copied().collect(),
        duration_minutes: Some(30),
        agreements,
        ..talk(at, DataCategory::Guidance, "Gesprek over toekomst (synthetisch).")
    })
}

/// Register, read back, execute, read events: the service stores what the core decided.
pub async fn case_round_trip<S: PerspectiefService>(svc: &S, env: &Env<'_>) {
    let worker = staff(env, Role::ProjectWorker);
    let case = register(svc, env, &worker, "Rondgang").await;
    assert_eq!(case.version(), 1);
    assert_eq!(svc.get_case(&worker, case.id()).await.expect("get"), case);

    let mut local = case.clone();
    let cmds = vec![
        CaseCommand::RevisePlan { personal_situation: text("Situatie."), perspective: text("Perspectief."), on: None },
        CaseCommand::AgreePlan { revision: 1, on: env.today() },
        CaseCommand::SetGoal(NewGoal {
            id: GoalId::from_u128(fresh()),
            description: text("Documenten"),
            rationale: None,
            responsible: Responsible::Participant,
            partners: vec![],
            deadline: env.today() + Duration::days(10),
            next_steps: None,
            set_on: None,
        }),
    ];
    for cmd in cmds {
        let done = svc.execute(&worker, case.id(), Some(local.version()), cmd.clone()).await.expect("execute");
        let ctx =
            perspectief_core::CommandContext { actor: worker.actor.user, now: done.events[0].at, today: env.today() };
        let expected = local.execute(cmd, &ctx).expect("local");
        assert_eq!(done.events, expected, "the service records exactly the core's events");
        assert_eq!(done.version, local.version());
    }
    let stored = svc.get_case(&worker, case.id()).await.expect("get");
    assert_eq!(stored, local);
    let events = svc.case_events(&worker, case.id(), 0, 100).await.expect("events");
    assert_eq!(events.len() as u64, stored.version());
    assert_eq!(Case::replay(&events).expect("replay"), stored);
    let tail = svc.case_events(&worker, case.id(), 2, 100).await.expect("events");
    assert_eq!(tail.first().map(|e| e.version), Some(3));
}

/// A week of work recorded afterwards: a plan, a goal whose deadline has passed by now and a
/// referral, each dated the day it happened; the service keeps that day beside the recorded
/// moment, through every backend.
pub async fn late_entries_keep_their_day<S: PerspectiefService>(svc: &S, env: &Env<'_>) {
    let worker = staff(env, Role::ProjectWorker);
    let ago = |days| env.today() - Duration::days(days);
    let cmd = RegisterParticipant {
        id: ParticipantId::from_u128(fresh()),
        profile: profile(worker.actor.user, "Laat"),
        registered_on: ago(60),
    };
    let case = svc.register_participant(&worker, cmd).await.expect("register");
    let (goal, referral) = (GoalId::from_u128(fresh()), ReferralId::from_u128(fresh()));
    let partner = register_partner(env, "LAAT").await.id;
    let cmds = vec![
        CaseCommand::RevisePlan {
            personal_situation: text("Situatie."),
            perspective: text("Perspectief."),
            on: Some(ago(50)),
        },
        CaseCommand::AgreePlan { revision: 1, on: ago(45) },
        CaseCommand::SetGoal(NewGoal {
            id: goal,
            description: text("Documenten"),
            rationale: None,
            responsible: Responsible::Participant,
            partners: vec![],
            deadline: ago(30),
            next_steps: None,
            set_on: Some(ago(40)),
        }),
        CaseCommand::ProposeReferral {
            id: referral,
            partner,
            domain: PartnerDomain::Legal,
            reason: text("Juridisch advies."),
            on: Some(ago(40)),
        },
        CaseCommand::AdvanceReferral {
            referral,
            to: ReferralStatus::Revoked,
            on: ago(35),
            note: None,
            consent_override: None,
        },
    ];
    let mut version = case.version();
    let mut marked = Vec::new();
    for cmd in cmds {
        let done = svc.execute(&worker, case.id(), Some(version), cmd).await.expect("execute");
        marked.extend(done.events.iter().map(|e| e.late));
        version = done.version;
    }
    let stored = svc.get_case(&worker, case.id()).await.expect("get");
    let plan = &stored.plan_revisions()[0];
    assert_eq!((plan.drawn_up_on, plan.agreed_on), (ago(50), Some(ago(45))));
    assert_eq!(perspectief_core::time::amsterdam_date(plan.drawn_up_at), env.today(), "recorded today");
    let g = stored.goal(goal).expect("goal");
    assert_eq!((g.set_on, g.is_overdue(env.today())), (ago(40), true));
    let r = stored.referral(referral).expect("referral");
    assert_eq!(r.history.iter().map(|s| s.on).collect::<Vec<_>>(), vec![ago(40), ago(35)]);
    let events = svc.case_events(&worker, case.id(), 0, 100).await.expect("events");
    let days: Vec<NaiveDate> = events.iter().map(|e| e.change.effective_on(e.at)).collect();
    assert_eq!(days, vec![ago(60), ago(50), ago(45), ago(45), ago(40), ago(40), ago(35)]);
    assert_eq!(Case::replay(&events).expect("replay"), stored);
    // A goal set before the plan was drawn up is refused, naming why; nothing is written.
    let early = CaseCommand::SetGoal(NewGoal {
        id: GoalId::from_u128(fresh()),
        description: text("Te vroeg"),
        rationale: None,
        responsible: Responsible::Participant,
        partners: vec![],
        deadline: ago(20),
        next_steps: None,
        set_on: Some(ago(55)),
    });
    let err = svc.execute(&worker, case.id(), Some(version), early).await.expect_err("before the plan");
    assert_eq!(err.code(), "plan_required");
    assert_eq!(svc.get_case(&worker, case.id()).await.expect("get").version(), version);
    // Each answer marked its events late (all more than the default 14 days), as reading back does.
    assert_eq!(marked, events[1..].iter().map(|e| e.late).collect::<Vec<_>>());
    assert!(marked.iter().all(|late| *late), "{marked:?}");

    // Issue #17: after the outflow, an entry dated before it is still recorded and leaves the
    // trajectory closed; one dated after it is refused, naming the outflow's day.
    let outflow = CaseCommand::RecordOutflow { outcome: OutflowOutcome::Other, on: ago(30), note: None };
    version = svc.execute(&worker, case.id(), Some(version), outflow).await.expect("outflow").version;
    let achieved = CaseCommand::ChangeGoalStatus { goal, to: GoalStatus::Achieved, new_deadline: None, on: ago(31) };
    let done = svc.execute(&worker, case.id(), Some(version), achieved).await.expect("a late entry before the outflow");
    assert_eq!(done.events.len(), 1);
    let after = CaseCommand::SetGoal(NewGoal {
        id: GoalId::from_u128(fresh()),
        description: text("Na de uitstroom"),
        rationale: None,
        responsible: Responsible::Participant,
        partners: vec![],
        deadline: env.today(),
        next_steps: None,
        set_on: Some(ago(10)),
    });
    let err = svc.execute(&worker, case.id(), Some(done.version), after).await.expect_err("after the outflow");
    assert_eq!(
        err,
        DomainError::TrajectoryClosed { action: "set_goal".into(), outflow_on: Some(ago(30)), dated: Some(ago(10)) }
    );
    let stored = svc.get_case(&worker, case.id()).await.expect("get");
    assert_eq!((stored.phase(), stored.version()), (Phase::Closed, done.version));
    assert_eq!(stored.goal(goal).map(|g| g.status), Some(GoalStatus::Achieved));
}

/// A contact moment sent again under the id its client chose (a retry after a lost answer)
/// is one contact: the service answers with the case as it is, without an event; the same id
/// with other content is refused as already existing.
pub async fn a_contact_sent_twice_is_one_contact<S: PerspectiefService>(svc: &S, env: &Env<'_>) {
    let worker = staff(env, Role::ProjectWorker);
    let case = register(svc, env, &worker, "Tweemaal").await;
    let mut contact = talk((env.now)() - Duration::hours(1), DataCategory::Guidance, "Gesprek (synthetisch).");
    contact.agreements = vec![NewAgreement {
        id: perspectief_core::AgreementId::from_u128(fresh()),
        description: text("Paspoort meenemen"),
        due_on: env.today() + Duration::days(7),
        who_acts: Responsible::Participant,
    }];
    let cmd = CaseCommand::LogContact(contact.clone());
    let first = svc.execute(&worker, case.id(), None, cmd.clone()).await.expect("first");
    assert!(!first.events.is_empty());
    let again = svc.execute(&worker, case.id(), None, cmd).await.expect("the same again");
    assert!(again.events.is_empty(), "{:?}", again.events);
    assert_eq!(again.version, first.version);
    let stored = svc.get_case(&worker, case.id()).await.expect("get");
    assert_eq!((stored.contacts().count(), stored.agreements().count()), (1, 1));
    contact.summary = text("Een ander gesprek (synthetisch).");
    let e = svc.execute(&worker, case.id(), None, CaseCommand::LogContact(contact)).await.expect_err("other content");
    assert_eq!(e.violations().map(|v| v.has("id")), Some(true), "{e}");
    assert_eq!(svc.get_case(&worker, case.id()).await.expect("get").version(), first.version);
}

/// A stale version fails with a conflict naming the current version, and nothing is written.
pub async fn stale_version_is_a_conflict<S: PerspectiefService>(svc: &S, env: &Env<'_>) {
    let worker = staff(env, Role::ProjectWorker);
    let case = register(svc, env, &worker, "Conflict").await;
    let revise = CaseCommand::RevisePlan { personal_situation: text("a"), perspective: text("b"), on: None };
    svc.execute(&worker, case.id(), Some(1), revise.clone()).await.expect("first");
    let err = svc.execute(&worker, case.id(), Some(1), revise).await.expect_err("stale");
    assert_eq!(err, DomainError::VersionConflict { expected: 1, current: 2 });
    let stored = svc.get_case(&worker, case.id()).await.expect("get");
    assert_eq!(stored.version(), 2);
    assert_eq!(stored.plan_revisions().len(), 1);
}

/// Refusals write nothing but their audit record; denials are audited as denied.
pub async fn refusals_are_audited_and_write_nothing<S: PerspectiefService>(svc: &S, env: &Env<'_>) {
    let worker = staff(env, Role::ProjectWorker);
    let colleague = staff(env, Role::ProjectWorker);
    let lead = staff(env, Role::ProjectLead);
    let case = register(svc, env, &worker, "Geweigerd").await;

    let err = svc.get_case(&colleague, case.id()).await.expect_err("not assigned");
    assert_eq!(err.code(), "access_denied");
    let err = svc
        .execute(
            &colleague,
            case.id(),
            None,
            CaseCommand::RevisePlan { personal_situation: text("x"), perspective: text("y"), on: None },
        )
        .await
        .expect_err("not assigned");
    assert_eq!(err.code(), "access_denied");
    let err = svc
        .execute(&worker, case.id(), None, CaseCommand::AgreePlan { revision: 1, on: env.today() })
        .await
        .expect_err("no plan");
    assert_eq!(err.code(), "plan_required");
    assert_eq!(svc.get_case(&worker, case.id()).await.expect("get").version(), 1, "nothing was written");

    let log = svc.audit_log(&lead, Some(case.id()), 0, 100).await.expect("audit");
    let outcomes: Vec<(&str, AuditOutcome)> =
        log.iter().map(|r| (r.entry.operation.as_str(), r.entry.outcome)).collect();
    assert!(outcomes.contains(&("get_case", AuditOutcome::Denied)), "{outcomes:?}");
    assert!(outcomes.contains(&("revise_plan", AuditOutcome::Denied)), "{outcomes:?}");
    assert!(outcomes.contains(&("agree_plan", AuditOutcome::Failed)), "{outcomes:?}");
    let denied = log
        .iter()
        .find(|r| r.entry.operation == "get_case" && r.entry.outcome == AuditOutcome::Denied)
        .expect("denied");
    assert_eq!(denied.entry.user, colleague.actor.user);
    assert_eq!(denied.entry.participant, Some(case.id()));
    assert_eq!(denied.entry.error_code.as_deref(), Some("access_denied"));
}

/// Every read is in the access log before its answer; the log never holds a name; it verifies.
pub async fn reads_are_logged_and_the_chain_verifies<S: PerspectiefService>(svc: &S, env: &Env<'_>) {
    let worker = staff(env, Role::ProjectWorker);
    let lead = staff(env, Role::ProjectLead);
    let case = register(svc, env, &worker, "Zichtbaarnaam").await;
    let reads =
        |log: &[perspectief_core::service::AuditRecord]| log.iter().filter(|r| r.entry.operation == "get_case").count();
    let before = reads(&svc.audit_log(&lead, Some(case.id()), 0, 500).await.expect("audit"));
    svc.get_case(&worker, case.id()).await.expect("get");
    let after = svc.audit_log(&lead, Some(case.id()), 0, 500).await.expect("audit");
    assert_eq!(reads(&after), before + 1, "the read was logged before it returned");
    let read = after.iter().rev().find(|r| r.entry.operation == "get_case").expect("record");
    assert_eq!(read.entry.user, worker.actor.user);
    assert_eq!(read.entry.organisation, env.foundation);
    assert_eq!(read.entry.role, Role::ProjectWorker);
    assert_eq!(read.entry.purpose, worker.purpose);
    if env.remote {
        assert!(read.entry.client.parse::<std::net::SocketAddr>().is_ok(), "the peer: {}", read.entry.client);
    } else {
        assert_eq!(read.entry.client, worker.client);
    }
    assert_eq!(read.entry.basis, Some(perspectief_core::Basis::Assignment), "the basis of the access is recorded");
    let registration = after.iter().find(|r| r.entry.operation == "register_participant").expect("registration");
    assert_eq!(registration.entry.category, Some(DataCategory::Identity));
    assert_eq!(registration.entry.action, perspectief_core::Action::Create);
    // Looking at someone's access log is itself logged, against that person.
    assert!(after.iter().any(|r| r.entry.operation == "audit_log" && r.entry.user == lead.actor.user));
    for r in &after {
        let json = serde_json::to_string(&r.entry).expect("json");
        assert!(!json.contains("Zichtbaarnaam"), "no names in the access log");
    }
    match svc.verify_audit_log(&lead).await.expect("verify") {
        ChainVerification::Intact { records, .. } => assert!(records >= after.len() as u64),
        broken => panic!("{broken}"),
    }
    assert_eq!(svc.verify_audit_log(&worker).await.expect_err("workers do not audit").code(), "access_denied");
}

/// Bad input is refused with the field named, and nothing is half-written.
pub async fn invalid_input_names_the_field<S: PerspectiefService>(svc: &S, env: &Env<'_>) {
    let worker = staff(env, Role::ProjectWorker);
    let case = register(svc, env, &worker, "Fout").await;
    let mut cmd = contact(env, &[ActivityCode::SocialGuidance], vec![]);
    if let CaseCommand::LogContact(c) = &mut cmd {
        c.at = chrono::Utc::now() + Duration::days(3650);
        c.activities.clear();
    }
    let err = svc.execute(&worker, case.id(), None, cmd).await.expect_err("invalid");
    let v = err.violations().expect("violations");
    assert!(v.has("at") && v.has("activities"), "{v}");
    assert_eq!(svc.get_case(&worker, case.id()).await.expect("get").contacts().count(), 0);
    let err = svc.get_case(&worker, ParticipantId::from_u128(fresh())).await.expect_err("unknown");
    assert_eq!(err.code(), "not_found");
}

/// The worklist from the database equals the core's rules applied to every case.
pub async fn worklist_matches_the_core_rules<S: PerspectiefService>(svc: &S, env: &Env<'_>) {
    let worker = staff(env, Role::ProjectWorker);
    let askv = register_partner(env, "ASKV").await.id;
    let mut ids = Vec::new();
    for i in 0..4u32 {
        let case = register(svc, env, &worker, &format!("Werk{i}")).await;
        let id = case.id();
        ids.push(id);
        let today = env.today();
        svc.execute(
            &worker,
            id,
            None,
            CaseCommand::RevisePlan { personal_situation: text("s"), perspective: text("p"), on: None },
        )
        .await
        .expect("plan");
        svc.execute(
            &worker,
            id,
            None,
            CaseCommand::SetGoal(NewGoal {
                id: GoalId::from_u128(fresh()),
                description: text("doel"),
                rationale: None,
                responsible: Responsible::Participant,
                partners: vec![],
                deadline: today + Duration::days(i64::from(i) * 5),
                next_steps: None,
                set_on: None,
            }),
        )
        .await
        .expect("goal");
        if i % 2 == 0 {
            let agreement = NewAgreement {
                id: AgreementId::from_u128(fresh()),
                description: text("afspraak"),
                due_on: today + Duration::days(i64::from(i) * 3 + 1),
                who_acts: Responsible::Participant,
            };
            svc.execute(&worker, id, None, contact(env, &[ActivityCode::SocialGuidance], vec![agreement]))
                .await
                .expect("contact");
        }
        let referral = ReferralId::from_u128(fresh());
        svc.execute(
            &worker,
            id,
            None,
            CaseCommand::ProposeReferral {
                id: referral,
                partner: askv,
                domain: PartnerDomain::Legal,
                reason: text("r"),
                on: None,
            },
        )
        .await
        .expect("referral");
        if i != 1 {
            // Sending needs the participant's consent for the partner and the category.
            svc.execute(
                &worker,
                id,
                None,
                CaseCommand::GiveConsent {
                    id: perspectief_core::ConsentId::from_u128(fresh()),
                    organisation: askv,
                    categories: [DataCategory::Legal].into(),
                    purpose: text("doorverwijzing"),
                    given_on: today,
                },
            )
            .await
            .expect("consent");
            svc.execute(
                &worker,
                id,
                None,
                CaseCommand::AdvanceReferral {
                    referral,
                    to: ReferralStatus::Sent,
                    on: today,
                    note: None,
                    consent_override: None,
                },
            )
            .await
            .expect("sent");
        }
    }
    (env.advance)(Duration::days(16));
    let today = env.today();
    let mut query = WorklistQuery::for_day(today);
    query.limit_lead_days = 600;
    let list = svc.worklist(&worker, query.clone()).await.expect("worklist");

    // The same lists, computed by the core from each case.
    let mut expected: BTreeMap<&str, BTreeSet<WorkItem>> = BTreeMap::new();
    for id in &ids {
        let case = svc.get_case(&worker, *id).await.expect("get");
        let p = case.id();
        for g in case.overdue_goals(today) {
            expected.entry("overdue_goals").or_default().insert(WorkItem {
                participant: p,
                subject: WorkSubject::Goal(g.id),
                date: g.deadline,
            });
        }
        for a in case.overdue_agreements(today) {
            expected.entry("overdue_agreements").or_default().insert(WorkItem {
                participant: p,
                subject: WorkSubject::Agreement(a.id),
                date: a.due_on,
            });
        }
        for a in case.agreements_due_within(today, query.due_within_days) {
            expected.entry("agreements_due").or_default().insert(WorkItem {
                participant: p,
                subject: WorkSubject::Agreement(a.id),
                date: a.due_on,
            });
        }
        if case.days_without_contact(today) > i64::from(query.no_contact_days) {
            let last = case.last_contact_at().map_or(case.registered_on(), perspectief_core::time::amsterdam_date);
            expected.entry("without_contact").or_default().insert(WorkItem {
                participant: p,
                subject: WorkSubject::Participant,
                date: last,
            });
        }
        if !matches!(
            case.limit_status(today, query.limit_lead_days),
            Some(perspectief_core::LimitStatus::WithinLimit { .. }) | None
        ) {
            expected.entry("near_limit").or_default().insert(WorkItem {
                participant: p,
                subject: WorkSubject::Participant,
                date: case.trajectory().limit(),
            });
        }
        if let Some(last) = case.without_assessment_since(today, query.no_assessment_months) {
            expected.entry("without_assessment").or_default().insert(WorkItem {
                participant: p,
                subject: WorkSubject::Participant,
                date: last,
            });
        }
        for r in case.unanswered_referrals(today, query.referral_answer_days) {
            expected.entry("unanswered_referrals").or_default().insert(WorkItem {
                participant: p,
                subject: WorkSubject::Referral(r.id),
                date: r.sent_on().expect("sent"),
            });
        }
    }
    let mine = |items: &Vec<WorkItem>| -> BTreeSet<WorkItem> {
        items.iter().copied().filter(|w| ids.contains(&w.participant)).collect()
    };
    let got: BTreeMap<&str, BTreeSet<WorkItem>> = [
        ("overdue_goals", mine(&list.overdue_goals)),
        ("overdue_agreements", mine(&list.overdue_agreements)),
        ("agreements_due", mine(&list.agreements_due)),
        ("without_contact", mine(&list.without_contact)),
        ("near_limit", mine(&list.near_limit)),
        ("unanswered_referrals", mine(&list.unanswered_referrals)),
        ("without_assessment", mine(&list.without_assessment)),
    ]
    .into_iter()
    .filter(|(_, v)| !v.is_empty())
    .collect();
    assert_eq!(got, expected);
    assert!(got.get("overdue_goals").is_some_and(|g| g.len() >= 3), "the data exercises the rule: {got:?}");
    assert!(got.contains_key("unanswered_referrals") && got.contains_key("near_limit"), "{got:?}");
    // Sorted by date.
    assert!(list.overdue_goals.windows(2).all(|w| w[0].date <= w[1].date));
    // In pages of two items a list, every list goes on where it stopped: together the pages
    // hold the unpaged lists, in order, and the last page says there is no more.
    assert_eq!(list.next_page_token, None, "unpaged: one page");
    let mut paged = query.clone();
    paged.page_size = 2;
    let mut all = perspectief_core::service::Worklist::default();
    let mut pages = 0;
    loop {
        let page = svc.worklist(&worker, paged.clone()).await.expect("worklist page");
        pages += 1;
        assert!(append_lists(&mut all, &page) <= 2, "a page holds at most page_size items of a list");
        match page.next_page_token {
            Some(token) => paged.page_token = Some(token),
            None => break,
        }
    }
    assert!(pages > 1, "the data needs more than one page");
    assert_eq!(all, list, "the pages together are the whole worklist");
    // Everybody's list (the lead's, read in each list's index order) pages the same way.
    let lead = staff(env, Role::ProjectLead);
    let mut everybody = query.clone();
    everybody.project_worker = None;
    let whole = svc.worklist(&lead, everybody.clone()).await.expect("everybody's worklist");
    everybody.page_size = 3;
    let mut all = perspectief_core::service::Worklist::default();
    loop {
        let page = svc.worklist(&lead, everybody.clone()).await.expect("everybody's page");
        append_lists(&mut all, &page);
        match page.next_page_token {
            Some(token) => everybody.page_token = Some(token),
            None => break,
        }
    }
    assert_eq!(all, whole, "everybody's pages together are everybody's worklist");
    // A token is bound to its query: another page size does not take it.
    let mut forged = query.clone();
    forged.page_size = 2;
    let first = svc.worklist(&worker, forged.clone()).await.expect("first page").next_page_token.expect("more");
    forged.page_size = 3;
    forged.page_token = Some(first);
    let refused = svc.worklist(&worker, forged).await.expect_err("a token of another query");
    assert_eq!(refused.code(), "invalid_input", "{refused:?}");
    // A worker cannot ask for a colleague's list.
    let mut other = query;
    other.project_worker = Some(UserId::from_u128(fresh()));
    assert_eq!(svc.worklist(&worker, other).await.expect_err("colleague").code(), "access_denied");
}

/// The lists of #17 (goals due soon, final judgments not yet communicated, progress reports
/// due) from the database equal the core's rules, today and on a past day (what was due then),
/// and page like the others.
pub async fn worklist_lists_goals_judgments_and_reports_due<S: PerspectiefService>(svc: &S, env: &Env<'_>) {
    let worker = staff(env, Role::ProjectWorker);
    let partner = register_partner(env, "IOM").await.id;
    let municipality = register_partner(env, "GEM").await.id;
    let registered = env.today();
    let mut ids = Vec::new();
    for i in 0..3u32 {
        let id = register(svc, env, &worker, &format!("Rapport{i}")).await.id();
        ids.push(id);
        let w = &worker;
        let run = move |cmd: CaseCommand| async move { svc.execute(w, id, None, cmd).await.expect("command") };
        let consent = |organisation, category| CaseCommand::GiveConsent {
            id: perspectief_core::ConsentId::from_u128(fresh()),
            organisation,
            categories: [category].into(),
            purpose: text("delen"),
            given_on: registered,
        };
        run(CaseCommand::RevisePlan { personal_situation: text("s"), perspective: text("p"), on: None }).await;
        match i {
            0 => {
                // A final judgment told to the person only; a partner involved by a referral;
                // a report due every month.
                run(CaseCommand::SetReportingSchedule { every_months: 1 }).await;
                run(CaseCommand::AgreePlan { revision: 1, on: registered }).await;
                run(consent(partner, DataCategory::Return)).await;
                let referral = ReferralId::from_u128(fresh());
                run(CaseCommand::ProposeReferral {
                    id: referral,
                    partner,
                    domain: PartnerDomain::Return,
                    reason: text("r"),
                    on: None,
                })
                .await;
                run(CaseCommand::AdvanceReferral {
                    referral,
                    to: ReferralStatus::Sent,
                    on: registered,
                    note: None,
                    consent_override: None,
                })
                .await;
                let judgment = perspectief_core::JudgmentId::from_u128(fresh());
                run(CaseCommand::RecordJudgment {
                    id: judgment,
                    verdict: perspectief_core::Verdict::ReturnNotRealisticNow,
                    finality: perspectief_core::Finality::Final,
                    reasoning: text("Geen reisdocument."),
                    formed_on: registered,
                })
                .await;
                run(CaseCommand::RecordJudgmentCommunicated {
                    judgment,
                    to: perspectief_core::Recipient::Participant,
                    on: registered,
                    consent_override: None,
                })
                .await;
            }
            1 => {
                // A goal due in ten days, and a report sent at once.
                run(CaseCommand::SetGoal(NewGoal {
                    id: GoalId::from_u128(fresh()),
                    description: text("doel"),
                    rationale: None,
                    responsible: Responsible::Participant,
                    partners: vec![],
                    deadline: registered + Duration::days(10),
                    next_steps: None,
                    set_on: None,
                }))
                .await;
                run(consent(municipality, DataCategory::Reports)).await;
                run(CaseCommand::RecordProgressReport {
                    id: perspectief_core::ReportId::from_u128(fresh()),
                    period_from: registered,
                    period_to: registered,
                    sent_to: municipality,
                    sent_on: None,
                })
                .await;
            }
            _ => {}
        }
    }
    (env.advance)(Duration::days(35));
    let today = env.today();
    for day in [today, registered + Duration::days(5)] {
        let query = WorklistQuery::for_day(day);
        let list = svc.worklist(&worker, query.clone()).await.expect("worklist");
        let mut expected: BTreeMap<&str, BTreeSet<WorkItem>> = BTreeMap::new();
        for id in &ids {
            let case = svc.get_case(&worker, *id).await.expect("get");
            let p = case.id();
            for g in case.goals_due_within(day, query.goal_due_within_days) {
                let item = WorkItem { participant: p, subject: WorkSubject::Goal(g.id), date: g.deadline };
                expected.entry("goals_due").or_default().insert(item);
            }
            for e in case.uncommunicated_judgments(day) {
                let subject = WorkSubject::Communication { judgment: e.judgment, to: e.to };
                let item = WorkItem { participant: p, subject, date: e.from };
                expected.entry("uncommunicated_judgments").or_default().insert(item);
            }
            if let Some(due) = case.progress_report_due(day, query.due_within_days) {
                let item = WorkItem { participant: p, subject: WorkSubject::Participant, date: due };
                expected.entry("reports_due").or_default().insert(item);
            }
        }
        let mine = |items: &Vec<WorkItem>| -> BTreeSet<WorkItem> {
            items.iter().copied().filter(|w| ids.contains(&w.participant)).collect()
        };
        let got: BTreeMap<&str, BTreeSet<WorkItem>> = [
            ("goals_due", mine(&list.goals_due)),
            ("uncommunicated_judgments", mine(&list.uncommunicated_judgments)),
            ("reports_due", mine(&list.reports_due)),
        ]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .collect();
        assert_eq!(got, expected, "the worklist of {day}");
        // The data exercises each rule on both days.
        let judgments = got.get("uncommunicated_judgments").map_or(0, BTreeSet::len);
        assert_eq!(judgments, 2, "the municipality and the partner were not told, on {day}: {got:?}");
        if day == today {
            assert!(got.contains_key("reports_due") && !got.contains_key("goals_due"), "{got:?}");
        } else {
            assert!(got.contains_key("goals_due") && !got.contains_key("reports_due"), "{got:?}");
        }
        // In pages of one item a list, the pages together are the whole list.
        let mut paged = query.clone();
        paged.page_size = 1;
        let mut all = perspectief_core::service::Worklist::default();
        loop {
            let page = svc.worklist(&worker, paged.clone()).await.expect("worklist page");
            append_lists(&mut all, &page);
            match page.next_page_token {
                Some(token) => paged.page_token = Some(token),
                None => break,
            }
        }
        assert_eq!(all, list, "the pages together are the whole worklist of {day}");
    }
}

/// Append each list of a worklist `page` to the same list of `all`; the length of the page's
/// longest list.
fn append_lists(all: &mut perspectief_core::service::Worklist, page: &perspectief_core::service::Worklist) -> usize {
    let mut longest = 0;
    for (from, into) in [
        (&page.overdue_goals, &mut all.overdue_goals),
        (&page.overdue_agreements, &mut all.overdue_agreements),
        (&page.agreements_due, &mut all.agreements_due),
        (&page.without_contact, &mut all.without_contact),
        (&page.near_limit, &mut all.near_limit),
        (&page.unanswered_referrals, &mut all.unanswered_referrals),
        (&page.without_assessment, &mut all.without_assessment),
        (&page.goals_due, &mut all.goals_due),
        (&page.uncommunicated_judgments, &mut all.uncommunicated_judgments),
        (&page.reports_due, &mut all.reports_due),
    ] {
        longest = longest.max(from.len());
        into.extend(from.iter().copied());
    }
    longest
}

/// Listing pages through everyone exactly once, and filters.
pub async fn listing_pages_and_filters<S: PerspectiefService>(svc: &S, env: &Env<'_>) {
    let worker = staff(env, Role::ProjectWorker);
    let mut ids = BTreeSet::new();
    for i in 0..7 {
        ids.insert(register(svc, env, &worker, &format!("Lijst{i}")).await.id());
    }
    let filter = ParticipantFilter { project_worker: Some(worker.actor.user), ..Default::default() };
    let mut seen = Vec::new();
    let mut token = None;
    loop {
        let page = svc
            .list_participants(&worker, filter.clone(), PageRequest { page_size: 3, page_token: token.clone() })
            .await
            .expect("list");
        assert!(page.items.len() <= 3);
        seen.extend(page.items.iter().map(|s| s.id));
        match page.next_page_token {
            Some(t) => token = Some(t),
            None => break,
        }
    }
    assert_eq!(seen.len(), 7, "no duplicates, none missed");
    assert_eq!(seen.iter().copied().collect::<BTreeSet<_>>(), ids);
    let first = svc.list_participants(&worker, filter, PageRequest::default()).await.expect("list");
    assert!(first.items.iter().any(|s| s.display_name.starts_with("Lijst")));
    let err = svc
        .list_participants(
            &worker,
            ParticipantFilter::default(),
            PageRequest { page_size: 3, page_token: Some("zz".into()) },
        )
        .await
        .expect_err("bad token");
    assert!(err.violations().expect("field").has("page_token"));
    let partner = Caller {
        purpose: perspectief_core::service::Purpose::ChainCooperation,
        ..Caller::local(Actor {
            user: UserId::from_u128(fresh()),
            organisation: OrganisationId::from_u128(9),
            role: Role::ChainPartner,
            grant: Grant::all_categories(ConfidentialityLevel::ZeerGeheim),
        })
    };
    assert_eq!(
        svc.list_participants(&partner, ParticipantFilter::default(), PageRequest::default())
            .await
            .expect_err("partner")
            .code(),
        "access_denied"
    );
}

/// Sessions: attendance of existing participants only, reach, reading back.
pub async fn sessions_are_stored<S: PerspectiefService>(svc: &S, env: &Env<'_>) {
    let worker = staff(env, Role::ProjectWorker);
    let case = register(svc, env, &worker, "Sessie").await;
    let id = SessionId::from_u128(fresh());
    let today = env.today();
    let planned = svc
        .plan_session(
            &worker,
            PlanSession {
                id,
                date: today,
                topic: SessionTopic::Theme(Label::parse("Terugkeer").expect("label")),
                venue: Label::parse("WereldHuis").expect("label"),
                languages: [LanguageCode::parse("ti").expect("lang")].into(),
                facilitators: BTreeSet::new(),
                partner: None,
            },
        )
        .await
        .expect("plan");
    assert_eq!(planned.version(), 1);
    let err = svc
        .execute_session(
            &worker,
            id,
            None,
            SessionCommand::RegisterAttendance { participant: ParticipantId::from_u128(fresh()) },
        )
        .await
        .expect_err("unknown participant");
    assert_eq!(err.code(), "not_found");
    svc.execute_session(&worker, id, Some(1), SessionCommand::RegisterAttendance { participant: case.id() })
        .await
        .expect("attend");
    let s = svc
        .execute_session(&worker, id, Some(2), SessionCommand::SetUnregisteredHeadCount { count: 5 })
        .await
        .expect("count");
    assert_eq!(s.reach(), 6);
    assert_eq!(svc.get_session(&worker, id).await.expect("get"), s);
    let listed = svc.list_sessions(&worker, today, today).await.expect("list");
    assert!(listed.iter().any(|x| x.id() == id));
    let err = svc
        .execute_session(&worker, id, Some(1), SessionCommand::SetUnregisteredHeadCount { count: 6 })
        .await
        .expect_err("stale");
    assert_eq!(err, DomainError::VersionConflict { expected: 1, current: 3 });
}

/// Meetings and subsidy periods.
pub async fn meetings_and_periods_are_stored<S: PerspectiefService>(svc: &S, env: &Env<'_>) {
    let worker = staff(env, Role::ProjectWorker);
    let lead = staff(env, Role::ProjectLead);
    let case = register(svc, env, &worker, "Overleg").await;
    let id = MeetingId::from_u128(fresh());
    let today = env.today();
    svc.schedule_meeting(&worker, id, today).await.expect("schedule");
    let m = svc
        .execute_meeting(&worker, id, Some(1), MeetingCommand::AddToAgenda { participant: case.id(), reasons: vec![] })
        .await
        .expect("agenda");
    assert_eq!(svc.get_meeting(&worker, id).await.expect("get"), m);
    assert_eq!(svc.schedule_meeting(&worker, id, today).await.expect_err("twice").code(), "already_exists");

    let period = SubsidyPeriod::new(
        SubsidyPeriodId::from_u128(fresh()),
        "Periode",
        today,
        today + Duration::days(540),
        vec![Target { measure: TargetMeasure::Activity(ActivityCode::OrientationTalks), persons: 200 }],
    )
    .expect("period");
    assert_eq!(svc.define_subsidy_period(&worker, period.clone()).await.expect_err("worker").code(), "access_denied");
    svc.define_subsidy_period(&lead, period.clone()).await.expect("define");
    assert_eq!(svc.define_subsidy_period(&lead, period.clone()).await.expect_err("twice").code(), "already_exists");
    assert!(svc.subsidy_periods(&worker).await.expect("list").contains(&period));
}

/// The event feed shows a partner exactly the events its consent covers, resumes from its
/// cursor, logs what it showed, and stops at once when the consent is withdrawn.
pub async fn event_feed_follows_consent<S: PerspectiefService>(svc: &S, env: &Env<'_>) {
    use perspectief_core::ConsentId;
    use perspectief_core::returns::ExplorationFindings;
    let worker = staff(env, Role::ProjectWorker);
    let lead = staff(env, Role::ProjectLead);
    let partner_org = register_partner(env, "IOM").await.id;
    let partner = Caller {
        actor: Actor {
            user: UserId::from_u128(fresh()),
            organisation: partner_org,
            role: Role::ChainPartner,
            grant: Grant::all_categories(ConfidentialityLevel::ZeerGeheim),
        },
        on_behalf_of: None,
        purpose: perspectief_core::service::Purpose::ChainCooperation,
        client: "local".to_owned(),
    };
    // Everything up to now, so the check looks only at what follows.
    let mut start = 0;
    loop {
        let page = svc.watch_events(&lead, start, 500).await.expect("catch up");
        if page.cursor == start {
            break;
        }
        start = page.cursor;
    }
    let case = register(svc, env, &worker, "Feedvolger").await;
    let consent = ConsentId::from_u128(fresh());
    let run = |cmd: CaseCommand| async { svc.execute(&worker, case.id(), None, cmd).await.expect("command") };
    run(CaseCommand::GiveConsent {
        id: consent,
        organisation: partner_org,
        categories: BTreeSet::from([DataCategory::Return]),
        purpose: text("Terugkeerbegeleiding."),
        given_on: env.today(),
    })
    .await;
    run(contact(env, &[ActivityCode::OrientationTalks], vec![])).await;
    run(CaseCommand::RevisePlan { personal_situation: text("Situatie."), perspective: text("Terugkeer."), on: None })
        .await;
    run(CaseCommand::RecordReturnStance {
        stance: perspectief_core::ReturnStance::Considering,
        on: env.today(),
        note: None,
    })
    .await;
    run(CaseCommand::StartReturnExploration {
        on: env.today(),
        findings: ExplorationFindings { motivation: Some(text("Wil terug.")), ..Default::default() },
    })
    .await;

    let (all, _) = follow(svc, &worker, start, case.id()).await;
    let kinds: Vec<&str> = all.iter().map(|e| e.event.change.kind()).collect();
    assert_eq!(
        kinds,
        [
            "registered",
            "consent_given",
            "contact_logged",
            "phase_changed",
            "plan_revised",
            "return_stance_recorded",
            "return_exploration_started"
        ]
    );
    assert!(all.windows(2).all(|w| w[0].position < w[1].position), "feed order");
    let (shown, cursor) = follow(svc, &partner, start, case.id()).await;
    let kinds: Vec<&str> = shown.iter().map(|e| e.event.change.kind()).collect();
    // Its own consent (it names the partner) and the consented category, nothing else.
    assert_eq!(
        kinds,
        ["consent_given", "return_stance_recorded", "return_exploration_started"],
        "only the consented category"
    );
    let log = svc.audit_log(&lead, Some(case.id()), 0, 500).await.expect("audit");
    assert!(log.iter().any(|r| r.entry.operation == "watch_events"
        && r.entry.user == partner.actor.user
        && r.entry.category == Some(DataCategory::Return)
        && r.entry.basis == Some(perspectief_core::Basis::Consent(consent))));

    run(CaseCommand::WithdrawConsent { consent, on: env.today() }).await;
    run(CaseCommand::UpdateReturnExploration {
        findings: ExplorationFindings { prospects: Some(text("Werk bij familie.")), ..Default::default() },
        on: None,
    })
    .await;
    // The partner is told of the withdrawal (it names the partner), and of nothing else.
    let only_consents = |events: &[perspectief_core::service::FeedEvent]| {
        events.iter().map(|e| e.event.change.kind()).filter(|k| !k.starts_with("consent_")).count() == 0
    };
    let (after, _) = follow(svc, &partner, cursor, case.id()).await;
    let kinds: Vec<&str> = after.iter().map(|e| e.event.change.kind()).collect();
    assert_eq!(kinds, ["consent_withdrawn"], "withdrawal takes effect on the next read: {after:?}");
    let (again, _) = follow(svc, &partner, start, case.id()).await;
    assert!(only_consents(&again), "nothing of this person is shown any more but the consent: {again:?}");
}

/// Read the feed from `from` until it has nothing new; the events of `participant` and the cursor.
async fn follow<S: PerspectiefService>(
    svc: &S,
    caller: &Caller,
    from: u64,
    participant: ParticipantId,
) -> (Vec<perspectief_core::service::FeedEvent>, u64) {
    let mut cursor = from;
    let mut seen = Vec::new();
    loop {
        // Small pages: the cursor must carry the reader across pages.
        let page = svc.watch_events(caller, cursor, 2).await.expect("watch");
        assert!(page.cursor >= cursor, "the cursor never goes back");
        seen.extend(page.events.into_iter().filter(|e| e.event.participant == participant));
        if page.cursor == cursor {
            return (seen, cursor);
        }
        cursor = page.cursor;
    }
}

/// The organisations register is one directory for everyone who works with Perspectief: staff
/// and partners list and read it (by id or by code, in any case), staff read the staff
/// directory and partners do not, and a command naming an unregistered organisation, or an
/// inactive one for a new reference, is refused with nothing written.
pub async fn organisations_are_one_directory<S: PerspectiefService + DirectoryService>(svc: &S, env: &Env<'_>) {
    let worker = staff(env, Role::ProjectWorker);
    let lead = staff(env, Role::ProjectLead);
    let iom = register_partner(env, "IOM").await;
    let partner = Caller {
        purpose: perspectief_core::service::Purpose::ChainCooperation,
        ..Caller::local(Actor {
            user: UserId::from_u128(fresh()),
            organisation: iom.id,
            role: Role::ChainPartner,
            grant: Grant::all_categories(ConfidentialityLevel::Vertrouwelijk),
        })
    };
    let everyone = OrganisationFilter { include_inactive: true, ..Default::default() };
    let all = |token: Option<String>| PageRequest { page_size: 500, page_token: token };
    for caller in [&worker, &partner] {
        let lower = OrganisationRef::parse(&iom.code.as_str().to_lowercase()).expect("code");
        assert_eq!(svc.get_organisation(caller, lower).await.expect("by code"), iom);
        assert_eq!(svc.get_organisation(caller, OrganisationRef::Id(iom.id)).await.expect("by id"), iom);
        let own = svc.get_organisation(caller, OrganisationRef::Id(env.foundation)).await.expect("foundation");
        assert_eq!(own.kind, perspectief_core::OrganisationKind::Foundation);
        let mut listed = Vec::new();
        let mut token = None;
        loop {
            let page = svc
                .list_organisations(caller, everyone.clone(), PageRequest { page_size: 2, page_token: token })
                .await
                .expect("list");
            assert!(page.items.len() <= 2);
            listed.extend(page.items);
            match page.next_page_token {
                Some(t) => token = Some(t),
                None => break,
            }
        }
        assert!(listed.contains(&iom) && listed.contains(&own));
        assert!(listed.windows(2).all(|w| w[0].code < w[1].code), "by code, each once");
    }
    let unknown = OrganisationRef::parse("ONBEKEND-ZZZ").expect("code");
    assert_eq!(
        svc.get_organisation(&worker, unknown).await.expect_err("unknown"),
        DomainError::NotFound { entity: perspectief_core::EntityKind::Organisation, id: "ONBEKEND-ZZZ".to_owned() }
    );
    // The staff directory: for the foundation's staff, never for a partner.
    let staff_page = svc.list_staff(&worker, all(None)).await.expect("staff directory");
    assert!(staff_page.items.iter().all(|m| !matches!(m.role, Role::ChainPartner | Role::MunicipalCaseManager)));
    assert_eq!(svc.list_staff(&partner, all(None)).await.expect_err("partner").code(), "access_denied");

    // Commands name registered organisations only, and new references active ones.
    let case = register(svc, env, &worker, "Organisaties").await;
    let nowhere = OrganisationId::from_u128(fresh());
    let propose = |partner| CaseCommand::ProposeReferral {
        id: ReferralId::from_u128(fresh()),
        partner,
        domain: PartnerDomain::Return,
        reason: text("Terugkeerondersteuning."),
        on: None,
    };
    assert_eq!(
        svc.execute(&worker, case.id(), Some(1), propose(nowhere)).await.expect_err("unregistered"),
        DomainError::NotFound { entity: perspectief_core::EntityKind::Organisation, id: nowhere.to_string() }
    );
    let retired = register_partner(env, "OUD").await;
    let retire = OrganisationChanges { active: Some(false), ..Default::default() };
    assert!(!(env.update_organisation)(retired.id, retire).await.expect("retire").active);
    assert_eq!(
        svc.execute(&worker, case.id(), Some(1), propose(retired.id)).await.expect_err("inactive").code(),
        "organisation_inactive"
    );
    assert_eq!(svc.get_case(&worker, case.id()).await.expect("get"), case, "nothing written");
    let active = svc.list_organisations(&worker, OrganisationFilter::default(), all(None)).await.expect("list");
    assert!(active.items.iter().all(|o| o.id != retired.id), "inactive ones only when asked for");
    svc.execute(&worker, case.id(), Some(1), propose(iom.id)).await.expect("registered and active");

    // Reads of the register are logged, like every read.
    // Every read of the log is logged too: read up to the end as it was, not for ever.
    let mut log = Vec::new();
    loop {
        let after = log.last().map_or(0, |r: &perspectief_core::service::AuditRecord| r.seq);
        let page = svc.audit_log(&lead, None, after, 500).await.expect("audit");
        let last_page = page.len() < 500;
        log.extend(page);
        if last_page {
            break;
        }
    }
    assert!(log.iter().any(|r| r.entry.operation == "get_organisation" && r.entry.user == partner.actor.user));
    assert!(log.iter().any(|r| r.entry.operation == "list_staff"
        && r.entry.user == partner.actor.user
        && r.entry.outcome == AuditOutcome::Denied));
}

/// A chain meeting reaches the case and the subsidy report: the discussion is 3.2.f (once per
/// meeting), the advice 3.2.g, both on the meeting's day; an adopted advice to end guidance
/// moves the trajectory to termination and is what the termination talk and an outflow
/// "ended by chain decision" need.
pub async fn chain_meetings_count_and_decide<S: PerspectiefService + ReportingService>(svc: &S, env: &Env<'_>) {
    let worker = staff(env, Role::ProjectWorker);
    let lead = staff(env, Role::ProjectLead);
    let case = register(svc, env, &worker, "Ketenoverleg").await;
    let p = case.id();
    svc.execute(&worker, p, None, contact(env, &[ActivityCode::OrientationTalks], vec![])).await.expect("talk");
    let today = env.today();
    let period = SubsidyPeriod::new(
        SubsidyPeriodId::from_u128(fresh()),
        "Ketenoverleg",
        today,
        today + Duration::days(30),
        vec![],
    )
    .expect("period");
    svc.define_subsidy_period(&lead, period.clone()).await.expect("define");
    let id = MeetingId::from_u128(fresh());
    svc.schedule_meeting(&worker, id, today).await.expect("schedule");
    let meet = |cmd: MeetingCommand| async { svc.execute_meeting(&worker, id, None, cmd).await };
    meet(MeetingCommand::AddToAgenda { participant: p, reasons: vec![] }).await.expect("agenda");
    let discuss = || MeetingCommand::RecordDiscussion {
        participant: p,
        information_supplied: None,
        decision: Some(text("Verder")),
    };
    // The discussion reaches the case file: recorded by whoever may update it (the
    // participant's own project worker, the lead), not by another worker; nothing is written.
    let other = staff(env, Role::ProjectWorker);
    let refused = svc.execute_meeting(&other, id, None, discuss()).await.expect_err("not their participant");
    assert_eq!(refused.code(), "access_denied");
    assert_eq!(svc.get_meeting(&worker, id).await.expect("meeting").version(), 2, "the meeting is unchanged");
    meet(discuss()).await.expect("discussed");
    meet(discuss()).await.expect("discussed again");
    meet(MeetingCommand::AdviseTermination {
        participant: p,
        advice: Advice::EndGuidance,
        reasoning: text("Geen inzet"),
    })
    .await
    .expect("advised");
    let chain_outflow =
        CaseCommand::RecordOutflow { outcome: OutflowOutcome::EndedByChainDecision, on: today, note: None };
    let refused = svc.execute(&worker, p, None, chain_outflow.clone()).await.expect_err("no decision yet");
    assert_eq!(refused.code(), "adopted_advice_required");
    let talk = MeetingCommand::RecordTerminationTalk { participant: p, on: today };
    assert_eq!(meet(talk.clone()).await.expect_err("not adopted").code(), "adopted_advice_required");
    assert_eq!(svc.get_case(&worker, p).await.expect("case").phase(), Phase::Orientation);
    meet(MeetingCommand::RecordChainDecision { participant: p, decision: ChainDecision { adopted: true, note: None } })
        .await
        .expect("decided");
    let case = svc.get_case(&worker, p).await.expect("case");
    assert_eq!(case.phase(), Phase::Termination, "the adopted advice reached the case");
    assert!(case.adopted_termination().is_some_and(|r| r.meeting == id && r.on == today));
    meet(talk).await.expect("talk after the decision");
    svc.execute(&worker, p, None, chain_outflow).await.expect("outflow on the chain's decision");
    let steps: Vec<ChainStep> =
        svc.get_case(&worker, p).await.expect("case").chain_meetings().iter().map(|r| r.step).collect();
    assert_eq!(
        steps,
        [
            ChainStep::Discussed,
            ChainStep::TerminationAdvised { advice: Advice::EndGuidance },
            ChainStep::ChainDecided { advice: Advice::EndGuidance, adopted: true },
            ChainStep::TerminationTalkHeld,
        ]
    );

    let report = svc.subsidy_report(&lead, period.id(), today).await.expect("report");
    for code in [ActivityCode::Evaluation, ActivityCode::ProposeTermination] {
        let figure = report.activities.iter().find(|f| f.measure == Measure::Activity(code)).expect("figure");
        assert_eq!(figure.registered_persons, 1, "{code:?} counts the person discussed, once");
        let query = FigureQuery { figure: Figure::Measure(Measure::Activity(code)), slice: Slice::All };
        let drill = svc.subsidy_drilldown(&lead, period.id(), today, query).await.expect("drill-down");
        assert_eq!(drill.participants, [p], "{code:?}");
    }
}

/// Meetings are listed newest first a page at a time (the token binds to the days), for the
/// foundation's staff only; the generated agenda is adopted in one step, once.
pub async fn meetings_are_listed_and_adopt_their_agenda<S: PerspectiefService>(svc: &S, env: &Env<'_>) {
    let worker = staff(env, Role::ProjectWorker);
    let partner = Caller {
        purpose: perspectief_core::service::Purpose::ChainCooperation,
        ..Caller::local(Actor {
            user: UserId::from_u128(fresh()),
            organisation: register_partner(env, "KETEN").await.id,
            role: Role::ChainPartner,
            grant: Grant::all_categories(ConfidentialityLevel::Vertrouwelijk),
        })
    };
    // Days no other check schedules meetings on.
    let first = env.today() - Duration::days(200);
    let days = perspectief_core::time::DateRange::new(first, first + Duration::days(10)).expect("days");
    let mut ids = Vec::new();
    for (n, date) in [first, first, first + Duration::days(1)].into_iter().enumerate() {
        let id = MeetingId::from_u128(fresh());
        svc.schedule_meeting(&worker, id, date).await.unwrap_or_else(|e| panic!("schedule {n}: {e}"));
        ids.push((date, id));
    }
    ids.sort();
    ids.reverse();
    let page = |token| PageRequest { page_size: 2, page_token: token };
    let one = svc.list_meetings(&worker, days, page(None)).await.expect("first page");
    let token = one.next_page_token.clone().expect("a second page");
    let two = svc.list_meetings(&worker, days, page(Some(token.clone()))).await.expect("second page");
    assert_eq!(two.next_page_token, None);
    let listed: Vec<_> = one.items.iter().chain(&two.items).map(|m| (m.date(), m.id())).collect();
    assert_eq!(listed, ids, "newest first, then by id");
    let other = perspectief_core::time::DateRange::new(first, first + Duration::days(11)).expect("days");
    let err = svc.list_meetings(&worker, other, page(Some(token))).await.expect_err("token of other days");
    assert!(err.violations().is_some_and(|v| v.has("page_token")), "{err:?}");
    assert_eq!(svc.list_meetings(&partner, days, page(None)).await.expect_err("partner").code(), "access_denied");

    // Nobody contacted for four weeks by the meeting's day: on its agenda, adopted once.
    let case = register(svc, env, &worker, "Agenda").await;
    let id = MeetingId::from_u128(fresh());
    svc.schedule_meeting(&worker, id, env.today() + Duration::days(28)).await.expect("schedule");
    let err = svc.adopt_agenda(&partner, id, None).await.expect_err("partner");
    assert_eq!(err.code(), "access_denied");
    let m = svc.adopt_agenda(&worker, id, Some(1)).await.expect("adopt");
    let item = m.items().find(|i| i.participant == case.id()).expect("on the meeting");
    assert!(item.reasons.iter().any(|r| matches!(r, AgendaReason::NoContact { days: 28 })), "{:?}", item.reasons);
    assert_eq!(svc.get_meeting(&worker, id).await.expect("get"), m);
    let stale = svc.adopt_agenda(&worker, id, Some(1)).await.expect_err("stale");
    assert_eq!(stale, DomainError::VersionConflict { expected: 1, current: m.version() });
    let again = svc.adopt_agenda(&worker, id, Some(m.version())).await.expect("again");
    assert_eq!(again.version(), m.version(), "adopting again adds nobody twice");
}

/// A trajectory past its 18-month limit without a termination advice is on the worklist and
/// the agenda (the core's rule, [`Case::past_limit_without_advice`]) until an advice is given.
pub async fn past_limit_without_advice_is_signalled<S: PerspectiefService + ReportingService>(svc: &S, env: &Env<'_>) {
    let worker = staff(env, Role::ProjectWorker);
    let today = env.today();
    let cmd = RegisterParticipant {
        id: ParticipantId::from_u128(fresh()),
        profile: profile(worker.actor.user, "Termijn"),
        registered_on: today.checked_sub_months(chrono::Months::new(19)).expect("a day"),
    };
    let case = svc.register_participant(&worker, cmd).await.expect("register");
    let p = case.id();
    svc.execute(&worker, p, None, contact(env, &[ActivityCode::OrientationTalks], vec![])).await.expect("talk");
    let case = svc.get_case(&worker, p).await.expect("case");
    let limit = case.past_limit_without_advice(today).expect("past the limit, no advice");
    let listed = |list: perspectief_core::service::Worklist| {
        list.past_limit_without_advice.into_iter().filter(|w| w.participant == p).collect::<Vec<_>>()
    };
    let list = svc.worklist(&worker, WorklistQuery::for_day(today)).await.expect("worklist");
    assert_eq!(listed(list), [WorkItem { participant: p, subject: WorkSubject::Participant, date: limit }]);
    let days_over = (today - limit).num_days();
    let agenda = svc.meeting_agenda(&worker, AgendaQuery::for_meeting(today)).await.expect("agenda");
    let entry = agenda.entries.iter().find(|e| e.participant == p).expect("on the agenda");
    assert!(entry.reasons.contains(&AgendaReason::PastLimitWithoutAdvice { days_over }), "{:?}", entry.reasons);

    let id = MeetingId::from_u128(fresh());
    svc.schedule_meeting(&worker, id, today).await.expect("schedule");
    svc.execute_meeting(&worker, id, None, MeetingCommand::AddToAgenda { participant: p, reasons: vec![] })
        .await
        .expect("agenda");
    let advise =
        MeetingCommand::AdviseTermination { participant: p, advice: Advice::Continue, reasoning: text("Inzet") };
    svc.execute_meeting(&worker, id, None, advise).await.expect("advised");
    let list = svc.worklist(&worker, WorklistQuery::for_day(today)).await.expect("worklist");
    assert_eq!(listed(list), [], "an advice was given");
    let agenda = svc.meeting_agenda(&worker, AgendaQuery::for_meeting(today)).await.expect("agenda");
    let reasons = agenda.entries.iter().find(|e| e.participant == p).map(|e| e.reasons.clone()).unwrap_or_default();
    assert!(!reasons.iter().any(|r| matches!(r, AgendaReason::PastLimitWithoutAdvice { .. })), "{reasons:?}");
}

/// Generates one test per conformance check, each named after its check, for one backend:
/// `conformance_tests!(runner)` in a module of its own, where `runner` is an `async fn(Check)`
/// that sets up a fresh service and calls [`Check::run`]. Every check then passes or fails on
/// its own (a first failure no longer hides the rest).
///
/// The list of checks lives here once; `@list` hands it to the other arms (the [`Check`] enum
/// is generated from it too, so a check cannot be in one and missing from the other).
#[macro_export]
macro_rules! conformance_tests {
    (@list $($arm:tt)*) => {
        $crate::conformance_tests!($($arm)*;
            case_round_trip,
            a_contact_sent_twice_is_one_contact,
            stale_version_is_a_conflict,
            refusals_are_audited_and_write_nothing,
            reads_are_logged_and_the_chain_verifies,
            invalid_input_names_the_field,
            listing_pages_and_filters,
            sessions_are_stored,
            meetings_and_periods_are_stored,
            chain_meetings_count_and_decide,
            meetings_are_listed_and_adopt_their_agenda,
            past_limit_without_advice_is_signalled,
            event_feed_follows_consent,
            organisations_are_one_directory,
            worklist_matches_the_core_rules,
            worklist_lists_goals_judgments_and_reports_due,
            late_entries_keep_their_day
        );
    };
    (@enum; $($check:ident),*) => {
        /// One check of the suite, named after its function (the tests carry the same names).
        #[allow(non_camel_case_types)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Check {
            $(
                #[doc = concat!("[`", stringify!($check), "`]")]
                $check,
            )*
        }

        impl Check {
            /// Run this check against `svc`.
            pub async fn run<S: PerspectiefService + DirectoryService + ReportingService>(
                self,
                svc: &S,
                env: &Env<'_>,
            ) {
                match self {
                    $(Check::$check => $check(svc, env).await,)*
                }
            }
        }
    };
    (@tests $runner:path; $($check:ident),*) => {
        $(
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $check() {
                $runner($crate::conformance::Check::$check).await;
            }
        )*
    };
    ($runner:path) => {
        $crate::conformance_tests!(@list @tests $runner);
    };
}

conformance_tests!(@list @enum);
