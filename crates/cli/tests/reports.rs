//! Reports from the command line: the subsidy accountability report (table, CSV, JSON, HTML
//! with charts), the persons behind a figure, a progress report, and the meeting agenda.

use crate::support::{Install, stdout};
use crate::workflow::trajectory;

#[cfg(unix)]
fn private(path: &std::path::Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o077 == 0
}

#[test]
fn the_subsidy_report_its_drilldown_a_progress_report_and_the_agenda() {
    let i = Install::new();
    i.chain();
    let p = trajectory(&|args| i.json(args));
    let short = &p[p.len() - 8..];
    // Subsidy periods are the project lead's to define.
    let lead = i.add_user("Leider Test", "project_lead");
    let v = i.json(&[
        "--as",
        &lead,
        "period",
        "define",
        "--name",
        "Test periode",
        "--from=-60",
        "--to=+300",
        "--target",
        "5.2.a(2)=200",
        "--target",
        "A=300",
    ]);
    let period = v["period"].as_str().unwrap().to_owned();

    // One participant with one orientation talk: reached once, 5.2.a(2) once against 200.
    let report = i.json(&["report", "subsidy", &period]);
    assert_eq!(report["reached"]["realised"], 1);
    assert_eq!(report["reached"]["registered_persons"], 1);
    let csv = stdout(&i.cmd().args(["report", "subsidy", &period, "-o", "csv"]).output().unwrap());
    let row = csv.lines().find(|l| l.starts_with("5.2.a(2),")).unwrap_or_else(|| panic!("{csv}"));
    let cells: Vec<&str> = row.split(',').collect();
    assert!(cells.contains(&"1") && cells.contains(&"200"), "{row}");

    // The HTML report with its charts, readable by its owner only.
    let html = i.dir.path().join("verantwoording.html");
    let out = i.cmd().args(["report", "subsidy", &period, "--html"]).arg(&html).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(page.contains("<svg") && page.contains("5.2.a(2)"));
    #[cfg(unix)]
    assert!(private(&html));

    // The persons behind the 5.2.a(2) figure, by internal id.
    let d = i.json(&["report", "drilldown", &period, "5.2.a(2)"]);
    assert_eq!(d["participants"], serde_json::json!([p]));
    let d = i.json(&["report", "drilldown", &period, "3.2.g"]);
    assert_eq!(d["participants"], serde_json::json!([]));
    let bad = i.cmd().args(["report", "drilldown", &period, "9.9.z"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(65));

    // The progress report: Markdown on standard output, HTML and Markdown files on request.
    let md = stdout(&i.cmd().args(["report", "progress", short, "--from=-30", "--to=+1"]).output().unwrap());
    assert!(md.contains("Amina"), "{md}");
    let file = i.dir.path().join("voortgang.html");
    let out =
        i.cmd().args(["report", "progress", short, "--from=-30", "--to=+1", "--html"]).arg(&file).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(std::fs::read_to_string(&file).unwrap().contains("<html"));
    let json = i.json(&["report", "progress", short, "--from=-30", "--to=+1"]);
    assert_eq!(json["participant"], p.as_str());

    // The agenda of a meeting: the outflowed participant is not on it.
    let agenda = i.json(&["report", "agenda"]);
    assert!(agenda["entries"].as_array().unwrap().iter().all(|e| e["participant"] != p.as_str()));
    // In English too.
    let en = stdout(&i.cmd().args(["--lang", "en", "report", "subsidy", &period]).output().unwrap());
    assert!(en.contains("REALISED"), "{en}");
}

/// A subsidy period is addressed as people name it: by its name, by a year, or (as before) by
/// its id or the start or end of it; two periods in one year are ambiguous, and the error says
/// which; an unknown one names `period list`.
#[test]
fn a_subsidy_period_is_addressed_by_name_year_or_id() {
    use crate::support::stderr;
    let i = Install::new();
    let lead = i.add_user("Leider Test", "project_lead");
    let define = |name: &str, from: &str, to: &str| {
        let v = i.json(&["--as", &lead, "period", "define", "--name", name, "--from", from, "--to", to]);
        v["period"].as_str().unwrap().to_owned()
    };
    let y2026 = define("2026", "2026-01-01", "2026-12-31");
    let pilot = define("Pilot 2027-I", "2027-01-01", "2027-06-30");
    define("Pilot 2027-II", "2027-07-01", "2027-12-31");
    let period_of = |reference: &str| i.json(&["report", "subsidy", reference])["period"].clone();
    assert_eq!(period_of("2026"), y2026.as_str());
    assert_eq!(period_of("pilot 2027-i"), pilot.as_str());
    assert_eq!(period_of(&y2026), y2026.as_str());
    assert_eq!(period_of(&y2026[y2026.len() - 8..]), y2026.as_str());
    // The ZRM report and the drill-down take the same references.
    i.json(&["report", "zrm", "2026"]);
    i.json(&["report", "drilldown", "2026", "reached"]);
    // 2027 holds two periods.
    let out = i.cmd().args(["report", "subsidy", "2027"]).output().unwrap();
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
    assert!(stderr(&out).contains("Pilot 2027-I (") && stderr(&out).contains("Pilot 2027-II ("), "{}", stderr(&out));
    let out = i.cmd().args(["--lang", "en", "report", "subsidy", "2031"]).output().unwrap();
    assert_eq!(out.status.code(), Some(66), "{}", stderr(&out));
    assert!(stderr(&out).contains("see `perspectief period list`"), "{}", stderr(&out));
}

/// The LVV evaluations' grouping in the subsidy report: forced departure and another new
/// procedure are no solution; a departure without supervision is not "departed" in the funnel
/// (nobody saw the person leave), and no monitoring contact follows it.
#[test]
fn outcomes_group_as_the_evaluations_do_and_an_unsupervised_departure_is_not_departed() {
    use crate::support::{stderr, talk};
    let i = Install::new();
    let lead = i.add_user("Leider Test", "project_lead");
    let period = i.json(&["--as", &lead, "period", "define", "--name", "Test", "--from=-60", "--to=+300"])["period"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut by_outcome = std::collections::BTreeMap::new();
    for outcome in
        ["departed_independently_supervised", "departed_forced", "departed_without_supervision", "other_new_procedure"]
    {
        let p =
            i.json(&["participant", "register", "--given-names", "Test"])["participant"].as_str().unwrap().to_owned();
        i.json(&talk(&p, &["--summary", "Gesprek."]));
        i.json(&["outflow", "record", &p, "--outcome", outcome]);
        by_outcome.insert(outcome, p);
    }
    let report = i.json(&["report", "subsidy", &period]);
    let durability = |key: &str| {
        report["outflow"]["by_durability"].as_array().unwrap().iter().find(|c| c["key"] == key).unwrap()["persons"]
            .clone()
    };
    assert_eq!(durability("durable"), 1, "{}", report["outflow"]);
    assert_eq!(durability("semi_durable"), 0, "{}", report["outflow"]);
    assert_eq!(durability("no_solution"), 3, "{}", report["outflow"]);
    let departed = report["funnel"].as_array().unwrap().iter().find(|s| s["stage"] == "departed").unwrap().clone();
    assert_eq!(departed["persons"], 2, "supervised and forced, not unsupervised: {departed}");
    let found = i.json(&["report", "drilldown", &period, "departed"]);
    let mut ids: Vec<&str> = found["participants"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    ids.sort_unstable();
    let mut expected =
        vec![by_outcome["departed_independently_supervised"].as_str(), by_outcome["departed_forced"].as_str()];
    expected.sort_unstable();
    assert_eq!(ids, expected);
    // Aftercare follows the supervised departure, not the unsupervised one.
    let monitoring = |p: &str| {
        i.cmd()
            .args(["contact", "log", p, "--kind", "monitoring", "--activity", "3.2.h", "--summary", "Nazorg."])
            .output()
            .unwrap()
    };
    let out = monitoring(&by_outcome["departed_independently_supervised"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = monitoring(&by_outcome["departed_without_supervision"]);
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
    assert!(stderr(&out).contains("--kind"), "{}", stderr(&out));
}
