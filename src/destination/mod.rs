//! Where rows go: stdout; a temporary file beside `-o` that replaces it
//! only when the export succeeds; a device or pipe named by `-o` (such as
//! `/dev/null`), written directly; with `--checkpoint`, the `-o` file
//! itself, continued in place from a known length; or the partial file an
//! export keeps beside `-o` (`kept.rs`), continued the same way and renamed
//! over `-o` when the export is complete.
//!
//! The writer borrows the sink as a plain `io::Write`; the runner keeps a
//! [`FileHandle`] to flush pages to disk and read how long the output is.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::SystemTime;

use anyhow::{Context, Result};
use tempfile::TempPath;

use crate::exit::usage;

mod kept;
mod temp;

pub use kept::{create_private, open_private, still_named, KeptPair};
pub use temp::remove_stale_partials;
use temp::{link_target, temp_prefix};

/// Destination buffer size: large writes, few syscalls.
const BUFFER: usize = 256 * 1024;

/// Random characters in a temporary file's name, `.NAME.XXXXXX.partial`:
/// set here rather than left to tempfile, so that stale ones can be told.
pub(crate) const RANDOM_CHARS: usize = 6;

/// The byte stream rows are written into.
pub struct Sink {
    target: Target,
    /// What a write error names: `stdout`, or the path given to `-o`.
    dest: String,
}

enum Target {
    Stdout(io::Stdout),
    /// A device, a pipe or stdout's descriptor: written as it is, never
    /// replaced or truncated.
    Stream(File),
    File {
        file: File,
        handle: FileHandle,
    },
}

impl Sink {
    fn new(target: Target, dest: &Path) -> BufWriter<Sink> {
        let dest = dest.display().to_string();
        BufWriter::with_capacity(BUFFER, Sink { target, dest })
    }

    /// The same error, saying where the write went (`No space left on
    /// device` alone does not say which disk). The kind is kept, so a
    /// closed pipe is still recognised as one.
    fn failed(&self, err: io::Error) -> io::Error {
        io::Error::new(err.kind(), format!("cannot write to {}: {err}", self.dest))
    }
}

impl Write for Sink {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let written = match &mut self.target {
            Target::Stdout(s) => s.write(buf),
            Target::Stream(f) => f.write(buf),
            Target::File { file, handle } => file.write(buf).inspect(|&n| {
                handle.0.bytes.fetch_add(n as u64, Ordering::Relaxed);
            }),
        };
        written.map_err(|e| self.failed(e))
    }

    fn flush(&mut self) -> io::Result<()> {
        let flushed = match &mut self.target {
            Target::Stdout(s) => s.flush(),
            Target::Stream(f) => f.flush(),
            Target::File { file, handle } => file.flush().inspect(|()| handle.sync_behind()),
        };
        flushed.map_err(|e| self.failed(e))
    }
}

struct Shared {
    /// A second handle on the output file, for fsync and truncation.
    file: File,
    /// Where writing started.
    start: u64,
    /// Bytes written since `start`.
    bytes: AtomicU64,
    /// Making written pages durable while the export goes on.
    behind: Mutex<Behind>,
}

/// Written bytes are made durable in the background every [`SYNC_BEHIND`]
/// bytes, so that the sync before the output is committed has little left
/// to do (on this machine, the final `fdatasync` of a 34 MB export took
/// 14 ms); an error there is the error of that final sync.
#[derive(Default)]
struct Behind {
    /// Bytes written (since `start`) that the last sync started covered.
    synced: u64,
    /// Bytes written (since `start`) that a finished sync made durable.
    durable: u64,
    running: Option<JoinHandle<io::Result<()>>>,
    /// The error of a sync in the background, for the final one to return.
    failed: Option<io::Error>,
}

impl Behind {
    /// Wait for the sync running in the background, keeping its error.
    fn wait(&mut self) {
        if let Some(running) = self.running.take() {
            let done = running
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p));
            match done {
                Ok(()) if self.failed.is_none() => self.durable = self.synced,
                Ok(()) => {}
                Err(e) => self.failed = self.failed.take().or(Some(e)),
            }
        }
    }
}

/// How many written bytes start a sync in the background.
const SYNC_BEHIND: u64 = 8 * 1024 * 1024;

/// The runner's view of an output file.
#[derive(Clone)]
pub struct FileHandle(Arc<Shared>);

impl FileHandle {
    /// The file's length counting everything flushed so far.
    pub fn end_offset(&self) -> u64 {
        self.0.start + self.0.bytes.load(Ordering::Relaxed)
    }

    /// Drop whatever lies past the resume point (a page written after the
    /// last checkpoint, a closing `]`). Call before the first write.
    pub fn cut_to_start(&self) -> io::Result<()> {
        self.0.file.set_len(self.0.start)
    }

    /// Make what was written durable (after the sync started in the
    /// background, if one is running: its error is this one's).
    pub fn sync(&self) -> io::Result<()> {
        let mut behind = self.0.behind.lock().unwrap_or_else(|e| e.into_inner());
        behind.wait();
        if let Some(failed) = behind.failed.take() {
            return Err(failed);
        }
        behind.synced = self.0.bytes.load(Ordering::Relaxed);
        self.0.file.sync_data()?;
        behind.durable = behind.synced;
        Ok(())
    }

    /// How far the file is durable (every byte before that offset was
    /// synced, by a sync in the background that has finished or by
    /// [`FileHandle::sync`]), and how far the last sync started will have
    /// it once it is done. Never waits for a sync.
    pub fn durable(&self) -> (u64, u64) {
        let mut behind = self.0.behind.lock().unwrap_or_else(|e| e.into_inner());
        if behind.running.as_ref().is_some_and(JoinHandle::is_finished) {
            behind.wait();
        }
        (self.0.start + behind.durable, self.0.start + behind.synced)
    }

    /// Start making what was written durable in the background, when
    /// [`SYNC_BEHIND`] bytes have been written since the last sync and none
    /// is running.
    fn sync_behind(&self) {
        let written = self.0.bytes.load(Ordering::Relaxed);
        let mut behind = self.0.behind.lock().unwrap_or_else(|e| e.into_inner());
        if written - behind.synced < SYNC_BEHIND
            || behind.running.as_ref().is_some_and(|r| !r.is_finished())
        {
            return;
        }
        behind.wait();
        if behind.failed.is_some() {
            return;
        }
        behind.synced = written;
        let handle = self.clone();
        behind.running = Some(std::thread::spawn(move || {
            crate::bug::point("sync");
            handle.0.file.sync_data()
        }));
    }
}

/// An opened output.
pub struct Destination {
    pub out: BufWriter<Sink>,
    /// For file outputs.
    pub file: Option<FileHandle>,
    /// For `-o` without `--checkpoint`: what replaces the destination on commit.
    pending: Option<Pending>,
    /// Temporary files of this output that an earlier run left behind and
    /// this one removed.
    pub removed: Vec<PathBuf>,
}

/// What [`Destination::commit`] renames over `-o`.
enum Pending {
    /// A temporary file of this run, removed if it is dropped uncommitted.
    Temp(TempPath, PathBuf),
    /// The partial file of the pair kept beside `-o`, which stays when it
    /// is dropped uncommitted; `keep` is the mode of the file it replaces.
    Kept {
        partial: PathBuf,
        dest: PathBuf,
        keep: Option<std::fs::Permissions>,
    },
}

/// Whether `-o path` is written in place rather than replaced: a device, a
/// pipe or a socket, or anything under `/dev` or `/proc` (`/dev/stdout`,
/// `/dev/fd/N`), which only lead to files the shell already opened.
pub fn is_stream(path: &Path) -> bool {
    let system = cfg!(unix) && (path.starts_with("/dev") || path.starts_with("/proc"));
    system || std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// A handle on standard output of its own (on Unix).
fn own_stdout() -> io::Result<File> {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        Ok(File::from(io::stdout().as_fd().try_clone_to_owned()?))
    }
    // Elsewhere std's `Stdout` stays: on a Windows console it is what
    // turns UTF-8 into the console's own text.
    #[cfg(not(unix))]
    {
        Err(io::ErrorKind::Unsupported.into())
    }
}

fn file_sink(file: File, start: u64, dest: &Path) -> io::Result<(BufWriter<Sink>, FileHandle)> {
    let handle = FileHandle(Arc::new(Shared {
        file: file.try_clone()?,
        start,
        bytes: AtomicU64::new(0),
        behind: Mutex::default(),
    }));
    let target = Target::File {
        file,
        handle: handle.clone(),
    };
    Ok((Sink::new(target, dest), handle))
}

impl Destination {
    /// Rows to stdout, through a handle of their own (a duplicate of the
    /// descriptor) rather than std's buffered `Stdout`: a forced exit after
    /// a signal (`signal.rs`) flushes std's buffer on the way out, which
    /// would block for good on a pipe nobody reads. Without a descriptor to
    /// duplicate (stdout closed), std's `Stdout` it is.
    pub fn stdout() -> Destination {
        let target = own_stdout().map_or_else(|_| Target::Stdout(io::stdout()), Target::Stream);
        Destination {
            out: Sink::new(target, Path::new("stdout")),
            file: None,
            pending: None,
            removed: Vec::new(),
        }
    }

    /// Rows for `-o dest` without `--checkpoint`. A regular file (new, or
    /// reached through a symlink) is replaced only by [`Destination::commit`]; a
    /// device or pipe is written directly, since renaming a file over
    /// `/dev/null` or a FIFO would destroy it.
    pub fn to_path(dest: &Path) -> Result<Destination> {
        if is_stream(dest) {
            // Appending: through /dev/stdout to a file opened with `>>`,
            // what the file already holds stays.
            let file = OpenOptions::new()
                .append(true)
                .open(dest)
                .with_context(|| format!("cannot open -o {}", dest.display()))?;
            return Ok(Destination {
                out: Sink::new(Target::Stream(file), dest),
                file: None,
                pending: None,
                removed: Vec::new(),
            });
        }
        let keep = std::fs::metadata(dest).ok().map(|m| m.permissions());
        let removed = remove_stale_partials(dest, SystemTime::now());
        Ok(Destination {
            removed,
            ..Destination::replace(&link_target(dest), keep)?
        })
    }

    /// Rows to a temporary file beside `dest`, renamed over it by
    /// [`Destination::commit`]. It gets `keep`'s permissions (those of the file it
    /// replaces), or those of any new file (0666 less the umask), never the
    /// owner-only mode temporary files are made with.
    fn replace(dest: &Path, keep: Option<std::fs::Permissions>) -> Result<Destination> {
        let (dir, prefix) = temp_prefix(dest);
        let mut builder = tempfile::Builder::new();
        builder
            .prefix(&prefix)
            .rand_bytes(RANDOM_CHARS)
            .suffix(".partial");
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
        let temp = builder
            .tempfile_in(dir)
            .with_context(|| format!("cannot create a temporary file in {}", dir.display()))?;
        if let Some(perms) = keep {
            // Set exactly (no umask): the replaced file's mode is kept as it was.
            temp.as_file()
                .set_permissions(perms)
                .with_context(|| format!("cannot set permissions on {}", temp.path().display()))?;
        }
        // Held for the run's life: a later run sees the file is in use and
        // leaves it alone. Where locks are not supported, the age guards it.
        let _ = temp.as_file().try_lock();
        let (file, temp) = temp.into_parts();
        let (out, handle) = file_sink(file, 0, dest)?;
        Ok(Destination {
            out,
            file: Some(handle),
            pending: Some(Pending::Temp(temp, dest.to_path_buf())),
            removed: Vec::new(),
        })
    }

    /// Rows into `path` itself, from byte `start` on (0 for a fresh export).
    /// Nothing is cut until [`FileHandle::cut_to_start`].
    /// A file that should hold `start` bytes but is gone is refused, not
    /// created empty.
    pub fn continue_at(path: &Path, start: u64) -> Result<Destination> {
        let removed = remove_stale_partials(path, SystemTime::now());
        let opened = OpenOptions::new()
            .create(start == 0)
            .truncate(false)
            .write(true)
            .open(path);
        let mut file = match opened {
            Err(e) if start > 0 && e.kind() == io::ErrorKind::NotFound => {
                return usage(format!(
                    "-o {} does not exist, but the checkpoint says it holds {start} bytes: was it \
                     moved or deleted? Pass --restart to export again from the start",
                    path.display()
                ))
            }
            opened => opened.with_context(|| format!("cannot open -o {}", path.display()))?,
        };
        let len = file.metadata()?.len();
        if len < start {
            return usage(format!(
                "-o {} is shorter than the checkpoint says ({len} < {start} bytes): was it edited or \
                 replaced? Pass --restart to export again from the start",
                path.display()
            ));
        }
        file.seek(SeekFrom::Start(start))?;
        let (out, handle) = file_sink(file, start, path)?;
        Ok(Destination {
            out,
            file: Some(handle),
            pending: None,
            removed,
        })
    }

    /// Flush everything; move a temporary file into place.
    pub fn commit(self) -> Result<()> {
        let sink = self.out.into_inner().map_err(|e| e.into_error())?;
        if let Some(file) = &self.file {
            file.sync()?;
        }
        drop(sink);
        let (temp, dest) = match self.pending {
            None => return Ok(()),
            Some(Pending::Temp(temp, dest)) => (temp, dest),
            Some(Pending::Kept {
                partial,
                dest,
                keep,
            }) => {
                let perms = match keep {
                    Some(perms) => perms,
                    #[cfg(unix)]
                    None => kept::new_file_permissions(&dest)?,
                    #[cfg(not(unix))]
                    None => std::fs::metadata(&partial)?.permissions(),
                };
                std::fs::set_permissions(&partial, perms)
                    .with_context(|| format!("cannot set permissions on {}", partial.display()))?;
                (TempPath::try_from_path(partial)?, dest)
            }
        };
        crate::bug::check(&format!("replacing {}", dest.display()))?;
        temp.persist(&dest)
            .map_err(|e| temp::keep_aside(e, &dest))?;
        Ok(())
    }

    /// Whether this output replaces its destination only on success.
    pub fn is_atomic(&self) -> bool {
        self.pending.is_some()
    }

    /// The temporary file an atomic output is written to, which a forced
    /// exit removes (not the partial file of a kept pair).
    pub fn temporary(&self) -> Option<&Path> {
        match &self.pending {
            Some(Pending::Temp(temp, _)) => Some(temp),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests;
