//! The gRPC server through a real loopback connection.

#![allow(clippy::unwrap_used)]

mod interop;
mod server;
mod tls;
