//! The subsidy accountability report: unique persons per activity code and theme, realised
//! against target, with percentage, a linear projection to the period's end, breakdowns,
//! the funnel and the outflow outcomes.
//!
//! # Who counts
//!
//! - A person counts **once per measure per period**: a measure (an activity code, a theme, or
//!   "reached") counts the registered participants who have at least one activity under it on
//!   a day from the period's start to the report's day (or the period's end, if earlier).
//! - An activity is a case event accounted under a code (see
//!   [`CaseChange::activities`](crate::case::CaseChange::activities)); a contact moment counts
//!   on the day it took place. Attendance at an information session that was not cancelled
//!   counts as 5.2.a(1) on the session's day.
//! - The head count of unregistered attendees of those sessions counts toward the reach of
//!   5.2.a(1), of theme A and of "reached"; the report keeps it apart from the registered
//!   persons, so it says how many of the reach are registered persons. Head counts cannot be
//!   deduplicated (nobody is identified): two sessions with the same unregistered visitor count
//!   them twice.
//! - A theme counts a person once, whatever the number of its codes they had.
//! - Breakdowns count registered persons only: by the month in which the person was **first**
//!   counted in the period (so the months add up to the total), by nationality (the first
//!   country nationality), LVV location and project worker (as the case file holds them now).
//! - The funnel's stages are each counted over the period like the measures: reached (anyone
//!   with an activity), orientation talk (5.2.a(2)), plan (3.2.a, the first plan drawn up),
//!   return exploration (5.2.b(1)), obstacle removal (5.2.b(2)) and departed (an outflow in
//!   the period whose outcome is a departure, [`OutflowOutcome::is_departure`]).
//!
//! The store gathers the facts ([`SubsidyFacts`]) with aggregating queries; [`SubsidyReport::compute`]
//! turns them into the report, so the counting rules live here once.

use crate::ViolationCode;
use std::collections::BTreeMap;
use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::activity::{ActivityCode, SubsidyPeriod, TargetMeasure, Theme};
use crate::codes::CountryCode;
use crate::error::ValueError;
use crate::ids::{ContactId, ParticipantId, SessionId, SubsidyPeriodId, UserId};
use crate::outflow::{Durability, OutflowOutcome};

/// A calendar month, written `YYYY-MM`.
///
/// ```
/// use perspectief_core::report::YearMonth;
/// let m: YearMonth = "2026-03".parse().unwrap();
/// assert_eq!(m.to_string(), "2026-03");
/// assert!(m.contains(chrono::NaiveDate::from_ymd_opt(2026, 3, 31).unwrap()));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct YearMonth {
    year: i32,
    month: u32,
}

impl YearMonth {
    /// A month; `None` when `month` is not 1 to 12.
    pub fn new(year: i32, month: u32) -> Option<Self> {
        NaiveDate::from_ymd_opt(year, month, 1).map(|_| Self { year, month })
    }

    /// The month a day falls in.
    pub fn of(day: NaiveDate) -> Self {
        Self { year: day.year(), month: day.month() }
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month, 1 to 12.
    pub fn month(self) -> u32 {
        self.month
    }

    /// The first day.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or(NaiveDate::MIN)
    }

    /// The last day.
    pub fn last_day(self) -> NaiveDate {
        let next = if self.month == 12 { (self.year + 1, 1) } else { (self.year, self.month + 1) };
        NaiveDate::from_ymd_opt(next.0, next.1, 1).and_then(|d| d.pred_opt()).unwrap_or(NaiveDate::MAX)
    }

    /// Whether a day falls in this month.
    pub fn contains(self, day: NaiveDate) -> bool {
        Self::of(day) == self
    }

    /// Parse `YYYY-MM` (also the first seven characters of a `YYYY-MM-DD` day).
    pub fn parse(value: &str) -> Result<Self, ValueError> {
        let bad = || {
            ValueError::new(
                ViolationCode::InvalidMonth,
                format!("{} is not a month (YYYY-MM)", crate::error::echo(value)),
            )
        };
        let v = value.trim();
        let (y, m) = v.get(..7).unwrap_or(v).split_once('-').ok_or_else(bad)?;
        let (year, month) = (y.parse::<i32>().map_err(|_| bad())?, m.parse::<u32>().map_err(|_| bad())?);
        Self::new(year, month).ok_or_else(bad)
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl std::str::FromStr for YearMonth {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for YearMonth {
    type Error = ValueError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<YearMonth> for String {
    fn from(value: YearMonth) -> String {
        value.to_string()
    }
}

/// What is counted in unique persons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "per", content = "value", rename_all = "snake_case")]
pub enum Measure {
    /// Persons with this activity.
    Activity(ActivityCode),
    /// Persons with any activity of this theme.
    Theme(Theme),
    /// Persons with any activity at all (the funnel's first stage).
    Reached,
}

impl Measure {
    /// Every measure the report has: the 17 codes, the 4 themes, and reached.
    pub fn all() -> Vec<Measure> {
        let mut v: Vec<Measure> = ActivityCode::ALL.into_iter().map(Measure::Activity).collect();
        v.extend(THEMES.into_iter().map(Measure::Theme));
        v.push(Measure::Reached);
        v
    }

    /// The activity codes it counts.
    pub fn codes(self) -> Vec<ActivityCode> {
        match self {
            Self::Activity(c) => vec![c],
            Self::Theme(t) => ActivityCode::ALL.into_iter().filter(|c| c.theme() == t).collect(),
            Self::Reached => ActivityCode::ALL.to_vec(),
        }
    }

    /// Whether information-session attendance and head counts count toward it (they are
    /// 5.2.a(1)).
    pub fn counts_sessions(self) -> bool {
        self.codes().contains(&ActivityCode::InformationSessions)
    }

    /// The measures a code counts toward: its own, its theme's, and reached.
    pub fn of_code(code: ActivityCode) -> [Measure; 3] {
        [Self::Activity(code), Self::Theme(code.theme()), Self::Reached]
    }

    /// The target measure of the period's configuration, if there is one.
    pub fn target_measure(self) -> Option<TargetMeasure> {
        match self {
            Self::Activity(c) => Some(TargetMeasure::Activity(c)),
            Self::Theme(t) => Some(TargetMeasure::Theme(t)),
            Self::Reached => None,
        }
    }

    /// A stable textual key: the code (`5.2.a(1)`), `theme:<name>` or `reached`.
    pub fn key(self) -> String {
        match self {
            Self::Activity(c) => c.code().to_owned(),
            Self::Theme(t) => format!("theme:{}", theme_name(t)),
            Self::Reached => "reached".to_owned(),
        }
    }

    /// Parse a [`Measure::key`].
    pub fn from_key(key: &str) -> Result<Self, ValueError> {
        if key == "reached" {
            return Ok(Self::Reached);
        }
        if let Some(t) = key.strip_prefix("theme:") {
            return THEMES.into_iter().find(|x| theme_name(*x) == t).map(Self::Theme).ok_or_else(|| {
                ValueError::new(ViolationCode::UnknownTheme, format!("{} is not a theme", crate::error::echo(t)))
            });
        }
        ActivityCode::parse(key).map(Self::Activity)
    }

    /// A Dutch label for reports.
    pub fn label(self) -> String {
        match self {
            Self::Activity(c) => format!("{} {}", c.code(), c.dutch_name()),
            Self::Theme(t) => format!("Thema {} {}", t.letter(), t.dutch_name()),
            Self::Reached => "Bereikt (alle activiteiten)".to_owned(),
        }
    }
}

/// The plan's four themes, in order.
pub const THEMES: [Theme; 4] = [Theme::Inform, Theme::Activate, Theme::Guide, Theme::Evaluate];

/// Stable snake_case name of a theme (as serde writes it).
pub const fn theme_name(t: Theme) -> &'static str {
    match t {
        Theme::Inform => "inform",
        Theme::Activate => "activate",
        Theme::Guide => "guide",
        Theme::Evaluate => "evaluate",
    }
}

/// A stage of the funnel from reached to departed.
///
/// Each stage is counted on its own, like the measure it shows ([`FunnelStage::figure`]):
/// the persons with that activity in the period, not the persons who passed the stage before
/// it. A stage can therefore be wider than the one above it, by design: a person whose
/// orientation talk fell before the period and whose plan was drawn up in it counts under
/// the plan only, and a return exploration needs no plan. The funnel shows how far the work
/// reached at each step in the period, not a cohort's path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FunnelStage {
    /// Reached: any activity, plus the sessions' unregistered head counts.
    Reached,
    /// A future-orientation talk (5.2.a(2)).
    OrientationTalk,
    /// A perspective plan drawn up (3.2.a).
    Plan,
    /// Return exploration (5.2.b(1)).
    ReturnExploration,
    /// Obstacle removal (5.2.b(2)).
    ObstaclesRemoved,
    /// Departed: an outflow whose outcome is a departure.
    Departed,
}

impl FunnelStage {
    /// The stages in order.
    pub const ALL: [FunnelStage; 6] = [
        Self::Reached,
        Self::OrientationTalk,
        Self::Plan,
        Self::ReturnExploration,
        Self::ObstaclesRemoved,
        Self::Departed,
    ];

    /// The figure the stage counts.
    pub const fn figure(self) -> Figure {
        match self {
            Self::Reached => Figure::Measure(Measure::Reached),
            Self::OrientationTalk => Figure::Measure(Measure::Activity(ActivityCode::OrientationTalks)),
            Self::Plan => Figure::Measure(Measure::Activity(ActivityCode::PerspectivePlan)),
            Self::ReturnExploration => Figure::Measure(Measure::Activity(ActivityCode::ExploreReturn)),
            Self::ObstaclesRemoved => Figure::Measure(Measure::Activity(ActivityCode::RemoveObstacles)),
            Self::Departed => Figure::Departed,
        }
    }

    /// A Dutch label.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Reached => "Bereikt",
            Self::OrientationTalk => "Oriëntatiegesprek",
            Self::Plan => "Perspectiefplan",
            Self::ReturnExploration => "Terugkeer onderzocht",
            Self::ObstaclesRemoved => "Belemmeringen weggenomen",
            Self::Departed => "Vertrokken",
        }
    }
}

/// A figure of the report that can be drilled down to the persons behind it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "figure", content = "value", rename_all = "snake_case")]
pub enum Figure {
    /// A measure (activity code, theme, reached).
    Measure(Measure),
    /// Outflows in the period with this outcome.
    Outflow(OutflowOutcome),
    /// Outflows in the period with an outcome of this durability.
    Durability(Durability),
    /// Outflows in the period that are departures.
    Departed,
}

/// Where a figure's persons come from: what the store must select.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum FigureSource {
    /// Persons with an activity under one of these codes in the period (and, when `sessions`,
    /// attendance at a session that was not cancelled).
    Activities {
        /// The codes.
        codes: Vec<ActivityCode>,
        /// Whether session attendance counts.
        sessions: bool,
    },
    /// Persons whose outflow in the period had one of these outcomes.
    Outflows(Vec<OutflowOutcome>),
}

impl Figure {
    /// What the figure counts.
    pub fn source(self) -> FigureSource {
        let outflows = |f: &dyn Fn(OutflowOutcome) -> bool| {
            FigureSource::Outflows(OutflowOutcome::ALL.into_iter().filter(|o| f(*o)).collect())
        };
        match self {
            Self::Measure(m) => FigureSource::Activities { codes: m.codes(), sessions: m.counts_sessions() },
            Self::Outflow(o) => FigureSource::Outflows(vec![o]),
            Self::Durability(d) => outflows(&|o| o.durability() == d),
            Self::Departed => outflows(&|o| o.is_departure()),
        }
    }
}

/// Which part of a figure: all of it, or one cell of a breakdown.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(tag = "slice", content = "value", rename_all = "snake_case")]
pub enum Slice {
    /// The whole figure.
    #[default]
    All,
    /// Persons first counted in this month (for outflows: who left in this month).
    Month(YearMonth),
    /// Persons of this nationality (`None`: none known).
    Nationality(Option<CountryCode>),
    /// Persons at this LVV location (`None`: none recorded).
    Location(Option<String>),
    /// Persons of this project worker.
    ProjectWorker(UserId),
}

/// A drill-down request: a figure, and which slice of it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FigureQuery {
    /// The figure.
    pub figure: Figure,
    /// The slice.
    pub slice: Slice,
}

/// The persons and records behind a figure, by internal id only.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Drilldown {
    /// The participants counted, sorted.
    pub participants: Vec<ParticipantId>,
    /// The contact moments of those participants under the figure's codes in the figure's
    /// days (the period, or the slice's month), sorted.
    pub contacts: Vec<ContactId>,
    /// The sessions that counted toward the figure in those days (attended by one of the
    /// participants, or with unregistered attendees), sorted.
    pub sessions: Vec<SessionId>,
    /// Unregistered attendees of those sessions (only for a figure that counts sessions and
    /// the whole or a month's slice).
    pub unregistered_head_count: u32,
}

/// The days a report counts: from the period's start to the report's day or the period's
/// end, whichever is earlier. `None` when the report's day lies before the period.
pub fn counted_days(period: &SubsidyPeriod, as_of: NaiveDate) -> Option<(NaiveDate, NaiveDate)> {
    (as_of >= period.starts_on()).then(|| (period.starts_on(), as_of.min(period.ends_on())))
}

// ---- Facts ------------------------------------------------------------------------------

/// One cell of the store's aggregation: how many persons were first counted for a measure in
/// a month, with these attributes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonCell {
    /// The measure.
    pub measure: Measure,
    /// The month of the person's first activity under the measure in the counted days.
    pub month: YearMonth,
    /// The person's (first country) nationality.
    pub nationality: Option<CountryCode>,
    /// The person's LVV location.
    pub location: Option<String>,
    /// The person's project worker.
    pub project_worker: UserId,
    /// How many persons.
    pub persons: u32,
}

/// Sessions held (not cancelled) in one month and their unregistered head count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionMonth {
    /// The month.
    pub month: YearMonth,
    /// Sessions held.
    pub sessions: u32,
    /// Their unregistered attendees together.
    pub unregistered_head_count: u32,
}

/// Outflows with one outcome in one month, with these attributes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutflowCell {
    /// The outcome.
    pub outcome: OutflowOutcome,
    /// The month of the outflow.
    pub month: YearMonth,
    /// Nationality.
    pub nationality: Option<CountryCode>,
    /// LVV location.
    pub location: Option<String>,
    /// Project worker.
    pub project_worker: UserId,
    /// How many persons.
    pub persons: u32,
}

/// What the store gathers for a report, aggregated: the report is computed from this alone.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SubsidyFacts {
    /// Person counts per measure and attributes (see [`PersonCell`]).
    pub cells: Vec<PersonCell>,
    /// Sessions per month.
    pub sessions: Vec<SessionMonth>,
    /// Outflows per outcome and attributes.
    pub outflows: Vec<OutflowCell>,
}

// ---- The report -------------------------------------------------------------------------

/// A count for one key of a breakdown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Count<K> {
    /// The key (month, nationality, location, project worker, outcome).
    pub key: K,
    /// Persons.
    pub persons: u32,
}

/// Registered persons of a figure broken down four ways.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Breakdowns {
    /// By month first counted (months add up to the total), oldest first.
    pub by_month: Vec<Count<YearMonth>>,
    /// By nationality (`None`: no country known), most first.
    pub by_nationality: Vec<Count<Option<CountryCode>>>,
    /// By LVV location (`None`: none recorded), most first.
    pub by_location: Vec<Count<Option<String>>>,
    /// By project worker, most first.
    pub by_project_worker: Vec<Count<UserId>>,
}

/// The smallest breakdown cell shown to readers outside the foundation, by default.
pub const DEFAULT_MIN_CELL: u32 = 5;

/// Remove the cells of one breakdown that count fewer than `k` persons (but some); when that
/// removes cells, the smallest remaining cell goes too, so that no removed cell can be
/// recovered as the total minus the cells shown.
fn suppress_cells<K>(cells: &mut Vec<Count<K>>, k: u32) {
    let small = |c: &Count<K>| c.persons > 0 && c.persons < k;
    if cells.iter().any(small) {
        cells.retain(|c| !small(c));
        if let Some(smallest) =
            cells.iter().enumerate().filter(|(_, c)| c.persons > 0).min_by_key(|(_, c)| c.persons).map(|(i, _)| i)
        {
            cells.remove(smallest);
        }
    }
}

impl Breakdowns {
    /// Small cells removed (see [`SubsidyReport::suppress_small_cells`]).
    pub fn suppress_below(&mut self, k: u32) {
        suppress_cells(&mut self.by_month, k);
        suppress_cells(&mut self.by_nationality, k);
        suppress_cells(&mut self.by_location, k);
        suppress_cells(&mut self.by_project_worker, k);
    }
}

/// The figures of one measure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeasureFigures {
    /// The measure.
    pub measure: Measure,
    /// Registered persons counted.
    pub registered_persons: u32,
    /// Unregistered session attendees counted toward it (0 unless it counts sessions).
    pub unregistered_head_count: u32,
    /// Realised: registered persons plus unregistered attendees.
    pub realised: u32,
    /// The period's target, if one is set.
    pub target: Option<u32>,
    /// Realised as a whole percentage of the target (rounded).
    pub percent: Option<u32>,
    /// Linear projection of the realised figure to the period's end at the rate so far.
    pub projected: Option<u32>,
    /// Whether the projection reaches the target.
    pub on_track: Option<bool>,
    /// Registered persons by month, nationality, location, project worker.
    pub breakdowns: Breakdowns,
}

/// One stage of the funnel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunnelStep {
    /// The stage.
    pub stage: FunnelStage,
    /// Registered persons.
    pub registered_persons: u32,
    /// Unregistered attendees (only at the first stage).
    pub unregistered_head_count: u32,
    /// Total.
    pub persons: u32,
}

/// Outflows in the period.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OutflowFigures {
    /// All outflows.
    pub total: u32,
    /// Per outcome, in the order of [`OutflowOutcome::ALL`], outcomes without outflow included.
    pub by_outcome: Vec<Count<OutflowOutcome>>,
    /// Per durability group (durable, semi-durable, no solution).
    pub by_durability: Vec<Count<Durability>>,
    /// Outflows broken down by month, nationality, location and project worker.
    pub breakdowns: Breakdowns,
}

/// Sessions in the counted days.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct SessionFigures {
    /// Sessions held (not cancelled).
    pub sessions: u32,
    /// Their unregistered attendees together.
    pub unregistered_head_count: u32,
    /// Per month.
    pub by_month: Vec<SessionMonth>,
}

/// The subsidy accountability report for a period as of a day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubsidyReport {
    /// The period.
    pub period: SubsidyPeriodId,
    /// Its name.
    pub period_name: String,
    /// Its first day.
    pub starts_on: NaiveDate,
    /// Its last day.
    pub ends_on: NaiveDate,
    /// The day the report is for.
    pub as_of: NaiveDate,
    /// The last day counted (the report's day, or the period's end if earlier); `None` when the
    /// period has not started on the report's day.
    pub counted_to: Option<NaiveDate>,
    /// Per activity code, in the plan's order.
    pub activities: Vec<MeasureFigures>,
    /// Per theme, A to D.
    pub themes: Vec<MeasureFigures>,
    /// Everyone reached.
    pub reached: MeasureFigures,
    /// The funnel.
    pub funnel: Vec<FunnelStep>,
    /// The outflow.
    pub outflow: OutflowFigures,
    /// Information sessions.
    pub sessions: SessionFigures,
}

fn sorted_desc<K: Ord + Clone>(map: BTreeMap<K, u32>) -> Vec<Count<K>> {
    let mut v: Vec<Count<K>> = map.into_iter().map(|(key, persons)| Count { key, persons }).collect();
    v.sort_by(|a, b| b.persons.cmp(&a.persons).then_with(|| a.key.cmp(&b.key)));
    v
}

#[derive(Default)]
struct Tally {
    total: u32,
    month: BTreeMap<YearMonth, u32>,
    nationality: BTreeMap<Option<CountryCode>, u32>,
    location: BTreeMap<Option<String>, u32>,
    worker: BTreeMap<UserId, u32>,
}

impl Tally {
    fn add(
        &mut self,
        month: YearMonth,
        nationality: Option<CountryCode>,
        location: &Option<String>,
        worker: UserId,
        n: u32,
    ) {
        self.total = self.total.saturating_add(n);
        *self.month.entry(month).or_default() += n;
        *self.nationality.entry(nationality).or_default() += n;
        *self.location.entry(location.clone()).or_default() += n;
        *self.worker.entry(worker).or_default() += n;
    }

    fn breakdowns(self) -> Breakdowns {
        Breakdowns {
            by_month: self.month.into_iter().map(|(key, persons)| Count { key, persons }).collect(),
            by_nationality: sorted_desc(self.nationality),
            by_location: sorted_desc(self.location),
            by_project_worker: sorted_desc(self.worker),
        }
    }
}

/// Whole percentage, rounded half up.
pub fn percent_of(realised: u32, target: u32) -> Option<u32> {
    (target > 0).then(|| {
        let p = (u64::from(realised) * 100 + u64::from(target) / 2) / u64::from(target);
        u32::try_from(p).unwrap_or(u32::MAX)
    })
}

impl SubsidyReport {
    /// The report as readers outside the foundation receive it (the municipality, an outside
    /// auditor): every breakdown cell that counts fewer than `k` persons is left out, and with
    /// it the smallest other cell of that breakdown, because a nationality, a location or a
    /// worker with one or two persons points at those persons. Totals, targets, the funnel
    /// and the outflow per outcome stay (they do not combine a person's attributes).
    pub fn suppress_small_cells(&mut self, k: u32) {
        for m in self.activities.iter_mut().chain(self.themes.iter_mut()).chain([&mut self.reached]) {
            m.breakdowns.suppress_below(k);
        }
        self.outflow.breakdowns.suppress_below(k);
    }

    /// Compute the report from the facts the store gathered.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use perspectief_core::report::*;
    /// use perspectief_core::*;
    /// let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
    /// let talks = TargetMeasure::Activity(ActivityCode::OrientationTalks);
    /// let period = SubsidyPeriod::new(SubsidyPeriodId::from_u128(1), "2026", d(1, 1), d(12, 31),
    ///     vec![Target { measure: talks, persons: 200 }]).unwrap();
    /// let cell = |measure, persons| PersonCell {
    ///     measure, month: YearMonth::new(2026, 2).unwrap(), nationality: None, location: None,
    ///     project_worker: UserId::from_u128(1), persons,
    /// };
    /// let facts = SubsidyFacts {
    ///     cells: vec![cell(Measure::Activity(ActivityCode::OrientationTalks), 50)],
    ///     sessions: vec![SessionMonth { month: YearMonth::new(2026, 2).unwrap(), sessions: 2, unregistered_head_count: 30 }],
    ///     outflows: vec![],
    /// };
    /// let report = SubsidyReport::compute(&period, d(3, 31), &facts);
    /// let talks = report.figures(Measure::Activity(ActivityCode::OrientationTalks)).unwrap();
    /// assert_eq!((talks.realised, talks.target, talks.percent, talks.projected), (50, Some(200), Some(25), Some(203)));
    /// // Unregistered attendees count toward the reach of 5.2.a(1), apart from registered persons.
    /// let sessions = report.figures(Measure::Activity(ActivityCode::InformationSessions)).unwrap();
    /// assert_eq!((sessions.registered_persons, sessions.unregistered_head_count, sessions.realised), (0, 30, 30));
    /// ```
    pub fn compute(period: &SubsidyPeriod, as_of: NaiveDate, facts: &SubsidyFacts) -> SubsidyReport {
        let window = counted_days(period, as_of);
        let in_window = |m: YearMonth| window.is_some_and(|(from, to)| m.last_day() >= from && m.first_day() <= to);
        let mut tallies: BTreeMap<Measure, Tally> = BTreeMap::new();
        for c in facts.cells.iter().filter(|c| in_window(c.month)) {
            tallies.entry(c.measure).or_default().add(c.month, c.nationality, &c.location, c.project_worker, c.persons);
        }
        let sessions: Vec<SessionMonth> = {
            let mut v: Vec<SessionMonth> = facts.sessions.iter().copied().filter(|s| in_window(s.month)).collect();
            v.sort_by_key(|s| s.month);
            v
        };
        let head_count = sessions.iter().fold(0u32, |a, s| a.saturating_add(s.unregistered_head_count));
        let figures = |measure: Measure, tallies: &mut BTreeMap<Measure, Tally>| {
            let tally = tallies.remove(&measure).unwrap_or_default();
            let registered_persons = tally.total;
            let unregistered_head_count = if measure.counts_sessions() { head_count } else { 0 };
            let realised = registered_persons.saturating_add(unregistered_head_count);
            let target = measure.target_measure().and_then(|t| period.target_for(t));
            let projected = window.and_then(|_| period.project(realised, as_of));
            MeasureFigures {
                measure,
                registered_persons,
                unregistered_head_count,
                realised,
                target,
                percent: target.and_then(|t| percent_of(realised, t)),
                projected,
                on_track: target.zip(projected).map(|(t, p)| p >= t),
                breakdowns: tally.breakdowns(),
            }
        };
        let activities: Vec<MeasureFigures> =
            ActivityCode::ALL.into_iter().map(|c| figures(Measure::Activity(c), &mut tallies)).collect();
        let themes: Vec<MeasureFigures> =
            THEMES.into_iter().map(|t| figures(Measure::Theme(t), &mut tallies)).collect();
        let reached = figures(Measure::Reached, &mut tallies);

        let mut outflow_tally = Tally::default();
        let mut by_outcome: BTreeMap<OutflowOutcome, u32> = BTreeMap::new();
        for o in facts.outflows.iter().filter(|o| in_window(o.month)) {
            outflow_tally.add(o.month, o.nationality, &o.location, o.project_worker, o.persons);
            *by_outcome.entry(o.outcome).or_default() += o.persons;
        }
        let count_outcomes = |f: &dyn Fn(OutflowOutcome) -> bool| {
            by_outcome.iter().filter(|(o, _)| f(**o)).fold(0u32, |a, (_, n)| a.saturating_add(*n))
        };
        let departed = count_outcomes(&|o| o.is_departure());
        let by_durability = [Durability::Durable, Durability::SemiDurable, Durability::NoSolution]
            .into_iter()
            .map(|d| Count { key: d, persons: count_outcomes(&|o| o.durability() == d) })
            .collect();
        let outflow = OutflowFigures {
            total: outflow_tally.total,
            by_outcome: OutflowOutcome::ALL
                .into_iter()
                .map(|o| Count { key: o, persons: by_outcome.get(&o).copied().unwrap_or(0) })
                .collect(),
            by_durability,
            breakdowns: outflow_tally.breakdowns(),
        };

        let find = |m: Measure| {
            activities.iter().chain(themes.iter()).chain(std::iter::once(&reached)).find(|f| f.measure == m)
        };
        let funnel = FunnelStage::ALL
            .into_iter()
            .map(|stage| match stage.figure() {
                Figure::Measure(m) => {
                    let f = find(m);
                    let registered_persons = f.map_or(0, |f| f.registered_persons);
                    let unregistered_head_count = f.map_or(0, |f| f.unregistered_head_count);
                    FunnelStep {
                        stage,
                        registered_persons,
                        unregistered_head_count,
                        persons: registered_persons.saturating_add(unregistered_head_count),
                    }
                }
                _ => FunnelStep { stage, registered_persons: departed, unregistered_head_count: 0, persons: departed },
            })
            .collect();

        SubsidyReport {
            period: period.id(),
            period_name: period.name().to_string(),
            starts_on: period.starts_on(),
            ends_on: period.ends_on(),
            as_of,
            counted_to: window.map(|(_, to)| to),
            activities,
            themes,
            reached,
            funnel,
            outflow,
            sessions: SessionFigures {
                sessions: sessions.iter().fold(0u32, |a, s| a.saturating_add(s.sessions)),
                unregistered_head_count: head_count,
                by_month: sessions,
            },
        }
    }

    /// The figures of a measure.
    pub fn figures(&self, measure: Measure) -> Option<&MeasureFigures> {
        self.activities
            .iter()
            .chain(self.themes.iter())
            .chain(std::iter::once(&self.reached))
            .find(|f| f.measure == measure)
    }

    /// The measures that have a target, in report order (the headline of the report).
    pub fn targeted(&self) -> impl Iterator<Item = &MeasureFigures> {
        self.activities.iter().chain(self.themes.iter()).filter(|f| f.target.is_some())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::activity::Target;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    #[test]
    fn measure_keys_round_trip_and_themes_cover_their_codes() {
        for m in Measure::all() {
            assert_eq!(Measure::from_key(&m.key()).unwrap(), m);
        }
        assert_eq!(Measure::all().len(), 22);
        let inform = Measure::Theme(Theme::Inform).codes();
        assert!(inform.contains(&ActivityCode::InformationSessions) && inform.contains(&ActivityCode::Communication));
        assert!(Measure::Theme(Theme::Inform).counts_sessions() && Measure::Reached.counts_sessions());
        assert!(!Measure::Theme(Theme::Guide).counts_sessions());
    }

    #[test]
    fn cells_outside_the_counted_days_do_not_count_and_breakdowns_add_up() {
        let period = SubsidyPeriod::new(
            SubsidyPeriodId::from_u128(1),
            "p",
            d(1, 1),
            d(12, 31),
            vec![Target { measure: TargetMeasure::Theme(Theme::Guide), persons: 10 }],
        )
        .unwrap();
        let m = Measure::Theme(Theme::Guide);
        let cell = |month, nat: Option<&str>, persons| PersonCell {
            measure: m,
            month: YearMonth::new(2026, month).unwrap(),
            nationality: nat.map(|n| CountryCode::parse(n).unwrap()),
            location: None,
            project_worker: UserId::from_u128(1),
            persons,
        };
        let facts = SubsidyFacts {
            cells: vec![cell(1, Some("ER"), 2), cell(2, None, 3), cell(5, Some("ER"), 9)],
            sessions: vec![],
            outflows: vec![],
        };
        let r = SubsidyReport::compute(&period, d(2, 28), &facts);
        let f = r.figures(m).unwrap();
        assert_eq!(f.realised, 5);
        assert_eq!(f.percent, Some(50));
        assert_eq!(f.breakdowns.by_month.iter().map(|c| c.persons).sum::<u32>(), 5);
        assert_eq!(f.breakdowns.by_nationality[0], Count { key: None, persons: 3 });
        let before = SubsidyReport::compute(&period, NaiveDate::from_ymd_opt(2025, 12, 1).unwrap(), &facts);
        assert_eq!(before.figures(m).unwrap().realised, 0);
        assert_eq!(before.figures(m).unwrap().projected, None);
    }

    #[test]
    fn months_parse_and_bound() {
        let m = YearMonth::parse("2026-02-14").unwrap();
        assert_eq!((m.first_day(), m.last_day()), (d(2, 1), d(2, 28)));
        assert_eq!(YearMonth::new(2026, 12).unwrap().last_day(), d(12, 31));
        assert!(YearMonth::parse("2026-13").is_err() && YearMonth::parse("x").is_err());
    }
}
