//! `--split N`: one bulk fetched as up to N id ranges at once, written as
//! the sequential export would write it.
//!
//! Range 0 is the sequential export's own chain, from the start (or the
//! resume cursor). Once its first page is in, one probe (a synthetic
//! cursor inside that page, whose true answer is known from it) goes out
//! with the status request; a server that refuses, ignores or misreads it
//! is exported sequentially at the cost of that one request. Then the
//! page's last row id and the bulk's `updatedOn` bound the span that N−1
//! synthetic boundaries cut into ranges, each read at once on its own
//! task (`range.rs`). This task then walks the seams in order: the chain
//! being written reads on until it passes boundary bᵢ, and range *i* is
//! taken over only if its first rows are exactly those (`seam.rs`);
//! otherwise the chain goes on through it sequentially. Pages go to the
//! export's one writer through the same events, and in the same order, as
//! a single paginator's, so writing, counting, `--fail-on-rows`, the
//! checkpoint and the resume cursor are the sequential export's: a row is
//! sent only once its range is accepted.
//!
//! Not built yet: work stealing (`bounds::midpoint` is ready for it), the
//! 2 ms latency rule, the budget shared with `--concurrency` (so several
//! bulks with `--split` are refused), the 429/503 halving and the single
//! retry of a 5xx on a synthetic cursor (a range retries as a page does),
//! `--max-rows` (fetched sequentially), the summary line's count of ranges
//! and fallbacks (`-v` says them), the benchmark.
//!
//! Work stealing, as it would fit here: give each range its upper bound
//! and last row read behind one lock; a range that finishes takes the
//! largest unread span (`bounds::midpoint` of last read and upper), lowers
//! that range's upper bound only if its last row read is still below the
//! midpoint (so the one page that crosses it holds every row it read past
//! it, which `Chain::seam` assumes), and starts a range there. The seam
//! walk then takes boundaries from an ordered map, not a fixed list, and
//! range 0 (the chain being written) must take part too: on the skewed
//! layout it holds most rows.

mod bounds;
mod range;
mod seam;
mod spool;

use std::path::PathBuf;
use std::sync::Arc;
use std::time::UNIX_EPOCH;

use anyhow::Result;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::api::Api;
use crate::bug;
use crate::paginate::{self, Event, Page, Paginator, Plan};
use crate::retry::Clock;
use crate::ui;

/// The note when the server never answered a synthetic cursor with the
/// rows after it (the probe, or every range with rows, failed).
pub const FELL_BACK: &str =
    "--split: the server does not accept synthetic cursors; fetched sequentially";

/// One split export of one bulk.
pub struct Job {
    pub api: Arc<Api>,
    /// Range 0's plan: the export's, with no request sent ahead and no row
    /// limit.
    pub plan: Plan,
    pub clock: Clock,
    /// `--split N`.
    pub ranges: usize,
    /// Where ranges spool their pages: beside `-o` when it is a regular
    /// file, else (`None`) the system's temporary folder.
    pub spool_dir: Option<PathBuf>,
}

/// Run `job` on its own task, saying what a paginator would (pages in the
/// sequential order, then `Done` or `Failed`) into `events`, tagged `index`.
pub fn spawn(job: Job, index: usize, events: mpsc::Sender<(usize, Event)>) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut out = Out {
            events,
            index,
            number: 0,
        };
        let last = match run(job, &mut out).await {
            Ok(()) => Event::Done,
            Err(e) => Event::Failed(e),
        };
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
}

impl Out {
    async fn send(&mut self, mut page: Page) -> Result<()> {
        self.number += 1;
        page.number = self.number;
        (self.events.send((self.index, Event::Page(page))).await)
            .map_err(|_| anyhow::anyhow!("the writer stopped"))
    }
}

async fn run(job: Job, out: &mut Out) -> Result<()> {
    let Job {
        api,
        plan,
        clock,
        ranges,
        spool_dir,
    } = job;
    let mut chain = Chain::new(Paginator::new(api.clone(), plan.clone(), clock.clone()));
    if !plan.ordered {
        ui::note(
            "--split: with --unordered rows are not known to come by id; fetched sequentially",
        );
        return chain.drain(out).await;
    }
    chain.step(out).await?;
    if chain.ended {
        return Ok(());
    }
    let lower = match chain.last_id() {
        Ok(Some(lower)) => lower,
        Ok(None) => {
            ui::verbose("--split: the first page has no rows to split after; fetched sequentially");
            return chain.drain(out).await;
        }
        Err(e) => {
            ui::note(format_args!("{e:#}; fetched sequentially"));
            return chain.drain(out).await;
        }
    };
    // The probe goes out with the status request: no time is added.
    let (end, probed) = tokio::join!(
        window_end(&api, &plan, &clock),
        probe(&api, &plan, &clock, chain.last_page.as_ref())
    );
    if probed == Some(false) {
        ui::verbose(
            "--split: the probe inside the first page was not answered with the rows after it",
        );
        ui::note(FELL_BACK);
        return chain.drain(out).await;
    }
    let Some(end) = end else {
        ui::note(
            "--split: the bulk's status gives no updatedOn to split up to; fetched sequentially",
        );
        return chain.drain(out).await;
    };
    // updatedOn is rounded to the second: a row may be minted up to a
    // second after it.
    let cuts = bounds::boundaries(lower, end.saturating_add(1_000), ranges - 1);
    ui::verbose(format_args!(
        "--split: {} ranges after {}: boundaries {}",
        cuts.len() + 1,
        bounds::format(lower),
        (cuts.iter().map(|&b| bounds::format(b)))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    let mut reads = Reads(
        (cuts.iter().enumerate())
            .map(|(i, &b)| {
                let upper = cuts.get(i + 1).copied();
                let (api, plan, clock) = (api.clone(), plan.clone(), clock.clone());
                tokio::spawn(range::read(api, plan, clock, b, upper, spool_dir.clone()))
            })
            .map(Some)
            .collect(),
    );
    let (mut accepted, mut refused) = (0, 0);
    for (i, &boundary) in cuts.iter().enumerate() {
        chain.pass(boundary, out).await?;
        let read = match reads.take(i).await? {
            Ok(read) => read,
            Err(e) => {
                ui::verbose(format_args!("--split: range {} dropped: {e:#}", i + 1));
                refused += 1;
                continue;
            }
        };
        match chain.seam(boundary, &read) {
            Ok(skip) => {
                // An empty range past the end proves nothing of how the
                // server reads a synthetic cursor.
                accepted += usize::from(read.has_rows());
                chain.take_over(read, skip, out).await?;
            }
            Err(why) => {
                ui::verbose(format_args!("--split: range {} dropped: {why}", i + 1));
                refused += 1;
            }
        }
    }
    chain.drain(out).await?;
    ui::verbose(format_args!(
        "--split: {} ranges: {accepted} taken over with rows, {refused} refused and read sequentially",
        cuts.len() + 1
    ));
    if accepted == 0 && refused > 0 {
        ui::note(FELL_BACK);
    } else if refused > 0 {
        ui::note(format_args!(
            "--split: {refused} of {} seams did not check out; those ranges were fetched sequentially",
            cuts.len()
        ));
    }
    Ok(())
}

/// The chain being written: range 0's, or the last range it took over.
struct Chain {
    pager: Paginator,
    ended: bool,
    /// The last row sent: its id as the server wrote it, and as a number.
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

    /// The last row id of the last page with rows; `Err` when it is not a
    /// UUIDv7.
    fn last_id(&self) -> Result<Option<u128>> {
        let Some(page) = &self.last_page else {
            return Ok(None);
        };
        Ok(range::last_id(page)?.map(|(_, id)| id))
    }

    /// Fetch and send the next page, if any.
    async fn step(&mut self, out: &mut Out) -> Result<()> {
        match self.pager.next_page().await? {
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

    /// Read on until a row after `boundary`, or the end of the bulk.
    async fn pass(&mut self, boundary: u128, out: &mut Out) -> Result<()> {
        while !self.ended && self.last.as_ref().is_none_or(|(_, id)| *id <= boundary) {
            self.step(out).await?;
        }
        Ok(())
    }

    /// Read on to the end of the bulk.
    async fn drain(&mut self, out: &mut Out) -> Result<()> {
        while !self.ended {
            self.step(out).await?;
        }
        Ok(())
    }

    /// Whether `read`, the range after `boundary`, follows this chain
    /// (which has passed `boundary`): `Ok` with how many of its first rows
    /// this chain has already sent.
    fn seam(&self, boundary: u128, read: &range::Read) -> Result<usize, String> {
        let past: Vec<seam::Row> = match &self.last_page {
            Some(page) => page
                .raw_rows()
                .map(|raw| {
                    Ok(seam::Row {
                        id: range::row_id(raw)?.1,
                        raw,
                    })
                })
                .filter(|row| row.as_ref().map_or(true, |row| row.id > boundary))
                .collect::<Result<_>>()
                .map_err(|e| format!("{e:#}"))?,
            None => Vec::new(),
        };
        let rows = range::seam_rows(&read.head, past.len() + 1).map_err(|e| format!("{e:#}"))?;
        let before = seam::Before {
            past: &past,
            ended: self.ended,
        };
        seam::check(boundary, before, &rows).map_err(|m| format!("{m:?} at the seam"))
    }

    /// Go on from an accepted range: send its pages but for the first
    /// `skip` rows, already sent, and follow its chain from there.
    async fn take_over(&mut self, read: range::Read, mut skip: usize, out: &mut Out) -> Result<()> {
        let range::Read {
            head,
            spool,
            tail,
            chain,
            ended,
        } = read;
        let spooled = spool.map(spool::Spool::pages).transpose()?;
        let pages = (head.into_iter().map(Ok))
            .chain(spooled.into_iter().flatten())
            .chain(tail.map(Ok));
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
        self.pager = chain;
        self.ended = ended;
        Ok(())
    }
}

/// The ranges' tasks, each taken once, in order; dropping them stops those
/// still reading.
struct Reads(Vec<Option<JoinHandle<Result<range::Read>>>>);

impl Reads {
    async fn take(&mut self, i: usize) -> Result<Result<range::Read>> {
        let Some(task) = self.0.get_mut(i).and_then(Option::take) else {
            return Err(bug::ended("a --split range was taken twice").into());
        };
        match task.await {
            Ok(read) => Ok(read),
            Err(e) if e.is_panic() => Err(bug::ended("a --split range panicked").into()),
            Err(_) => Err(bug::ended("a --split range was stopped").into()),
        }
    }
}

impl Drop for Reads {
    fn drop(&mut self) {
        for task in self.0.iter().flatten() {
            task.abort();
        }
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
            ..plan.clone()
        },
        clock.clone(),
    );
    let Ok(Some(page)) = asked.next_page().await else {
        return Some(false);
    };
    let Ok(answer) = range::seam_rows(std::slice::from_ref(&page), past.len() + 1) else {
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
