//! ISO codes for countries (ISO 3166-1 alpha-2) and languages (ISO 639).

use crate::ViolationCode;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::ValueError;

/// The 249 officially assigned ISO 3166-1 alpha-2 codes, sorted (for binary search).
const ISO_3166_ALPHA2: [&str; 249] = [
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ", "BA", "BB", "BD",
    "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS", "BT", "BV", "BW", "BY", "BZ", "CA",
    "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN", "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE",
    "DJ", "DK", "DM", "DO", "DZ", "EC", "EE", "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA",
    "GB", "GD", "GE", "GF", "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK",
    "HM", "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM", "JO", "JP",
    "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC", "LI", "LK", "LR", "LS", "LT",
    "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK", "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS",
    "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA", "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ",
    "OM", "PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS",
    "RU", "RW", "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS", "ST",
    "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO", "TR", "TT", "TV", "TW",
    "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI", "VN", "VU", "WF", "WS", "YE", "YT", "ZA",
    "ZM", "ZW",
];

/// Kosovo has no officially assigned code; `XK` is the user-assigned code that the EU, the
/// IND and most registries use, and people from Kosovo are among the participants.
const KOSOVO: &str = "XK";

/// A country, as an ISO 3166-1 alpha-2 code (`ER`, `AF`, `NL`), plus `XK` for Kosovo.
///
/// ```
/// use perspectief_core::CountryCode;
/// assert_eq!(CountryCode::parse("er").unwrap().as_str(), "ER");
/// assert!(CountryCode::parse("XX").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct CountryCode([u8; 2]);

impl CountryCode {
    /// Parse a two-letter code (case-insensitive) and check that it is assigned.
    pub fn parse(value: &str) -> Result<Self, ValueError> {
        let upper = value.trim().to_ascii_uppercase();
        let bytes = upper.as_bytes();
        if bytes.len() != 2 || !bytes.iter().all(u8::is_ascii_uppercase) {
            return Err(ValueError::new(
                ViolationCode::NotIso3166,
                format!(
                    "{} is not a two-letter ISO 3166 country code (such as ER, AF or NL)",
                    crate::error::echo(value)
                ),
            ));
        }
        if upper != KOSOVO && ISO_3166_ALPHA2.binary_search(&upper.as_str()).is_err() {
            return Err(ValueError::new(
                ViolationCode::NotIso3166,
                format!("'{upper}' is not an assigned ISO 3166 country code"),
            ));
        }
        Ok(Self([bytes[0], bytes[1]]))
    }

    /// The code in capitals.
    pub fn as_str(&self) -> &str {
        // Only ASCII letters are ever stored.
        std::str::from_utf8(&self.0).unwrap_or("??")
    }
}

impl fmt::Display for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for CountryCode {
    type Error = ValueError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<CountryCode> for String {
    fn from(value: CountryCode) -> String {
        value.as_str().to_owned()
    }
}

/// A language, as an ISO 639 code: the two-letter ISO 639-1 code where one exists (`ar`,
/// `ti`), otherwise the three-letter ISO 639-3 code (`tig` for Tigre). Stored in the
/// shortest form, so `ara` and `ar` are the same language.
///
/// ```
/// use perspectief_core::LanguageCode;
/// assert_eq!(LanguageCode::parse("ara").unwrap().as_str(), "ar");
/// assert_eq!(LanguageCode::parse("tig").unwrap().as_str(), "tig");
/// assert!(LanguageCode::parse("xq").is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LanguageCode(isolang::Language);

impl LanguageCode {
    /// Parse an ISO 639-1 or ISO 639-3 code (case-insensitive).
    pub fn parse(value: &str) -> Result<Self, ValueError> {
        let lower = value.trim().to_ascii_lowercase();
        let found = match lower.len() {
            2 => isolang::Language::from_639_1(&lower),
            3 => isolang::Language::from_639_3(&lower),
            _ => None,
        };
        found.map(Self).ok_or_else(|| {
            ValueError::new(
                ViolationCode::NotIso639,
                format!("{} is not an ISO 639 language code (such as ar, ti, prs or tig)", crate::error::echo(value)),
            )
        })
    }

    /// The shortest code: ISO 639-1 when the language has one, else ISO 639-3.
    pub fn as_str(&self) -> &'static str {
        self.0.to_639_1().unwrap_or_else(|| self.0.to_639_3())
    }
}

impl fmt::Display for LanguageCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for LanguageCode {
    type Error = ValueError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<LanguageCode> for String {
    fn from(value: LanguageCode) -> String {
        value.as_str().to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_is_sorted_and_unique_so_binary_search_is_sound() {
        assert!(ISO_3166_ALPHA2.windows(2).all(|w| w[0] < w[1]));
    }

    #[test]
    fn countries_are_checked_against_the_assigned_list() {
        for ok in ["ER", "af", " sd ", "NL", "SS", "XK"] {
            assert!(CountryCode::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["", "E", "ERI", "XX", "UK", "1A", "É"] {
            assert_eq!(CountryCode::parse(bad).unwrap_err().code, crate::ViolationCode::NotIso3166, "{bad}");
        }
    }

    #[test]
    fn languages_accept_639_1_and_639_3_and_normalise() {
        assert_eq!(LanguageCode::parse("TI").unwrap().as_str(), "ti");
        assert_eq!(LanguageCode::parse("tir").unwrap().as_str(), "ti");
        assert_eq!(LanguageCode::parse("prs").unwrap().as_str(), "prs");
        assert_eq!(LanguageCode::parse("zz").unwrap_err().code, crate::ViolationCode::NotIso639);
        assert_eq!(LanguageCode::parse("english").unwrap_err().code, crate::ViolationCode::NotIso639);
    }

    #[test]
    fn codes_serialise_as_plain_strings() {
        let c = CountryCode::parse("er").unwrap();
        assert_eq!(serde_json::to_string(&c).unwrap(), "\"ER\"");
        assert!(serde_json::from_str::<CountryCode>("\"QQ\"").is_err());
    }
}
