//! Raw flags (`cli.rs`) turned once into a checked, documented `Config`.
//! Credentials are resolved in `auth.rs`.
//!
//! Every value is validated here, before any request is sent, so that a typo
//! fails fast with exit 2 and a message that says how to fix it.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Result;

mod auth;
pub mod file;
pub mod profile;
mod values;

pub use auth::is_loopback;

use crate::api::Connection;
use crate::cli::{ConnArgs, FetchArgs};
use crate::exit::usage;
use crate::output::Format;
use crate::retry::RetryPolicy;

/// Columns written by csv and table when `--columns` is not given.
pub const DEFAULT_COLUMNS: [&str; 5] = ["id", "userIdentifierType", "objectId", "pulseId", "error"];

/// Largest `--page-size` accepted.
pub const MAX_PAGE_SIZE: u32 = 10_000;

/// Largest `--retries` accepted.
pub const MAX_RETRIES: u32 = 100;

/// Everything a `results` run needs, checked.
#[derive(Debug, Clone)]
pub struct Config {
    pub conn: Connection,
    /// One or more bulks; with several, rows carry a `bulkId` field.
    pub bulk_ids: Vec<String>,
    /// How many bulks to fetch at once.
    pub concurrency: usize,
    pub format: Format,
    pub output: Option<PathBuf>,
    pub page_size: u32,
    pub last: Option<String>,
    pub failed_only: bool,
    pub max_rows: Option<u64>,
    pub columns: Vec<String>,
    pub header: bool,
    /// Neutralise spreadsheet formulas in csv cells.
    pub csv_safe: bool,
    pub lang: Option<String>,
    pub timeout: Duration,
    pub retry: RetryPolicy,
    /// With `--wait`: how long to poll a bulk that is not finished.
    pub wait: Option<Duration>,
    /// With `--checkpoint`: where progress is saved, and whether to ignore it.
    pub checkpoint: Option<PathBuf>,
    pub restart: bool,
    /// Width to fit a table into; `None` means no limit.
    pub table_width: Option<usize>,
    /// Colour the table's header on stdout (decided by `ui`).
    pub color: bool,
    pub summary: SummaryMode,
    /// Exit 8 when rows were written.
    pub fail_on_rows: bool,
}

/// What `--summary` / `--summary-only` asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SummaryMode {
    Off,
    /// Rows as usual, then a summary table on stderr.
    Stderr,
    /// Only the summary, on stdout, in the chosen format.
    Only,
}

impl Config {
    /// The first (for a single export, the only) bulk.
    pub fn bulk_id(&self) -> &str {
        &self.bulk_ids[0]
    }

    /// Whether several bulks are exported together.
    pub fn many(&self) -> bool {
        self.bulk_ids.len() > 1
    }
}

/// Where the token came from, for the argv warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenOrigin {
    CommandLine,
    Environment,
}

impl Config {
    /// Build a checked config. `token_origin` tells whether `--token` came
    /// from argv or the environment; `color` whether stdout may be coloured.
    pub fn new(
        bulk_ids: Vec<String>,
        conn: &ConnArgs,
        token_origin: Option<TokenOrigin>,
        fetch: &FetchArgs,
        color: bool,
    ) -> Result<Config> {
        let connection = connect(conn, token_origin)?;
        Config::for_fetch(connection, bulk_ids, fetch, color)
    }

    /// Build a config for a known connection (the demo's sandbox).
    pub fn for_fetch(
        conn: Connection,
        bulk_ids: Vec<String>,
        fetch: &FetchArgs,
        color: bool,
    ) -> Result<Config> {
        if bulk_ids.is_empty() {
            return usage("no bulk id given: pass BULK_ID arguments or --bulk-ids-from FILE");
        }
        for id in &bulk_ids {
            check_bulk_id(id)?;
        }
        if bulk_ids.len() > 1 {
            for (given, flag) in [
                (fetch.checkpoint.is_some(), "--checkpoint"),
                (fetch.last.is_some(), "--last"),
                (fetch.max_rows.is_some(), "--max-rows"),
            ] {
                if given {
                    return usage(format!(
                        "{flag} works with one bulk at a time; {} bulks were given",
                        bulk_ids.len()
                    ));
                }
            }
        }
        if !(1..=MAX_PAGE_SIZE).contains(&fetch.page_size) {
            return usage(format!(
                "--page-size must be between 1 and {MAX_PAGE_SIZE}, got {}",
                fetch.page_size
            ));
        }
        if let Some(last) = &fetch.last {
            if last.is_empty() || last.chars().any(char::is_control) {
                return usage("--last must be a non-empty cursor without control characters");
            }
        }
        if fetch.max_rows == Some(0) {
            return usage("--max-rows must be at least 1");
        }
        let mut columns = parse_columns(fetch.columns.as_deref())?;
        if bulk_ids.len() > 1 && fetch.columns.is_none() {
            columns.insert(0, "bulkId".to_string());
        }
        if let Some(lang) = &fetch.req.lang {
            check_locale(lang)?;
        }
        let timeout = parse_duration("--timeout", &fetch.req.timeout)?;
        let retry = RetryPolicy {
            retries: fetch.req.retries,
            max_time: parse_duration("--retry-max-time", &fetch.retry_max_time)?,
        };
        if fetch.req.retries > MAX_RETRIES {
            return usage(format!(
                "--retries must be at most {MAX_RETRIES}, got {}",
                fetch.req.retries
            ));
        }
        let wait = fetch
            .wait
            .as_deref()
            .map(|w| parse_duration("--wait", w))
            .transpose()?;
        let stdout_tty = std::io::stdout().is_terminal();
        // `-o -` is stdout, as in curl.
        let output = fetch.output.as_deref().filter(|p| *p != Path::new("-"));
        let format = resolve_format(fetch.format, output, stdout_tty);
        if let Some(output) = output {
            check_output(output)?;
        }
        if let Some(checkpoint) = &fetch.checkpoint {
            check_checkpoint(checkpoint, output, format)?;
            if fetch.summary_only {
                return usage("--summary-only writes no rows, so it has nothing to checkpoint");
            }
        }
        Ok(Config {
            conn,
            bulk_ids,
            concurrency: 4,
            format,
            output: output.map(Path::to_path_buf),
            page_size: fetch.page_size,
            last: fetch.last.clone(),
            failed_only: fetch.failed_only,
            max_rows: fetch.max_rows,
            columns,
            header: !fetch.no_header,
            csv_safe: fetch.csv_safe,
            lang: fetch.req.lang.clone(),
            timeout,
            retry,
            wait,
            checkpoint: fetch.checkpoint.clone(),
            restart: fetch.restart,
            table_width: table_width(stdout_tty && output.is_none()),
            color: output.is_none() && color,
            summary: match (fetch.summary, fetch.summary_only) {
                (_, true) => SummaryMode::Only,
                (true, _) => SummaryMode::Stderr,
                _ => SummaryMode::Off,
            },
            fail_on_rows: fetch.fail_on_rows,
        })
    }
}

/// The API connection from flags, environment and profile.
pub fn connect(conn: &ConnArgs, token_origin: Option<TokenOrigin>) -> Result<Connection> {
    let Some(raw) = conn.endpoint.as_deref() else {
        return usage("no endpoint: pass -e/--endpoint URL, set DRUID_ENDPOINT, or use a --profile that has one");
    };
    let endpoint = parse_endpoint(raw)?;
    auth::check_transport("--endpoint", &endpoint, conn.allow_insecure_http)?;
    let auth = auth::resolve(conn, token_origin)?;
    Ok(Connection { endpoint, auth })
}

pub use values::*;
