//! # perspectief-grpc
//!
//! The gRPC API of Perspectief for chain partners, in construction. What exists:
//!
//! - the server ([`server::serve`]): TLS (mutual when given a client CA), explicit limits,
//!   graceful shutdown, standard health (`grpc.health.v1`) and reflection (v1, switchable);
//! - authentication ([`auth`]): bearer tokens checked by the core's
//!   [`Authenticator`](perspectief_core::service::Authenticator) (the store implements it);
//!   health and reflection are open, everything else needs a valid token;
//! - the error table ([`status`]): domain errors to gRPC codes with google.rpc details;
//! - `perspectief.v1.ReferenceDataService`: the activity codes.
//!
//! The case, session and meeting services, the event stream and the Rust client that
//! implements [`PerspectiefService`](perspectief_core::service::PerspectiefService) remotely are
//! not built yet.

pub mod auth;
pub mod api;
pub mod client;
pub mod convert;
pub mod filter;
pub mod reference;
pub mod server;
pub mod status;

/// Generated protobuf types and tonic services of `perspectief.v1`.
#[allow(missing_docs, missing_debug_implementations, clippy::all, clippy::pedantic, clippy::unwrap_used)]
pub mod pb {
    tonic::include_proto!("perspectief.v1");
}
