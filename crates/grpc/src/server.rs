//! Running the server: the services, authentication, TLS, explicit limits (deadlines and load
//! shedding in [`crate::guard`]), and a graceful shutdown that lets calls in flight finish.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use perspectief_core::organisation::DirectoryService;
use perspectief_core::report::ReportingService;
use perspectief_core::service::{Authenticator, PerspectiefService, UserDirectory};
use perspectief_core::time::Clock;
use tonic::transport::server::TcpIncoming;
use tonic::transport::{Certificate, Identity, Server, ServerTlsConfig};

use crate::api::Api;
use crate::auth::AuthLayer;
use crate::guard::{GuardLayer, Limits};
use crate::pb::audit_service_server::AuditServiceServer;
use crate::pb::case_service_server::CaseServiceServer;
use crate::pb::event_service_server::EventServiceServer;
use crate::pb::meeting_service_server::MeetingServiceServer;
use crate::pb::organisation_service_server::OrganisationServiceServer;
use crate::pb::reference_data_service_server::ReferenceDataServiceServer;
use crate::pb::report_service_server::ReportServiceServer;
use crate::pb::session_service_server::SessionServiceServer;
use crate::pb::subsidy_period_service_server::SubsidyPeriodServiceServer;
use crate::reference::ReferenceData;

/// The encoded descriptors of the `perspectief.v1` protos (for reflection).
pub const FILE_DESCRIPTOR_SET: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/perspectief_descriptor.bin"));

/// The encoded descriptors of `google/rpc/status.proto` and `google/rpc/error_details.proto`,
/// so that reflection-based clients decode the error details (ErrorInfo, BadRequest,
/// PreconditionFailure, RetryInfo).
pub const GOOGLE_RPC_DESCRIPTOR_SET: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/google_rpc_descriptor.bin"));

/// The full names of the API's services (for health checks per service).
pub const SERVICE_NAMES: [&str; 8] = [
    "perspectief.v1.CaseService",
    "perspectief.v1.SessionService",
    "perspectief.v1.MeetingService",
    "perspectief.v1.SubsidyPeriodService",
    "perspectief.v1.AuditService",
    "perspectief.v1.EventService",
    "perspectief.v1.ReportService",
    "perspectief.v1.OrganisationService",
];

/// TLS material, PEM-encoded.
#[derive(Clone)]
pub struct TlsConfig {
    /// The server's certificate chain.
    pub cert_pem: Vec<u8>,
    /// The server's private key.
    pub key_pem: Vec<u8>,
    /// When given, clients must present a certificate signed by this CA (mutual TLS).
    pub client_ca_pem: Option<Vec<u8>>,
}

impl std::fmt::Debug for TlsConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TlsConfig").field("mutual", &self.client_ca_pem.is_some()).finish_non_exhaustive()
    }
}

/// Server settings. Every limit is explicit rather than tonic's default.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Serve reflection (grpcurl and similar tools list and call the API); some deployments
    /// switch it off.
    pub reflection: bool,
    /// TLS; plain HTTP/2 when absent (only for loopback and tests).
    pub tls: Option<TlsConfig>,
    /// The largest message accepted or sent, in bytes.
    pub max_message_bytes: usize,
    /// Concurrent streams per HTTP/2 connection.
    pub max_concurrent_streams: u32,
    /// Requests handled at once per connection.
    pub concurrency_limit_per_connection: usize,
    /// The longest a request may take; a shorter deadline from the client is honoured (both
    /// answered with DEADLINE_EXCEEDED: see [`crate::guard`]).
    pub request_timeout: Duration,
    /// Requests handled at once over all connections; more are shed with RESOURCE_EXHAUSTED.
    pub max_in_flight: usize,
    /// How long a request may wait for room under `max_in_flight` before it is shed.
    pub queue_wait: Duration,
    /// How long a graceful shutdown waits for calls in flight.
    pub shutdown_grace: Duration,
    /// How long, after the stop signal, the server goes on accepting connections while health
    /// answers NOT_SERVING, so that load balancers and probes see it leave before it is gone.
    pub drain: Duration,
    /// Open WatchEvents streams: limits per caller and in total, and the signal they wait on.
    pub streams: crate::api::StreamSettings,
    /// Where calls, shed calls, timeouts and streams are counted (registered by the caller
    /// when metrics are served).
    pub metrics: Arc<crate::metrics::ServerMetrics>,
    /// Refused authentications allowed per client address and window.
    pub refusal_limit: crate::auth::RefusalLimit,
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            reflection: true,
            tls: None,
            max_message_bytes: 4 * 1024 * 1024,
            max_concurrent_streams: 128,
            concurrency_limit_per_connection: 64,
            request_timeout: Duration::from_secs(30),
            max_in_flight: 256,
            queue_wait: Duration::from_millis(100),
            shutdown_grace: Duration::from_secs(20),
            drain: Duration::ZERO,
            streams: crate::api::StreamSettings::default(),
            metrics: Arc::default(),
            refusal_limit: crate::auth::RefusalLimit::default(),
        }
    }
}

/// Why the server could not run.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The TLS material or another setting is not usable.
    #[error("the server cannot start: {0}")]
    Config(String),
    /// The transport failed.
    #[error("the server failed: {0}")]
    Transport(#[from] tonic::transport::Error),
}

/// Serve on `incoming` until `shutdown` completes, then stop accepting calls and let the calls
/// in flight finish. The service is also the server's clock (a case file's output-only fields
/// and a report's default day are for its today), so server and store agree on the day.
pub async fn serve<S>(
    service: Arc<S>,
    config: ServerConfig,
    incoming: TcpIncoming,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), ServeError>
where
    S: PerspectiefService + ReportingService + DirectoryService + Authenticator + UserDirectory + Clock + 'static,
{
    let (health_reporter, health) = tonic_health::server::health_reporter();
    health_reporter.set_serving::<ReferenceDataServiceServer<ReferenceData>>().await;
    for name in SERVICE_NAMES {
        health_reporter.set_service_status(name, tonic_health::ServingStatus::Serving).await;
    }

    let mut builder = Server::builder()
        .max_concurrent_streams(config.max_concurrent_streams)
        .concurrency_limit_per_connection(config.concurrency_limit_per_connection)
        .http2_keepalive_interval(Some(Duration::from_secs(30)))
        .http2_keepalive_timeout(Some(Duration::from_secs(10)));
    if let Some(tls) = &config.tls {
        builder = builder.tls_config(tls_config(tls)).map_err(|e| ServeError::Config(describe(&e)))?;
    }
    let reference = ReferenceDataServiceServer::new(ReferenceData)
        .max_decoding_message_size(config.max_message_bytes)
        .max_encoding_message_size(config.max_message_bytes);
    let api = Api::with_streams(service.clone(), config.streams.clone(), config.metrics.clone());
    let max = config.max_message_bytes;
    let limits = Limits {
        request_timeout: config.request_timeout,
        max_in_flight: config.max_in_flight,
        queue_wait: config.queue_wait,
    };
    let mut router = builder
        .layer(
            tower::ServiceBuilder::new()
                .layer(crate::observe::ObserveLayer::new(config.metrics.clone()))
                .layer(GuardLayer::with_metrics(limits, config.metrics.clone()))
                .layer(AuthLayer::with_limit(service, config.refusal_limit)),
        )
        .add_service(health)
        .add_service(reference)
        .add_service(CaseServiceServer::new(api.clone()).max_decoding_message_size(max).max_encoding_message_size(max))
        .add_service(
            SessionServiceServer::new(api.clone()).max_decoding_message_size(max).max_encoding_message_size(max),
        )
        .add_service(
            MeetingServiceServer::new(api.clone()).max_decoding_message_size(max).max_encoding_message_size(max),
        )
        .add_service(
            SubsidyPeriodServiceServer::new(api.clone()).max_decoding_message_size(max).max_encoding_message_size(max),
        )
        .add_service(AuditServiceServer::new(api.clone()).max_decoding_message_size(max).max_encoding_message_size(max))
        .add_service(EventServiceServer::new(api.clone()).max_decoding_message_size(max).max_encoding_message_size(max))
        .add_service(
            OrganisationServiceServer::new(api.clone()).max_decoding_message_size(max).max_encoding_message_size(max),
        )
        .add_service(ReportServiceServer::new(api).max_decoding_message_size(max).max_encoding_message_size(max));
    if config.reflection {
        let reflection = tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(GOOGLE_RPC_DESCRIPTOR_SET)
            .build_v1()
            .map_err(|e| ServeError::Config(e.to_string()))?;
        // v1alpha too: many clients (Python's grpcio-reflection, older grpcurl) still ask it.
        let reflection_alpha = tonic_reflection::server::Builder::configure()
            .register_encoded_file_descriptor_set(FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(tonic_health::pb::FILE_DESCRIPTOR_SET)
            .register_encoded_file_descriptor_set(GOOGLE_RPC_DESCRIPTOR_SET)
            .build_v1alpha()
            .map_err(|e| ServeError::Config(e.to_string()))?;
        router = router.add_service(reflection).add_service(reflection_alpha);
    }
    // On the signal: report NOT_SERVING and keep answering (health included) for the drain
    // time, then stop accepting and let calls finish, but no longer than the grace period (an
    // open Watch stream would otherwise keep the server up for ever).
    let signalled = Arc::new(tokio::sync::Notify::new());
    let notify = signalled.clone();
    let reporter = health_reporter.clone();
    let drain = config.drain;
    let stop = async move {
        shutdown.await;
        tracing::info!(drain_seconds = drain.as_secs_f64(), "stopping: health reports NOT_SERVING");
        reporter.set_not_serving::<ReferenceDataServiceServer<ReferenceData>>().await;
        reporter.set_service_status("", tonic_health::ServingStatus::NotServing).await;
        for name in SERVICE_NAMES {
            reporter.set_service_status(name, tonic_health::ServingStatus::NotServing).await;
        }
        tokio::time::sleep(drain).await;
        notify.notify_one();
    };
    let grace = config.shutdown_grace;
    tokio::select! {
        result = router.serve_with_incoming_shutdown(incoming, stop) => result?,
        () = async {
            signalled.notified().await;
            tokio::time::sleep(grace).await;
        } => tracing::warn!("grace period over: stopping with calls still open"),
    }
    Ok(())
}

fn tls_config(tls: &TlsConfig) -> ServerTlsConfig {
    let mut config = ServerTlsConfig::new()
        .identity(Identity::from_pem(&tls.cert_pem, &tls.key_pem))
        .timeout(Duration::from_secs(10));
    if let Some(ca) = &tls.client_ca_pem {
        config = config.client_ca_root(Certificate::from_pem(ca));
    }
    config
}

/// An error with its causes, for a person to act on.
fn describe(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// Check TLS material before serving (so an operator hears about a bad certificate or key at
/// once, not as a failed server later).
pub fn check_tls(tls: &TlsConfig) -> Result<(), ServeError> {
    Server::builder().tls_config(tls_config(tls)).map(drop).map_err(|e| ServeError::Config(describe(&e)))
}

/// How often an idle accepted connection is probed by TCP keepalive.
const TCP_KEEPALIVE: Duration = Duration::from_secs(60);

/// Bind the server's listener with TCP_NODELAY and TCP keepalive set on every accepted
/// connection. Without TCP_NODELAY every response of more than one HTTP/2 frame waits ~40 ms for
/// the client's delayed ACK (tonic's builder sets it only for its own `serve(addr)`).
pub fn bind(address: std::net::SocketAddr) -> std::io::Result<TcpIncoming> {
    TcpIncoming::bind(address).map(|i| i.with_nodelay(Some(true)).with_keepalive(Some(TCP_KEEPALIVE)))
}

/// Resolves on SIGTERM or Ctrl-C: pass it as `shutdown` to stop gracefully.
pub async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}
