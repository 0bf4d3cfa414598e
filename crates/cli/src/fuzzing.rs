//! Fuzz target of the command line, shared by `fuzz/` (cargo-fuzz, nightly) and the replay of
//! its corpus in the normal tests. Not part of the API: hidden from the documentation.
//!
//! [`csv_import`] reads the bytes as an import file and checks them as `import participants`
//! does (the contacts import's columns too; its rows need the service), then checks the
//! import's promises: it never panics; every problem names its row and column; every data row
//! is either valid or has a problem; and all or nothing holds: nothing is imported when a row
//! has a problem, unless the valid rows are asked for, and then valid and rejected rows add up
//! to the file's data rows.

use std::collections::BTreeSet;

use chrono::{NaiveDate, TimeZone, Utc};
use perspectief_core::case::CommandContext;
use perspectief_core::{ParticipantId, UserId};

use crate::import_csv::{
    CONTACT_COLUMNS, CONTACT_REQUIRED, Issue, PARTICIPANT_COLUMNS, PARTICIPANT_REQUIRED, ParticipantImport, Problem,
    Sheet, canonical, check_headers, check_participants, rows_to_import,
};

/// The absolute day formats of the command line's date parser; its relative ones (`+14`,
/// `vandaag`) read the clock, which a replayable target must not.
fn parse_date(s: &str) -> Result<NaiveDate, String> {
    let v = s.trim().to_lowercase();
    NaiveDate::parse_from_str(&v, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(&v, "%d-%m-%Y"))
        .map_err(|_| format!("not a date: {s}"))
}

/// The header's problems name a column on row 1: one the file has (unknown) or a required one
/// it lacks (missing).
fn assert_header_problems(problems: &[Problem], sheet: &Sheet, required: &[&str]) {
    for p in problems {
        assert_eq!(p.row, 1, "a header problem off the header row: {p:?}");
        match p.issue {
            Issue::UnknownColumn { .. } | Issue::DuplicateColumn => {
                assert!(sheet.headers.contains(&p.column), "{p:?} names no column")
            }
            Issue::MissingColumn => assert!(required.contains(&p.column.as_str()), "{p:?} is not required"),
            _ => panic!("a header problem of another kind: {p:?}"),
        }
    }
}

/// Check the bytes as an import file. Panics when a promise of the import is broken; never
/// otherwise.
pub fn csv_import(data: &[u8]) {
    let Ok(sheet) = Sheet::parse(data) else {
        // A file the CSV reader cannot read is refused whole, before any row.
        return;
    };
    let contact_header = check_headers(&sheet.headers, CONTACT_COLUMNS, CONTACT_REQUIRED);
    assert_header_problems(&contact_header, &sheet, CONTACT_REQUIRED);

    let me = UserId::from_u128(1);
    let now = Utc.with_ymd_and_hms(2026, 11, 29, 10, 0, 0).single().unwrap_or_default();
    let context = CommandContext::at(me, now);
    let mut next = 0u128;
    let mut new_id = || {
        next += 1;
        ParticipantId::from_u128(next)
    };
    let mut env =
        ParticipantImport { me, today: context.today, context: &context, parse_date: &parse_date, new_id: &mut new_id };
    let checked = match check_participants(&sheet, &mut env) {
        Ok(checked) => checked,
        Err(header) => {
            assert!(!header.is_empty(), "a header refused without a problem");
            return assert_header_problems(&header, &sheet, PARTICIPANT_REQUIRED);
        }
    };

    let data_rows: BTreeSet<usize> = (2..sheet.rows.len() + 2).collect();
    let valid_rows: Vec<usize> = checked.valid.iter().map(|(row, _)| *row).collect();
    assert!(valid_rows.windows(2).all(|w| w[0] < w[1]), "valid rows out of order or twice: {valid_rows:?}");
    let rejected: BTreeSet<usize> = checked.problems.iter().map(|p| p.row).collect();
    for p in &checked.problems {
        assert!(data_rows.contains(&p.row), "a problem on no data row: {p:?}");
        match &p.issue {
            // Only a refusal of the core that names no field has no column.
            Issue::Refused(e) => assert!(e.violations().is_none(), "a field refusal without its field: {p:?}"),
            // Cells beyond the header are named by their position.
            Issue::ExtraCells { .. } => assert!(p.column.parse::<usize>().is_ok(), "{p:?} names no position"),
            _ => {
                // The column is one of the file's (or a field inside one: `nationalities[1]`).
                let base = p.column.split(['[', '.']).next().unwrap_or_default();
                assert!(PARTICIPANT_COLUMNS.contains(&canonical(base)), "a problem names no column: {p:?}");
            }
        }
    }
    for row in &valid_rows {
        assert!(!rejected.contains(row), "row {row} is both valid and rejected");
    }
    let checked_rows: BTreeSet<usize> = valid_rows.iter().copied().chain(rejected.iter().copied()).collect();
    assert_eq!(checked_rows, data_rows, "a row is neither valid nor rejected");

    // All or nothing.
    let all = rows_to_import(checked.valid.clone(), &checked.problems, false);
    match &all {
        Some(rows) => assert_eq!(rows.len(), data_rows.len(), "a partial import without --skip-invalid"),
        None => assert!(!checked.problems.is_empty(), "an import refused without a problem"),
    }
    let Some(skipping) = rows_to_import(checked.valid, &checked.problems, true) else {
        panic!("--skip-invalid refused the valid rows");
    };
    assert_eq!(skipping.len() + rejected.len(), data_rows.len(), "valid and rejected rows do not add up");
}
