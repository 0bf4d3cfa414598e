//! The fuzz corpus of `grpc_conversion` (`fuzz/corpus/grpc_conversion/`, and the crashes once
//! found in `fuzz/regressions/grpc_conversion/`), replayed through the function the fuzz target
//! calls: what the fuzzer found stays checked on stable, in every `cargo test`.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use perspectief_core::report::{AgendaQuery, Figure, FigureQuery, Measure, Slice};
use perspectief_core::service::WorklistQuery;
use perspectief_core::*;
use perspectief_grpc::convert::ToProto;
use perspectief_grpc::convert::case_commands::{CaseCommandRequest, case_command_request};
use perspectief_grpc::convert::meetings::{MeetingCommandRequest, ScheduleMeeting, meeting_command_request};
use perspectief_grpc::convert::reports::agenda_request;
use perspectief_grpc::convert::sessions::{SessionCommandRequest, session_command_request};
use perspectief_grpc::fuzzing::{MESSAGES, grpc_conversion, message_index, samples};
use perspectief_grpc::pb;
use prost::Message;

#[path = "../../../fuzz/replay.rs"]
mod replay;

use replay::{fuzz_dir, inputs, replay};

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
    for command in samples::case_commands() {
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
                SetConfidentiality,
                SetReportingSchedule,
            );
            let mut s = vec![message_index(name).unwrap()];
            s.extend(bytes);
            seeds.push(s);
        }
    }
    let register = RegisterParticipant { id: participant, profile: samples::profile(), registered_on: day(2) };
    seeds.push(seed("CreateParticipantRequest", &register.to_proto()));
    seeds.push(seed(
        "CreateParticipantRequest",
        &pb::CreateParticipantRequest { participant_id: String::new(), ..register.to_proto() },
    ));
    let case_file = pb::CaseFile {
        name: format!("participants/{participant}"),
        etag: "3".to_owned(),
        profile: Some(samples::profile().to_proto()),
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
    let late = perspectief_core::late::LateEntryQuery {
        from: day(1),
        to: day(31),
        recorded_by: Some(UserId::from_u128(1)),
        page: perspectief_core::service::PageRequest { page_size: 20, page_token: Some("20".to_owned()) },
    };
    seeds.push(seed("ListLateEntriesRequest", &late.to_proto()));
    seeds.push(seed(
        "ListLateEntriesRequest",
        &perspectief_core::late::LateEntryQuery {
            recorded_by: None,
            page: perspectief_core::service::PageRequest::default(),
            ..late
        }
        .to_proto(),
    ));
    seeds.push(seed(
        "ListMeetingsRequest",
        &pb::ListMeetingsRequest {
            start_date: Some(day(1).to_proto()),
            end_date: Some(day(31).to_proto()),
            page_size: 10,
            page_token: String::new(),
        },
    ));
    seeds.push(seed(
        "ListMeetingsRequest",
        &pb::ListMeetingsRequest {
            start_date: Some(day(31).to_proto()),
            end_date: Some(day(1).to_proto()),
            page_size: 0,
            page_token: "10".to_owned(),
        },
    ));
    seeds.push(seed(
        "AdoptAgendaRequest",
        &pb::AdoptAgendaRequest { name: format!("meetings/{meeting}"), etag: "4".to_owned() },
    ));
    seeds.push(seed(
        "AdoptAgendaRequest",
        &pb::AdoptAgendaRequest { name: format!("meetings/{meeting}"), etag: String::new() },
    ));

    let dir = fuzz_dir().join("corpus/grpc_conversion");
    std::fs::create_dir_all(&dir).unwrap();
    for (i, s) in seeds.iter().enumerate() {
        grpc_conversion(s);
        std::fs::write(dir.join(format!("seed-{i:03}")), s).unwrap();
    }
}
