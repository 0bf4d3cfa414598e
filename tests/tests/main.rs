//! Whole journeys through Perspectief's public boundaries.

#![allow(clippy::unwrap_used)]

mod journey;
mod store_backends;
