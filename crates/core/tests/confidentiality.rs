//! Confidentiality levels of a case's data categories, and content hidden field by field.

use std::collections::BTreeSet;

use perspectief_core::access::{CaseLevels, ConfidentialityLevel as L};
use perspectief_core::case::HIDDEN;
use perspectief_core::*;

use crate::support::*;

fn set(category: DataCategory, level: L) -> CaseCommand {
    CaseCommand::SetConfidentiality { category, level, reason: text("Verhoogd risico voor deze persoon.") }
}

#[test]
fn a_case_raises_a_categorys_level_and_never_lowers_it_below_the_default() {
    let (mut case, mut log) = registered();
    assert_eq!(case.levels(), CaseLevels::DEFAULT);
    assert_eq!(case.scope().levels, CaseLevels::DEFAULT);

    let events = run(&mut case, &mut log, set(DataCategory::Legal, L::Geheim), start());
    assert_eq!(
        events[0].change,
        CaseChange::ConfidentialitySet {
            category: DataCategory::Legal,
            from: L::Vertrouwelijk,
            to: L::Geheim,
            reason: text("Verhoogd risico voor deze persoon.")
        }
    );
    // The change is legal data: only who may read legal data learns of it.
    assert_eq!(events[0].change.category(), DataCategory::Legal);
    assert_eq!(case.levels().of(DataCategory::Legal), L::Geheim);
    assert_eq!(case.scope().levels.of(DataCategory::Legal), L::Geheim);

    // The same level again changes nothing.
    assert!(case.execute(set(DataCategory::Legal, L::Geheim), &ctx_on(start())).unwrap().is_empty());
    // Below the category's default is refused, naming the field, and nothing changes.
    let before = case.clone();
    let err = case.execute(set(DataCategory::MedicalPsychosocial, L::Vertrouwelijk), &ctx_on(start())).unwrap_err();
    assert!(err.violations().unwrap().has("level"), "{err}");
    assert_eq!(case, before);
    // Back to the default.
    run(&mut case, &mut log, set(DataCategory::Legal, L::Vertrouwelijk), start());
    assert_eq!(case.levels(), CaseLevels::DEFAULT);
    // The history replays to the same case.
    assert_eq!(Case::replay(&log).unwrap(), case);
}

#[test]
fn hidden_content_keeps_the_shape_of_the_case() {
    let (mut case, mut log) = registered();
    let mut medical = contact(1, start(), ContactKind::IndividualTalk, &[ActivityCode::OrientationTalks]);
    medical.category = DataCategory::MedicalPsychosocial;
    medical.summary = text("Synthetische diagnose.");
    let events = run(&mut case, &mut log, CaseCommand::LogContact(medical), start());
    let hidden: BTreeSet<DataCategory> = [DataCategory::MedicalPsychosocial, DataCategory::CriminalHistory].into();
    let seen = case.hidden(&hidden);
    let (c, category) = seen.contacts().next().unwrap();
    assert_eq!((c.summary.as_str(), category), (HIDDEN, DataCategory::MedicalPsychosocial));
    assert_eq!(c.activities, case.contacts().next().unwrap().0.activities, "activity codes stay");
    assert_eq!(seen.version(), case.version());
    match events[0].change.hidden(&hidden) {
        CaseChange::ContactLogged { contact, .. } => assert_eq!(contact.summary.as_str(), HIDDEN),
        other => panic!("{other:?}"),
    }
    // Nothing hidden: the case as it is.
    assert_eq!(case.hidden(&BTreeSet::new()), case);
}
