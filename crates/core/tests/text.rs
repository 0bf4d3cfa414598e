//! Property tests of the text values: what is accepted shows what it holds. No accepted value
//! holds a bidirectional control (nor, on one line, a direction mark), every accepted value has
//! a visible character, and parsing an accepted value again gives it back.

use perspectief_core::{Label, Name, Text, ViolationCode};
use proptest::prelude::*;
use proptest::sample::select;

const BIDI_CONTROLS: &[char] =
    &['\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}', '\u{2069}'];
const DIRECTION_MARKS: &[char] = &['\u{200E}', '\u{200F}', '\u{061C}'];
/// White space and characters that are not drawn (a sample of Default_Ignorable_Code_Point).
const INVISIBLE: &[char] = &[
    ' ',
    '\t',
    '\u{00A0}',
    '\u{3000}',
    '\u{2028}',
    '\u{00AD}',
    '\u{034F}',
    '\u{115F}',
    '\u{17B4}',
    '\u{180E}',
    '\u{200B}',
    '\u{200C}',
    '\u{200D}',
    '\u{2060}',
    '\u{2064}',
    '\u{3164}',
    '\u{FE0F}',
    '\u{FEFF}',
    '\u{FFA0}',
    '\u{E0041}',
];

fn specials() -> Vec<char> {
    [BIDI_CONTROLS, DIRECTION_MARKS, INVISIBLE].concat()
}

/// One-line visible text in several scripts.
fn visible() -> impl Strategy<Value = String> {
    "[A-Za-zÀ-ÿ0-9ሀ-ሰا-ي\u{0600}-\u{06FF}' .,()-]{0,60}[A-Za-zሀ-ሰا-ي]"
}

/// Any text, with the awkward characters much more often than chance would give them.
fn awkward() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop_oneof![any::<char>(), select(specials()), "[a-z\n]".prop_map(|s| s.chars().next().unwrap_or('a'))],
        0..40,
    )
    .prop_map(|cs| cs.into_iter().collect())
}

fn parse_all(value: &str) -> [(&'static str, Result<String, String>); 3] {
    let r = |x: Result<String, perspectief_core::error::ValueError>| x.map_err(|e| e.code.to_string());
    [
        ("name", r(Name::parse(value).map(String::from))),
        ("label", r(Label::parse(value).map(String::from))),
        ("text", r(Text::parse(value).map(String::from))),
    ]
}

proptest! {
    #[test]
    fn a_bidi_control_anywhere_is_refused(text in visible(), at in any::<prop::sample::Index>(), c in select(BIDI_CONTROLS)) {
        let chars: Vec<char> = text.chars().collect();
        let at = at.index(chars.len() + 1);
        let value: String = chars[..at].iter().chain([&c]).chain(&chars[at..]).collect();
        for (kind, result) in parse_all(&value) {
            prop_assert_eq!(result, Err("invalid_characters".to_owned()), "{} {:?}", kind, value);
        }
    }

    #[test]
    fn a_direction_mark_is_refused_on_one_line_and_kept_in_free_text(text in visible(), at in any::<prop::sample::Index>(), c in select(DIRECTION_MARKS)) {
        let chars: Vec<char> = text.chars().collect();
        let at = at.index(chars.len() + 1);
        let value: String = chars[..at].iter().chain([&c]).chain(&chars[at..]).collect();
        prop_assert_eq!(Name::parse(&value).map(String::from).map_err(|e| e.code.code()), Err("invalid_characters"));
        prop_assert_eq!(Label::parse(&value).map(String::from).map_err(|e| e.code.code()), Err("invalid_characters"));
        prop_assert!(Text::parse(&value).is_ok(), "{:?}", value);
    }

    #[test]
    fn text_of_invisible_characters_only_is_refused(cs in proptest::collection::vec(select(INVISIBLE), 1..20)) {
        let value: String = cs.into_iter().collect();
        for (kind, result) in parse_all(&value) {
            let code = result.expect_err(kind);
            prop_assert!(
                ["required", "no_visible_characters", "invalid_characters"].contains(&code.as_str()),
                "{} {:?}: {}", kind, value, code
            );
        }
        // Free text allows tabs and line breaks, so its refusal is never about those.
        let code = Text::parse(&value).map_err(|e| e.code).expect_err("text");
        prop_assert!(matches!(code, ViolationCode::Required | ViolationCode::NoVisibleCharacters), "{:?}: {}", value, code);
    }

    #[test]
    fn what_is_accepted_shows_what_it_holds_and_parses_to_itself(value in awkward()) {
        for (kind, result) in parse_all(&value) {
            let Ok(accepted) = result else { continue };
            prop_assert!(!accepted.chars().any(|c| BIDI_CONTROLS.contains(&c)), "{} {:?}", kind, accepted);
            if kind != "text" {
                prop_assert!(!accepted.chars().any(|c| DIRECTION_MARKS.contains(&c)), "{} {:?}", kind, accepted);
            }
            prop_assert!(
                accepted.chars().any(|c| !c.is_whitespace() && !c.is_control() && !INVISIBLE.contains(&c)),
                "{} {:?} has no visible character", kind, accepted
            );
            let again = parse_all(&accepted).into_iter().find(|(k, _)| *k == kind).map(|(_, r)| r);
            prop_assert_eq!(again, Some(Ok(accepted.clone())));
        }
    }
}

#[test]
fn visible_names_in_the_scripts_of_the_participants_are_accepted() {
    for name in
        ["Amina Testpersoon", "ሰላም ተስፋይ", "محمد", "مهدی\u{200C}زاده", "Nguyễn Thị", "O'Brien-Smith", "👩🏽\u{200D}⚕️"]
    {
        assert!(Name::parse(name).is_ok(), "{name:?}");
    }
}
