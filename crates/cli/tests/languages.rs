//! Dutch by default; English with --lang en or an English locale. Both are checked.

use crate::support::{Install, stderr, stdout};

#[test]
fn dutch_is_the_default_and_english_is_chosen_by_flag_or_locale() {
    let install = Install::new();
    install.json(&["participant", "register", "--given-names", "Hagos", "--country-of-origin", "ER"]);
    let nl = stdout(&install.cmd().args(["participant", "list"]).output().unwrap());
    assert!(nl.contains("NAAM") && nl.contains("RICHTING") && nl.contains("nog onbeslist"), "{nl}");
    let en = stdout(&install.cmd().args(["participant", "list", "--lang", "en"]).output().unwrap());
    assert!(en.contains("NAME") && en.contains("DIRECTION") && en.contains("undecided"), "{en}");
    let en = stdout(&install.cmd().env("LANG", "en_GB.UTF-8").args(["participant", "list"]).output().unwrap());
    assert!(en.contains("PROJECT WORKER"), "{en}");
    // Messages and errors too.
    let out =
        install.cmd().args(["participant", "register", "--given-names", "X", "--v-number", "1"]).output().unwrap();
    assert!(stderr(&out).contains("precies 10 cijfers"), "{}", stderr(&out));
    let out = install
        .cmd()
        .args(["--lang", "en", "participant", "register", "--given-names", "X", "--v-number", "1"])
        .output()
        .unwrap();
    assert!(stderr(&out).contains("exactly 10 digits") && stderr(&out).contains("--v-number"), "{}", stderr(&out));
    let out = install.cmd().args(["--lang", "en", "participant", "register", "--given-names", "Y"]).output().unwrap();
    assert!(stdout(&out).starts_with("Registered: Y"), "{}", stdout(&out));
    // JSON stays the same whatever the language.
    let a = install.json(&["participant", "list"]);
    let b = install.json(&["participant", "list", "--lang", "en"]);
    assert_eq!(a, b);
    // Help in both languages.
    let help = stdout(&install.cmd().args(["goal", "add", "--help"]).output().unwrap());
    assert!(help.contains("Termijn") && help.contains("Gebruik:"), "{help}");
    let help = stdout(&install.cmd().args(["--lang", "en", "goal", "add", "--help"]).output().unwrap());
    assert!(help.contains("Deadline") && help.contains("Usage:"), "{help}");
}

#[test]
fn both_message_files_have_the_same_messages_and_arguments() {
    fn parse(text: &str) -> std::collections::BTreeMap<String, String> {
        let mut out = std::collections::BTreeMap::new();
        let mut current: Option<String> = None;
        for line in text.lines() {
            if let Some((id, value)) = line.split_once(" =")
                && !line.starts_with([' ', '#'])
                && !id.is_empty()
            {
                assert!(out.insert(id.to_owned(), value.to_owned()).is_none(), "duplicate id {id}");
                current = Some(id.to_owned());
            } else if line.starts_with(' ')
                && let Some(c) = &current
            {
                out.get_mut(c).unwrap().push_str(line);
            }
        }
        out
    }
    fn args(v: &str) -> std::collections::BTreeSet<String> {
        v.split("{ $").skip(1).map(|s| s.split(' ').next().unwrap().to_owned()).collect()
    }
    let nl = parse(include_str!("../locales/nl.ftl"));
    let en = parse(include_str!("../locales/en.ftl"));
    for (id, value) in &nl {
        let other = en.get(id).unwrap_or_else(|| panic!("{id} has no English text"));
        assert_eq!(args(value), args(other), "{id}: arguments differ");
    }
    // Help texts and value names are Dutch in the command definitions themselves.
    for id in en.keys().filter(|k| !["cmd-", "arg-", "value-name-"].iter().any(|p| k.starts_with(p))) {
        assert!(nl.contains_key(id), "{id} has no Dutch text");
    }
}
