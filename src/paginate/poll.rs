//! Waiting for a bulk to finish, the same for every command that waits:
//! one reading of a bulk's status word ([`Stage`]), one pace and deadline
//! ([`Waiting`]: every 2 s at first, up to every 30 s, never closer than
//! a second whatever `Retry-After` says). The page loop polls a 428 with
//! them, and so does the status poll that `submit --wait` and `demo
//! --submit` run (`jobs::wait`).

use std::time::Duration;

use tokio::time::Instant;

use crate::exit::{Class, Failure};
use crate::page::wire;
use crate::retry::{poll_interval, Clock};

/// Where a bulk stands, as far as waiting for it goes.
#[derive(Debug, PartialEq, Eq)]
pub enum Stage {
    Completed,
    /// `failed`, with the reason its status gives, if any.
    Failed(Option<String>),
    /// Anything else (`received`, `scheduled`, `processing`, or a word the
    /// docs do not list): not finished yet. The word as the server wrote
    /// it, trimmed, to be shown.
    Running(String),
}

impl Stage {
    /// The stage a status word says: trimmed, in any case (`Failed`,
    /// ` COMPLETED\n`).
    pub fn of(word: &str, reason: Option<String>) -> Stage {
        let word = word.trim();
        if word.eq_ignore_ascii_case("completed") {
            Stage::Completed
        } else if word.eq_ignore_ascii_case("failed") {
            Stage::Failed(reason.filter(|r| !r.trim().is_empty()))
        } else {
            Stage::Running(word.to_string())
        }
    }

    /// The stage a status answer gives (`content.status`, and its
    /// `message`, `error` or `reason`); `None` when it names no status.
    pub fn of_answer(body: &[u8]) -> Option<Stage> {
        let state = wire::bulk_state(body)?;
        Some(Stage::of(&state.status, state.reason))
    }

    /// The word to show for it.
    pub fn word(&self) -> &str {
        match self {
            Stage::Completed => "completed",
            Stage::Failed(_) => "failed",
            Stage::Running(word) => word,
        }
    }
}

/// A wait's bookkeeping: when it started, and how many polls since.
#[derive(Debug, Default)]
pub struct Waiting {
    since: Option<Instant>,
    polls: u32,
}

impl Waiting {
    /// The time waited so far on `clock`; the first call starts the count.
    pub fn waited(&mut self, clock: &Clock) -> Duration {
        let now = clock.now();
        clock.since(*self.since.get_or_insert(now))
    }

    /// The pause before the next poll, within `deadline` (the server's
    /// `Retry-After`, if any, is heeded between 1 s and 30 s); `None` once
    /// the deadline has passed.
    pub fn pause(
        &mut self,
        clock: &Clock,
        deadline: Duration,
        retry_after: Option<Duration>,
    ) -> Option<Duration> {
        let waited = self.waited(clock);
        let left = deadline
            .checked_sub(waited)
            .filter(|left| !left.is_zero())?;
        let pause = poll_interval(self.polls, retry_after).min(left);
        self.polls = self.polls.saturating_add(1);
        Some(pause)
    }

    /// Stop waiting: the time waited (whole seconds), if a wait had started.
    pub fn finish(&mut self, clock: &Clock) -> Option<Duration> {
        let since = self.since.take()?;
        self.polls = 0;
        Some(Duration::from_secs(clock.since(since).as_secs()))
    }
}

/// `--wait=0s` found bulk `bulk` `state` (`processing`, `not finished`):
/// it checks once and does not poll, so "wait longer" would not be news.
pub fn checked_once(bulk: &str, state: &str) -> Failure {
    Failure::new(
        Class::NotReady,
        format!("bulk {bulk} is {state} (--wait=0s checks once and does not poll)"),
    )
    .with_hint(format!(
        "poll until it has finished with a longer --wait (e.g. --wait=1h), or see `druid-bulk status {bulk}`"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_status_word_is_read_trimmed_in_any_case() {
        for word in ["failed", "Failed", "FAILED", " failed\n", "\tFaIlEd "] {
            assert_eq!(Stage::of(word, None), Stage::Failed(None), "{word:?}");
        }
        for word in ["completed", "Completed", " COMPLETED\r\n"] {
            assert_eq!(Stage::of(word, None), Stage::Completed, "{word:?}");
        }
        // Words the docs do not list are shown as they came, trimmed.
        assert_eq!(
            Stage::of(" Processing ", None),
            Stage::Running("Processing".into())
        );
        assert_eq!(
            Stage::of("Queued-Élan", None),
            Stage::Running("Queued-Élan".into())
        );
        assert_eq!(Stage::of("fail", None), Stage::Running("fail".into()));
        assert_eq!(
            Stage::of("Failed", Some("disk full".into())),
            Stage::Failed(Some("disk full".into()))
        );
        assert_eq!(Stage::of("failed", Some("  ".into())), Stage::Failed(None));
    }

    #[test]
    fn the_stage_comes_from_content_status() {
        let stage_of = |body: &str| Stage::of_answer(body.as_bytes());
        assert_eq!(
            stage_of(r#"{"content":{"bulkId":"B","status":"completed"}}"#),
            Some(Stage::Completed)
        );
        assert_eq!(
            stage_of(r#"{"content":{"status":"Processing"}}"#),
            Some(Stage::Running("Processing".into()))
        );
        assert_eq!(
            stage_of(r#"{"content":{"status":"failed","message":"disk full"}}"#),
            Some(Stage::Failed(Some("disk full".into())))
        );
        assert_eq!(
            stage_of(r#"{"content":{"status":" FAILED "}}"#),
            Some(Stage::Failed(None))
        );
        assert_eq!(stage_of(r#"{"content":{}}"#), None);
        assert_eq!(stage_of(r#"{"status":"completed"}"#), None);
        assert_eq!(stage_of("<html>"), None);
    }

    #[tokio::test]
    async fn a_wait_paces_its_polls_and_ends_at_its_deadline() {
        let clock = Clock::default();
        let mut waiting = Waiting::default();
        let deadline = Duration::from_secs(3600);
        let pauses: Vec<u64> = (0..6)
            .map(|_| waiting.pause(&clock, deadline, None).unwrap().as_secs())
            .collect();
        assert_eq!(pauses, [2, 4, 8, 16, 30, 30]);
        let asked_nothing = waiting.pause(&clock, deadline, Some(Duration::ZERO));
        assert_eq!(asked_nothing, Some(Duration::from_secs(1)));
        assert_eq!(waiting.pause(&clock, Duration::ZERO, None), None);
        assert!(waiting.finish(&clock).is_some());
        assert_eq!(waiting.finish(&clock), None);
    }
}
