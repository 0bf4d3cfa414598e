//! The return track (5.2.b): exploring return, removing obstacles, the reintegration plan,
//! preparing departure, and the judgment on the return perspective.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::error::{DomainError, EntityKind};
use crate::ids::{JudgmentId, ObstacleId, OrganisationId, UserId};
use crate::text::Text;

/// Exploring whether return is possible (5.2.b(1)): motivation, documents, family contact,
/// prospects in the country of origin or a third country.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnExploration {
    /// When it started.
    pub started_on: NaiveDate,
    /// Motivation for return.
    pub motivation: Option<Text>,
    /// Documents: what there is, what is missing.
    pub documents: Option<Text>,
    /// Contact with family in the country of origin.
    pub family_contact: Option<Text>,
    /// Prospects: housing, work, safety.
    pub prospects: Option<Text>,
    /// Last updated.
    pub updated_at: DateTime<Utc>,
}

/// The findings of an exploration; `None` leaves a finding as it was.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ExplorationFindings {
    /// Motivation.
    pub motivation: Option<Text>,
    /// Documents.
    pub documents: Option<Text>,
    /// Family contact.
    pub family_contact: Option<Text>,
    /// Prospects.
    pub prospects: Option<Text>,
}

/// The kinds of obstacles to return the plan names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObstacleKind {
    /// Motivation.
    Motivation,
    /// Missing (travel or source) documents.
    MissingDocuments,
    /// No or little contact with family.
    FamilyContact,
    /// No clear plan for housing and work.
    HousingWorkPlan,
    /// No money to carry out the plan.
    Finances,
    /// Medical or psychosocial.
    MedicalPsychosocial,
    /// Something else.
    Other,
}

/// The status of an obstacle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ObstacleStatus {
    /// Listed in the exploration.
    Identified,
    /// Being worked on (5.2.b(2)).
    BeingAddressed,
    /// Removed. Final.
    Removed,
    /// Cannot be removed (now); can be taken up again.
    CannotBeRemoved,
}

impl ObstacleStatus {
    /// Stable snake_case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Identified => "identified",
            Self::BeingAddressed => "being_addressed",
            Self::Removed => "removed",
            Self::CannotBeRemoved => "cannot_be_removed",
        }
    }

    /// Check a status change.
    pub fn check_transition(self, to: ObstacleStatus) -> Result<(), DomainError> {
        use ObstacleStatus::*;
        let ok = matches!(
            (self, to),
            (Identified, BeingAddressed | Removed | CannotBeRemoved)
                | (BeingAddressed, Removed | CannotBeRemoved)
                | (CannotBeRemoved, BeingAddressed)
        );
        if ok {
            Ok(())
        } else {
            Err(DomainError::IllegalStatusTransition {
                entity: EntityKind::ReturnObstacle,
                from: self.as_str().into(),
                to: to.as_str().into(),
            })
        }
    }
}

/// An action taken on an obstacle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObstacleAction {
    /// When.
    pub on: NaiveDate,
    /// What was done.
    pub description: Text,
    /// The status after the action.
    pub status: ObstacleStatus,
    /// Who recorded it.
    pub by: UserId,
}

/// An obstacle to return (*belemmering*).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnObstacle {
    /// Id.
    pub id: ObstacleId,
    /// Kind.
    pub kind: ObstacleKind,
    /// What the obstacle is.
    pub description: Text,
    /// The partner involved in removing it.
    pub partner: Option<OrganisationId>,
    /// When it was identified.
    pub identified_on: NaiveDate,
    /// Current status.
    pub status: ObstacleStatus,
    /// Actions, oldest first.
    pub actions: Vec<ObstacleAction>,
}

impl ReturnObstacle {
    /// The day it was removed, if it was.
    pub fn removed_on(&self) -> Option<NaiveDate> {
        self.actions.iter().rev().find(|a| a.status == ObstacleStatus::Removed).map(|a| a.on)
    }

    /// The day of the latest action (or identification).
    pub fn last_activity_on(&self) -> NaiveDate {
        self.actions.last().map_or(self.identified_on, |a| a.on)
    }
}

/// The plan for the country of origin (part of 5.2.b(2)): housing, income and work (possibly
/// a business plan), medical/psychosocial care, contacts with partner organisations abroad.
/// `None` leaves a part as it was.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ReintegrationPlan {
    /// Housing.
    pub housing: Option<Text>,
    /// Income and work.
    pub income_work: Option<Text>,
    /// A business plan, when the person starts a business.
    pub business_plan: Option<Text>,
    /// Medical and psychosocial care.
    pub care: Option<Text>,
    /// Contacts with partner organisations abroad.
    pub contacts_abroad: Option<Text>,
    /// The day of the (latest) update. In a command, `None` is the day it is given; absent
    /// in updates recorded before effective dates were kept (their day of recording applies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_on: Option<NaiveDate>,
}

impl ReintegrationPlan {
    /// Overlay the parts that are given.
    pub fn merge(&mut self, update: ReintegrationPlan) {
        fn set(slot: &mut Option<Text>, v: Option<Text>) {
            if v.is_some() {
                *slot = v;
            }
        }
        set(&mut self.housing, update.housing);
        set(&mut self.income_work, update.income_work);
        set(&mut self.business_plan, update.business_plan);
        set(&mut self.care, update.care);
        set(&mut self.contacts_abroad, update.contacts_abroad);
        if update.updated_on.is_some() {
            self.updated_on = update.updated_on;
        }
    }
}

/// The conditions of IOM's basic return support (REAN) that staff check before an application.
/// `None`: not yet checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct ReanChecklist {
    /// No assisted return in the past five years.
    pub no_assisted_return_in_five_years: Option<bool>,
    /// A travel document can be obtained.
    pub travel_document_obtainable: Option<bool>,
    /// The person agrees that pending procedures end.
    pub agrees_procedures_end: Option<bool>,
    /// The day it was checked. In a command, `None` is the day it is given; absent in
    /// checklists recorded before effective dates were kept (their day of recording applies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_on: Option<NaiveDate>,
}

impl ReanChecklist {
    /// Every condition checked and met.
    pub fn all_met(&self) -> bool {
        [self.no_assisted_return_in_five_years, self.travel_document_obtainable, self.agrees_procedures_end]
            .iter()
            .all(|c| *c == Some(true))
    }
}

/// A step in preparing departure: an embassy visit, a DT&V or IOM coordination, a document.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DepartureStep {
    /// When.
    pub on: NaiveDate,
    /// What kind of step.
    pub kind: DepartureStepKind,
    /// What happened.
    pub note: Text,
}

/// Kinds of departure steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DepartureStepKind {
    /// Travel or source documents requested or obtained.
    Documents,
    /// A visit to an embassy or consulate.
    EmbassyVisit,
    /// Coordination with DT&V.
    DtvCoordination,
    /// Coordination with IOM (including the REAN application).
    IomCoordination,
    /// Something else.
    Other,
}

/// Preparing the actual departure (part of 5.2.b(2)).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct DeparturePreparation {
    /// Steps, oldest first.
    pub steps: Vec<DepartureStep>,
    /// The REAN checklist.
    pub rean: ReanChecklist,
    /// The planned departure date.
    pub departure_on: Option<NaiveDate>,
    /// Whether staff accompany the person to Schiphol.
    pub accompany_to_schiphol: bool,
}

/// The verdict on the return perspective.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Return is realistic and being worked on.
    ReturnRealistic,
    /// Return is not realistic at present.
    ReturnNotRealisticNow,
    /// Return is not possible (for reasons outside the person's control).
    ReturnNotPossible,
    /// The person does not cooperate on any perspective.
    NoCooperation,
}

/// Provisional or final (*voorlopig of definitief*).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Finality {
    /// Provisional.
    Provisional,
    /// Final: rests on an agreed plan and its execution.
    Final,
}

/// To whom a judgment was communicated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Recipient {
    /// The participant.
    Participant,
    /// The municipality (its case manager).
    Municipality,
    /// A chain partner.
    Partner(OrganisationId),
}

/// A communication of a judgment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Communication {
    /// To whom.
    pub to: Recipient,
    /// On which day.
    pub on: NaiveDate,
}

/// A judgment on the return perspective (5.2.b(3)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReturnJudgment {
    /// Id.
    pub id: JudgmentId,
    /// The verdict.
    pub verdict: Verdict,
    /// Provisional or final.
    pub finality: Finality,
    /// The reasoning (*motivering*). Required.
    pub reasoning: Text,
    /// The plan revision it rests on.
    pub plan_revision: Option<u32>,
    /// When it was formed.
    pub formed_on: NaiveDate,
    /// Who formed it.
    pub formed_by: UserId,
    /// To whom and when it was communicated.
    pub communications: Vec<Communication>,
    /// When its consequences were explained to the participant.
    pub consequences_explained_on: Option<NaiveDate>,
}

impl ReturnJudgment {
    /// Whether it was communicated to the participant, the municipality and, when listed,
    /// the given partners.
    pub fn fully_communicated(&self, partners: &[OrganisationId]) -> bool {
        let has = |r: Recipient| self.communications.iter().any(|c| c.to == r);
        has(Recipient::Participant)
            && has(Recipient::Municipality)
            && partners.iter().all(|p| has(Recipient::Partner(*p)))
            && self.consequences_explained_on.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn obstacle_status_edges() {
        use ObstacleStatus::*;
        let all = [Identified, BeingAddressed, Removed, CannotBeRemoved];
        let legal = [
            (Identified, BeingAddressed),
            (Identified, Removed),
            (Identified, CannotBeRemoved),
            (BeingAddressed, Removed),
            (BeingAddressed, CannotBeRemoved),
            (CannotBeRemoved, BeingAddressed),
        ];
        for a in all {
            for b in all {
                assert_eq!(a.check_transition(b).is_ok(), legal.contains(&(a, b)), "{a:?} -> {b:?}");
            }
        }
    }

    #[test]
    fn rean_needs_every_condition_met() {
        let mut c = ReanChecklist::default();
        assert!(!c.all_met());
        c.no_assisted_return_in_five_years = Some(true);
        c.travel_document_obtainable = Some(true);
        c.agrees_procedures_end = Some(false);
        assert!(!c.all_met());
        c.agrees_procedures_end = Some(true);
        assert!(c.all_met());
    }
}
