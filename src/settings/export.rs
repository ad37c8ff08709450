//! An export's own settings, shared by `results`, `demo` and `submit
//! --export`: where it writes, how it waits and resumes, which bulks, and
//! the checks that go with them.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Result;

use super::*;

/// Where an export writes and how it waits and resumes: `-o`, `--wait`,
/// `--checkpoint` for `results` and `demo`; `--export` and `--wait` for
/// `submit`.
pub(super) struct Target<'a> {
    /// The flag that names the file, for messages (`-o`, `--export`).
    pub(super) flag: &'static str,
    pub(super) output: Option<&'a Path>,
    /// Parsed already; an error in it is raised where [`build`] checks it.
    pub(super) wait: Result<Option<Duration>>,
    pub(super) checkpoint: Option<&'a Path>,
    pub(super) restart: bool,
    /// Whether an interrupted export keeps what it wrote for the same
    /// command to continue (not `submit`'s, which would send a new bulk).
    pub(super) keep: bool,
}

impl Target<'_> {
    pub(super) fn of(args: &ExportArgs) -> Target<'_> {
        Target {
            flag: "-o",
            output: args.output.as_deref(),
            wait: args.waiting.duration().map(parse_wait).transpose(),
            checkpoint: args.checkpoint.as_deref(),
            restart: args.restart,
            keep: true,
        }
    }
}

/// The bulk ids of an export, the flags that work with one bulk only, and
/// the habits that name a file or a bulk by mistake (`-o csv`, `--wait
/// 60s`): all checked first, before the connection's settings.
pub(super) fn check_bulk_ids(bulk_ids: &[String], export: &ExportArgs) -> Result<()> {
    if let Some(path) = &export.output {
        format::check_output_name("-o", path)?;
    }
    if bulk_ids.is_empty() {
        return usage("no bulk id given: pass BULK_ID arguments or --bulk-ids-from FILE");
    }
    values::check_wait_habit(bulk_ids, export.waiting.bare())?;
    for id in bulk_ids {
        check_bulk_id(id)?;
    }
    let args = &export.report;
    if bulk_ids.len() > 1 {
        for (given, flag) in [
            (args.last.is_some(), "--last"),
            (args.max_rows.is_some(), "--max-rows"),
        ] {
            if given {
                return usage(format!(
                    "{flag} works with one bulk at a time; {} bulks were given",
                    bulk_ids.len()
                ));
            }
        }
    }
    Ok(())
}

/// Check an export's flags and build its settings. `bulk_ids` are checked
/// already (see [`check_bulk_ids`]); `submit` gives none, and fills in its
/// bulk once the server has named it.
#[allow(clippy::too_many_arguments)]
pub(super) fn build(
    conn: Connection,
    bulk_ids: Vec<String>,
    concurrency: usize,
    layer: &Layer,
    format_args: &FormatArgs,
    args: &ReportArgs,
    target: Target<'_>,
    color: bool,
) -> Result<Results> {
    let paging = lines::Fetch::new(layer, &args.paging, None)?;
    if let Some(last) = &args.last {
        if last.is_empty() || last.chars().any(char::is_control) {
            return usage("--last must be a non-empty cursor without control characters");
        }
    }
    if args.max_rows == Some(0) {
        return usage("--max-rows must be at least 1");
    }
    // With several bulks each row says which one it came from.
    let with_bulk: Vec<&str> = std::iter::once("bulkId").chain(DEFAULT_COLUMNS).collect();
    let default = if bulk_ids.len() > 1 {
        &with_bulk[..]
    } else {
        &DEFAULT_COLUMNS[..]
    };
    // `-o -` is stdout, as in curl.
    let path = target.output.filter(|p| *p != Path::new("-"));
    let list_columns = values::columns_list(format_args.columns.as_deref());
    if list_columns {
        if target.flag != "-o" {
            return usage(format!(
                "--columns list prints the fields of a bulk's rows instead of exporting them, so it \
                 does not go with {}; run `druid-bulk results BULK --columns list` once the bulk \
                 has finished",
                target.flag
            ));
        }
        if path.is_some() {
            return usage(
                "--columns list prints the field names on stdout and writes no file: drop -o \
                 (redirect stdout to keep them: > fields.txt)",
            );
        }
    }
    let mut output = output(
        layer,
        format_args,
        (target.flag, path),
        default,
        args.csv_safe,
        color,
    )?;
    let request = request(layer)?;
    let wait = target.wait?;
    if let Some(path) = path {
        values::check_output(target.flag, path)?;
    }
    if let Some(checkpoint) = target.checkpoint {
        values::check_checkpoint(checkpoint, path, output.format)?;
        if args.summary_only {
            return usage("--summary-only writes no rows, so it has nothing to checkpoint");
        }
    }
    let summary = match (args.summary, args.summary_only) {
        (_, true) => summary::Mode::Only,
        (true, _) => summary::Mode::Stderr,
        _ => summary::Mode::Off,
    };
    if summary == summary::Mode::Only {
        output.layout.columns = summary::COLUMNS.map(String::from).to_vec();
        output.layout.picked = false;
    } else if format_args.columns.is_none() || list_columns {
        output.layout.table_view = TableView::Results {
            bulk: bulk_ids.len() > 1,
        };
    }
    let job_summary = env::os("GITHUB_STEP_SUMMARY")
        .filter(|path| !path.is_empty() && summary != summary::Mode::Off)
        .map(PathBuf::from);
    let keep = target.keep.then(|| conn.endpoint.to_string());
    Ok(Results {
        conn,
        request,
        export: Export {
            bulk_ids,
            concurrency,
            split: None,
            spool_pause: None,
            page_size: paging.page_size,
            last: args.last.clone(),
            failed_only: args.failed_only,
            max_rows: args.max_rows,
            max_empty_pages: paging.max_empty_pages,
            ordered: paging.ordered,
            wait,
            checkpoint: target.checkpoint.map(Path::to_path_buf),
            restart: target.restart,
            keep,
            summary,
            job_summary,
            fail_on_rows: args.fail_on_rows,
            list_columns,
        },
        output,
    })
}
