//! The `perspectief` binary, run as a person or a script would.

#![allow(clippy::unwrap_used)]

use std::process::{Command, Output};

fn perspectief(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_perspectief")).args(args).env("NO_COLOR", "1").output().unwrap()
}

#[test]
fn lists_every_activity_code_of_the_plan_in_dutch() {
    let out = perspectief(&["activiteiten"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 1 + 17, "{text}");
    assert!(text.contains("5.2.b(1)") && text.contains("Onderzoeken terugkeermogelijkheden"), "{text}");
}

#[test]
fn json_output_is_machine_readable() {
    let out = perspectief(&["activiteiten", "--json"]);
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.len(), 17);
    assert_eq!(rows[0]["code"], "3.2.a");
    assert_eq!(rows[0]["theme"], "B");
    let phases: Vec<serde_json::Value> = serde_json::from_slice(&perspectief(&["fasen", "--json"]).stdout).unwrap();
    assert_eq!(phases.last().unwrap()["phase"], "closed");
}

#[test]
fn an_unknown_command_is_a_usage_error_with_help() {
    let out = perspectief(&["verwijder-alles"]);
    assert_eq!(out.status.code(), Some(64));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("onbekend commando") && err.contains("Gebruik:"), "{err}");
    assert!(out.stdout.is_empty());
}
