//! Every code the core can refuse with has its own text in both languages of the command line,
//! so a refusal reaches a person in their language and not in the core's English. (These read
//! the locale files themselves: the binary's own unit tests do not run, see Cargo.toml.)

use perspectief_core::{Rule, ViolationCode};

const LOCALES: [(&str, &str); 2] =
    [("nl", include_str!("../locales/nl.ftl")), ("en", include_str!("../locales/en.ftl"))];

fn has_message(file: &str, id: &str) -> bool {
    let prefix = format!("{id} =");
    file.lines().any(|l| l.starts_with(&prefix))
}

#[test]
fn every_rule_has_dutch_and_english_text() {
    for (lang, file) in LOCALES {
        for rule in Rule::ALL {
            assert!(
                has_message(file, &format!("rule-{}", rule.code())),
                "{lang}.ftl has no text for rule {}",
                rule.code()
            );
        }
    }
}

#[test]
fn every_violation_code_has_dutch_and_english_text() {
    for (lang, file) in LOCALES {
        for code in ViolationCode::ALL {
            let id = format!("violation-{}", code.code());
            assert!(has_message(file, &id), "{lang}.ftl has no text for violation {}", code.code());
        }
    }
}

#[test]
fn every_not_allowed_now_explanation_has_dutch_and_english_text() {
    for (lang, file) in LOCALES {
        for reason in perspectief_core::NotNow::ALL {
            let id = format!("not-now-{}", reason.code());
            assert!(has_message(file, &id), "{lang}.ftl has no text for {id}");
        }
    }
}

/// `perspectief [--lang en] PATH -h`.
fn short_help(path: &[String], english: bool) -> String {
    let mut args: Vec<&str> = path.iter().map(String::as_str).collect();
    if english {
        args.extend(["--lang", "en"]);
    }
    args.push("-h");
    let out = crate::perspectief(&args);
    assert!(out.status.success(), "{path:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

/// The items of a short help (commands, arguments, options): their name column and the first
/// line of their description (on the same line, or the next when the name is long).
fn help_items(help: &str) -> Vec<(String, String)> {
    let indent = |l: &str| l.len() - l.trim_start().len();
    let lines: Vec<&str> = help.lines().collect();
    let mut items = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if line.trim().is_empty() || !(2..=6).contains(&indent(line)) {
            continue;
        }
        let text = line.trim();
        let (name, description) = match text.split_once("  ") {
            Some((n, d)) => (n.trim().to_owned(), d.trim().to_owned()),
            None => (
                text.to_owned(),
                lines.get(i + 1).filter(|l| indent(l) > 6).map(|l| l.trim().to_owned()).unwrap_or_default(),
            ),
        };
        items.push((name, description));
    }
    items
}

/// The subcommands a help lists (the first word of each item under the commands heading).
fn subcommands(help: &str) -> Vec<String> {
    let Some((_, rest)) = help.split_once("\nCommands:\n") else { return Vec::new() };
    let block = rest.split("\n\n").next().unwrap_or_default();
    help_items(block)
        .into_iter()
        .filter_map(|(name, _)| name.split_whitespace().next().map(str::to_owned))
        .filter(|name| name != "help")
        .collect()
}

/// Walks the whole command tree as a user sees it (every command a help lists, recursively) and
/// compares each command's Dutch and English help: under `--lang en` no description may still be
/// the Dutch one. (The unit test beside `localise` names the missing message ids.)
#[test]
fn no_help_text_under_lang_en_is_still_dutch() {
    let mut todo: Vec<Vec<String>> = vec![Vec::new()];
    let mut dutch_left = Vec::new();
    let mut seen = 0;
    while let Some(path) = todo.pop() {
        seen += 1;
        let en = short_help(&path, true);
        let nl = short_help(&path, false);
        let about = |h: &str| h.lines().next().unwrap_or_default().to_owned();
        if about(&en) == about(&nl) {
            dutch_left.push(format!("{}: {}", path.join(" "), about(&nl)));
        }
        let nl_items = help_items(&nl);
        for (name, description) in help_items(&en) {
            let flag = |n: &str| n.split(['<', ' ']).find(|s| !s.is_empty()).map(str::to_owned);
            let dutch = nl_items.iter().find(|(n, _)| flag(n) == flag(&name)).map(|(_, d)| d);
            if !description.is_empty() && dutch == Some(&description) {
                dutch_left.push(format!("{} {name}: {description}", path.join(" ")));
            }
        }
        for sub in subcommands(&en) {
            let mut next = path.clone();
            next.push(sub);
            todo.push(next);
        }
    }
    assert!(seen > 120, "the walk found only {seen} commands");
    assert!(dutch_left.is_empty(), "still Dutch under --lang en:\n{}", dutch_left.join("\n"));
}

/// The message ids of a locale file.
fn ids(file: &str) -> std::collections::BTreeSet<String> {
    file.lines()
        .filter(|l| !l.starts_with([' ', '#']))
        .filter_map(|l| l.split_once(" =").map(|(id, _)| id.to_owned()))
        .filter(|id| !id.is_empty())
        .collect()
}

/// The command line's sources, by path.
fn sources() -> Vec<(std::path::PathBuf, String)> {
    fn walk(dir: &std::path::Path, out: &mut Vec<(std::path::PathBuf, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                // Comments may show examples (`t!("id")`); only code counts.
                let text = std::fs::read_to_string(&path).unwrap();
                let code: Vec<&str> = text.lines().filter(|l| !l.trim_start().starts_with("//")).collect();
                out.push((path, code.join("\n")));
            }
        }
    }
    let mut out = Vec::new();
    walk(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut out);
    out
}

/// The string literals of a source that follow `prefix` (`t!("x"`, `col("key", "x"`): the
/// message ids the code names (an empty header: a column for JSON and CSV only).
fn literals_after(text: &str, prefixes: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for prefix in prefixes {
        for (i, _) in text.match_indices(prefix) {
            // `t!(`, not `format!(`; `col(`, not `term_col(`.
            if text[..i].ends_with(|c: char| c.is_alphanumeric() || c == '_') {
                continue;
            }
            let rest = &text[i + prefix.len()..];
            let rest = match *prefix {
                // A column: the header id is the second literal.
                "col(" | "term_col(" => rest.split_once(',').map_or("", |(_, r)| r),
                _ => rest,
            };
            let rest = rest.trim_start();
            if let Some(quoted) = rest.strip_prefix('"')
                && let Some((id, _)) = quoted.split_once('"')
                && !id.is_empty()
            {
                out.push(id.to_owned());
            }
        }
    }
    out
}

/// Every message the code names, with `t!` or as a column header, exists in both languages; so
/// does every other literal in the code that is a message id in one of them (ids chosen in a
/// `match`, prompts); a message left out of either file fails here, not in front of a person.
#[test]
fn every_message_id_the_code_names_exists_in_both_languages() {
    let (nl, en) = (ids(LOCALES[0].1), ids(LOCALES[1].1));
    let mut missing = Vec::new();
    let mut named = 0;
    for (path, text) in sources() {
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        for id in literals_after(&text, &["t!(", "col(", "term_col("]) {
            named += 1;
            for (lang, set) in [("nl", &nl), ("en", &en)] {
                if !set.contains(&id) {
                    missing.push(format!("{file}: {id} ({lang})"));
                }
            }
        }
        for (i, _) in text.match_indices('"') {
            let rest = &text[i + 1..];
            let Some((literal, _)) = rest.split_once('"') else { continue };
            if literal.contains('-') && (nl.contains(literal) != en.contains(literal)) {
                missing.push(format!("{file}: {literal} (only in one language)"));
            }
        }
    }
    assert!(named > 300, "found only {named} message ids in the code");
    missing.sort();
    missing.dedup();
    assert!(missing.is_empty(), "messages missing:\n{}", missing.join("\n"));
}

/// A record that does not exist: the error names the command that lists the right ids, in the
/// person's language.
#[test]
fn a_not_found_error_names_the_listing_command() {
    use crate::support::{Install, stderr};
    let install = Install::new();
    let out = install.cmd().args(["participant", "show", "0192f0c1-7c3e-7000-8000-0000000000ff"]).output().unwrap();
    assert_eq!(out.status.code(), Some(66));
    assert!(stderr(&out).contains("zie `perspectief participant list`"), "{}", stderr(&out));
    let p =
        install.json(&["participant", "register", "--given-names", "Test"])["participant"].as_str().unwrap().to_owned();
    let args = ["goal", "done", &p, "abcdef12"];
    let out = install.cmd().args(args).output().unwrap();
    assert_eq!(out.status.code(), Some(66), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("doel") && stderr(&out).contains("`perspectief goal list DEELNEMER`"),
        "{}",
        stderr(&out)
    );
    let out = install.cmd().args(args).args(["--lang", "en"]).output().unwrap();
    assert!(
        stderr(&out).contains("No goal") && stderr(&out).contains("see `perspectief goal list PARTICIPANT`"),
        "{}",
        stderr(&out)
    );
    let out = install.cmd().args(["session", "show", "abcdef12", "--lang", "en"]).output().unwrap();
    assert_eq!(out.status.code(), Some(66), "{}", stderr(&out));
    assert!(stderr(&out).contains("`perspectief session list`"), "{}", stderr(&out));
}

/// `meeting agenda --help` lists every reason the command accepts, and `session create --help`
/// says that a theme and a country do not combine (a session has one topic), in both languages.
#[test]
fn agenda_reasons_and_session_topics_are_explained_in_help() {
    let reasons = [
        "deadline_passed",
        "no_contact:",
        "limit_approaching:",
        "judgment_pending_or_changed",
        "obstacle_stalled",
        "termination_advice_due",
        "goal_due_soon",
        "judgment_not_communicated",
        "progress_report_due",
        "past_limit_without_advice:",
        "other:",
    ];
    for english in [false, true] {
        let mut args = vec!["meeting", "agenda", "--help"];
        if english {
            args.extend(["--lang", "en"]);
        }
        let help = String::from_utf8(crate::perspectief(&args).stdout).unwrap();
        let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
        for r in reasons {
            assert!(help.contains(r), "{r} missing from: {help}");
        }
        let mut args = vec!["session", "create", "--help"];
        if english {
            args.extend(["--lang", "en"]);
        }
        let help = String::from_utf8(crate::perspectief(&args).stdout).unwrap();
        let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
        let says = if english { "they do not combine" } else { "die combineren niet" };
        assert!(help.contains(says), "{help}");
    }
    // Every reason listed is one the command takes.
    let install = crate::support::Install::new();
    let p =
        install.json(&["participant", "register", "--given-names", "Test"])["participant"].as_str().unwrap().to_owned();
    let m = install.json(&["meeting", "schedule", "--date", "+7"]);
    let m = m["meeting"].as_str().unwrap_or_else(|| panic!("{m}")).to_owned();
    let mut args = vec!["meeting", "agenda", &m, "--participant", &p];
    let values: Vec<String> = reasons
        .iter()
        .map(|r| {
            if r.ends_with(':') {
                format!("{r}{}", if *r == "other:" { "uitleg" } else { "30" })
            } else {
                (*r).to_owned()
            }
        })
        .collect();
    for v in &values {
        args.extend(["--reason", v.as_str()]);
    }
    install.json(&args);
    let out =
        install.cmd().args(["meeting", "agenda", &m, "--participant", &p, "--reason", "iets_anders"]).output().unwrap();
    assert_eq!(out.status.code(), Some(65), "{}", crate::support::stderr(&out));
}
