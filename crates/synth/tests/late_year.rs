//! Issue #17's first test: a year entered late equals a year entered live. The same generated
//! year is recorded once on the day (the clock moving forward with every command) and once
//! afterwards (the clock standing after the year's end) in a shuffled order that keeps only
//! what the rules need: sessions planned and meetings scheduled before anything happens in
//! them, participants registered before anything is recorded for them, each participant's
//! own commands in date order together with what chain meetings record in their case file
//! (a discussion before an outflow, an adopted advice before the outflow it ends in), and each
//! meeting's steps in order. Every command carries its effective date, so the subsidy reports,
//! drill-downs, worklists of past days, meeting agendas, the meetings themselves, the ZRM
//! cohort and each case's self-reliance assessments, progress reports, chain-meeting records,
//! judgments and outflow must be equal.
//!
//! Live, each meeting adopts the agenda the service generates on its day in one step (and the
//! test checks it is the one the generator expects); late, the agenda the service would
//! generate sees the rest of the year, so the meeting's people are entered from its minutes.

use std::collections::{BTreeMap, VecDeque};
use std::sync::Arc;

use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use perspectief_core::access::{Actor, Grant, Role};
use perspectief_core::late::LateEntryQuery;
use perspectief_core::report::{
    AgendaQuery, Figure, FigureQuery, FunnelStage, Measure, ReportingService, Slice, YearMonth,
};
use perspectief_core::service::{Caller, PageRequest, PerspectiefService, WorklistQuery};
use perspectief_core::{
    ActivityCode, CaseCommand, ChainStep, OrganisationId, OutflowOutcome, ParticipantId, SubsidyPeriod,
    SubsidyPeriodId, Target, TargetMeasure, Theme, UserId,
};
use perspectief_store::testing::{TEST_DATABASE_URL_VAR, TestDatabase};
use perspectief_store::{Keyring, ManualClock, Store, StoreOptions};
use perspectief_synth::{
    Config, MeetingScript, ParticipantScript, Rng, SessionScript, chain_meetings, participant, record_meeting_step,
    sessions,
};

async fn open_store(url: &str, now: DateTime<Utc>) -> (Store, Arc<ManualClock>) {
    let clock = Arc::new(ManualClock::new(now));
    let keys = Keyring::from_hex_keys(&[Keyring::generate_hex_key().unwrap()]).unwrap();
    let mut options = StoreOptions::new(url, keys);
    options.clock = clock.clone();
    (Store::open(options).await.unwrap(), clock)
}

fn caller(user: UserId, organisation: OrganisationId, role: Role) -> Caller {
    Caller::local(Actor { user, organisation, role, grant: Grant::NONE })
}

/// The organisations register and two subsidy periods (the first half year, and the whole year),
/// the same in both stores.
async fn prepare(store: &Store, config: &Config) {
    let foundation = store.policy().foundation;
    let admin = caller(UserId::from_u128(0xAD), foundation, Role::Administrator);
    for organisation in config.partner_organisations(foundation) {
        store.add_organisation(&admin, organisation).await.unwrap();
    }
    let lead = caller(config.lead, foundation, Role::ProjectLead);
    let half = config.start.checked_add_days(Days::new(180)).unwrap();
    for (id, name, ends_on) in [(1, "eerste helft", half), (2, "heel jaar", config.end())] {
        let period = SubsidyPeriod::new(
            SubsidyPeriodId::from_u128(id),
            name,
            config.start,
            ends_on,
            vec![Target { measure: TargetMeasure::Activity(ActivityCode::OrientationTalks), persons: 20 }],
        )
        .unwrap();
        store.define_subsidy_period(&lead, period).await.unwrap();
    }
}

/// One thing to record: a registration, a participant's step, a session's planning or a
/// session's step, a meeting's scheduling or a meeting's step (indexes into the scripts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Event {
    Register(usize),
    Step(usize, usize),
    PlanSession(usize),
    SessionStep(usize, usize),
    ScheduleMeeting(usize),
    MeetingStep(usize, usize),
}

/// The generated year.
struct Year {
    config: Config,
    people: Vec<ParticipantScript>,
    sessions: Vec<SessionScript>,
    meetings: Vec<MeetingScript>,
}

impl Year {
    fn at(&self, e: Event) -> DateTime<Utc> {
        match e {
            Event::Register(p) => self.people[p].registered_at(),
            Event::Step(p, i) => self.people[p].steps[i].at,
            Event::PlanSession(n) => self.sessions[n].planned_at,
            Event::SessionStep(n, i) => self.sessions[n].steps[i].0,
            Event::ScheduleMeeting(m) => self.meetings[m].scheduled_at,
            Event::MeetingStep(m, i) => self.meetings[m].steps[i].at,
        }
    }
}

/// Record `e`; `late`: a meeting's agenda is entered from its minutes, not adopted.
async fn record(store: &Store, year: &Year, e: Event, late: bool) {
    let (config, people, sessions, meetings) = (&year.config, &year.people, &year.sessions, &year.meetings);
    let foundation = store.policy().foundation;
    let lead = config.caller(foundation, config.lead);
    match e {
        Event::Register(p) => {
            let s = &people[p];
            let worker = config.caller(foundation, s.register.profile.project_worker);
            store.register_participant(&worker, s.register.clone()).await.unwrap();
        }
        Event::Step(p, i) => {
            let (s, step) = (&people[p], &people[p].steps[i]);
            store
                .execute(&config.caller(foundation, step.actor), s.register.id, None, step.command.clone())
                .await
                .unwrap_or_else(|err| panic!("participant {p} step {i} ({}): {err}", step.command.name()));
        }
        Event::PlanSession(n) => {
            store.plan_session(&lead, sessions[n].plan.clone()).await.unwrap();
        }
        Event::SessionStep(n, i) => {
            store
                .execute_session(&lead, sessions[n].plan.id, None, sessions[n].steps[i].1.clone())
                .await
                .unwrap_or_else(|err| panic!("session {n} step {i}: {err}"));
        }
        Event::ScheduleMeeting(m) => {
            store.schedule_meeting(&lead, meetings[m].id, meetings[m].date).await.unwrap();
        }
        Event::MeetingStep(m, i) => {
            let step = &meetings[m].steps[i];
            record_meeting_step(store, meetings[m].id, step, &config.caller(foundation, step.actor), late)
                .await
                .unwrap_or_else(|err| panic!("meeting {m} step {i} ({:?}): {err}", step.action));
        }
    }
}

/// Every command of the generator names the day it happened: none leaves it to the clock.
fn assert_explicitly_dated(command: &CaseCommand) {
    let implicit = match command {
        CaseCommand::RevisePlan { on, .. } | CaseCommand::ProposeReferral { on, .. } => on.is_none(),
        CaseCommand::SetGoal(goal) => goal.set_on.is_none(),
        CaseCommand::UpdateReintegrationPlan(plan) => plan.updated_on.is_none(),
        _ => false,
    };
    assert!(!implicit, "{} is left to the clock", command.name());
}

/// What a case file holds of the kinds the chain meetings, the ZRM and the reports add, without
/// the moments of recording (which differ by design between live and late).
#[derive(Debug, PartialEq)]
struct CaseFacts {
    participant: ParticipantId,
    phase: perspectief_core::Phase,
    self_reliance: Vec<perspectief_core::outflow::ZrmAssessment>,
    /// Id, period, day sent, to whom, by whom.
    reports: Vec<(perspectief_core::ReportId, NaiveDate, NaiveDate, NaiveDate, OrganisationId, UserId)>,
    reporting_schedule: Option<u32>,
    chain_meetings: Vec<perspectief_core::ChainMeetingRecord>,
    judgments: Vec<perspectief_core::ReturnJudgment>,
    departure: Option<perspectief_core::returns::DeparturePreparation>,
    outflow: Option<perspectief_core::Outflow>,
}

/// Everything the reporting side shows of a store, as of days in the past; the clock is set
/// to the same moment first, so only the recorded data can make two stores differ.
#[derive(Debug, PartialEq)]
struct Views {
    reports: Vec<perspectief_core::report::SubsidyReport>,
    drilldowns: Vec<perspectief_core::report::Drilldown>,
    worklists: Vec<perspectief_core::service::Worklist>,
    agendas: Vec<perspectief_core::report::MeetingAgenda>,
    meetings: Vec<perspectief_core::ChainMeeting>,
    zrm: Vec<perspectief_core::report::ZrmCohort>,
    cases: Vec<CaseFacts>,
}

async fn views(store: &Store, clock: &ManualClock, year: &Year, now: DateTime<Utc>) -> Views {
    let config = &year.config;
    clock.set(now);
    let lead = caller(config.lead, store.policy().foundation, Role::ProjectLead);
    let day = |d: u64| config.start.checked_add_days(Days::new(d)).unwrap();
    let (half, whole) = (SubsidyPeriodId::from_u128(1), SubsidyPeriodId::from_u128(2));
    let mut reports = Vec::new();
    for (period, as_of) in [(half, day(180)), (half, day(120)), (whole, config.end()), (whole, day(270))] {
        reports.push(store.subsidy_report(&lead, period, as_of).await.unwrap());
    }
    let month = |m| Slice::Month(YearMonth::new(2025, m).unwrap());
    let queries = [
        (Figure::Measure(Measure::Reached), Slice::All),
        (Figure::Measure(Measure::Activity(ActivityCode::OrientationTalks)), Slice::All),
        (Figure::Measure(Measure::Activity(ActivityCode::OrientationTalks)), month(2)),
        (Figure::Measure(Measure::Theme(Theme::Guide)), month(4)),
        (Figure::Measure(Measure::Theme(Theme::Inform)), month(3)),
        (Figure::Measure(Measure::Activity(ActivityCode::InformationSessions)), Slice::All),
        (Figure::Measure(Measure::Reached), month(6)),
        (Figure::Measure(Measure::Activity(ActivityCode::ExploreReturn)), month(10)),
        (Figure::Departed, Slice::All),
        (Figure::Outflow(OutflowOutcome::DepartedIndependentlySupervised), month(9)),
        (Figure::Measure(Measure::Theme(Theme::Evaluate)), Slice::All),
        (Figure::Measure(Measure::Activity(ActivityCode::Evaluation)), Slice::All),
        (Figure::Measure(Measure::Activity(ActivityCode::ProposeTermination)), Slice::All),
        (Figure::Measure(Measure::Activity(ActivityCode::SelfReliance)), month(5)),
        (Figure::Measure(Measure::Activity(ActivityCode::Reporting)), Slice::All),
        (Figure::Outflow(OutflowOutcome::EndedByChainDecision), Slice::All),
    ];
    let mut drilldowns = Vec::new();
    for (figure, slice) in queries {
        let query = FigureQuery { figure, slice };
        drilldowns.push(store.subsidy_drilldown(&lead, whole, config.end(), query.clone()).await.unwrap());
        drilldowns.push(store.subsidy_drilldown(&lead, half, day(180), query).await.unwrap());
    }
    let mut worklists = Vec::new();
    for d in [day(60), day(200), day(330)] {
        worklists.push(store.worklist(&lead, WorklistQuery::for_day(d)).await.unwrap());
    }
    let mut agendas = Vec::new();
    for d in [day(140), day(300)] {
        agendas.push(store.meeting_agenda(&lead, AgendaQuery::for_meeting(d)).await.unwrap());
    }
    let mut meetings = Vec::new();
    for m in &year.meetings {
        meetings.push(store.get_meeting(&lead, m.id).await.unwrap());
    }
    let zrm = vec![store.zrm_cohort(&lead, half).await.unwrap(), store.zrm_cohort(&lead, whole).await.unwrap()];
    let mut cases = Vec::new();
    for p in &year.people {
        let case = store.get_case(&lead, p.register.id).await.unwrap();
        cases.push(CaseFacts {
            participant: case.id(),
            phase: case.phase(),
            self_reliance: case.self_reliance().to_vec(),
            reports: case
                .reports()
                .iter()
                .map(|r| (r.id, r.period_from, r.period_to, r.sent_on, r.sent_to, r.sent_by))
                .collect(),
            reporting_schedule: case.reporting_schedule(),
            chain_meetings: case.chain_meetings().to_vec(),
            judgments: case.judgments().to_vec(),
            departure: case.departure().cloned(),
            outflow: case.outflow().cloned(),
        });
    }
    Views { reports, drilldowns, worklists, agendas, meetings, zrm, cases }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_year_entered_late_equals_a_year_entered_live() {
    // Both recordings on each backend: SQLite always, PostgreSQL when configured.
    year_entered_late_equals_live("sqlite::memory:", "sqlite::memory:").await;
    match (TestDatabase::postgres_from_env().await, TestDatabase::postgres_from_env().await) {
        (Some(live), Some(late)) => year_entered_late_equals_live(&live.url, &late.url).await,
        _ => eprintln!("{TEST_DATABASE_URL_VAR} is not set: the PostgreSQL half did not run"),
    }
}

/// The year the test records: 40 participants over twelve months, weekly sessions, chain
/// meetings every two weeks.
fn year() -> Year {
    let config = Config::new(17, NaiveDate::from_ymd_opt(2025, 1, 6).unwrap(), 12);
    let mut people: Vec<ParticipantScript> = (0..40).map(|i| participant(&config, i)).collect();
    let registered: Vec<_> = people.iter().map(|s| (s.register.id, s.register.registered_on)).collect();
    let sessions = sessions(&config, &registered);
    let meetings = chain_meetings(&config, &mut people);
    Year { config, people, sessions, meetings }
}

/// The chains the late recording keeps in order: each participant's steps with the meeting
/// steps that write to their case (chain `p`), each session's steps, each meeting's steps.
/// `timeline` is the live order, which every chain follows. Returns the chains and, per
/// event, the chains it is in (one, or two for a meeting step on a participant).
fn chains(year: &Year, timeline: &[(DateTime<Utc>, Event)]) -> (Vec<VecDeque<Event>>, BTreeMap<Event, Vec<usize>>) {
    let index: BTreeMap<ParticipantId, usize> =
        year.people.iter().enumerate().map(|(p, s)| (s.register.id, p)).collect();
    let (people, sessions) = (year.people.len(), year.sessions.len());
    let mut chains: Vec<VecDeque<Event>> = vec![VecDeque::new(); people + sessions + year.meetings.len()];
    let mut member: BTreeMap<Event, Vec<usize>> = BTreeMap::new();
    for (_, event) in timeline {
        let of = match *event {
            Event::Step(p, _) => vec![p],
            Event::SessionStep(n, _) => vec![people + n],
            Event::MeetingStep(m, i) => {
                let mut of = vec![people + sessions + m];
                of.extend(year.meetings[m].steps[i].action.participant().map(|p| index[&p]));
                of
            }
            Event::Register(_) | Event::PlanSession(_) | Event::ScheduleMeeting(_) => vec![],
        };
        for c in &of {
            chains[*c].push_back(*event);
        }
        member.insert(*event, of);
    }
    (chains, member)
}

async fn year_entered_late_equals_live(live_url: &str, late_url: &str) {
    let year = year();
    let config = &year.config;
    for step in year.people.iter().flat_map(|s| &s.steps) {
        assert_explicitly_dated(&step.command);
    }

    // Live: everything in time order, the clock at each command's moment.
    let mut timeline: Vec<(DateTime<Utc>, Event)> = Vec::new();
    for (p, s) in year.people.iter().enumerate() {
        timeline.push((s.registered_at(), Event::Register(p)));
        timeline.extend((0..s.steps.len()).map(|i| Event::Step(p, i)).map(|e| (year.at(e), e)));
    }
    for (n, s) in year.sessions.iter().enumerate() {
        timeline.push((s.planned_at, Event::PlanSession(n)));
        timeline.extend((0..s.steps.len()).map(|i| Event::SessionStep(n, i)).map(|e| (year.at(e), e)));
    }
    for (m, s) in year.meetings.iter().enumerate() {
        timeline.push((s.scheduled_at, Event::ScheduleMeeting(m)));
        timeline.extend((0..s.steps.len()).map(|i| Event::MeetingStep(m, i)).map(|e| (year.at(e), e)));
    }
    // Stable: a script's own steps keep their order when they share a moment.
    timeline.sort_by_key(|(at, _)| *at);
    let start = Utc.from_utc_datetime(&config.start.and_hms_opt(8, 0, 0).unwrap());
    let (live, live_clock) = open_store(live_url, start).await;
    prepare(&live, config).await;
    for (at, event) in &timeline {
        live_clock.set(*at);
        record(&live, &year, *event, false).await;
    }

    // Late: the clock a month after the year, sessions planned, meetings scheduled and
    // participants registered first, then the chains' steps interleaved at random, an event
    // only once it is first in every chain it belongs to.
    let after =
        Utc.from_utc_datetime(&config.end().checked_add_days(Days::new(30)).unwrap().and_hms_opt(8, 0, 0).unwrap());
    let (late, late_clock) = open_store(late_url, after).await;
    prepare(&late, config).await;
    let mut rng = Rng::new(0x1A7E, 0);
    let mut first: Vec<Event> = (0..year.sessions.len()).map(Event::PlanSession).collect();
    first.extend((0..year.meetings.len()).map(Event::ScheduleMeeting));
    let mut registrations: Vec<Event> = (0..year.people.len()).map(Event::Register).collect();
    shuffle(&mut registrations, &mut rng);
    first.extend(registrations);
    for event in first {
        record(&late, &year, event, true).await;
    }
    let (mut queues, member) = chains(&year, &timeline);
    let mut recorded_out_of_date_order = false;
    let mut last_at: Option<DateTime<Utc>> = None;
    loop {
        let ready: Vec<Event> = queues
            .iter()
            .filter_map(|q| q.front().copied())
            .filter(|e| member[e].iter().all(|c| queues[*c].front() == Some(e)))
            .collect();
        if ready.is_empty() {
            assert!(queues.iter().all(VecDeque::is_empty), "the chains' orders contradict each other");
            break;
        }
        let event = *rng.pick(&ready);
        for c in &member[&event] {
            queues[*c].pop_front();
        }
        let at = year.at(event);
        recorded_out_of_date_order |= last_at.is_some_and(|last| at < last);
        last_at = Some(at);
        record(&late, &year, event, true).await;
    }
    assert!(recorded_out_of_date_order, "the late order is not the live one");
    // And the store knows it was late: most of the year is marked so.
    let lead = caller(config.lead, late.policy().foundation, Role::ProjectLead);
    let marked = late
        .late_entries(
            &lead,
            LateEntryQuery {
                from: after.date_naive(),
                to: after.date_naive(),
                recorded_by: None,
                page: PageRequest { page_size: 200, page_token: None },
            },
        )
        .await
        .unwrap();
    assert!(marked.items.len() >= 100, "{} entries marked late", marked.items.len());

    let query_moment = after.checked_add_days(Days::new(1)).unwrap();
    let live_views = views(&live, &live_clock, &year, query_moment).await;
    let late_views = views(&late, &late_clock, &year, query_moment).await;
    // The comparison is only worth something when there is something to compare.
    assert!(live_views.reports[2].reached.registered_persons >= 30, "{:?}", live_views.reports[2].reached);
    assert!(live_views.drilldowns.iter().filter(|d| !d.participants.is_empty()).count() >= 10);
    assert!(live_views.worklists.iter().any(|w| !w.overdue_agreements.is_empty() || !w.without_contact.is_empty()));
    assert!(live_views.agendas.iter().any(|a| !a.entries.is_empty()));
    assert_substantial(&year, &live_views);
    assert_eq!(live_views.reports, late_views.reports, "subsidy reports");
    assert_eq!(live_views.drilldowns, late_views.drilldowns, "drill-downs");
    for (n, (l, t)) in live_views.worklists.iter().zip(&late_views.worklists).enumerate() {
        assert_eq!(l, t, "worklist {n}");
    }
    for (n, (l, t)) in live_views.agendas.iter().zip(&late_views.agendas).enumerate() {
        assert_eq!(l, t, "agenda {n}");
    }
    for (n, (l, t)) in live_views.meetings.iter().zip(&late_views.meetings).enumerate() {
        assert_eq!(l, t, "meeting {n}");
    }
    assert_eq!(live_views.zrm, late_views.zrm, "ZRM cohorts");
    for (l, t) in live_views.cases.iter().zip(&late_views.cases) {
        assert_eq!(l, t, "case {}", l.participant);
    }
}

/// The year holds a substantial number of each kind the meetings, the ZRM and the reports
/// bring, in the store (live): the comparison covers the rules built on them.
fn assert_substantial(year: &Year, views: &Views) {
    let records = |f: &dyn Fn(&ChainStep) -> bool| {
        views.cases.iter().flat_map(|c| &c.chain_meetings).filter(|r| f(&r.step)).count()
    };
    let discussed = records(&|s| *s == ChainStep::Discussed);
    let advised = records(&|s| matches!(s, ChainStep::TerminationAdvised { .. }));
    let adopted =
        records(&|s| matches!(s, ChainStep::ChainDecided { advice, adopted: true } if advice.ends_guidance()));
    let talks = records(&|s| *s == ChainStep::TerminationTalkHeld);
    let ended = views
        .cases
        .iter()
        .filter(|c| c.outflow.as_ref().is_some_and(|o| o.outcome == OutflowOutcome::EndedByChainDecision))
        .count();
    let assessments: usize = views.cases.iter().map(|c| c.self_reliance.len()).sum();
    let reports: usize = views.cases.iter().map(|c| c.reports.len()).sum();
    let schedules = views.cases.iter().filter(|c| c.reporting_schedule.is_some()).count();
    let communicated: usize = views.cases.iter().flat_map(|c| &c.judgments).map(|j| j.communications.len()).sum();
    let departures = views.cases.iter().filter(|c| c.departure.as_ref().is_some_and(|d| !d.steps.is_empty())).count();
    let held = views.meetings.iter().filter(|m| m.items().next().is_some()).count();
    let summary = format!(
        "{} meetings ({held} with people), discussed {discussed}, advised {advised}, adopted {adopted}, talks {talks}, \
         ended {ended}, ZRM {assessments}, reports {reports}, schedules {schedules}, communications {communicated}, \
         departures {departures}",
        year.meetings.len()
    );
    assert!(year.meetings.len() >= 25 && held >= 20, "{summary}");
    assert!(discussed >= 100, "{summary}");
    assert!(advised >= 3 && adopted >= 2 && talks >= 2 && ended >= 2, "{summary}");
    assert!(assessments >= 60, "{summary}");
    assert!(reports >= 20 && schedules >= 3, "{summary}");
    assert!(communicated >= 5 && departures >= 1, "{summary}");
    eprintln!("{summary}");
    // Every trajectory starts with an orientation talk, so the funnel's plan stage is never
    // wider than its talk stage (each stage is counted on its own, see `FunnelStage`).
    for report in &views.reports {
        let stage = |s: FunnelStage| report.funnel.iter().find(|f| f.stage == s).map_or(0, |f| f.registered_persons);
        let (talks, plans) = (stage(FunnelStage::OrientationTalk), stage(FunnelStage::Plan));
        assert!(talks >= plans && plans > 0, "as of {}: {talks} talks, {plans} plans", report.as_of);
    }
    // The subsidy report counts the chain meetings' activities: 3.2.f and 3.2.g.
    let whole = &views.reports[2];
    for code in [
        ActivityCode::Evaluation,
        ActivityCode::ProposeTermination,
        ActivityCode::SelfReliance,
        ActivityCode::Reporting,
    ] {
        let persons =
            whole.activities.iter().find(|f| f.measure == Measure::Activity(code)).map_or(0, |f| f.registered_persons);
        assert!(persons >= 2, "{code:?}: {persons} persons");
    }
}

/// Fisher–Yates with the generator's own deterministic random numbers.
fn shuffle<T>(items: &mut [T], rng: &mut Rng) {
    for i in (1..items.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        items.swap(i, j);
    }
}
