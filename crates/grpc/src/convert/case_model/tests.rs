use std::collections::BTreeSet;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use perspectief_core::{
    AgreementId, CaseCommand, CommandContext, ConsentId, ContactId, GoalId, JudgmentId, NewAgreement, NewContact,
    NewGoal, ObstacleId, OrganisationId, ParticipantId, ReferralId, RegisterParticipant, ReportId,
};
use perspectief_core::{LanguageCode, Name, Text, UserId, VNumber};

use super::*;

const WORKER: UserId = UserId::from_u128(1);
const IOM: OrganisationId = OrganisationId::from_u128(101);
const GEMEENTE: OrganisationId = OrganisationId::from_u128(102);

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
}

fn noon(d: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&d.and_hms_opt(12, 0, 0).unwrap())
}

fn ctx(d: u32) -> CommandContext {
    CommandContext { actor: WORKER, now: noon(day(d)), today: day(d) }
}

fn text(s: &str) -> Text {
    Text::parse(s).unwrap()
}

fn profile() -> ParticipantProfile {
    ParticipantProfile {
        given_names: Name::parse("Testpersoon").unwrap(),
        family_name: Some(Name::parse("Synthetisch").unwrap()),
        aliases: vec![Name::parse("Test P.").unwrap()],
        date_of_birth: Some(DateOfBirth::Month { year: 1990, month: 5 }),
        country_of_origin: Some(CountryCode::parse("ER").unwrap()),
        nationalities: vec![Nationality::Country(CountryCode::parse("ER").unwrap()), Nationality::Stateless],
        languages: vec![LanguageCode::parse("ti").unwrap(), LanguageCode::parse("en").unwrap()],
        v_number: Some(VNumber::parse("1234567890").unwrap()),
        lvv_location: Some(Label::parse("LVV West").unwrap()),
        project_worker: WORKER,
    }
}

fn run(case: &mut Case, command: CaseCommand, d: u32) {
    let name = command.name();
    case.execute(command, &ctx(d)).unwrap_or_else(|e| panic!("{name} refused: {e}"));
}

/// A case built through real commands that touches every part of the case file.
fn full_case() -> Case {
    let register = RegisterParticipant { id: ParticipantId::from_u128(7), profile: profile(), registered_on: day(2) };
    let (mut case, _) = Case::register(register, &ctx(2)).unwrap();
    let agreement = |id, who_acts| NewAgreement {
        id: AgreementId::from_u128(id),
        description: text("Paspoortfoto's laten maken"),
        due_on: day(20),
        who_acts,
    };
    run(
        &mut case,
        CaseCommand::LogContact(NewContact {
            id: ContactId::from_u128(1),
            at: noon(day(2)),
            kind: ContactKind::IndividualTalk,
            location: ContactLocation::LvvLocation(Label::parse("LVV West").unwrap()),
            staff: [UserId::from_u128(2)].into(),
            activities: [ActivityCode::OrientationTalks, ActivityCode::SocialGuidance].into(),
            summary: text("Eerste oriëntatiegesprek (synthetisch)."),
            category: DataCategory::Guidance,
            partner: None,
            duration_minutes: Some(45),
            agreements: vec![agreement(1, Responsible::Participant), agreement(2, Responsible::Staff(WORKER))],
            documents: Vec::new(),
        }),
        2,
    );
    run(
        &mut case,
        CaseCommand::LogContact(NewContact {
            id: ContactId::from_u128(2),
            at: noon(day(3)),
            kind: ContactKind::PartnerContact,
            location: ContactLocation::Remote,
            staff: BTreeSet::new(),
            activities: [ActivityCode::SocialGuidance].into(),
            summary: text("Overleg met huisarts (synthetisch)."),
            category: DataCategory::MedicalPsychosocial,
            partner: Some(IOM),
            duration_minutes: None,
            agreements: vec![],
            documents: Vec::new(),
        }),
        3,
    );
    run(
        &mut case,
        CaseCommand::AddAgreement {
            agreement: agreement(3, Responsible::Partner(IOM)),
            category: DataCategory::Legal,
            on: None,
        },
        3,
    );
    run(
        &mut case,
        CaseCommand::SettleAgreement { agreement: AgreementId::from_u128(1), fulfilled: true, on: day(4) },
        4,
    );
    run(
        &mut case,
        CaseCommand::SettleAgreement { agreement: AgreementId::from_u128(2), fulfilled: false, on: day(4) },
        4,
    );
    run(&mut case, CaseCommand::RecordReturnStance { stance: ReturnStance::Considering, on: day(4), note: None }, 4);
    run(
        &mut case,
        CaseCommand::ChangeDirection { to: Direction::ReturnToOrigin, on: day(4), reasoning: text("Wil terug.") },
        4,
    );
    run(
        &mut case,
        CaseCommand::RevisePlan { personal_situation: text("Situatie."), perspective: text("Terugkeer."), on: None },
        4,
    );
    run(&mut case, CaseCommand::AgreePlan { revision: 1, on: day(4) }, 4);
    run(
        &mut case,
        CaseCommand::SetGoal(NewGoal {
            id: GoalId::from_u128(1),
            description: text("Documenten verzamelen"),
            rationale: Some(text("Nodig voor vertrek")),
            responsible: Responsible::Partner(IOM),
            partners: vec![IOM, GEMEENTE],
            deadline: day(30),
            next_steps: Some(text("Ambassade bellen")),
            set_on: None,
        }),
        5,
    );
    run(
        &mut case,
        CaseCommand::SetGoal(NewGoal {
            id: GoalId::from_u128(2),
            description: text("Taalles volgen"),
            rationale: None,
            responsible: Responsible::Participant,
            partners: vec![],
            deadline: day(31),
            next_steps: None,
            set_on: None,
        }),
        5,
    );
    run(
        &mut case,
        CaseCommand::ChangeGoalStatus {
            goal: GoalId::from_u128(1),
            to: GoalStatus::InProgress,
            new_deadline: None,
            on: day(6),
        },
        6,
    );
    run(
        &mut case,
        CaseCommand::ProposeReferral {
            id: ReferralId::from_u128(1),
            partner: IOM,
            domain: PartnerDomain::Return,
            reason: text("Ondersteuning bij terugkeer"),
            on: None,
        },
        6,
    );
    run(
        &mut case,
        CaseCommand::AdvanceReferral {
            referral: ReferralId::from_u128(1),
            to: ReferralStatus::Sent,
            on: day(6),
            note: Some(text("Per mail")),
            consent_override: Some(text("Spoed")),
        },
        6,
    );
    run(
        &mut case,
        CaseCommand::StartReturnExploration {
            on: day(7),
            findings: ExplorationFindings { documents: Some(text("Geen paspoort")), ..Default::default() },
        },
        7,
    );
    run(
        &mut case,
        CaseCommand::IdentifyObstacle {
            id: ObstacleId::from_u128(1),
            kind: ObstacleKind::MissingDocuments,
            description: text("Paspoort ontbreekt"),
            partner: Some(IOM),
            on: day(7),
        },
        7,
    );
    run(&mut case, CaseCommand::RecordReturnStance { stance: ReturnStance::Decided, on: day(8), note: None }, 8);
    run(
        &mut case,
        CaseCommand::ActOnObstacle {
            obstacle: ObstacleId::from_u128(1),
            description: text("Ambassade gebeld"),
            status: ObstacleStatus::BeingAddressed,
            on: day(8),
        },
        8,
    );
    run(
        &mut case,
        CaseCommand::UpdateReintegrationPlan(ReintegrationPlan {
            housing: Some(text("Bij familie")),
            business_plan: Some(text("Winkel")),
            ..Default::default()
        }),
        8,
    );
    run(
        &mut case,
        CaseCommand::RecordDepartureStep(DepartureStep {
            on: day(9),
            kind: DepartureStepKind::EmbassyVisit,
            note: text("Laissez-passer aangevraagd"),
        }),
        9,
    );
    run(
        &mut case,
        CaseCommand::UpdateReanChecklist(ReanChecklist {
            no_assisted_return_in_five_years: Some(true),
            travel_document_obtainable: Some(false),
            agrees_procedures_end: None,
            updated_on: None,
        }),
        9,
    );
    run(&mut case, CaseCommand::PlanDeparture { on: Some(day(28)), accompany_to_schiphol: true }, 9);
    run(
        &mut case,
        CaseCommand::RecordJudgment {
            id: JudgmentId::from_u128(1),
            verdict: Verdict::ReturnRealistic,
            finality: Finality::Provisional,
            reasoning: text("Gemotiveerd en documenten in aanvraag."),
            formed_on: day(10),
        },
        10,
    );
    run(
        &mut case,
        CaseCommand::RecordJudgmentCommunicated {
            judgment: JudgmentId::from_u128(1),
            to: Recipient::Partner(IOM),
            on: day(10),
        },
        10,
    );
    run(
        &mut case,
        CaseCommand::RecordJudgmentCommunicated {
            judgment: JudgmentId::from_u128(1),
            to: Recipient::Municipality,
            on: day(10),
        },
        10,
    );
    run(&mut case, CaseCommand::RecordConsequencesExplained { judgment: JudgmentId::from_u128(1), on: day(10) }, 10);
    run(
        &mut case,
        CaseCommand::RecordSelfReliance {
            assessed_on: day(11),
            scores: [(ZrmDomain::Finances, ZrmScore::new(2).unwrap()), (ZrmDomain::Justice, ZrmScore::new(5).unwrap())]
                .into(),
        },
        11,
    );
    run(
        &mut case,
        CaseCommand::GiveConsent {
            id: ConsentId::from_u128(1),
            organisation: IOM,
            categories: [DataCategory::Identity, DataCategory::Return].into(),
            purpose: text("Terugkeer voorbereiden"),
            given_on: day(11),
        },
        11,
    );
    run(
        &mut case,
        CaseCommand::GiveConsent {
            id: ConsentId::from_u128(2),
            organisation: GEMEENTE,
            categories: [DataCategory::Reports].into(),
            purpose: text("Voortgang"),
            given_on: day(11),
        },
        11,
    );
    // The report goes out under the municipality's consent, which is withdrawn afterwards.
    run(
        &mut case,
        CaseCommand::RecordProgressReport {
            id: ReportId::from_u128(1),
            period_from: day(2),
            period_to: day(12),
            sent_to: GEMEENTE,
            sent_on: None,
        },
        12,
    );
    run(&mut case, CaseCommand::WithdrawConsent { consent: ConsentId::from_u128(2), on: day(12) }, 12);
    run(
        &mut case,
        CaseCommand::RecordOutflow {
            outcome: OutflowOutcome::DepartedIndependentlySupervised,
            on: day(29),
            note: Some(text("Vertrokken met IOM")),
        },
        29,
    );
    case
}

fn round_trip<T, P>(value: &T) -> T
where
    T: ToProto<Proto = P> + FromProto<P> + PartialEq + std::fmt::Debug,
{
    T::from_proto(value.to_proto(), &Field::root()).unwrap_or_else(|e| panic!("{value:?}: {e:?}"))
}

fn path_of(e: &DomainError) -> (String, String) {
    let v = e.violations().unwrap_or_else(|| panic!("not a field error: {e:?}")).iter().next().unwrap();
    (v.field.clone(), v.code.code().to_owned())
}

#[test]
fn a_case_built_through_commands_survives_the_round_trip() {
    let case = full_case();
    // Every part is there, so the round trip below covers it.
    assert_eq!(case.goals().count(), 2);
    assert_eq!(case.agreements().count(), 3);
    assert_eq!(case.contacts().count(), 2);
    assert!(case.referrals().next().is_some() && case.obstacles().next().is_some());
    assert!(case.return_exploration().is_some() && case.reintegration_plan().is_some());
    assert!(case.departure().is_some() && case.outflow().is_some());
    assert!(!case.judgments().is_empty() && !case.self_reliance().is_empty() && !case.reports().is_empty());
    assert_eq!(case.consents().len(), 2);
    assert!(!case.direction_history().is_empty() && !case.plan_revisions().is_empty());

    let file = case.to_proto();
    assert_eq!(file.name, "participants/00000000-0000-0000-0000-000000000007");
    assert_eq!(file.etag, case.version().to_string());
    assert_eq!(file.limit_on, Some(NaiveDate::from_ymd_opt(2027, 9, 1).unwrap().to_proto()));
    let outflow = file.outflow.as_ref().unwrap();
    assert_eq!((outflow.durability, outflow.departure), (pb::Durability::Durable as i32, true));
    assert_eq!(file.referrals[0].status, pb::ReferralStatus::Sent as i32);
    assert_eq!(file.referrals[0].category, pb::DataCategory::Return as i32);
    assert_eq!(file.contacts[1].category, pb::DataCategory::MedicalPsychosocial as i32);
    assert_eq!(Case::from_proto(file, &Field::root()).unwrap(), case);

    // Through the wire format too, and the derived fields do not matter on the way in.
    let mut file = case_file_on(&CaseView::whole(&case), day(30));
    assert_eq!(file.limit_status, None, "no limit status after the outflow");
    file.referrals[0].status = pb::ReferralStatus::Revoked as i32;
    file.outflow.as_mut().unwrap().durability = 0;
    file.limit_on = None;
    let bytes = prost::Message::encode_to_vec(&file);
    let decoded: pb::CaseFile = prost::Message::decode(bytes.as_slice()).unwrap();
    assert_eq!(Case::from_proto(decoded, &Field::root()).unwrap(), case);
}

/// The sample profile with every optional part absent.
fn minimal_profile() -> ParticipantProfile {
    let full = profile();
    ParticipantProfile::minimal(full.given_names, full.project_worker)
}

#[test]
fn a_fresh_case_survives_the_round_trip_and_carries_its_limit_status() {
    let register =
        RegisterParticipant { id: ParticipantId::from_u128(8), profile: minimal_profile(), registered_on: day(2) };
    let (case, _) = Case::register(register, &ctx(2)).unwrap();
    let file = case_file_on(&CaseView::whole(&case), day(2));
    assert_eq!(file.limit_status.unwrap().state, pb::LimitState::WithinLimit as i32);
    assert_eq!((file.exploration, file.departure, file.outflow), (None, None, None));
    assert_eq!(Case::from_proto(case_file_on(&CaseView::whole(&case), day(2)), &Field::root()).unwrap(), case);
}

#[test]
fn every_enum_value_survives_the_round_trip() {
    for v in Phase::ALL {
        assert_eq!(round_trip(&v), v);
    }
    // Every listed value of each enum, through the proto and back.
    macro_rules! round_trips {
        ($($t:ident: $($v:ident),+;)*) => {$(
            for v in [$($t::$v),+] {
                assert_eq!(round_trip(&v), v);
            }
        )*};
    }
    round_trips! {
        Direction: Undecided, LegalProcedureNl, ReturnToOrigin, ThirdCountry;
        ReturnStance: NotDiscussed, NotConsidering, Considering, Decided;
        GoalStatus: Open, InProgress, Achieved, Missed, Dropped;
        ContactKind: IndividualTalk, Phone, GroupSession, ChainMeeting, PartnerContact, ShelterVisit, Accompaniment,
            Monitoring;
        PartnerDomain: Legal, Medical, Return, Shelter, Activities;
        ReferralStatus: Proposed, Sent, Accepted, Rejected, Completed, Revoked;
        ObstacleKind: Motivation, MissingDocuments, FamilyContact, HousingWorkPlan, Finances, MedicalPsychosocial,
            Other;
        ObstacleStatus: Identified, BeingAddressed, Removed, CannotBeRemoved;
        DepartureStepKind: Documents, EmbassyVisit, DtvCoordination, IomCoordination, Other;
        Verdict: ReturnRealistic, ReturnNotRealisticNow, ReturnNotPossible, NoCooperation;
        Finality: Provisional, Final;
    }
    for v in OutflowOutcome::ALL {
        assert_eq!(round_trip(&v), v);
        assert_eq!(round_trip(&v.durability()), v.durability());
    }
    for v in ZrmDomain::ALL {
        assert_eq!(round_trip(&v), v);
    }
    for v in DataCategory::ALL {
        assert_eq!(round_trip(&v), v);
    }
    for v in ActivityCode::ALL {
        assert_eq!(round_trip(&v), v);
    }
}

#[test]
fn every_variant_of_the_oneofs_survives_the_round_trip() {
    let date = day(2);
    for v in [
        DateOfBirth::Exact { date: NaiveDate::from_ymd_opt(1990, 5, 17).unwrap() },
        DateOfBirth::Month { year: 1990, month: 12 },
        DateOfBirth::Year { year: 1990 },
        DateOfBirth::Estimated { year: 1990 },
    ] {
        assert_eq!(round_trip(&v), v);
    }
    for v in [Nationality::Country(CountryCode::parse("SY").unwrap()), Nationality::Stateless, Nationality::Unknown] {
        assert_eq!(round_trip(&v), v);
    }
    for v in [Responsible::Participant, Responsible::Staff(WORKER), Responsible::Partner(IOM)] {
        assert_eq!(round_trip(&v), v);
    }
    for v in [AgreementStatus::Open, AgreementStatus::Fulfilled(date), AgreementStatus::NotFulfilled(date)] {
        assert_eq!(round_trip(&v), v);
    }
    let label = Label::parse("WereldHuis").unwrap();
    for v in [
        ContactLocation::Office,
        ContactLocation::LvvLocation(label.clone()),
        ContactLocation::Remote,
        ContactLocation::Partner(label.clone()),
        ContactLocation::External(label),
    ] {
        assert_eq!(round_trip(&v), v);
    }
    for v in [Recipient::Participant, Recipient::Municipality, Recipient::Partner(IOM)] {
        assert_eq!(round_trip(&v), v);
    }
    for v in [
        LimitStatus::WithinLimit { days_left: 200 },
        LimitStatus::Approaching { days_left: 0 },
        LimitStatus::Exceeded { days_over: 3 },
    ] {
        assert_eq!(round_trip(&v), v);
    }
    assert_eq!(LimitStatus::Exceeded { days_over: 3 }.to_proto().days_left, -3);
}

#[test]
fn records_with_optional_parts_absent_survive_the_round_trip() {
    let findings = ExplorationFindings::default();
    assert_eq!(round_trip(&findings), findings);
    let full = ExplorationFindings {
        motivation: Some(text("a")),
        documents: Some(text("b")),
        family_contact: Some(text("c")),
        prospects: Some(text("d")),
    };
    assert_eq!(round_trip(&full), full);
    let plan = ReintegrationPlan::default();
    assert_eq!(round_trip(&plan), plan);
    let rean = ReanChecklist::default();
    assert_eq!(round_trip(&rean), rean);
    let departure = DeparturePreparation::default();
    assert_eq!(round_trip(&departure), departure);
    let judgment = ReturnJudgment {
        id: JudgmentId::from_u128(1),
        verdict: Verdict::NoCooperation,
        finality: Finality::Final,
        reasoning: text("Geen medewerking."),
        plan_revision: Some(2),
        formed_on: day(2),
        formed_by: WORKER,
        communications: vec![Communication { to: Recipient::Participant, on: day(3) }],
        consequences_explained_on: None,
    };
    assert_eq!(round_trip(&judgment), judgment);
    let outflow = Outflow { outcome: OutflowOutcome::Other, on: day(2), note: None, recorded_by: WORKER };
    assert_eq!(round_trip(&outflow), outflow);
    let goal = Goal {
        id: GoalId::from_u128(1),
        description: text("Doel"),
        rationale: None,
        responsible: Responsible::Participant,
        partners: vec![],
        deadline: day(20),
        next_steps: None,
        status: GoalStatus::Open,
        plan_revision: 1,
        set_on: day(1),
        set_at: noon(day(2)),
        status_changed_on: None,
    };
    assert_eq!(round_trip(&goal), goal);
    let minimal = minimal_profile();
    assert_eq!(round_trip(&minimal), minimal);
    assert_eq!(round_trip(&profile()), profile());
}

#[test]
fn invalid_input_names_the_field() {
    let file = full_case().to_proto();
    let refuse = |f: pb::CaseFile| path_of(&Case::from_proto(f, &Field::root()).unwrap_err());

    let mut f = file.clone();
    f.profile = None;
    assert_eq!(refuse(f), ("profile".into(), "required".into()));
    let mut f = file.clone();
    f.name = "participants/7".into();
    assert_eq!(refuse(f), ("name".into(), "not_an_id".into()));
    let mut f = file.clone();
    f.phase = pb::Phase::Unspecified as i32;
    assert_eq!(refuse(f), ("phase".into(), "required".into()));
    let mut f = file.clone();
    f.direction = 99;
    assert_eq!(refuse(f), ("direction".into(), "unknown_value".into()));
    let mut f = file.clone();
    f.goals[1].deadline = Some(pb::Date { year: 2026, month: 2, day: 30 });
    assert_eq!(refuse(f), ("goals[1].deadline".into(), "not_a_date".into()));
    let mut f = file.clone();
    f.goals[1].id = f.goals[0].id.clone();
    assert_eq!(refuse(f), ("goals[1].id".into(), "duplicate".into()));
    let mut f = file.clone();
    f.goals[0].responsible = Some(pb::Responsible { kind: None });
    assert_eq!(refuse(f), ("goals[0].responsible".into(), "required".into()));
    let mut f = file.clone();
    f.agreements[2].agreement.as_mut().unwrap().who_acts =
        Some(pb::Responsible { kind: Some(pb::responsible::Kind::Partner("iom".into())) });
    assert_eq!(refuse(f), ("agreements[2].agreement.who_acts.partner".into(), "not_an_id".into()));
    let mut f = file.clone();
    f.agreements[0].category = pb::DataCategory::Unspecified as i32;
    assert_eq!(refuse(f), ("agreements[0].category".into(), "required".into()));
    let mut f = file.clone();
    f.agreements[1].agreement.as_mut().unwrap().id = f.agreements[0].agreement.as_ref().unwrap().id.clone();
    assert_eq!(refuse(f), ("agreements[1].agreement.id".into(), "duplicate".into()));
    let mut f = file.clone();
    f.contacts[0].contact.as_mut().unwrap().activities.push("9.9".into());
    assert_eq!(refuse(f), ("contacts[0].contact.activities[2]".into(), "unknown_activity_code".into()));
    let mut f = file.clone();
    f.contacts[0].contact.as_mut().unwrap().location =
        Some(pb::ContactLocation { kind: Some(pb::contact_location::Kind::External(" ".into())) });
    assert_eq!(refuse(f), ("contacts[0].contact.location.external".into(), "required".into()));
    let mut f = file.clone();
    f.profile.as_mut().unwrap().date_of_birth = Some(pb::DateOfBirth {
        precision: Some(pb::date_of_birth::Precision::Month(pb::date_of_birth::Month { year: 1990, month: 13 })),
    });
    assert_eq!(refuse(f), ("profile.date_of_birth.month.month".into(), "out_of_range".into()));
    let mut f = file.clone();
    f.profile.as_mut().unwrap().nationalities[0] =
        pb::Nationality { kind: Some(pb::nationality::Kind::Country("Eritrea".into())) };
    assert_eq!(refuse(f).0, "profile.nationalities[0].country");
    let mut f = file.clone();
    f.profile.as_mut().unwrap().v_number = "123".into();
    assert_eq!(refuse(f), ("profile.v_number".into(), "not_a_v_number".into()));
    let mut f = file.clone();
    f.referrals[0].history[0].by = String::new();
    assert_eq!(refuse(f), ("referrals[0].history[0].by".into(), "required".into()));
    let mut f = file.clone();
    f.self_reliance[0].scores[0].score = 0;
    assert_eq!(refuse(f), ("self_reliance[0].scores[0].score".into(), "out_of_range".into()));
    let mut f = file.clone();
    f.self_reliance[0].scores[1].domain = f.self_reliance[0].scores[0].domain;
    assert_eq!(refuse(f), ("self_reliance[0].scores[1].domain".into(), "duplicate".into()));
    let mut f = file.clone();
    f.judgments[0].communications[0].to = Some(pb::Recipient { kind: None });
    assert_eq!(refuse(f), ("judgments[0].communications[0].to".into(), "required".into()));
    let mut f = file.clone();
    f.consents[0].categories.push(77);
    assert_eq!(refuse(f), ("consents[0].categories[2]".into(), "unknown_value".into()));
    let mut f = file.clone();
    f.outflow.as_mut().unwrap().on = None;
    assert_eq!(refuse(f), ("outflow.on".into(), "required".into()));
    let mut f = file.clone();
    f.reports[0].sent_at = Some(prost_types::Timestamp { seconds: 0, nanos: -5 });
    assert_eq!(refuse(f), ("reports[0].sent_at".into(), "not_a_timestamp".into()));
    let mut f = file;
    f.departure.as_mut().unwrap().steps[0].kind = pb::DepartureStepKind::Unspecified as i32;
    assert_eq!(refuse(f), ("departure.steps[0].kind".into(), "required".into()));

    let at = Field::root().child("limit_status");
    let bad = pb::LimitStatus { state: pb::LimitState::Exceeded as i32, days_left: 4 };
    assert_eq!(path_of(&LimitStatus::from_proto(bad, &at).unwrap_err()).0, "limit_status.days_left");
    let bad = pb::LimitStatus { state: 0, days_left: 4 };
    assert_eq!(
        path_of(&LimitStatus::from_proto(bad, &at).unwrap_err()),
        ("limit_status.state".into(), "required".into())
    );
}
