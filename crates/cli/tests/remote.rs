//! The same commands through a running server (`--server` with a token), on the same database.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use crate::support::{Install, stderr};

#[test]
fn the_same_trajectory_through_a_server() {
    let install = Install::new();
    install.chain();
    let token = install.working_token(&install.worker, "test");
    let mut child = Command::new(env!("CARGO_BIN_EXE_perspectief"))
        .args(["serve", "--listen", "127.0.0.1:0", "--drain-seconds", "0", "--database", &install.database()])
        .arg("--key-file")
        .arg(install.key())
        .env("PERSPECTIEF_CONFIG", install.config())
        .env_remove("PERSPECTIEF_KEY")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut addr = None;
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        let line = line.unwrap();
        if let Some(rest) = line.strip_prefix("perspectief: luistert op ") {
            addr = Some(rest.split(' ').next().unwrap().to_owned());
            break;
        }
    }
    let server = format!("http://{}", addr.expect("the server reports its address"));
    // The command against the server as the worker, with `token`.
    let with_token = |token: &str| {
        let mut command = crate::support::bare();
        command
            .env("PERSPECTIEF_CONFIG", install.dir.path().join("remote.toml"))
            .env("PERSPECTIEF_SERVER", &server)
            .env("PERSPECTIEF_TOKEN", token)
            .env("PERSPECTIEF_USER", &install.worker);
        command
    };
    let remote = |args: &[&str]| {
        let out = with_token(&token).args(args).args(["-o", "json"]).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", stderr(&out));
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        let p = crate::workflow::trajectory(&remote);
        // The same case file, seen locally.
        let local = install.json(&["participant", "show", &p]);
        assert_eq!(local["phase"], "closed");
        // Reports through the server equal the local ones.
        let progress = ["report", "progress", p.as_str(), "--from=-30", "--to=+1"];
        assert_eq!(remote(&progress), install.json(&progress));
        let agenda = ["report", "agenda", "--date", "+7"];
        assert_eq!(remote(&agenda), install.json(&agenda));
        // The organisations register reads the same through the server; keeping it is local.
        assert_eq!(remote(&["organisation", "list"]), install.json(&["organisation", "list"]));
        assert_eq!(remote(&["organisation", "show", "iom"])["code"], "IOM");
        let out = with_token(&token)
            .args(["organisation", "add", "--code", "ASKV", "--name", "ASKV", "--kind", "ngo"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(69), "{}", stderr(&out));
        // Administration is local only: documented exit code 69.
        let out = with_token(&token).args(["user", "list"]).output().unwrap();
        assert_eq!(out.status.code(), Some(69));
        // So are the privacy operations and synthetic data, and the message says so.
        for args in [["privacy", "reviews"], ["dev", "seed"]] {
            let out = with_token(&token)
                .args(args)
                .args(["--participants", "1"].into_iter().filter(|_| args[0] == "dev"))
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(69), "{args:?}");
            let err = crate::support::stderr(&out);
            assert!(err.contains("privacy") && err.contains("dev seed"), "{err}");
        }
        // A wrong token is refused.
        let out = with_token("nonsense").args(["participant", "list"]).output().unwrap();
        assert!(!out.status.success());
    }));
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let _ = child.wait();
    if let Err(e) = result {
        std::panic::resume_unwind(e);
    }
}
