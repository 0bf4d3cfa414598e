//! Retention: a case file with the content of expired categories erased.

use super::*;

/// Retention: redaction of expired categories (see [`crate::retention`]).
impl Case {
    /// The case file with the content of the `expired` categories replaced by
    /// [`crate::retention::ERASED`]: contact summaries, agreement texts, referral reasons and
    /// notes of those categories; for guidance also the plan, goals, direction reasons, consent
    /// purposes and the outflow note; for return the exploration, obstacles, reintegration plan,
    /// departure notes and judgments' reasoning. Ids, dates, statuses, categories and activity
    /// codes stay, so the case keeps its shape and counts. Identity is only ever erased with
    /// the whole person and is not redacted here. Replaying the events redacted with
    /// [`crate::retention::redact_change`] gives the same case.
    pub fn redacted(&self, expired: &BTreeSet<DataCategory>) -> Case {
        self.masked(expired, &crate::retention::erased_text())
    }

    /// The case with the content of `categories` replaced by `marker`: what
    /// [`Case::redacted`] and [`Case::hidden`] share.
    pub(super) fn masked(&self, expired: &BTreeSet<DataCategory>, marker: &Text) -> Case {
        use crate::retention::{mask, mask_opt};
        use DataCategory as C;
        let mut c = self.clone();
        let has = |cat: DataCategory| expired.contains(&cat);
        for (contact, cat) in c.contacts.values_mut() {
            if has(*cat) {
                mask(marker, &mut contact.summary);
            }
        }
        for (agreement, cat) in c.agreements.values_mut() {
            if has(*cat) {
                mask(marker, &mut agreement.description);
            }
        }
        for r in c.referrals.values_mut() {
            if has(r.domain.category()) {
                mask(marker, &mut r.reason);
                r.history.iter_mut().for_each(|s| mask_opt(marker, &mut s.note));
            }
        }
        if has(C::Guidance) {
            c.direction_history.iter_mut().for_each(|d| mask(marker, &mut d.reasoning));
            for r in &mut c.plan {
                mask(marker, &mut r.personal_situation);
                mask(marker, &mut r.perspective);
            }
            for g in c.goals.values_mut() {
                mask(marker, &mut g.description);
                mask_opt(marker, &mut g.rationale);
                mask_opt(marker, &mut g.next_steps);
            }
            c.consents.iter_mut().for_each(|k| mask(marker, &mut k.purpose));
            if let Some(o) = c.outflow.as_mut() {
                mask_opt(marker, &mut o.note);
            }
        }
        if has(C::Return) {
            if let Some(x) = c.exploration.as_mut() {
                mask_opt(marker, &mut x.motivation);
                mask_opt(marker, &mut x.documents);
                mask_opt(marker, &mut x.family_contact);
                mask_opt(marker, &mut x.prospects);
            }
            for o in c.obstacles.values_mut() {
                mask(marker, &mut o.description);
                o.actions.iter_mut().for_each(|a| mask(marker, &mut a.description));
            }
            if let Some(p) = c.reintegration.as_mut() {
                mask_opt(marker, &mut p.housing);
                mask_opt(marker, &mut p.income_work);
                mask_opt(marker, &mut p.business_plan);
                mask_opt(marker, &mut p.care);
                mask_opt(marker, &mut p.contacts_abroad);
            }
            if let Some(d) = c.departure.as_mut() {
                d.steps.iter_mut().for_each(|s| mask(marker, &mut s.note));
            }
            c.judgments.iter_mut().for_each(|j| mask(marker, &mut j.reasoning));
        }
        c
    }
}
