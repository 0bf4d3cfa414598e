//! Importing a spreadsheet export: all or nothing, or the valid rows with --skip-invalid.

use crate::support::{Install, stderr};

const PARTICIPANTS: &str = "\
voornamen;achternaam;geboortedatum;land_van_herkomst;talen;v_nummer
Amina;Testpersoon;1990-05-17;ER;ti|en;1234567890
Yonas;Voorbeeld;~1985;ER;ti;
Selam;Fout;2090-01-01;XX;ti;12
";

#[test]
fn an_import_with_an_invalid_row_imports_nothing_and_names_row_and_column() {
    let install = Install::new();
    let file = install.dir.path().join("deelnemers.csv");
    std::fs::write(&file, PARTICIPANTS).unwrap();
    let out = install.cmd().args(["import", "participants"]).arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(65));
    let err = stderr(&out);
    assert!(err.contains("rij 4") && err.contains("date-of-birth"), "{err}");
    assert!(err.contains("country-of-origin") && err.contains("v-number"), "{err}");
    assert!(!err.contains("rij 2"), "valid rows are not reported: {err}");
    assert_eq!(install.json(&["participant", "list"]).as_array().unwrap().len(), 0, "nothing imported");

    // --skip-invalid: the two valid rows, and the rejected one in a file.
    let rejected = install.dir.path().join("afgekeurd.csv");
    let v = install.import_participants_skipping_invalid(&file, &rejected);
    assert_eq!(v["imported"], 2);
    assert_eq!(v["rejected"].as_array().unwrap().len(), 3);
    let text = std::fs::read_to_string(&rejected).unwrap();
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(text.contains("Selam") && text.contains("v_number"), "{text}");
    let list = install.json(&["participant", "list"]);
    assert_eq!(list.as_array().unwrap().len(), 2);

    // Contact moments, checked against the domain rules before anything is written.
    let amina = list.as_array().unwrap().iter().find(|p| p["name"] == "Amina Testpersoon").unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let contacts = install.dir.path().join("contacten.csv");
    std::fs::write(
        &contacts,
        format!(
            "participant,at,kind,activities,summary\n{amina},,individual_talk,5.2.a(2),Oriëntatie\n{amina},,phone,9.9.9,Onbekende code\n"
        ),
    )
    .unwrap();
    let out = install.cmd().args(["import", "contacts"]).arg(&contacts).output().unwrap();
    assert_eq!(out.status.code(), Some(65));
    assert!(stderr(&out).contains("rij 3") && stderr(&out).contains("activities"), "{}", stderr(&out));
    let dry = install.json(&["import", "contacts", contacts.to_str().unwrap(), "--skip-invalid", "--dry-run"]);
    assert_eq!(dry["imported"], 0);
    let v = install.json(&["import", "contacts", contacts.to_str().unwrap(), "--skip-invalid"]);
    assert_eq!(v["imported"], 1);
    assert_eq!(install.json(&["contact", "list", &amina]).as_array().unwrap().len(), 1);
}
