//! The activity codes of the activity plan (*activiteitennummers*), the four themes, and
//! subsidy periods with their targets.
//!
//! Every recorded action is attributable to an activity code, because the foundation accounts
//! to the municipality per activity. Targets are data per subsidy period, never constants: the
//! plan itself gives different figures for 5.2.b in its prose and its tables.

use crate::ViolationCode;
use std::collections::BTreeSet;
use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::error::{Collector, DomainError, FieldViolation, ValueError};
use crate::ids::SubsidyPeriodId;
use crate::text::Label;

/// An activity of the plan, by its own number.
///
/// ```
/// use perspectief_core::ActivityCode;
/// let code: ActivityCode = "5.2.b(1)".parse().unwrap();
/// assert_eq!(code, ActivityCode::ExploreReturn);
/// assert_eq!(code.code(), "5.2.b(1)");
/// assert_eq!(code.dutch_name(), "Onderzoeken terugkeermogelijkheden");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum ActivityCode {
    /// 3.2.a Perspectiefplan: draw up a perspective plan with the person.
    PerspectivePlan,
    /// 3.2.b Bewaken en behalen gestelde doelen: goals with deadlines; watch the deadlines.
    MonitorGoals,
    /// 3.2.c Actueel houden perspectiefplan: keep the plan current.
    KeepPlanCurrent,
    /// 3.2.d Coördineren uitvoering: connect the person with partners; monitor agreements.
    CoordinateExecution,
    /// 3.2.e Maatschappelijke begeleiding: information, motivation/coaching, accompaniment.
    SocialGuidance,
    /// 3.2.f Evaluatiemomenten: supply information to, and take part in, the chain meeting.
    Evaluation,
    /// 3.2.g Voordragen beëindiging: advise on ending guidance/shelter; termination talk.
    ProposeTermination,
    /// 3.2.h Vastleggen gegevens: keep the case file accurate.
    RecordKeeping,
    /// 5.2.a(1) Informatiebijeenkomsten: group information sessions.
    InformationSessions,
    /// 5.2.a(2) Toekomstoriëntatiegesprekken: individual future-orientation talks.
    OrientationTalks,
    /// 5.2.a(3) Vastleggen proces in perspectiefplan: record the whole process in the plan.
    RecordProcessInPlan,
    /// 5.2.b(1) Onderzoeken terugkeermogelijkheden: explore return possibilities.
    ExploreReturn,
    /// 5.2.b(2) Wegnemen belemmeringen: remove obstacles to return.
    RemoveObstacles,
    /// 5.2.b(3) Oordeel terugkeerperspectief: judgment on the return perspective.
    ReturnJudgment,
    /// 5.2.c Communicatie: inform fully and honestly.
    Communication,
    /// 5.2.d Zelfredzaamheid: strengthen self-reliance.
    SelfReliance,
    /// 5.2.e Rapportage: report to the municipal case manager.
    Reporting,
}

impl ActivityCode {
    /// All codes, in the plan's order.
    pub const ALL: [ActivityCode; 17] = [
        Self::PerspectivePlan,
        Self::MonitorGoals,
        Self::KeepPlanCurrent,
        Self::CoordinateExecution,
        Self::SocialGuidance,
        Self::Evaluation,
        Self::ProposeTermination,
        Self::RecordKeeping,
        Self::InformationSessions,
        Self::OrientationTalks,
        Self::RecordProcessInPlan,
        Self::ExploreReturn,
        Self::RemoveObstacles,
        Self::ReturnJudgment,
        Self::Communication,
        Self::SelfReliance,
        Self::Reporting,
    ];

    /// The plan's own number, e.g. `3.2.a` or `5.2.b(2)`.
    pub const fn code(self) -> &'static str {
        match self {
            Self::PerspectivePlan => "3.2.a",
            Self::MonitorGoals => "3.2.b",
            Self::KeepPlanCurrent => "3.2.c",
            Self::CoordinateExecution => "3.2.d",
            Self::SocialGuidance => "3.2.e",
            Self::Evaluation => "3.2.f",
            Self::ProposeTermination => "3.2.g",
            Self::RecordKeeping => "3.2.h",
            Self::InformationSessions => "5.2.a(1)",
            Self::OrientationTalks => "5.2.a(2)",
            Self::RecordProcessInPlan => "5.2.a(3)",
            Self::ExploreReturn => "5.2.b(1)",
            Self::RemoveObstacles => "5.2.b(2)",
            Self::ReturnJudgment => "5.2.b(3)",
            Self::Communication => "5.2.c",
            Self::SelfReliance => "5.2.d",
            Self::Reporting => "5.2.e",
        }
    }

    /// The plan's Dutch name.
    pub const fn dutch_name(self) -> &'static str {
        match self {
            Self::PerspectivePlan => "Perspectiefplan",
            Self::MonitorGoals => "Bewaken en behalen gestelde doelen",
            Self::KeepPlanCurrent => "Actueel houden perspectiefplan",
            Self::CoordinateExecution => "Coördineren uitvoering perspectiefplan",
            Self::SocialGuidance => "Maatschappelijke begeleiding",
            Self::Evaluation => "Evaluatiemomenten",
            Self::ProposeTermination => "Voordragen beëindiging opvang en begeleiding",
            Self::RecordKeeping => "Vastleggen gegevens en informatie",
            Self::InformationSessions => "Informatiebijeenkomsten",
            Self::OrientationTalks => "Toekomstoriëntatiegesprekken",
            Self::RecordProcessInPlan => "Vastleggen proces in perspectiefplan",
            Self::ExploreReturn => "Onderzoeken terugkeermogelijkheden",
            Self::RemoveObstacles => "Wegnemen belemmeringen voor terugkeer",
            Self::ReturnJudgment => "Oordeel terugkeerperspectief",
            Self::Communication => "Communicatie",
            Self::SelfReliance => "Zelfredzaamheid",
            Self::Reporting => "Rapportage",
        }
    }

    /// An English name, for developers and English-speaking users.
    pub const fn english_name(self) -> &'static str {
        match self {
            Self::PerspectivePlan => "Perspective plan",
            Self::MonitorGoals => "Monitor and achieve goals",
            Self::KeepPlanCurrent => "Keep the plan current",
            Self::CoordinateExecution => "Coordinate execution",
            Self::SocialGuidance => "Social guidance",
            Self::Evaluation => "Evaluation moments",
            Self::ProposeTermination => "Propose termination",
            Self::RecordKeeping => "Record keeping",
            Self::InformationSessions => "Information sessions",
            Self::OrientationTalks => "Future-orientation talks",
            Self::RecordProcessInPlan => "Record the process in the plan",
            Self::ExploreReturn => "Explore return possibilities",
            Self::RemoveObstacles => "Remove obstacles to return",
            Self::ReturnJudgment => "Judgment on the return perspective",
            Self::Communication => "Communication",
            Self::SelfReliance => "Self-reliance",
            Self::Reporting => "Reporting",
        }
    }

    /// The theme (A to D) the activity falls under in the plan's scheme.
    ///
    /// The plan's tables group the work by result: informing (sessions, honest information),
    /// activating (orientation talks, the plan and its goals, self-reliance), guiding
    /// (coordination, social guidance, return exploration and obstacle removal) and evaluating
    /// (record keeping, chain meetings, termination advice, judgment, reports).
    pub const fn theme(self) -> Theme {
        match self {
            Self::InformationSessions | Self::Communication => Theme::Inform,
            Self::OrientationTalks
            | Self::RecordProcessInPlan
            | Self::PerspectivePlan
            | Self::MonitorGoals
            | Self::KeepPlanCurrent
            | Self::SelfReliance => Theme::Activate,
            Self::CoordinateExecution | Self::SocialGuidance | Self::ExploreReturn | Self::RemoveObstacles => {
                Theme::Guide
            }
            Self::RecordKeeping
            | Self::Evaluation
            | Self::ProposeTermination
            | Self::ReturnJudgment
            | Self::Reporting => Theme::Evaluate,
        }
    }

    /// Parse the plan's number; spaces are ignored, so `5.2.b (1)` works as the plan writes it.
    pub fn parse(value: &str) -> Result<Self, ValueError> {
        let compact: String = value.chars().filter(|c| !c.is_whitespace()).collect::<String>().to_ascii_lowercase();
        Self::ALL.into_iter().find(|c| c.code() == compact).ok_or_else(|| {
            ValueError::new(
                ViolationCode::UnknownActivityCode,
                format!(
                    "{} is not an activity code of the plan (3.2.a to 3.2.h, 5.2.a(1) to 5.2.e)",
                    crate::error::echo(value)
                ),
            )
        })
    }
}

impl fmt::Display for ActivityCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for ActivityCode {
    type Err = ValueError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for ActivityCode {
    type Error = ValueError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<ActivityCode> for String {
    fn from(value: ActivityCode) -> String {
        value.code().to_owned()
    }
}

/// The plan's four themes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    /// A. Informeren.
    Inform,
    /// B. Activeren/motiveren.
    Activate,
    /// C. Begeleiden.
    Guide,
    /// D. Evalueren.
    Evaluate,
}

impl Theme {
    /// The plan's letter.
    pub const fn letter(self) -> char {
        match self {
            Self::Inform => 'A',
            Self::Activate => 'B',
            Self::Guide => 'C',
            Self::Evaluate => 'D',
        }
    }

    /// The plan's Dutch name.
    pub const fn dutch_name(self) -> &'static str {
        match self {
            Self::Inform => "Informeren",
            Self::Activate => "Activeren/motiveren",
            Self::Guide => "Begeleiden",
            Self::Evaluate => "Evalueren",
        }
    }
}

/// What a target counts: unique persons per activity code, or per theme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "per", content = "value", rename_all = "snake_case")]
pub enum TargetMeasure {
    /// Unique persons with this activity in the period.
    Activity(ActivityCode),
    /// Unique persons with any activity of this theme in the period.
    Theme(Theme),
}

/// A target: how many unique persons a measure should reach in the period.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// What is counted.
    pub measure: TargetMeasure,
    /// How many persons.
    pub persons: u32,
}

/// A subsidy period: its dates and its targets (data, set by the project lead).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubsidyPeriod {
    id: SubsidyPeriodId,
    name: Label,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    targets: Vec<Target>,
}

impl SubsidyPeriod {
    /// Define a period. The end lies after the start, every target counts at least one person,
    /// and no measure has two targets.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use perspectief_core::{ActivityCode, SubsidyPeriod, SubsidyPeriodId, Target, TargetMeasure};
    /// let period = SubsidyPeriod::new(
    ///     SubsidyPeriodId::from_u128(1),
    ///     "2026-2027",
    ///     NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
    ///     NaiveDate::from_ymd_opt(2027, 6, 30).unwrap(),
    ///     vec![Target { measure: TargetMeasure::Activity(ActivityCode::OrientationTalks), persons: 200 }],
    /// ).unwrap();
    /// assert_eq!(period.target_for(TargetMeasure::Activity(ActivityCode::OrientationTalks)), Some(200));
    /// ```
    pub fn new(
        id: SubsidyPeriodId,
        name: &str,
        starts_on: NaiveDate,
        ends_on: NaiveDate,
        targets: Vec<Target>,
    ) -> Result<Self, DomainError> {
        let mut c = Collector::default();
        let name = c.field("name", Label::parse(name));
        if ends_on <= starts_on {
            c.push(FieldViolation::new("ends_on", ViolationCode::BeforeStart, "the period must end after it starts"));
        }
        let mut seen = BTreeSet::new();
        for (i, t) in targets.iter().enumerate() {
            if t.persons == 0 {
                c.push(FieldViolation::new(
                    format!("targets[{i}].persons"),
                    ViolationCode::NotPositive,
                    "a target counts at least one person",
                ));
            }
            if !seen.insert(t.measure) {
                c.push(FieldViolation::new(
                    format!("targets[{i}].measure"),
                    ViolationCode::Duplicate,
                    "this measure already has a target",
                ));
            }
        }
        c.finish(|| Some(Self { id, name: name?, starts_on, ends_on, targets }))
    }

    /// Its id.
    pub fn id(&self) -> SubsidyPeriodId {
        self.id
    }

    /// Its name, e.g. `2026-2027`.
    pub fn name(&self) -> &Label {
        &self.name
    }

    /// First day.
    pub fn starts_on(&self) -> NaiveDate {
        self.starts_on
    }

    /// Last day (inclusive).
    pub fn ends_on(&self) -> NaiveDate {
        self.ends_on
    }

    /// The targets.
    pub fn targets(&self) -> &[Target] {
        &self.targets
    }

    /// The target for a measure, if one was set.
    pub fn target_for(&self, measure: TargetMeasure) -> Option<u32> {
        self.targets.iter().find(|t| t.measure == measure).map(|t| t.persons)
    }

    /// Whether a day falls inside the period.
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.starts_on <= day && day <= self.ends_on
    }

    /// The period a person means by `reference`: its name (`2026-2027`, any case), else a year
    /// (`2026`: the period that runs in that year), else its id or the start or end of it (as
    /// tables show ids). The first of these that matches decides; more than one period by the
    /// same route is ambiguous, and says which.
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use perspectief_core::{PeriodLookup, SubsidyPeriod, SubsidyPeriodId};
    /// let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
    /// let periods = [
    ///     SubsidyPeriod::new(SubsidyPeriodId::from_u128(1), "2026", d(2026, 1, 1), d(2026, 12, 31), vec![]).unwrap(),
    ///     SubsidyPeriod::new(SubsidyPeriodId::from_u128(2), "Pilot 2027", d(2027, 1, 1), d(2027, 6, 30), vec![]).unwrap(),
    /// ];
    /// let found = |r| match SubsidyPeriod::find(&periods, r) {
    ///     PeriodLookup::Found(p) => Some(p.name().as_str().to_owned()),
    ///     _ => None,
    /// };
    /// assert_eq!(found("2026").as_deref(), Some("2026"));
    /// assert_eq!(found("pilot 2027").as_deref(), Some("Pilot 2027"));
    /// assert_eq!(found("2027").as_deref(), Some("Pilot 2027"));
    /// assert_eq!(found("2028"), None);
    /// ```
    pub fn find<'a>(periods: &'a [Self], reference: &str) -> PeriodLookup<'a> {
        let wanted = reference.trim().to_lowercase();
        let by_name: Vec<&Self> = periods.iter().filter(|p| p.name.as_str().trim().to_lowercase() == wanted).collect();
        if !by_name.is_empty() {
            return PeriodLookup::of(by_name);
        }
        if wanted.len() == 4
            && let Ok(year) = wanted.parse::<i32>()
        {
            let runs_in = |p: &&Self| p.starts_on.year() <= year && year <= p.ends_on.year();
            let by_year: Vec<&Self> = periods.iter().filter(runs_in).collect();
            if !by_year.is_empty() {
                return PeriodLookup::of(by_year);
            }
        }
        let by_id: Vec<&Self> = periods
            .iter()
            .filter(|p| {
                let id = p.id.to_string();
                !wanted.is_empty() && (id.starts_with(&wanted) || id.ends_with(&wanted))
            })
            .collect();
        PeriodLookup::of(by_id)
    }
}

/// What [`SubsidyPeriod::find`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PeriodLookup<'a> {
    /// Exactly one period.
    Found(&'a SubsidyPeriod),
    /// Several periods match equally (two periods in one year, a name used twice, a short id).
    Ambiguous(Vec<&'a SubsidyPeriod>),
    /// None.
    NotFound,
}

impl<'a> PeriodLookup<'a> {
    fn of(mut matches: Vec<&'a SubsidyPeriod>) -> Self {
        match matches.len() {
            0 => Self::NotFound,
            1 => Self::Found(matches.remove(0)),
            _ => Self::Ambiguous(matches),
        }
    }
}

impl SubsidyPeriod {
    /// Linear projection of a count to the period's end, at the rate so far.
    /// `None` before the period starts (no rate yet).
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use perspectief_core::{SubsidyPeriod, SubsidyPeriodId};
    /// let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
    /// let p = SubsidyPeriod::new(SubsidyPeriodId::from_u128(1), "2026", d(1, 1), d(12, 31), vec![]).unwrap();
    /// // 50 persons in the first quarter of the year project to about 200.
    /// assert_eq!(p.project(50, d(3, 31)), Some(203));
    /// ```
    pub fn project(&self, realised: u32, today: NaiveDate) -> Option<u32> {
        if today < self.starts_on {
            return None;
        }
        let total = (self.ends_on - self.starts_on).num_days() + 1;
        let elapsed = ((today.min(self.ends_on) - self.starts_on).num_days() + 1).max(1);
        let projected = (i64::from(realised) * total + elapsed / 2) / elapsed;
        u32::try_from(projected).ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips_and_codes_are_unique() {
        let mut seen = BTreeSet::new();
        for c in ActivityCode::ALL {
            assert_eq!(ActivityCode::parse(c.code()), Ok(c));
            assert!(seen.insert(c.code()));
        }
        assert_eq!(ActivityCode::parse(" 5.2.A (2) "), Ok(ActivityCode::OrientationTalks));
        assert_eq!(ActivityCode::parse("5.2.f").unwrap_err().code, crate::ViolationCode::UnknownActivityCode);
        assert_eq!(ActivityCode::parse("5.2.a").unwrap_err().code, crate::ViolationCode::UnknownActivityCode);
    }

    #[test]
    fn themes_follow_the_plan_scheme() {
        assert_eq!(ActivityCode::InformationSessions.theme(), Theme::Inform);
        assert_eq!(ActivityCode::OrientationTalks.theme(), Theme::Activate);
        assert_eq!(ActivityCode::ExploreReturn.theme(), Theme::Guide);
        assert_eq!(ActivityCode::RemoveObstacles.theme(), Theme::Guide);
        assert_eq!(ActivityCode::Reporting.theme(), Theme::Evaluate);
        assert_eq!(Theme::Guide.letter(), 'C');
    }

    #[test]
    fn a_period_refuses_bad_dates_zero_and_duplicate_targets_all_at_once() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        let t = TargetMeasure::Activity(ActivityCode::ExploreReturn);
        let err = SubsidyPeriod::new(
            SubsidyPeriodId::from_u128(1),
            " ",
            d(6, 1),
            d(1, 1),
            vec![Target { measure: t, persons: 0 }, Target { measure: t, persons: 100 }],
        )
        .unwrap_err();
        let v = err.violations().unwrap();
        assert!(v.has("name") && v.has("ends_on") && v.has("targets[0].persons") && v.has("targets[1].measure"), "{v}");
    }

    #[test]
    fn projection_is_proportional_and_stops_at_the_end() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        let p = SubsidyPeriod::new(SubsidyPeriodId::from_u128(1), "2026", d(1, 1), d(1, 10), vec![]).unwrap();
        assert_eq!(p.project(5, d(1, 5)), Some(10));
        assert_eq!(p.project(7, NaiveDate::from_ymd_opt(2027, 3, 1).unwrap()), Some(7));
        assert_eq!(p.project(7, NaiveDate::from_ymd_opt(2025, 3, 1).unwrap()), None);
    }
}
