//! Bounded text values. Free text is where personal data hides, so every text has an upper
//! bound and no control characters, and is trimmed on the way in.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::ValueError;

fn check(value: &str, max: usize, multi_line: bool) -> Result<String, ValueError> {
    let trimmed = value.trim();
    if trimmed.is_empty() {
        return Err(ValueError::new("required", "must not be empty"));
    }
    let len = trimmed.chars().count();
    if len > max {
        return Err(ValueError::new("too_long", format!("at most {max} characters (got {len})")));
    }
    let bad = trimmed.chars().any(|c| c.is_control() && !(multi_line && (c == '\n' || c == '\t' || c == '\r')));
    if bad {
        let what = if multi_line { "control characters" } else { "line breaks or control characters" };
        return Err(ValueError::new("invalid_characters", format!("must not contain {what}")));
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
        assert_eq!(Name::parse("").unwrap_err().code, "required");
        assert_eq!(Name::parse(" \n\t ").unwrap_err().code, "required");
    }

    #[test]
    fn limits_count_characters_not_bytes() {
        let ok = "é".repeat(200);
        assert!(Name::parse(&ok).is_ok());
        let too_long = "é".repeat(201);
        assert_eq!(Name::parse(&too_long).unwrap_err().code, "too_long");
    }

    #[test]
    fn one_line_values_refuse_line_breaks_but_text_keeps_them() {
        assert_eq!(Label::parse("a\nb").unwrap_err().code, "invalid_characters");
        assert!(Text::parse("line one\nline two").is_ok());
        assert_eq!(Text::parse("bell\u{7}").unwrap_err().code, "invalid_characters");
    }

    #[test]
    fn deserialising_checks_the_rule_too() {
        assert!(serde_json::from_str::<Name>("\"\"").is_err());
        assert_eq!(serde_json::from_str::<Name>("\" Amina \"").unwrap().0, "Amina");
    }
}
