//! `demo --submit`: the whole loop against the built-in sandbox. A sample
//! file is written to a new temporary directory (kept, and named, so it can
//! be looked at), submitted, awaited (the sandbox takes a second, so the
//! spinner shows), and then:
//!
//! - the failure table goes to stdout, as `results --failed-only` writes it
//!   (a table on a terminal, JSON lines when piped, or `-f`/`-o`);
//! - the failed lines go to `fix.jsonl` next to the sample, as
//!   `failed-lines` writes them, and on a terminal the first few follow the
//!   table. When stdout is piped it carries the failure rows alone.

use std::io::{self, IsTerminal, Write};
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result};

use super::sample;
use crate::cli::{DemoArgs, LineArgs};
use crate::exit::Class;
use crate::jobs::submit::{self, source};
use crate::jobs::{export, failed_lines, wait};
use crate::retry::Clock;
use crate::settings::{self, FailedLines, Fetch};
use crate::{sandbox, ui};

/// How long the sandbox takes over the sample bulk: long enough to see the
/// wait, short enough not to.
const PROCESS_TIME: Duration = Duration::from_secs(1);

/// Failed lines shown after the table on a terminal.
const SHOWN: usize = 5;

/// The longest the demo waits for its bulk (it takes [`PROCESS_TIME`]).
const DEADLINE: Duration = Duration::from_secs(60);

pub fn run(args: &DemoArgs) -> Result<ExitCode> {
    if args.rows == 0 {
        return crate::exit::usage(
            "--rows 0 leaves nothing to submit: the sample needs at least one line (e.g. --rows 40)",
        );
    }
    // The sandbox is set up before the settings, on the same test clock.
    let clock = Clock::scaled_by(settings::env::time_scale());
    let cfg = sandbox::SandboxConfig::new(0).with_process_time(clock.scaled(PROCESS_TIME));
    let text = sample::lines(&cfg, args.rows);
    // The flags are checked before anything is written, with a stand-in
    // for the bulk that the sandbox has yet to name.
    let stand_in = cfg.main_bulk_id().to_string();
    let (server, conn) = super::start(cfg)?;
    let mut results = settings::demo(args, conn.clone(), stand_in, ui::stdout_color())?;
    if results.export.list_columns {
        return crate::exit::usage(
            "--columns list shows the fields of the demo's rows: run `druid-bulk demo --columns \
             list`, without --submit",
        );
    }
    results.export.failed_only = true;
    let request = results.request.clone();

    let dir = tempfile::Builder::new()
        .prefix("druid-bulk-demo-")
        .tempdir()
        .context("cannot make a temporary directory for the sample")?
        .keep();
    let users = dir.join("users.jsonl");
    let fix = dir.join("fix.jsonl");
    std::fs::write(&users, &text).with_context(|| format!("cannot write {}", users.display()))?;
    ui::info(format_args!(
        "demo: wrote {} sample lines to {}",
        args.rows,
        users.display()
    ));

    let prepared = source::prepare(Some(&users), true)?;
    let runtime = crate::jobs::runtime()?;
    let api = request.api(&conn)?;
    let bulk = runtime.block_on(submit::send(&api, &request, &prepared.upload))?;
    ui::info(format_args!("demo: submitted them as bulk {bulk}"));
    runtime.block_on(wait::until_finished(&api, &request, &bulk, DEADLINE))?;

    results.export.bulk_ids = vec![bulk.clone()];
    let class = export::export_class(&results, &runtime, &api)?;
    if class.is_some_and(|c| c != Class::RowsFound) {
        return Ok(class.map_or(ExitCode::SUCCESS, Class::exit_code));
    }

    let lines = FailedLines {
        conn,
        request,
        bulk_id: bulk,
        fetch: Fetch {
            page_size: results.export.page_size,
            wait: Some(DEADLINE),
            max_empty_pages: results.export.max_empty_pages,
            ordered: true,
        },
        join: settings::join(&LineArgs::default(), &users, Some(&fix))?,
    };
    let outcome = runtime.block_on(failed_lines::run(&api, &lines))?;
    drop(server);
    let failed = outcome.counts.failed;
    ui::info(format_args!(
        "demo: {failed} of {} lines failed; they are in {}",
        outcome.counts.lines,
        fix.display()
    ));
    if failed > 0 && results.output.path.is_none() && io::stdout().is_terminal() {
        show_first(&fix, failed)?;
    }
    Ok(class.map_or(ExitCode::SUCCESS, Class::exit_code))
}

/// The first [`SHOWN`] failed lines, on stdout after the table, under a
/// heading on stderr.
fn show_first(fix: &Path, failed: u64) -> Result<()> {
    let text =
        std::fs::read_to_string(fix).with_context(|| format!("cannot read {}", fix.display()))?;
    let shown = (failed as usize).min(SHOWN);
    ui::info(format_args!(
        "demo: the first {shown}, to fix and submit again:"
    ));
    let mut stdout = io::stdout().lock();
    for line in text.lines().take(shown) {
        writeln!(stdout, "{line}")?;
    }
    stdout.flush()?;
    Ok(())
}
