//! The application API: one trait, [`PerspectiefService`], in domain types.
//!
//! The store implements it locally (authorise with [`crate::access::AccessPolicy::decide`] → load → decide
//! with the core → save the new state, its events and its audit record in one transaction);
//! the gRPC crate serves it to the network and its client implements it remotely. A single
//! conformance suite runs against every implementation.
//!
//! Implementations must honour these contracts, which the conformance suite checks:
//! - every call is authorised for `caller` and audited, denials included;
//! - a read's audit record is durable before the answer is returned;
//! - a write is all or nothing: state, events and audit record together;
//! - `expected_version` (when given) must equal the stored version, or the call fails with
//!   [`DomainError::VersionConflict`] naming the current version, and nothing is written;
//! - errors are [`DomainError`]s; infrastructure failures are `unavailable` or `internal`,
//!   never SQL text, paths or personal data.

use std::fmt;
use std::future::Future;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::access::{Action, Actor, Basis, DataCategory};
use crate::accounts::UserAccount;
use crate::activity::SubsidyPeriod;
use crate::case::{Case, CaseCommand, CaseEvent, RegisterParticipant};
use crate::error::DomainError;
use crate::ids::{
    AgreementId, GoalId, JudgmentId, MeetingId, OrganisationId, ParticipantId, ReferralId, SessionId, UserId,
};
use crate::meeting::{ChainMeeting, MeetingCommand};
use crate::plan::Direction;
use crate::returns::Recipient;
use crate::session::{InformationSession, PlanSession, SessionCommand};
use crate::trajectory::Phase;
use crate::view::CaseView;

/// Why data is accessed (recorded in the access log, NEN 7513).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// Guiding the participant (the daily case work).
    CaseWork,
    /// Reporting to the municipality and accounting for the subsidy.
    Reporting,
    /// Cooperation in the chain (a partner's own task for this person).
    ChainCooperation,
    /// The participant's own rights (access, rectification, erasure).
    SubjectRights,
    /// Checking the access log.
    Audit,
    /// Managing the system.
    Administration,
}

impl Purpose {
    /// Stable snake_case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::CaseWork => "case_work",
            Self::Reporting => "reporting",
            Self::ChainCooperation => "chain_cooperation",
            Self::SubjectRights => "subject_rights",
            Self::Audit => "audit",
            Self::Administration => "administration",
        }
    }
}

impl Purpose {
    /// The purposes a role may state; the first is its default. The access log records the
    /// purpose, so a role cannot claim one that is not its own.
    pub const fn permitted_for(role: crate::access::Role) -> &'static [Purpose] {
        use crate::access::Role;
        match role {
            Role::ChainPartner => &[Purpose::ChainCooperation],
            Role::MunicipalCaseManager => &[Purpose::ChainCooperation, Purpose::Reporting],
            Role::Auditor => &[Purpose::Audit],
            Role::Administrator => &[Purpose::Administration],
            Role::ProjectWorker => &[Purpose::CaseWork, Purpose::Reporting, Purpose::SubjectRights],
            Role::ProjectLead => &[Purpose::CaseWork, Purpose::Reporting, Purpose::SubjectRights, Purpose::Audit],
        }
    }
}

/// Who calls, for whom, why and from where: authorisation and the access log need all four.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Caller {
    /// The authenticated actor.
    pub actor: Actor,
    /// The person on whose behalf the actor works, if any.
    pub on_behalf_of: Option<UserId>,
    /// Why.
    pub purpose: Purpose,
    /// The client's address (for remote calls) or `local`.
    pub client: String,
}

impl Caller {
    /// A staff member working locally on case work.
    pub fn local(actor: Actor) -> Self {
        Self { actor, on_behalf_of: None, purpose: Purpose::CaseWork, client: "local".to_owned() }
    }
}

/// What authorising a case command needs: the action and the data category it touches (for a
/// referral or an agreement, the category of that record's content).
pub fn command_access(case: &Case, cmd: &CaseCommand) -> (Action, DataCategory) {
    use Action::{Create, Update};
    use DataCategory as C;
    match cmd {
        CaseCommand::AdvanceReferral { referral, .. } => {
            (Update, case.referral(*referral).map_or(C::Guidance, |r| r.domain.category()))
        }
        CaseCommand::SettleAgreement { agreement, .. } => {
            (Update, case.agreements_with_category().find(|(a, _)| a.id == *agreement).map_or(C::Guidance, |(_, c)| c))
        }
        CaseCommand::UpdateProfile { .. } | CaseCommand::AssignProjectWorker { .. } => (Update, C::Identity),
        CaseCommand::LogContact(c) => (Create, c.category),
        CaseCommand::AddAgreement { category, .. } => (Create, *category),
        CaseCommand::ProposeReferral { domain, .. } => (Create, domain.category()),
        CaseCommand::SetGoal(_) | CaseCommand::RecordSelfReliance { .. } | CaseCommand::GiveConsent { .. } => {
            (Create, C::Guidance)
        }
        CaseCommand::ChangePhase { .. }
        | CaseCommand::ChangeDirection { .. }
        | CaseCommand::RevisePlan { .. }
        | CaseCommand::AgreePlan { .. }
        | CaseCommand::ChangeGoalStatus { .. }
        | CaseCommand::UpdateGoalSteps { .. }
        | CaseCommand::WithdrawConsent { .. }
        | CaseCommand::SetReportingSchedule { .. }
        | CaseCommand::RecordOutflow { .. } => (Update, C::Guidance),
        CaseCommand::StartReturnExploration { .. }
        | CaseCommand::IdentifyObstacle { .. }
        | CaseCommand::RecordJudgment { .. }
        | CaseCommand::RecordDepartureStep(_) => (Create, C::Return),
        CaseCommand::RecordReturnStance { .. }
        | CaseCommand::UpdateReturnExploration { .. }
        | CaseCommand::ActOnObstacle { .. }
        | CaseCommand::UpdateReintegrationPlan(_)
        | CaseCommand::UpdateReanChecklist(_)
        | CaseCommand::PlanDeparture { .. }
        | CaseCommand::RecordJudgmentCommunicated { .. }
        | CaseCommand::RecordConsequencesExplained { .. } => (Update, C::Return),
        CaseCommand::RecordProgressReport { .. } => (Create, C::Reports),
        CaseCommand::SetConfidentiality { category, .. } => (Update, *category),
    }
}

/// The result of a case command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Executed {
    /// The case's version afterwards.
    pub version: u64,
    /// The events it recorded (empty when the command changed nothing).
    pub events: Vec<CaseEvent>,
}

/// The number of items a listing returns when the caller does not say.
pub const DEFAULT_PAGE_SIZE: u32 = 50;
/// The most items one listing returns; larger requests are served this many.
pub const MAX_PAGE_SIZE: u32 = 500;

/// The number of items a listing asked for `requested` returns at most: 0 means
/// [`DEFAULT_PAGE_SIZE`], and sizes above [`MAX_PAGE_SIZE`] are capped.
///
/// ```
/// use perspectief_core::service::{page_limit, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
/// assert_eq!(page_limit(0), DEFAULT_PAGE_SIZE);
/// assert_eq!(page_limit(7), 7);
/// assert_eq!(page_limit(10_000), MAX_PAGE_SIZE);
/// ```
pub const fn page_limit(requested: u32) -> u32 {
    if requested == 0 {
        DEFAULT_PAGE_SIZE
    } else if requested > MAX_PAGE_SIZE {
        MAX_PAGE_SIZE
    } else {
        requested
    }
}

/// A page request. `page_size` 0 means [`DEFAULT_PAGE_SIZE`]; larger sizes than
/// [`MAX_PAGE_SIZE`] are capped (see [`page_limit`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRequest {
    /// How many items at most.
    pub page_size: u32,
    /// The token from the previous page, if any.
    pub page_token: Option<String>,
}

/// One page of results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Page<T> {
    /// The items.
    pub items: Vec<T>,
    /// The token for the next page, absent on the last page.
    pub next_page_token: Option<String>,
}

/// Which participants to list.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParticipantFilter {
    /// Only those of this project worker.
    pub project_worker: Option<UserId>,
    /// Only those in this phase.
    pub phase: Option<Phase>,
    /// Only those registered on or after this day.
    pub registered_from: Option<NaiveDate>,
    /// Include closed trajectories (default: only active ones).
    pub include_closed: bool,
}

/// A participant in a listing: enough to find the right person, nothing more.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParticipantSummary {
    /// Id.
    pub id: ParticipantId,
    /// Name for display to staff.
    pub display_name: String,
    /// Phase.
    pub phase: Phase,
    /// Direction.
    pub direction: Direction,
    /// Project worker.
    pub project_worker: UserId,
    /// Registration day.
    pub registered_on: NaiveDate,
    /// The trajectory's last day.
    pub limit_on: NaiveDate,
    /// The day of the latest contact (Amsterdam date).
    pub last_contact_on: Option<NaiveDate>,
    /// The case's version.
    pub version: u64,
}

/// The worklist's parameters; each list follows the core's rule of the same name
/// ([`Case::overdue_goals`], [`Case::agreements_due_within`], ...).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorklistQuery {
    /// Only this project worker's participants; all when absent.
    pub project_worker: Option<UserId>,
    /// The day the list is for.
    pub today: NaiveDate,
    /// "Due soon" window in days.
    pub due_within_days: u32,
    /// Flag people without contact for more than this many days.
    pub no_contact_days: u32,
    /// Warn this many days before the 18-month limit.
    pub limit_lead_days: u32,
    /// Flag sent referrals without an answer for more than this many days.
    pub referral_answer_days: u32,
    /// Flag people without a self-reliance (ZRM) assessment for more than this many months
    /// ([`Case::without_assessment_since`]).
    #[serde(default = "default_assessment_months")]
    pub no_assessment_months: u32,
    /// Goals whose deadline lies within this many days ([`Case::goals_due_within`]).
    #[serde(default = "default_goal_due_days")]
    pub goal_due_within_days: u32,
    /// At most this many items of each list on one page; 0: every item, on one page.
    #[serde(default)]
    pub page_size: u32,
    /// Where the page starts: the `next_page_token` of the previous page of the same query
    /// (the same caller, worker, day, windows and page size); `None` for the first page.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_token: Option<String>,
}

/// Six months: the default interval between ZRM assessments on the worklist.
pub const DEFAULT_ASSESSMENT_MONTHS: u32 = 6;

fn default_assessment_months() -> u32 {
    DEFAULT_ASSESSMENT_MONTHS
}

/// Two weeks: the default "due soon" window for goals on the worklist and the agenda (a goal
/// is a larger step than an agreement, so it is announced earlier).
pub const DEFAULT_GOAL_DUE_DAYS: u32 = 14;

fn default_goal_due_days() -> u32 {
    DEFAULT_GOAL_DUE_DAYS
}

impl WorklistQuery {
    /// The defaults for a day: one week ahead, two weeks without contact, twelve weeks
    /// before the limit, two weeks for a partner's answer.
    pub fn for_day(today: NaiveDate) -> Self {
        Self {
            project_worker: None,
            today,
            due_within_days: 7,
            no_contact_days: 14,
            limit_lead_days: crate::trajectory::DEFAULT_LIMIT_WARNING_DAYS,
            referral_answer_days: 14,
            no_assessment_months: DEFAULT_ASSESSMENT_MONTHS,
            goal_due_within_days: DEFAULT_GOAL_DUE_DAYS,
            page_size: 0,
            page_token: None,
        }
    }
}

/// What a worklist line points at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum WorkSubject {
    /// A goal.
    Goal(GoalId),
    /// An agreement.
    Agreement(AgreementId),
    /// A referral.
    Referral(ReferralId),
    /// The participant as a whole (no contact, near the limit, a progress report due).
    Participant,
    /// A final judgment not yet communicated to this recipient.
    Communication {
        /// The judgment.
        judgment: JudgmentId,
        /// Who has not heard it.
        to: Recipient,
    },
}

/// One line of a worklist: whose, what, and the date that matters (deadline, due date, last
/// contact, limit, sent date).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct WorkItem {
    /// The participant.
    pub participant: ParticipantId,
    /// What.
    pub subject: WorkSubject,
    /// The date that matters.
    pub date: NaiveDate,
}

/// A project worker's worklist, each list sorted by date then participant.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Worklist {
    /// Goals past their deadline.
    pub overdue_goals: Vec<WorkItem>,
    /// Agreements past their due date.
    pub overdue_agreements: Vec<WorkItem>,
    /// Agreements due within the window.
    pub agreements_due: Vec<WorkItem>,
    /// People without contact for too long (date: last contact, or registration).
    pub without_contact: Vec<WorkItem>,
    /// Trajectories near or past their limit (date: the limit).
    pub near_limit: Vec<WorkItem>,
    /// Referrals sent without an answer (date: sent).
    pub unanswered_referrals: Vec<WorkItem>,
    /// People without a self-reliance assessment for too long (date: the latest assessment,
    /// or the registration).
    #[serde(default)]
    pub without_assessment: Vec<WorkItem>,
    /// Goals still pursued whose deadline lies within the goals' window (date: the deadline).
    #[serde(default)]
    pub goals_due: Vec<WorkItem>,
    /// Final judgments not yet communicated, one line per recipient not told (date: from
    /// when it is expected, [`ExpectedCommunication::from`](crate::case::ExpectedCommunication)).
    #[serde(default)]
    pub uncommunicated_judgments: Vec<WorkItem>,
    /// Progress reports due within the window or overdue (date: the due day,
    /// [`Case::progress_report_due`]).
    #[serde(default)]
    pub reports_due: Vec<WorkItem>,
    /// Trajectories past their 18-month limit without a termination advice ever given
    /// ([`Case::past_limit_without_advice`]; date: the limit).
    #[serde(default)]
    pub past_limit_without_advice: Vec<WorkItem>,
    /// The token of the next page when a list has more items than the page size (each list
    /// goes on where it stopped; a list that ended stays empty on the following pages).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_page_token: Option<String>,
}

/// A case event in the event feed, with its position (the cursor to resume after it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedEvent {
    /// The position in the feed: increasing, gap-free over all events (a caller sees only the
    /// events it is entitled to, so its positions can skip).
    pub position: u64,
    /// The event.
    pub event: CaseEvent,
}

/// One read of the event feed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FeedPage {
    /// The events the caller may see, oldest first.
    pub events: Vec<FeedEvent>,
    /// Where to resume: the last position examined (events the caller may not see are skipped,
    /// not returned), or the position asked for when nothing new exists.
    pub cursor: u64,
}

/// The outcome of an audited call.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditOutcome {
    /// Done.
    Success,
    /// Refused by the access policy.
    Denied,
    /// Refused by a rule or failed.
    Failed,
}

impl AuditOutcome {
    /// Stable snake_case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Denied => "denied",
            Self::Failed => "failed",
        }
    }
}

/// One access-log entry: who (user, organisation, role, on whose behalf), what (action, which
/// participant by internal id, which data category, which operation), why (purpose, basis),
/// the outcome, when and from where. Never a name or free text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// The user.
    pub user: UserId,
    /// Their organisation.
    pub organisation: OrganisationId,
    /// Their role.
    pub role: crate::access::Role,
    /// On whose behalf.
    pub on_behalf_of: Option<UserId>,
    /// The action.
    pub action: Action,
    /// The participant concerned, if any.
    pub participant: Option<ParticipantId>,
    /// The data category, if one (absent for a whole case file or a non-personal resource).
    pub category: Option<DataCategory>,
    /// The operation (a stable snake_case name such as `get_case` or `goal_set`).
    pub operation: String,
    /// Why.
    pub purpose: Purpose,
    /// The basis on which it was allowed.
    pub basis: Option<Basis>,
    /// The outcome.
    pub outcome: AuditOutcome,
    /// The error code, when not successful.
    pub error_code: Option<String>,
    /// The client's address.
    pub client: String,
}

impl AuditEntry {
    /// An entry for `caller` doing `action` now.
    pub fn new(caller: &Caller, at: DateTime<Utc>, action: Action, operation: &str) -> Self {
        Self {
            at,
            user: caller.actor.user,
            organisation: caller.actor.organisation,
            role: caller.actor.role,
            on_behalf_of: caller.on_behalf_of,
            action,
            participant: None,
            category: None,
            operation: operation.to_owned(),
            purpose: caller.purpose,
            basis: None,
            outcome: AuditOutcome::Success,
            error_code: None,
            client: clean_client(&caller.client),
        }
    }

    /// Record the outcome of a result.
    pub fn with_outcome<T>(mut self, result: &Result<T, DomainError>) -> Self {
        match result {
            Ok(_) => self.outcome = AuditOutcome::Success,
            Err(DomainError::AccessDenied(_)) => {
                self.outcome = AuditOutcome::Denied;
                self.error_code = Some("access_denied".to_owned());
            }
            Err(e) => {
                self.outcome = AuditOutcome::Failed;
                self.error_code = Some(e.code().to_owned());
            }
        }
        self
    }
}

/// A stored access-log record: its place in the hash chain and the entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditRecord {
    /// Sequence number, from 1, without gaps.
    pub seq: u64,
    /// The entry.
    pub entry: AuditEntry,
    /// Hex SHA-256 of the previous record (zeros for the first).
    pub prev_hash: String,
    /// Hex SHA-256 of this record.
    pub hash: String,
}

/// The result of walking the hash chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum ChainVerification {
    /// Every record links to its predecessor and hashes to its stored hash.
    Intact {
        /// How many records.
        records: u64,
        /// The head's hash.
        head: String,
    },
    /// The first broken sequence number and what is wrong there.
    Broken {
        /// The first sequence number that does not verify.
        first_broken_seq: u64,
        /// What is wrong.
        reason: String,
    },
}

impl fmt::Display for ChainVerification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Intact { records, head } => write!(f, "intact: {records} records, head {head}"),
            Self::Broken { first_broken_seq, reason } => write!(f, "broken at sequence {first_broken_seq}: {reason}"),
        }
    }
}

/// The application API. See the module documentation for the contracts.
pub trait PerspectiefService: Send + Sync {
    /// Register a participant; returns the new case.
    fn register_participant(
        &self,
        caller: &Caller,
        cmd: RegisterParticipant,
    ) -> impl Future<Output = Result<Case, DomainError>> + Send;

    /// Execute a command on a case.
    fn execute(
        &self,
        caller: &Caller,
        participant: ParticipantId,
        expected_version: Option<u64>,
        cmd: CaseCommand,
    ) -> impl Future<Output = Result<Executed, DomainError>> + Send;

    /// Read a whole case file: for a reader who may see all of it (content of a need-to-know
    /// category may be hidden); anyone else is denied with the reason the first withheld
    /// category is withheld. Partners read [`PerspectiefService::case_view`].
    fn get_case(
        &self,
        caller: &Caller,
        participant: ParticipantId,
    ) -> impl Future<Output = Result<Case, DomainError>> + Send;

    /// Read what the caller may see of one case file
    /// ([`AccessPolicy::decide_visibility`](crate::access::AccessPolicy::decide_visibility)):
    /// the categories shown, the referrals and consents of the caller's own, and the withheld
    /// categories with their reasons. Denied only when the caller may see nothing of it.
    /// Every category shown and every category withheld is recorded in the access log.
    fn case_view(
        &self,
        caller: &Caller,
        participant: ParticipantId,
    ) -> impl Future<Output = Result<CaseView, DomainError>> + Send;

    /// A case's events after a version that the caller may see, oldest first, at most
    /// `limit`, each as [`Visibility::event`](crate::view::Visibility::event) shows it to the
    /// caller; fewer than `limit` means there are no more visible events now. Denied only when
    /// the caller may see nothing of the case.
    fn case_events(
        &self,
        caller: &Caller,
        participant: ParticipantId,
        after_version: u64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<CaseEvent>, DomainError>> + Send;

    /// The events after a feed position that the caller may see, examining at most `limit`
    /// positions. Each event is decided by the same decision as the case file
    /// ([`Visibility::event`](crate::view::Visibility::event): the rule of its kind, against
    /// the case and the participant's consents at the time of the call). What is shown is
    /// logged per participant and category; what is withheld of a person the caller may see
    /// part of is logged as a denial (the feed passes over everyone: people the caller may see
    /// nothing of are not accessed, and not logged).
    fn watch_events(
        &self,
        caller: &Caller,
        after_position: u64,
        limit: u32,
    ) -> impl Future<Output = Result<FeedPage, DomainError>> + Send;

    /// List participants.
    fn list_participants(
        &self,
        caller: &Caller,
        filter: ParticipantFilter,
        page: PageRequest,
    ) -> impl Future<Output = Result<Page<ParticipantSummary>, DomainError>> + Send;

    /// A worklist.
    fn worklist(
        &self,
        caller: &Caller,
        query: WorklistQuery,
    ) -> impl Future<Output = Result<Worklist, DomainError>> + Send;

    /// Plan an information session.
    fn plan_session(
        &self,
        caller: &Caller,
        cmd: PlanSession,
    ) -> impl Future<Output = Result<InformationSession, DomainError>> + Send;

    /// Execute a command on a session.
    fn execute_session(
        &self,
        caller: &Caller,
        session: SessionId,
        expected_version: Option<u64>,
        cmd: SessionCommand,
    ) -> impl Future<Output = Result<InformationSession, DomainError>> + Send;

    /// Read a session.
    fn get_session(
        &self,
        caller: &Caller,
        session: SessionId,
    ) -> impl Future<Output = Result<InformationSession, DomainError>> + Send;

    /// Sessions on days from `from` to `to` (inclusive), by date.
    fn list_sessions(
        &self,
        caller: &Caller,
        from: NaiveDate,
        to: NaiveDate,
    ) -> impl Future<Output = Result<Vec<InformationSession>, DomainError>> + Send;

    /// Schedule a chain-partner meeting.
    fn schedule_meeting(
        &self,
        caller: &Caller,
        meeting: MeetingId,
        date: NaiveDate,
    ) -> impl Future<Output = Result<ChainMeeting, DomainError>> + Send;

    /// Execute a command on a meeting.
    fn execute_meeting(
        &self,
        caller: &Caller,
        meeting: MeetingId,
        expected_version: Option<u64>,
        cmd: MeetingCommand,
    ) -> impl Future<Output = Result<ChainMeeting, DomainError>> + Send;

    /// Read a meeting.
    fn get_meeting(
        &self,
        caller: &Caller,
        meeting: MeetingId,
    ) -> impl Future<Output = Result<ChainMeeting, DomainError>> + Send;

    /// The meetings on the days from `from` to `to` (inclusive), newest first, a page at a
    /// time (the token binds to the caller and the days). Searching meetings is for the
    /// foundation's project workers and lead, as every read of a meeting is: a meeting's items
    /// name the people discussed with the reasons, so chain partners, who take part in the
    /// meeting, get no listing of the foundation's record of it (the access matrix gives
    /// them no access to meetings at all).
    fn list_meetings(
        &self,
        caller: &Caller,
        days: crate::time::DateRange,
        page: PageRequest,
    ) -> impl Future<Output = Result<Page<ChainMeeting>, DomainError>> + Send;

    /// Adopt the generated agenda of the meeting's day (the default thresholds of
    /// [`crate::report::AgendaQuery::for_meeting`]) as the meeting's items in one step: every
    /// person on it who is not on the meeting yet is added with the agenda's reasons, all or
    /// nothing ([`ChainMeeting::adopt_agenda`]). Needs reading the agenda and updating the
    /// meeting.
    fn adopt_agenda(
        &self,
        caller: &Caller,
        meeting: MeetingId,
        expected_version: Option<u64>,
    ) -> impl Future<Output = Result<ChainMeeting, DomainError>> + Send;

    /// Define a subsidy period with its targets.
    fn define_subsidy_period(
        &self,
        caller: &Caller,
        period: SubsidyPeriod,
    ) -> impl Future<Output = Result<(), DomainError>> + Send;

    /// All subsidy periods, by start.
    fn subsidy_periods(&self, caller: &Caller) -> impl Future<Output = Result<Vec<SubsidyPeriod>, DomainError>> + Send;

    /// Access-log records after a sequence number, oldest first, optionally for one participant.
    fn audit_log(
        &self,
        caller: &Caller,
        participant: Option<ParticipantId>,
        after_seq: u64,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<AuditRecord>, DomainError>> + Send;

    /// Walk the access log's hash chain.
    fn verify_audit_log(&self, caller: &Caller) -> impl Future<Output = Result<ChainVerification, DomainError>> + Send;
}

/// A client address as it goes into the access log: no control characters (a NUL would break
/// some databases' text columns), at most 200 characters.
fn clean_client(client: &str) -> String {
    let cleaned: String = client.chars().filter(|c| !c.is_control()).take(200).collect();
    if cleaned.is_empty() { "unknown".to_owned() } else { cleaned }
}

/// Why a presented credential was not accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AuthFailure {
    /// The token is unknown, expired or revoked, or its account is disabled.
    #[error("{0}")]
    Rejected(crate::accounts::TokenRejection),
    /// The credential store cannot be reached.
    #[error("authentication is unavailable")]
    Unavailable,
}

/// Turns a bearer token into the actor it acts as (implemented by the store; used by the gRPC
/// server's authentication layer).
pub trait Authenticator: Send + Sync {
    /// The actor of a token, or why not.
    fn authenticate(&self, token: &str) -> impl Future<Output = Result<Actor, AuthFailure>> + Send;
}

/// The accounts a caller may name as the person it works for (implemented by the store; used
/// by the gRPC server's authentication layer for `on_behalf_of`, see [`may_act_for`]).
pub trait UserDirectory: Send + Sync {
    /// The account with this id, `None` for an unknown one.
    fn account(&self, user: UserId) -> impl Future<Output = Result<Option<UserAccount>, AuthFailure>> + Send;

    /// Record in the access log a refusal decided before the call reached the service (a
    /// purpose the caller's role may not state, [`crate::access::AccessPolicy::decide_purpose`]):
    /// `caller` as authenticated, with the purpose it stated, `action` and `operation` as far
    /// as the request says. Durable before the refusal is answered, as every refusal is.
    fn record_refusal(
        &self,
        caller: &Caller,
        action: crate::access::Action,
        operation: &str,
        reason: crate::access::DenyReason,
    ) -> impl Future<Output = Result<(), AuthFailure>> + Send;
}

/// Whether `actor` may say it works on behalf of `account` (the `on_behalf_of` of a
/// [`Caller`], which the access log records as the person behind a read): only for an enabled
/// account of its own organisation. A partner's system names its own employee; it cannot
/// attribute its reads to the foundation's staff or to another partner's people.
pub fn may_act_for(actor: &Actor, account: Option<&UserAccount>) -> bool {
    account.is_some_and(|a| a.organisation == actor.organisation && !a.disabled)
}

#[cfg(test)]
mod tests {
    #[test]
    fn client_addresses_are_cleaned_for_the_log() {
        assert_eq!(super::clean_client("10.0.0.1:5\u{0}0"), "10.0.0.1:50");
        assert_eq!(super::clean_client(""), "unknown");
        assert_eq!(super::clean_client(&"x".repeat(500)).len(), 200);
    }
}
