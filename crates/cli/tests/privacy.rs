//! `perspectief privacy`: the subject access export, a signed checkpoint, a break-glass read and
//! its review, each only for the role it belongs to.

use crate::support::{Install, stderr, stdout};
use crate::workflow::trajectory;

#[cfg(unix)]
fn private(path: &std::path::Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).unwrap().permissions().mode() & 0o077 == 0
}

#[test]
fn export_checkpoint_break_glass_and_review_from_the_command_line() {
    let i = Install::new();
    i.chain();
    let p = trajectory(&|args| i.json(args));
    let short = &p[p.len() - 8..];
    let lead = i.add_user("Leider Test", "project_lead");
    let auditor = i.add_user("Controleur Test", "auditor");
    let colleague = i.add_user("Collega Test", "project_worker");
    let dir = i.dir.path();

    // The export is the project lead's; the assigned worker may not make it.
    let (json, html) = (dir.join("inzage/export.json"), dir.join("inzage/export.html"));
    let out = i.cmd().args(["privacy", "export", short, "--reason", "Verzoek", "--json"]).arg(&json).output().unwrap();
    assert_eq!(out.status.code(), Some(77), "{}", stderr(&out));
    assert!(!json.exists());
    let v = i.json(&[
        "--as",
        &lead,
        "privacy",
        "export",
        short,
        "--reason",
        "Schriftelijk verzoek van de deelnemer",
        "--json",
        json.to_str().unwrap(),
        "--html",
        html.to_str().unwrap(),
    ]);
    assert_eq!(v["participant"], p);
    assert!(v["events"].as_u64().unwrap() > 3 && v["access_log_records"].as_u64().unwrap() > 3, "{v}");
    let export: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(export["case"]["profile"]["given_names"], "Amina", "{export}");
    assert!(std::fs::read_to_string(&html).unwrap().contains("Amina"));
    #[cfg(unix)]
    assert!(private(&json) && private(&html));
    // An existing file is never overwritten.
    let out = i
        .cmd()
        .args(["--as", &lead, "privacy", "export", short, "--reason", "x", "--json"])
        .arg(&json)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));

    // A checkpoint is the auditor's.
    let cp = dir.join("controlepunt.json");
    let v = i.json(&["--as", &auditor, "privacy", "checkpoint", "--out", cp.to_str().unwrap()]);
    assert_eq!(v["public_key"].as_str().unwrap().len(), 64);
    let signed: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&cp).unwrap()).unwrap();
    assert_eq!(signed["signature"].as_str().unwrap().len(), 128);
    let out = i.cmd().args(["--as", &lead, "privacy", "checkpoint", "--out"]).arg(dir.join("x.json")).output().unwrap();
    assert_eq!(out.status.code(), Some(77), "{}", stderr(&out));

    // A colleague who is not assigned cannot read the case, but may break the glass with a
    // reason; the read is listed for review, and reviewed by someone else.
    let out = i.cmd().args(["--as", &colleague, "participant", "show", short]).output().unwrap();
    assert_eq!(out.status.code(), Some(77), "{}", stderr(&out));
    let out = i
        .cmd()
        .args(["--as", &colleague, "privacy", "break-glass", short, "--reason", "Spoed: opname, medicatie nodig"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains(&p) && stderr(&out).contains("Noodtoegang"), "{}", stderr(&out));
    let reviews = i.json(&["--as", &lead, "privacy", "reviews"]);
    // The lead's export is listed too, with its reason: it held content the lead may not read.
    let rows = reviews.as_array().unwrap();
    assert_eq!(rows.len(), 2, "{reviews}");
    assert_eq!((&rows[0]["access"], &rows[0]["user"]), (&"subject_export".into(), &lead.clone().into()), "{reviews}");
    assert_eq!(rows[0]["reason"], "Schriftelijk verzoek van de deelnemer");
    let rows = &rows[1..];
    assert_eq!(rows[0]["access"], "break_glass_read");
    assert_eq!(rows[0]["user"], colleague);
    assert_eq!(rows[0]["reason"], "Spoed: opname, medicatie nodig");
    assert!(rows[0]["reviewed_by"].is_null());
    let access = rows[0]["id"].as_str().unwrap().to_owned();
    // Never one's own.
    let out = i.cmd().args(["--as", &colleague, "privacy", "review", &access, "--note", "Eigen"]).output().unwrap();
    assert_ne!(out.status.code(), Some(0));
    i.json(&["--as", &lead, "privacy", "review", &access[access.len() - 8..], "--note", "Terecht, opname"]);
    let reviews = i.json(&["--as", &auditor, "privacy", "reviews"]);
    assert_eq!(reviews[1]["reviewed_by"], lead, "{reviews}");
    assert_eq!(reviews[1]["finding"], "Terecht, opname");
}

#[test]
fn corrections_of_personal_data_show_the_old_and_new_values() {
    let i = Install::new();
    let v = i.json(&[
        "participant",
        "register",
        "--given-names",
        "Yonas",
        "--family-name",
        "Testpersoon",
        "--lvv-location",
        "Locatie Test",
    ]);
    let p = v["participant"].as_str().unwrap().to_owned();
    i.json(&["participant", "update", &p, "--family-name", "Tesfay", "--clear", "lvv_location"]);
    let rows = i.json(&["participant", "history", &p, "--corrections"]);
    let seen: Vec<(String, String, String)> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let s = |k: &str| r[k].as_str().unwrap().to_owned();
            (s("field"), s("old"), s("new"))
        })
        .collect();
    let expected = [("family_name", "Testpersoon", "Tesfay"), ("lvv_location", "Locatie Test", "—")]
        .map(|(a, b, c)| (a.to_owned(), b.to_owned(), c.to_owned()));
    assert_eq!(seen, expected, "{rows}");
    // The full history still lists the update as one event.
    let all = i.json(&["participant", "history", &p]);
    assert!(all.as_array().unwrap().iter().any(|e| e["change"] == "profile_updated"), "{all}");
}

#[test]
fn a_referral_without_consent_is_refused_unless_the_lead_overrides_and_the_override_is_reviewed() {
    let i = Install::new();
    let v = i.json(&["participant", "register", "--given-names", "Yonas", "--country-of-origin", "ER"]);
    let p = v["participant"].as_str().unwrap().to_owned();
    let short = &p[p.len() - 8..];
    let lead = i.add_user("Leider Test", "project_lead");
    let auditor = i.add_user("Controleur Test", "auditor");
    i.organisation("GGD", "GGD Amsterdam", "medical", &["medical"]);
    let ggd = "GGD";
    let r = i.json(&["referral", "add", short, "--partner", ggd, "--domain", "medical", "--reason", "Huisarts nodig"]);
    let r = r["referral"].as_str().unwrap().to_owned();
    let send = ["referral", "update", short, r.as_str(), "--status", "sent"];

    // No consent for the GGD: refused, saying what to do, in Dutch and in English.
    let out = i.cmd().args(send).output().unwrap();
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("toestemming") && err.contains("--override-reason") && err.contains("projectleider"), "{err}");
    let out = i.cmd().arg("--lang").arg("en").args(send).output().unwrap();
    let err = stderr(&out);
    assert!(err.contains("consent") && err.contains("project lead"), "{err}");
    // Only the project lead overrides.
    let reason = "Spoed: acute zorg, deelnemer onbereikbaar";
    let out = i.cmd().args(send).args(["--override-reason", reason]).output().unwrap();
    assert_eq!(out.status.code(), Some(77), "{}", stderr(&out));
    let referrals = i.json(&["referral", "list", short]);
    let mine = |v: &serde_json::Value| v.as_array().unwrap().iter().find(|x| x["id"] == r.as_str()).unwrap().clone();
    assert_eq!(mine(&referrals)["status"], "proposed");
    let out = i.cmd().args(["--as", &lead]).args(send).args(["--override-reason", reason]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(mine(&i.json(&["referral", "list", short]))["status"], "sent");

    // Listed for review with its reason; reviewed once, never by the lead who overrode.
    let out = i.cmd().args(["privacy", "overrides"]).output().unwrap();
    assert_eq!(out.status.code(), Some(77), "the worker does not review: {}", stderr(&out));
    let rows = i.json(&["--as", &auditor, "privacy", "overrides"]);
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!((rows[0]["user"].as_str(), rows[0]["participant"].as_str()), (Some(lead.as_str()), Some(p.as_str())));
    assert_eq!(
        (rows[0]["reason"].as_str(), rows[0]["category"].as_str()),
        (Some(reason), Some("medical_psychosocial"))
    );
    let id = rows[0]["id"].as_str().unwrap().to_owned();
    let out = i.cmd().args(["--as", &lead, "privacy", "override-review", &id, "--note", "Eigen"]).output().unwrap();
    assert_eq!(out.status.code(), Some(77), "{}", stderr(&out));
    i.json(&["--as", &auditor, "privacy", "override-review", &id[id.len() - 8..], "--note", "Terecht, spoed"]);
    let rows = i.json(&["--as", &lead, "privacy", "overrides"]);
    assert_eq!(
        (rows[0]["reviewed_by"].as_str(), rows[0]["finding"].as_str()),
        (Some(auditor.as_str()), Some("Terecht, spoed"))
    );
    let out = i.cmd().args(["--as", &lead, "privacy", "override-review", &id, "--note", "Nogmaals"]).output().unwrap();
    assert_ne!(out.status.code(), Some(0), "reviewed once");
}

#[test]
fn a_judgment_reaches_the_municipality_on_a_consent_for_reports_or_the_leads_override() {
    let i = Install::new();
    let v = i.json(&["participant", "register", "--given-names", "Hagos", "--country-of-origin", "ER"]);
    let p = v["participant"].as_str().unwrap().to_owned();
    let lead = i.add_user("Leider Test", "project_lead");
    let auditor = i.add_user("Controleur Test", "auditor");
    i.json(&["plan", "revise", &p, "--situation", "Situatie.", "--perspective", "Terugkeer."]);
    i.json(&["plan", "agree", &p]);
    let j = i.json(&["return", "judgment", &p, "--verdict", "return_not_possible", "--final", "--reasoning", "R"]);
    let j = j["judgment"].as_str().unwrap().to_owned();
    let tell = ["return", "communicated", p.as_str(), j.as_str(), "--to", "municipality"];
    // Without a consent covering reports: refused by a rule, saying what to do, in both languages.
    let out = i.cmd().args(tell).output().unwrap();
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
    assert!(stderr(&out).contains("--override-reason") && stderr(&out).contains("gemeente"), "{}", stderr(&out));
    let out = i.cmd().args(["--lang", "en"]).args(tell).output().unwrap();
    assert!(stderr(&out).contains("municipality needs the participant's consent"), "{}", stderr(&out));
    // Only the project lead overrides; the override is listed for review with the judgment.
    let reason = "De gemeente beslist deze week over de opvang";
    let out = i.cmd().args(tell).args(["--override-reason", reason]).output().unwrap();
    assert_eq!(out.status.code(), Some(77), "{}", stderr(&out));
    let out = i.cmd().args(["--as", &lead]).args(tell).args(["--override-reason", reason]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let rows = i.json(&["--as", &auditor, "privacy", "overrides"]);
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!((rows[0]["judgment"].as_str(), rows[0]["reason"].as_str()), (Some(j.as_str()), Some(reason)));
    assert_eq!((rows[0]["partner"].as_str(), rows[0]["category"].as_str()), (Some("gemeente"), Some("reports")));
    // To the person it needs nothing.
    i.json(&["return", "communicated", &p, &j, "--to", "participant"]);
}
