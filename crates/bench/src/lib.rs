//! # perspectief-bench
//!
//! Benchmarks and load tests for Perspectief: a load generator ([`load`]) and a fast loader of
//! synthetic data into a store ([`seed`]). The `perspectief-bench` binary reports every figure
//! as a ratio against a baseline measured in the same run, because machines are noisy; the
//! robustness tests in `tests/` use the same pieces, bounded in time.

pub mod load;
pub mod seed;
