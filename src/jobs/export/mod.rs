//! The export itself: paginators (one per bulk, up to `--concurrency` at a
//! time) feed whole pages to one writer; with `--checkpoint` progress is
//! saved after each page. A failure or an interruption closes the output
//! properly and says exactly how to continue; with several bulks, one
//! bulk's failure does not lose the others' rows. A signal that finds the
//! output stuck (a reader that stopped reading) ends the run at once with
//! last words kept current after each page (`jobs/last_words.rs`). An
//! export to `-o` that does not complete keeps what it wrote beside it for
//! the same command to continue (`kept.rs`).

mod checkpoint;
mod fields;
mod files;
mod heartbeat;
mod job;
pub mod job_summary;
mod kept;
mod report;
mod split;
mod write;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;
use serde_json::value::RawValue;
use tokio::sync::{mpsc, Semaphore};
use tokio::task::JoinHandle;

pub use job::{export, export_class};
pub use report::report;

use crate::api::Api;
use crate::bug;
use crate::destination::{self, FileHandle};
use crate::exit::{Class, Failure};
use crate::jobs::last_words::Flushed;
use crate::output::{self, RowWriter};
use crate::paginate::{Event, Paginator, Plan};
use crate::settings::{Export, Output, Results};
use crate::signal::Interrupts;
use crate::summary::{self, Counts};
use crate::ui;
use checkpoint::Checkpoint;
use heartbeat::Heartbeat;
use write::Saved;

/// What an export did.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Rows and pages written by this run.
    pub rows: u64,
    pub pages: u64,
    /// Pages that held no rows (a filtering server may send some).
    pub empty_pages: u64,
    /// Cursor that resumes right after the last row written (one bulk).
    pub resume: Option<String>,
    /// Whether the export reached the last page (one bulk).
    pub complete: bool,
    /// A checkpoint said the export was already complete: nothing was fetched.
    pub already_complete: Option<Checkpoint>,
    /// Rows the output already held from earlier runs (`--checkpoint`, or
    /// kept beside `-o`).
    pub resumed_rows: Option<u64>,
    /// Of those, the rows that count toward `--max-rows` (kept beside `-o`).
    pub counted_before: u64,
    pub elapsed: Duration,
    /// With several bulks: how each one went.
    pub bulks: Vec<BulkOutcome>,
    /// With `--summary`/`--summary-only`: the counts.
    pub counts: Option<Counts>,
    /// With `--split`: the ranges used, and the seams that fell back to
    /// reading sequentially.
    pub ranges: Option<(u64, u64)>,
}

/// How an export ended: what it did (as far as it got), and the failure
/// that stopped it, if any.
pub struct Ended {
    pub outcome: Outcome,
    pub result: Result<()>,
}

/// One bulk's share of a many-bulk export.
#[derive(Debug, Default)]
pub struct BulkOutcome {
    pub id: String,
    pub rows: u64,
    pub pages: u64,
    /// Cursor that resumes this bulk right after its last page written.
    pub resume: Option<String>,
    pub complete: bool,
    pub failure: Option<Failure>,
    /// Whether its rows were seen carrying another `bulkId` (said once).
    pub other_bulk_id: bool,
}

impl Outcome {
    /// The worst failure class among the bulks, if any failed.
    pub fn worst_failure(&self) -> Option<Class> {
        self.bulks
            .iter()
            .filter_map(|b| b.failure.as_ref().map(|f| f.class))
            .max_by_key(|c| c.rank())
    }
}

/// What the paginators say as it comes, each tagged with its bulk's index.
type Events = mpsc::Receiver<(usize, Event)>;

/// One export, from the first request to the closed output.
pub struct Exporter<'s> {
    export: &'s Export,
    output: &'s Output,
    settings: &'s Results,
    api: Arc<Api>,
    started: Instant,
    outcome: Outcome,
    counts: Counts,
    saved: Option<Saved>,
    /// The `-o` file being written, to flush pages and read its length.
    file: Option<FileHandle>,
    /// Each bulk id as a JSON string, for the `bulkId` field.
    bulk_json: Vec<Box<RawValue>>,
    /// Whether the output already holds its beginning (a header, `[`).
    begun: bool,
    /// Whether `-o` is replaced only on success.
    atomic: bool,
    /// What a forced exit says, as of the last whole page.
    flushed: Flushed,
}

impl<'s> Exporter<'s> {
    /// An export with these settings, through `api` (nothing is sent yet).
    pub fn new(settings: &'s Results, api: Arc<Api>) -> Exporter<'s> {
        let export = &settings.export;
        Exporter {
            export,
            output: &settings.output,
            settings,
            api,
            started: Instant::now(),
            outcome: Outcome {
                bulks: (export.bulk_ids.iter())
                    .map(|id| BulkOutcome {
                        id: id.clone(),
                        ..BulkOutcome::default()
                    })
                    .collect(),
                ..Outcome::default()
            },
            counts: Counts::default(),
            saved: None,
            file: None,
            bulk_json: (export.bulk_ids.iter())
                .map(|id| serde_json::value::to_raw_value(id).expect("a string is JSON"))
                .collect(),
            begun: false,
            atomic: false,
            flushed: Flushed::default(),
        }
    }

    /// Fetch every page of every bulk and write it out. What was done is
    /// kept also when the export fails part-way.
    pub async fn run(mut self) -> Ended {
        let result = self.export().await;
        let mut outcome = std::mem::take(&mut self.outcome);
        outcome.elapsed = self.started.elapsed();
        if self.export.summary != summary::Mode::Off {
            outcome.counts = Some(std::mem::take(&mut self.counts));
        }
        Ended { outcome, result }
    }

    async fn export(&mut self) -> Result<()> {
        let mut interrupts = self.flushed.listen(&self.settings.request.clock())?;
        self.saved = match write::load_checkpoint(self.settings)? {
            Some(saved) => Some(saved),
            None => write::load_kept(self.settings)?,
        };
        if let Err(e) = self.check_kept(&mut interrupts).await {
            return Err(report::with_next_step(
                e,
                self.settings,
                &self.outcome,
                &self.written(),
            ));
        }
        let checkpoint = self.saved.as_ref().filter(|s| s.kept().is_none());
        if let Some(s) = checkpoint.filter(|s| s.state.complete) {
            self.outcome = Outcome {
                rows: s.state.rows,
                complete: true,
                already_complete: Some(s.state.clone()),
                ..Outcome::default()
            };
            return Ok(());
        }
        if let Some(s) = &self.saved {
            for (bulk, state) in self.outcome.bulks.iter_mut().zip(&s.state.bulks) {
                bulk.complete = state.complete;
                bulk.resume = state.cursor.clone();
            }
            // Kept whole (the run stopped after its last page): the output
            // is only closed and put in place.
            self.outcome.complete = s.state.complete;
        }
        let mut destination = self.open()?;
        let (events, fetchers) = self.spawn_fetchers();
        let result = {
            let layout = self.output.layout.clone();
            let mut writer = output::writer(self.output.format, &mut destination.out, layout);
            if let Some(s) = &self.saved {
                writer.resume_after(s.state.rows);
            }
            let result = self
                .drive(writer.as_mut(), events, fetchers, &mut interrupts)
                .await;
            ui::clear_progress();
            self.close(writer.as_mut(), result)
        };
        self.finish(destination, result)
    }

    /// One paginator per bulk; at most `--concurrency` run at once, each
    /// with one page in flight and at most one waiting.
    fn spawn_fetchers(&mut self) -> (Events, Fetchers) {
        let start =
            (self.saved.as_ref()).map_or(self.export.last.clone(), |s| s.state.cursor.clone());
        self.outcome.resume = start.clone();
        let width = self.export.concurrency.max(1);
        let (tx, events) = mpsc::channel(width);
        let gate = Arc::new(Semaphore::new(width));
        let clock = self.settings.request.clock();
        let saved_bulks = self.saved.as_ref().map_or(&[][..], |s| &s.state.bulks[..]);
        // With --split, the requests in flight for every bulk: the larger of
        // --split and --concurrency.
        let requests = Arc::new(Semaphore::new(width.max(self.export.split.unwrap_or(0))));
        // Beside -o when it is a regular file (never beside /dev/null).
        let spool_dir = (self.output.path.as_deref())
            .filter(|path| !destination::is_stream(path))
            .and_then(Path::parent)
            .map(|dir| match dir.as_os_str().is_empty() {
                true => Path::new("."),
                false => dir,
            })
            .map(Path::to_path_buf);
        let fetchers = (self.export.bulk_ids.iter().enumerate())
            // With a checkpoint of several bulks, each continues on its own
            // cursor, and those complete are not asked again.
            .filter(|(i, _)| !saved_bulks.get(*i).is_some_and(|b| b.complete))
            .filter(|_| !self.outcome.complete)
            .map(|(i, id)| {
                let start = saved_bulks
                    .get(i)
                    .map_or(start.clone(), |b| b.cursor.clone());
                let plan = Plan {
                    max_rows: (self.export.max_rows)
                        .map(|max| max.saturating_sub(self.outcome.counted_before)),
                    // One paginator at a time, to the end of the bulk.
                    ahead: self.export.max_rows.is_none()
                        && width.min(self.export.bulk_ids.len()) == 1,
                    ..plan(self.settings, id, start)
                };
                match self.export.split {
                    Some(ranges) => split::spawn(
                        split::Job {
                            api: self.api.clone(),
                            max_rows: plan.max_rows,
                            ahead: plan.ahead,
                            plan: Plan {
                                ahead: false,
                                max_rows: None,
                                ..plan
                            },
                            clock: clock.clone(),
                            ranges,
                            spool_dir: spool_dir.clone(),
                            gate: gate.clone(),
                            requests: requests.clone(),
                            pause_at: self.export.spool_pause,
                        },
                        i,
                        tx.clone(),
                    ),
                    _ => Paginator::new(self.api.clone(), plan, clock.clone()).spawn(
                        i,
                        tx.clone(),
                        gate.clone(),
                    ),
                }
            })
            .collect();
        (events, Fetchers(fetchers))
    }

    /// Write pages as they come until every paginator has said it is done
    /// (or failed, with several bulks), a failure, or a signal. A channel
    /// that closes before that means a fetcher ended without its last word:
    /// a bug, never the end of the report.
    async fn drive(
        &mut self,
        writer: &mut (dyn RowWriter + '_),
        mut events: Events,
        mut fetchers: Fetchers,
        interrupts: &mut Interrupts,
    ) -> Result<()> {
        let what = match self.export.bulk_ids.as_slice() {
            [one] => format!("bulk {one}"),
            many => format!("{} bulks", many.len()),
        };
        let mut running = fetchers.0.len();
        // The writer has all it wants (`--max-rows`, the last page): what
        // else comes is not written.
        let mut stopped = false;
        let mut heartbeat = Heartbeat::start(&self.settings.request.clock());
        while running > 0 {
            let next = tokio::select! {
                biased;
                signal = interrupts.recv() => {
                    return Err(signal.map_or_else(Into::into, interrupted));
                }
                next = events.recv() => next,
                minutes = heartbeat.tick() => {
                    // A bug was reported: its line is the last word.
                    if !bug::reported() {
                        ui::still_exporting(self.exported(), minutes);
                    }
                    continue;
                }
            };
            let Some((index, event)) = next else {
                return Err(fetchers.lost().await.into());
            };
            match event {
                Event::Page(page) if stopped => self.api.recycle(page.into_body()),
                Event::Page(page) => {
                    let written = ui::suspend(|| self.page(writer, index, &page));
                    self.api.recycle(page.into_body());
                    stopped = !written?;
                    self.flushed.page_done(self.next_step());
                    ui::exporting(&what, self.exported(), self.started.elapsed());
                }
                Event::Ranges { used, fell_back } => {
                    let (u, f) = self.outcome.ranges.get_or_insert((0, 0));
                    (*u, *f) = (*u + used, *f + fell_back);
                }
                Event::Done => running -= 1,
                Event::Failed(e) if !self.export.many() => {
                    return Err(e);
                }
                Event::Failed(e) => {
                    self.outcome.bulks[index].failure = Some(as_failure(e));
                    running -= 1;
                }
            }
        }
        Ok(())
    }

    /// How far the export has got, counting what a resumed output held.
    fn exported(&self) -> ui::Exported {
        let (pages, rows) = (self.saved.as_ref()).map_or((0, 0), |s| (s.base_pages, s.base_rows));
        let o = &self.outcome;
        ui::Exported {
            pages: pages + o.pages,
            empty: o.empty_pages,
            rows: rows + o.rows,
            rows_now: o.rows,
        }
    }

    /// The next step a failure would get now: after the last whole page.
    fn next_step(&self) -> Option<String> {
        report::next_step(self.settings, &self.outcome, &self.written())
    }
}

/// The paginators' tasks, watched: each must end with its last word. When
/// the export stops for any reason, dropping them stops every fetcher.
struct Fetchers(Vec<JoinHandle<()>>);

impl Fetchers {
    /// Why the channel closed while a paginator had not said it was done:
    /// the first task that panicked, or one that returned early.
    async fn lost(&mut self) -> Failure {
        for fetcher in self.0.drain(..) {
            if let Err(e) = fetcher.await {
                if e.is_panic() {
                    return bug::ended("a page fetcher panicked");
                }
            }
        }
        bug::ended("a page fetcher ended without saying it had fetched the last page")
    }
}

impl Drop for Fetchers {
    fn drop(&mut self) {
        for fetcher in &self.0 {
            fetcher.abort();
        }
    }
}

fn as_failure(err: anyhow::Error) -> Failure {
    match err.downcast::<Failure>() {
        Ok(f) => f,
        Err(other) => Failure::new(Class::Other, format!("{other:#}")),
    }
}

fn interrupted(signal: &str) -> anyhow::Error {
    Failure::new(Class::Interrupted, format!("interrupted by {signal}")).into()
}

/// The cursor loop over `bulk_id` from `start` that this export's settings
/// ask for (page size, `--failed-only`, retries, wait, order, empty pages),
/// with no row limit and no request sent ahead: the caller changes what
/// differs.
fn plan(settings: &Results, bulk_id: &str, start: Option<String>) -> Plan {
    let export = &settings.export;
    Plan {
        bulk_id: bulk_id.to_string(),
        page_size: export.page_size,
        failed_only: export.failed_only,
        start,
        max_rows: None,
        retry: settings.request.retry,
        wait: export.wait,
        ordered: export.ordered,
        max_empty_pages: export.max_empty_pages,
        ahead: false,
        throttle: None,
    }
}
