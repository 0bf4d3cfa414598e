//! Running the server as an operator would: its log (one JSON line per call, never a name),
//! its metrics, and private files whatever the umask.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::PermissionsExt;
use std::process::{Child, Command, Stdio};

use crate::support::{Install, bare, stderr};

/// A synthetic name that must never appear in a log.
const CANARY: &str = "Zerihun-Logcanarie";

fn mode(path: &std::path::Path) -> u32 {
    std::fs::metadata(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())).permissions().mode() & 0o777
}

/// `perspectief serve` on the installation, with extra flags; the API's and (when asked) the
/// metrics' addresses from its first lines.
fn serve(install: &Install, extra: &[&str]) -> (Child, String, Option<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_perspectief"))
        .args(["serve", "--listen", "127.0.0.1:0", "--drain-seconds", "0", "--database", &install.database()])
        .arg("--key-file")
        .arg(install.key())
        .args(extra)
        .env("PERSPECTIEF_CONFIG", install.config())
        .env("LANG", "C.UTF-8")
        .env_remove("PERSPECTIEF_KEY")
        .env_remove("RUST_LOG")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (mut api, mut metrics) = (None, None);
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    for line in lines.by_ref() {
        let line = line.unwrap();
        if let Some(rest) = line.strip_prefix("perspectief: metrics op http://") {
            metrics = Some(rest.trim_end_matches("/metrics").to_owned());
        }
        if let Some(rest) = line.strip_prefix("perspectief: luistert op ") {
            api = Some(rest.split(' ').next().unwrap().to_owned());
            break;
        }
    }
    // Keep reading stdout so the server never blocks on it.
    std::thread::spawn(move || for _ in lines {});
    (child, api.expect("the server reports its address"), metrics)
}

/// Stop the server gracefully and return everything it logged.
fn stop(mut child: Child) -> String {
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let mut log = String::new();
    child.stderr.take().unwrap().read_to_string(&mut log).unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "graceful stop: {status:?}\n{log}");
    log
}

/// GET a path over plain HTTP/1.1, the body.
fn http_get(address: &str, path: &str) -> (u16, String) {
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n").unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    let status = answer.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
    let body = answer.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default();
    (status, body)
}

/// The value of a sample of the Prometheus text, by metric name and label fragments.
fn sample(text: &str, name: &str, labels: &[&str]) -> Option<f64> {
    text.lines()
        .filter(|l| l.starts_with(name) && !l.starts_with('#'))
        .filter(|l| labels.iter().all(|f| l.contains(f)))
        .map(|l| l.rsplit(' ').next().unwrap().parse::<f64>().unwrap())
        .reduce(|a, b| a + b)
}

#[test]
fn the_server_logs_every_call_as_json_without_names_and_counts_it_in_its_metrics() {
    let install = Install::new();
    let p = install.json(&["participant", "register", "--given-names", CANARY, "--family-name", "Synthetisch"]);
    let p = p["participant"].as_str().unwrap().to_owned();
    let token = install.working_token(&install.worker, "log");
    let (child, api, metrics) = serve(&install, &["--log-format", "json", "--metrics-listen", "127.0.0.1:0"]);
    let metrics = metrics.expect("the metrics address is reported");
    let remote = |token: &str| {
        bare()
            .env("PERSPECTIEF_CONFIG", install.dir.path().join("remote.toml"))
            .env("PERSPECTIEF_SERVER", format!("http://{api}"))
            .env("PERSPECTIEF_TOKEN", token)
            .env("PERSPECTIEF_USER", &install.worker)
            .args(["participant", "show", &p, "-o", "json"])
            .output()
            .unwrap()
    };
    let served = remote(&token);
    let fake_id = "0192f0c1-7c3e-7000-8000-00000000beef";
    let refused = remote(&format!("pt1.{fake_id}.{}", "ab".repeat(32)));
    let (status, scraped) = http_get(&metrics, "/metrics");
    let (missing, _) = http_get(&metrics, "/elders");
    let log = stop(child);
    assert!(served.status.success(), "{}", stderr(&served));
    assert!(String::from_utf8_lossy(&served.stdout).contains(CANARY), "the call itself shows the name");
    assert!(!refused.status.success());

    // Metrics: the served and the refused call counted by method and code, and the store's.
    assert_eq!((status, missing), (200, 404));
    let get = "method=\"/perspectief.v1.CaseService/GetCaseFile\"";
    assert!(
        sample(&scraped, "perspectief_grpc_requests_total", &[get, "code=\"OK\""]).unwrap_or(0.0) >= 1.0,
        "{scraped}"
    );
    assert!(
        sample(&scraped, "perspectief_grpc_requests_total", &["code=\"UNAUTHENTICATED\""]).unwrap_or(0.0) >= 1.0,
        "{scraped}"
    );
    assert!(sample(&scraped, "perspectief_grpc_request_duration_seconds_count", &[get]).unwrap_or(0.0) >= 1.0);
    assert!(sample(&scraped, "perspectief_store_database_bytes", &[]).unwrap_or(0.0) > 0.0, "{scraped}");
    assert!(sample(&scraped, "perspectief_store_writer_commit_seconds_count", &[]).unwrap_or(0.0) >= 1.0);
    assert!(
        scraped.contains("perspectief_grpc_open_streams") && scraped.contains("perspectief_store_writer_queue_depth")
    );

    // The log: one JSON object per line; the served call with its fields, the refused token
    // by its public id, the configuration at the start, never the name or a token's secret.
    let lines: Vec<serde_json::Value> =
        log.lines().map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}"))).collect();
    let field = |v: &serde_json::Value, k: &str| v["fields"][k].as_str().map(str::to_owned);
    let call = lines
        .iter()
        .find(|v| {
            field(v, "message").as_deref() == Some("call")
                && field(v, "method").is_some_and(|m| m.ends_with("/GetCaseFile"))
                && field(v, "code").as_deref() == Some("OK")
        })
        .unwrap_or_else(|| panic!("no line for the served call:\n{log}"));
    assert_eq!(field(call, "role").as_deref(), Some("project_worker"));
    assert_eq!(field(call, "organisation").map(|o| o.len()), Some(36), "{call}");
    assert_eq!(field(call, "request_id").map(|r| r.len()), Some(32), "{call}");
    assert!(call["fields"]["duration_ms"].as_f64().is_some(), "{call}");
    assert!(field(call, "peer").is_some_and(|p| p.starts_with("127.0.0.1:")));
    let refusal = lines
        .iter()
        .find(|v| field(v, "message").as_deref() == Some("token refused") && field(v, "token_id").is_some())
        .unwrap_or_else(|| panic!("no line for the refused token:\n{log}"));
    assert_eq!(field(refusal, "token_id").as_deref(), Some(fake_id), "{refusal}");
    assert_eq!(field(refusal, "reason").as_deref(), Some("unknown_token"));
    assert!(
        lines.iter().any(|v| field(v, "message").as_deref() == Some("call")
            && field(v, "code").as_deref() == Some("UNAUTHENTICATED"))
    );
    let start =
        lines.iter().find(|v| field(v, "message").as_deref() == Some("server starting")).expect("configuration");
    assert_eq!(start["fields"]["tls"], false);
    assert!(!log.contains(CANARY), "a name in the log:\n{log}");
    assert!(!log.contains(&"ab".repeat(32)) && !log.contains(token.rsplit('.').next().unwrap()), "a secret in the log");
}

#[test]
fn database_files_and_backups_are_private_whatever_the_umask_and_open_ones_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let db_path = data.join("perspectief.db");
    let url = format!("sqlite://{}", db_path.display());
    let key = dir.path().join("perspectief.key");
    let config = dir.path().join("config.toml");
    // As an operator's shell would: the usual umask 022.
    let run = |args: &str| {
        Command::new("sh")
            .arg("-c")
            .arg(format!("umask 022; exec \"$0\" {args}"))
            .arg(env!("CARGO_BIN_EXE_perspectief"))
            .env("PERSPECTIEF_CONFIG", &config)
            .env("PERSPECTIEF_DATABASE_URL", &url)
            .env("LANG", "C.UTF-8")
            .env_remove("PERSPECTIEF_KEY")
            .output()
            .unwrap()
    };
    let out = run(&format!("init --name 'Beheerder Test' --key-file {}", key.display()));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(mode(&data), 0o700, "the data directory");
    assert_eq!(mode(&db_path), 0o600, "the database");
    for companion in ["perspectief.db-wal", "perspectief.db-shm"] {
        let path = data.join(companion);
        if path.exists() {
            assert_eq!(mode(&path), 0o600, "{companion}");
        }
    }
    // A backup, to a named file and managed.
    let named = dir.path().join("copy.db");
    let out = run(&format!("backup {}", named.display()));
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(mode(&named), 0o600, "a named backup");
    let out = run("backup");
    assert!(out.status.success(), "{}", stderr(&out));
    let managed = data.join("perspectief.db.backups");
    assert_eq!(mode(&managed), 0o700, "the backup directory");
    for entry in std::fs::read_dir(&managed).unwrap() {
        assert_eq!(mode(&entry.unwrap().path()), 0o600, "a managed backup");
    }
    // The server creates a database private too (and its WAL and shared memory).
    let served_db = dir.path().join("served").join("p.db");
    let mut child = Command::new("sh")
        .arg("-c")
        .arg("umask 022; exec \"$0\" serve --listen 127.0.0.1:0 --create --drain-seconds 0 --database \"$1\" --key-file \"$2\"")
        .arg(env!("CARGO_BIN_EXE_perspectief"))
        .arg(format!("sqlite://{}", served_db.display()))
        .arg(&key)
        .env("LANG", "C.UTF-8")
        .env_remove("PERSPECTIEF_KEY")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    for line in BufReader::new(child.stdout.take().unwrap()).lines() {
        if line.unwrap().contains("luistert op") {
            break;
        }
    }
    for file in ["p.db", "p.db-wal", "p.db-shm"] {
        assert_eq!(mode(&served_db.with_file_name(file)), 0o600, "{file} made by serve");
    }
    let _ = Command::new("kill").args(["-TERM", &child.id().to_string()]).status();
    let _ = child.wait();

    // A database other accounts can read is refused, with the command that fixes it.
    std::fs::set_permissions(&db_path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let out = run("user list");
    assert!(!out.status.success());
    let err = stderr(&out);
    assert!(err.contains(&format!("chmod 600 {}", db_path.display())), "{err}");
}
