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

/// What Dutch Excel writes for "CSV (puntkomma-gescheiden)": Windows-1252, day-first dates.
fn windows_1252(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            'ë' => 0xeb,
            'é' => 0xe9,
            '€' => 0x80,
            c if c.is_ascii() => c as u8,
            other => panic!("not in the test's table: {other}"),
        })
        .collect()
}

#[test]
fn an_excel_export_in_windows_1252_with_day_first_dates_imports_as_written() {
    let install = Install::new();
    let file = install.dir.path().join("excel.csv");
    let text = "voornamen;achternaam;geboortedatum;inschrijfdatum\r\nJosé;Noël;17-05-1990;02-03-2026\r\nZoë;Test;05-1985;1-3-2026\r\n";
    std::fs::write(&file, windows_1252(text)).unwrap();
    // Chosen as UTF-8, the file is refused whole, naming the line and the way out.
    let out = install.cmd().args(["import", "participants", "--encoding", "utf-8"]).arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(65));
    assert!(stderr(&out).contains("regel 2") && stderr(&out).contains("windows-1252"), "{}", stderr(&out));
    assert_eq!(install.json(&["participant", "list"]).as_array().unwrap().len(), 0);
    // Detected.
    let v = install.json(&["import", "participants", file.to_str().unwrap()]);
    assert_eq!(v["imported"], 2, "{v}");
    let list = install.json(&["participant", "list"]);
    let jose = list.as_array().unwrap().iter().find(|p| p["name"] == "José Noël").expect("the name as written");
    assert_eq!(jose["registered_on"], "2026-03-02", "{jose}");
    let id = jose["id"].as_str().unwrap();
    let case = install.json(&["participant", "show", id]);
    assert!(case.to_string().contains("1990-05-17"), "{case}");
    // Chosen explicitly, the same.
    let again = install.dir.path().join("excel2.csv");
    std::fs::write(&again, windows_1252("voornamen;inschrijfdatum\nRenée;01-03-2026\n")).unwrap();
    let v = install.json(&["import", "participants", "--encoding", "windows-1252", again.to_str().unwrap()]);
    assert_eq!(v["imported"], 1);
    assert!(install.json(&["participant", "list"]).to_string().contains("Renée"));
}

#[test]
fn duplicate_headers_and_rows_with_missing_or_extra_cells_are_refused_by_row_and_column() {
    let install = Install::new();
    let file = install.dir.path().join("dubbel.csv");
    std::fs::write(&file, "voornaam,achternaam,given_names\nAmina,Test,Amina\n").unwrap();
    let out = install.cmd().args(["import", "participants"]).arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(65));
    let err = stderr(&out);
    assert!(err.contains("rij 1") && err.contains("given-names") && err.contains("twee keer"), "{err}");

    let file = install.dir.path().join("cellen.csv");
    std::fs::write(
        &file,
        "voornamen;achternaam;talen\nAmina;Test;ti\nYonas;Voorbeeld\nSelam;Test;ti;extra\nMeron;Test;ti;;\n",
    )
    .unwrap();
    let out = install.cmd().args(["--lang", "en", "import", "participants"]).arg(&file).output().unwrap();
    assert_eq!(out.status.code(), Some(65));
    let err = stderr(&out);
    assert!(err.contains("row 3, column talen: too few cells (2 of 3)"), "{err}");
    assert!(err.contains("row 4, column 4: too many cells (4 instead of 3)"), "{err}");
    assert!(!err.contains("row 5") && !err.contains("row 2"), "trailing empty cells are not extra: {err}");
    assert_eq!(install.json(&["participant", "list"]).as_array().unwrap().len(), 0, "nothing imported");
}

#[test]
fn a_row_the_store_refuses_while_writing_leaves_nothing_of_the_import() {
    let install = Install::new();
    let other = install.add_user("Collega Test", "project_worker");
    // Row 3 registers a participant for a colleague's caseload: the file's checks pass (the
    // column names an id), the access policy refuses it in the writing transaction.
    let file = install.dir.path().join("deelnemers.csv");
    std::fs::write(&file, format!("voornamen;achternaam;projectmedewerker\nAmina;Test;\nYonas;Test;{other}\n"))
        .unwrap();
    let out = install.cmd().args(["import", "participants"]).arg(&file).output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(77), "{err}");
    assert!(err.contains("rij 3") && err.contains("niets geïmporteerd"), "{err}");
    assert_eq!(install.json(&["participant", "list"]).as_array().unwrap().len(), 0, "nothing of row 2: {err}");
}

/// Participants `N0000`… and, for each, `contacts` contact moments, as two import files.
fn write_large_import(install: &Install, participants: usize, contacts: usize) -> std::path::PathBuf {
    use std::fmt::Write as _;
    let mut p = String::from("given_names,family_name,registered_on\n");
    for i in 0..participants {
        writeln!(p, "N{i:04},Testpersoon,-200").unwrap();
    }
    let file = install.dir.path().join("veel.csv");
    std::fs::write(&file, p).unwrap();
    let v = install.json(&["import", "participants", file.to_str().unwrap()]);
    assert_eq!(v["imported"], participants, "{v}");
    let mut c = String::from("participant,at,kind,activities,summary\n");
    for id in install.json(&["participant", "list"]).as_array().unwrap() {
        let id = id["id"].as_str().unwrap();
        for d in 0..contacts {
            writeln!(c, "{id},-{},individual_talk,5.2.a(2),Gesprek {d}", 150 - d).unwrap();
        }
    }
    let file = install.dir.path().join("veel-contacten.csv");
    std::fs::write(&file, c).unwrap();
    file
}

fn wal_size(install: &Install) -> u64 {
    std::fs::metadata(install.dir.path().join("perspectief.db-wal")).map(|m| m.len()).unwrap_or(0)
}

/// The contacts of the first and the last participant (the first file rows and the last).
fn contact_count(install: &Install) -> usize {
    let list = install.json(&["participant", "list"]);
    let list = list.as_array().unwrap();
    [&list[0], &list[list.len() - 1]]
        .iter()
        .map(|p| install.json(&["contact", "list", p["id"].as_str().unwrap()]).as_array().unwrap().len())
        .sum()
}

#[test]
fn a_contacts_import_killed_mid_transaction_leaves_nothing_and_can_be_run_again() {
    let install = Install::new();
    let file = write_large_import(&install, 300, 20);
    // Checkpointed: the kill below waits for the import's own pages in the write-ahead log.
    let start = wal_size(&install);
    let mut child = crate::support::bare_std()
        .env("PERSPECTIEF_CONFIG", install.config())
        .env("PERSPECTIEF_DATABASE_URL", install.database())
        .args(["import", "contacts"])
        .arg(&file)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(300);
    loop {
        assert!(child.try_wait().unwrap().is_none(), "the import ended before it was killed");
        if wal_size(&install) > start + 2 * 1024 * 1024 {
            break;
        }
        assert!(std::time::Instant::now() < deadline, "the import did not start writing");
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    child.kill().unwrap();
    assert!(!child.wait().unwrap().success());
    assert_eq!(contact_count(&install), 0, "nothing of the killed import");
    let v = install.json(&["import", "contacts", file.to_str().unwrap()]);
    assert_eq!(v["imported"], 6000, "{v}");
    assert_eq!(contact_count(&install), 40);
}

#[test]
fn a_spreadsheet_import_over_a_server_is_refused_as_local_only() {
    let install = Install::new();
    let file = install.dir.path().join("deelnemers.csv");
    std::fs::write(&file, "voornamen\nAmina\n").unwrap();
    let out = install
        .cmd()
        .args(["--server", "http://127.0.0.1:9", "import", "participants"])
        .arg(&file)
        .env("PERSPECTIEF_TOKEN", "pt_x")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(69), "{}", stderr(&out));
    assert!(stderr(&out).contains("alleen lokaal"), "{}", stderr(&out));
}
