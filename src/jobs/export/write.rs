//! Writing one whole page, checked when it arrived: rows parsed and written
//! one at a time (nothing kept per row), a `bulkId`
//! added when several bulks share the output, counted for `--summary`, and,
//! with `--checkpoint`, made durable and recorded before the next page (for
//! the pair kept beside `-o`, recorded once a sync has made it durable).

use std::path::PathBuf;

use anyhow::Result;
use serde_json::value::RawValue;

use super::checkpoint::{Checkpoint, LastRow, Lock};
use super::kept::Kept;
use crate::exit::is_broken_pipe;
use crate::output::{Row, RowWriter};
use crate::paginate::Page;
use crate::settings::Results;
use crate::summary;
use crate::ui;

use super::{BulkOutcome, Exporter};

/// A checkpoint being kept up to date: `--checkpoint`'s, or the state of
/// the pair kept beside `-o`.
pub struct Saved {
    /// The checkpoint file, or the kept state file.
    pub path: PathBuf,
    pub state: Checkpoint,
    /// Rows and pages the output held when this run started.
    pub base_rows: u64,
    pub base_pages: u64,
    pub store: Store,
}

/// Where a checkpoint is kept, and what holds it for this run alone.
pub enum Store {
    /// `--checkpoint PATH`, locked through `PATH.lock`.
    Checkpoint { _lock: Lock },
    /// Beside `-o`, its state file locked.
    Kept(Box<Kept>),
}

impl Saved {
    /// The pair kept beside `-o`, if that is where this checkpoint is kept.
    pub fn kept(&self) -> Option<&Kept> {
        match &self.store {
            Store::Kept(kept) => Some(kept),
            Store::Checkpoint { .. } => None,
        }
    }

    /// Rows of earlier runs that count toward `--max-rows`: a kept export
    /// is continued to the same end as one never interrupted, where each
    /// run on a `--checkpoint` exports up to `--max-rows` more.
    pub fn counted_before(&self) -> u64 {
        self.kept().map_or(0, |_| self.base_rows)
    }
}

impl Exporter<'_> {
    /// Write one whole page of bulk `index`; `Ok(false)` when the export
    /// should stop here (`--max-rows`, or the last page of a single bulk).
    pub(super) fn page(
        &mut self,
        writer: &mut (dyn RowWriter + '_),
        index: usize,
        page: &Page,
    ) -> Result<bool> {
        crate::bug::point("writer");
        let writing = self.export.summary != summary::Mode::Only;
        if self.outcome.pages == 0 && writing {
            // Nothing goes out before the first page has arrived whole: a
            // failed first request leaves no header and no stray bytes.
            if let Some(file) = &self.file {
                file.cut_to_start()?;
            }
            Self::begin(&mut self.begun, writer)?;
        }
        let before = self.saved.as_ref().map_or(0, Saved::counted_before);
        let room = (self.export.max_rows).map_or(u64::MAX, |max| {
            max.saturating_sub(before + self.outcome.rows)
        });
        let count = page.row_count();
        let take = count.min(usize::try_from(room).unwrap_or(usize::MAX));
        let cut = take < count;
        // A cut must leave a cursor to resume from: it falls right after the
        // last row, among those allowed, that has an id (if none has, before
        // the page). Its rows may be fewer than --max-rows; report.rs says so.
        let (take, resume) = if cut {
            resume_point(page, take)
        } else {
            (take, page.next.clone())
        };
        // What asks for the last row written again, for a kept export to
        // check before it continues.
        let last_row = (take > 0 && self.saved.as_ref().is_some_and(|s| s.kept().is_some()))
            .then(|| last_row(page, take));
        let bulk = self.export.many().then(|| &*self.bulk_json[index]);
        // One row at a time, written as it lies in the body: nothing is
        // kept per row. Every row was checked to be an object when the page
        // arrived, so none fails here after others of the page went out; its
        // fields are split only for a format or a summary that reads them.
        for raw in page.raw_rows().take(take) {
            let mut row = Row::checked(raw);
            if let Some(bulk) = bulk {
                row = row.with_field("bulkId", bulk);
                if let Some(received) = row.replaced() {
                    replaced_bulk_id(&mut self.outcome.bulks, index, received);
                }
            }
            if self.export.summary != summary::Mode::Off {
                self.counts.add(&row);
            }
            if writing {
                writer.row(&row)?;
            }
        }
        if writing {
            writer.end_page()?;
        }
        self.outcome.rows += take as u64;
        self.outcome.pages += 1;
        self.outcome.empty_pages += u64::from(count == 0);
        self.outcome.resume = resume;
        if let Some(outcome) = self.outcome.bulks.get_mut(index) {
            outcome.rows += take as u64;
            outcome.pages += 1;
            outcome.complete = !cut && page.next.is_none();
            outcome.resume = self.outcome.resume.clone();
        }
        self.save_progress(index, take as u64, last_row)?;
        if self.export.many() {
            return Ok(true);
        }
        self.outcome.complete = !cut && page.next.is_none();
        let stop = cut
            || self.outcome.complete
            || (self.export.max_rows).is_some_and(|max| before + self.outcome.rows >= max);
        Ok(!stop)
    }

    /// Write the output's beginning (a header, `[`) unless it holds one.
    fn begin(begun: &mut bool, writer: &mut (dyn RowWriter + '_)) -> Result<()> {
        if !*begun {
            writer.begin()?;
            *begun = true;
        }
        Ok(())
    }

    /// Record the page of bulk `index` (`rows` rows, and `last_row` if it
    /// had any) in the checkpoint: made durable first with `--checkpoint`;
    /// kept beside `-o`, recorded on disk once a sync has covered it.
    fn save_progress(
        &mut self,
        index: usize,
        rows: u64,
        last_row: Option<Option<LastRow>>,
    ) -> Result<()> {
        let (Some(saved), Some(file)) = (self.saved.as_mut(), &self.file) else {
            return Ok(());
        };
        if let Store::Checkpoint { .. } = saved.store {
            file.sync()?;
        }
        let state = &mut saved.state;
        if let (Some(bulk), Some(done)) =
            (state.bulks.get_mut(index), self.outcome.bulks.get(index))
        {
            bulk.cursor = done.resume.clone();
            bulk.rows += rows;
            bulk.pages += 1;
            bulk.complete = done.complete;
            if let Some(last) = last_row.clone() {
                bulk.last_row = last;
            }
        }
        if let (Some(last), true) = (last_row, state.bulks.is_empty()) {
            state.last_row = last;
        }
        state.cursor = self.outcome.resume.clone();
        state.rows = saved.base_rows + self.outcome.rows;
        state.pages = saved.base_pages + self.outcome.pages;
        state.output_bytes = file.end_offset();
        match &mut saved.store {
            Store::Checkpoint { .. } => saved.state.save(&saved.path),
            Store::Kept(kept) => {
                kept.page_done(&saved.state, file);
                Ok(())
            }
        }
    }

    /// Write the `--summary-only` rows.
    fn write_summary(&mut self, writer: &mut (dyn RowWriter + '_)) -> Result<()> {
        let rows: Vec<Box<RawValue>> = self
            .counts
            .as_rows()
            .iter()
            .map(serde_json::value::to_raw_value)
            .collect::<Result<_, _>>()?;
        Self::begin(&mut self.begun, writer)?;
        crate::output::write_page(writer, &rows)
    }

    /// Close the output after the loop: always on success; after a failure
    /// only if this run wrote something, so stdout and a checkpointed file
    /// stay well-formed (a JSON array gets its `]`).
    pub(super) fn close(
        &mut self,
        writer: &mut (dyn RowWriter + '_),
        result: Result<()>,
    ) -> Result<()> {
        match result {
            Ok(()) => {
                if self.export.summary == summary::Mode::Only {
                    self.write_summary(writer)?;
                }
                Self::begin(&mut self.begun, writer)?;
                Ok(writer.finish()?)
            }
            Err(e)
                if is_broken_pipe(&e)
                    || self.outcome.pages == 0
                    || self.export.summary == summary::Mode::Only =>
            {
                Err(e)
            }
            Err(e) => match writer.finish() {
                Ok(()) => Err(e),
                // A full disk fails the close as it failed the page: say it once.
                Err(finish) if e.chain().any(|c| c.to_string() == finish.to_string()) => Err(e),
                Err(finish) => Err(e.context(finish)),
            },
        }
    }
}

/// Say once per bulk that its rows carry a `bulkId` (`received`, JSON
/// text) other than the bulk asked for, which replaces it.
fn replaced_bulk_id(bulks: &mut [BulkOutcome], index: usize, received: &[u8]) {
    let Some(bulk) = bulks.get_mut(index) else {
        return;
    };
    let same = serde_json::from_slice::<String>(received)
        .is_ok_and(|id| id.eq_ignore_ascii_case(&bulk.id));
    if !same && !bulk.other_bulk_id {
        bulk.other_bulk_id = true;
        ui::replaced_bulk_id(&bulk.id, &String::from_utf8_lossy(received));
    }
}

/// Where a page cut after `take` rows can stop so that it resumes exactly:
/// after the last of those rows whose id can be sent back as a cursor (and
/// that row's id), else before the page (and the cursor that asked for it).
fn resume_point(page: &Page, take: usize) -> (usize, Option<String>) {
    let last = (page.raw_rows().take(take).enumerate())
        .filter_map(|(n, raw)| Some((n + 1, Row::checked(raw).id()?)))
        .filter(|(_, id)| is_cursor(id))
        .last();
    match last {
        Some((rows, id)) => (rows, Some(id)),
        None => (0, page.sent.clone()),
    }
}

/// The last of the first `take` rows of `page` (at least one), and the
/// cursor that asks for it: the id of the row before it, or the cursor that
/// asked for the page. `None` when the row before it has no id to send.
fn last_row(page: &Page, take: usize) -> Option<LastRow> {
    let mut rows = page.raw_rows().take(take).skip(take.saturating_sub(2));
    let (before, last) = match (rows.next(), rows.next()) {
        (Some(before), Some(last)) => (Some(before), last),
        (Some(last), None) => (None, last),
        _ => return None,
    };
    let asked_with = match before {
        Some(before) => Some(Row::checked(before).id().filter(|id| is_cursor(id))?),
        None => page.sent.clone(),
    };
    Some(LastRow {
        asked_with,
        row: String::from_utf8_lossy(last).into_owned(),
    })
}

/// Whether a row id can be sent back as `--last` (as that flag is checked).
fn is_cursor(id: &str) -> bool {
    !id.is_empty() && !id.chars().any(char::is_control)
}

/// The checkpoint to continue, or a fresh one; `None` without `--checkpoint`.
pub(super) fn load_checkpoint(settings: &Results) -> Result<Option<Saved>> {
    let (export, output) = (&settings.export, &settings.output);
    let (Some(path), Some(out)) = (&export.checkpoint, &output.path) else {
        return Ok(None);
    };
    let lock_file = Lock::path_for(path);
    if std::path::absolute(&lock_file)? == std::path::absolute(out)? {
        // The lock file is removed after the run: it cannot be the output.
        return crate::exit::usage(format!(
            "-o {} is the lock file of --checkpoint {}; name another output",
            out.display(),
            path.display()
        ));
    }
    let lock = Lock::acquire(path)?;
    let fresh = Checkpoint::start(settings)?;
    let state = match Checkpoint::load(path)? {
        Some(old) if !export.restart => {
            old.check_same_export(&fresh, path)?;
            if export.last.is_some() && old.pages > 0 {
                return crate::exit::usage(format!(
                    "--last conflicts with --checkpoint {}, which resumes on its own; \
                     drop --last, or pass --restart to start over from --last",
                    path.display()
                ));
            }
            if old.complete {
                old.check_complete_output(path)?;
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
        store: Store::Checkpoint { _lock: lock },
    }))
}

/// The pair kept beside `-o` to continue, or a new one; `None` when this
/// export keeps nothing (see `kept.rs`).
pub(super) fn load_kept(settings: &Results) -> Result<Option<Saved>> {
    let Some((kept, state)) = super::kept::load(settings)? else {
        return Ok(None);
    };
    Ok(Some(Saved {
        path: kept.pair.state.clone(),
        base_rows: state.rows,
        base_pages: state.pages,
        state,
        store: Store::Kept(Box::new(kept)),
    }))
}
