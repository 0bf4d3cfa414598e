//! A load generator: `tasks` concurrent callers run an operation for a fixed time after a
//! warm-up, either as fast as answers come (closed loop) or at a fixed total rate (open loop,
//! with latency measured from each request's intended start, so a slow server cannot hide its
//! tail by making the client wait).

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

/// How to drive the load.
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// Concurrent callers.
    pub tasks: usize,
    /// Not measured, to fill caches and connections.
    pub warmup: Duration,
    /// Measured.
    pub measure: Duration,
    /// Requests per second over all tasks; `None`: as fast as possible.
    pub rate: Option<u32>,
}

/// What a run measured.
#[derive(Debug)]
pub struct Outcome {
    /// Successful calls in the measured window.
    pub ok: u64,
    /// Failed calls by error code.
    pub errors: BTreeMap<String, u64>,
    /// Latency of successful calls, in microseconds.
    pub latency: Histogram<u64>,
    /// The measured window.
    pub elapsed: Duration,
}

impl Outcome {
    /// Successful calls per second.
    pub fn per_second(&self) -> f64 {
        self.ok as f64 / self.elapsed.as_secs_f64()
    }

    /// A latency quantile in milliseconds.
    pub fn ms(&self, quantile: f64) -> f64 {
        self.latency.value_at_quantile(quantile) as f64 / 1000.0
    }
}

/// Run `op(task, n)` under `plan`. `op` returns `Err(code)` for a failed call.
pub async fn run<F, Fut>(plan: Plan, op: F) -> Outcome
where
    F: Fn(usize, u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<(), String>> + Send,
{
    let op = Arc::new(op);
    let start = Instant::now();
    let measure_from = start + plan.warmup;
    let end = measure_from + plan.measure;
    // Each task's share of the rate: one request every `interval`, staggered across tasks.
    let interval = plan.rate.map(|r| Duration::from_secs_f64(plan.tasks as f64 / f64::from(r.max(1))));
    let mut handles = Vec::new();
    for task in 0..plan.tasks {
        let op = op.clone();
        handles.push(tokio::spawn(async move {
            let mut latency = Histogram::<u64>::new_with_bounds(1, 60_000_000, 3).expect("histogram bounds");
            let mut ok = 0u64;
            let mut errors: BTreeMap<String, u64> = BTreeMap::new();
            let mut n = 0u64;
            let mut next = start + interval.map_or(Duration::ZERO, |i| i.mul_f64(task as f64 / plan.tasks as f64));
            loop {
                let intended = match interval {
                    Some(i) => {
                        tokio::time::sleep_until(next.into()).await;
                        let at = next;
                        next += i;
                        at
                    }
                    None => Instant::now(),
                };
                if intended >= end {
                    break;
                }
                let result = op(task, n).await;
                n += 1;
                let done = Instant::now();
                if intended < measure_from {
                    continue;
                }
                match result {
                    Ok(()) => {
                        ok += 1;
                        let micros = done.duration_since(intended).as_micros().min(60_000_000) as u64;
                        latency.record(micros.max(1)).expect("latency within bounds");
                    }
                    Err(code) => *errors.entry(code).or_default() += 1,
                }
            }
            (ok, errors, latency)
        }));
    }
    let mut outcome = Outcome {
        ok: 0,
        errors: BTreeMap::new(),
        latency: Histogram::new_with_bounds(1, 60_000_000, 3).expect("histogram bounds"),
        elapsed: plan.measure,
    };
    for handle in handles {
        let (ok, errors, latency) = handle.await.expect("a load task panicked");
        outcome.ok += ok;
        for (code, n) in errors {
            *outcome.errors.entry(code).or_default() += n;
        }
        outcome.latency.add(latency).expect("histograms of the same bounds");
    }
    outcome
}
