//! The progress report per participant (*rapportage*, 5.2.e) for the municipal case manager,
//! generated from the case file for a period.
//!
//! What a reader sees follows the access policy per data category: the caller of
//! [`ProgressReport::generate`] passes the categories the reader may read, and everything of
//! another category (a contact about medical matters, a legal agreement) is left out; the
//! report lists which categories were withheld, never what they held.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::access::DataCategory;
use crate::activity::ActivityCode;
use crate::case::Case;
use crate::contact::{ContactKind, PartnerDomain, ReferralStatus};
use crate::ids::{
    AgreementId, ContactId, GoalId, JudgmentId, ObstacleId, OrganisationId, ParticipantId, ReferralId, UserId,
};
use crate::outflow::{OutflowOutcome, ProgressReportRecord};
use crate::plan::{AgreementStatus, Direction, DirectionChange, GoalStatus, ReturnStance};
use crate::returns::{Communication, Finality, ObstacleKind, ObstacleStatus, Verdict};
use crate::time::amsterdam_date;
use crate::trajectory::Phase;

/// The plan's current revision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanLine {
    /// Revision number.
    pub revision: u32,
    /// Its direction.
    pub direction: Direction,
    /// The perspective and steps.
    pub perspective: String,
    /// The day drawn up.
    pub drawn_up_on: NaiveDate,
    /// The day the participant agreed it.
    pub agreed_on: Option<NaiveDate>,
}

/// A goal with its deadline and status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GoalLine {
    /// Id.
    pub id: GoalId,
    /// What.
    pub description: String,
    /// Deadline.
    pub deadline: NaiveDate,
    /// Status.
    pub status: GoalStatus,
    /// Still pursued with the deadline passed on the report's last day.
    pub overdue: bool,
    /// Next steps.
    pub next_steps: Option<String>,
}

/// An agreement and whether it was kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AgreementLine {
    /// Id.
    pub id: AgreementId,
    /// What.
    pub description: String,
    /// Due.
    pub due_on: NaiveDate,
    /// Its status.
    pub status: AgreementStatus,
    /// Kept (`Some(true)`), not kept (`Some(false)`), or still open (`None`).
    pub kept: Option<bool>,
    /// Open and past due on the report's last day.
    pub overdue: bool,
}

/// A contact moment in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactLine {
    /// Id.
    pub id: ContactId,
    /// Day (Amsterdam).
    pub on: NaiveDate,
    /// Kind.
    pub kind: ContactKind,
    /// Activity codes.
    pub activities: Vec<ActivityCode>,
    /// Summary.
    pub summary: String,
}

/// A referral.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralLine {
    /// Id.
    pub id: ReferralId,
    /// The partner.
    pub partner: OrganisationId,
    /// Domain.
    pub domain: PartnerDomain,
    /// Why.
    pub reason: String,
    /// Status on the report's last day.
    pub status: ReferralStatus,
    /// Sent on.
    pub sent_on: Option<NaiveDate>,
}

/// A return obstacle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObstacleLine {
    /// Id.
    pub id: ObstacleId,
    /// Kind.
    pub kind: ObstacleKind,
    /// What.
    pub description: String,
    /// Status.
    pub status: ObstacleStatus,
    /// Identified on.
    pub identified_on: NaiveDate,
    /// Removed on.
    pub removed_on: Option<NaiveDate>,
    /// Actions taken in the period.
    pub actions_in_period: u32,
}

/// A judgment on the return perspective and its communication.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JudgmentLine {
    /// Id.
    pub id: JudgmentId,
    /// Verdict.
    pub verdict: Verdict,
    /// Provisional or final.
    pub finality: Finality,
    /// Reasoning.
    pub reasoning: String,
    /// Formed on.
    pub formed_on: NaiveDate,
    /// To whom and when it was communicated.
    pub communications: Vec<Communication>,
    /// When the consequences were explained.
    pub consequences_explained_on: Option<NaiveDate>,
}

/// The progress report of one participant for a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProgressReport {
    /// The participant.
    pub participant: ParticipantId,
    /// The name (only when the reader may read identity data).
    pub display_name: Option<String>,
    /// First day covered.
    pub period_from: NaiveDate,
    /// Last day covered.
    pub period_to: NaiveDate,
    /// Project worker.
    pub project_worker: UserId,
    /// Registration.
    pub registered_on: NaiveDate,
    /// The trajectory's last day.
    pub limit_on: NaiveDate,
    /// Days from the period's last day to the limit (negative: past it).
    pub days_to_limit: i64,
    /// Phase now.
    pub phase: Phase,
    /// Direction now.
    pub direction: Direction,
    /// Every change of direction, oldest first.
    pub direction_history: Vec<DirectionChange>,
    /// Stance on return.
    pub return_stance: ReturnStance,
    /// The current plan revision.
    pub plan: Option<PlanLine>,
    /// Goals (all of them, with status).
    pub goals: Vec<GoalLine>,
    /// Agreements due or settled in the period, or still open.
    pub agreements: Vec<AgreementLine>,
    /// Contacts in the period, oldest first.
    pub contacts: Vec<ContactLine>,
    /// Referrals proposed or moved in the period, or still open.
    pub referrals: Vec<ReferralLine>,
    /// Return obstacles.
    pub obstacles: Vec<ObstacleLine>,
    /// Judgments, oldest first (the last is current).
    pub judgments: Vec<JudgmentLine>,
    /// The outflow, if recorded.
    pub outflow: Option<(OutflowOutcome, NaiveDate)>,
    /// Progress reports sent before, with when and to whom.
    pub reports_sent: Vec<ProgressReportRecord>,
    /// Categories left out because the reader may not read them.
    pub withheld: Vec<DataCategory>,
}

impl ProgressReport {
    /// Generate the report for `from..=to` from a case, showing only the categories in
    /// `visible` (the store passes those the access policy allows the reader).
    ///
    /// ```
    /// use std::collections::BTreeSet;
    /// use chrono::{NaiveDate, TimeZone, Utc};
    /// use perspectief_core::report::ProgressReport;
    /// use perspectief_core::*;
    ///
    /// let worker = UserId::from_u128(1);
    /// let ctx = CommandContext::at(worker, Utc.with_ymd_and_hms(2026, 3, 2, 10, 0, 0).unwrap());
    /// let input = input::RegisterParticipantInput { given_names: "Amanuel".into(), ..Default::default() };
    /// let (mut case, _) = Case::register(input.into_command(ParticipantId::from_u128(7), worker, ctx.today).unwrap(), &ctx).unwrap();
    /// case.execute(CaseCommand::RevisePlan {
    ///     personal_situation: Text::parse("Sinds 2019 in Nederland.").unwrap(),
    ///     perspective: Text::parse("Juridische mogelijkheden <onderzoeken>.").unwrap(),
    /// }, &ctx).unwrap();
    /// let all: BTreeSet<DataCategory> = DataCategory::ALL.into_iter().collect();
    /// let report = ProgressReport::generate(&case, ctx.today, ctx.today, &all);
    /// assert_eq!(report.plan.as_ref().unwrap().revision, 1);
    /// assert!(report.to_markdown().contains("Juridische mogelijkheden"));
    /// // The HTML page escapes every text of the case file.
    /// assert!(report.to_html().contains("&lt;onderzoeken&gt;"));
    /// ```
    pub fn generate(case: &Case, from: NaiveDate, to: NaiveDate, visible: &BTreeSet<DataCategory>) -> ProgressReport {
        let sees = |c: DataCategory| visible.contains(&c);
        let in_period = |d: NaiveDate| from <= d && d <= to;
        let guidance = sees(DataCategory::Guidance);
        let ret = sees(DataCategory::Return);
        let mut withheld: BTreeSet<DataCategory> = BTreeSet::new();
        let mut hide = |c: DataCategory| {
            if !sees(c) {
                withheld.insert(c);
            }
        };
        for c in [DataCategory::Guidance, DataCategory::Return] {
            hide(c);
        }
        let plan = if guidance {
            case.plan_revisions().last().map(|r| PlanLine {
                revision: r.number,
                direction: r.direction,
                perspective: r.perspective.to_string(),
                drawn_up_on: amsterdam_date(r.drawn_up_at),
                agreed_on: r.agreed_on,
            })
        } else {
            None
        };
        let goals = if guidance {
            case.goals()
                .map(|g| GoalLine {
                    id: g.id,
                    description: g.description.to_string(),
                    deadline: g.deadline,
                    status: g.status,
                    overdue: case.is_active() && g.is_overdue(to),
                    next_steps: g.next_steps.as_ref().map(ToString::to_string),
                })
                .collect()
        } else {
            vec![]
        };
        let mut agreements = vec![];
        for (a, category) in case.agreements_with_category() {
            let settled_on = match a.status {
                AgreementStatus::Fulfilled(d) | AgreementStatus::NotFulfilled(d) => Some(d),
                AgreementStatus::Open => None,
            };
            let relevant =
                a.status == AgreementStatus::Open || in_period(a.due_on) || settled_on.is_some_and(in_period);
            if !relevant {
                continue;
            }
            if !sees(category) {
                hide(category);
                continue;
            }
            agreements.push(AgreementLine {
                id: a.id,
                description: a.description.to_string(),
                due_on: a.due_on,
                status: a.status,
                kept: match a.status {
                    AgreementStatus::Fulfilled(_) => Some(true),
                    AgreementStatus::NotFulfilled(_) => Some(false),
                    AgreementStatus::Open => None,
                },
                overdue: case.is_active() && a.is_overdue(to),
            });
        }
        agreements.sort_by_key(|a| (a.due_on, a.id));
        let mut contacts = vec![];
        for (c, category) in case.contacts() {
            let on = amsterdam_date(c.at);
            if !in_period(on) {
                continue;
            }
            if !sees(category) {
                hide(category);
                continue;
            }
            contacts.push(ContactLine {
                id: c.id,
                on,
                kind: c.kind,
                activities: c.activities.iter().copied().collect(),
                summary: c.summary.to_string(),
            });
        }
        contacts.sort_by_key(|c| (c.on, c.id));
        let mut referrals = vec![];
        for r in case.referrals() {
            let moved = r.history.iter().any(|s| in_period(s.on));
            if !moved && r.status().is_final() {
                continue;
            }
            let category = r.domain.category();
            if !sees(category) {
                hide(category);
                continue;
            }
            referrals.push(ReferralLine {
                id: r.id,
                partner: r.partner,
                domain: r.domain,
                reason: r.reason.to_string(),
                status: r.status(),
                sent_on: r.sent_on(),
            });
        }
        let obstacles = if ret {
            case.obstacles()
                .map(|o| ObstacleLine {
                    id: o.id,
                    kind: o.kind,
                    description: o.description.to_string(),
                    status: o.status,
                    identified_on: o.identified_on,
                    removed_on: o.removed_on(),
                    actions_in_period: u32::try_from(o.actions.iter().filter(|a| in_period(a.on)).count())
                        .unwrap_or(u32::MAX),
                })
                .collect()
        } else {
            vec![]
        };
        let judgments = if ret {
            case.judgments()
                .iter()
                .map(|j| JudgmentLine {
                    id: j.id,
                    verdict: j.verdict,
                    finality: j.finality,
                    reasoning: j.reasoning.to_string(),
                    formed_on: j.formed_on,
                    communications: j.communications.clone(),
                    consequences_explained_on: j.consequences_explained_on,
                })
                .collect()
        } else {
            vec![]
        };
        let identity = sees(DataCategory::Identity);
        if !identity {
            withheld.insert(DataCategory::Identity);
        }
        let limit_on = case.trajectory().limit();
        ProgressReport {
            participant: case.id(),
            display_name: identity.then(|| case.profile().display_name()),
            period_from: from,
            period_to: to,
            project_worker: case.profile().project_worker,
            registered_on: case.registered_on(),
            limit_on,
            days_to_limit: (limit_on - to).num_days(),
            phase: case.phase(),
            direction: case.direction(),
            direction_history: if guidance { case.direction_history().to_vec() } else { vec![] },
            return_stance: if ret { case.return_stance() } else { ReturnStance::NotDiscussed },
            plan,
            goals,
            agreements,
            contacts,
            referrals,
            obstacles,
            judgments,
            outflow: case.outflow().map(|o| (o.outcome, o.on)),
            reports_sent: case.reports().to_vec(),
            withheld: withheld.into_iter().collect(),
        }
    }
}
