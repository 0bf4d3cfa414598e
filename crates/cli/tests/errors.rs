//! Bad input gets the documented exit code and a message that names the field.

use crate::support::{Install, bare, stderr};

#[test]
fn invalid_values_name_the_flag_with_exit_code_65() {
    let install = Install::new();
    let out =
        install.cmd().args(["participant", "register", "--given-names", "Test", "--v-number", "123"]).output().unwrap();
    assert_eq!(out.status.code(), Some(65));
    let err = stderr(&out);
    assert!(err.contains("--v-number") && err.contains("10 cijfers"), "{err}");
    // A required value missing, not on a terminal: no question, a validation error naming the flag.
    let out = install.cmd().args(["participant", "register", "--country-of-origin", "ER"]).output().unwrap();
    assert_eq!(out.status.code(), Some(65));
    assert!(stderr(&out).contains("--given-names") && stderr(&out).contains("verplicht"), "{}", stderr(&out));
    let out = install
        .cmd()
        .args(["participant", "register", "--given-names", "Test", "--country-of-origin", "XX"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(65));
    assert!(stderr(&out).contains("--country-of-origin"), "{}", stderr(&out));
    // A rule of the plan: no goal before a plan.
    let p =
        install.json(&["participant", "register", "--given-names", "Test"])["participant"].as_str().unwrap().to_owned();
    let out = install.cmd().args(["goal", "add", &p, "--description", "x", "--deadline", "+3"]).output().unwrap();
    assert_eq!(out.status.code(), Some(65));
    assert!(stderr(&out).contains("perspectiefplan"), "{}", stderr(&out));
    // A contact moment without a summary, not on a terminal.
    let out = install.cmd().args(["contact", "log", &p, "--kind", "phone", "--activity", "3.2.c"]).output().unwrap();
    assert_eq!(out.status.code(), Some(65));
    assert!(stderr(&out).contains("--summary"), "{}", stderr(&out));
}

#[test]
fn usage_not_found_conflict_and_permission_have_their_codes() {
    let install = Install::new();
    // Usage (64): a value clap cannot parse names the option.
    let out =
        install.cmd().args(["goal", "add", "abcd1234", "--description", "x", "--deadline", "ooit"]).output().unwrap();
    assert_eq!(out.status.code(), Some(64));
    assert!(stderr(&out).contains("--deadline"), "{}", stderr(&out));
    // Not found (66).
    let out = install.cmd().args(["participant", "show", "0192f0c1-7c3e-7000-8000-0000000000ff"]).output().unwrap();
    assert_eq!(out.status.code(), Some(66), "{}", stderr(&out));
    // Conflict (75): a write based on an old version.
    let p =
        install.json(&["participant", "register", "--given-names", "Test"])["participant"].as_str().unwrap().to_owned();
    install.json(&crate::support::talk(&p, &["--summary", "Gesprek."]));
    let out = install
        .cmd()
        .args(["plan", "revise", &p, "--situation", "s", "--perspective", "p", "--expect-version", "1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(75), "{}", stderr(&out));
    assert!(stderr(&out).contains("versie"), "{}", stderr(&out));
    // Permission (77): no acting user means no write at all.
    let out = bare()
        .env("PERSPECTIEF_CONFIG", install.dir.path().join("other.toml"))
        .env("PERSPECTIEF_DATABASE_URL", install.database())
        .args(["participant", "register", "--given-names", "Anoniem", "--key-file"])
        .arg(install.key())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(77), "{}", stderr(&out));
    assert!(stderr(&out).contains("--as"), "{}", stderr(&out));
    // An unknown user is not an acting user either.
    let out =
        install.cmd().args(["participant", "list", "--as", "0192f0c1-7c3e-7000-8000-0000000000ee"]).output().unwrap();
    assert_eq!(out.status.code(), Some(77));
    // A project worker may not manage users.
    let out = install.cmd().args(["user", "list"]).output().unwrap();
    assert_eq!(out.status.code(), Some(77), "{}", stderr(&out));
    // Configuration (78): no database here yet.
    let out = bare()
        .env("PERSPECTIEF_CONFIG", install.dir.path().join("other.toml"))
        .env("PERSPECTIEF_DATABASE_URL", format!("sqlite://{}", install.dir.path().join("nope.db").display()))
        .args(["participant", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(78));
    assert!(stderr(&out).contains("perspectief init"), "{}", stderr(&out));
}

#[test]
fn init_refuses_to_overwrite_and_help_documents_the_exit_codes() {
    let install = Install::new();
    let out = install.cmd().args(["init", "--name", "Nog een"]).output().unwrap();
    assert_eq!(out.status.code(), Some(78));
    let out = bare().arg("--help").output().unwrap();
    let text = crate::support::stdout(&out);
    for code in ["64", "65", "66", "69", "75", "77", "78"] {
        assert!(text.contains(code), "{code} missing from --help");
    }
    assert!(text.contains("Afsluitcodes"), "{text}");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(install.key()).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "the key file is readable only by its owner");
    }
}

#[test]
fn an_access_refusal_gives_its_reason_in_the_users_language() {
    let install = Install::new();
    let out = install.cmd().args(["report", "late"]).output().unwrap();
    assert_eq!(out.status.code(), Some(77), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("Geen toegang: de rol projectmedewerker mag het register van late invoer niet doorzoeken"),
        "{err}"
    );
    assert!(!err.contains("may not") && !err.contains("late_entries"), "no English, no code name: {err}");
    let out = install.cmd().args(["--lang", "en", "report", "late"]).output().unwrap();
    assert_eq!(out.status.code(), Some(77));
    let err = stderr(&out);
    assert!(err.contains("Access denied: the role project worker may not search the late-entry register"), "{err}");
    // A reason without a role: the participant's own worker.
    let other = install.add_user("Collega Test", "project_worker");
    let v = install.json(&["--as", &other, "participant", "register", "--given-names", "Amina"]);
    let theirs = v["participant"].as_str().unwrap();
    let out = install.cmd().args(["participant", "show", theirs]).output().unwrap();
    assert_eq!(out.status.code(), Some(77), "{}", stderr(&out));
    assert!(stderr(&out).contains("alleen de eigen projectmedewerker van de deelnemer"), "{}", stderr(&out));
}
