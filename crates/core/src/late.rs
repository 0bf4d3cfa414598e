//! Late entries: a case entry recorded well after the day it took effect.
//!
//! Every case change has an effective date ([`CaseChange::effective_on`]) apart from the moment
//! it was recorded. Recording what happened days ago is normal (a week of work entered on
//! Friday) and allowed; an entry made more than the foundation's threshold after its effective
//! date (by default [`DEFAULT_LATE_ENTRY_DAYS`]) is *marked late*, so the project lead can see
//! which parts of the case file were reconstructed afterwards ([`LateEntryQuery`]).
//!
//! The mark follows the threshold in force when it is read: changing the threshold re-marks
//! every entry by the same rule, so the listing and the history never disagree.
//!
//! Access: listing late entries, and reading or changing the threshold, are the project
//! lead's ([`crate::access::Resource::LateEntries`]); the listing names participants by id,
//! what kind of change was recorded, the dates and who recorded it, never names or content.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::case::CaseChange;
use crate::error::{DomainError, ViolationCode};
use crate::ids::{ParticipantId, UserId};
use crate::service::PageRequest;
use crate::time::{DateRange, amsterdam_date, amsterdam_offset_hours};

/// The threshold when the foundation set none: two weeks.
pub const DEFAULT_LATE_ENTRY_DAYS: u16 = 14;

/// The largest threshold: a year.
pub const MAX_LATE_ENTRY_DAYS: u16 = 365;

/// The foundation's late-entry threshold: an entry recorded more than `days` days after its
/// effective date is late.
///
/// ```
/// use chrono::NaiveDate;
/// use perspectief_core::late::LateEntryPolicy;
///
/// let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
/// let policy = LateEntryPolicy::default(); // 14 days
/// // A talk of 1 March entered on 15 March: 14 days later, not late.
/// assert!(!policy.is_late(day(3, 1), day(3, 15)));
/// // Entered on 16 March: 15 days later, late.
/// assert!(policy.is_late(day(3, 1), day(3, 16)));
/// assert!(LateEntryPolicy::new(0).is_err());
/// assert!(LateEntryPolicy::new(366).is_err());
/// ```
// No serde: a threshold is made only through `new`, which checks its range.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LateEntryPolicy {
    days: u16,
}

impl Default for LateEntryPolicy {
    fn default() -> Self {
        Self { days: DEFAULT_LATE_ENTRY_DAYS }
    }
}

impl LateEntryPolicy {
    /// A threshold of `days` days, 1 to [`MAX_LATE_ENTRY_DAYS`]; refused naming the field
    /// `days` otherwise.
    pub fn new(days: u32) -> Result<Self, DomainError> {
        match u16::try_from(days) {
            Ok(days) if (1..=MAX_LATE_ENTRY_DAYS).contains(&days) => Ok(Self { days }),
            _ => Err(DomainError::field(
                "days",
                ViolationCode::OutOfRange,
                format!("the late-entry threshold is 1 to {MAX_LATE_ENTRY_DAYS} days"),
            )),
        }
    }

    /// The threshold in days.
    pub const fn days(self) -> u16 {
        self.days
    }

    /// Whether an entry recorded on `recorded_on` (Amsterdam's date) for something that took
    /// effect on `effective_on` is late.
    pub fn is_late(self, effective_on: NaiveDate, recorded_on: NaiveDate) -> bool {
        self.is_late_by(days_late(effective_on, recorded_on))
    }

    /// Whether an entry recorded `days_late` days after its effective date ([`days_late`]) is
    /// late.
    pub fn is_late_by(self, days_late: i64) -> bool {
        days_late > i64::from(self.days)
    }

    /// Whether a change recorded at `recorded` is late.
    pub fn is_late_change(self, change: &CaseChange, recorded: DateTime<Utc>) -> bool {
        self.is_late(change.effective_on(recorded), amsterdam_date(recorded))
    }
}

/// How many days after its effective date an entry was recorded (0 on the day; negative for a
/// planned thing recorded ahead, which is never late).
pub fn days_late(effective_on: NaiveDate, recorded_on: NaiveDate) -> i64 {
    (recorded_on - effective_on).num_days()
}

/// One late entry, as the project lead's listing shows it: ids, kinds and dates only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LateEntry {
    /// The participant whose case file it is in.
    pub participant: ParticipantId,
    /// The case's version after the entry (identifies it in the history).
    pub version: u64,
    /// What was recorded: the change's kind ([`CaseChange::kind`]).
    pub kind: String,
    /// The day it took effect.
    pub effective_on: NaiveDate,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
    /// Who recorded it.
    pub recorded_by: UserId,
    /// How many days after its effective date it was recorded.
    pub days_late: i64,
}

/// Which late entries to list: those recorded in a period (Amsterdam days, both included),
/// optionally only those recorded by one user, a page at a time, oldest recording first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LateEntryQuery {
    /// First day of recording.
    pub from: NaiveDate,
    /// Last day of recording.
    pub to: NaiveDate,
    /// Only the entries this user recorded.
    pub recorded_by: Option<UserId>,
    /// The page.
    pub page: PageRequest,
}

impl LateEntryQuery {
    /// The period, refused naming `to` when it ends before it starts.
    pub fn period(&self) -> Result<DateRange, DomainError> {
        DateRange::new(self.from, self.to).map_err(|_| {
            DomainError::field("to", ViolationCode::BeforeStart, "the period must not end before it starts")
        })
    }

    /// The recorded moments the period covers: from the start of its first Amsterdam day,
    /// up to (not including) the start of the day after its last.
    pub fn recorded_between(&self) -> Result<(DateTime<Utc>, DateTime<Utc>), DomainError> {
        let period = self.period()?;
        let end = period.to().succ_opt().unwrap_or(period.to());
        Ok((start_of_day(period.from()), start_of_day(end)))
    }
}

/// The UTC instant at which an Amsterdam day starts (midnight there is never in a clock
/// change, which happens at 01:00 UTC).
fn start_of_day(day: NaiveDate) -> DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc();
    // Try winter time first; if that instant is in summer time, midnight was an hour earlier.
    let winter = midnight - chrono::Duration::hours(1);
    midnight - chrono::Duration::hours(amsterdam_offset_hours(winter))
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn days_start_at_amsterdam_midnight_in_both_seasons() {
        let winter = NaiveDate::from_ymd_opt(2026, 1, 10).unwrap();
        let summer = NaiveDate::from_ymd_opt(2026, 7, 10).unwrap();
        assert_eq!(start_of_day(winter), Utc.with_ymd_and_hms(2026, 1, 9, 23, 0, 0).unwrap());
        assert_eq!(start_of_day(summer), Utc.with_ymd_and_hms(2026, 7, 9, 22, 0, 0).unwrap());
        // The days of the clock changes.
        let spring = NaiveDate::from_ymd_opt(2026, 3, 29).unwrap();
        let autumn = NaiveDate::from_ymd_opt(2026, 10, 25).unwrap();
        assert_eq!(amsterdam_date(start_of_day(spring)), spring);
        assert_eq!(amsterdam_date(start_of_day(spring) - chrono::Duration::seconds(1)), spring.pred_opt().unwrap());
        assert_eq!(amsterdam_date(start_of_day(autumn)), autumn);
        assert_eq!(amsterdam_date(start_of_day(autumn) - chrono::Duration::seconds(1)), autumn.pred_opt().unwrap());
    }

    #[test]
    fn a_planned_thing_recorded_ahead_is_never_late() {
        let policy = LateEntryPolicy::new(1).unwrap();
        let day = |d| NaiveDate::from_ymd_opt(2026, 3, d).unwrap();
        assert!(!policy.is_late(day(20), day(1)));
        assert!(!policy.is_late(day(1), day(2)));
        assert!(policy.is_late(day(1), day(3)));
    }
}
