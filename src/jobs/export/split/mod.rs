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
mod range;
mod seam;
mod spool;

use std::io;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, UNIX_EPOCH};

use anyhow::Result;
use tokio::sync::{mpsc, Semaphore};
use tokio::task::JoinHandle;

use crate::api::Api;
use crate::bug;
use crate::paginate::{self, Event, Page, Paginator, Plan, Throttle};
use crate::retry::Clock;
use crate::ui;
use board::{Board, Next};
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
            tally: (1, 0),
        };
        let last = match run(job, &mut out).await {
            Ok(()) => Event::Done,
            Err(e) if e.is::<Enough>() => Event::Done,
            Err(e) => Event::Failed(e),
        };
        if matches!(last, Event::Done) {
            let (used, fell_back) = out.tally;
            let said = Event::Ranges { used, fell_back };
            let _ = out.events.send((index, said)).await;
        }
        // A writer that is gone has stopped the export already.
        let _ = out.events.send((index, last)).await;
    })
}

/// Where accepted pages go: the export's writer.
struct Out {
    events: mpsc::Sender<(usize, Event)>,
    index: usize,
    /// Pages sent, to number them as one chain.
    number: u64,
    /// Rows sent.
    rows: u64,
    max_rows: Option<u64>,
    /// Ranges used so far, and seams that fell back.
    tally: (u64, u64),
}

/// `--max-rows` rows are sent: the export of this bulk is done (every
/// range still reading stops).
#[derive(Debug)]
struct Enough;

impl std::fmt::Display for Enough {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("--max-rows reached")
    }
}

impl std::error::Error for Enough {}

impl Out {
    async fn send(&mut self, mut page: Page) -> Result<()> {
        self.number += 1;
        self.rows += page.row_count() as u64;
        page.number = self.number;
        (self.events.send((self.index, Event::Page(page))).await)
            .map_err(|_| anyhow::anyhow!("the writer stopped"))?;
        match self.max_rows {
            Some(max) if self.rows >= max => Err(Enough.into()),
            _ => Ok(()),
        }
    }
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
    let (mut accepted, mut refused, mut told) = (0, 0, false);
    let mut at = 0;
    while let Some(boundary) = chain.pass(&board, at, out).await? {
        out.tally = (board.started() as u64 + 1, refused as u64);
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
        refused += 1;
        board.close();
        out.tally = (board.started() as u64 + 1, refused as u64);
    }
    chain.drain(out).await?;
    let used = board.started() + 1;
    out.tally = (used as u64, refused as u64);
    ui::verbose(format_args!(
        "--split: {used} ranges: {accepted} taken over with rows, {refused} refused and read sequentially"
    ));
    if told || refused == 0 {
    } else if accepted == 0 {
        ui::note(FELL_BACK);
    } else {
        ui::note(format_args!(
            "--split: {refused} of {} seams did not check out; those ranges were fetched sequentially",
            used - 1
        ));
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

/// The chain being written: range 0's, or the last range it took over.
struct Chain {
    pager: Paginator,
    ended: bool,
    /// The last row read (and so sent): its id as the server wrote it,
    /// and as a number.
    last: Option<(String, u128)>,
    /// The last page with rows this chain read (sent or not), sharing its
    /// body: what it read past a boundary.
    last_page: Option<Page>,
}

impl Chain {
    fn new(pager: Paginator) -> Chain {
        Chain {
            pager,
            ended: false,
            last: None,
            last_page: None,
        }
    }

    /// The last row id of the first page, `None` when it has no rows;
    /// `Err` when the bulk cannot be split on its ids.
    fn last_id(&self, failed_only: bool) -> Result<Option<u128>> {
        let Some(page) = &self.last_page else {
            return Ok(None);
        };
        if failed_only {
            range::without_error(page)?;
        }
        let rows = range::seam_rows(std::slice::from_ref(page), usize::MAX)?;
        Ok(rows.last().map(|row| row.id))
    }

    /// Fetch and send the next page, if any.
    async fn step(&mut self, out: &mut Out) -> Result<()> {
        let next = self.pager.next_page().await?;
        match next {
            None => self.ended = true,
            Some(page) => {
                self.ended = page.next.is_none();
                self.read(&page);
                out.send(page).await?;
            }
        }
        Ok(())
    }

    /// Note a page read by this chain.
    fn read(&mut self, page: &Page) {
        if let Some(raw) = page.raw_rows().last() {
            self.last = range::row_id(raw).ok();
            self.last_page = Some(Page {
                number: page.number,
                sent: None,
                next: None,
                body: page.body.clone(),
                rows: page.rows.clone(),
            });
        }
    }

    /// Read on until a row after the next boundary (`Some` of it; the
    /// boundary may come down while it reads), or to the end of the bulk
    /// when no boundary is left (`None`). `at`: the last boundary walked.
    async fn pass(&mut self, board: &Board, at: u128, out: &mut Out) -> Result<Option<u128>> {
        loop {
            let page = self.last_page.as_ref().and_then(range::rate);
            match board.chain(at, page, self.ended) {
                Next::Seam(b) => return Ok(Some(b)),
                Next::Drain => return Ok(None),
                Next::Read => self.step(out).await?,
            }
        }
    }

    /// Read on to the end of the bulk as a sequential export does, no
    /// range having started: sending a request ahead if `ahead`.
    async fn alone(&mut self, ahead: bool, out: &mut Out) -> Result<()> {
        self.pager.alone(ahead);
        self.drain(out).await
    }

    /// Read on to the end of the bulk.
    async fn drain(&mut self, out: &mut Out) -> Result<()> {
        while !self.ended {
            self.step(out).await?;
        }
        Ok(())
    }

    /// The rows this chain read past `boundary` (it has passed it).
    fn past(&self, boundary: u128) -> Result<Vec<seam::Row<'_>>> {
        let Some(page) = &self.last_page else {
            return Ok(Vec::new());
        };
        page.raw_rows()
            .map(|raw| {
                Ok(seam::Row {
                    id: range::row_id(raw)?.1,
                    raw,
                })
            })
            .filter(|row| row.as_ref().map_or(true, |row| row.id > boundary))
            .collect()
    }

    /// Take over `read`, the range after `boundary` (which this chain has
    /// passed), if it follows this chain: `Ok(Ok(rows))` when it did (its
    /// pages sent but for the rows this chain had sent already),
    /// `Ok(Err(why))` when it does not.
    async fn seam(
        &mut self,
        boundary: u128,
        read: board::Read,
        out: &mut Out,
    ) -> Result<Result<u64, String>> {
        let board::Read {
            spool,
            rows,
            chain,
            ended,
        } = read;
        let mut pages = spool
            .map(spool::Spool::pages)
            .transpose()?
            .into_iter()
            .flatten();
        let (skip, head) = {
            let past = self.past(boundary).map_err(|e| format!("{e:#}"));
            let want = past.as_ref().map_or(0, Vec::len) + 1;
            let mut head = Vec::new();
            while head.iter().map(Page::row_count).sum::<usize>() < want {
                match pages.next() {
                    Some(page) => head.push(page?),
                    None => break,
                }
            }
            let checked = past.and_then(|past| {
                let rows = range::seam_rows(&head, want).map_err(|e| format!("{e:#}"))?;
                let before = seam::Before {
                    past: &past,
                    ended: self.ended,
                };
                seam::check(boundary, before, &rows).map_err(|m| format!("{m:?} at the seam"))
            });
            match checked {
                Ok(skip) => (skip, head),
                Err(why) => return Ok(Err(why)),
            }
        };
        self.take_over(head.into_iter().map(Ok).chain(pages), skip, out)
            .await?;
        self.pager = chain;
        self.pager.after_pages(out.number);
        self.ended = ended;
        Ok(Ok(rows))
    }

    /// Go on from an accepted range: send its pages but for the first
    /// `skip` rows, already sent.
    async fn take_over(
        &mut self,
        pages: impl Iterator<Item = io::Result<Page>>,
        mut skip: usize,
        out: &mut Out,
    ) -> Result<()> {
        let mut first = true;
        for page in pages {
            let page = page?;
            let count = page.row_count();
            if skip > 0 && skip >= count {
                skip -= count;
                self.read(&page);
                continue;
            }
            // The first page sent from this range is asked for, as far as
            // the writer (and a resume) knows, after the last row it wrote.
            let after = self.last.as_ref().map(|(text, _)| text.clone());
            // Noted whole: the rows it shares with the chain before are
            // rows this chain read past the next boundaries too.
            self.read(&page);
            let page = if first {
                page.without_first(skip, after)
            } else {
                page
            };
            (first, skip) = (false, 0);
            out.send(page).await?;
        }
        Ok(())
    }
}

/// Ask for the rows after a synthetic cursor inside `first` (the first
/// page), whose answer is known from it: `Some(true)` when the server
/// answers with exactly the rows after it, `Some(false)` when it refuses,
/// ignores, or misreads it, `None` when the page has no place for one
/// (its rows all in one millisecond). One request tells a server that does
/// not read synthetic cursors as "the rows after" before any range is read.
async fn probe(api: &Arc<Api>, plan: &Plan, clock: &Clock, first: Option<&Page>) -> Option<bool> {
    let rows = range::seam_rows(std::slice::from_ref(first?), usize::MAX).ok()?;
    let cursor = bounds::cursor_at(bounds::millis(rows.last()?.id));
    let past: Vec<seam::Row> = rows.iter().copied().filter(|r| r.id > cursor).collect();
    if past.is_empty() || past.len() == rows.len() {
        return None;
    }
    let mut asked = Paginator::new(
        api.clone(),
        Plan {
            start: Some(bounds::format(cursor)),
            // A 5xx on a synthetic cursor is more likely a refusal.
            retry: crate::retry::RetryPolicy {
                retries: plan.retry.retries.min(1),
                ..plan.retry
            },
            ..plan.clone()
        },
        clock.clone(),
    );
    // Pages shorter than asked for are followed (a few) until the answer
    // holds as many rows as the first page had past the cursor.
    let mut pages = Vec::new();
    while pages.iter().map(Page::row_count).sum::<usize>() < past.len() && pages.len() < 4 {
        match asked.next_page().await {
            Ok(Some(page)) => pages.push(page),
            Ok(None) => break,
            Err(_) => return Some(false),
        }
    }
    let Ok(answer) = range::seam_rows(&pages, past.len() + 1) else {
        return Some(false);
    };
    let before = seam::Before {
        past: &past,
        ended: false,
    };
    Some(seam::check(cursor, before, &answer).is_ok())
}

/// The end of the bulk's id window, in Unix milliseconds: its `updatedOn`.
async fn window_end(api: &Api, plan: &Plan, clock: &Clock) -> Option<u64> {
    let body = paginate::call(api, plan.retry, clock, "the bulk's status", || {
        api.fetch_status(Some(&plan.bulk_id))
    })
    .await
    .ok()?;
    let answer: serde_json::Value = serde_json::from_slice(&body).ok()?;
    let text = answer.get("content")?.get("updatedOn")?.as_str()?;
    let time = humantime::parse_rfc3339_weak(text).ok()?;
    u64::try_from(time.duration_since(UNIX_EPOCH).ok()?.as_millis()).ok()
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
