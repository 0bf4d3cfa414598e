//! Input at the edge: every invalid field named, all at once.

use std::collections::BTreeMap;

use perspectief_core::input::*;
use perspectief_core::*;

use crate::support::*;

#[test]
fn registration_input_reports_every_bad_field_by_name() {
    let input = RegisterParticipantInput {
        given_names: "  ".into(),
        date_of_birth: Some("1990-13".into()),
        country_of_origin: Some("XX".into()),
        nationalities: vec!["ER".into(), "Eritrean".into()],
        languages: vec!["tigrinya".into()],
        v_number: Some("12345".into()),
        ..Default::default()
    };
    let err = input.into_command(ParticipantId::from_u128(1), WORKER, start()).unwrap_err();
    assert_eq!(err.code(), "invalid_input");
    let found: Vec<(&str, &str)> =
        err.violations().unwrap().iter().map(|v| (v.field.as_str(), v.code.code())).collect();
    assert_eq!(
        found,
        [
            ("country_of_origin", "not_iso_3166"),
            ("date_of_birth", "invalid_date_of_birth"),
            ("given_names", "required"),
            ("languages[0]", "not_iso_639"),
            ("nationalities[1]", "not_iso_3166"),
            ("v_number", "not_a_v_number"),
        ]
    );
    let v_number = err.violations().unwrap().iter().find(|v| v.field == "v_number").unwrap();
    assert!(v_number.message.contains("10 digits"), "{}", v_number.message);
    let nationality = err.violations().unwrap().iter().find(|v| v.field == "nationalities[1]").unwrap();
    assert!(nationality.message.contains("Eritrean"), "{}", nationality.message);
}

#[test]
fn registration_input_normalises_and_checks_plausibility_against_today() {
    let input = RegisterParticipantInput {
        given_names: " Testpersoon ".into(),
        date_of_birth: Some("2027".into()),
        ..Default::default()
    };
    let err = input.clone().into_command(ParticipantId::from_u128(1), WORKER, start()).unwrap_err();
    assert_eq!(err.violations().unwrap().iter().next().unwrap().code, perspectief_core::ViolationCode::DateInFuture);

    let ok = RegisterParticipantInput {
        date_of_birth: Some("~1988".into()),
        nationalities: vec!["er".into(), "ER".into(), "stateless".into()],
        languages: vec!["tir".into(), "ara".into()],
        v_number: Some("12.34.56.78.90".into()),
        ..input
    };
    let cmd = ok.into_command(ParticipantId::from_u128(1), WORKER, start()).unwrap();
    assert_eq!(cmd.registered_on, start());
    let p = cmd.profile;
    assert_eq!(p.given_names.as_str(), "Testpersoon");
    assert_eq!(p.nationalities.len(), 2, "duplicates are folded");
    assert_eq!(p.languages.iter().map(|l| l.as_str()).collect::<Vec<_>>(), ["ti", "ar"]);
    assert_eq!(p.v_number.unwrap().as_str(), "1234567890");
}

#[test]
fn contact_input_names_nested_fields() {
    let input: LogContactInput = serde_json::from_value(serde_json::json!({
        "at": "2026-03-02T10:00:00Z",
        "kind": "individual_talk",
        "location": { "kind": "lvv_location" },
        "activities": ["5.2.a(2)", "9.9"],
                "summary": "",
        "category": "guidance",
        "duration_minutes": 2000,
        "agreements": [
            { "description": "ok", "due_on": "2026-03-09", "who_acts": { "kind": "participant" } },
            { "description": " ", "due_on": "2026-03-09", "who_acts": { "kind": "participant" } }
        ]
    }))
    .unwrap();
    let err = input
        .into_command(ContactId::from_u128(1), &[AgreementId::from_u128(1), AgreementId::from_u128(2)])
        .unwrap_err();
    let fields: Vec<&str> = err.violations().unwrap().iter().map(|v| v.field.as_str()).collect();
    assert_eq!(fields, ["activities[1]", "agreements[1].description", "duration_minutes", "location.name", "summary"]);
}

#[test]
fn contact_input_becomes_a_command_the_case_accepts() {
    let input: LogContactInput = serde_json::from_value(serde_json::json!({
        "at": "2026-03-02T10:00:00Z",
        "kind": "individual_talk",
        "location": { "kind": "lvv_location", "name": "LVV West" },
        "activities": ["5.2.a (2)"],
        "summary": "Toekomstoriëntatie besproken.",
        "category": "medical_psychosocial",
        "agreements": [{ "description": "Afspraak GGD maken", "due_on": "2026-03-09", "who_acts": { "kind": "participant" } }]
    }))
    .unwrap();
    let cmd = input.into_command(ContactId::from_u128(1), &[AgreementId::from_u128(1)]).unwrap();
    let err = input_without_location_name();
    assert!(err.violations().unwrap().has("location.name"));
    let (mut case, mut log) = registered();
    let events = run(&mut case, &mut log, cmd, start());
    assert_eq!(events[0].change.category(), DataCategory::MedicalPsychosocial);
    assert_eq!(case.phase(), Phase::Orientation);
    assert_eq!(case.agreements().count(), 1);
}

fn input_without_location_name() -> DomainError {
    let input: LogContactInput = serde_json::from_value(serde_json::json!({
        "at": "2026-03-02T10:00:00Z",
        "kind": "individual_talk",
        "location": { "kind": "external" },
                "activities": ["3.2.e"],
        "summary": "x",
        "category": "guidance"
    }))
    .unwrap();
    input.into_command(ContactId::from_u128(1), &[]).unwrap_err()
}

#[test]
fn goal_input_and_zrm_scores() {
    let input = SetGoalInput {
        description: "Aanvraag indienen".into(),
        rationale: Some("".into()),
        responsible: Responsible::Partner(IOM),
        partners: vec![IOM],
        deadline: later(start(), 30),
        next_steps: None,
        set_on: None,
    };
    let err = input.clone().into_command(GoalId::from_u128(1)).unwrap_err();
    assert!(err.violations().unwrap().has("rationale"));
    let cmd = SetGoalInput { rationale: None, ..input }.into_command(GoalId::from_u128(1)).unwrap();
    assert_eq!(cmd.name(), "set_goal");

    let scores = zrm_scores(&BTreeMap::from([(ZrmDomain::Housing, 2), (ZrmDomain::Justice, 7)])).unwrap_err();
    assert!(scores.violations().unwrap().has("scores.justice"));
    assert_eq!(zrm_scores(&BTreeMap::from([(ZrmDomain::Housing, 2)])).unwrap().len(), 1);
}
