//! The facts a case holds, by their effective dates: what a late entry may not contradict.
//!
//! Records are entered when staff get to it, often days after they happened, and not always
//! in the order they happened. An entry is checked against the case as it stood on its own
//! day; where it would change what a fact with a later date rests on (an outflow before a
//! judgment, a stance that takes away the basis of a later direction), it is refused, naming
//! that fact, so the history stays in order.

use super::*;

/// A recorded fact, by kind and effective date, that a late entry would contradict.
///
/// Its message ([`LaterFact::message`]) is what a field violation with code
/// [`crate::ViolationCode::ContradictsLaterFact`] carries; [`LaterFact::from_message`] reads it
/// back, so that adapters can say it in their own language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LaterFact {
    /// The kind of change that recorded it ([`CaseChange::kind`]), e.g. `judgment_recorded`.
    pub kind: &'static str,
    /// Its effective date.
    pub on: NaiveDate,
}

const PREFIX: &str = "contradicts a later fact in the case: ";

impl LaterFact {
    /// The violation's message: `contradicts a later fact in the case: judgment_recorded on
    /// 2026-12-01`.
    pub fn message(&self) -> String {
        format!("{PREFIX}{} on {}", self.kind, self.on)
    }

    /// The fact a [`LaterFact::message`] names; `None` for any other text.
    pub fn from_message(message: &str) -> Option<(String, NaiveDate)> {
        let rest = message.strip_prefix(PREFIX)?;
        let (kind, on) = rest.rsplit_once(" on ")?;
        let on = NaiveDate::parse_from_str(on, "%Y-%m-%d").ok()?;
        let known = kind.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') && !kind.is_empty();
        known.then(|| (kind.to_owned(), on))
    }

    /// The refusal of `field` for contradicting this fact.
    pub(crate) fn refuse(self, field: &str) -> DomainError {
        DomainError::field(field, crate::ViolationCode::ContradictsLaterFact, self.message())
    }
}

/// Why a field is not allowed in the case's present state: the explanations that a field
/// violation with code [`crate::ViolationCode::NotAllowedNow`] carries as its message.
/// [`NotNow::from_message`] reads one back, so that adapters can say it in their own language
/// (by [`NotNow::code`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotNow {
    /// A monitoring (aftercare) contact before any outflow.
    MonitoringBeforeOutflow,
    /// A monitoring contact after an outflow that was no demonstrable departure.
    MonitoringWithoutDeparture,
    /// Agreements made in an aftercare contact.
    AgreementsInAftercare,
}

impl NotNow {
    /// Every explanation, for tables that must cover them all.
    pub const ALL: [NotNow; 3] =
        [Self::MonitoringBeforeOutflow, Self::MonitoringWithoutDeparture, Self::AgreementsInAftercare];

    /// Stable snake_case code.
    pub const fn code(self) -> &'static str {
        match self {
            Self::MonitoringBeforeOutflow => "monitoring_before_outflow",
            Self::MonitoringWithoutDeparture => "monitoring_without_departure",
            Self::AgreementsInAftercare => "agreements_in_aftercare",
        }
    }

    /// The explanation, in English.
    pub const fn message(self) -> &'static str {
        match self {
            Self::MonitoringBeforeOutflow => "monitoring contacts are for after the outflow",
            Self::MonitoringWithoutDeparture => {
                "monitoring (aftercare) follows a demonstrable departure (supervised, forced or onward migration); this outflow was not one"
            }
            Self::AgreementsInAftercare => "no new agreements after the outflow: aftercare contacts make none",
        }
    }

    /// The explanation a [`NotNow::message`] is; `None` for any other text.
    pub fn from_message(message: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|n| n.message() == message)
    }

    /// The violation of `field` for this reason.
    pub(crate) fn at(self, field: &str) -> FieldViolation {
        FieldViolation::new(field, crate::ViolationCode::NotAllowedNow, self.message())
    }
}

impl Case {
    /// The latest-dated fact of the trajectory: everything the case holds with an effective
    /// date, except what may still follow the outflow (monitoring contacts, communicating a
    /// judgment or its consequences, progress reports, withdrawing a consent). An outflow
    /// dated before it is refused, naming it. Ties go to the kind listed first.
    pub fn latest_fact(&self) -> Option<LaterFact> {
        let mut facts: Vec<LaterFact> = Vec::new();
        let mut add = |kind: &'static str, on: NaiveDate| facts.push(LaterFact { kind, on });
        for j in &self.judgments {
            add("judgment_recorded", j.formed_on);
        }
        for (c, _) in self.contacts.values().filter(|(c, _)| c.kind != ContactKind::Monitoring) {
            add("contact_logged", crate::time::amsterdam_date(c.at));
        }
        for r in &self.plan {
            add("plan_revised", r.drawn_up_on);
            if let Some(on) = r.agreed_on {
                add("plan_agreed", on);
            }
        }
        for g in self.goals.values() {
            add("goal_set", g.set_on);
            if let Some(on) = g.status_changed_on {
                add("goal_status_changed", on);
            }
        }
        for (a, _) in self.agreements.values() {
            if let Some(on) = a.made_on {
                add("agreement_made", on);
            }
            if let AgreementStatus::Fulfilled(on) | AgreementStatus::NotFulfilled(on) = a.status {
                add("agreement_settled", on);
            }
        }
        for r in self.referrals.values() {
            for (i, step) in r.history.iter().enumerate() {
                add(if i == 0 { "referral_proposed" } else { "referral_advanced" }, step.on);
            }
        }
        for d in &self.direction_history {
            add("direction_changed", d.on);
        }
        if let Some(on) = self.return_stance_on {
            add("return_stance_recorded", on);
        }
        if let Some(x) = &self.exploration {
            add("return_exploration_started", x.started_on);
        }
        for o in self.obstacles.values() {
            add("obstacle_identified", o.identified_on);
            for a in &o.actions {
                add("obstacle_acted_on", a.on);
            }
        }
        if let Some(on) = self.reintegration.as_ref().and_then(|r| r.updated_on) {
            add("reintegration_plan_updated", on);
        }
        if let Some(d) = &self.departure {
            for s in &d.steps {
                add("departure_step_recorded", s.on);
            }
            if let Some(on) = d.rean.updated_on {
                add("rean_checklist_updated", on);
            }
        }
        for a in &self.self_reliance {
            add("self_reliance_assessed", a.assessed_on);
        }
        for c in &self.consents {
            add("consent_given", c.given_on);
        }
        // The first of the latest: `max_by_key` keeps the last maximum, so reverse first.
        facts.into_iter().rev().max_by_key(|f| f.on)
    }

    /// The later-dated facts that rest on the person at least considering return: a direction
    /// toward return, the exploration, and (when `decided` is needed) acting on obstacles and
    /// departure steps. A stance dated `on` that takes that basis away contradicts the first
    /// of them after `on`.
    pub(super) fn fact_needing_stance(&self, stance: ReturnStance, on: NaiveDate) -> Option<LaterFact> {
        let considering = matches!(stance, ReturnStance::Considering | ReturnStance::Decided);
        let decided = stance == ReturnStance::Decided;
        let mut facts = Vec::new();
        if !considering {
            facts.extend(
                self.direction_history
                    .iter()
                    .filter(|d| matches!(d.to, Direction::ReturnToOrigin | Direction::ThirdCountry))
                    .map(|d| LaterFact { kind: "direction_changed", on: d.on }),
            );
            if let Some(x) = &self.exploration {
                facts.push(LaterFact { kind: "return_exploration_started", on: x.started_on });
            }
        }
        if !decided {
            for o in self.obstacles.values() {
                facts.extend(o.actions.iter().map(|a| LaterFact { kind: "obstacle_acted_on", on: a.on }));
            }
            if let Some(d) = &self.departure {
                facts.extend(d.steps.iter().map(|s| LaterFact { kind: "departure_step_recorded", on: s.on }));
            }
        }
        facts.into_iter().filter(|f| f.on > on).min_by_key(|f| f.on)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_names_the_fact_and_reads_back() {
        let fact = LaterFact { kind: "judgment_recorded", on: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap() };
        assert_eq!(fact.message(), "contradicts a later fact in the case: judgment_recorded on 2026-12-01");
        assert_eq!(LaterFact::from_message(&fact.message()), Some(("judgment_recorded".to_owned(), fact.on)));
        assert_eq!(LaterFact::from_message("the date lies before the last contact moment"), None);
        assert_eq!(LaterFact::from_message("contradicts a later fact in the case: Judgment on 2026-12-01"), None);
    }

    #[test]
    fn every_not_now_reads_back_from_its_message_and_codes_differ() {
        let codes: BTreeSet<_> = NotNow::ALL.iter().map(|n| n.code()).collect();
        assert_eq!(codes.len(), NotNow::ALL.len());
        for n in NotNow::ALL {
            assert_eq!(NotNow::from_message(n.message()), Some(n));
        }
        assert_eq!(NotNow::from_message("not allowed in the case's present state"), None);
    }
}
