//! TLS with rustls when given a certificate and key; mutual TLS when given a client CA.

use perspectief_grpc::pb;
use perspectief_grpc::pb::reference_data_service_client::ReferenceDataServiceClient;
use perspectief_grpc::server::{ServerConfig, TlsConfig};
use perspectief_tests::tls::Authority;
use tonic::transport::{Certificate, ClientTlsConfig, Identity};

use crate::server::Harness;

struct Pki {
    ca: String,
    server: (String, String),
    client: (String, String),
}

fn pki() -> Pki {
    let ca = Authority::new("Perspectief test CA");
    Pki { server: ca.issue(&["localhost"]), client: ca.issue(&["iom-koppeling"]), ca: ca.pem }
}

fn list() -> pb::ListActivityCodesRequest {
    pb::ListActivityCodesRequest { page_size: 0, page_token: String::new(), filter_theme: 0 }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_serves_and_mutual_tls_requires_a_client_certificate() {
    let pki = pki();
    let server_tls = |mutual: bool| ServerConfig {
        tls: Some(TlsConfig {
            cert_pem: pki.server.0.clone().into_bytes(),
            key_pem: pki.server.1.clone().into_bytes(),
            client_ca_pem: mutual.then(|| pki.ca.clone().into_bytes()),
        }),
        ..ServerConfig::default()
    };
    let trust = || ClientTlsConfig::new().ca_certificate(Certificate::from_pem(&pki.ca)).domain_name("localhost");

    // TLS: a client that trusts the CA talks to the server.
    let h = Harness::start_with(server_tls(false), Some(trust())).await.unwrap();
    let mut client = ReferenceDataServiceClient::new(h.channel.clone());
    assert_eq!(client.list_activity_codes(h.authed(list())).await.unwrap().into_inner().activity_codes.len(), 17);
    h.stop().await;

    // Mutual TLS: without a client certificate the call fails; with one signed by the CA it works.
    let refused = match Harness::start_with(server_tls(true), Some(trust())).await {
        Err(_) => true,
        Ok(h) => {
            let mut client = ReferenceDataServiceClient::new(h.channel.clone());
            let refused = client.list_activity_codes(h.authed(list())).await.is_err();
            h.stop().await;
            refused
        }
    };
    assert!(refused, "a client without a certificate must not get through mutual TLS");
    let with_identity = trust().identity(Identity::from_pem(&pki.client.0, &pki.client.1));
    let h = Harness::start_with(server_tls(true), Some(with_identity)).await.unwrap();
    let mut client = ReferenceDataServiceClient::new(h.channel.clone());
    assert!(client.list_activity_codes(h.authed(list())).await.is_ok());
    h.stop().await;
}
