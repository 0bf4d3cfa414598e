//! Reaching a server with the Rust client: the address policy (checked before any connection),
//! the TLS files, TLS and mutual TLS with certificates made here, and failures that name their
//! cause. Every connection goes to 127.0.0.1.

use perspectief_core::access::{Actor, Grant, Role};
use perspectief_core::service::{Caller, PerspectiefService, Purpose};
use perspectief_core::{OrganisationId, UserId};
use perspectief_grpc::client::{RemoteService, StaticToken};
use perspectief_grpc::connect::{ClientTls, ConnectError, ConnectOptions, FileProblem, TlsFile, Transport};
use perspectief_grpc::server::{ServerConfig, TlsConfig};
use perspectief_tests::tls::Authority;
use tonic::transport::{Certificate, ClientTlsConfig, Identity};

use crate::server::Harness;

fn server_tls((cert, key): &(String, String), client_ca: Option<&Authority>) -> ServerConfig {
    ServerConfig {
        tls: Some(TlsConfig {
            cert_pem: cert.clone().into_bytes(),
            key_pem: key.clone().into_bytes(),
            client_ca_pem: client_ca.map(|ca| ca.pem.clone().into_bytes()),
        }),
        ..ServerConfig::default()
    }
}

/// The harness's own client (it needs one to start); ours is the one under test.
fn harness_client(ca: &Authority, identity: Option<&(String, String)>) -> ClientTlsConfig {
    let config = ClientTlsConfig::new().ca_certificate(Certificate::from_pem(&ca.pem)).domain_name("localhost");
    match identity {
        Some((cert, key)) => config.identity(Identity::from_pem(cert, key)),
        None => config,
    }
}

fn caller() -> Caller {
    Caller {
        actor: Actor {
            user: UserId::from_u128(2),
            organisation: OrganisationId::from_u128(500),
            role: Role::ChainPartner,
            grant: Grant::NONE,
        },
        on_behalf_of: None,
        purpose: Purpose::permitted_for(Role::ChainPartner)[0],
        client: "test".to_owned(),
    }
}

async fn connect(url: &str, token: &str, options: &ConnectOptions) -> Result<RemoteService<StaticToken>, ConnectError> {
    RemoteService::connect_with(url, StaticToken::new(token), options).await
}

/// A call that needs the token: the connection carries real requests, not only the check.
async fn works(remote: &RemoteService<StaticToken>) {
    remote.watch_events(&caller(), 0, 10).await.unwrap();
}

fn with_ca(ca: &Authority) -> ConnectOptions {
    ConnectOptions::new().tls(ClientTls::new().with_ca_pem(ca.pem.clone()).unwrap())
}

#[test]
fn plain_text_goes_to_this_machine_only_unless_allowed_and_nothing_is_sent_to_decide() {
    let strict = ConnectOptions::new();
    let insecure = ConnectOptions::new().allow_insecure(true);
    for url in [
        "http://127.0.0.1:50051",
        "http://127.8.9.10:1",
        "http://localhost:50051",
        "http://LocalHost:50051",
        "http://[::1]:50051",
        "http://[::ffff:127.0.0.1]:50051",
    ] {
        assert_eq!(strict.target(url).unwrap().transport(), Transport::PlainLoopback, "{url}");
        assert_eq!(insecure.target(url).unwrap().transport(), Transport::PlainLoopback, "{url}");
    }
    for (url, host) in [
        ("http://192.0.2.1:50051", "192.0.2.1"),
        ("http://10.0.0.5:50051", "10.0.0.5"),
        ("http://0.0.0.0:50051", "0.0.0.0"),
        ("http://perspectief.example:50051", "perspectief.example"),
        ("http://localhost.example:50051", "localhost.example"),
        ("http://127.0.0.1.example:50051", "127.0.0.1.example"),
        ("http://[2001:db8::1]:50051", "[2001:db8::1]"),
        ("HTTP://192.0.2.1:50051", "192.0.2.1"),
    ] {
        // `target` does no I/O: the refusal comes before any connection could be tried.
        match strict.target(url) {
            Err(ConnectError::PlainTextRemote { host: h }) => assert_eq!(h, host, "{url}"),
            other => panic!("{url}: {other:?}"),
        }
        // --insecure lets it through to the connection attempt, marked for a warning.
        let target = insecure.target(url).unwrap();
        assert_eq!(target.transport(), Transport::PlainInsecure, "{url}");
        assert_eq!(target.host(), host);
    }
    // Certificates for a plain address would silently go unused: refused, even on loopback.
    let ca = Authority::new("CA");
    for url in ["http://127.0.0.1:50051", "http://192.0.2.1:50051"] {
        let options = with_ca(&ca).allow_insecure(true);
        assert!(matches!(options.target(url), Err(ConnectError::TlsFilesWithoutTls { .. })), "{url}");
    }
    // https is TLS wherever it goes (--insecure never turns certificate checks off).
    assert_eq!(with_ca(&ca).target("https://perspectief.example:50051").unwrap().transport(), Transport::Tls);
    assert_eq!(with_ca(&ca).allow_insecure(true).target("https://192.0.2.1:443").unwrap().transport(), Transport::Tls);
    for url in ["perspectief.example:50051", "ftp://perspectief.example", "https://", "grpc://x:1", "", "http://a b"] {
        assert!(matches!(strict.target(url), Err(ConnectError::InvalidUrl { .. })), "{url}: {:?}", strict.target(url));
    }
}

#[test]
fn tls_files_are_checked_when_given_and_a_problem_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let ca = Authority::new("CA");
    let (cert, key) = ca.issue(&["medewerker"]);
    let (_, other_key) = ca.issue(&["iemand-anders"]);
    let problem = |r: Result<ClientTls, ConnectError>| match r {
        Err(ConnectError::File { file, path, problem }) => (file, path, problem),
        other => panic!("{other:?}"),
    };

    let missing = dir.path().join("ontbreekt.pem");
    let (f, path, p) = problem(ClientTls::new().with_ca_file(&missing));
    assert_eq!((f, path.as_deref()), (TlsFile::CaCertificate, Some(missing.as_path())));
    assert!(matches!(p, FileProblem::Unreadable(_)));
    let e = ClientTls::new().with_ca_file(&missing).unwrap_err().to_string();
    assert!(e.contains("CA certificate") && e.contains("ontbreekt.pem"), "{e}");

    let (f, _, p) = problem(ClientTls::new().with_ca_file(&file("key.pem", &key)));
    assert_eq!(f, TlsFile::CaCertificate);
    assert!(matches!(p, FileProblem::NoCertificate), "{p:?}");
    let garbage = "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n";
    let (_, _, p) = problem(ClientTls::new().with_ca_file(&file("garbage.pem", garbage)));
    assert!(matches!(p, FileProblem::Invalid(_)), "{p:?}");
    let (_, _, p) = problem(ClientTls::new().with_ca_pem("no PEM at all"));
    assert!(matches!(p, FileProblem::NoCertificate), "{p:?}");

    let (cert_file, key_file) = (file("cert.pem", &cert), file("client.key", &key));
    let (f, path, p) = problem(ClientTls::new().with_identity_files(&cert_file, &missing));
    assert_eq!((f, path.as_deref()), (TlsFile::ClientKey, Some(missing.as_path())));
    assert!(matches!(p, FileProblem::Unreadable(_)));
    let (f, _, p) = problem(ClientTls::new().with_identity_files(&key_file, &key_file));
    assert_eq!(f, TlsFile::ClientCertificate);
    assert!(matches!(p, FileProblem::NoCertificate), "{p:?}");
    let (f, _, p) = problem(ClientTls::new().with_identity_files(&cert_file, &cert_file));
    assert_eq!(f, TlsFile::ClientKey);
    assert!(matches!(p, FileProblem::NoPrivateKey), "{p:?}");
    let bad_key = "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n";
    let (f, _, p) = problem(ClientTls::new().with_identity_files(&cert_file, &file("bad.key", bad_key)));
    assert_eq!(f, TlsFile::ClientKey);
    assert!(matches!(p, FileProblem::Invalid(_)), "{p:?}");
    assert!(matches!(
        ClientTls::new().with_identity_files(&cert_file, &file("other.key", &other_key)),
        Err(ConnectError::KeyMismatch)
    ));

    let good = ClientTls::new().with_ca_file(&file("ca.pem", &ca.pem)).unwrap();
    assert!(!good.uses_system_roots() && !good.has_client_certificate());
    let good = good.with_identity_files(&cert_file, &key_file).unwrap();
    assert!(good.has_client_certificate());
    assert!(!format!("{good:?}").contains("PRIVATE"), "the key is never printed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_works_with_the_servers_ca_and_each_failure_names_its_cause() {
    let ca = Authority::new("Perspectief test CA");
    let h = Harness::start_with(server_tls(&ca.issue(&["localhost"]), None), Some(harness_client(&ca, None)))
        .await
        .unwrap();
    let port = h.address.port();
    let url = format!("https://localhost:{port}");

    let remote = connect(&url, &h.token, &with_ca(&ca)).await.unwrap();
    works(&remote).await;

    // Another CA: not trusted.
    let stranger = Authority::new("Another CA");
    match connect(&url, &h.token, &with_ca(&stranger)).await {
        Err(e @ ConnectError::UntrustedCertificate { by_ca_file: true }) => {
            assert!(e.to_string().contains("not trusted"), "{e}");
        }
        other => panic!("{:?}", other.err()),
    }
    // The right CA, but the certificate is for "localhost", not for 127.0.0.1.
    match connect(&format!("https://127.0.0.1:{port}"), &h.token, &with_ca(&ca)).await {
        Err(ConnectError::NameMismatch { host, presented }) => {
            assert_eq!(host, "127.0.0.1");
            assert_eq!(presented, ["localhost"]);
        }
        other => panic!("{:?}", other.err()),
    }
    // Plain text to a TLS server.
    match connect(&format!("http://127.0.0.1:{port}"), &h.token, &ConnectOptions::new()).await {
        Err(e @ ConnectError::ServerSpeaksTls { .. }) => assert!(e.to_string().contains("https://"), "{e}"),
        other => panic!("{:?}", other.err()),
    }
    h.stop().await;

    // TLS to a plain-text server.
    let plain = Harness::start(ServerConfig::default()).await;
    match connect(&format!("https://localhost:{}", plain.address.port()), &plain.token, &with_ca(&ca)).await {
        Err(ConnectError::NotTls { .. }) => {}
        other => panic!("{:?}", other.err()),
    }
    plain.stop().await;

    // Nothing listens.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    match connect(&format!("http://{closed}"), "x", &ConnectOptions::new()).await {
        Err(e @ ConnectError::Refused { .. }) => assert!(e.to_string().contains(&closed.to_string()), "{e}"),
        other => panic!("{:?}", other.err()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mutual_tls_needs_a_client_certificate_from_the_servers_client_ca() {
    let server_ca = Authority::new("Server CA");
    let client_ca = Authority::new("Client CA");
    let worker = client_ca.issue(&["medewerker-1"]);
    let h = Harness::start_with(
        server_tls(&server_ca.issue(&["localhost"]), Some(&client_ca)),
        Some(harness_client(&server_ca, Some(&worker))),
    )
    .await
    .unwrap();
    let url = format!("https://localhost:{}", h.address.port());
    let trust = || ClientTls::new().with_ca_pem(server_ca.pem.clone()).unwrap();

    let options = ConnectOptions::new().tls(trust().with_identity_pem(worker.0.clone(), worker.1.clone()).unwrap());
    let remote = connect(&url, &h.token, &options).await.unwrap();
    works(&remote).await;

    // No client certificate: the server says it wants one, and the client says so at connect.
    match connect(&url, &h.token, &ConnectOptions::new().tls(trust())).await {
        Err(e @ ConnectError::ClientCertificateRequired) => assert!(e.to_string().contains("client certificate")),
        other => panic!("{:?}", other.err()),
    }
    // A certificate from a CA the server does not accept.
    let outsider = server_ca.issue(&["buitenstaander"]);
    let options = ConnectOptions::new().tls(trust().with_identity_pem(outsider.0, outsider.1).unwrap());
    match connect(&url, &h.token, &options).await {
        Err(ConnectError::ClientCertificateRejected { alert }) => assert!(!alert.is_empty()),
        other => panic!("{:?}", other.err()),
    }
    h.stop().await;
}
