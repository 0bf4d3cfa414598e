//! Conversions of the case events (`case_events.proto`): the core's [`CaseEvent`] and its
//! [`CaseChange`], both ways. The event's derived fields (`kind`, `category`,
//! `activity_codes`) are filled in from the change on the way out and ignored on the way in.

use perspectief_core::{
    AgreementId, CaseChange, CaseEvent, ConsentId, DomainError, GoalId, JudgmentId, ObstacleId, ReferralId, Text,
    UserId,
};

use crate::convert::{
    Field, FromProto, ToProto, opt_string, opt_to_string, optional, parse_name, required, resource_name, to_protos,
};
use crate::pb;
use crate::pb::case_change::{self as change, Change};

impl ToProto for CaseEvent {
    type Proto = pb::CaseEvent;
    fn to_proto(&self) -> pb::CaseEvent {
        pb::CaseEvent {
            participant: resource_name("participants", &self.participant),
            version: self.version,
            at: Some(self.at.to_proto()),
            actor: self.actor.to_proto(),
            change: Some(self.change.to_proto()),
            kind: self.change.kind().to_owned(),
            category: self.change.category().to_proto(),
            activity_codes: to_protos(&self.change.activities()),
        }
    }
}

impl FromProto<pb::CaseEvent> for CaseEvent {
    fn from_proto(p: pb::CaseEvent, at: &Field) -> Result<Self, DomainError> {
        Ok(Self {
            participant: parse_name("participants", &p.participant, &at.child("participant"))?,
            version: p.version,
            at: required(p.at, &at.child("at"))?,
            actor: UserId::from_proto(p.actor, &at.child("actor"))?,
            change: required(p.change, &at.child("change"))?,
        })
    }
}

impl ToProto for CaseChange {
    type Proto = pb::CaseChange;
    fn to_proto(&self) -> pb::CaseChange {
        let oneof = match self {
            CaseChange::Registered { profile, registered_on } => Change::Registered(change::Registered {
                profile: Some(profile.to_proto()),
                registered_on: Some(registered_on.to_proto()),
            }),
            CaseChange::ProfileUpdated { profile } => {
                Change::ProfileUpdated(change::ProfileUpdated { profile: Some(profile.to_proto()) })
            }
            CaseChange::ProjectWorkerAssigned { from, to } => {
                Change::ProjectWorkerAssigned(change::ProjectWorkerAssigned {
                    from: from.to_proto(),
                    to: to.to_proto(),
                })
            }
            CaseChange::PhaseChanged { from, to, reason } => Change::PhaseChanged(change::PhaseChanged {
                from: from.to_proto(),
                to: to.to_proto(),
                reason: opt_to_string(reason.as_ref()),
            }),
            CaseChange::DirectionChanged(c) => Change::DirectionChanged(c.to_proto()),
            CaseChange::ReturnStanceRecorded { from, to, on, note } => {
                Change::ReturnStanceRecorded(change::ReturnStanceRecorded {
                    from: from.to_proto(),
                    to: to.to_proto(),
                    on: Some(on.to_proto()),
                    note: opt_to_string(note.as_ref()),
                })
            }
            CaseChange::PlanRevised(r) => Change::PlanRevised(r.to_proto()),
            CaseChange::PlanAgreed { revision, on } => {
                Change::PlanAgreed(change::PlanAgreed { revision: *revision, on: Some(on.to_proto()) })
            }
            CaseChange::GoalSet(g) => Change::GoalSet(g.to_proto()),
            CaseChange::GoalStatusChanged { goal, from, to, new_deadline, on } => {
                Change::GoalStatusChanged(change::GoalStatusChanged {
                    goal: goal.to_proto(),
                    from: from.to_proto(),
                    to: to.to_proto(),
                    new_deadline: new_deadline.as_ref().map(ToProto::to_proto),
                    on: Some(on.to_proto()),
                })
            }
            CaseChange::GoalStepsUpdated { goal, next_steps } => Change::GoalStepsUpdated(change::GoalStepsUpdated {
                goal: goal.to_proto(),
                next_steps: next_steps.to_proto(),
            }),
            CaseChange::ContactLogged { contact, category } => Change::ContactLogged(change::ContactLogged {
                contact: Some(contact.to_proto()),
                category: category.to_proto(),
            }),
            CaseChange::AgreementMade { agreement, category } => Change::AgreementMade(change::AgreementMade {
                agreement: Some(agreement.to_proto()),
                category: category.to_proto(),
            }),
            CaseChange::AgreementSettled { agreement, status } => Change::AgreementSettled(change::AgreementSettled {
                agreement: agreement.to_proto(),
                status: Some(status.to_proto()),
            }),
            CaseChange::ReferralProposed(r) => Change::ReferralProposed(r.to_proto()),
            CaseChange::ReferralAdvanced { referral, category, step, consent, consent_override } => {
                Change::ReferralAdvanced(change::ReferralAdvanced {
                    referral: referral.to_proto(),
                    category: category.to_proto(),
                    step: Some(step.to_proto()),
                    consent: opt_to_string(consent.as_ref()),
                    consent_override_reason: opt_to_string(consent_override.as_ref()),
                })
            }
            CaseChange::ReturnExplorationStarted(x) => Change::ReturnExplorationStarted(x.to_proto()),
            CaseChange::ReturnExplorationUpdated { findings, at } => {
                Change::ReturnExplorationUpdated(change::ReturnExplorationUpdated {
                    findings: Some(findings.to_proto()),
                    at: Some(at.to_proto()),
                })
            }
            CaseChange::ObstacleIdentified(o) => Change::ObstacleIdentified(o.to_proto()),
            CaseChange::ObstacleActedOn { obstacle, action } => Change::ObstacleActedOn(change::ObstacleActedOn {
                obstacle: obstacle.to_proto(),
                action: Some(action.to_proto()),
            }),
            CaseChange::ReintegrationPlanUpdated(p) => Change::ReintegrationPlanUpdated(p.to_proto()),
            CaseChange::DepartureStepRecorded(s) => Change::DepartureStepRecorded(s.to_proto()),
            CaseChange::ReanChecklistUpdated(r) => Change::ReanChecklistUpdated(r.to_proto()),
            CaseChange::DeparturePlanned { on, accompany_to_schiphol } => {
                Change::DeparturePlanned(change::DeparturePlanned {
                    on: on.as_ref().map(ToProto::to_proto),
                    accompany_to_schiphol: *accompany_to_schiphol,
                })
            }
            CaseChange::JudgmentRecorded(j) => Change::JudgmentRecorded(j.to_proto()),
            CaseChange::JudgmentCommunicated { judgment, communication } => {
                Change::JudgmentCommunicated(change::JudgmentCommunicated {
                    judgment: judgment.to_proto(),
                    communication: Some(communication.to_proto()),
                })
            }
            CaseChange::ConsequencesExplained { judgment, on } => {
                Change::ConsequencesExplained(change::ConsequencesExplained {
                    judgment: judgment.to_proto(),
                    on: Some(on.to_proto()),
                })
            }
            CaseChange::SelfRelianceAssessed(a) => Change::SelfRelianceAssessed(a.to_proto()),
            CaseChange::ConsentGiven(c) => Change::ConsentGiven(c.to_proto()),
            CaseChange::ConsentWithdrawn { consent, on } => Change::ConsentWithdrawn(change::ConsentWithdrawn {
                consent: consent.to_proto(),
                on: Some(on.to_proto()),
            }),
            CaseChange::ProgressReportSent(r) => Change::ProgressReportSent(r.to_proto()),
            CaseChange::OutflowRecorded(o) => Change::OutflowRecorded(o.to_proto()),
            CaseChange::ConfidentialitySet { category, from, to, reason } => {
                Change::ConfidentialitySet(change::ConfidentialitySet {
                    category: category.to_proto(),
                    from: from.to_proto(),
                    to: to.to_proto(),
                    reason: reason.to_proto(),
                })
            }
        };
        pb::CaseChange { change: Some(oneof) }
    }
}

impl FromProto<pb::CaseChange> for CaseChange {
    fn from_proto(p: pb::CaseChange, at: &Field) -> Result<Self, DomainError> {
        let Some(c) = p.change else {
            return Err(at.missing());
        };
        // A oneof's members are fields of the message itself: `change.goal_set.deadline`.
        Ok(match c {
            Change::Registered(c) => {
                let at = at.child("registered");
                CaseChange::Registered {
                    profile: required(c.profile, &at.child("profile"))?,
                    registered_on: required(c.registered_on, &at.child("registered_on"))?,
                }
            }
            Change::ProfileUpdated(c) => {
                let at = at.child("profile_updated");
                CaseChange::ProfileUpdated { profile: required(c.profile, &at.child("profile"))? }
            }
            Change::ProjectWorkerAssigned(c) => {
                let at = at.child("project_worker_assigned");
                CaseChange::ProjectWorkerAssigned {
                    from: UserId::from_proto(c.from, &at.child("from"))?,
                    to: UserId::from_proto(c.to, &at.child("to"))?,
                }
            }
            Change::PhaseChanged(c) => {
                let at = at.child("phase_changed");
                CaseChange::PhaseChanged {
                    from: FromProto::from_proto(c.from, &at.child("from"))?,
                    to: FromProto::from_proto(c.to, &at.child("to"))?,
                    reason: opt_string(c.reason, &at.child("reason"))?,
                }
            }
            Change::DirectionChanged(c) => {
                CaseChange::DirectionChanged(FromProto::from_proto(c, &at.child("direction_changed"))?)
            }
            Change::ReturnStanceRecorded(c) => {
                let at = at.child("return_stance_recorded");
                CaseChange::ReturnStanceRecorded {
                    from: FromProto::from_proto(c.from, &at.child("from"))?,
                    to: FromProto::from_proto(c.to, &at.child("to"))?,
                    on: required(c.on, &at.child("on"))?,
                    note: opt_string(c.note, &at.child("note"))?,
                }
            }
            Change::PlanRevised(c) => CaseChange::PlanRevised(FromProto::from_proto(c, &at.child("plan_revised"))?),
            Change::PlanAgreed(c) => {
                let at = at.child("plan_agreed");
                CaseChange::PlanAgreed { revision: c.revision, on: required(c.on, &at.child("on"))? }
            }
            Change::GoalSet(c) => CaseChange::GoalSet(FromProto::from_proto(c, &at.child("goal_set"))?),
            Change::GoalStatusChanged(c) => {
                let at = at.child("goal_status_changed");
                CaseChange::GoalStatusChanged {
                    goal: GoalId::from_proto(c.goal, &at.child("goal"))?,
                    from: FromProto::from_proto(c.from, &at.child("from"))?,
                    to: FromProto::from_proto(c.to, &at.child("to"))?,
                    new_deadline: optional(c.new_deadline, &at.child("new_deadline"))?,
                    on: required(c.on, &at.child("on"))?,
                }
            }
            Change::GoalStepsUpdated(c) => {
                let at = at.child("goal_steps_updated");
                CaseChange::GoalStepsUpdated {
                    goal: GoalId::from_proto(c.goal, &at.child("goal"))?,
                    next_steps: Text::from_proto(c.next_steps, &at.child("next_steps"))?,
                }
            }
            Change::ContactLogged(c) => {
                let at = at.child("contact_logged");
                CaseChange::ContactLogged {
                    contact: required(c.contact, &at.child("contact"))?,
                    category: FromProto::from_proto(c.category, &at.child("category"))?,
                }
            }
            Change::AgreementMade(c) => {
                let at = at.child("agreement_made");
                CaseChange::AgreementMade {
                    agreement: required(c.agreement, &at.child("agreement"))?,
                    category: FromProto::from_proto(c.category, &at.child("category"))?,
                }
            }
            Change::AgreementSettled(c) => {
                let at = at.child("agreement_settled");
                CaseChange::AgreementSettled {
                    agreement: AgreementId::from_proto(c.agreement, &at.child("agreement"))?,
                    status: required(c.status, &at.child("status"))?,
                }
            }
            Change::ReferralProposed(c) => {
                CaseChange::ReferralProposed(FromProto::from_proto(c, &at.child("referral_proposed"))?)
            }
            Change::ReferralAdvanced(c) => {
                let at = at.child("referral_advanced");
                CaseChange::ReferralAdvanced {
                    referral: ReferralId::from_proto(c.referral, &at.child("referral"))?,
                    category: FromProto::from_proto(c.category, &at.child("category"))?,
                    step: required(c.step, &at.child("step"))?,
                    consent: opt_string(c.consent, &at.child("consent"))?,
                    consent_override: opt_string(c.consent_override_reason, &at.child("consent_override_reason"))?,
                }
            }
            Change::ReturnExplorationStarted(c) => {
                CaseChange::ReturnExplorationStarted(FromProto::from_proto(c, &at.child("return_exploration_started"))?)
            }
            Change::ReturnExplorationUpdated(c) => {
                let at = at.child("return_exploration_updated");
                CaseChange::ReturnExplorationUpdated {
                    findings: required(c.findings, &at.child("findings"))?,
                    at: required(c.at, &at.child("at"))?,
                }
            }
            Change::ObstacleIdentified(c) => {
                CaseChange::ObstacleIdentified(FromProto::from_proto(c, &at.child("obstacle_identified"))?)
            }
            Change::ObstacleActedOn(c) => {
                let at = at.child("obstacle_acted_on");
                CaseChange::ObstacleActedOn {
                    obstacle: ObstacleId::from_proto(c.obstacle, &at.child("obstacle"))?,
                    action: required(c.action, &at.child("action"))?,
                }
            }
            Change::ReintegrationPlanUpdated(c) => {
                CaseChange::ReintegrationPlanUpdated(FromProto::from_proto(c, &at.child("reintegration_plan_updated"))?)
            }
            Change::DepartureStepRecorded(c) => {
                CaseChange::DepartureStepRecorded(FromProto::from_proto(c, &at.child("departure_step_recorded"))?)
            }
            Change::ReanChecklistUpdated(c) => {
                CaseChange::ReanChecklistUpdated(FromProto::from_proto(c, &at.child("rean_checklist_updated"))?)
            }
            Change::DeparturePlanned(c) => {
                let at = at.child("departure_planned");
                CaseChange::DeparturePlanned {
                    on: optional(c.on, &at.child("on"))?,
                    accompany_to_schiphol: c.accompany_to_schiphol,
                }
            }
            Change::JudgmentRecorded(c) => {
                CaseChange::JudgmentRecorded(FromProto::from_proto(c, &at.child("judgment_recorded"))?)
            }
            Change::JudgmentCommunicated(c) => {
                let at = at.child("judgment_communicated");
                CaseChange::JudgmentCommunicated {
                    judgment: JudgmentId::from_proto(c.judgment, &at.child("judgment"))?,
                    communication: required(c.communication, &at.child("communication"))?,
                }
            }
            Change::ConsequencesExplained(c) => {
                let at = at.child("consequences_explained");
                CaseChange::ConsequencesExplained {
                    judgment: JudgmentId::from_proto(c.judgment, &at.child("judgment"))?,
                    on: required(c.on, &at.child("on"))?,
                }
            }
            Change::SelfRelianceAssessed(c) => {
                CaseChange::SelfRelianceAssessed(FromProto::from_proto(c, &at.child("self_reliance_assessed"))?)
            }
            Change::ConsentGiven(c) => CaseChange::ConsentGiven(FromProto::from_proto(c, &at.child("consent_given"))?),
            Change::ConsentWithdrawn(c) => {
                let at = at.child("consent_withdrawn");
                CaseChange::ConsentWithdrawn {
                    consent: ConsentId::from_proto(c.consent, &at.child("consent"))?,
                    on: required(c.on, &at.child("on"))?,
                }
            }
            Change::ProgressReportSent(c) => {
                CaseChange::ProgressReportSent(FromProto::from_proto(c, &at.child("progress_report_sent"))?)
            }
            Change::OutflowRecorded(c) => {
                CaseChange::OutflowRecorded(FromProto::from_proto(c, &at.child("outflow_recorded"))?)
            }
            Change::ConfidentialitySet(c) => {
                let at = at.child("confidentiality_set");
                CaseChange::ConfidentialitySet {
                    category: FromProto::from_proto(c.category, &at.child("category"))?,
                    from: FromProto::from_proto(c.from, &at.child("from"))?,
                    to: FromProto::from_proto(c.to, &at.child("to"))?,
                    reason: FromProto::from_proto(c.reason, &at.child("reason"))?,
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use chrono::{DateTime, NaiveDate, TimeZone, Utc};
    use perspectief_core::contact::ContactLocation;
    use perspectief_core::outflow::ZrmScore;
    use perspectief_core::returns::{
        DepartureStep, DepartureStepKind, ExplorationFindings, ReanChecklist, ReintegrationPlan,
    };
    use perspectief_core::{
        ActivityCode, Case, CaseCommand, CommandContext, ContactId, ContactKind, DataCategory, DateOfBirth, Direction,
        Finality, GoalStatus, Name, NewAgreement, NewContact, NewGoal, ObstacleKind, ObstacleStatus, OrganisationId,
        OutflowOutcome, ParticipantId, ParticipantProfile, PartnerDomain, Phase, Recipient, ReferralStatus,
        RegisterParticipant, ReportId, Responsible, ReturnStance, Verdict, ZrmDomain,
    };

    use super::*;

    const WORKER: UserId = UserId::from_u128(1);
    const OTHER_WORKER: UserId = UserId::from_u128(2);
    const IOM: OrganisationId = OrganisationId::from_u128(101);

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).unwrap()
    }

    fn noon(d: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, d, 12, 0, 0).unwrap()
    }

    fn text(s: &str) -> Text {
        Text::parse(s).unwrap()
    }

    fn profile(worker: UserId) -> ParticipantProfile {
        ParticipantProfile {
            given_names: Name::parse("Testpersoon").unwrap(),
            family_name: None,
            aliases: vec![],
            date_of_birth: Some(DateOfBirth::Estimated { year: 1990 }),
            country_of_origin: None,
            nationalities: vec![],
            languages: vec![],
            v_number: None,
            lvv_location: None,
            project_worker: worker,
        }
    }

    /// Every event of a case that goes through the whole trajectory: registration, orientation,
    /// the plan, goals, agreements, referrals, the return track, consent, a report, outflow.
    fn trajectory() -> Vec<CaseEvent> {
        let ctx = CommandContext { actor: WORKER, now: noon(20), today: day(20) };
        let register =
            RegisterParticipant { id: ParticipantId::from_u128(7), profile: profile(WORKER), registered_on: day(2) };
        let (mut case, registered) = Case::register(register, &ctx).unwrap();
        let mut events = vec![registered];
        let goal = GoalId::from_u128(20);
        let agreement = AgreementId::from_u128(30);
        let referral = ReferralId::from_u128(40);
        let obstacle = ObstacleId::from_u128(50);
        let judgment = JudgmentId::from_u128(60);
        let consent = ConsentId::from_u128(70);
        let commands = vec![
            CaseCommand::UpdateProfile {
                profile: ParticipantProfile {
                    family_name: Some(Name::parse("Synthetisch").unwrap()),
                    ..profile(WORKER)
                },
            },
            CaseCommand::AssignProjectWorker { worker: OTHER_WORKER },
            CaseCommand::LogContact(NewContact {
                id: ContactId::from_u128(10),
                at: noon(3),
                kind: ContactKind::IndividualTalk,
                location: ContactLocation::Office,
                staff: BTreeSet::new(),
                activities: [ActivityCode::OrientationTalks].into(),
                summary: text("Eerste oriëntatiegesprek"),
                category: DataCategory::Guidance,
                partner: None,
                duration_minutes: Some(60),
                agreements: vec![NewAgreement {
                    id: AgreementId::from_u128(31),
                    description: text("Documenten meenemen"),
                    due_on: day(10),
                    who_acts: Responsible::Participant,
                }],
                documents: Vec::new(),
            }),
            CaseCommand::RecordReturnStance {
                stance: ReturnStance::Considering,
                on: day(4),
                note: Some(text("Denkt na")),
            },
            CaseCommand::ChangeDirection { to: Direction::ReturnToOrigin, on: day(4), reasoning: text("Wil terug") },
            CaseCommand::RevisePlan { personal_situation: text("Situatie"), perspective: text("Terugkeer") },
            CaseCommand::AgreePlan { revision: 1, on: day(20) },
            CaseCommand::SetGoal(NewGoal {
                id: goal,
                description: text("Paspoort aanvragen"),
                rationale: None,
                responsible: Responsible::Staff(WORKER),
                partners: vec![IOM],
                deadline: day(31),
                next_steps: None,
            }),
            CaseCommand::ChangeGoalStatus { goal, to: GoalStatus::InProgress, new_deadline: None, on: day(20) },
            CaseCommand::UpdateGoalSteps { goal, next_steps: text("Ambassade bellen") },
            CaseCommand::AddAgreement {
                agreement: NewAgreement {
                    id: agreement,
                    description: text("Naar de ambassade"),
                    due_on: day(25),
                    who_acts: Responsible::Partner(IOM),
                },
                category: DataCategory::Return,
            },
            CaseCommand::SettleAgreement { agreement, fulfilled: true, on: day(20) },
            CaseCommand::ProposeReferral {
                id: referral,
                partner: IOM,
                domain: PartnerDomain::Return,
                reason: text("REAN"),
            },
            CaseCommand::AdvanceReferral {
                referral,
                to: ReferralStatus::Sent,
                on: day(20),
                note: None,
                consent_override: Some(text("Spoed: vertrek aanstaande")),
            },
            CaseCommand::StartReturnExploration {
                on: day(5),
                findings: ExplorationFindings { motivation: Some(text("Familie")), ..ExplorationFindings::default() },
            },
            CaseCommand::UpdateReturnExploration {
                findings: ExplorationFindings {
                    documents: Some(text("Geen paspoort")),
                    ..ExplorationFindings::default()
                },
            },
            CaseCommand::IdentifyObstacle {
                id: obstacle,
                kind: ObstacleKind::MissingDocuments,
                description: text("Geen paspoort"),
                partner: Some(IOM),
                on: day(6),
            },
            CaseCommand::RecordReturnStance { stance: ReturnStance::Decided, on: day(7), note: None },
            CaseCommand::ActOnObstacle {
                obstacle,
                description: text("Ambassade bezocht"),
                status: ObstacleStatus::BeingAddressed,
                on: day(8),
            },
            CaseCommand::UpdateReintegrationPlan(ReintegrationPlan {
                housing: Some(text("Bij familie")),
                ..ReintegrationPlan::default()
            }),
            CaseCommand::RecordDepartureStep(DepartureStep {
                on: day(9),
                kind: DepartureStepKind::IomCoordination,
                note: text("REAN-aanvraag"),
            }),
            CaseCommand::UpdateReanChecklist(ReanChecklist {
                no_assisted_return_in_five_years: Some(true),
                travel_document_obtainable: None,
                agrees_procedures_end: Some(false),
            }),
            CaseCommand::PlanDeparture { on: Some(day(31)), accompany_to_schiphol: true },
            CaseCommand::RecordJudgment {
                id: judgment,
                verdict: Verdict::ReturnRealistic,
                finality: Finality::Final,
                reasoning: text("Plan wordt uitgevoerd"),
                formed_on: day(20),
            },
            CaseCommand::RecordJudgmentCommunicated { judgment, to: Recipient::Municipality, on: day(20) },
            CaseCommand::RecordConsequencesExplained { judgment, on: day(20) },
            CaseCommand::RecordSelfReliance {
                assessed_on: day(12),
                scores: [(ZrmDomain::Housing, ZrmScore::new(1).unwrap())].into(),
            },
            CaseCommand::GiveConsent {
                id: consent,
                organisation: IOM,
                categories: [DataCategory::Identity, DataCategory::Return].into(),
                purpose: text("Terugkeer"),
                given_on: day(13),
            },
            CaseCommand::WithdrawConsent { consent, on: day(14) },
            CaseCommand::GiveConsent {
                id: ConsentId::from_u128(71),
                organisation: OrganisationId::from_u128(102),
                categories: [DataCategory::Reports].into(),
                purpose: text("Voortgangsrapportage"),
                given_on: day(13),
            },
            CaseCommand::RecordProgressReport {
                id: ReportId::from_u128(80),
                period_from: day(2),
                period_to: day(15),
                sent_to: OrganisationId::from_u128(102),
            },
            CaseCommand::ChangePhase { to: Phase::Termination, reason: text("Vertrek nadert") },
            CaseCommand::RecordOutflow {
                outcome: OutflowOutcome::DepartedIndependentlySupervised,
                on: day(20),
                note: Some(text("Met IOM")),
            },
        ];
        for command in commands {
            let name = command.name();
            events.extend(case.execute(command, &ctx).unwrap_or_else(|e| panic!("{name}: {e}")));
        }
        events
    }

    #[test]
    fn every_change_survives_the_round_trip_with_its_derived_fields() {
        let events = trajectory();
        let kinds: BTreeSet<&str> = events.iter().map(|e| e.change.kind()).collect();
        assert_eq!(kinds.len(), 32, "every kind of change: {kinds:?}");
        for event in &events {
            let proto = event.to_proto();
            assert_eq!(proto.participant, "participants/00000000-0000-0000-0000-000000000007");
            assert_eq!(proto.kind, event.change.kind());
            assert_eq!(DataCategory::from_proto(proto.category, &Field::root()).unwrap(), event.change.category());
            let codes: Vec<String> = event.change.activities().iter().map(|c| c.code().to_owned()).collect();
            assert_eq!(proto.activity_codes, codes);
            assert!(!codes.is_empty());
            let back = CaseEvent::from_proto(proto, &Field::root())
                .unwrap_or_else(|e| panic!("{}: {e:?}", event.change.kind()));
            assert_eq!(&back, event);
        }
        // The events rebuild the same case after the trip.
        let back: Vec<CaseEvent> =
            events.iter().map(|e| CaseEvent::from_proto(e.to_proto(), &Field::root()).unwrap()).collect();
        assert_eq!(Case::replay(&back).unwrap(), Case::replay(&events).unwrap());
    }

    #[test]
    fn derived_fields_are_ignored_on_input() {
        let event = trajectory().remove(1);
        let proto = pb::CaseEvent {
            kind: "nonsense".into(),
            category: 99,
            activity_codes: vec!["9.9".into()],
            ..event.to_proto()
        };
        assert_eq!(CaseEvent::from_proto(proto, &Field::root()).unwrap(), event);
    }

    #[test]
    fn invalid_events_name_the_field() {
        let refuse = |p: pb::CaseEvent| {
            let e = CaseEvent::from_proto(p, &Field::root()).unwrap_err();
            let v = e.violations().unwrap().iter().next().unwrap();
            (v.field.clone(), v.code.code().to_owned())
        };
        let events = trajectory();
        let goal_set = events.iter().find(|e| e.change.kind() == "goal_set").unwrap().to_proto();
        assert_eq!(refuse(pb::CaseEvent { change: None, ..goal_set.clone() }), ("change".into(), "required".into()));
        assert_eq!(
            refuse(pb::CaseEvent { change: Some(pb::CaseChange { change: None }), ..goal_set.clone() }),
            ("change".into(), "required".into())
        );
        assert_eq!(refuse(pb::CaseEvent { at: None, ..goal_set.clone() }), ("at".into(), "required".into()));
        assert_eq!(
            refuse(pb::CaseEvent { actor: "x".into(), ..goal_set.clone() }),
            ("actor".into(), "not_an_id".into())
        );
        assert_eq!(
            refuse(pb::CaseEvent { participant: "cases/1".into(), ..goal_set.clone() }),
            ("participant".into(), "not_a_resource_name".into())
        );
        let mut no_deadline = goal_set;
        if let Some(pb::CaseChange { change: Some(Change::GoalSet(g)) }) = no_deadline.change.as_mut() {
            g.deadline = None;
        }
        assert_eq!(refuse(no_deadline), ("change.goal_set.deadline".into(), "required".into()));
        let phase = events.iter().find(|e| e.change.kind() == "phase_changed").unwrap().to_proto();
        let mut unspecified = phase;
        if let Some(pb::CaseChange { change: Some(Change::PhaseChanged(c)) }) = unspecified.change.as_mut() {
            c.to = pb::Phase::Unspecified as i32;
        }
        assert_eq!(refuse(unspecified), ("change.phase_changed.to".into(), "required".into()));
    }
}
