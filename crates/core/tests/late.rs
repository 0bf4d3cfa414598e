//! Effective dates and late entries: the day a change took effect, apart from when it was
//! recorded, and the rule that marks an entry late.

use chrono::{TimeZone, Utc};
use perspectief_core::ActivityCode;
use perspectief_core::case::CaseCommand;
use perspectief_core::contact::ContactKind;
use perspectief_core::late::{LateEntryPolicy, days_late};
use perspectief_core::time::amsterdam_date;

use crate::support::*;

#[test]
fn a_change_takes_effect_on_its_own_date_and_a_change_without_one_when_recorded() {
    let (mut case, mut log) = registered();
    let recorded = later(start(), 20);
    // A talk held on the day of registration, entered twenty days later.
    let talk = contact(1, start(), ContactKind::IndividualTalk, &[ActivityCode::OrientationTalks]);
    let events = run(&mut case, &mut log, CaseCommand::LogContact(talk), recorded);
    let logged = events.iter().find(|e| e.change.kind() == "contact_logged").unwrap();
    assert_eq!(logged.change.effective_on(logged.at), start());
    assert_eq!(days_late(logged.change.effective_on(logged.at), amsterdam_date(logged.at)), 20);
    assert!(LateEntryPolicy::default().is_late_change(&logged.change, logged.at));
    // A plan revision carries when it was drawn up: recorded now, it took effect now.
    let events = run(&mut case, &mut log, revise(), recorded);
    let revised = events.iter().find(|e| e.change.kind() == "plan_revised").unwrap();
    assert_eq!(revised.change.effective_on(revised.at), recorded);
    assert!(!LateEntryPolicy::default().is_late_change(&revised.change, revised.at));
    // The registration takes effect on the registration day.
    assert_eq!(log[0].change.effective_on(log[0].at), start());
    // A freshly decided event is never marked: the store marks what it reads back.
    assert!(log.iter().all(|e| !e.late));
}

#[test]
fn a_contact_late_in_the_evening_takes_effect_on_amsterdams_date() {
    let (mut case, mut log) = registered();
    // 23:30 UTC on 2 March is 00:30 on 3 March in Amsterdam.
    let mut talk = contact(2, start(), ContactKind::IndividualTalk, &[ActivityCode::OrientationTalks]);
    talk.at = Utc.with_ymd_and_hms(2026, 3, 2, 23, 30, 0).unwrap();
    let events = run(&mut case, &mut log, CaseCommand::LogContact(talk), later(start(), 1));
    let logged = events.iter().find(|e| e.change.kind() == "contact_logged").unwrap();
    assert_eq!(logged.change.effective_on(logged.at), later(start(), 1));
}

#[test]
fn the_threshold_is_one_to_365_days_and_more_than_it_is_late() {
    assert_eq!(LateEntryPolicy::default().days(), 14);
    for days in [0, 366, 100_000] {
        let e = LateEntryPolicy::new(days).unwrap_err();
        assert_eq!(e.violations().unwrap().iter().next().unwrap().field, "days");
    }
    let one = LateEntryPolicy::new(1).unwrap();
    assert!(!one.is_late(start(), later(start(), 1)));
    assert!(one.is_late(start(), later(start(), 2)));
    let year = LateEntryPolicy::new(365).unwrap();
    assert!(!year.is_late(start(), later(start(), 365)));
    assert!(year.is_late(start(), later(start(), 366)));
}
