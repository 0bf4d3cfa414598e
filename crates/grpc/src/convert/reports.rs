//! Reports (`report.proto`): the subsidy report with its figures and breakdowns, the
//! drill-down request and answer, the progress report and the meeting agenda, both ways.
//!
//! Months are `YYYY-MM` strings. Proto → core ignores the output-only renderings
//! (`markdown`), so a client rebuilds exactly the report the server computed.

use chrono::NaiveDate;
use perspectief_core::ViolationCode;
use perspectief_core::report::{
    AgendaEntry, AgendaQuery, AgreementLine, Breakdowns, ContactLine, Count, Drilldown, Figure, FigureQuery,
    FunnelStage, FunnelStep, GoalLine, HandoverLine, JudgmentLine, Measure, MeasureFigures, MeetingAgenda,
    ObstacleLine, OutflowFigures, PlanLine, PreviousDecision, ProgressReport, ReferralLine, SessionFigures,
    SessionMonth, Slice, SubsidyReport, YearMonth, ZrmCohort, ZrmCohortDomain,
};
use perspectief_core::{CountryCode, DomainError, Durability, OutflowOutcome, UserId};

use super::{
    Field, FromProto, ToProto, opt_enum, opt_enum_to_proto, opt_string, opt_to_string, optional, parse_name, repeated,
    required, resource_name, to_protos,
};
use crate::pb;

/// The collection of meetings in resource names.
const MEETINGS: &str = "meetings";

super::proto_enum!(FunnelStage, pb::FunnelStage {
    FunnelStage::Reached => pb::FunnelStage::Reached,
    FunnelStage::OrientationTalk => pb::FunnelStage::OrientationTalk,
    FunnelStage::Plan => pb::FunnelStage::Plan,
    FunnelStage::ReturnExploration => pb::FunnelStage::ReturnExploration,
    FunnelStage::ObstaclesRemoved => pb::FunnelStage::ObstaclesRemoved,
    FunnelStage::Departed => pb::FunnelStage::Departed,
});

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

fn opt_date(date: Option<NaiveDate>) -> Option<pb::Date> {
    date.as_ref().map(ToProto::to_proto)
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

impl ToProto for Breakdowns {
    type Proto = pb::Breakdowns;
    fn to_proto(&self) -> pb::Breakdowns {
        pb::Breakdowns {
            by_month: to_protos(&self.by_month),
            by_nationality: to_protos(&self.by_nationality),
            by_location: to_protos(&self.by_location),
            by_project_worker: to_protos(&self.by_project_worker),
        }
    }
}

impl FromProto<pb::Breakdowns> for Breakdowns {
    fn from_proto(p: pb::Breakdowns, at: &Field) -> Result<Self, DomainError> {
        Ok(Self {
            by_month: repeated(p.by_month, &at.child("by_month"))?,
            by_nationality: repeated(p.by_nationality, &at.child("by_nationality"))?,
            by_location: repeated(p.by_location, &at.child("by_location"))?,
            by_project_worker: repeated(p.by_project_worker, &at.child("by_project_worker"))?,
        })
    }
}

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

impl ToProto for FunnelStep {
    type Proto = pb::FunnelStep;
    fn to_proto(&self) -> pb::FunnelStep {
        pb::FunnelStep {
            stage: self.stage.to_proto(),
            registered_persons: self.registered_persons,
            unregistered_head_count: self.unregistered_head_count,
            persons: self.persons,
        }
    }
}

impl FromProto<pb::FunnelStep> for FunnelStep {
    fn from_proto(p: pb::FunnelStep, at: &Field) -> Result<Self, DomainError> {
        Ok(Self {
            stage: FromProto::from_proto(p.stage, &at.child("stage"))?,
            registered_persons: p.registered_persons,
            unregistered_head_count: p.unregistered_head_count,
            persons: p.persons,
        })
    }
}

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

impl ToProto for SessionMonth {
    type Proto = pb::SessionMonth;
    fn to_proto(&self) -> pb::SessionMonth {
        pb::SessionMonth {
            month: self.month.to_proto(),
            sessions: self.sessions,
            unregistered_head_count: self.unregistered_head_count,
        }
    }
}

impl FromProto<pb::SessionMonth> for SessionMonth {
    fn from_proto(p: pb::SessionMonth, at: &Field) -> Result<Self, DomainError> {
        Ok(Self {
            month: FromProto::from_proto(p.month, &at.child("month"))?,
            sessions: p.sessions,
            unregistered_head_count: p.unregistered_head_count,
        })
    }
}

impl ToProto for SessionFigures {
    type Proto = pb::SessionFigures;
    fn to_proto(&self) -> pb::SessionFigures {
        pb::SessionFigures {
            sessions: self.sessions,
            unregistered_head_count: self.unregistered_head_count,
            by_month: to_protos(&self.by_month),
        }
    }
}

impl FromProto<pb::SessionFigures> for SessionFigures {
    fn from_proto(p: pb::SessionFigures, at: &Field) -> Result<Self, DomainError> {
        Ok(Self {
            sessions: p.sessions,
            unregistered_head_count: p.unregistered_head_count,
            by_month: repeated(p.by_month, &at.child("by_month"))?,
        })
    }
}

impl ToProto for SubsidyReport {
    type Proto = pb::SubsidyReport;
    fn to_proto(&self) -> pb::SubsidyReport {
        pb::SubsidyReport {
            period: resource_name(super::subsidy::COLLECTION, &self.period),
            period_name: self.period_name.clone(),
            starts_on: Some(self.starts_on.to_proto()),
            ends_on: Some(self.ends_on.to_proto()),
            as_of: Some(self.as_of.to_proto()),
            counted_to: opt_date(self.counted_to),
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

impl ToProto for Drilldown {
    type Proto = pb::Drilldown;
    fn to_proto(&self) -> pb::Drilldown {
        pb::Drilldown {
            participants: to_protos(&self.participants),
            contacts: to_protos(&self.contacts),
            sessions: to_protos(&self.sessions),
            unregistered_head_count: self.unregistered_head_count,
        }
    }
}

impl FromProto<pb::Drilldown> for Drilldown {
    fn from_proto(p: pb::Drilldown, at: &Field) -> Result<Self, DomainError> {
        Ok(Self {
            participants: repeated(p.participants, &at.child("participants"))?,
            contacts: repeated(p.contacts, &at.child("contacts"))?,
            sessions: repeated(p.sessions, &at.child("sessions"))?,
            unregistered_head_count: p.unregistered_head_count,
        })
    }
}

// ---- The progress report --------------------------------------------------------------------

impl ToProto for PlanLine {
    type Proto = pb::PlanLine;
    fn to_proto(&self) -> pb::PlanLine {
        pb::PlanLine {
            revision: self.revision,
            direction: self.direction.to_proto(),
            perspective: self.perspective.clone(),
            drawn_up_on: Some(self.drawn_up_on.to_proto()),
            agreed_on: opt_date(self.agreed_on),
        }
    }
}

impl FromProto<pb::PlanLine> for PlanLine {
    fn from_proto(p: pb::PlanLine, at: &Field) -> Result<Self, DomainError> {
        Ok(Self {
            revision: p.revision,
            direction: FromProto::from_proto(p.direction, &at.child("direction"))?,
            perspective: p.perspective,
            drawn_up_on: required(p.drawn_up_on, &at.child("drawn_up_on"))?,
            agreed_on: optional(p.agreed_on, &at.child("agreed_on"))?,
        })
    }
}

impl ToProto for GoalLine {
    type Proto = pb::GoalLine;
    fn to_proto(&self) -> pb::GoalLine {
        pb::GoalLine {
            id: self.id.to_proto(),
            description: self.description.clone(),
            deadline: Some(self.deadline.to_proto()),
            status: self.status.to_proto(),
            overdue: self.overdue,
            next_steps: self.next_steps.clone(),
        }
    }
}

impl FromProto<pb::GoalLine> for GoalLine {
    fn from_proto(p: pb::GoalLine, at: &Field) -> Result<Self, DomainError> {
        Ok(Self {
            id: FromProto::from_proto(p.id, &at.child("id"))?,
            description: p.description,
            deadline: required(p.deadline, &at.child("deadline"))?,
            status: FromProto::from_proto(p.status, &at.child("status"))?,
            overdue: p.overdue,
            next_steps: p.next_steps,
        })
    }
}

impl ToProto for AgreementLine {
    type Proto = pb::AgreementLine;
    fn to_proto(&self) -> pb::AgreementLine {
        pb::AgreementLine {
            id: self.id.to_proto(),
            description: self.description.clone(),
            due_on: Some(self.due_on.to_proto()),
            status: Some(self.status.to_proto()),
            kept: self.kept,
            overdue: self.overdue,
        }
    }
}

impl FromProto<pb::AgreementLine> for AgreementLine {
    fn from_proto(p: pb::AgreementLine, at: &Field) -> Result<Self, DomainError> {
        Ok(Self {
            id: FromProto::from_proto(p.id, &at.child("id"))?,
            description: p.description,
            due_on: required(p.due_on, &at.child("due_on"))?,
            status: required(p.status, &at.child("status"))?,
            kept: p.kept,
            overdue: p.overdue,
        })
    }
}

impl ToProto for ContactLine {
    type Proto = pb::ContactLine;
    fn to_proto(&self) -> pb::ContactLine {
        pb::ContactLine {
            id: self.id.to_proto(),
            on: Some(self.on.to_proto()),
            kind: self.kind.to_proto(),
            activities: to_protos(&self.activities),
            summary: self.summary.clone(),
        }
    }
}

impl FromProto<pb::ContactLine> for ContactLine {
    fn from_proto(p: pb::ContactLine, at: &Field) -> Result<Self, DomainError> {
        Ok(Self {
            id: FromProto::from_proto(p.id, &at.child("id"))?,
            on: required(p.on, &at.child("on"))?,
            kind: FromProto::from_proto(p.kind, &at.child("kind"))?,
            activities: repeated(p.activities, &at.child("activities"))?,
            summary: p.summary,
        })
    }
}

impl ToProto for ReferralLine {
    type Proto = pb::ReferralLine;
    fn to_proto(&self) -> pb::ReferralLine {
        pb::ReferralLine {
            id: self.id.to_proto(),
            partner: self.partner.to_proto(),
            domain: self.domain.to_proto(),
            reason: self.reason.clone(),
            status: self.status.to_proto(),
            sent_on: opt_date(self.sent_on),
        }
    }
}

impl FromProto<pb::ReferralLine> for ReferralLine {
    fn from_proto(p: pb::ReferralLine, at: &Field) -> Result<Self, DomainError> {
        Ok(Self {
            id: FromProto::from_proto(p.id, &at.child("id"))?,
            partner: FromProto::from_proto(p.partner, &at.child("partner"))?,
            domain: FromProto::from_proto(p.domain, &at.child("domain"))?,
            reason: p.reason,
            status: FromProto::from_proto(p.status, &at.child("status"))?,
            sent_on: optional(p.sent_on, &at.child("sent_on"))?,
        })
    }
}

impl ToProto for ObstacleLine {
    type Proto = pb::ObstacleLine;
    fn to_proto(&self) -> pb::ObstacleLine {
        pb::ObstacleLine {
            id: self.id.to_proto(),
            kind: self.kind.to_proto(),
            description: self.description.clone(),
            status: self.status.to_proto(),
            identified_on: Some(self.identified_on.to_proto()),
            removed_on: opt_date(self.removed_on),
            actions_in_period: self.actions_in_period,
        }
    }
}

impl FromProto<pb::ObstacleLine> for ObstacleLine {
    fn from_proto(p: pb::ObstacleLine, at: &Field) -> Result<Self, DomainError> {
        Ok(Self {
            id: FromProto::from_proto(p.id, &at.child("id"))?,
            kind: FromProto::from_proto(p.kind, &at.child("kind"))?,
            description: p.description,
            status: FromProto::from_proto(p.status, &at.child("status"))?,
            identified_on: required(p.identified_on, &at.child("identified_on"))?,
            removed_on: optional(p.removed_on, &at.child("removed_on"))?,
            actions_in_period: p.actions_in_period,
        })
    }
}

impl ToProto for JudgmentLine {
    type Proto = pb::JudgmentLine;
    fn to_proto(&self) -> pb::JudgmentLine {
        pb::JudgmentLine {
            id: self.id.to_proto(),
            verdict: self.verdict.to_proto(),
            finality: self.finality.to_proto(),
            reasoning: self.reasoning.clone(),
            formed_on: Some(self.formed_on.to_proto()),
            communications: to_protos(&self.communications),
            consequences_explained_on: opt_date(self.consequences_explained_on),
        }
    }
}

impl FromProto<pb::JudgmentLine> for JudgmentLine {
    fn from_proto(p: pb::JudgmentLine, at: &Field) -> Result<Self, DomainError> {
        Ok(Self {
            id: FromProto::from_proto(p.id, &at.child("id"))?,
            verdict: FromProto::from_proto(p.verdict, &at.child("verdict"))?,
            finality: FromProto::from_proto(p.finality, &at.child("finality"))?,
            reasoning: p.reasoning,
            formed_on: required(p.formed_on, &at.child("formed_on"))?,
            communications: repeated(p.communications, &at.child("communications"))?,
            consequences_explained_on: optional(p.consequences_explained_on, &at.child("consequences_explained_on"))?,
        })
    }
}

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

impl ToProto for HandoverLine {
    type Proto = pb::DocumentHandover;
    fn to_proto(&self) -> pb::DocumentHandover {
        pb::DocumentHandover {
            on: Some(self.on.to_proto()),
            contact: self.contact.to_proto(),
            document: Some(self.document.to_proto()),
        }
    }
}

impl FromProto<pb::DocumentHandover> for HandoverLine {
    fn from_proto(p: pb::DocumentHandover, at: &Field) -> Result<Self, DomainError> {
        Ok(Self {
            on: required(p.on, &at.child("on"))?,
            contact: FromProto::from_proto(p.contact, &at.child("contact"))?,
            document: required(p.document, &at.child("document"))?,
        })
    }
}

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

impl ToProto for AgendaEntry {
    type Proto = pb::AgendaEntry;
    fn to_proto(&self) -> pb::AgendaEntry {
        pb::AgendaEntry {
            participant: self.participant.to_proto(),
            project_worker: self.project_worker.to_proto(),
            reasons: to_protos(&self.reasons),
        }
    }
}

impl FromProto<pb::AgendaEntry> for AgendaEntry {
    fn from_proto(p: pb::AgendaEntry, at: &Field) -> Result<Self, DomainError> {
        Ok(Self {
            participant: FromProto::from_proto(p.participant, &at.child("participant"))?,
            project_worker: UserId::from_proto(p.project_worker, &at.child("project_worker"))?,
            reasons: repeated(p.reasons, &at.child("reasons"))?,
        })
    }
}

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

impl ToProto for MeetingAgenda {
    type Proto = pb::MeetingAgenda;
    fn to_proto(&self) -> pb::MeetingAgenda {
        pb::MeetingAgenda {
            meeting_date: Some(self.meeting_date.to_proto()),
            previous_meeting: self.previous_meeting.map(|(id, date)| pb::PreviousMeeting {
                meeting: resource_name(MEETINGS, &id),
                date: Some(date.to_proto()),
            }),
            entries: to_protos(&self.entries),
            previous_decisions: to_protos(&self.previous_decisions),
            markdown: self.to_markdown(),
        }
    }
}

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
            ..defaults
        })
    }
}

#[cfg(test)]
mod tests {
    use chrono::{TimeZone, Utc};
    use perspectief_core::meeting::{ChainDecision, TerminationAdvice};
    use perspectief_core::outflow::ProgressReportRecord;
    use perspectief_core::plan::DirectionChange;
    use perspectief_core::report::{OutflowCell, PersonCell, SubsidyFacts};
    use perspectief_core::returns::Communication;
    use perspectief_core::*;

    use super::*;

    fn d(m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, day).unwrap()
    }

    fn round_trip<T, P>(value: &T) -> T
    where
        T: ToProto<Proto = P> + FromProto<P>,
    {
        T::from_proto(value.to_proto(), &Field::root()).unwrap()
    }

    fn subsidy_report() -> SubsidyReport {
        let period = SubsidyPeriod::new(
            SubsidyPeriodId::from_u128(4),
            "2026",
            d(1, 1),
            d(12, 31),
            vec![
                Target { measure: TargetMeasure::Activity(ActivityCode::OrientationTalks), persons: 200 },
                Target { measure: TargetMeasure::Theme(Theme::Guide), persons: 50 },
            ],
        )
        .unwrap();
        let month = |m| YearMonth::new(2026, m).unwrap();
        let cell = |measure, m, nationality: Option<&str>, location: Option<&str>, persons| PersonCell {
            measure,
            month: month(m),
            nationality: nationality.map(|c| CountryCode::parse(c).unwrap()),
            location: location.map(str::to_owned),
            project_worker: UserId::from_u128(m.into()),
            persons,
        };
        let talks = Measure::Activity(ActivityCode::OrientationTalks);
        let facts = SubsidyFacts {
            cells: vec![
                cell(talks, 1, Some("ER"), Some("Jan Evertsenstraat"), 3),
                cell(talks, 2, None, None, 2),
                cell(Measure::Theme(Theme::Inform), 2, Some("SY"), None, 4),
                cell(Measure::Reached, 3, None, Some("Willem Dreeshuis"), 9),
            ],
            sessions: vec![SessionMonth { month: month(2), sessions: 2, unregistered_head_count: 17 }],
            outflows: vec![OutflowCell {
                outcome: OutflowOutcome::ResidencePermitGranted,
                month: month(3),
                nationality: Some(CountryCode::parse("ER").unwrap()),
                location: None,
                project_worker: UserId::from_u128(2),
                persons: 1,
            }],
        };
        SubsidyReport::compute(&period, d(3, 31), &facts)
    }

    #[test]
    fn subsidy_reports_round_trip() {
        let report = subsidy_report();
        assert!(report.outflow.total > 0 && report.sessions.sessions > 0);
        assert_eq!(round_trip(&report), report);
        // Before the period: nothing counted, no projection.
        let mut before = report.clone();
        before.counted_to = None;
        assert_eq!(round_trip(&before), before);
    }

    #[test]
    fn figure_queries_and_drilldowns_round_trip() {
        let measures =
            [Measure::Activity(ActivityCode::ExploreReturn), Measure::Theme(Theme::Evaluate), Measure::Reached];
        let figures = measures.into_iter().map(Figure::Measure).chain([
            Figure::Outflow(OutflowOutcome::DepartedForced),
            Figure::Durability(Durability::SemiDurable),
            Figure::Departed,
        ]);
        let slices = [
            Slice::All,
            Slice::Month(YearMonth::new(2026, 5).unwrap()),
            Slice::Nationality(None),
            Slice::Nationality(Some(CountryCode::parse("MA").unwrap())),
            Slice::Location(None),
            Slice::Location(Some("Amstel".into())),
            Slice::ProjectWorker(UserId::from_u128(3)),
        ];
        for figure in figures {
            for slice in slices.clone() {
                let query = FigureQuery { figure, slice };
                let (f, s) = query.to_proto();
                assert_eq!(FigureQuery::from_proto((Some(f), Some(s)), &Field::root()).unwrap(), query);
            }
        }
        let all = FigureQuery::from_proto((Some(Figure::Departed.to_proto()), None), &Field::root()).unwrap();
        assert_eq!(all.slice, Slice::All);
        let e = FigureQuery::from_proto((None, None), &Field::root()).unwrap_err();
        assert!(e.violations().unwrap().has("figure"));
        let drilldown = Drilldown {
            participants: vec![ParticipantId::from_u128(1), ParticipantId::from_u128(2)],
            contacts: vec![ContactId::from_u128(3)],
            sessions: vec![SessionId::from_u128(4)],
            unregistered_head_count: 12,
        };
        assert_eq!(round_trip(&drilldown), drilldown);
    }

    fn progress_report() -> ProgressReport {
        let worker = UserId::from_u128(7);
        ProgressReport {
            participant: ParticipantId::from_u128(1),
            display_name: Some("Sara A.".into()),
            period_from: d(1, 1),
            period_to: d(3, 31),
            project_worker: Some(worker),
            registered_on: Some(d(1, 5)),
            limit_on: NaiveDate::from_ymd_opt(2027, 7, 5),
            days_to_limit: Some(-3),
            phase: Some(Phase::PlanExecution),
            direction: Some(Direction::ReturnToOrigin),
            direction_history: vec![DirectionChange {
                from: Direction::Undecided,
                to: Direction::ReturnToOrigin,
                on: d(2, 1),
                reasoning: Text::parse("Wil terug.").unwrap(),
                by: worker,
            }],
            return_stance: Some(ReturnStance::Decided),
            plan: Some(PlanLine {
                revision: 2,
                direction: Direction::ReturnToOrigin,
                perspective: "Terugkeer voorbereiden.".into(),
                drawn_up_on: d(2, 2),
                agreed_on: Some(d(2, 3)),
            }),
            goals: vec![GoalLine {
                id: GoalId::from_u128(2),
                description: "Paspoort aanvragen".into(),
                deadline: d(3, 1),
                status: GoalStatus::InProgress,
                overdue: true,
                next_steps: Some("Afspraak ambassade".into()),
            }],
            agreements: vec![
                AgreementLine {
                    id: AgreementId::from_u128(3),
                    description: "Documenten meenemen".into(),
                    due_on: d(2, 10),
                    status: AgreementStatus::Fulfilled(d(2, 9)),
                    kept: Some(true),
                    overdue: false,
                },
                AgreementLine {
                    id: AgreementId::from_u128(4),
                    description: "Bellen".into(),
                    due_on: d(3, 10),
                    status: AgreementStatus::Open,
                    kept: None,
                    overdue: true,
                },
            ],
            contacts: vec![ContactLine {
                id: ContactId::from_u128(5),
                on: d(2, 1),
                kind: ContactKind::IndividualTalk,
                activities: vec![ActivityCode::OrientationTalks, ActivityCode::ExploreReturn],
                summary: "Gesprek over terugkeer.".into(),
            }],
            referrals: vec![ReferralLine {
                id: ReferralId::from_u128(6),
                partner: OrganisationId::from_u128(10),
                domain: PartnerDomain::Return,
                reason: "Vertrekbegeleiding".into(),
                status: ReferralStatus::Sent,
                sent_on: Some(d(2, 15)),
            }],
            obstacles: vec![ObstacleLine {
                id: ObstacleId::from_u128(7),
                kind: ObstacleKind::MissingDocuments,
                description: "Geen paspoort".into(),
                status: ObstacleStatus::Removed,
                identified_on: d(2, 1),
                removed_on: Some(d(3, 20)),
                actions_in_period: 2,
            }],
            judgments: vec![JudgmentLine {
                id: JudgmentId::from_u128(8),
                verdict: Verdict::ReturnRealistic,
                finality: Finality::Provisional,
                reasoning: "Documenten bijna rond.".into(),
                formed_on: d(3, 1),
                communications: vec![
                    Communication { to: Recipient::Municipality, on: d(3, 2) },
                    Communication { to: Recipient::Partner(OrganisationId::from_u128(10)), on: d(3, 3) },
                ],
                consequences_explained_on: Some(d(3, 4)),
            }],
            outflow: Some((OutflowOutcome::DepartedIndependentlySupervised, d(3, 30))),
            reports_sent: vec![ProgressReportRecord {
                id: ReportId::from_u128(9),
                period_from: NaiveDate::from_ymd_opt(2025, 10, 1).unwrap(),
                period_to: NaiveDate::from_ymd_opt(2025, 12, 31).unwrap(),
                sent_at: Utc.with_ymd_and_hms(2026, 1, 2, 9, 0, 0).unwrap(),
                sent_to: OrganisationId::from_u128(11),
                sent_by: worker,
            }],
            self_reliance: vec![perspectief_core::outflow::ZrmAssessment {
                assessed_on: d(2, 1),
                scores: [(perspectief_core::ZrmDomain::Housing, perspectief_core::ZrmScore::new(3).unwrap())].into(),
                by: worker,
            }],
            handed_over: vec![HandoverLine {
                on: d(2, 1),
                contact: ContactId::from_u128(5),
                document: perspectief_core::document::HandedDocument {
                    kind: perspectief_core::document::DocumentKind::InformationSheet,
                    language: perspectief_core::document::DocumentLanguage::Fa,
                    version: perspectief_core::document::DocumentVersion::parse("2026.1").unwrap(),
                },
            }],
            withheld: vec![DataCategory::Legal, DataCategory::MedicalPsychosocial],
        }
    }

    #[test]
    fn zrm_cohorts_round_trip_and_refuse_impossible_averages() {
        let cohort = ZrmCohort {
            from: d(1, 1),
            to: d(3, 31),
            participants: Some(7),
            domains: vec![
                ZrmCohortDomain {
                    domain: perspectief_core::ZrmDomain::Housing,
                    participants: Some(6),
                    average_change: Some(1.25),
                    suppressed: false,
                },
                ZrmCohortDomain {
                    domain: perspectief_core::ZrmDomain::Finances,
                    participants: None,
                    average_change: None,
                    suppressed: true,
                },
            ],
            min_cell: 5,
        };
        assert_eq!(round_trip(&cohort), cohort);
        let mut bad = cohort.to_proto();
        bad.domains[0].average_change = Some(9.0);
        assert!(ZrmCohort::from_proto(bad, &Field::root()).is_err());
    }

    #[test]
    fn progress_reports_round_trip_with_their_markdown() {
        let report = progress_report();
        let proto = report.to_proto();
        assert_eq!(proto.markdown, report.to_markdown());
        assert_eq!(round_trip(&report), report);
        let bare = ProgressReport {
            display_name: None,
            // Guidance, return and identity withheld: their facts are absent, not defaulted.
            project_worker: None,
            registered_on: None,
            limit_on: None,
            days_to_limit: None,
            phase: None,
            direction: None,
            direction_history: vec![],
            return_stance: None,
            plan: None,
            goals: vec![],
            agreements: vec![],
            contacts: vec![],
            referrals: vec![],
            obstacles: vec![],
            judgments: vec![],
            outflow: None,
            reports_sent: vec![],
            withheld: vec![],
            ..report
        };
        assert_eq!(round_trip(&bare), bare);
    }

    #[test]
    fn meeting_agendas_round_trip() {
        let agenda = MeetingAgenda {
            meeting_date: d(4, 14),
            previous_meeting: Some((MeetingId::from_u128(1), d(3, 31))),
            entries: vec![AgendaEntry {
                participant: ParticipantId::from_u128(2),
                project_worker: UserId::from_u128(3),
                reasons: vec![
                    AgendaReason::DeadlinePassed,
                    AgendaReason::NoContact { days: 30 },
                    AgendaReason::LimitApproaching { days_left: -2 },
                ],
            }],
            previous_decisions: vec![
                PreviousDecision {
                    participant: ParticipantId::from_u128(4),
                    decision: Some("Doorgaan".into()),
                    termination: None,
                },
                PreviousDecision {
                    participant: ParticipantId::from_u128(5),
                    decision: None,
                    termination: Some(TerminationAdvice {
                        advice: Advice::EndGuidance,
                        reasoning: Text::parse("Geen medewerking.").unwrap(),
                        decision: Some(ChainDecision { adopted: true, note: None }),
                        termination_talk_on: Some(d(4, 1)),
                    }),
                },
            ],
        };
        assert_eq!(agenda.to_proto().markdown, agenda.to_markdown());
        assert_eq!(round_trip(&agenda), agenda);
        let first = MeetingAgenda { previous_meeting: None, entries: vec![], previous_decisions: vec![], ..agenda };
        assert_eq!(round_trip(&first), first);
    }

    #[test]
    fn agenda_requests_fill_defaults_and_round_trip() {
        let q = AgendaQuery { no_contact_days: 0, ..AgendaQuery::for_meeting(d(4, 14)) };
        assert_eq!(AgendaQuery::from_proto(agenda_request(&q), &Field::root()).unwrap(), q);
        let bare = pb::GetMeetingAgendaRequest { meeting_date: Some(d(4, 14).to_proto()), ..Default::default() };
        assert_eq!(AgendaQuery::from_proto(bare, &Field::root()).unwrap(), AgendaQuery::for_meeting(d(4, 14)));
        let e = AgendaQuery::from_proto(pb::GetMeetingAgendaRequest::default(), &Field::root()).unwrap_err();
        assert!(e.violations().unwrap().has("meeting_date"));
    }

    #[test]
    fn nonsense_names_the_field() {
        let mut p = subsidy_report().to_proto();
        let i = p.activities.iter().position(|a| !a.breakdowns.as_ref().unwrap().by_month.is_empty()).unwrap();
        p.activities[i].breakdowns.as_mut().unwrap().by_month[0].month = "2026-13".into();
        let e = SubsidyReport::from_proto(p.clone(), &Field::root()).unwrap_err();
        assert_eq!(e.code(), "invalid_input");
        let v = e.violations().unwrap();
        assert!(v.has(&format!("activities[{i}].breakdowns.by_month[0].month")), "{v:?}");
        let mut p = subsidy_report().to_proto();
        p.funnel[2].stage = 0;
        let e = SubsidyReport::from_proto(p, &Field::root()).unwrap_err();
        assert!(e.violations().unwrap().has("funnel[2].stage"));
        let bad = pb::Slice { slice: Some(pb::slice::Slice::ProjectWorker("x".into())) };
        let e = Slice::from_proto(bad, &Field::root().child("slice")).unwrap_err();
        assert!(e.violations().unwrap().has("slice.project_worker"));
    }
}
