//! `--summary` with `GITHUB_STEP_SUMMARY`: the summary appended in Markdown
//! to the CI job's page, however the export ended, and never at the cost of
//! the export.

use std::path::{Path, PathBuf};

use crate::support::*;
use httpmock::prelude::*;
use serde_json::json;

/// Errors a hostile server might send to break out of a Markdown table.
const PIPE: &str = "a|b";
const TICKS: &str = "`rm -rf /`";
const SCRIPT: &str = "<script>alert(1)</script>";

/// A job summary file that an earlier step already wrote to.
struct StepSummary {
    _dir: tempfile::TempDir,
    path: PathBuf,
}

const EARLIER: &str = "## Build\n\nall green\n";

impl StepSummary {
    fn new() -> StepSummary {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("step_summary.md");
        std::fs::write(&path, EARLIER).unwrap();
        StepSummary { _dir: dir, path }
    }

    fn dir(&self) -> &Path {
        self.path.parent().unwrap()
    }

    /// What this run appended.
    fn appended(&self, run: &Run) -> String {
        let text = std::fs::read_to_string(&self.path).unwrap();
        run.check(
            text.starts_with(EARLIER),
            format_args!("what was there is kept:\n{text}"),
        );
        text[EARLIER.len()..].to_string()
    }
}

/// Two pages of rows with hostile errors.
fn hostile(server: &MockServer) {
    mock_page(
        server,
        None,
        page(
            json!([row("r1", PIPE), row("r2", TICKS), row("r3", PIPE)]),
            Some("r3"),
        ),
    );
    mock_page(server, Some("r3"), page(json!([row("r4", SCRIPT)]), None));
}

fn export(server: &MockServer, summary: &StepSummary, args: &[&str]) -> TestCommand {
    let mut cmd = results(&server.base_url(), "B1");
    cmd.env("GITHUB_STEP_SUMMARY", &summary.path)
        .current_dir(summary.dir())
        .args(args);
    cmd
}

/// Each of `lines` is in the summary `md`.
#[track_caller]
fn has_lines(run: &Run, md: &str, lines: &[&str]) {
    for line in lines {
        run.check(md.contains(line), format_args!("{line:?} in\n{md}"));
    }
}

#[test]
fn the_markdown_is_appended_with_the_servers_text_escaped() {
    let server = MockServer::start();
    hostile(&server);
    let summary = StepSummary::new();
    let run = export(&server, &summary, &["--summary", "-o", "failures.csv"]).ok();
    let md = summary.appended(&run);
    has_lines(
        &run,
        &md,
        &[
            "### druid-bulk: bulk B1",
            "**Exit 0**: every page was fetched and written",
            "- Rows written: 4 rows in 2 pages, to failures.csv",
            "- Rows with an error: 4, 3 distinct errors",
            "| count | error |",
            "| 2 | a\\|b |",
            "| 1 | \\`rm -rf /\\` |",
            "| 1 | \\<script\\>alert(1)\\</script\\> |",
        ],
    );
    run.check(
        !md.contains("<script>") && !md.contains("| a|b"),
        format_args!("nothing unescaped:\n{md}"),
    )
    .check(
        !md.contains("To continue") && !md.contains("Hint"),
        format_args!("nothing to continue:\n{md}"),
    );
}

#[test]
fn summary_only_writes_it_too_and_without_summary_nothing_is_written() {
    let server = MockServer::start();
    hostile(&server);
    let summary = StepSummary::new();
    let run = export(&server, &summary, &["--summary-only", "-f", "csv"]).ok();
    let md = summary.appended(&run);
    run.check(
        md.contains("- Rows read: 4 rows in 2 pages; only this summary was written, to stdout"),
        format_args!("{md}"),
    );

    let summary = StepSummary::new();
    let run = export(&server, &summary, &["-f", "csv"]).ok();
    run.same(&summary.appended(&run), &"");
}

#[test]
fn a_failure_part_way_says_what_was_written_and_how_to_continue() {
    let server = MockServer::start();
    mock_page(
        &server,
        None,
        page(json!([row("r1", "a"), row("r2", "b")]), Some("r2")),
    );
    server.mock(|when, then| {
        when.path(results_path("B1")).query_param("last", "r2");
        then.status(503).body("down");
    });
    let summary = StepSummary::new();
    let run = export(
        &server,
        &summary,
        &["--summary", "--retries", "0", "-f", "jsonl"],
    )
    .fails(6);
    let hint = "2 rows in 1 page were written; resume right after them with --last r2";
    run.stderr_has(&format!("hint: {hint}"));
    let md = summary.appended(&run);
    has_lines(
        &run,
        &md,
        &[
            "**Exit 6**: server or network error after retries",
            "> the server failed on the request for bulk B1 (HTTP 503",
            "- Rows written: 2 rows in 1 page, to stdout",
            &format!("**Hint:** {hint}"),
            "| 1 | a |",
        ],
    );
}

#[test]
fn a_max_rows_stop_is_not_called_the_whole_report() {
    let server = MockServer::start();
    hostile(&server);
    let summary = StepSummary::new();
    let run = export(&server, &summary, &["--summary", "--max-rows", "2"]).ok();
    let md = summary.appended(&run);
    has_lines(
        &run,
        &md,
        &[
        "**Exit 0**: stopped where --max-rows said",
        "**To continue:** stopped after 2 rows (--max-rows); resume right after them with --last r2",
        ],
    );
}

#[test]
fn several_bulks_get_a_line_each() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.path(results_path("B1"));
        then.status(200)
            .json_body(page(json!([row("r1", "bad")]), None));
    });
    server.mock(|when, then| {
        when.path(results_path("x|y"));
        then.status(404)
            .json_body(json!({"result": {"status": 404, "message": "Bulk <b>not</b> found"}}));
    });
    let summary = StepSummary::new();
    let mut cmd = export(&server, &summary, &["--summary", "-f", "jsonl"]);
    let run = cmd.arg("x|y").fails(4);
    let md = summary.appended(&run);
    has_lines(
        &run,
        &md,
        &[
            "### druid-bulk: 2 bulks",
            "**Exit 4**: bulk not found",
            "| bulk | rows | outcome |",
            "| B1 | 1 | complete |",
            "| x\\|y | 0 | failed (exit 4): bulk x\\|y not found at",
            "(HTTP 404: Bulk \\<b\\>not\\</b\\> found)",
            "**To continue:** the rows of whole pages were written; bulks complete: B1;",
        ],
    );
}

#[test]
fn an_unwritable_summary_is_a_warning_and_the_exit_code_stays() {
    let server = MockServer::start();
    hostile(&server);
    let dir = tempfile::tempdir().unwrap();
    let nowhere = dir.path().join("no/such/dir/summary.md");
    let run = results(&server.base_url(), "B1")
        .env("GITHUB_STEP_SUMMARY", &nowhere)
        .args(["--summary", "--fail-on-rows", "-f", "csv"])
        .fails(8);
    run.stderr_has("warning: cannot append the summary to GITHUB_STEP_SUMMARY (")
        .stdout_has("r4,object_id");
    run.check(!nowhere.exists(), "nothing created");
}

#[cfg(all(unix, feature = "sandbox"))]
#[test]
fn an_interrupted_export_says_so_with_what_was_written() {
    let (cfg, server) = slow_sandbox(6_000, 5);
    let summary = StepSummary::new();
    let out = summary.dir().join("out.jsonl");
    let child = results(&server.endpoint(), cfg.main_bulk_id())
        .env("GITHUB_STEP_SUMMARY", &summary.path)
        .args(["--summary", "--page-size", "50", "-f", "jsonl"])
        // The grace period after Ctrl-C is a ceiling here, not a wait.
        .real_clock()
        .spawn_with(Some(std::fs::File::create(&out).unwrap().into()));
    wait_for("two pages written", || {
        std::fs::read_to_string(&out).map_or(0, |t| t.lines().count()) >= 100
    });
    child.signal("INT");
    let run = child.finish();
    run.expect_code(130);
    let md = summary.appended(&run);
    has_lines(
        &run,
        &md,
        &[
            "**Exit 130**: interrupted",
            "> interrupted by SIGINT",
            "**Hint:** ",
            "resume right after them with --last ",
        ],
    );
    let rows = std::fs::read_to_string(&out).unwrap().lines().count();
    run.check(
        md.contains(&format!("- Rows written: {rows} rows in ")),
        format_args!("{rows} rows in\n{md}"),
    );
}
