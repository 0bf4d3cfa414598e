use super::*;

impl AccessPolicy {
    /// Whether `actor` may export everything held about a person (GDPR art. 15): the export
    /// holds every data category and the person's access log, so it needs
    /// [`Action::Export`] on each category and [`Action::Read`] on the audit log. The basis is
    /// the one for the guidance category (the case file's core).
    ///
    /// ```
    /// use chrono::NaiveDate;
    /// use perspectief_core::access::*;
    /// use perspectief_core::{OrganisationId, ParticipantId, UserId};
    ///
    /// let foundation = OrganisationId::from_u128(100);
    /// let policy = AccessPolicy { foundation };
    /// let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
    /// let staff = |user, role| Actor { user: UserId::from_u128(user), organisation: foundation, role, grant: Grant::NONE };
    /// let (worker, lead) = (staff(1, Role::ProjectWorker), staff(2, Role::ProjectLead));
    /// let scope = ParticipantScope {
    ///     participant: ParticipantId::from_u128(7),
    ///     project_worker: worker.user,
    ///     consents: &[],
    ///     levels: CaseLevels::DEFAULT,
    /// };
    /// assert!(policy.decide_subject_export(&lead, &scope, today).is_allowed());
    /// // Even the assigned worker may not: the export includes the access log.
    /// assert!(!policy.decide_subject_export(&worker, &scope, today).is_allowed());
    /// ```
    pub fn decide_subject_export(&self, actor: &Actor, scope: &ParticipantScope<'_>, today: NaiveDate) -> Decision {
        let mut basis = None;
        for category in DataCategory::ALL {
            match self.decide(actor, Action::Export, &Resource::CaseData { scope: *scope, category }, today) {
                Decision::Allowed { basis: b } => {
                    if category == DataCategory::Guidance {
                        basis = Some(b);
                    }
                }
                denied => return denied,
            }
        }
        match self.decide(actor, Action::Read, &Resource::AuditLog, today) {
            Decision::Allowed { .. } => allow(basis.unwrap_or(Basis::RoleRule)),
            denied => denied,
        }
    }

    /// Whether `actor` may break the glass: read a whole case file they otherwise may not, in an
    /// emergency, giving a reason (the caller must require one; the reason is recorded sealed
    /// and listed for review). Allowed to the foundation's project workers and project lead
    /// only; auditors and administrators never see case data, and nobody outside the
    /// foundation breaks its glass.
    ///
    /// The basis recorded is [`Basis::BreakGlass`], so the access log says the read was an
    /// emergency one (its operation is [`crate::privacy::BREAK_GLASS_OPERATION`]).
    pub fn decide_break_glass(&self, actor: &Actor) -> Decision {
        let staff = matches!(actor.role, Role::ProjectWorker | Role::ProjectLead | Role::Auditor | Role::Administrator);
        if staff && actor.organisation != self.foundation {
            return deny(DenyReason::NotFoundationStaff { role: actor.role });
        }
        match actor.role {
            Role::ProjectWorker | Role::ProjectLead => allow(Basis::BreakGlass),
            role => deny(DenyReason::RoleNotEntitled {
                role,
                action: Action::Read,
                resource: "case_data (break-glass)".to_owned(),
            }),
        }
    }

    /// Whether `actor` may review a break-glass access made by `accessed_by`: whoever may
    /// search the audit log (the project lead, the auditor), but never their own access.
    pub fn decide_break_glass_review(&self, actor: &Actor, accessed_by: UserId, today: NaiveDate) -> Decision {
        match self.decide(actor, Action::Search, &Resource::AuditLog, today) {
            Decision::Allowed { basis } if actor.user != accessed_by => allow(basis),
            Decision::Allowed { .. } => deny(DenyReason::RoleNotEntitled {
                role: actor.role,
                action: Action::Update,
                resource: "break_glass (own access)".to_owned(),
            }),
            denied => denied,
        }
    }
}

impl AccessPolicy {
    /// Whether `actor` may override a missing consent: have a referral sent to a partner that
    /// no active consent of the participant covers, giving a reason (the caller must require
    /// one; it is recorded in the event, stored sealed and listed for review, see
    /// [`crate::privacy::ConsentOverrideRecord`]). Only the foundation's project lead; the
    /// project worker asks the lead. Whether an override is needed at all is the case's
    /// ([`crate::case::Case::consent_override_request`]), and criminal history is never
    /// shared, override or not ([`crate::privacy::share_basis`]).
    pub fn decide_consent_override(&self, actor: &Actor) -> Decision {
        let staff = matches!(actor.role, Role::ProjectWorker | Role::ProjectLead | Role::Auditor | Role::Administrator);
        if staff && actor.organisation != self.foundation {
            return deny(DenyReason::NotFoundationStaff { role: actor.role });
        }
        match actor.role {
            Role::ProjectLead => allow(Basis::RoleRule),
            role => deny(DenyReason::RoleNotEntitled {
                role,
                action: Action::Update,
                resource: "referral (consent override)".to_owned(),
            }),
        }
    }
}
