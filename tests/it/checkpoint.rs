//! `--checkpoint`: progress saved after every page, so running the same
//! command again continues exactly where the output ends.

use std::path::{Path, PathBuf};

use crate::support::*;
use httpmock::prelude::*;
use serde_json::{json, Value};

/// Three pages of two rows; the third fails with 503 until `heal` is called.
struct Flaky {
    server: MockServer,
}

impl Flaky {
    fn start() -> Flaky {
        let server = MockServer::start();
        mock_page(
            &server,
            None,
            page(json!([row("r1", "a, b"), row("r2", "x\ny")]), Some("r2")),
        );
        mock_page(
            &server,
            Some("r2"),
            page(json!([row("r3", "c"), row("r4", "d")]), Some("r4")),
        );
        server.mock(|when, then| {
            when.path(results_path("B1")).query_param("last", "r4");
            then.status(503).body("down");
        });
        Flaky { server }
    }

    fn heal(&self) {
        self.server.reset();
        mock_page(
            &self.server,
            None,
            page(json!([row("r1", "a, b"), row("r2", "x\ny")]), Some("r2")),
        );
        mock_page(
            &self.server,
            Some("r2"),
            page(json!([row("r3", "c"), row("r4", "d")]), Some("r4")),
        );
        mock_page(
            &self.server,
            Some("r4"),
            page(json!([row("r5", "e"), row("r6", "f")]), None),
        );
    }
}

struct Files {
    _dir: tempfile::TempDir,
    out: PathBuf,
    cp: PathBuf,
}

fn files(name: &str) -> Files {
    let dir = tempfile::tempdir().unwrap();
    Files {
        out: dir.path().join(name),
        cp: dir.path().join("export.checkpoint"),
        _dir: dir,
    }
}

fn run(url: &str, f: &Files, extra: &[&str]) -> Run {
    results(url, "B1")
        .args(["--retries", "0", "-o"])
        .arg(&f.out)
        .arg("--checkpoint")
        .arg(&f.cp)
        .args(extra)
        .run()
}

fn checkpoint(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn csv_ids(path: &Path) -> Vec<String> {
    let mut reader = csv::Reader::from_path(path).unwrap();
    reader
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .collect()
}

#[test]
fn a_failed_export_resumes_from_the_checkpoint_without_a_second_header() {
    let flaky = Flaky::start();
    let f = files("out.csv");
    let out = run(&flaky.server.base_url(), &f, &[]);
    out.expect_code(6).stderr_has("run the same command again");
    assert_eq!(
        csv_ids(&f.out),
        ["r1", "r2", "r3", "r4"],
        "whole pages kept in place\n\n{}",
        out.describe()
    );
    let saved = checkpoint(&f.cp);
    out.check(
        !std::fs::read_to_string(&f.cp).unwrap().contains(TOKEN),
        "no secret in the checkpoint",
    );
    out.same(&saved["cursor"], &"r4");
    out.same(&saved["rows"], &4);
    out.same(&saved["complete"], &false);

    flaky.heal();
    let out = run(&flaky.server.base_url(), &f, &[]);
    out.expect_code(0);
    let resuming = format!(
        "resuming from {}: 4 rows in 2 pages already in",
        f.cp.display()
    );
    out.stderr_has(&resuming)
        .stderr_has("2 rows in 1 page")
        .stderr_has("6 rows in all");
    let text = std::fs::read_to_string(&f.out).unwrap();
    assert_eq!(
        text.matches("id,userIdentifierType").count(),
        1,
        "{text}\n\n{}",
        out.describe()
    );
    out.same(&csv_ids(&f.out), &["r1", "r2", "r3", "r4", "r5", "r6"]);
    let saved = checkpoint(&f.cp);
    out.same(&saved["complete"], &true);
    out.same(&saved["rows"], &6);

    // A third run has nothing to do and says so.
    flaky.server.reset();
    let out = run(&flaky.server.base_url(), &f, &[]);
    out.expect_code(0).stderr_has("already complete");
    out.same(&csv_ids(&f.out).len(), &6);
}

#[test]
fn json_output_stays_a_valid_array_across_a_failure_and_a_resume() {
    let flaky = Flaky::start();
    let f = files("out.json");
    let out = run(&flaky.server.base_url(), &f, &[]);
    out.expect_code(6);
    let partial: Value = serde_json::from_str(&std::fs::read_to_string(&f.out).unwrap()).unwrap();
    out.same(&partial.as_array().unwrap().len(), &4);

    flaky.heal();
    let out = run(&flaky.server.base_url(), &f, &[]);
    out.expect_code(0);
    let whole: Value = serde_json::from_str(&std::fs::read_to_string(&f.out).unwrap()).unwrap();
    let ids: Vec<&str> = whole
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    out.same(&ids, &["r1", "r2", "r3", "r4", "r5", "r6"]);
}

#[test]
fn bytes_written_after_the_last_save_are_cut_before_resuming() {
    // As if the process died after writing a page but before saving the checkpoint.
    let flaky = Flaky::start();
    let f = files("out.jsonl");
    run(&flaky.server.base_url(), &f, &[]);
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&f.out)
        .unwrap();
    std::io::Write::write_all(&mut file, b"{\"id\":\"r5\",\"half\":tr").unwrap();
    drop(file);

    flaky.heal();
    let out = run(&flaky.server.base_url(), &f, &[]);
    out.expect_code(0);
    let rows = jsonl(&std::fs::read_to_string(&f.out).unwrap());
    let ids: Vec<&str> = rows.iter().map(|r| r["id"].as_str().unwrap()).collect();
    out.same(&ids, &["r1", "r2", "r3", "r4", "r5", "r6"]);
}

#[test]
fn a_checkpoint_for_another_bulk_format_or_output_option_is_refused() {
    let flaky = Flaky::start();
    let f = files("out.csv");
    run(&flaky.server.base_url(), &f, &[]);
    results(&flaky.server.base_url(), "B2")
        .arg("-o")
        .arg(&f.out)
        .arg("--checkpoint")
        .arg(&f.cp)
        .fails(2)
        .stderr_has("belongs to another export");
    run(&flaky.server.base_url(), &f, &["-f", "jsonl"])
        .expect_code(2)
        .stderr_has("format");
    // Records without a header, or with formulas neutralised, after ones
    // with: two formats in one file.
    for (option, differs) in [
        ("--no-header", "(--no-header was false, now true)"),
        ("--csv-safe", "(--csv-safe was false, now true)"),
    ] {
        run(&flaky.server.base_url(), &f, &[option])
            .expect_code(2)
            .stderr_has(differs);
    }
}

#[test]
fn an_excel_csv_resumes_with_one_byte_order_mark_and_crlf_throughout() {
    let flaky = Flaky::start();
    let f = files("out.csv");
    run(&flaky.server.base_url(), &f, &["--excel"]).expect_code(6);
    let first = std::fs::read(&f.out).unwrap();
    assert!(first.starts_with(b"\xEF\xBB\xBFid,"), "{first:?}");
    run(&flaky.server.base_url(), &f, &[])
        .expect_code(2)
        .stderr_has("(--excel was true, now false)");

    flaky.heal();
    let out = run(&flaky.server.base_url(), &f, &["--excel"]);
    out.expect_code(0);
    let text = String::from_utf8(std::fs::read(&f.out).unwrap()).unwrap();
    out.same(&text.matches('\u{feff}').count(), &1)
        .check(text.starts_with('\u{feff}'), "the mark leads");
    let records = text.trim_start_matches('\u{feff}');
    out.check(
        records.ends_with("\r\n") && !records.replace("\r\n", "").contains('\r'),
        format_args!("CRLF line ends: {records:?}"),
    );
    // A header and six records; the one more LF is inside the quoted cell "x\ny".
    out.same(&records.matches("\r\n").count(), &7)
        .same(&records.matches('\n').count(), &8);
    out.same(&csv_ids(&f.out), &["r1", "r2", "r3", "r4", "r5", "r6"]);
}

#[test]
fn restart_ignores_the_checkpoint_and_starts_over() {
    let flaky = Flaky::start();
    let f = files("out.csv");
    run(&flaky.server.base_url(), &f, &[]);
    flaky.heal();
    let out = run(&flaky.server.base_url(), &f, &["--restart"]);
    out.expect_code(0);
    out.same(&csv_ids(&f.out), &["r1", "r2", "r3", "r4", "r5", "r6"]);
}

#[test]
fn an_output_shorter_than_the_checkpoint_is_refused() {
    let flaky = Flaky::start();
    let f = files("out.csv");
    run(&flaky.server.base_url(), &f, &[]);
    std::fs::write(&f.out, "id\n").unwrap();
    flaky.heal();
    run(&flaky.server.base_url(), &f, &[])
        .expect_code(2)
        .stderr_has("--restart");
}

#[test]
fn checkpoint_needs_a_file_output_in_a_data_format() {
    results("http://127.0.0.1:9", "B1")
        .args(["--checkpoint", "cp"])
        .fails(2);
    results("http://127.0.0.1:9", "B1")
        .args(["--checkpoint", "cp", "-o", "out.txt", "-f", "table"])
        .fails(2)
        .stderr_has("not table");
}

#[test]
fn a_failed_first_request_leaves_an_existing_output_alone() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.path(results_path("B1"));
        then.status(404).body("{}");
    });
    let f = files("out.csv");
    std::fs::write(&f.out, "precious\n").unwrap();
    let out = run(&server.base_url(), &f, &[]);
    out.expect_code(4);
    out.same(&std::fs::read_to_string(&f.out).unwrap(), &"precious\n");
}

/// The lock file a run holds beside its checkpoint.
fn lock_file(f: &Files) -> PathBuf {
    let mut name = f.cp.as_os_str().to_owned();
    name.push(".lock");
    name.into()
}

#[test]
fn a_complete_export_whose_output_changed_is_not_called_complete() {
    let flaky = Flaky::start();
    flaky.heal();
    let f = files("out.csv");
    run(&flaky.server.base_url(), &f, &[]).expect_code(0);
    let whole = std::fs::read(&f.out).unwrap();
    flaky.server.reset();

    std::fs::remove_file(&f.out).unwrap();
    let out = run(&flaky.server.base_url(), &f, &[]);
    out.expect_code(2)
        .stderr_has("does not exist")
        .stderr_has(&f.cp.display().to_string())
        .stderr_has("--restart")
        .stderr_lacks("already complete");
    out.check(!f.out.exists(), "no empty output is created");

    for changed in [
        &whole[..whole.len() - 3],
        &[&whole[..], b"extra\n"].concat(),
    ] {
        std::fs::write(&f.out, changed).unwrap();
        let out = run(&flaky.server.base_url(), &f, &[]);
        out.expect_code(2)
            .stderr_has(&format!("is {} bytes", changed.len()))
            .stderr_has(&format!("with {} bytes", whole.len()))
            .stderr_has("--restart");
        out.same(&std::fs::read(&f.out).unwrap(), &changed.to_vec());
    }

    std::fs::write(&f.out, &whole).unwrap();
    run(&flaky.server.base_url(), &f, &[])
        .expect_code(0)
        .stderr_has("already complete");

    flaky.heal();
    std::fs::remove_file(&f.out).unwrap();
    let out = run(&flaky.server.base_url(), &f, &["--restart"]);
    out.expect_code(0);
    out.same(&std::fs::read(&f.out).unwrap(), &whole);
}

#[test]
fn a_resume_whose_output_was_deleted_is_refused_without_creating_it() {
    let flaky = Flaky::start();
    let f = files("out.jsonl");
    run(&flaky.server.base_url(), &f, &[]).expect_code(6);
    std::fs::remove_file(&f.out).unwrap();
    flaky.heal();
    let out = run(&flaky.server.base_url(), &f, &[]);
    out.expect_code(2)
        .stderr_has("does not exist")
        .stderr_has("--restart");
    out.check(!f.out.exists(), "no empty output is created");
}

/// A server whose first page (r1, then a cursor) waits behind `gate`;
/// the second page (r2) ends the bulk.
fn held_first_page(gate: &scripted::Gate) -> scripted::Scripted {
    use scripted::{Reply, Scripted};
    Scripted::start(vec![
        Reply::page(&page(json!([row("r1", "a")]), Some("r1"))).after(gate),
        Reply::page(&page(json!([row("r2", "b")]), None)),
    ])
}

/// Start `results B1 -o OUT --checkpoint CP` and wait until it has asked
/// for its first page (so it holds the checkpoint).
fn start_holding(server: &scripted::Scripted, f: &Files) -> Running {
    let running = results(&server.url, "B1")
        .arg("-o")
        .arg(&f.out)
        .arg("--checkpoint")
        .arg(&f.cp)
        .spawn_with(None);
    wait_for("the first run to ask for a page", || {
        !server.requests().is_empty()
    });
    running
}

#[test]
fn a_second_run_on_the_same_checkpoint_fails_fast_naming_it() {
    let gate = scripted::Gate::new();
    let server = held_first_page(&gate);
    let f = files("out.jsonl");
    let running = start_holding(&server, &f);

    // The first run holds the checkpoint until the gate opens, which is
    // after this run: one that waited for the lock would wait for ever, and
    // the hang guard would fail it.
    let out = results(&server.url, "B1")
        .args(["--retries", "0", "-o"])
        .arg(&f.out)
        .arg("--checkpoint")
        .arg(&f.cp)
        .hang_guard()
        .run();
    out.expect_code(2)
        .stderr_has(&format!("--checkpoint {} is in use", f.cp.display()))
        .stderr_has("another druid-bulk run");
    out.same(&server.requests().len(), &1);

    gate.open();
    let out = running.finish();
    out.expect_code(0);
    let ids: Vec<String> = jsonl(&std::fs::read_to_string(&f.out).unwrap())
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    out.same(&ids, &["r1", "r2"]);
    if cfg!(unix) {
        out.check(!lock_file(&f).exists(), "the lock file is removed");
    }
    run(&server.url, &f, &[])
        .expect_code(0)
        .stderr_has("already complete");
}

#[test]
fn a_lock_left_by_a_killed_run_does_not_block_the_next() {
    let gate = scripted::Gate::new(); // never opened
    let server = held_first_page(&gate);
    let f = files("out.csv");
    let mut running = start_holding(&server, &f);
    running.child.kill().unwrap();
    running.child.wait().unwrap();
    assert!(lock_file(&f).exists(), "kill -9 leaves the lock file");

    let open = scripted::Gate::new();
    open.open();
    let server = held_first_page(&open);
    let out = run(&server.url, &f, &[]);
    out.expect_code(0);
    out.same(&csv_ids(&f.out), &["r1", "r2"]);
    if cfg!(unix) {
        out.check(!lock_file(&f).exists(), "the stale lock file is removed");
    }
}

#[test]
fn the_output_cannot_be_the_checkpoints_lock_file() {
    let f = files("out.csv");
    results("http://127.0.0.1:9", "B1")
        .args(["--retries", "0", "-f", "csv", "-o"])
        .arg(lock_file(&f))
        .arg("--checkpoint")
        .arg(&f.cp)
        .fails(2)
        .stderr_has("is the lock file of --checkpoint");
}

#[test]
fn a_max_rows_cut_on_a_row_without_a_string_id_stops_before_it_and_resumes_exactly() {
    // The second row's id is a number: no cursor can resume right after it.
    let numeric =
        json!({"id": 7, "userIdentifierType": "object_id", "objectId": "obj-7", "error": "n"});
    let server = MockServer::start();
    mock_page(
        &server,
        None,
        page(json!([row("r1", "a"), numeric, row("r3", "c")]), Some("r3")),
    );
    mock_page(
        &server,
        Some("r1"),
        page(json!([numeric, row("r3", "c")]), Some("r3")),
    );
    mock_page(&server, Some("r3"), page(json!([row("r4", "d")]), None));
    let f = files("out.jsonl");

    let out = run(&server.base_url(), &f, &["--max-rows", "2"]);
    out.expect_code(0)
        .stderr_has("stopped after 1 row (not 2: row 2 has no id to resume from)")
        .stderr_has("--last r1");
    let saved = checkpoint(&f.cp);
    out.same(&saved["cursor"], &"r1");
    out.same(&saved["rows"], &1);

    let out = run(&server.base_url(), &f, &[]);
    out.expect_code(0).stderr_has("3 rows in 2 pages");
    out.same(&checkpoint(&f.cp)["complete"], &true);
    let lines = jsonl(&std::fs::read_to_string(&f.out).unwrap());
    let ids: Vec<String> = lines.iter().map(|r| r["id"].to_string()).collect();
    out.same(&ids, &[r#""r1""#, "7", r#""r3""#, r#""r4""#]);
}
