//! The fuzz corpus of `csv_import` (`fuzz/corpus/csv_import/`, and the crashes once found in
//! `fuzz/regressions/csv_import/`), replayed through the function the fuzz target calls: what
//! the fuzzer found stays checked on stable, in every `cargo test`.

use perspectief_cli::fuzzing::csv_import;

#[path = "../../../fuzz/replay.rs"]
mod replay;

use replay::{fuzz_dir, replay};

#[test]
fn the_csv_import_fuzz_corpus_keeps_the_import_all_or_nothing() {
    replay("csv_import", csv_import);
}

/// Seed inputs: import files as spreadsheets export them (synthetic people only).
#[test]
#[ignore = "writes seed inputs into fuzz/corpus/csv_import; run by hand when the columns change"]
fn write_csv_import_seeds() {
    let seeds: &[(&str, &str)] = &[
        (
            "dutch-semicolons",
            "voornamen;achternaam;geboortedatum;land_van_herkomst;talen;v_nummer\n\
             Amina;Testpersoon;1990-05-17;ER;ti|en;1234567890\n\
             Yonas;Voorbeeld;~1985;ER;ti;\n\
             Selam;Fout;2090-01-01;XX;ti;12\n",
        ),
        (
            "english-commas",
            "given_names,family_name,aliases,date_of_birth,country_of_origin,nationalities,languages,v_number,lvv_location,registered_on,project_worker\n\
             Testpersoon,Synthetisch,T. Synthetisch;Tes,01-02-1993,SY,SY|stateless,ar;en,12 3456 7890,LVV West,2026-03-02,00000000-0000-0000-0000-000000000001\n\
             \"Voorbeeld, Jr.\",,,,,,,,,,\n",
        ),
        ("bom-and-crlf", "\u{feff}Voornamen,Achternaam\r\nAmina,Testpersoon\r\n,Leeg\r\n"),
        ("unknown-and-missing-columns", "naam,telefoon\nAmina,0612345678\n"),
        ("future-registration", "given_names;registered_on;project_worker\nAmina;2099-01-01;niet-een-id\n"),
        ("quoted-newline", "given_names,lvv_location\n\"Amina\nTestpersoon\",\"LVV \"\"West\"\"\"\n"),
        ("ragged-rows", "given_names,family_name\nAmina\nYonas,Voorbeeld,extra\n"),
        ("only-header", "given_names\n"),
        ("empty", ""),
        (
            "contacts",
            "participant,at,kind,activities,summary\n0192,2026-03-02 10:30,individual_talk,5.2.a(2),Oriëntatie\n",
        ),
        ("trailing-separator", "voornamen;achternaam;\nAmina;Testpersoon;\n"),
        (
            "dates",
            "given_names,date_of_birth,registered_on\nA,~1990,01-03-2026\nB,1990-02-30,2026-02-30\nC,2030,26-11-2026\n",
        ),
    ];
    let dir = fuzz_dir().join("corpus/csv_import");
    std::fs::create_dir_all(&dir).unwrap();
    for (name, text) in seeds {
        csv_import(text.as_bytes());
        std::fs::write(dir.join(format!("seed-{name}.csv")), text).unwrap();
    }
}
