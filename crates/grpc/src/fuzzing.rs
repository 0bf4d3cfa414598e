//! Fuzz targets of the gRPC adapter, shared by `fuzz/` (cargo-fuzz, nightly) and the replay of
//! its corpus in the normal tests. Not part of the API: hidden from the documentation.
//!
//! [`grpc_conversion`] decodes the bytes as one of the request messages whose conversion to
//! core values the server does (the first byte picks which, see [`MESSAGES`]) and checks what
//! [`crate::convert`] promises: it never panics; a refusal is an `invalid_input` error naming
//! non-empty field paths; an accepted request, converted back as the client would send it,
//! converts again to the same value; and the core's own field errors for an accepted case
//! command survive the renaming into the request's terms and back.

pub mod samples;

use std::fmt::Debug;
use std::sync::OnceLock;

use chrono::{NaiveDate, TimeZone, Utc};
use perspectief_core::report::{AgendaQuery, FigureQuery};
use perspectief_core::service::WorklistQuery;
use perspectief_core::{
    Case, CaseCommand, CommandContext, DomainError, Name, ParticipantId, ParticipantProfile, PlanSession,
    RegisterParticipant, SubsidyPeriod, SubsidyPeriodId, Text, UserId,
};
use prost::Message;

use crate::convert::case_commands::{
    CaseCommandRequest, CaseCommandTarget, ProfileUpdate, UPDATABLE_PROFILE_FIELDS, case_command_request,
    case_command_table, in_core_terms, in_request_terms, registration_in_core_terms, registration_in_request_terms,
};
use crate::convert::meetings::{MeetingCommandRequest, MeetingCommandTarget, ScheduleMeeting, meeting_command_request};
use crate::convert::reports::agenda_request;
use crate::convert::sessions::{SessionCommandRequest, SessionCommandTarget, session_command_request};
use crate::convert::{Field, FromProto, ToProto, optional, parse_name, required};
use crate::pb;

/// One kind of request: its name (for messages) and how its bytes are checked.
type Check = (&'static str, fn(&[u8]));

/// The case commands' request kinds, in the order of the table
/// ([`crate::convert::case_commands::case_command_table!`]).
macro_rules! case_command_checks {
    ($($v:ident($req:ident, $rpc:ident) $fields:tt),* $(,)?) => {
        [$((stringify!($req), |b| case_command(b, CaseCommandRequest::$v)),)*]
    };
}
const CASE_COMMANDS: &[Check] = &case_command_table!(case_command_checks);

/// The other request kinds.
const OTHERS: &[Check] = &[
    ("CreateParticipantRequest", create_participant),
    ("UpdateParticipantRequest", update_participant),
    ("RegisterAttendanceRequest", |b| session_command(b, SessionCommandRequest::RegisterAttendance)),
    ("RemoveAttendanceRequest", |b| session_command(b, SessionCommandRequest::RemoveAttendance)),
    ("SetUnregisteredHeadCountRequest", |b| session_command(b, SessionCommandRequest::SetUnregisteredHeadCount)),
    ("RescheduleSessionRequest", |b| session_command(b, SessionCommandRequest::Reschedule)),
    ("CancelSessionRequest", |b| session_command(b, SessionCommandRequest::Cancel)),
    ("CreateSessionRequest", create_session),
    ("AddToAgendaRequest", |b| meeting_command(b, MeetingCommandRequest::AddToAgenda)),
    ("RecordDiscussionRequest", |b| meeting_command(b, MeetingCommandRequest::RecordDiscussion)),
    ("AdviseTerminationRequest", |b| meeting_command(b, MeetingCommandRequest::AdviseTermination)),
    ("RecordChainDecisionRequest", |b| meeting_command(b, MeetingCommandRequest::RecordChainDecision)),
    ("RecordTerminationTalkRequest", |b| meeting_command(b, MeetingCommandRequest::RecordTerminationTalk)),
    ("CreateMeetingRequest", create_meeting),
    ("GetWorklistRequest", get_worklist),
    ("GetMeetingAgendaRequest", get_meeting_agenda),
    ("DrillDownSubsidyFigureRequest", drill_down_subsidy_figure),
    ("CreateSubsidyPeriodRequest", create_subsidy_period),
    ("GetProgressReportRequest", get_progress_report),
];

/// The request kinds added after the case commands that followed the first ones: they go last,
/// so that every earlier corpus input keeps its kind.
const LATER: &[Check] = &[
    ("ListLateEntriesRequest", list_late_entries),
    ("ListMeetingsRequest", list_meetings),
    ("AdoptAgendaRequest", adopt_agenda),
];

/// The case commands the corpus was first written with: the table's rows before these.
const FIRST_CASE_COMMANDS: usize = 31;

/// Every request kind the target knows; the first byte of the input picks one (modulo the
/// length). A corpus input's first byte must keep naming the same kind, so new kinds go last:
/// the first 31 case commands, the other kinds, then the case commands added since
/// (`SetConfidentialityRequest`), then the [`LATER`] kinds.
pub const MESSAGES: &[Check] = &{
    let mut all = [CASE_COMMANDS[0]; CASE_COMMANDS.len() + OTHERS.len() + LATER.len()];
    let mut i = 0;
    while i < all.len() {
        all[i] = if i < FIRST_CASE_COMMANDS {
            CASE_COMMANDS[i]
        } else if i < FIRST_CASE_COMMANDS + OTHERS.len() {
            OTHERS[i - FIRST_CASE_COMMANDS]
        } else if i < CASE_COMMANDS.len() + OTHERS.len() {
            CASE_COMMANDS[i - OTHERS.len()]
        } else {
            LATER[i - CASE_COMMANDS.len() - OTHERS.len()]
        };
        i += 1;
    }
    all
};

/// The index in [`MESSAGES`] of the request kind `name`, for writing seed inputs.
pub fn message_index(name: &str) -> Option<u8> {
    MESSAGES.iter().position(|(n, _)| *n == name).and_then(|i| u8::try_from(i).ok())
}

/// Decode and convert as the server does, and check the conversion's promises. Panics when one
/// is broken; never otherwise. Bytes that do not decode are the codec's INVALID_ARGUMENT,
/// before any conversion, so there is nothing more to check.
pub fn grpc_conversion(data: &[u8]) {
    let Some((kind, bytes)) = data.split_first() else { return };
    let (_, check) = MESSAGES[usize::from(*kind) % MESSAGES.len()];
    check(bytes);
}

fn decode<M: Message + Default>(bytes: &[u8]) -> Option<M> {
    M::decode(bytes).ok()
}

/// A refusal is the core's `invalid_input` with at least one violation, each naming the field
/// by a non-empty path (and, where given, below `under`).
fn assert_refusal(what: &dyn Debug, error: &DomainError, under: &str) {
    let Some(violations) = error.violations() else {
        panic!("{what:?}: refused with {error:?}, not a field error");
    };
    assert!(violations.iter().next().is_some(), "{what:?}: refused without naming a field");
    for v in violations.iter() {
        assert!(!v.field.is_empty(), "{what:?}: a refusal names no field: {error:?}");
        assert!(v.field.starts_with(under), "{what:?}: {} is not below {under}: {error:?}", v.field);
        assert_ne!(
            v.code,
            perspectief_core::ViolationCode::Unrecognised,
            "{what:?}: a refusal without a known code: {error:?}"
        );
    }
}

/// `from_proto` at the root, as the server's `convert` does.
fn convert<P, T: FromProto<P>>(proto: P) -> Result<T, DomainError> {
    T::from_proto(proto, &Field::root())
}

/// Converting the proto form of an accepted value again gives the same value.
fn assert_round_trip<P, T>(what: &dyn Debug, value: &T, proto: P)
where
    T: FromProto<P> + PartialEq + Debug,
{
    match convert::<P, T>(proto) {
        Ok(again) => assert_eq!(&again, value, "{what:?}: the round trip changed the value"),
        Err(e) => panic!("{what:?}: the proto form of an accepted value is refused: {e:?} (value {value:?})"),
    }
}

fn now() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 29, 10, 0, 0).single().unwrap_or_default()
}

fn day(month: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, month, d).unwrap_or_default()
}

/// A registered case with a plan, to decide accepted commands against (synthetic data).
fn base_case() -> &'static Case {
    static CASE: OnceLock<Case> = OnceLock::new();
    CASE.get_or_init(|| {
        let ctx = CommandContext::at(UserId::from_u128(1), now());
        let register =
            RegisterParticipant { id: ParticipantId::from_u128(7), profile: profile(), registered_on: day(3, 2) };
        let (mut case, _) = Case::register(register, &ctx).expect("a valid synthetic registration");
        let plan = CaseCommand::RevisePlan {
            personal_situation: Text::parse("Verblijft sinds 2019 in Nederland.").expect("valid text"),
            perspective: Text::parse("Onderzoeken van juridische mogelijkheden.").expect("valid text"),
            on: None,
        };
        case.execute(plan, &ctx).expect("a plan for a new case");
        case
    })
}

fn profile() -> ParticipantProfile {
    ParticipantProfile {
        given_names: Name::parse("Testpersoon").expect("a valid name"),
        family_name: Some(Name::parse("Voorbeeld").expect("a valid name")),
        aliases: Vec::new(),
        date_of_birth: None,
        country_of_origin: None,
        nationalities: Vec::new(),
        languages: Vec::new(),
        v_number: None,
        lvv_location: None,
        project_worker: UserId::from_u128(1),
    }
}

fn case_command<M: Message + Default>(bytes: &[u8], wrap: fn(M) -> CaseCommandRequest) {
    let Some(message) = decode::<M>(bytes) else { return };
    let request = wrap(message);
    let what = request.clone();
    let target: CaseCommandTarget = match convert(request) {
        Ok(t) => t,
        Err(e) => return assert_refusal(&what, &e, ""),
    };
    // The client sends every id the command holds, so the server records exactly it.
    let again = case_command_request(target.participant, target.expected_version, &target.command);
    assert_round_trip(&what, &target, again);
    // The core's field errors, renamed into the request's terms for the wire, come back to a
    // client as the core made them.
    let ctx = CommandContext::at(UserId::from_u128(1), now());
    if let Err(e) = base_case().decide(target.command.clone(), &ctx) {
        let on_wire = in_request_terms(&target.command, e.clone());
        if let Some(v) = on_wire.violations() {
            assert!(v.iter().all(|v| !v.field.is_empty()), "{what:?}: a core error names no field: {on_wire:?}");
        }
        assert_eq!(in_core_terms(&target.command, on_wire), e, "{what:?}: field paths do not translate back");
    }
}

fn create_participant(bytes: &[u8]) {
    let Some(request) = decode::<pb::CreateParticipantRequest>(bytes) else { return };
    let what = request.clone();
    let command: RegisterParticipant = match convert(request) {
        Ok(c) => c,
        Err(e) => return assert_refusal(&what, &e, ""),
    };
    assert_round_trip(&what, &command, command.to_proto());
    let ctx = CommandContext::at(UserId::from_u128(1), now());
    if let Err(e) = Case::register(command, &ctx) {
        let on_wire = registration_in_request_terms(e.clone());
        assert_eq!(registration_in_core_terms(on_wire), e, "{what:?}: field paths do not translate back");
    }
}

fn update_participant(bytes: &[u8]) {
    let Some(request) = decode::<pb::UpdateParticipantRequest>(bytes) else { return };
    let what = request.clone();
    let update: ProfileUpdate = match convert(request) {
        Ok(u) => u,
        Err(e) => return assert_refusal(&what, &e, ""),
    };
    assert!(!update.fields.is_empty(), "{what:?}: an update that changes nothing was accepted");
    assert!(update.fields.iter().all(|f| UPDATABLE_PROFILE_FIELDS.contains(f)), "{what:?}: {:?}", update.fields);
    let current = profile();
    let command = match update.apply(&current) {
        Ok(c) => c,
        Err(e) => return assert_refusal(&what, &e, "case_file.profile."),
    };
    let CaseCommand::UpdateProfile { profile: changed } = &command else {
        panic!("{what:?}: an update became {command:?}");
    };
    // Only the named fields change; the project worker never does.
    let unchanged = |field: &str| !update.fields.contains(field);
    let same = |field: &str, equal: bool| assert!(!unchanged(field) || equal, "{what:?}: {field} changed unasked");
    same("given_names", changed.given_names == current.given_names);
    same("family_name", changed.family_name == current.family_name);
    same("aliases", changed.aliases == current.aliases);
    same("date_of_birth", changed.date_of_birth == current.date_of_birth);
    same("country_of_origin", changed.country_of_origin == current.country_of_origin);
    same("nationalities", changed.nationalities == current.nationalities);
    same("languages", changed.languages == current.languages);
    same("v_number", changed.v_number == current.v_number);
    same("lvv_location", changed.lvv_location == current.lvv_location);
    assert_eq!(changed.project_worker, current.project_worker, "{what:?}: the project worker changed");
    // The same request applied to its own result changes nothing more (a retry is harmless).
    match update.apply(changed) {
        Ok(again) => assert_eq!(again, command, "{what:?}: applying the update twice differs"),
        Err(e) => panic!("{what:?}: the update refuses its own result: {e:?}"),
    }
}

fn session_command<M: Message + Default>(bytes: &[u8], wrap: fn(M) -> SessionCommandRequest) {
    let Some(message) = decode::<M>(bytes) else { return };
    let request = wrap(message);
    let what = request.clone();
    let target: SessionCommandTarget = match convert(request) {
        Ok(t) => t,
        Err(e) => return assert_refusal(&what, &e, ""),
    };
    let again = session_command_request(target.session, target.expected_version, &target.command);
    assert_round_trip(&what, &target, again);
}

fn create_session(bytes: &[u8]) {
    let Some(request) = decode::<pb::CreateSessionRequest>(bytes) else { return };
    let what = request.clone();
    match convert::<_, PlanSession>(request) {
        Ok(plan) => assert_round_trip(&what, &plan, plan.to_proto()),
        Err(e) => assert_refusal(&what, &e, ""),
    }
}

fn meeting_command<M: Message + Default>(bytes: &[u8], wrap: fn(M) -> MeetingCommandRequest) {
    let Some(message) = decode::<M>(bytes) else { return };
    let request = wrap(message);
    let what = request.clone();
    let target: MeetingCommandTarget = match convert(request) {
        Ok(t) => t,
        Err(e) => return assert_refusal(&what, &e, ""),
    };
    let again = meeting_command_request(target.meeting, target.expected_version, &target.command);
    assert_round_trip(&what, &target, again);
}

fn create_meeting(bytes: &[u8]) {
    let Some(request) = decode::<pb::CreateMeetingRequest>(bytes) else { return };
    let what = request.clone();
    match convert::<_, ScheduleMeeting>(request) {
        Ok(schedule) => assert_round_trip(&what, &schedule, schedule.to_proto()),
        Err(e) => assert_refusal(&what, &e, ""),
    }
}

fn get_worklist(bytes: &[u8]) {
    let Some(request) = decode::<pb::GetWorklistRequest>(bytes) else { return };
    let what = request.clone();
    match convert::<_, WorklistQuery>(request) {
        Ok(query) => assert_round_trip(&what, &query, query.to_proto()),
        Err(e) => assert_refusal(&what, &e, ""),
    }
}

fn get_meeting_agenda(bytes: &[u8]) {
    let Some(request) = decode::<pb::GetMeetingAgendaRequest>(bytes) else { return };
    let what = request;
    match convert::<_, AgendaQuery>(request) {
        Ok(query) => assert_round_trip(&what, &query, agenda_request(&query)),
        Err(e) => assert_refusal(&what, &e, ""),
    }
}

/// As the server's DrillDownSubsidyFigure: the period's name, the day, then the figure query.
fn drill_down_subsidy_figure(bytes: &[u8]) {
    let Some(request) = decode::<pb::DrillDownSubsidyFigureRequest>(bytes) else { return };
    let what = request.clone();
    let root = Field::root();
    if let Err(e) = parse_name::<SubsidyPeriodId>(
        crate::convert::subsidy::COLLECTION,
        &request.subsidy_period,
        &root.child("subsidy_period"),
    ) {
        assert_refusal(&what, &e, "subsidy_period");
    }
    if let Err(e) = optional::<_, NaiveDate>(request.as_of, &root.child("as_of")) {
        assert_refusal(&what, &e, "as_of");
    }
    match convert::<_, FigureQuery>((request.figure, request.slice)) {
        Ok(query) => {
            let (figure, slice) = query.to_proto();
            assert_round_trip(&what, &query, (Some(figure), Some(slice)));
        }
        Err(e) => assert_refusal(&what, &e, ""),
    }
}

fn create_subsidy_period(bytes: &[u8]) {
    let Some(request) = decode::<pb::CreateSubsidyPeriodRequest>(bytes) else { return };
    let what = request.clone();
    match required::<_, SubsidyPeriod>(request.subsidy_period, &Field::root().child("subsidy_period")) {
        Ok(period) => assert_round_trip(&what, &period, period.to_proto()),
        Err(e) => assert_refusal(&what, &e, "subsidy_period"),
    }
}

/// As the server's GetProgressReport: the participant's name and the two days.
fn get_progress_report(bytes: &[u8]) {
    let Some(request) = decode::<pb::GetProgressReportRequest>(bytes) else { return };
    let what = request.clone();
    let root = Field::root();
    match parse_name::<ParticipantId>("participants", &request.participant, &root.child("participant")) {
        Ok(p) => assert_eq!(
            parse_name::<ParticipantId>("participants", &format!("participants/{p}"), &root),
            Ok(p),
            "{what:?}: the participant's name does not round trip"
        ),
        Err(e) => assert_refusal(&what, &e, "participant"),
    }
    for (field, date) in [("period_from", request.period_from), ("period_to", request.period_to)] {
        match required::<_, NaiveDate>(date, &root.child(field)) {
            Ok(d) => assert_round_trip(&what, &d, d.to_proto()),
            Err(e) => assert_refusal(&what, &e, field),
        }
    }
}

/// As the server's ListLateEntries: the query converts, or is refused naming its field.
fn list_late_entries(bytes: &[u8]) {
    let Some(request) = decode::<pb::ListLateEntriesRequest>(bytes) else { return };
    let what = request.clone();
    match convert::<_, perspectief_core::late::LateEntryQuery>(request) {
        Ok(query) => assert_round_trip(&what, &query, query.to_proto()),
        Err(e) => assert_refusal(&what, &e, ""),
    }
}

/// As the server's ListMeetings: the two days (required), then the range the server allows.
fn list_meetings(bytes: &[u8]) {
    let Some(request) = decode::<pb::ListMeetingsRequest>(bytes) else { return };
    let what = request.clone();
    let root = Field::root();
    let mut days = Vec::new();
    for (field, date) in [("start_date", request.start_date), ("end_date", request.end_date)] {
        match required::<_, NaiveDate>(date, &root.child(field)) {
            Ok(d) => {
                assert_round_trip(&what, &d, d.to_proto());
                days.push(d);
            }
            Err(e) => assert_refusal(&what, &e, field),
        }
    }
    if let [from, to] = days[..]
        && let Ok(range) = perspectief_core::time::DateRange::new(from, to).and_then(|r| r.at_most(366))
    {
        assert!(range.from() <= range.to() && (range.to() - range.from()).num_days() <= 366, "{what:?}: {range:?}");
    }
}

/// As the server's AdoptAgenda: the meeting's name and the etag.
fn adopt_agenda(bytes: &[u8]) {
    let Some(request) = decode::<pb::AdoptAgendaRequest>(bytes) else { return };
    let what = request.clone();
    let root = Field::root();
    match parse_name::<perspectief_core::MeetingId>("meetings", &request.name, &root.child("name")) {
        Ok(id) => assert_eq!(
            parse_name::<perspectief_core::MeetingId>(
                "meetings",
                &crate::convert::resource_name("meetings", &id),
                &root
            ),
            Ok(id),
            "{what:?}: the meeting's name does not round trip"
        ),
        Err(e) => assert_refusal(&what, &e, "name"),
    }
    match crate::convert::expected_version(&request.etag, &root.child("etag")) {
        Ok(Some(version)) => assert_eq!(
            crate::convert::expected_version(&crate::convert::etag(version), &root),
            Ok(Some(version)),
            "{what:?}: the etag does not round trip"
        ),
        Ok(None) => assert!(request.etag.trim().is_empty(), "{what:?}: an etag was ignored"),
        Err(e) => assert_refusal(&what, &e, "etag"),
    }
}
