//! Where the time comes from. The core never reads a clock; it names the port
//! ([`perspectief_core::time::Clock`]), and this is the one implementation that reads the
//! system's. The store tells time with the clock it was opened with, and hands the same clock
//! on (the store is itself a [`Clock`]): the gRPC server and the CLI use it, so tests can set
//! the time for all of them.

use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

pub use perspectief_core::time::Clock;

/// The system clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// A clock that stands still until moved (for tests and data generation).
#[derive(Debug)]
pub struct ManualClock(Mutex<DateTime<Utc>>);

impl ManualClock {
    /// A clock at `now`.
    pub fn new(now: DateTime<Utc>) -> Self {
        Self(Mutex::new(now))
    }

    /// Set the time.
    pub fn set(&self, now: DateTime<Utc>) {
        *self.0.lock().unwrap_or_else(|e| e.into_inner()) = now;
    }

    /// Move the time forward.
    pub fn advance(&self, by: Duration) {
        let mut t = self.0.lock().unwrap_or_else(|e| e.into_inner());
        *t += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// The store's own clock, for the adapters that serve it (the gRPC server's "today").
impl Clock for crate::Store {
    fn now(&self) -> DateTime<Utc> {
        self.inner.clock.now()
    }
}
