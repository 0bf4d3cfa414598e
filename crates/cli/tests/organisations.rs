//! The organisations register on the command line: the administrator keeps it, staff type
//! codes wherever an organisation is asked, an unknown code is refused with the known ones,
//! no output shows a bare organisation id, and the config file's `[organisations]` section is
//! retired with a message and carried over by `organisation import-config`.

use serde_json::Value;

use crate::support::{Install, stderr, stdout};

#[test]
fn the_administrator_keeps_the_register_and_staff_name_organisations_by_code() {
    let i = Install::new();
    // Keeping the register is the administrator's; every attempt is refused otherwise.
    let out =
        i.cmd().args(["organisation", "add", "--code", "IOM", "--name", "IOM", "--kind", "ngo"]).output().unwrap();
    assert_eq!(out.status.code(), Some(77), "{}", stderr(&out));
    let iom = i.organisation("iom", "IOM Nederland", "international_organisation", &["return", "medical"]);
    i.organisation("Gemeente", "Gemeente Amsterdam", "municipality", &["shelter"]);
    // Codes are unique whatever their case; invalid input names the flags.
    let out = i
        .cmd()
        .args(["--as", &i.admin, "organisation", "add", "--code", "Iom", "--name", "Tweede", "--kind", "ngo"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(75), "{}", stderr(&out));
    let out = i
        .cmd()
        .args(["--as", &i.admin, "organisation", "add", "--code", "I O M", "--name", " ", "--kind", "ngo"])
        .args(["--email", "geen-adres"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(65));
    let err = stderr(&out);
    assert!(err.contains("--code") && err.contains("--name") && err.contains("--email"), "{err}");

    // Everyone reads it; by code in any case, or by id.
    let list = i.json(&["organisation", "list"]);
    let codes: Vec<&str> = list.as_array().unwrap().iter().map(|o| o["code"].as_str().unwrap()).collect();
    assert_eq!(codes, ["GEMEENTE", "IOM", "STICHTING"]);
    let shown = i.json(&["organisation", "show", "iOm"]);
    assert_eq!((shown["name"].as_str(), shown["id"].as_str()), (Some("IOM Nederland"), Some(iom.as_str())));
    assert_eq!(i.json(&["organisation", "show", &iom])["code"], "IOM");
    let table = stdout(&i.cmd().args(["organisation", "list"]).output().unwrap());
    assert!(table.contains("IOM Nederland") && table.contains("internationale organisatie"), "{table}");
    let returning = i.json(&["organisation", "list", "--domain", "return"]);
    assert_eq!(returning.as_array().unwrap().len(), 1);

    // Staff type the code wherever an organisation is asked.
    let p = i.json(&["participant", "register", "--given-names", "Code", "--family-name", "Testpersoon"]);
    let p = p["participant"].as_str().unwrap().to_owned();
    i.json(&["referral", "add", &p, "--partner", "iom", "--domain", "return", "--reason", "Terugkeer"]);
    i.json(&["consent", "give", &p, "--organisation", "GEMEENTE", "--category", "reports", "--purpose", "Rapportage"]);
    i.json(&["report", "sent", &p, "--from", "vandaag", "--to", "vandaag", "--sent-to", "gemeente"]);
    // An unknown code, or an id the register does not hold, is refused with the known codes.
    for (args, flag) in [
        (vec!["referral", "add", &p, "--partner", "KRUISPOST", "--domain", "medical", "--reason", "Zorg"], "--partner"),
        (
            vec![
                "report",
                "sent",
                &p,
                "--from",
                "vandaag",
                "--to",
                "vandaag",
                "--sent-to",
                "0192f0c1-7c3e-7000-8000-00000000a0d7",
            ],
            "--sent-to",
        ),
        (
            vec![
                "consent",
                "give",
                &p,
                "--organisation",
                "GGD",
                "--category",
                "medical_psychosocial",
                "--purpose",
                "Zorg",
            ],
            "--organisation",
        ),
    ] {
        let out = i.cmd().args(&args).output().unwrap();
        assert_eq!(out.status.code(), Some(65), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains(flag) && err.contains("GEMEENTE, IOM, STICHTING"), "{err}");
    }
    let out = i
        .cmd()
        .args(["--lang", "en", "referral", "add", &p, "--partner", "Kruispost"])
        .args(["--domain", "medical", "--reason", "Zorg"])
        .output()
        .unwrap();
    assert!(stderr(&out).contains("Known codes: GEMEENTE, IOM, STICHTING"), "{}", stderr(&out));

    // Renaming and retiring: an inactive organisation takes no new referral, its code still
    // resolves and its name still shows.
    i.json(&[
        "--as",
        &i.admin,
        "organisation",
        "update",
        "IOM",
        "--name",
        "IOM Den Haag",
        "--phone",
        "+31 70 318 1500",
    ]);
    let v = i.json(&["--as", &i.admin, "organisation", "update", "iom", "--deactivate"]);
    assert_eq!(v["active"], false);
    let out = i
        .cmd()
        .args(["referral", "add", &p, "--partner", "IOM", "--domain", "return", "--reason", "Opnieuw"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(65));
    assert!(stderr(&out).contains("niet meer actief"), "{}", stderr(&out));
    assert_eq!(i.json(&["referral", "list", &p])[0]["partner"], "IOM Den Haag (IOM)");
    assert_eq!(i.json(&["organisation", "list"]).as_array().unwrap().len(), 2, "inactive ones only with --all");
    assert_eq!(i.json(&["organisation", "list", "--all"]).as_array().unwrap().len(), 3);
    let out = i.cmd().args(["--as", &i.admin, "organisation", "update", "STICHTING", "--deactivate"]).output().unwrap();
    assert_eq!(out.status.code(), Some(65), "the foundation stays active: {}", stderr(&out));

    // Every change of the register is in the access log.
    let auditor = i.add_user("Controleur Test", "auditor");
    let log = i.json(&["--as", &auditor, "audit", "log", "--limit", "500"]);
    let operations: Vec<(&str, &str)> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["operation"].as_str().is_some_and(|o| o.ends_with("_organisation")))
        .map(|r| (r["operation"].as_str().unwrap(), r["outcome"].as_str().unwrap()))
        .collect();
    assert!(operations.contains(&("add_organisation", "denied")), "{operations:?}");
    assert_eq!(operations.iter().filter(|o| **o == ("add_organisation", "success")).count(), 2, "{operations:?}");
    assert_eq!(operations.iter().filter(|o| **o == ("update_organisation", "success")).count(), 2, "{operations:?}");
}

/// Every UUID in `text`.
fn uuids(text: &str) -> Vec<String> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    let hex = |b: u8| b.is_ascii_hexdigit();
    let mut i = 0;
    while i + 36 <= bytes.len() {
        let w = &bytes[i..i + 36];
        let shaped = w.iter().enumerate().all(|(k, b)| if [8, 13, 18, 23].contains(&k) { *b == b'-' } else { hex(*b) });
        if shaped {
            found.push(text[i..i + 36].to_lowercase());
            i += 36;
        } else {
            i += 1;
        }
    }
    found
}

#[test]
fn no_output_shows_a_bare_organisation_id() {
    let i = Install::new();
    i.chain();
    i.organisation("ASKV", "ASKV Steunpunt", "ngo", &["legal", "activities"]);
    let lead = i.add_user("Leider Test", "project_lead");
    i.json(&[
        "--as",
        &i.admin,
        "user",
        "add",
        "--name",
        "IOM-koppeling",
        "--role",
        "chain_partner",
        "--organisation",
        "IOM",
    ]);
    i.json(&["--as", &i.admin, "grant", "set", "iom", "--category", "return", "--max-level", "vertrouwelijk"]);

    // A case that names organisations at every place one can be named.
    let p = i.json(&["participant", "register", "--given-names", "Zonder", "--family-name", "Id"]);
    let p = p["participant"].as_str().unwrap().to_owned();
    let run = |args: &[&str]| i.json(args);
    run(&[
        "contact",
        "log",
        &p,
        "--kind",
        "partner_contact",
        "--activity",
        "5.2.a(2)",
        "--summary",
        "Overleg",
        "--partner",
        "ASKV",
    ]);
    run(&["plan", "revise", &p, "--situation", "Situatie.", "--perspective", "Terugkeer."]);
    run(&[
        "goal",
        "add",
        &p,
        "--description",
        "Paspoort",
        "--deadline",
        "+14",
        "--responsible",
        "partner:askv",
        "--partner",
        "IOM",
    ]);
    run(&["goal", "add", &p, "--description", "Gesprek", "--deadline", "+14", "--responsible", "staff"]);
    run(&["agreement", "add", &p, "--description", "Bellen", "--due", "+7", "--who", "partner:IOM"]);
    run(&["consent", "give", &p, "--organisation", "IOM", "--category", "return", "--purpose", "Terugkeer"]);
    run(&["consent", "give", &p, "--organisation", "GEMEENTE", "--category", "reports", "--purpose", "Rapportage"]);
    let r = run(&["referral", "add", &p, "--partner", "IOM", "--domain", "return", "--reason", "Terugkeer"]);
    let r = r["referral"].as_str().unwrap().to_owned();
    run(&["referral", "update", &p, &r, "--status", "sent"]);
    let r2 = run(&["referral", "add", &p, "--partner", "askv", "--domain", "legal", "--reason", "Advies"]);
    let r2 = r2["referral"].as_str().unwrap().to_owned();
    i.json(&["--as", &lead, "referral", "update", &p, &r2, "--status", "sent", "--override-reason", "Spoed"]);
    run(&["return", "stance", &p, "--stance", "considering"]);
    run(&["return", "explore", &p, "--motivation", "Familie"]);
    run(&["return", "stance", &p, "--stance", "decided"]);
    run(&["return", "obstacle", &p, "--kind", "missing_documents", "--description", "Paspoort", "--partner", "IOM"]);
    let j = run(&["return", "judgment", &p, "--verdict", "return_realistic", "--reasoning", "Haalbaar"]);
    let j = j["judgment"].as_str().unwrap().to_owned();
    run(&["consent", "give", &p, "--organisation", "IOM", "--category", "reports", "--purpose", "Oordeel"]);
    run(&["return", "communicated", &p, &j, "--to", "partner:IOM"]);
    run(&["report", "sent", &p, "--from", "vandaag", "--to", "vandaag", "--sent-to", "GEMEENTE"]);
    run(&crate::support::theme_session(&["--partner", "IOM"]));

    let organisations = i.json(&["organisation", "list", "--all"]);
    let ids: Vec<String> =
        organisations.as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap().to_lowercase()).collect();
    assert_eq!(ids.len(), 4);
    let auditor = i.add_user("Controleur Test", "auditor");
    let mut checked = 0;
    let mut scan = |args: &[&str]| {
        for format in ["table", "json", "csv"] {
            let out = i.cmd().args(args).args(["-o", format]).output().unwrap();
            assert!(out.status.success(), "{args:?} {format}: {}", stderr(&out));
            let text = stdout(&out);
            assert!(!text.trim().is_empty(), "{args:?} {format} printed nothing");
            let bare: Vec<String> = uuids(&text).into_iter().filter(|u| ids.contains(u)).collect();
            assert!(bare.is_empty(), "{args:?} -o {format} shows organisation ids {bare:?}:\n{text}");
            checked += 1;
        }
    };
    for args in [
        vec!["participant", "show", p.as_str()],
        vec!["participant", "list"],
        vec!["referral", "list", p.as_str()],
        vec!["consent", "list", p.as_str()],
        vec!["goal", "list", p.as_str()],
        vec!["agreement", "list", p.as_str()],
        vec!["contact", "list", p.as_str()],
        vec!["return", "show", p.as_str()],
        vec!["report", "progress", p.as_str(), "--from=-7", "--to", "vandaag"],
        vec!["session", "list"],
        vec!["--as", lead.as_str(), "privacy", "overrides"],
        vec!["--as", i.admin.as_str(), "grant", "list"],
        vec!["--as", i.admin.as_str(), "user", "list"],
    ] {
        scan(&args);
    }
    assert_eq!(checked, 13 * 3);
    // The names are there instead.
    let referrals = i.json(&["referral", "list", &p]);
    let partners: Vec<&str> = referrals.as_array().unwrap().iter().map(|r| r["partner"].as_str().unwrap()).collect();
    assert!(partners.contains(&"IOM Nederland (IOM)") && partners.contains(&"ASKV Steunpunt (ASKV)"), "{partners:?}");
    let report = stdout(&i.cmd().args(["report", "progress", &p, "--from=-7", "--to", "vandaag"]).output().unwrap());
    assert!(report.contains("ketenpartner IOM Nederland (IOM)"), "{report}");
    assert!(report.contains("Gemeente Amsterdam (GEMEENTE)"), "{report}");
    let users = i.json(&["--as", &i.admin, "user", "list"]);
    assert!(users.as_array().unwrap().iter().any(|u| u["organisation"] == "IOM Nederland (IOM)"), "{users}");
    let _ = auditor;

    // Staff by name: the project worker column of the participant list.
    let list = stdout(&i.cmd().args(["participant", "list"]).output().unwrap());
    assert!(list.contains("Werker Test") && !list.contains(&i.worker), "{list}");
    let json: Value = i.json(&["participant", "list"]);
    assert_eq!(json[0]["project_worker"], "Werker Test");
    let goals = i.json(&["goal", "list", &p]);
    assert!(goals.as_array().unwrap().iter().any(|g| g["responsible"] == "staff:Werker Test"), "{goals}");
}

#[test]
fn the_config_section_is_retired_with_a_message_and_carried_over() {
    let i = Install::new();
    let iom = i.organisation("IOM", "IOM Nederland", "international_organisation", &["return"]);
    let ggd = "0192f0c1-7c3e-7000-8000-00000000a0d7";
    let text = std::fs::read_to_string(i.config()).unwrap();
    std::fs::write(i.config(), format!("{text}\n[organisations]\nGGD = \"{ggd}\"\nIom = \"{iom}\"\n")).unwrap();
    // Every command says the section is no longer used, and how to carry it over.
    let out = i.cmd().args(["participant", "list"]).output().unwrap();
    assert!(out.status.success());
    assert!(stderr(&out).contains("[organisations]") && stderr(&out).contains("import-config"), "{}", stderr(&out));
    // The section's names no longer resolve: the register decides.
    let p = i.json(&["participant", "register", "--given-names", "Oude", "--family-name", "Config"]);
    let p = p["participant"].as_str().unwrap().to_owned();
    let out = i
        .cmd()
        .args(["referral", "add", &p, "--partner", "GGD", "--domain", "medical", "--reason", "Zorg"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
    // A project worker cannot carry it over; the administrator can, and the section goes.
    let out = i.cmd().args(["organisation", "import-config"]).output().unwrap();
    assert_eq!(out.status.code(), Some(77), "{}", stderr(&out));
    assert!(std::fs::read_to_string(i.config()).unwrap().contains("[organisations]"), "kept after a refusal");
    let v = i.json(&["--as", &i.admin, "organisation", "import-config"]);
    let outcomes: Vec<(&str, &str)> = v["imported"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["alias"].as_str().unwrap(), r["outcome"].as_str().unwrap()))
        .collect();
    assert_eq!(outcomes, [("GGD", "added"), ("Iom", "kept")]);
    assert!(!std::fs::read_to_string(i.config()).unwrap().contains("[organisations]"), "the section is gone");
    let out = i.cmd().args(["participant", "list"]).output().unwrap();
    assert!(!stderr(&out).contains("[organisations]"), "{}", stderr(&out));
    let shown = i.json(&["organisation", "show", "ggd"]);
    assert_eq!((shown["id"].as_str(), shown["name"].as_str()), (Some(ggd), Some("GGD")));
    i.json(&["referral", "add", &p, "--partner", "GGD", "--domain", "medical", "--reason", "Zorg"]);
}
