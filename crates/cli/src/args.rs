//! Parsing values from the command line: dates, times, domain choices.

use chrono::{DateTime, Days, Months, NaiveDate, NaiveDateTime, TimeZone, Utc};
use perspectief_store::Clock as _;
use serde::de::DeserializeOwned;

/// Now, by the one system clock (the store's: the core never reads one; the CLI's own reads,
/// such as what "today" means in an argument, use the same clock the store does).
pub fn now() -> DateTime<Utc> {
    perspectief_store::SystemClock.now()
}

/// Today in Amsterdam.
pub fn today() -> NaiveDate {
    perspectief_store::SystemClock.today()
}

/// A stable snake_case value into a domain enum.
pub fn de<T: DeserializeOwned>(s: &str) -> Result<T, String> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).map_err(|e| e.to_string())
}

/// A clap value parser for a domain enum: the accepted values are listed in help and completions.
#[macro_export]
macro_rules! choice {
    ($t:ty, [$($v:literal),+ $(,)?]) => {{
        use clap::builder::TypedValueParser as _;
        clap::builder::PossibleValuesParser::new([$($v),+]).try_map(|s: String| $crate::args::de::<$t>(&s))
    }};
}

/// A day: `2026-03-01`, `01-03-2026`, `vandaag`/`today`, `gisteren`/`yesterday`,
/// `morgen`/`tomorrow`, or relative to today: `+14`, `-3`, `+2w` (weeks), `+1m` (months).
pub fn parse_date(s: &str) -> Result<NaiveDate, String> {
    let v = s.trim().to_lowercase();
    let today = today();
    match v.as_str() {
        "vandaag" | "today" => return Ok(today),
        "gisteren" | "yesterday" => return today.checked_sub_days(Days::new(1)).ok_or_else(|| v.clone()),
        "morgen" | "tomorrow" => return today.checked_add_days(Days::new(1)).ok_or_else(|| v.clone()),
        _ => {}
    }
    if let Some(rest) = v.strip_prefix('+').or_else(|| v.strip_prefix('-')) {
        let sign_minus = v.starts_with('-');
        let (num, unit) = match rest.char_indices().find(|(_, c)| !c.is_ascii_digit()) {
            Some((i, _)) => rest.split_at(i),
            None => (rest, "d"),
        };
        if let Ok(n) = num.parse::<u32>() {
            let out = match (unit, sign_minus) {
                ("d", false) => today.checked_add_days(Days::new(n.into())),
                ("d", true) => today.checked_sub_days(Days::new(n.into())),
                ("w", false) => today.checked_add_days(Days::new(u64::from(n) * 7)),
                ("w", true) => today.checked_sub_days(Days::new(u64::from(n) * 7)),
                ("m", false) => today.checked_add_months(Months::new(n)),
                ("m", true) => today.checked_sub_months(Months::new(n)),
                _ => None,
            };
            if let Some(d) = out {
                return Ok(d);
            }
        }
    }
    NaiveDate::parse_from_str(&v, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(&v, "%d-%m-%Y"))
        .or_else(|_| NaiveDate::parse_from_str(&v, "%d/%m/%Y"))
        .or_else(|_| NaiveDate::parse_from_str(&v, "%d.%m.%Y"))
        .map_err(|_| crate::t!("value-not-a-date", value = s))
}

/// A moment: `2026-03-01 14:30` (Amsterdam time), `gisteren 14:30`, `2026-03-01T13:30:00Z` (RFC 3339), a day
/// (noon), or `nu`/`now`.
pub fn parse_instant(s: &str) -> Result<DateTime<Utc>, String> {
    let v = s.trim();
    if matches!(v.to_lowercase().as_str(), "nu" | "now") {
        return Ok(now());
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Ok(t.with_timezone(&Utc));
    }
    let local = NaiveDateTime::parse_from_str(v, "%Y-%m-%d %H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(v, "%Y-%m-%dT%H:%M"))
        .or_else(|_| NaiveDateTime::parse_from_str(v, "%d-%m-%Y %H:%M"))
        .or_else(|_| parse_date(v).map(|d| d.and_hms_opt(12, 0, 0).unwrap_or_default()))
        .or_else(|_| day_and_time(v).ok_or(()))
        .map_err(|_| crate::t!("value-not-a-moment", value = s))?;
    // Amsterdam is UTC+1 or +2; take the offset in force at that moment.
    let guess = Utc.from_utc_datetime(&local);
    let offset = perspectief_core::time::amsterdam_offset_hours(guess);
    Ok(guess - chrono::Duration::hours(offset))
}

/// A day as `parse_date` takes it and a time of day: `gisteren 14:30`, `05-12-2026 9:15`, so
/// yesterday's talk is recorded at the hour it took place.
fn day_and_time(v: &str) -> Option<NaiveDateTime> {
    let (day, time) = v.rsplit_once(char::is_whitespace)?;
    let time = chrono::NaiveTime::parse_from_str(time.trim(), "%H:%M").ok()?;
    Some(parse_date(day).ok()?.and_time(time))
}

/// Yes, no or unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tri(pub Option<bool>);

/// `yes`/`no` (also `ja`/`nee`, `true`/`false`, `unknown`/`onbekend` for none).
pub fn parse_tristate(s: &str) -> Result<Tri, String> {
    match s.trim().to_lowercase().as_str() {
        "ja" | "yes" | "true" | "j" | "y" => Ok(Tri(Some(true))),
        "nee" | "no" | "false" | "n" => Ok(Tri(Some(false))),
        "onbekend" | "unknown" | "?" => Ok(Tri(None)),
        _ => Err(crate::t!("value-not-yes-no", value = s)),
    }
}

/// A domain enum's stable snake_case value.
pub fn ser<T: serde::Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_moment_is_a_day_as_dates_are_written_and_a_time_of_day() {
        let yesterday = today().pred_opt().unwrap();
        let at = parse_instant("gisteren 14:30").unwrap();
        assert_eq!(perspectief_core::time::amsterdam_date(at), yesterday);
        assert_eq!(at, parse_instant(&format!("{yesterday} 14:30")).unwrap());
        assert_eq!(
            parse_instant("05-12-2026 9:15").unwrap(),
            parse_instant("2026-12-05 09:15").unwrap(),
            "day first, as Excel writes it"
        );
        assert!(parse_instant("gisteren 25:00").is_err());
        assert!(parse_instant("14:30").is_err(), "a time alone names no day");
    }
}
