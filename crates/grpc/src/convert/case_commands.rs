//! Conversions of the case commands (`case_commands.proto`): every `<Command>Request` to the
//! core's [`CaseCommand`] with the case it targets and the version it expects
//! ([`CaseCommandTarget`]), `CreateParticipantRequest` to [`RegisterParticipant`], and back
//! for the client ([`case_command_request`]).
//!
//! Ids of the records a command creates are client-chosen (AIP-133): an empty id becomes a
//! new UUIDv7 here, so the core still gets every id from its adapter. The client sends the ids
//! it has, so a command survives the round trip unchanged.
//!
//! The core names fields relative to the command (`deadline`, `id`); the request nests some of
//! them (`goal.deadline`, `goal.goal_id`): [`request_field_path`] and [`in_request_terms`]
//! translate the core's field errors into the request's paths.

use std::collections::BTreeSet;

use perspectief_core::app::profile::{ProfileField, merge_profile};
use perspectief_core::{
    ActivityCode, AgreementId, CaseCommand, ConsentId, ContactId, DataCategory, DomainError, GoalId, JudgmentId,
    NewAgreement, NewContact, NewGoal, ObstacleId, OrganisationId, ParticipantId, ReferralId, RegisterParticipant,
    ReportId, Text, UserId, Violations,
};

use crate::convert::case_model::{zrm_scores_from_proto, zrm_scores_to_proto};
use crate::convert::{
    Field, FromProto, ToProto, etag, expected_version, given_or_new, opt_string, opt_to_string, optional, parse_name,
    repeated, required, resource_name, to_protos,
};
use crate::pb;

/// The collection of case files: a case is `participants/{participant_id}`.
const PARTICIPANTS: &str = "participants";

/// A command on one case, as a request asks for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseCommandTarget {
    /// The case (from the request's `name`).
    pub participant: ParticipantId,
    /// The version the change is based on (from the request's `etag`); `None`: no check.
    pub expected_version: Option<u64>,
    /// The command.
    pub command: CaseCommand,
}

/// Every command request gives the case (`name`) and the etag (`etag`) the same way; the
/// command's own fields follow.
macro_rules! from_request {
    ($req:ident, |$p:ident, $at:ident| $command:expr) => {
        impl FromProto<pb::$req> for CaseCommandTarget {
            fn from_proto($p: pb::$req, $at: &Field) -> Result<Self, DomainError> {
                let participant = parse_name(PARTICIPANTS, &$p.name, &$at.child("name"))?;
                let expected_version = expected_version(&$p.etag, &$at.child("etag"))?;
                let command = $command;
                Ok(Self { participant, expected_version, command })
            }
        }
    };
}

from_request!(UpdateProfileRequest, |p, at| CaseCommand::UpdateProfile {
    profile: required(p.profile, &at.child("profile"))?,
});

from_request!(AssignProjectWorkerRequest, |p, at| CaseCommand::AssignProjectWorker {
    worker: UserId::from_proto(p.worker, &at.child("worker"))?,
});

from_request!(ChangePhaseRequest, |p, at| CaseCommand::ChangePhase {
    to: FromProto::from_proto(p.to, &at.child("to"))?,
    reason: Text::from_proto(p.reason, &at.child("reason"))?,
});

from_request!(ChangeDirectionRequest, |p, at| CaseCommand::ChangeDirection {
    to: FromProto::from_proto(p.to, &at.child("to"))?,
    on: required(p.on, &at.child("on"))?,
    reasoning: Text::from_proto(p.reasoning, &at.child("reasoning"))?,
});

from_request!(RecordReturnStanceRequest, |p, at| CaseCommand::RecordReturnStance {
    stance: FromProto::from_proto(p.stance, &at.child("stance"))?,
    on: required(p.on, &at.child("on"))?,
    note: opt_string(p.note, &at.child("note"))?,
});

from_request!(RevisePlanRequest, |p, at| CaseCommand::RevisePlan {
    personal_situation: Text::from_proto(p.personal_situation, &at.child("personal_situation"))?,
    perspective: Text::from_proto(p.perspective, &at.child("perspective"))?,
});

from_request!(AgreePlanRequest, |p, at| CaseCommand::AgreePlan {
    revision: p.revision,
    on: required(p.on, &at.child("on"))?,
});

from_request!(SetGoalRequest, |p, at| CaseCommand::SetGoal(required(p.goal, &at.child("goal"))?));

from_request!(ChangeGoalStatusRequest, |p, at| CaseCommand::ChangeGoalStatus {
    goal: GoalId::from_proto(p.goal, &at.child("goal"))?,
    to: FromProto::from_proto(p.to, &at.child("to"))?,
    new_deadline: optional(p.new_deadline, &at.child("new_deadline"))?,
    on: required(p.on, &at.child("on"))?,
});

from_request!(UpdateGoalStepsRequest, |p, at| CaseCommand::UpdateGoalSteps {
    goal: GoalId::from_proto(p.goal, &at.child("goal"))?,
    next_steps: Text::from_proto(p.next_steps, &at.child("next_steps"))?,
});

from_request!(LogContactRequest, |p, at| CaseCommand::LogContact(required(p.contact, &at.child("contact"))?));

from_request!(AddAgreementRequest, |p, at| CaseCommand::AddAgreement {
    agreement: required(p.agreement, &at.child("agreement"))?,
    category: FromProto::from_proto(p.category, &at.child("category"))?,
});

from_request!(SettleAgreementRequest, |p, at| CaseCommand::SettleAgreement {
    agreement: AgreementId::from_proto(p.agreement, &at.child("agreement"))?,
    fulfilled: p.fulfilled,
    on: required(p.on, &at.child("on"))?,
});

from_request!(ProposeReferralRequest, |p, at| CaseCommand::ProposeReferral {
    id: given_or_new(p.referral_id, &at.child("referral_id"), ReferralId::from_uuid)?,
    partner: OrganisationId::from_proto(p.partner, &at.child("partner"))?,
    domain: FromProto::from_proto(p.domain, &at.child("domain"))?,
    reason: Text::from_proto(p.reason, &at.child("reason"))?,
});

from_request!(AdvanceReferralRequest, |p, at| CaseCommand::AdvanceReferral {
    referral: ReferralId::from_proto(p.referral, &at.child("referral"))?,
    to: FromProto::from_proto(p.to, &at.child("to"))?,
    on: required(p.on, &at.child("on"))?,
    note: opt_string(p.note, &at.child("note"))?,
    consent_override: opt_string(p.consent_override_reason, &at.child("consent_override_reason"))?,
});

from_request!(StartReturnExplorationRequest, |p, at| CaseCommand::StartReturnExploration {
    on: required(p.on, &at.child("on"))?,
    findings: required(p.findings, &at.child("findings"))?,
});

from_request!(UpdateReturnExplorationRequest, |p, at| CaseCommand::UpdateReturnExploration {
    findings: required(p.findings, &at.child("findings"))?,
});

from_request!(IdentifyObstacleRequest, |p, at| CaseCommand::IdentifyObstacle {
    id: given_or_new(p.obstacle_id, &at.child("obstacle_id"), ObstacleId::from_uuid)?,
    kind: FromProto::from_proto(p.kind, &at.child("kind"))?,
    description: Text::from_proto(p.description, &at.child("description"))?,
    partner: opt_string(p.partner, &at.child("partner"))?,
    on: required(p.on, &at.child("on"))?,
});

from_request!(ActOnObstacleRequest, |p, at| CaseCommand::ActOnObstacle {
    obstacle: ObstacleId::from_proto(p.obstacle, &at.child("obstacle"))?,
    description: Text::from_proto(p.description, &at.child("description"))?,
    status: FromProto::from_proto(p.status, &at.child("status"))?,
    on: required(p.on, &at.child("on"))?,
});

from_request!(UpdateReintegrationPlanRequest, |p, at| CaseCommand::UpdateReintegrationPlan(required(
    p.reintegration_plan,
    &at.child("reintegration_plan")
)?));

from_request!(RecordDepartureStepRequest, |p, at| CaseCommand::RecordDepartureStep(required(
    p.departure_step,
    &at.child("departure_step")
)?));

from_request!(UpdateReanChecklistRequest, |p, at| CaseCommand::UpdateReanChecklist(required(
    p.rean_checklist,
    &at.child("rean_checklist")
)?));

from_request!(PlanDepartureRequest, |p, at| CaseCommand::PlanDeparture {
    on: optional(p.on, &at.child("on"))?,
    accompany_to_schiphol: p.accompany_to_schiphol,
});

from_request!(RecordJudgmentRequest, |p, at| CaseCommand::RecordJudgment {
    id: given_or_new(p.judgment_id, &at.child("judgment_id"), JudgmentId::from_uuid)?,
    verdict: FromProto::from_proto(p.verdict, &at.child("verdict"))?,
    finality: FromProto::from_proto(p.finality, &at.child("finality"))?,
    reasoning: Text::from_proto(p.reasoning, &at.child("reasoning"))?,
    formed_on: required(p.formed_on, &at.child("formed_on"))?,
});

from_request!(RecordJudgmentCommunicatedRequest, |p, at| CaseCommand::RecordJudgmentCommunicated {
    judgment: JudgmentId::from_proto(p.judgment, &at.child("judgment"))?,
    to: required(p.to, &at.child("to"))?,
    on: required(p.on, &at.child("on"))?,
});

from_request!(RecordConsequencesExplainedRequest, |p, at| CaseCommand::RecordConsequencesExplained {
    judgment: JudgmentId::from_proto(p.judgment, &at.child("judgment"))?,
    on: required(p.on, &at.child("on"))?,
});

from_request!(RecordSelfRelianceRequest, |p, at| CaseCommand::RecordSelfReliance {
    assessed_on: required(p.assessed_on, &at.child("assessed_on"))?,
    scores: zrm_scores_from_proto(p.scores, &at.child("scores"))?,
});

from_request!(GiveConsentRequest, |p, at| CaseCommand::GiveConsent {
    id: given_or_new(p.consent_id, &at.child("consent_id"), ConsentId::from_uuid)?,
    organisation: OrganisationId::from_proto(p.organisation, &at.child("organisation"))?,
    categories: repeated::<i32, DataCategory, BTreeSet<_>>(p.categories, &at.child("categories"))?,
    purpose: Text::from_proto(p.purpose, &at.child("purpose"))?,
    given_on: required(p.given_on, &at.child("given_on"))?,
});

from_request!(SetConfidentialityRequest, |p, at| CaseCommand::SetConfidentiality {
    category: DataCategory::from_proto(p.category, &at.child("category"))?,
    level: perspectief_core::ConfidentialityLevel::from_proto(p.level, &at.child("level"))?,
    reason: Text::from_proto(p.reason, &at.child("reason"))?,
});

from_request!(WithdrawConsentRequest, |p, at| CaseCommand::WithdrawConsent {
    consent: ConsentId::from_proto(p.consent, &at.child("consent"))?,
    on: required(p.on, &at.child("on"))?,
});

from_request!(RecordProgressReportRequest, |p, at| CaseCommand::RecordProgressReport {
    id: given_or_new(p.report_id, &at.child("report_id"), ReportId::from_uuid)?,
    period_from: required(p.period_from, &at.child("period_from"))?,
    period_to: required(p.period_to, &at.child("period_to"))?,
    sent_to: OrganisationId::from_proto(p.sent_to, &at.child("sent_to"))?,
});

from_request!(RecordOutflowRequest, |p, at| CaseCommand::RecordOutflow {
    outcome: FromProto::from_proto(p.outcome, &at.child("outcome"))?,
    on: required(p.on, &at.child("on"))?,
    note: opt_string(p.note, &at.child("note"))?,
});

impl FromProto<pb::NewGoal> for NewGoal {
    fn from_proto(p: pb::NewGoal, at: &Field) -> Result<Self, DomainError> {
        Ok(Self {
            id: given_or_new(p.goal_id, &at.child("goal_id"), GoalId::from_uuid)?,
            description: Text::from_proto(p.description, &at.child("description"))?,
            rationale: opt_string(p.rationale, &at.child("rationale"))?,
            responsible: required(p.responsible, &at.child("responsible"))?,
            partners: repeated(p.partners, &at.child("partners"))?,
            deadline: required(p.deadline, &at.child("deadline"))?,
            next_steps: opt_string(p.next_steps, &at.child("next_steps"))?,
        })
    }
}

impl ToProto for NewGoal {
    type Proto = pb::NewGoal;
    fn to_proto(&self) -> pb::NewGoal {
        pb::NewGoal {
            goal_id: self.id.to_proto(),
            description: self.description.to_proto(),
            rationale: opt_to_string(self.rationale.as_ref()),
            responsible: Some(self.responsible.to_proto()),
            partners: to_protos(&self.partners),
            deadline: Some(self.deadline.to_proto()),
            next_steps: opt_to_string(self.next_steps.as_ref()),
        }
    }
}

impl FromProto<pb::NewAgreement> for NewAgreement {
    fn from_proto(p: pb::NewAgreement, at: &Field) -> Result<Self, DomainError> {
        Ok(Self {
            id: given_or_new(p.agreement_id, &at.child("agreement_id"), AgreementId::from_uuid)?,
            description: Text::from_proto(p.description, &at.child("description"))?,
            due_on: required(p.due_on, &at.child("due_on"))?,
            who_acts: required(p.who_acts, &at.child("who_acts"))?,
        })
    }
}

impl ToProto for NewAgreement {
    type Proto = pb::NewAgreement;
    fn to_proto(&self) -> pb::NewAgreement {
        pb::NewAgreement {
            agreement_id: self.id.to_proto(),
            description: self.description.to_proto(),
            due_on: Some(self.due_on.to_proto()),
            who_acts: Some(self.who_acts.to_proto()),
        }
    }
}

impl FromProto<pb::NewContact> for NewContact {
    fn from_proto(p: pb::NewContact, at: &Field) -> Result<Self, DomainError> {
        Ok(Self {
            id: given_or_new(p.contact_id, &at.child("contact_id"), ContactId::from_uuid)?,
            at: required(p.at, &at.child("at"))?,
            kind: FromProto::from_proto(p.kind, &at.child("kind"))?,
            location: required(p.location, &at.child("location"))?,
            staff: repeated(p.staff, &at.child("staff"))?,
            activities: repeated::<String, ActivityCode, BTreeSet<_>>(p.activities, &at.child("activities"))?,
            summary: Text::from_proto(p.summary, &at.child("summary"))?,
            category: FromProto::from_proto(p.category, &at.child("category"))?,
            partner: opt_string(p.partner, &at.child("partner"))?,
            duration_minutes: p.duration_minutes,
            agreements: repeated(p.agreements, &at.child("agreements"))?,
            documents: repeated(p.documents, &at.child("documents"))?,
        })
    }
}

impl ToProto for NewContact {
    type Proto = pb::NewContact;
    fn to_proto(&self) -> pb::NewContact {
        pb::NewContact {
            contact_id: self.id.to_proto(),
            at: Some(self.at.to_proto()),
            kind: self.kind.to_proto(),
            location: Some(self.location.to_proto()),
            staff: to_protos(&self.staff),
            activities: to_protos(&self.activities),
            summary: self.summary.to_proto(),
            category: self.category.to_proto(),
            partner: opt_to_string(self.partner.as_ref()),
            duration_minutes: self.duration_minutes,
            agreements: to_protos(&self.agreements),
            documents: to_protos(&self.documents),
        }
    }
}

impl FromProto<pb::CreateParticipantRequest> for RegisterParticipant {
    fn from_proto(p: pb::CreateParticipantRequest, at: &Field) -> Result<Self, DomainError> {
        Ok(Self {
            id: given_or_new(p.participant_id, &at.child("participant_id"), ParticipantId::from_uuid)?,
            profile: required(p.profile, &at.child("profile"))?,
            registered_on: required(p.registered_on, &at.child("registered_on"))?,
        })
    }
}

impl ToProto for RegisterParticipant {
    type Proto = pb::CreateParticipantRequest;
    fn to_proto(&self) -> pb::CreateParticipantRequest {
        pb::CreateParticipantRequest {
            participant_id: self.id.to_proto(),
            profile: Some(self.profile.to_proto()),
            registered_on: Some(self.registered_on.to_proto()),
        }
    }
}

/// Declares [`CaseCommandRequest`] (one variant per [`CaseCommand`] variant, same names) and
/// its conversion to a [`CaseCommandTarget`].
macro_rules! command_requests {
    ($($variant:ident($req:ident)),* $(,)?) => {
        /// A command request as a client sends it: one variant per [`CaseCommand`] variant,
        /// named the same, holding the request message of that command's rpc.
        #[derive(Debug, Clone, PartialEq)]
        pub enum CaseCommandRequest {
            $(
                #[doc = concat!("`", stringify!($req), "`.")]
                $variant(pb::$req),
            )*
        }

        impl FromProto<CaseCommandRequest> for CaseCommandTarget {
            fn from_proto(request: CaseCommandRequest, at: &Field) -> Result<Self, DomainError> {
                match request {
                    $(CaseCommandRequest::$variant(r) => Self::from_proto(r, at),)*
                }
            }
        }
    };
}

command_requests!(
    UpdateProfile(UpdateProfileRequest),
    AssignProjectWorker(AssignProjectWorkerRequest),
    ChangePhase(ChangePhaseRequest),
    ChangeDirection(ChangeDirectionRequest),
    RecordReturnStance(RecordReturnStanceRequest),
    RevisePlan(RevisePlanRequest),
    AgreePlan(AgreePlanRequest),
    SetGoal(SetGoalRequest),
    ChangeGoalStatus(ChangeGoalStatusRequest),
    UpdateGoalSteps(UpdateGoalStepsRequest),
    LogContact(LogContactRequest),
    AddAgreement(AddAgreementRequest),
    SettleAgreement(SettleAgreementRequest),
    ProposeReferral(ProposeReferralRequest),
    AdvanceReferral(AdvanceReferralRequest),
    StartReturnExploration(StartReturnExplorationRequest),
    UpdateReturnExploration(UpdateReturnExplorationRequest),
    IdentifyObstacle(IdentifyObstacleRequest),
    ActOnObstacle(ActOnObstacleRequest),
    UpdateReintegrationPlan(UpdateReintegrationPlanRequest),
    RecordDepartureStep(RecordDepartureStepRequest),
    UpdateReanChecklist(UpdateReanChecklistRequest),
    PlanDeparture(PlanDepartureRequest),
    RecordJudgment(RecordJudgmentRequest),
    RecordJudgmentCommunicated(RecordJudgmentCommunicatedRequest),
    RecordConsequencesExplained(RecordConsequencesExplainedRequest),
    RecordSelfReliance(RecordSelfRelianceRequest),
    GiveConsent(GiveConsentRequest),
    WithdrawConsent(WithdrawConsentRequest),
    RecordProgressReport(RecordProgressReportRequest),
    RecordOutflow(RecordOutflowRequest),
    SetConfidentiality(SetConfidentialityRequest),
);

/// The request that asks for `command` on `participant`'s case, based on `expected_version`
/// (`None`: no etag, no check). Every id the command holds is sent, so the service records
/// exactly this command.
pub fn case_command_request(
    participant: ParticipantId,
    expected_version: Option<u64>,
    command: &CaseCommand,
) -> CaseCommandRequest {
    use CaseCommandRequest as R;
    let name = resource_name(PARTICIPANTS, &participant);
    let etag = expected_version.map(etag).unwrap_or_default();
    match command {
        CaseCommand::UpdateProfile { profile } => {
            R::UpdateProfile(pb::UpdateProfileRequest { name, etag, profile: Some(profile.to_proto()) })
        }
        CaseCommand::AssignProjectWorker { worker } => {
            R::AssignProjectWorker(pb::AssignProjectWorkerRequest { name, etag, worker: worker.to_proto() })
        }
        CaseCommand::ChangePhase { to, reason } => {
            R::ChangePhase(pb::ChangePhaseRequest { name, etag, to: to.to_proto(), reason: reason.to_proto() })
        }
        CaseCommand::ChangeDirection { to, on, reasoning } => R::ChangeDirection(pb::ChangeDirectionRequest {
            name,
            etag,
            to: to.to_proto(),
            on: Some(on.to_proto()),
            reasoning: reasoning.to_proto(),
        }),
        CaseCommand::RecordReturnStance { stance, on, note } => R::RecordReturnStance(pb::RecordReturnStanceRequest {
            name,
            etag,
            stance: stance.to_proto(),
            on: Some(on.to_proto()),
            note: opt_to_string(note.as_ref()),
        }),
        CaseCommand::RevisePlan { personal_situation, perspective } => R::RevisePlan(pb::RevisePlanRequest {
            name,
            etag,
            personal_situation: personal_situation.to_proto(),
            perspective: perspective.to_proto(),
        }),
        CaseCommand::AgreePlan { revision, on } => {
            R::AgreePlan(pb::AgreePlanRequest { name, etag, revision: *revision, on: Some(on.to_proto()) })
        }
        CaseCommand::SetGoal(goal) => R::SetGoal(pb::SetGoalRequest { name, etag, goal: Some(goal.to_proto()) }),
        CaseCommand::ChangeGoalStatus { goal, to, new_deadline, on } => {
            R::ChangeGoalStatus(pb::ChangeGoalStatusRequest {
                name,
                etag,
                goal: goal.to_proto(),
                to: to.to_proto(),
                new_deadline: new_deadline.as_ref().map(ToProto::to_proto),
                on: Some(on.to_proto()),
            })
        }
        CaseCommand::UpdateGoalSteps { goal, next_steps } => R::UpdateGoalSteps(pb::UpdateGoalStepsRequest {
            name,
            etag,
            goal: goal.to_proto(),
            next_steps: next_steps.to_proto(),
        }),
        CaseCommand::LogContact(contact) => {
            R::LogContact(pb::LogContactRequest { name, etag, contact: Some(contact.to_proto()) })
        }
        CaseCommand::AddAgreement { agreement, category } => R::AddAgreement(pb::AddAgreementRequest {
            name,
            etag,
            agreement: Some(agreement.to_proto()),
            category: category.to_proto(),
        }),
        CaseCommand::SettleAgreement { agreement, fulfilled, on } => R::SettleAgreement(pb::SettleAgreementRequest {
            name,
            etag,
            agreement: agreement.to_proto(),
            fulfilled: *fulfilled,
            on: Some(on.to_proto()),
        }),
        CaseCommand::ProposeReferral { id, partner, domain, reason } => {
            R::ProposeReferral(pb::ProposeReferralRequest {
                name,
                etag,
                referral_id: id.to_proto(),
                partner: partner.to_proto(),
                domain: domain.to_proto(),
                reason: reason.to_proto(),
            })
        }
        CaseCommand::AdvanceReferral { referral, to, on, note, consent_override } => {
            R::AdvanceReferral(pb::AdvanceReferralRequest {
                name,
                etag,
                referral: referral.to_proto(),
                to: to.to_proto(),
                on: Some(on.to_proto()),
                note: opt_to_string(note.as_ref()),
                consent_override_reason: opt_to_string(consent_override.as_ref()),
            })
        }
        CaseCommand::StartReturnExploration { on, findings } => {
            R::StartReturnExploration(pb::StartReturnExplorationRequest {
                name,
                etag,
                on: Some(on.to_proto()),
                findings: Some(findings.to_proto()),
            })
        }
        CaseCommand::UpdateReturnExploration { findings } => {
            R::UpdateReturnExploration(pb::UpdateReturnExplorationRequest {
                name,
                etag,
                findings: Some(findings.to_proto()),
            })
        }
        CaseCommand::IdentifyObstacle { id, kind, description, partner, on } => {
            R::IdentifyObstacle(pb::IdentifyObstacleRequest {
                name,
                etag,
                obstacle_id: id.to_proto(),
                kind: kind.to_proto(),
                description: description.to_proto(),
                partner: opt_to_string(partner.as_ref()),
                on: Some(on.to_proto()),
            })
        }
        CaseCommand::ActOnObstacle { obstacle, description, status, on } => {
            R::ActOnObstacle(pb::ActOnObstacleRequest {
                name,
                etag,
                obstacle: obstacle.to_proto(),
                description: description.to_proto(),
                status: status.to_proto(),
                on: Some(on.to_proto()),
            })
        }
        CaseCommand::UpdateReintegrationPlan(plan) => R::UpdateReintegrationPlan(pb::UpdateReintegrationPlanRequest {
            name,
            etag,
            reintegration_plan: Some(plan.to_proto()),
        }),
        CaseCommand::RecordDepartureStep(step) => {
            R::RecordDepartureStep(pb::RecordDepartureStepRequest { name, etag, departure_step: Some(step.to_proto()) })
        }
        CaseCommand::UpdateReanChecklist(rean) => {
            R::UpdateReanChecklist(pb::UpdateReanChecklistRequest { name, etag, rean_checklist: Some(rean.to_proto()) })
        }
        CaseCommand::PlanDeparture { on, accompany_to_schiphol } => R::PlanDeparture(pb::PlanDepartureRequest {
            name,
            etag,
            on: on.as_ref().map(ToProto::to_proto),
            accompany_to_schiphol: *accompany_to_schiphol,
        }),
        CaseCommand::RecordJudgment { id, verdict, finality, reasoning, formed_on } => {
            R::RecordJudgment(pb::RecordJudgmentRequest {
                name,
                etag,
                judgment_id: id.to_proto(),
                verdict: verdict.to_proto(),
                finality: finality.to_proto(),
                reasoning: reasoning.to_proto(),
                formed_on: Some(formed_on.to_proto()),
            })
        }
        CaseCommand::RecordJudgmentCommunicated { judgment, to, on } => {
            R::RecordJudgmentCommunicated(pb::RecordJudgmentCommunicatedRequest {
                name,
                etag,
                judgment: judgment.to_proto(),
                to: Some(to.to_proto()),
                on: Some(on.to_proto()),
            })
        }
        CaseCommand::RecordConsequencesExplained { judgment, on } => {
            R::RecordConsequencesExplained(pb::RecordConsequencesExplainedRequest {
                name,
                etag,
                judgment: judgment.to_proto(),
                on: Some(on.to_proto()),
            })
        }
        CaseCommand::RecordSelfReliance { assessed_on, scores } => {
            R::RecordSelfReliance(pb::RecordSelfRelianceRequest {
                name,
                etag,
                assessed_on: Some(assessed_on.to_proto()),
                scores: zrm_scores_to_proto(scores),
            })
        }
        CaseCommand::GiveConsent { id, organisation, categories, purpose, given_on } => {
            R::GiveConsent(pb::GiveConsentRequest {
                name,
                etag,
                consent_id: id.to_proto(),
                organisation: organisation.to_proto(),
                categories: to_protos(categories),
                purpose: purpose.to_proto(),
                given_on: Some(given_on.to_proto()),
            })
        }
        CaseCommand::SetConfidentiality { category, level, reason } => {
            R::SetConfidentiality(pb::SetConfidentialityRequest {
                name,
                etag,
                category: category.to_proto(),
                level: level.to_proto(),
                reason: reason.to_proto(),
            })
        }
        CaseCommand::WithdrawConsent { consent, on } => R::WithdrawConsent(pb::WithdrawConsentRequest {
            name,
            etag,
            consent: consent.to_proto(),
            on: Some(on.to_proto()),
        }),
        CaseCommand::RecordProgressReport { id, period_from, period_to, sent_to } => {
            R::RecordProgressReport(pb::RecordProgressReportRequest {
                name,
                etag,
                report_id: id.to_proto(),
                period_from: Some(period_from.to_proto()),
                period_to: Some(period_to.to_proto()),
                sent_to: sent_to.to_proto(),
            })
        }
        CaseCommand::RecordOutflow { outcome, on, note } => R::RecordOutflow(pb::RecordOutflowRequest {
            name,
            etag,
            outcome: outcome.to_proto(),
            on: Some(on.to_proto()),
            note: opt_to_string(note.as_ref()),
        }),
    }
}

/// The request's path of a field the core names for `command` (the core names fields relative
/// to the command, and `id` for the ids the adapter makes): `deadline` of a `SetGoal` is
/// `goal.deadline`, `agreements[0].id` of a `LogContact` is `contact.agreements[0].agreement_id`.
pub fn request_field_path(command: &CaseCommand, core_path: &str) -> String {
    /// `id` at the start of a path (the whole path, or followed by a nested part) renamed.
    fn rename_id(path: &str, to: &str) -> String {
        match path.strip_prefix("id") {
            Some(rest) if rest.is_empty() || rest.starts_with(['.', '[']) => format!("{to}{rest}"),
            _ => path.to_owned(),
        }
    }
    /// `agreements[i].id` renamed to `agreements[i].agreement_id` (the agreements of a contact).
    fn rename_agreement_ids(path: &str) -> String {
        match path.strip_prefix("agreements[").and_then(|rest| rest.split_once("].")) {
            Some((index, field)) => format!("agreements[{index}].{}", rename_id(field, "agreement_id")),
            None => path.to_owned(),
        }
    }
    let nested =
        |prefix: &str, path: String| if path.is_empty() { prefix.to_owned() } else { format!("{prefix}.{path}") };
    match command {
        // The core checks the profile's parts by their own names.
        CaseCommand::UpdateProfile { .. } if !core_path.starts_with("profile") => nested("profile", core_path.into()),
        CaseCommand::SetGoal(_) => nested("goal", rename_id(core_path, "goal_id")),
        CaseCommand::LogContact(_) => nested("contact", rename_agreement_ids(&rename_id(core_path, "contact_id"))),
        // The agreement's own fields; `category` belongs to the request.
        CaseCommand::AddAgreement { .. }
            if !core_path.starts_with("category") && !core_path.starts_with("agreement") =>
        {
            nested("agreement", rename_id(core_path, "agreement_id"))
        }
        CaseCommand::UpdateReintegrationPlan(_) if !core_path.starts_with("reintegration_plan") => {
            nested("reintegration_plan", core_path.into())
        }
        CaseCommand::RecordDepartureStep(_) if !core_path.starts_with("departure_step") => {
            nested("departure_step", core_path.into())
        }
        CaseCommand::UpdateReanChecklist(_) if !core_path.starts_with("rean_checklist") => {
            nested("rean_checklist", core_path.into())
        }
        CaseCommand::ProposeReferral { .. } => rename_id(core_path, "referral_id"),
        CaseCommand::IdentifyObstacle { .. } => rename_id(core_path, "obstacle_id"),
        CaseCommand::RecordJudgment { .. } => rename_id(core_path, "judgment_id"),
        CaseCommand::GiveConsent { .. } => rename_id(core_path, "consent_id"),
        CaseCommand::RecordProgressReport { .. } => rename_id(core_path, "report_id"),
        _ => core_path.to_owned(),
    }
}

/// The profile fields an UpdateParticipant mask may name, as `profile.<field>`. The project
/// worker is not among them: it changes by assignment.
pub const UPDATABLE_PROFILE_FIELDS: [&str; 9] = [
    "given_names",
    "family_name",
    "aliases",
    "date_of_birth",
    "country_of_origin",
    "nationalities",
    "languages",
    "v_number",
    "lvv_location",
];

/// An UpdateParticipant request (AIP-134), checked: which case, the version its etag expects,
/// and the profile fields to change with their new values.
#[derive(Debug, Clone, PartialEq)]
pub struct ProfileUpdate {
    /// The case (from `case_file.name`).
    pub participant: ParticipantId,
    /// The version the change is based on (from `case_file.etag`); `None`: no check.
    pub expected_version: Option<u64>,
    /// The fields to change (from `update_mask`, or implied by the non-empty fields).
    pub fields: BTreeSet<&'static str>,
    given: pb::ParticipantProfile,
}

impl FromProto<pb::UpdateParticipantRequest> for ProfileUpdate {
    fn from_proto(p: pb::UpdateParticipantRequest, at: &Field) -> Result<Self, DomainError> {
        let file_at = at.child("case_file");
        let file = p.case_file.ok_or_else(|| file_at.missing())?;
        let participant = parse_name(PARTICIPANTS, &file.name, &file_at.child("name"))?;
        let expected_version = expected_version(&file.etag, &file_at.child("etag"))?;
        let given = file.profile.unwrap_or_default();
        let mask_at = at.child("update_mask");
        let fields: BTreeSet<&'static str> = match p.update_mask {
            Some(mask) => {
                let mut fields = BTreeSet::new();
                for (i, path) in mask.paths.iter().enumerate() {
                    if path == "profile" {
                        fields.extend(UPDATABLE_PROFILE_FIELDS);
                        continue;
                    }
                    let field = path
                        .strip_prefix("profile.")
                        .and_then(|f| UPDATABLE_PROFILE_FIELDS.iter().find(|known| **known == f))
                        .ok_or_else(|| {
                            mask_at.child("paths").index(i).invalid(
                                "not_updatable",
                                format!(
                                    "{} cannot be changed here: name `profile` or `profile.<field>` with one \
                                     of {}; the project worker changes with AssignProjectWorker",
                                    perspectief_core::error::echo(path),
                                    UPDATABLE_PROFILE_FIELDS.join(", ")
                                ),
                            )
                        })?;
                    fields.insert(*field);
                }
                fields
            }
            // AIP-134: without a mask, the fields the request fills in.
            None => UPDATABLE_PROFILE_FIELDS.into_iter().filter(|f| is_filled(&given, f)).collect(),
        };
        if fields.is_empty() {
            return Err(mask_at.invalid("nothing_to_change", "name at least one profile field to change"));
        }
        Ok(Self { participant, expected_version, fields, given })
    }
}

fn is_filled(p: &pb::ParticipantProfile, field: &str) -> bool {
    match field {
        "given_names" => !p.given_names.is_empty(),
        "family_name" => !p.family_name.is_empty(),
        "aliases" => !p.aliases.is_empty(),
        "date_of_birth" => p.date_of_birth.is_some(),
        "country_of_origin" => !p.country_of_origin.is_empty(),
        "nationalities" => !p.nationalities.is_empty(),
        "languages" => !p.languages.is_empty(),
        "v_number" => !p.v_number.is_empty(),
        "lvv_location" => !p.lvv_location.is_empty(),
        _ => false,
    }
}

// The API's profile message, field by field, for the core's merge ([`merge_profile`]).
perspectief_core::profile_fields!(pb::ParticipantProfile);

impl ProfileUpdate {
    /// The profile after the change: `current` with the named fields taken from the request
    /// (a named field the request leaves empty is cleared). Refusals name the request's field.
    pub fn apply(&self, current: &perspectief_core::ParticipantProfile) -> Result<CaseCommand, DomainError> {
        let fields = self.fields.iter().filter_map(|f| ProfileField::parse(f));
        let merged = merge_profile(&current.to_proto(), &self.given, fields);
        let profile = FromProto::from_proto(merged, &Field::root().child("case_file").child("profile"))?;
        Ok(CaseCommand::UpdateProfile { profile })
    }

    /// The core's error for the resulting command in this request's terms (`case_file.profile.…`).
    pub fn in_request_terms(&self, command: &CaseCommand, error: DomainError) -> DomainError {
        renaming_fields(error, |path| format!("case_file.{}", request_field_path(command, path)))
    }
}

/// The core's path of a field a request names for `command`: the inverse of
/// [`request_field_path`], so a client gets the core's error back as the core made it.
pub fn core_field_path(command: &CaseCommand, request_path: &str) -> String {
    /// `from` at the start of a path (the whole path, or followed by a nested part) renamed `id`.
    fn unname_id(path: &str, from: &str) -> String {
        match path.strip_prefix(from) {
            Some(rest) if rest.is_empty() || rest.starts_with(['.', '[']) => format!("id{rest}"),
            _ => path.to_owned(),
        }
    }
    fn unname_agreement_ids(path: &str) -> String {
        match path.strip_prefix("agreements[").and_then(|rest| rest.split_once("].")) {
            Some((index, field)) => format!("agreements[{index}].{}", unname_id(field, "agreement_id")),
            None => path.to_owned(),
        }
    }
    /// The path inside `prefix`: `goal.deadline` → `deadline`, `goal` → the empty path.
    fn inside<'a>(prefix: &str, path: &'a str) -> Option<&'a str> {
        match path.strip_prefix(prefix) {
            Some("") => Some(""),
            Some(rest) => rest.strip_prefix('.'),
            None => None,
        }
    }
    let path = request_path;
    match command {
        CaseCommand::UpdateProfile { .. } => inside("profile", path).unwrap_or(path).to_owned(),
        CaseCommand::SetGoal(_) => inside("goal", path).map_or_else(|| path.to_owned(), |p| unname_id(p, "goal_id")),
        CaseCommand::LogContact(_) => inside("contact", path)
            .map_or_else(|| path.to_owned(), |p| unname_agreement_ids(&unname_id(p, "contact_id"))),
        CaseCommand::AddAgreement { .. } => {
            inside("agreement", path).map_or_else(|| path.to_owned(), |p| unname_id(p, "agreement_id"))
        }
        CaseCommand::UpdateReintegrationPlan(_) => inside("reintegration_plan", path).unwrap_or(path).to_owned(),
        CaseCommand::RecordDepartureStep(_) => inside("departure_step", path).unwrap_or(path).to_owned(),
        CaseCommand::UpdateReanChecklist(_) => inside("rean_checklist", path).unwrap_or(path).to_owned(),
        CaseCommand::ProposeReferral { .. } => unname_id(path, "referral_id"),
        CaseCommand::IdentifyObstacle { .. } => unname_id(path, "obstacle_id"),
        CaseCommand::RecordJudgment { .. } => unname_id(path, "judgment_id"),
        CaseCommand::GiveConsent { .. } => unname_id(path, "consent_id"),
        CaseCommand::RecordProgressReport { .. } => unname_id(path, "report_id"),
        _ => path.to_owned(),
    }
}

/// `error` with every field path rewritten by `rename`; errors without fields as they are.
pub fn renaming_fields(error: DomainError, rename: impl Fn(&str) -> String) -> DomainError {
    match error {
        DomainError::InvalidInput(Violations(violations)) => DomainError::InvalidInput(Violations(
            violations
                .into_iter()
                .map(|mut v| {
                    v.field = rename(&v.field);
                    v
                })
                .collect(),
        )),
        other => other,
    }
}

/// The core's error for `command` with its field paths in the request's terms (see
/// [`request_field_path`]); errors without fields are returned as they are.
pub fn in_request_terms(command: &CaseCommand, error: DomainError) -> DomainError {
    renaming_fields(error, |path| request_field_path(command, path))
}

/// A server's error for `command`, named in the request's terms, back in the core's terms.
pub fn in_core_terms(command: &CaseCommand, error: DomainError) -> DomainError {
    renaming_fields(error, |path| core_field_path(command, path))
}

/// The fields of a registration that the request has at its top level; the core names the
/// profile's parts by their own names (`date_of_birth`), the request as `profile.date_of_birth`.
const REGISTRATION_FIELDS: [&str; 3] = ["participant_id", "profile", "registered_on"];

/// The core's error for a registration with its field paths in `CreateParticipantRequest`'s
/// terms: the core checks the profile's parts by their own names (`date_of_birth`).
pub fn registration_in_request_terms(error: DomainError) -> DomainError {
    renaming_fields(error, |path| {
        if REGISTRATION_FIELDS.iter().any(|f| path.starts_with(f)) {
            path.to_owned()
        } else {
            format!("profile.{path}")
        }
    })
}

/// A server's error for a registration back in the core's terms.
pub fn registration_in_core_terms(error: DomainError) -> DomainError {
    renaming_fields(error, |path| path.strip_prefix("profile.").unwrap_or(path).to_owned())
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;

    use super::*;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    /// One command of every kind (some kinds twice: optional parts present and absent).
    fn samples() -> Vec<CaseCommand> {
        crate::fuzzing::samples::case_commands()
    }

    /// The first sample of the command named `name` (the one with its optional parts given).
    fn sample(name: &str) -> CaseCommand {
        samples().into_iter().find(|c| c.name() == name).unwrap()
    }

    fn path_of(e: &DomainError) -> (String, String) {
        let v = e.violations().unwrap_or_else(|| panic!("not a field error: {e:?}")).iter().next().unwrap();
        (v.field.clone(), v.code.clone())
    }

    #[test]
    fn every_command_survives_the_round_trip() {
        let samples = samples();
        let kinds: BTreeSet<&str> = samples.iter().map(CaseCommand::name).collect();
        assert_eq!(kinds.len(), 32, "a sample of every command");
        let participant = ParticipantId::from_u128(7);
        for (i, command) in samples.into_iter().enumerate() {
            let version = i.is_multiple_of(2).then_some(u64::try_from(i).unwrap() + 1);
            let request = case_command_request(participant, version, &command);
            let target = CaseCommandTarget::from_proto(request, &Field::root())
                .unwrap_or_else(|e| panic!("{}: {e:?}", command.name()));
            assert_eq!(target, CaseCommandTarget { participant, expected_version: version, command });
        }
    }

    #[test]
    fn registration_survives_the_round_trip_and_an_empty_id_is_made() {
        let register = RegisterParticipant {
            id: ParticipantId::from_u128(7),
            profile: crate::fuzzing::samples::profile(),
            registered_on: day(2),
        };
        assert_eq!(RegisterParticipant::from_proto(register.to_proto(), &Field::root()).unwrap(), register);
        let request = pb::CreateParticipantRequest { participant_id: String::new(), ..register.to_proto() };
        let made = RegisterParticipant::from_proto(request, &Field::root()).unwrap();
        assert_eq!(made.id.as_uuid().get_version_num(), 7);
        let request = pb::CreateParticipantRequest { registered_on: None, ..register.to_proto() };
        let e = RegisterParticipant::from_proto(request, &Field::root()).unwrap_err();
        assert_eq!(path_of(&e), ("registered_on".into(), "required".into()));
    }

    #[test]
    fn empty_ids_of_new_records_are_made_here() {
        let participant = ParticipantId::from_u128(7);
        let CaseCommandRequest::LogContact(mut request) =
            case_command_request(participant, None, &sample("log_contact"))
        else {
            panic!("not a contact")
        };
        let contact = request.contact.as_mut().unwrap();
        contact.contact_id.clear();
        contact.agreements[0].agreement_id.clear();
        let target = CaseCommandTarget::from_proto(request, &Field::root()).unwrap();
        let CaseCommand::LogContact(c) = target.command else { panic!("not a contact") };
        assert_eq!(c.id.as_uuid().get_version_num(), 7);
        assert_eq!(c.agreements[0].id.as_uuid().get_version_num(), 7);
        assert_eq!(c.agreements[1].id, AgreementId::from_u128(5));
        assert_eq!(target.expected_version, None);
    }

    #[test]
    fn invalid_requests_name_the_field() {
        let participant = ParticipantId::from_u128(7);
        let request = |name: &str| case_command_request(participant, Some(3), &sample(name));
        let refuse = |r: CaseCommandRequest| path_of(&CaseCommandTarget::from_proto(r, &Field::root()).unwrap_err());

        let CaseCommandRequest::ChangePhase(phase) = request("change_phase") else { panic!() };
        let bad_name = pb::ChangePhaseRequest { name: "participant/7".into(), ..phase.clone() };
        assert_eq!(refuse(CaseCommandRequest::ChangePhase(bad_name)), ("name".into(), "not_a_resource_name".into()));
        let bad_id = pb::ChangePhaseRequest { name: "participants/7".into(), ..phase.clone() };
        assert_eq!(refuse(CaseCommandRequest::ChangePhase(bad_id)), ("name".into(), "not_an_id".into()));
        let no_name = pb::ChangePhaseRequest { name: String::new(), ..phase.clone() };
        assert_eq!(refuse(CaseCommandRequest::ChangePhase(no_name)), ("name".into(), "required".into()));
        let bad_etag = pb::ChangePhaseRequest { etag: "W/\"3\"".into(), ..phase.clone() };
        assert_eq!(refuse(CaseCommandRequest::ChangePhase(bad_etag)), ("etag".into(), "not_an_etag".into()));
        let unspecified = pb::ChangePhaseRequest { to: pb::Phase::Unspecified as i32, ..phase.clone() };
        assert_eq!(refuse(CaseCommandRequest::ChangePhase(unspecified)), ("to".into(), "required".into()));
        let unknown = pb::ChangePhaseRequest { to: 99, ..phase.clone() };
        assert_eq!(refuse(CaseCommandRequest::ChangePhase(unknown)), ("to".into(), "unknown_value".into()));
        let blank = pb::ChangePhaseRequest { reason: "  ".into(), ..phase };
        assert_eq!(refuse(CaseCommandRequest::ChangePhase(blank)), ("reason".into(), "required".into()));

        let CaseCommandRequest::SetGoal(mut goal) = request("set_goal") else { panic!() };
        goal.goal.as_mut().unwrap().deadline = None;
        assert_eq!(refuse(CaseCommandRequest::SetGoal(goal.clone())), ("goal.deadline".into(), "required".into()));
        goal.goal = None;
        assert_eq!(refuse(CaseCommandRequest::SetGoal(goal)), ("goal".into(), "required".into()));

        let CaseCommandRequest::LogContact(mut contact) = request("log_contact") else { panic!() };
        let c = contact.contact.as_mut().unwrap();
        c.agreements[1].due_on = Some(pb::Date { year: 2026, month: 2, day: 30 });
        assert_eq!(
            refuse(CaseCommandRequest::LogContact(contact.clone())),
            ("contact.agreements[1].due_on".into(), "not_a_date".into())
        );
        let c = contact.contact.as_mut().unwrap();
        c.agreements.clear();
        c.activities.push("9.9".into());
        assert_eq!(
            refuse(CaseCommandRequest::LogContact(contact.clone())),
            ("contact.activities[2]".into(), "unknown_activity_code".into())
        );
        let c = contact.contact.as_mut().unwrap();
        c.activities.clear();
        c.staff.push("nope".into());
        assert_eq!(refuse(CaseCommandRequest::LogContact(contact)), ("contact.staff[2]".into(), "not_an_id".into()));

        let CaseCommandRequest::RecordSelfReliance(mut zrm) = request("record_self_reliance") else { panic!() };
        zrm.scores[1].score = 6;
        assert_eq!(
            refuse(CaseCommandRequest::RecordSelfReliance(zrm.clone())),
            ("scores[1].score".into(), "out_of_range".into())
        );
        zrm.scores[1].score = 3;
        zrm.scores[1].domain = zrm.scores[0].domain;
        assert_eq!(
            refuse(CaseCommandRequest::RecordSelfReliance(zrm)),
            ("scores[1].domain".into(), "duplicate".into())
        );

        let CaseCommandRequest::GiveConsent(mut consent) = request("give_consent") else { panic!() };
        consent.categories.push(pb::DataCategory::Unspecified as i32);
        assert_eq!(refuse(CaseCommandRequest::GiveConsent(consent)), ("categories[2]".into(), "required".into()));

        let CaseCommandRequest::ProposeReferral(mut referral) = request("propose_referral") else { panic!() };
        referral.referral_id = "r-1".into();
        assert_eq!(refuse(CaseCommandRequest::ProposeReferral(referral)), ("referral_id".into(), "not_an_id".into()));
    }

    #[test]
    fn the_cores_field_errors_are_named_in_the_requests_terms() {
        let path = |name: &str, core: &str| request_field_path(&sample(name), core);
        assert_eq!(path("update_profile", "date_of_birth"), "profile.date_of_birth");
        assert_eq!(path("change_direction", "on"), "on");
        assert_eq!(path("set_goal", "deadline"), "goal.deadline");
        assert_eq!(path("set_goal", "id"), "goal.goal_id");
        assert_eq!(path("log_contact", "id"), "contact.contact_id");
        assert_eq!(path("log_contact", "agreements[1].id"), "contact.agreements[1].agreement_id");
        assert_eq!(path("log_contact", "agreements[1].due_on"), "contact.agreements[1].due_on");
        assert_eq!(path("log_contact", "activities"), "contact.activities");
        assert_eq!(path("add_agreement", "due_on"), "agreement.due_on");
        assert_eq!(path("add_agreement", "id"), "agreement.agreement_id");
        assert_eq!(path("add_agreement", "category"), "category");
        assert_eq!(path("propose_referral", "id"), "referral_id");
        assert_eq!(path("record_departure_step", "on"), "departure_step.on");
        assert_eq!(path("record_progress_report", "id"), "report_id");
        assert_eq!(path("record_progress_report", "period_to"), "period_to");
        let e = in_request_terms(&sample("set_goal"), DomainError::field("deadline", "in_past", "..."));
        assert_eq!(path_of(&e), ("goal.deadline".into(), "in_past".into()));
        let e = registration_in_request_terms(DomainError::field("date_of_birth", "date_in_future", "..."));
        assert_eq!(path_of(&e).0, "profile.date_of_birth");
        assert_eq!(path_of(&registration_in_core_terms(e)).0, "date_of_birth");
    }

    #[test]
    fn request_paths_map_back_to_the_cores_paths() {
        let core_paths = [
            "",
            "id",
            "on",
            "deadline",
            "due_on",
            "activities",
            "at",
            "agreements[1].id",
            "agreements[0].due_on",
            "note",
        ];
        for command in samples() {
            for core in core_paths {
                let request = request_field_path(&command, core);
                assert_eq!(core_field_path(&command, &request), core, "{} {core} -> {request}", command.name());
            }
        }
        let e = in_request_terms(&sample("log_contact"), DomainError::field("at", "in_future", "..."));
        assert_eq!(path_of(&e).0, "contact.at");
        assert_eq!(path_of(&in_core_terms(&sample("log_contact"), e)).0, "at");
    }
}
