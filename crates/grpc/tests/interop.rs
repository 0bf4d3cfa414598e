//! Interoperability with a client not written in Rust: a Python script with grpcio
//! (installed by `.ci/run` into a virtual environment named by `PERSPECTIEF_INTEROP_PYTHON`).

use std::process::Command;

use crate::server::Harness;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_python_grpcio_client_discovers_checks_and_calls() {
    let Ok(python) = std::env::var("PERSPECTIEF_INTEROP_PYTHON") else {
        assert!(std::env::var("CI").is_err(), "CI must run the interoperability test: set PERSPECTIEF_INTEROP_PYTHON");
        eprintln!("PERSPECTIEF_INTEROP_PYTHON is not set: the Python interoperability test did not run");
        return;
    };
    let h = Harness::start(perspectief_grpc::server::ServerConfig::default()).await;
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/interop/check.py");
    let (address, token) = (h.address.to_string(), h.token.clone());
    let output = tokio::task::spawn_blocking(move || Command::new(python).arg(script).arg(address).arg(token).output())
        .await
        .unwrap()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    assert!(
        stdout.contains("unauthenticated: refused") && stdout.contains("authenticated: 17 activity codes"),
        "{stdout}"
    );
    h.stop().await;
}
