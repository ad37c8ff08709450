//! The one voice on stderr: verbosity, the colour decision for stderr and
//! stdout, the live progress line, and every message printed for people.
//!
//! Nothing else in the crate writes to stderr. Each message suspends the
//! progress line while it prints, so a retry note or a `-v` request log
//! never tears it. The settings are process-wide (set once by [`init`], as
//! ripgrep's `messages.rs` does) so that any module can speak without a
//! handle being threaded through it.
//!
//! - Colour: `--color auto|always|never`; `auto` follows `NO_COLOR` (off),
//!   `CLICOLOR_FORCE` and `FORCE_COLOR` (on, even when piped), `TERM=dumb`
//!   (off) and whether the stream is a terminal, decided for stderr and
//!   stdout separately.
//! - Every line, the progress line too, is `sanitize::redact`ed: no secret
//!   of the run shows, whatever a server quoted back.
//! - The progress line (an export's, a wait's spinner, a submission's bar
//!   of bytes sent) shows only when stderr is a terminal, without
//!   `--quiet`, with `CI` unset and `TERM` not `dumb`.

use std::fmt::Display;
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use anstream::ColorChoice;
use anstyle::{AnsiColor, Style};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cli;
use crate::sanitize;

/// How much to say on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    /// Errors, and what a script needs to continue (a resume cursor).
    Quiet,
    Normal,
    /// Also each request and answer (`-v`).
    Verbose,
}

impl Verbosity {
    /// From the `-q` and `-v` flags.
    pub fn from_flags(quiet: bool, verbose: bool) -> Verbosity {
        match (quiet, verbose) {
            (true, _) => Verbosity::Quiet,
            (false, true) => Verbosity::Verbose,
            (false, false) => Verbosity::Normal,
        }
    }
}

static VERBOSITY: AtomicU8 = AtomicU8::new(Verbosity::Normal as u8);
static STDERR_COLOR: AtomicBool = AtomicBool::new(false);
static STDOUT_COLOR: AtomicBool = AtomicBool::new(false);
static LIVE: AtomicBool = AtomicBool::new(false);
static BAR: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// What the environment says about the terminal stderr may be (read by the
/// settings: `settings::env`).
#[derive(Debug, Clone, Copy, Default)]
pub struct Terminal {
    /// `CI` is set: a CI job's log, however it looks.
    pub ci: bool,
    /// `TERM=dumb`.
    pub dumb: bool,
    /// `FORCE_COLOR` set, not empty and not `0`: colour with `--color
    /// auto`, as `CLICOLOR_FORCE` (which anstream reads itself).
    pub force_color: bool,
    /// `NO_COLOR` set and not empty, which wins over `FORCE_COLOR` as over
    /// `CLICOLOR_FORCE`.
    pub no_color: bool,
}

/// Set how much to say and whether to colour, once, before anything prints;
/// `terminal` decides with stderr and `--quiet` whether a live progress
/// line shows.
pub fn init(verbosity: Verbosity, color: cli::ColorChoice, terminal: Terminal) {
    VERBOSITY.store(verbosity as u8, Ordering::Relaxed);
    match color {
        cli::ColorChoice::Auto => ColorChoice::Auto,
        cli::ColorChoice::Always => ColorChoice::Always,
        cli::ColorChoice::Never => ColorChoice::Never,
    }
    .write_global();
    let forced = color == cli::ColorChoice::Auto && terminal.force_color && !terminal.no_color;
    let colors = |stream_choice: ColorChoice| forced || stream_choice != ColorChoice::Never;
    STDERR_COLOR.store(
        colors(anstream::AutoStream::choice(&std::io::stderr())),
        Ordering::Relaxed,
    );
    STDOUT_COLOR.store(
        colors(anstream::AutoStream::choice(&std::io::stdout())),
        Ordering::Relaxed,
    );
    let live = verbosity > Verbosity::Quiet
        && std::io::stderr().is_terminal()
        && !terminal.ci
        && !terminal.dumb;
    LIVE.store(live, Ordering::Relaxed);
}

fn verbosity() -> Verbosity {
    match VERBOSITY.load(Ordering::Relaxed) {
        0 => Verbosity::Quiet,
        1 => Verbosity::Normal,
        _ => Verbosity::Verbose,
    }
}

/// Whether data written to stdout (the table's header) may be coloured.
pub fn stdout_color() -> bool {
    STDOUT_COLOR.load(Ordering::Relaxed)
}

/// A plain line for people (nothing with `--quiet`).
pub fn info(message: impl Display) {
    if verbosity() > Verbosity::Quiet {
        emit(&message.to_string());
    }
}

/// A line that is printed even with `--quiet`: what a script needs to
/// continue, or a failure it must not miss.
pub fn always(message: impl Display) {
    emit(&message.to_string());
}

/// `note: …` (nothing with `--quiet`).
pub fn note(message: impl Display) {
    if verbosity() > Verbosity::Quiet {
        emit(&labelled("note:", AnsiColor::Cyan, &message.to_string()));
    }
}

/// The note for rows of bulk `bulk_id` that carry a `bulkId` of their own
/// (`received`, its JSON text), which the output replaces.
pub fn replaced_bulk_id(bulk_id: &str, received: &str) {
    let mut shown: String = received.chars().take(60).collect();
    if shown.len() < received.len() {
        shown.push('…');
    }
    note(format_args!(
        "bulk {bulk_id}: its rows carry their own bulkId ({}); the output gives each \
         row the bulk asked for, {bulk_id}, in its place",
        sanitize::message(&shown)
    ));
}

/// `warning: …` (nothing with `--quiet`).
pub fn warn(message: impl Display) {
    if verbosity() > Verbosity::Quiet {
        emit(&labelled(
            "warning:",
            AnsiColor::Yellow,
            &message.to_string(),
        ));
    }
}

/// A request or answer log line, with `-v` only.
pub fn verbose(message: impl Display) {
    if verbosity() == Verbosity::Verbose {
        emit(&message.to_string());
    }
}

/// `error: …` and the failure's `hint: …`, cleaned of control characters.
pub fn error(err: &anyhow::Error) {
    clear_progress();
    for line in error_lines(err) {
        emit(&line);
    }
}

/// [`error`] for a process about to exit at once: one write straight to
/// stderr, not waiting for the progress line, whose lock a writer stuck on
/// stdout may hold. The caller must not wait on it forever either: stderr
/// may be a stuck pipe too.
pub fn error_now(err: &anyhow::Error) {
    let mut text = String::new();
    if LIVE.load(Ordering::Relaxed) {
        // Erase the progress line this message replaces.
        text.push_str("\r\x1b[2K");
    }
    text.push_str(&error_lines(err).join("\n"));
    write_stderr(&sanitize::redact(&text));
}

fn error_lines(err: &anyhow::Error) -> Vec<String> {
    let mut lines = vec![labelled(
        "error:",
        AnsiColor::Red,
        &sanitize::message(&format!("{err:#}")),
    )];
    if let Some(hint) = crate::exit::hint(err) {
        lines.push(hint_line(hint));
    }
    lines
}

/// The one line of a panic (`bug.rs`'s hook), and a backtrace with
/// `RUST_BACKTRACE`. Said from inside the hook, on whatever thread
/// panicked, so it takes no lock the panic may have been holding: the live
/// progress line is turned off for good, and the line it was drawn on is
/// erased in place (no lock to wait for) unless this thread was writing
/// with it suspended already. `main` clears whatever is left of it.
pub fn internal_error(text: &str) {
    let mut out = String::new();
    if LIVE.swap(false, Ordering::SeqCst) && !SUSPENDED.get() {
        out.push_str("\r\x1b[2K");
    }
    let mut lines = text.lines();
    let first = lines.next().unwrap_or_default();
    out.push_str(&labelled(
        "error:",
        AnsiColor::Red,
        &sanitize::message(first),
    ));
    for line in lines {
        out.push('\n');
        out.push_str(&sanitize::message(line));
    }
    write_stderr(&out);
}

/// `hint: …` after a failure printed by [`always`] (printed even with `--quiet`).
pub fn hint(message: impl Display) {
    emit(&hint_line(&message.to_string()));
}

fn hint_line(hint: &str) -> String {
    labelled("hint:", AnsiColor::Cyan, &sanitize::message(hint))
}

fn labelled(label: &str, color: AnsiColor, message: &str) -> String {
    if STDERR_COLOR.load(Ordering::Relaxed) {
        let style = Style::new().bold().fg_color(Some(color.into()));
        format!("{style}{label}{style:#} {message}")
    } else {
        format!("{label} {message}")
    }
}

/// Print one line on stderr with the progress line out of the way,
/// [`sanitize::redact`]ed: whatever a message quotes from a server, no
/// secret of the run shows. A stderr that cannot be written to is not
/// worth failing the run for.
fn emit(line: &str) {
    let line = sanitize::redact(line);
    suspend(|| write_stderr(&line));
}

#[cfg(not(test))]
fn write_stderr(line: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr().lock(), "{line}");
}

// Unit tests print through the test harness, which captures it.
#[cfg(test)]
fn write_stderr(line: &str) {
    eprintln!("{line}");
}

/// Run `f` (which writes to the terminal) with the progress line out of the way.
pub fn suspend<T>(f: impl FnOnce() -> T) -> T {
    if !LIVE.load(Ordering::Relaxed) {
        return f();
    }
    let bar = BAR.lock().unwrap_or_else(|e| e.into_inner()).clone();
    match bar {
        Some(bar) => bar.suspend(|| {
            // Reset however `f` ends, a panic included.
            struct Resume;
            impl Drop for Resume {
                fn drop(&mut self) {
                    SUSPENDED.set(false);
                }
            }
            SUSPENDED.set(true);
            let _resume = Resume;
            f()
        }),
        None => f(),
    }
}

thread_local! {
    /// This thread is inside [`suspend`]: the progress line is off the
    /// screen, and its lock is held until `f` returns.
    static SUSPENDED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Show (or update) an export's progress line.
pub fn exporting(what: &str, pages: u64, empty: u64, rows: u64, elapsed: Duration) {
    if LIVE.load(Ordering::Relaxed) {
        show(export_line(what, pages, empty, rows, elapsed));
    }
}

/// `bulk B: 12 pages (3 empty), 9000 rows, 15000 rows/s`.
fn export_line(what: &str, pages: u64, empty: u64, rows: u64, elapsed: Duration) -> String {
    let rate = rows as f64 / elapsed.as_secs_f64().max(0.001);
    let mut pages = if pages == 1 {
        "1 page".to_string()
    } else {
        format!("{pages} pages")
    };
    if empty > 0 {
        pages.push_str(&format!(" ({empty} empty)"));
    }
    format!("{what}: {pages}, {rows} rows, {rate:.0} rows/s")
}

/// Show (or update) the line of a read through `failed-lines`' input.
pub fn joining(input: &str, lines: u64, failed: u64) {
    if LIVE.load(Ordering::Relaxed) {
        show(format!("{input}: {lines} lines read, {failed} failed"));
    }
}

/// Show (or update) the line of a wait for an unfinished bulk.
pub fn waiting(bulk_id: &str, waited: Duration, status: &str) {
    if !LIVE.load(Ordering::Relaxed) {
        return;
    }
    show(format!(
        "waiting for bulk {bulk_id} to finish ({status}), {} so far",
        humantime::format_duration(Duration::from_secs(waited.as_secs()))
    ));
}

/// Show (or update) the bar of a file being sent: `sent` of `total` bytes,
/// with the rate.
pub fn sending(name: &str, sent: u64, total: u64) {
    if !LIVE.load(Ordering::Relaxed) {
        return;
    }
    let mut slot = BAR.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(other) = slot.take_if(|bar| bar.length() != Some(total)) {
        other.finish_and_clear();
    }
    let bar = slot.get_or_insert_with(|| {
        let bar = ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr());
        bar.set_style(
            ProgressStyle::with_template(
                "sending {msg} [{bar:30}] {binary_bytes}/{binary_total_bytes} ({binary_bytes_per_sec})",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        bar.set_message(sanitize::message(name).into_owned());
        bar
    });
    bar.set_position(sent);
}

fn show(message: String) {
    let mut bar = BAR.lock().unwrap_or_else(|e| e.into_inner());
    // A submission's bar of bytes gives way to the spinner.
    if let Some(other) = bar.take_if(|b| b.length().is_some()) {
        other.finish_and_clear();
    }
    let bar = bar.get_or_insert_with(|| {
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.set_style(ProgressStyle::with_template("{spinner} {msg}").expect("valid template"));
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    });
    // A status word from a server is shown here: one line, nothing that
    // would steer the terminal, no secret.
    let redacted = sanitize::redact(&message);
    bar.set_message(sanitize::cell(&redacted, sanitize::utf8_locale()).into_owned());
}

/// Remove the progress line, leaving the terminal as it was.
pub fn clear_progress() {
    if let Some(bar) = BAR.lock().unwrap_or_else(|e| e.into_inner()).take() {
        bar.finish_and_clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_progress_line_counts_empty_pages_while_they_come() {
        let second = Duration::from_secs(1);
        assert_eq!(
            export_line("bulk B1", 1, 0, 500, second),
            "bulk B1: 1 page, 500 rows, 500 rows/s"
        );
        assert_eq!(
            export_line("bulk B1", 12, 3, 9000, second * 2),
            "bulk B1: 12 pages (3 empty), 9000 rows, 4500 rows/s"
        );
    }

    #[test]
    fn flags_give_the_verbosity() {
        assert_eq!(Verbosity::from_flags(true, false), Verbosity::Quiet);
        assert_eq!(Verbosity::from_flags(true, true), Verbosity::Quiet);
        assert_eq!(Verbosity::from_flags(false, true), Verbosity::Verbose);
        assert_eq!(Verbosity::from_flags(false, false), Verbosity::Normal);
    }
}
