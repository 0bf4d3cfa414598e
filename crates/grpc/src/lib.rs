//! # perspectief-grpc
//!
//! The gRPC API for chain partners: the tonic server (an adapter onto the core's application
//! service), authentication, and a Rust client.
//!
//! Not built yet: this crate is an empty member of the workspace until the gRPC issue lands,
//! and exports nothing.
