//! Reporting on a seeded synthetic data set: every figure of the subsidy report and its
//! drill-downs against an independent count kept by the test while it seeds; access to
//! reports (denials audited).

// The seed picks people by remainders; `i % 4 < 2` and `i % 4 == 0` read alike on purpose.
#![allow(clippy::manual_is_multiple_of)]

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use perspectief_core::report::*;
use perspectief_core::service::{AuditOutcome, Caller, PerspectiefService};
use perspectief_core::*;
use perspectief_store::{ManualClock, Store};

use crate::support::{self, Backend};
use perspectief_tests::fixtures::talk;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn noon(d: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&d.and_hms_opt(12, 0, 0).unwrap())
}

const W1: UserId = UserId::from_u128(11);
const W2: UserId = UserId::from_u128(12);
const IOM: OrganisationId = OrganisationId::from_u128(501);
const GEMEENTE: OrganisationId = OrganisationId::from_u128(502);

/// What the test itself recorded while seeding: the independent count.
#[derive(Default)]
struct Model {
    /// (participant, activity code, day, contact)
    acts: Vec<(ParticipantId, &'static str, NaiveDate, Option<ContactId>)>,
    /// (participant, session day, session)
    attendance: Vec<(ParticipantId, NaiveDate, SessionId)>,
    /// (session day, head count, session)
    heads: Vec<(NaiveDate, u32, SessionId)>,
    /// participant → (nationality, location, project worker)
    people: BTreeMap<ParticipantId, (Option<CountryCode>, Option<String>, UserId)>,
    /// (participant, outcome, day)
    outflows: Vec<(ParticipantId, OutflowOutcome, NaiveDate)>,
}

enum Step {
    Register(usize),
    Contact(usize, &'static [&'static str]),
    Plan(usize),
    Stance(usize, ReturnStance),
    Explore(usize),
    Outflow(usize, OutflowOutcome),
    Session {
        id: u128,
        head: u32,
        attendees: Vec<usize>,
        cancelled: bool,
    },
    /// A registration of attendance made in error is removed.
    Unattend {
        id: u128,
        who: usize,
    },
    /// Another project worker takes over.
    Reassign(usize, UserId),
    /// The participant moves to another LVV location (a profile correction).
    Relocate(usize, Option<&'static str>),
}

const PEOPLE: usize = 24;

fn registered_on(i: usize) -> NaiveDate {
    if i % 6 == 0 { day(2025, 12, 10) } else { day(2026, 1 + (i % 9) as u32, 3 + (i % 20) as u32) }
}

fn script() -> Vec<(NaiveDate, Step)> {
    let plus = |d: NaiveDate, n: u64| d.checked_add_days(chrono::Days::new(n)).unwrap();
    let mut v = vec![];
    for i in 0..PEOPLE {
        let r = registered_on(i);
        v.push((r, Step::Register(i)));
        if i % 4 != 3 {
            v.push((plus(r, 5), Step::Contact(i, &["5.2.a(2)"])));
        }
        if i % 4 < 2 {
            v.push((plus(r, 10), Step::Plan(i)));
        }
        if i % 4 == 0 {
            v.push((plus(r, 12), Step::Stance(i, ReturnStance::Considering)));
            v.push((plus(r, 14), Step::Explore(i)));
        }
        if i % 8 == 0 {
            v.push((plus(r, 16), Step::Stance(i, ReturnStance::Decided)));
            v.push((plus(r, 18), Step::Contact(i, &["5.2.b(2)", "3.2.e"])));
        }
        if i % 16 == 0 {
            v.push((plus(r, 20), Step::Outflow(i, OutflowOutcome::DepartedIndependentlySupervised)));
        } else if i == 12 {
            v.push((plus(r, 19), Step::Outflow(i, OutflowOutcome::MovedToOtherShelter)));
        }
        if i % 3 == 0 && i != 0 && i != 12 {
            v.push((plus(r, 40), Step::Contact(i, &["5.2.a(2)", "5.2.c"])));
        }
    }
    let before =
        |d: NaiveDate, f: &dyn Fn(usize) -> bool| (0..PEOPLE).filter(|i| f(*i) && registered_on(*i) < d).collect();
    let s1 = day(2026, 2, 20);
    v.push((s1, Step::Session { id: 1, head: 7, attendees: before(s1, &|i| i % 3 == 1), cancelled: false }));
    let s2 = day(2026, 5, 12);
    v.push((s2, Step::Session { id: 2, head: 5, attendees: before(s2, &|i| i % 5 == 2), cancelled: false }));
    let s3 = day(2025, 12, 20);
    v.push((s3, Step::Session { id: 3, head: 9, attendees: vec![0], cancelled: false }));
    let s4 = day(2026, 3, 3);
    v.push((s4, Step::Session { id: 4, head: 0, attendees: vec![], cancelled: true }));
    let s5 = day(2026, 10, 1);
    v.push((s5, Step::Session { id: 5, head: 4, attendees: before(s5, &|i| i % 7 == 1), cancelled: false }));
    // Changes after the facts, which the report's projection must follow: an attendance removed
    // (participant 2's only session of the window), a new project worker and a new location
    // for people already counted.
    v.push((day(2026, 5, 20), Step::Unattend { id: 2, who: 2 }));
    v.push((day(2026, 6, 1), Step::Reassign(1, W2)));
    v.push((day(2026, 6, 2), Step::Relocate(2, Some("LVV Noord"))));
    v.push((day(2026, 6, 3), Step::Relocate(12, None)));
    // Chronological, registrations first on a day (a session attendee must exist).
    v.sort_by_key(|(d, s)| (*d, !matches!(s, Step::Register(_))));
    v
}

fn participant(i: usize) -> ParticipantId {
    ParticipantId::from_u128(1000 + i as u128)
}

fn contact(id: u128, at: DateTime<Utc>, codes: &[&str], summary: &str) -> NewContact {
    NewContact {
        id: ContactId::from_u128(id),
        activities: codes.iter().map(|c| ActivityCode::parse(c).unwrap()).collect(),
        duration_minutes: Some(30),
        ..talk(at, DataCategory::Guidance, summary)
    }
}

async fn seed(store: &Store, clock: &ManualClock) -> Model {
    let lead = support::lead(store);
    let mut m = Model::default();
    let mut next_contact = 5000u128;
    for (on, step) in script() {
        clock.set(noon(on));
        match step {
            Step::Register(i) => {
                let nationality = [Some("ER"), Some("SY"), None][i % 3].map(|c| CountryCode::parse(c).unwrap());
                let location = if i % 5 == 0 { None } else { Some(["LVV West", "LVV Oost"][i % 2].to_owned()) };
                let worker = if i % 4 < 2 { W1 } else { W2 };
                let mut reg = support::registration("Synthetisch", worker, on);
                reg.id = participant(i);
                reg.profile.nationalities = nationality.map(Nationality::Country).into_iter().collect();
                reg.profile.lvv_location = location.as_deref().map(|l| Label::parse(l).unwrap());
                store.register_participant(&lead, reg).await.unwrap();
                m.people.insert(participant(i), (nationality, location, worker));
                m.acts.push((participant(i), "3.2.h", on, None));
            }
            Step::Contact(i, codes) => {
                next_contact += 1;
                let c = contact(next_contact, noon(on), codes, "Gesprek (synthetisch)");
                let executed = store.execute(&lead, participant(i), None, CaseCommand::LogContact(c)).await.unwrap();
                for code in codes {
                    m.acts.push((participant(i), code, on, Some(ContactId::from_u128(next_contact))));
                }
                // The first orientation talk moves the case out of intake (3.2.h).
                if executed.events.len() > 1 {
                    m.acts.push((participant(i), "3.2.h", on, None));
                }
            }
            Step::Plan(i) => {
                let cmd = CaseCommand::RevisePlan {
                    personal_situation: Text::parse("Synthetisch.").unwrap(),
                    perspective: Text::parse("Synthetisch.").unwrap(),
                    on: None,
                };
                store.execute(&lead, participant(i), None, cmd).await.unwrap();
                m.acts.push((participant(i), "3.2.a", on, None));
                m.acts.push((participant(i), "5.2.a(3)", on, None));
            }
            Step::Stance(i, stance) => {
                let cmd = CaseCommand::RecordReturnStance { stance, on, note: None };
                store.execute(&lead, participant(i), None, cmd).await.unwrap();
                m.acts.push((participant(i), "5.2.a(3)", on, None));
            }
            Step::Explore(i) => {
                let cmd = CaseCommand::StartReturnExploration { on, findings: Default::default() };
                store.execute(&lead, participant(i), None, cmd).await.unwrap();
                m.acts.push((participant(i), "5.2.b(1)", on, None));
            }
            Step::Outflow(i, outcome) => {
                let cmd = CaseCommand::RecordOutflow { outcome, on, note: None };
                store.execute(&lead, participant(i), None, cmd).await.unwrap();
                m.acts.push((participant(i), "3.2.h", on, None));
                m.outflows.push((participant(i), outcome, on));
            }
            Step::Session { id, head, attendees, cancelled } => {
                let sid = SessionId::from_u128(id);
                let plan = PlanSession {
                    id: sid,
                    date: on,
                    topic: SessionTopic::Theme(Label::parse("Terugkeer").unwrap()),
                    venue: Label::parse("WereldHuis").unwrap(),
                    languages: BTreeSet::from([LanguageCode::parse("en").unwrap()]),
                    facilitators: BTreeSet::new(),
                    partner: None,
                };
                store.plan_session(&lead, plan).await.unwrap();
                if cancelled {
                    let cmd = SessionCommand::Cancel { reason: Text::parse("Geen zaal").unwrap() };
                    store.execute_session(&lead, sid, None, cmd).await.unwrap();
                    continue;
                }
                for i in attendees {
                    let cmd = SessionCommand::RegisterAttendance { participant: participant(i) };
                    store.execute_session(&lead, sid, None, cmd).await.unwrap();
                    m.attendance.push((participant(i), on, sid));
                }
                if head > 0 {
                    let cmd = SessionCommand::SetUnregisteredHeadCount { count: head };
                    store.execute_session(&lead, sid, None, cmd).await.unwrap();
                    m.heads.push((on, head, sid));
                }
            }
            Step::Unattend { id, who } => {
                let sid = SessionId::from_u128(id);
                let cmd = SessionCommand::RemoveAttendance { participant: participant(who) };
                store.execute_session(&lead, sid, None, cmd).await.unwrap();
                let before = m.attendance.len();
                m.attendance.retain(|(p, _, s)| !(*p == participant(who) && *s == sid));
                assert_eq!(m.attendance.len(), before - 1, "the script removes an attendance that exists");
            }
            Step::Reassign(i, worker) => {
                let cmd = CaseCommand::AssignProjectWorker { worker, on: None };
                store.execute(&lead, participant(i), None, cmd).await.unwrap();
                m.people.get_mut(&participant(i)).unwrap().2 = worker;
                m.acts.push((participant(i), "3.2.h", on, None));
            }
            Step::Relocate(i, location) => {
                let case = store.get_case(&lead, participant(i)).await.unwrap();
                let mut profile = case.profile().clone();
                profile.lvv_location = location.map(|l| Label::parse(l).unwrap());
                store.execute(&lead, participant(i), None, CaseCommand::UpdateProfile { profile }).await.unwrap();
                m.people.get_mut(&participant(i)).unwrap().1 = location.map(str::to_owned);
                m.acts.push((participant(i), "3.2.h", on, None));
            }
        }
    }
    m
}

fn theme_codes(t: Theme) -> &'static [&'static str] {
    match t {
        Theme::Inform => &["5.2.a(1)", "5.2.c"],
        Theme::Activate => &["5.2.a(2)", "5.2.a(3)", "3.2.a", "3.2.b", "3.2.c", "5.2.d"],
        Theme::Guide => &["3.2.d", "3.2.e", "5.2.b(1)", "5.2.b(2)"],
        Theme::Evaluate => &["3.2.f", "3.2.g", "3.2.h", "5.2.b(3)", "5.2.e"],
    }
}

const ALL_CODES: [&str; 17] = [
    "3.2.a", "3.2.b", "3.2.c", "3.2.d", "3.2.e", "3.2.f", "3.2.g", "3.2.h", "5.2.a(1)", "5.2.a(2)", "5.2.a(3)",
    "5.2.b(1)", "5.2.b(2)", "5.2.b(3)", "5.2.c", "5.2.d", "5.2.e",
];

impl Model {
    fn codes(measure: Measure) -> Vec<&'static str> {
        match measure {
            Measure::Activity(c) => vec![ALL_CODES.into_iter().find(|x| *x == c.code()).unwrap()],
            Measure::Theme(t) => theme_codes(t).to_vec(),
            Measure::Reached => ALL_CODES.to_vec(),
        }
    }

    /// Each counted person with their first day under the codes in the window.
    fn firsts(&self, codes: &[&str], from: NaiveDate, to: NaiveDate) -> BTreeMap<ParticipantId, NaiveDate> {
        let mut firsts: BTreeMap<ParticipantId, NaiveDate> = BTreeMap::new();
        let mut see = |p: ParticipantId, d: NaiveDate| {
            if from <= d && d <= to {
                let e = firsts.entry(p).or_insert(d);
                *e = (*e).min(d);
            }
        };
        for (p, code, d, _) in &self.acts {
            if codes.contains(code) {
                see(*p, *d);
            }
        }
        if codes.contains(&"5.2.a(1)") {
            for (p, d, _) in &self.attendance {
                see(*p, *d);
            }
        }
        firsts
    }

    fn heads(&self, codes: &[&str], from: NaiveDate, to: NaiveDate) -> u32 {
        if !codes.contains(&"5.2.a(1)") {
            return 0;
        }
        self.heads.iter().filter(|(d, _, _)| from <= *d && *d <= to).map(|(_, h, _)| h).sum()
    }
}

fn tally<K: Ord>(items: impl Iterator<Item = K>) -> BTreeMap<K, u32> {
    let mut m = BTreeMap::new();
    for k in items {
        *m.entry(k).or_insert(0) += 1;
    }
    m
}

fn as_map<K: Ord + Clone>(counts: &[Count<K>]) -> BTreeMap<K, u32> {
    counts.iter().map(|c| (c.key.clone(), c.persons)).collect()
}

fn period() -> SubsidyPeriod {
    let t = |measure, persons| Target { measure, persons };
    SubsidyPeriod::new(
        SubsidyPeriodId::from_u128(77),
        "2026",
        day(2026, 1, 1),
        day(2026, 12, 31),
        vec![
            t(TargetMeasure::Activity(ActivityCode::InformationSessions), 300),
            t(TargetMeasure::Activity(ActivityCode::OrientationTalks), 200),
            t(TargetMeasure::Activity(ActivityCode::PerspectivePlan), 200),
            t(TargetMeasure::Activity(ActivityCode::ExploreReturn), 150),
            t(TargetMeasure::Activity(ActivityCode::RemoveObstacles), 100),
            t(TargetMeasure::Theme(Theme::Guide), 7),
        ],
    )
    .unwrap()
}

/// `define_first`: the period exists while the data is written (the report's projection is
/// kept current write by write), or is defined afterwards (filled from the stored data).
async fn check_subsidy_report(backend: &Backend, define_first: bool) {
    let clock: Arc<ManualClock> = support::clock();
    let store = support::open(&backend.url(), support::new_keys(), clock.clone()).await;
    let lead = support::lead(&store);
    if define_first {
        clock.set(noon(day(2025, 11, 2)));
        store.define_subsidy_period(&lead, period()).await.unwrap();
    }
    let m = seed(&store, &clock).await;
    clock.set(noon(day(2026, 11, 2)));
    if !define_first {
        store.define_subsidy_period(&lead, period()).await.unwrap();
    }
    let (from, as_of) = (day(2026, 1, 1), day(2026, 9, 30));
    let report = store.subsidy_report(&lead, SubsidyPeriodId::from_u128(77), as_of).await.unwrap();
    assert_eq!(report.counted_to, Some(as_of));
    // 2026 has 365 days; 1 January to 30 September is 273 of them.
    let project = |n: u32| (u64::from(n) * 365 + 136) / 273;
    let mut checked = 0;
    for f in report.activities.iter().chain(report.themes.iter()).chain([&report.reached]) {
        let codes = Model::codes(f.measure);
        let firsts = m.firsts(&codes, from, as_of);
        let heads = m.heads(&codes, from, as_of);
        let what = f.measure.key();
        assert_eq!(f.registered_persons as usize, firsts.len(), "{what}");
        assert_eq!(f.unregistered_head_count, heads, "{what}");
        assert_eq!(f.realised as usize, firsts.len() + heads as usize, "{what}");
        let target =
            period().targets().iter().find(|t| f.measure.target_measure() == Some(t.measure)).map(|t| t.persons);
        assert_eq!(f.target, target, "{what}");
        assert_eq!(f.percent, target.map(|t| (f.realised * 100 + t / 2) / t), "{what}");
        assert_eq!(f.projected, Some(project(f.realised) as u32), "{what}");
        let b = &f.breakdowns;
        let months = tally(firsts.values().map(|d| YearMonth::of(*d)));
        assert_eq!(as_map(&b.by_month), months, "{what} by month");
        assert_eq!(as_map(&b.by_nationality), tally(firsts.keys().map(|p| m.people[p].0)), "{what} by nationality");
        assert_eq!(as_map(&b.by_location), tally(firsts.keys().map(|p| m.people[p].1.clone())), "{what} by location");
        assert_eq!(as_map(&b.by_project_worker), tally(firsts.keys().map(|p| m.people[p].2)), "{what} by worker");
        if !firsts.is_empty() {
            checked += 1;
        }
    }
    assert!(checked >= 10, "the data set exercises most measures ({checked})");
    // The seed is rich enough that the figures are not trivial.
    let talks = report.figures(Measure::Activity(ActivityCode::OrientationTalks)).unwrap();
    assert!(talks.registered_persons >= 10);
    let sessions = report.figures(Measure::Activity(ActivityCode::InformationSessions)).unwrap();
    assert_eq!(sessions.unregistered_head_count, 12, "sessions 1 and 2; 3 is before and 5 after the window");
    assert!(sessions.registered_persons > 0);
    assert_eq!((report.sessions.sessions, report.sessions.unregistered_head_count), (2, 12));

    // Funnel.
    let stage = |s: FunnelStage| report.funnel.iter().find(|x| x.stage == s).unwrap().clone();
    let reached = m.firsts(&ALL_CODES, from, as_of).len() as u32;
    assert_eq!(stage(FunnelStage::Reached).persons, reached + 12);
    assert_eq!(stage(FunnelStage::OrientationTalk).persons as usize, m.firsts(&["5.2.a(2)"], from, as_of).len());
    assert_eq!(stage(FunnelStage::Plan).persons as usize, m.firsts(&["3.2.a"], from, as_of).len());
    assert_eq!(stage(FunnelStage::ReturnExploration).persons as usize, m.firsts(&["5.2.b(1)"], from, as_of).len());
    assert_eq!(stage(FunnelStage::ObstaclesRemoved).persons as usize, m.firsts(&["5.2.b(2)"], from, as_of).len());
    let out_in: Vec<_> = m.outflows.iter().filter(|(_, _, d)| from <= *d && *d <= as_of).collect();
    let departed = out_in.iter().filter(|(_, o, _)| *o == OutflowOutcome::DepartedIndependentlySupervised).count();
    assert_eq!(stage(FunnelStage::Departed).persons as usize, departed);
    assert!(departed >= 1);

    // Outflow.
    assert_eq!(report.outflow.total as usize, out_in.len());
    let expected = tally(out_in.iter().map(|(_, o, _)| *o));
    for c in &report.outflow.by_outcome {
        assert_eq!(c.persons, expected.get(&c.key).copied().unwrap_or(0), "{:?}", c.key);
    }
    assert_eq!(as_map(&report.outflow.breakdowns.by_month), tally(out_in.iter().map(|(_, _, d)| YearMonth::of(*d))));

    // Drill-downs: persons, contacts, sessions behind figures and slices.
    let pid = SubsidyPeriodId::from_u128(77);
    let mut measures = Measure::all();
    measures.retain(|x| !m.firsts(&Model::codes(*x), from, as_of).is_empty());
    for measure in measures {
        let codes = Model::codes(measure);
        let firsts = m.firsts(&codes, from, as_of);
        let mut slices = vec![Slice::All, Slice::ProjectWorker(W2), Slice::Nationality(None)];
        slices.push(Slice::Month(YearMonth::of(*firsts.values().next().unwrap())));
        slices.push(Slice::Location(Some("LVV Oost".to_owned())));
        for slice in slices {
            let (sfrom, sto) = match &slice {
                Slice::Month(ym) => (ym.first_day(), ym.last_day()),
                _ => (from, as_of),
            };
            let selected: BTreeSet<ParticipantId> = firsts
                .iter()
                .filter(|(p, d)| {
                    let (nat, loc, worker) = &m.people[*p];
                    match &slice {
                        Slice::All => true,
                        Slice::Month(ym) => ym.contains(**d),
                        Slice::Nationality(n) => nat == n,
                        Slice::Location(l) => loc == l,
                        Slice::ProjectWorker(w) => worker == w,
                    }
                })
                .map(|(p, _)| *p)
                .collect();
            let query = FigureQuery { figure: Figure::Measure(measure), slice: slice.clone() };
            let d = store.subsidy_drilldown(&lead, pid, as_of, query).await.unwrap();
            let what = format!("{} {slice:?}", measure.key());
            assert_eq!(d.participants, selected.iter().copied().collect::<Vec<_>>(), "{what}");
            let contacts: BTreeSet<ContactId> = m
                .acts
                .iter()
                .filter(|(p, code, day, _)| {
                    selected.contains(p) && codes.contains(code) && sfrom <= *day && *day <= sto
                })
                .filter_map(|(_, _, _, c)| *c)
                .collect();
            assert_eq!(d.contacts, contacts.into_iter().collect::<Vec<_>>(), "{what}");
            let with_heads = matches!(slice, Slice::All | Slice::Month(_)) && codes.contains(&"5.2.a(1)");
            let in_days = |day: &NaiveDate| sfrom <= *day && *day <= sto && from <= *day && *day <= as_of;
            let mut sessions: BTreeSet<SessionId> = BTreeSet::new();
            if codes.contains(&"5.2.a(1)") {
                sessions
                    .extend(m.attendance.iter().filter(|(p, d, _)| selected.contains(p) && in_days(d)).map(|x| x.2));
                if with_heads {
                    sessions.extend(m.heads.iter().filter(|(d, _, _)| in_days(d)).map(|x| x.2));
                }
            }
            assert_eq!(d.sessions, sessions.into_iter().collect::<Vec<_>>(), "{what}");
            let heads: u32 =
                if with_heads { m.heads.iter().filter(|(d, _, _)| in_days(d)).map(|x| x.1).sum() } else { 0 };
            assert_eq!(d.unregistered_head_count, heads, "{what}");
        }
    }
    let departed_ids: Vec<ParticipantId> = out_in
        .iter()
        .filter(|(_, o, _)| o.is_departure())
        .map(|(p, _, _)| *p)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let d = store
        .subsidy_drilldown(&lead, pid, as_of, FigureQuery { figure: Figure::Departed, slice: Slice::All })
        .await
        .unwrap();
    assert_eq!(d.participants, departed_ids);
    let d = store
        .subsidy_drilldown(
            &lead,
            pid,
            as_of,
            FigureQuery { figure: Figure::Durability(Durability::NoSolution), slice: Slice::All },
        )
        .await
        .unwrap();
    assert_eq!(
        d.participants.len(),
        out_in.iter().filter(|(_, o, _)| *o == OutflowOutcome::MovedToOtherShelter).count()
    );

    // A report before the period counts nothing; an unknown period is not found.
    let early = store.subsidy_report(&lead, pid, day(2025, 12, 31)).await.unwrap();
    assert_eq!((early.reached.realised, early.counted_to), (0, None));
    let err = store.subsidy_report(&lead, SubsidyPeriodId::from_u128(78), as_of).await.unwrap_err();
    assert_eq!(err.code(), "not_found");

    // The renderings hold the figures.
    let html = report.to_html();
    assert!(html.contains("<svg") && html.contains("Trechter") && !html.contains("<script"));
    assert!(report.to_markdown().contains("5.2.a(2)"));
    store.verify_chain().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_figure_of_the_subsidy_report_matches_an_independent_count() {
    for define_first in [false, true] {
        for backend in support::all_backends().await {
            check_subsidy_report(&backend, define_first).await;
        }
    }
}

/// Outside the foundation with a grant of every category at every level: these tests are about
/// roles and consent.
fn actor(role: Role, user: u128, organisation: OrganisationId) -> Caller {
    let grant = perspectief_core::access::Grant::all_categories(perspectief_core::ConfidentialityLevel::ZeerGeheim);
    Caller::local(Actor { user: UserId::from_u128(user), organisation, role, grant })
}

async fn check_access(backend: &Backend) {
    let clock = support::clock();
    let store = support::open(&backend.url(), support::new_keys(), clock.clone()).await;
    let lead = support::lead(&store);
    let today = day(2026, 11, 2);
    let mut with_consent = support::registration("Met toestemming", W1, day(2026, 10, 1));
    with_consent.id = participant(1);
    let mut without = support::registration("Zonder toestemming", W1, day(2026, 10, 1));
    without.id = participant(2);
    for reg in [with_consent, without] {
        store.register_participant(&lead, reg).await.unwrap();
    }
    let p = participant(1);
    let plan = CaseCommand::RevisePlan {
        personal_situation: Text::parse("Situatie.").unwrap(),
        perspective: Text::parse("Perspectief <b>vet</b>.").unwrap(),
        on: None,
    };
    store.execute(&lead, p, None, plan).await.unwrap();
    store
        .execute(
            &lead,
            p,
            None,
            CaseCommand::LogContact(contact(9001, noon(day(2026, 10, 20)), &["5.2.a(2)"], "Oriëntatie")),
        )
        .await
        .unwrap();
    support::register(&store, IOM, "IOM").await;
    support::register(&store, GEMEENTE, "GEMEENTE").await;
    let consent = |id, org, cats: &[DataCategory]| CaseCommand::GiveConsent {
        id: ConsentId::from_u128(id),
        organisation: org,
        categories: cats.iter().copied().collect(),
        purpose: Text::parse("Terugkeerbegeleiding").unwrap(),
        given_on: day(2026, 10, 15),
    };
    store.execute(&lead, p, None, consent(1, IOM, &[DataCategory::Reports, DataCategory::Return])).await.unwrap();
    store
        .execute(
            &lead,
            p,
            None,
            consent(2, GEMEENTE, &[DataCategory::Reports, DataCategory::Guidance, DataCategory::Identity]),
        )
        .await
        .unwrap();

    let iom = actor(Role::ChainPartner, 601, IOM);
    let gemeente = actor(Role::MunicipalCaseManager, 602, GEMEENTE);
    let (from, to) = (day(2026, 10, 1), today);

    // A partner with consent sees the report of its participant, without the guidance it was
    // not given; not the report of a participant who did not consent.
    let r = store.progress_report(&iom, p, from, to).await.unwrap();
    assert!(r.goals.is_empty() && r.contacts.is_empty() && r.plan.is_none() && r.display_name.is_none());
    assert!(r.withheld.contains(&DataCategory::Guidance) && r.withheld.contains(&DataCategory::Identity));
    let err = store.progress_report(&iom, participant(2), from, to).await.unwrap_err();
    assert_eq!(err.code(), "access_denied");
    // The municipality with consent sees the guidance and the name.
    let r = store.progress_report(&gemeente, p, from, to).await.unwrap();
    assert_eq!(r.plan.as_ref().unwrap().revision, 1);
    assert_eq!(r.contacts.len(), 1);
    assert_eq!(r.display_name.as_deref(), Some("Met toestemming"));
    assert!(r.to_html().contains("Perspectief &lt;b&gt;vet&lt;/b&gt;."));
    // The assigned worker sees everything; a colleague does not.
    let w1 = actor(Role::ProjectWorker, 11, store.policy().foundation);
    assert!(store.progress_report(&w1, p, from, to).await.unwrap().withheld.is_empty());
    let w2 = actor(Role::ProjectWorker, 12, store.policy().foundation);
    assert_eq!(store.progress_report(&w2, p, from, to).await.unwrap_err().code(), "access_denied");

    // Aggregates: the municipality reads them, a partner does not; an agenda is for staff.
    store.define_subsidy_period(&lead, period()).await.unwrap();
    let pid = SubsidyPeriodId::from_u128(77);
    assert!(store.subsidy_report(&gemeente, pid, today).await.is_ok());
    // Small cells point at persons: outside the foundation they are suppressed, and the ids
    // behind a figure are not given; the foundation's own staff keep the full view.
    let small_cells = |r: &perspectief_core::report::SubsidyReport| {
        r.activities
            .iter()
            .chain(&r.themes)
            .chain([&r.reached])
            .map(|m| &m.breakdowns)
            .chain([&r.outflow.breakdowns])
            .flat_map(|b| {
                b.by_month
                    .iter()
                    .map(|c| c.persons)
                    .chain(b.by_nationality.iter().map(|c| c.persons))
                    .chain(b.by_location.iter().map(|c| c.persons))
                    .chain(b.by_project_worker.iter().map(|c| c.persons))
                    .collect::<Vec<_>>()
            })
            .filter(|n| (1..5).contains(n))
            .count()
    };
    let full = store.subsidy_report(&lead, pid, today).await.unwrap();
    assert!(small_cells(&full) > 0, "the foundation sees its small cells");
    let outside = store.subsidy_report(&gemeente, pid, today).await.unwrap();
    assert_eq!(small_cells(&outside), 0, "no small cell leaves the foundation");
    assert_eq!(outside.reached.registered_persons, full.reached.registered_persons, "totals stay");
    let reached = FigureQuery { figure: Figure::Measure(Measure::Reached), slice: Slice::All };
    assert_eq!(
        store.subsidy_drilldown(&gemeente, pid, today, reached.clone()).await.unwrap_err().code(),
        "access_denied"
    );
    assert!(!store.subsidy_drilldown(&lead, pid, today, reached).await.unwrap().participants.is_empty());
    assert_eq!(store.subsidy_report(&iom, pid, today).await.unwrap_err().code(), "access_denied");
    let q = FigureQuery { figure: Figure::Measure(Measure::Reached), slice: Slice::All };
    assert_eq!(store.subsidy_drilldown(&iom, pid, today, q).await.unwrap_err().code(), "access_denied");
    assert_eq!(
        store.meeting_agenda(&gemeente, AgendaQuery::for_meeting(today)).await.unwrap_err().code(),
        "access_denied"
    );
    let agenda = store.meeting_agenda(&w1, AgendaQuery::for_meeting(today)).await.unwrap();
    let on: Vec<_> = agenda.entries.iter().map(|e| (e.participant, e.reasons.clone())).collect();
    assert_eq!(on, vec![(participant(2), vec![AgendaReason::NoContact { days: 32 }])]);

    // Every refusal is in the access log.
    let log = store.audit_log(&lead, None, 0, 500).await.unwrap();
    let denied = |op: &str, role: Role, who: Option<ParticipantId>| {
        log.iter().any(|r| {
            r.entry.operation == op
                && r.entry.role == role
                && r.entry.outcome == AuditOutcome::Denied
                && r.entry.participant == who
        })
    };
    assert!(denied("progress_report", Role::ChainPartner, Some(participant(2))));
    assert!(denied("progress_report", Role::ProjectWorker, Some(p)));
    assert!(denied("subsidy_report", Role::ChainPartner, None));
    assert!(denied("subsidy_drilldown", Role::ChainPartner, None));
    assert!(denied("meeting_agenda", Role::MunicipalCaseManager, None));
    let allowed = log
        .iter()
        .find(|r| {
            r.entry.operation == "progress_report"
                && r.entry.role == Role::ChainPartner
                && r.entry.outcome == AuditOutcome::Success
        })
        .unwrap();
    assert_eq!(allowed.entry.basis, Some(Basis::Consent(ConsentId::from_u128(1))));
    assert_eq!(allowed.entry.category, Some(DataCategory::Reports));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reports_follow_the_access_policy_and_refusals_are_audited() {
    for backend in support::all_backends().await {
        check_access(&backend).await;
    }
}
