//! Property tests: random command sequences through the whole lifecycle; the invariants hold
//! after every step, whether a command was accepted or refused.

use perspectief_core::returns::ExplorationFindings;
use perspectief_core::trajectory::{Trigger, check_transition};
use perspectief_core::*;
use proptest::prelude::*;

use crate::support::*;

/// An abstract step; indices pick among the records that exist at that moment.
#[derive(Debug, Clone)]
enum Op {
    Wait(u8),
    Contact {
        orientation: bool,
        monitoring: bool,
        agreements: u8,
    },
    RevisePlan,
    AgreeLatest,
    SetGoal {
        deadline_in: u8,
    },
    GoalStatus {
        pick: usize,
        to: GoalStatus,
        new_deadline_in: Option<u8>,
    },
    SettleAgreement {
        pick: usize,
        fulfilled: bool,
    },
    Phase(Phase),
    Direction(Direction),
    Stance(ReturnStance),
    Explore,
    Obstacle,
    ActOnObstacle {
        pick: usize,
        to: ObstacleStatus,
    },
    Judgment {
        final_: bool,
        blank_reasoning: bool,
    },
    Referral,
    AdvanceReferral {
        pick: usize,
        to: ReferralStatus,
    },
    Consent,
    Withdraw {
        pick: usize,
    },
    Outflow(usize),
    CorrectProfile,
    Communicate {
        pick: usize,
        municipality: bool,
    },
    SelfReliance(u8),
    /// Set the reporting schedule (0 and 13 are refused).
    ReportingSchedule(u8),
    /// Date the next command this many days back (retroactive recording).
    Backdate(u8),
}

/// An optional effective date (`on`, `set_on`) as a command may give it: absent (the day it
/// is recorded), a past day, today, a future day, or a day before the registration.
#[derive(Debug, Clone, Copy)]
enum When {
    Unset,
    DaysAgo(u8),
    Today,
    InDays(u8),
    BeforeRegistration,
}

fn when() -> impl Strategy<Value = When> {
    prop_oneof![
        4 => Just(When::Unset),
        3 => (1u8..40).prop_map(When::DaysAgo),
        2 => Just(When::Today),
        1 => (1u8..10).prop_map(When::InDays),
        1 => Just(When::BeforeRegistration),
    ]
}

impl When {
    /// The date given, on `today`.
    fn on(self, today: chrono::NaiveDate) -> Option<chrono::NaiveDate> {
        match self {
            When::Unset => None,
            When::DaysAgo(n) => today.checked_sub_days(chrono::Days::new(u64::from(n))),
            When::Today => Some(today),
            When::InDays(n) => Some(later(today, u64::from(n))),
            When::BeforeRegistration => start().pred_opt(),
        }
    }
}

fn op() -> impl Strategy<Value = Op> {
    let phase = prop::sample::select(Phase::ALL.to_vec());
    let direction = prop::sample::select(vec![
        Direction::Undecided,
        Direction::LegalProcedureNl,
        Direction::ReturnToOrigin,
        Direction::ThirdCountry,
    ]);
    let stance = prop::sample::select(vec![
        ReturnStance::NotDiscussed,
        ReturnStance::NotConsidering,
        ReturnStance::Considering,
        ReturnStance::Decided,
    ]);
    let goal_status = prop::sample::select(vec![
        GoalStatus::Open,
        GoalStatus::InProgress,
        GoalStatus::Achieved,
        GoalStatus::Missed,
        GoalStatus::Dropped,
    ]);
    let obstacle_status = prop::sample::select(vec![
        ObstacleStatus::Identified,
        ObstacleStatus::BeingAddressed,
        ObstacleStatus::Removed,
        ObstacleStatus::CannotBeRemoved,
    ]);
    let referral_status = prop::sample::select(ReferralStatus::ALL.to_vec());
    prop_oneof![
        3 => (0u8..20).prop_map(Op::Wait),
        4 => (any::<bool>(), prop::bool::weighted(0.1), 0u8..3)
            .prop_map(|(orientation, monitoring, agreements)| Op::Contact { orientation, monitoring, agreements }),
        2 => Just(Op::RevisePlan),
        2 => Just(Op::AgreeLatest),
        3 => (0u8..40).prop_map(|deadline_in| Op::SetGoal { deadline_in }),
        3 => (any::<usize>(), goal_status, prop::option::of(0u8..60))
            .prop_map(|(pick, to, new_deadline_in)| Op::GoalStatus { pick, to, new_deadline_in }),
        2 => (any::<usize>(), any::<bool>()).prop_map(|(pick, fulfilled)| Op::SettleAgreement { pick, fulfilled }),
        2 => phase.prop_map(Op::Phase),
        2 => direction.prop_map(Op::Direction),
        3 => stance.prop_map(Op::Stance),
        2 => Just(Op::Explore),
        2 => Just(Op::Obstacle),
        3 => (any::<usize>(), obstacle_status).prop_map(|(pick, to)| Op::ActOnObstacle { pick, to }),
        2 => (any::<bool>(), prop::bool::weighted(0.2)).prop_map(|(final_, blank_reasoning)| Op::Judgment { final_, blank_reasoning }),
        2 => Just(Op::Referral),
        2 => (any::<usize>(), referral_status).prop_map(|(pick, to)| Op::AdvanceReferral { pick, to }),
        1 => Just(Op::Consent),
        1 => any::<usize>().prop_map(|pick| Op::Withdraw { pick }),
                1 => (0..OutflowOutcome::ALL.len()).prop_map(Op::Outflow),
        1 => Just(Op::CorrectProfile),
        1 => (any::<usize>(), any::<bool>()).prop_map(|(pick, municipality)| Op::Communicate { pick, municipality }),
        1 => (1u8..=5).prop_map(Op::SelfReliance),
        1 => (0u8..=13).prop_map(Op::ReportingSchedule),
        2 => (1u8..10).prop_map(Op::Backdate),
    ]
}

fn nth<T: Copy>(items: impl Iterator<Item = T>, pick: usize) -> Option<T> {
    let v: Vec<T> = items.collect();
    (!v.is_empty()).then(|| v[pick % v.len()])
}

/// Turn an abstract step into a command against the current state. `None` means the step has
/// nothing to act on (no goal to pick, say) or is refused by the input layer itself.
fn command(
    op: &Op,
    case: &Case,
    today: chrono::NaiveDate,
    given: Option<chrono::NaiveDate>,
    seq: u128,
) -> Option<Result<CaseCommand, DomainError>> {
    let text = |s: &str| Text::parse(s).unwrap();
    Some(Ok(match op.clone() {
        Op::Wait(_) | Op::Backdate(_) => return None,
        Op::CorrectProfile => {
            let mut p = case.profile().clone();
            p.aliases.push(Name::parse(&format!("Alias {seq}")).unwrap());
            CaseCommand::UpdateProfile { profile: p }
        }
        Op::Communicate { pick, municipality } => CaseCommand::RecordJudgmentCommunicated {
            judgment: nth(case.judgments().iter().map(|j| j.id), pick)?,
            to: if municipality { Recipient::Municipality } else { Recipient::Participant },
            on: today,
            // Sometimes on the lead's override, sometimes refused for want of a consent.
            consent_override: (municipality && seq.is_multiple_of(2)).then(|| text("Spoed")),
        },
        Op::ReportingSchedule(months) => CaseCommand::SetReportingSchedule { every_months: u32::from(months) },
        Op::SelfReliance(score) => CaseCommand::RecordSelfReliance {
            assessed_on: today,
            scores: [(ZrmDomain::Housing, ZrmScore::new(score).unwrap())].into(),
        },
        Op::Contact { orientation, monitoring, agreements } => {
            let code = if orientation { ActivityCode::OrientationTalks } else { ActivityCode::KeepPlanCurrent };
            let kind = if monitoring { ContactKind::Monitoring } else { ContactKind::IndividualTalk };
            let mut c = contact(seq, today, kind, &[code]);
            c.agreements = (0..u128::from(agreements))
                .map(|i| NewAgreement {
                    id: AgreementId::from_u128(seq * 10 + i),
                    description: text("afspraak"),
                    due_on: later(today, 7),
                    who_acts: Responsible::Participant,
                })
                .collect();
            CaseCommand::LogContact(c)
        }
        Op::RevisePlan => match revise() {
            CaseCommand::RevisePlan { personal_situation, perspective, .. } => {
                CaseCommand::RevisePlan { personal_situation, perspective, on: given }
            }
            other => other,
        },
        Op::AgreeLatest => {
            CaseCommand::AgreePlan { revision: case.plan_revisions().last().map_or(1, |r| r.number), on: today }
        }
        Op::SetGoal { deadline_in } => match goal(seq, later(today, u64::from(deadline_in))) {
            CaseCommand::SetGoal(g) => CaseCommand::SetGoal(NewGoal { set_on: given, ..g }),
            other => other,
        },
        Op::GoalStatus { pick, to, new_deadline_in } => CaseCommand::ChangeGoalStatus {
            goal: nth(case.goals().map(|g| g.id), pick)?,
            to,
            new_deadline: new_deadline_in.map(|d| later(today, u64::from(d))),
            on: today,
        },
        Op::SettleAgreement { pick, fulfilled } => CaseCommand::SettleAgreement {
            agreement: nth(case.agreements().map(|a| a.id), pick)?,
            fulfilled,
            on: today,
        },
        Op::Phase(to) => CaseCommand::ChangePhase { to, reason: text("reden"), on: given },
        Op::Direction(to) => CaseCommand::ChangeDirection { to, on: today, reasoning: text("motivering") },
        Op::Stance(stance) => CaseCommand::RecordReturnStance { stance, on: today, note: None },
        Op::Explore => CaseCommand::StartReturnExploration { on: today, findings: ExplorationFindings::default() },
        Op::Obstacle => CaseCommand::IdentifyObstacle {
            id: ObstacleId::from_u128(seq),
            kind: ObstacleKind::Finances,
            description: text("geen geld"),
            partner: None,
            on: today,
        },
        Op::ActOnObstacle { pick, to } => CaseCommand::ActOnObstacle {
            obstacle: nth(case.obstacles().map(|o| o.id), pick)?,
            description: text("actie"),
            status: to,
            on: today,
        },
        Op::Judgment { final_, blank_reasoning } => {
            let input = input::RecordJudgmentInput {
                verdict: Verdict::ReturnRealistic,
                finality: if final_ { Finality::Final } else { Finality::Provisional },
                reasoning: if blank_reasoning { " ".into() } else { "onderbouwing".into() },
                formed_on: today,
            };
            return Some(input.into_command(JudgmentId::from_u128(seq)));
        }
        Op::Referral => CaseCommand::ProposeReferral {
            id: ReferralId::from_u128(seq),
            partner: IOM,
            domain: PartnerDomain::Return,
            reason: text("reden"),
            on: given,
        },
        Op::AdvanceReferral { pick, to } => CaseCommand::AdvanceReferral {
            referral: nth(case.referrals().map(|r| r.id), pick)?,
            to,
            on: today,
            note: None,
            consent_override: None,
        },
        Op::Consent => CaseCommand::GiveConsent {
            id: ConsentId::from_u128(seq),
            organisation: IOM,
            categories: [DataCategory::Return].into(),
            purpose: text("doel"),
            given_on: today,
        },
        Op::Withdraw { pick } => {
            CaseCommand::WithdrawConsent { consent: nth(case.consents().iter().map(|c| c.id), pick)?, on: today }
        }
        Op::Outflow(i) => CaseCommand::RecordOutflow { outcome: OutflowOutcome::ALL[i], on: today, note: None },
    }))
}

/// The legal phase edges, written out independently of the core's `check_transition`.
const LEGAL_EDGES: [(Phase, Phase); 12] = [
    (Phase::Intake, Phase::Orientation),
    (Phase::Intake, Phase::PlanExecution),
    (Phase::Orientation, Phase::PlanExecution),
    (Phase::PlanExecution, Phase::Orientation),
    (Phase::PlanExecution, Phase::Termination),
    (Phase::Orientation, Phase::Termination),
    (Phase::Termination, Phase::PlanExecution),
    (Phase::Termination, Phase::Orientation),
    (Phase::Intake, Phase::Closed),
    (Phase::Orientation, Phase::Closed),
    (Phase::PlanExecution, Phase::Closed),
    (Phase::Termination, Phase::Closed),
];

/// What may still be done after the outflow, written out independently of the core.
fn allowed_after_outflow(cmd: &CaseCommand) -> bool {
    match cmd {
        CaseCommand::LogContact(c) => c.kind == ContactKind::Monitoring,
        other => matches!(
            other.name(),
            "update_profile"
                | "withdraw_consent"
                | "record_progress_report"
                | "record_judgment_communicated"
                | "record_consequences_explained"
        ),
    }
}

/// The day a generated command records as its own (written out independently of the core):
/// the step's day `on`, today where the command leaves its date out, none for acts of
/// recording without a date.
fn dated(
    cmd: &CaseCommand,
    on: chrono::NaiveDate,
    given: Option<chrono::NaiveDate>,
    today: chrono::NaiveDate,
) -> Option<chrono::NaiveDate> {
    match cmd.name() {
        "update_profile" | "set_reporting_schedule" => None,
        // These take the optional date the test gives them (`When`), today when unset.
        "change_phase" | "propose_referral" | "set_goal" | "revise_plan" => Some(given.unwrap_or(today)),
        _ => Some(on),
    }
}

/// What ends with the trajectory whatever its date: moving the phase, a second outflow.
fn steers(cmd: &CaseCommand) -> bool {
    matches!(cmd.name(), "change_phase" | "record_outflow" | "assign_project_worker")
}

/// The trigger that explains a phase change event, from its shape.
fn trigger(change: &CaseChange, all_changes: &[CaseChange]) -> Trigger {
    match change {
        CaseChange::PhaseChanged { reason: Some(_), .. } => Trigger::Explicit,
        CaseChange::PhaseChanged { to: Phase::Closed, .. } => Trigger::Outflow,
        CaseChange::PhaseChanged { to: Phase::PlanExecution, .. } => {
            assert!(
                all_changes.iter().any(|c| matches!(c, CaseChange::PlanAgreed { .. })),
                "plan execution without agreement"
            );
            Trigger::PlanAgreed
        }
        _ => Trigger::OrientationTalk,
    }
}

fn check_invariants(case: &Case, log: &[CaseEvent]) {
    // The state is exactly its events.
    assert_eq!(case.version(), log.len() as u64);
    assert_eq!(&Case::replay(log).unwrap(), case);
    // No goal without a plan, and every goal points at an existing revision.
    let revisions = case.plan_revisions().len() as u32;
    for g in case.goals() {
        assert!(g.plan_revision >= 1 && g.plan_revision <= revisions, "goal {} without its plan", g.id);
    }
    // No final judgment without a plan agreed on or before the day it was formed.
    for j in case.judgments() {
        if j.finality == Finality::Final {
            let rev = j.plan_revision.expect("final judgment without plan");
            let agreed = case.plan_revisions()[rev as usize - 1].agreed_on.expect("final judgment on an unagreed plan");
            assert!(agreed <= j.formed_on);
        }
    }
    // Closed exactly when there is an outflow; a closed case has nothing on the worklist, and
    // nothing of the trajectory lies after its end (late entries included).
    assert_eq!(case.phase() == Phase::Closed, case.outflow().is_some());
    if let Some(outflow) = case.outflow() {
        let far = later(outflow.on, 400);
        assert_eq!(case.overdue_goals(far).count() + case.overdue_agreements(far).count(), 0);
        assert!(case.latest_fact().is_none_or(|f| f.on <= outflow.on), "{:?} after the outflow", case.latest_fact());
    }
    // A contact counts under exactly the codes it was logged with; agreements point at it.
    for e in log {
        if let CaseChange::ContactLogged { contact, .. } = &e.change {
            assert_eq!(e.change.activities(), contact.activities.iter().copied().collect::<Vec<_>>());
        }
        if let CaseChange::AgreementMade { agreement, .. } = &e.change
            && let Some(c) = agreement.made_in
        {
            assert!(case.contact(c).is_some());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, .. ProptestConfig::default() })]

    #[test]
    fn invariants_hold_through_random_lifecycles(ops in prop::collection::vec((op(), when()), 1..60)) {
        let (mut case, mut log) = registered();
        let mut today = start();
        let mut phase_before = case.phase();
                let mut backdate = 0u64;
        for (i, (op, given)) in ops.iter().enumerate() {
            match op {
                Op::Wait(days) => {
                    today = later(today, u64::from(*days));
                    continue;
                }
                Op::Backdate(days) => {
                    backdate = u64::from(*days);
                    continue;
                }
                _ => {}
            }
            // Recording something that happened a few days ago (never before registration).
            let on = today.checked_sub_days(chrono::Days::new(backdate)).unwrap().max(start());
            backdate = 0;
            let Some(cmd) = command(op, &case, on, given.on(today), 1000 + i as u128) else { continue };
            let before = case.clone();
            let stance_before = case.return_stance();
            let outflow_before = case.outflow().map(|o| o.on);
            let closed_before = outflow_before.is_some();
            let cmd = match cmd {
                Ok(cmd) => cmd,
                Err(e) => {
                    // Refused at the edge: a blank reasoning never reaches the case.
                    prop_assert_eq!(e.code(), "invalid_input");
                    continue;
                }
            };
                        let allowed_after = allowed_after_outflow(&cmd);
            prop_assert_eq!(allowed_after, cmd.allowed_after_outflow(), "{}", cmd.name());
            let day = dated(&cmd, on, given.on(today), today);
            prop_assert_eq!(day, cmd.effective_on(today), "{}", cmd.name());
            // After the outflow: what happened on or before its day is a late entry.
            let late_entry = !steers(&cmd) && day.zip(outflow_before).is_some_and(|(d, o)| d <= o);
            let monitoring = matches!(&cmd, CaseCommand::LogContact(c) if c.kind == ContactKind::Monitoring);
            match case.execute(cmd, &ctx_on(today)) {
                Ok(events) => {
                    prop_assert!(!closed_before || allowed_after || late_entry, "nothing after outflow");
                    // A late entry never moves a closed trajectory, nor its outflow.
                    let moved = events.iter().any(|e| matches!(e.change, CaseChange::PhaseChanged { .. }));
                    prop_assert!(!closed_before || !moved, "a closed trajectory moved");
                    prop_assert_eq!(case.outflow().map(|o| o.on), outflow_before.or(case.outflow().map(|o| o.on)));
                    let changes: Vec<CaseChange> = events.iter().map(|e| e.change.clone()).collect();
                    // What happened lies between the registration and the day it is recorded,
                    // whatever date the command gave.
                    for e in &events {
                        let effective = e.change.effective_on(e.at);
                        prop_assert!(effective >= start() && effective <= today, "{}: {effective}", e.change.kind());
                    }
                    for e in &events {
                        match e.change {
                            CaseChange::PhaseChanged { from, to, .. } => {
                                                                prop_assert_eq!(from, phase_before);
                                prop_assert!(LEGAL_EDGES.contains(&(from, to)), "{from} -> {to}");
                                prop_assert!(check_transition(from, to, trigger(&e.change, &changes)).is_ok(), "{from} -> {to}");
                                phase_before = to;
                            }
                            CaseChange::ReturnExplorationStarted(_) => {
                                prop_assert!(matches!(stance_before, ReturnStance::Considering | ReturnStance::Decided));
                            }
                            CaseChange::ObstacleActedOn { .. } | CaseChange::ReintegrationPlanUpdated(_) => {
                                prop_assert_eq!(stance_before, ReturnStance::Decided);
                            }
                            _ => {}
                        }
                    }
                    log.extend(events);
                }
                Err(e) => {
                    // A refusal changes nothing, and after the outflow it says so.
                    prop_assert_eq!(&case, &before);
                    if closed_before && !allowed_after && !late_entry && !monitoring {
                        prop_assert_eq!(e.code(), "trajectory_closed");
                    }
                }
            }
            check_invariants(&case, &log);
        }
    }
}
