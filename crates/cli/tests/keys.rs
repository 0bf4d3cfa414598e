//! Retiring a key as an operator does: `key new`, `key rotate`, `key status`, then the old key
//! out of the key file, and the database still opens and reads.

use std::os::unix::fs::PermissionsExt;

use crate::support::{Install, stderr, stdout};

/// The hex keys in a key file, current first (comments and blank lines left out).
fn keys_in(path: &std::path::Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(|l| l.split('#').next().unwrap().trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect()
}

#[test]
fn a_new_key_is_rotated_in_and_the_old_one_leaves_the_key_file() {
    let i = Install::new();
    let key = i.key();
    let key_arg = key.display().to_string();
    let participant = i.json(&["participant", "register", "--given-names", "Sleutelproef"])["participant"]
        .as_str()
        .unwrap()
        .to_owned();
    let admin = i.admin.clone();
    let old = keys_in(&key);
    assert_eq!(old.len(), 1);

    // A new key, first in the file, which stays private.
    let made = i.json(&["--key-file", &key_arg, "key", "new"]);
    let new_id = made["key"].as_str().unwrap().to_owned();
    let keys = keys_in(&key);
    assert_eq!((keys.len(), &keys[1]), (2, &old[0]), "the old key stays, after the new one");
    assert_eq!(std::fs::metadata(&key).unwrap().permissions().mode() & 0o777, 0o600);

    // Before the rotation the new key alone does not open the database.
    let only_new = i.dir.path().join("new-only.key");
    std::fs::write(&only_new, format!("{}\n", keys[0])).unwrap();
    std::fs::set_permissions(&only_new, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = i.cmd().args(["--key-file", only_new.to_str().unwrap(), "participant", "list"]).output().unwrap();
    assert_eq!(out.status.code(), Some(78), "{}", stderr(&out));

    // The status says the old key is still needed; only the administrator may ask.
    let out = i.cmd().args(["--key-file", &key_arg, "key", "status"]).output().unwrap();
    assert_eq!(out.status.code(), Some(77), "a project worker may not: {}", stderr(&out));
    let status = i.json(&["--as", &admin, "--key-file", &key_arg, "key", "status"]);
    let rows = status.as_array().unwrap();
    assert_eq!(rows[0]["key"], new_id.as_str());
    assert_eq!(rows[0]["current"], true);
    let old_row = rows.iter().find(|r| r["key"] != new_id.as_str()).unwrap();
    assert_eq!(old_row["needed"], true);
    assert!(old_row["values"].as_u64().unwrap() > 0);

    // Rotate in small batches: a progress line per batch on stderr, the summary on stdout.
    let out = i.cmd().args(["--as", &admin, "--key-file", &key_arg, "key", "rotate", "--batch", "2"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let progress = stderr(&out);
    assert!(progress.lines().filter(|l| l.starts_with("Opnieuw versleuteld: ")).count() >= 2, "{progress}");
    let summary = stdout(&out);
    assert!(summary.contains("Niet meer nodig") && summary.contains(&new_id), "{summary}");

    // The status table now says the old key may go.
    let out = i.cmd().args(["--as", &admin, "--key-file", &key_arg, "key", "status"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("SLEUTEL"), "{}", stdout(&out));
    assert!(stderr(&out).contains("Niet meer nodig"), "{}", stderr(&out));
    let status = i.json(&["--as", &admin, "--key-file", &key_arg, "key", "status", "--json"]);
    let old_row = status.as_array().unwrap().iter().find(|r| r["key"] != new_id.as_str()).unwrap().clone();
    assert_eq!((old_row["needed"].clone(), old_row["values"].as_u64()), (serde_json::json!(false), Some(0)));

    // The old line out of the key file: the database opens and reads with the new key alone.
    let shown = i.json(&["--key-file", only_new.to_str().unwrap(), "participant", "show", &participant]);
    assert!(shown.to_string().contains("Sleutelproef"), "{shown}");

    // Remotely, the key commands are refused: they are the operator's, on this machine.
    let out = i.cmd().args(["--server", "http://127.0.0.1:1", "--as", &admin, "key", "status"]).output().unwrap();
    assert_eq!(out.status.code(), Some(69), "{}", stderr(&out));
    assert!(stderr(&out).contains("--server"), "{}", stderr(&out));
}
