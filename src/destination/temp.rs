//! The temporary files `-o` writes beside the output (`.NAME.XXXXXX.partial`):
//! how they are named, and removing the ones a crashed run left behind
//! (never the pair an interrupted export keeps, `kept.rs`, whose names are
//! not of this form).

use std::fs::File;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use tempfile::PathPersistError;

use super::RANDOM_CHARS;
use crate::exit::{Class, Failure};

/// The directory a temporary file for `dest` goes in, and its name's start.
pub(super) fn temp_prefix(dest: &Path) -> (&Path, String) {
    let dir = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    (dir, format!(".{name}."))
}

/// Whether `name` is a temporary file's for the output whose prefix is given.
pub(super) fn is_temp_name(name: &str, prefix: &str) -> bool {
    (name.strip_prefix(prefix))
        .and_then(|rest| rest.strip_suffix(".partial"))
        .is_some_and(|random| {
            random.len() == RANDOM_CHARS && random.bytes().all(|b| b.is_ascii_alphanumeric())
        })
}

/// Remove the temporary files of `-o dest` that an earlier run left behind
/// (a crash, `kill -9`, a power cut), and return them. Only files named as
/// this output's own (`.NAME.XXXXXX.partial`), regular files, last changed
/// before `cutoff` and not locked: a run that is still going holds a lock
/// on its own, so it is never taken from it. Anything that cannot be checked
/// is left alone.
pub fn remove_stale_partials(dest: &Path, cutoff: SystemTime) -> Vec<PathBuf> {
    let dest = link_target(dest);
    let (dir, prefix) = temp_prefix(&dest);
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let stale = |path: &Path| -> bool {
        let old = std::fs::symlink_metadata(path)
            .is_ok_and(|m| m.is_file() && m.modified().is_ok_and(|t| t < cutoff));
        // Held while it is removed, so no run can take it up in between.
        old && File::open(path)
            .is_ok_and(|file| file.try_lock().is_ok() && std::fs::remove_file(path).is_ok())
    };
    entries
        .filter_map(|entry| entry.ok())
        .filter(|entry| is_temp_name(&entry.file_name().to_string_lossy(), &prefix))
        .map(|entry| entry.path())
        .filter(|path| stale(path))
        .collect()
}

/// The export could not be renamed over `dest` (on Windows: another program
/// has it open, as a spreadsheet does): keep it beside `dest` under a name
/// of its own that no later run removes, `NAME.XXXXXX.EXT` from
/// `.NAME.EXT.XXXXXX.partial`, and say where it is and what to do.
pub(super) fn keep_aside(failed: PathPersistError, dest: &Path) -> anyhow::Error {
    let PathPersistError { error, path: temp } = failed;
    let aside = aside_name(&temp, dest);
    let (kept, caution) = match temp.persist_noclobber(&aside) {
        Ok(()) => (aside, String::new()),
        // Kept where it is, then: a later run on the same -o would remove it.
        Err(again) => match again.path.keep() {
            Ok(path) => (
                path,
                " (move it before the next run: that run removes it)".into(),
            ),
            Err(_) => {
                let message = format!("cannot replace -o {}: {error}", dest.display());
                return Failure::new(Class::Other, message).into();
            }
        },
    };
    Failure::new(
        Class::Other,
        format!(
            "cannot replace -o {}: {error}; the export is kept in {}{caution}",
            dest.display(),
            kept.display()
        ),
    )
    .with_hint(format!(
        "if another program has {} open, close it; then move {} over it, or run the export again",
        dest.display(),
        kept.display()
    ))
    .into()
}

/// `dir/NAME.XXXXXX.EXT` for the temporary file `dir/.NAME.EXT.XXXXXX.partial`
/// of `-o dir/NAME.EXT`: the same extension, so it opens as `-o` would. The
/// kept partial file (`.NAME.EXT.druid-bulk.partial`) gets random characters
/// of its own.
fn aside_name(temp: &Path, dest: &Path) -> PathBuf {
    let random = temp
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .and_then(|n| {
            let rest = n.strip_suffix(".partial")?;
            Some(
                rest.get(rest.len().saturating_sub(RANDOM_CHARS)..)?
                    .to_string(),
            )
        })
        .filter(|r| r.len() == RANDOM_CHARS && r.bytes().all(|b| b.is_ascii_alphanumeric()))
        .unwrap_or_else(|| {
            (0..RANDOM_CHARS)
                .map(|_| fastrand::alphanumeric())
                .collect()
        });
    let stem = dest.file_stem().unwrap_or_default().to_string_lossy();
    let name = match dest.extension() {
        Some(ext) => format!("{stem}.{random}.{}", ext.to_string_lossy()),
        None => format!("{stem}.{random}"),
    };
    temp_prefix(dest).0.join(name)
}

/// Where `path` leads once symlinks are followed (even to a file that does
/// not exist yet), so the file is replaced and the link is kept.
pub(super) fn link_target(path: &Path) -> PathBuf {
    let mut path = path.to_path_buf();
    // As many hops as Linux follows before giving up with ELOOP.
    for _ in 0..40 {
        let Ok(next) = std::fs::read_link(&path) else {
            break;
        };
        path = match path.parent() {
            Some(dir) if next.is_relative() => dir.join(next),
            _ => next,
        };
    }
    path
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::destination::Destination;

    #[test]
    fn only_stale_temporary_files_of_the_same_output_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("out.csv");
        let hour_ago = SystemTime::now() - std::time::Duration::from_secs(3600);
        let make = |name: &str| {
            let path = dir.path().join(name);
            let file = File::create(&path).unwrap();
            file.set_modified(hour_ago).unwrap();
            path
        };
        let stale = make(".out.csv.a1B2c3.partial");
        let kept = [
            make(".out.csv.a1B2c.partial"),
            make(".out.csv.a1B2c3d.partial"),
            make(".out.csv.a1-2c3.partial"),
            make(".other.csv.a1B2c3.partial"),
            make(".out.csv.a1B2c3.partial.bak"),
            make("out.csv.a1B2c3.partial"),
            // The pair an interrupted export keeps for the next run.
            make(".out.csv.druid-bulk.partial"),
            make(".out.csv.druid-bulk.state"),
        ];
        std::fs::create_dir(dir.path().join(".out.csv.dir123.partial")).unwrap();
        // A run that is still going holds its file locked.
        let busy = make(".out.csv.busy12.partial");
        let held = File::open(&busy).unwrap();
        held.try_lock().unwrap();
        // One changed after the cutoff.
        std::fs::write(dir.path().join(".out.csv.new123.partial"), "x").unwrap();

        let removed = remove_stale_partials(&dest, hour_ago + std::time::Duration::from_secs(60));
        assert_eq!(removed, vec![stale.clone()]);
        assert!(!stale.exists());
        for path in kept.iter().chain([&busy]) {
            assert!(path.exists(), "{}", path.display());
        }
        assert!(dir.path().join(".out.csv.dir123.partial").is_dir());
        assert!(dir.path().join(".out.csv.new123.partial").exists());
        drop(held);
        let later = SystemTime::now() + std::time::Duration::from_secs(60);
        // A lock lives as long as any copy of its descriptor: a child that
        // another test spawns in this process holds one between fork and
        // exec, so the lock may outlast `drop` by a moment. Ask again then.
        let mut removed = Vec::new();
        for _ in 0..100 {
            removed.extend(remove_stale_partials(&dest, later));
            if removed.len() >= 2 {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        removed.sort();
        assert_eq!(
            removed,
            [busy, dir.path().join(".out.csv.new123.partial")],
            "once unlocked, and with a later cutoff"
        );
    }

    #[test]
    fn an_export_that_cannot_replace_its_output_is_kept_beside_it() {
        use std::io::Write;
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("out.csv");
        let mut out = Destination::to_path(&dest).unwrap();
        out.out.write_all(b"id\nr1\n").unwrap();
        // Nothing can be renamed over a directory that is not empty, on any
        // platform: the way a held file fails on Windows, seen everywhere.
        std::fs::create_dir(&dest).unwrap();
        std::fs::write(dest.join("inside"), "").unwrap();
        let err = out.commit().unwrap_err();
        assert_eq!(crate::exit::exit_code(&err), 1);
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != "out.csv")
            .collect();
        assert_eq!(names.len(), 1, "{names:?}");
        let kept = dir.path().join(&names[0]);
        assert!(
            names[0].starts_with("out.") && names[0].ends_with(".csv") && names[0].len() == 14,
            "{names:?}"
        );
        assert_eq!(std::fs::read_to_string(&kept).unwrap(), "id\nr1\n");
        let message = err.to_string();
        assert!(
            message.starts_with(&format!("cannot replace -o {}: ", dest.display()))
                && message.ends_with(&format!("; the export is kept in {}", kept.display())),
            "{message}"
        );
        let hint = crate::exit::hint(&err).unwrap();
        assert!(hint.contains("close it; then move"), "{hint}");
        let later = SystemTime::now() + std::time::Duration::from_secs(60);
        assert!(remove_stale_partials(&dest, later).is_empty());
        assert!(kept.exists(), "no later run removes it");
    }

    #[test]
    fn the_kept_name_has_the_output_s_extension_and_the_random_part() {
        let dir = Path::new("d");
        let name = |temp: &str, dest: &str| aside_name(&dir.join(temp), &dir.join(dest));
        assert_eq!(
            name(".out.csv.a1B2c3.partial", "out.csv"),
            dir.join("out.a1B2c3.csv")
        );
        assert_eq!(
            name(".report.tar.gz.Zz9yY8.partial", "report.tar.gz"),
            dir.join("report.tar.Zz9yY8.gz")
        );
        assert_eq!(
            name(".rows.x1y2z3.partial", "rows"),
            dir.join("rows.x1y2z3")
        );
        let kept = name(".out.csv.druid-bulk.partial", "out.csv");
        let kept = kept.file_name().unwrap().to_string_lossy();
        assert!(
            kept.len() == 14 && kept.starts_with("out.") && kept.ends_with(".csv"),
            "{kept}"
        );
        assert!(
            kept[4..10].bytes().all(|b| b.is_ascii_alphanumeric()),
            "{kept}"
        );
    }

    #[test]
    fn a_running_export_s_temporary_file_is_named_as_ours_and_not_removed() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("out.csv");
        let out = Destination::to_path(&dest).unwrap();
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 1);
        assert!(is_temp_name(&names[0], ".out.csv."), "{}", names[0]);
        let later = SystemTime::now() + std::time::Duration::from_secs(60);
        assert!(
            remove_stale_partials(&dest, later).is_empty(),
            "it is locked"
        );
        drop(out);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
