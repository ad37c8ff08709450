//! Requests in flight for paginators that share a server (the ranges of
//! a `--split` export): at most a limit at once, each attempt taking a
//! slot, and an export-wide count shared with other bulks. A 429 or 503
//! halves the limit and holds every attempt back by the server's
//! `Retry-After`; each quiet minute after that gives one slot back. While
//! more than one slot is allowed, such a reply is the server pacing the
//! export, not a failure: it does not count against `--retries`.

use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::time::Instant;

use tokio::sync::{Notify, OwnedSemaphorePermit, Semaphore};

use crate::retry::{Clock, Fault};
use crate::ui;

/// The pause after a 429 or 503 without `Retry-After`.
const DEFAULT_PAUSE: Duration = Duration::from_secs(1);
/// A slot comes back after this long without a 429 or 503.
const QUIET: Duration = Duration::from_secs(60);

pub struct Throttle {
    state: Mutex<State>,
    changed: Notify,
    /// The export's slots, shared by every bulk.
    shared: Arc<Semaphore>,
    clock: Clock,
}

struct State {
    /// Slots allowed now, and at most.
    limit: usize,
    most: usize,
    in_flight: usize,
    /// No attempt starts before this (`Retry-After`).
    not_before: Option<Instant>,
    /// The last time the limit changed.
    changed_at: Instant,
}

/// What a 429 or 503 did.
#[derive(Debug, PartialEq, Eq)]
pub struct Paced {
    /// Attempts allowed at once from now on.
    pub limit: usize,
    /// How long every attempt waits.
    pub pause: Duration,
    /// Whether the reply counts against `--retries`: only one attempt at
    /// a time was allowed already.
    pub counts: bool,
}

/// One attempt's slot, given back when dropped.
pub struct Slot {
    throttle: Arc<Throttle>,
    _shared: OwnedSemaphorePermit,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.throttle.lock().in_flight -= 1;
        self.throttle.changed.notify_waiters();
    }
}

impl std::fmt::Debug for Throttle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = self.lock();
        f.debug_struct("Throttle")
            .field("limit", &state.limit)
            .field("in_flight", &state.in_flight)
            .finish()
    }
}

impl Throttle {
    /// At most `most` attempts at once, each also taking one of `shared`.
    pub fn new(most: usize, shared: Arc<Semaphore>, clock: Clock) -> Arc<Throttle> {
        let most = most.max(1);
        Arc::new(Throttle {
            state: Mutex::new(State {
                limit: most,
                most,
                in_flight: 0,
                not_before: None,
                changed_at: clock.now(),
            }),
            changed: Notify::new(),
            shared,
            clock,
        })
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Wait for a slot: under the limit, and not before a `Retry-After`.
    pub async fn enter(self: &Arc<Self>) -> Slot {
        loop {
            let changed = self.changed.notified();
            tokio::pin!(changed);
            changed.as_mut().enable();
            let hold = {
                let mut state = self.lock();
                let now = self.clock.now();
                state.give_back(now);
                match state.not_before {
                    Some(at) if at > now => Some(at - now),
                    _ if state.in_flight < state.limit => {
                        state.in_flight += 1;
                        None
                    }
                    _ => Some(Duration::MAX),
                }
            };
            match hold {
                None => break,
                Some(Duration::MAX) => changed.await,
                Some(pause) => self.clock.sleep(pause).await,
            }
        }
        // Never closed: `acquire` fails only on a closed semaphore.
        let shared = match self.shared.clone().acquire_owned().await {
            Ok(permit) => permit,
            Err(_) => unreachable!("the export's request slots are never closed"),
        };
        Slot {
            throttle: self.clone(),
            _shared: shared,
        }
    }

    /// Make `attempt` (at `what`, for the retry line) in a slot, and read
    /// its 429 or 503 as the server pacing every attempt: it says so in
    /// one line, and is a wait, not a failure, unless only one attempt at
    /// a time was allowed already.
    pub async fn paced<T>(
        self: &Arc<Self>,
        what: &str,
        attempt: impl Future<Output = Result<T, Fault>>,
    ) -> Result<T, Fault> {
        let slot = self.enter().await;
        let fault = match attempt.await {
            Err(fault) => fault,
            done => return done,
        };
        drop(slot);
        let Fault::Transient {
            ref label,
            retry_after,
            ..
        } = fault
        else {
            return Err(fault);
        };
        if label != "429" && label != "503" {
            return Err(fault);
        }
        let paced = self.slow_down(retry_after);
        let requests = match paced.limit {
            1 => "1 request".to_string(),
            n => format!("{n} requests"),
        };
        ui::info(format_args!(
            "{what} got {label}: at most {requests} at once now, all waiting {:.1}s",
            paced.pause.as_secs_f64()
        ));
        match paced.counts {
            true => Err(fault),
            // Paced, not failed: every other range waits too.
            false => Err(Fault::Wait(paced.pause)),
        }
    }

    /// The server answered 429 or 503, asking for `retry_after`: halve the
    /// limit and hold every attempt back.
    pub fn slow_down(&self, retry_after: Option<Duration>) -> Paced {
        let mut state = self.lock();
        let now = self.clock.now();
        let pause = retry_after.unwrap_or(DEFAULT_PAUSE);
        let counts = state.limit == 1;
        state.limit = (state.limit / 2).max(1);
        state.changed_at = now;
        let until = now + pause;
        state.not_before = Some(state.not_before.map_or(until, |at| at.max(until)));
        let limit = state.limit;
        drop(state);
        self.changed.notify_waiters();
        Paced {
            limit,
            pause,
            counts,
        }
    }

    /// Slots allowed now.
    #[cfg(test)]
    fn limit(&self) -> usize {
        let mut state = self.lock();
        state.give_back(self.clock.now());
        state.limit
    }
}

impl State {
    /// One slot back for each quiet minute since the limit last changed.
    fn give_back(&mut self, now: Instant) {
        while self.limit < self.most && now.saturating_duration_since(self.changed_at) >= QUIET {
            self.limit += 1;
            self.changed_at += QUIET;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn throttle(most: usize) -> Arc<Throttle> {
        Throttle::new(
            most,
            Arc::new(Semaphore::new(64)),
            Clock::scaled_by(Some(0.0)),
        )
    }

    #[tokio::test]
    async fn a_429_halves_the_slots_down_to_one_and_then_counts() {
        let t = throttle(8);
        assert_eq!(t.limit(), 8);
        let paced = t.slow_down(None);
        assert_eq!(
            (paced.limit, paced.pause, paced.counts),
            (4, DEFAULT_PAUSE, false)
        );
        assert_eq!(t.limit(), 4);
        let paced = t.slow_down(Some(Duration::from_secs(3)));
        assert_eq!((paced.limit, paced.pause), (2, Duration::from_secs(3)));
        assert!(!t.slow_down(None).counts);
        assert_eq!(t.limit(), 1);
        // One slot left: the reply counts against --retries again.
        assert!(t.slow_down(None).counts);
        assert_eq!(t.limit(), 1);
    }

    #[tokio::test]
    async fn slots_beyond_the_limit_wait_for_one_to_be_given_back() {
        let t = throttle(2);
        let (a, _b) = (t.enter().await, t.enter().await);
        let third = tokio::spawn({
            let t = t.clone();
            async move { t.enter().await }
        });
        tokio::task::yield_now().await;
        assert!(!third.is_finished());
        drop(a);
        let _c = third.await.unwrap();
        assert_eq!(t.lock().in_flight, 2);
    }

    #[tokio::test]
    async fn retry_after_holds_every_attempt_back_and_a_quiet_minute_gives_a_slot_back() {
        let t = throttle(4);
        t.slow_down(Some(Duration::from_secs(5)));
        let before = t.clock.now();
        let _slot = t.enter().await;
        // The test clock sleeps nothing but counts the time skipped.
        assert!(t.clock.since(before) >= Duration::from_secs(5));
        assert_eq!(t.limit(), 2);
        t.clock.sleep(QUIET).await;
        assert_eq!(t.limit(), 3);
        t.clock.sleep(QUIET * 5).await;
        assert_eq!(t.limit(), 4);
    }
}
