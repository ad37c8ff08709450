//! Settings, resolved once per command: the flags (with clap's environment
//! fallbacks), the environment, the config profile and the defaults are
//! merged as typed [`Layer`]s (flag > environment > profile > default), then
//! checked and split into the parts each stage needs: the API
//! [`Connection`], the [`Request`] policy, the [`Export`] plan and the
//! [`Output`] layout (for `failed-lines`, [`FailedLines`]: `lines.rs`).
//!
//! Every value is checked here, before any request is sent, so that a typo
//! fails fast with exit 2 and a message that says how to fix it. The
//! environment is read in one place, `env.rs`, whose table names every
//! variable the tool reads.

mod auth;
pub mod env;
mod export;
pub mod file;
mod format;
mod layer;
mod lines;
mod submit;
mod values;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;

use export::{build, check_bulk_ids, Target};
pub use layer::Layer;
pub use lines::{
    failed_lines, join, FailedLines, Fetch, Identifiers, Join, Pointer, MAX_LINE, OBJECT_ID_AT,
    PULSE_ID_AT,
};
pub use submit::{submit, Submit};
pub use values::{check_bulk_id, parse_duration, parse_endpoint, parse_wait};

use crate::api::{Api, Connection, Network};
use crate::cli::{
    ConnArgs, DemoArgs, ExportArgs, FormatArgs, GlobalArgs, ReportArgs, ResultsArgs, StatusArgs,
};
use crate::exit::usage;
use crate::output::{Format, Layout, TableView};
use crate::retry::{Clock, RetryPolicy};
use crate::{sanitize, summary};

/// Columns written by csv when `--columns` is not given (the table shows
/// [`TableView::Results`] instead).
pub const DEFAULT_COLUMNS: [&str; 5] = ["id", "userIdentifierType", "objectId", "pulseId", "error"];

/// Columns of `status` when `--columns` is not given.
pub const STATUS_COLUMNS: [&str; 4] = ["bulkId", "status", "createdOn", "updatedOn"];

/// Largest `--page-size` accepted.
pub const MAX_PAGE_SIZE: u32 = 10_000;

/// `--max-empty-pages`: its default and the largest value accepted.
pub const DEFAULT_MAX_EMPTY_PAGES: u32 = 1000;
pub const MAX_EMPTY_PAGES: u32 = 10_000;

/// Largest `--retries` accepted.
pub const MAX_RETRIES: u32 = 100;

/// How each request is made: the client's options, the retry policy and
/// the clock its waits are timed by.
#[derive(Debug, Clone)]
pub struct Request {
    pub timeout: Duration,
    /// Sent as `Accept-Language`.
    pub lang: Option<String>,
    pub retry: RetryPolicy,
    /// The hidden `DRUID_BULK_TIME_SCALE` (tests only): see [`Request::clock`].
    pub time_scale: Option<f64>,
    /// Proxies and CA certificates named by the environment, for `-v`.
    pub network: Network,
}

impl Request {
    /// The client that makes these requests to `conn` (nothing is sent
    /// yet): one per command, shared by each step of it.
    pub fn api(&self, conn: &Connection) -> Result<Arc<Api>> {
        Ok(Arc::new(Api::new(
            conn.clone(),
            self.timeout,
            self.lang.clone(),
            &self.network,
        )?))
    }

    /// A new clock for the waits of one step (retries, polls, the grace
    /// period after a signal), shortened under the test scale; each has its
    /// own count of the time its sleeps skipped.
    pub fn clock(&self) -> Clock {
        Clock::scaled_by(self.time_scale)
    }
}

/// Which rows an export fetches, and how it ends.
#[derive(Debug, Clone)]
pub struct Export {
    /// One or more bulks; with several, rows carry a `bulkId` field.
    pub bulk_ids: Vec<String>,
    /// How many bulks to fetch at once.
    pub concurrency: usize,
    /// `--split N`: one bulk fetched as up to N id ranges at once.
    pub split: Option<usize>,
    /// For the test suite: the spool size at which a range of a split
    /// export pauses, instead of 256 MiB.
    pub spool_pause: Option<u64>,
    pub page_size: u32,
    pub last: Option<String>,
    pub failed_only: bool,
    pub max_rows: Option<u64>,
    /// Empty pages with a new cursor followed in a row before stopping.
    pub max_empty_pages: u32,
    /// Check that rows come in id order (off with `--unordered`).
    pub ordered: bool,
    /// With `--wait`: how long to poll a bulk that is not finished.
    pub wait: Option<Duration>,
    /// With `--checkpoint`: where progress is saved, and whether to ignore
    /// it (or, without it, what an interrupted `-o` export kept).
    pub checkpoint: Option<PathBuf>,
    pub restart: bool,
    /// Whether `-o` keeps what an interrupted or failed export wrote, for
    /// the same command to continue (`None`: all or nothing, as `submit
    /// --export`, which would send a new bulk): where the rows come from, as
    /// the kept state records it, the endpoint (`demo` for the demo's
    /// sandbox, the same rows on a new port each run).
    pub keep: Option<String>,
    pub summary: summary::Mode,
    /// With `--summary` or `--summary-only`: the file `GITHUB_STEP_SUMMARY`
    /// names, to which the summary is appended in Markdown.
    pub job_summary: Option<PathBuf>,
    /// Exit 8 when rows were written.
    pub fail_on_rows: bool,
    /// `--columns list`: print the names of the fields of the documented
    /// row and of each bulk's first page, instead of exporting.
    pub list_columns: bool,
}

impl Export {
    /// The first (for a single export, the only) bulk.
    pub fn bulk_id(&self) -> &str {
        &self.bulk_ids[0]
    }

    /// Whether several bulks are exported together.
    pub fn many(&self) -> bool {
        self.bulk_ids.len() > 1
    }
}

/// How rows are written, and where.
#[derive(Debug, Clone)]
pub struct Output {
    pub format: Format,
    /// `-o PATH`; `None` is stdout.
    pub path: Option<PathBuf>,
    pub layout: Layout,
}

/// Everything `results` (and `demo`, and `submit --export`) needs.
#[derive(Debug, Clone)]
pub struct Results {
    pub conn: Connection,
    pub request: Request,
    pub export: Export,
    pub output: Output,
}

/// Everything `status` needs.
#[derive(Debug, Clone)]
pub struct Status {
    pub conn: Connection,
    pub request: Request,
    pub output: Output,
    /// One bulk, or `None` for every bulk.
    pub bulk_id: Option<String>,
}

/// The profile's layer (empty without a config file), under the environment.
fn profile_layer(global: &GlobalArgs) -> Result<Layer> {
    let profile = file::load(global.config.as_deref(), global.profile.as_deref())?;
    Ok(Layer::from_env().or(profile.map_or_else(Layer::default, |(profile, _)| profile)))
}

/// Settings for `results`.
pub fn results(args: &ResultsArgs, global: &GlobalArgs, color: bool) -> Result<Results> {
    let below = profile_layer(global)?.or(Layer::defaults());
    let flags = Layer {
        concurrency: args.concurrency,
        page_size: args.export.report.paging.page_size,
        ..Layer::from_conn(&args.conn)
    };
    let layer = flags
        .or(Layer::from_request(&args.request))
        .or(Layer::from_format(&args.format))
        .or(below);
    if args.bulk_ids_from.as_deref() == Some(Path::new("-")) {
        if let Some(flag) = auth::stdin_readers(&layer).first() {
            return usage(format!(
                "{flag} and --bulk-ids-from cannot both read stdin ('-'); put one of them in a file"
            ));
        }
    }
    let bulk_ids = values::collect_bulk_ids(&args.bulk_ids, args.bulk_ids_from.as_deref())?;
    check_bulk_ids(&bulk_ids, &args.export)?;
    let conn = connect(&layer, &args.conn)?;
    let concurrency = values::check_between(
        "--concurrency",
        layer.concurrency.unwrap_or_default(),
        values::MAX_CONCURRENCY,
    )?;
    let split = args.split.map(usize::from);
    let mut results = build(
        conn,
        bulk_ids,
        concurrency,
        &layer,
        &args.format,
        &args.export.report,
        Target::of(&args.export),
        color,
    )?;
    results.export.split = split;
    results.export.spool_pause = env::spool_pause();
    Ok(results)
}

/// Settings for `demo`: the sandbox's connection, the flags and the defaults
/// (no profile: the demo is the same on every machine).
pub fn demo(args: &DemoArgs, conn: Connection, bulk_id: String, color: bool) -> Result<Results> {
    let layer = Layer {
        page_size: args.export.report.paging.page_size,
        ..Layer::from_request(&args.request)
    }
    .or(Layer::from_format(&args.format))
    .or(Layer::defaults());
    let bulk_ids = vec![bulk_id];
    check_bulk_ids(&bulk_ids, &args.export)?;
    let mut results = build(
        conn,
        bulk_ids,
        1,
        &layer,
        &args.format,
        &args.export.report,
        Target::of(&args.export),
        color,
    )?;
    results.export.keep = Some("demo".into());
    Ok(results)
}

/// Settings for `status`: every profile key that applies to it.
pub fn status(args: &StatusArgs, global: &GlobalArgs, color: bool) -> Result<Status> {
    let layer = Layer::from_conn(&args.conn)
        .or(Layer::from_request(&args.request))
        .or(Layer::from_format(&args.format))
        .or(profile_layer(global)?)
        .or(Layer::defaults());
    let conn = connect(&layer, &args.conn)?;
    if let Some(id) = &args.bulk_id {
        check_bulk_id(id)?;
    }
    if values::columns_list(args.format.columns.as_deref()) {
        return usage(format!(
            "--columns list is for the rows of results and demo; a bulk's status has the \
             fields {}, and any the server adds (see them all with -f jsonl)",
            STATUS_COLUMNS.join(", ")
        ));
    }
    let request = request(&layer)?;
    let mut output = output(
        &layer,
        &args.format,
        ("-o", None),
        &STATUS_COLUMNS,
        false,
        color,
    )?;
    if args.format.columns.is_none() {
        output.layout.table_view = TableView::Status;
    }
    Ok(Status {
        conn,
        request,
        output,
        bulk_id: args.bulk_id.clone(),
    })
}

/// How rows are written: the format (`auto` resolved from `-o`'s extension
/// or the terminal), where (`path`, named by `flag` in messages), which
/// columns (`default` without `--columns`), and the table's width and
/// colour (only on stdout: a table in a file is plain and nothing in it is
/// cut).
fn output(
    layer: &Layer,
    args: &FormatArgs,
    (flag, path): (&str, Option<&Path>),
    default: &[&str],
    csv_safe: bool,
    color: bool,
) -> Result<Output> {
    let stdout_tty = std::io::stdout().is_terminal();
    let choice = layer.format.unwrap_or_default();
    let delimiter = (args.delimiter.as_deref())
        .map(values::parse_delimiter)
        .transpose()?;
    let csv_only = match (args.excel, delimiter) {
        (true, _) => Some("--excel"),
        (_, Some(_)) => Some("--delimiter"),
        _ => None,
    };
    // `--columns list` writes no rows: the layout is the default one.
    let columns = Some(args.columns.as_deref()).filter(|c| !values::columns_list(*c));
    let columns = columns.flatten();
    Ok(Output {
        format: format::resolve_format(choice, path, stdout_tty, csv_only, flag)?,
        path: path.map(Path::to_path_buf),
        layout: Layout {
            columns: values::parse_columns(columns, default)?,
            picked: columns.is_some(),
            table_view: TableView::Fields,
            header: !args.no_header,
            width: path.map_or_else(|| format::table_width(stdout_tty), |_| None),
            wide: args.wide,
            csv_safe,
            excel: args.excel,
            delimiter: delimiter.unwrap_or(b','),
            color: path.is_none() && color,
            utf8: sanitize::utf8_locale(),
        },
    })
}

/// The API connection from the merged layer.
fn connect(layer: &Layer, flags: &ConnArgs) -> Result<Connection> {
    let Some(raw) = layer.endpoint.as_deref() else {
        return usage(
            "no endpoint: pass -e/--endpoint URL, set DRUID_ENDPOINT, or use a --profile that has one",
        );
    };
    let endpoint = parse_endpoint(raw)?;
    auth::check_transport("--endpoint", &endpoint, flags.allow_insecure_http)?;
    let auth = auth::resolve(layer, flags.allow_insecure_http)?;
    Ok(Connection { endpoint, auth })
}

/// The request policy from the merged layer.
fn request(layer: &Layer) -> Result<Request> {
    if let Some(lang) = &layer.lang {
        values::check_locale(lang)?;
    }
    let retries = layer.retries.unwrap_or_default();
    if retries > MAX_RETRIES {
        return usage(format!(
            "--retries must be at most {MAX_RETRIES}, got {retries}"
        ));
    }
    let duration =
        |flag, value: &Option<String>| parse_duration(flag, value.as_deref().unwrap_or_default());
    Ok(Request {
        timeout: duration("--timeout", &layer.timeout)?,
        lang: layer.lang.clone(),
        retry: RetryPolicy {
            retries,
            max_time: duration("--retry-max-time", &layer.retry_max_time)?,
        },
        time_scale: env::time_scale(),
        network: env::network(),
    })
}
