//! `--checkpoint`: the progress of an export into `-o`, saved after every
//! page so that the same command, run again after a failure, Ctrl-C or
//! `kill -9`, continues exactly where the output ends.
//!
//! The checkpoint records the output's length after the last whole page. On
//! resume the output is cut back to that length before anything is
//! appended, so rows written after the last save (a page whose checkpoint
//! never made it to disk, a closing `]`) are written once, not twice.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::exit::{usage, Failure};
use crate::output::Format;
use crate::settings::{Export, Output};

/// Bumped when the file's meaning changes.
const VERSION: u32 = 1;

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
    /// CSV columns (they shape every record, so they may not change).
    pub columns: Vec<String>,
    /// The `last` cursor that continues after the last row written.
    pub cursor: Option<String>,
    pub rows: u64,
    pub pages: u64,
    /// Length of the output after the last whole page.
    pub output_bytes: u64,
    pub complete: bool,
}

impl Checkpoint {
    /// A fresh checkpoint for this run's settings (nothing written yet).
    pub fn start(export: &Export, output: &Output) -> Result<Checkpoint> {
        let path = output.path.as_deref().unwrap_or(Path::new(""));
        Ok(Checkpoint {
            version: VERSION,
            bulk_id: export.bulk_id().to_string(),
            output: std::path::absolute(path)?,
            format: output.format.name().to_string(),
            failed_only: export.failed_only,
            columns: if output.format == Format::Csv {
                output.layout.columns.clone()
            } else {
                Vec::new()
            },
            cursor: export.last.clone(),
            rows: 0,
            pages: 0,
            output_bytes: 0,
            complete: false,
        })
    }

    /// Read a saved checkpoint; `None` when there is none.
    pub fn load(path: &Path) -> Result<Option<Checkpoint>> {
        let text = match std::fs::read(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return usage(format!("cannot read --checkpoint {}: {e}", path.display())),
        };
        let saved: Checkpoint = serde_json::from_slice(&text).map_err(|e| {
            Failure::usage(format!(
                "--checkpoint {} is not a druid-bulk checkpoint ({e}); delete it or pass --restart",
                path.display()
            ))
        })?;
        if saved.version != VERSION {
            return usage(format!(
                "--checkpoint {} was written by another version of druid-bulk; pass --restart",
                path.display()
            ));
        }
        Ok(Some(saved))
    }

    /// Refuse to continue a checkpoint made for a different export.
    pub fn check_same_export(&self, fresh: &Checkpoint, path: &Path) -> Result<()> {
        let differs = |what: &str, saved: &dyn std::fmt::Debug, now: &dyn std::fmt::Debug| {
            usage::<()>(format!(
                "--checkpoint {} belongs to another export ({what} was {saved:?}, now {now:?}); \
                 use another checkpoint file, or --restart to start this one over",
                path.display()
            ))
        };
        if self.bulk_id != fresh.bulk_id {
            return differs("bulk id", &self.bulk_id, &fresh.bulk_id);
        }
        if self.output != fresh.output {
            return differs("output", &self.output, &fresh.output);
        }
        if self.format != fresh.format {
            return differs("format", &self.format, &fresh.format);
        }
        if self.failed_only != fresh.failed_only {
            return differs("--failed-only", &self.failed_only, &fresh.failed_only);
        }
        if self.columns != fresh.columns {
            return differs("--columns", &self.columns, &fresh.columns);
        }
        Ok(())
    }

    /// Save atomically: write a temporary file beside `path`, flush it to
    /// disk, rename it over `path`.
    pub fn save(&self, path: &Path) -> Result<()> {
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

/// Make a rename durable (best effort; not possible on every platform).
fn sync_dir(dir: &Path) {
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Checkpoint {
        Checkpoint {
            version: VERSION,
            bulk_id: "B1".into(),
            output: "/tmp/out.csv".into(),
            format: "csv".into(),
            failed_only: false,
            columns: vec!["id".into()],
            cursor: Some("c9".into()),
            rows: 900,
            pages: 9,
            output_bytes: 12_345,
            complete: false,
        }
    }

    #[test]
    fn saves_and_loads_the_same_checkpoint_without_leftovers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cp.json");
        assert_eq!(Checkpoint::load(&path).unwrap(), None);
        sample().save(&path).unwrap();
        let mut next = sample();
        next.rows = 1000;
        next.save(&path).unwrap();
        assert_eq!(Checkpoint::load(&path).unwrap(), Some(next));
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_checkpoint_for_another_export_is_refused() {
        let saved = sample();
        let path = Path::new("cp.json");
        assert!(saved.check_same_export(&sample(), path).is_ok());
        for change in [
            |c: &mut Checkpoint| c.bulk_id = "B2".into(),
            |c: &mut Checkpoint| c.format = "jsonl".into(),
            |c: &mut Checkpoint| c.output = "/tmp/other.csv".into(),
            |c: &mut Checkpoint| c.failed_only = true,
            |c: &mut Checkpoint| c.columns = vec!["error".into()],
        ] {
            let mut other = sample();
            change(&mut other);
            let err = saved.check_same_export(&other, path).unwrap_err();
            assert_eq!(crate::exit::exit_code(&err), 2, "{err}");
        }
    }

    #[test]
    fn garbage_is_refused_with_a_usage_error() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("cp.json");
        std::fs::write(&path, "not json").unwrap();
        let err = Checkpoint::load(&path).unwrap_err();
        assert_eq!(crate::exit::exit_code(&err), 2);
        assert!(err.to_string().contains("--restart"));
    }
}
