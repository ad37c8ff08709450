//! What a job says when it cannot finish: the one place for "nothing was
//! written to -o" and "kept N rows" (beside `-o`), and for the last words of a run ended at once
//! (`signal.rs`: the output could not be closed within the grace period
//! after a signal, or a second signal came). An export keeps its last words
//! current after each page fully written and flushed, the failed-lines join
//! once its output is open; the signal thread reads them while the job may
//! be stuck in a `write`, removes `-o`'s temporary file and says how to
//! continue.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use crate::exit::{Class, Failure};
use crate::retry::Clock;
use crate::signal::{Forced, Interrupts, LastWords, GRACE};
use crate::ui;

/// What a forced exit says and cleans up, shared with the signal thread.
#[derive(Clone, Default)]
pub struct Flushed(Arc<Mutex<State>>);

/// How a run after a forced exit goes on from what this one wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Continued {
    /// It does not: stdout, a device, or `-o` replaced only on success.
    No,
    /// From the output itself (`--checkpoint`), cut back to its last save.
    InPlace,
    /// From the pair kept beside `-o`; `-o` itself is untouched.
    Kept,
}

#[derive(Default)]
struct State {
    /// What is written whole at a time: a `page` (the default), a `line`.
    unit: Option<&'static str>,
    /// What may be left of a page cut short: `stdout may end in part of a page…`.
    torn: Option<String>,
    /// `-o`'s temporary file, removed on the way out.
    temporary: Option<PathBuf>,
    /// The next step after the last page fully written and flushed.
    hint: Option<String>,
}

impl Flushed {
    /// Last words for a job that writes whole `unit`s (`line`), not pages.
    pub fn writing(unit: &'static str) -> Flushed {
        let flushed = Flushed::default();
        flushed.lock().unit = Some(unit);
        flushed
    }

    /// The output is open: what a forced exit leaves in it. `path` is `-o`'s
    /// (`None`: stdout); `temporary` is set when `-o` is replaced only on
    /// success and nothing is kept; `continued` says how a next run goes on.
    pub fn opened(&self, path: Option<&Path>, temporary: Option<&Path>, continued: Continued) {
        let output = path.map_or("stdout".to_string(), |p| format!("-o {}", p.display()));
        let mut state = self.lock();
        let unit = state.unit.unwrap_or("page");
        state.temporary = temporary.map(Path::to_path_buf);
        state.torn = match (temporary, continued) {
            // -o is untouched; what the next run continues from it cuts off
            // where the kept state says.
            (Some(_), _) | (None, Continued::Kept) => None,
            (None, Continued::InPlace) => Some(format!(
                "{output} may end in part of a {unit}, which the next run cuts off"
            )),
            (None, Continued::No) => Some(format!(
                "{output} may end in part of a {unit} after the last whole one"
            )),
        };
    }

    /// A page was written and flushed whole; this is the next step now.
    pub fn page_done(&self, hint: Option<String>) {
        self.lock().hint = hint;
    }

    /// Start hearing Ctrl-C and SIGTERM, with these as the last words of a
    /// forced exit. The grace period is a wait like any other: `clock`
    /// (the test clock) shortens it.
    pub fn listen(&self, clock: &Clock) -> std::io::Result<Interrupts> {
        Interrupts::listen(clock.scaled(GRACE), self.last_words())
    }

    /// The words the signal thread says if it has to end the process.
    pub fn last_words(&self) -> LastWords {
        let flushed = self.clone();
        Box::new(move |forced| flushed.say(forced))
    }

    fn say(&self, forced: Forced) {
        let (message, hint) = {
            let state = self.lock();
            if let Some(temp) = &state.temporary {
                let _ = std::fs::remove_file(temp);
            }
            (message(forced, state.torn.as_deref()), state.hint.clone())
        };
        let unit = self.lock().unit.unwrap_or("page");
        let hint = hint
            .unwrap_or_else(|| format!("no {unit} was written whole; run the same command again"));
        let failure = Failure::new(Class::Interrupted, message).with_hint(hint);
        ui::error_now(&failure.into());
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// What an atomic `-o` holds after a failure: what it held before.
pub fn nothing_written(path: Option<&Path>) -> String {
    let dest = path.unwrap_or(Path::new(""));
    format!(
        "nothing was written to -o {} (it was left as it was); run the same command again",
        dest.display()
    )
}

/// What an export to `-o` that did not complete kept beside it: `kept
/// 36,000 rows (5.1 MB in .big.csv.druid-bulk.partial); run the same
/// command again to continue, or --restart`.
pub fn kept(rows: u64, bytes: u64, partial: &Path) -> String {
    format!(
        "kept {} ({} in {}); run the same command again to continue, or --restart",
        kept_rows(rows),
        size(bytes),
        partial.display()
    )
}

/// `1 row`, `36,000 rows`: rows kept, as [`kept`] counts them.
pub fn kept_rows(rows: u64) -> String {
    match rows {
        1 => "1 row".to_string(),
        n => format!("{} rows", grouped(n)),
    }
}

/// `36000` as `36,000`.
fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

/// A size in bytes as people read it: `512 bytes`, `4.2 kB`, `5.1 MB`, `1.3 GB`.
fn size(bytes: u64) -> String {
    let units = [(1e9, "GB"), (1e6, "MB"), (1e3, "kB")];
    match units.iter().find(|(unit, _)| bytes as f64 >= *unit) {
        Some((unit, name)) => format!("{:.1} {name}", bytes as f64 / unit),
        None if bytes == 1 => "1 byte".to_string(),
        None => format!("{bytes} bytes"),
    }
}

/// A failure before `-o path` was replaced says so as its hint (unless it
/// says what to do itself, or the output is stdout).
pub fn with_nothing_written(err: anyhow::Error, path: Option<&Path>) -> anyhow::Error {
    let Some(path) = path else {
        return err;
    };
    if crate::exit::is_broken_pipe(&err) || crate::exit::hint(&err).is_some() {
        return err;
    }
    let failure = match err.downcast::<Failure>() {
        Ok(f) => f,
        Err(other) => Failure::new(Class::Other, format!("{other:#}")),
    };
    failure.with_hint(nothing_written(Some(path))).into()
}

fn message(forced: Forced, torn: Option<&str>) -> String {
    let why = match forced {
        Forced::Again(signal) => format!("interrupted again by {signal}"),
        Forced::Grace(signal) => format!(
            "interrupted by {signal}, and the output could not be closed within {}s",
            GRACE.as_secs()
        ),
    };
    match torn {
        Some(torn) => format!("{why}: stopped at once; {torn}"),
        None => format!("{why}: stopped at once"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_message_says_why_and_what_may_be_cut() {
        let flushed = Flushed::default();
        flushed.opened(None, None, Continued::No);
        let torn = flushed.lock().torn.clone();
        assert_eq!(
            message(Forced::Grace("SIGTERM"), torn.as_deref()),
            "interrupted by SIGTERM, and the output could not be closed within 2s: stopped at \
             once; stdout may end in part of a page after the last whole one"
        );
        flushed.opened(
            Some(Path::new("out.csv")),
            Some(Path::new(".out.csv.x")),
            Continued::No,
        );
        let torn = flushed.lock().torn.clone();
        assert_eq!(
            message(Forced::Again("SIGINT (Ctrl-C)"), torn.as_deref()),
            "interrupted again by SIGINT (Ctrl-C): stopped at once"
        );
    }

    #[test]
    fn what_was_kept_is_counted_as_people_read_it() {
        assert_eq!(
            kept(36_000, 5_100_000, Path::new(".big.csv.druid-bulk.partial")),
            "kept 36,000 rows (5.1 MB in .big.csv.druid-bulk.partial); run the same command \
             again to continue, or --restart"
        );
        assert!(kept(1, 1, Path::new("p")).starts_with("kept 1 row (1 byte in p)"));
        for (n, text) in [
            (0, "0"),
            (999, "999"),
            (1000, "1,000"),
            (1_234_567, "1,234,567"),
        ] {
            assert_eq!(grouped(n), text);
        }
        for (n, text) in [
            (999, "999 bytes"),
            (4200, "4.2 kB"),
            (1_300_000_000, "1.3 GB"),
        ] {
            assert_eq!(size(n), text);
        }
    }

    #[test]
    fn last_words_remove_the_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let temp = dir.path().join(".out.csv.x.partial");
        std::fs::write(&temp, "half a page").unwrap();
        let flushed = Flushed::default();
        flushed.opened(
            Some(&dir.path().join("out.csv")),
            Some(&temp),
            Continued::No,
        );
        (flushed.last_words())(Forced::Again("SIGTERM"));
        assert!(!temp.exists());
    }
}
