//! Recording a week of work afterwards: `--on` and `--at` date what happened, the lists and the
//! history show that day (and when it was recorded), and refusals name the flag that was given.

use chrono::{Days, Months, Utc};
use serde_json::Value;

use crate::support::{Install, stderr, stdout, talk};

fn row<'a>(rows: &'a Value, change: &str) -> &'a Value {
    rows.as_array().unwrap().iter().find(|r| r["change"] == change).unwrap_or_else(|| panic!("no {change} in {rows}"))
}

#[test]
fn yesterdays_talk_and_a_plan_drawn_up_last_month_are_dated_so() {
    let today = perspectief_core::time::amsterdam_date(Utc::now());
    let yesterday = today - Days::new(1);
    let last_month = today - Months::new(1);
    let i = Install::new();
    let v = i.json(&["participant", "register", "--given-names", "Testpersoon", "--registered-on=-2m"]);
    let p = v["participant"].as_str().unwrap().to_owned();

    i.json(&talk(&p, &["--summary", "Gesprek van gisteren.", "--at", "gisteren"]));
    i.json(&["plan", "revise", &p, "--situation", "Situatie.", "--perspective", "Perspectief.", "--on=-1m"]);
    let plan = i.json(&["plan", "show", &p]);
    assert_eq!(plan[0]["drawn_up_on"], last_month.to_string());

    let history = i.json(&["participant", "history", &p]);
    let talk = row(&history, "contact_logged");
    assert_eq!(talk["on"], yesterday.to_string());
    assert!(talk["recorded"].as_str().is_some_and(|r| r.starts_with(&today.to_string())), "{talk}");
    assert_eq!(row(&history, "plan_revised")["on"], last_month.to_string());
    let registered = row(&history, "registered");
    assert_eq!(registered["on"], (today - Months::new(2)).to_string());
    assert!(registered["recorded"].is_string(), "registered today, dated two months ago: {registered}");

    // Agreed before it was drawn up: refused, naming the flag.
    let day_before = (last_month - Days::new(1)).to_string();
    let out = i.cmd().args(["plan", "agree", &p, "--on", &day_before]).output().unwrap();
    assert_eq!(out.status.code(), Some(65), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--on"), "{}", String::from_utf8_lossy(&out.stderr));
    i.json(&["plan", "agree", &p, "--on", &last_month.to_string()]);

    // A goal set last month with a deadline that has passed since.
    let deadline = (last_month + Days::new(7)).to_string();
    let v = i.json(&["goal", "add", &p, "--description", "Documenten verzamelen", "--deadline", &deadline, "--on=-1m"]);
    assert_eq!(v["changed"], true);
    assert_eq!(i.json(&["goal", "list", &p])[0]["set_on"], last_month.to_string());
}

#[test]
fn a_departure_recorded_afterwards_and_an_outflow_before_a_later_fact() {
    let i = Install::new();
    let v = i.json(&["participant", "register", "--given-names", "Testpersoon", "--registered-on=-2m"]);
    let p = v["participant"].as_str().unwrap().to_owned();
    i.json(&talk(&p, &["--summary", "Oriëntatie.", "--at=-1m", "--activity", "5.2.a(1)"]));
    i.json(&["return", "stance", &p, "--stance", "decided", "--on=-1m"]);
    // Planned for a day that has passed: it was recorded afterwards.
    i.json(&["return", "departure", &p, "--date=-3", "--schiphol"]);
    // Not before the trajectory started: the error names the flag given, --date.
    let out = i.cmd().args(["return", "departure", &p, "--date=-3m"]).output().unwrap();
    assert_eq!(out.status.code(), Some(65));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--date") && !err.contains("--on"), "{err}");

    // A judgment of last week; an outflow dated before it contradicts it, and says so.
    i.json(&["return", "judgment", &p, "--verdict", "return_realistic", "--reasoning", "Onderbouwing.", "--on=-7"]);
    let out = i.cmd().args(["outflow", "record", &p, "--outcome", "new_asylum_application", "--on=-14"]).output();
    let out = out.unwrap();
    assert_eq!(out.status.code(), Some(65), "{}", String::from_utf8_lossy(&out.stderr));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--on") && err.contains("oordeel vastgelegd"), "{err}");
}

/// Issue #17: a talk of before the outflow, entered after it, is recorded (with a warning that
/// it is late); one dated after the outflow is refused naming the outflow's day, in Dutch and
/// in English; a refusal for the case's present state says why.
#[test]
fn after_the_outflow_a_talk_is_judged_by_its_day_and_a_late_entry_is_announced() {
    let today = perspectief_core::time::amsterdam_date(Utc::now());
    let i = Install::new();
    let v = i.json(&["participant", "register", "--given-names", "Testpersoon", "--registered-on=-2m"]);
    let p = v["participant"].as_str().unwrap().to_owned();
    // Aftercare before any outflow: the core's reason, in Dutch and in English.
    let monitoring = ["contact", "log", &p, "--kind", "monitoring", "--activity", "3.2.h", "--summary", "Nazorg."];
    let out = i.cmd().args(monitoring).output().unwrap();
    assert_eq!(out.status.code(), Some(65));
    assert!(stderr(&out).contains("--kind") && stderr(&out).contains("zijn voor na de uitstroom"), "{}", stderr(&out));
    let out = i.cmd().args(["--lang", "en"]).args(monitoring).output().unwrap();
    assert!(stderr(&out).contains("are for after the outflow"), "{}", stderr(&out));

    let outflow_on = today - Days::new(20);
    i.json(&["outflow", "record", &p, "--outcome", "new_asylum_application", "--on", &outflow_on.to_string()]);
    // A talk of three weeks ago, entered today: recorded, and the confirmation says it is late.
    let talk_on = (today - Days::new(21)).to_string();
    let out = i.cmd().args(talk(&p, &["--summary", "Gesprek van toen.", "--at", &talk_on])).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("late invoer") && stdout(&out).contains("21 dagen"), "{}", stdout(&out));
    let history = i.json(&["participant", "history", &p]);
    let logged = row(&history, "contact_logged");
    assert_eq!((logged["on"].as_str(), logged["late"].as_bool()), (Some(talk_on.as_str()), Some(true)), "{logged}");
    assert_eq!(i.json(&["participant", "show", &p])["phase"], "closed");

    // Dated after the outflow: refused, naming the outflow's day and the date given.
    let after = (today - Days::new(3)).to_string();
    let out = i.cmd().args(talk(&p, &["--summary", "Later gesprek.", "--at", &after])).output().unwrap();
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains(&format!("uitstroom op {outflow_on}")) && err.contains(&after), "{err}");
    let out = i.cmd().args(["--lang", "en"]).args(talk(&p, &["--summary", "Later.", "--at", &after])).output().unwrap();
    let err = stderr(&out);
    assert!(err.contains(&format!("outflow on {outflow_on}")) && err.contains("lies after it"), "{err}");
    // A fresh entry of today, on an open case, is not late: no warning.
    let v = i.json(&["participant", "register", "--given-names", "Testpersoon", "--registered-on=-2m"]);
    let q = v["participant"].as_str().unwrap().to_owned();
    let out = i.cmd().args(talk(&q, &["--summary", "Vandaag."])).output().unwrap();
    assert!(out.status.success() && !stdout(&out).contains("late invoer"), "{}", stdout(&out));
}

/// The minutes of a chain meeting held before the outflow, entered after it: recorded on the
/// meeting's day and marked late, the case stays closed; an adopted advice to end guidance and
/// a meeting held after the outflow are refused, naming the outflow's day.
#[test]
fn a_chain_meeting_before_the_outflow_is_recorded_after_it_and_one_after_it_is_refused() {
    let today = perspectief_core::time::amsterdam_date(Utc::now());
    let i = Install::new();
    let v = i.json(&["participant", "register", "--given-names", "Testpersoon", "--registered-on=-2m"]);
    let p = v["participant"].as_str().unwrap().to_owned();
    let schedule = |date: &str| {
        // A bare relative date after its flag, as a person types it.
        let m = i.json(&["meeting", "schedule", "--date", date]);
        let m = m["meeting"].as_str().unwrap_or_else(|| panic!("{m}")).to_owned();
        i.json(&["meeting", "agenda", &m, "--participant", &p, "--reason", "other:Voortgang"]);
        m
    };
    // More than the two weeks' threshold ago, so the entry is marked late.
    let held = schedule("-20");
    let after = schedule("-10");
    let outflow_on = today - Days::new(15);
    i.json(&["outflow", "record", &p, "--outcome", "new_asylum_application", "--on", &outflow_on.to_string()]);

    let record = ["meeting", "record", &held, "--participant", &p, "--information", "Toegelicht"];
    let out = i.cmd().args(record).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let advise = ["meeting", "advise", &held, "--participant", &p, "--advice", "end_guidance", "--reasoning", "Weg"];
    let out = i.cmd().args(advise).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let history = i.json(&["participant", "history", &p]);
    let recorded = row(&history, "chain_meeting_recorded");
    let held_on = (today - Days::new(20)).to_string();
    assert_eq!(
        (recorded["on"].as_str(), recorded["late"].as_bool()),
        (Some(held_on.as_str()), Some(true)),
        "{recorded}"
    );
    assert_eq!(i.json(&["participant", "show", &p])["phase"], "closed");

    // Adopting the advice would move the closed trajectory: refused, naming the outflow's day.
    let out = i.cmd().args(["meeting", "decide", &held, "--participant", &p, "--adopted"]).output().unwrap();
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
    assert!(stderr(&out).contains(&format!("uitstroom op {outflow_on}")), "{}", stderr(&out));
    // A meeting held after the outflow: refused; nothing of it reaches the meeting or the case.
    let out = i.cmd().args(["meeting", "record", &after, "--participant", &p]).output().unwrap();
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
    assert!(stderr(&out).contains(&format!("uitstroom op {outflow_on}")), "{}", stderr(&out));
    let shown = i.json(&["meeting", "show", &after]);
    assert!(!shown.to_string().contains("Toegelicht"), "{shown}");
    assert_eq!(i.json(&["participant", "show", &p])["phase"], "closed");
}

/// A relative date in the past may follow its flag as its own word (`--date -10`, `--from
/// -2m`), as people type it; clap took the value for an unknown flag.
#[test]
fn a_relative_date_in_the_past_follows_its_flag_as_its_own_word() {
    let today = perspectief_core::time::amsterdam_date(Utc::now());
    let i = Install::new();
    let v = i.json(&["participant", "register", "--given-names", "Testpersoon", "--registered-on", "-2m"]);
    let p = v["participant"].as_str().unwrap().to_owned();
    assert_eq!(i.json(&["participant", "show", &p])["registered_on"], (today - Months::new(2)).to_string());
    i.json(&["meeting", "schedule", "--date", "-10"]);
    i.json(&talk(&p, &["--summary", "Gesprek.", "--at", "-3"]));
    let history = i.json(&["participant", "history", &p]);
    assert_eq!(row(&history, "contact_logged")["on"], (today - Days::new(3)).to_string());
    let list = i.json(&["meeting", "list", "--from", "-2w", "--to", "vandaag"]);
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
    assert_eq!(list[0]["date"], (today - Days::new(10)).to_string(), "{list}");
    // What is not a date is still named as such.
    let out = i.cmd().args(["meeting", "schedule", "--date", "-x"]).output().unwrap();
    assert_eq!(out.status.code(), Some(64), "{}", stderr(&out));
    assert!(stderr(&out).contains("-x"), "{}", stderr(&out));
}
