//! The live progress line on stderr (an export's, a wait's spinner, a
//! submission's bar of bytes sent) and, where it does not show, the plain
//! line a minute that tells a CI log an export is alive.
//!
//! The line is drawn two columns narrower than the terminal and its text
//! cut to fit with `…`, so it never wraps. indicatif pads each line to the
//! width it is given and leaves the cursor there: at the terminal's full
//! width, the `^C` the terminal echoes when Ctrl-C is pressed would wrap to
//! a new line, and clearing "the line" before the message that follows
//! would leave the progress line above it on the screen. With the room
//! kept free the echo stays on the progress line, and goes with it.

use std::sync::atomic::Ordering;
use std::sync::Mutex;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle, TermLike};
use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

use super::{info, LIVE};
use crate::sanitize;

static BAR: Mutex<Option<ProgressBar>> = Mutex::new(None);

/// Columns kept free at the right of the progress line: room for `^C`.
const ECHO_ROOM: u16 = 2;

/// The width of the terminal on stderr (80 if it cannot be told).
pub(super) fn columns() -> u16 {
    terminal_size::terminal_size_of(std::io::stderr()).map_or(80, |(w, _)| w.0)
}

/// The columns the progress line may take.
fn room() -> usize {
    usize::from(columns().saturating_sub(ECHO_ROOM).max(10))
}

/// stderr as indicatif draws on it, [`ECHO_ROOM`] columns narrower than it
/// is.
#[derive(Debug)]
struct Narrower(console::Term);

impl TermLike for Narrower {
    fn width(&self) -> u16 {
        columns().saturating_sub(ECHO_ROOM).max(10)
    }

    fn height(&self) -> u16 {
        self.0.size().0
    }

    fn move_cursor_up(&self, n: usize) -> std::io::Result<()> {
        self.0.move_cursor_up(n)
    }

    fn move_cursor_down(&self, n: usize) -> std::io::Result<()> {
        self.0.move_cursor_down(n)
    }

    fn move_cursor_right(&self, n: usize) -> std::io::Result<()> {
        self.0.move_cursor_right(n)
    }

    fn move_cursor_left(&self, n: usize) -> std::io::Result<()> {
        self.0.move_cursor_left(n)
    }

    fn write_line(&self, s: &str) -> std::io::Result<()> {
        self.0.write_line(s)
    }

    fn write_str(&self, s: &str) -> std::io::Result<()> {
        self.0.write_str(s)
    }

    fn clear_line(&self) -> std::io::Result<()> {
        self.0.clear_line()
    }

    fn flush(&self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// A bar drawn on stderr, narrower than the terminal.
fn new_bar(length: Option<u64>) -> ProgressBar {
    let target = ProgressDrawTarget::term_like_with_hz(
        Box::new(Narrower(console::Term::buffered_stderr())),
        20,
    );
    ProgressBar::with_draw_target(length, target)
}

/// `text` in at most `width` columns: cut, with `…` at the end, if wider.
fn fit(text: &str, width: usize) -> String {
    let mut used = 0;
    for (at, c) in text.char_indices() {
        let w = c.width().unwrap_or(0);
        if used + w > width {
            // Back to make room for the ellipsis.
            let mut cut = String::with_capacity(at + 3);
            let mut kept = 0;
            for c in text[..at].chars() {
                let w = c.width().unwrap_or(0);
                if kept + w + 1 > width {
                    break;
                }
                kept += w;
                cut.push(c);
            }
            cut.push('…');
            return cut;
        }
        used += w;
    }
    text.to_string()
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
    pub(super) static SUSPENDED: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// How far an export has got: the whole output's pages and rows (a
/// resumed export's earlier ones too), and the rows of this run.
#[derive(Debug, Clone, Copy, Default)]
pub struct Exported {
    pub pages: u64,
    /// Pages that held no rows, in this run.
    pub empty: u64,
    pub rows: u64,
    /// Rows this run wrote, for the rate.
    pub rows_now: u64,
}

/// Show (or update) an export's progress line.
pub fn exporting(what: &str, exported: Exported, elapsed: Duration) {
    if LIVE.load(Ordering::Relaxed) {
        show(what, &export_counts(exported, elapsed));
    }
}

/// `: 12 pages (3 empty), 9000 rows, 15000 rows/s`, after what is exported.
fn export_counts(exported: Exported, elapsed: Duration) -> String {
    let Exported {
        pages,
        empty,
        rows,
        rows_now,
    } = exported;
    let rate = rows_now as f64 / elapsed.as_secs_f64().max(0.001);
    let mut pages = if pages == 1 {
        "1 page".to_string()
    } else {
        format!("{pages} pages")
    };
    if empty > 0 {
        pages.push_str(&format!(" ({empty} empty)"));
    }
    format!(": {pages}, {rows} rows, {rate:.0} rows/s")
}

/// Whether a long export says how far it got once a minute, in a plain
/// line: the live line does not show (CI, stderr not a terminal,
/// `TERM=dumb`) and `--quiet` is not given.
pub fn plain_progress() -> bool {
    !LIVE.load(Ordering::Relaxed) && super::verbosity() > super::Verbosity::Quiet
}

/// The plain line a minute of an export that has run `minutes`:
/// `12,000 rows in 12 pages, 1m elapsed`.
pub fn still_exporting(exported: Exported, minutes: u64) {
    if plain_progress() {
        info(heartbeat_line(exported, minutes));
    }
}

fn heartbeat_line(exported: Exported, minutes: u64) -> String {
    let plural = |n: u64, word: &str| {
        let s = if n == 1 { "" } else { "s" };
        format!("{} {word}{s}", thousands(n))
    };
    format!(
        "{} in {}, {} elapsed",
        plural(exported.rows, "row"),
        plural(exported.pages, "page"),
        humantime::format_duration(Duration::from_secs(minutes.saturating_mul(60)))
    )
}

/// `12000` as `12,000`.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(d);
    }
    out
}

/// Show (or update) the line of a read through `failed-lines`' input.
pub fn joining(input: &str, lines: u64, failed: u64) {
    if LIVE.load(Ordering::Relaxed) {
        show(input, &format!(": {lines} lines read, {failed} failed"));
    }
}

/// Show (or update) the line of a wait for an unfinished bulk:
/// `bulk B is processing, waited 1m 30s`.
pub fn waiting(bulk_id: &str, waited: Duration, status: &str) {
    if !LIVE.load(Ordering::Relaxed) {
        return;
    }
    show(
        &format!("bulk {bulk_id}"),
        &format!(
            " is {status}, waited {}",
            humantime::format_duration(Duration::from_secs(waited.as_secs()))
        ),
    );
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
        let bar = new_bar(Some(total));
        // The name takes what the rest leaves (`wide_msg`); a narrow
        // terminal gets no bar.
        let template = if room() >= 70 {
            "sending {wide_msg} [{bar:20}] {binary_bytes}/{binary_total_bytes} ({binary_bytes_per_sec})"
        } else {
            "sending {wide_msg} {binary_bytes}/{binary_total_bytes}"
        };
        bar.set_style(
            ProgressStyle::with_template(template)
                .expect("valid template")
                .progress_chars("=> "),
        );
        bar.set_message(sanitize::message(name).into_owned());
        bar
    });
    bar.set_position(sent);
}

/// Show `head` then `tail` on the spinner's line; when they do not fit,
/// `head` (a bulk id, a file name) is cut first, so the counts stay whole.
fn show(head: &str, tail: &str) {
    let mut bar = BAR.lock().unwrap_or_else(|e| e.into_inner());
    // A submission's bar of bytes gives way to the spinner.
    if let Some(other) = bar.take_if(|b| b.length().is_some()) {
        other.finish_and_clear();
    }
    let bar = bar.get_or_insert_with(|| {
        let bar = new_bar(None);
        // `wide_msg`: cut again to the width at each redraw, should the
        // terminal be made narrower meanwhile.
        bar.set_style(
            ProgressStyle::with_template("{spinner} {wide_msg}").expect("valid template"),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    });
    // A status word from a server is shown here: one line, nothing that
    // would steer the terminal, no secret.
    let clean = |text: &str| {
        let redacted = sanitize::redact(text);
        sanitize::cell(&redacted, sanitize::utf8_locale()).into_owned()
    };
    let (head, tail) = (clean(head), clean(tail));
    // The spinner and its space take two columns.
    let room = room().saturating_sub(2);
    let for_head = room
        .saturating_sub(UnicodeWidthStr::width(tail.as_str()))
        .max(12);
    bar.set_message(fit(&format!("{}{tail}", fit(&head, for_head)), room));
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
        let exported = |pages, empty, rows| Exported {
            pages,
            empty,
            rows,
            rows_now: rows,
        };
        assert_eq!(
            export_counts(exported(1, 0, 500), second),
            ": 1 page, 500 rows, 500 rows/s"
        );
        assert_eq!(
            export_counts(exported(12, 3, 9000), second * 2),
            ": 12 pages (3 empty), 9000 rows, 4500 rows/s"
        );
    }

    #[test]
    fn a_resumed_export_counts_from_what_the_output_held_at_this_run_s_rate() {
        let resumed = Exported {
            pages: 30,
            empty: 0,
            rows: 3000,
            rows_now: 1000,
        };
        assert_eq!(
            export_counts(resumed, Duration::from_secs(2)),
            ": 30 pages, 3000 rows, 500 rows/s"
        );
    }

    #[test]
    fn the_line_a_minute_says_rows_pages_and_time() {
        let exported = Exported {
            pages: 12,
            rows: 12_000,
            ..Exported::default()
        };
        assert_eq!(
            heartbeat_line(exported, 1),
            "12,000 rows in 12 pages, 1m elapsed"
        );
        let one = Exported {
            pages: 1,
            rows: 1,
            ..Exported::default()
        };
        assert_eq!(heartbeat_line(one, 61), "1 row in 1 page, 1h 1m elapsed");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_234_567), "1,234,567");
        assert_eq!(thousands(0), "0");
    }

    #[test]
    fn text_is_cut_to_the_columns_it_may_take() {
        assert_eq!(fit("short", 10), "short");
        assert_eq!(fit("exactly10!", 10), "exactly10!");
        assert_eq!(fit("one too long", 11), "one too lo…");
        // Wide characters count two columns.
        assert_eq!(fit("日本語テキスト", 7), "日本語…");
        let waiting = "bulk 018fd63e-f000-7817-aacf-e8bf5dfca5c2 is received, waited 0s";
        assert_eq!(fit(waiting, 76), waiting);
    }
}
