//! Sharing with a partner needs a covering consent, or the project lead's recorded override
//! (issue #7): sending a referral, and a progress report to the municipality.

use perspectief_core::access::{Actor, DataCategory, Grant, Role};
use perspectief_core::privacy::{ConsentOverrideRequest, ShareBasis, share_basis};
use perspectief_core::*;

use crate::support::*;

const REFERRAL: ReferralId = ReferralId::from_u128(21);

/// A case with a medical referral to IOM proposed (so sending shares medical/psychosocial data).
fn proposed() -> (Case, Vec<CaseEvent>) {
    let (mut case, mut log) = registered();
    let propose = CaseCommand::ProposeReferral {
        id: REFERRAL,
        partner: IOM,
        domain: PartnerDomain::Medical,
        reason: text("Huisarts nodig"),
        on: None,
    };
    run(&mut case, &mut log, propose, start());
    (case, log)
}

fn send(consent_override: Option<&str>) -> CaseCommand {
    CaseCommand::AdvanceReferral {
        referral: REFERRAL,
        to: ReferralStatus::Sent,
        on: later(start(), 2),
        note: None,
        consent_override: consent_override.map(text),
    }
}

fn consent(id: u128, organisation: OrganisationId, category: DataCategory) -> CaseCommand {
    CaseCommand::GiveConsent {
        id: ConsentId::from_u128(id),
        organisation,
        categories: [category].into(),
        purpose: text("Doorverwijzing"),
        given_on: start(),
    }
}

fn status(case: &Case) -> ReferralStatus {
    case.referral(REFERRAL).unwrap().status()
}

fn sent_change(events: &[CaseEvent]) -> (Option<ConsentId>, Option<Text>) {
    match events {
        [CaseEvent { change: CaseChange::ReferralAdvanced { consent, consent_override, .. }, .. }] => {
            (*consent, consent_override.clone())
        }
        other => panic!("expected one referral_advanced event, got {other:?}"),
    }
}

#[test]
fn sending_without_any_consent_is_refused_and_changes_nothing() {
    let (mut case, _) = proposed();
    let before = case.clone();
    let err = case.execute(send(None), &ctx_on(later(start(), 2))).unwrap_err();
    assert_eq!(err, DomainError::ConsentRequired { organisation: IOM, category: DataCategory::MedicalPsychosocial });
    assert_eq!(err.code(), "consent_required");
    assert!(err.to_string().contains("project lead"), "the message says what to do: {err}");
    assert_eq!(case, before, "nothing changed");
    assert_eq!(status(&case), ReferralStatus::Proposed);
}

#[test]
fn a_consent_for_another_organisation_or_category_or_a_withdrawn_one_does_not_cover() {
    let on = later(start(), 2);
    let (mut other_org, mut l1) = proposed();
    run(&mut other_org, &mut l1, consent(1, GEMEENTE, DataCategory::MedicalPsychosocial), start());
    let (mut other_category, mut l2) = proposed();
    run(&mut other_category, &mut l2, consent(2, IOM, DataCategory::Return), start());
    let (mut withdrawn, mut l3) = proposed();
    run(&mut withdrawn, &mut l3, consent(3, IOM, DataCategory::MedicalPsychosocial), start());
    let withdraw = CaseCommand::WithdrawConsent { consent: ConsentId::from_u128(3), on: later(start(), 1) };
    run(&mut withdrawn, &mut l3, withdraw, later(start(), 1));
    for (what, case) in
        [("other organisation", other_org), ("other category", other_category), ("withdrawn", withdrawn)]
    {
        let mut case = case;
        let err = case.execute(send(None), &ctx_on(on)).unwrap_err();
        assert_eq!(err.code(), "consent_required", "{what}");
        assert_eq!(status(&case), ReferralStatus::Proposed, "{what}");
    }
}

#[test]
fn a_covering_consent_sends_and_the_event_names_it() {
    let (mut case, mut log) = proposed();
    run(&mut case, &mut log, consent(4, IOM, DataCategory::MedicalPsychosocial), start());
    let on = later(start(), 2);
    // An override given as well is not needed, so not used: the consent is the basis.
    assert_eq!(case.consent_override_request(&send(Some("Spoed")), on), None);
    let events = run(&mut case, &mut log, send(Some("Spoed")), on);
    assert_eq!(sent_change(&events), (Some(ConsentId::from_u128(4)), None));
    assert_eq!(status(&case), ReferralStatus::Sent);
    // The answer needs no consent of its own.
    let accept = CaseCommand::AdvanceReferral {
        referral: REFERRAL,
        to: ReferralStatus::Accepted,
        on,
        note: None,
        consent_override: None,
    };
    let events = run(&mut case, &mut log, accept, on);
    assert_eq!(sent_change(&events), (None, None));
    assert_eq!(Case::replay(&log).unwrap(), case);
}

#[test]
fn an_override_sends_and_the_event_records_the_reason() {
    let (mut case, mut log) = proposed();
    let on = later(start(), 2);
    let request = case.consent_override_request(&send(Some("Acute zorg nodig, deelnemer onbereikbaar")), on);
    assert_eq!(
        request,
        Some(ConsentOverrideRequest {
            referral: REFERRAL,
            partner: IOM,
            category: DataCategory::MedicalPsychosocial,
            reason: text("Acute zorg nodig, deelnemer onbereikbaar"),
        })
    );
    assert_eq!(case.consent_override_request(&send(None), on), None, "no override asked, none to check");
    let events = run(&mut case, &mut log, send(Some("Acute zorg nodig, deelnemer onbereikbaar")), on);
    assert_eq!(sent_change(&events), (None, Some(text("Acute zorg nodig, deelnemer onbereikbaar"))));
    assert_eq!(status(&case), ReferralStatus::Sent);
    assert_eq!(Case::replay(&log).unwrap(), case);
}

#[test]
fn criminal_history_is_never_shared_whatever_the_consent_or_override() {
    // No partner domain maps to criminal history today; the rule holds for whatever would.
    let all = [DataCategory::CriminalHistory].into();
    let c = perspectief_core::access::Consent {
        id: ConsentId::from_u128(9),
        organisation: IOM,
        categories: all,
        purpose: text("x"),
        given_on: start(),
        withdrawn_on: None,
        recorded_by: WORKER,
    };
    let err = share_basis(std::slice::from_ref(&c), IOM, DataCategory::CriminalHistory, start(), Some(&text("Spoed")))
        .unwrap_err();
    assert_eq!(err.code(), "access_denied");
    assert_eq!(
        share_basis(&[c], IOM, DataCategory::Legal, start(), Some(&text("Spoed"))),
        Ok(ShareBasis::Override { reason: text("Spoed") })
    );
}

#[test]
fn only_the_foundations_project_lead_may_override() {
    let actor = |role, organisation| Actor { user: UserId::from_u128(5), organisation, role, grant: Grant::NONE };
    assert!(POLICY.decide_consent_override(&actor(Role::ProjectLead, FOUNDATION)).is_allowed());
    for (role, org) in [
        (Role::ProjectWorker, FOUNDATION),
        (Role::Auditor, FOUNDATION),
        (Role::Administrator, FOUNDATION),
        (Role::ChainPartner, IOM),
        (Role::MunicipalCaseManager, GEMEENTE),
        (Role::ProjectLead, IOM),
    ] {
        assert!(!POLICY.decide_consent_override(&actor(role, org)).is_allowed(), "{role} of {org}");
    }
}

#[test]
fn events_stored_before_the_rule_still_read() {
    let (mut case, mut log) = proposed();
    run(&mut case, &mut log, consent(4, IOM, DataCategory::MedicalPsychosocial), start());
    run(&mut case, &mut log, send(None), later(start(), 2));
    let mut json = serde_json::to_value(log.last().unwrap()).unwrap();
    let change = json["change"].as_object_mut().unwrap();
    assert!(change.remove("consent").is_some());
    let old: CaseEvent = serde_json::from_value(json).unwrap();
    assert!(matches!(old.change, CaseChange::ReferralAdvanced { consent: None, consent_override: None, .. }));
    // And an old command without the override field.
    let mut cmd = serde_json::to_value(send(None)).unwrap();
    assert!(cmd.as_object_mut().unwrap().remove("consent_override").is_some());
    assert_eq!(serde_json::from_value::<CaseCommand>(cmd).unwrap(), send(None));
}
