//! Command-line surface: clap derive types and help text, nothing else.
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

use clap::{Args, Parser, Subcommand, ValueEnum};
use secrecy::SecretString;

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

/// Keeps a secret in a type whose `Debug` prints `[REDACTED]`.
fn parse_secret(value: &str) -> Result<SecretString, std::convert::Infallible> {
    Ok(SecretString::from(value))
}

/// Export the failure report of a DruID bulk user update.
#[derive(Debug, Parser)]
#[command(
    name = "druid-bulk",
    // `0.1.0 (d8eba1b2c 2026-11-28)` from a git checkout, else `0.1.0` (build.rs).
    version = env!("DRUID_BULK_VERSION"),
    about = "Export the failure report of a DruID bulk user update as a table, JSON lines, JSON or CSV",
    after_help = "Try it with no setup:  druid-bulk demo\n\
                  Exit codes: 0 ok, 1 other error, 2 usage, 3 auth, 4 bulk not found, \
                  5 bulk not finished, 6 server/network, 7 bad request or protocol, \
                  8 rows found (--fail-on-rows), 9 bulk failed, 70 internal error (a bug), \
                  130 interrupted.\n\
                  Environment: CI (any value) hides the progress line; with --color auto, \
                  NO_COLOR turns colour off, CLICOLOR_FORCE=1 turns it on even when piped, \
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
pub struct GlobalArgs {
    /// When to colour the table header and the error/warning labels (`auto`: on a terminal,
    /// unless NO_COLOR is set or TERM=dumb; CLICOLOR_FORCE=1 forces it).
    #[arg(long, global = true, value_enum, value_name = "WHEN", default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Config file with named profiles [default: ~/.config/druid-bulk/config.toml].
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,

    /// Profile of the config file to use (e.g. --profile staging).
    #[arg(long, global = true, value_name = "NAME", env = "DRUID_PROFILE")]
    pub profile: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Fetch every page of a bulk's results and write them out.
    #[command(after_help = "Examples:\n  \
        druid-bulk results 0190b1c2-… -e https://graph.example.com --token-file token.txt\n  \
        DRUID_TOKEN=… druid-bulk results 0190b1c2-… --failed-only -o failures.csv\n  \
        druid-bulk results 0190b1c2-… -f jsonl | jq -r .error | sort | uniq -c\n\n\
        The progress line shows only on a terminal, and never with CI set or TERM=dumb.")]
    Results(ResultsArgs),
    /// Show the status of one bulk, or of all bulks.
    #[command(after_help = "Examples:\n  \
        druid-bulk status 0190b1c2-…         # one bulk\n  \
        druid-bulk status -f csv > bulks.csv  # every bulk")]
    Status(StatusArgs),
    /// Send a JSON Lines bulk update (checked first) and print the new bulk's id on stdout.
    #[command(after_help = "Examples:\n  \
        BULK=$(druid-bulk submit users.jsonl)               # the bulk id alone on stdout\n  \
        druid-bulk submit users.jsonl --wait=1h             # then wait for it to finish\n  \
        druid-bulk submit users.jsonl --export failures.csv --failed-only\n  \
        druid-bulk submit users.jsonl --export failures.csv --failed-lines fix.jsonl\n  \
        jq -c '.[]' users.json | druid-bulk submit -        # from stdin\n\n\
        A submission is not idempotent: when the connection fails after the body may have \
        reached the server, it is not sent again (exit 6); check `druid-bulk status` before \
        submitting the same file again.\n\
        Exit codes: 0 sent (and, with --wait, completed; every file written), 2 bad lines \
        (nothing sent), 5 still running at the --wait deadline, 6 server/network (check \
        `druid-bulk status`), 8 rows found (--fail-on-rows), 9 bulk failed; the others as for \
        `results`.")]
    Submit(SubmitArgs),
    /// Write the input lines whose users failed in a bulk, to fix and send again.
    #[command(after_help = "Examples:\n  \
        druid-bulk failed-lines 0190b1c2-… --input users.jsonl -o fix.jsonl\n  \
        druid-bulk failed-lines 0190b1c2-… -i users.jsonl.gz --annotate | jq -r .error\n  \
        druid-bulk failed-lines 0190b1c2-… -i users.jsonl --object-id-at /data/oid\n  \
        zcat users.jsonl.gz | druid-bulk failed-lines 0190b1c2-… -i - > fix.jsonl\n\n\
        Lines are matched on /user/object_id and /user/pulse_id (else top-level object_id, \
        pulse_id, objectId, pulseId) and written byte for byte, in input order. \
        The last stderr line counts the lines that failed.")]
    FailedLines(FailedLinesArgs),
    /// Run `results` against a built-in sandbox API: shows a real export with no setup
    /// (--submit: the whole loop).
    #[cfg(feature = "sandbox")]
    #[command(after_help = "Examples:\n  \
        druid-bulk demo                 # a failure report, as a table on a terminal\n  \
        druid-bulk demo -f csv --rows 5\n  \
        druid-bulk demo --submit        # the loop: submit, wait, failures, lines to fix\n\n\
        With --submit the sample and the failed lines stay in a new directory under $TMPDIR, \
        named on stderr; piped, stdout carries the failure rows alone.")]
    Demo(DemoArgs),
    /// Run a local DruID-compatible fake API in the foreground.
    #[cfg(feature = "sandbox")]
    Sandbox(SandboxArgs),
    /// Print a shell completion script to stdout.
    #[command(
        after_help = "Example:\n  druid-bulk completions bash > ~/.local/share/bash-completion/completions/druid-bulk"
    )]
    Completions {
        /// Shell to generate completions for.
        #[arg(value_enum, value_name = "SHELL")]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) to stdout: every command, exit status, environment, files.
    #[command(after_help = "Examples:\n  \
        druid-bulk man | man -l -       # read it\n  \
        mkdir -p ~/.local/share/man/man1\n  \
        druid-bulk man > ~/.local/share/man/man1/druid-bulk.1  # then: man druid-bulk")]
    Man,
}

#[derive(Debug, Args)]
pub struct ResultsArgs {
    /// Ids of the bulk updates to export; with several, each row gets a bulkId field.
    #[arg(value_name = "BULK_ID", required_unless_present = "bulk_ids_from")]
    pub bulk_ids: Vec<String>,

    #[command(flatten)]
    pub conn: ConnArgs,

    /// Read more bulk ids from a file, one a line ('-' reads stdin; blank lines and # comments skipped).
    #[arg(long, value_name = "PATH", help_heading = HEADING_SELECTION)]
    pub bulk_ids_from: Option<PathBuf>,

    /// With several bulks: how many to fetch at once [default: 4].
    #[arg(long, value_name = "N", help_heading = HEADING_CONNECTION)]
    pub concurrency: Option<usize>,

    #[command(flatten)]
    pub format: FormatArgs,

    #[command(flatten)]
    pub export: ExportArgs,

    #[command(flatten)]
    pub request: RequestArgs,
}

/// Where the API is and how to authenticate.
#[derive(Debug, Args)]
#[command(next_help_heading = HEADING_CONNECTION)]
pub struct ConnArgs {
    /// API base URL; a path prefix is kept (e.g. https://graph.example.com/api).
    #[arg(short = 'e', long, value_name = "URL", env = "DRUID_ENDPOINT")]
    pub endpoint: Option<String>,

    /// Allow plain http:// to a host that is not this machine (the token travels in clear).
    #[arg(long)]
    pub allow_insecure_http: bool,

    /// Read the app token from a file ('-' reads stdin); surrounding whitespace is trimmed.
    /// Wins over --token and DRUID_TOKEN.
    #[arg(long, value_name = "PATH", help_heading = HEADING_AUTHENTICATION)]
    pub token_file: Option<PathBuf>,

    /// App token; without it, DRUID_TOKEN is read. Prefer --token-file or DRUID_TOKEN:
    /// other users can read argv. Client credentials, when all given, win over a token.
    #[arg(long, value_name = "TOKEN", value_parser = parse_secret, help_heading = HEADING_AUTHENTICATION)]
    pub token: Option<SecretString>,

    /// Auth server for the client-credentials flow (POST {URL}/oauth2/token),
    /// e.g. https://auth.example.com.
    #[arg(long, value_name = "URL", env = "DRUID_AUTH_URL", help_heading = HEADING_AUTHENTICATION)]
    pub auth_url: Option<String>,

    /// Client id for the client-credentials flow.
    #[arg(long, value_name = "ID", env = "DRUID_CLIENT_ID", help_heading = HEADING_AUTHENTICATION)]
    pub client_id: Option<String>,

    /// Read the client secret from a file ('-' reads stdin); or set DRUID_CLIENT_SECRET.
    #[arg(long, value_name = "PATH", help_heading = HEADING_AUTHENTICATION)]
    pub client_secret_file: Option<PathBuf>,
}

/// How rows are laid out, for every command that prints rows.
#[derive(Debug, Args)]
#[command(next_help_heading = HEADING_OUTPUT)]
pub struct FormatArgs {
    /// Output format; `auto` picks from -o's extension, else `table` on a terminal and `jsonl`
    /// when piped [default: auto].
    #[arg(short = 'f', long, value_enum, value_name = "FORMAT")]
    pub format: Option<FormatChoice>,

    /// Columns for csv and table: field names, comma separated, shown in that order
    /// (e.g. id,objectId,error).
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub columns: Option<Vec<String>>,

    /// Leave out the header line of csv and table output.
    #[arg(long)]
    pub no_header: bool,

    /// Table only: wrap long text inside its column instead of cutting it, and leave no
    /// column out (lines may be wider than the terminal).
    #[arg(long)]
    pub wide: bool,

    /// CSV for Excel: a UTF-8 byte order mark and CRLF line ends (implies -f csv where
    /// -f and -o's extension do not say otherwise).
    #[arg(long)]
    pub excel: bool,
}

/// What an export fetches, where it writes, and how it ends (`results` and `demo`).
#[derive(Debug, Args)]
#[command(next_help_heading = HEADING_OUTPUT)]
pub struct ExportArgs {
    /// Write to this file instead of stdout (replaced only when the export succeeds;
    /// '-' is stdout).
    #[arg(short = 'o', long, value_name = "PATH")]
    pub output: Option<PathBuf>,

    #[command(flatten)]
    pub report: ReportArgs,

    #[command(flatten)]
    pub waiting: WaitArgs,

    /// Save progress here after every page; the same command run again resumes from it. Needs -o.
    #[arg(long, value_name = "PATH", requires = "output", help_heading = HEADING_RELIABILITY)]
    pub checkpoint: Option<PathBuf>,

    /// With --checkpoint: ignore the saved progress and export from the start.
    #[arg(long, requires = "checkpoint", help_heading = HEADING_RELIABILITY)]
    pub restart: bool,
}

/// `--wait[=DURATION]`, as `results` and `failed-lines` take it (`submit`'s
/// has a default of its own).
#[derive(Args, Debug, Clone, Default)]
pub struct WaitArgs {
    /// If the bulk is not finished (HTTP 428), poll until it is, for at most DURATION (e.g. --wait=2h).
    #[arg(
        long,
        value_name = "DURATION",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = DEFAULT_WAIT,
        help_heading = HEADING_RELIABILITY
    )]
    pub wait: Option<String>,
}

/// Which rows an export asks for and how it writes and ends them, whatever
/// names the bulk and the file (`results`, `demo`, `submit --export`).
#[derive(Debug, Args)]
#[command(next_help_heading = HEADING_OUTPUT)]
pub struct ReportArgs {
    #[command(flatten)]
    pub paging: PagingArgs,

    /// Start after this cursor (a row id or a printed resume cursor), sent as `last`.
    #[arg(long, visible_alias = "after", value_name = "CURSOR", help_heading = HEADING_SELECTION)]
    pub last: Option<String>,

    /// Ask the server for failed rows only (`failedOnly=true`).
    #[arg(long, help_heading = HEADING_SELECTION)]
    pub failed_only: bool,

    /// Stop after N rows and print the --last value that resumes right after them.
    #[arg(long, value_name = "N", help_heading = HEADING_SELECTION)]
    pub max_rows: Option<u64>,

    /// In csv, prefix cells starting with = + - @ tab or CR with ' so spreadsheets do not run them.
    #[arg(long)]
    pub csv_safe: bool,

    /// After the export, show the distinct errors with their counts and totals by
    /// userIdentifierType on stderr.
    #[arg(long)]
    pub summary: bool,

    /// Print only that summary, on stdout, in the chosen --format (no rows).
    #[arg(long, conflicts_with = "summary")]
    pub summary_only: bool,

    /// Exit with 8 when at least one row was written (a CI gate, like `git diff --exit-code`).
    #[arg(long)]
    pub fail_on_rows: bool,
}

/// How the pages of a bulk's results are asked for and checked (`results`,
/// `demo`, `submit`, `failed-lines`).
#[derive(Debug, Default, Args)]
pub struct PagingArgs {
    /// Rows per request, sent as `limit` (1-10000) [default: 1000].
    #[arg(long, visible_alias = "limit", value_name = "N", help_heading = HEADING_SELECTION)]
    pub page_size: Option<u32>,

    /// Stop with exit 7 after N empty pages in a row that each carry a new cursor
    /// (1-10000) [default: 1000].
    #[arg(long, value_name = "N", help_heading = HEADING_RELIABILITY)]
    pub max_empty_pages: Option<u32>,

    /// Do not check that rows come in id order (for a server that does not sort them;
    /// repeated rows then go undetected).
    #[arg(long, help_heading = HEADING_RELIABILITY)]
    pub unordered: bool,
}

/// How each request is made and reported, for every command that calls the API.
#[derive(Debug, Args)]
#[command(next_help_heading = HEADING_CONNECTION)]
pub struct RequestArgs {
    /// Locale for server messages, sent as Accept-Language (e.g. es-ES).
    #[arg(long, value_name = "LOCALE")]
    pub lang: Option<String>,

    /// Per-request timeout (e.g. 30s, 2m) [default: 60s].
    #[arg(long, value_name = "DURATION")]
    pub timeout: Option<String>,

    /// Retries after a transient fault (408, 429, 5xx, timeout, reset, bad JSON); 0 disables
    /// [default: 4].
    #[arg(long, value_name = "N", help_heading = HEADING_RELIABILITY)]
    pub retries: Option<u32>,

    /// Stop retrying a request once this much time has passed since its first attempt
    /// (e.g. 10m) [default: 5m].
    #[arg(long, value_name = "DURATION", help_heading = HEADING_RELIABILITY)]
    pub retry_max_time: Option<String>,

    /// Print nothing on stderr but errors.
    #[arg(short = 'q', long, conflicts_with = "verbose", help_heading = HEADING_PROGRESS)]
    pub quiet: bool,

    /// Log each request (method, URL, status, timing; secrets redacted) on stderr.
    #[arg(short = 'v', long, help_heading = HEADING_PROGRESS)]
    pub verbose: bool,
}

#[derive(Debug, Args)]
pub struct FailedLinesArgs {
    /// Bulk whose failures select the lines.
    #[arg(value_name = "BULK_ID")]
    pub bulk_id: String,

    #[command(flatten)]
    pub conn: ConnArgs,

    /// The JSON Lines file the bulk was sent from ('-' reads stdin; gzip data, e.g.
    /// users.jsonl.gz, is unpacked as it is read).
    #[arg(short = 'i', long, value_name = "FILE", help_heading = HEADING_SELECTION)]
    pub input: PathBuf,

    /// Write to this file instead of stdout (replaced only when every failed line was
    /// written; '-' is stdout).
    #[arg(short = 'o', long, value_name = "PATH", help_heading = HEADING_OUTPUT)]
    pub output: Option<PathBuf>,

    #[command(flatten)]
    pub lines: LineArgs,

    #[command(flatten)]
    pub paging: PagingArgs,

    #[command(flatten)]
    pub waiting: WaitArgs,

    #[command(flatten)]
    pub request: RequestArgs,
}

/// How input lines are matched to failed users, and what is written for
/// each (`failed-lines`, and any command that writes failed lines).
#[derive(Debug, Default, Args)]
#[command(next_help_heading = HEADING_SELECTION)]
pub struct LineArgs {
    /// JSON pointer to a line's object id, instead of /user/object_id, then top-level
    /// object_id or objectId (e.g. --object-id-at /data/oid).
    #[arg(long, value_name = "POINTER")]
    pub object_id_at: Option<String>,

    /// JSON pointer to a line's pulse id, instead of /user/pulse_id, then top-level
    /// pulse_id or pulseId.
    #[arg(long, value_name = "POINTER")]
    pub pulse_id_at: Option<String>,

    /// Write one JSON object per failed line instead, for people to review:
    /// {"line":N,"error":"…","input":{…}}.
    #[arg(long, help_heading = HEADING_OUTPUT)]
    pub annotate: bool,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Bulk to show; without it, every bulk is listed.
    #[arg(value_name = "BULK_ID")]
    pub bulk_id: Option<String>,

    #[command(flatten)]
    pub conn: ConnArgs,

    #[command(flatten)]
    pub format: FormatArgs,

    #[command(flatten)]
    pub request: RequestArgs,
}

/// `submit FILE`: the file, the checks, and what follows once the bulk is accepted.
#[derive(Debug, Args)]
#[command(next_help_heading = HEADING_SUBMISSION)]
pub struct SubmitArgs {
    /// The bulk update: JSON Lines, one user's update per line ('-' reads stdin).
    #[arg(value_name = "FILE", help_heading = None::<&str>)]
    pub file: PathBuf,

    /// Send FILE as it is, without checking first that each line is a JSON object with a user
    /// identifier.
    #[arg(long)]
    pub no_validate: bool,

    /// Then poll the bulk's status until it has finished, for at most DURATION (e.g. --wait=2h);
    /// exit 9 if the bulk failed.
    #[arg(
        long,
        value_name = "DURATION",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = DEFAULT_WAIT
    )]
    pub wait: Option<String>,

    /// Then (implies --wait) write the bulk's results to OUT, as `results BULK -o OUT` would:
    /// the format from OUT's extension or -f, and every Output and Selection option.
    #[arg(long, value_name = "OUT")]
    pub export: Option<PathBuf>,

    /// Then (implies --wait, and runs after --export) write FILE's lines whose users failed to
    /// OUT2, as `failed-lines BULK --input FILE -o OUT2` would.
    #[arg(long, value_name = "OUT2")]
    pub failed_lines: Option<PathBuf>,

    #[command(flatten)]
    pub lines: LineArgs,

    #[command(flatten)]
    pub conn: ConnArgs,

    #[command(flatten)]
    pub format: FormatArgs,

    #[command(flatten)]
    pub report: ReportArgs,

    #[command(flatten)]
    pub request: RequestArgs,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Rows in the sandbox bulk (with --submit: lines in the sample file).
    #[arg(long, value_name = "N", default_value_t = 40)]
    pub rows: u64,

    /// Show the whole loop instead: write a sample JSON Lines file (in a new temporary
    /// directory), submit it to the sandbox, wait, show its failures and the first lines to fix.
    #[arg(long)]
    pub submit: bool,

    #[command(flatten)]
    pub format: FormatArgs,

    #[command(flatten)]
    pub export: ExportArgs,

    #[command(flatten)]
    pub request: RequestArgs,
}

#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// Address to listen on.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8089")]
    pub addr: std::net::SocketAddr,

    /// Rows in the main bulk.
    #[arg(long, value_name = "N", default_value_t = 250)]
    pub rows: u64,

    /// Id of the main bulk.
    #[arg(long, value_name = "ID")]
    pub bulk_id: Option<String>,

    /// Token clients must send.
    #[arg(long, value_name = "TOKEN")]
    pub token: Option<String>,

    /// Seed for the generated rows and injected faults (same seed, same run).
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,

    /// Fraction of results requests answered with a random 500/502/503/504 (e.g. 0.2).
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    pub fail_rate: f64,

    /// Fraction of results responses cut off mid-body (the connection is dropped).
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    pub reset_rate: f64,

    /// Delay before answering each results request (e.g. 50ms).
    #[arg(long, value_name = "DURATION")]
    pub latency: Option<String>,

    /// Answer the first N results requests of each bulk with 428 (not finished yet).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub not_ready_for: u32,

    /// Compress responses (gzip, br, zstd) for clients that send Accept-Encoding.
    #[arg(long)]
    pub compress: bool,

    /// How long a submitted bulk takes to go from received to completed (e.g. 30s; 0s: at once).
    #[arg(long, value_name = "DURATION", default_value = "2s")]
    pub process_time: String,

    /// Answer a submission of more lines than this with 400.
    #[arg(long, value_name = "N", default_value_t = 1_000_000)]
    pub max_lines: u64,

    /// Submitted bulks end failed instead of completed (their results then answer 428).
    #[arg(long)]
    pub fail_bulks: bool,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum FormatChoice {
    #[default]
    Auto,
    Table,
    Csv,
    Jsonl,
    Json,
}
