//! Deadlines and load shedding: a tower layer around the whole API (authentication included).
//!
//! - **Deadlines.** A call gets the shorter of the client's deadline (`grpc-timeout`) and the
//!   server's own limit; when it runs out, the answer is DEADLINE_EXCEEDED. tonic's own timeout
//!   answers CANCELLED and sits outside every layer we can add, so the server does not use it
//!   and this layer answers a client's deadline a little early ([`early`]): before tonic's
//!   copy of the same deadline fires on the server, and in time for the answer to reach a
//!   client whose own clock started before the request crossed the network. Stopping waiting never half-writes anything: a write
//!   that is already queued either commits whole or not at all; it is simply not
//!   acknowledged, so a client never holds an acknowledgement for an uncommitted write.
//! - **Load shedding.** At most `max_in_flight` calls are handled at once over all
//!   connections; a call that finds no room within `queue_wait` (or its deadline, if sooner)
//!   is refused at once with RESOURCE_EXHAUSTED and a retry delay, instead of queueing without
//!   bound. A streaming call holds its place only until its stream starts.
//!
//! Health checks and reflection pass untouched, so probes still answer under load.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::time::Instant;
use tonic::Status;
use tower::{Layer, Service};

use crate::observe::{Inner, forward_ready, take_ready};

/// How much earlier than the client's deadline the server answers: a tenth of it, at least
/// 2 ms (tokio's timers tick in milliseconds) and at most 50 ms (the answer's way back).
pub fn early(client: Duration) -> Duration {
    (client / 10).clamp(Duration::from_millis(2), Duration::from_millis(50))
}

/// Paths that are neither limited nor shed.
const EXEMPT: [&str; 3] =
    ["/grpc.health.v1.Health/", "/grpc.reflection.v1.ServerReflection/", "/grpc.reflection.v1alpha.ServerReflection/"];

/// The limits the layer applies.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The longest any call may take, whatever the client asks.
    pub request_timeout: Duration,
    /// Calls handled at once over all connections.
    pub max_in_flight: usize,
    /// How long a call may wait for room before it is shed.
    pub queue_wait: Duration,
}

/// The layer.
#[derive(Debug, Clone)]
pub struct GuardLayer {
    limits: Limits,
    room: Arc<Semaphore>,
    metrics: Arc<crate::metrics::ServerMetrics>,
}

impl GuardLayer {
    /// A layer with these limits, shared by every connection it is applied to.
    pub fn new(limits: Limits) -> Self {
        Self::with_metrics(limits, Arc::default())
    }

    /// The same, counting shed and timed-out calls in `metrics`.
    pub fn with_metrics(limits: Limits, metrics: Arc<crate::metrics::ServerMetrics>) -> Self {
        Self { limits, room: Arc::new(Semaphore::new(limits.max_in_flight.max(1))), metrics }
    }
}

impl<S> Layer<S> for GuardLayer {
    type Service = Guard<S>;

    fn layer(&self, inner: S) -> Self::Service {
        Guard { inner, limits: self.limits, room: self.room.clone(), metrics: self.metrics.clone() }
    }
}

/// The service the layer wraps.
#[derive(Debug, Clone)]
pub struct Guard<S> {
    inner: S,
    limits: Limits,
    room: Arc<Semaphore>,
    metrics: Arc<crate::metrics::ServerMetrics>,
}

/// Parse a `grpc-timeout` value: at most eight digits and a unit (H, M, S, m, u, n).
pub fn parse_grpc_timeout(value: &str) -> Option<Duration> {
    if value.len() < 2 || value.len() > 9 {
        return None;
    }
    let (digits, unit) = value.split_at(value.len() - 1);
    if !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u64 = digits.parse().ok()?;
    match unit {
        "H" => Some(Duration::from_secs(n.checked_mul(3600)?)),
        "M" => Some(Duration::from_secs(n.checked_mul(60)?)),
        "S" => Some(Duration::from_secs(n)),
        "m" => Some(Duration::from_millis(n)),
        "u" => Some(Duration::from_micros(n)),
        "n" => Some(Duration::from_nanos(n)),
        _ => None,
    }
}

/// The time a call may take: the server's limit, or the client's deadline answered a little
/// early when that is sooner.
pub fn budget(client: Option<Duration>, server: Duration) -> Duration {
    match client {
        Some(c) => c.saturating_sub(early(c)).min(server),
        None => server,
    }
}

fn deadline_exceeded() -> Status {
    use tonic_types::StatusExt;
    let details = tonic_types::ErrorDetails::with_error_info("DEADLINE_EXCEEDED", crate::status::ERROR_DOMAIN, []);
    Status::with_error_details(
        tonic::Code::DeadlineExceeded,
        "the deadline passed before the call was done; a write that was not acknowledged may or may not have \
         been made: read before retrying",
        details,
    )
}

fn overloaded(retry_after: Duration) -> Status {
    use tonic_types::StatusExt;
    let mut details = tonic_types::ErrorDetails::new();
    details.set_error_info("OVERLOADED", crate::status::ERROR_DOMAIN, []);
    details.set_retry_info(Some(retry_after));
    Status::with_error_details(
        tonic::Code::ResourceExhausted,
        "the server is handling as many calls as it may; try again shortly",
        details,
    )
}

impl<S: Inner<B>, B: Send + 'static> Service<http::Request<B>> for Guard<S> {
    forward_ready!();

    fn call(&mut self, req: http::Request<B>) -> Self::Future {
        let mut inner = take_ready(&mut self.inner);
        if EXEMPT.iter().any(|p| req.uri().path().starts_with(p)) {
            return Box::pin(inner.call(req));
        }
        let client = req.headers().get("grpc-timeout").and_then(|v| v.to_str().ok()).and_then(parse_grpc_timeout);
        let deadline = Instant::now() + budget(client, self.limits.request_timeout);
        let (room, queue_wait, metrics) = (self.room.clone(), self.limits.queue_wait, self.metrics.clone());
        let method: String = req.uri().path().chars().take(200).collect();
        Box::pin(async move {
            let wait_until = deadline.min(Instant::now() + queue_wait);
            let timed_out = || {
                metrics.timed_out.inc();
                tracing::warn!(method = %method, "deadline passed: answered DEADLINE_EXCEEDED");
                Ok(deadline_exceeded().into_http())
            };
            let permit = match room.clone().try_acquire_owned() {
                Ok(p) => p,
                Err(_) => match tokio::time::timeout_at(wait_until, room.acquire_owned()).await {
                    Ok(Ok(p)) => p,
                    _ if Instant::now() >= deadline => return timed_out(),
                    _ => {
                        metrics.shed.inc();
                        tracing::warn!(method = %method, "call shed: no room within the queue wait");
                        return Ok(overloaded(queue_wait.max(Duration::from_millis(50))).into_http());
                    }
                },
            };
            let answer = tokio::time::timeout_at(deadline, inner.call(req)).await;
            drop(permit);
            match answer {
                Ok(response) => response,
                Err(_) => timed_out(),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grpc_timeout_values_parse_per_the_spec() {
        assert_eq!(parse_grpc_timeout("250m"), Some(Duration::from_millis(250)));
        assert_eq!(parse_grpc_timeout("1S"), Some(Duration::from_secs(1)));
        assert_eq!(parse_grpc_timeout("2M"), Some(Duration::from_secs(120)));
        assert_eq!(parse_grpc_timeout("1H"), Some(Duration::from_secs(3600)));
        assert_eq!(parse_grpc_timeout("99999999u"), Some(Duration::from_micros(99_999_999)));
        assert_eq!(parse_grpc_timeout("5n"), Some(Duration::from_nanos(5)));
        for bad in ["", "m", "123456789m", "12x", "-1S", "1.5S", " 1S"] {
            assert_eq!(parse_grpc_timeout(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn the_budget_answers_a_client_deadline_early_and_never_exceeds_the_server_limit() {
        let server = Duration::from_secs(30);
        assert_eq!(budget(None, server), server);
        assert_eq!(budget(Some(Duration::from_millis(10)), server), Duration::from_millis(8));
        assert_eq!(budget(Some(Duration::from_millis(300)), server), Duration::from_millis(270));
        assert_eq!(budget(Some(Duration::from_secs(10)), server), Duration::from_millis(9950));
        assert_eq!(budget(Some(Duration::from_secs(60)), server), server);
        assert_eq!(budget(Some(Duration::from_millis(1)), server), Duration::ZERO);
    }
}
