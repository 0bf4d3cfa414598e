//! Accountability and reporting: the subsidy report, the progress report per participant
//! (5.2.e) and the chain-partner meeting's agenda (3.2.f/g), with their renderings.
//!
//! - [`subsidy`]: [`SubsidyReport`], computed by [`SubsidyReport::compute`] from aggregated
//!   [`SubsidyFacts`]; its counting rules are on that page. [`Figure`] and [`Slice`] name any
//!   figure for a [`Drilldown`] to the participant, contact and session ids behind it.
//! - [`progress`]: [`ProgressReport::generate`] from a [`Case`](crate::Case).
//! - [`agenda`]: [`agenda_reasons`] and [`MeetingAgenda::build`].
//! - [`render`]: Markdown, and printable self-contained HTML pages with inline SVG charts.
//!
//! [`ReportingService`] is the application API for all of it; the store implements it (the
//! same way as [`PerspectiefService`](crate::service::PerspectiefService): authorised with the
//! access policy and audited, denials included), and adapters (CLI, gRPC) call it.
//!
//! # Access
//!
//! | call | resource and action | who |
//! |---|---|---|
//! | [`ReportingService::subsidy_report`] | subsidy reports, read | project worker, project lead, municipal case manager, auditor; outside the foundation with small breakdown cells suppressed ([`SubsidyReport::suppress_small_cells`]) |
//! | [`ReportingService::subsidy_drilldown`] | subsidy reports, read | the same roles, of the foundation's own organisation only (ids re-identify persons in small cells) |
//! | [`ReportingService::progress_report`] | the participant's `reports` data, read | the assigned project worker, the project lead, the municipal case manager and a chain partner with the participant's consent; each sees only the sections whose category it may read |
//! | [`ReportingService::zrm_cohort`] | subsidy reports, read | as the subsidy report; outside the foundation only guidance domains, small figures suppressed |
//! | [`ReportingService::meeting_agenda`] | chain meetings, read | project workers and the project lead |
//! | [`ReportingService::late_entries`] | late entries, search | the project lead |
//! | [`ReportingService::late_entry_policy`] | late entries, read | the project lead |
//!
//! A drill-down names participants by internal id only, never by name.

use std::future::Future;

use chrono::NaiveDate;

use crate::error::DomainError;
use crate::ids::{ParticipantId, SubsidyPeriodId};
use crate::late::{LateEntry, LateEntryPolicy, LateEntryQuery};
use crate::service::{Caller, Page};

pub mod agenda;
pub mod progress;
pub mod render;
pub mod subsidy;
pub mod zrm;

pub use agenda::{AgendaEntry, AgendaQuery, MeetingAgenda, PreviousDecision, agenda_reasons};
pub use progress::{
    AgreementLine, ContactLine, GoalLine, HandoverLine, JudgmentLine, ObstacleLine, PlanLine, ProgressReport,
    ReferralLine,
};
pub use subsidy::{
    Breakdowns, Count, DEFAULT_MIN_CELL, Drilldown, Figure, FigureQuery, FigureSource, FunnelStage, FunnelStep,
    Measure, MeasureFigures, OutflowCell, OutflowFigures, PersonCell, SessionFigures, SessionMonth, Slice,
    SubsidyFacts, SubsidyReport, YearMonth, counted_days,
};

pub use zrm::{ZrmCohort, ZrmCohortDomain};

/// The reporting API. Every call is authorised for `caller` with the access policy and
/// recorded in the access log (denials included) before the answer is returned.
pub trait ReportingService: Send + Sync {
    /// The subsidy report of a period as of a day (see [`subsidy`] for what counts).
    /// Fails with `not_found` for an unknown period.
    fn subsidy_report(
        &self,
        caller: &Caller,
        period: SubsidyPeriodId,
        as_of: NaiveDate,
    ) -> impl Future<Output = Result<SubsidyReport, DomainError>> + Send;

    /// The participants, contact moments and sessions behind one figure of the subsidy report
    /// of a period as of a day.
    fn subsidy_drilldown(
        &self,
        caller: &Caller,
        period: SubsidyPeriodId,
        as_of: NaiveDate,
        query: FigureQuery,
    ) -> impl Future<Output = Result<Drilldown, DomainError>> + Send;

    /// A participant's progress report for the days `from` to `to` (inclusive), holding only
    /// what the caller may read. Render it with [`ProgressReport::to_markdown`] or
    /// [`ProgressReport::to_html`]; record the sending with the case command
    /// `RecordProgressReport`.
    fn progress_report(
        &self,
        caller: &Caller,
        participant: ParticipantId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> impl Future<Output = Result<ProgressReport, DomainError>> + Send;

    /// The self-reliance cohort view of a subsidy period (see [`zrm`] for the rule): inside
    /// the foundation every domain; outside it only the guidance domains, with figures of fewer
    /// than the smallest cell suppressed. The same access as the subsidy report.
    fn zrm_cohort(
        &self,
        caller: &Caller,
        period: SubsidyPeriodId,
    ) -> impl Future<Output = Result<ZrmCohort, DomainError>> + Send;

    /// The agenda of a chain-partner meeting.
    fn meeting_agenda(
        &self,
        caller: &Caller,
        query: AgendaQuery,
    ) -> impl Future<Output = Result<MeetingAgenda, DomainError>> + Send;

    /// The entries recorded late in a period ([`crate::late`]), oldest recording first, a page
    /// at a time: ids, kinds of change, dates and who recorded them, never content. Late by
    /// the foundation's threshold in force now ([`ReportingService::late_entry_policy`]).
    fn late_entries(
        &self,
        caller: &Caller,
        query: LateEntryQuery,
    ) -> impl Future<Output = Result<Page<LateEntry>, DomainError>> + Send;

    /// The foundation's late-entry threshold ([`LateEntryPolicy::default`] until it is set).
    fn late_entry_policy(&self, caller: &Caller) -> impl Future<Output = Result<LateEntryPolicy, DomainError>> + Send;
}
