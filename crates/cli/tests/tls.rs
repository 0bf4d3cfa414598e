//! The remote mode over TLS, as staff use it: `perspectief serve` with certificates made here
//! (rcgen), the command line with `--ca-cert`, the system's roots, mutual TLS, the config file
//! and the environment; each refusal with a message that names its cause. Every connection goes
//! to this machine.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use perspectief_tests::tls::Authority;
use serde_json::Value;

use crate::support::{Install, bare, bare_std, stderr};

/// Write `ca`'s certificate, and a certificate for `name` with its key, into `dir` as
/// `<file>-ca.pem`, `<file>.pem` and `<file>.key`; returns (ca, cert, key).
fn write(ca: &Authority, dir: &Path, file: &str, name: &str) -> (PathBuf, PathBuf, PathBuf) {
    let (cert, key) = ca.issue(&[name]);
    let paths = (dir.join(format!("{file}-ca.pem")), dir.join(format!("{file}.pem")), dir.join(format!("{file}.key")));
    std::fs::write(&paths.0, &ca.pem).unwrap();
    std::fs::write(&paths.1, cert).unwrap();
    std::fs::write(&paths.2, key).unwrap();
    paths
}

/// `perspectief serve` on the installation's database with TLS; stopped when dropped.
struct Served {
    child: Child,
    port: u16,
}

impl Served {
    fn start(install: &Install, cert: &Path, key: &Path, client_ca: Option<&Path>) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_perspectief"));
        command
            .args(["serve", "--listen", "127.0.0.1:0", "--database", &install.database(), "--key-file"])
            .arg(install.key())
            .arg("--tls-cert")
            .arg(cert)
            .arg("--tls-key")
            .arg(key)
            .env("PERSPECTIEF_CONFIG", install.config())
            .env_remove("PERSPECTIEF_KEY")
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        if let Some(ca) = client_ca {
            command.arg("--tls-client-ca").arg(ca);
        }
        let mut child = command.spawn().unwrap();
        let mut port = None;
        for line in BufReader::new(child.stdout.take().unwrap()).lines() {
            let line = line.unwrap();
            if let Some(rest) = line.strip_prefix("perspectief: luistert op ") {
                assert!(rest.contains("(TLS)"), "{line}");
                port = rest.split(' ').next().and_then(|a| a.parse::<std::net::SocketAddr>().ok()).map(|a| a.port());
                break;
            }
        }
        Self { child, port: port.expect("the server reports its address") }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn token(install: &Install) -> String {
    install.working_token(&install.worker, "tls")
}

/// The command in remote mode: no database, this installation's token and acting user, a
/// config file that does not exist unless the test writes it.
fn remote(install: &Install, token: &str) -> assert_cmd::Command {
    let mut c = bare();
    c.env("PERSPECTIEF_CONFIG", install.dir.path().join("remote.toml"))
        .env("PERSPECTIEF_TOKEN", token)
        .env("PERSPECTIEF_USER", &install.worker);
    c
}

fn json(out: &Output) -> Value {
    assert!(out.status.success(), "{}", stderr(out));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn names(list: &Value) -> Vec<String> {
    list.as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap_or_default().to_owned()).collect()
}

#[test]
fn the_cli_works_through_a_tls_server_with_its_ca_the_systems_roots_or_the_config_file() {
    let install = Install::new();
    let token = token(&install);
    let dir = install.dir.path();
    let (ca, cert, key) = write(&Authority::new("Perspectief test CA"), dir, "server", "localhost");
    let (stranger_ca, _, _) = write(&Authority::new("Another CA"), dir, "stranger", "localhost");
    let server = Served::start(&install, &cert, &key, None);
    let url = format!("https://localhost:{}", server.port);

    // --ca-cert: a write and a read through TLS.
    let out = remote(&install, &token)
        .args(["--server", &url, "--ca-cert"])
        .arg(&ca)
        .args(["participant", "register", "--given-names", "Tesfay", "-o", "json"])
        .output()
        .unwrap();
    json(&out);
    let out = remote(&install, &token)
        .args(["--server", &url, "--ca-cert"])
        .arg(&ca)
        .args(["participant", "list", "-o", "json"])
        .output()
        .unwrap();
    assert!(names(&json(&out)).iter().any(|n| n.contains("Tesfay")), "{}", crate::support::stdout(&out));

    // Without --ca-cert the system's roots decide; SSL_CERT_FILE stands in for the system's
    // store (as for OpenSSL), so this is the path a server with a public certificate takes.
    let out = remote(&install, &token)
        .env("SSL_CERT_FILE", &ca)
        .args(["--server", &url, "participant", "list", "-o", "json"])
        .output()
        .unwrap();
    json(&out);
    let out = remote(&install, &token)
        .env("SSL_CERT_FILE", &stranger_ca)
        .args(["--server", &url, "participant", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(69), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("niet vertrouwd") && err.contains("dit systeem vertrouwt") && err.contains("--ca-cert"),
        "{err}"
    );

    // The config file: server and CA, the CA's path relative to the config file; and the
    // environment variable for the CA.
    std::fs::write(dir.join("remote.toml"), format!("server = \"{url}\"\nca_cert = \"server-ca.pem\"\n")).unwrap();
    let out = remote(&install, &token).current_dir("/").args(["participant", "list", "-o", "json"]).output().unwrap();
    json(&out);
    std::fs::remove_file(dir.join("remote.toml")).unwrap();
    let out = remote(&install, &token)
        .env("PERSPECTIEF_CA_CERT", &ca)
        .args(["--server", &url, "participant", "list", "-o", "json"])
        .output()
        .unwrap();
    json(&out);

    // Another CA: not trusted, and the message names the CA file and where it was set.
    let out = remote(&install, &token)
        .args(["--server", &url, "--ca-cert"])
        .arg(&stranger_ca)
        .args(["participant", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(69), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("wordt niet vertrouwd")
            && err.contains(&stranger_ca.display().to_string())
            && err.contains("--ca-cert")
            && !err.contains("transport error"),
        "{err}"
    );
    let out = remote(&install, &token)
        .args(["--lang", "en", "--server", &url, "--ca-cert"])
        .arg(&stranger_ca)
        .args(["participant", "list"])
        .output()
        .unwrap();
    assert!(stderr(&out).contains("is not trusted: it is not signed by the CA certificate"), "{}", stderr(&out));

    // The right CA, but the certificate is for localhost, not for 127.0.0.1.
    let out = remote(&install, &token)
        .args(["--server", &format!("https://127.0.0.1:{}", server.port), "--ca-cert"])
        .arg(&ca)
        .args(["participant", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(69), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("niet voor 127.0.0.1 maar voor localhost"), "{err}");

    // The server speaks TLS; http:// says so.
    let out = remote(&install, &token)
        .args(["--server", &format!("http://127.0.0.1:{}", server.port), "participant", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(69), "{}", stderr(&out));
    assert!(stderr(&out).contains("gebruikt TLS: begin het adres met https://"), "{}", stderr(&out));

    // A CA file that is not a certificate is a configuration error naming the file and flag.
    let out = remote(&install, &token)
        .args(["--server", &url, "--ca-cert"])
        .arg(&key)
        .args(["participant", "list"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(78), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("CA-certificaat") && err.contains(&key.display().to_string()) && err.contains("--ca-cert"),
        "{err}"
    );
}

#[test]
fn mutual_tls_needs_a_client_certificate_from_the_servers_client_ca() {
    let install = Install::new();
    let token = token(&install);
    let dir = install.dir.path();
    let (ca, cert, key) = write(&Authority::new("Server CA"), dir, "server", "localhost");
    let staff = Authority::new("Staff CA");
    let (client_ca, client_cert, client_key) = write(&staff, dir, "medewerker", "medewerker-1");
    let (_, outsider_cert, outsider_key) = write(&Authority::new("Outsider CA"), dir, "buiten", "buitenstaander");
    let (_, _, other_key) = write(&staff, dir, "ander", "medewerker-2");
    let server = Served::start(&install, &cert, &key, Some(&client_ca));
    let url = format!("https://localhost:{}", server.port);
    let run = |extra: &[&Path], flags: &[&str]| {
        let mut c = remote(&install, &token);
        c.args(["--server", &url, "--ca-cert"]).arg(&ca);
        for (flag, path) in flags.iter().zip(extra) {
            c.arg(flag).arg(path);
        }
        c.args(["participant", "list", "-o", "json"]).output().unwrap()
    };

    json(&run(&[&client_cert, &client_key], &["--client-cert", "--client-key"]));
    let out = remote(&install, &token)
        .env("PERSPECTIEF_CLIENT_CERT", &client_cert)
        .env("PERSPECTIEF_CLIENT_KEY", &client_key)
        .args(["--server", &url, "--ca-cert"])
        .arg(&ca)
        .args(["participant", "list", "-o", "json"])
        .output()
        .unwrap();
    json(&out);

    // No client certificate: refused by the server, and the message says what to give.
    let out = run(&[], &[]);
    assert_eq!(out.status.code(), Some(69), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("eist een clientcertificaat") && err.contains("--client-cert"), "{err}");
    let mut en = remote(&install, &token);
    let out = en
        .args(["--lang", "en", "--server", &url, "--ca-cert"])
        .arg(&ca)
        .args(["participant", "list"])
        .output()
        .unwrap();
    assert!(stderr(&out).contains("requires a client certificate (mutual TLS)"), "{}", stderr(&out));

    // A certificate the server's client CA did not sign.
    let out = run(&[&outsider_cert, &outsider_key], &["--client-cert", "--client-key"]);
    assert_eq!(out.status.code(), Some(69), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("weigert het clientcertificaat") && err.contains(&outsider_cert.display().to_string()),
        "{err}"
    );

    // Local mistakes are named before anything is sent: a key of another certificate, a
    // certificate without its key.
    let out = run(&[&client_cert, &other_key], &["--client-cert", "--client-key"]);
    assert_eq!(out.status.code(), Some(78), "{}", stderr(&out));
    assert!(stderr(&out).contains("hoort niet bij het clientcertificaat"), "{}", stderr(&out));
    let out = run(&[&client_cert], &["--client-cert"]);
    assert_eq!(out.status.code(), Some(78), "{}", stderr(&out));
    assert!(stderr(&out).contains("--client-key"), "{}", stderr(&out));
}

/// A listener on 127.0.0.1 that an `http://0.0.0.0:PORT` address reaches: 0.0.0.0 is not a
/// loopback address to the policy (so plain text to it must be refused), yet the kernel
/// delivers a connection to it on this machine. So the test sees whether a connection was
/// attempted, and nothing can leave the machine even if the refusal were lost.
fn local_stand_in_for_a_remote_host() -> (TcpListener, String) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    listener.set_nonblocking(true).unwrap();
    let url = format!("http://0.0.0.0:{}", listener.local_addr().unwrap().port());
    (listener, url)
}

fn accepted_within(listener: &TcpListener, limit: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < limit {
        match listener.accept() {
            Ok((stream, _)) => {
                drop(stream);
                return true;
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => std::thread::sleep(Duration::from_millis(20)),
            Err(e) => panic!("{e}"),
        }
    }
    false
}

#[test]
fn plain_http_to_another_machine_is_refused_before_connecting_unless_insecure_with_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    let (listener, url) = local_stand_in_for_a_remote_host();
    let user = "01920000-0000-7000-8000-000000000001";
    let run = |args: &[&str]| {
        bare()
            .env("PERSPECTIEF_CONFIG", dir.path().join("none.toml"))
            .env("PERSPECTIEF_TOKEN", "geheim-token")
            .args(["--server", &url, "--as", user])
            .args(args)
            .args(["participant", "list"])
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap()
    };

    let out = run(&[]);
    assert_eq!(out.status.code(), Some(78), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("Geweigerd") && err.contains("0.0.0.0 is niet deze machine") && err.contains("--insecure"),
        "{err}"
    );
    assert!(!accepted_within(&listener, Duration::from_millis(300)), "no connection may be attempted");
    let out = run(&["--lang", "en"]);
    assert!(stderr(&out).contains("is not this machine"), "{}", stderr(&out));
    assert!(!accepted_within(&listener, Duration::from_millis(100)));

    // --insecure: a warning, then the connection is attempted (the stand-in hangs up).
    let child = bare_std()
        .env("PERSPECTIEF_CONFIG", dir.path().join("none.toml"))
        .env("PERSPECTIEF_TOKEN", "geheim-token")
        .args(["--server", &url, "--as", user, "--insecure", "participant", "list"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    assert!(accepted_within(&listener, Duration::from_secs(30)), "--insecure lets the connection be attempted");
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(69), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("waarschuwing: --insecure") && err.contains("onversleuteld over het netwerk naar 0.0.0.0"),
        "{err}"
    );
    assert!(!err.contains("geheim-token"), "the token is never printed: {err}");

    // The same global flag lets `serve` listen without TLS beyond this machine: past that check
    // it stops at the missing database (78), before binding anything; without it, 64.
    for args in
        [&["serve", "--listen", "0.0.0.0:0", "--insecure"][..], &["--insecure", "serve", "--listen", "0.0.0.0:0"][..]]
    {
        let out = bare()
            .env("PERSPECTIEF_KEY", "ab".repeat(32))
            .args(args)
            .args(["--database", "sqlite:///nonexistent/dir/typo.db"])
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(78), "{args:?}: {}", stderr(&out));
    }
    let out = bare()
        .env("PERSPECTIEF_KEY", "ab".repeat(32))
        .args(["serve", "--listen", "0.0.0.0:0", "--database", "sqlite:///nonexistent/dir/typo.db"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(64), "{}", stderr(&out));
}
