//! Each subcommand's own arguments, with the groups it flattens.

use std::path::PathBuf;

use clap::Args;

use super::*;

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

    /// Fetch each bulk as up to N id ranges at once (2-32), each seam checked; the report is
    /// the same as without it, fetched sequentially when the server does not accept the ranges.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u8).range(2..=32), help_heading = HEADING_CONNECTION)]
    pub split: Option<u8>,

    #[command(flatten)]
    pub format: FormatArgs,

    #[command(flatten)]
    pub export: ExportArgs,

    #[command(flatten)]
    pub request: RequestArgs,
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

    /// Answer the first N results requests with 429 (Too Many Requests, Retry-After: 1).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub limited_for: u32,

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

    /// How results pages are written: compact (no spaces), spaced (", " and ": "),
    /// pretty (indented by 2), escaped (compact, non-ASCII as \uXXXX).
    #[arg(long, value_name = "LAYOUT", value_enum, default_value_t = SandboxLayout::Compact)]
    pub layout: SandboxLayout,

    /// Where results pages put lastId: first (before results) or last (after results).
    #[arg(long, value_name = "WHERE", value_enum, default_value_t = SandboxLastId::First)]
    pub lastid: SandboxLastId,

    /// How row ids spread over each bulk's createdOn..updatedOn window: uniform (one a
    /// millisecond), bursty (ten bursts, minutes apart), skewed (90% in the first 5%).
    #[arg(long, value_name = "LAYOUT", value_enum, default_value_t = SandboxIdLayout::Uniform)]
    pub id_layout: SandboxIdLayout,

    /// How a last cursor that is no row's id is answered: exact (rows after it), refuse
    /// (400), restart (the first page), inclusive (one row too many), round (one too few).
    #[arg(long, value_name = "MODE", value_enum, default_value_t = SandboxCursorMode::Exact)]
    pub cursor_mode: SandboxCursorMode,
}

/// `sandbox --layout`: the text layout of results pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SandboxLayout {
    Compact,
    Spaced,
    Pretty,
    Escaped,
}

/// `sandbox --lastid`: where results pages put `lastId`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SandboxLastId {
    First,
    Last,
}

/// `sandbox --id-layout`: how row ids spread over a bulk's window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SandboxIdLayout {
    Uniform,
    Bursty,
    Skewed,
}

/// `sandbox --cursor-mode`: how a synthetic `last` cursor is answered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SandboxCursorMode {
    Exact,
    Refuse,
    Restart,
    Inclusive,
    Round,
}
