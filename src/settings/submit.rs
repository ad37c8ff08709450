//! Settings for `submit`: the file, whether to check it, how long to wait
//! for the bulk, and what follows once it has completed: with `--export
//! OUT` the settings `results BULK -o OUT` would have, with `--failed-lines
//! OUT2` those of `failed-lines BULK --input FILE -o OUT2`, both checked
//! like theirs before anything is sent.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Result;

use super::layer::Layer;
use super::lines::{join, FailedLines, Fetch};
use super::values::{self, same_path};
use super::{auth, build, connect, parse_wait, profile_layer, request, Request};
use super::{Results, Target};
use crate::api::Connection;
use crate::cli::{FormatArgs, GlobalArgs, LineArgs, ReportArgs, SubmitArgs, DEFAULT_WAIT};
use crate::exit::usage;

/// Everything `submit` needs.
#[derive(Debug, Clone)]
pub struct Submit {
    pub conn: Connection,
    pub request: Request,
    /// FILE; `None` is stdin (`-`).
    pub file: Option<PathBuf>,
    /// Check each line before sending (off with `--no-validate`).
    pub validate: bool,
    /// With `--wait` (or `--export`, `--failed-lines`): how long to poll
    /// the bulk's status.
    pub wait: Option<Duration>,
    /// With `--export OUT`: the export to run once the bulk has completed.
    /// Its `export.bulk_ids` is empty until the server names the bulk.
    pub export: Option<Results>,
    /// With `--failed-lines OUT2`: the join to run after that, reading the
    /// lines that were sent. Its `bulk_id` is empty until the server names
    /// the bulk.
    pub failed_lines: Option<FailedLines>,
    /// `--fail-on-rows`: exit 8 when `--export` wrote rows, or when the
    /// bulk has failures that `--failed-lines` looked for.
    pub fail_on_rows: bool,
}

/// Settings for `submit`: every profile key that applies to it.
pub fn submit(args: &SubmitArgs, global: &GlobalArgs, color: bool) -> Result<Submit> {
    let layer = Layer {
        page_size: args.report.paging.page_size,
        ..Layer::from_conn(&args.conn)
    }
    .or(Layer::from_request(&args.request))
    .or(Layer::from_format(&args.format))
    .or(profile_layer(global)?)
    .or(Layer::defaults());
    let stdin = args.file == Path::new("-");
    if stdin {
        if let Some(flag) = auth::stdin_readers(&layer).first() {
            return usage(format!(
                "{flag} and FILE cannot both read stdin ('-'); put one of them in a file"
            ));
        }
    } else {
        check_input(&args.file)?;
    }
    if let Some(out) = &args.export {
        super::format::check_output_name("--export", out)?;
    }
    let conn = connect(&layer, &args.conn)?;
    let request = request(&layer)?;
    let wait = match &args.wait {
        Some(wait) => Some(parse_wait(wait)?),
        None if args.export.is_some() || args.failed_lines.is_some() => {
            Some(parse_wait(DEFAULT_WAIT)?)
        }
        None => None,
    };
    let export = match &args.export {
        None => {
            if let Some(flag) = export_only(&args.format, &args.report, args.failed_lines.is_some())
            {
                return usage(format!(
                    "{flag} applies to the report that --export OUT writes; add --export OUT \
                     (e.g. --export failures.csv)"
                ));
            }
            None
        }
        Some(out) if out == Path::new("-") => {
            return usage(
                "--export - would write the report to stdout, which carries the bulk id; name a \
                 file (e.g. --export failures.csv), or run `druid-bulk results BULK` afterwards",
            );
        }
        Some(out) => {
            not_the_input(&args.file, "--export", out)?;
            let target = Target {
                flag: "--export",
                output: Some(out),
                // Should the results still answer 428 once the status says
                // `completed`, the export polls them for as long.
                wait: Ok(wait),
                checkpoint: None,
                restart: false,
                keep: false,
            };
            let format = &args.format;
            Some(build(
                conn.clone(),
                Vec::new(),
                1,
                &layer,
                format,
                &args.report,
                target,
                color,
            )?)
        }
    };
    let failed_lines = match &args.failed_lines {
        None => {
            if let Some(flag) = lines_only(&args.lines) {
                return usage(format!(
                    "{flag} applies to the lines that --failed-lines OUT2 writes; add \
                     --failed-lines OUT2 (e.g. --failed-lines fix.jsonl)"
                ));
            }
            None
        }
        Some(out) => Some(failed_lines(args, &layer, &conn, &request, wait, out)?),
    };
    Ok(Submit {
        conn,
        request,
        file: (!stdin).then(|| args.file.clone()),
        validate: !args.no_validate,
        wait,
        export,
        failed_lines,
        fail_on_rows: args.report.fail_on_rows,
    })
}

/// `--failed-lines OUT2`: the settings `failed-lines BULK --input FILE -o
/// OUT2` would have, with the page options `--export` shares.
fn failed_lines(
    args: &SubmitArgs,
    layer: &Layer,
    conn: &Connection,
    request: &Request,
    wait: Option<Duration>,
    out: &Path,
) -> Result<FailedLines> {
    if out == Path::new("-") {
        return usage(
            "--failed-lines - would write the failed lines to stdout, which carries the bulk id; \
             name a file (e.g. --failed-lines fix.jsonl), or run `druid-bulk failed-lines BULK \
             --input FILE` afterwards",
        );
    }
    values::check_output("--failed-lines", out)?;
    not_the_input(&args.file, "--failed-lines", out)?;
    if let Some(export) = &args.export {
        if same_path(export, out) {
            return usage(format!(
                "--export and --failed-lines both name {}: the failed lines would replace the \
                 report; give each its own file (e.g. --export failures.csv --failed-lines \
                 fix.jsonl)",
                out.display()
            ));
        }
    }
    // Should the results still answer 428 once the status says
    // `completed`, the join polls them for as long as `--wait`.
    let fetch = Fetch::new(layer, &args.report.paging, wait)?;
    Ok(FailedLines {
        conn: conn.clone(),
        request: request.clone(),
        bulk_id: String::new(),
        fetch,
        join: join(&args.lines, &args.file, Some(out))?,
    })
}

/// An output of `submit` must not be FILE: replacing it would lose the
/// lines that were sent.
fn not_the_input(file: &Path, flag: &str, out: &Path) -> Result<()> {
    if file != Path::new("-") && same_path(file, out) {
        return usage(format!(
            "{flag} {} is FILE itself: replacing it would lose the lines that were sent; write \
             to another file",
            out.display()
        ));
    }
    Ok(())
}

/// FILE must be a file that can be read (a named pipe or `/dev/stdin` is
/// fine): checked before any request, so a typo is exit 2.
fn check_input(file: &Path) -> Result<()> {
    match std::fs::metadata(file) {
        Ok(meta) if meta.is_dir() => usage(format!(
            "{} is a directory; name the JSON Lines file to submit",
            file.display()
        )),
        Ok(_) => Ok(()),
        Err(e) => usage(format!("cannot read {}: {e}", file.display())),
    }
}

/// The first option given that only means something for `--export`
/// (`lines`: or for `--failed-lines`, which takes the page options and the
/// gate too).
fn export_only(format: &FormatArgs, report: &ReportArgs, lines: bool) -> Option<&'static str> {
    let pages = !lines;
    [
        (format.format.is_some(), "-f/--format"),
        (format.columns.is_some(), "--columns"),
        (format.delimiter.is_some(), "--delimiter"),
        (format.no_header, "--no-header"),
        (format.wide, "--wide"),
        (format.excel, "--excel"),
        (pages && report.paging.page_size.is_some(), "--page-size"),
        (report.last.is_some(), "--last"),
        (report.failed_only, "--failed-only"),
        (report.max_rows.is_some(), "--max-rows"),
        (
            pages && report.paging.max_empty_pages.is_some(),
            "--max-empty-pages",
        ),
        (pages && report.paging.unordered, "--unordered"),
        (report.csv_safe, "--csv-safe"),
        (report.summary, "--summary"),
        (report.summary_only, "--summary-only"),
        (pages && report.fail_on_rows, "--fail-on-rows"),
    ]
    .into_iter()
    .find_map(|(given, flag)| given.then_some(flag))
}

/// The first option given that only means something for `--failed-lines`.
fn lines_only(lines: &LineArgs) -> Option<&'static str> {
    [
        (lines.object_id_at.is_some(), "--object-id-at"),
        (lines.pulse_id_at.is_some(), "--pulse-id-at"),
        (lines.annotate, "--annotate"),
    ]
    .into_iter()
    .find_map(|(given, flag)| given.then_some(flag))
}
