//! The foundation's calendar: Amsterdam dates from UTC instants, without a time-zone database.
//!
//! Deadlines and "today" are Amsterdam dates; instants are stored in UTC. The Netherlands keeps
//! Central European Time (UTC+1) with the EU summer-time rule (UTC+2 from 01:00 UTC on the last
//! Sunday of March to 01:00 UTC on the last Sunday of October), which is all this needs.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc, Weekday};

fn last_sunday(year: i32, month: u32) -> NaiveDate {
    let first_of_next =
        if month == 12 { NaiveDate::from_ymd_opt(year + 1, 1, 1) } else { NaiveDate::from_ymd_opt(year, month + 1, 1) };
    let mut d = first_of_next.and_then(|d| d.pred_opt()).unwrap_or(NaiveDate::MIN);
    while d.weekday() != Weekday::Sun {
        d = d.pred_opt().unwrap_or(NaiveDate::MIN);
    }
    d
}

/// Amsterdam's offset from UTC at an instant, in hours (1 in winter, 2 in summer).
pub fn amsterdam_offset_hours(now: DateTime<Utc>) -> i64 {
    let year = now.year();
    let start = last_sunday(year, 3).and_hms_opt(1, 0, 0).map(|t| t.and_utc());
    let end = last_sunday(year, 10).and_hms_opt(1, 0, 0).map(|t| t.and_utc());
    match (start, end) {
        (Some(s), Some(e)) if s <= now && now < e => 2,
        _ => 1,
    }
}

/// The date in Amsterdam at an instant.
///
/// ```
/// use chrono::{TimeZone, Utc, NaiveDate};
/// use perspectief_core::time::amsterdam_date;
/// // 23:30 UTC on 28 November is already 29 November in Amsterdam (UTC+1).
/// let late = Utc.with_ymd_and_hms(2026, 11, 28, 23, 30, 0).unwrap();
/// assert_eq!(amsterdam_date(late), NaiveDate::from_ymd_opt(2026, 11, 29).unwrap());
/// ```
pub fn amsterdam_date(now: DateTime<Utc>) -> NaiveDate {
    (now + Duration::hours(amsterdam_offset_hours(now))).date_naive()
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    #[test]
    fn summer_time_switches_at_one_utc_on_the_last_sundays() {
        let at = |m, d, h, min| Utc.with_ymd_and_hms(2026, m, d, h, min, 0).unwrap();
        // 2026: summer time from 29 March 01:00 UTC to 25 October 01:00 UTC.
        assert_eq!(amsterdam_offset_hours(at(3, 29, 0, 59)), 1);
        assert_eq!(amsterdam_offset_hours(at(3, 29, 1, 0)), 2);
        assert_eq!(amsterdam_offset_hours(at(10, 25, 0, 59)), 2);
        assert_eq!(amsterdam_offset_hours(at(10, 25, 1, 0)), 1);
        assert_eq!(amsterdam_date(at(6, 30, 22, 30)), NaiveDate::from_ymd_opt(2026, 7, 1).unwrap());
        assert_eq!(amsterdam_date(at(6, 30, 21, 59)), NaiveDate::from_ymd_opt(2026, 6, 30).unwrap());
    }
}
