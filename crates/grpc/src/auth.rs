//! Authentication: a tower layer that reads the bearer token from the `authorization` metadata,
//! asks the [`Authenticator`] who it is, and hands the handlers a [`Caller`]. Unknown, expired
//! or revoked tokens, and disabled accounts, get UNAUTHENTICATED without saying which.
//! Health checks and reflection are open, so generic tools can find and probe the server.
//! Refused authentications are counted per client address ([`RefusalLimit`]): past the limit,
//! that address gets RESOURCE_EXHAUSTED with a retry delay until its window has passed.
//! A caller that names the person it works for (`x-perspectief-on-behalf-of`, recorded in the
//! access log) may name only an enabled account of its own organisation (the core's
//! `may_act_for`, over the [`UserDirectory`] port); anything else is PERMISSION_DENIED.

use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use perspectief_core::access::{AccessPolicy, Action, Actor, DenyReason};
use perspectief_core::service::{AuthFailure, Authenticator, Caller, Purpose, UserDirectory, may_act_for};
use tonic::Status;
use tower::{Layer, Service};

use crate::observe::{Inner, forward_ready, take_ready};

/// Paths that need no token.
const PUBLIC: [&str; 3] =
    ["/grpc.health.v1.Health/", "/grpc.reflection.v1.ServerReflection/", "/grpc.reflection.v1alpha.ServerReflection/"];

/// Metadata a caller may send to say why it accesses the data (recorded in the access log).
pub const PURPOSE_HEADER: &str = "x-perspectief-purpose";

/// How many refused authentications (no token, or one that is unknown, expired or revoked)
/// one client address may have within a window. Past that, every call from that address is
/// refused with RESOURCE_EXHAUSTED and a retry delay until the window that began with its
/// first refusal has passed, valid token or not: a guesser learns nothing more, and a client
/// with a broken configuration is slowed down, not locked out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefusalLimit {
    /// Refusals allowed per address within `window` (at least 1).
    pub max_refusals: u32,
    /// The window.
    pub window: Duration,
}

impl Default for RefusalLimit {
    /// 20 refusals per address per minute.
    fn default() -> Self {
        Self { max_refusals: 20, window: Duration::from_secs(60) }
    }
}

/// Addresses kept at most; expired ones are dropped first, and past this the oldest windows go.
const MAX_ADDRESSES: usize = 10_000;

/// Refused authentications per client address (the IP, not the port: a guesser opens new
/// connections at will).
#[derive(Debug)]
struct Refusals {
    limit: RefusalLimit,
    by_address: Mutex<HashMap<IpAddr, (Instant, u32)>>,
}

impl Refusals {
    fn new(limit: RefusalLimit) -> Self {
        Self { limit: RefusalLimit { max_refusals: limit.max_refusals.max(1), ..limit }, by_address: Mutex::default() }
    }

    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<IpAddr, (Instant, u32)>> {
        self.by_address.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// How long `ip` must still wait, if it used up its refusals.
    fn blocked(&self, ip: IpAddr, now: Instant) -> Option<Duration> {
        let map = self.map();
        let (start, count) = map.get(&ip)?;
        let ends = *start + self.limit.window;
        (*count >= self.limit.max_refusals && now < ends).then(|| ends - now)
    }

    /// Count a refusal of `ip`; true when this one used up its allowance.
    fn refused(&self, ip: IpAddr, now: Instant) -> bool {
        let window = self.limit.window;
        let mut map = self.map();
        if map.len() >= MAX_ADDRESSES && !map.contains_key(&ip) {
            map.retain(|_, (start, _)| now < *start + window);
            if map.len() >= MAX_ADDRESSES
                && let Some(oldest) = map.iter().min_by_key(|(_, (start, _))| *start).map(|(ip, _)| *ip)
            {
                map.remove(&oldest);
            }
        }
        let entry = map.entry(ip).or_insert((now, 0));
        if now >= entry.0 + window {
            *entry = (now, 0);
        }
        entry.1 = entry.1.saturating_add(1);
        entry.1 == self.limit.max_refusals
    }
}

/// The layer.
#[derive(Debug)]
pub struct AuthLayer<A> {
    auth: Arc<A>,
    refusals: Arc<Refusals>,
}

impl<A> Clone for AuthLayer<A> {
    fn clone(&self) -> Self {
        Self { auth: self.auth.clone(), refusals: self.refusals.clone() }
    }
}

impl<A> AuthLayer<A> {
    /// A layer that authenticates with `auth`, with the default [`RefusalLimit`].
    pub fn new(auth: Arc<A>) -> Self {
        Self::with_limit(auth, RefusalLimit::default())
    }

    /// A layer that authenticates with `auth` and limits refused authentications per address.
    pub fn with_limit(auth: Arc<A>, limit: RefusalLimit) -> Self {
        Self { auth, refusals: Arc::new(Refusals::new(limit)) }
    }
}

impl<S, A> Layer<S> for AuthLayer<A> {
    type Service = AuthService<S, A>;

    fn layer(&self, inner: S) -> Self::Service {
        AuthService { inner, auth: self.auth.clone(), refusals: self.refusals.clone() }
    }
}

/// The service the layer wraps around the router.
#[derive(Debug)]
pub struct AuthService<S, A> {
    inner: S,
    auth: Arc<A>,
    refusals: Arc<Refusals>,
}

impl<S: Clone, A> Clone for AuthService<S, A> {
    fn clone(&self) -> Self {
        Self { inner: self.inner.clone(), auth: self.auth.clone(), refusals: self.refusals.clone() }
    }
}

/// Calls from an address that used up its refused authentications.
fn too_many_refusals(retry_after: Duration) -> Status {
    use tonic_types::StatusExt;
    let mut details = tonic_types::ErrorDetails::new();
    details.set_error_info("TOO_MANY_REFUSALS", crate::status::ERROR_DOMAIN, []);
    details.set_retry_info(Some(retry_after));
    Status::with_error_details(
        tonic::Code::ResourceExhausted,
        "too many refused authentications from this address; try again later",
        details,
    )
}

fn bearer(headers: &http::HeaderMap) -> Option<String> {
    let value = headers.get(http::header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme.eq_ignore_ascii_case("bearer").then(|| token.trim().to_owned())
}

/// The purpose the call states (its role's default when none), or why not: a purpose that
/// is not one is invalid input; one the role may not state is the access policy's refusal
/// ([`AccessPolicy::decide_purpose`]), with the purpose stated.
fn purpose(headers: &http::HeaderMap, actor: &Actor) -> Result<Purpose, PurposeRefused> {
    match headers.get(PURPOSE_HEADER).map(|v| v.to_str().unwrap_or("")) {
        None => Ok(Purpose::permitted_for(actor.role)[0]),
        Some(text) => match serde_plain(text) {
            Some(p) => {
                AccessPolicy::decide_purpose(actor, p).map(|()| p).map_err(|reason| PurposeRefused::Denied(p, reason))
            }
            None => Err(PurposeRefused::Invalid(crate::status::invalid_field(
                PURPOSE_HEADER,
                "unknown purpose: use case_work, reporting, chain_cooperation, subject_rights, audit or administration",
            ))),
        },
    }
}

/// Why a call's purpose was not accepted.
enum PurposeRefused {
    /// Not a purpose (INVALID_ARGUMENT).
    Invalid(Status),
    /// A purpose the role may not state: denied, and recorded in the access log.
    Denied(Purpose, DenyReason),
}

/// The access log's action and operation for a refused call, from its method
/// (`/perspectief.v1.CaseService/GetCaseFile` → read, `GetCaseFile`).
fn refused_call(path: &str) -> (Action, String) {
    let method = path.rsplit('/').next().unwrap_or_default();
    let action = if method.starts_with("Get") || method.starts_with("Watch") || method.starts_with("Stream") {
        Action::Read
    } else if method.starts_with("List") || method.starts_with("Search") {
        Action::Search
    } else if method.starts_with("Create") {
        Action::Create
    } else if method.starts_with("Export") {
        Action::Export
    } else if method.starts_with("Delete") || method.starts_with("Erase") {
        Action::Erase
    } else {
        Action::Update
    };
    (action, method.chars().filter(|c| c.is_ascii_alphanumeric()).take(100).collect())
}

/// An authentication failure with its one ErrorInfo, like every other error.
fn refused(code: tonic::Code, reason: &str, message: &str) -> Status {
    use tonic_types::StatusExt;
    let details = tonic_types::ErrorDetails::with_error_info(reason, crate::status::ERROR_DOMAIN, []);
    Status::with_error_details(code, message, details)
}

fn serde_plain(text: &str) -> Option<Purpose> {
    [
        Purpose::CaseWork,
        Purpose::Reporting,
        Purpose::ChainCooperation,
        Purpose::SubjectRights,
        Purpose::Audit,
        Purpose::Administration,
    ]
    .into_iter()
    .find(|p| p.as_str() == text)
}

fn client_address<B>(req: &http::Request<B>) -> String {
    crate::observe::peer(req)
}

/// The public id of a token (`pt1.<id>.<secret>`), for the log; never the secret.
fn token_id(token: &str) -> Option<&str> {
    let mut parts = token.splitn(3, '.');
    let (_, id) = (parts.next()?, parts.next()?);
    uuid::Uuid::try_parse(id).is_ok().then_some(id)
}

impl<S: Inner<B>, A, B: Send + 'static> Service<http::Request<B>> for AuthService<S, A>
where
    A: Authenticator + UserDirectory + 'static,
{
    forward_ready!();

    fn call(&mut self, mut req: http::Request<B>) -> Self::Future {
        let mut inner = take_ready(&mut self.inner);
        let auth = self.auth.clone();
        let refusals = self.refusals.clone();
        Box::pin(async move {
            if PUBLIC.iter().any(|p| req.uri().path().starts_with(p)) {
                return inner.call(req).await.map(too_large_is_resource_exhausted);
            }
            let ip = crate::observe::peer_addr(&req).map(|a| a.ip());
            if let Some(wait) = ip.and_then(|ip| refusals.blocked(ip, Instant::now())) {
                return Ok(too_many_refusals(wait).into_http());
            }
            let refused_once = |ip: Option<IpAddr>| {
                if let Some(ip) = ip
                    && refusals.refused(ip, Instant::now())
                {
                    tracing::warn!(
                        peer = %ip,
                        refusals = refusals.limit.max_refusals,
                        window_seconds = refusals.limit.window.as_secs(),
                        "too many refused authentications: calls from this address wait for the window to pass"
                    );
                }
            };
            let Some(token) = bearer(req.headers()) else {
                refused_once(ip);
                tracing::warn!(peer = %client_address(&req), "call without a bearer token refused");
                return Ok(refused(
                    tonic::Code::Unauthenticated,
                    "UNAUTHENTICATED",
                    "send a bearer token in the authorization metadata",
                )
                .into_http());
            };
            let actor = match auth.authenticate(&token).await {
                Ok(actor) => actor,
                Err(AuthFailure::Rejected(why)) => {
                    refused_once(ip);
                    // The token's public id only, never its secret.
                    tracing::warn!(
                        token_id = token_id(&token).unwrap_or("(not a token of this system)"),
                        reason = why.code(),
                        peer = %client_address(&req),
                        "token refused"
                    );
                    return Ok(refused(
                        tonic::Code::Unauthenticated,
                        "UNAUTHENTICATED",
                        "the token is not valid (unknown, expired or revoked)",
                    )
                    .into_http());
                }
                Err(AuthFailure::Unavailable) => {
                    return Ok(refused(
                        tonic::Code::Unavailable,
                        "UNAVAILABLE",
                        "authentication is unavailable; try again later",
                    )
                    .into_http());
                }
            };
            let purpose = match purpose(req.headers(), &actor) {
                Ok(p) => p,
                Err(PurposeRefused::Invalid(status)) => return Ok(status.into_http()),
                Err(PurposeRefused::Denied(stated, reason)) => {
                    // On record like every refusal, before it is answered.
                    let caller = Caller { actor, on_behalf_of: None, purpose: stated, client: client_address(&req) };
                    let (action, operation) = refused_call(req.uri().path());
                    if auth.record_refusal(&caller, action, &operation, reason.clone()).await.is_err() {
                        return Ok(refused(
                            tonic::Code::Unavailable,
                            "UNAVAILABLE",
                            "the access log is unavailable; try again later",
                        )
                        .into_http());
                    }
                    return Ok(
                        crate::status::to_status(&perspectief_core::DomainError::AccessDenied(reason)).into_http()
                    );
                }
            };
            let on_behalf_of = match req.headers().get(crate::client::ON_BEHALF_OF_HEADER) {
                None => None,
                Some(v) => match v.to_str().ok().and_then(|v| perspectief_core::UserId::parse(v).ok()) {
                    Some(user) => Some(user),
                    None => {
                        return Ok(crate::status::invalid_field(
                            crate::client::ON_BEHALF_OF_HEADER,
                            "not a user id (a UUID)",
                        )
                        .into_http());
                    }
                },
            };
            // The access log records this person as the one behind the call: only an enabled
            // account of the caller's own organisation, and the refusal does not say whether
            // the account exists elsewhere.
            if let Some(user) = on_behalf_of {
                match auth.account(user).await {
                    Ok(account) if may_act_for(&actor, account.as_ref()) => {}
                    Ok(_) => {
                        tracing::warn!(
                            user = %actor.user,
                            on_behalf_of = %user,
                            peer = %client_address(&req),
                            "on-behalf-of refused: not an enabled account of the caller's organisation"
                        );
                        return Ok(refused(
                            tonic::Code::PermissionDenied,
                            "ON_BEHALF_OF_REFUSED",
                            "x-perspectief-on-behalf-of must name an enabled account of your own organisation",
                        )
                        .into_http());
                    }
                    Err(_) => {
                        return Ok(refused(
                            tonic::Code::Unavailable,
                            "UNAVAILABLE",
                            "authentication is unavailable; try again later",
                        )
                        .into_http());
                    }
                }
            }
            if let Some(slot) = req.extensions().get::<crate::observe::CallerSlot>() {
                slot.fill(actor.organisation, actor.role);
            }
            let caller = Caller { actor, on_behalf_of, purpose, client: client_address(&req) };
            req.extensions_mut().insert(caller);
            // Kept for calls that last (an event stream re-authenticates with it on every read).
            req.extensions_mut().insert(Presented(token));
            inner.call(req).await.map(too_large_is_resource_exhausted)
        })
    }
}

/// tonic reports a message over the size limit as OUT_OF_RANGE; gRPC's convention (and what
/// partners' libraries expect) is RESOURCE_EXHAUSTED, with the usual details.
fn too_large_is_resource_exhausted(response: http::Response<tonic::body::Body>) -> http::Response<tonic::body::Body> {
    let out_of_range = response.headers().get("grpc-status").is_some_and(|v| v.as_bytes() == b"11");
    let too_large = response
        .headers()
        .get("grpc-message")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|m| m.contains("message%20length%20too%20large") || m.contains("message length too large"));
    if out_of_range && too_large {
        let details = tonic_types::ErrorDetails::with_error_info("MESSAGE_TOO_LARGE", crate::status::ERROR_DOMAIN, []);
        use tonic_types::StatusExt;
        return Status::with_error_details(
            tonic::Code::ResourceExhausted,
            "the message is larger than this server accepts",
            details,
        )
        .into_http();
    }
    response
}

/// The token a request presented (never printed), for long calls to authenticate again.
#[derive(Clone)]
pub(crate) struct Presented(pub(crate) String);

impl std::fmt::Debug for Presented {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Presented(..)")
    }
}

/// The caller of a request that passed the layer.
pub fn caller<T>(req: &tonic::Request<T>) -> Result<Caller, Status> {
    req.extensions().get::<Caller>().cloned().ok_or_else(|| Status::unauthenticated("not authenticated"))
}
