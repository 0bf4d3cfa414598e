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

/// A source of the current instant: a port, implemented outside the core (the store's system
/// clock, a test's manual clock). The core itself never reads one; the adapters that need "now"
/// are handed the one clock of the process, so every part of a request agrees on the day.
pub trait Clock: Send + Sync {
    /// Now.
    fn now(&self) -> DateTime<Utc>;

    /// Today in Amsterdam, by this clock.
    fn today(&self) -> NaiveDate {
        amsterdam_date(self.now())
    }
}

/// A period of whole days, both ends included, that does not end before it starts.
///
/// ```
/// use chrono::NaiveDate;
/// use perspectief_core::time::{DateRange, DateRangeError};
/// let day = |d| NaiveDate::from_ymd_opt(2026, 3, d).unwrap();
/// let march = DateRange::new(day(1), day(31)).unwrap();
/// assert_eq!(march.days(), 31);
/// assert_eq!(DateRange::new(day(2), day(1)), Err(DateRangeError::EndsBeforeStart));
/// assert_eq!(march.at_most(29), Err(DateRangeError::TooLong { max_days: 29 }));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DateRange {
    from: NaiveDate,
    to: NaiveDate,
}

/// Why two dates are not a [`DateRange`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DateRangeError {
    /// The end lies before the start.
    EndsBeforeStart,
    /// The end lies more than `max_days` days after the start.
    TooLong {
        /// The largest distance allowed, in days.
        max_days: i64,
    },
}

impl DateRange {
    /// The days from `from` to `to`, both included; refused when `to` lies before `from`.
    pub fn new(from: NaiveDate, to: NaiveDate) -> Result<Self, DateRangeError> {
        if to < from { Err(DateRangeError::EndsBeforeStart) } else { Ok(Self { from, to }) }
    }

    /// This range, if its end lies at most `max_days` days after its start (a listing's bound).
    pub fn at_most(self, max_days: i64) -> Result<Self, DateRangeError> {
        if (self.to - self.from).num_days() > max_days { Err(DateRangeError::TooLong { max_days }) } else { Ok(self) }
    }

    /// The first day.
    pub const fn from(&self) -> NaiveDate {
        self.from
    }

    /// The last day.
    pub const fn to(&self) -> NaiveDate {
        self.to
    }

    /// The number of days, both ends counted.
    pub fn days(&self) -> i64 {
        (self.to - self.from).num_days() + 1
    }
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

    struct At(DateTime<Utc>);

    impl Clock for At {
        fn now(&self) -> DateTime<Utc> {
            self.0
        }
    }

    #[test]
    fn a_clock_tells_amsterdams_day_not_utcs() {
        // 23:30 UTC on a summer evening is already the next day in Amsterdam.
        let late = At(Utc.with_ymd_and_hms(2026, 7, 14, 23, 30, 0).unwrap());
        assert_eq!(late.today(), NaiveDate::from_ymd_opt(2026, 7, 15).unwrap());
    }

    #[test]
    fn a_range_may_be_one_day_and_is_bounded_inclusively() {
        let day = |d| NaiveDate::from_ymd_opt(2026, 1, d).unwrap();
        let one = DateRange::new(day(5), day(5)).unwrap();
        assert_eq!((one.from(), one.to(), one.days()), (day(5), day(5), 1));
        assert!(DateRange::new(day(1), day(31)).unwrap().at_most(30).is_ok(), "30 days after the start is allowed");
        assert_eq!(DateRange::new(day(1), day(31)).unwrap().at_most(29), Err(DateRangeError::TooLong { max_days: 29 }));
    }
}
