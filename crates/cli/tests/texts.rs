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
