//! The gRPC server through a real loopback connection.

#![allow(clippy::unwrap_used)]

mod interop;
mod remote;
mod server;
mod tls;
