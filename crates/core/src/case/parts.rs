//! Carrying a case file across a boundary: taken apart and put back together.

use super::*;

/// Moves every field from one struct into the other, by destructuring: a field added to
/// [`Case`] or [`CaseParts`] but not to this one list fails to compile, so nothing is dropped
/// on the way across a boundary.
macro_rules! move_fields {
    ($from:ident: $From:ident => $To:ident) => {
        move_fields!(@ $from: $From => $To; id, version, profile, registered_on, phase, direction, direction_history, return_stance, return_stance_on, plan, goals,
    agreements, contacts, referrals, exploration, obstacles, reintegration, departure, judgments, self_reliance,
    consents, reports, outflow, levels, reporting_every_months, chain_meetings)
    };
    (@ $from:ident: $From:ident => $To:ident; $($field:ident),* $(,)?) => {{
        let $From { $($field),* } = $from;
        $To { $($field),* }
    }};
}

impl Case {
    /// Take the case apart into its [`CaseParts`].
    pub fn into_parts(self) -> CaseParts {
        move_fields!(self: Case => CaseParts)
    }

    /// Put a case back together from its parts.
    ///
    /// This is for adapters that carry a case file across a boundary (the gRPC client
    /// rebuilding the case the server sent). Like deserialising a stored case, it trusts its
    /// input: the parts are not checked against the rules, since they were a case before.
    /// Cases are made by [`Case::register`] and changed by [`Case::execute`]; never build one
    /// from parts to get around a rule.
    ///
    /// ```
    /// use chrono::{NaiveDate, TimeZone, Utc};
    /// use perspectief_core::*;
    ///
    /// let worker = UserId::from_u128(1);
    /// let ctx = CommandContext::at(worker, Utc.with_ymd_and_hms(2026, 11, 28, 10, 0, 0).unwrap());
    /// let register = input::RegisterParticipantInput { given_names: "Amanuel".into(), ..Default::default() }
    ///     .into_command(ParticipantId::from_u128(7), worker, ctx.today)
    ///     .unwrap();
    /// let (case, _) = Case::register(register, &ctx).unwrap();
    /// assert_eq!(Case::from_parts(case.clone().into_parts()), case);
    /// ```
    pub fn from_parts(parts: CaseParts) -> Case {
        move_fields!(parts: CaseParts => Case)
    }
}
