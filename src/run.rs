//! The export itself: whole pages from the paginator go through the writer
//! into the output; with `--checkpoint` progress is saved after each page.
//! A failure or an interruption closes the output properly and says exactly
//! how to continue.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Result;

use crate::api::Api;
use crate::checkpoint::Checkpoint;
use crate::config::{Config, Verbosity};
use crate::exit::{is_broken_pipe, Class, Failure};
use crate::output::{self, Layout, Row, RowWriter};
use crate::paginate::{Page, Paginator, Plan};
use crate::progress::Progress;
use crate::retry::Clock;
use crate::signal::Interrupts;
use crate::sink::{FileHandle, Output};

/// What an export did.
#[derive(Debug, Default)]
pub struct Summary {
    /// Rows and pages written by this run.
    pub rows: u64,
    pub pages: u64,
    /// Cursor that resumes right after the last row written.
    pub resume: Option<String>,
    /// Whether the export reached the last page.
    pub complete: bool,
    /// A checkpoint said the export was already complete: nothing was fetched.
    pub already_complete: Option<Checkpoint>,
    pub elapsed: Duration,
}

/// A checkpoint being kept up to date.
struct Saved {
    path: PathBuf,
    state: Checkpoint,
    /// Rows and pages the output held when this run started.
    base_rows: u64,
    base_pages: u64,
}

/// Fetch every page of `cfg.bulk_id` and write it out.
pub async fn export(cfg: &Config) -> Result<Summary> {
    let started = Instant::now();
    let mut interrupts = Interrupts::listen()?;
    let mut saved = load_checkpoint(cfg)?;
    if let Some(s) = saved.as_ref().filter(|s| s.state.complete) {
        return Ok(Summary {
            rows: s.state.rows,
            complete: true,
            already_complete: Some(s.state.clone()),
            ..Summary::default()
        });
    }
    let mut output = match (&cfg.output, &saved) {
        (Some(path), Some(s)) => Output::continue_at(path, s.state.output_bytes)?,
        (Some(path), None) => Output::replace(path)?,
        (None, _) => Output::stdout(),
    };
    let progress = Progress::new(cfg.verbosity);
    let api = Arc::new(Api::new(
        cfg.conn.clone(),
        cfg.timeout,
        cfg.lang.clone(),
        cfg.verbosity == Verbosity::Verbose,
    )?);
    let start = saved
        .as_ref()
        .map_or(cfg.last.clone(), |s| s.state.cursor.clone());
    let plan = Plan {
        bulk_id: cfg.bulk_id.clone(),
        page_size: cfg.page_size,
        failed_only: cfg.failed_only,
        start: start.clone(),
        max_rows: cfg.max_rows,
        retry: cfg.retry,
        wait: cfg.wait,
    };
    let (mut pages, fetcher) =
        Paginator::new(api, plan, Clock::from_env(), progress.clone()).spawn();
    let mut summary = Summary {
        resume: start,
        ..Summary::default()
    };
    let file = output.file.clone();
    let outcome = {
        let layout = Layout {
            columns: cfg.columns.clone(),
            header: cfg.header,
            width: cfg.table_width,
            csv_safe: cfg.csv_safe,
        };
        let mut writer = output::writer(cfg.format, &mut output.sink, layout);
        let resumed = saved.as_ref().is_some_and(|s| s.state.pages > 0);
        if let Some(s) = &saved {
            writer.resume_after(s.state.rows);
        }
        let mut run = Run {
            cfg,
            writer: writer.as_mut(),
            file: file.as_ref(),
            saved: saved.as_mut(),
            summary: &mut summary,
            begun: resumed,
        };
        let outcome = loop {
            let page = tokio::select! {
                biased;
                signal = interrupts.recv() => break Err(interrupted(signal)),
                page = pages.recv() => page,
            };
            match page {
                None => break Ok(()),
                Some(Err(e)) => break Err(e),
                Some(Ok(page)) => match run.page(&page) {
                    Ok(true) => {}
                    Ok(false) => break Ok(()),
                    Err(e) => break Err(e),
                },
            }
        };
        fetcher.abort();
        progress.clear();
        run.close(outcome)
    };
    summary.elapsed = started.elapsed();
    match outcome {
        Ok(()) => {
            output.commit()?;
            if let Some(s) = saved.as_mut() {
                s.state.complete = summary.complete;
                if summary.complete {
                    s.state.output_bytes = file.as_ref().map_or(0, FileHandle::end_offset);
                    s.state.save(&s.path)?;
                }
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
            Err(with_next_step(e, cfg, &summary, atomic))
        }
    }
}

/// One run's writing state.
struct Run<'a, 'w> {
    cfg: &'a Config,
    writer: &'a mut (dyn RowWriter + 'w),
    file: Option<&'a FileHandle>,
    saved: Option<&'a mut Saved>,
    summary: &'a mut Summary,
    /// Whether the output already holds its beginning (a header, `[`).
    begun: bool,
}

impl Run<'_, '_> {
    /// Write one whole page; `Ok(false)` when the export should stop here.
    fn page(&mut self, page: &Page) -> Result<bool> {
        let raw = page.raw_rows();
        let rows = raw
            .iter()
            .map(|r| Row::parse(r))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| {
                Failure::new(
                    Class::Protocol,
                    format!("page {} of bulk {}: {e}", page.number, self.cfg.bulk_id),
                )
            })?;
        if self.summary.pages == 0 {
            // Nothing goes out before the first page has arrived whole: a
            // failed first request leaves no header and no stray bytes.
            if let Some(file) = self.file {
                file.cut_to_start()?;
            }
            if !self.begun {
                self.writer.begin()?;
                self.begun = true;
            }
        }
        let room = self
            .cfg
            .max_rows
            .map_or(u64::MAX, |max| max - self.summary.rows);
        let take = rows.len().min(usize::try_from(room).unwrap_or(usize::MAX));
        for row in &rows[..take] {
            self.writer.row(row)?;
        }
        self.writer.end_page()?;
        self.summary.rows += take as u64;
        self.summary.pages += 1;
        let cut = take < rows.len();
        self.summary.resume = if cut {
            rows[take - 1].id()
        } else {
            page.next.clone()
        };
        self.summary.complete = !cut && page.next.is_none();
        self.save_progress()?;
        let stop = cut
            || self.summary.complete
            || self
                .cfg
                .max_rows
                .is_some_and(|max| self.summary.rows >= max);
        Ok(!stop)
    }

    /// Make the page durable, then record it in the checkpoint.
    fn save_progress(&mut self) -> Result<()> {
        let (Some(saved), Some(file)) = (self.saved.as_deref_mut(), self.file) else {
            return Ok(());
        };
        file.sync()?;
        let state = &mut saved.state;
        state.cursor = self.summary.resume.clone();
        state.rows = saved.base_rows + self.summary.rows;
        state.pages = saved.base_pages + self.summary.pages;
        state.output_bytes = file.end_offset();
        saved.state.save(&saved.path)
    }

    /// Close the output after the loop: always on success; after a failure
    /// only if this run wrote something, so stdout and a checkpointed file
    /// stay well-formed (a JSON array gets its `]`).
    fn close(&mut self, outcome: Result<()>) -> Result<()> {
        match outcome {
            Ok(()) => {
                if !self.begun {
                    self.writer.begin()?;
                }
                Ok(self.writer.finish()?)
            }
            Err(e) if is_broken_pipe(&e) || self.summary.pages == 0 => Err(e),
            Err(e) => match self.writer.finish() {
                Ok(()) => Err(e),
                Err(finish) => Err(e.context(finish)),
            },
        }
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

/// Add what to do next to a failure: run again with the checkpoint, resume
/// stdout with `--last`, or know that `-o` was left untouched.
fn with_next_step(
    err: anyhow::Error,
    cfg: &Config,
    summary: &Summary,
    atomic: bool,
) -> anyhow::Error {
    let written = match summary.pages {
        0 => String::new(),
        _ => format!(
            "{} in {} were written; ",
            plural(summary.rows, "row"),
            plural(summary.pages, "page")
        ),
    };
    let hint = if let Some(checkpoint) = &cfg.checkpoint {
        format!(
            "{written}run the same command again to continue from --checkpoint {}",
            checkpoint.display()
        )
    } else if atomic {
        let dest = cfg.output.as_deref().unwrap_or(Path::new(""));
        format!(
            "-o {} was left as it was; run the same command again (add --checkpoint FILE to keep \
             progress across failures)",
            dest.display()
        )
    } else {
        match (&summary.resume, summary.pages) {
            (Some(cursor), 1..) => format!("{written}resume right after them with --last {cursor}"),
            _ => return err,
        }
    };
    match err.downcast::<Failure>() {
        Ok(f) if f.hint.is_some() => f.into(),
        Ok(f) => f.with_hint(hint).into(),
        Err(other) => Failure::new(Class::Other, format!("{other:#}"))
            .with_hint(hint)
            .into(),
    }
}

/// The stderr lines that follow an export (nothing with `--quiet`, except
/// the resume cursor of a `--max-rows` stop, which a script needs).
pub fn report(cfg: &Config, summary: &Summary) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(done) = &summary.already_complete {
        if cfg.verbosity > Verbosity::Quiet {
            lines.push(format!(
                "the export of bulk {} into {} is already complete ({}); pass --restart to export it again",
                done.bulk_id,
                done.output.display(),
                plural(done.rows, "row")
            ));
        }
        return lines;
    }
    if !summary.complete {
        let again = match &cfg.checkpoint {
            Some(_) => "run the same command again to continue, or resume",
            None => "resume",
        };
        match &summary.resume {
            Some(cursor) => lines.push(format!(
                "stopped after {} (--max-rows); {again} right after them with --last {cursor}",
                plural(summary.rows, "row")
            )),
            None => lines.push(format!(
                "stopped after {} (--max-rows); the last row has no id to resume from",
                plural(summary.rows, "row")
            )),
        }
    }
    if cfg.verbosity > Verbosity::Quiet {
        let dest = cfg
            .output
            .as_ref()
            .map(|p| format!(" to {}", p.display()))
            .unwrap_or_default();
        lines.push(format!(
            "{} in {}{dest} ({:.1}s)",
            plural(summary.rows, "row"),
            plural(summary.pages, "page"),
            summary.elapsed.as_secs_f64()
        ));
    }
    lines
}

fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}
