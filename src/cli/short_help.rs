//! What `-h` shows of each subcommand: the options people use daily, each
//! with a help line short enough to fit one line at 80 columns. Every other
//! option is left to `--help` (`hide_short_help`), which, like the man
//! page, keeps each option's whole text (its `long_help`).
//!
//! One table, so the choice is made in one place for every subcommand
//! rather than on flag groups that several subcommands share.

use clap::{Arg, Command};

/// For each subcommand, its daily options (by clap id) and the line `-h`
/// gives each. `{values}` is replaced by the option's possible values,
/// which `-h` then does not list again after the line.
const DAILY: &[(&str, &[(&str, &str)])] = &[
    (
        "results",
        &[
            ("bulk_ids", "Bulks to export (several: rows get a bulkId)"),
            ("endpoint", "API base URL"),
            ("token_file", "Read the app token from a file ('-': stdin)"),
            ("failed_only", "Failed rows only"),
            ("format", "Output format: {values}"),
            ("output", "Write to this file instead of stdout"),
            ("columns", "Fields to write, in order (e.g. id,error; list)"),
            ("summary", "Then count the distinct errors on stderr"),
            (
                "fail_on_rows",
                "Exit 8 when any row was written (a CI gate)",
            ),
            ("wait", "Poll a bulk not finished yet, up to DURATION"),
            ("checkpoint", "Save progress here; run again to resume"),
            ("quiet", "Print nothing on stderr but errors"),
        ],
    ),
    (
        "status",
        &[
            ("bulk_id", "Bulk to show; without it, every bulk"),
            ("endpoint", "API base URL"),
            ("token_file", "Read the app token from a file ('-': stdin)"),
            ("format", "Output format: {values}"),
            ("columns", "Fields to write, in order (e.g. bulkId,status)"),
            ("quiet", "Print nothing on stderr but errors"),
            ("verbose", "Log each request on stderr"),
        ],
    ),
    (
        "submit",
        &[
            ("file", "The JSON Lines file to send ('-': stdin)"),
            ("wait", "Then wait for the bulk to finish"),
            ("export", "Then write its results to OUT (implies --wait)"),
            ("failed_lines", "Then write FILE's failed lines to OUT2"),
            ("endpoint", "API base URL"),
            ("token_file", "Read the app token from a file ('-': stdin)"),
            ("failed_only", "With --export: failed rows only"),
            ("format", "Format of --export: {values}"),
            (
                "fail_on_rows",
                "Exit 8 when any row was written (a CI gate)",
            ),
            ("quiet", "Print nothing on stderr but errors"),
        ],
    ),
    (
        "failed-lines",
        &[
            ("bulk_id", "Bulk whose failures select the lines"),
            ("input", "The JSON Lines file the bulk was sent from"),
            ("output", "Write to this file instead of stdout"),
            ("annotate", "Write the error beside each line, to review"),
            ("object_id_at", "JSON pointer to a line's object id"),
            ("endpoint", "API base URL"),
            ("token_file", "Read the app token from a file ('-': stdin)"),
            ("wait", "Poll a bulk not finished yet, up to DURATION"),
            ("quiet", "Print nothing on stderr but errors"),
        ],
    ),
    (
        "demo",
        &[
            ("rows", "Rows in the sandbox bulk"),
            ("submit", "Show the whole loop: submit, wait, fix"),
            ("format", "Output format: {values}"),
            ("columns", "Fields to write, in order (e.g. id,error; list)"),
            ("output", "Write to this file instead of stdout"),
            ("failed_only", "Failed rows only"),
            ("summary", "Then count the distinct errors on stderr"),
            ("quiet", "Print nothing on stderr but errors"),
        ],
    ),
    (
        "sandbox",
        &[
            ("addr", "Address to listen on"),
            ("rows", "Rows in the main bulk"),
            ("token", "Token clients must send"),
            ("latency", "Delay before each results answer (e.g. 50ms)"),
            ("fail_rate", "Fraction of results answering 5xx"),
            ("not_ready_for", "The first N results answer 428"),
            ("process_time", "Time a submitted bulk takes"),
        ],
    ),
    ("completions", &[("shell", "Shell: {values}")]),
];

/// `sub` as `-h` shows it: its daily options with their short line (the
/// whole text kept as the long help), every other option of its own in
/// `--help` only. Global options say for themselves (`GlobalArgs`).
pub fn fit(sub: Command) -> Command {
    let daily = DAILY
        .iter()
        .find(|(name, _)| *name == sub.get_name())
        .map_or(&[][..], |(_, daily)| *daily);
    sub.disable_help_flag(true).mut_args(|arg| {
        match daily.iter().find(|(id, _)| arg.get_id() == *id) {
            Some((_, line)) => shortened(arg, line),
            None if arg.is_positional() => arg,
            None => arg.hide_short_help(true),
        }
    })
}

/// `arg` with `line` as its short help and its whole text as its long help.
fn shortened(arg: Arg, line: &str) -> Arg {
    let whole = arg
        .get_long_help()
        .or(arg.get_help())
        .map(|h| h.to_string())
        .unwrap_or_default();
    let values: Vec<String> = (arg.get_possible_values().iter())
        .filter(|v| !v.is_hide_set())
        .map(|v| v.get_name().to_string())
        .collect();
    if !line.contains("{values}") {
        return arg.help(line.to_string()).long_help(whole);
    }
    // The values are in the line: said once, there and in the long help.
    let values = values.join(", ");
    arg.help(line.replace("{values}", &values))
        .long_help(format!("{whole} [possible values: {values}]"))
        .hide_possible_values(true)
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    /// A typo in the table would silently show nothing.
    #[test]
    fn every_daily_option_exists() {
        let cli = crate::cli::Cli::command();
        for (name, daily) in DAILY {
            // `demo` and `sandbox` exist only with the sandbox feature.
            let sandboxed = ["demo", "sandbox"].contains(name);
            let Some(sub) = cli.find_subcommand(name) else {
                assert!(
                    sandboxed && !cfg!(feature = "sandbox"),
                    "no subcommand {name}"
                );
                continue;
            };
            for (id, line) in *daily {
                let arg = sub.get_arguments().find(|a| a.get_id() == *id);
                assert!(arg.is_some(), "{name} has no option {id}");
                assert!(!line.ends_with('.'), "{name} {id}: no period, as clap's");
            }
        }
    }
}
