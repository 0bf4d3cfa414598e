//! A second person for access to case data, as the administrator and the project lead meet it
//! on the command line: tokens that wait, who may confirm, and the list for review.

use crate::support::{Install, stderr, stdout};

#[test]
fn a_token_that_reads_case_files_waits_for_a_project_lead() {
    let install = Install::new();

    // The administrator mints a token for the worker: it is made, but waits, and says how on.
    let out = install
        .cmd()
        .args(["--as", &install.admin, "token", "create", "--user", &install.worker, "--label", "laptop"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("perspectief token confirm"), "{text}");
    let tokens = install.json(&["--as", &install.admin, "token", "list"]);
    let token = tokens.as_array().unwrap()[0].clone();
    let token_id = token["id"].as_str().unwrap().to_owned();
    assert_eq!((token["awaiting_confirmation"].as_bool(), token["valid"].as_bool()), (Some(true), Some(false)));

    // The administrator cannot confirm it, nor the worker's account.
    for args in [["user", "confirm", install.worker.as_str()], ["token", "confirm", token_id.as_str()]] {
        let out = install.cmd().args(["--as", &install.admin]).args(args).output().unwrap();
        assert!(!out.status.success(), "{args:?} must be refused to the administrator");
        assert!(stderr(&out).contains("Geen toegang"), "{}", stderr(&out));
    }

    // The first project lead activates their own account; the account comes before its token.
    let lead =
        install.json(&["--as", &install.admin, "user", "add", "--name", "Leider Test", "--role", "project_lead"]);
    assert_eq!(lead["awaiting_confirmation"], true);
    let lead = lead["user"].as_str().unwrap().to_owned();
    install.json(&["--as", &lead, "user", "confirm", &lead]);
    let out = install.cmd().args(["--as", &lead, "token", "confirm", &token_id]).output().unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("bevestig eerst het account"), "{}", stderr(&out));
    install.json(&["--as", &lead, "user", "confirm", &install.worker]);
    let done = install.json(&["--as", &lead, "token", "confirm", &token_id]);
    assert_eq!(done["awaiting_confirmation"], false);
    let tokens = install.json(&["--as", &install.admin, "token", "list"]);
    assert_eq!(tokens.as_array().unwrap()[0]["valid"], true);

    // A second lead cannot activate themselves once a confirmed lead exists.
    let second =
        install.json(&["--as", &install.admin, "user", "add", "--name", "Tweede Leider", "--role", "project_lead"]);
    let second = second["user"].as_str().unwrap().to_owned();
    let out = install.cmd().args(["--as", &second, "user", "confirm", &second]).output().unwrap();
    assert!(!out.status.success());
    assert!(stderr(&out).contains("tweede persoon"), "{}", stderr(&out));

    // Listed for review beside the break-glass reads: who asked, who confirmed, what waits.
    let listed = install.json(&["--as", &lead, "privacy", "confirmations"]);
    let rows = listed.as_array().unwrap();
    let row = |kind: &str, id: &str| {
        rows.iter().find(|r| r["kind"] == kind && r["id"] == id).unwrap_or_else(|| panic!("{kind} {id}: {rows:?}"))
    };
    let worker = row("account_confirmation", &install.worker);
    assert_eq!(
        (worker["created_by"].as_str(), worker["confirmed_by"].as_str()),
        (Some(install.admin.as_str()), Some(lead.as_str()))
    );
    assert_eq!(row("token_confirmation", &token_id)["confirmed_by"].as_str(), Some(lead.as_str()));
    assert!(row("account_confirmation", &second)["confirmed_by"].is_null());
    let table = install.cmd().args(["--as", &lead, "privacy", "confirmations"]).output().unwrap();
    assert!(stdout(&table).contains("wacht op bevestiging"), "{}", stdout(&table));
    // The administrator does not review their own work.
    assert!(
        !install.cmd().args(["--as", &install.admin, "privacy", "confirmations"]).output().unwrap().status.success()
    );
}
