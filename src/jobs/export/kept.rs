//! `-o PATH` never throws work away: an export that is interrupted or fails
//! keeps the whole pages it wrote in `.NAME.druid-bulk.partial` beside PATH,
//! with `.NAME.druid-bulk.state` saying what they hold (a [`Checkpoint`]),
//! and the same command run again continues from there; PATH is replaced
//! only once the export is complete (`destination/kept.rs` has the files).
//!
//! - The state holds every resolved setting that changes the output's bytes
//!   or rows ([`super::checkpoint::Settings`]); a run with other settings,
//!   or `--restart`, starts over, with a note when rows are dropped.
//! - Only what was made durable is recorded as kept: the state is saved
//!   when a sync in the background has covered a page (every 8 MiB), and
//!   after a final sync when the run ends without completing. No page waits
//!   for a sync of its own.
//! - Before continuing, the last row kept of each bulk is asked for again
//!   (`last=` the row before it, `limit=1`): unless it comes back byte for
//!   byte, the report changed or expired, and the export starts over.
//! - The state file stays locked for the run: a second run on the same
//!   PATH while one runs writes a temporary file of its own, as without
//!   a kept pair. A pair last saved more than [`MAX_AGE`] ago is removed.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom, Write};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use anyhow::{Context, Result};

use super::checkpoint::{Checkpoint, LastRow};
use crate::api::Api;
use crate::destination::{self, create_private, open_private, FileHandle, KeptPair};
use crate::exit::{self, Class};
use crate::output::Format;
use crate::paginate::{Paginator, Plan};
use crate::settings::Results;
use crate::{summary, ui};

/// How long a kept pair waits for its command to be run again: one last
/// saved earlier is removed, with a note, by the next run on its output.
pub const MAX_AGE: Duration = Duration::from_secs(7 * 24 * 60 * 60);

/// What a run that cannot take up the pair does instead.
const KEEPS_NOTHING: &str =
    "this run writes a temporary file of its own and keeps nothing if it is interrupted";

/// The pair this run keeps, its state file open and locked until it ends.
pub struct Kept {
    pub pair: KeptPair,
    state: File,
    /// The partial file, until the destination takes it.
    pub partial: Option<File>,
    /// Rows and bytes the state file records: what the partial file holds
    /// durably, as far as anyone will know after this run.
    pub saved: (u64, u64),
    /// The state as of the last page a sync in the background covers, and
    /// where that page ends: saved once that sync is done.
    pending: Option<(u64, Checkpoint)>,
}

/// Whether this export keeps what it wrote beside `-o`: a regular file, not
/// `--checkpoint` (which continues `-o` itself), nor a table (laid out from
/// its first page), nor `--summary-only` (written at the end), nor `submit
/// --export`.
pub fn keeps(settings: &Results) -> bool {
    let (export, output) = (&settings.export, &settings.output);
    output
        .path
        .as_deref()
        .is_some_and(|path| !destination::is_stream(path))
        && export.keep.is_some()
        && export.checkpoint.is_none()
        && output.format != Format::Table
        && export.summary != summary::Mode::Only
}

/// Take up the pair kept beside `-o` for this export, or start a new one:
/// the pair, locked for this run, and the state to continue from (fresh
/// when there is nothing to continue; a note says why when rows kept are
/// dropped). `None` when this run keeps nothing: another run holds the
/// pair, or it cannot be used (a note says which).
pub fn load(settings: &Results) -> Result<Option<(Kept, Checkpoint)>> {
    let Some(path) = settings.output.path.as_deref().filter(|_| keeps(settings)) else {
        return Ok(None);
    };
    let pair = KeptPair::of(path);
    let Some(state_file) = lock(&pair, path) else {
        return Ok(None);
    };
    let fresh = Checkpoint::start(settings)?;
    let text =
        read(&state_file).with_context(|| format!("cannot read {}", pair.state.display()))?;
    let old = match Checkpoint::from_state(&text) {
        Ok(old) => old,
        Err(why) => {
            ui::note(format_args!(
                "{} {why}; starting over",
                pair.state.display()
            ));
            None
        }
    };
    let continued = old.and_then(|old| continue_from(old, &fresh, &pair, settings));
    let new = continued.is_none();
    let (state, partial) = match continued {
        Some(continued) => continued,
        None => match start_over(&pair) {
            Some(partial) => (fresh, partial),
            None => return Ok(None),
        },
    };
    let mut kept = Kept {
        pair,
        state: state_file,
        partial: Some(partial),
        saved: (state.rows, state.output_bytes),
        pending: None,
    };
    if new {
        if let Err(e) = kept.write(&state) {
            // The temporary file may fare no better: its error speaks then.
            ui::verbose(format_args!("{e:#}; {KEEPS_NOTHING}"));
            kept.pair.remove();
            return Ok(None);
        }
    }
    Ok(Some((kept, state)))
}

/// The state file of `pair`, opened (or created) and locked; `None`, with a
/// note, when another run holds it or it is not ours to take up.
fn lock(pair: &KeptPair, path: &std::path::Path) -> Option<File> {
    // A run that just ended may remove the file between our open and our
    // lock; then the lock is on a file nobody else will open: try again.
    for _ in 0..100 {
        let file = match open_private(&pair.state) {
            Ok(Some(file)) => file,
            Ok(None) => match create_private(&pair.state) {
                Ok(file) => file,
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                // The temporary file cannot be created either: that error says so.
                Err(_) => return None,
            },
            Err(e) => {
                ui::note(format_args!(
                    "not taking up {}: {e}; {KEEPS_NOTHING} (remove it to keep progress)",
                    pair.state.display()
                ));
                return None;
            }
        };
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                ui::note(format_args!(
                    "another druid-bulk run is exporting to -o {} (it holds {}); {KEEPS_NOTHING}",
                    path.display(),
                    pair.state.display()
                ));
                return None;
            }
            Err(std::fs::TryLockError::Error(e)) => {
                ui::note(format_args!(
                    "cannot lock {}: {e}; {KEEPS_NOTHING}",
                    pair.state.display()
                ));
                return None;
            }
        }
        if destination::still_named(&file, &pair.state) {
            return Some(file);
        }
    }
    None
}

/// The state and partial file to continue, if `old` may be continued by a
/// run with `fresh`'s settings; else `None`, with a note when it kept rows.
fn continue_from(
    old: Checkpoint,
    fresh: &Checkpoint,
    pair: &KeptPair,
    settings: &Results,
) -> Option<(Checkpoint, File)> {
    let partial = pair.partial.display();
    let dropped = |why: String| {
        if old.rows > 0 {
            ui::note(format_args!("{why}; starting over"));
        }
        None
    };
    if settings.export.restart {
        return None;
    }
    let cutoff = SystemTime::now().checked_sub(MAX_AGE);
    if pair
        .saved_at()
        .zip(cutoff)
        .is_some_and(|(at, cutoff)| at < cutoff)
    {
        if old.rows == 0 {
            return None;
        }
        ui::note(format_args!(
            "removed {partial} and {}, kept by an export to -o {} interrupted more than {} days \
             ago",
            pair.state.display(),
            settings
                .output
                .path
                .as_deref()
                .unwrap_or(&pair.dest)
                .display(),
            MAX_AGE.as_secs() / 86_400
        ));
        return None;
    }
    if let Some(what) = old.difference(fresh, true) {
        return dropped(format!(
            "{partial} was kept by a run with other settings ({what})"
        ));
    }
    match open_private(&pair.partial) {
        Ok(Some(file)) if file.metadata().is_ok_and(|m| m.len() >= old.output_bytes) => {
            Some((old, file))
        }
        Ok(Some(_)) => dropped(format!("{partial} is shorter than its state says")),
        Ok(None) => dropped(format!("{partial} is gone")),
        Err(e) => dropped(format!("not taking up {partial}: {e}")),
    }
}

/// A new, empty partial file, in place of whatever had its name (the state
/// file is locked: no other run uses it); `None`, with a note, when it
/// cannot be made.
fn start_over(pair: &KeptPair) -> Option<File> {
    let made = match std::fs::remove_file(&pair.partial) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => create_private(&pair.partial),
    };
    match made {
        Ok(file) => Some(file),
        Err(e) => {
            ui::note(format_args!(
                "cannot create {}: {e}; {KEEPS_NOTHING}",
                pair.partial.display()
            ));
            None
        }
    }
}

fn read(mut file: &File) -> std::io::Result<Vec<u8>> {
    let mut text = Vec::new();
    file.seek(SeekFrom::Start(0))?;
    file.read_to_end(&mut text)?;
    Ok(text)
}

/// Why the rows kept can no longer be continued, if they cannot: each
/// bulk's last row kept is asked for again (`last=` the row before it,
/// `limit=1`) and must come back byte for byte. A bulk that is not found
/// any more has expired; any other failure is the run's (the pair stays).
pub async fn changed(
    api: &Arc<Api>,
    settings: &Results,
    state: &Checkpoint,
) -> Result<Option<String>> {
    let bulks: Vec<(&str, u64, Option<&LastRow>)> = match state.bulks.as_slice() {
        [] => vec![(&state.bulk_id, state.rows, state.last_row.as_ref())],
        many => (many.iter())
            .map(|b| (b.id.as_str(), b.rows, b.last_row.as_ref()))
            .collect(),
    };
    for (bulk, _, last) in bulks.into_iter().filter(|(_, rows, _)| *rows > 0) {
        let Some(last) = last else {
            return Ok(Some(format!(
                "the last row kept of bulk {bulk} has no id to ask for it again"
            )));
        };
        let plan = Plan {
            page_size: 1,
            ..super::plan(settings, bulk, last.asked_with.clone())
        };
        let mut pages = Paginator::new(api.clone(), plan, settings.request.clock());
        let row = loop {
            match pages.next_page().await {
                // A filtering server may send empty pages first.
                Ok(Some(page)) if page.row_count() == 0 && page.next.is_some() => {}
                Ok(Some(page)) => break page.raw_rows().next().map(<[u8]>::to_vec),
                Ok(None) => break None,
                Err(e) if exit::class(&e) == Class::NotFound => {
                    return Ok(Some(format!("bulk {bulk} is not found any more")));
                }
                Err(e) => return Err(e),
            }
        };
        if row.as_deref() != Some(last.row.as_bytes()) {
            return Ok(Some(format!(
                "the last row kept of bulk {bulk} is not the same now"
            )));
        }
    }
    Ok(None)
}

impl Kept {
    /// Start over after all: nothing is kept any more.
    pub fn start_over(&mut self, fresh: &Checkpoint) -> Result<()> {
        self.pending = None;
        // Whatever happens next, nothing is kept any more (a state left
        // saying otherwise is refused: the partial file is shorter).
        self.saved = (0, 0);
        if let Some(partial) = &self.partial {
            partial.set_len(0)?;
        }
        self.write(fresh)
    }

    /// A page was written (`state` counts it) and flushed to `file`: save
    /// the state of the page a finished sync covered, and remember this one
    /// if the sync just started in the background ends on it.
    pub fn page_done(&mut self, state: &Checkpoint, file: &FileHandle) {
        let (durable, syncing) = file.durable();
        self.save_durable(durable);
        if syncing == file.end_offset() {
            self.pending = Some((syncing, state.clone()));
        }
        self.save_durable(durable);
    }

    /// Save the state remembered, if `durable` covers it. A save that fails
    /// leaves the last one, which never claims more than is there; the
    /// export goes on.
    fn save_durable(&mut self, durable: u64) {
        if let Some((_, state)) = self.pending.take_if(|(end, _)| *end <= durable) {
            if let Err(e) = self.write(&state) {
                ui::verbose(format_args!("{e:#}"));
            }
        }
    }

    /// The run ends without completing: make what was written durable and
    /// record it all (`state`), as far as that works. With no row kept,
    /// nothing is kept at all.
    pub fn keep(&mut self, state: &Checkpoint, file: Option<&FileHandle>) {
        if let Some(file) = file {
            if file.sync().is_ok() {
                let _ = self.write(state);
            }
        }
        if self.saved.0 == 0 {
            self.pair.remove();
        }
    }

    /// The export is complete and in place: the state goes.
    pub fn done(&self) {
        let _ = std::fs::remove_file(&self.pair.state);
    }

    /// What a bug wrote is not continued: the pair goes.
    pub fn discard(&mut self) {
        self.pair.remove();
        self.saved = (0, 0);
    }

    /// Save `state` in place, durably: the file keeps its lock. A save cut
    /// short by a forced exit leaves a record that does not parse, and the
    /// next run starts over; one that did not cut the old tail off still
    /// reads (`Checkpoint::from_state`).
    fn write(&mut self, state: &Checkpoint) -> Result<()> {
        let mut text = serde_json::to_vec_pretty(state)?;
        text.push(b'\n');
        let saved = (|| {
            let mut file = &self.state;
            file.seek(SeekFrom::Start(0))?;
            file.write_all(&text)?;
            self.state.set_len(text.len() as u64)?;
            self.state.sync_data()
        })();
        saved.with_context(|| format!("cannot save {}", self.pair.state.display()))?;
        self.saved = (state.rows, state.output_bytes);
        Ok(())
    }
}

impl Drop for Kept {
    /// A panic that unwinds through the export (the writer's, or a sync's
    /// seen by the writer) leaves nothing to continue either.
    fn drop(&mut self) {
        if std::thread::panicking() || crate::bug::panicked() {
            self.discard();
        }
    }
}
