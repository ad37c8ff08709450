//! Settings for `submit`: the file, whether to check it, how long to wait
//! for the bulk, and with `--export OUT` the export that follows: the
//! settings `results BULK -o OUT` would have, checked like them before
//! anything is sent.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Result;

use super::layer::Layer;
use super::{auth, build, connect, parse_duration, profile_layer, request, Request, Results};
use super::{Target, DEFAULT_WAIT};
use crate::api::Connection;
use crate::cli::{FormatArgs, GlobalArgs, ReportArgs, SubmitArgs};
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
    /// With `--wait` (or `--export`): how long to poll the bulk's status.
    pub wait: Option<Duration>,
    /// With `--export OUT`: the export to run once the bulk has completed.
    /// Its `export.bulk_ids` is empty until the server names the bulk.
    pub export: Option<Results>,
}

/// Settings for `submit`: every profile key that applies to it.
pub fn submit(args: &SubmitArgs, global: &GlobalArgs, color: bool) -> Result<Submit> {
    let layer = Layer {
        page_size: args.report.page_size,
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
    let conn = connect(&layer, &args.conn)?;
    let request = request(&layer)?;
    let wait = match (&args.wait, &args.export) {
        (Some(wait), _) => Some(parse_duration("--wait", wait)?),
        (None, Some(_)) => Some(parse_duration("--wait", DEFAULT_WAIT)?),
        (None, None) => None,
    };
    let export = match &args.export {
        None => {
            if let Some(flag) = export_only(&args.format, &args.report) {
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
            let target = Target {
                flag: "--export",
                output: Some(out),
                // Should the results still answer 428 once the status says
                // `completed`, the export polls them for as long.
                wait: Some(args.wait.as_deref().unwrap_or(DEFAULT_WAIT)),
                checkpoint: None,
                restart: false,
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
    Ok(Submit {
        conn,
        request,
        file: (!stdin).then(|| args.file.clone()),
        validate: !args.no_validate,
        wait,
        export,
    })
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

/// The first option given that only means something for `--export`.
fn export_only(format: &FormatArgs, report: &ReportArgs) -> Option<&'static str> {
    [
        (format.format.is_some(), "-f/--format"),
        (format.columns.is_some(), "--columns"),
        (format.no_header, "--no-header"),
        (format.wide, "--wide"),
        (format.excel, "--excel"),
        (report.page_size.is_some(), "--page-size"),
        (report.last.is_some(), "--last"),
        (report.failed_only, "--failed-only"),
        (report.max_rows.is_some(), "--max-rows"),
        (report.max_empty_pages.is_some(), "--max-empty-pages"),
        (report.unordered, "--unordered"),
        (report.csv_safe, "--csv-safe"),
        (report.summary, "--summary"),
        (report.summary_only, "--summary-only"),
        (report.fail_on_rows, "--fail-on-rows"),
    ]
    .into_iter()
    .find_map(|(given, flag)| given.then_some(flag))
}
