//! Fixtures: synthetic participants and a clock that the test moves by hand.

use std::collections::BTreeSet;

use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use perspectief_core::*;

pub const WORKER: UserId = UserId::from_u128(1);
pub const IOM: OrganisationId = OrganisationId::from_u128(101);
pub const GEMEENTE: OrganisationId = OrganisationId::from_u128(102);
pub const FOUNDATION: OrganisationId = OrganisationId::from_u128(100);
pub const POLICY: AccessPolicy = AccessPolicy { foundation: FOUNDATION };

pub fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// 2026-03-02, a Monday: the registration day of the fixture.
pub fn start() -> NaiveDate {
    day(2026, 3, 2)
}

pub fn noon(d: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&d.and_hms_opt(12, 0, 0).unwrap())
}

pub fn ctx_on(d: NaiveDate) -> CommandContext {
    CommandContext { actor: WORKER, now: noon(d), today: d }
}

pub fn later(d: NaiveDate, days: u64) -> NaiveDate {
    d.checked_add_days(Days::new(days)).unwrap()
}

pub fn text(s: &str) -> Text {
    Text::parse(s).unwrap()
}

pub fn profile() -> ParticipantProfile {
    ParticipantProfile {
        given_names: Name::parse("Testpersoon").unwrap(),
        family_name: Some(Name::parse("Synthetisch").unwrap()),
        aliases: vec![],
        date_of_birth: Some(DateOfBirth::Estimated { year: 1990 }),
        country_of_origin: Some(CountryCode::parse("ER").unwrap()),
        nationalities: vec![Nationality::Country(CountryCode::parse("ER").unwrap())],
        languages: vec![LanguageCode::parse("ti").unwrap()],
        v_number: None,
        lvv_location: Some(Label::parse("LVV West").unwrap()),
        project_worker: WORKER,
    }
}

/// A freshly registered case, and all its events so far.
pub fn registered() -> (Case, Vec<CaseEvent>) {
    let (case, event) = Case::register(
        RegisterParticipant { id: ParticipantId::from_u128(7), profile: profile(), registered_on: start() },
        &ctx_on(start()),
    )
    .unwrap();
    (case, vec![event])
}

pub fn contact(id: u128, on: NaiveDate, kind: ContactKind, codes: &[ActivityCode]) -> NewContact {
    NewContact {
        id: ContactId::from_u128(id),
        at: noon(on),
        kind,
        location: ContactLocation::Office,
        staff: BTreeSet::new(),
        activities: codes.iter().copied().collect(),
        summary: text("Gesprek gevoerd (synthetisch)."),
        category: DataCategory::Guidance,
        partner: None,
        duration_minutes: Some(45),
        agreements: vec![],
        documents: Vec::new(),
    }
}

pub fn revise() -> CaseCommand {
    CaseCommand::RevisePlan { personal_situation: text("Situatie."), perspective: text("Perspectief."), on: None }
}

pub fn goal(id: u128, deadline: NaiveDate) -> CaseCommand {
    CaseCommand::SetGoal(NewGoal {
        id: GoalId::from_u128(id),
        description: text("Documenten verzamelen"),
        rationale: None,
        responsible: Responsible::Participant,
        partners: vec![],
        deadline,
        next_steps: None,
        set_on: None,
    })
}

/// Run a command, keeping the event log; panics with the error when refused.
pub fn run(case: &mut Case, log: &mut Vec<CaseEvent>, cmd: CaseCommand, on: NaiveDate) -> Vec<CaseEvent> {
    let events = case.execute(cmd, &ctx_on(on)).unwrap_or_else(|e| panic!("refused: {e}"));
    log.extend(events.iter().cloned());
    events
}

/// A registered case after a first orientation talk (so in orientation).
pub fn oriented() -> (Case, Vec<CaseEvent>) {
    let (mut case, mut log) = registered();
    run(
        &mut case,
        &mut log,
        CaseCommand::LogContact(contact(900, start(), ContactKind::IndividualTalk, &[ActivityCode::OrientationTalks])),
        start(),
    );
    (case, log)
}

/// A case with an agreed plan, in plan execution.
pub fn with_agreed_plan() -> (Case, Vec<CaseEvent>) {
    let (mut case, mut log) = registered();
    run(&mut case, &mut log, revise(), start());
    run(&mut case, &mut log, CaseCommand::AgreePlan { revision: 1, on: start() }, start());
    (case, log)
}
