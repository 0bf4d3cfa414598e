//! The outermost layer: every call gets a request id (returned to the client in the
//! `x-request-id` header and on every log line of the call), one log line when it ends
//! (method, gRPC code, duration, the caller's organisation and role, the peer), and its
//! metrics. Never a name, a token or case content: the code and the ids say enough.
//!
//! The gRPC code of a successful unary call (and of a stream) arrives in the trailers, after
//! the body, so the response body is wrapped and the call is recorded when the body ends, or
//! when it is dropped (the client went away: `CANCELLED`).

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::Instant;

use perspectief_core::access::Role;
use perspectief_core::ids::OrganisationId;
use tower::{Layer, Service};
use tracing::Instrument;

use crate::metrics::{ServerMetrics, code_name};

/// The header that carries a call's request id back to the client.
pub const REQUEST_ID_HEADER: &str = "x-request-id";

/// A call's request id (in the request's extensions).
#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// Who made the call, once the authentication layer knows (for the call's log line).
#[derive(Debug, Clone, Default)]
pub struct CallerSlot(Arc<OnceLock<(OrganisationId, Role)>>);

impl CallerSlot {
    /// Record the caller's organisation and role.
    pub fn fill(&self, organisation: OrganisationId, role: Role) {
        let _ = self.0.set((organisation, role));
    }
}

/// The layer.
#[derive(Debug, Clone)]
pub struct ObserveLayer {
    metrics: Arc<ServerMetrics>,
}

impl ObserveLayer {
    /// A layer recording into `metrics`.
    pub fn new(metrics: Arc<ServerMetrics>) -> Self {
        Self { metrics }
    }
}

impl<S> Layer<S> for ObserveLayer {
    type Service = Observe<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Observe { inner, metrics: self.metrics.clone() }
    }
}

/// The service the layer wraps.
#[derive(Debug, Clone)]
pub struct Observe<S> {
    inner: S,
    metrics: Arc<ServerMetrics>,
}

/// What is known of a call until it ends.
struct Record {
    id: String,
    method: String,
    peer: String,
    caller: CallerSlot,
    started: Instant,
    metrics: Arc<ServerMetrics>,
    /// The code from the response headers (a trailers-only answer: an error before any body).
    header_code: Option<tonic::Code>,
    span: tracing::Span,
}

impl Record {
    fn finish(self, code: tonic::Code) {
        let elapsed = self.started.elapsed();
        self.metrics.in_flight.dec();
        // An unknown method is `other`: a caller must not grow the metrics' label set.
        let method = if code == tonic::Code::Unimplemented { "other" } else { self.method.as_str() };
        self.metrics.answered(method, code, elapsed.as_secs_f64());
        let (organisation, role) = match self.caller.0.get() {
            Some((o, r)) => (o.to_string(), r.as_str()),
            None => (String::new(), ""),
        };
        let _entered = self.span.enter();
        let duration_ms = elapsed.as_secs_f64() * 1000.0;
        let code = code_name(code);
        match code {
            "INTERNAL" | "UNKNOWN" | "DATA_LOSS" => tracing::error!(
                target: "perspectief::request",
                request_id = %self.id, method = %self.method, code, duration_ms, organisation, role,
                peer = %self.peer, "call failed"
            ),
            _ => tracing::info!(
                target: "perspectief::request",
                request_id = %self.id, method = %self.method, code, duration_ms, organisation, role,
                peer = %self.peer, "call"
            ),
        }
    }
}

fn code_of(headers: &http::HeaderMap) -> Option<tonic::Code> {
    let value = headers.get("grpc-status")?.to_str().ok()?.parse::<i32>().ok()?;
    Some(tonic::Code::from_i32(value))
}

/// The client's address.
pub(crate) fn peer<B>(req: &http::Request<B>) -> String {
    peer_addr(req).map_or_else(|| "unknown".to_owned(), |a| a.to_string())
}

/// The client's socket address, when the connection has one.
pub(crate) fn peer_addr<B>(req: &http::Request<B>) -> Option<std::net::SocketAddr> {
    use tonic::transport::server::{TcpConnectInfo, TlsConnectInfo};
    let ext = req.extensions();
    // Over TLS the TCP details sit inside the TLS connection info.
    ext.get::<TcpConnectInfo>()
        .or_else(|| ext.get::<TlsConnectInfo<TcpConnectInfo>>().map(TlsConnectInfo::get_ref))
        .and_then(TcpConnectInfo::remote_addr)
}

/// The service a layer (`observe`, `guard`, `auth`) wraps: tonic's routes or the next layer.
pub(crate) trait Inner<B>:
    Service<http::Request<B>, Response = http::Response<tonic::body::Body>, Future: Send + 'static> + Clone + Send + 'static
{
}

impl<S, B> Inner<B> for S where
    S: Service<http::Request<B>, Response = http::Response<tonic::body::Body>, Future: Send + 'static>
        + Clone
        + Send
        + 'static
{
}

/// A layer's associated types and `poll_ready`, which only forwards to `self.inner`.
macro_rules! forward_ready {
    () => {
        type Response = S::Response;
        type Error = S::Error;
        type Future = std::pin::Pin<Box<dyn Future<Output = Result<Self::Response, Self::Error>> + Send>>;

        fn poll_ready(&mut self, cx: &mut std::task::Context<'_>) -> std::task::Poll<Result<(), Self::Error>> {
            self.inner.poll_ready(cx)
        }
    };
}
pub(crate) use forward_ready;

/// The inner service for one call: the clone that was made ready stays in use; a fresh clone
/// takes its place.
pub(crate) fn take_ready<S: Clone>(inner: &mut S) -> S {
    let clone = inner.clone();
    std::mem::replace(inner, clone)
}

impl<S: Inner<B>, B: Send + 'static> Service<http::Request<B>> for Observe<S> {
    forward_ready!();

    fn call(&mut self, mut req: http::Request<B>) -> Self::Future {
        let mut inner = take_ready(&mut self.inner);
        let id = uuid::Uuid::now_v7().simple().to_string();
        let caller = CallerSlot::default();
        req.extensions_mut().insert(RequestId(id.clone()));
        req.extensions_mut().insert(caller.clone());
        let span = tracing::info_span!("request", request_id = %id);
        let metrics = self.metrics.clone();
        metrics.in_flight.inc();
        let record = Record {
            id: id.clone(),
            method: req.uri().path().chars().take(200).collect(),
            peer: peer(&req),
            caller,
            started: Instant::now(),
            metrics,
            header_code: None,
            span: span.clone(),
        };
        let call = inner.call(req).instrument(span);
        Box::pin(async move {
            let mut record = record;
            let mut response = match call.await {
                Ok(r) => r,
                Err(e) => {
                    record.finish(tonic::Code::Internal);
                    return Err(e);
                }
            };
            if let Ok(value) = http::HeaderValue::from_str(&id) {
                response.headers_mut().insert(REQUEST_ID_HEADER, value);
            }
            record.header_code = code_of(response.headers());
            let (parts, body) = response.into_parts();
            let body = tonic::body::Body::new(Observed { inner: body, record: Some(record) });
            Ok(http::Response::from_parts(parts, body))
        })
    }
}

/// A response body that records its call when it ends.
struct Observed {
    inner: tonic::body::Body,
    record: Option<Record>,
}

impl Observed {
    fn finish(&mut self, code: tonic::Code) {
        if let Some(record) = self.record.take() {
            record.finish(code);
        }
    }
}

impl Drop for Observed {
    fn drop(&mut self) {
        // Ended without trailers: an answer in the headers alone, or the client went away.
        let code = self.record.as_ref().and_then(|r| r.header_code).unwrap_or(tonic::Code::Cancelled);
        self.finish(code);
    }
}

impl http_body::Body for Observed {
    type Data = bytes::Bytes;
    type Error = tonic::Status;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        match &polled {
            Poll::Ready(Some(Ok(frame))) => {
                if let Some(code) = frame.trailers_ref().and_then(code_of) {
                    self.finish(code);
                }
            }
            Poll::Ready(Some(Err(_))) => self.finish(tonic::Code::Internal),
            Poll::Ready(None) => {
                let code = self.record.as_ref().and_then(|r| r.header_code).unwrap_or(tonic::Code::Ok);
                self.finish(code);
            }
            Poll::Pending => {}
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> http_body::SizeHint {
        self.inner.size_hint()
    }
}
