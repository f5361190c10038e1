//! Pacing: spacing request starts so that the run stays within its hourly budget.
//!
//! Every intake request (first attempts and retries alike) takes a slot. Slots are
//! `interval` apart, where `interval = 3600 s / max_requests_per_hour`, stretched by
//! [`paced_interval`] when `X-Ratelimit-Org-Remaining` says the organisation's budget (shared
//! with its other API clients) is running low. A 429 with `Retry-After` holds every slot until
//! the time the server named, so that concurrent requests don't each run into the same 429.

use std::sync::Mutex;
use std::time::Duration;

use tokio::time::Instant;

/// The interval between request starts, given the base interval and what the server said is
/// left of the organisation's budget.
///
/// Above `slow_down_below` remaining requests, the base interval. Below it, the interval grows in
/// proportion (`base · slow_down_below / remaining`), up to 64 times the base, and at most
/// one minute unless the base is longer.
pub fn paced_interval(base: Duration, remaining: Option<u64>, slow_down_below: u64) -> Duration {
    let Some(remaining) = remaining else {
        return base;
    };
    if remaining >= slow_down_below {
        return base;
    }
    let factor = (slow_down_below as f64 / remaining.max(1) as f64).min(64.0);
    base.mul_f64(factor).min(Duration::from_secs(60).max(base))
}

#[derive(Debug)]
pub(crate) struct Pacer {
    base: Duration,
    slow_down_below: u64,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    next: Instant,
    interval: Duration,
    hold_until: Option<Instant>,
}

impl Pacer {
    pub(crate) fn new(base: Duration, slow_down_below: u64) -> Pacer {
        Pacer {
            base,
            slow_down_below,
            state: Mutex::new(State {
                next: Instant::now(),
                interval: base,
                hold_until: None,
            }),
        }
    }

    /// Waits for the next slot. A hold placed while waiting sends the caller back in line.
    pub(crate) async fn acquire(&self) {
        loop {
            let slot = {
                let mut s = self.lock();
                let now = Instant::now();
                let mut slot = s.next.max(now);
                if let Some(h) = s.hold_until {
                    slot = slot.max(h);
                }
                s.next = slot + s.interval;
                slot
            };
            tokio::time::sleep_until(slot).await;
            let held = self.lock().hold_until.is_some_and(|h| h > Instant::now());
            if !held {
                return;
            }
        }
    }

    /// Records what the server said is left of the organisation's budget.
    pub(crate) fn observe_remaining(&self, remaining: u64) {
        let interval = paced_interval(self.base, Some(remaining), self.slow_down_below);
        self.lock().interval = interval;
    }

    /// Holds every slot until `until` (a 429's `Retry-After`).
    pub(crate) fn hold_until(&self, until: Instant) {
        let mut s = self.lock();
        if s.hold_until.is_none_or(|h| h < until) {
            s.hold_until = Some(until);
        }
        if s.next < until {
            s.next = until;
        }
    }

    /// The current interval between request starts.
    pub(crate) fn interval(&self) -> Duration {
        self.lock().interval
    }

    /// How long until the current hold ends (zero if none).
    pub(crate) fn held_for(&self) -> Duration {
        self.lock()
            .hold_until
            .map(|h| h.saturating_duration_since(Instant::now()))
            .unwrap_or_default()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        // The state is plain data updated in single statements: a poisoned lock still holds a
        // consistent value.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: Duration = Duration::from_millis(450);

    #[test]
    fn plenty_remaining_keeps_the_base_interval() {
        assert_eq!(paced_interval(BASE, Some(5000), 800), BASE);
        assert_eq!(paced_interval(BASE, None, 800), BASE);
    }

    #[test]
    fn low_remaining_stretches_the_interval() {
        assert_eq!(paced_interval(BASE, Some(400), 800), BASE * 2);
        assert_eq!(paced_interval(BASE, Some(100), 800), BASE * 8);
    }

    #[test]
    fn none_remaining_is_capped() {
        assert_eq!(
            paced_interval(BASE, Some(0), 800),
            Duration::from_secs(60).min(BASE * 64)
        );
    }

    #[tokio::test(start_paused = true)]
    async fn slots_are_one_interval_apart() {
        let p = Pacer::new(Duration::from_secs(1), 0);
        let start = Instant::now();
        for _ in 0..5 {
            p.acquire().await;
        }
        assert_eq!(start.elapsed(), Duration::from_secs(4));
    }

    #[tokio::test(start_paused = true)]
    async fn a_hold_delays_every_slot() {
        let p = Pacer::new(Duration::from_millis(100), 0);
        let start = Instant::now();
        p.acquire().await;
        p.hold_until(start + Duration::from_secs(30));
        p.acquire().await;
        assert_eq!(start.elapsed(), Duration::from_secs(30));
    }
}
