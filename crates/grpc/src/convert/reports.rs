//! Reports (`report.proto`): the subsidy report with its figures and breakdowns, the
//! drill-down request and answer, the progress report and the meeting agenda, both ways.
//!
//! Months are `YYYY-MM` strings. Proto → core ignores the output-only renderings
//! (`markdown`), so a client rebuilds exactly the report the server computed.

use chrono::NaiveDate;
use perspectief_core::ViolationCode;
use perspectief_core::late::{LateEntry, LateEntryPolicy, LateEntryQuery};
use perspectief_core::report::{
    AgendaEntry, AgendaQuery, AgreementLine, Breakdowns, ContactLine, Count, Drilldown, Figure, FigureQuery,
    FunnelStage, FunnelStep, GoalLine, HandoverLine, JudgmentLine, Measure, MeasureFigures, MeetingAgenda,
    ObstacleLine, OutflowFigures, PlanLine, PreviousDecision, ProgressReport, ReferralLine, SessionFigures,
    SessionMonth, Slice, SubsidyReport, YearMonth, ZrmCohort, ZrmCohortDomain,
};
use perspectief_core::service::PageRequest;
use perspectief_core::{CountryCode, DomainError, Durability, OutflowOutcome, UserId};

use super::{
    Field, FromProto, ToProto, opt_enum, opt_enum_to_proto, opt_string, opt_to_string, optional, parse_name, repeated,
    required, resource_name, to_protos,
};
use crate::convert::message;
use crate::pb;

/// The collection of meetings in resource names.
const MEETINGS: &str = "meetings";

super::proto_enum!(FunnelStage: Reached, OrientationTalk, Plan, ReturnExploration, ObstaclesRemoved, Departed);

impl ToProto for YearMonth {
    type Proto = String;
    fn to_proto(&self) -> String {
        self.to_string()
    }
}

impl FromProto<String> for YearMonth {
    fn from_proto(proto: String, at: &Field) -> Result<Self, DomainError> {
        if proto.trim().is_empty() {
            return Err(at.missing());
        }
        YearMonth::parse(&proto).map_err(|e| at.value(e))
    }
}

// ---- Measures, figures, slices --------------------------------------------------------------

impl ToProto for Measure {
    type Proto = pb::Measure;
    fn to_proto(&self) -> pb::Measure {
        use pb::measure::Measure as M;
        let measure = match self {
            Self::Activity(code) => M::Activity(code.to_proto()),
            Self::Theme(theme) => M::Theme(theme.to_proto()),
            Self::Reached => M::Reached(()),
        };
        pb::Measure { measure: Some(measure) }
    }
}

impl FromProto<pb::Measure> for Measure {
    fn from_proto(proto: pb::Measure, at: &Field) -> Result<Self, DomainError> {
        use pb::measure::Measure as M;
        match proto.measure {
            Some(M::Activity(code)) => FromProto::from_proto(code, &at.child("activity")).map(Self::Activity),
            Some(M::Theme(theme)) => FromProto::from_proto(theme, &at.child("theme")).map(Self::Theme),
            Some(M::Reached(())) => Ok(Self::Reached),
            None => Err(at.invalid(ViolationCode::Required, "set the activity, the theme or reached")),
        }
    }
}

impl ToProto for Figure {
    type Proto = pb::Figure;
    fn to_proto(&self) -> pb::Figure {
        use pb::figure::Figure as F;
        let figure = match self {
            Self::Measure(m) => F::Measure(m.to_proto()),
            Self::Outflow(o) => F::Outflow(o.to_proto()),
            Self::Durability(d) => F::Durability(d.to_proto()),
            Self::Departed => F::Departed(()),
        };
        pb::Figure { figure: Some(figure) }
    }
}

impl FromProto<pb::Figure> for Figure {
    fn from_proto(proto: pb::Figure, at: &Field) -> Result<Self, DomainError> {
        use pb::figure::Figure as F;
        match proto.figure {
            Some(F::Measure(m)) => FromProto::from_proto(m, &at.child("measure")).map(Self::Measure),
            Some(F::Outflow(o)) => FromProto::from_proto(o, &at.child("outflow")).map(Self::Outflow),
            Some(F::Durability(d)) => FromProto::from_proto(d, &at.child("durability")).map(Self::Durability),
            Some(F::Departed(())) => Ok(Self::Departed),
            None => Err(at.invalid(ViolationCode::Required, "set the measure, outflow, durability or departed")),
        }
    }
}

impl ToProto for Slice {
    type Proto = pb::Slice;
    fn to_proto(&self) -> pb::Slice {
        use pb::slice::{LocationKey, NationalityKey, Slice as S};
        let slice = match self {
            Self::All => S::All(()),
            Self::Month(m) => S::Month(m.to_proto()),
            Self::Nationality(c) => {
                S::Nationality(NationalityKey { country: c.as_ref().map(ToProto::to_proto).unwrap_or_default() })
            }
            Self::Location(l) => S::Location(LocationKey { location: l.clone() }),
            Self::ProjectWorker(u) => S::ProjectWorker(u.to_proto()),
        };
        pb::Slice { slice: Some(slice) }
    }
}

/// A slice; absent (or `all`) is the whole figure.
impl FromProto<pb::Slice> for Slice {
    fn from_proto(proto: pb::Slice, at: &Field) -> Result<Self, DomainError> {
        use pb::slice::Slice as S;
        Ok(match proto.slice {
            None | Some(S::All(())) => Self::All,
            Some(S::Month(m)) => Self::Month(FromProto::from_proto(m, &at.child("month"))?),
            Some(S::Nationality(n)) => Self::Nationality(super::opt_string::<CountryCode>(
                n.country,
                &at.child("nationality").child("country"),
            )?),
            Some(S::Location(l)) => Self::Location(l.location),
            Some(S::ProjectWorker(u)) => Self::ProjectWorker(UserId::from_proto(u, &at.child("project_worker"))?),
        })
    }
}

impl ToProto for FigureQuery {
    type Proto = (pb::Figure, pb::Slice);
    fn to_proto(&self) -> (pb::Figure, pb::Slice) {
        (self.figure.to_proto(), self.slice.to_proto())
    }
}

/// The figure and slice of a drill-down request (`figure` required, `slice` optional).
impl FromProto<(Option<pb::Figure>, Option<pb::Slice>)> for FigureQuery {
    fn from_proto(proto: (Option<pb::Figure>, Option<pb::Slice>), at: &Field) -> Result<Self, DomainError> {
        Ok(Self {
            figure: required(proto.0, &at.child("figure"))?,
            slice: optional(proto.1, &at.child("slice"))?.unwrap_or_default(),
        })
    }
}

// ---- Counts and breakdowns ------------------------------------------------------------------

impl ToProto for Count<YearMonth> {
    type Proto = pb::MonthCount;
    fn to_proto(&self) -> pb::MonthCount {
        pb::MonthCount { month: self.key.to_proto(), persons: self.persons }
    }
}

impl FromProto<pb::MonthCount> for Count<YearMonth> {
    fn from_proto(p: pb::MonthCount, at: &Field) -> Result<Self, DomainError> {
        Ok(Self { key: FromProto::from_proto(p.month, &at.child("month"))?, persons: p.persons })
    }
}

impl ToProto for Count<Option<CountryCode>> {
    type Proto = pb::NationalityCount;
    fn to_proto(&self) -> pb::NationalityCount {
        pb::NationalityCount {
            country: self.key.as_ref().map(ToProto::to_proto).unwrap_or_default(),
            persons: self.persons,
        }
    }
}

impl FromProto<pb::NationalityCount> for Count<Option<CountryCode>> {
    fn from_proto(p: pb::NationalityCount, at: &Field) -> Result<Self, DomainError> {
        Ok(Self { key: super::opt_string(p.country, &at.child("country"))?, persons: p.persons })
    }
}

impl ToProto for Count<Option<String>> {
    type Proto = pb::LocationCount;
    fn to_proto(&self) -> pb::LocationCount {
        pb::LocationCount { location: self.key.clone(), persons: self.persons }
    }
}

impl FromProto<pb::LocationCount> for Count<Option<String>> {
    fn from_proto(p: pb::LocationCount, _at: &Field) -> Result<Self, DomainError> {
        Ok(Self { key: p.location, persons: p.persons })
    }
}

impl ToProto for Count<UserId> {
    type Proto = pb::ProjectWorkerCount;
    fn to_proto(&self) -> pb::ProjectWorkerCount {
        pb::ProjectWorkerCount { project_worker: self.key.to_proto(), persons: self.persons }
    }
}

impl FromProto<pb::ProjectWorkerCount> for Count<UserId> {
    fn from_proto(p: pb::ProjectWorkerCount, at: &Field) -> Result<Self, DomainError> {
        Ok(Self { key: UserId::from_proto(p.project_worker, &at.child("project_worker"))?, persons: p.persons })
    }
}

impl ToProto for Count<OutflowOutcome> {
    type Proto = pb::OutcomeCount;
    fn to_proto(&self) -> pb::OutcomeCount {
        pb::OutcomeCount { outcome: self.key.to_proto(), persons: self.persons }
    }
}

impl FromProto<pb::OutcomeCount> for Count<OutflowOutcome> {
    fn from_proto(p: pb::OutcomeCount, at: &Field) -> Result<Self, DomainError> {
        Ok(Self { key: FromProto::from_proto(p.outcome, &at.child("outcome"))?, persons: p.persons })
    }
}

impl ToProto for Count<Durability> {
    type Proto = pb::DurabilityCount;
    fn to_proto(&self) -> pb::DurabilityCount {
        pb::DurabilityCount { durability: self.key.to_proto(), persons: self.persons }
    }
}

impl FromProto<pb::DurabilityCount> for Count<Durability> {
    fn from_proto(p: pb::DurabilityCount, at: &Field) -> Result<Self, DomainError> {
        Ok(Self { key: FromProto::from_proto(p.durability, &at.child("durability"))?, persons: p.persons })
    }
}

message!(
    Breakdowns = pb::Breakdowns { by_month: list, by_nationality: list, by_location: list, by_project_worker: list }
);

// ---- The subsidy report ---------------------------------------------------------------------

impl ToProto for MeasureFigures {
    type Proto = pb::MeasureFigures;
    fn to_proto(&self) -> pb::MeasureFigures {
        pb::MeasureFigures {
            measure: Some(self.measure.to_proto()),
            registered_persons: self.registered_persons,
            unregistered_head_count: self.unregistered_head_count,
            realised: self.realised,
            target: self.target,
            percent: self.percent,
            projected: self.projected,
            on_track: self.on_track,
            breakdowns: Some(self.breakdowns.to_proto()),
        }
    }
}

impl FromProto<pb::MeasureFigures> for MeasureFigures {
    fn from_proto(p: pb::MeasureFigures, at: &Field) -> Result<Self, DomainError> {
        Ok(Self {
            measure: required(p.measure, &at.child("measure"))?,
            registered_persons: p.registered_persons,
            unregistered_head_count: p.unregistered_head_count,
            realised: p.realised,
            target: p.target,
            percent: p.percent,
            projected: p.projected,
            on_track: p.on_track,
            breakdowns: optional(p.breakdowns, &at.child("breakdowns"))?.unwrap_or_default(),
        })
    }
}

message!(
    FunnelStep = pb::FunnelStep { stage: val, registered_persons: copy, unregistered_head_count: copy, persons: copy }
);

impl ToProto for OutflowFigures {
    type Proto = pb::OutflowFigures;
    fn to_proto(&self) -> pb::OutflowFigures {
        pb::OutflowFigures {
            total: self.total,
            by_outcome: to_protos(&self.by_outcome),
            by_durability: to_protos(&self.by_durability),
            breakdowns: Some(self.breakdowns.to_proto()),
        }
    }
}

impl FromProto<pb::OutflowFigures> for OutflowFigures {
    fn from_proto(p: pb::OutflowFigures, at: &Field) -> Result<Self, DomainError> {
        Ok(Self {
            total: p.total,
            by_outcome: repeated(p.by_outcome, &at.child("by_outcome"))?,
            by_durability: repeated(p.by_durability, &at.child("by_durability"))?,
            breakdowns: optional(p.breakdowns, &at.child("breakdowns"))?.unwrap_or_default(),
        })
    }
}

message!(SessionMonth = pb::SessionMonth { month: val, sessions: copy, unregistered_head_count: copy });

message!(SessionFigures = pb::SessionFigures { sessions: copy, unregistered_head_count: copy, by_month: list });

impl ToProto for SubsidyReport {
    type Proto = pb::SubsidyReport;
    fn to_proto(&self) -> pb::SubsidyReport {
        pb::SubsidyReport {
            period: resource_name(super::subsidy::COLLECTION, &self.period),
            period_name: self.period_name.clone(),
            starts_on: Some(self.starts_on.to_proto()),
            ends_on: Some(self.ends_on.to_proto()),
            as_of: Some(self.as_of.to_proto()),
            counted_to: self.counted_to.as_ref().map(ToProto::to_proto),
            activities: to_protos(&self.activities),
            themes: to_protos(&self.themes),
            reached: Some(self.reached.to_proto()),
            funnel: to_protos(&self.funnel),
            outflow: Some(self.outflow.to_proto()),
            sessions: Some(self.sessions.to_proto()),
        }
    }
}

impl FromProto<pb::SubsidyReport> for SubsidyReport {
    fn from_proto(p: pb::SubsidyReport, at: &Field) -> Result<Self, DomainError> {
        Ok(Self {
            period: parse_name(super::subsidy::COLLECTION, &p.period, &at.child("period"))?,
            period_name: p.period_name,
            starts_on: required(p.starts_on, &at.child("starts_on"))?,
            ends_on: required(p.ends_on, &at.child("ends_on"))?,
            as_of: required(p.as_of, &at.child("as_of"))?,
            counted_to: optional(p.counted_to, &at.child("counted_to"))?,
            activities: repeated(p.activities, &at.child("activities"))?,
            themes: repeated(p.themes, &at.child("themes"))?,
            reached: required(p.reached, &at.child("reached"))?,
            funnel: repeated(p.funnel, &at.child("funnel"))?,
            outflow: optional(p.outflow, &at.child("outflow"))?.unwrap_or_default(),
            sessions: optional(p.sessions, &at.child("sessions"))?.unwrap_or_default(),
        })
    }
}

message!(
    Drilldown = pb::Drilldown { participants: list, contacts: list, sessions: list, unregistered_head_count: copy }
);

// ---- The progress report --------------------------------------------------------------------

message!(
    PlanLine = pb::PlanLine { revision: copy, direction: val, perspective: clone, drawn_up_on: req, agreed_on: opt }
);

message!(
    GoalLine =
        pb::GoalLine { id: val, description: clone, deadline: req, status: val, overdue: copy, next_steps: clone }
);

message!(
    AgreementLine =
        pb::AgreementLine { id: val, description: clone, due_on: req, status: req, kept: copy, overdue: copy }
);

message!(ContactLine = pb::ContactLine { id: val, on: req, kind: val, activities: list, summary: clone });

message!(
    ReferralLine = pb::ReferralLine { id: val, partner: val, domain: val, reason: clone, status: val, sent_on: opt }
);

message!(
    ObstacleLine = pb::ObstacleLine {
        id: val,
        kind: val,
        description: clone,
        status: val,
        identified_on: req,
        removed_on: opt,
        actions_in_period: copy,
    }
);

message!(
    JudgmentLine = pb::JudgmentLine {
        id: val,
        verdict: val,
        finality: val,
        reasoning: clone,
        formed_on: req,
        communications: list,
        consequences_explained_on: opt,
    }
);

impl ToProto for ProgressReport {
    type Proto = pb::ProgressReport;
    fn to_proto(&self) -> pb::ProgressReport {
        pb::ProgressReport {
            participant: self.participant.to_proto(),
            display_name: self.display_name.clone(),
            period_from: Some(self.period_from.to_proto()),
            period_to: Some(self.period_to.to_proto()),
            project_worker: opt_to_string(self.project_worker.as_ref()),
            registered_on: self.registered_on.as_ref().map(ToProto::to_proto),
            limit_on: self.limit_on.as_ref().map(ToProto::to_proto),
            days_to_limit: self.days_to_limit,
            phase: opt_enum_to_proto(self.phase.as_ref()),
            direction: opt_enum_to_proto(self.direction.as_ref()),
            direction_history: to_protos(&self.direction_history),
            return_stance: opt_enum_to_proto(self.return_stance.as_ref()),
            plan: self.plan.as_ref().map(ToProto::to_proto),
            goals: to_protos(&self.goals),
            agreements: to_protos(&self.agreements),
            contacts: to_protos(&self.contacts),
            referrals: to_protos(&self.referrals),
            obstacles: to_protos(&self.obstacles),
            judgments: to_protos(&self.judgments),
            outflow: self
                .outflow
                .map(|(outcome, on)| pb::OutflowLine { outcome: outcome.to_proto(), on: Some(on.to_proto()) }),
            reports_sent: to_protos(&self.reports_sent),
            withheld: to_protos(&self.withheld),
            markdown: self.to_markdown(),
            self_reliance: to_protos(&self.self_reliance),
            handed_over: to_protos(&self.handed_over),
        }
    }
}

message!(HandoverLine = pb::DocumentHandover { on: req, contact: val, document: req });

// ---- The self-reliance cohort ----------------------------------------------------------------

impl ToProto for ZrmCohort {
    type Proto = pb::ZrmCohort;
    fn to_proto(&self) -> pb::ZrmCohort {
        pb::ZrmCohort {
            period_from: Some(self.from.to_proto()),
            period_to: Some(self.to.to_proto()),
            participants: self.participants,
            domains: self
                .domains
                .iter()
                .map(|d| pb::ZrmCohortDomain {
                    domain: d.domain.to_proto(),
                    participants: d.participants,
                    average_change: d.average_change,
                    suppressed: d.suppressed,
                })
                .collect(),
            min_cell: self.min_cell,
        }
    }
}

impl FromProto<pb::ZrmCohortDomain> for ZrmCohortDomain {
    fn from_proto(p: pb::ZrmCohortDomain, at: &Field) -> Result<Self, DomainError> {
        if p.average_change.is_some_and(|a| !a.is_finite() || !(-4.0..=4.0).contains(&a)) {
            return Err(at
                .child("average_change")
                .invalid(ViolationCode::OutOfRange, "an average change lies between -4 and 4"));
        }
        Ok(Self {
            domain: FromProto::from_proto(p.domain, &at.child("domain"))?,
            participants: p.participants,
            average_change: p.average_change,
            suppressed: p.suppressed,
        })
    }
}

impl FromProto<pb::ZrmCohort> for ZrmCohort {
    fn from_proto(p: pb::ZrmCohort, at: &Field) -> Result<Self, DomainError> {
        Ok(Self {
            from: required(p.period_from, &at.child("period_from"))?,
            to: required(p.period_to, &at.child("period_to"))?,
            participants: p.participants,
            domains: repeated(p.domains, &at.child("domains"))?,
            min_cell: p.min_cell,
        })
    }
}

impl FromProto<pb::OutflowLine> for (OutflowOutcome, NaiveDate) {
    fn from_proto(p: pb::OutflowLine, at: &Field) -> Result<Self, DomainError> {
        Ok((FromProto::from_proto(p.outcome, &at.child("outcome"))?, required(p.on, &at.child("on"))?))
    }
}

/// A progress report as the server sent it; `markdown` is output only and ignored.
impl FromProto<pb::ProgressReport> for ProgressReport {
    fn from_proto(p: pb::ProgressReport, at: &Field) -> Result<Self, DomainError> {
        Ok(Self {
            participant: FromProto::from_proto(p.participant, &at.child("participant"))?,
            display_name: p.display_name,
            period_from: required(p.period_from, &at.child("period_from"))?,
            period_to: required(p.period_to, &at.child("period_to"))?,
            project_worker: opt_string(p.project_worker, &at.child("project_worker"))?,
            registered_on: optional(p.registered_on, &at.child("registered_on"))?,
            limit_on: optional(p.limit_on, &at.child("limit_on"))?,
            days_to_limit: p.days_to_limit,
            phase: opt_enum(p.phase, &at.child("phase"))?,
            direction: opt_enum(p.direction, &at.child("direction"))?,
            direction_history: repeated(p.direction_history, &at.child("direction_history"))?,
            return_stance: opt_enum(p.return_stance, &at.child("return_stance"))?,
            plan: optional(p.plan, &at.child("plan"))?,
            goals: repeated(p.goals, &at.child("goals"))?,
            agreements: repeated(p.agreements, &at.child("agreements"))?,
            contacts: repeated(p.contacts, &at.child("contacts"))?,
            referrals: repeated(p.referrals, &at.child("referrals"))?,
            obstacles: repeated(p.obstacles, &at.child("obstacles"))?,
            judgments: repeated(p.judgments, &at.child("judgments"))?,
            outflow: optional(p.outflow, &at.child("outflow"))?,
            reports_sent: repeated(p.reports_sent, &at.child("reports_sent"))?,
            self_reliance: repeated(p.self_reliance, &at.child("self_reliance"))?,
            handed_over: repeated(p.handed_over, &at.child("handed_over"))?,
            withheld: repeated(p.withheld, &at.child("withheld"))?,
        })
    }
}

// ---- The meeting agenda ---------------------------------------------------------------------

message!(AgendaEntry = pb::AgendaEntry { participant: val, project_worker: val, reasons: list });

impl ToProto for PreviousDecision {
    type Proto = pb::PreviousDecision;
    fn to_proto(&self) -> pb::PreviousDecision {
        pb::PreviousDecision {
            participant: self.participant.to_proto(),
            decision: self.decision.clone().unwrap_or_default(),
            termination: self.termination.as_ref().map(ToProto::to_proto),
        }
    }
}

impl FromProto<pb::PreviousDecision> for PreviousDecision {
    fn from_proto(p: pb::PreviousDecision, at: &Field) -> Result<Self, DomainError> {
        Ok(Self {
            participant: FromProto::from_proto(p.participant, &at.child("participant"))?,
            decision: (!p.decision.is_empty()).then_some(p.decision),
            termination: optional(p.termination, &at.child("termination"))?,
        })
    }
}

message!(MeetingAgenda => pb::MeetingAgenda {
    meeting_date: req, entries: list, previous_decisions: list,
} derived |s| {
    previous_meeting: s
        .previous_meeting
        .map(|(id, date)| pb::PreviousMeeting { meeting: resource_name(MEETINGS, &id), date: Some(date.to_proto()) }),
    markdown: s.to_markdown(),
});

/// An agenda as the server sent it; `markdown` is output only and ignored.
impl FromProto<pb::MeetingAgenda> for MeetingAgenda {
    fn from_proto(p: pb::MeetingAgenda, at: &Field) -> Result<Self, DomainError> {
        let previous_meeting = match p.previous_meeting {
            None => None,
            Some(m) => {
                let at = at.child("previous_meeting");
                Some((parse_name(MEETINGS, &m.meeting, &at.child("meeting"))?, required(m.date, &at.child("date"))?))
            }
        };
        Ok(Self {
            meeting_date: required(p.meeting_date, &at.child("meeting_date"))?,
            previous_meeting,
            entries: repeated(p.entries, &at.child("entries"))?,
            previous_decisions: repeated(p.previous_decisions, &at.child("previous_decisions"))?,
        })
    }
}

/// The agenda request a client sends for a query (every threshold set).
pub fn agenda_request(q: &AgendaQuery) -> pb::GetMeetingAgendaRequest {
    pb::GetMeetingAgendaRequest {
        meeting_date: Some(q.meeting_date.to_proto()),
        no_contact_days: Some(q.no_contact_days),
        limit_lead_weeks: Some(q.limit_lead_weeks),
        obstacle_stalled_days: Some(q.obstacle_stalled_days),
        changed_within_days: Some(q.changed_within_days),
        due_within_days: Some(q.due_within_days),
    }
}

/// The query of an agenda request: absent thresholds take [`AgendaQuery::for_meeting`]'s
/// defaults.
impl FromProto<pb::GetMeetingAgendaRequest> for AgendaQuery {
    fn from_proto(p: pb::GetMeetingAgendaRequest, at: &Field) -> Result<Self, DomainError> {
        let defaults = AgendaQuery::for_meeting(required(p.meeting_date, &at.child("meeting_date"))?);
        Ok(Self {
            no_contact_days: p.no_contact_days.unwrap_or(defaults.no_contact_days),
            limit_lead_weeks: p.limit_lead_weeks.unwrap_or(defaults.limit_lead_weeks),
            obstacle_stalled_days: p.obstacle_stalled_days.unwrap_or(defaults.obstacle_stalled_days),
            changed_within_days: p.changed_within_days.unwrap_or(defaults.changed_within_days),
            due_within_days: p.due_within_days.unwrap_or(defaults.due_within_days),
            ..defaults
        })
    }
}

#[cfg(test)]
mod tests;

impl ToProto for LateEntry {
    type Proto = pb::LateEntry;
    fn to_proto(&self) -> pb::LateEntry {
        pb::LateEntry {
            participant: resource_name("participants", &self.participant),
            version: self.version,
            kind: self.kind.clone(),
            effective_date: Some(self.effective_on.to_proto()),
            record_time: Some(self.recorded_at.to_proto()),
            recorded_by: self.recorded_by.to_proto(),
            days_late: self.days_late,
        }
    }
}

impl FromProto<pb::LateEntry> for LateEntry {
    fn from_proto(p: pb::LateEntry, at: &Field) -> Result<Self, DomainError> {
        Ok(Self {
            participant: parse_name("participants", &p.participant, &at.child("participant"))?,
            version: p.version,
            kind: p.kind,
            effective_on: required(p.effective_date, &at.child("effective_date"))?,
            recorded_at: required(p.record_time, &at.child("record_time"))?,
            recorded_by: UserId::from_proto(p.recorded_by, &at.child("recorded_by"))?,
            days_late: p.days_late,
        })
    }
}

impl ToProto for LateEntryPolicy {
    type Proto = pb::LateEntryPolicy;
    fn to_proto(&self) -> pb::LateEntryPolicy {
        pb::LateEntryPolicy { days: u32::from(self.days()) }
    }
}

impl FromProto<pb::LateEntryPolicy> for LateEntryPolicy {
    fn from_proto(p: pb::LateEntryPolicy, at: &Field) -> Result<Self, DomainError> {
        LateEntryPolicy::new(p.days).map_err(|_| {
            at.child("days").invalid(ViolationCode::OutOfRange, "the late-entry threshold is 1 to 365 days")
        })
    }
}

/// The request for a page of late entries (the page size as on the wire).
impl ToProto for LateEntryQuery {
    type Proto = pb::ListLateEntriesRequest;
    fn to_proto(&self) -> pb::ListLateEntriesRequest {
        pb::ListLateEntriesRequest {
            period_from: Some(self.from.to_proto()),
            period_to: Some(self.to.to_proto()),
            recorded_by: self.recorded_by.map(|u| u.to_proto()).unwrap_or_default(),
            page_size: i32::try_from(self.page.page_size).unwrap_or(i32::MAX),
            page_token: self.page.page_token.clone().unwrap_or_default(),
        }
    }
}

impl FromProto<pb::ListLateEntriesRequest> for LateEntryQuery {
    fn from_proto(p: pb::ListLateEntriesRequest, at: &Field) -> Result<Self, DomainError> {
        let page_size = u32::try_from(p.page_size)
            .map_err(|_| at.child("page_size").invalid(ViolationCode::Negative, "the page size cannot be negative"))?;
        Ok(Self {
            from: required(p.period_from, &at.child("period_from"))?,
            to: required(p.period_to, &at.child("period_to"))?,
            recorded_by: opt_string(p.recorded_by, &at.child("recorded_by"))?,
            page: PageRequest { page_size, page_token: Some(p.page_token).filter(|t| !t.is_empty()) },
        })
    }
}
