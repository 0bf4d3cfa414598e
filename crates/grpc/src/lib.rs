//! # perspectief-grpc
//!
//! The gRPC API of Perspectief for chain partners and remote staff clients:
//!
//! - the contract, `proto/perspectief/v1/` (compiled by protox in build.rs, no protoc):
//!   case files and every case command, sessions, meetings, subsidy periods, the access log,
//!   the event feed and the reports ([`pb`]);
//! - the server ([`server::serve`]): the services of [`api`] over any
//!   [`PerspectiefService`](perspectief_core::service::PerspectiefService) (the reports over a
//!   [`ReportingService`](perspectief_core::report::ReportingService)), TLS (mutual when
//!   given a client CA), explicit limits, graceful shutdown, health (`grpc.health.v1`) and
//!   reflection (v1 and v1alpha, switchable);
//! - deadlines (DEADLINE_EXCEEDED) and load shedding (RESOURCE_EXHAUSTED) over all
//!   connections ([`guard`]);
//! - authentication ([`auth`]): bearer tokens checked by the core's
//!   [`Authenticator`](perspectief_core::service::Authenticator) (the store implements it);
//! - the conversions ([`convert`]) and the error table ([`status`]), both ways;
//! - the client ([`client::RemoteService`]): the same service interfaces (cases and reports),
//!   remotely; reaching the server ([`connect`]): `https://` with the system's roots or a given
//!   CA, mutual TLS, plain `http://` to this machine only unless allowed, and failures that
//!   name their cause.

pub mod api;
pub mod auth;
pub mod client;
pub mod codec;
pub mod connect;
pub mod convert;
pub mod filter;
// Fuzz targets and their samples: built for tests and the fuzz crate only, never into a
// deployment.
#[cfg(any(test, feature = "fuzzing"))]
#[doc(hidden)]
pub mod fuzzing;
pub mod guard;
pub mod metrics;
pub mod observe;
pub mod paging;
pub mod reference;
pub mod server;
pub mod status;

/// Generated protobuf types and tonic services of `perspectief.v1`.
#[allow(missing_docs, missing_debug_implementations, clippy::all, clippy::pedantic, clippy::unwrap_used)]
pub mod pb {
    tonic::include_proto!("perspectief.v1");
}
