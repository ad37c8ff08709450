//! When and how long to wait before asking again: exponential backoff with
//! full jitter for transient faults, `Retry-After` parsing, and the poll
//! interval used while a bulk is not finished. Pure functions, plus a clock
//! whose sleeps a test can shrink.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use tokio::time::Instant;

use crate::api::{Api, FetchError};
use crate::exit::Failure;
use crate::ui;

/// First backoff step.
pub const BASE: Duration = Duration::from_secs(1);
/// No single wait is longer than this, whatever the server asks.
pub const CAP: Duration = Duration::from_secs(30);
/// First poll interval while waiting for a bulk to finish.
pub const POLL_START: Duration = Duration::from_secs(2);

/// How persistent to be with one page.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    /// Retries after the first attempt (0 disables retrying).
    pub retries: u32,
    /// Stop retrying a page once this much time has passed since its first attempt.
    pub max_time: Duration,
}

/// Full-jitter backoff before retry number `retry` (1-based): a uniform draw
/// (`unit` in `[0, 1)`) from zero up to `min(CAP, BASE * 2^(retry-1))`.
pub fn backoff(retry: u32, unit: f64) -> Duration {
    let exp = BASE.saturating_mul(
        1u32.checked_shl(retry.saturating_sub(1))
            .unwrap_or(u32::MAX),
    );
    exp.min(CAP).mul_f64(unit.clamp(0.0, 1.0))
}

/// The wait before retry `retry`: the server's `Retry-After` when it gave
/// one (capped), else jittered backoff.
pub fn retry_delay(retry: u32, retry_after: Option<Duration>, unit: f64) -> Duration {
    match retry_after {
        Some(asked) => asked.min(CAP),
        None => backoff(retry, unit),
    }
}

/// The poll interval after `polls` polls of an unfinished bulk: 2 s, 4 s,
/// 8 s, … up to 30 s, or the server's `Retry-After` (capped).
pub fn poll_interval(polls: u32, retry_after: Option<Duration>) -> Duration {
    if let Some(asked) = retry_after {
        return asked.min(CAP);
    }
    let factor = 1u32.checked_shl(polls).unwrap_or(u32::MAX);
    POLL_START.saturating_mul(factor).min(CAP)
}

/// `Retry-After` as delta-seconds (`120`) or an HTTP date; a date in the
/// past means "now".
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

/// Sleeps and deadlines. Waits are decided in real-world durations; a test
/// can shrink every sleep with the hidden `DRUID_BULK_TIME_SCALE` (e.g.
/// `0.001`: a 2 s wait takes 2 ms). The clock then runs ahead by the time
/// each sleep skipped, so deadlines still see the full waits while requests
/// count at their real speed.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    /// Fraction of each sleep actually slept; `None` means 1.
    scale: Option<f64>,
    /// Nanoseconds skipped by shortened sleeps so far.
    skipped: Arc<AtomicU64>,
}

impl Clock {
    /// The clock, honouring the test-only scale when it is set.
    pub fn from_env() -> Clock {
        let scale = std::env::var("DRUID_BULK_TIME_SCALE")
            .ok()
            .and_then(|s| s.parse::<f64>().ok())
            .filter(|s| s.is_finite() && (0.0..1.0).contains(s));
        Clock {
            scale,
            skipped: Arc::default(),
        }
    }

    /// Now, on this clock.
    pub fn now(&self) -> Instant {
        Instant::now() + Duration::from_nanos(self.skipped.load(Ordering::Relaxed))
    }

    /// Time on this clock since `start` (taken from [`Clock::now`]).
    pub fn since(&self, start: Instant) -> Duration {
        self.now().saturating_duration_since(start)
    }

    /// Sleep for `nominal` (shortened under the test scale).
    pub async fn sleep(&self, nominal: Duration) {
        match self.scale {
            None => tokio::time::sleep(nominal).await,
            Some(scale) => {
                let real = nominal.mul_f64(scale);
                tokio::time::sleep(real).await;
                let skipped = u64::try_from((nominal - real).as_nanos()).unwrap_or(u64::MAX);
                self.skipped.fetch_add(skipped, Ordering::Relaxed);
            }
        }
    }
}

/// The retry bookkeeping of one request: transient faults back off within
/// the policy, a refused token is renewed once (when it can be), anything
/// else stops. Shared by result pages and status requests.
pub struct Attempts {
    policy: RetryPolicy,
    started: Instant,
    retries: u32,
    renewed: bool,
}

impl Attempts {
    pub fn new(clock: &Clock, policy: RetryPolicy) -> Attempts {
        Attempts {
            policy,
            started: clock.now(),
            retries: 0,
            renewed: false,
        }
    }

    /// After a failed attempt at `what` (e.g. "page 3"): how long to pause
    /// before the next one, or the failure to stop with.
    pub async fn after(
        &mut self,
        error: FetchError,
        what: &str,
        api: &Api,
        clock: &Clock,
    ) -> Result<Duration, Failure> {
        match error {
            FetchError::Unauthorized(failure) => {
                if self.renewed || !api.can_renew_token() {
                    return Err(failure);
                }
                // A token can be revoked or expire early: get a new one, once.
                self.renewed = true;
                api.forget_token().await;
                ui::info(format_args!(
                    "{what} was refused with a 401/403; retrying once with a new token"
                ));
                Ok(Duration::ZERO)
            }
            FetchError::Transient {
                label,
                retry_after,
                failure,
            } => {
                self.retries += 1;
                let spent = clock.since(self.started);
                let out_of_time = spent >= self.policy.max_time;
                if self.retries > self.policy.retries || out_of_time {
                    return Err(gave_up(failure, self.retries - 1, out_of_time));
                }
                let pause = retry_delay(self.retries, retry_after, fastrand::f64())
                    .min(self.policy.max_time - spent);
                ui::info(format_args!(
                    "retrying {what} after {label} in {:.1}s (attempt {}/{})",
                    pause.as_secs_f64(),
                    self.retries + 1,
                    self.policy.retries + 1
                ));
                Ok(pause)
            }
            other => Err(other.into_failure()),
        }
    }
}

/// A failure after retrying, saying how hard we tried.
fn gave_up(mut failure: Failure, retries: u32, out_of_time: bool) -> Failure {
    if out_of_time {
        failure.message.push_str(&format!(
            "; gave up after {retries} retries (--retry-max-time reached)"
        ));
    } else if retries > 0 {
        failure
            .message
            .push_str(&format!("; gave up after {retries} retries"));
    }
    failure
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_one_second_and_caps_at_thirty() {
        let top: Vec<u64> = (1..=7).map(|r| backoff(r, 1.0).as_secs()).collect();
        assert_eq!(top, [1, 2, 4, 8, 16, 30, 30]);
        assert_eq!(backoff(100, 1.0), CAP);
    }

    #[test]
    fn backoff_is_full_jitter_between_zero_and_the_step() {
        assert_eq!(backoff(3, 0.0), Duration::ZERO);
        assert_eq!(backoff(3, 0.5), Duration::from_secs(2));
        assert_eq!(backoff(1, 0.25), Duration::from_millis(250));
    }

    #[test]
    fn retry_after_wins_over_backoff_but_is_capped() {
        assert_eq!(
            retry_delay(1, Some(Duration::from_secs(7)), 0.9),
            Duration::from_secs(7)
        );
        assert_eq!(retry_delay(1, Some(Duration::from_secs(600)), 0.9), CAP);
        assert_eq!(retry_delay(2, None, 0.5), Duration::from_secs(1));
    }

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(parse_retry_after(" 3 ", now), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:50:07 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
    }

    #[tokio::test]
    async fn a_scaled_clock_runs_ahead_by_the_time_it_skipped() {
        let clock = Clock {
            scale: Some(0.001),
            skipped: Arc::default(),
        };
        let start = clock.now();
        let real = std::time::Instant::now();
        clock.sleep(Duration::from_secs(5)).await;
        assert!(real.elapsed() < Duration::from_secs(1));
        assert!(clock.since(start) >= Duration::from_secs(5));
    }

    #[test]
    fn polling_starts_at_two_seconds_and_grows_to_thirty() {
        let steps: Vec<u64> = (0..6).map(|p| poll_interval(p, None).as_secs()).collect();
        assert_eq!(steps, [2, 4, 8, 16, 30, 30]);
        assert_eq!(
            poll_interval(0, Some(Duration::from_secs(5))),
            Duration::from_secs(5)
        );
        assert_eq!(poll_interval(0, Some(Duration::from_secs(3600))), CAP);
    }
}
