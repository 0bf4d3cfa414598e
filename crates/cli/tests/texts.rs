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
