use super::*;

fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
}

const WORKER: UserId = UserId::from_u128(1);
const FOUNDATION: OrganisationId = OrganisationId::from_u128(100);
const IOM: OrganisationId = OrganisationId::from_u128(101);
const GEMEENTE: OrganisationId = OrganisationId::from_u128(102);
const POLICY: AccessPolicy = AccessPolicy { foundation: FOUNDATION };

/// Users outside the foundation get a grant of every category at every level, so that
/// the tests below are about roles and consent; the grant's own tests narrow it.
fn actor(role: Role, user: u128, org: OrganisationId) -> Actor {
    let grant =
        Grant { categories: DataCategory::ALL.into_iter().collect(), max_level: ConfidentialityLevel::ZeerGeheim };
    Actor { user: UserId::from_u128(user), organisation: org, role, grant }
}

fn consent(org: OrganisationId, cats: &[DataCategory], given: u32, withdrawn: Option<u32>) -> Consent {
    Consent {
        id: ConsentId::from_u128(u128::from(given) * 1000 + org.as_uuid().as_u128()),
        organisation: org,
        categories: cats.iter().copied().collect(),
        purpose: Text::parse("terugkeerbegeleiding").unwrap(),
        given_on: day(given),
        withdrawn_on: withdrawn.map(day),
        recorded_by: WORKER,
    }
}

fn case(consents: &[Consent], category: DataCategory) -> Resource<'_> {
    Resource::CaseData {
        scope: ParticipantScope {
            participant: ParticipantId::from_u128(7),
            project_worker: WORKER,
            consents,
            levels: CaseLevels::DEFAULT,
        },
        category,
    }
}

#[test]
fn the_lead_reads_medical_and_criminal_content_only_by_breaking_the_glass() {
    let lead = actor(Role::ProjectLead, 3, FOUNDATION);
    for cat in DataCategory::ALL {
        for action in Action::ALL {
            let d = POLICY.decide(&lead, action, &case(&[], cat), day(28));
            let hidden = cat.is_need_to_know() && matches!(action, Action::Read | Action::Search);
            assert_eq!(d.is_allowed(), !hidden, "{action} {cat}");
            if hidden {
                assert_eq!(d, Decision::Denied { reason: DenyReason::NeedToKnow { category: cat } });
            }
        }
    }
    assert_eq!(POLICY.decide_break_glass(&lead), Decision::Allowed { basis: Basis::BreakGlass });
}

#[test]
fn a_partner_needs_grant_and_level_and_consent() {
    let consents = [consent(IOM, &DataCategory::ALL, 1, None)];
    let scope = |levels| ParticipantScope {
        participant: ParticipantId::from_u128(7),
        project_worker: WORKER,
        consents: &consents,
        levels,
    };
    let read = |a: &Actor, levels, category| {
        POLICY.decide(a, Action::Read, &Resource::CaseData { scope: scope(levels), category }, day(15))
    };
    let grant = |cats: &[DataCategory], max_level| Actor {
        grant: Grant { categories: cats.iter().copied().collect(), max_level },
        ..actor(Role::ChainPartner, 9, IOM)
    };
    let (legal, medical) = (DataCategory::Legal, DataCategory::MedicalPsychosocial);
    let defaults = CaseLevels::DEFAULT;

    // No grant: nothing, whatever the consent.
    let none = Actor { grant: Grant::NONE, ..actor(Role::ChainPartner, 9, IOM) };
    assert_eq!(read(&none, defaults, legal), Decision::Denied { reason: DenyReason::NotGranted { category: legal } });
    // A grant for legal data up to vertrouwelijk: legal yes, medical (another category) no.
    let askv = grant(&[legal], ConfidentialityLevel::Vertrouwelijk);
    assert_eq!(read(&askv, defaults, legal), Decision::Allowed { basis: Basis::Consent(consents[0].id) });
    assert_eq!(
        read(&askv, defaults, medical),
        Decision::Denied { reason: DenyReason::NotGranted { category: medical } }
    );
    // Medical data is geheim by default: a grant up to vertrouwelijk does not reach it.
    let ggd = grant(&[medical], ConfidentialityLevel::Vertrouwelijk);
    assert_eq!(
        read(&ggd, defaults, medical),
        Decision::Denied {
            reason: DenyReason::AboveGrantLevel {
                category: medical,
                level: ConfidentialityLevel::Geheim,
                max: ConfidentialityLevel::Vertrouwelijk
            }
        }
    );
    assert!(read(&grant(&[medical], ConfidentialityLevel::Geheim), defaults, medical).is_allowed());
    // A case that raised its legal level to geheim is out of the legal partner's reach.
    let raised = defaults.with(legal, ConfidentialityLevel::Geheim);
    assert!(matches!(read(&askv, raised, legal), Decision::Denied { reason: DenyReason::AboveGrantLevel { .. } }));
    // Without consent the raised level is not told: the denial names the missing consent.
    let unconsented = ParticipantScope { consents: &[], ..scope(raised) };
    assert_eq!(
        POLICY.decide(&askv, Action::Read, &Resource::CaseData { scope: unconsented, category: legal }, day(15)),
        Decision::Denied { reason: DenyReason::NoConsent { category: legal } }
    );
    // And the grant never replaces consent.
    let no_consent = ParticipantScope { consents: &[], ..scope(defaults) };
    assert_eq!(
        POLICY.decide(&askv, Action::Read, &Resource::CaseData { scope: no_consent, category: legal }, day(15)),
        Decision::Denied { reason: DenyReason::NoConsent { category: legal } }
    );
    // The same for a referral addressed to the partner, at the case's level for its category.
    let referral = |levels| Resource::Referral {
        scope: scope(levels),
        addressed_to: IOM,
        sent: true,
        on_override: false,
        category: legal,
    };
    assert!(POLICY.decide(&askv, Action::Update, &referral(defaults), day(15)).is_allowed());
    assert!(!POLICY.decide(&askv, Action::Update, &referral(raised), day(15)).is_allowed());
    assert!(!POLICY.decide(&none, Action::Read, &referral(defaults), day(15)).is_allowed());
    // Staff are decided by their role rules, not by a grant.
    let worker = Actor { grant: Grant::NONE, ..actor(Role::ProjectWorker, 1, FOUNDATION) };
    assert!(read(&worker, raised, legal).is_allowed());
}

#[test]
fn levels_order_as_zgw_and_every_category_has_a_floor() {
    assert!(ConfidentialityLevel::ALL.windows(2).all(|w| w[0] < w[1]));
    for level in ConfidentialityLevel::ALL {
        assert_eq!(ConfidentialityLevel::parse(level.as_str()), Some(level));
    }
    for cat in DataCategory::ALL {
        assert_eq!(CaseLevels::DEFAULT.of(cat), cat.default_level());
        assert!(cat.default_level() >= ConfidentialityLevel::Zaakvertrouwelijk, "{cat}");
        assert_eq!(DataCategory::parse(cat.as_str()), Some(cat));
    }
    let set: CategorySet = [DataCategory::Legal, DataCategory::Return].into_iter().collect();
    assert_eq!(set.iter().collect::<Vec<_>>(), vec![DataCategory::Legal, DataCategory::Return]);
}

#[test]
fn the_assigned_worker_may_do_everything_but_erase() {
    let me = actor(Role::ProjectWorker, 1, FOUNDATION);
    for cat in DataCategory::ALL {
        for action in Action::ALL {
            let d = POLICY.decide(&me, action, &case(&[], cat), day(28));
            assert_eq!(d.is_allowed(), action != Action::Erase, "{action} {cat}");
        }
    }
}

#[test]
fn another_worker_only_finds_people() {
    let colleague = actor(Role::ProjectWorker, 2, FOUNDATION);
    for cat in DataCategory::ALL {
        for action in Action::ALL {
            let allowed = POLICY.decide(&colleague, action, &case(&[], cat), day(28)).is_allowed();
            let expected = cat == DataCategory::Identity && matches!(action, Action::Read | Action::Search);
            assert_eq!(allowed, expected, "{action} {cat}");
        }
    }
    let d = POLICY.decide(&colleague, Action::Read, &case(&[], DataCategory::MedicalPsychosocial), day(28));
    assert_eq!(d, Decision::Denied { reason: DenyReason::NotAssigned });
}

#[test]
fn partners_need_consent_for_the_category_and_lose_it_on_withdrawal() {
    let iom = actor(Role::ChainPartner, 9, IOM);
    let consents = [consent(IOM, &[DataCategory::Return, DataCategory::Identity], 10, Some(20))];
    let read_return = |d| POLICY.decide(&iom, Action::Read, &case(&consents, DataCategory::Return), day(d));
    assert!(!read_return(9).is_allowed(), "before consent");
    assert_eq!(read_return(10), Decision::Allowed { basis: Basis::Consent(consents[0].id) });
    assert!(read_return(19).is_allowed());
    assert!(!read_return(20).is_allowed(), "withdrawal takes effect that day");
    assert_eq!(
        POLICY.decide(&iom, Action::Read, &case(&consents, DataCategory::Legal), day(15)),
        Decision::Denied { reason: DenyReason::NoConsent { category: DataCategory::Legal } }
    );
    assert!(!POLICY.decide(&iom, Action::Update, &case(&consents, DataCategory::Return), day(15)).is_allowed());
}

#[test]
fn partners_read_a_progress_report_only_with_consent_for_reports() {
    let iom = actor(Role::ChainPartner, 9, IOM);
    let consents = [consent(IOM, &[DataCategory::Reports], 10, None)];
    assert_eq!(
        POLICY.decide(&iom, Action::Read, &case(&consents, DataCategory::Reports), day(15)),
        Decision::Allowed { basis: Basis::Consent(consents[0].id) }
    );
    assert!(!POLICY.decide(&iom, Action::Read, &case(&[], DataCategory::Reports), day(15)).is_allowed());
    for action in [Action::Search, Action::Export, Action::Create, Action::Update, Action::Erase] {
        assert!(!POLICY.decide(&iom, action, &case(&consents, DataCategory::Reports), day(15)).is_allowed());
    }
    assert!(!POLICY.decide(&iom, Action::Read, &case(&consents, DataCategory::Guidance), day(15)).is_allowed());
}

#[test]
fn consent_for_another_organisation_does_not_count() {
    let iom = actor(Role::ChainPartner, 9, IOM);
    let consents = [consent(GEMEENTE, &[DataCategory::Return], 1, None)];
    assert!(!POLICY.decide(&iom, Action::Read, &case(&consents, DataCategory::Return), day(15)).is_allowed());
}

#[test]
fn criminal_history_never_leaves_the_foundation_whatever_the_consent() {
    let all: Vec<DataCategory> = DataCategory::ALL.to_vec();
    for (role, org) in [(Role::ChainPartner, IOM), (Role::MunicipalCaseManager, GEMEENTE)] {
        let consents = [consent(org, &all, 1, None)];
        let a = actor(role, 9, org);
        for action in Action::ALL {
            let d = POLICY.decide(&a, action, &case(&consents, DataCategory::CriminalHistory), day(15));
            assert!(!d.is_allowed(), "{role} {action}");
        }
    }
    let gemeente = actor(Role::MunicipalCaseManager, 8, GEMEENTE);
    let consents = [consent(GEMEENTE, &all, 1, None)];
    assert!(
        !POLICY
            .decide(&gemeente, Action::Read, &case(&consents, DataCategory::MedicalPsychosocial), day(15))
            .is_allowed()
    );
    assert!(POLICY.decide(&gemeente, Action::Read, &case(&consents, DataCategory::Reports), day(15)).is_allowed());
}

#[test]
fn auditors_and_administrators_see_no_case_data() {
    for role in [Role::Auditor, Role::Administrator] {
        let a = actor(role, 5, FOUNDATION);
        for cat in DataCategory::ALL {
            for action in Action::ALL {
                assert!(!POLICY.decide(&a, action, &case(&[], cat), day(15)).is_allowed());
            }
        }
    }
    let auditor = actor(Role::Auditor, 5, FOUNDATION);
    assert!(POLICY.decide(&auditor, Action::Read, &Resource::AuditLog, day(15)).is_allowed());
    let admin = actor(Role::Administrator, 6, FOUNDATION);
    assert!(POLICY.decide(&admin, Action::Create, &Resource::AccessTokens, day(15)).is_allowed());
    assert!(!POLICY.decide(&admin, Action::Read, &Resource::AuditLog, day(15)).is_allowed());
}

#[test]
fn nobody_writes_the_audit_log() {
    for role in Role::ALL {
        let a = actor(role, 5, FOUNDATION);
        for action in [Action::Create, Action::Update, Action::Erase] {
            assert!(!POLICY.decide(&a, action, &Resource::AuditLog, day(15)).is_allowed(), "{role} {action}");
        }
    }
}

#[test]
fn partners_see_only_sent_referrals_addressed_to_them_under_consent() {
    let iom = actor(Role::ChainPartner, 9, IOM);
    let consents = [consent(IOM, &[DataCategory::Return], 1, None)];
    let scope = ParticipantScope {
        participant: ParticipantId::from_u128(7),
        project_worker: WORKER,
        consents: &consents,
        levels: CaseLevels::DEFAULT,
    };
    let referral =
        |to, sent, category| Resource::Referral { scope, addressed_to: to, sent, on_override: false, category };
    let sent_return = referral(IOM, true, DataCategory::Return);
    assert_eq!(
        POLICY.decide(&iom, Action::Update, &sent_return, day(15)),
        Decision::Allowed { basis: Basis::Consent(consents[0].id) }
    );
    assert_eq!(
        POLICY.decide(&iom, Action::Read, &referral(IOM, false, DataCategory::Return), day(15)),
        Decision::Denied { reason: DenyReason::NotSent }
    );
    assert_eq!(
        POLICY.decide(&iom, Action::Read, &referral(GEMEENTE, true, DataCategory::Return), day(15)),
        Decision::Denied { reason: DenyReason::NotAddressee }
    );
    assert_eq!(
        POLICY.decide(&iom, Action::Read, &referral(IOM, true, DataCategory::MedicalPsychosocial), day(15)),
        Decision::Denied { reason: DenyReason::NoConsent { category: DataCategory::MedicalPsychosocial } }
    );
    assert!(!POLICY.decide(&iom, Action::Erase, &sent_return, day(15)).is_allowed());
    // Sent on the project lead's override: the addressee reads it without a consent, still
    // within its grant; the override never reaches anyone else.
    let on_override =
        |to, category| Resource::Referral { scope, addressed_to: to, sent: true, on_override: true, category };
    assert_eq!(
        POLICY.decide(&iom, Action::Read, &on_override(IOM, DataCategory::Legal), day(15)),
        Decision::Allowed { basis: Basis::Addressee }
    );
    assert_eq!(
        POLICY.decide(&iom, Action::Read, &on_override(GEMEENTE, DataCategory::Legal), day(15)),
        Decision::Denied { reason: DenyReason::NotAddressee }
    );
    let ungranted = Actor { grant: Grant::NONE, ..iom };
    assert_eq!(
        POLICY.decide(&ungranted, Action::Read, &on_override(IOM, DataCategory::Legal), day(15)),
        Decision::Denied { reason: DenyReason::NotGranted { category: DataCategory::Legal } }
    );
}

#[test]
fn outside_the_foundation_a_referral_is_its_addressees_alone() {
    let all: Vec<DataCategory> = DataCategory::ALL.to_vec();
    let consents = [consent(GEMEENTE, &all, 1, None), consent(IOM, &all, 1, None)];
    let scope = ParticipantScope {
        participant: ParticipantId::from_u128(7),
        project_worker: WORKER,
        consents: &consents,
        levels: CaseLevels::DEFAULT,
    };
    let referral =
        |to, category| Resource::Referral { scope, addressed_to: to, sent: true, on_override: false, category };
    // The municipality, with consent for everything, never reads a referral to a partner.
    let gemeente = actor(Role::MunicipalCaseManager, 8, GEMEENTE);
    for category in DataCategory::ALL {
        assert_eq!(
            POLICY.decide(&gemeente, Action::Read, &referral(IOM, category), day(15)),
            Decision::Denied { reason: DenyReason::NotAddressee },
            "{category}"
        );
    }
    // Addressed to the municipality: it reads it, but never medical content.
    assert!(POLICY.decide(&gemeente, Action::Read, &referral(GEMEENTE, DataCategory::Guidance), day(15)).is_allowed());
    assert!(
        !POLICY
            .decide(&gemeente, Action::Read, &referral(GEMEENTE, DataCategory::MedicalPsychosocial), day(15))
            .is_allowed()
    );
    assert!(
        !POLICY.decide(&gemeente, Action::Update, &referral(GEMEENTE, DataCategory::Guidance), day(15)).is_allowed()
    );
    // Criminal history never leaves the foundation, not even to the addressee.
    let iom = actor(Role::ChainPartner, 9, IOM);
    let criminal = referral(IOM, DataCategory::CriminalHistory);
    assert!(!POLICY.decide(&iom, Action::Read, &criminal, day(15)).is_allowed());
    // The addressee reads and answers; it does not search or export referrals.
    assert!(POLICY.decide(&iom, Action::Read, &referral(IOM, DataCategory::MedicalPsychosocial), day(15)).is_allowed());
    assert!(!POLICY.decide(&iom, Action::Search, &referral(IOM, DataCategory::Legal), day(15)).is_allowed());
    // Inside the foundation a referral is case data of its category.
    let worker = actor(Role::ProjectWorker, 1, FOUNDATION);
    assert_eq!(
        POLICY.decide(&worker, Action::Read, &referral(IOM, DataCategory::Legal), day(15)),
        Decision::Allowed { basis: Basis::Assignment }
    );
}

#[test]
fn an_organisation_reads_the_consents_that_name_it_and_no_others() {
    let consents = [consent(IOM, &[DataCategory::Return], 1, Some(3))];
    let scope = ParticipantScope {
        participant: ParticipantId::from_u128(7),
        project_worker: WORKER,
        consents: &consents,
        levels: CaseLevels::DEFAULT,
    };
    let resource = Resource::Consent { scope, consent: consents[0].id, organisation: IOM };
    // Withdrawn or not, and without a grant: it must learn of the withdrawal.
    let iom = Actor { grant: Grant::NONE, ..actor(Role::ChainPartner, 9, IOM) };
    assert_eq!(POLICY.decide(&iom, Action::Read, &resource, day(15)), Decision::Allowed { basis: Basis::Addressee });
    assert!(!POLICY.decide(&iom, Action::Update, &resource, day(15)).is_allowed());
    let gemeente = actor(Role::MunicipalCaseManager, 8, GEMEENTE);
    assert_eq!(
        POLICY.decide(&gemeente, Action::Read, &resource, day(15)),
        Decision::Denied { reason: DenyReason::NotAddressee }
    );
    // Inside the foundation a consent is guidance data.
    let other = actor(Role::ProjectWorker, 2, FOUNDATION);
    assert_eq!(
        POLICY.decide(&other, Action::Read, &resource, day(15)),
        Decision::Denied { reason: DenyReason::NotAssigned }
    );
}

#[test]
fn staff_roles_count_only_inside_the_foundation() {
    for role in [Role::ProjectLead, Role::ProjectWorker, Role::Auditor, Role::Administrator] {
        let outsider = actor(role, 1, IOM);
        let d = POLICY.decide(&outsider, Action::Read, &case(&[], DataCategory::Identity), day(15));
        assert_eq!(d, Decision::Denied { reason: DenyReason::NotFoundationStaff { role } }, "{role}");
        assert!(!POLICY.decide(&outsider, Action::Read, &Resource::AuditLog, day(15)).is_allowed());
    }
}

#[test]
fn session_attendance_and_meeting_items_stay_with_staff() {
    let gemeente = actor(Role::MunicipalCaseManager, 8, GEMEENTE);
    for r in [Resource::InformationSessions, Resource::ChainMeetings] {
        assert!(!POLICY.decide(&gemeente, Action::Read, &r, day(15)).is_allowed(), "{}", r.kind());
        assert!(POLICY.decide(&actor(Role::ProjectWorker, 1, FOUNDATION), Action::Read, &r, day(15)).is_allowed());
    }
}

#[test]
fn only_the_project_lead_exports_everything_about_a_person() {
    let consents = [consent(GEMEENTE, &DataCategory::ALL, 1, None)];
    let scope = ParticipantScope {
        participant: ParticipantId::from_u128(7),
        project_worker: WORKER,
        consents: &consents,
        levels: CaseLevels::DEFAULT,
    };
    let lead = actor(Role::ProjectLead, 3, FOUNDATION);
    assert_eq!(POLICY.decide_subject_export(&lead, &scope, day(15)), Decision::Allowed { basis: Basis::RoleRule });
    for (role, user, org) in [
        (Role::ProjectWorker, 1, FOUNDATION),
        (Role::ProjectWorker, 2, FOUNDATION),
        (Role::MunicipalCaseManager, 8, GEMEENTE),
        (Role::ChainPartner, 9, GEMEENTE),
        (Role::Auditor, 5, FOUNDATION),
        (Role::Administrator, 6, FOUNDATION),
        (Role::ProjectLead, 3, IOM),
    ] {
        let a = actor(role, user, org);
        assert!(!POLICY.decide_subject_export(&a, &scope, day(15)).is_allowed(), "{role} of {org:?}");
    }
}

#[test]
fn only_foundation_case_workers_break_the_glass() {
    for role in Role::ALL {
        let inside = POLICY.decide_break_glass(&actor(role, 4, FOUNDATION)).is_allowed();
        assert_eq!(inside, matches!(role, Role::ProjectWorker | Role::ProjectLead), "{role}");
        assert!(!POLICY.decide_break_glass(&actor(role, 4, IOM)).is_allowed(), "{role} outside");
    }
}

#[test]
fn break_glass_is_reviewed_by_the_lead_or_the_auditor_but_never_by_oneself() {
    let someone = UserId::from_u128(44);
    for role in Role::ALL {
        let reviewer = actor(role, 4, FOUNDATION);
        let allowed = POLICY.decide_break_glass_review(&reviewer, someone, day(15)).is_allowed();
        assert_eq!(allowed, matches!(role, Role::ProjectLead | Role::Auditor), "{role}");
        assert!(!POLICY.decide_break_glass_review(&reviewer, reviewer.user, day(15)).is_allowed(), "{role} self");
    }
}

#[test]
fn default_deny_for_unlisted_combinations() {
    let partner = actor(Role::ChainPartner, 9, IOM);
    for r in [
        Resource::InformationSessions,
        Resource::ChainMeetings,
        Resource::SubsidyPeriods,
        Resource::SubsidyReports,
        Resource::AuditLog,
        Resource::UserAccounts,
        Resource::AccessTokens,
        Resource::AccountConfirmations,
    ] {
        for action in Action::ALL {
            assert!(!POLICY.decide(&partner, action, &r, day(15)).is_allowed(), "{} {action}", r.kind());
        }
    }
}
