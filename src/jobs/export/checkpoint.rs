//! `--checkpoint`: the progress of an export into `-o`, saved after every
//! page so that the same command, run again after a failure, Ctrl-C or
//! `kill -9`, continues exactly where the output ends.
//!
//! The checkpoint records the output's length after the last whole page. On
//! resume the output is cut back to that length before anything is
//! appended, so rows written after the last save (a page whose checkpoint
//! never made it to disk, a closing `]`) are written once, not twice.
//!
//! One run at a time: [`Lock`] holds an exclusive lock on `PATH.lock` beside
//! the checkpoint for the whole run. The checkpoint itself cannot carry the
//! lock, since every save renames a new file over it.
//!
//! The same record is the state an export to `-o` keeps beside it when it is
//! interrupted (`kept.rs`): there it also holds every setting that changes
//! the output's bytes or rows ([`Settings`]), and the last row kept, which
//! is asked again before continuing.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::exit::{usage, Failure};
use crate::output::Format;
use crate::settings::Results;

mod settings;

use settings::{layout_differences, layout_key};
pub use settings::{LastRow, Settings};

/// Bumped when the file's meaning changes. Version 2 added `bulks`; a
/// version 1 file (one bulk, no `bulks`) means the same and is read as is.
/// Version 3 added `settings` and `lastRow`, which a version 2 file lacks:
/// its output options are then not checked.
const VERSION: u32 = 3;

/// What is saved after each page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Checkpoint {
    pub version: u32,
    pub bulk_id: String,
    /// Absolute path of the output file.
    pub output: PathBuf,
    pub format: String,
    pub failed_only: bool,
    /// The columns of CSV and TSV, and of JSON with `--columns` (they
    /// shape every record, so they may not change).
    pub columns: Vec<String>,
    /// CSV for Excel (`--excel`): its line ends may not change half-way.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub excel: bool,
    /// CSV's `--delimiter`, when it is not a comma.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delimiter: Option<String>,
    /// The `last` cursor that continues after the last row written.
    pub cursor: Option<String>,
    pub rows: u64,
    pub pages: u64,
    /// Length of the output after the last whole page.
    pub output_bytes: u64,
    pub complete: bool,
    /// With several bulks: each one's progress (the fields above then hold
    /// the totals, and `bulkId` the first bulk).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bulks: Vec<BulkState>,
    /// What else the output's bytes and rows depend on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub settings: Option<Settings>,
    /// One bulk, kept beside `-o`: its last row written, to check it is still
    /// there before continuing (`None` with rows: it cannot be asked again).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_row: Option<LastRow>,
}

/// One bulk's progress in a checkpoint of several.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BulkState {
    pub id: String,
    /// The `last` cursor that continues this bulk after its last row written.
    pub cursor: Option<String>,
    pub rows: u64,
    pub pages: u64,
    pub complete: bool,
    /// Kept beside `-o`: see [`Checkpoint::last_row`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_row: Option<LastRow>,
}

impl Checkpoint {
    /// A fresh checkpoint for this run's settings (nothing written yet).
    pub fn start(settings: &Results) -> Result<Checkpoint> {
        let (export, output) = (&settings.export, &settings.output);
        let path = output.path.as_deref().unwrap_or(Path::new(""));
        Ok(Checkpoint {
            version: VERSION,
            bulk_id: export.bulk_id().to_string(),
            output: std::path::absolute(path)?,
            format: output.format.name().to_string(),
            failed_only: export.failed_only,
            columns: output.layout.columns_of(output.format).to_vec(),
            excel: output.layout.excel,
            delimiter: Some(output.layout.delimiter)
                .filter(|d| output.format == Format::Csv && *d != b',')
                .map(|d| char::from(d).to_string()),
            cursor: export.last.clone(),
            rows: 0,
            pages: 0,
            output_bytes: 0,
            complete: false,
            bulks: match export.bulk_ids.as_slice() {
                [_] => Vec::new(),
                many => (many.iter())
                    .map(|id| BulkState {
                        id: id.clone(),
                        cursor: None,
                        rows: 0,
                        pages: 0,
                        complete: false,
                        last_row: None,
                    })
                    .collect(),
            },
            settings: Some(Settings {
                version: env!("DRUID_BULK_VERSION").to_string(),
                origin: export.keep.clone(),
                lang: settings.request.lang.clone(),
                start: export.last.clone(),
                max_rows: export.max_rows,
                layout: layout_key(output.format, &output.layout),
            }),
            last_row: None,
        })
    }

    /// The bulk ids this checkpoint is for, as people read them.
    pub fn bulk_ids(&self) -> String {
        match self.bulks.as_slice() {
            [] => self.bulk_id.clone(),
            many => (many.iter().map(|b| b.id.as_str()))
                .collect::<Vec<_>>()
                .join(" "),
        }
    }

    /// Read a saved checkpoint; `None` when there is none.
    pub fn load(path: &Path) -> Result<Option<Checkpoint>> {
        let text = match std::fs::read(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return usage(format!("cannot read --checkpoint {}: {e}", path.display())),
        };
        let mut saved: Checkpoint = serde_json::from_slice(&text).map_err(|e| {
            Failure::usage(format!(
                "--checkpoint {} is not a druid-bulk checkpoint ({e}); delete it or pass --restart",
                path.display()
            ))
        })?;
        if !(1..=VERSION).contains(&saved.version) {
            return usage(format!(
                "--checkpoint {} was written by another version of druid-bulk; pass --restart",
                path.display()
            ));
        }
        saved.version = VERSION;
        Ok(Some(saved))
    }

    /// Read the state kept beside `-o` (`kept.rs`): `Ok(None)` when it is
    /// empty (a run that never saved one), `Err` saying why it cannot be
    /// used. Anything after the record is left unread: a save that wrote a
    /// shorter record over a longer one and stopped before cutting the rest.
    pub fn from_state(text: &[u8]) -> Result<Option<Checkpoint>, &'static str> {
        if text.iter().all(u8::is_ascii_whitespace) {
            return Ok(None);
        }
        let mut records = serde_json::Deserializer::from_slice(text).into_iter::<Checkpoint>();
        match records.next() {
            Some(Ok(state)) if (1..=VERSION).contains(&state.version) => Ok(Some(state)),
            Some(Ok(_)) => Err("was written by another version of druid-bulk"),
            _ => Err("is not a state druid-bulk wrote"),
        }
    }

    /// Refuse to continue a checkpoint made for a different export.
    pub fn check_same_export(&self, fresh: &Checkpoint, path: &Path) -> Result<()> {
        match self.difference(fresh, false) {
            None => Ok(()),
            Some(what) => usage(format!(
                "--checkpoint {} belongs to another export ({what}); use another checkpoint \
                 file, or --restart to start this one over",
                path.display()
            )),
        }
    }

    /// The first setting that differs from `fresh`'s, as `format was
    /// "csv", now "jsonl"`: of those `--checkpoint` holds a run to, or,
    /// with `all`, of every one in [`Settings`] too (an earlier file without
    /// them differs).
    pub fn difference(&self, fresh: &Checkpoint, all: bool) -> Option<String> {
        let debug = |v: &dyn std::fmt::Debug| format!("{v:?}");
        let mut fields = vec![
            (
                "bulk ids".to_string(),
                debug(&self.bulk_ids()),
                debug(&fresh.bulk_ids()),
            ),
            ("output".into(), debug(&self.output), debug(&fresh.output)),
            ("format".into(), debug(&self.format), debug(&fresh.format)),
            (
                "--failed-only".into(),
                debug(&self.failed_only),
                debug(&fresh.failed_only),
            ),
            (
                "--columns".into(),
                debug(&self.columns),
                debug(&fresh.columns),
            ),
            ("--excel".into(), debug(&self.excel), debug(&fresh.excel)),
            (
                "--delimiter".into(),
                debug(&self.delimiter.as_deref().unwrap_or(",")),
                debug(&fresh.delimiter.as_deref().unwrap_or(",")),
            ),
        ];
        match (&self.settings, &fresh.settings) {
            (Some(saved), Some(now)) => {
                fields.extend(layout_differences(&saved.layout, &now.layout));
                if all {
                    fields.extend([
                        ("--lang".into(), debug(&saved.lang), debug(&now.lang)),
                        ("--last".into(), debug(&saved.start), debug(&now.start)),
                        (
                            "--max-rows".into(),
                            debug(&saved.max_rows),
                            debug(&now.max_rows),
                        ),
                        (
                            "the endpoint".into(),
                            debug(&saved.origin),
                            debug(&now.origin),
                        ),
                        (
                            "druid-bulk".into(),
                            debug(&saved.version),
                            debug(&now.version),
                        ),
                    ]);
                }
            }
            (None, Some(_)) if all => {
                fields.push((
                    "druid-bulk".into(),
                    "an earlier version".into(),
                    "this one".into(),
                ));
            }
            _ => {}
        }
        (fields.into_iter())
            .find(|(_, saved, now)| saved != now)
            .map(|(what, saved, now)| format!("{what} was {saved}, now {now}"))
    }

    /// Refuse to report a complete export as complete when its output no
    /// longer has the length the checkpoint recorded (deleted, truncated,
    /// appended to or replaced): exit 2 with a hint to start over.
    pub fn check_complete_output(&self, path: &Path) -> Result<()> {
        let out = self.output.display();
        let found = match std::fs::metadata(&self.output) {
            Ok(meta) if meta.is_file() && meta.len() == self.output_bytes => return Ok(()),
            Ok(meta) if meta.is_file() => format!("is {} bytes", meta.len()),
            Ok(_) => "is not a regular file".to_string(),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => "does not exist".to_string(),
            Err(e) => format!("cannot be read ({e})"),
        };
        Err(Failure::usage(format!(
            "-o {out} {found}, but --checkpoint {} says the export completed into it with {} bytes \
             ({} rows)",
            path.display(),
            self.output_bytes,
            self.rows
        ))
        .with_hint("pass --restart to export it again from the start")
        .into())
    }

    /// Save atomically: write a temporary file beside `path`, flush it to
    /// disk, rename it over `path`.
    pub fn save(&self, path: &Path) -> Result<()> {
        crate::bug::point("checkpoint");
        if self.complete {
            crate::bug::check("marking the checkpoint complete")?;
        }
        let dir = match path.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
        let mut temp = tempfile::Builder::new()
            .prefix(".druid-bulk-checkpoint.")
            .tempfile_in(dir)
            .with_context(|| format!("cannot write the checkpoint in {}", dir.display()))?;
        serde_json::to_writer_pretty(&mut temp, self)?;
        temp.write_all(b"\n")?;
        temp.as_file().sync_all()?;
        temp.persist(path)
            .map_err(|e| e.error)
            .with_context(|| format!("cannot save the checkpoint {}", path.display()))?;
        sync_dir(dir);
        Ok(())
    }
}

/// An exclusive lock on a checkpoint, held by one run from before the
/// checkpoint is read until the run ends. It lives on a sibling file,
/// `PATH.lock`, which is not replaced by saves; the operating system drops
/// the lock when the process dies, even by `kill -9`, so a stale lock file
/// never blocks a later run. On Unix the file is removed when the run ends.
#[derive(Debug)]
pub struct Lock {
    /// Held open for its lock; read only on Unix (see `still_named`).
    #[cfg_attr(not(unix), allow(dead_code))]
    file: File,
    path: PathBuf,
}

impl Lock {
    /// Lock `checkpoint` for this run, or fail at once (exit 2) when another
    /// run holds it.
    pub fn acquire(checkpoint: &Path) -> Result<Lock> {
        let path = Lock::path_for(checkpoint);
        // A run that just ended may remove the file between our open and our
        // lock; then the lock is on a file nobody else will open: try again.
        for _ in 0..100 {
            let opened = std::fs::OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(&path);
            let file = match opened {
                Ok(file) => file,
                Err(e) => {
                    return usage(format!(
                        "cannot create {} to lock --checkpoint {}: {e}; the checkpoint's \
                         directory must exist and be writable",
                        path.display(),
                        checkpoint.display()
                    ))
                }
            };
            match file.try_lock() {
                Ok(()) => {}
                Err(std::fs::TryLockError::WouldBlock) => {
                    return usage(format!(
                        "--checkpoint {} is in use by another druid-bulk run (it holds {}); \
                         wait for that run to end, or use another checkpoint file",
                        checkpoint.display(),
                        path.display()
                    ))
                }
                Err(std::fs::TryLockError::Error(e)) => {
                    return usage(format!(
                        "cannot lock {} for --checkpoint {}: {e}; put the checkpoint on a file \
                         system that supports locks",
                        path.display(),
                        checkpoint.display()
                    ))
                }
            }
            let lock = Lock {
                file,
                path: path.clone(),
            };
            if lock.still_named() {
                return Ok(lock);
            }
            // Not ours to remove: dropping only releases it.
            lock.forget_path();
        }
        usage(format!(
            "cannot lock --checkpoint {}: {} keeps being replaced",
            checkpoint.display(),
            path.display()
        ))
    }

    /// The lock file of `checkpoint`: `PATH.lock`.
    pub fn path_for(checkpoint: &Path) -> PathBuf {
        let mut name = checkpoint.as_os_str().to_owned();
        name.push(".lock");
        name.into()
    }

    /// Whether the locked file is still the one at `path`.
    fn still_named(&self) -> bool {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            match (self.file.metadata(), std::fs::metadata(&self.path)) {
                (Ok(ours), Ok(named)) => ours.dev() == named.dev() && ours.ino() == named.ino(),
                _ => false,
            }
        }
        #[cfg(not(unix))]
        true
    }

    /// Release the lock without removing the file.
    fn forget_path(mut self) {
        self.path = PathBuf::new();
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        // Remove the file while still holding the lock; a run that opened it
        // meanwhile sees it is no longer named and opens a new one. Windows
        // cannot remove an open file cleanly: there it stays, one per
        // checkpoint, and is reused.
        if cfg!(unix) && !self.path.as_os_str().is_empty() && self.still_named() {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Make a rename durable (best effort; not possible on every platform).
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests;
