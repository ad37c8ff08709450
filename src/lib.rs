//! `druid-bulk`: export the failure report of a DruID bulk user update.
//!
//! A map of the crate (ARCHITECTURE.md has the whole picture, and the
//! table of what each module may import that a test enforces). Data flows
//! one way: `cli` -> `settings` -> `commands` -> `jobs` -> `paginate` ->
//! `api`, and pages -> `output` -> `destination`.
//!
//! - [`cli`]: clap definitions only.
//! - [`settings`]: flag > environment > profile > default, resolved once
//!   into typed parts; `settings::env` is the one reader of the environment.
//! - [`commands`]: one file per subcommand: settings, one job, an exit code.
//! - [`jobs`]: what commands run and share: the export, the failed-lines
//!   join, the submission, the wait for a bulk, what to say at the end.
//! - [`paginate`]: the cursor loop; yields whole pages, knows no output.
//! - [`page`]: the page model, the only code that reads JSON text by hand
//!   (wire types, checks, the scanner, `Row`).
//! - [`api`]: HTTP transport, routes, tokens, typed endpoints.
//! - [`retry`]: backoff maths and the injectable clock.
//! - [`output`]: one writer per format; [`destination`]: stdout or `-o`.
//! - [`summary`], [`signal`], [`sanitize`]: one job each.
//! - [`man`]: the man page, from the clap definition and its own prose.
//! - [`ui`]: the one voice on stderr; [`exit`]: error classes to exit codes;
//!   [`bug`]: a panic or a task that ended early is exit 70, never success.
//! - `sandbox` (feature `sandbox`, on by default): the fake API.

pub mod api;
pub mod bug;
pub mod cli;
pub mod commands;
pub mod destination;
pub mod exit;
pub mod jobs;
pub mod man;
pub mod output;
pub mod page;
pub mod paginate;
pub mod retry;
#[cfg(feature = "sandbox")]
pub mod sandbox;
pub mod sanitize;
pub mod settings;
pub mod signal;
pub mod summary;
pub mod ui;

use std::process::ExitCode;

use clap::Parser;

use exit::Class;

/// Parse the command line, run it, and return the process exit code.
///
/// A panic anywhere (this thread, a task, a helper thread) is exit 70 with
/// one `internal error` line, whatever else the run got to say.
pub fn main() -> ExitCode {
    // What the modules below the settings need of the environment, read
    // once, before anything else (`settings::env`).
    let process = settings::env::process();
    bug::install(process.backtrace, process.fault_point);
    sanitize::set_utf8_locale(process.utf8_locale);
    let cli = cli::Cli::parse();
    ui::init(
        commands::verbosity(&cli.command),
        cli.global.color,
        process.terminal,
    );
    // Unwinding is kept so that a panic here ends in this match, with every
    // destructor run on the way (an `-o` temporary file is removed).
    let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| commands::run(cli)));
    let internal = Class::Internal.exit_code();
    match ran {
        _ if bug::reported() => {
            // What is left of the progress line. The panic may have poisoned
            // its lock; a second panic here is caught, and the hook tells
            // only the first.
            let _ = std::panic::catch_unwind(ui::clear_progress);
            // The hook said what happened; a resume hint is still worth having.
            if let Ok(Err(err)) = &ran {
                if let Some(hint) = exit::hint(err) {
                    ui::hint(hint);
                }
            }
            internal
        }
        Err(_) => internal,
        Ok(Ok(code)) => code,
        Ok(Err(err)) if exit::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Ok(Err(err)) => {
            ui::error(&err);
            ExitCode::from(u8::try_from(exit::exit_code(&err)).unwrap_or(1))
        }
    }
}
