//! The export itself: pages from the paginator go, whole, through the
//! writer into stdout or a temporary file that replaces `-o` on success.
//! A failure after some pages were written says where to resume.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use tempfile::TempPath;

use crate::api::Api;
use crate::config::{Config, Verbosity};
use crate::exit::{is_broken_pipe, Class, Failure};
use crate::output::{self, Layout, Row, RowWriter};
use crate::paginate::{Paginator, Plan};

/// Output buffer size: large writes, few syscalls.
const BUFFER: usize = 256 * 1024;

/// What an export did.
#[derive(Debug, Default)]
pub struct Summary {
    pub rows: u64,
    pub pages: u64,
    /// Cursor that resumes right after the last row written.
    pub resume: Option<String>,
    /// Whether every page was fetched (false when `--max-rows` stopped early).
    pub complete: bool,
    pub elapsed: Duration,
}

/// Where rows go.
enum Sink {
    Stdout(io::Stdout),
    /// A temporary file beside the destination, renamed over it on success.
    File(File),
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Sink::Stdout(s) => s.write(buf),
            Sink::File(f) => f.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Sink::Stdout(s) => s.write_all(buf),
            Sink::File(f) => f.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Sink::Stdout(s) => s.flush(),
            Sink::File(f) => f.flush(),
        }
    }
}

/// An `-o` file being written: the temporary path and where it goes.
struct Pending {
    temp: TempPath,
    dest: PathBuf,
}

fn open_sink(output: Option<&Path>) -> Result<(BufWriter<Sink>, Option<Pending>)> {
    let Some(dest) = output else {
        return Ok((
            BufWriter::with_capacity(BUFFER, Sink::Stdout(io::stdout())),
            None,
        ));
    };
    let dir = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temp = tempfile::Builder::new()
        .prefix(&format!(".{name}."))
        .suffix(".partial")
        .tempfile_in(dir)
        .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
    let (file, temp) = temp.into_parts();
    let sink = BufWriter::with_capacity(BUFFER, Sink::File(file));
    Ok((
        sink,
        Some(Pending {
            temp,
            dest: dest.to_path_buf(),
        }),
    ))
}

fn finish_sink(sink: BufWriter<Sink>, pending: Option<Pending>) -> Result<()> {
    let sink = sink.into_inner().map_err(|e| e.into_error())?;
    if let (Sink::File(file), Some(pending)) = (sink, pending) {
        file.sync_all()?;
        drop(file);
        pending
            .temp
            .persist(&pending.dest)
            .map_err(|e| e.error)
            .with_context(|| {
                format!(
                    "cannot move the export into place at {}",
                    pending.dest.display()
                )
            })?;
    }
    Ok(())
}

/// Fetch every page of `cfg.bulk_id` and write it out.
pub async fn export(cfg: &Config) -> Result<Summary> {
    let started = Instant::now();
    let api = Arc::new(Api::new(
        cfg.conn.clone(),
        cfg.timeout,
        cfg.lang.clone(),
        cfg.verbosity == Verbosity::Verbose,
    )?);
    let (mut sink, pending) = open_sink(cfg.output.as_deref())?;
    let layout = Layout {
        columns: cfg.columns.clone(),
        header: cfg.header,
        width: cfg.table_width,
    };
    let mut summary = Summary {
        resume: cfg.last.clone(),
        ..Summary::default()
    };
    let outcome = {
        let mut writer = output::writer(cfg.format, &mut sink, layout);
        let outcome = write_pages(cfg, api, writer.as_mut(), &mut summary).await;
        // Close the output even after a failed page, so stdout stays well-formed.
        match outcome {
            Ok(()) => writer.finish().map_err(anyhow::Error::from),
            Err(e) if is_broken_pipe(&e) || pending.is_some() || summary.pages == 0 => Err(e),
            Err(e) => match writer.finish() {
                Ok(()) => Err(e),
                Err(finish) => Err(e.context(finish)),
            },
        }
    };
    summary.elapsed = started.elapsed();
    match outcome {
        Ok(()) => {
            finish_sink(sink, pending)?;
            Ok(summary)
        }
        Err(e) if is_broken_pipe(&e) => Err(e),
        Err(e) => {
            let partial = pending.is_some();
            drop(pending); // removes the temporary file; -o keeps what it held
            Err(with_resume_hint(e, cfg, &summary, partial))
        }
    }
}

async fn write_pages(
    cfg: &Config,
    api: Arc<Api>,
    writer: &mut dyn RowWriter,
    summary: &mut Summary,
) -> Result<()> {
    let plan = Plan {
        bulk_id: cfg.bulk_id.clone(),
        page_size: cfg.page_size,
        failed_only: cfg.failed_only,
        start: cfg.last.clone(),
        max_rows: cfg.max_rows,
    };
    let mut pages = Paginator::new(api, plan).spawn();
    while let Some(page) = pages.recv().await {
        let page = page?;
        let raw = page.raw_rows();
        let rows = raw
            .iter()
            .map(|r| Row::parse(r))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| {
                Failure::new(
                    Class::Protocol,
                    format!("page {} of bulk {}: {e}", page.number, cfg.bulk_id),
                )
            })?;
        if summary.pages == 0 {
            // Nothing (not even a CSV header) goes out before the first page.
            writer.begin()?;
        }
        let room = cfg.max_rows.map_or(u64::MAX, |max| max - summary.rows);
        let take = rows.len().min(usize::try_from(room).unwrap_or(usize::MAX));
        for row in &rows[..take] {
            writer.row(row)?;
        }
        writer.end_page()?;
        summary.rows += take as u64;
        summary.pages += 1;
        if take < rows.len() {
            summary.resume = rows[take - 1].id();
            return Ok(());
        }
        summary.resume = page.next.clone();
        if page.next.is_none() {
            summary.complete = true;
            return Ok(());
        }
        if cfg.max_rows.is_some_and(|max| summary.rows >= max) {
            return Ok(());
        }
    }
    Ok(())
}

/// Add to a failure what the user can do next: where to resume on stdout,
/// or that `-o` was left untouched.
fn with_resume_hint(
    err: anyhow::Error,
    cfg: &Config,
    summary: &Summary,
    to_file: bool,
) -> anyhow::Error {
    let hint = if to_file {
        let dest = cfg.output.as_deref().unwrap_or(Path::new(""));
        format!(
            "{} was left as it was; run the same command again",
            dest.display()
        )
    } else if summary.pages == 0 {
        return err;
    } else {
        match &summary.resume {
            Some(cursor) => format!(
                "{} rows were written before the failure; resume right after them with --last {cursor}",
                summary.rows
            ),
            None => return err,
        }
    };
    match err.downcast::<Failure>() {
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
    if !summary.complete {
        match &summary.resume {
            Some(cursor) => lines.push(format!(
                "stopped after {} rows (--max-rows); resume right after them with --last {cursor}",
                summary.rows
            )),
            None => lines.push(format!(
                "stopped after {} rows (--max-rows); the last row has no id to resume from",
                summary.rows
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
