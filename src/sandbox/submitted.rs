//! A bulk submitted to the sandbox: its id, the rows derived from its lines
//! (see `lines`), and its life, `received → scheduled → processing →
//! completed` (or `failed`) over the configured process time, as a pure
//! function of the time since it was submitted.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use super::cursor::RowSource;
use super::data::{encode_uuid_v7, mix, Row, RowGen};
use super::lines::Line;

/// Row index (milliseconds after the base time) of the first submitted
/// bulk's id: a day after the configured bulks, one minute per bulk after.
const FIRST_ID_MS: u64 = 86_400_000;
const ID_STEP_MS: u64 = 60_000;

/// Where a submitted bulk stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Stage {
    Received,
    Scheduled,
    Processing,
    Completed,
    Failed,
}

impl Stage {
    /// The status word the API uses.
    pub(crate) fn word(self) -> &'static str {
        match self {
            Stage::Received => "received",
            Stage::Scheduled => "scheduled",
            Stage::Processing => "processing",
            Stage::Completed => "completed",
            Stage::Failed => "failed",
        }
    }
}

/// The stage of a bulk `elapsed` after it was submitted, and when (after
/// submission) that stage began: each of `received`, `scheduled`,
/// `processing` lasts a quarter, a quarter and a half of `process_time`;
/// then it is `completed`, or `failed` when `fails`.
pub(crate) fn stage(elapsed: Duration, process_time: Duration, fails: bool) -> (Stage, Duration) {
    let scheduled = process_time / 4;
    let processing = process_time / 2;
    if elapsed >= process_time {
        let end = if fails {
            Stage::Failed
        } else {
            Stage::Completed
        };
        (end, process_time)
    } else if elapsed >= processing {
        (Stage::Processing, processing)
    } else if elapsed >= scheduled {
        (Stage::Scheduled, scheduled)
    } else {
        (Stage::Received, Duration::ZERO)
    }
}

/// The id of the `n`-th bulk submitted (from 0) to a sandbox with `seed`:
/// a UUIDv7 like the configured bulks', the same for the same seed and n.
pub(crate) fn bulk_id(seed: u64, n: u64) -> String {
    let ms = FIRST_ID_MS.saturating_add(n.saturating_mul(ID_STEP_MS));
    encode_uuid_v7(ms, mix(seed ^ mix(n ^ 0xB01C)), mix(seed ^ mix(n ^ 0xB01D)))
}

/// One submitted bulk.
#[derive(Debug)]
pub(crate) struct Submitted {
    pub id: String,
    gen: RowGen,
    lines: Vec<Line>,
    failed: u64,
    /// Ends `failed` instead of `completed`.
    fails: bool,
    submitted: Instant,
    /// Unix seconds of the submission, for `createdOn`.
    created: u64,
}

impl Submitted {
    pub(crate) fn new(seed: u64, id: String, lines: Vec<Line>, fails: bool) -> Self {
        let failed = lines.iter().filter(|l| l.failure.is_some()).count() as u64;
        let created = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        Submitted {
            gen: RowGen::new(seed, &id),
            id,
            lines,
            failed,
            fails,
            submitted: Instant::now(),
            created,
        }
    }

    /// Its stage now, on a clock moved `ahead`, and when that stage began
    /// (unix seconds).
    pub(crate) fn stage(&self, process_time: Duration, ahead: Duration) -> (Stage, u64) {
        let age = self.submitted.elapsed().saturating_add(ahead);
        let (stage, since) = stage(age, process_time, self.fails);
        (stage, self.created.saturating_add(since.as_secs()))
    }

    /// Unix seconds of the submission.
    pub(crate) fn created(&self) -> u64 {
        self.created
    }

    /// Number of its lines that failed.
    pub(crate) fn failed(&self) -> u64 {
        self.failed
    }
}

impl RowSource for Submitted {
    fn len(&self) -> u64 {
        self.lines.len() as u64
    }

    fn is_failed(&self, index: u64) -> bool {
        usize::try_from(index)
            .ok()
            .and_then(|i| self.lines.get(i))
            .is_some_and(|l| l.failure.is_some())
    }

    fn row(&self, index: u64) -> Row {
        let line = usize::try_from(index).ok().and_then(|i| self.lines.get(i));
        line.expect("a row index below len()").row(&self.gen, index)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bulk_moves_through_its_stages_over_the_process_time() {
        let t = Duration::from_secs(2);
        let ms = Duration::from_millis;
        for (age, want, since) in [
            (ms(0), Stage::Received, ms(0)),
            (ms(499), Stage::Received, ms(0)),
            (ms(500), Stage::Scheduled, ms(500)),
            (ms(999), Stage::Scheduled, ms(500)),
            (ms(1000), Stage::Processing, ms(1000)),
            (ms(1999), Stage::Processing, ms(1000)),
            (ms(2000), Stage::Completed, ms(2000)),
            (ms(90_000), Stage::Completed, ms(2000)),
        ] {
            assert_eq!(stage(age, t, false), (want, since), "{age:?}");
        }
        assert_eq!(stage(ms(2000), t, true).0, Stage::Failed);
        assert_eq!(stage(ms(1999), t, true).0, Stage::Processing);
        // No process time: done at once.
        assert_eq!(stage(ms(0), Duration::ZERO, false).0, Stage::Completed);
        assert_eq!(stage(ms(0), Duration::ZERO, true).0, Stage::Failed);
        let words: Vec<&str> = [
            Stage::Received,
            Stage::Scheduled,
            Stage::Processing,
            Stage::Completed,
            Stage::Failed,
        ]
        .iter()
        .map(|s| s.word())
        .collect();
        assert_eq!(
            words,
            ["received", "scheduled", "processing", "completed", "failed"]
        );
    }

    #[test]
    fn bulk_ids_are_uuid_v7_distinct_and_repeatable() {
        let ids: Vec<String> = (0..50).map(|n| bulk_id(42, n)).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");
        for id in &ids {
            assert_eq!(id.len(), 36);
            assert_eq!(&id[14..15], "7", "{id}");
        }
        assert_eq!(bulk_id(42, 3), ids[3]);
        assert_ne!(bulk_id(43, 3), ids[3]);
        assert_ne!(ids[0], super::super::DEFAULT_BULK_ID);
    }
}
