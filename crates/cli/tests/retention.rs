//! `perspectief privacy retention`: a dry run shows ids and categories (never names), only the
//! project lead may run it, a run erases the person from the database and the managed backups,
//! and periods are given per category and checked.

use crate::support::{Install, stderr, stdout};

/// Every category 30 days after outflow: the whole person is due.
const ALL_30_DAYS: [&str; 14] = [
    "--period",
    "identity=30d",
    "--period",
    "guidance=30d",
    "--period",
    "legal=30d",
    "--period",
    "medical_psychosocial=30d",
    "--period",
    "criminal_history=30d",
    "--period",
    "return=30d",
    "--period",
    "reports=30d",
];

#[test]
fn retention_from_the_command_line_erases_expired_people_and_their_managed_backups() {
    let i = Install::new();
    let lead = i.add_user("Leider Test", "project_lead");
    let name = "Kanariepietje";
    let p = i.json(&["participant", "register", "--given-names", name, "--registered-on=-60"])["participant"]
        .as_str()
        .unwrap()
        .to_owned();
    let stays =
        i.json(&["participant", "register", "--given-names", "Blijftje"])["participant"].as_str().unwrap().to_owned();
    i.json(&["outflow", "record", &p, "--outcome", "other", "--on=-40"]);
    let backup = i.json(&["--as", &i.admin, "backup"]);
    assert_eq!(backup["managed"], true, "{backup}");
    let backup_file = std::path::PathBuf::from(backup["file"].as_str().unwrap());
    assert!(backup_file.exists());

    // A dry run: ids and categories, no names, nothing changed.
    let mut dry = vec!["--as", &lead, "privacy", "retention", "--dry-run"];
    dry.extend(ALL_30_DAYS);
    let v = i.json(&dry);
    assert_eq!(v["dry_run"], true);
    assert_eq!(v["participants"].as_array().unwrap().len(), 1, "{v}");
    assert_eq!(v["participants"][0]["participant"], p.as_str());
    assert_eq!(v["participants"][0]["whole_person"], true);
    assert_eq!(v["participants"][0]["categories"].as_array().unwrap().len(), 7);
    assert_eq!(v["backups"].as_array().unwrap().len(), 1);
    let out = i.cmd().args(dry.iter().copied()).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains(&p[p.len() - 8..]) && !stdout(&out).contains(name), "{}", stdout(&out));
    assert!(stderr(&out).contains("identity=30d"), "the periods in force are shown: {}", stderr(&out));
    assert!(i.json(&["participant", "show", &p])["profile"]["given_names"] == name);

    // The project worker may not erase; a bad period names the flag.
    let out = i.cmd().args(["privacy", "retention"]).output().unwrap();
    assert_eq!(out.status.code(), Some(77), "{}", stderr(&out));
    let out = i.cmd().args(["--as", &lead, "privacy", "retention", "--period", "medisch=1d"]).output().unwrap();
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
    assert!(stderr(&out).contains("--period"), "{}", stderr(&out));
    let out = i.cmd().args(["--as", &lead, "privacy", "retention", "--period", "identity=1d"]).output().unwrap();
    assert_eq!(out.status.code(), Some(65), "identity must be the longest: {}", stderr(&out));

    // The run.
    let mut run = vec!["--as", &lead, "privacy", "retention"];
    run.extend(ALL_30_DAYS);
    let v = i.json(&run);
    assert_eq!(v["dry_run"], false);
    assert_eq!(v["participants"][0]["participant"], p.as_str());
    let out = i.cmd().args(["participant", "show", &p]).output().unwrap();
    assert!(!out.status.success());
    assert!(i.json(&["participant", "show", &stays])["profile"]["given_names"] == "Blijftje");
    for file in [i.dir.path().join("perspectief.db"), backup_file] {
        let bytes = std::fs::read(&file).unwrap();
        assert!(!bytes.windows(name.len()).any(|w| w == name.as_bytes()), "{}", file.display());
    }
    // The access log still verifies; nothing left to erase.
    let v = i.json(&run);
    assert!(v["participants"].as_array().unwrap().is_empty(), "{v}");
}
