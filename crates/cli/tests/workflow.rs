//! A whole trajectory, from registration to outflow, through the command line, checking the
//! JSON output. [`trajectory`] is run locally here and through a server in `remote`.

use serde_json::Value;

use crate::support::Install;

/// Run every step of a trajectory with `run` (which adds `-o json`); returns the participant id.
/// The organisations it names (IOM, GEMEENTE: [`Install::chain`]) are registered; it names
/// them by their codes, in any case.
pub fn trajectory(run: &dyn Fn(&[&str]) -> Value) -> String {
    let v = run(&[
        "participant",
        "register",
        "--given-names",
        "Amina",
        "--family-name",
        "Testpersoon",
        "--date-of-birth",
        "~1990",
        "--country-of-origin",
        "ER",
        "--language",
        "ti",
        "--v-number",
        "12.34.56.78.90",
        "--lvv-location",
        "Locatie Test",
    ]);
    let p = v["participant"].as_str().unwrap().to_owned();
    assert_eq!(v["version"], 1);
    // Short references: the last 8 characters of the id, as tables show them.
    let short = &p[p.len() - 8..];

    let v = run(&crate::support::talk(
        short,
        &[
            "--summary",
            "Eerste toekomstoriëntatiegesprek.",
            "--duration",
            "45",
            "--agreement",
            "Documenten verzamelen@+14",
        ],
    ));
    assert_eq!(v["changed"], true);
    assert!(v["contact"].as_str().is_some());
    let case = run(&["participant", "show", &p]);
    assert_eq!(case["phase"], "orientation", "an orientation talk starts the orientation phase");

    run(&["plan", "revise", short, "--situation", "Verblijft in de LVV.", "--perspective", "Terugkeer verkennen."]);
    let v = run(&["plan", "agree", short]);
    assert_eq!(v["changed"], true);
    let goal = run(&[
        "goal",
        "add",
        short,
        "--description",
        "Gesprek met IOM",
        "--deadline",
        "+21",
        "--rationale",
        "Opties kennen",
    ]);
    let goal = goal["goal"].as_str().unwrap().to_owned();
    let goals = run(&["goal", "list", short]);
    assert_eq!(goals.as_array().unwrap().len(), 1);
    assert_eq!(goals[0]["status"], "open");
    run(&["goal", "done", short, &goal[goal.len() - 8..]]);
    assert_eq!(run(&["goal", "list", short])[0]["status"], "achieved");

    let agreements = run(&["agreement", "list", short]);
    assert_eq!(agreements[0]["status"], "open");
    let a = agreements[0]["id"].as_str().unwrap().to_owned();
    run(&["agreement", "done", short, &a]);
    assert_eq!(run(&["agreement", "list", short])[0]["status"], "fulfilled");

    let partner = "iom";
    let r = run(&[
        "referral",
        "add",
        short,
        "--partner",
        partner,
        "--domain",
        "return",
        "--reason",
        "Terugkeerondersteuning",
    ]);
    let r = r["referral"].as_str().unwrap().to_owned();
    // Sending shares the referral with the partner: the participant consents first.
    run(&[
        "consent",
        "give",
        short,
        "--organisation",
        partner,
        "--category",
        "return",
        "--purpose",
        "Terugkeer voorbereiden",
    ]);
    assert_eq!(run(&["consent", "list", short]).as_array().unwrap().len(), 1);
    run(&["referral", "update", short, &r, "--status", "sent"]);
    let referrals = run(&["referral", "list", short]);
    assert_eq!(referrals[0]["status"], "sent");
    assert_eq!(referrals[0]["partner"], "IOM Nederland (IOM)");
    assert_eq!(referrals[0]["partner_code"], "IOM");
    assert_eq!(referrals[0]["domain"], "return");

    run(&["return", "stance", short, "--stance", "considering"]);
    run(&["return", "explore", short, "--motivation", "Wil familie terugzien", "--documents", "Geen paspoort"]);
    run(&["return", "explore", short, "--prospects", "Werk in de landbouw"]);
    run(&["return", "stance", short, "--stance", "decided"]);
    run(&["plan", "direction", short, "--to", "return_to_origin", "--reasoning", "Besloten terug te keren"]);
    let o = run(&["return", "obstacle", short, "--kind", "missing_documents", "--description", "Geen paspoort"]);
    let o = o["obstacle"].as_str().unwrap().to_owned();
    run(&["return", "remove-obstacle", short, &o, "--description", "Laissez-passer via de ambassade"]);
    run(&["return", "reintegration", short, "--housing", "Bij familie", "--income-work", "Landbouw"]);
    run(&["return", "departure", short, "--step", "iom_coordination", "--note", "Aanvraag bij IOM"]);
    run(&[
        "return",
        "rean",
        short,
        "--no-assisted-return-in-five-years",
        "ja",
        "--travel-document-obtainable",
        "ja",
        "--agrees-procedures-end",
        "ja",
    ]);
    let j = run(&[
        "return",
        "judgment",
        short,
        "--verdict",
        "return_realistic",
        "--final",
        "--reasoning",
        "Plan uitgevoerd, belemmeringen weg",
    ]);
    let j = j["judgment"].as_str().unwrap().to_owned();
    run(&["return", "communicated", short, &j, "--to", "participant"]);
    // Telling the municipality and a partner needs the consent a progress report needs.
    run(&["consent", "give", short, "--organisation", "Gemeente", "--category", "reports", "--purpose", "Rapportage"]);
    run(&["return", "communicated", short, &j, "--to", "municipality"]);
    run(&["consent", "give", short, "--organisation", "IOM", "--category", "reports", "--purpose", "Oordeel"]);
    run(&["return", "communicated", short, &j, "--to", "partner:IOM"]);
    let track = run(&["return", "show", short]);
    assert_eq!(
        track["judgments"][0]["communications"][2]["to"]["id"], "IOM Nederland (IOM)",
        "organisations by name and code: {track}"
    );
    // The progress report goes to the municipality, with the participant's consent (above).
    run(&["report", "sent", short, "--from=-30", "--to", "vandaag", "--sent-to", "GEMEENTE"]);
    run(&["return", "consequences", short, &j]);
    run(&["zrm", "record", short, "--score", "housing=2", "--score", "finances=3"]);
    let track = run(&["return", "show", short]);
    assert_eq!(track["obstacles"][0]["status"], "removed");
    assert_eq!(track["judgments"][0]["finality"], "final");

    let v = run(&[
        "outflow",
        "record",
        short,
        "--outcome",
        "departed_independently_supervised",
        "--note",
        "Via IOM vertrokken",
    ]);
    assert_eq!(v["changed"], true);
    let case = run(&["participant", "show", &p]);
    assert_eq!(case["phase"], "closed");
    assert_eq!(case["outflow"]["outcome"], "departed_independently_supervised");
    assert_eq!(case["profile"]["v_number"], "1234567890");
    assert_eq!(case["version"], v["version"]);
    let history = run(&["participant", "history", short]);
    let kinds: Vec<&str> = history.as_array().unwrap().iter().map(|e| e["change"].as_str().unwrap()).collect();
    for k in [
        "registered",
        "contact_logged",
        "plan_revised",
        "goal_set",
        "referral_proposed",
        "judgment_recorded",
        "outflow_recorded",
    ] {
        assert!(kinds.contains(&k), "{k} missing from {kinds:?}");
    }
    p
}

#[test]
fn a_whole_trajectory_from_registration_to_outflow_locally() {
    let install = Install::new();
    install.chain();
    let p = trajectory(&|args| install.json(args));
    // Listings: closed trajectories only with --all.
    assert_eq!(install.json(&["participant", "list"]).as_array().unwrap().len(), 0);
    let all = install.json(&["participant", "list", "--all"]);
    assert_eq!(all[0]["id"], p.as_str());
    assert_eq!(all[0]["phase"], "closed");
    // After the outflow the trajectory is closed: reopening it is refused, by a rule, with code
    // 65 (what happened on the outflow day itself, as everything here, may still be entered).
    let out = install
        .cmd()
        .args(["participant", "phase", &p, "--to", "orientation", "--reason", "Heropenen"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(65));
    assert!(crate::support::stderr(&out).contains("uitstroom"), "{}", crate::support::stderr(&out));
    // Every step was recorded with its actor and the chain is intact.
    let auditor =
        install.json(&["user", "add", "--name", "Controleur Test", "--role", "auditor", "--as", &install.admin]);
    let auditor = auditor["user"].as_str().unwrap();
    let v = install.json(&["audit", "verify", "--as", auditor]);
    assert_eq!(v["status"], "intact");
    let log = install.json(&["audit", "log", "--participant", &p, "--limit", "500", "--as", auditor]);
    // A backup: administrators only, to a new file.
    let copy = install.dir.path().join("kopie.db");
    let out = install.cmd().args(["backup"]).arg(&copy).output().unwrap();
    assert_eq!(out.status.code(), Some(77), "a project worker does not take the whole database");
    let v = install.json(&["backup", copy.to_str().unwrap(), "--as", &install.admin]);
    assert_eq!(v["file"], copy.to_str().unwrap());
    assert!(copy.exists());
    assert!(log.as_array().unwrap().iter().any(|r| r["user"] == install.worker.as_str()), "the worker is in the log");
}

#[test]
fn tables_and_csv_are_readable_and_stable() {
    let install = Install::new();
    install.json(&["participant", "register", "--given-names", "Yonas", "--country-of-origin", "ER"]);
    let out = install.cmd().args(["participant", "list"]).output().unwrap();
    let text = crate::support::stdout(&out);
    assert!(
        text.contains("NAAM") && text.contains("FASE") && text.contains("Yonas") && text.contains("intake"),
        "{text}"
    );
    assert!(!text.contains('\u{1b}'), "no colour when not on a terminal");
    let out = install.cmd().args(["participant", "list", "-o", "csv"]).output().unwrap();
    let text = crate::support::stdout(&out);
    assert!(text.starts_with("id,name,phase,direction,registered_on"), "{text}");
    assert!(text.contains(",intake,undecided,"), "{text}");
}

#[test]
fn sessions_meetings_and_the_worklist() {
    let install = Install::new();
    let p = install.json(&["participant", "register", "--given-names", "Selam"])["participant"]
        .as_str()
        .unwrap()
        .to_owned();
    let s = install.json(&crate::support::theme_session(&[]));
    let s = s["session"].as_str().unwrap().to_owned();
    let v = install.json(&["session", "attend", &s, "--participant", &p, "--head-count", "4"]);
    assert_eq!(v["reach"], 5);
    assert_eq!(install.json(&["session", "list"]).as_array().unwrap().len(), 1);
    let m = install.json(&["meeting", "schedule", "--date", "vandaag"]);
    let m = m["meeting"].as_str().unwrap().to_owned();
    install.json(&["meeting", "agenda", &m, "--participant", &p, "--reason", "no_contact:21"]);
    install.json(&[
        "meeting",
        "advise",
        &m,
        "--participant",
        &p,
        "--advice",
        "continue",
        "--reasoning",
        "Goede voortgang",
    ]);
    let items = install.json(&["meeting", "show", &m]);
    assert_eq!(items[0]["advice"], "continue");
    // Nobody was contacted: the worklist says so on the day after the no-contact window.
    let list = install.json(&["worklist", "--today", "+30"]);
    assert!(
        list.as_array().unwrap().iter().any(|i| i["list"] == "without_contact" && i["participant"] == p.as_str()),
        "{list}"
    );
}

#[test]
fn completions_and_the_man_page_come_from_the_definition() {
    let out = crate::support::bare().args(["completions", "bash"]).output().unwrap();
    assert!(out.status.success());
    assert!(crate::support::stdout(&out).contains("participant"));
    let out = crate::support::bare().arg("man").output().unwrap();
    assert!(out.status.success());
    assert!(crate::support::stdout(&out).contains(".TH perspectief"));
}

#[test]
fn the_worklist_shows_reports_due_and_judgments_not_communicated() {
    let install = Install::new();
    let p = install.json(&["participant", "register", "--given-names", "Hiwet"])["participant"]
        .as_str()
        .unwrap()
        .to_owned();
    // A schedule outside 1 to 12 months is refused at the flag.
    let out = install.cmd().args(["report", "schedule", &p, "--every-months", "13"]).output().unwrap();
    assert_eq!(out.status.code(), Some(64), "{}", crate::support::stderr(&out));
    let v = install.json(&["report", "schedule", &p, "--every-months", "1"]);
    assert_eq!(v["changed"], true);
    install.json(&["plan", "revise", &p, "--situation", "Situatie.", "--perspective", "Terugkeer."]);
    install.json(&["plan", "agree", &p]);
    let j =
        install.json(&["return", "judgment", &p, "--verdict", "return_not_possible", "--final", "--reasoning", "R"]);
    let j = j["judgment"].as_str().unwrap().to_owned();
    install.json(&["return", "communicated", &p, &j, "--to", "participant"]);
    // A month on: the monthly report is due, and the municipality has not heard the judgment.
    let list = install.json(&["worklist", "--today", "+25"]);
    let mine = |name: &str| -> Vec<serde_json::Value> {
        list.as_array()
            .unwrap()
            .iter()
            .filter(|i| i["list"] == name && i["participant"] == p.as_str())
            .cloned()
            .collect()
    };
    assert_eq!(mine("reports_due").len(), 1, "{list}");
    let told = mine("uncommunicated_judgments");
    assert_eq!(told.len(), 1, "{list}");
    assert_eq!(told[0]["recipient"], "municipality");
    assert_eq!(told[0]["subject_id"], j.as_str());
    // The same list in English names the lists in English.
    let out = install.cmd().args(["--lang", "en", "worklist", "--today", "+25"]).output().unwrap();
    let text = crate::support::stdout(&out);
    assert!(text.contains("progress report due") && text.contains("judgment not communicated"), "{text}");
    // On the day of registration nothing of this was due yet.
    let list = install.json(&["worklist"]);
    assert!(!list.as_array().unwrap().iter().any(|i| i["list"] == "reports_due"), "{list}");
}

#[test]
fn chain_meetings_are_listed_adopt_their_agenda_count_in_the_subsidy_report_and_decide() {
    let i = Install::new();
    let p = i.json(&["participant", "register", "--given-names", "Yonas"])["participant"].as_str().unwrap().to_owned();
    i.json(&crate::support::talk(&p, &["--summary", "Oriëntatie (synthetisch)."]));
    let lead = i.add_user("Leider Overleg", "project_lead");
    let period = i.json(&["--as", &lead, "period", "define", "--name", "Overleg", "--from=-10", "--to=+60"]);
    let period = period["period"].as_str().unwrap().to_owned();

    // A meeting in a month: its agenda has the participant (no contact by then), adopted in one step.
    let later = i.json(&["meeting", "schedule", "--date", "+30"])["meeting"].as_str().unwrap().to_owned();
    let adopted = i.json(&["meeting", "adopt-agenda", &later]);
    assert_eq!(adopted["added"], 1, "{adopted}");
    let items = i.json(&["meeting", "show", &later]);
    assert_eq!(items[0]["participant"], p.as_str());
    assert_eq!(items[0]["reasons"][0], "no_contact");
    assert_eq!(i.json(&["meeting", "adopt-agenda", &later])["added"], 0, "adopting again adds nobody twice");

    // Today's meeting: discussed twice, advised, decided.
    let m = i.json(&["meeting", "schedule", "--date", "vandaag"])["meeting"].as_str().unwrap().to_owned();
    i.json(&["meeting", "agenda", &m, "--participant", &p, "--reason", "termination_advice_due"]);
    i.json(&["meeting", "record", &m, "--participant", &p, "--decision", "Advies voorbereiden"]);
    i.json(&["meeting", "record", &m, "--participant", &p, "--decision", "Advies voorbereiden."]);
    i.json(&["meeting", "advise", &m, "--participant", &p, "--advice", "end_guidance", "--reasoning", "Geen inzet"]);
    let refused = i.cmd().args(["outflow", "record", &p, "--outcome", "ended_by_chain_decision"]).output().unwrap();
    assert!(!refused.status.success());
    assert!(crate::support::stderr(&refused).contains("ketenoverleg"), "{}", crate::support::stderr(&refused));
    i.json(&["meeting", "decide", &m, "--participant", &p, "--adopted"]);
    assert_eq!(i.json(&["participant", "show", &p])["phase"], "termination");
    i.json(&["meeting", "talk", &m, "--participant", &p]);
    i.json(&["outflow", "record", &p, "--outcome", "ended_by_chain_decision"]);

    // Newest first.
    let list = i.json(&["meeting", "list"]);
    let ids: Vec<_> = list.as_array().unwrap().iter().map(|r| r["meeting"].as_str().unwrap().to_owned()).collect();
    assert_eq!(ids, [later.clone(), m.clone()], "{list}");
    assert_eq!(list[1]["advice"], 1);
    let bad = i.cmd().args(["meeting", "list", "--from", "+10", "--to", "vandaag"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(65));

    // 3.2.f and 3.2.g count the participant once in the subsidy report.
    let report = i.json(&["report", "subsidy", &period]);
    for code in ["3.2.f", "3.2.g"] {
        let rows = report["activities"].as_array().unwrap();
        let row = rows.iter().find(|r| r["measure"].to_string().contains(code)).unwrap_or_else(|| panic!("{report}"));
        assert_eq!(row["registered_persons"], 1, "{code}: {row}");
        assert_eq!(i.json(&["report", "drilldown", &period, code])["participants"], serde_json::json!([p]));
    }
}

#[test]
fn the_history_names_who_did_it_by_name() {
    let install = Install::new();
    let lead = install.add_user("Leider Test", "project_lead");
    let v = install.json(&["participant", "register", "--given-names", "Amina"]);
    let id = v["participant"].as_str().unwrap().to_owned();
    install.json(&["--as", &lead, "participant", "phase", &id, "--to", "orientation", "--reason", "Start"]);
    let history = install.json(&["participant", "history", &id]);
    let rows = history.as_array().unwrap();
    assert_eq!(rows[0]["actor"], install.worker.as_str(), "the id stays, for scripts: {history}");
    assert_eq!(rows[0]["actor_name"], "Werker Test", "{history}");
    assert_eq!(rows[rows.len() - 1]["actor_name"], "Leider Test", "{history}");
    let out = install.cmd().args(["participant", "history", &id]).output().unwrap();
    let table = crate::support::stdout(&out);
    assert!(table.contains("Werker Test") && table.contains("Leider Test"), "{table}");
    assert!(!table.contains(&install.worker), "no raw id where the name is known: {table}");
}
