//! The flag groups that several subcommands flatten: connection, format,
//! export, waiting, report, paging, request and line-matching options.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use secrecy::SecretString;

use super::*;

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

    /// Fields to write, in that order, in every format (e.g. id,objectId,error): a missing
    /// one is an empty cell, null in JSON. `--columns list` prints the fields there are.
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub columns: Option<Vec<String>>,

    /// CSV's field separator: one ASCII character or `tab` (e.g. ';' for Excel where the
    /// decimal mark is a comma); implies -f csv as --excel does [default: ,].
    #[arg(long, value_name = "CHAR")]
    pub delimiter: Option<String>,

    /// Leave out the header line of csv, tsv and table output.
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
    /// Write to this file instead of stdout (replaced only when the export succeeds; an
    /// interrupted export keeps its pages beside it for the same command to continue; '-' is
    /// stdout).
    #[arg(short = 'o', long, value_name = "PATH")]
    pub output: Option<PathBuf>,

    #[command(flatten)]
    pub report: ReportArgs,

    #[command(flatten)]
    pub waiting: WaitArgs,

    /// Save progress here after every page; the same command run again resumes from it. Needs -o.
    #[arg(long, value_name = "PATH", requires = "output", help_heading = HEADING_RELIABILITY)]
    pub checkpoint: Option<PathBuf>,

    /// Ignore the progress saved by --checkpoint, or kept beside -o by an interrupted run,
    /// and export from the start.
    #[arg(long, requires = "output", help_heading = HEADING_RELIABILITY)]
    pub restart: bool,
}

/// `--wait[=DURATION]`, as `results` and `failed-lines` take it (`submit`'s
/// has a default of its own).
#[derive(Args, Debug, Clone, Default)]
pub struct WaitArgs {
    /// If the bulk is not finished (HTTP 428), poll until it is, for at most DURATION (e.g. --wait=2h).
    // `Some(None)`: `--wait` alone, which waits `DEFAULT_WAIT`.
    #[arg(
        long,
        value_name = "DURATION",
        num_args = 0..=1,
        require_equals = true,
        help_heading = HEADING_RELIABILITY
    )]
    pub wait: Option<Option<String>>,
}

impl WaitArgs {
    /// The DURATION to wait, if `--wait` was given: its value, or
    /// [`DEFAULT_WAIT`] for `--wait` alone.
    pub fn duration(&self) -> Option<&str> {
        self.wait
            .as_ref()
            .map(|w| w.as_deref().unwrap_or(DEFAULT_WAIT))
    }

    /// Whether `--wait` was given without a value.
    pub fn bare(&self) -> bool {
        matches!(self.wait, Some(None))
    }
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

    /// In csv and tsv, prefix cells starting with = + - @ tab or CR with ' so spreadsheets do not run them.
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

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, ValueEnum)]
pub enum FormatChoice {
    #[default]
    Auto,
    Table,
    Csv,
    Tsv,
    Jsonl,
    Json,
}
