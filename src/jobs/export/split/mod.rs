//! `--split N`: one bulk fetched as up to N id ranges at once, written as
//! the sequential export would write it.
//!
//! Range 0 is the sequential export's own chain, from the start (or the
//! resume cursor). Once its first page is in (and took 2 ms or more: at
//! lower latency the sequential export is already as fast as the server),
//! one probe (a synthetic cursor inside that page, whose true answer is
//! known from it) goes out with the status request; a server that refuses,
//! ignores or misreads it is exported sequentially at the cost of that one
//! request. Then the page's last row id and the bulk's `updatedOn` bound
//! the span that N−1 synthetic boundaries cut into ranges, each read on
//! its own task (`range.rs`). A reader that stops (its range passed the
//! boundary above it) starts a range over the upper half of what is left
//! of the range expected to hold the most rows still unread, the chain
//! being written included (`board.rs`), so ids bunched in time leave no
//! reader idle. At most N requests are in flight, and fewer after a 429
//! or 503 (`paginate::Throttle`).
//!
//! This task walks the seams in order: the chain being written reads on
//! until it passes the next boundary, and the range there is taken over
//! only if its first rows are exactly those (`seam.rs`); otherwise the
//! chain goes on through it sequentially and no more ranges start. Pages
//! go to the export's one writer through the same events, and in the same
//! order, as a single paginator's, so writing, counting, `--fail-on-rows`,
//! the checkpoint and the resume cursor are the sequential export's: a row
//! is sent only once its range is accepted.

mod board;
mod bounds;
mod chain;
mod probe;
mod range;
mod seam;
mod spool;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;
use tokio::sync::{mpsc, Semaphore};
use tokio::task::JoinHandle;

use crate::api::Api;
use crate::bug;
use crate::paginate::{Event, Paginator, Plan, Throttle};
use crate::retry::Clock;
use crate::ui;
use board::Board;
use chain::{Chain, Enough, Out};
use probe::{probe, window_end};
use range::Unsplittable;

/// The note when the server never answered a synthetic cursor with the
/// rows after it (the probe, or every range with rows, failed).
pub const FELL_BACK: &str =
    "--split: the server does not accept synthetic cursors; fetched sequentially";

/// A first page faster than this is fetched sequentially: the sequential
/// export is then already on the floor.
const MIN_LATENCY: Duration = Duration::from_millis(2);

/// One split export of one bulk.
pub struct Job {
    pub api: Arc<Api>,
    /// Range 0's plan: the export's, with no request sent ahead and no row
    /// limit.
    pub plan: Plan,
    /// `--max-rows` (less what a resumed output counts): the export ends
    /// once this many rows are sent.
    pub max_rows: Option<u64>,
    /// Whether a sequential export would send each request ahead: so does
    /// this one when it does not split.
    pub ahead: bool,
    pub clock: Clock,
    /// `--split N`.
    pub ranges: usize,
    /// Where ranges spool their pages: beside `-o` when it is a regular
    /// file, else (`None`) the system's temporary folder.
    pub spool_dir: Option<PathBuf>,
    /// Bulks exported at once (`--concurrency`): a permit to start.
    pub gate: Arc<Semaphore>,
    /// Requests in flight for every bulk of the export.
    pub requests: Arc<Semaphore>,
    /// The spool size at which a range pauses, when not
    /// [`spool::PAUSE_AT`] (for tests).
    pub pause_at: Option<u64>,
}

/// Run `job` on its own task, saying what a paginator would (pages in the
/// sequential order, then `Done` or `Failed`) into `events`, tagged `index`.
pub fn spawn(job: Job, index: usize, events: mpsc::Sender<(usize, Event)>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let Ok(_permit) = job.gate.clone().acquire_owned().await else {
            return;
        };
        let mut out = Out {
            events,
            index,
            number: 0,
            rows: 0,
            max_rows: job.max_rows,
            board: None,
            fell_back: 0,
        };
        let last = match run(job, &mut out).await {
            Ok(()) => Event::Done,
            Err(e) if e.is::<Enough>() => Event::Done,
            Err(e) => Event::Failed(e),
        };
        if matches!(last, Event::Done) {
            let used = out.board.as_ref().map_or(0, Board::started) as u64 + 1;
            let said = Event::Ranges {
                used,
                fell_back: out.fell_back,
            };
            let _ = out.events.send((index, said)).await;
        }
        // A writer that is gone has stopped the export already.
        let _ = out.events.send((index, last)).await;
    })
}

async fn run(job: Job, out: &mut Out) -> Result<()> {
    let Job {
        api,
        plan,
        clock,
        ranges,
        spool_dir,
        gate: _,
        requests,
        max_rows: _,
        pause_at,
        ahead,
    } = job;
    // Every request of this bulk, each range's and the chain's, takes one
    // of `ranges` slots and one of the export's.
    let throttle = Throttle::new(ranges, requests, clock.clone());
    let plan = Plan {
        throttle: Some(throttle.clone()),
        ..plan
    };
    let mut chain = Chain::new(Paginator::new(api.clone(), plan.clone(), clock.clone()));
    if !plan.ordered {
        ui::note(
            "--split: with --unordered rows are not known to come by id; fetched sequentially",
        );
        return chain.alone(ahead, out).await;
    }
    let began = Instant::now();
    chain.step(out).await?;
    let took = began.elapsed();
    if chain.ended {
        return Ok(());
    }
    if too_fast(took, &clock) {
        ui::verbose(format_args!(
            "--split: the first page came in {} ms, under {} ms: the sequential export is as fast as the server; fetched sequentially",
            took.as_millis(),
            MIN_LATENCY.as_millis()
        ));
        return chain.alone(ahead, out).await;
    }
    let lower = match chain.last_id(plan.failed_only) {
        Ok(Some(lower)) => lower,
        Ok(None) => {
            ui::verbose("--split: the first page has no rows to split after; fetched sequentially");
            return chain.alone(ahead, out).await;
        }
        Err(e) => {
            ui::note(format_args!("{e:#}"));
            return chain.alone(ahead, out).await;
        }
    };
    // The probe goes out with the status request: no time is added.
    let (end, probed) = tokio::join!(
        async {
            let _slot = throttle.enter().await;
            window_end(&api, &plan, &clock).await
        },
        probe(&api, &plan, &clock, chain.last_page.as_ref())
    );
    if probed == Some(false) {
        ui::verbose(
            "--split: the probe inside the first page was not answered with the rows after it",
        );
        ui::note(FELL_BACK);
        return chain.alone(ahead, out).await;
    }
    let Some(end) = end else {
        ui::note(
            "--split: the bulk's status gives no updatedOn to split up to; fetched sequentially",
        );
        return chain.alone(ahead, out).await;
    };
    // updatedOn is rounded to the second: a row may be minted up to a
    // second after it.
    let end = end.saturating_add(1_000);
    let cuts = bounds::boundaries(lower, end, ranges - 1);
    ui::verbose(format_args!(
        "--split: {} ranges after {}: boundaries {}",
        cuts.len() + 1,
        bounds::format(lower),
        (cuts.iter().map(|&b| bounds::format(b)))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    let board = Board::new(
        board::Start {
            api,
            plan,
            clock,
            spool_dir,
            pause_at: pause_at.unwrap_or(spool::PAUSE_AT),
            reader: |board, from| tokio::spawn(range::run(board, from)),
        },
        bounds::cursor_at(end),
    );
    let _stop = board::Stop(board.clone());
    if let Some(first) = chain.last_page.as_ref().and_then(range::rate) {
        board.chain_began(first);
    }
    board.cut(&cuts);
    out.board = Some(board.clone());
    let (mut accepted, mut told) = (0, false);
    let mut at = 0;
    while let Some(boundary) = chain.pass(&board, at, out).await? {
        let read = take(&board, boundary).await?;
        board.walked(boundary);
        at = boundary;
        let why = match read {
            Ok(read) => match chain.seam(boundary, read, out).await? {
                Ok(rows) => {
                    // An empty range past the end proves nothing of how
                    // the server reads a synthetic cursor.
                    accepted += usize::from(rows > 0);
                    continue;
                }
                Err(why) => why,
            },
            Err(e) => {
                if let Some(reason) = e.downcast_ref::<Unsplittable>() {
                    if !std::mem::replace(&mut told, true) {
                        ui::note(reason);
                    }
                }
                format!("{e:#}")
            }
        };
        ui::verbose(format_args!(
            "--split: the range after {} dropped: {why}",
            bounds::format(boundary)
        ));
        out.fell_back += 1;
        board.close();
    }
    chain.drain(out).await?;
    let (used, refused) = (board.started() + 1, out.fell_back);
    ui::verbose(format_args!(
        "--split: {used} ranges: {accepted} taken over with rows, {refused} refused and read sequentially"
    ));
    if !told && refused > 0 {
        if accepted == 0 {
            ui::note(FELL_BACK);
        } else {
            ui::note(format_args!(
                "--split: {refused} of {} seams did not check out; those ranges were fetched sequentially",
                used - 1
            ));
        }
    }
    Ok(())
}

/// Whether a first page that came in `took` says the server is too fast
/// for a split to gain anything (under the test clock, the limit shrinks
/// with every wait).
fn too_fast(took: Duration, clock: &Clock) -> bool {
    took < clock.scaled(MIN_LATENCY)
}

/// What the task reading the range at `b` read.
async fn take(board: &Board, b: u128) -> Result<Result<board::Read>> {
    let Some(task) = board.take(b) else {
        return Err(bug::ended("a --split range was taken twice").into());
    };
    // Stopped if this export is, while it waits.
    struct Taken(JoinHandle<Result<board::Read>>);
    impl Drop for Taken {
        fn drop(&mut self) {
            self.0.abort();
        }
    }
    let mut task = Taken(task);
    match (&mut task.0).await {
        Ok(read) => Ok(read),
        Err(e) if e.is_panic() => Err(bug::ended("a --split range panicked").into()),
        Err(_) => Err(bug::ended("a --split range was stopped").into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_first_page_under_two_milliseconds_is_too_fast_to_split() {
        let real = Clock::scaled_by(None);
        assert!(too_fast(Duration::from_micros(1_999), &real));
        assert!(!too_fast(Duration::from_millis(2), &real));
        assert!(!too_fast(Duration::from_millis(20), &real));
        // The test clock: any page is slow enough.
        let test = Clock::scaled_by(Some(0.001));
        assert!(!too_fast(Duration::from_micros(50), &test));
    }
}
