//! Deciding what to do after an attempt: one pure function, tested without sleeping.

use std::time::{Duration, SystemTime};

/// How hard to try.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per request before giving up on 5xx, timeouts and connection errors (default 8).
    /// `429 Too Many Requests` never counts: it is flow control, and waiting it out is the job.
    pub max_attempts: u32,
    /// Backoff before the second attempt (default 500 ms); it doubles per attempt.
    pub initial_backoff: Duration,
    /// Cap on one backoff (default 60 s).
    pub max_backoff: Duration,
    /// Cap on one `Retry-After` (default 6 h), against absurd values.
    pub max_retry_after: Duration,
}

impl Default for RetryPolicy {
    fn default() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 8,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(60),
            max_retry_after: Duration::from_secs(6 * 3600),
        }
    }
}

/// What an attempt came back with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AttemptResult<'a> {
    /// An HTTP answer, with its `Retry-After` header if any.
    Status {
        /// The status code.
        status: u16,
        /// The raw `Retry-After` value.
        retry_after: Option<&'a str>,
    },
    /// No answer within the timeout (the request may or may not have been recorded).
    Timeout,
    /// The connection could not be made (nothing was sent).
    Connect,
    /// The connection broke while sending or before the answer (may have been recorded).
    Transport,
}

/// Why a request is retried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RetryReason {
    /// `429 Too Many Requests`.
    RateLimited,
    /// A 5xx answer, or 408.
    Server(u16),
    /// No answer in time.
    Timeout,
    /// Connection failed or broke.
    Connection,
}

/// What to do next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// A 2xx: acknowledged.
    Success,
    /// Try again after this long.
    Retry {
        /// How long to wait.
        after: Duration,
        /// Why.
        reason: RetryReason,
    },
    /// A 401: fetch a new token and try again (once; a second 401 is fatal to the caller).
    RefreshToken,
    /// Any other answer: the server refused this request; don't send it again.
    Reject,
    /// Retryable, but the attempts are used up.
    GiveUp,
}

/// Decides what to do after attempt number `attempt` (1-based) came back with `result`.
///
/// - 2xx → [`Action::Success`]; 401 → [`Action::RefreshToken`].
/// - 429 → retry, after `Retry-After` when the server gives one (seconds, `3172s`, or an HTTP
///   date, capped at `max_retry_after`), else after the backoff; never gives up.
/// - 408, 5xx except 501 and 505, timeouts and connection errors → retry after `Retry-After` if
///   given, else after the backoff, until `max_attempts`.
/// - anything else → [`Action::Reject`].
///
/// `jitter` in `[0, 1)` makes the function pure; the backoff is "equal jitter": half the
/// exponential delay plus a random part of the other half.
pub fn retry_decision(
    result: AttemptResult<'_>,
    attempt: u32,
    policy: &RetryPolicy,
    now: SystemTime,
    jitter: f64,
) -> Action {
    let (reason, retry_after) = match result {
        AttemptResult::Status { status, .. } if (200..300).contains(&status) => {
            return Action::Success;
        }
        AttemptResult::Status { status: 401, .. } => return Action::RefreshToken,
        AttemptResult::Status {
            status: 429,
            retry_after,
        } => (RetryReason::RateLimited, retry_after),
        AttemptResult::Status {
            status,
            retry_after,
        } if status == 408 || (status >= 500 && status != 501 && status != 505) => {
            (RetryReason::Server(status), retry_after)
        }
        AttemptResult::Status { .. } => return Action::Reject,
        AttemptResult::Timeout => (RetryReason::Timeout, None),
        AttemptResult::Connect | AttemptResult::Transport => (RetryReason::Connection, None),
    };
    if reason != RetryReason::RateLimited && attempt >= policy.max_attempts {
        return Action::GiveUp;
    }
    let after = retry_after
        .and_then(|v| parse_retry_after(v, now))
        .map(|d| d.min(policy.max_retry_after))
        .unwrap_or_else(|| backoff(attempt, policy, jitter));
    Action::Retry { after, reason }
}

/// The backoff after attempt `attempt` (1-based): `initial · 2^(attempt-1)`, capped, with
/// equal jitter (`jitter` in `[0, 1)`).
pub fn backoff(attempt: u32, policy: &RetryPolicy, jitter: f64) -> Duration {
    let exp = attempt.saturating_sub(1).min(30);
    let full = policy
        .initial_backoff
        .saturating_mul(1u32 << exp)
        .min(policy.max_backoff);
    let half = full / 2;
    half + half.mul_f64(jitter.clamp(0.0, 1.0))
}

/// Parses `Retry-After`: delay seconds (`120`, also `3172s` as seen in Cisco's examples) or an
/// HTTP date (a date in the past means "now").
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let v = value.trim();
    let digits = v.strip_suffix('s').unwrap_or(v);
    if let Ok(secs) = digits.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    if let Ok(secs) = digits.parse::<f64>()
        && secs.is_finite()
        && secs >= 0.0
    {
        return Some(Duration::from_secs_f64(secs.min(1e9)));
    }
    let at = jiff::fmt::rfc2822::parse(v).ok()?.timestamp().as_second();
    let at = SystemTime::UNIX_EPOCH + Duration::from_secs(u64::try_from(at).ok()?);
    Some(at.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p() -> RetryPolicy {
        RetryPolicy {
            max_attempts: 4,
            initial_backoff: Duration::from_secs(1),
            max_backoff: Duration::from_secs(10),
            max_retry_after: Duration::from_secs(3600),
        }
    }

    fn status(status: u16, retry_after: Option<&str>) -> AttemptResult<'_> {
        AttemptResult::Status {
            status,
            retry_after,
        }
    }

    const NOW: SystemTime = SystemTime::UNIX_EPOCH;

    #[test]
    fn two_hundreds_succeed() {
        for s in [200, 201, 202, 204] {
            assert_eq!(
                retry_decision(status(s, None), 1, &p(), NOW, 0.0),
                Action::Success
            );
        }
    }

    #[test]
    fn unauthorized_asks_for_a_new_token() {
        assert_eq!(
            retry_decision(status(401, None), 1, &p(), NOW, 0.0),
            Action::RefreshToken
        );
    }

    #[test]
    fn too_many_requests_waits_retry_after_seconds() {
        let a = retry_decision(status(429, Some("3172s")), 1, &p(), NOW, 0.5);
        assert_eq!(
            a,
            Action::Retry {
                after: Duration::from_secs(3172),
                reason: RetryReason::RateLimited
            }
        );
    }

    #[test]
    fn too_many_requests_never_gives_up() {
        let a = retry_decision(status(429, Some("1")), 1000, &p(), NOW, 0.0);
        assert!(matches!(a, Action::Retry { .. }));
    }

    #[test]
    fn retry_after_is_capped() {
        let a = retry_decision(status(429, Some("999999")), 1, &p(), NOW, 0.0);
        assert_eq!(
            a,
            Action::Retry {
                after: Duration::from_secs(3600),
                reason: RetryReason::RateLimited
            }
        );
    }

    #[test]
    fn retry_after_takes_an_http_date() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(784_111_777);
        let d = parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now).unwrap();
        assert_eq!(d, Duration::ZERO);
        let earlier = now - Duration::from_secs(90);
        let d = parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", earlier).unwrap();
        assert_eq!(d, Duration::from_secs(90));
    }

    #[test]
    fn garbage_retry_after_falls_back_to_backoff() {
        let a = retry_decision(status(503, Some("soon")), 1, &p(), NOW, 0.0);
        assert_eq!(
            a,
            Action::Retry {
                after: Duration::from_millis(500),
                reason: RetryReason::Server(503)
            }
        );
    }

    #[test]
    fn server_errors_give_up_after_max_attempts() {
        assert!(matches!(
            retry_decision(status(503, None), 3, &p(), NOW, 0.0),
            Action::Retry { .. }
        ));
        assert_eq!(
            retry_decision(status(503, None), 4, &p(), NOW, 0.0),
            Action::GiveUp
        );
    }

    #[test]
    fn timeouts_and_broken_connections_are_retried() {
        assert!(matches!(
            retry_decision(AttemptResult::Timeout, 1, &p(), NOW, 0.0),
            Action::Retry {
                reason: RetryReason::Timeout,
                ..
            }
        ));
        assert!(matches!(
            retry_decision(AttemptResult::Transport, 1, &p(), NOW, 0.0),
            Action::Retry {
                reason: RetryReason::Connection,
                ..
            }
        ));
    }

    #[test]
    fn other_client_errors_and_501_are_rejected() {
        for s in [400, 403, 404, 409, 413, 422, 501] {
            assert_eq!(
                retry_decision(status(s, None), 1, &p(), NOW, 0.0),
                Action::Reject,
                "{s}"
            );
        }
    }

    #[test]
    fn backoff_doubles_to_the_cap_with_equal_jitter() {
        let lows: Vec<u64> = (1..=6)
            .map(|a| backoff(a, &p(), 0.0).as_millis() as u64)
            .collect();
        assert_eq!(lows, [500, 1000, 2000, 4000, 5000, 5000]);
        let highs: Vec<u64> = (1..=6)
            .map(|a| backoff(a, &p(), 0.999_999).as_millis() as u64)
            .collect();
        assert_eq!(highs, [999, 1999, 3999, 7999, 9999, 9999]);
    }
}
