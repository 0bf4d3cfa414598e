//! Grants of outside organisations, a case's confidentiality levels, and medical content hidden
//! from the project lead, on the command line.

use crate::support::{Install, stderr, talk};

#[test]
fn grants_levels_and_hidden_content_from_the_command_line() {
    let i = Install::new();
    let lead = i.add_user("Leider Test", "project_lead");
    i.organisation("IOM", "IOM Nederland", "international_organisation", &["return"]);
    let iom = "iom";

    // Only the administrator sets a grant; it lists with its categories and level.
    let out = i.cmd().args(["grant", "set", iom, "--category", "return", "--max-level", "geheim"]).output().unwrap();
    assert_eq!(out.status.code(), Some(77), "{}", stderr(&out));
    let v = i.json(&[
        "--as",
        &i.admin,
        "grant",
        "set",
        iom,
        "--category",
        "return",
        "--category",
        "legal",
        "--max-level",
        "vertrouwelijk",
    ]);
    assert_eq!(v["categories"], serde_json::json!(["legal", "return"]), "{v}");
    let list = i.json(&["--as", &i.admin, "grant", "list"]);
    assert_eq!(list.as_array().unwrap().len(), 1, "{list}");
    assert_eq!(list[0]["max_level"], "vertrouwelijk");
    let out = i.cmd().args(["--as", &i.admin, "grant", "set", iom, "--max-level", "geheim"]).output().unwrap();
    assert_eq!(out.status.code(), Some(64), "a grant names its categories: {}", stderr(&out));
    i.json(&["--as", &i.admin, "grant", "remove", iom]);
    assert!(i.json(&["--as", &i.admin, "grant", "list"]).as_array().unwrap().is_empty());

    // The worker raises a category's level; never below its default.
    let v = i.json(&["participant", "register", "--given-names", "Niveau", "--family-name", "Testpersoon"]);
    let p = v["participant"].as_str().unwrap().to_owned();
    let short = &p[p.len() - 8..];
    i.json(&[
        "participant",
        "confidentiality",
        short,
        "--category",
        "legal",
        "--level",
        "geheim",
        "--reason",
        "Risico",
    ]);
    let case = i.json(&["participant", "show", short]);
    assert_eq!(case["levels"]["legal"], "geheim", "{case}");
    let out = i
        .cmd()
        .args(["participant", "confidentiality", short, "--category", "medical_psychosocial", "--level", "intern"])
        .args(["--reason", "Lager"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
    assert!(stderr(&out).contains("level"), "{}", stderr(&out));

    // A medical conversation: the assigned worker reads it, the lead sees it hidden.
    i.json(&talk(short, &["--category", "medical_psychosocial", "--summary", "Synthetische diagnose Q7"]));
    let mine = i.cmd().args(["participant", "show", short, "-o", "json"]).output().unwrap();
    assert!(String::from_utf8_lossy(&mine.stdout).contains("Synthetische diagnose Q7"));
    let theirs = i.cmd().args(["--as", &lead, "participant", "show", short, "-o", "json"]).output().unwrap();
    assert!(theirs.status.success(), "{}", stderr(&theirs));
    let text = String::from_utf8_lossy(&theirs.stdout);
    assert!(!text.contains("Synthetische diagnose Q7") && text.contains("[afgeschermd]"), "{text}");
}
