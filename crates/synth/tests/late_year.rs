//! Issue #17's first test: a year entered late equals a year entered live. The same generated
//! year is recorded once on the day (the clock moving forward with every command) and once
//! afterwards (the clock standing after the year's end) in a shuffled order that keeps only
//! what the rules need: sessions planned before attendance, participants registered before
//! anything is recorded for them, each participant's own commands in date order. Every command
//! carries its effective date, so the subsidy reports, drill-downs, worklists of past days and
//! meeting agendas must be equal.

use std::collections::VecDeque;
use std::sync::Arc;

use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use perspectief_core::access::{Actor, Grant, Role};
use perspectief_core::late::LateEntryQuery;
use perspectief_core::report::{AgendaQuery, Figure, FigureQuery, Measure, ReportingService, Slice, YearMonth};
use perspectief_core::service::{Caller, PageRequest, PerspectiefService, WorklistQuery};
use perspectief_core::{
    ActivityCode, CaseCommand, OrganisationId, OutflowOutcome, SubsidyPeriod, SubsidyPeriodId, Target, TargetMeasure,
    Theme, UserId,
};
use perspectief_store::testing::{TEST_DATABASE_URL_VAR, TestDatabase};
use perspectief_store::{Keyring, ManualClock, Store, StoreOptions};
use perspectief_synth::{Config, ParticipantScript, Rng, SessionScript, participant, sessions};

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
    let lead = caller(config.workers[0], foundation, Role::ProjectLead);
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
/// session's step (indexes into the scripts).
#[derive(Debug, Clone, Copy)]
enum Event {
    Register(usize),
    Step(usize, usize),
    PlanSession(usize),
    SessionStep(usize, usize),
}

async fn record(store: &Store, config: &Config, people: &[ParticipantScript], sessions: &[SessionScript], e: Event) {
    let foundation = store.policy().foundation;
    let worker = |user| caller(user, foundation, Role::ProjectWorker);
    let lead = caller(config.workers[0], foundation, Role::ProjectLead);
    match e {
        Event::Register(p) => {
            let s = &people[p];
            store.register_participant(&worker(s.register.profile.project_worker), s.register.clone()).await.unwrap();
        }
        Event::Step(p, i) => {
            let (s, step) = (&people[p], &people[p].steps[i]);
            store
                .execute(&worker(step.actor), s.register.id, None, step.command.clone())
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

/// Everything the reporting side shows of a store, as of days in the past; the clock is set
/// to the same moment first, so only the recorded data can make two stores differ.
#[derive(Debug, PartialEq)]
struct Views {
    reports: Vec<perspectief_core::report::SubsidyReport>,
    drilldowns: Vec<perspectief_core::report::Drilldown>,
    worklists: Vec<perspectief_core::service::Worklist>,
    agendas: Vec<perspectief_core::report::MeetingAgenda>,
}

async fn views(store: &Store, clock: &ManualClock, config: &Config, now: DateTime<Utc>) -> Views {
    clock.set(now);
    let lead = caller(config.workers[0], store.policy().foundation, Role::ProjectLead);
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
    Views { reports, drilldowns, worklists, agendas }
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

async fn year_entered_late_equals_live(live_url: &str, late_url: &str) {
    let config = Config::new(17, NaiveDate::from_ymd_opt(2025, 1, 6).unwrap(), 12);
    let people: Vec<ParticipantScript> = (0..40).map(|i| participant(&config, i)).collect();
    let registered: Vec<_> = people.iter().map(|s| (s.register.id, s.register.registered_on)).collect();
    let sessions = sessions(&config, &registered);
    for step in people.iter().flat_map(|s| &s.steps) {
        assert_explicitly_dated(&step.command);
    }

    // Live: everything in time order, the clock at each command's moment.
    let mut timeline: Vec<(DateTime<Utc>, Event)> = Vec::new();
    for (p, s) in people.iter().enumerate() {
        timeline.push((s.registered_at(), Event::Register(p)));
        timeline.extend(s.steps.iter().enumerate().map(|(i, step)| (step.at, Event::Step(p, i))));
    }
    for (n, s) in sessions.iter().enumerate() {
        timeline.push((s.planned_at, Event::PlanSession(n)));
        timeline.extend(s.steps.iter().enumerate().map(|(i, (at, _))| (*at, Event::SessionStep(n, i))));
    }
    // Stable: a script's own steps keep their order when they share a moment.
    timeline.sort_by_key(|(at, _)| *at);
    let start = Utc.from_utc_datetime(&config.start.and_hms_opt(8, 0, 0).unwrap());
    let (live, live_clock) = open_store(live_url, start).await;
    prepare(&live, &config).await;
    for (at, event) in &timeline {
        live_clock.set(*at);
        record(&live, &config, &people, &sessions, *event).await;
    }

    // Late: the clock a month after the year, sessions planned and participants registered
    // first, then every participant's and session's steps interleaved at random.
    let after =
        Utc.from_utc_datetime(&config.end().checked_add_days(Days::new(30)).unwrap().and_hms_opt(8, 0, 0).unwrap());
    let (late, late_clock) = open_store(late_url, after).await;
    prepare(&late, &config).await;
    let mut rng = Rng::new(0x1A7E, 0);
    let mut first: Vec<Event> = (0..sessions.len()).map(Event::PlanSession).collect();
    let mut registrations: Vec<Event> = (0..people.len()).map(Event::Register).collect();
    shuffle(&mut registrations, &mut rng);
    first.extend(registrations);
    for event in first {
        record(&late, &config, &people, &sessions, event).await;
    }
    let mut queues: Vec<VecDeque<Event>> = people
        .iter()
        .enumerate()
        .map(|(p, s)| (0..s.steps.len()).map(|i| Event::Step(p, i)).collect())
        .chain(sessions.iter().enumerate().map(|(n, s)| (0..s.steps.len()).map(|i| Event::SessionStep(n, i)).collect()))
        .filter(|q: &VecDeque<Event>| !q.is_empty())
        .collect();
    let mut recorded_out_of_date_order = false;
    let mut last_at: Option<DateTime<Utc>> = None;
    while !queues.is_empty() {
        let q = rng.below(queues.len() as u64) as usize;
        let event = queues[q].pop_front().unwrap();
        if queues[q].is_empty() {
            queues.swap_remove(q);
        }
        let at = match event {
            Event::Step(p, i) => people[p].steps[i].at,
            Event::SessionStep(n, i) => sessions[n].steps[i].0,
            _ => unreachable!("only steps are queued"),
        };
        recorded_out_of_date_order |= last_at.is_some_and(|last| at < last);
        last_at = Some(at);
        record(&late, &config, &people, &sessions, event).await;
    }
    assert!(recorded_out_of_date_order, "the late order is not the live one");
    // And the store knows it was late: most of the year is marked so.
    let lead = caller(config.workers[0], late.policy().foundation, Role::ProjectLead);
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
    let live_views = views(&live, &live_clock, &config, query_moment).await;
    let late_views = views(&late, &late_clock, &config, query_moment).await;
    // The comparison is only worth something when there is something to compare.
    assert!(live_views.reports[2].reached.registered_persons >= 30, "{:?}", live_views.reports[2].reached);
    assert!(live_views.drilldowns.iter().filter(|d| !d.participants.is_empty()).count() >= 10);
    assert!(live_views.worklists.iter().any(|w| !w.overdue_agreements.is_empty() || !w.without_contact.is_empty()));
    assert!(live_views.agendas.iter().any(|a| !a.entries.is_empty()));
    assert_eq!(live_views.reports, late_views.reports, "subsidy reports");
    assert_eq!(live_views.drilldowns, late_views.drilldowns, "drill-downs");
    for (n, (l, t)) in live_views.worklists.iter().zip(&late_views.worklists).enumerate() {
        assert_eq!(l, t, "worklist {n}");
    }
    for (n, (l, t)) in live_views.agendas.iter().zip(&late_views.agendas).enumerate() {
        assert_eq!(l, t, "agenda {n}");
    }
}

/// Fisher–Yates with the generator's own deterministic random numbers.
fn shuffle<T>(items: &mut [T], rng: &mut Rng) {
    for i in (1..items.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        items.swap(i, j);
    }
}
