//! `druid-bulk completions SHELL` and `druid-bulk man`: files generated
//! from the command-line definition, printed on stdout.

use std::io::Write;
use std::process::ExitCode;

use anyhow::Result;
use clap::CommandFactory;

use crate::cli::Cli;

/// Print the completion script for `shell`.
pub fn completions(shell: clap_complete::Shell) -> Result<ExitCode> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "druid-bulk", &mut script);
    if shell == clap_complete::Shell::Bash {
        script = fix_bash(&String::from_utf8(script)?).into_bytes();
    }
    let mut out = std::io::stdout().lock();
    out.write_all(&script)?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// clap_complete's bash script names a hyphenated binary's subcommand
/// states two ways: `cmd="druid__bulk__subcmd__results"` when it walks the
/// words, `druid__subcmd__bulk__subcmd__results)` in the `case` that offers
/// options, so nothing after a subcommand completes (clap-rs/clap#6386,
/// fixed upstream by #6428, not yet released). Give the `case` arms the
/// names the walk uses.
fn fix_bash(script: &str) -> String {
    script.replace("druid__subcmd__bulk", "druid__bulk")
}

/// Print the man page: the plain version, as a commit in a committed page
/// would go stale.
pub fn man() -> Result<ExitCode> {
    let page = crate::man::render(Cli::command(), env!("CARGO_PKG_VERSION"));
    let mut out = std::io::stdout().lock();
    out.write_all(page.as_bytes())?;
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
