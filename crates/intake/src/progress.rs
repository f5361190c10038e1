//! Counters the CLI polls to draw progress: sent, rejected, retrying, rate and an ETA that knows
//! about pacing.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};

use crate::pacer::Pacer;

/// A cheap, cloneable handle on a running sink's counters.
#[derive(Clone, Debug)]
pub struct Progress {
    inner: Arc<Counters>,
    pacer: Arc<Pacer>,
    groups_per_request: u64,
}

#[derive(Debug)]
struct Counters {
    started: Instant,
    delivered: AtomicU64,
    already: AtomicU64,
    rejected: AtomicU64,
    invalid: AtomicU64,
    retrying: AtomicU64,
    requests: AtomicU64,
    retries: AtomicU64,
    /// Failed attempts of the token fetch under way; 0 once a token is had.
    token_failures: AtomicU64,
}

/// What a sink has done so far.
#[derive(Clone, Debug, PartialEq)]
pub struct ProgressSnapshot {
    /// Groups acknowledged by the intake (and journaled).
    pub delivered: u64,
    /// Groups skipped because the checkpoint (or this run) already had their uid.
    pub already_delivered: u64,
    /// Groups the intake refused.
    pub rejected: u64,
    /// Groups that failed the checks and were not sent.
    pub invalid: u64,
    /// Requests waiting to be retried now.
    pub retrying: u64,
    /// HTTP requests made to the intake (retries included).
    pub requests: u64,
    /// Of which retries.
    pub retries: u64,
    /// Failed attempts of the OAuth2 token fetch under way (0 when the last fetch succeeded):
    /// nothing is sent meanwhile.
    pub token_failures: u64,
    /// Time since the sink started.
    pub elapsed: Duration,
    /// The pacer's current interval between request starts.
    pub pace_interval: Duration,
    /// How long every request is held by a 429's `Retry-After` (zero if none).
    pub held_for: Duration,
    groups_per_request: u64,
}

impl Progress {
    pub(crate) fn new(pacer: Arc<Pacer>, groups_per_request: usize) -> Progress {
        Progress {
            inner: Arc::new(Counters {
                started: Instant::now(),
                delivered: AtomicU64::new(0),
                already: AtomicU64::new(0),
                rejected: AtomicU64::new(0),
                invalid: AtomicU64::new(0),
                retrying: AtomicU64::new(0),
                requests: AtomicU64::new(0),
                retries: AtomicU64::new(0),
                token_failures: AtomicU64::new(0),
            }),
            pacer,
            groups_per_request: groups_per_request.max(1) as u64,
        }
    }

    /// The counters now.
    pub fn snapshot(&self) -> ProgressSnapshot {
        let c = &self.inner;
        ProgressSnapshot {
            delivered: c.delivered.load(Relaxed),
            already_delivered: c.already.load(Relaxed),
            rejected: c.rejected.load(Relaxed),
            invalid: c.invalid.load(Relaxed),
            retrying: c.retrying.load(Relaxed),
            requests: c.requests.load(Relaxed),
            retries: c.retries.load(Relaxed),
            token_failures: c.token_failures.load(Relaxed),
            elapsed: c.started.elapsed(),
            pace_interval: self.pacer.interval(),
            held_for: self.pacer.held_for(),
            groups_per_request: self.groups_per_request,
        }
    }

    pub(crate) fn add_delivered(&self) {
        self.inner.delivered.fetch_add(1, Relaxed);
    }
    pub(crate) fn add_already(&self) {
        self.inner.already.fetch_add(1, Relaxed);
    }
    pub(crate) fn add_rejected(&self) {
        self.inner.rejected.fetch_add(1, Relaxed);
    }
    pub(crate) fn add_invalid(&self) {
        self.inner.invalid.fetch_add(1, Relaxed);
    }
    pub(crate) fn add_request(&self, retry: bool) {
        self.inner.requests.fetch_add(1, Relaxed);
        if retry {
            self.inner.retries.fetch_add(1, Relaxed);
        }
    }
    pub(crate) fn token_attempt(&self, ok: bool) {
        if ok {
            self.inner.token_failures.store(0, Relaxed);
        } else {
            self.inner.token_failures.fetch_add(1, Relaxed);
        }
    }
    pub(crate) fn retrying(&self, delta: i64) {
        if delta >= 0 {
            self.inner.retrying.fetch_add(delta as u64, Relaxed);
        } else {
            self.inner.retrying.fetch_sub(delta.unsigned_abs(), Relaxed);
        }
    }
}

impl ProgressSnapshot {
    /// Groups that got a final answer (delivered or rejected) per hour, over the whole run.
    pub fn per_hour(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs <= 0.0 {
            return 0.0;
        }
        (self.delivered + self.rejected) as f64 * 3600.0 / secs
    }

    /// Time to deliver `remaining` more groups: the slower of the observed rate and the pacer
    /// (one request per `pace_interval`), plus any 429 hold.
    pub fn eta(&self, remaining: u64) -> Duration {
        let requests = remaining.div_ceil(self.groups_per_request);
        let paced = self
            .pace_interval
            .saturating_mul(u32::try_from(requests).unwrap_or(u32::MAX));
        let observed = match self.per_hour() {
            r if r > 0.0 => Duration::from_secs_f64(remaining as f64 * 3600.0 / r),
            _ => Duration::ZERO,
        };
        paced.max(observed) + self.held_for
    }

    /// One line for a terminal status bar, e.g.
    /// `sent 120 · rejected 2 · retrying 1 · 7990/h · ETA 1h02m`. `remaining` (when the caller
    /// knows how many groups are left) adds the ETA.
    pub fn line(&self, remaining: Option<u64>) -> String {
        let mut s = format!(
            "sent {} · rejected {} · invalid {} · retrying {} · {:.0}/h",
            self.delivered,
            self.rejected,
            self.invalid,
            self.retrying,
            self.per_hour()
        );
        if self.already_delivered > 0 {
            s.push_str(&format!(" · skipped {}", self.already_delivered));
        }
        if !self.held_for.is_zero() {
            s.push_str(&format!(" · rate-limited, waiting {}", hms(self.held_for)));
        }
        if self.token_failures > 0 {
            s.push_str(&format!(
                " · token endpoint failing ({} attempts so far)",
                self.token_failures
            ));
        }
        if let Some(r) = remaining {
            s.push_str(&format!(" · ETA {}", hms(self.eta(r))));
        }
        s
    }
}

fn hms(d: Duration) -> String {
    let s = d.as_secs();
    match (s / 3600, s / 60 % 60, s % 60) {
        (0, 0, s) => format!("{s}s"),
        (0, m, s) => format!("{m}m{s:02}s"),
        (h, m, _) => format!("{h}h{m:02}m"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_line_says_the_token_endpoint_is_failing_until_a_token_is_had() {
        let p = Progress::new(Arc::new(Pacer::new(Duration::from_secs(1), 0)), 1);
        p.token_attempt(false);
        p.token_attempt(false);
        let failing = p.snapshot().line(None);
        assert!(
            failing.contains("token endpoint failing (2 attempts so far)"),
            "{failing}"
        );
        p.token_attempt(true);
        assert!(!p.snapshot().line(None).contains("token"));
    }

    #[test]
    fn the_eta_is_never_faster_than_the_pacer() {
        let p = Progress::new(Arc::new(Pacer::new(Duration::from_millis(450), 0)), 1);
        let mut s = p.snapshot();
        s.delivered = 1_000_000;
        assert_eq!(s.eta(8000), Duration::from_secs(3600));
    }

    #[test]
    fn bundles_divide_the_requests() {
        let p = Progress::new(Arc::new(Pacer::new(Duration::from_secs(1), 0)), 10);
        assert_eq!(p.snapshot().eta(95), Duration::from_secs(10));
    }

    #[test]
    fn durations_print_short() {
        assert_eq!(hms(Duration::from_secs(3725)), "1h02m");
        assert_eq!(hms(Duration::from_secs(65)), "1m05s");
    }
}
