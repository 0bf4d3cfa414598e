//! `perspectief privacy erase` and `privacy hold`: a request erases nothing; the requester
//! cannot confirm it; a legal hold and an open trajectory refuse it with what to do instead; a
//! second person's confirmation erases the person from the database file.

use crate::support::{Install, stderr};

#[test]
fn erasure_on_request_takes_a_second_person_and_no_hold() {
    let i = Install::new();
    let lead = i.add_user("Leider Een", "project_lead");
    let auditor = i.add_user("Auditor Twee", "auditor");
    let name = "Wisverzoekje";
    let p = i.json(&["participant", "register", "--given-names", name, "--registered-on=-60"])["participant"]
        .as_str()
        .unwrap()
        .to_owned();

    // An open trajectory: refused, naming what to do.
    let out = i.cmd().args(["--as", &lead, "privacy", "erase", "request", &p, "--reason", "Verzoek"]).output().unwrap();
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
    assert!(stderr(&out).contains("outflow record"), "{}", stderr(&out));
    i.json(&["outflow", "record", &p, "--outcome", "other", "--on=-1"]);
    // A project worker may not request.
    let out = i.cmd().args(["privacy", "erase", "request", &p, "--reason", "Verzoek"]).output().unwrap();
    assert_eq!(out.status.code(), Some(77), "{}", stderr(&out));

    // The short form the issue names: `privacy erase ID --reason` is a request; a reason is required.
    let out = i.cmd().args(["--as", &lead, "privacy", "erase", &p]).output().unwrap();
    assert_eq!(out.status.code(), Some(64), "{}", stderr(&out));
    let v = i.json(&["--as", &lead, "privacy", "erase", &p, "--reason", "Verzoek van de deelnemer"]);
    assert_eq!(v["status"], "pending", "{v}");
    let request = v["request"].as_str().unwrap().to_owned();
    assert!(i.json(&["participant", "show", &p])["profile"]["given_names"] == name, "nothing erased yet");
    // Never by the requester.
    let out = i.cmd().args(["--as", &lead, "privacy", "erase", "confirm", &request]).output().unwrap();
    assert_eq!(out.status.code(), Some(77), "{}", stderr(&out));
    // A hold set before the confirmation blocks it.
    i.json(&["--as", &lead, "privacy", "hold", "set", &p, "--reason", "Lopende procedure"]);
    let out = i.cmd().args(["--as", &auditor, "privacy", "erase", "confirm", &request]).output().unwrap();
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
    assert!(stderr(&out).contains("bewaarplicht"), "{}", stderr(&out));
    let holds = i.json(&["--as", &auditor, "privacy", "hold", "list"]);
    assert_eq!(holds.as_array().unwrap().len(), 1, "{holds}");
    i.json(&["--as", &lead, "privacy", "hold", "lift", &p, "--reason", "Procedure afgerond"]);

    // The auditor confirms (by the end of the id, as listed): the person is erased.
    let v = i.json(&["--as", &auditor, "privacy", "erase", "confirm", &request[request.len() - 8..]]);
    assert_eq!(v["status"], "erased", "{v}");
    let out = i.cmd().args(["participant", "show", &p]).output().unwrap();
    assert!(!out.status.success());
    let bytes = std::fs::read(i.dir.path().join("perspectief.db")).unwrap();
    assert!(!bytes.windows(name.len()).any(|w| w == name.as_bytes()), "the name is gone from the file");
    let listed = i.json(&["--as", &lead, "privacy", "erase", "list"]);
    assert_eq!(listed[0]["status"], "erased", "{listed}");
    // Listed for review with the break-glass reads.
    let reviews = i.json(&["--as", &lead, "privacy", "reviews"]);
    assert!(reviews.as_array().unwrap().iter().any(|r| r["access"] == "erasure_on_request"), "{reviews}");
}
