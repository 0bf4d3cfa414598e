//! Bounded text values. Free text is where personal data hides, so every text has an upper
//! bound and no control characters, and is trimmed on the way in.
//!
//! Text is also refused when it would not show what it holds, wherever it is printed (a
//! terminal, a table, a spreadsheet, a partner's screen):
//!
//! - **Bidirectional controls** that reorder what follows them: the embeddings and overrides
//!   U+202A–U+202E and the isolates U+2066–U+2069. A name with a right-to-left override
//!   (`Amina\u{202E}txt.exe`) prints reversed, and the reversal runs on into the rest of the line.
//!   The direction *marks* (U+200E, U+200F, U+061C) reorder nothing but neutral characters next
//!   to them; mixed Arabic or Tigrinya and Latin notes need them, so free [`Text`] keeps them,
//!   while one-line values ([`Name`], [`Label`]), which people compare by eye in listings, refuse
//!   them too.
//! - **Text without a visible character**: only white space and default-ignorable characters
//!   (zero-width spaces and joiners, the word joiner, the byte-order mark, variation selectors,
//!   Hangul fillers, …). Such a name looks empty, or identical to another. Zero-width joiners
//!   *inside* visible text stay allowed: Persian names need U+200C.

use crate::ViolationCode;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::ValueError;

/// Bidirectional embeddings, overrides and isolates: refused in every text.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Direction marks (left-to-right, right-to-left, Arabic letter mark): refused on one line.
fn is_direction_mark(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}')
}

/// Unicode's Default_Ignorable_Code_Point (DerivedCoreProperties.txt): characters that are not
/// drawn. With white space and control characters they make no visible text.
fn is_default_ignorable(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{034F}'
            | '\u{061C}'
            | '\u{115F}'..='\u{1160}'
            | '\u{17B4}'..='\u{17B5}'
            | '\u{180B}'..='\u{180F}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}'
            | '\u{3164}'
            | '\u{FE00}'..='\u{FE0F}'
            | '\u{FEFF}'
            | '\u{FFA0}'
            | '\u{FFF0}'..='\u{FFF8}'
            | '\u{1BCA0}'..='\u{1BCA3}'
            | '\u{1D173}'..='\u{1D17A}'
            | '\u{E0000}'..='\u{E0FFF}'
    )
}

/// Characters that do not show what they are: controls, direction controls and marks,
/// default-ignorables (escaped when a message repeats input, see [`crate::error::echo`]).
pub(crate) fn is_hidden(c: char) -> bool {
    c.is_control() || is_bidi_control(c) || is_default_ignorable(c)
}

/// Whether the character is drawn: not white space, not a control, not default-ignorable.
fn is_visible(c: char) -> bool {
    !c.is_whitespace() && !c.is_control() && !is_default_ignorable(c)
}

fn check(value: &str, max: usize, multi_line: bool) -> Result<String, ValueError> {
    let trimmed = crate::error::trimmed_within(value, max)?;
    let bad = trimmed.chars().any(|c| c.is_control() && !(multi_line && (c == '\n' || c == '\t' || c == '\r')));
    if bad {
        let what = if multi_line { "control characters" } else { "line breaks or control characters" };
        return Err(ValueError::new(ViolationCode::InvalidCharacters, format!("must not contain {what}")));
    }
    if trimmed.chars().any(|c| is_bidi_control(c) || (!multi_line && is_direction_mark(c))) {
        return Err(ValueError::new(
            ViolationCode::InvalidCharacters,
            "must not contain characters that change the writing direction (U+202A-U+202E, U+2066-U+2069)",
        ));
    }
    if !trimmed.chars().any(is_visible) {
        return Err(ValueError::new(ViolationCode::NoVisibleCharacters, "must contain a visible character"));
    }
    Ok(trimmed.to_owned())
}

macro_rules! text_type {
    ($(#[$doc:meta])* $name:ident, $max:expr, $multi:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            /// Longest accepted value, in characters.
            pub const MAX_CHARS: usize = $max;

            /// Trim and check the value.
            pub fn parse(value: &str) -> Result<Self, ValueError> {
                check(value, $max, $multi).map(Self)
            }

            /// The text.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl TryFrom<String> for $name {
            type Error = ValueError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> String {
                value.0
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}

text_type!(
    /// A person's name or alias: one line, at most 200 characters.
    Name, 200, false
);
text_type!(
    /// A short one-line label: a venue, an LVV location, a theme, a title (at most 200 characters).
    Label, 200, false
);
text_type!(
    /// Free text: a summary of a conversation, reasoning, notes (at most 20,000 characters,
    /// line breaks allowed). Often sensitive: never log it.
    Text, 20_000, true
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_trimmed() {
        assert_eq!(Label::parse("  WereldHuis ").map(|l| l.0), Ok("WereldHuis".to_owned()));
    }

    #[test]
    fn empty_and_blank_are_required_errors() {
        assert_eq!(Name::parse("").unwrap_err().code, crate::ViolationCode::Required);
        assert_eq!(Name::parse(" \n\t ").unwrap_err().code, crate::ViolationCode::Required);
    }

    #[test]
    fn limits_count_characters_not_bytes() {
        let ok = "é".repeat(200);
        assert!(Name::parse(&ok).is_ok());
        let too_long = "é".repeat(201);
        assert_eq!(Name::parse(&too_long).unwrap_err().code, crate::ViolationCode::TooLong);
    }

    #[test]
    fn one_line_values_refuse_line_breaks_but_text_keeps_them() {
        assert_eq!(Label::parse("a\nb").unwrap_err().code, crate::ViolationCode::InvalidCharacters);
        assert!(Text::parse("line one\nline two").is_ok());
        assert_eq!(Text::parse("bell\u{7}").unwrap_err().code, crate::ViolationCode::InvalidCharacters);
    }

    #[test]
    fn bidi_controls_are_refused_everywhere_and_direction_marks_on_one_line() {
        for c in ['\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2069}'] {
            let value = format!("Amina{c}txt.exe");
            assert_eq!(Name::parse(&value).unwrap_err().code, crate::ViolationCode::InvalidCharacters, "{c:?}");
            assert_eq!(Label::parse(&value).unwrap_err().code, crate::ViolationCode::InvalidCharacters, "{c:?}");
            assert_eq!(Text::parse(&value).unwrap_err().code, crate::ViolationCode::InvalidCharacters, "{c:?}");
        }
        for c in ['\u{200E}', '\u{200F}', '\u{061C}'] {
            let value = format!("Amina {c}(ሰላም)");
            assert_eq!(Name::parse(&value).unwrap_err().code, crate::ViolationCode::InvalidCharacters, "{c:?}");
            assert_eq!(Label::parse(&value).unwrap_err().code, crate::ViolationCode::InvalidCharacters, "{c:?}");
            assert!(Text::parse(&value).is_ok(), "free text keeps direction marks: {c:?}");
        }
    }

    #[test]
    fn text_without_a_visible_character_is_refused() {
        for value in ["\u{200B}", "\u{200B}\u{200C}\u{200D}", "\u{FEFF}\u{2060}", "\u{3164}", "\u{00AD}\u{FE0F}"] {
            assert_eq!(Name::parse(value).unwrap_err().code, crate::ViolationCode::NoVisibleCharacters, "{value:?}");
            assert_eq!(Text::parse(value).unwrap_err().code, crate::ViolationCode::NoVisibleCharacters, "{value:?}");
        }
        assert_eq!(Text::parse("\u{200B}\n\u{200B}").unwrap_err().code, crate::ViolationCode::NoVisibleCharacters);
        // Joiners inside visible text stay: Persian names need the zero-width non-joiner.
        assert!(Name::parse("مهدی\u{200C}زاده").is_ok());
        assert!(Name::parse("\u{200B}A").is_ok());
    }

    #[test]
    fn deserialising_checks_the_rule_too() {
        assert!(serde_json::from_str::<Name>("\"\"").is_err());
        assert!(serde_json::from_str::<Name>("\"Amina\\u202e\"").is_err());
        assert_eq!(serde_json::from_str::<Name>("\" Amina \"").unwrap().0, "Amina");
    }
}
