//! `report late` and `report late-threshold`: the project lead's listing of entries recorded
//! late, the threshold, and the late mark in `participant history`.

use crate::support::*;

#[test]
fn the_lead_lists_late_entries_sets_the_threshold_and_the_history_marks_them() {
    let i = Install::new();
    // Registered a month ago, a talk of twenty days ago and one of today, all entered now.
    let p = i.json(&["participant", "register", "--given-names", "Yonas", "--registered-on=-30"])["participant"]
        .as_str()
        .unwrap()
        .to_owned();
    let today = perspectief_core::time::amsterdam_date(chrono::Utc::now());
    let then = format!("{} 12:00", today - chrono::Duration::days(20));
    i.json(&talk(&p, &["--summary", "Gesprek van toen.", "--at", &then]));
    i.json(&talk(&p, &["--summary", "Gesprek van vandaag."]));

    let lead = i.add_user("Leider Test", "project_lead");
    i.json(&["--as", &lead, "user", "confirm", &lead]);
    let listed = i.json(&["--as", &lead, "report", "late"]);
    let rows: Vec<(&str, i64)> = listed
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["change"].as_str().unwrap(), r["days_late"].as_i64().unwrap()))
        .collect();
    // The talk began the orientation phase that day: late as well.
    assert_eq!(rows, [("registered", 30), ("contact_logged", 20), ("phase_changed", 20)], "{listed}");
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["participant_id"] == p.as_str() && r["recorded_by"] == i.worker.as_str())
    );
    // No names in the listing, in any format.
    let table = stdout(&i.cmd().args(["--as", &lead, "report", "late"]).output().unwrap());
    assert!(table.contains("20") && !table.contains("Yonas"), "{table}");

    // The history marks the same entries.
    let history = i.json(&["participant", "history", &p]);
    let late: Vec<&str> = history
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["late"] == true)
        .map(|e| e["change"].as_str().unwrap())
        .collect();
    assert_eq!(late, ["registered", "contact_logged", "phase_changed"], "{history}");

    // The project worker may not list them, nor change the threshold.
    let out = i.cmd().args(["report", "late"]).output().unwrap();
    assert_eq!(out.status.code(), Some(77), "{}", stderr(&out));
    let out = i.cmd().args(["report", "late-threshold", "30"]).output().unwrap();
    assert_eq!(out.status.code(), Some(77), "{}", stderr(&out));

    // The lead raises the threshold to 25 days: only the registration is late now.
    assert_eq!(i.json(&["--as", &lead, "report", "late-threshold"])["days"], 14);
    assert_eq!(i.json(&["--as", &lead, "report", "late-threshold", "25"])["days"], 25);
    let listed = i.json(&["--as", &lead, "report", "late"]);
    assert_eq!(listed.as_array().unwrap().len(), 1, "{listed}");
    assert_eq!(listed[0]["change"], "registered");
    // Out of range: refused naming the argument.
    let out = i.cmd().args(["--as", &lead, "report", "late-threshold", "0"]).output().unwrap();
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
    assert!(stderr(&out).contains("DAGEN"), "{}", stderr(&out));
    // A period elsewhere: nothing.
    let before = i.json(&["--as", &lead, "report", "late", "--from", "2020-01-01", "--to", "2020-12-31"]);
    assert_eq!(before.as_array().unwrap().len(), 0);

    // The help in both languages.
    let help = stdout(&i.cmd().args(["--lang", "en", "report", "--help"]).output().unwrap());
    assert!(help.contains("Case entries recorded late"), "{help}");
    let help = stdout(&i.cmd().args(["report", "--help"]).output().unwrap());
    assert!(help.contains("Te laat vastgelegde dossierregels"), "{help}");
}
