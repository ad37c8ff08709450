//! What the run is doing, on stderr: a live line with pages, rows and rows/s
//! while exporting (or the time waited for an unfinished bulk), and one-line
//! notes (retries) that never tear through it.
//! The spinner is shown only when stderr is a terminal, without `--quiet`,
//! and when `CI` is not set; notes are silenced only by `--quiet`.

use std::io::IsTerminal;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::config::Verbosity;

/// The stderr reporter of one run; clones share the same spinner.
#[derive(Clone)]
pub struct Progress {
    live: bool,
    quiet: bool,
    spinner: Arc<Mutex<Option<ProgressBar>>>,
}

impl Progress {
    /// A reporter for this process's stderr.
    pub fn new(verbosity: Verbosity) -> Progress {
        let quiet = verbosity == Verbosity::Quiet;
        let live = !quiet && std::io::stderr().is_terminal() && std::env::var_os("CI").is_none();
        Progress {
            live,
            quiet,
            spinner: Arc::default(),
        }
    }

    fn with_spinner<T>(&self, f: impl FnOnce(&mut Option<ProgressBar>) -> T) -> T {
        let mut guard = self.spinner.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut guard)
    }

    /// Print a line on stderr without breaking the spinner (nothing with `--quiet`).
    pub fn note(&self, line: &str) {
        if self.quiet {
            return;
        }
        self.with_spinner(|spinner| match spinner {
            Some(bar) => bar.suspend(|| eprintln!("{line}")),
            None => eprintln!("{line}"),
        });
    }

    /// Show (or update) the export's progress line.
    pub fn exporting(&self, what: &str, pages: u64, rows: u64, elapsed: Duration) {
        if !self.live {
            return;
        }
        let rate = rows as f64 / elapsed.as_secs_f64().max(0.001);
        let pages = if pages == 1 {
            "1 page".to_string()
        } else {
            format!("{pages} pages")
        };
        self.show(format!("{what}: {pages}, {rows} rows, {rate:.0} rows/s"));
    }

    /// Run `f` (which writes to the terminal) with the spinner out of the way.
    pub fn suspend<T>(&self, f: impl FnOnce() -> T) -> T {
        if !self.live {
            return f();
        }
        let bar = self
            .spinner
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        match bar {
            Some(bar) => bar.suspend(f),
            None => f(),
        }
    }

    fn show(&self, message: String) {
        self.with_spinner(|spinner| {
            let bar = spinner.get_or_insert_with(|| {
                let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
                bar.set_style(
                    ProgressStyle::with_template("{spinner} {msg}").expect("valid template"),
                );
                bar.enable_steady_tick(Duration::from_millis(120));
                bar
            });
            bar.set_message(message);
        });
    }

    /// Show (or update) the waiting spinner.
    pub fn waiting(&self, bulk_id: &str, waited: Duration, status: &str) {
        if !self.live {
            return;
        }
        self.show(format!(
            "waiting for bulk {bulk_id} to finish ({status}), {} so far",
            humantime::format_duration(Duration::from_secs(waited.as_secs()))
        ));
    }

    /// Remove the spinner, leaving the terminal as it was.
    pub fn clear(&self) {
        self.with_spinner(|spinner| {
            if let Some(bar) = spinner.take() {
                bar.finish_and_clear();
            }
        });
    }
}
