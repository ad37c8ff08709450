//! Raw flags (`cli.rs`) turned once into a checked, documented `Config`.
//! Credentials are resolved in `auth.rs`.
//!
//! Every value is validated here, before any request is sent, so that a typo
//! fails fast with exit 2 and a message that says how to fix it.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Result;
use url::Url;

mod auth;
pub mod file;
pub mod profile;

pub use auth::is_loopback;

use crate::api::Auth;
use crate::cli::{ColorChoice, ConnArgs, FetchArgs, Format};
use crate::exit::{usage, Failure};
use crate::retry::RetryPolicy;

/// Columns written by csv and table when `--columns` is not given.
pub const DEFAULT_COLUMNS: [&str; 5] = ["id", "userIdentifierType", "objectId", "pulseId", "error"];

/// Largest `--page-size` accepted.
pub const MAX_PAGE_SIZE: u32 = 10_000;

/// Largest `--retries` accepted.
pub const MAX_RETRIES: u32 = 100;

/// A concrete output format (what `auto` resolved to).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    Table,
    Csv,
    Jsonl,
    Json,
}

/// How much to say on stderr.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

/// Where the API is and how to authenticate.
#[derive(Debug, Clone)]
pub struct Connection {
    /// Base URL, path prefix kept, no trailing slash.
    pub endpoint: Url,
    pub auth: Auth,
}

/// Everything a `results` run needs, checked.
#[derive(Debug, Clone)]
pub struct Config {
    pub conn: Connection,
    /// One or more bulks; with several, rows carry a `bulkId` field.
    pub bulk_ids: Vec<String>,
    /// How many bulks to fetch at once.
    pub concurrency: usize,
    pub format: OutputFormat,
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
    pub verbosity: Verbosity,
    /// Width to fit a table into; `None` means no limit.
    pub table_width: Option<usize>,
    /// Color the table on stdout.
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
    /// from argv or the environment; warnings for stderr are returned.
    pub fn new(
        bulk_ids: Vec<String>,
        conn: &ConnArgs,
        token_origin: Option<TokenOrigin>,
        fetch: &FetchArgs,
        color: ColorChoice,
    ) -> Result<(Config, Vec<String>)> {
        let mut warnings = Vec::new();
        let connection = connect(conn, token_origin, &mut warnings)?;
        let config = Config::for_fetch(connection, bulk_ids, fetch, color)?;
        Ok((config, warnings))
    }

    /// Build a config for a known connection (the demo's sandbox).
    pub fn for_fetch(
        conn: Connection,
        bulk_ids: Vec<String>,
        fetch: &FetchArgs,
        color: ColorChoice,
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
        if let Some(lang) = &fetch.lang {
            check_locale(lang)?;
        }
        let timeout = parse_duration("--timeout", &fetch.timeout)?;
        let retry = RetryPolicy {
            retries: fetch.retries,
            max_time: parse_duration("--retry-max-time", &fetch.retry_max_time)?,
        };
        if fetch.retries > MAX_RETRIES {
            return usage(format!(
                "--retries must be at most {MAX_RETRIES}, got {}",
                fetch.retries
            ));
        }
        let wait = fetch
            .wait
            .as_deref()
            .map(|w| parse_duration("--wait", w))
            .transpose()?;
        let stdout_tty = std::io::stdout().is_terminal();
        let format = resolve_format(fetch.format, fetch.output.as_deref(), stdout_tty);
        let verbosity = if fetch.quiet {
            Verbosity::Quiet
        } else if fetch.verbose {
            Verbosity::Verbose
        } else {
            Verbosity::Normal
        };
        if let Some(parent) = fetch.output.as_deref().and_then(Path::parent) {
            if !parent.as_os_str().is_empty() && !parent.is_dir() {
                return usage(format!(
                    "cannot write -o {}: directory {} does not exist",
                    fetch.output.as_deref().unwrap_or(parent).display(),
                    parent.display()
                ));
            }
        }
        if let Some(checkpoint) = &fetch.checkpoint {
            check_checkpoint(checkpoint, fetch.output.as_deref(), format)?;
            if fetch.summary_only {
                return usage("--summary-only writes no rows, so it has nothing to checkpoint");
            }
        }
        Ok(Config {
            conn,
            bulk_ids,
            concurrency: 4,
            format,
            output: fetch.output.clone(),
            page_size: fetch.page_size,
            last: fetch.last.clone(),
            failed_only: fetch.failed_only,
            max_rows: fetch.max_rows,
            columns,
            header: !fetch.no_header,
            csv_safe: fetch.csv_safe,
            lang: fetch.lang.clone(),
            timeout,
            retry,
            wait,
            checkpoint: fetch.checkpoint.clone(),
            restart: fetch.restart,
            verbosity,
            table_width: table_width(stdout_tty && fetch.output.is_none()),
            color: fetch.output.is_none() && use_color(color, stdout_tty),
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
pub fn connect(
    conn: &ConnArgs,
    token_origin: Option<TokenOrigin>,
    warnings: &mut Vec<String>,
) -> Result<Connection> {
    let Some(raw) = conn.endpoint.as_deref() else {
        return usage("no endpoint: pass -e/--endpoint URL, set DRUID_ENDPOINT, or use a --profile that has one");
    };
    let endpoint = parse_endpoint(raw)?;
    auth::check_transport("--endpoint", &endpoint, conn.allow_insecure_http)?;
    let auth = auth::resolve(conn, token_origin, warnings)?;
    Ok(Connection { endpoint, auth })
}

/// Most bulks fetched at once.
pub const MAX_CONCURRENCY: usize = 32;

/// Check `--concurrency`.
pub fn check_concurrency(n: usize) -> Result<usize> {
    if (1..=MAX_CONCURRENCY).contains(&n) {
        Ok(n)
    } else {
        usage(format!(
            "--concurrency must be between 1 and {MAX_CONCURRENCY}, got {n}"
        ))
    }
}

/// Whether to color output on a stream: `always`/`never` as said; `auto`
/// when the stream is a terminal and `NO_COLOR` is not set.
pub fn use_color(choice: ColorChoice, is_terminal: bool) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            is_terminal && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

/// Bulk ids from arguments and `--bulk-ids-from` (one a line, `#` comments
/// and blank lines skipped), each once, in order.
pub fn collect_bulk_ids(args: &[String], from: Option<&Path>) -> Result<Vec<String>> {
    let mut ids: Vec<String> = args.to_vec();
    if let Some(path) = from {
        let mut text = String::new();
        let read = if path == Path::new("-") {
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
        } else {
            std::fs::File::open(path)
                .and_then(|mut f| std::io::Read::read_to_string(&mut f, &mut text))
        };
        if let Err(e) = read {
            return usage(format!(
                "cannot read --bulk-ids-from {}: {e}",
                path.display()
            ));
        }
        ids.extend(
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(String::from),
        );
    }
    let mut seen = std::collections::HashSet::new();
    ids.retain(|id| seen.insert(id.clone()));
    Ok(ids)
}

/// `--checkpoint` appends to a file in place, so it needs `-o` and a format
/// that can be continued.
fn check_checkpoint(checkpoint: &Path, output: Option<&Path>, format: OutputFormat) -> Result<()> {
    let Some(output) = output else {
        return usage("--checkpoint needs -o PATH: progress is saved for a file, not for stdout");
    };
    if format == OutputFormat::Table {
        return usage("--checkpoint works with csv, jsonl or json output, not table");
    }
    if std::path::absolute(checkpoint).ok() == std::path::absolute(output).ok() {
        return usage("--checkpoint and -o must be different files");
    }
    if checkpoint.is_dir() {
        return usage(format!(
            "--checkpoint {} is a directory",
            checkpoint.display()
        ));
    }
    Ok(())
}

/// Parse and normalise the API base URL.
pub fn parse_endpoint(raw: &str) -> Result<Url> {
    let mut url = Url::parse(raw.trim()).map_err(|e| {
        Failure::usage(format!(
            "--endpoint {raw:?} is not a valid URL ({e}); expected e.g. https://graph.example.com"
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return usage(format!(
            "--endpoint must be an http:// or https:// URL with a host, got {raw:?}"
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return usage(format!(
            "--endpoint must not carry a query or fragment, got {raw:?}"
        ));
    }
    let path = url.path().trim_end_matches('/').to_string();
    url.set_path(&path);
    Ok(url)
}

/// A bulk id becomes one URL path segment: it must be non-empty, free of
/// control characters, and not a dot segment that URL parsing would remove.
pub fn check_bulk_id(id: &str) -> Result<()> {
    if id.is_empty() {
        return usage("the bulk id is empty");
    }
    if id.chars().any(char::is_control) {
        return usage(format!(
            "the bulk id {:?} contains control characters",
            id.escape_debug().to_string()
        ));
    }
    if id == "." || id == ".." {
        return usage(format!("{id:?} is not a bulk id"));
    }
    Ok(())
}

fn parse_columns(raw: Option<&[String]>) -> Result<Vec<String>> {
    let Some(raw) = raw else {
        return Ok(DEFAULT_COLUMNS.iter().map(|c| c.to_string()).collect());
    };
    let columns: Vec<String> = raw.iter().map(|c| c.trim().to_string()).collect();
    if columns.is_empty() || columns.iter().any(String::is_empty) {
        return usage("--columns needs comma-separated field names, e.g. --columns id,error");
    }
    Ok(columns)
}

/// Accept locale tags like `es`, `es-ES`, `zh-Hant-TW`.
fn check_locale(lang: &str) -> Result<()> {
    let mut parts = lang.split(['-', '_']);
    let primary = parts.next().unwrap_or("");
    let ok = (2..=3).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_alphabetic())
        && parts
            .all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
    if ok {
        Ok(())
    } else {
        usage(format!(
            "--lang {lang:?} is not a locale; expected a tag like es-ES or en"
        ))
    }
}

/// Parse `90s`, `5m`, `1h`, `1h30m`.
pub fn parse_duration(flag: &str, raw: &str) -> Result<Duration> {
    match humantime::parse_duration(raw.trim()) {
        Ok(d) if !d.is_zero() => Ok(d),
        _ => usage(format!(
            "{flag} {raw:?} is not a duration; expected e.g. 90s, 5m or 1h"
        )),
    }
}

/// `auto` picks from the output file's extension, else by whether stdout is a terminal.
pub fn resolve_format(format: Format, output: Option<&Path>, stdout_tty: bool) -> OutputFormat {
    match format {
        Format::Table => OutputFormat::Table,
        Format::Csv => OutputFormat::Csv,
        Format::Jsonl => OutputFormat::Jsonl,
        Format::Json => OutputFormat::Json,
        Format::Auto => {
            let ext = output
                .and_then(Path::extension)
                .and_then(|e| e.to_str())
                .map(str::to_ascii_lowercase);
            match ext.as_deref() {
                Some("csv") => OutputFormat::Csv,
                Some("jsonl" | "ndjson") => OutputFormat::Jsonl,
                Some("json") => OutputFormat::Json,
                _ if output.is_none() && stdout_tty => OutputFormat::Table,
                _ => OutputFormat::Jsonl,
            }
        }
    }
}

fn table_width(stdout_tty: bool) -> Option<usize> {
    if stdout_tty {
        if let Some((terminal_size::Width(w), _)) = terminal_size::terminal_size() {
            return Some(w as usize);
        }
    }
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.trim().parse().ok())
        .filter(|&w: &usize| w > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_format_follows_extension_then_terminal() {
        let p = |s: &str| Some(Path::new(s).to_path_buf());
        assert_eq!(
            resolve_format(Format::Auto, p("a.CSV").as_deref(), true),
            OutputFormat::Csv
        );
        assert_eq!(
            resolve_format(Format::Auto, p("a.ndjson").as_deref(), true),
            OutputFormat::Jsonl
        );
        assert_eq!(
            resolve_format(Format::Auto, p("a.json").as_deref(), false),
            OutputFormat::Json
        );
        assert_eq!(
            resolve_format(Format::Auto, p("a.txt").as_deref(), true),
            OutputFormat::Jsonl
        );
        assert_eq!(
            resolve_format(Format::Auto, None, true),
            OutputFormat::Table
        );
        assert_eq!(
            resolve_format(Format::Auto, None, false),
            OutputFormat::Jsonl
        );
        assert_eq!(resolve_format(Format::Csv, None, true), OutputFormat::Csv);
    }

    #[test]
    fn endpoint_keeps_prefix_and_drops_trailing_slash() {
        assert_eq!(
            parse_endpoint("https://h.example/api/").unwrap().as_str(),
            "https://h.example/api"
        );
        assert_eq!(parse_endpoint("http://127.0.0.1:8089").unwrap().path(), "/");
        assert!(parse_endpoint("ftp://h").is_err());
        assert!(parse_endpoint("graph.example.com").is_err());
        assert!(parse_endpoint("https://h/?x=1").is_err());
    }

    #[test]
    fn bulk_ids_that_cannot_be_one_segment_are_refused() {
        assert!(check_bulk_id("").is_err());
        assert!(check_bulk_id("a\nb").is_err());
        assert!(check_bulk_id("..").is_err());
        assert!(check_bulk_id("a/b c?#").is_ok());
    }

    #[test]
    fn locales_and_durations() {
        assert!(check_locale("es-ES").is_ok());
        assert!(check_locale("zh-Hant-TW").is_ok());
        assert!(check_locale("español").is_err());
        assert!(check_locale("e").is_err());
        assert_eq!(
            parse_duration("--timeout", "90s").unwrap(),
            Duration::from_secs(90)
        );
        assert_eq!(
            parse_duration("--timeout", "1h30m").unwrap(),
            Duration::from_secs(5400)
        );
        assert!(parse_duration("--timeout", "soon").is_err());
        assert!(parse_duration("--timeout", "0s").is_err());
    }
}
