//! Retention: the planner over outflow days and the redaction of expired categories in the
//! case file and its events (replaying redacted events gives the redacted case).

use std::collections::BTreeSet;

use perspectief_core::retention::{ERASED, RetentionPeriod, RetentionPolicy, redact_change};
use perspectief_core::returns::ExplorationFindings;
use perspectief_core::*;

use crate::support::*;

const CANARY: &str = "KANARIE-7f3a";

fn canary(what: &str) -> Text {
    text(&format!("{what} {CANARY}"))
}

/// A case with content of every redactable kind, each holding the canary, then an outflow.
fn case_with_content() -> (Case, Vec<CaseEvent>) {
    let s = start();
    let (mut case, mut log) = oriented();
    let (c, l) = (&mut case, &mut log);
    run(
        c,
        l,
        CaseCommand::RevisePlan { personal_situation: canary("situatie"), perspective: canary("p"), on: None },
        s,
    );
    let mut medical = contact(902, s, ContactKind::IndividualTalk, &[ActivityCode::SocialGuidance]);
    medical.category = DataCategory::MedicalPsychosocial;
    medical.summary = canary("medisch");
    run(c, l, CaseCommand::LogContact(medical), s);
    let mut talk = contact(903, s, ContactKind::IndividualTalk, &[ActivityCode::SocialGuidance]);
    talk.summary = text("Begeleidingsgesprek");
    run(c, l, CaseCommand::LogContact(talk), s);
    let agreement = NewAgreement {
        id: AgreementId::from_u128(13),
        description: canary("afspraak"),
        due_on: later(s, 20),
        who_acts: Responsible::Participant,
    };
    run(c, l, CaseCommand::AddAgreement { agreement, category: DataCategory::MedicalPsychosocial, on: None }, s);
    let referral = ReferralId::from_u128(21);
    let propose = CaseCommand::ProposeReferral {
        id: referral,
        partner: IOM,
        domain: PartnerDomain::Return,
        reason: canary("verwijzing"),
        on: None,
    };
    run(c, l, propose, s);
    // Sending needs the participant's consent for the partner and the referral's category.
    let consent = CaseCommand::GiveConsent {
        id: ConsentId::from_u128(22),
        organisation: IOM,
        categories: [DataCategory::Return].into(),
        purpose: text("Terugkeerondersteuning"),
        given_on: s,
    };
    run(c, l, consent, s);
    let sent = CaseCommand::AdvanceReferral {
        referral,
        to: ReferralStatus::Sent,
        on: s,
        note: Some(canary("noot")),
        consent_override: None,
    };
    run(c, l, sent, s);
    run(c, l, CaseCommand::RecordReturnStance { stance: ReturnStance::Considering, on: s, note: None }, s);
    let findings = ExplorationFindings { documents: Some(canary("documenten")), ..Default::default() };
    run(c, l, CaseCommand::StartReturnExploration { on: s, findings }, s);
    let obstacle = CaseCommand::IdentifyObstacle {
        id: ObstacleId::from_u128(31),
        kind: ObstacleKind::MissingDocuments,
        description: canary("obstakel"),
        partner: None,
        on: s,
    };
    run(c, l, obstacle, s);
    let out =
        CaseCommand::RecordOutflow { outcome: OutflowOutcome::Other, on: later(s, 30), note: Some(canary("uit")) };
    run(c, l, out, later(s, 30));
    (case, log)
}

fn json(v: &impl serde::Serialize) -> String {
    serde_json::to_string(v).unwrap()
}

#[test]
fn replaying_redacted_events_gives_the_redacted_case_for_every_category() {
    let (case, log) = case_with_content();
    let mut sets: Vec<BTreeSet<DataCategory>> = DataCategory::ALL.into_iter().map(|c| [c].into()).collect();
    sets.push(DataCategory::ALL.into_iter().filter(|c| *c != DataCategory::Identity).collect());
    for expired in sets {
        let redacted: Vec<CaseEvent> =
            log.iter().map(|e| CaseEvent { change: redact_change(&e.change, &expired), ..e.clone() }).collect();
        assert_eq!(Case::replay(&redacted).unwrap(), case.redacted(&expired), "{expired:?}");
        // Only the expired categories changed.
        for (e, r) in log.iter().zip(&redacted) {
            if !expired.contains(&e.change.category()) {
                assert_eq!(e.change, r.change);
            }
            assert_eq!(e.change.activities(), r.change.activities());
            assert_eq!(e.change.kind(), r.change.kind());
        }
    }
}

#[test]
fn an_expired_category_loses_its_content_and_keeps_its_structure() {
    let (case, _) = case_with_content();
    let medical: BTreeSet<DataCategory> = [DataCategory::MedicalPsychosocial].into();
    let r = case.redacted(&medical);
    assert_eq!(r.contact(ContactId::from_u128(902)).unwrap().0.summary.as_str(), ERASED);
    assert_eq!(r.contact(ContactId::from_u128(903)).unwrap().0.summary.as_str(), "Begeleidingsgesprek");
    assert_eq!(r.agreement(AgreementId::from_u128(13)).unwrap().description.as_str(), ERASED);
    assert!(r.referral(ReferralId::from_u128(21)).unwrap().reason.as_str().contains(CANARY));
    assert_eq!(r.contacts().count(), case.contacts().count());
    assert_eq!(r.version(), case.version());
    assert_eq!(r.outflow().map(|o| o.on), case.outflow().map(|o| o.on));
    // Everything but identity: no canary left anywhere in the case file.
    let all_but_identity: BTreeSet<DataCategory> =
        DataCategory::ALL.into_iter().filter(|c| *c != DataCategory::Identity).collect();
    assert!(json(&case).contains(CANARY));
    assert!(!json(&case.redacted(&all_but_identity)).contains(CANARY), "{}", json(&case.redacted(&all_but_identity)));
    // Nothing expired: unchanged.
    assert_eq!(case.redacted(&BTreeSet::new()), case);
}

#[test]
fn the_plan_for_a_case_counts_from_its_outflow_or_its_limit_plus_the_grace() {
    let (case, _) = case_with_content();
    let out = case.outflow().unwrap().on;
    let policy =
        RetentionPolicy::defaults().with(DataCategory::MedicalPsychosocial, RetentionPeriod::Days(10)).unwrap();
    assert!(policy.plan_case(&case, later(out, 9)).is_empty());
    assert_eq!(policy.plan_case(&case, later(out, 10)).expired, [DataCategory::MedicalPsychosocial].into());
    assert!(policy.plan_case(&case, later(out, 800)).erase_person);
    // Without an outflow the periods count from the trajectory's limit plus the grace period.
    let (open, _) = oriented();
    let from = policy.retention_start(None, open.trajectory().limit()).unwrap();
    assert!(policy.plan_case(&open, later(from, 9)).is_empty());
    assert_eq!(policy.plan_case(&open, later(from, 10)).expired, [DataCategory::MedicalPsychosocial].into());
}
