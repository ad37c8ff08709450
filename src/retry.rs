//! When and how long to wait before asking again, and the one loop that
//! does it: [`run`] retries an operation's transient faults with
//! exponential backoff and full jitter, renews refused credentials once,
//! and sleeps through the pauses its caller asks for (polling a bulk that
//! is not finished). Pure functions, plus a clock whose sleeps a test can
//! shrink. It knows nothing of HTTP: callers say what a failure means as a
//! [`Fault`].

use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use tokio::time::Instant;

use crate::exit::Failure;
use crate::ui;

/// First backoff step.
pub const BASE: Duration = Duration::from_secs(1);
/// No single wait is longer than this, whatever the server asks.
pub const CAP: Duration = Duration::from_secs(30);
/// First poll interval while waiting for a bulk to finish.
pub const POLL_START: Duration = Duration::from_secs(2);
/// Polls are never closer than this, whatever the server asks.
pub const POLL_FLOOR: Duration = Duration::from_secs(1);

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

/// The wait before retry `retry`: the server's `Retry-After` when it asked
/// for one (capped), else jittered backoff. A `Retry-After` of zero (or a
/// date past) asks for no wait, so the backoff stands.
pub fn retry_delay(retry: u32, retry_after: Option<Duration>, unit: f64) -> Duration {
    match retry_after {
        Some(asked) if !asked.is_zero() => asked.min(CAP),
        _ => backoff(retry, unit),
    }
}

/// The poll interval after `polls` polls of an unfinished bulk: 2 s, 4 s,
/// 8 s, … up to 30 s, or the server's `Retry-After`, between
/// [`POLL_FLOOR`] and [`CAP`]: a `Retry-After` of zero or in the past
/// polls once a second, not as fast as the server answers.
pub fn poll_interval(polls: u32, retry_after: Option<Duration>) -> Duration {
    let pause = match retry_after {
        Some(asked) => asked,
        None => POLL_START.saturating_mul(1u32.checked_shl(polls).unwrap_or(u32::MAX)),
    };
    pause.clamp(POLL_FLOOR, CAP)
}

/// Sleeps and deadlines. Waits are decided in real-world durations; a test
/// can shrink every sleep (and the grace period after a signal) with the
/// hidden `DRUID_BULK_TIME_SCALE`, which the settings read (e.g.
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
    /// A clock of its own (its own count of skipped time) that sleeps
    /// `scale` of each wait: the test-only scale, a fraction from 0 to
    /// below 1. `None`, or any other value, is real time.
    pub fn scaled_by(scale: Option<f64>) -> Clock {
        Clock {
            scale: scale.filter(|s| s.is_finite() && (0.0..1.0).contains(s)),
            skipped: Arc::default(),
        }
    }

    /// Now, on this clock.
    pub fn now(&self) -> Instant {
        let now = Instant::now();
        let skipped = Duration::from_nanos(self.skipped.load(Ordering::Relaxed));
        now.checked_add(skipped).unwrap_or(now)
    }

    /// Time on this clock since `start` (taken from [`Clock::now`]).
    pub fn since(&self, start: Instant) -> Duration {
        self.now().saturating_duration_since(start)
    }

    /// `nominal` as this clock sleeps it (shortened under the test scale):
    /// for a pace set elsewhere, such as the demo's sandbox.
    pub fn scaled(&self, nominal: Duration) -> Duration {
        self.scale.map_or(nominal, |scale| nominal.mul_f64(scale))
    }

    /// Sleep for `nominal` (shortened under the test scale).
    pub async fn sleep(&self, nominal: Duration) {
        match self.scale {
            None => tokio::time::sleep(nominal).await,
            Some(scale) => {
                let real = nominal.mul_f64(scale);
                tokio::time::sleep(real).await;
                let skipped =
                    u64::try_from(nominal.saturating_sub(real).as_nanos()).unwrap_or(u64::MAX);
                // Saturating: a sum that wrapped would turn the clock back.
                let _ = self
                    .skipped
                    .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |so_far| {
                        Some(so_far.saturating_add(skipped))
                    });
            }
        }
    }
}

/// What a failed attempt means to [`run`].
#[derive(Debug)]
pub enum Fault {
    /// May pass if asked again after a backoff (or the `retry_after` the
    /// server asked for). `label` names it in the retry note: `503`, `timeout`.
    Transient {
        label: String,
        retry_after: Option<Duration>,
        failure: Failure,
    },
    /// The credentials were refused; worth one more attempt with new ones
    /// when they are `renewable`.
    Refused { failure: Failure, renewable: bool },
    /// Not a fault: ask again after this pause, without counting a retry
    /// (the caller is polling something that is not ready).
    Wait(Duration),
    /// Asking again will not help.
    Fatal(Failure),
}

/// What [`run`] asks of the next attempt.
#[derive(Debug, Clone, Copy, Default)]
pub struct Attempt {
    /// The last attempt's credentials were refused: get new ones first.
    pub renew_token: bool,
}

/// Run `attempt` until it succeeds or a fault stops it: transient faults
/// back off within `policy`, refused credentials are renewed once (when they
/// can be), a [`Fault::Wait`] pauses without counting. `what` names the
/// operation in notes, e.g. "page 3".
pub async fn run<T, F, Fut>(
    policy: RetryPolicy,
    clock: &Clock,
    what: &str,
    mut attempt: F,
) -> Result<T, Failure>
where
    F: FnMut(Attempt) -> Fut,
    Fut: Future<Output = Result<T, Fault>>,
{
    let started = clock.now();
    let mut retries = 0;
    let mut renewed = false;
    let mut next = Attempt::default();
    loop {
        let fault = match attempt(next).await {
            Ok(done) => return Ok(done),
            Err(fault) => fault,
        };
        next = Attempt::default();
        // After a panic anywhere nothing is tried again: a submission that
        // failed because of it must not be sent a second time.
        crate::bug::check(what)?;
        let pause = match fault {
            Fault::Refused { failure, renewable } => {
                if renewed || !renewable {
                    return Err(failure);
                }
                // A token can be revoked or expire early: get a new one, once.
                renewed = true;
                next.renew_token = true;
                ui::info(format_args!(
                    "{what} was refused with a 401/403; retrying once with a new token"
                ));
                Duration::ZERO
            }
            Fault::Transient {
                label,
                retry_after,
                failure,
            } => {
                retries += 1;
                let spent = clock.since(started);
                let out_of_time = spent >= policy.max_time;
                if retries > policy.retries || out_of_time {
                    return Err(gave_up(failure, retries - 1, out_of_time));
                }
                let pause =
                    retry_delay(retries, retry_after, fastrand::f64()).min(policy.max_time - spent);
                ui::info(format_args!(
                    "retrying {what} after {label} in {:.1}s (attempt {}/{})",
                    pause.as_secs_f64(),
                    retries + 1,
                    policy.retries + 1
                ));
                pause
            }
            Fault::Wait(pause) => pause,
            Fault::Fatal(failure) => return Err(failure),
        };
        clock.sleep(pause).await;
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
    use crate::exit::Class;

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
    fn a_retry_after_of_zero_or_past_keeps_the_backoff() {
        // `Retry-After: 0` and a date in 1970 both read as zero.
        for retry in 1..=6 {
            assert_eq!(
                retry_delay(retry, Some(Duration::ZERO), 0.5),
                backoff(retry, 0.5),
                "retry {retry}"
            );
        }
        assert_eq!(
            retry_delay(3, Some(Duration::ZERO), 0.5),
            Duration::from_secs(2)
        );
        assert_eq!(retry_delay(1, Some(Duration::MAX), 0.5), CAP);
    }

    #[test]
    fn polls_are_at_least_a_second_apart_whatever_the_server_says() {
        for polls in [0, 1, 5, 100, u32::MAX] {
            for asked in [
                Some(Duration::ZERO),
                Some(Duration::from_nanos(1)),
                Some(Duration::from_millis(999)),
                Some(Duration::MAX),
                None,
            ] {
                let pause = poll_interval(polls, asked);
                assert!(
                    (POLL_FLOOR..=CAP).contains(&pause),
                    "{polls} polls, Retry-After {asked:?}: {pause:?}"
                );
            }
            assert_eq!(poll_interval(polls, Some(Duration::ZERO)), POLL_FLOOR);
        }
    }

    #[tokio::test]
    async fn the_poll_floor_is_scaled_by_the_test_clock() {
        let clock = Clock {
            scale: Some(0.001),
            skipped: Arc::default(),
        };
        let start = clock.now();
        clock.sleep(poll_interval(0, Some(Duration::ZERO))).await;
        assert_eq!(clock.scaled(POLL_FLOOR), Duration::from_millis(1));
        assert!(clock.since(start) >= POLL_FLOOR);
    }

    #[tokio::test]
    async fn the_clock_never_runs_back_however_much_it_skipped() {
        let clock = Clock {
            scale: Some(0.0),
            skipped: Arc::new(AtomicU64::new(u64::MAX - 10)),
        };
        let start = clock.now();
        clock.sleep(Duration::from_secs(1)).await;
        assert!(clock.now() >= start);
    }

    fn instant() -> Clock {
        Clock {
            scale: Some(0.0),
            skipped: Arc::default(),
        }
    }

    fn policy(retries: u32) -> RetryPolicy {
        RetryPolicy {
            retries,
            max_time: Duration::from_secs(3600),
        }
    }

    fn transient() -> Fault {
        Fault::Transient {
            label: "503".into(),
            retry_after: None,
            failure: Failure::new(Class::Unavailable, "down"),
        }
    }

    #[tokio::test]
    async fn transient_faults_are_retried_until_the_attempt_passes() {
        let mut calls = 0;
        let got = run(policy(4), &instant(), "page 1", |_| {
            calls += 1;
            let n = calls;
            async move {
                if n < 3 {
                    Err(transient())
                } else {
                    Ok(n)
                }
            }
        })
        .await;
        assert_eq!(got.unwrap(), 3);
    }

    #[tokio::test]
    async fn giving_up_says_how_many_retries_were_made() {
        let mut calls = 0;
        let got: Result<(), _> = run(policy(2), &instant(), "page 1", |_| {
            calls += 1;
            async { Err(transient()) }
        })
        .await;
        assert_eq!(calls, 3);
        assert_eq!(got.unwrap_err().message, "down; gave up after 2 retries");
    }

    #[tokio::test]
    async fn the_time_budget_stops_retrying_too() {
        let policy = RetryPolicy {
            retries: 100,
            max_time: Duration::from_secs(5),
        };
        let got: Result<(), _> = run(policy, &instant(), "page 1", |_| async {
            Err(Fault::Transient {
                label: "503".into(),
                retry_after: Some(Duration::from_secs(2)),
                failure: Failure::new(Class::Unavailable, "down"),
            })
        })
        .await;
        let message = got.unwrap_err().message;
        assert!(message.ends_with("(--retry-max-time reached)"), "{message}");
    }

    #[tokio::test]
    async fn refused_credentials_are_renewed_once_and_only_when_renewable() {
        let refused = |renewable| Fault::Refused {
            failure: Failure::new(Class::Auth, "refused"),
            renewable,
        };
        let mut asked = Vec::new();
        let got: Result<(), _> = run(policy(4), &instant(), "page 1", |a: Attempt| {
            asked.push(a.renew_token);
            async { Err(refused(true)) }
        })
        .await;
        assert_eq!(got.unwrap_err().message, "refused");
        assert_eq!(asked, [false, true]);

        let mut calls = 0;
        let got: Result<(), _> = run(policy(4), &instant(), "page 1", |_| {
            calls += 1;
            async { Err(refused(false)) }
        })
        .await;
        assert!(got.is_err());
        assert_eq!(calls, 1);
    }

    #[tokio::test]
    async fn waits_do_not_count_as_retries_and_fatal_faults_stop_at_once() {
        let mut calls = 0;
        let got: Result<(), _> = run(policy(1), &instant(), "page 1", |_| {
            calls += 1;
            let fault = match calls {
                1..=3 => Fault::Wait(Duration::from_secs(2)),
                4 => transient(),
                _ => Fault::Fatal(Failure::new(Class::NotFound, "gone")),
            };
            async { Err(fault) }
        })
        .await;
        assert_eq!(got.unwrap_err().message, "gone");
        assert_eq!(calls, 5);
    }
}
