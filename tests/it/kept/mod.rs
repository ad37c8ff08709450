//! `-o PATH` keeps what an interrupted or failed export wrote, beside PATH
//! (`.NAME.druid-bulk.partial` and `.NAME.druid-bulk.state`), and the same
//! command continues from it: to the same bytes as an export never
//! interrupted, after checking the last row kept is still there; with other
//! settings, a changed report, `--restart` or an old pair, from the start.
//! Against the sandbox, with Ctrl-C and `kill -9`: `sandbox.rs`.

#[cfg(feature = "sandbox")]
mod sandbox;

use std::path::{Path, PathBuf};

use httpmock::prelude::*;
use serde_json::json;

use crate::support::*;

/// `-o out.csv` in a folder of its own, and the pair kept beside it.
struct Out {
    dir: tempfile::TempDir,
    path: PathBuf,
    partial: PathBuf,
    state: PathBuf,
}

fn out(name: &str) -> Out {
    let dir = tempfile::tempdir().unwrap();
    Out {
        path: dir.path().join(name),
        partial: dir.path().join(format!(".{name}.druid-bulk.partial")),
        state: dir.path().join(format!(".{name}.druid-bulk.state")),
        dir,
    }
}

impl Out {
    /// The names in the folder, sorted.
    fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

/// Three pages of two rows, `r4`'s error as given; the third page fails
/// with 503 until the server is given it whole.
fn pages(server: &MockServer, r4: &str, third: bool) {
    server.reset();
    mock_page(
        server,
        None,
        page(json!([row("r1", "a"), row("r2", "b")]), Some("r2")),
    );
    mock_page(
        server,
        Some("r2"),
        page(json!([row("r3", "c"), row("r4", r4)]), Some("r4")),
    );
    if third {
        mock_page(
            server,
            Some("r4"),
            page(json!([row("r5", "e"), row("r6", "f")]), None),
        );
    } else {
        server.mock(|when, then| {
            when.path(results_path("B1")).query_param("last", "r4");
            then.status(503).body("down");
        });
    }
}

/// The check before continuing: the last row kept (`r4`), asked for
/// after the row before it, as the server answers it now.
fn check_answer<'a>(server: &'a MockServer, r4: &str) -> httpmock::Mock<'a> {
    server.mock(|when, then| {
        when.path(results_path("B1"))
            .query_param("last", "r3")
            .query_param("limit", "1");
        then.status(200)
            .header("content-type", "application/json")
            .json_body(page(json!([row("r4", r4)]), Some("r4")));
    })
}

/// `results B1 -o OUT` with no retries, and `extra`.
fn export(server: &MockServer, out: &Out, extra: &[&str]) -> Run {
    results(&server.base_url(), "B1")
        .args(["--retries", "0", "-v", "-o"])
        .arg(&out.path)
        .args(extra)
        .run()
}

/// Fail after two pages: four rows kept beside `-o`, `-o` itself not made.
fn kept_four_rows(server: &MockServer, out: &Out, extra: &[&str]) -> Run {
    pages(server, "d", false);
    let run = export(server, out, extra);
    // What the state says the partial file holds: up to its last page (a
    // JSON array's closing `]` after it is cut off before continuing).
    let state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out.state).unwrap_or_default()).unwrap_or_default();
    run.expect_code(6).stderr_has(&format!(
        "hint: kept 4 rows ({} bytes in {}); run the same command again to continue, or \
         --restart",
        state["outputBytes"],
        out.partial.display()
    ));
    run.check(
        out.partial.is_file() && out.state.is_file(),
        "the pair is kept beside -o",
    );
    run.check(
        !std::fs::read_to_string(&out.state).unwrap().contains(TOKEN),
        "no secret in the state",
    );
    #[cfg(unix)]
    for path in [&out.partial, &out.state] {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).unwrap().permissions().mode();
        run.same(&(mode & 0o777), &0o600);
    }
    run
}

/// The first request a run sent, from its `-v` lines.
fn first_request(run: &Run) -> String {
    let line = (run.stderr().lines())
        .find(|l| l.starts_with("> GET "))
        .unwrap_or_else(|| panic!("no request in\n{}", run.describe()));
    line.to_string()
}

/// The ids of a CSV file's records.
fn csv_ids(path: &Path) -> Vec<String> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    reader
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .collect()
}

#[test]
fn a_failed_export_is_continued_by_the_same_command_after_its_last_row_is_checked() {
    let server = MockServer::start();
    let out = out("out.csv");
    kept_four_rows(&server, &out, &[]);
    pages(&server, "d", true);
    let check = check_answer(&server, "d");
    let run = export(&server, &out, &[]);
    run.expect_code(0)
        .stderr_has(&format!(
            "continuing the 4 rows kept in {}",
            out.partial.display()
        ))
        .stderr_has("6 rows in all");
    let first = first_request(&run);
    run.check(
        first.contains("last=r3") && first.contains("limit=1"),
        format_args!("the first request asks for the last row kept again: {first}"),
    );
    check.assert_calls(1);
    run.same(&csv_ids(&out.path), &["r1", "r2", "r3", "r4", "r5", "r6"]);
    run.same(&out.names(), &["out.csv"]);
    let text = std::fs::read_to_string(&out.path).unwrap();
    run.same(&text.matches("id,userIdentifierType").count(), &1);
}

#[test]
fn rows_kept_whole_are_put_in_place_by_the_next_run_with_nothing_fetched_again() {
    // A run stopped between its last page and the end (a Ctrl-C just then)
    // records that it wrote every row.
    let server = MockServer::start();
    let out = out("out.json");
    kept_four_rows(&server, &out, &[]);
    let mut state: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out.state).unwrap()).unwrap();
    (state["complete"], state["cursor"]) = (json!(true), json!(null));
    std::fs::write(&out.state, state.to_string()).unwrap();
    server.reset();
    let check = check_answer(&server, "d");
    let run = export(&server, &out, &[]);
    run.expect_code(0)
        .stderr_has("0 rows in 0 pages to ")
        .stderr_has("4 rows in all");
    check.assert_calls(1);
    let rows: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&out.path).unwrap()).unwrap();
    run.same(&rows.as_array().map(Vec::len), &Some(4));
    run.same(&out.names(), &["out.json"]);
}

#[test]
fn max_rows_counts_the_rows_kept_so_the_end_is_where_it_would_have_been() {
    let server = MockServer::start();
    let out = out("out.csv");
    kept_four_rows(&server, &out, &["--max-rows", "5"]);
    pages(&server, "d", true);
    check_answer(&server, "d");
    let run = export(&server, &out, &["--max-rows", "5"]);
    run.expect_code(0)
        .stderr_has("stopped after 5 rows (--max-rows); resume right after them with --last r5");
    run.same(&csv_ids(&out.path), &["r1", "r2", "r3", "r4", "r5"]);
}

#[test]
fn a_report_that_changed_since_is_exported_again_from_the_start() {
    let server = MockServer::start();
    let out = out("out.csv");
    kept_four_rows(&server, &out, &[]);
    pages(&server, "d (edited)", true);
    check_answer(&server, "d (edited)");
    let run = export(&server, &out, &[]);
    run.expect_code(0)
        .stderr_has(&format!(
            "note: the report changed or expired since {} was kept (the last row kept of bulk B1 \
             is not the same now); starting over",
            out.partial.display()
        ))
        .stderr_lacks("continuing the");
    let text = std::fs::read_to_string(&out.path).unwrap();
    run.check(text.contains("d (edited)"), "the rows as they are now");
    run.same(&csv_ids(&out.path).len(), &6);
    run.same(&out.names(), &["out.csv"]);
}

#[test]
fn a_run_with_other_settings_starts_over_with_a_note_and_restart_without_one() {
    let server = MockServer::start();
    let out = out("out.csv");
    kept_four_rows(&server, &out, &[]);
    pages(&server, "d", true);
    let check = check_answer(&server, "d");
    let run = export(&server, &out, &["--no-header"]);
    run.expect_code(0).stderr_has(&format!(
        "note: {} was kept by a run with other settings (--no-header was false, now true); \
         starting over",
        out.partial.display()
    ));
    check.assert_calls(0);
    let text = std::fs::read_to_string(&out.path).unwrap();
    run.check(!text.contains("id,userIdentifierType"), "no header")
        .same(&text.lines().count(), &6);

    for (extra, differs) in [
        (&["-f", "jsonl"][..], "format was \"csv\", now \"jsonl\""),
        (&["--lang", "fr"][..], "--lang was None, now Some(\"fr\")"),
        (&["--csv-safe"][..], "--csv-safe was false, now true"),
    ] {
        kept_four_rows(&server, &out, &[]);
        pages(&server, "d", true);
        let run = export(&server, &out, extra);
        run.expect_code(0).stderr_has(differs);
    }

    kept_four_rows(&server, &out, &[]);
    pages(&server, "d", true);
    let check = check_answer(&server, "d");
    let run = export(&server, &out, &["--restart"]);
    run.expect_code(0)
        .stderr_lacks("note:")
        .stderr_lacks("continuing the");
    check.assert_calls(0);
    run.check(!first_request(&run).contains("last="), "from the start");
    run.same(&csv_ids(&out.path).len(), &6);
}

#[test]
fn a_pair_kept_more_than_seven_days_ago_is_removed_with_a_note() {
    let server = MockServer::start();
    let out = out("out.csv");
    kept_four_rows(&server, &out, &[]);
    let eight_days_ago =
        std::time::SystemTime::now() - std::time::Duration::from_secs(8 * 24 * 60 * 60);
    let state = std::fs::File::options()
        .write(true)
        .open(&out.state)
        .unwrap();
    state.set_modified(eight_days_ago).unwrap();
    drop(state);
    pages(&server, "d", true);
    let check = check_answer(&server, "d");
    let run = export(&server, &out, &[]);
    run.expect_code(0).stderr_has(&format!(
        "note: removed {} and {}, kept by an export to -o {} interrupted more than 7 days ago",
        out.partial.display(),
        out.state.display(),
        out.path.display()
    ));
    check.assert_calls(0);
    run.same(&csv_ids(&out.path).len(), &6);
    run.same(&out.names(), &["out.csv"]);
}

#[test]
fn a_failure_before_any_row_keeps_nothing_and_leaves_the_output_as_it_was() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.path(results_path("B1"));
        then.status(503).body("down");
    });
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.csv");
    std::fs::write(&path, "previous export\n").unwrap();
    let run = results(&server.base_url(), "B1")
        .args(["--retries", "0", "-o"])
        .arg(&path)
        .fails(6);
    run.same(
        &std::fs::read_to_string(&path).unwrap(),
        &"previous export\n",
    );
    run.same(&std::fs::read_dir(dir.path()).unwrap().count(), &1);
    run.stderr_has("nothing was written to -o ")
        .stderr_has("left as it was");
}

#[test]
fn a_table_keeps_nothing_as_before() {
    let server = MockServer::start();
    let out = out("out.txt");
    pages(&server, "d", false);
    let run = export(&server, &out, &["-f", "table"]);
    run.expect_code(6)
        .stderr_has("nothing was written to -o ")
        .stderr_lacks("kept");
    run.same(&out.names().len(), &0);
}

#[cfg(unix)]
#[test]
fn a_state_planted_as_a_symlink_is_never_followed_nor_taken_up() {
    let server = MockServer::start();
    let out = out("out.csv");
    let theirs = out.dir.path().join("theirs");
    std::fs::write(&theirs, "not ours\n").unwrap();
    std::os::unix::fs::symlink(&theirs, &out.state).unwrap();
    pages(&server, "d", false);
    let run = export(&server, &out, &[]);
    run.expect_code(6)
        .stderr_has(&format!(
            "note: not taking up {}: it is a symbolic link; this run writes a temporary file of \
             its own and keeps nothing if it is interrupted (remove it to keep progress)",
            out.state.display()
        ))
        .stderr_has("nothing was written to -o ");
    run.same(&std::fs::read_to_string(&theirs).unwrap(), &"not ours\n");
    run.same(&out.names(), &[".out.csv.druid-bulk.state", "theirs"]);

    // Writable by others: not taken up either, and left as it is.
    std::fs::remove_file(&out.state).unwrap();
    kept_four_rows(&server, &out, &[]);
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&out.state, std::fs::Permissions::from_mode(0o666)).unwrap();
    pages(&server, "d", true);
    let run = export(&server, &out, &[]);
    run.expect_code(0)
        .stderr_has(": other users may write it; this run writes a temporary file")
        .stderr_lacks("continuing the");
    run.same(&csv_ids(&out.path).len(), &6);
}
