//! The progress report per participant (*rapportage*, 5.2.e) for the municipal case manager,
//! generated from the case file for a period.
//!
//! What a reader sees is what the access policy lets it see of the case file: the report is
//! generated from the reader's [`CaseView`], so everything of another category (a contact about
//! medical matters, a legal agreement) is left out; the report lists which categories were
//! withheld, never what they held.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::access::DataCategory;
use crate::activity::ActivityCode;
use crate::contact::{ContactKind, PartnerDomain, ReferralStatus};
use crate::document::HandedDocument;
use crate::ids::{
    AgreementId, ContactId, GoalId, JudgmentId, ObstacleId, OrganisationId, ParticipantId, ReferralId, UserId,
};
use crate::outflow::{OutflowOutcome, ProgressReportRecord, ZrmAssessment};
use crate::participant::ParticipantProfile;
use crate::plan::{AgreementStatus, Direction, DirectionChange, GoalStatus, ReturnStance};
use crate::returns::{Communication, Finality, ObstacleKind, ObstacleStatus, Verdict};
use crate::time::amsterdam_date;
use crate::trajectory::Phase;
use crate::view::CaseView;

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

/// A document handed over to the participant in the period (5.2.c).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HandoverLine {
    /// Day (Amsterdam).
    pub on: NaiveDate,
    /// The contact moment it was handed over in.
    pub contact: ContactId,
    /// Which document, language and version.
    pub document: HandedDocument,
}

/// The progress report of one participant for a period.
///
/// Built from what the reader may see of the case ([`CaseView`]): the facts of a category
/// the reader may not see are absent (`None` or empty), and [`ProgressReport::withheld`] names
/// every category withheld, whether or not anything of it exists.
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
    /// The project worker (the foundation's contact for this person).
    pub project_worker: Option<UserId>,
    /// Registration (guidance).
    pub registered_on: Option<NaiveDate>,
    /// The trajectory's last day (guidance).
    pub limit_on: Option<NaiveDate>,
    /// Days from the period's last day to the limit (negative: past it) (guidance).
    pub days_to_limit: Option<i64>,
    /// Phase now (guidance).
    pub phase: Option<Phase>,
    /// Direction now (guidance).
    pub direction: Option<Direction>,
    /// Every change of direction, oldest first (guidance).
    pub direction_history: Vec<DirectionChange>,
    /// Stance on return (return).
    pub return_stance: Option<ReturnStance>,
    /// The current plan revision.
    pub plan: Option<PlanLine>,
    /// Goals (all of them, with status).
    pub goals: Vec<GoalLine>,
    /// Agreements due or settled in the period, or still open.
    pub agreements: Vec<AgreementLine>,
    /// Contacts in the period, oldest first.
    pub contacts: Vec<ContactLine>,
    /// Referrals proposed or moved in the period, or still open (outside the foundation:
    /// only those sent to the reader's organisation).
    pub referrals: Vec<ReferralLine>,
    /// Return obstacles.
    pub obstacles: Vec<ObstacleLine>,
    /// Judgments, oldest first (the last is current).
    pub judgments: Vec<JudgmentLine>,
    /// The outflow, if recorded (guidance).
    pub outflow: Option<(OutflowOutcome, NaiveDate)>,
    /// Progress reports sent before, with when and to whom.
    pub reports_sent: Vec<ProgressReportRecord>,
    /// Self-reliance (ZRM) assessments up to the period's last day, oldest first, with only
    /// the domains the reader may see (guidance).
    #[serde(default)]
    pub self_reliance: Vec<ZrmAssessment>,
    /// Documents handed over to the participant in the period (5.2.c), oldest first.
    #[serde(default)]
    pub handed_over: Vec<HandoverLine>,
    /// Categories left out because the reader may not read them.
    pub withheld: Vec<DataCategory>,
}

impl ProgressReport {
    /// Generate the report for `from..=to` from what the reader may see of a case: the view
    /// the access policy decided ([`AccessPolicy::decide_visibility`](crate::access::AccessPolicy::decide_visibility)),
    /// so the report never shows more than the case file would.
    ///
    /// ```
    /// use chrono::{NaiveDate, TimeZone, Utc};
    /// use perspectief_core::report::ProgressReport;
    /// use perspectief_core::view::CaseView;
    /// use perspectief_core::*;
    ///
    /// let worker = UserId::from_u128(1);
    /// let ctx = CommandContext::at(worker, Utc.with_ymd_and_hms(2026, 3, 2, 10, 0, 0).unwrap());
    /// let input = input::RegisterParticipantInput { given_names: "Amanuel".into(), ..Default::default() };
    /// let (mut case, _) = Case::register(input.into_command(ParticipantId::from_u128(7), worker, ctx.today).unwrap(), &ctx).unwrap();
    /// case.execute(CaseCommand::RevisePlan {
    ///     personal_situation: Text::parse("Sinds 2019 in Nederland.").unwrap(),
    ///     perspective: Text::parse("Juridische mogelijkheden <onderzoeken>.").unwrap(),
    ///     on: None,
    /// }, &ctx).unwrap();
    /// let report = ProgressReport::generate(&CaseView::whole(&case), ctx.today, ctx.today);
    /// assert_eq!(report.plan.as_ref().unwrap().revision, 1);
    /// assert!(report.to_markdown().contains("Juridische mogelijkheden"));
    /// // The HTML page escapes every text of the case file.
    /// assert!(report.to_html().contains("&lt;onderzoeken&gt;"));
    /// ```
    pub fn generate(view: &CaseView, from: NaiveDate, to: NaiveDate) -> ProgressReport {
        let in_period = |d: NaiveDate| from <= d && d <= to;
        // Without guidance the reader cannot know whether the trajectory ended; overdue marks
        // then ignore it rather than tell.
        let active = view.is_active().unwrap_or(true);
        let plan = view.plan.last().map(|r| PlanLine {
            revision: r.number,
            direction: r.direction,
            perspective: r.perspective.to_string(),
            drawn_up_on: amsterdam_date(r.drawn_up_at),
            agreed_on: r.agreed_on,
        });
        let goals = view
            .goals
            .values()
            .map(|g| GoalLine {
                id: g.id,
                description: g.description.to_string(),
                deadline: g.deadline,
                status: g.status,
                overdue: active && g.is_overdue(to),
                next_steps: g.next_steps.as_ref().map(ToString::to_string),
            })
            .collect();
        let mut agreements = vec![];
        for (a, _) in view.agreements.values() {
            let settled_on = match a.status {
                AgreementStatus::Fulfilled(d) | AgreementStatus::NotFulfilled(d) => Some(d),
                AgreementStatus::Open => None,
            };
            let relevant =
                a.status == AgreementStatus::Open || in_period(a.due_on) || settled_on.is_some_and(in_period);
            if !relevant {
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
                overdue: active && a.is_overdue(to),
            });
        }
        agreements.sort_by_key(|a| (a.due_on, a.id));
        let mut contacts = vec![];
        for (c, _) in view.contacts.values() {
            let on = amsterdam_date(c.at);
            if !in_period(on) {
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
        let mut handed_over: Vec<HandoverLine> = view
            .contacts
            .values()
            .filter(|(c, _)| in_period(amsterdam_date(c.at)))
            .flat_map(|(c, _)| {
                c.documents.iter().map(|d| HandoverLine {
                    on: amsterdam_date(c.at),
                    contact: c.id,
                    document: d.clone(),
                })
            })
            .collect();
        handed_over.sort_by(|a, b| (a.on, a.contact, &a.document).cmp(&(b.on, b.contact, &b.document)));
        let mut self_reliance: Vec<ZrmAssessment> =
            view.self_reliance.iter().filter(|a| a.assessed_on <= to && !a.scores.is_empty()).cloned().collect();
        self_reliance.sort_by_key(|a| a.assessed_on);
        let mut referrals = vec![];
        for r in view.referrals.values() {
            let moved = r.history.iter().any(|s| in_period(s.on));
            if !moved && r.status().is_final() {
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
        let obstacles = view
            .obstacles
            .values()
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
            .collect();
        let judgments = view
            .judgments
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
            .collect();
        let limit_on = view.trajectory.as_ref().map(|t| t.dates().limit());
        ProgressReport {
            participant: view.id,
            display_name: view.profile.as_ref().map(ParticipantProfile::display_name),
            period_from: from,
            period_to: to,
            project_worker: view.profile.as_ref().map(|p| p.project_worker),
            registered_on: view.trajectory.as_ref().map(|t| t.registered_on),
            limit_on,
            days_to_limit: limit_on.map(|l| (l - to).num_days()),
            phase: view.trajectory.as_ref().map(|t| t.phase),
            direction: view.trajectory.as_ref().map(|t| t.direction),
            direction_history: view.trajectory.as_ref().map(|t| t.direction_history.clone()).unwrap_or_default(),
            return_stance: view.return_stance,
            plan,
            goals,
            agreements,
            contacts,
            referrals,
            obstacles,
            judgments,
            outflow: view.outflow.as_ref().map(|o| (o.outcome, o.on)),
            reports_sent: view.reports.clone(),
            self_reliance,
            handed_over,
            withheld: view.withheld.iter().map(|w| w.category).collect(),
        }
    }
}

impl crate::access::AccessPolicy {
    /// What `actor` may see of `case` in a progress report on `today`, and the basis to record.
    ///
    /// The same visibility as the case file ([`crate::access::AccessPolicy::decide_visibility`]),
    /// with one difference, stated here: the case file is shown when *any* part of it may be
    /// seen, but a progress report is itself data of the reports category, so the reader must
    /// be allowed that category (not merely see it hidden). Refused otherwise with the reason
    /// the reports category was withheld, or need-to-know when it was hidden. The report is then
    /// generated from the visibility's view ([`ProgressReport::generate`]); its other withheld
    /// categories are the adapter's to record as denials.
    pub fn decide_progress_report(
        &self,
        actor: &crate::access::Actor,
        case: &crate::case::Case,
        today: NaiveDate,
    ) -> Result<(crate::view::Visibility, crate::access::Basis), crate::access::DenyReason> {
        let visibility = self.decide_visibility(actor, case, today)?;
        let basis = match visibility.shown().find(|(c, _)| *c == DataCategory::Reports) {
            Some((_, basis)) => basis,
            None => {
                return Err(visibility
                    .withheld()
                    .find(|w| w.category == DataCategory::Reports)
                    .map_or(crate::access::DenyReason::NeedToKnow { category: DataCategory::Reports }, |w| w.reason));
            }
        };
        Ok((visibility, basis))
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};

    use crate::access::{AccessPolicy, Actor, Basis, ConfidentialityLevel, DataCategory, DenyReason, Grant, Role};
    use crate::case::{Case, CaseCommand, CommandContext};
    use crate::ids::{ConsentId, OrganisationId, ParticipantId, UserId};
    use crate::text::Text;

    #[test]
    fn a_report_needs_the_reports_category_where_the_case_file_needs_any() {
        let policy = AccessPolicy { foundation: OrganisationId::from_u128(100) };
        let worker = UserId::from_u128(1);
        let ctx = CommandContext::at(worker, Utc.with_ymd_and_hms(2026, 11, 28, 10, 0, 0).unwrap());
        let register = crate::input::RegisterParticipantInput { given_names: "Amanuel".into(), ..Default::default() }
            .into_command(ParticipantId::from_u128(7), worker, ctx.today)
            .unwrap();
        let (mut case, _) = Case::register(register, &ctx).unwrap();
        let iom = OrganisationId::from_u128(90);
        case.execute(
            CaseCommand::GiveConsent {
                id: ConsentId::from_u128(1),
                organisation: iom,
                categories: [DataCategory::Identity].into(),
                purpose: Text::parse("Terugkeerondersteuning").unwrap(),
                given_on: ctx.today,
            },
            &ctx,
        )
        .unwrap();
        let grant = Grant::all_categories(ConfidentialityLevel::Vertrouwelijk);
        let partner = Actor { user: UserId::from_u128(9), organisation: iom, role: Role::ChainPartner, grant };
        // The case file: identity is shown, so the partner may have that part.
        assert!(policy.decide_visibility(&partner, &case, ctx.today).is_ok());
        // The report: refused, with the reason the reports category was withheld.
        let refused = policy.decide_progress_report(&partner, &case, ctx.today).unwrap_err();
        assert!(matches!(refused, DenyReason::NoConsent { .. }), "{refused:?}");
        // The project worker has the report on the assignment.
        let own =
            Actor { user: worker, organisation: policy.foundation, role: Role::ProjectWorker, grant: Grant::NONE };
        assert_eq!(policy.decide_progress_report(&own, &case, ctx.today).unwrap().1, Basis::Assignment);
    }
}
