//! What follows an accepted submission: `--wait` through the bulk's
//! statuses to `completed`, `failed` (exit 9) or the deadline (exit 5);
//! `--export` writing what `results` writes; what `--failed-lines` refuses,
//! and how it ends when `--export` failed; the bar of bytes sent on a
//! terminal.

#[cfg(target_os = "linux")]
use std::path::Path;

use super::{accepted, mock_submit, status, submit, BULKS, GOOD};
use crate::support::scripted::{Reply, Scripted};
use crate::support::*;
use httpmock::prelude::*;
use serde_json::{json, Value};

#[test]
fn wait_follows_the_status_until_completed() {
    let server = Scripted::start(vec![
        Reply::new(201, accepted("B1")),
        status("B1", "received"),
        status("B1", "processing"),
        status("B1", "completed"),
    ]);
    let (_dir, path) = users_file(GOOD);
    let run = submit(&server.url, &path).arg("--wait").ok();
    run.same(run.stdout(), "B1\n")
        .stderr_has("bulk B1 has completed");
    let requests = server.requests();
    let gets = requests
        .iter()
        .filter(|r| r.starts_with(&format!("GET {BULKS}/B1 ")))
        .count();
    run.same(&requests.len(), &4).same(&gets, &3);
}

#[test]
fn a_failed_bulk_is_exit_9_after_its_id() {
    let server = Scripted::start(vec![
        Reply::new(201, accepted("B1")),
        status("B1", "processing"),
        status("B1", "failed"),
    ]);
    let (_dir, path) = users_file(GOOD);
    let run = submit(&server.url, &path).arg("--wait=10m").fails(9);
    run.same(run.stdout(), "B1\n")
        .stderr_has("bulk B1 failed (status `failed`)");
}

#[test]
fn the_wait_deadline_is_exit_5_after_the_id() {
    let server = Scripted::start(vec![
        Reply::new(201, accepted("B1")),
        status("B1", "processing"),
    ]);
    let (_dir, path) = users_file(GOOD);
    let run = submit(&server.url, &path).arg("--wait=2m").fails(5);
    run.same(run.stdout(), "B1\n")
        .stderr_has("bulk B1 is still processing after waiting 2m")
        .stderr_has("druid-bulk results B1 --wait");
}

#[test]
fn wait_0s_checks_the_status_once() {
    let server = Scripted::start(vec![
        Reply::new(201, accepted("B1")),
        status("B1", "processing"),
    ]);
    let (_dir, path) = users_file(GOOD);
    let run = submit(&server.url, &path).arg("--wait=0s").fails(5);
    run.same(run.stdout(), "B1\n")
        .stderr_has("bulk B1 is processing (--wait=0s checks once and does not poll)");
    let gets = (server.requests().iter())
        .filter(|r| r.starts_with(&format!("GET {BULKS}/B1 ")))
        .count();
    run.same(&gets, &1);
}

/// A completed bulk `B1` with two pages of results, after a submission.
fn completed_bulk(server: &MockServer) {
    mock_submit(server, "B1");
    server.mock(|when, then| {
        when.method(GET).path(druid_bulk::api::routes::bulk("B1"));
        then.status(200)
            .json_body(json!({"content": {"bulkId": "B1", "status": "completed"}}));
    });
    mock_page(
        server,
        None,
        page(
            json!([row("r1", "email, without @"), row("r2", "=cmd")]),
            Some("r2"),
        ),
    );
    mock_page(
        server,
        Some("r2"),
        page(json!([row("r3", "unknown user")]), None),
    );
}

#[test]
fn export_with_client_credentials_asks_for_one_token() {
    let auth = MockServer::start();
    let token = auth.mock(|when, then| {
        when.method(POST).path("/oauth2/token");
        then.status(200)
            .json_body(json!({"access_token": "acc-1", "expires_in": 3600}));
    });
    let server = MockServer::start();
    completed_bulk(&server);
    let (dir, path) = users_file(GOOD);
    let mut cmd = TestCommand::new();
    cmd.arg("submit")
        .arg(&path)
        .args(["-e", &server.base_url(), "--auth-url", &auth.base_url()])
        .args(["--client-id", "app-1"])
        .arg("--export")
        .arg(dir.path().join("failures.csv"))
        .env("DRUID_CLIENT_SECRET", "cs-secret");
    let run = cmd.ok();
    run.same(run.stdout(), "B1\n");
    token.assert_calls(1);
}

#[test]
fn export_writes_the_file_results_writes() {
    let server = MockServer::start();
    completed_bulk(&server);
    let (dir, path) = users_file(GOOD);
    for (extension, extra) in [
        ("csv", &["--csv-safe"][..]),
        ("out", &["-f", "jsonl", "--failed-only"]),
    ] {
        let via_submit = dir.path().join(format!("submitted.{extension}"));
        let via_results = dir.path().join(format!("results.{extension}"));
        let run = submit(&server.base_url(), &path)
            .arg("--export")
            .arg(&via_submit)
            .args(extra)
            .ok();
        run.same(run.stdout(), "B1\n");
        results(&server.base_url(), "B1")
            .arg("-o")
            .arg(&via_results)
            .args(extra)
            .ok();
        let (a, b) = (
            std::fs::read(&via_submit).unwrap(),
            std::fs::read(&via_results).unwrap(),
        );
        run.check(
            !a.is_empty() && a == b,
            format_args!("{extra:?}: same file"),
        );
    }
    let written = std::fs::read_to_string(dir.path().join("submitted.out")).unwrap();
    let rows: Vec<Value> = jsonl(&written);
    assert_eq!(rows.len(), 3);
}

#[test]
fn export_takes_the_format_from_its_extension_and_fail_on_rows_gates() {
    let server = MockServer::start();
    completed_bulk(&server);
    let (dir, path) = users_file(GOOD);
    let out = dir.path().join("failures.csv");
    let run = submit(&server.base_url(), &path)
        .arg("--export")
        .arg(&out)
        .arg("--fail-on-rows")
        .fails(8);
    run.same(run.stdout(), "B1\n");
    let csv = std::fs::read_to_string(&out).unwrap();
    run.check(
        csv.starts_with("id,userIdentifierType,objectId,pulseId,error\n"),
        format_args!("a CSV header: {csv}"),
    );
}

#[test]
fn export_to_stdout_and_report_options_without_export_are_refused() {
    let server = MockServer::start();
    let patch = mock_submit(&server, "B1");
    let (_dir, path) = users_file(GOOD);
    submit(&server.base_url(), &path)
        .args(["--export", "-"])
        .fails(2)
        .stderr_has("carries the bulk id");
    submit(&server.base_url(), &path)
        .args(["--export", "report.xlsx"])
        .fails(2)
        .stderr_has("cannot tell the format from --export report.xlsx");
    for (flags, named) in [
        (&["-f", "csv"][..], "-f/--format"),
        (&["--fail-on-rows"], "--fail-on-rows"),
        (&["--failed-only"], "--failed-only"),
    ] {
        submit(&server.base_url(), &path)
            .args(flags)
            .fails(2)
            .stderr_has(&format!("{named} applies to the report"))
            .stderr_has("add --export OUT");
    }
    patch.assert_calls(0);
}

#[test]
fn failed_lines_to_stdout_and_outputs_that_clash_are_refused_before_sending() {
    let server = MockServer::start();
    let patch = mock_submit(&server, "B1");
    let (dir, path) = users_file(GOOD);
    let report = dir.path().join("report.csv");
    let cases: [(Vec<std::ffi::OsString>, &str); 5] = [
        (
            vec!["--failed-lines".into(), "-".into()],
            "--failed-lines - would write the failed lines to stdout, which carries the bulk id",
        ),
        (
            vec!["--failed-lines".into(), path.clone().into()],
            "is FILE itself: replacing it would lose the lines that were sent",
        ),
        (
            vec!["--export".into(), path.clone().into()],
            "is FILE itself",
        ),
        (
            vec![
                "--export".into(),
                report.clone().into(),
                "--failed-lines".into(),
                report.clone().into(),
            ],
            "--export and --failed-lines both name",
        ),
        (
            vec!["--annotate".into()],
            "--annotate applies to the lines that --failed-lines OUT2 writes",
        ),
    ];
    for (flags, says) in cases {
        let run = submit(&server.base_url(), &path).args(&flags).fails(2);
        run.stderr_has(says).same(run.stdout(), "");
    }
    // Options of the report alone are still refused with --failed-lines only.
    submit(&server.base_url(), &path)
        .args(["--failed-lines", "fix.jsonl", "--failed-only"])
        .fails(2)
        .stderr_has("--failed-only applies to the report that --export OUT writes");
    patch.assert_calls(0);
    assert_eq!(std::fs::read(&path).unwrap(), GOOD.as_bytes());
}

#[test]
fn when_export_fails_failed_lines_is_not_written_and_says_how_to_write_it() {
    let server = MockServer::start();
    mock_submit(&server, "B1");
    server.mock(|when, then| {
        when.method(GET).path(druid_bulk::api::routes::bulk("B1"));
        then.status(200)
            .json_body(json!({"content": {"bulkId": "B1", "status": "completed"}}));
    });
    server.mock(|when, then| {
        when.path(results_path("B1"));
        then.status(503).body("busy");
    });
    let (dir, path) = users_file(GOOD);
    let fix = dir.path().join("fix.jsonl");
    let run = submit(&server.base_url(), &path)
        .arg("--export")
        .arg(dir.path().join("failures.csv"))
        .arg("--failed-lines")
        .arg(&fix)
        .args(["--retries", "0"])
        .fails(6);
    run.same(run.stdout(), "B1\n")
        .stderr_has("error: ")
        .stderr_has(&format!(
            "--failed-lines {} was not written, since --export failed",
            fix.display()
        ))
        .stderr_has(&format!(
            "druid-bulk failed-lines B1 --input {} -o {}",
            path.display(),
            fix.display()
        ))
        .check(!fix.exists(), "no fix.jsonl");
}

#[test]
fn an_export_that_fails_part_way_keeps_nothing_as_the_same_command_would_send_a_new_bulk() {
    let server = MockServer::start();
    mock_submit(&server, "B1");
    server.mock(|when, then| {
        when.method(GET).path(druid_bulk::api::routes::bulk("B1"));
        then.status(200)
            .json_body(json!({"content": {"bulkId": "B1", "status": "completed"}}));
    });
    mock_page(&server, None, page(json!([row("r1", "a")]), Some("r1")));
    server.mock(|when, then| {
        when.path(results_path("B1")).query_param("last", "r1");
        then.status(503).body("busy");
    });
    let (dir, path) = users_file(GOOD);
    let run = submit(&server.base_url(), &path)
        .arg("--export")
        .arg(dir.path().join("failures.csv"))
        .args(["--retries", "0"])
        .fails(6);
    run.stderr_has("nothing was written to -o ")
        .stderr_lacks("kept");
    let names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("failures.csv"))
        .collect();
    run.same(&names, &Vec::<String>::new());
}

/// The submission, on a pseudo-terminal (util-linux `script`): everything
/// the terminal showed.
#[cfg(target_os = "linux")]
fn on_a_terminal(endpoint: &str, path: &Path, ci: bool) -> Run {
    let line = format!(
        "'{}' submit '{}' -e {endpoint}",
        binary().display(),
        path.display()
    );
    let mut cmd = on_a_pty(&line);
    cmd.env("DRUID_TOKEN", TOKEN);
    if ci {
        cmd.env("CI", "true");
    }
    cmd.ok()
}

#[cfg(target_os = "linux")]
#[test]
fn a_terminal_gets_a_bar_of_bytes_sent_and_ci_does_not() {
    if !installed("script") {
        return;
    }
    let server = MockServer::start();
    mock_submit(&server, "B1");
    let (_dir, path) = users_file(GOOD);
    let live = on_a_terminal(&server.base_url(), &path, false);
    live.stdout_has("sending ")
        .stdout_has(&format!("/{} B", GOOD.len()))
        .stdout_has("B1");
    let ci = on_a_terminal(&server.base_url(), &path, true);
    ci.stdout_lacks("sending ").stdout_has("B1");
}
