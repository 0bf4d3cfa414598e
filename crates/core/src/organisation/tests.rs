use super::*;

const FOUNDATION: OrganisationId = OrganisationId::from_u128(100);

fn input() -> OrganisationInput {
    OrganisationInput {
        code: "askv".into(),
        name: "ASKV Steunpunt Ongedocumenteerden".into(),
        kind: "ngo".into(),
        domains: vec!["legal".into(), "activities".into()],
        phone: Some("020 627 1234".into()),
        email: Some("info@askv.example".into()),
        address: Some("Amsterdam".into()),
    }
}

#[test]
fn everyone_reads_the_register_only_the_administrator_keeps_it_and_staff_names_stay_inside() {
    use chrono::NaiveDate;

    use crate::access::{AccessPolicy, Action, Actor, Grant, Resource};
    let policy = AccessPolicy { foundation: FOUNDATION };
    let today = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
    let iom = OrganisationId::from_u128(7);
    for role in Role::ALL {
        let staff = matches!(role, Role::ProjectWorker | Role::ProjectLead | Role::Auditor | Role::Administrator);
        let org = if staff { FOUNDATION } else { iom };
        let actor = Actor { user: UserId::from_u128(1), organisation: org, role, grant: Grant::NONE };
        for action in Action::ALL {
            let register = policy.decide(&actor, action, &Resource::Organisations, today).is_allowed();
            let keeps = role == Role::Administrator && matches!(action, Action::Create | Action::Update);
            assert_eq!(register, matches!(action, Action::Read | Action::Search) || keeps, "{role} {action}");
            let names = policy.decide(&actor, action, &Resource::StaffDirectory, today).is_allowed();
            assert_eq!(names, staff && matches!(action, Action::Read | Action::Search), "{role} {action} staff");
        }
        // A staff role outside the foundation reads neither.
        if staff {
            let outsider = Actor { organisation: iom, ..actor };
            assert!(!policy.decide(&outsider, Action::Read, &Resource::StaffDirectory, today).is_allowed());
            assert!(!policy.decide(&outsider, Action::Create, &Resource::Organisations, today).is_allowed());
        }
    }
}

#[test]
fn codes_are_short_upper_case_and_never_an_id() {
    for ok in ["IOM", "askv", "Gemeente", "DT-V", "GGD-AMS", "A1", "ORG-0192F0C1-12"] {
        let code = OrganisationCode::parse(ok).unwrap();
        assert_eq!(code.as_str(), ok.to_ascii_uppercase());
    }
    for (bad, code) in [
        ("", "required"),
        ("  ", "required"),
        ("I", "not_an_organisation_code"),
        ("I O M", "not_an_organisation_code"),
        ("IOM-", "not_an_organisation_code"),
        ("-IOM", "not_an_organisation_code"),
        ("DT--V", "not_an_organisation_code"),
        ("DT&V", "not_an_organisation_code"),
        ("ÏOM", "not_an_organisation_code"),
        ("ABCDEFGHIJKLMNOPQ", "too_long"),
        ("0192f0c1-7c3e-7000-8000-000000000001", "too_long"),
    ] {
        assert_eq!(OrganisationCode::parse(bad).unwrap_err().code.code(), code, "{bad:?}");
    }
    assert!(serde_json::from_str::<OrganisationCode>("\"a b\"").is_err());
    assert_eq!(serde_json::from_str::<OrganisationCode>("\"iom\"").unwrap().as_str(), "IOM");
}

#[test]
fn generated_codes_avoid_those_taken() {
    let a = OrganisationId::from_u128(500);
    let first = OrganisationCode::generated(a, |_| false);
    assert_eq!(first.as_str(), "ORG-00000000");
    let taken = [first.clone()];
    let second = OrganisationCode::generated(a, |c| taken.contains(c));
    assert_eq!(second.as_str(), "ORG-000001F4");
    let taken = [first, second];
    assert_eq!(OrganisationCode::generated(a, |c| taken.contains(c)).as_str(), "ORG-000001F4-2");
    // Every generated code is a valid code.
    for n in [0u128, 1, u128::MAX, 0x0192_f0c1_7c3e_7000_8000_0000_0000_0001] {
        let g = OrganisationCode::generated(OrganisationId::from_u128(n), |_| false);
        assert_eq!(OrganisationCode::parse(g.as_str()), Ok(g));
    }
}

#[test]
fn phone_numbers_and_email_addresses_are_checked() {
    for ok in ["020-6271234", "+31 20 627 1234", "(020) 627.12.34", "0800/1234567"] {
        assert!(PhoneNumber::parse(ok).is_ok(), "{ok}");
    }
    for bad in ["12345", "31+20 6271234", "020 627 1234 ext", "tel: 0206271234", &"1".repeat(33)] {
        assert!(PhoneNumber::parse(bad).is_err(), "{bad}");
    }
    for bad in ["askv", "@askv.example", "info@", "a b@askv.example"] {
        assert_eq!(EmailAddress::parse(bad).unwrap_err().code, crate::ViolationCode::NotAnEmailAddress, "{bad}");
    }
    assert_eq!(
        EmailAddress::parse(&format!("{}@x.nl", "a".repeat(250))).unwrap_err().code,
        crate::ViolationCode::TooLong
    );
}

#[test]
fn kinds_and_domains_parse_by_their_stable_names() {
    for kind in OrganisationKind::ALL {
        assert_eq!(OrganisationKind::parse(kind.as_str()), Ok(kind));
        assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
    }
    assert_eq!(OrganisationKind::parse("bank").unwrap_err().code, crate::ViolationCode::NotAnOrganisationKind);
    for d in PartnerDomain::ALL {
        assert_eq!(PartnerDomain::parse(d.as_str()), Ok(d));
    }
    assert!(PartnerDomain::parse("housing").is_err());
}

#[test]
fn an_input_becomes_an_organisation_or_names_every_bad_field() {
    let o = input().into_organisation(OrganisationId::from_u128(7), FOUNDATION).unwrap();
    assert_eq!(o.code.as_str(), "ASKV");
    assert_eq!(o.kind, OrganisationKind::Ngo);
    assert_eq!(o.domains, BTreeSet::from([PartnerDomain::Legal, PartnerDomain::Activities]));
    assert_eq!(o.contact.email.as_ref().map(EmailAddress::as_str), Some("info@askv.example"));
    assert!(o.active);
    assert_eq!(o.display(), "ASKV Steunpunt Ongedocumenteerden (ASKV)");

    let bad = OrganisationInput {
        code: "A S".into(),
        name: String::new(),
        kind: "bank".into(),
        domains: vec!["legal".into(), "housing".into()],
        phone: Some("x".into()),
        email: Some("y".into()),
        address: Some("a\nb".into()),
    };
    let err = bad.into_organisation(OrganisationId::from_u128(7), FOUNDATION).unwrap_err();
    let fields: Vec<&str> = err.violations().unwrap().iter().map(|v| v.field.as_str()).collect();
    assert_eq!(fields, ["address", "code", "domains[1]", "email", "kind", "name", "phone"]);
}

#[test]
fn only_the_foundation_is_of_kind_foundation_and_it_stays_active() {
    let as_foundation = OrganisationInput { kind: "foundation".into(), ..input() };
    let err = as_foundation.clone().into_organisation(OrganisationId::from_u128(7), FOUNDATION).unwrap_err();
    assert!(err.violations().unwrap().has("kind"));
    let own = as_foundation.into_organisation(FOUNDATION, FOUNDATION).unwrap();
    assert_eq!(own.kind, OrganisationKind::Foundation);
    let err = input().into_organisation(FOUNDATION, FOUNDATION).unwrap_err();
    assert!(err.violations().unwrap().has("kind"), "the foundation must be of kind foundation");
    let retire = OrganisationChanges { active: Some(false), ..Default::default() };
    assert!(own.changed(&retire, FOUNDATION).unwrap_err().violations().unwrap().has("active"));
    let other = input().into_organisation(OrganisationId::from_u128(7), FOUNDATION).unwrap();
    assert!(!other.changed(&retire, FOUNDATION).unwrap().active);
    let to_foundation = OrganisationChanges { kind: Some(OrganisationKind::Foundation), ..Default::default() };
    assert!(other.changed(&to_foundation, FOUNDATION).is_err());
}

#[test]
fn changes_replace_only_what_they_name() {
    let o = input().into_organisation(OrganisationId::from_u128(7), FOUNDATION).unwrap();
    assert_eq!(
        o.changed(&OrganisationChanges::default(), FOUNDATION).unwrap_err().violations().unwrap().0[0].code,
        crate::ViolationCode::NothingToChange
    );
    let changes = OrganisationChanges {
        name: Some(Label::parse("ASKV").unwrap()),
        phone: Some(None),
        domains: Some(BTreeSet::from([PartnerDomain::Legal])),
        ..Default::default()
    };
    let next = o.changed(&changes, FOUNDATION).unwrap();
    assert_eq!(next.name.as_str(), "ASKV");
    assert_eq!(next.contact.phone, None);
    assert_eq!(next.contact.email, o.contact.email);
    assert_eq!(next.domains, BTreeSet::from([PartnerDomain::Legal]));
    assert_eq!((next.id, &next.code, next.kind, next.active), (o.id, &o.code, o.kind, o.active));
}

#[test]
fn references_are_ids_or_codes() {
    let id = OrganisationId::from_u128(7);
    assert_eq!(OrganisationRef::parse(&id.to_string()), Ok(OrganisationRef::Id(id)));
    assert_eq!(
        OrganisationRef::parse(" gemeente ").unwrap(),
        OrganisationRef::Code(OrganisationCode::parse("GEMEENTE").unwrap())
    );
    assert_eq!(OrganisationRef::parse("I O M").unwrap_err().code, crate::ViolationCode::NotAnOrganisation);
    let o = input().into_organisation(id, FOUNDATION).unwrap();
    assert!(OrganisationRef::parse("askv").unwrap().matches(&o));
    assert!(OrganisationRef::Id(id).matches(&o));
    assert!(!OrganisationRef::parse("IOM").unwrap().matches(&o));
}

#[test]
fn filters_admit_by_kind_domain_and_activity() {
    let o = input().into_organisation(OrganisationId::from_u128(7), FOUNDATION).unwrap();
    assert!(OrganisationFilter::default().admits(&o));
    assert!(OrganisationFilter { domain: Some(PartnerDomain::Legal), ..Default::default() }.admits(&o));
    assert!(!OrganisationFilter { domain: Some(PartnerDomain::Return), ..Default::default() }.admits(&o));
    assert!(!OrganisationFilter { kind: Some(OrganisationKind::Medical), ..Default::default() }.admits(&o));
    let inactive = Organisation { active: false, ..o };
    assert!(!OrganisationFilter::default().admits(&inactive));
    assert!(OrganisationFilter { include_inactive: true, ..Default::default() }.admits(&inactive));
}

#[test]
fn named_organisations_must_be_registered_and_active_for_new_references() {
    let o = input().into_organisation(OrganisationId::from_u128(7), FOUNDATION).unwrap();
    let inactive = Organisation { active: false, ..o.clone() };
    let new = NamedOrganisation { organisation: o.id, new_reference: true };
    let record = NamedOrganisation { new_reference: false, ..new };
    assert_eq!(new.check(Some(&o)), Ok(()));
    assert_eq!(new.check(None), Err(DomainError::NotFound { entity: EntityKind::Organisation, id: o.id.to_string() }));
    assert_eq!(new.check(Some(&inactive)), Err(DomainError::RuleViolated { rule: Rule::OrganisationInactive }));
    assert_eq!(record.check(Some(&inactive)), Ok(()));
    assert!(record.check(None).is_err());
}

#[test]
fn commands_say_which_organisations_they_name() {
    use chrono::NaiveDate;

    use crate::case::{NewAgreement, NewGoal};
    use crate::ids::{AgreementId, ConsentId, GoalId, ReferralId, ReportId};
    use crate::text::Text;
    let (a, b) = (OrganisationId::from_u128(1), OrganisationId::from_u128(2));
    let day = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
    let text = Text::parse("x").unwrap();
    let named = |cmd: CaseCommand| cmd.organisations();
    let goal = NewGoal {
        id: GoalId::from_u128(1),
        description: text.clone(),
        rationale: None,
        responsible: Responsible::Partner(a),
        partners: vec![a, b],
        deadline: day,
        next_steps: None,
        set_on: None,
    };
    assert_eq!(
        named(CaseCommand::SetGoal(goal)),
        [
            NamedOrganisation { organisation: a, new_reference: true },
            NamedOrganisation { organisation: b, new_reference: true }
        ]
    );
    let referral = CaseCommand::ProposeReferral {
        id: ReferralId::from_u128(1),
        partner: b,
        domain: PartnerDomain::Legal,
        reason: text.clone(),
        on: None,
    };
    assert_eq!(named(referral), [NamedOrganisation { organisation: b, new_reference: true }]);
    let consent = CaseCommand::GiveConsent {
        id: ConsentId::from_u128(1),
        organisation: a,
        categories: BTreeSet::from([crate::DataCategory::Return]),
        purpose: text.clone(),
        given_on: day,
    };
    assert_eq!(named(consent), [NamedOrganisation { organisation: a, new_reference: true }]);
    let report = CaseCommand::RecordProgressReport {
        id: ReportId::from_u128(1),
        period_from: day,
        period_to: day,
        sent_to: a,
        sent_on: None,
    };
    assert_eq!(named(report), [NamedOrganisation { organisation: a, new_reference: false }]);
    let agreement = CaseCommand::AddAgreement {
        agreement: NewAgreement {
            id: AgreementId::from_u128(1),
            description: text.clone(),
            due_on: day,
            who_acts: Responsible::Partner(b),
        },
        category: crate::DataCategory::Guidance,
        on: None,
    };
    assert_eq!(named(agreement), [NamedOrganisation { organisation: b, new_reference: true }]);
    let obstacle = CaseCommand::IdentifyObstacle {
        id: crate::ObstacleId::from_u128(1),
        kind: crate::ObstacleKind::MissingDocuments,
        description: text.clone(),
        partner: Some(a),
        on: day,
    };
    assert_eq!(named(obstacle), [NamedOrganisation { organisation: a, new_reference: true }]);
    assert!(
        named(CaseCommand::RevisePlan { personal_situation: text.clone(), perspective: text, on: None }).is_empty()
    );
    let communicated = CaseCommand::RecordJudgmentCommunicated {
        judgment: crate::JudgmentId::from_u128(1),
        to: Recipient::Municipality,
        on: day,
    };
    assert!(named(communicated).is_empty());
}
