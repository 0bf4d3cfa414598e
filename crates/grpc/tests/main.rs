//! The gRPC server through a real loopback connection.

#![allow(clippy::unwrap_used)]

mod connect;
mod disclosure;
mod fuzz_corpus;
mod interop;
mod late;
mod matrix;
mod operations;
mod organisations;
mod partners;
mod remote;
mod reports;
mod server;
mod support;
mod tls;
