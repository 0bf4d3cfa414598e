//! The `perspectief` binary, run as a person or a script would.

#![allow(clippy::unwrap_used)]

mod support;

mod confirmations;
mod dev;
mod documents;
mod effective_dates;
mod erasure;
mod errors;
mod fuzz_corpus;
mod grants;
mod history;
mod import;
mod keys;
mod languages;
mod late;
mod operations;
mod organisations;
mod privacy;
mod remote;
mod reports;
mod retention;
mod roundtrip;
mod spreadsheet;
mod texts;
mod tls;
mod workflow;

use std::process::{Command, Output};

fn perspectief(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_perspectief"))
        .args(args)
        .env("NO_COLOR", "1")
        .env("LANG", "C.UTF-8")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("PERSPECTIEF_CONFIG", std::env::temp_dir().join("perspectief-cli-no-config.toml"))
        .output()
        .unwrap()
}

#[test]
fn lists_every_activity_code_of_the_plan_in_dutch() {
    let out = perspectief(&["activiteiten"]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 1 + 17, "{text}");
    assert!(text.contains("5.2.b(1)") && text.contains("Onderzoeken terugkeermogelijkheden"), "{text}");
}

#[test]
fn json_output_is_machine_readable() {
    let out = perspectief(&["activiteiten", "--json"]);
    let rows: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(rows.len(), 17);
    assert_eq!(rows[0]["code"], "3.2.a");
    assert_eq!(rows[0]["theme"], "B");
    let phases: Vec<serde_json::Value> = serde_json::from_slice(&perspectief(&["fasen", "--json"]).stdout).unwrap();
    assert_eq!(phases.last().unwrap()["phase"], "closed");
}

#[test]
fn an_unknown_command_is_a_usage_error_with_help() {
    let out = perspectief(&["verwijder-alles"]);
    assert_eq!(out.status.code(), Some(64));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("onbekend commando") && err.contains("Gebruik:"), "{err}");
    assert!(out.stdout.is_empty());
}

mod serve {
    //! `perspectief serve` as an operator runs it: first start, health, graceful stop.

    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};

    fn temp_dir() -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("perspectief-cli-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn serve_starts_on_a_fresh_database_answers_health_and_stops_gracefully_on_sigterm() {
        let dir = temp_dir();
        let db = format!("sqlite://{}", dir.join("p.db").display());
        let key = dir.join("p.key");
        let mut child = Command::new(env!("CARGO_BIN_EXE_perspectief"))
            .args(["serve", "--listen", "127.0.0.1:0", "--create", "--drain-seconds", "6", "--database", &db])
            .arg("--key-file")
            .arg(&key)
            .env_remove("PERSPECTIEF_KEY")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let mut addr = None;
        let mut seen = Vec::new();
        for line in lines.by_ref() {
            let line = line.unwrap();
            seen.push(line.clone());
            if let Some(rest) = line.strip_prefix("perspectief: luistert op ") {
                addr = Some(rest.split(' ').next().unwrap().to_owned());
                break;
            }
        }
        let addr = addr.unwrap_or_else(|| panic!("no address in {seen:?}"));
        assert!(seen.iter().any(|l| l.contains("nieuwe sleutel")), "the first start creates the key: {seen:?}");
        assert!(key.exists());

        let channel =
            tonic::transport::Channel::from_shared(format!("http://{addr}")).unwrap().connect().await.unwrap();
        let mut health = tonic_health::pb::health_client::HealthClient::new(channel);
        let status =
            health.check(tonic_health::pb::HealthCheckRequest { service: String::new() }).await.unwrap().into_inner();
        assert_eq!(status.status, tonic_health::pb::health_check_response::ServingStatus::Serving as i32);

        let ok = Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
        assert!(ok.success());
        // While it drains, health answers NOT_SERVING (probes see it leave before it is gone).
        let mut seen = Vec::new();
        for _ in 0..100 {
            let status = health.check(tonic_health::pb::HealthCheckRequest { service: String::new() }).await;
            let status = status.map(|s| s.into_inner().status);
            seen.push(format!("{status:?}"));
            if status.is_ok_and(|s| s == tonic_health::pb::health_check_response::ServingStatus::NotServing as i32) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        assert!(seen.last().is_some_and(|s| s == "Ok(2)"), "health reports NOT_SERVING during the drain: {seen:?}");
        let rest: Vec<String> = lines.map(|l| l.unwrap()).collect();
        let status = child.wait().unwrap();
        assert!(status.success(), "graceful stop exits 0: {status:?}");
        assert!(rest.iter().any(|l| l.contains("gestopt")), "{rest:?}");

        // The database now exists: without its key the server refuses to start, clearly.
        std::fs::remove_file(&key).unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_perspectief"))
            .args(["serve", "--listen", "127.0.0.1:0", "--database", &db, "--key-file"])
            .arg(&key)
            .env_remove("PERSPECTIEF_KEY")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(78));
        assert!(String::from_utf8_lossy(&out.stderr).contains("sleutel"), "{}", String::from_utf8_lossy(&out.stderr));
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn serve_refuses_bad_options_with_the_usage_exit_code() {
        let out =
            Command::new(env!("CARGO_BIN_EXE_perspectief")).args(["serve", "--listen", "nergens"]).output().unwrap();
        assert_eq!(out.status.code(), Some(64));
        assert!(String::from_utf8_lossy(&out.stderr).contains("--listen"));
        // A cell of 0 would show every small cell; a limit of 0 would lock everyone out.
        for flag in ["--min-cell", "--max-refused-auth", "--checkpoint-every-records", "--checkpoint-every-minutes"] {
            let out = Command::new(env!("CARGO_BIN_EXE_perspectief")).args(["serve", flag, "0"]).output().unwrap();
            assert_eq!(out.status.code(), Some(64), "{flag} 0");
            assert!(String::from_utf8_lossy(&out.stderr).contains(flag), "{flag}");
        }
        let out = Command::new(env!("CARGO_BIN_EXE_perspectief")).args(["serve", "--tls-cert", "x"]).output().unwrap();
        assert_eq!(out.status.code(), Some(64));
        // Plain text is for this machine only.
        let out =
            Command::new(env!("CARGO_BIN_EXE_perspectief")).args(["serve", "--listen", "0.0.0.0:0"]).output().unwrap();
        assert_eq!(out.status.code(), Some(64));
        assert!(String::from_utf8_lossy(&out.stderr).contains("--tls-cert"));
        // In the operator's language.
        let out = Command::new(env!("CARGO_BIN_EXE_perspectief"))
            .args(["serve", "--lang", "en", "--listen", "0.0.0.0:0"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(64));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("can be reached from other machines") && err.contains("--tls-cert"), "{err}");
        // A named database that does not exist is refused (a typo), unless --create.
        let out = Command::new(env!("CARGO_BIN_EXE_perspectief"))
            .args(["serve", "--listen", "127.0.0.1:0", "--database", "sqlite:///nonexistent/dir/typo.db"])
            .env("PERSPECTIEF_KEY", "ab".repeat(32))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(78));
        assert!(String::from_utf8_lossy(&out.stderr).contains("--create"), "{}", String::from_utf8_lossy(&out.stderr));
        // Bad TLS material is a configuration error, named before anything listens.
        let dir = std::env::temp_dir().join(format!("perspectief-cli-tls-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("cert.pem"), "not a certificate").unwrap();
        std::fs::write(dir.join("key.pem"), "not a key").unwrap();
        let out = Command::new(env!("CARGO_BIN_EXE_perspectief"))
            .args(["serve", "--listen", "127.0.0.1:0", "--create", "--database"])
            .arg(format!("sqlite://{}", dir.join("p.db").display()))
            .arg("--tls-cert")
            .arg(dir.join("cert.pem"))
            .arg("--tls-key")
            .arg(dir.join("key.pem"))
            .env("PERSPECTIEF_KEY", "ab".repeat(32))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(78), "{}", String::from_utf8_lossy(&out.stderr));
        assert!(!String::from_utf8_lossy(&out.stdout).contains("luistert"));
        let _ = std::fs::remove_dir_all(dir);
    }
}
