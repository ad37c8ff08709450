//! The export itself: paginators (one per bulk, up to `--concurrency` at a
//! time) feed whole pages to one writer; with `--checkpoint` progress is
//! saved after each page. A failure or an interruption closes the output
//! properly and says exactly how to continue; with several bulks, one
//! bulk's failure does not lose the others' rows.

mod report;
mod write;

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;
use tokio::sync::{mpsc, Semaphore};

pub use report::report;

use crate::api::Api;
use crate::checkpoint::Checkpoint;
use crate::config::{Config, SummaryMode};
use crate::destination::{Destination, FileHandle};
use crate::exit::{is_broken_pipe, Class, Failure};
use crate::output::{self, Layout};
use crate::paginate::{Paginator, Plan};
use crate::retry::Clock;
use crate::signal::Interrupts;
use crate::summary::Counts;
use crate::ui;
use write::{PageWriter, Saved};

/// What an export did.
#[derive(Debug, Default)]
pub struct Outcome {
    /// Rows and pages written by this run.
    pub rows: u64,
    pub pages: u64,
    /// Cursor that resumes right after the last row written (one bulk).
    pub resume: Option<String>,
    /// Whether the export reached the last page (one bulk).
    pub complete: bool,
    /// A checkpoint said the export was already complete: nothing was fetched.
    pub already_complete: Option<Checkpoint>,
    /// Rows the output already held from earlier runs (`--checkpoint`).
    pub resumed_rows: Option<u64>,
    pub elapsed: Duration,
    /// With several bulks: how each one went.
    pub bulks: Vec<BulkOutcome>,
    /// With `--summary`/`--summary-only`: the counts.
    pub stats: Option<Counts>,
}

/// One bulk's share of a many-bulk export.
#[derive(Debug, Default)]
pub struct BulkOutcome {
    pub id: String,
    pub rows: u64,
    pub pages: u64,
    pub complete: bool,
    pub failure: Option<Failure>,
}

impl Outcome {
    /// The worst failure class among the bulks, if any failed.
    pub fn worst_failure(&self) -> Option<Class> {
        self.bulks
            .iter()
            .filter_map(|b| b.failure.as_ref().map(|f| f.class))
            .max_by_key(|c| c.code())
    }
}

/// Fetch every page of every bulk in `cfg` and write it out.
pub async fn export(cfg: &Config) -> Result<Outcome> {
    let started = Instant::now();
    let mut interrupts = Interrupts::listen()?;
    let mut saved = load_checkpoint(cfg)?;
    if let Some(s) = saved.as_ref().filter(|s| s.state.complete) {
        return Ok(Outcome {
            rows: s.state.rows,
            complete: true,
            already_complete: Some(s.state.clone()),
            ..Outcome::default()
        });
    }
    let mut output = match (&cfg.output, &saved) {
        (Some(path), Some(s)) => Destination::continue_at(path, s.state.output_bytes)?,
        (Some(path), None) => Destination::to_path(path)?,
        (None, _) => Destination::stdout(),
    };
    if let Some(s) = saved.as_ref().filter(|s| s.state.pages > 0) {
        ui::info(report::resuming(&s.state, &s.path));
    }
    let api = Arc::new(Api::new(cfg.conn.clone(), cfg.timeout, cfg.lang.clone())?);
    let start = saved
        .as_ref()
        .map_or(cfg.last.clone(), |s| s.state.cursor.clone());
    let mut summary = Outcome {
        resume: start.clone(),
        resumed_rows: saved
            .as_ref()
            .filter(|s| s.state.pages > 0)
            .map(|s| s.state.rows),
        bulks: cfg
            .bulk_ids
            .iter()
            .map(|id| BulkOutcome {
                id: id.clone(),
                ..BulkOutcome::default()
            })
            .collect(),
        ..Outcome::default()
    };
    // One page in flight per running bulk, and at most one waiting each.
    let (tx, mut pages) = mpsc::channel(cfg.concurrency.max(1));
    let gate = Arc::new(Semaphore::new(cfg.concurrency.max(1)));
    let clock = Clock::from_env();
    let fetchers: Vec<_> = cfg
        .bulk_ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let plan = Plan {
                bulk_id: id.clone(),
                page_size: cfg.page_size,
                failed_only: cfg.failed_only,
                start: start.clone(),
                max_rows: cfg.max_rows,
                retry: cfg.retry,
                wait: cfg.wait,
            };
            Paginator::new(api.clone(), plan, clock.clone()).spawn(i, tx.clone(), gate.clone())
        })
        .collect();
    drop(tx);
    let mut stats = Counts::default();
    let bulk_json: Vec<_> = cfg
        .bulk_ids
        .iter()
        .map(|id| serde_json::value::to_raw_value(id).expect("a string is JSON"))
        .collect();
    let file = output.file.clone();
    let outcome = {
        let layout = Layout {
            columns: if cfg.summary == SummaryMode::Only {
                ["kind", "value", "count"].map(String::from).to_vec()
            } else {
                cfg.columns.clone()
            },
            header: cfg.header,
            width: cfg.table_width,
            csv_safe: cfg.csv_safe,
            color: cfg.color,
        };
        let mut writer = output::writer(cfg.format, &mut output.out, layout);
        if let Some(s) = &saved {
            writer.resume_after(s.state.rows);
        }
        let mut run = PageWriter {
            cfg,
            writer: writer.as_mut(),
            file: file.as_ref(),
            begun: saved.as_ref().is_some_and(|s| s.state.pages > 0),
            saved: saved.as_mut(),
            summary: &mut summary,
            stats: &mut stats,
            bulk_json: &bulk_json,
        };
        let what = match cfg.bulk_ids.as_slice() {
            [one] => format!("bulk {one}"),
            many => format!("{} bulks", many.len()),
        };
        let outcome = loop {
            let next = tokio::select! {
                biased;
                signal = interrupts.recv() => break Err(interrupted(signal)),
                next = pages.recv() => next,
            };
            let Some((index, page)) = next else {
                break Ok(());
            };
            match page {
                Ok(page) => {
                    let written = ui::suspend(|| run.page(index, &page));
                    api.recycle(page.into_body());
                    match written {
                        Ok(true) => ui::exporting(
                            &what,
                            run.summary.pages,
                            run.summary.rows,
                            started.elapsed(),
                        ),
                        Ok(false) => break Ok(()),
                        Err(e) => break Err(e),
                    }
                }
                Err(e) if !cfg.many() => break Err(e),
                Err(e) => run.summary.bulks[index].failure = Some(as_failure(e)),
            }
        };
        for fetcher in &fetchers {
            fetcher.abort();
        }
        ui::clear_progress();
        run.close(outcome)
    };
    summary.elapsed = started.elapsed();
    if cfg.summary != SummaryMode::Off {
        summary.stats = Some(stats);
    }
    match outcome {
        Ok(()) => {
            output.commit()?;
            if let Some(s) = saved.as_mut().filter(|_| summary.complete) {
                s.state.complete = true;
                s.state.output_bytes = file.as_ref().map_or(0, FileHandle::end_offset);
                s.state.save(&s.path)?;
            }
            Ok(summary)
        }
        Err(e) if is_broken_pipe(&e) => Err(e),
        Err(e) => {
            let atomic = output.is_atomic();
            if !atomic {
                // Whole pages (and a closed JSON array) stay where they are.
                let _ = output.commit();
            }
            // An uncommitted temporary file is removed here; -o keeps what it held.
            Err(report::with_next_step(e, cfg, &summary, atomic))
        }
    }
}

fn as_failure(err: anyhow::Error) -> Failure {
    match err.downcast::<Failure>() {
        Ok(f) => f,
        Err(other) => Failure::new(Class::Other, format!("{other:#}")),
    }
}

/// The checkpoint to continue, or a fresh one; `None` without `--checkpoint`.
fn load_checkpoint(cfg: &Config) -> Result<Option<Saved>> {
    let (Some(path), Some(output)) = (&cfg.checkpoint, &cfg.output) else {
        return Ok(None);
    };
    let fresh = Checkpoint::start(cfg, output)?;
    let state = match Checkpoint::load(path)? {
        Some(old) if !cfg.restart => {
            old.check_same_export(&fresh, path)?;
            if cfg.last.is_some() && old.pages > 0 {
                return crate::exit::usage(format!(
                    "--last conflicts with --checkpoint {}, which resumes on its own; \
                     drop --last, or pass --restart to start over from --last",
                    path.display()
                ));
            }
            old
        }
        _ => fresh,
    };
    Ok(Some(Saved {
        path: path.clone(),
        base_rows: state.rows,
        base_pages: state.pages,
        state,
    }))
}

fn interrupted(signal: &str) -> anyhow::Error {
    Failure::new(Class::Interrupted, format!("interrupted by {signal}")).into()
}
