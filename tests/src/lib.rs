//! End-to-end tests of Perspectief live in `tests/main.rs` of this package: whole journeys
//! through the public boundaries (today the core's API; the binary, a real server and both
//! databases as those land). This library is intentionally empty.
