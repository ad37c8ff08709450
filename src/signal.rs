//! Ctrl-C (SIGINT) and SIGTERM, heard on a thread of their own so they are
//! honoured even while the export sits in a `write` to a stdout nobody
//! reads (`| less` left open, a stuck consumer, a container being stopped).
//!
//! The first signal is handed to the export loop, which stops between pages
//! and closes the output properly. If that has not ended the process within
//! the grace period, or a second signal comes, the signal thread runs the
//! export's last words and exits with 130 at once: shutdown never needs
//! SIGKILL.
//!
//! Once heard, a signal is the process's to handle for good (its default
//! action, ending the process, does not come back). So a listener whose
//! [`Interrupts`] is gone (its job is over) leaves a signal to the job
//! listening now, if any; if none is, it ends the process with 130 after
//! the grace period (at once on a second signal), as the default action
//! would have: no job's stale last words are said, and Ctrl-C still stops
//! a process that no longer listens.

use std::io;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc as std_mpsc;
use std::time::Duration;

use tokio::sync::watch;

use crate::bug;
use crate::exit::{Class, Failure};

/// How long the export may take to close its output after the first signal.
pub const GRACE: Duration = Duration::from_secs(2);

/// How long the last words may take (stderr may be the same stuck pipe)
/// before the process exits without them.
const LAST_WORDS_LIMIT: Duration = Duration::from_millis(500);

/// Why the process is being ended at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Forced {
    /// This signal came while the export was still closing after the first.
    Again(&'static str),
    /// The export did not end within the grace period after this signal.
    Grace(&'static str),
}

/// What to say and clean up before a forced exit (printing may never
/// finish: it gets [`LAST_WORDS_LIMIT`], then the process exits anyway).
pub type LastWords = Box<dyn FnOnce(Forced) + Send>;

/// How many [`Interrupts`] are alive: jobs listening for a signal.
static LISTENING: AtomicUsize = AtomicUsize::new(0);

/// Listens for interruption from the moment it is created.
pub struct Interrupts {
    first: watch::Receiver<Option<&'static str>>,
}

impl Drop for Interrupts {
    fn drop(&mut self) {
        LISTENING.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Interrupts {
    /// Start listening on a thread of its own; `last_words` runs if the
    /// process has to be ended at once.
    pub fn listen(grace: Duration, last_words: LastWords) -> io::Result<Interrupts> {
        let (tx, first) = watch::channel(None);
        let (ready_tx, ready) = std_mpsc::channel();
        std::thread::Builder::new()
            .name("signals".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    Ok(runtime) => runtime,
                    Err(e) => {
                        let _ = ready_tx.send(Err(e));
                        return;
                    }
                };
                runtime.block_on(async move {
                    let mut signals = match Listener::new() {
                        Ok(signals) => signals,
                        Err(e) => {
                            let _ = ready_tx.send(Err(e));
                            return;
                        }
                    };
                    let _ = ready_tx.send(Ok(()));
                    let signal = loop {
                        let signal = signals.next().await;
                        if !tx.is_closed() {
                            break signal;
                        }
                        // This listener's job is over: the one listening
                        // now has the signal too. With none, the process
                        // ends, after the grace period: the job that just
                        // stopped listening may be ending on its own.
                        if LISTENING.load(Ordering::SeqCst) == 0 {
                            tokio::select! {
                                _ = signals.next() => {}
                                () = tokio::time::sleep(grace) => {}
                            }
                            std::process::exit(exit_code());
                        }
                    };
                    let _ = tx.send(Some(signal));
                    let forced = tokio::select! {
                        again = signals.next() => Forced::Again(again),
                        () = tokio::time::sleep(grace) => Forced::Grace(signal),
                    };
                    exit_now(last_words, forced);
                });
            })?;
        ready
            .recv()
            .unwrap_or_else(|_| Err(io::Error::other("the signal thread ended")))?;
        LISTENING.fetch_add(1, Ordering::SeqCst);
        Ok(Interrupts { first })
    }

    /// The first signal's name if one has arrived, without waiting: for a
    /// loop that does not await (reading a file line by line).
    pub fn heard(&self) -> Option<&'static str> {
        *self.first.borrow()
    }

    /// Resolves with the first signal's name when one arrives, or with an
    /// internal error if the signal thread ended: it never returns on its
    /// own, so it panicked, and a signal could no longer be honoured.
    pub async fn recv(&mut self) -> Result<&'static str, Failure> {
        loop {
            if let Some(signal) = *self.first.borrow_and_update() {
                return Ok(signal);
            }
            if self.first.changed().await.is_err() {
                return Err(bug::ended("the thread that hears Ctrl-C ended"));
            }
        }
    }
}

/// Run the last words on a thread of their own, give them a moment, and
/// exit 130 whether they finished or not.
fn exit_now(last_words: LastWords, forced: Forced) -> ! {
    let (done_tx, done) = std_mpsc::channel();
    let spoke = std::thread::Builder::new().spawn(move || {
        last_words(forced);
        let _ = done_tx.send(());
    });
    if spoke.is_ok() {
        let _ = done.recv_timeout(LAST_WORDS_LIMIT);
    }
    std::process::exit(exit_code())
}

/// 130, unless a bug elsewhere in the process outranks the signal (70).
fn exit_code() -> i32 {
    if bug::reported() {
        Class::Internal.code()
    } else {
        Class::Interrupted.code()
    }
}

#[cfg(unix)]
struct Listener {
    int: tokio::signal::unix::Signal,
    term: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Listener {
    fn new() -> io::Result<Listener> {
        use tokio::signal::unix::{signal, SignalKind};
        Ok(Listener {
            int: signal(SignalKind::interrupt())?,
            term: signal(SignalKind::terminate())?,
        })
    }

    async fn next(&mut self) -> &'static str {
        tokio::select! {
            _ = self.int.recv() => "SIGINT (Ctrl-C)",
            _ = self.term.recv() => "SIGTERM",
        }
    }
}

#[cfg(not(unix))]
struct Listener;

#[cfg(not(unix))]
impl Listener {
    fn new() -> io::Result<Listener> {
        Ok(Listener)
    }

    async fn next(&mut self) -> &'static str {
        let _ = tokio::signal::ctrl_c().await;
        "Ctrl-C"
    }
}
