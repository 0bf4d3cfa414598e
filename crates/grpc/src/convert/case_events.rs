//! Conversions of the case events (`case_events.proto`): the core's [`CaseEvent`] and its
//! [`CaseChange`], both ways. The event's derived fields (`kind`, `category`,
//! `activity_codes`) are filled in from the change on the way out and ignored on the way in;
//! the late mark is the server's, carried both ways.

use perspectief_core::{CaseChange, CaseEvent, DomainError, UserId};

use crate::convert::{
    Field, FromProto, ToProto, parse_name, required, resource_name, to_protos, variant_from, variant_pattern,
    variant_to,
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
            effective_on: Some(self.change.effective_on(self.at).to_proto()),
            late: self.late,
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
            // The server's mark, kept: it is not derived from the change.
            late: p.late,
        })
    }
}

/// The case changes, one row each: the [`CaseChange`] variant, its member of the `change`
/// oneof (errors name it: `change.goal_set.deadline`), and its fields as in
/// [`crate::convert::message!`], or `message` for a change that is one message.
macro_rules! case_change_table {
    ($cb:ident) => {
        $cb! {
            Registered(registered) { profile: req, registered_on: req },
            ProfileUpdated(profile_updated) { profile: req },
            ProjectWorkerAssigned(project_worker_assigned) { from: val, to: val, on: opt },
            PhaseChanged(phase_changed) { from: val, to: val, reason: opt_str, on: opt },
            DirectionChanged(direction_changed) message,
            ReturnStanceRecorded(return_stance_recorded) { from: val, to: val, on: req, note: opt_str },
            PlanRevised(plan_revised) message,
            PlanAgreed(plan_agreed) { revision: copy, on: req },
            GoalSet(goal_set) message,
            GoalStatusChanged(goal_status_changed) { goal: val, from: val, to: val, new_deadline: opt, on: req },
            GoalStepsUpdated(goal_steps_updated) { goal: val, next_steps: val, on: opt },
            ContactLogged(contact_logged) { contact: req, category: val },
            AgreementMade(agreement_made) { agreement: req, category: val },
            AgreementSettled(agreement_settled) { agreement: val, status: req },
            ReferralProposed(referral_proposed) message,
            ReferralAdvanced(referral_advanced) {
                referral: val, category: val, step: req, consent: opt_str,
                consent_override as consent_override_reason: opt_str
            },
            ReturnExplorationStarted(return_exploration_started) message,
            ReturnExplorationUpdated(return_exploration_updated) { findings: req, at: req, on: opt },
            ObstacleIdentified(obstacle_identified) message,
            ObstacleActedOn(obstacle_acted_on) { obstacle: val, action: req },
            ReintegrationPlanUpdated(reintegration_plan_updated) message,
            DepartureStepRecorded(departure_step_recorded) message,
            ReanChecklistUpdated(rean_checklist_updated) message,
            DeparturePlanned(departure_planned) { on: opt, accompany_to_schiphol: copy },
            JudgmentRecorded(judgment_recorded) message,
            JudgmentCommunicated(judgment_communicated) { judgment: val, communication: req },
            ConsequencesExplained(consequences_explained) { judgment: val, on: req },
            SelfRelianceAssessed(self_reliance_assessed) message,
            ConsentGiven(consent_given) message,
            ConsentWithdrawn(consent_withdrawn) { consent: val, on: req },
            ProgressReportSent(progress_report_sent) message,
            OutflowRecorded(outflow_recorded) message,
            ConfidentialitySet(confidentiality_set) { category: val, from: val, to: val, reason: val },
            ReportingScheduleSet(reporting_schedule_set) { every_months: copy },
            ChainMeetingRecorded(chain_meeting_recorded) message,
        }
    };
}

/// `ToProto` and `FromProto` for [`CaseChange`], from the rows of [`case_change_table!`].
macro_rules! change_conversions {
    ($($v:ident($member:ident) $fields:tt),* $(,)?) => {
        impl ToProto for CaseChange {
            type Proto = pb::CaseChange;
            fn to_proto(&self) -> pb::CaseChange {
                let oneof = match self {
                    $(variant_pattern!(CaseChange::$v, m, $fields) => {
                        Change::$v(variant_to!(change::$v {}, m, $fields))
                    })*
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
                    $(Change::$v(c) => {
                        // Unused by a change whose fields are all plain numbers.
                        #[allow(unused_variables)]
                        let at = at.child(stringify!($member));
                        variant_from!(CaseChange::$v, c, at, $fields)
                    })*
                })
            }
        }
    };
}

case_change_table!(change_conversions);

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use perspectief_core::{AgreementId, ConsentId, GoalId, JudgmentId, ObstacleId, ReferralId, Text};

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
            CaseCommand::AssignProjectWorker { worker: OTHER_WORKER, on: None },
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
            CaseCommand::RevisePlan { personal_situation: text("Situatie"), perspective: text("Terugkeer"), on: None },
            CaseCommand::AgreePlan { revision: 1, on: day(20) },
            CaseCommand::SetGoal(NewGoal {
                id: goal,
                description: text("Paspoort aanvragen"),
                rationale: None,
                responsible: Responsible::Staff(WORKER),
                partners: vec![IOM],
                deadline: day(31),
                next_steps: None,
                set_on: None,
            }),
            CaseCommand::ChangeGoalStatus { goal, to: GoalStatus::InProgress, new_deadline: None, on: day(20) },
            CaseCommand::UpdateGoalSteps { goal, next_steps: text("Ambassade bellen"), on: None },
            CaseCommand::AddAgreement {
                agreement: NewAgreement {
                    id: agreement,
                    description: text("Naar de ambassade"),
                    due_on: day(25),
                    who_acts: Responsible::Partner(IOM),
                },
                category: DataCategory::Return,
                on: None,
            },
            CaseCommand::SettleAgreement { agreement, fulfilled: true, on: day(20) },
            CaseCommand::ProposeReferral {
                id: referral,
                partner: IOM,
                domain: PartnerDomain::Return,
                reason: text("REAN"),
                on: None,
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
                on: None,
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
                updated_on: None,
            }),
            CaseCommand::PlanDeparture { on: Some(day(31)), accompany_to_schiphol: true },
            CaseCommand::RecordJudgment {
                id: judgment,
                verdict: Verdict::ReturnRealistic,
                finality: Finality::Final,
                reasoning: text("Plan wordt uitgevoerd"),
                formed_on: day(20),
            },
            CaseCommand::RecordJudgmentCommunicated {
                judgment,
                to: Recipient::Municipality,
                on: day(20),
                consent_override: Some(text("Gemeente moet het weten")),
            },
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
                sent_on: None,
            },
            CaseCommand::ChangePhase { to: Phase::Termination, reason: text("Vertrek nadert"), on: None },
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
    fn the_late_mark_travels_both_ways() {
        let event = CaseEvent { late: true, ..trajectory().remove(1) };
        let proto = event.to_proto();
        assert!(proto.late);
        // The effective date is the change's own (derived, output only).
        assert_eq!(proto.effective_on, Some(event.change.effective_on(event.at).to_proto()));
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
