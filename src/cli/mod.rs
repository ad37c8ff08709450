//! Command-line surface: clap derive types and help text, nothing else:
//! `Cli` and its `Command`s here, each subcommand's own arguments in
//! `subcommands.rs`, the flag groups they flatten in `groups.rs`.
//!
//! House rules: every option has an explicit `long`, value names are upper
//! case, help text says what the option does and gives an example where it
//! helps, and secret-bearing env vars are declared with `hide_env_values`.
//! Options are grouped under help headings (the `HEADING_*` constants): each
//! flattened struct names its usual heading once, with
//! `#[command(next_help_heading)]`, so a new field lands under it; a field
//! that belongs elsewhere says so with `help_heading`.
//! Values are only parsed here; `settings/` layers them over the environment,
//! a config profile and the defaults, and checks them.

use std::path::PathBuf;

use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};
use secrecy::SecretString;

mod groups;
mod short_help;
mod subcommands;

pub use groups::*;
pub use subcommands::*;

/// How long `--wait` polls when it is given without a value.
pub const DEFAULT_WAIT: &str = "30m";

/// Where the API is and how requests reach it.
pub const HEADING_CONNECTION: &str = "Connection";
/// The app token or the client-credentials flow.
pub const HEADING_AUTHENTICATION: &str = "Authentication";
/// Which rows an export asks for.
pub const HEADING_SELECTION: &str = "Selection";
/// What is written, where, and how.
pub const HEADING_OUTPUT: &str = "Output";
/// Retries, waiting, checkpoints and the checks on what the server sends.
pub const HEADING_RELIABILITY: &str = "Reliability";
/// What is said on stderr while it runs.
pub const HEADING_PROGRESS: &str = "Progress";
/// What `submit` checks, and what it does once the bulk is accepted.
pub const HEADING_SUBMISSION: &str = "Submission";
/// The options every command takes: last, after the command's own.
pub const HEADING_GLOBAL: &str = "Global options";

/// Keeps a secret in a type whose `Debug` prints `[REDACTED]`.
fn parse_secret(value: &str) -> Result<SecretString, std::convert::Infallible> {
    Ok(SecretString::from(value))
}

/// Export the failure report of a DruID bulk user update.
///
/// `-h` is short (each command's daily options, one line each, and two
/// examples: `short_help.rs`); `--help` is everything, the command's own
/// options first and the global ones last, under their heading.
#[derive(Debug, Parser)]
#[command(
    name = "druid-bulk",
    // `0.1.0 (d8eba1b2c 2026-11-28)` from a git checkout, else `0.1.0` (build.rs).
    version = env!("DRUID_BULK_VERSION"),
    about = "Export the failure report of a DruID bulk user update as a table, JSON lines, JSON or CSV",
    // `-h` and `--help` (and `-V`) are `GlobalArgs`', under their heading.
    disable_help_flag = true,
    disable_version_flag = true,
    mut_subcommands = short_help::fit,
    after_help = "Try it with no setup:  druid-bulk demo\n\n\
                  A command's options: druid-bulk COMMAND -h\n\
                  Exit codes and the environment: druid-bulk --help",
    after_long_help = "Try it with no setup:  druid-bulk demo\n\
                  Exit codes: 0 ok, 1 other error, 2 usage, 3 auth, 4 bulk not found, \
                  5 bulk not finished, 6 server/network, 7 bad request or protocol, \
                  8 rows found (--fail-on-rows), 9 bulk failed, 70 internal error (a bug), \
                  130 interrupted.\n\
                  Environment: CI (any value) hides the progress line (a long export prints \
                  a line a minute instead); with --color auto, NO_COLOR turns colour off, \
                  CLICOLOR_FORCE or FORCE_COLOR (not 0) turns it on even when piped, \
                  TERM=dumb turns off colour and the progress line."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
#[command(next_help_heading = HEADING_GLOBAL)]
pub struct GlobalArgs {
    /// When to colour the table header and the error/warning labels (`auto`: on a terminal,
    /// unless NO_COLOR is set or TERM=dumb; CLICOLOR_FORCE or FORCE_COLOR forces it).
    #[arg(
        long,
        global = true,
        value_enum,
        value_name = "WHEN",
        default_value_t = ColorChoice::Auto,
        hide_short_help = true
    )]
    pub color: ColorChoice,

    /// Config file with named profiles [default: ~/.config/druid-bulk/config.toml].
    #[arg(long, global = true, value_name = "PATH", hide_short_help = true)]
    pub config: Option<PathBuf>,

    /// Profile of the config file to use.
    ///
    /// E.g. --profile staging: its keys fill in what the flags and the environment do not say.
    #[arg(long, global = true, value_name = "NAME", env = "DRUID_PROFILE")]
    pub profile: Option<String>,

    #[arg(
        short = 'h',
        long,
        global = true,
        action = ArgAction::Help,
        help = "Print help (--help: every option)",
        long_help = "Print help: -h the options used most, --help every option and more examples"
    )]
    help: Option<bool>,

    /// Print version.
    #[arg(short = 'V', long, action = ArgAction::Version)]
    version: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// The examples of `-h` and `--help`: two and a pointer to `--help` in
/// the first, every one (each line at most 80 columns, so none wraps) and
/// the notes in the second, which the man page shows.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Fetch every page of a bulk's results and write them out.
    #[command(
        after_help = "Examples:\n  \
        druid-bulk results 0190b1c2-… -e https://graph.example.com --token-file tok\n  \
        druid-bulk results 0190b1c2-… --failed-only -o failures.csv\n\n\
        All options and more examples: druid-bulk results --help",
        after_long_help = "Examples:\n  \
        druid-bulk results 0190b1c2-… -e https://graph.example.com --token-file tok\n  \
        DRUID_TOKEN=… druid-bulk results 0190b1c2-… --failed-only -o failures.csv\n  \
        druid-bulk results 0190b1c2-… -f jsonl | jq -r .error | sort | uniq -c\n  \
        druid-bulk results 0190b1c2-… -o all.csv --checkpoint all.ckpt --wait=1h\n\n\
        The progress line shows only on a terminal, and never with CI set or TERM=dumb; \
        there an export that runs longer than a minute prints a line a minute instead."
    )]
    Results(ResultsArgs),
    /// Show the status of one bulk, or of all bulks.
    #[command(
        after_help = "Examples:\n  \
        druid-bulk status 0190b1c2-…         # one bulk\n  \
        druid-bulk status -f csv > bulks.csv  # every bulk\n\n\
        All options: druid-bulk status --help",
        after_long_help = "Examples:\n  \
        druid-bulk status 0190b1c2-…         # one bulk\n  \
        druid-bulk status -f csv > bulks.csv  # every bulk\n  \
        druid-bulk status -f jsonl | jq -r 'select(.status == \"failed\") | .bulkId'\n\n\
        JSON lines and JSON give bulkId, status, createdOn and updatedOn first, in that \
        order, then any other field the server sends."
    )]
    Status(StatusArgs),
    /// Send a JSON Lines bulk update (checked first) and print the new bulk's id on stdout.
    #[command(
        after_help = "Examples:\n  \
        BULK=$(druid-bulk submit users.jsonl)       # the bulk id alone on stdout\n  \
        druid-bulk submit users.jsonl --export failures.csv --failed-lines fix.jsonl\n\n\
        All options, more examples and the exit codes: druid-bulk submit --help",
        after_long_help = "Examples:\n  \
        BULK=$(druid-bulk submit users.jsonl)       # the bulk id alone on stdout\n  \
        druid-bulk submit users.jsonl --wait=1h     # then wait for it to finish\n  \
        druid-bulk submit users.jsonl --export failures.csv --failed-only\n  \
        druid-bulk submit users.jsonl --export failures.csv --failed-lines fix.jsonl\n  \
        jq -c '.[]' users.json | druid-bulk submit -  # from stdin\n\n\
        A submission is not idempotent: when the connection fails after the body may have \
        reached the server, it is not sent again (exit 6); check `druid-bulk status` before \
        submitting the same file again. Ctrl-C during the upload says whether any of it may \
        have reached the server (exit 130).\n\
        Exit codes: 0 sent (and, with --wait, completed; every file written), 2 bad lines \
        (nothing sent), 5 still running at the --wait deadline, 6 server/network (check \
        `druid-bulk status`), 8 rows found (--fail-on-rows), 9 bulk failed; the others as for \
        `results`."
    )]
    Submit(SubmitArgs),
    /// Write the input lines whose users failed in a bulk, to fix and send again.
    #[command(
        after_help = "Examples:\n  \
        druid-bulk failed-lines 0190b1c2-… --input users.jsonl -o fix.jsonl\n  \
        druid-bulk failed-lines 0190b1c2-… -i users.jsonl.gz --annotate | jq -r .error\n\n\
        All options and more examples: druid-bulk failed-lines --help",
        after_long_help = "Examples:\n  \
        druid-bulk failed-lines 0190b1c2-… --input users.jsonl -o fix.jsonl\n  \
        druid-bulk failed-lines 0190b1c2-… -i users.jsonl.gz --annotate | jq -r .error\n  \
        druid-bulk failed-lines 0190b1c2-… -i users.jsonl --object-id-at /data/oid\n  \
        zcat users.jsonl.gz | druid-bulk failed-lines 0190b1c2-… -i - > fix.jsonl\n\n\
        Lines are matched on /user/object_id and /user/pulse_id (else top-level object_id, \
        pulse_id, objectId, pulseId) and written byte for byte, in input order. \
        The last stderr line counts the lines that failed."
    )]
    FailedLines(FailedLinesArgs),
    /// Run `results` against a built-in sandbox API: shows a real export with no setup
    /// (--submit: the whole loop).
    #[cfg(feature = "sandbox")]
    #[command(
        after_help = "Examples:\n  \
        druid-bulk demo            # a failure report, as a table on a terminal\n  \
        druid-bulk demo --submit   # the loop: submit, wait, failures, lines to fix\n\n\
        All options and more examples: druid-bulk demo --help",
        after_long_help = "Examples:\n  \
        druid-bulk demo            # a failure report, as a table on a terminal\n  \
        druid-bulk demo -f csv --rows 5\n  \
        druid-bulk demo --submit   # the loop: submit, wait, failures, lines to fix\n\n\
        With --submit the sample and the failed lines stay in a new directory under $TMPDIR, \
        named on stderr; piped, stdout carries the failure rows alone."
    )]
    Demo(DemoArgs),
    /// Run a local DruID-compatible fake API in the foreground.
    #[cfg(feature = "sandbox")]
    #[command(
        after_help = "Examples:\n  \
        druid-bulk sandbox --rows 5000 --token T\n  \
        druid-bulk sandbox --fail-rate 0.2 --latency 50ms   # a flaky, slow server\n\n\
        All options: druid-bulk sandbox --help",
        after_long_help = "Examples:\n  \
        druid-bulk sandbox --rows 5000 --token T\n  \
        druid-bulk sandbox --fail-rate 0.2 --latency 50ms   # a flaky, slow server\n  \
        druid-bulk sandbox --process-time 30s --fail-bulks  # submitted bulks fail"
    )]
    Sandbox(SandboxArgs),
    /// Print a shell completion script to stdout.
    #[command(
        after_help = "Example:\n  \
        dir=~/.local/share/bash-completion/completions; mkdir -p $dir\n  \
        druid-bulk completions bash > $dir/druid-bulk\n\n\
        All options: druid-bulk completions --help",
        after_long_help = "Example:\n  \
        dir=~/.local/share/bash-completion/completions; mkdir -p $dir\n  \
        druid-bulk completions bash > $dir/druid-bulk"
    )]
    Completions {
        /// Shell to generate completions for.
        #[arg(value_enum, value_name = "SHELL")]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) to stdout: every command, exit status, environment, files.
    #[command(
        after_help = "Examples:\n  \
        druid-bulk man | man -l -       # read it\n  \
        druid-bulk man > ~/.local/share/man/man1/druid-bulk.1  # then: man druid-bulk\n\n\
        All options and more examples: druid-bulk man --help",
        after_long_help = "Examples:\n  \
        druid-bulk man | man -l -       # read it\n  \
        mkdir -p ~/.local/share/man/man1\n  \
        druid-bulk man > ~/.local/share/man/man1/druid-bulk.1  # then: man druid-bulk"
    )]
    Man,
}
