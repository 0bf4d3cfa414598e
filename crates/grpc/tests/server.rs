//! Health, reflection, authentication, errors and limits, over a real connection on an
//! ephemeral loopback port.

use std::sync::Arc;

use chrono::Duration;
use perspectief_core::service::{Caller, PerspectiefService};
use perspectief_core::{OrganisationId, Role, UserId};
use perspectief_grpc::pb;
use perspectief_grpc::pb::reference_data_service_client::ReferenceDataServiceClient;
use perspectief_grpc::server::{ServerConfig, serve};
use perspectief_store::Store;
use tokio::sync::oneshot;
use tonic::transport::{Channel, ClientTlsConfig};
use tonic::{Code, Request};
use tonic_types::StatusExt;

pub struct Harness {
    pub address: std::net::SocketAddr,
    store: Store,
    pub channel: Channel,
    pub token: String,
    admin: Caller,
    stop: Option<oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
}

impl Harness {
    pub async fn start(config: ServerConfig) -> Self {
        Self::start_with(config, None).await.unwrap()
    }

    /// Start a server; connect over TLS with `client_tls` when given.
    pub async fn start_with(
        config: ServerConfig,
        client_tls: Option<ClientTlsConfig>,
    ) -> Result<Self, tonic::transport::Error> {
        let (store, admin) = crate::support::store_with_administrator(None).await;
        let partner_org = OrganisationId::from_u128(500);
        crate::organisations::ensure_registered(&store, &admin, partner_org).await;
        let account = perspectief_store::testing::active_account(
            UserId::from_u128(2),
            partner_org,
            Role::ChainPartner,
            "IOM-koppeling",
        );
        let partner = store.create_user(&admin, account).await.unwrap();
        let token = crate::support::working_token(&store, &admin, partner.id, "test", Duration::days(1)).await;
        let incoming = perspectief_grpc::server::bind("127.0.0.1:0".parse().unwrap()).unwrap();
        let addr = incoming.local_addr().unwrap();
        let (stop, stopped) = oneshot::channel::<()>();
        // Open streams wait on the store's signal, as under `perspectief serve`.
        let mut config = config;
        if config.streams.signal.is_none() {
            config.streams.signal = Some(store.feed_signal());
        }
        let auth = Arc::new(store.clone());
        let server = tokio::spawn(async move {
            serve(auth, config, incoming, async {
                let _ = stopped.await;
            })
            .await
            .unwrap();
        });
        let channel = match client_tls {
            None => Channel::from_shared(format!("http://{addr}")).unwrap().connect().await?,
            Some(tls) => {
                Channel::from_shared(format!("https://localhost:{}", addr.port()))
                    .unwrap()
                    .tls_config(tls)?
                    .connect()
                    .await?
            }
        };
        Ok(Self { address: addr, store, channel, token, admin, stop: Some(stop), server: Some(server) })
    }

    /// The store behind the server.
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The administrator.
    pub fn admin(&self) -> &Caller {
        &self.admin
    }

    pub fn authed<T>(&self, msg: T) -> Request<T> {
        crate::support::authed(&self.token, msg)
    }

    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(server) = self.server.take() {
            server.await.unwrap();
        }
    }
}

fn list(page_size: i32, page_token: &str) -> pb::ListActivityCodesRequest {
    pb::ListActivityCodesRequest { page_size, page_token: page_token.to_owned(), filter_theme: 0 }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn health_and_reflection_are_open_to_generic_tools() {
    let h = Harness::start(ServerConfig::default()).await;
    let mut health = tonic_health::pb::health_client::HealthClient::new(h.channel.clone());
    let status =
        health.check(tonic_health::pb::HealthCheckRequest { service: String::new() }).await.unwrap().into_inner();
    assert_eq!(status.status, tonic_health::pb::health_check_response::ServingStatus::Serving as i32);

    use tonic_reflection::pb::v1::server_reflection_client::ServerReflectionClient;
    use tonic_reflection::pb::v1::server_reflection_request::MessageRequest;
    use tonic_reflection::pb::v1::server_reflection_response::MessageResponse;
    let mut reflection = ServerReflectionClient::new(h.channel.clone());
    let request = tonic_reflection::pb::v1::ServerReflectionRequest {
        host: String::new(),
        message_request: Some(MessageRequest::ListServices(String::new())),
    };
    let mut stream = reflection.server_reflection_info(tokio_stream_once(request)).await.unwrap().into_inner();
    let response = stream.message().await.unwrap().unwrap();
    let Some(MessageResponse::ListServicesResponse(services)) = response.message_response else { panic!("no list") };
    let names: Vec<String> = services.service.into_iter().map(|s| s.name).collect();
    assert!(names.contains(&"perspectief.v1.ReferenceDataService".to_owned()), "{names:?}");
    assert!(names.contains(&"grpc.health.v1.Health".to_owned()), "{names:?}");
    h.stop().await;
}

fn tokio_stream_once<T: Send + 'static>(item: T) -> impl tonic::IntoStreamingRequest<Message = T> {
    let (tx, rx) = tokio::sync::mpsc::channel(1);
    tx.try_send(item).unwrap();
    // The sender is dropped here, so the stream ends after the one request.
    ReceiverStream(rx)
}

struct ReceiverStream<T>(tokio::sync::mpsc::Receiver<T>);

impl<T> tonic::codegen::tokio_stream::Stream for ReceiverStream<T> {
    type Item = T;
    fn poll_next(mut self: std::pin::Pin<&mut Self>, cx: &mut std::task::Context<'_>) -> std::task::Poll<Option<T>> {
        self.0.poll_recv(cx)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn calls_need_a_valid_token() {
    let h = Harness::start(ServerConfig::default()).await;
    let mut client = ReferenceDataServiceClient::new(h.channel.clone());
    let err = client.list_activity_codes(list(0, "")).await.unwrap_err();
    assert_eq!(err.code(), Code::Unauthenticated);
    let mut bad = Request::new(list(0, ""));
    bad.metadata_mut().insert("authorization", "Bearer pt1.00000000000000000000000000000000.00".parse().unwrap());
    assert_eq!(client.list_activity_codes(bad).await.unwrap_err().code(), Code::Unauthenticated);
    // The real token's id with a wrong secret: refused, with the one ErrorInfo every error has.
    let mut wrong = h.token.clone();
    let last = wrong.pop().unwrap();
    wrong.push(if last == '0' { '1' } else { '0' });
    let mut req = Request::new(list(0, ""));
    req.metadata_mut().insert("authorization", format!("Bearer {wrong}").parse().unwrap());
    let err = client.list_activity_codes(req).await.unwrap_err();
    assert_eq!(err.code(), Code::Unauthenticated);
    assert_eq!(err.get_error_details().error_info().unwrap().reason, "UNAUTHENTICATED");
    // A partner cannot claim another role's purpose for the access log: the access policy
    // refuses it, as access denied (not bad input), and the refusal is on record.
    let mut req = h.authed(list(0, ""));
    req.metadata_mut().insert("x-perspectief-purpose", "audit".parse().unwrap());
    let err = client.list_activity_codes(req).await.unwrap_err();
    assert_eq!(err.code(), Code::PermissionDenied, "{err:?}");
    let details = err.get_error_details();
    let info = details.error_info().unwrap();
    assert_eq!(info.reason, "ACCESS_DENIED");
    assert_eq!(info.metadata.get("deny_reason").map(String::as_str), Some("purpose_not_for_role"), "{info:?}");
    assert_eq!(info.metadata.get("purpose").map(String::as_str), Some("audit"), "{info:?}");
    let auditor = Caller::local(perspectief_core::Actor { role: Role::Auditor, ..h.admin.actor });
    let log = h.store.audit_log(&auditor, None, 0, 10_000).await.unwrap();
    let refusal = log.iter().rev().find(|r| r.entry.operation == "ListActivityCodes").expect("the refusal is logged");
    assert_eq!(refusal.entry.outcome, perspectief_core::service::AuditOutcome::Denied);
    assert_eq!(refusal.entry.error_code.as_deref(), Some("access_denied"));
    assert_eq!(refusal.entry.role, Role::ChainPartner);
    assert_eq!(refusal.entry.purpose, perspectief_core::service::Purpose::Audit);
    assert_eq!(refusal.entry.action, perspectief_core::access::Action::Search);
    // A purpose that is none is bad input still.
    let mut req = h.authed(list(0, ""));
    req.metadata_mut().insert("x-perspectief-purpose", "curiosity".parse().unwrap());
    assert_eq!(client.list_activity_codes(req).await.unwrap_err().code(), Code::InvalidArgument);

    let codes = client.list_activity_codes(h.authed(list(0, ""))).await.unwrap().into_inner();
    assert_eq!(codes.activity_codes.len(), 17);
    assert_eq!(codes.activity_codes[11].code, "5.2.b(1)");
    assert!(codes.next_page_token.is_empty());

    // Revoked: refused on the very next call.
    let tokens = h.store.list_tokens(&h.admin, None).await.unwrap();
    h.store.revoke_token(&h.admin, tokens[0].id).await.unwrap();
    assert_eq!(client.list_activity_codes(h.authed(list(0, ""))).await.unwrap_err().code(), Code::Unauthenticated);
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_filters_and_bad_input_with_details() {
    let h = Harness::start(ServerConfig::default()).await;
    let mut client = ReferenceDataServiceClient::new(h.channel.clone());
    let mut seen = Vec::new();
    let mut token = String::new();
    loop {
        let page = client.list_activity_codes(h.authed(list(5, &token))).await.unwrap().into_inner();
        assert!(page.activity_codes.len() <= 5);
        seen.extend(page.activity_codes.into_iter().map(|c| c.code));
        if page.next_page_token.is_empty() {
            break;
        }
        token = page.next_page_token;
    }
    assert_eq!(seen.len(), 17);

    let guide =
        pb::ListActivityCodesRequest { page_size: 0, page_token: String::new(), filter_theme: pb::Theme::Guide as i32 };
    let codes = client.list_activity_codes(h.authed(guide)).await.unwrap().into_inner();
    assert_eq!(
        codes.activity_codes.iter().map(|c| c.code.as_str()).collect::<Vec<_>>(),
        ["3.2.d", "3.2.e", "5.2.b(1)", "5.2.b(2)"]
    );

    // Unknown enum values and malformed tokens: INVALID_ARGUMENT with a field violation and a reason.
    let unknown = pb::ListActivityCodesRequest { page_size: 0, page_token: String::new(), filter_theme: 99 };
    let err = client.list_activity_codes(h.authed(unknown)).await.unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument);
    let details = err.get_error_details();
    assert_eq!(details.error_info().unwrap().reason, "INVALID_INPUT");
    assert_eq!(details.bad_request().unwrap().field_violations[0].field, "filter_theme");
    let err = client.list_activity_codes(h.authed(list(0, "garbage"))).await.unwrap_err();
    assert_eq!(err.get_error_details().bad_request().unwrap().field_violations[0].field, "page_token");
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_messages_are_refused_not_served() {
    let config = ServerConfig { max_message_bytes: 1024, ..ServerConfig::default() };
    let h = Harness::start(config).await;
    let mut client = ReferenceDataServiceClient::new(h.channel.clone());
    let err = client.list_activity_codes(h.authed(list(0, &"x".repeat(4096)))).await.unwrap_err();
    assert_eq!(err.code(), Code::ResourceExhausted);
    assert_eq!(err.get_error_details().error_info().unwrap().reason, "MESSAGE_TOO_LARGE");
    // The server is still there.
    assert!(client.list_activity_codes(h.authed(list(1, ""))).await.is_ok());
    h.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shutdown_does_not_wait_for_ever_on_an_open_watch() {
    let config = ServerConfig { shutdown_grace: std::time::Duration::from_millis(300), ..ServerConfig::default() };
    let h = Harness::start(config).await;
    let mut health = tonic_health::pb::health_client::HealthClient::new(h.channel.clone());
    let mut watch =
        health.watch(tonic_health::pb::HealthCheckRequest { service: String::new() }).await.unwrap().into_inner();
    assert!(watch.message().await.unwrap().is_some());
    // The watch stays open; the server still stops, within its grace period.
    tokio::time::timeout(std::time::Duration::from_secs(10), h.stop()).await.expect("the server stopped");
}

/// docs/partners.md lists every RPC of the contract, so a partner's developer never meets one
/// the documentation does not mention.
#[test]
fn the_partner_documentation_lists_every_rpc() {
    use prost::Message;
    let set = prost_types::FileDescriptorSet::decode(perspectief_grpc::server::FILE_DESCRIPTOR_SET).unwrap();
    let docs = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/partners.md")).unwrap();
    let mut missing = Vec::new();
    let mut count = 0;
    for file in set.file.iter().filter(|f| f.package() == "perspectief.v1") {
        for service in &file.service {
            for method in &service.method {
                count += 1;
                let row = format!("| `perspectief.v1.{}` | `{}` |", service.name(), method.name());
                if !docs.contains(&row) {
                    missing.push(row);
                }
            }
        }
    }
    assert!(count > 50, "the contract's RPCs were found ({count})");
    assert!(missing.is_empty(), "docs/partners.md does not list: {missing:#?}");
}

/// Sends arbitrary bytes as a request body: what a broken or hostile client can do.
#[derive(Debug, Default, Clone)]
struct RawBytes;

impl tonic::codec::Codec for RawBytes {
    type Encode = Vec<u8>;
    type Decode = ();
    type Encoder = RawBytes;
    type Decoder = tonic_prost::ProstDecoder<()>;

    fn encoder(&mut self) -> Self::Encoder {
        RawBytes
    }

    fn decoder(&mut self) -> Self::Decoder {
        tonic_prost::ProstDecoder::default()
    }
}

impl tonic::codec::Encoder for RawBytes {
    type Item = Vec<u8>;
    type Error = tonic::Status;

    fn encode(&mut self, item: Vec<u8>, buf: &mut tonic::codec::EncodeBuf<'_>) -> Result<(), tonic::Status> {
        use bytes::BufMut;
        buf.put_slice(&item);
        Ok(())
    }
}

/// This process's resident memory in MiB (the server runs in it), 0 where /proc is absent.
fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn thousands_of_undecodable_truncated_and_oversized_messages_leave_the_server_up_with_bounded_memory() {
    let h = Harness::start(ServerConfig::default()).await;
    let mut grpc = tonic::client::Grpc::new(h.channel.clone());
    let paths = [
        "/perspectief.v1.CaseService/GetCaseFile",
        "/perspectief.v1.CaseService/CreateParticipant",
        "/perspectief.v1.CaseService/LogContact",
        "/perspectief.v1.CaseService/UpdateParticipant",
        "/perspectief.v1.SessionService/CreateSession",
        "/perspectief.v1.ReportService/GetSubsidyReport",
    ]
    .map(http::uri::PathAndQuery::from_static);
    // A field tag with an invalid wire type, a length that runs past the end, a truncated
    // varint, and random bytes.
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    let mut bodies: Vec<Vec<u8>> = vec![vec![0x0f], vec![0x0a, 0x7f, b'p'], vec![0x08, 0xff, 0xff], vec![0xff; 64]];
    for n in 0..3000 {
        let body: Vec<u8> = (0..(n % 211 + 1))
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                (seed & 0xff) as u8
            })
            .collect();
        bodies.push(body);
    }
    let before = rss_mib();
    let mut refused = 0;
    for (n, body) in bodies.into_iter().enumerate() {
        grpc.ready().await.unwrap();
        let result = grpc.unary(h.authed(body), paths[n % paths.len()].clone(), RawBytes).await;
        match result {
            // Some random bytes happen to be a valid (if meaningless) message: refused by
            // the service instead (a missing or unknown resource, a rule), never served.
            Err(status) => {
                assert!(
                    matches!(
                        status.code(),
                        Code::InvalidArgument | Code::NotFound | Code::PermissionDenied | Code::FailedPrecondition
                    ),
                    "{:?}: {}",
                    status.code(),
                    status.message()
                );
                if status.code() == Code::InvalidArgument {
                    refused += 1;
                    assert!(status.get_error_details().bad_request().is_some(), "details with {status:?}");
                }
            }
            Ok(_) => panic!("garbage was served"),
        }
    }
    assert!(refused > 2400, "{refused}");
    // Oversized messages are refused before they are decoded.
    for n in 0..20 {
        grpc.ready().await.unwrap();
        let body = vec![0x0a; 4 * 1024 * 1024 + 1 + n];
        let status = grpc.unary(h.authed(body), paths[n % paths.len()].clone(), RawBytes).await.unwrap_err();
        assert_eq!(status.code(), Code::ResourceExhausted, "{status:?}");
    }
    // Memory stays bounded: nothing of the garbage is kept.
    let after = rss_mib();
    assert!(after - before < 200.0, "RSS grew from {before:.0} to {after:.0} MiB");
    // A canary request is still answered, promptly (a generous bound: this is not a benchmark).
    let mut client = ReferenceDataServiceClient::new(h.channel.clone());
    let started = std::time::Instant::now();
    assert!(client.list_activity_codes(h.authed(list(1, ""))).await.is_ok());
    assert!(started.elapsed() < std::time::Duration::from_secs(2), "{:?}", started.elapsed());
    h.stop().await;
}

/// A refusal repeats at most a short, escaped fragment of the input: a 100 KB filter or name is
/// INVALID_ARGUMENT with a small status (not a trailer too large for the client), and CR, LF and
/// ESC come back as escapes, never as the characters themselves.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_echo_only_a_short_escaped_fragment_of_the_input() {
    use perspectief_grpc::pb::case_service_client::CaseServiceClient;

    let h = Harness::start(ServerConfig::default()).await;
    let mut cases = CaseServiceClient::new(h.channel.clone());
    let huge = "x".repeat(100 * 1024);
    let injected = "phase = \u{1b}[2J\r\nINJECTED \u{202e}txt";
    let with_and = format!("phase = PHASE_INTAKE AND {}", "y".repeat(100 * 1024));
    for filter in [huge.clone(), injected.to_owned(), with_and] {
        let request = pb::ListParticipantsRequest { filter: filter.clone(), ..Default::default() };
        let err = cases.list_participants(h.authed(request)).await.unwrap_err();
        assert_eq!(err.code(), Code::InvalidArgument, "{:.80}: {err:?}", filter);
        let details = err.get_error_details();
        assert_eq!(details.error_info().unwrap().reason, "INVALID_INPUT");
        let violation = &details.bad_request().unwrap().field_violations[0];
        assert_eq!(violation.field, "filter");
        for text in [err.message(), violation.description.as_str()] {
            assert!(text.len() < 300, "{} bytes: {text:.100}", text.len());
            assert!(!text.chars().any(|c| c.is_control() || c == '\u{202e}'), "{text:?}");
        }
    }
    let request = pb::ListParticipantsRequest { filter: injected.to_owned(), ..Default::default() };
    let err = cases.list_participants(h.authed(request)).await.unwrap_err();
    assert!(err.message().contains(r"\u{1b}[2J\u{d}\u{a}INJECTED \u{202e}txt"), "{}", err.message());

    // An id is quoted the same way, wherever it is refused.
    let request = pb::GetCaseFileRequest { name: format!("participants/{huge}") };
    let err = cases.get_case_file(h.authed(request)).await.unwrap_err();
    assert_eq!(err.code(), Code::InvalidArgument, "{err:?}");
    assert!(err.message().len() < 300, "{:.100}", err.message());
    assert!(err.message().contains("'xxxxxxxx") && err.message().contains('…'), "{}", err.message());
    h.stop().await;
}

/// `x-perspectief-on-behalf-of` names the person behind a call in the access log: a caller may
/// name only an enabled account of its own organisation, and the refusal is the same whether
/// the named account exists elsewhere or not at all.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_behalf_of_names_only_an_enabled_colleague_of_the_callers_organisation() {
    let h = Harness::start(ServerConfig::default()).await;
    let partner_org = OrganisationId::from_u128(500);
    let account = |id: u128, organisation: OrganisationId, role: Role| {
        perspectief_store::testing::active_account(UserId::from_u128(id), organisation, role, "Medewerker")
    };
    h.store().create_user(h.admin(), account(3, partner_org, Role::ChainPartner)).await.unwrap();
    h.store().create_user(h.admin(), account(4, partner_org, Role::ChainPartner)).await.unwrap();
    h.store().set_user_disabled(h.admin(), UserId::from_u128(4), true).await.unwrap();
    crate::organisations::ensure_registered(h.store(), h.admin(), OrganisationId::from_u128(600)).await;
    h.store().create_user(h.admin(), account(5, OrganisationId::from_u128(600), Role::ChainPartner)).await.unwrap();

    let mut client = ReferenceDataServiceClient::new(h.channel.clone());
    let call = |on_behalf_of: u128| {
        let mut req = h.authed(list(1, ""));
        req.metadata_mut()
            .insert("x-perspectief-on-behalf-of", UserId::from_u128(on_behalf_of).to_string().parse().unwrap());
        req
    };
    // The partner's own people: itself and an enabled colleague.
    for ok in [2, 3] {
        assert!(client.list_activity_codes(call(ok)).await.is_ok(), "user {ok}");
    }
    // The foundation's administrator (1), a disabled colleague (4), another partner's user (5)
    // and an account that does not exist (99): one and the same refusal.
    let mut messages = Vec::new();
    for refused in [1, 4, 5, 99] {
        let err = client.list_activity_codes(call(refused)).await.unwrap_err();
        assert_eq!(err.code(), Code::PermissionDenied, "user {refused}: {err:?}");
        assert_eq!(err.get_error_details().error_info().unwrap().reason, "ON_BEHALF_OF_REFUSED");
        messages.push(err.message().to_owned());
    }
    messages.dedup();
    assert_eq!(messages.len(), 1, "{messages:?}");
    h.stop().await;
}

/// Guessing tokens is limited per client address: after the allowed refusals, every call from
/// that address (a valid token too: a guesser learns nothing) is RESOURCE_EXHAUSTED with a
/// retry delay, until the window has passed. Health stays open.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_authentication_is_limited_per_address_with_a_retry_delay() {
    use perspectief_grpc::auth::RefusalLimit;

    let window = std::time::Duration::from_millis(800);
    let config = ServerConfig { refusal_limit: RefusalLimit { max_refusals: 3, window }, ..ServerConfig::default() };
    let h = Harness::start(config).await;
    let mut client = ReferenceDataServiceClient::new(h.channel.clone());
    let guess = |i: u32| {
        let mut req = Request::new(list(1, ""));
        let token = format!("Bearer pt1.{}.{}", uuid::Uuid::new_v4().simple(), format!("{i:02}").repeat(32));
        req.metadata_mut().insert("authorization", token.parse().unwrap());
        req
    };
    for i in 0..3 {
        assert_eq!(client.list_activity_codes(guess(i)).await.unwrap_err().code(), Code::Unauthenticated);
    }
    let started = std::time::Instant::now();
    for req in [guess(3), h.authed(list(1, ""))] {
        let err = client.list_activity_codes(req).await.unwrap_err();
        assert_eq!(err.code(), Code::ResourceExhausted, "{err:?}");
        let details = err.get_error_details();
        assert_eq!(details.error_info().unwrap().reason, "TOO_MANY_REFUSALS");
        let delay = details.retry_info().unwrap().retry_delay.unwrap();
        assert!(delay > std::time::Duration::ZERO && delay <= window, "{delay:?}");
    }
    let mut health = tonic_health::pb::health_client::HealthClient::new(h.channel.clone());
    assert!(health.check(tonic_health::pb::HealthCheckRequest { service: String::new() }).await.is_ok());
    // After the window, the address starts again.
    tokio::time::sleep(window.saturating_sub(started.elapsed()) + std::time::Duration::from_millis(50)).await;
    assert!(client.list_activity_codes(h.authed(list(1, ""))).await.is_ok());
    assert_eq!(client.list_activity_codes(guess(9)).await.unwrap_err().code(), Code::Unauthenticated);
    h.stop().await;
}
