//! How a trajectory ends (*uitstroom*), self-reliance scores (ZRM), and progress reports.

use crate::ViolationCode;
use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::error::ValueError;
use crate::ids::{OrganisationId, ReportId, UserId};
use crate::text::Text;

/// How a trajectory ended, in the categories of official reporting, so figures compare with the
/// municipality's and the national LVV evaluations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutflowOutcome {
    /// Demonstrable departure, independent under supervision (often via IOM).
    DepartedIndependentlySupervised,
    /// Demonstrable departure, forced (DT&V).
    DepartedForced,
    /// Independent departure without supervision (formerly "left with unknown destination", MOB).
    DepartedWithoutSupervision,
    /// Residence permit granted.
    ResidencePermitGranted,
    /// A new asylum application.
    NewAsylumApplication,
    /// Another new procedure (e.g. a regular residence application, a statelessness procedure).
    OtherNewProcedure,
    /// Departure postponed on medical grounds (article 64).
    DeparturePostponedMedical,
    /// Onward migration to a third country.
    OnwardMigration,
    /// Moved to other shelter.
    MovedToOtherShelter,
    /// Ended by decision of the chain meeting.
    EndedByChainDecision,
    /// Deceased.
    Deceased,
    /// Something else.
    Other,
}

/// The LVV evaluations' grouping of outcomes (Regioplan for the WODC, final evaluation of the
/// LVV pilot, 2022; see ARCHITECTURE.md, "Outflow grouping", for the sources).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Durability {
    /// Durable (*bestendig*): a residence permit granted, guided independent return to the
    /// country of origin, onward migration to another country.
    Durable,
    /// Semi-durable (*semi-bestendig*): a new asylum application, departure postponed on
    /// medical grounds.
    SemiDurable,
    /// No solution: everything else, including forced and unsupervised departure.
    NoSolution,
}

impl OutflowOutcome {
    /// All outcomes.
    pub const ALL: [OutflowOutcome; 12] = [
        Self::DepartedIndependentlySupervised,
        Self::DepartedForced,
        Self::DepartedWithoutSupervision,
        Self::ResidencePermitGranted,
        Self::NewAsylumApplication,
        Self::OtherNewProcedure,
        Self::DeparturePostponedMedical,
        Self::OnwardMigration,
        Self::MovedToOtherShelter,
        Self::EndedByChainDecision,
        Self::Deceased,
        Self::Other,
    ];

    /// The evaluations' grouping. Durable is what they name: a permit, independent return
    /// with guidance (here: under supervision, the demonstrable kind) and onward migration;
    /// semi-durable a new asylum application or departure postponed on medical grounds. Forced
    /// departure is not among the solutions they count (it is not reached with the person),
    /// nor is another new procedure, nor a departure nobody can verify: these are no solution.
    /// Reports still show every outcome on its own, and departures through
    /// [`OutflowOutcome::is_departure`].
    pub const fn durability(self) -> Durability {
        match self {
            Self::DepartedIndependentlySupervised | Self::ResidencePermitGranted | Self::OnwardMigration => {
                Durability::Durable
            }
            Self::NewAsylumApplication | Self::DeparturePostponedMedical => Durability::SemiDurable,
            Self::DepartedWithoutSupervision
            | Self::DepartedForced
            | Self::OtherNewProcedure
            | Self::MovedToOtherShelter
            | Self::EndedByChainDecision
            | Self::Deceased
            | Self::Other => Durability::NoSolution,
        }
    }

    /// Whether the person demonstrably left the Netherlands (*aantoonbaar vertrek*: under
    /// supervision, forced, or onward migration). A departure without supervision (formerly
    /// "left with unknown destination") is not: nobody saw the person leave, so it counts
    /// neither as "departed" in the subsidy report's funnel nor as a return after which the
    /// foundation keeps monitoring contact.
    pub const fn is_departure(self) -> bool {
        matches!(self, Self::DepartedIndependentlySupervised | Self::DepartedForced | Self::OnwardMigration)
    }
}

/// The outflow: how and when the trajectory ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Outflow {
    /// The outcome.
    pub outcome: OutflowOutcome,
    /// The day.
    pub on: NaiveDate,
    /// A note.
    pub note: Option<Text>,
    /// Who recorded it.
    pub recorded_by: UserId,
}

/// The 13 life domains of the Zelfredzaamheid-Matrix (ZRM, GGD Amsterdam). The instrument's
/// criteria texts belong to its owner and are deliberately not reproduced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ZrmDomain {
    /// Financiën.
    Finances,
    /// Werk & opleiding.
    WorkEducation,
    /// Tijdsbesteding.
    TimeUse,
    /// Huisvesting.
    Housing,
    /// Huiselijke relaties.
    DomesticRelations,
    /// Geestelijke gezondheid.
    MentalHealth,
    /// Lichamelijke gezondheid.
    PhysicalHealth,
    /// Verslaving.
    Addiction,
    /// ADL (self-care).
    BasicAdl,
    /// Instrumentele ADL.
    InstrumentalAdl,
    /// Sociaal netwerk.
    SocialNetwork,
    /// Maatschappelijke participatie.
    SocialParticipation,
    /// Justitie.
    Justice,
}

impl ZrmDomain {
    /// The data category a score in this domain tells about: health and addiction are
    /// medical/psychosocial, justice is criminal history, the others guidance.
    pub const fn category(self) -> crate::access::DataCategory {
        use crate::access::DataCategory;
        match self {
            Self::MentalHealth | Self::PhysicalHealth | Self::Addiction => DataCategory::MedicalPsychosocial,
            Self::Justice => DataCategory::CriminalHistory,
            _ => DataCategory::Guidance,
        }
    }
}

impl ZrmDomain {
    /// Stable snake_case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Finances => "finances",
            Self::WorkEducation => "work_education",
            Self::TimeUse => "time_use",
            Self::Housing => "housing",
            Self::DomesticRelations => "domestic_relations",
            Self::MentalHealth => "mental_health",
            Self::PhysicalHealth => "physical_health",
            Self::Addiction => "addiction",
            Self::BasicAdl => "basic_adl",
            Self::InstrumentalAdl => "instrumental_adl",
            Self::SocialNetwork => "social_network",
            Self::SocialParticipation => "social_participation",
            Self::Justice => "justice",
        }
    }

    /// All 13 domains.
    pub const ALL: [ZrmDomain; 13] = [
        Self::Finances,
        Self::WorkEducation,
        Self::TimeUse,
        Self::Housing,
        Self::DomesticRelations,
        Self::MentalHealth,
        Self::PhysicalHealth,
        Self::Addiction,
        Self::BasicAdl,
        Self::InstrumentalAdl,
        Self::SocialNetwork,
        Self::SocialParticipation,
        Self::Justice,
    ];
}

/// A ZRM score: 1 (acute problems) to 5 (fully self-reliant).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct ZrmScore(u8);

impl ZrmScore {
    /// Check the score is 1 to 5.
    pub fn new(score: u8) -> Result<Self, ValueError> {
        if (1..=5).contains(&score) {
            Ok(Self(score))
        } else {
            Err(ValueError::new(ViolationCode::OutOfRange, format!("a ZRM score is 1 to 5 (got {score})")))
        }
    }

    /// The score.
    pub fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for ZrmScore {
    type Error = ValueError;
    fn try_from(v: u8) -> Result<Self, Self::Error> {
        Self::new(v)
    }
}

impl From<ZrmScore> for u8 {
    fn from(v: ZrmScore) -> u8 {
        v.0
    }
}

/// A self-reliance assessment on a day: a score per domain that was assessed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ZrmAssessment {
    /// The day.
    pub assessed_on: NaiveDate,
    /// Scores per domain (not every domain need be scored).
    pub scores: BTreeMap<ZrmDomain, ZrmScore>,
    /// Who assessed.
    pub by: UserId,
}

/// The change per domain between the first and the latest assessment (positive: more
/// self-reliant). Domains not scored in both are left out.
pub fn zrm_trend(assessments: &[ZrmAssessment]) -> BTreeMap<ZrmDomain, i8> {
    let (Some(first), Some(last)) =
        (assessments.iter().min_by_key(|a| a.assessed_on), assessments.iter().max_by_key(|a| a.assessed_on))
    else {
        return BTreeMap::new();
    };
    first.scores.iter().filter_map(|(d, s)| last.scores.get(d).map(|l| (*d, l.get() as i8 - s.get() as i8))).collect()
}

/// The record that a progress report (5.2.e) was sent to the municipal case manager.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "StoredProgressReport")]
pub struct ProgressReportRecord {
    /// Id.
    pub id: ReportId,
    /// First day covered.
    pub period_from: NaiveDate,
    /// Last day covered.
    pub period_to: NaiveDate,
    /// The day it was sent (its effective date).
    pub sent_on: NaiveDate,
    /// When it was recorded.
    pub sent_at: DateTime<Utc>,
    /// To which organisation (the municipality).
    pub sent_to: OrganisationId,
    /// Who sent it.
    pub sent_by: UserId,
}

/// A progress report as stored: records from before effective dates lack `sent_on`, and their
/// day of recording (in Amsterdam) stands in for it.
#[derive(Deserialize)]
struct StoredProgressReport {
    id: ReportId,
    period_from: NaiveDate,
    period_to: NaiveDate,
    #[serde(default)]
    sent_on: Option<NaiveDate>,
    sent_at: DateTime<Utc>,
    sent_to: OrganisationId,
    sent_by: UserId,
}

impl From<StoredProgressReport> for ProgressReportRecord {
    fn from(r: StoredProgressReport) -> Self {
        Self {
            id: r.id,
            period_from: r.period_from,
            period_to: r.period_to,
            sent_on: r.sent_on.unwrap_or_else(|| crate::time::amsterdam_date(r.sent_at)),
            sent_at: r.sent_at,
            sent_to: r.sent_to,
            sent_by: r.sent_by,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durability_grouping_matches_the_evaluations() {
        use OutflowOutcome::*;
        assert_eq!(ResidencePermitGranted.durability(), Durability::Durable);
        assert_eq!(DepartedIndependentlySupervised.durability(), Durability::Durable);
        assert_eq!(OnwardMigration.durability(), Durability::Durable);
        assert_eq!(NewAsylumApplication.durability(), Durability::SemiDurable);
        assert_eq!(DeparturePostponedMedical.durability(), Durability::SemiDurable);
        assert_eq!(DepartedWithoutSupervision.durability(), Durability::NoSolution);
        assert_eq!(DepartedForced.durability(), Durability::NoSolution);
        assert_eq!(OtherNewProcedure.durability(), Durability::NoSolution);
        assert_eq!(EndedByChainDecision.durability(), Durability::NoSolution);
    }

    #[test]
    fn only_a_demonstrable_departure_is_a_departure() {
        use OutflowOutcome::*;
        let departures: Vec<_> = OutflowOutcome::ALL.into_iter().filter(|o| o.is_departure()).collect();
        assert_eq!(departures, [DepartedIndependentlySupervised, DepartedForced, OnwardMigration]);
    }

    #[test]
    fn zrm_scores_are_one_to_five_and_trend_compares_first_and_latest() {
        assert!(ZrmScore::new(0).is_err() && ZrmScore::new(6).is_err());
        let d = |m| NaiveDate::from_ymd_opt(2026, m, 1).unwrap();
        let s = |v| ZrmScore::new(v).unwrap();
        let by = UserId::from_u128(1);
        let a = |on, pairs: &[(ZrmDomain, u8)]| ZrmAssessment {
            assessed_on: on,
            scores: pairs.iter().map(|(k, v)| (*k, s(*v))).collect(),
            by,
        };
        let later = a(d(6), &[(ZrmDomain::Housing, 3), (ZrmDomain::Finances, 1)]);
        let intake = a(d(1), &[(ZrmDomain::Housing, 1), (ZrmDomain::MentalHealth, 2), (ZrmDomain::Finances, 2)]);
        let trend = zrm_trend(&[later, intake]);
        assert_eq!(trend.get(&ZrmDomain::Housing), Some(&2));
        assert_eq!(trend.get(&ZrmDomain::Finances), Some(&-1));
        assert_eq!(trend.get(&ZrmDomain::MentalHealth), None);
    }
}
