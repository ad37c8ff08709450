//! The pair an export to `-o PATH` keeps beside PATH when it is interrupted
//! or fails, for the same command to continue: `.NAME.druid-bulk.partial`
//! (the whole pages written so far) and `.NAME.druid-bulk.state` (what they
//! hold, written by `jobs/export`). PATH itself is replaced only when the
//! export is complete, by renaming the partial file over it.
//!
//! Both files are created exclusively with mode 0600, opened without
//! following a symlink, and taken up again only when they are regular files
//! of this user that nobody else may write: a file planted under either name
//! is never written through, nor read as ours. Neither name is one of the
//! random temporary files' (`.NAME.XXXXXX.partial`), so the clean-up of
//! those never takes them.

use std::fs::{File, OpenOptions};
use std::io::{self, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

use anyhow::{Context, Result};

use super::temp::{link_target, temp_prefix};
use super::{file_sink, remove_stale_partials, Destination, Pending};

/// What follows `.NAME.` in the names of the pair.
const PARTIAL: &str = "druid-bulk.partial";
const STATE: &str = "druid-bulk.state";

/// The two files kept beside `-o PATH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptPair {
    /// Where the export is replaced when complete (PATH, or the file a
    /// symlink at PATH leads to).
    pub dest: PathBuf,
    pub partial: PathBuf,
    pub state: PathBuf,
}

impl KeptPair {
    /// The pair of `-o path`: beside the file it names, or the one a
    /// symlink there leads to.
    pub fn of(path: &Path) -> KeptPair {
        let dest = link_target(path);
        let (dir, prefix) = temp_prefix(&dest);
        // `big.csv` keeps `.big.csv.druid-bulk.partial`, not `./.big.csv…`.
        let beside = |suffix: &str| match dest.parent() {
            Some(p) if !p.as_os_str().is_empty() => dir.join(format!("{prefix}{suffix}")),
            _ => PathBuf::from(format!("{prefix}{suffix}")),
        };
        KeptPair {
            partial: beside(PARTIAL),
            state: beside(STATE),
            dest,
        }
    }

    /// Remove both files (what is not there is not missed).
    pub fn remove(&self) {
        for path in [&self.partial, &self.state] {
            let _ = std::fs::remove_file(path);
        }
    }

    /// When the state was last written, if it can be read.
    pub fn saved_at(&self) -> Option<SystemTime> {
        std::fs::symlink_metadata(&self.state)
            .and_then(|m| m.modified())
            .ok()
    }
}

/// Open one file of the pair that exists, to read and write it: `Ok(None)`
/// when there is none; an error that says why when it is not one to take
/// up (a symlink, not a regular file, another user's, writable by others).
pub fn open_private(path: &Path) -> io::Result<Option<File>> {
    let mut options = OpenOptions::new();
    options.read(true).write(true);
    no_follow(&mut options);
    let file = match options.open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            let link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
            return Err(if link {
                untrusted("it is a symbolic link")
            } else {
                e
            });
        }
    };
    trusted(&file)?;
    Ok(Some(file))
}

/// Create one file of the pair, which must not exist yet: mode 0600, never
/// through a symlink.
pub fn create_private(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.read(true).write(true).create_new(true);
    no_follow(&mut options);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

fn untrusted(why: &str) -> io::Error {
    io::Error::new(io::ErrorKind::PermissionDenied, why.to_string())
}

/// Open the file itself, never what a symlink at its name leads to; on Unix
/// also without waiting on a FIFO planted there.
fn no_follow(options: &mut OpenOptions) {
    #[cfg(unix)]
    {
        use rustix::fs::OFlags;
        let flags = (OFlags::NOFOLLOW | OFlags::NONBLOCK).bits();
        std::os::unix::fs::OpenOptionsExt::custom_flags(options, flags as i32);
    }
    // The nearest on Windows: FILE_FLAG_OPEN_REPARSE_POINT opens a symlink
    // (a reparse point) itself, which `trusted` then refuses.
    #[cfg(windows)]
    std::os::windows::fs::OpenOptionsExt::custom_flags(options, 0x0020_0000);
    #[cfg(not(any(unix, windows)))]
    let _ = options;
}

/// Whether an opened file may be taken up: a regular file (on Unix: this
/// user's, and nobody else may write it).
fn trusted(file: &File) -> io::Result<()> {
    let meta = file.metadata()?;
    if meta.file_type().is_symlink() {
        return Err(untrusted("it is a symbolic link"));
    }
    if !meta.is_file() {
        return Err(untrusted("it is not a regular file"));
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if meta.uid() != rustix::process::geteuid().as_raw() {
            return Err(untrusted("it belongs to another user"));
        }
        if meta.mode() & 0o022 != 0 {
            return Err(untrusted("other users may write it"));
        }
    }
    Ok(())
}

/// Whether `path` still names the open `file` (on Unix: the same device and
/// inode), so that a lock taken on it is not on a file removed meanwhile.
pub fn still_named(file: &File, path: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (file.metadata(), std::fs::symlink_metadata(path)) {
            (Ok(ours), Ok(named)) => ours.dev() == named.dev() && ours.ino() == named.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        let _ = (file, path);
        true
    }
}

impl Destination {
    /// Rows into the kept pair's partial file `partial` (opened by
    /// [`open_private`] or [`create_private`]), from byte `start` on;
    /// [`Destination::commit`] renames it over `pair.dest`. Nothing is cut
    /// until [`super::FileHandle::cut_to_start`]. `path` is `-o`'s, for
    /// messages.
    pub fn keep_in(
        path: &Path,
        pair: &KeptPair,
        mut partial: File,
        start: u64,
    ) -> Result<Destination> {
        let removed = remove_stale_partials(path, SystemTime::now());
        // The file it replaces keeps its mode, as with a temporary file.
        let keep = std::fs::metadata(&pair.dest).ok().map(|m| m.permissions());
        partial
            .seek(SeekFrom::Start(start))
            .with_context(|| format!("cannot open {}", pair.partial.display()))?;
        let (out, handle) = file_sink(partial, start, path)?;
        Ok(Destination {
            out,
            file: Some(handle),
            pending: Some(Pending::Kept {
                partial: pair.partial.clone(),
                dest: pair.dest.clone(),
                keep,
            }),
            removed,
        })
    }
}

/// The mode a new file `dest` gets (0666 less the umask), read off a
/// temporary file made beside it the way `-o`'s are (one a crash leaves is
/// removed by the next run on `dest`), since the umask cannot be read
/// without setting it for every thread.
#[cfg(unix)]
pub(super) fn new_file_permissions(dest: &Path) -> io::Result<std::fs::Permissions> {
    let (dir, prefix) = temp_prefix(dest);
    let probe = tempfile::Builder::new()
        .prefix(&prefix)
        .rand_bytes(super::RANDOM_CHARS)
        .suffix(".partial")
        .permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666))
        .tempfile_in(dir)?;
    probe.as_file().metadata().map(|m| m.permissions())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn the_pair_is_named_beside_the_output() {
        let pair = KeptPair::of(Path::new("big.csv"));
        assert_eq!(pair.partial, Path::new(".big.csv.druid-bulk.partial"));
        assert_eq!(pair.state, Path::new(".big.csv.druid-bulk.state"));
        let pair = KeptPair::of(Path::new("out/rows.jsonl"));
        assert_eq!(
            pair.partial,
            Path::new("out/.rows.jsonl.druid-bulk.partial")
        );
        assert_eq!(pair.dest, Path::new("out/rows.jsonl"));
    }

    #[test]
    fn a_new_file_of_the_pair_is_private_and_never_created_twice() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(".out.csv.druid-bulk.state");
        let file = create_private(&path).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = file.metadata().unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        drop(file);
        let again = create_private(&path).unwrap_err();
        assert_eq!(again.kind(), io::ErrorKind::AlreadyExists);
        assert!(open_private(&path).unwrap().is_some());
        assert!(open_private(&dir.path().join("none")).unwrap().is_none());
    }

    #[cfg(unix)]
    #[test]
    fn a_file_planted_under_a_name_of_the_pair_is_not_taken_up() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("elsewhere");
        std::fs::write(&target, "theirs").unwrap();
        let link = dir.path().join(".out.csv.druid-bulk.partial");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        let err = open_private(&link).unwrap_err();
        assert_eq!(err.to_string(), "it is a symbolic link");
        let err = create_private(&link).unwrap_err();
        assert_eq!(err.kind(), io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read_to_string(&target).unwrap(), "theirs");

        let open = dir.path().join(".out.csv.druid-bulk.state");
        std::fs::write(&open, "{}").unwrap();
        std::fs::set_permissions(&open, std::fs::Permissions::from_mode(0o666)).unwrap();
        let err = open_private(&open).unwrap_err();
        assert_eq!(err.to_string(), "other users may write it");

        let fifo = dir.path().join("fifo");
        assert!(std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .is_ok_and(|s| s.success()));
        let err = open_private(&fifo).unwrap_err();
        assert_eq!(err.to_string(), "it is not a regular file");
    }

    #[test]
    fn a_kept_partial_replaces_the_output_only_on_commit() {
        let dir = tempfile::tempdir().unwrap();
        let dest = dir.path().join("out.csv");
        std::fs::write(&dest, "old\n").unwrap();
        let pair = KeptPair::of(&dest);
        let mut partial = create_private(&pair.partial).unwrap();
        partial.write_all(b"id\nr1\nhalf").unwrap();
        let mut out = Destination::keep_in(&dest, &pair, partial, 6).unwrap();
        assert!(out.is_atomic() && out.temporary().is_none());
        out.file.clone().unwrap().cut_to_start().unwrap();
        out.out.write_all(b"r2\n").unwrap();
        drop(out);
        assert_eq!(std::fs::read_to_string(&dest).unwrap(), "old\n");
        assert_eq!(
            std::fs::read_to_string(&pair.partial).unwrap(),
            "id\nr1\nr2\n",
            "dropped, the partial file stays"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&dest, std::fs::Permissions::from_mode(0o640)).unwrap();
        }
        let partial = open_private(&pair.partial).unwrap().unwrap();
        let out = Destination::keep_in(&dest, &pair, partial, 9).unwrap();
        out.commit().unwrap();
        assert_eq!(std::fs::read_to_string(&dest).unwrap(), "id\nr1\nr2\n");
        assert!(!pair.partial.exists());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&dest), 0o640, "the replaced file's mode is kept");
            // A new file gets the mode any new file gets here.
            let new = dir.path().join("new.csv");
            let pair = KeptPair::of(&new);
            let partial = create_private(&pair.partial).unwrap();
            Destination::keep_in(&new, &pair, partial, 0)
                .unwrap()
                .commit()
                .unwrap();
            let usual = dir.path().join("usual");
            File::create(&usual).unwrap();
            assert_eq!(mode(&new), mode(&usual));
            assert_eq!(
                std::fs::read_dir(dir.path()).unwrap().count(),
                3,
                "no probe left"
            );
        }
    }
}
