//! `import history`: whole case histories from one CSV file per record kind, all or nothing,
//! refused a second time, and atomic when the process is killed.

use std::path::Path;

use crate::support::{Install, bare_std, stderr};

/// A small history of two participants, in the foundation's own numbers, dated in the past
/// (relative to today: nothing may lie in the future).
fn write_history(dir: &Path) {
    std::fs::create_dir_all(dir).unwrap();
    let files: [(&str, &str); 10] = [
        (
            "deelnemers.csv",
            "nummer;voornamen;achternaam;geboortedatum;land_van_herkomst;talen;inschrijfdatum\n\
             D-001;Amina;Testpersoon;17-05-1990;ER;ti|en;-90\n\
             D-002;Yonas;Voorbeeld;1985;ET;am;-60\n",
        ),
        (
            "contacts.csv",
            "number,at,kind,activities,summary\n\
             D-001,-80,individual_talk,5.2.a(2),Kennismaking\n\
             D-001,-40,phone,5.2.a(2),Afspraak gemaakt\n\
             D-002,-50,individual_talk,5.2.a(2),Kennismaking\n\
             D-002,-50,individual_talk,5.2.a(2),Kennismaking\n",
        ),
        (
            "plans.csv",
            "number,drawn_up_on,personal_situation,perspective,agreed_on\n\
             D-001,-35,Woont in de LVV,Onderzoek naar een nieuwe procedure,-34\n",
        ),
        (
            "goals.csv",
            "number,set_on,description,responsible,deadline\nD-001,-33,Documenten verzamelen,participant,-3\n",
        ),
        (
            "consents.csv",
            "number,given_on,organisation,categories,purpose\nD-001,-30,IOM,return,Verkenning van terugkeer\n",
        ),
        (
            "referrals.csv",
            "number,referral,on,status,partner,domain,reason\n\
             D-001,v1,-20,proposed,IOM,return,Informatie over terugkeer\n\
             D-001,v1,-19,sent,,,\n",
        ),
        (
            "return.csv",
            "number,record,on,value,reference,text,motivation\n\
             D-001,stance,-25,decided,,Wil informatie,\n\
             D-001,exploration,-24,,,,Wil familie terugzien\n\
             D-001,obstacle,-24,missing_documents,b1,Geen paspoort,\n\
             D-001,obstacle_action,-10,being_addressed,b1,Ambassade gebeld,\n",
        ),
        (
            "sessions.csv",
            "session,date,theme,venue,languages,unregistered\ns1,-15,Terugkeer en herintegratie,WereldHuis,ti|am,4\n",
        ),
        ("aanwezigheid.csv", "sessie,nummer\ns1,D-001\ns1,D-002\n"),
        ("agreements.csv", "number,made_on,description,due_on,who_acts\nD-002,-5,Paspoort meenemen,+14,participant\n"),
    ];
    for (name, text) in files {
        std::fs::write(dir.join(name), text).unwrap();
    }
}

fn participant_id(install: &Install, name: &str) -> String {
    let list = install.json(&["participant", "list"]);
    list.as_array().unwrap().iter().find(|p| p["name"] == name).unwrap_or_else(|| panic!("{name}: {list}"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

#[test]
fn a_whole_history_imports_all_at_once_and_not_a_second_time() {
    let install = Install::new();
    install.chain();
    let dir = install.dir.path().join("migratie");
    write_history(&dir);
    let dry = install.json(&["import", "history", dir.to_str().unwrap(), "--dry-run"]);
    assert_eq!(dry["rows"], 19, "{dry}");
    assert_eq!(install.json(&["participant", "list"]).as_array().unwrap().len(), 0, "a dry run writes nothing");

    let v = install.json(&["import", "history", dir.to_str().unwrap()]);
    assert_eq!(v["participants"], 2, "{v}");
    assert_eq!(v["imported"], 19, "{v}");
    let amina = participant_id(&install, "Amina Testpersoon");
    let yonas = participant_id(&install, "Yonas Voorbeeld");
    assert_eq!(install.json(&["contact", "list", &amina]).as_array().unwrap().len(), 2);
    assert_eq!(install.json(&["contact", "list", &yonas]).as_array().unwrap().len(), 2, "identical rows both count");
    let case = install.json(&["participant", "show", &amina]).to_string();
    for expected in ["Documenten verzamelen", "1990-05-17", "decided", "Geen paspoort"] {
        assert!(case.contains(expected), "{expected}: {case}");
    }
    let sessions = install.json(&["session", "list", "--from=-30"]);
    assert_eq!(sessions.as_array().unwrap().len(), 1, "{sessions}");
    assert_eq!(sessions[0]["reach"], 6, "two attended, four not registered: {sessions}");
    let referrals = install.json(&["referral", "list", &amina]).to_string();
    assert!(referrals.contains("sent"), "{referrals}");
    // Every step is on record, each under its own operation.
    let auditor = install.add_user("Auditor Test", "auditor");
    let audit = install.json(&["--as", &auditor, "audit", "log", "--participant", &amina]).to_string();
    assert!(audit.contains("register_participant") && audit.contains("log_contact"), "{audit}");

    // The same files again: refused, naming the rows, nothing added.
    let out = install.cmd().args(["import", "history"]).arg(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("contacts.csv, rij 2") && err.contains("al eerder geïmporteerd"), "{err}");
    assert_eq!(install.json(&["participant", "list"]).as_array().unwrap().len(), 2);
    assert_eq!(install.json(&["contact", "list", &amina]).as_array().unwrap().len(), 2);

    // A later file set names the same participants by their numbers.
    let later = install.dir.path().join("later");
    std::fs::create_dir_all(&later).unwrap();
    std::fs::write(
        later.join("contacten.csv"),
        "nummer;at;kind;activities;summary\nD-002;-5;phone;5.2.a(2);Nagebeld\n",
    )
    .unwrap();
    let v = install.json(&["import", "history", later.to_str().unwrap()]);
    assert_eq!(v["imported"], 1, "{v}");
    assert_eq!(install.json(&["contact", "list", &yonas]).as_array().unwrap().len(), 3);
}

#[test]
fn every_problem_in_every_file_is_named_and_nothing_is_imported() {
    let install = Install::new();
    install.chain();
    let dir = install.dir.path().join("fout");
    write_history(&dir);
    std::fs::write(
        dir.join("contacts.csv"),
        "number,at,kind,activities,summary\n\
         D-001,-80,individual_talk,5.2.a(2),Kennismaking\n\
         D-009,-40,phone,5.2.a(2),Onbekend nummer\n\
         D-002,gisteravond,phone,5.2.a(2),Geen datum\n\
         D-002,-100,phone,5.2.a(2),Voor de inschrijving\n",
    )
    .unwrap();
    std::fs::write(dir.join("outflows.csv"), "number,on,outcome\nD-001,-1,vertrokken\n").unwrap();
    let out = install.cmd().args(["--lang", "en", "import", "history"]).arg(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("contacts.csv, row 3, column number: no participant with number 'D-009'"), "{err}");
    assert!(err.contains("contacts.csv, row 4, column at:"), "{err}");
    assert!(err.contains("contacts.csv, row 5"), "the core's rule, by row: {err}");
    assert!(err.contains("outflows.csv, row 2, column outcome"), "{err}");
    assert!(!err.contains("row 2, column at"), "{err}");
    assert_eq!(install.json(&["participant", "list"]).as_array().unwrap().len(), 0, "nothing imported");
}

#[test]
fn the_new_kinds_are_checked_by_row_and_column_and_an_agreement_joins_its_contact() {
    let install = Install::new();
    install.chain();
    let dir = install.dir.path().join("soorten");
    write_history(&dir);
    // Agreements made in a contact, by the contacts file's own reference; an unknown one is named.
    std::fs::write(
        dir.join("contacts.csv"),
        "number,contact,at,kind,activities,summary\n\
         D-001,c1,-80,individual_talk,5.2.a(2),Kennismaking\n\
         D-002,c2,-50,individual_talk,5.2.a(2),Kennismaking\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("agreements.csv"),
        "number,made_on,description,due_on,contact\n\
         D-001,-80,Paspoort meenemen,-70,c1\n\
         D-002,-50,Brief ophalen,-45,c9\n",
    )
    .unwrap();
    std::fs::write(dir.join("zelfredzaamheid.csv"), "nummer;assessed_on;finances;housing\nD-001;-60;2;7\n").unwrap();
    std::fs::write(
        dir.join("progress_reports.csv"),
        "number,period_from,period_to,sent_to,sent_on\nD-001,-80,-40,ONBEKEND,-39\n",
    )
    .unwrap();
    std::fs::write(dir.join("phases.csv"), "number,on,phase,reason\nD-002,-10,later,Te vroeg\n").unwrap();
    let out = install.cmd().args(["--lang", "en", "import", "history"]).arg(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("agreements.csv, row 3, column contact"), "{err}");
    assert!(err.contains("zelfredzaamheid.csv, row 2, column housing"), "{err}");
    assert!(!err.contains("column finances"), "{err}");
    assert!(err.contains("progress_reports.csv, row 2, column sent_to"), "{err}");
    assert!(err.contains("phases.csv, row 2, column phase"), "{err}");
    assert_eq!(install.json(&["participant", "list"]).as_array().unwrap().len(), 0, "nothing imported");

    // Corrected, the agreement is part of its contact and the assessment is on record.
    std::fs::write(
        dir.join("agreements.csv"),
        "number,made_on,description,due_on,contact\nD-001,-80,Paspoort meenemen,-70,c1\n",
    )
    .unwrap();
    std::fs::write(dir.join("zelfredzaamheid.csv"), "nummer;assessed_on;finances;housing\nD-001;-60;2;4\n").unwrap();
    std::fs::remove_file(dir.join("progress_reports.csv")).unwrap();
    std::fs::remove_file(dir.join("phases.csv")).unwrap();
    install.json(&["import", "history", dir.to_str().unwrap()]);
    let amina = participant_id(&install, "Amina Testpersoon");
    let case = install.json(&["participant", "show", &amina]);
    let agreements = case["agreements"].as_object().unwrap();
    let contacts = case["contacts"].as_object().unwrap();
    let made_in =
        agreements.values().find(|a| a[0]["description"] == "Paspoort meenemen").unwrap()[0]["made_in"].clone();
    assert!(contacts.contains_key(made_in.as_str().unwrap()), "made in the contact c1: {case}");
    assert_eq!(case["self_reliance"][0]["scores"]["housing"], 4, "{case}");
}

/// A history large enough that its one transaction spills pages into the write-ahead log
/// well before it commits.
fn write_large_history(dir: &Path, participants: usize, contacts: usize) {
    use std::fmt::Write as _;
    std::fs::create_dir_all(dir).unwrap();
    let mut p = String::from("number,given_names,family_name,registered_on\n");
    let mut c = String::from("number,at,kind,activities,summary\n");
    for i in 0..participants {
        writeln!(p, "N{i:04},Synth{i},Testpersoon,-200").unwrap();
        for d in 0..contacts {
            writeln!(c, "N{i:04},-{},individual_talk,5.2.a(2),Gesprek {d}", 150 - d).unwrap();
        }
    }
    std::fs::write(dir.join("participants.csv"), p).unwrap();
    std::fs::write(dir.join("contacts.csv"), c).unwrap();
}

fn wal_size(install: &Install) -> u64 {
    std::fs::metadata(install.dir.path().join("perspectief.db-wal")).map(|m| m.len()).unwrap_or(0)
}

/// Start the import and send `signal` once the import's transaction is visibly writing (the
/// write-ahead log grew by 2 MB): returns whether it was still running then.
fn interrupt_import(install: &Install, dir: &Path, signal: &str) -> bool {
    let start = wal_size(install);
    let mut child = bare_std()
        .env("PERSPECTIEF_CONFIG", install.config())
        .env("PERSPECTIEF_DATABASE_URL", install.database())
        .args(["import", "history"])
        .arg(dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        if child.try_wait().unwrap().is_some() {
            return false;
        }
        if wal_size(install) > start + 2 * 1024 * 1024 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the import did not start writing");
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    let status =
        std::process::Command::new("kill").args([&format!("-{signal}"), &child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let exit = child.wait().unwrap();
    assert!(!exit.success(), "the import was stopped by {signal}");
    true
}

#[test]
fn an_import_killed_or_interrupted_mid_transaction_leaves_nothing_and_can_be_run_again() {
    let install = Install::new();
    let dir = install.dir.path().join("groot");
    write_large_history(&dir, 300, 20);
    for signal in ["KILL", "INT"] {
        assert!(interrupt_import(&install, &dir, signal), "the import ended before {signal} reached it");
        // Nothing of it: no participant, no number, no row key (the next run is not refused).
        assert_eq!(install.json(&["participant", "list"]).as_array().unwrap().len(), 0, "after {signal}");
    }
    let v = install.json(&["import", "history", dir.to_str().unwrap()]);
    assert_eq!(v["participants"], 300, "{v}");
    assert_eq!(install.json(&["participant", "list"]).as_array().unwrap().len(), 300);
}

#[test]
fn contact_log_with_its_own_id_sent_again_records_one_contact() {
    let install = Install::new();
    let p = install.json(&["participant", "register", "--given-names", "Amina", "--registered-on=-30"]);
    let p = p["participant"].as_str().or(p["id"].as_str()).unwrap().to_owned();
    let id = "01890a5d-ac96-774b-bcce-b302099a8057";
    let args = [
        "contact",
        "log",
        &p,
        "--id",
        id,
        "--kind",
        "individual_talk",
        "--activity",
        "5.2.a(2)",
        "--summary",
        "Gesprek (synthetisch)",
        "--at",
        "gisteren",
        "--agreement",
        "Paspoort meenemen@+7",
    ];
    let first = install.json(&args);
    assert_eq!(first["changed"], true, "{first}");
    assert_eq!(first["contact"], id, "{first}");
    // The same command again (a script run twice, a retry): the same ids, nothing new.
    let again = install.json(&args);
    assert_eq!(again["changed"], false, "{again}");
    assert_eq!(again["version"], first["version"]);
    assert_eq!(install.json(&["contact", "list", &p]).as_array().unwrap().len(), 1);
    assert_eq!(install.json(&["agreement", "list", &p]).as_array().unwrap().len(), 1);
    // The same id for something else is refused, naming the flag.
    let mut other = args.to_vec();
    other[10] = "Een ander gesprek (synthetisch)";
    let out = install.cmd().args(&other).output().unwrap();
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
    assert!(stderr(&out).contains("--id"), "{}", stderr(&out));
}

/// Chain meetings (Dutch file names, day-first dates): a record on an unknown meeting and a
/// termination talk before the advice is adopted are refused by row; in the right order the
/// outflow "ended by chain decision" follows the adopted advice and the meeting shows it.
#[test]
fn chain_meeting_records_import_in_date_order_with_the_case_steps() {
    let install = Install::new();
    install.chain();
    let dir = install.dir.path().join("overleg");
    std::fs::create_dir_all(&dir).unwrap();
    let day = |n: i64| (chrono::Utc::now().date_naive() - chrono::Duration::days(n)).format("%d-%m-%Y").to_string();
    std::fs::write(dir.join("deelnemers.csv"), format!("nummer;voornamen;inschrijfdatum\nD-001;Amina;{}\n", day(90)))
        .unwrap();
    std::fs::write(dir.join("fasen.csv"), format!("number;on;phase;reason\nD-001;{};orientation;Start\n", day(80)))
        .unwrap();
    std::fs::write(dir.join("ketenoverleggen.csv"), format!("meeting;date\nK1;{}\n", day(20))).unwrap();
    std::fs::write(dir.join("uitstroom.csv"), format!("number;on;outcome\nD-001;{};ended_by_chain_decision\n", day(5)))
        .unwrap();
    let records = |talk_row: &str| {
        format!(
            "meeting;number;record;on;reasons;advice;reasoning;adopted\n\
             K1;D-001;agenda;;no_contact:60;;;\n\
             {talk_row}\n\
             K1;D-001;advised;;;end_guidance_and_shelter;Geen contact meer;\n\
             K9;D-001;discussed;;;;;\n"
        )
    };
    // The talk without a decision, and an unknown meeting: refused, nothing imported.
    std::fs::write(dir.join("overlegverslagen.csv"), records(&format!("K1;D-001;talk;{};;;;", day(10)))).unwrap();
    let out = install.cmd().args(["--lang", "en", "import", "history"]).arg(&dir).output().unwrap();
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("overlegverslagen.csv, row 5, column meeting"), "{err}");
    assert!(err.contains("overlegverslagen.csv, row 3"), "the talk needs an adopted advice: {err}");
    assert!(err.contains("uitstroom.csv, row 2"), "the outflow needs the adopted advice: {err}");
    assert_eq!(install.json(&["participant", "list"]).as_array().unwrap().len(), 0, "nothing imported");

    // The decision in place of the unknown meeting's row, the talk after it: imported.
    let fixed = records(&format!("K1;D-001;talk;{};;;;", day(10)))
        .replace("K9;D-001;discussed;;;;;", "K1;D-001;decided;;;;;ja");
    std::fs::write(dir.join("overlegverslagen.csv"), fixed).unwrap();
    install.json(&["import", "history", dir.to_str().unwrap()]);
    let all = install.json(&["participant", "list", "--all"]);
    let p = all[0]["id"].as_str().unwrap_or_else(|| panic!("{all}")).to_owned();
    let case = install.json(&["participant", "show", &p]);
    assert_eq!(case["phase"], "closed", "{case}");
    let list = install.json(&["meeting", "list", "--from=-30", "--to=vandaag"]);
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["advice"], 1, "{list}");
    let shown = install.json(&["meeting", "show", list[0]["meeting"].as_str().unwrap()]);
    assert_eq!(shown[0]["reasons"][0], "no_contact", "{shown}");
    assert_eq!(shown[0]["advice_adopted"], true, "{shown}");
}
