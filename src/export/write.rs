//! Writing one whole page: rows parsed before any is written, a `bulkId`
//! added when several bulks share the output, counted for `--summary`, and,
//! with `--checkpoint`, made durable and recorded before the next page.

use std::path::PathBuf;

use anyhow::Result;
use serde_json::value::RawValue;

use crate::checkpoint::Checkpoint;
use crate::config::{Config, SummaryMode};
use crate::destination::FileHandle;
use crate::exit::{is_broken_pipe, Class, Failure};
use crate::output::{Row, RowWriter};
use crate::paginate::Page;
use crate::summary::Counts;

use super::Outcome;

/// A checkpoint being kept up to date.
pub struct Saved {
    pub path: PathBuf,
    pub state: Checkpoint,
    /// Rows and pages the output held when this run started.
    pub base_rows: u64,
    pub base_pages: u64,
}

/// One run's writing state.
pub struct PageWriter<'a, 'w> {
    pub cfg: &'a Config,
    pub writer: &'a mut (dyn RowWriter + 'w),
    pub file: Option<&'a FileHandle>,
    pub saved: Option<&'a mut Saved>,
    pub summary: &'a mut Outcome,
    pub stats: &'a mut Counts,
    /// Each bulk id as a JSON string, for the `bulkId` field.
    pub bulk_json: &'a [Box<RawValue>],
    /// Whether the output already holds its beginning (a header, `[`).
    pub begun: bool,
}

impl PageWriter<'_, '_> {
    /// Write one whole page of bulk `index`; `Ok(false)` when the export
    /// should stop here (`--max-rows`, or the last page of a single bulk).
    pub fn page(&mut self, index: usize, page: &Page) -> Result<bool> {
        let bulk_id = &self.cfg.bulk_ids[index];
        let raw = page.raw_rows();
        let mut rows = raw
            .iter()
            .map(|r| Row::parse(r))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| {
                Failure::new(
                    Class::Protocol,
                    format!("page {} of bulk {bulk_id}: {e}", page.number),
                )
            })?;
        if self.cfg.many() {
            let all = self.bulk_json;
            let bulk = &all[index];
            rows = rows
                .into_iter()
                .map(|r| r.with_field("bulkId", bulk))
                .collect();
        }
        let writing = self.cfg.summary != SummaryMode::Only;
        if self.summary.pages == 0 && writing {
            // Nothing goes out before the first page has arrived whole: a
            // failed first request leaves no header and no stray bytes.
            if let Some(file) = self.file {
                file.cut_to_start()?;
            }
            self.begin()?;
        }
        let room = self
            .cfg
            .max_rows
            .map_or(u64::MAX, |max| max - self.summary.rows);
        let take = rows.len().min(usize::try_from(room).unwrap_or(usize::MAX));
        for row in &rows[..take] {
            if self.cfg.summary != SummaryMode::Off {
                self.stats.add(row);
            }
            if writing {
                self.writer.row(row)?;
            }
        }
        if writing {
            self.writer.end_page()?;
        }
        self.summary.rows += take as u64;
        self.summary.pages += 1;
        if let Some(outcome) = self.summary.bulks.get_mut(index) {
            outcome.rows += take as u64;
            outcome.pages += 1;
            outcome.complete = page.next.is_none();
        }
        let cut = take < rows.len();
        self.summary.resume = if cut {
            rows[take - 1].id()
        } else {
            page.next.clone()
        };
        self.save_progress()?;
        if self.cfg.many() {
            return Ok(true);
        }
        self.summary.complete = !cut && page.next.is_none();
        let stop = cut
            || self.summary.complete
            || self
                .cfg
                .max_rows
                .is_some_and(|max| self.summary.rows >= max);
        Ok(!stop)
    }

    fn begin(&mut self) -> Result<()> {
        if !self.begun {
            self.writer.begin()?;
            self.begun = true;
        }
        Ok(())
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

    /// Write the `--summary-only` rows.
    fn write_summary(&mut self) -> Result<()> {
        let rows: Vec<Box<RawValue>> = self
            .stats
            .as_rows()
            .iter()
            .map(serde_json::value::to_raw_value)
            .collect::<Result<_, _>>()?;
        self.begin()?;
        for raw in &rows {
            self.writer.row(&Row::parse(raw.get())?)?;
        }
        self.writer.end_page()?;
        Ok(())
    }

    /// Close the output after the loop: always on success; after a failure
    /// only if this run wrote something, so stdout and a checkpointed file
    /// stay well-formed (a JSON array gets its `]`).
    pub fn close(&mut self, outcome: Result<()>) -> Result<()> {
        match outcome {
            Ok(()) => {
                if self.cfg.summary == SummaryMode::Only {
                    self.write_summary()?;
                }
                self.begin()?;
                Ok(self.writer.finish()?)
            }
            Err(e)
                if is_broken_pipe(&e)
                    || self.summary.pages == 0
                    || self.cfg.summary == SummaryMode::Only =>
            {
                Err(e)
            }
            Err(e) => match self.writer.finish() {
                Ok(()) => Err(e),
                Err(finish) => Err(e.context(finish)),
            },
        }
    }
}
