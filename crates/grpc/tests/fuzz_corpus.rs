//! The fuzz corpus of `grpc_conversion` (`fuzz/corpus/grpc_conversion/`, and the crashes once
//! found in `fuzz/regressions/grpc_conversion/`), replayed through the function the fuzz target
//! calls: what the fuzzer found stays checked on stable, in every `cargo test`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use chrono::{NaiveDate, TimeZone, Utc};
use perspectief_core::contact::ContactLocation;
use perspectief_core::outflow::ZrmScore;
use perspectief_core::report::{AgendaQuery, Figure, FigureQuery, Measure, Slice};
use perspectief_core::returns::{
    DepartureStep, DepartureStepKind, ExplorationFindings, ReanChecklist, ReintegrationPlan,
};
use perspectief_core::service::WorklistQuery;
use perspectief_core::*;
use perspectief_grpc::convert::ToProto;
use perspectief_grpc::convert::case_commands::{CaseCommandRequest, case_command_request};
use perspectief_grpc::convert::meetings::{MeetingCommandRequest, ScheduleMeeting, meeting_command_request};
use perspectief_grpc::convert::reports::agenda_request;
use perspectief_grpc::convert::sessions::{SessionCommandRequest, session_command_request};
use perspectief_grpc::fuzzing::{MESSAGES, grpc_conversion, message_index};
use perspectief_grpc::pb;
use prost::Message;

/// The fuzz directory at the repository's root.
fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

/// Every file of the target's corpus and regressions, sorted; the corpus must not be empty.
fn inputs(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let mut files = Vec::new();
    for kind in ["corpus", "regressions"] {
        let dir = fuzz_dir().join(kind).join(target);
        let Ok(entries) = std::fs::read_dir(&dir) else {
            assert_ne!(kind, "corpus", "the corpus {} is missing", dir.display());
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_file() {
                let bytes = std::fs::read(&path).unwrap();
                files.push((path, bytes));
            }
        }
    }
    files.sort();
    assert!(files.len() >= 10, "the fuzz corpus of {target} is (nearly) empty: {} files", files.len());
    files
}

/// Run every input, and name each one whose check panicked.
fn replay(target: &str, check: fn(&[u8])) {
    let failed: Vec<String> = inputs(target)
        .into_iter()
        .filter(|(_, bytes)| std::panic::catch_unwind(|| check(bytes)).is_err())
        .map(|(path, _)| path.display().to_string())
        .collect();
    assert!(failed.is_empty(), "{} inputs of {target} break an invariant: {failed:#?}", failed.len());
}

#[test]
fn the_grpc_conversion_fuzz_corpus_converts_and_round_trips() {
    replay("grpc_conversion", grpc_conversion);
}

#[test]
fn the_grpc_conversion_corpus_covers_every_request_kind() {
    let kinds: BTreeSet<usize> = inputs("grpc_conversion")
        .iter()
        .filter_map(|(_, b)| b.first())
        .map(|k| usize::from(*k) % MESSAGES.len())
        .collect();
    let missing: Vec<&str> = (0..MESSAGES.len()).filter(|k| !kinds.contains(k)).map(|k| MESSAGES[k].0).collect();
    assert!(missing.is_empty(), "no corpus input for {missing:?}");
}

// ---- Seed inputs ------------------------------------------------------------------------------

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
}

fn text(s: &str) -> Text {
    Text::parse(s).unwrap()
}

fn profile() -> ParticipantProfile {
    ParticipantProfile {
        given_names: Name::parse("Testpersoon").unwrap(),
        family_name: Some(Name::parse("Synthetisch").unwrap()),
        aliases: vec![Name::parse("T. Synthetisch").unwrap()],
        date_of_birth: Some(DateOfBirth::Estimated { year: 1990 }),
        country_of_origin: Some(CountryCode::parse("ER").unwrap()),
        nationalities: vec![],
        languages: vec![LanguageCode::parse("ti").unwrap(), LanguageCode::parse("en").unwrap()],
        v_number: None,
        lvv_location: Some(Label::parse("LVV West").unwrap()),
        project_worker: UserId::from_u128(1),
    }
}

/// One case command of most kinds, with their optional parts (synthetic data).
fn case_commands() -> Vec<CaseCommand> {
    let org = OrganisationId::from_u128(101);
    let agreement = |n: u128, who_acts| NewAgreement {
        id: AgreementId::from_u128(n),
        description: text("Paspoortfoto's laten maken"),
        due_on: day(20),
        who_acts,
    };
    vec![
        CaseCommand::UpdateProfile { profile: profile() },
        CaseCommand::AssignProjectWorker { worker: UserId::from_u128(2) },
        CaseCommand::ChangePhase { to: Phase::Termination, reason: text("Besproken in het ketenoverleg") },
        CaseCommand::ChangeDirection { to: Direction::ReturnToOrigin, on: day(3), reasoning: text("Wil terug") },
        CaseCommand::RecordReturnStance { stance: ReturnStance::Considering, on: day(3), note: Some(text("Twijfelt")) },
        CaseCommand::RevisePlan { personal_situation: text("Situatie"), perspective: text("Perspectief") },
        CaseCommand::AgreePlan { revision: 1, on: day(4) },
        CaseCommand::SetGoal(NewGoal {
            id: GoalId::from_u128(1),
            description: text("Brondocumenten opvragen"),
            rationale: Some(text("Nodig voor de aanvraag")),
            responsible: Responsible::Staff(UserId::from_u128(2)),
            partners: vec![org],
            deadline: day(31),
            next_steps: Some(text("Ambassade bellen")),
        }),
        CaseCommand::ChangeGoalStatus {
            goal: GoalId::from_u128(1),
            to: GoalStatus::InProgress,
            new_deadline: Some(day(30)),
            on: day(5),
        },
        CaseCommand::UpdateGoalSteps { goal: GoalId::from_u128(1), next_steps: text("Opnieuw bellen") },
        CaseCommand::LogContact(NewContact {
            id: ContactId::from_u128(3),
            at: Utc.with_ymd_and_hms(2026, 3, 2, 10, 30, 0).unwrap(),
            kind: ContactKind::IndividualTalk,
            location: ContactLocation::LvvLocation(Label::parse("LVV West").unwrap()),
            staff: [UserId::from_u128(1)].into(),
            activities: [ActivityCode::OrientationTalks, ActivityCode::RecordProcessInPlan].into(),
            summary: text("Gesprek over de toekomst"),
            category: DataCategory::Guidance,
            partner: Some(org),
            duration_minutes: Some(45),
            agreements: vec![agreement(4, Responsible::Participant), agreement(5, Responsible::Partner(org))],
        }),
        CaseCommand::AddAgreement {
            agreement: agreement(7, Responsible::Staff(UserId::from_u128(1))),
            category: DataCategory::Legal,
        },
        CaseCommand::SettleAgreement { agreement: AgreementId::from_u128(7), fulfilled: true, on: day(6) },
        CaseCommand::ProposeReferral {
            id: ReferralId::from_u128(8),
            partner: org,
            domain: PartnerDomain::Medical,
            reason: text("Huisarts"),
        },
        CaseCommand::AdvanceReferral {
            referral: ReferralId::from_u128(8),
            to: ReferralStatus::Sent,
            on: day(7),
            note: Some(text("Per mail")),
        },
        CaseCommand::StartReturnExploration {
            on: day(8),
            findings: ExplorationFindings {
                motivation: Some(text("Familie")),
                documents: None,
                family_contact: Some(text("Dagelijks")),
                prospects: None,
            },
        },
        CaseCommand::UpdateReturnExploration { findings: ExplorationFindings::default() },
        CaseCommand::IdentifyObstacle {
            id: ObstacleId::from_u128(9),
            kind: ObstacleKind::MissingDocuments,
            description: text("Geen paspoort"),
            partner: Some(org),
            on: day(8),
        },
        CaseCommand::ActOnObstacle {
            obstacle: ObstacleId::from_u128(9),
            description: text("Ambassade bezocht"),
            status: ObstacleStatus::BeingAddressed,
            on: day(9),
        },
        CaseCommand::UpdateReintegrationPlan(ReintegrationPlan {
            housing: Some(text("Bij familie")),
            income_work: None,
            business_plan: Some(text("Winkel")),
            care: None,
            contacts_abroad: Some(text("IOM")),
        }),
        CaseCommand::RecordDepartureStep(DepartureStep {
            on: day(10),
            kind: DepartureStepKind::EmbassyVisit,
            note: text("Afspraak gemaakt"),
        }),
        CaseCommand::UpdateReanChecklist(ReanChecklist {
            no_assisted_return_in_five_years: Some(true),
            travel_document_obtainable: Some(false),
            agrees_procedures_end: None,
        }),
        CaseCommand::PlanDeparture { on: Some(day(31)), accompany_to_schiphol: true },
        CaseCommand::RecordJudgment {
            id: JudgmentId::from_u128(11),
            verdict: Verdict::ReturnRealistic,
            finality: Finality::Provisional,
            reasoning: text("Gemotiveerd"),
            formed_on: day(11),
        },
        CaseCommand::RecordJudgmentCommunicated {
            judgment: JudgmentId::from_u128(11),
            to: Recipient::Partner(org),
            on: day(12),
        },
        CaseCommand::RecordConsequencesExplained { judgment: JudgmentId::from_u128(11), on: day(12) },
        CaseCommand::RecordSelfReliance {
            assessed_on: day(13),
            scores: [(ZrmDomain::Finances, ZrmScore::new(2).unwrap()), (ZrmDomain::Justice, ZrmScore::new(5).unwrap())]
                .into(),
        },
        CaseCommand::GiveConsent {
            id: ConsentId::from_u128(12),
            organisation: org,
            categories: [DataCategory::Identity, DataCategory::Return].into(),
            purpose: text("Terugkeer voorbereiden"),
            given_on: day(13),
        },
        CaseCommand::WithdrawConsent { consent: ConsentId::from_u128(12), on: day(14) },
        CaseCommand::RecordProgressReport {
            id: ReportId::from_u128(13),
            period_from: day(1),
            period_to: day(14),
            sent_to: OrganisationId::from_u128(102),
        },
        CaseCommand::RecordOutflow {
            outcome: OutflowOutcome::DepartedIndependentlySupervised,
            on: day(15),
            note: Some(text("Vertrokken met IOM")),
        },
    ]
}

/// The request message's name and bytes.
macro_rules! case_request_bytes {
    ($request:expr, $($variant:ident),* $(,)?) => {
        match $request {
            $(CaseCommandRequest::$variant(m) => (concat!(stringify!($variant), "Request"), m.encode_to_vec()),)*
        }
    };
}

fn seed(name: &str, message: &impl Message) -> Vec<u8> {
    let mut bytes = vec![message_index(name).unwrap_or_else(|| panic!("no request kind {name}"))];
    bytes.extend(message.encode_to_vec());
    bytes
}

/// Seed inputs: every request kind empty, and valid requests of every kind (synthetic data).
#[test]
#[ignore = "writes seed inputs into fuzz/corpus/grpc_conversion; run by hand when requests change"]
fn write_grpc_conversion_seeds() {
    let mut seeds: Vec<Vec<u8>> = (0..MESSAGES.len()).map(|k| vec![u8::try_from(k).unwrap()]).collect();
    let participant = ParticipantId::from_u128(7);
    for command in case_commands() {
        for version in [None, Some(3)] {
            let (name, bytes) = case_request_bytes!(
                case_command_request(participant, version, &command),
                UpdateProfile,
                AssignProjectWorker,
                ChangePhase,
                ChangeDirection,
                RecordReturnStance,
                RevisePlan,
                AgreePlan,
                SetGoal,
                ChangeGoalStatus,
                UpdateGoalSteps,
                LogContact,
                AddAgreement,
                SettleAgreement,
                ProposeReferral,
                AdvanceReferral,
                StartReturnExploration,
                UpdateReturnExploration,
                IdentifyObstacle,
                ActOnObstacle,
                UpdateReintegrationPlan,
                RecordDepartureStep,
                UpdateReanChecklist,
                PlanDeparture,
                RecordJudgment,
                RecordJudgmentCommunicated,
                RecordConsequencesExplained,
                RecordSelfReliance,
                GiveConsent,
                WithdrawConsent,
                RecordProgressReport,
                RecordOutflow,
            );
            let mut s = vec![message_index(name).unwrap()];
            s.extend(bytes);
            seeds.push(s);
        }
    }
    let register = RegisterParticipant { id: participant, profile: profile(), registered_on: day(2) };
    seeds.push(seed("CreateParticipantRequest", &register.to_proto()));
    seeds.push(seed(
        "CreateParticipantRequest",
        &pb::CreateParticipantRequest { participant_id: String::new(), ..register.to_proto() },
    ));
    let case_file = pb::CaseFile {
        name: format!("participants/{participant}"),
        etag: "3".to_owned(),
        profile: Some(profile().to_proto()),
        ..Default::default()
    };
    seeds.push(seed(
        "UpdateParticipantRequest",
        &pb::UpdateParticipantRequest {
            case_file: Some(case_file.clone()),
            update_mask: Some(prost_types::FieldMask {
                paths: vec!["profile.given_names".to_owned(), "profile.languages".to_owned()],
            }),
        },
    ));
    seeds.push(seed(
        "UpdateParticipantRequest",
        &pb::UpdateParticipantRequest { case_file: Some(case_file), update_mask: None },
    ));

    let session = SessionId::from_u128(1);
    for command in [
        SessionCommand::RegisterAttendance { participant },
        SessionCommand::RemoveAttendance { participant },
        SessionCommand::SetUnregisteredHeadCount { count: 12 },
        SessionCommand::Reschedule { date: day(30) },
        SessionCommand::Cancel { reason: text("De tolk is ziek") },
    ] {
        seeds.push(match session_command_request(session, Some(2), &command) {
            SessionCommandRequest::RegisterAttendance(r) => seed("RegisterAttendanceRequest", &r),
            SessionCommandRequest::RemoveAttendance(r) => seed("RemoveAttendanceRequest", &r),
            SessionCommandRequest::SetUnregisteredHeadCount(r) => seed("SetUnregisteredHeadCountRequest", &r),
            SessionCommandRequest::Reschedule(r) => seed("RescheduleSessionRequest", &r),
            SessionCommandRequest::Cancel(r) => seed("CancelSessionRequest", &r),
        });
    }
    let plan = PlanSession {
        id: session,
        date: day(28),
        topic: SessionTopic::Country(CountryCode::parse("ER").unwrap()),
        venue: Label::parse("WereldHuis").unwrap(),
        languages: [LanguageCode::parse("ti").unwrap(), LanguageCode::parse("ar").unwrap()].into(),
        facilitators: [UserId::from_u128(2)].into(),
        partner: Some(OrganisationId::from_u128(101)),
    };
    seeds.push(seed("CreateSessionRequest", &plan.to_proto()));

    let meeting = MeetingId::from_u128(1);
    for command in [
        MeetingCommand::AddToAgenda {
            participant,
            reasons: vec![
                AgendaReason::NoContact { days: 21 },
                AgendaReason::Other { note: Label::parse("Verzoek gemeente").unwrap() },
            ],
        },
        MeetingCommand::RecordDiscussion {
            participant,
            information_supplied: Some(text("Info")),
            decision: Some(text("Besluit")),
        },
        MeetingCommand::AdviseTermination { participant, advice: Advice::EndGuidance, reasoning: text("Waarom") },
        MeetingCommand::RecordChainDecision {
            participant,
            decision: meeting::ChainDecision { adopted: false, note: Some(text("Niet gevolgd")) },
        },
        MeetingCommand::RecordTerminationTalk { participant, on: day(30) },
    ] {
        seeds.push(match meeting_command_request(meeting, Some(4), &command) {
            MeetingCommandRequest::AddToAgenda(r) => seed("AddToAgendaRequest", &r),
            MeetingCommandRequest::RecordDiscussion(r) => seed("RecordDiscussionRequest", &r),
            MeetingCommandRequest::AdviseTermination(r) => seed("AdviseTerminationRequest", &r),
            MeetingCommandRequest::RecordChainDecision(r) => seed("RecordChainDecisionRequest", &r),
            MeetingCommandRequest::RecordTerminationTalk(r) => seed("RecordTerminationTalkRequest", &r),
        });
    }
    seeds.push(seed("CreateMeetingRequest", &ScheduleMeeting { meeting, date: day(25) }.to_proto()));

    let worklist = WorklistQuery { project_worker: Some(UserId::from_u128(1)), ..WorklistQuery::for_day(day(16)) };
    seeds.push(seed("GetWorklistRequest", &worklist.to_proto()));
    seeds.push(seed("GetMeetingAgendaRequest", &agenda_request(&AgendaQuery::for_meeting(day(25)))));
    let query = FigureQuery {
        figure: Figure::Measure(Measure::Activity(ActivityCode::OrientationTalks)),
        slice: Slice::Nationality(Some(CountryCode::parse("ER").unwrap())),
    };
    let (figure, slice) = query.to_proto();
    let period = SubsidyPeriodId::from_u128(21);
    seeds.push(seed(
        "DrillDownSubsidyFigureRequest",
        &pb::DrillDownSubsidyFigureRequest {
            subsidy_period: format!("subsidyPeriods/{period}"),
            as_of: Some(day(16).to_proto()),
            figure: Some(figure),
            slice: Some(slice),
        },
    ));
    let targets = vec![Target { measure: TargetMeasure::Theme(Theme::Guide), persons: 100 }];
    let subsidy = SubsidyPeriod::new(period, "Subsidie 2026", day(1), day(31), targets).unwrap();
    seeds.push(seed(
        "CreateSubsidyPeriodRequest",
        &pb::CreateSubsidyPeriodRequest { subsidy_period: Some(subsidy.to_proto()) },
    ));
    seeds.push(seed(
        "GetProgressReportRequest",
        &pb::GetProgressReportRequest {
            participant: format!("participants/{participant}"),
            period_from: Some(day(1).to_proto()),
            period_to: Some(day(14).to_proto()),
        },
    ));

    let dir = fuzz_dir().join("corpus/grpc_conversion");
    std::fs::create_dir_all(&dir).unwrap();
    for (i, s) in seeds.iter().enumerate() {
        grpc_conversion(s);
        std::fs::write(dir.join(format!("seed-{i:03}")), s).unwrap();
    }
}
