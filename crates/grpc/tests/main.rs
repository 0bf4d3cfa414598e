//! The gRPC server through a real loopback connection.

#![allow(clippy::unwrap_used)]

mod interop;
mod partners;
mod remote;
mod reports;
mod server;
mod tls;
