//! `perspectief dev seed`: synthetic data for developers and demonstrations, only into an
//! empty database and only by an administrator.

use crate::support::{Install, stderr};

#[test]
fn dev_seed_fills_an_empty_database_deterministically_and_refuses_a_second_time() {
    let i = Install::new();
    // The default acting user is a project worker: not theirs to do.
    let out = i.cmd().args(["dev", "seed", "--participants", "5"]).output().unwrap();
    assert_eq!(out.status.code(), Some(77), "{}", stderr(&out));

    let seed = ["--as", &i.admin, "dev", "seed", "--participants", "12", "--seed", "5"];
    let v = i.json(&seed);
    assert_eq!(v["participants"], 12);
    assert!(v["contact_moments"].as_u64().unwrap() >= 12, "{v}");
    assert!(v["commands"].as_u64().unwrap() > v["contact_moments"].as_u64().unwrap(), "{v}");

    // The same seed gives the same data set in another installation.
    let other = Install::new();
    assert_eq!(other.json(&["--as", &other.admin, "dev", "seed", "--participants", "12", "--seed", "5"]), v);

    // The data is there: a synthetic project worker sees their participants.
    let worker = "00000000-0000-0000-0000-000051570001";
    let list = i.json(&["--as", worker, "participant", "list"]);
    let rows = list.as_array().or_else(|| list["participants"].as_array()).unwrap_or_else(|| panic!("{list}"));
    assert!(!rows.is_empty(), "{list}");

    // Never into a database that holds participants: synthetic and real people do not mix.
    let out = i.cmd().args(seed).output().unwrap();
    assert_eq!(out.status.code(), Some(65), "{}", stderr(&out));
    assert!(stderr(&out).contains("lege database"), "{}", stderr(&out));
}

/// The whole database (a backup, synthetic data) is the administrator's by the core's access
/// policy, and a project worker's attempt is refused with the role's message and on record.
#[test]
fn a_workers_backup_and_seed_are_refused_and_on_record() {
    let i = Install::new();
    let out = i.cmd().args(["backup"]).output().unwrap();
    assert_eq!(out.status.code(), Some(77), "{}", stderr(&out));
    assert!(stderr(&out).contains("Alleen een beheerder"), "{}", stderr(&out));
    let out = i.cmd().args(["dev", "seed", "--participants", "5"]).output().unwrap();
    assert_eq!(out.status.code(), Some(77), "{}", stderr(&out));

    let auditor = i.json(&["--as", &i.admin, "user", "add", "--name", "Controleur Test", "--role", "auditor"]);
    let auditor = auditor["user"].as_str().unwrap().to_owned();
    let log = i.json(&["--as", &auditor, "audit", "log", "--limit", "500"]);
    let refused: Vec<&str> = log
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["outcome"] == "denied" && r["user"] == i.worker.as_str())
        .map(|r| r["operation"].as_str().unwrap())
        .collect();
    assert_eq!(refused, ["backup", "dev_seed"], "{log}");
}
