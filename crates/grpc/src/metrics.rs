//! The server's metrics, in the Prometheus text format on a listener of their own (never on
//! the API's port): requests by method and gRPC code, latency histograms by method, calls in
//! flight, shed and timed-out calls, refused tokens, open and refused event streams. The store
//! adds its own (the writer's queue, batches, commits, the database's size) to the same
//! registry.
//!
//! Labels hold method names and codes only, never ids or personal data; an unknown method is
//! counted as `other`, so a caller cannot grow the label set.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::Arc;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// A request's labels: the gRPC method and the answer's code name.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct CallLabels {
    /// `/package.Service/Method`, or `other`.
    pub method: String,
    /// The gRPC code's name (`OK`, `PERMISSION_DENIED`, ...).
    pub code: String,
}

/// A method label.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct MethodLabels {
    /// `/package.Service/Method`, or `other`.
    pub method: String,
}

fn latency_histogram() -> Histogram {
    // 0.5 ms to about 16 s.
    Histogram::new(exponential_buckets(0.0005, 2.0, 16))
}

/// The server's own metrics. Cheap to keep; registered only when metrics are served.
#[derive(Debug, Clone)]
pub struct ServerMetrics {
    pub(crate) requests: Family<CallLabels, Counter>,
    pub(crate) latency: Family<MethodLabels, Histogram, fn() -> Histogram>,
    pub(crate) in_flight: Gauge,
    pub(crate) shed: Counter,
    pub(crate) timed_out: Counter,
    pub(crate) tokens_refused: Counter,
    pub(crate) open_streams: Gauge,
    pub(crate) streams_refused: Counter,
}

impl Default for ServerMetrics {
    fn default() -> Self {
        Self {
            requests: Family::default(),
            latency: Family::new_with_constructor(latency_histogram),
            in_flight: Gauge::default(),
            shed: Counter::default(),
            timed_out: Counter::default(),
            tokens_refused: Counter::default(),
            open_streams: Gauge::default(),
            streams_refused: Counter::default(),
        }
    }
}

impl ServerMetrics {
    /// Register every metric with `registry` (prefix `perspectief_grpc_`).
    pub fn register(&self, registry: &mut Registry) {
        let r = registry.sub_registry_with_prefix("perspectief_grpc");
        r.register("requests", "Calls answered, by method and gRPC code", self.requests.clone());
        r.register("request_duration_seconds", "How long calls took, by method", self.latency.clone());
        r.register("in_flight", "Calls being handled now", self.in_flight.clone());
        r.register("shed", "Calls refused with RESOURCE_EXHAUSTED because the server was full", self.shed.clone());
        r.register("timed_out", "Calls answered DEADLINE_EXCEEDED", self.timed_out.clone());
        r.register(
            "tokens_refused",
            "Calls refused for an unknown, expired or revoked token",
            self.tokens_refused.clone(),
        );
        r.register("open_streams", "Open WatchEvents streams", self.open_streams.clone());
        r.register("streams_refused", "WatchEvents streams refused over the limits", self.streams_refused.clone());
    }

    /// Record an answered call.
    pub(crate) fn answered(&self, method: &str, code: tonic::Code, seconds: f64) {
        let method = method.to_owned();
        self.requests.get_or_create(&CallLabels { method: method.clone(), code: code_name(code).to_owned() }).inc();
        self.latency.get_or_create(&MethodLabels { method }).observe(seconds);
    }
}

/// A gRPC code's canonical name.
pub fn code_name(code: tonic::Code) -> &'static str {
    use tonic::Code::*;
    match code {
        Ok => "OK",
        Cancelled => "CANCELLED",
        Unknown => "UNKNOWN",
        InvalidArgument => "INVALID_ARGUMENT",
        DeadlineExceeded => "DEADLINE_EXCEEDED",
        NotFound => "NOT_FOUND",
        AlreadyExists => "ALREADY_EXISTS",
        PermissionDenied => "PERMISSION_DENIED",
        ResourceExhausted => "RESOURCE_EXHAUSTED",
        FailedPrecondition => "FAILED_PRECONDITION",
        Aborted => "ABORTED",
        OutOfRange => "OUT_OF_RANGE",
        Unimplemented => "UNIMPLEMENTED",
        Internal => "INTERNAL",
        Unavailable => "UNAVAILABLE",
        DataLoss => "DATA_LOSS",
        Unauthenticated => "UNAUTHENTICATED",
    }
}

/// Something to run before each scrape (for values read on demand, such as the database's
/// size).
pub type Refresh = Arc<dyn Fn() -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

/// Serve `registry` as `GET /metrics` (Prometheus text format) on `listener` until `shutdown`
/// completes. Every other path is 404. Plain HTTP/1.1: keep the listener on loopback or a
/// monitoring network.
pub async fn serve_metrics(
    listener: tokio::net::TcpListener,
    registry: Arc<Registry>,
    refresh: Option<Refresh>,
    shutdown: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    use hyper_util::rt::TokioIo;
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => accepted?,
            () = &mut shutdown => return Ok(()),
        };
        let (registry, refresh) = (registry.clone(), refresh.clone());
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let (registry, refresh) = (registry.clone(), refresh.clone());
                async move { Ok::<_, std::convert::Infallible>(answer(req, &registry, refresh).await) }
            });
            if let Err(e) = hyper::server::conn::http1::Builder::new()
                .keep_alive(false)
                .serve_connection(TokioIo::new(stream), service)
                .await
            {
                tracing::debug!(%peer, error = %e, "metrics connection ended with an error");
            }
        });
    }
}

async fn answer(
    req: http::Request<hyper::body::Incoming>,
    registry: &Registry,
    refresh: Option<Refresh>,
) -> http::Response<http_body_util::Full<bytes::Bytes>> {
    let response = |status: http::StatusCode, content_type: &str, body: String| {
        let mut r = http::Response::new(http_body_util::Full::new(bytes::Bytes::from(body)));
        *r.status_mut() = status;
        if let Ok(v) = http::HeaderValue::from_str(content_type) {
            r.headers_mut().insert(http::header::CONTENT_TYPE, v);
        }
        r
    };
    if req.method() != http::Method::GET || req.uri().path() != "/metrics" {
        return response(http::StatusCode::NOT_FOUND, "text/plain", "not found: GET /metrics\n".to_owned());
    }
    if let Some(refresh) = refresh {
        refresh().await;
    }
    let mut text = String::new();
    match prometheus_client::encoding::prometheus_text::encode(&mut text, registry) {
        Ok(()) => response(http::StatusCode::OK, prometheus_client::encoding::prometheus_text::CONTENT_TYPE, text),
        Err(_) => response(http::StatusCode::INTERNAL_SERVER_ERROR, "text/plain", "encoding failed\n".to_owned()),
    }
}

/// Bind the metrics listener: loopback unless `allow_remote` (an operator's explicit choice,
/// for a monitoring network).
pub async fn bind_metrics(address: SocketAddr, allow_remote: bool) -> Result<tokio::net::TcpListener, String> {
    if !address.ip().is_loopback() && !allow_remote {
        return Err(format!(
            "{address} is reachable from other machines; metrics are for a monitoring network: confirm with --metrics-public"
        ));
    }
    tokio::net::TcpListener::bind(address).await.map_err(|e| format!("{address}: {e}"))
}
