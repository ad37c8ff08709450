//! Bugs in the tool itself: a panic anywhere, or a task that ended without
//! its last word. Neither may end a run as if it had worked.
//!
//! [`install`] sets a panic hook that says once what happened (`error:
//! internal error in druid-bulk …: MESSAGE — this is a bug; …`) and raises a
//! process-wide flag. Unwinding is kept (no `panic = "abort"`), so a task's
//! panic is seen by whoever awaits it; and every commit point (the rename of
//! `-o`, a checkpoint marked complete, the final summary) calls [`check`]
//! first, so a panic on any thread, seen or not, commits nothing. `main`
//! exits [`Class::Internal`] (70) whenever the flag is up.
//!
//! [`point`] is where the integration tests make each kind of task panic,
//! as `DRUID_BULK_PANIC_AT` asks (given to [`install`] by the settings, in
//! builds with debug assertions only: the binary the tests run), never in a
//! release build.

use std::fmt::Write as _;
use std::panic::PanicHookInfo;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use crate::exit::{Class, Failure};
use crate::ui;

static PANICKED: AtomicBool = AtomicBool::new(false);

/// Held by the hook from before the flag goes up until its report is
/// written: the process does not exit with the report half said.
static REPORTING: Mutex<()> = Mutex::new(());

/// The first line of every internal error: what to report, and where.
fn report_line(message: &str) -> String {
    format!(
        "internal error in druid-bulk {}: {message} — this is a bug; please report it with this line",
        env!("DRUID_BULK_VERSION")
    )
}

/// Install the panic hook (once, at the start of `main`): with
/// `backtrace` (`RUST_BACKTRACE` set and not `0`), its report ends in one.
/// `fault_point` is `DRUID_BULK_PANIC_AT`'s `NAME[@N]`, heeded only by
/// builds with debug assertions (see [`point`]).
pub fn install(backtrace: bool, fault_point: Option<String>) {
    #[cfg(debug_assertions)]
    if let Some(spec) = fault_point {
        let _ = WANTED.set(match spec.split_once('@') {
            Some((point, n)) => (point.to_string(), n.parse().unwrap_or(1)),
            None => (spec, 1),
        });
    }
    #[cfg(not(debug_assertions))]
    let _ = fault_point;
    std::panic::set_hook(Box::new(move |info| {
        let _reporting = REPORTING.lock().unwrap_or_else(|e| e.into_inner());
        // Only the first panic is told; the others are its consequences.
        if PANICKED.swap(true, Ordering::SeqCst) {
            return;
        }
        let mut text = report_line(&panic_message(info));
        if backtrace {
            let _ = write!(text, "\n{}", std::backtrace::Backtrace::force_capture());
        }
        ui::internal_error(&text);
    }));
}

/// What panicked and where: `MESSAGE (at src/x.rs:12)`.
fn panic_message(info: &PanicHookInfo<'_>) -> String {
    let payload = info.payload();
    let message = (payload.downcast_ref::<&str>().copied())
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("a panic without a message");
    match info.location() {
        Some(at) => format!("{message} (at {}:{})", at.file(), at.line()),
        None => message.to_string(),
    }
}

/// Whether any thread of this process has panicked.
pub fn panicked() -> bool {
    PANICKED.load(Ordering::SeqCst)
}

/// Whether a thread has panicked, once its report has been written (the
/// panic may be on another thread, still saying it): call before exiting.
pub fn reported() -> bool {
    if !panicked() {
        return false;
    }
    // The report may be stuck on a stderr nobody reads: wait a moment, not
    // for ever (a forced exit after a signal must still happen).
    for _ in 0..1000 {
        match REPORTING.try_lock() {
            Ok(_) | Err(std::sync::TryLockError::Poisoned(_)) => break,
            Err(std::sync::TryLockError::WouldBlock) => {
                std::thread::sleep(std::time::Duration::from_millis(1));
            }
        }
    }
    true
}

/// Refuse to commit `what` after a panic anywhere in the process.
pub fn check(what: &str) -> Result<(), Failure> {
    if panicked() {
        return Err(Failure::new(
            Class::Internal,
            format!("{what} was not done: the run stopped on an internal error"),
        ));
    }
    Ok(())
}

/// A task that ended without its last word (a panic, or a bug that let it
/// return early): exit 70 with the same report line as a panic.
pub fn ended(what: impl std::fmt::Display) -> Failure {
    Failure::new(Class::Internal, report_line(&what.to_string()))
}

/// The kinds of task the tests make panic, by the name `DRUID_BULK_PANIC_AT`
/// gives them; `NAME@N` panics the N-th time the point is reached (from 1).
/// `fetcher-quits` is the other kind of bug: a page fetcher that returns
/// early without a word, and without a panic.
pub const POINTS: [&str; 9] = [
    "page-fetch",
    "ahead",
    "token",
    "writer",
    "sync",
    "checkpoint",
    "upload",
    "join",
    "fetcher-quits",
];

/// Panic here when the tests ask for it (debug builds only); the report
/// names the caller's file and line.
#[inline]
#[track_caller]
pub fn point(name: &'static str) {
    if reached(name) {
        panic!("fault point {name} reached (DRUID_BULK_PANIC_AT)");
    }
}

/// Whether the tests ask this point to misbehave now (debug builds only;
/// always `false` in a release build).
#[inline]
pub fn reached(name: &'static str) -> bool {
    #[cfg(debug_assertions)]
    return test_point(name);
    #[cfg(not(debug_assertions))]
    {
        let _ = name;
        false
    }
}

/// The point the tests asked for, and which time it is reached to panic
/// (from 1): set by [`install`].
#[cfg(debug_assertions)]
static WANTED: std::sync::OnceLock<(String, u32)> = std::sync::OnceLock::new();

#[cfg(debug_assertions)]
fn test_point(name: &'static str) -> bool {
    use std::sync::atomic::AtomicU32;

    debug_assert!(POINTS.contains(&name), "{name} is not in POINTS");
    static REACHED: AtomicU32 = AtomicU32::new(0);
    WANTED.get().is_some_and(|(point, nth)| {
        point == name && REACHED.fetch_add(1, Ordering::SeqCst) + 1 == *nth
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_report_line_names_the_version_and_asks_for_a_report() {
        let line = report_line("boom");
        assert!(line.starts_with(&format!(
            "internal error in druid-bulk {}: boom — ",
            env!("DRUID_BULK_VERSION")
        )));
        assert!(line.ends_with("this is a bug; please report it with this line"));
    }

    #[test]
    fn an_ended_task_is_exit_70() {
        let failure = ended("the page fetcher ended early");
        assert_eq!(failure.class, Class::Internal);
        assert_eq!(failure.class.code(), 70);
    }
}
