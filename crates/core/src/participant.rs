//! The participant (*deelnemer*): who they are, as far as it is known.

use crate::ViolationCode;
use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::codes::{CountryCode, LanguageCode};
use crate::error::ValueError;
use crate::ids::UserId;
use crate::text::{Label, Name};

/// An IND foreigner number (*vreemdelingennummer*, V-nummer): exactly ten digits.
///
/// People write it with spaces or dots (`12 3456 7890`, `12.34.56.78.90`); those are removed.
///
/// ```
/// use perspectief_core::VNumber;
/// assert_eq!(VNumber::parse("12 3456 7890").unwrap().as_str(), "1234567890");
/// assert!(VNumber::parse("123456789").is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct VNumber(String);

impl VNumber {
    /// Parse and normalise a V-number.
    pub fn parse(value: &str) -> Result<Self, ValueError> {
        let digits: String = value.chars().filter(|c| !matches!(c, ' ' | '.' | '-')).collect();
        if digits.len() == 10 && digits.bytes().all(|b| b.is_ascii_digit()) {
            Ok(Self(digits))
        } else {
            Err(ValueError::new(
                ViolationCode::NotAVNumber,
                "an IND V-number has exactly 10 digits (spaces and dots are allowed between them)",
            ))
        }
    }

    /// The ten digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for VNumber {
    type Error = ValueError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<VNumber> for String {
    fn from(value: VNumber) -> String {
        value.0
    }
}

/// A date of birth as far as it is known. Many participants have no documents, so the date may
/// be known to the day, to the month or the year, or only estimated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "precision", rename_all = "snake_case")]
pub enum DateOfBirth {
    /// Known to the day.
    Exact {
        /// The date.
        date: NaiveDate,
    },
    /// Known to the month.
    Month {
        /// The year.
        year: i32,
        /// The month, 1 to 12.
        month: u32,
    },
    /// Only the year is known.
    Year {
        /// The year.
        year: i32,
    },
    /// Estimated (by the person or staff); the year is a best guess.
    Estimated {
        /// The estimated year.
        year: i32,
    },
}

impl DateOfBirth {
    /// Parse `YYYY-MM-DD`, `YYYY-MM`, `YYYY`, or `~YYYY` (estimated), checked against today:
    /// nobody is born in the future or more than 120 years ago.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use perspectief_core::DateOfBirth;
    /// let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
    /// assert_eq!(DateOfBirth::parse("~1990", today).unwrap(), DateOfBirth::Estimated { year: 1990 });
    /// assert!(DateOfBirth::parse("2030-01-01", today).is_err());
    /// ```
    pub fn parse(value: &str, today: NaiveDate) -> Result<Self, ValueError> {
        Self::parse_format(value)?.check(today)
    }

    /// Parse the written form only, without checking plausibility against today (for a first
    /// check at the edge, before today is known); [`DateOfBirth::parse`] does both.
    pub fn parse_format(value: &str) -> Result<Self, ValueError> {
        let v = value.trim();
        let bad = || {
            ValueError::new(
                ViolationCode::InvalidDateOfBirth,
                format!(
                    "{} is not a date of birth: write YYYY-MM-DD, YYYY-MM, YYYY, or ~YYYY when estimated",
                    crate::error::echo(v)
                ),
            )
        };
        let parsed = if let Some(year) = v.strip_prefix('~') {
            Self::Estimated { year: parse_year(year).ok_or_else(bad)? }
        } else {
            let parts: Vec<&str> = v.split('-').collect();
            match parts.as_slice() {
                [y] => Self::Year { year: parse_year(y).ok_or_else(bad)? },
                [y, m] => {
                    let year = parse_year(y).ok_or_else(bad)?;
                    let month = Some(m)
                        .filter(|m| m.len() == 2)
                        .and_then(|m| m.parse::<u32>().ok())
                        .filter(|m| (1..=12).contains(m))
                        .ok_or_else(bad)?;
                    Self::Month { year, month }
                }
                [_, _, _] => Self::Exact { date: NaiveDate::parse_from_str(v, "%Y-%m-%d").map_err(|_| bad())? },
                _ => return Err(bad()),
            }
        };
        Ok(parsed)
    }

    /// Check a constructed value: a valid month, not in the future, at most 120 years ago.
    pub fn check(self, today: NaiveDate) -> Result<Self, ValueError> {
        if let Self::Month { month, .. } = self
            && !(1..=12).contains(&month)
        {
            return Err(ValueError::new(ViolationCode::InvalidDateOfBirth, "the month must be 1 to 12"));
        }
        let (earliest_year, _) = self.year_range();
        if self.earliest() > today {
            return Err(ValueError::new(ViolationCode::DateInFuture, "a date of birth cannot lie in the future"));
        }
        if today.year() - earliest_year > 120 {
            return Err(ValueError::new(
                ViolationCode::ImplausibleDateOfBirth,
                "a date of birth more than 120 years ago is not plausible",
            ));
        }
        Ok(self)
    }

    fn year_range(self) -> (i32, i32) {
        match self {
            Self::Exact { date } => (date.year(), date.year()),
            Self::Month { year, .. } | Self::Year { year } | Self::Estimated { year } => (year, year),
        }
    }

    /// The earliest day the person can have been born, given what is known.
    pub fn earliest(self) -> NaiveDate {
        match self {
            Self::Exact { date } => date,
            Self::Month { year, month } => NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(NaiveDate::MIN),
            Self::Year { year } | Self::Estimated { year } => {
                NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(NaiveDate::MIN)
            }
        }
    }

    /// Age in whole years on `today`, as a range when the date is imprecise (youngest, oldest).
    /// An estimated year is treated like a year: the range says it is uncertain.
    pub fn age_on(self, today: NaiveDate) -> (u32, u32) {
        let latest = match self {
            Self::Exact { date } => date,
            Self::Month { year, month } => last_day_of_month(year, month),
            Self::Year { year } | Self::Estimated { year } => {
                NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(NaiveDate::MAX)
            }
        };
        (years_between(latest, today), years_between(self.earliest(), today))
    }

    /// Whether the date is only estimated.
    pub fn is_estimated(self) -> bool {
        matches!(self, Self::Estimated { .. })
    }
}

fn parse_year(s: &str) -> Option<i32> {
    if s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()) { s.parse().ok() } else { None }
}

fn last_day_of_month(year: i32, month: u32) -> NaiveDate {
    let (ny, nm) = if month == 12 { (year + 1, 1) } else { (year, month + 1) };
    NaiveDate::from_ymd_opt(ny, nm, 1).and_then(|d| d.pred_opt()).unwrap_or(NaiveDate::MAX)
}

fn years_between(born: NaiveDate, today: NaiveDate) -> u32 {
    if born > today {
        return 0;
    }
    let mut years = today.year() - born.year();
    if (today.month(), today.day()) < (born.month(), born.day()) {
        years -= 1;
    }
    u32::try_from(years).unwrap_or(0)
}

/// A nationality: a country, or stateless, or not (yet) known. Statelessness is common enough
/// among undocumented people that it must be sayable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", content = "country", rename_all = "snake_case")]
pub enum Nationality {
    /// A citizen of this country.
    Country(CountryCode),
    /// Stateless (*staatloos*).
    Stateless,
    /// Not known (*onbekend*).
    Unknown,
}

impl Nationality {
    /// Parse `stateless`, `unknown`, or an ISO 3166 code.
    pub fn parse(value: &str) -> Result<Self, ValueError> {
        match value.trim().to_ascii_lowercase().as_str() {
            "stateless" | "staatloos" => Ok(Self::Stateless),
            "unknown" | "onbekend" => Ok(Self::Unknown),
            _ => CountryCode::parse(value).map(Self::Country),
        }
    }
}

/// Who a participant is, as far as it is known: the identity part of the case file
/// (data category *identity*).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParticipantProfile {
    /// Given name(s).
    pub given_names: Name,
    /// Family name, when the person has one.
    pub family_name: Option<Name>,
    /// Other names and spellings the person is known by (aliases are common after years
    /// without documents, and needed to find people in partners' files).
    pub aliases: Vec<Name>,
    /// Date of birth, as far as known.
    pub date_of_birth: Option<DateOfBirth>,
    /// Country of origin.
    pub country_of_origin: Option<CountryCode>,
    /// Nationalities (can be several, or stateless).
    pub nationalities: Vec<Nationality>,
    /// Languages spoken, the preferred one first.
    pub languages: Vec<LanguageCode>,
    /// IND V-number, when known.
    pub v_number: Option<VNumber>,
    /// The LVV location where the person stays.
    pub lvv_location: Option<Label>,
    /// The assigned project worker.
    pub project_worker: UserId,
}

impl ParticipantProfile {
    /// A profile with only what every participant has, given names and the assigned project
    /// worker; the rest is added as it becomes known.
    ///
    /// ```
    /// use perspectief_core::{Name, ParticipantProfile, UserId};
    /// let p = ParticipantProfile::minimal(Name::parse("Amanuel").unwrap(), UserId::from_u128(1));
    /// assert_eq!(p.display_name(), "Amanuel");
    /// assert!(p.family_name.is_none() && p.languages.is_empty());
    /// ```
    pub fn minimal(given_names: Name, project_worker: UserId) -> Self {
        Self {
            given_names,
            family_name: None,
            aliases: vec![],
            date_of_birth: None,
            country_of_origin: None,
            nationalities: vec![],
            languages: vec![],
            v_number: None,
            lvv_location: None,
            project_worker,
        }
    }

    /// Full name for display to staff: given names and family name.
    pub fn display_name(&self) -> String {
        match &self.family_name {
            Some(f) => format!("{} {}", self.given_names, f),
            None => self.given_names.to_string(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(y: i32, m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, d).unwrap()
    }

    #[test]
    fn v_numbers_need_ten_digits() {
        assert!(VNumber::parse("1234567890").is_ok());
        assert!(VNumber::parse("12.34.56.78.90").is_ok());
        for bad in ["", "123456789", "12345678901", "12345abcde", "V123456789"] {
            assert_eq!(VNumber::parse(bad).unwrap_err().code, crate::ViolationCode::NotAVNumber, "{bad}");
        }
    }

    #[test]
    fn dates_of_birth_in_every_precision() {
        let today = day(2026, 11, 28);
        assert_eq!(DateOfBirth::parse("1990-05-17", today).unwrap(), DateOfBirth::Exact { date: day(1990, 5, 17) });
        assert_eq!(DateOfBirth::parse("1990-05", today).unwrap(), DateOfBirth::Month { year: 1990, month: 5 });
        assert_eq!(DateOfBirth::parse("1990", today).unwrap(), DateOfBirth::Year { year: 1990 });
        assert_eq!(DateOfBirth::parse(" ~1990 ", today).unwrap(), DateOfBirth::Estimated { year: 1990 });
        for bad in ["", "90", "1990-13", "1990-02-30", "~", "1990/05/17", "abcd"] {
            assert_eq!(
                DateOfBirth::parse(bad, today).unwrap_err().code,
                crate::ViolationCode::InvalidDateOfBirth,
                "{bad}"
            );
        }
        assert_eq!(DateOfBirth::parse("2026-12", today).unwrap_err().code, crate::ViolationCode::DateInFuture);
        assert_eq!(DateOfBirth::parse("1880", today).unwrap_err().code, crate::ViolationCode::ImplausibleDateOfBirth);
        assert_eq!(
            DateOfBirth::Month { year: 1990, month: 0 }.check(today).unwrap_err().code,
            crate::ViolationCode::InvalidDateOfBirth
        );
    }

    #[test]
    fn age_is_a_range_when_the_date_is_imprecise() {
        let today = day(2026, 11, 28);
        assert_eq!(DateOfBirth::Exact { date: day(1990, 11, 28) }.age_on(today), (36, 36));
        assert_eq!(DateOfBirth::Exact { date: day(1990, 11, 29) }.age_on(today), (35, 35));
        assert_eq!(DateOfBirth::Year { year: 1990 }.age_on(today), (35, 36));
        assert_eq!(DateOfBirth::Month { year: 1990, month: 12 }.age_on(today), (35, 35));
    }

    #[test]
    fn nationality_can_be_stateless_or_unknown() {
        assert_eq!(Nationality::parse("staatloos").unwrap(), Nationality::Stateless);
        assert_eq!(Nationality::parse("Unknown").unwrap(), Nationality::Unknown);
        assert_eq!(Nationality::parse("ps").unwrap(), Nationality::Country(CountryCode::parse("PS").unwrap()));
        assert!(Nationality::parse("Eritrean").is_err());
    }
}
