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
//!   `--quiet`, with `CI` unset and `TERM` not `dumb`, cut to fit the
//!   terminal; where it does not, a long export prints a plain line a
//!   minute (`progress.rs`).

mod progress;

use std::fmt::Display;
use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, AtomicU8, Ordering};

use anstream::ColorChoice;
use anstyle::{AnsiColor, Style};

use crate::cli;
use crate::sanitize;
use progress::SUSPENDED;
pub use progress::{
    clear_progress, exporting, joining, plain_progress, sending, still_exporting, suspend, waiting,
    Exported,
};

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
/// Whether the live progress line shows (`progress.rs`).
static LIVE: AtomicBool = AtomicBool::new(false);
/// Whether stderr is a terminal: notes are wrapped to its width.
static STDERR_TERMINAL: AtomicBool = AtomicBool::new(false);

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
    let on_terminal = std::io::stderr().is_terminal();
    STDERR_TERMINAL.store(on_terminal, Ordering::Relaxed);
    let live = verbosity > Verbosity::Quiet && on_terminal && !terminal.ci && !terminal.dumb;
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

/// `text`, to follow a label of `indent` columns, broken at spaces into
/// lines of at most `width` columns, each after the first indented by
/// `indent`. A word longer than a line is left whole (a path or a URL
/// stays one piece to copy).
fn wrap(text: &str, width: usize, indent: usize) -> String {
    use unicode_width::UnicodeWidthStr;
    let room = width.saturating_sub(indent).max(20);
    let mut out = String::with_capacity(text.len() + 16);
    let mut used = 0;
    for (i, word) in text.split(' ').enumerate() {
        let len = word.width();
        if used > 0 && used + 1 + len > room {
            out.push('\n');
            out.push_str(&" ".repeat(indent));
            used = 0;
        } else if i > 0 {
            out.push(' ');
            used += 1;
        }
        out.push_str(word);
        used += len;
    }
    out
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

/// `label message`. On a terminal the message is wrapped at spaces to the
/// terminal's width, under its first word, rather than broken mid-word at
/// the edge (`error:`, `hint:`, `warning:` and `note:` lines alike); a pipe
/// or a CI log gets it on one line, whole, to search.
fn labelled(label: &str, color: AnsiColor, message: &str) -> String {
    let wrapped;
    let message = if STDERR_TERMINAL.load(Ordering::Relaxed) {
        let width = usize::from(progress::columns());
        wrapped = wrap(message, width, label.len() + 1);
        &wrapped
    } else {
        message
    };
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_wraps_at_spaces_under_its_first_word() {
        let text = "TYPE left out to fit 40 columns; see it with --wide or -f csv";
        let wrapped = wrap(text, 40, 6);
        assert_eq!(
            wrapped,
            "TYPE left out to fit 40 columns;\n      see it with --wide or -f csv"
        );
        for line in format!("note: {wrapped}").lines() {
            assert!(line.chars().count() <= 40, "{line:?}");
        }
        assert_eq!(wrap("short", 80, 6), "short");
        // A word longer than the line stays whole, on a line of its own.
        let url = "https://example.com/".repeat(5);
        assert_eq!(
            wrap(&format!("see {url} now"), 40, 6),
            format!("see\n      {url}\n      now")
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
