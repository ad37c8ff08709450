//! Every way an export can fail: the exit code scripts rely on and a message
//! that names the bulk and says what to do next.

use crate::support::*;
use httpmock::prelude::*;
use serde_json::json;

/// Run against a server that answers `status` with `body` and return the run.
fn fail_with(status: u16, body: &str) -> Run {
    let server = MockServer::start();
    let body = body.to_string();
    server.mock(|when, then| {
        when.path(results_path("B-77"));
        then.status(status)
            .header("content-type", "application/json")
            .body(body);
    });
    results(&server.base_url(), "B-77")
        .args(["-f", "csv"])
        .run()
}

#[test]
fn status_codes_map_to_documented_exit_codes() {
    let cases = [
        (400, 7, "rejected the request"),
        (401, 3, "authentication failed"),
        (403, 3, "authentication failed"),
        (404, 4, "not found"),
        (428, 5, "not finished yet"),
        (500, 6, "HTTP 500"),
        (502, 6, "HTTP 502"),
        (503, 6, "HTTP 503"),
        (504, 6, "HTTP 504"),
        (408, 6, "HTTP 408"),
        (429, 6, "HTTP 429"),
    ];
    for (status, code, words) in cases {
        let run = fail_with(status, "{}");
        run.check(
            run.code() == Some(code),
            format_args!("HTTP {status}: expected exit {code}"),
        );
        run.check(
            run.stderr().contains(words),
            format_args!("HTTP {status}: stderr lacks {words:?}"),
        );
        run.check(
            run.stderr().contains("B-77"),
            format_args!("HTTP {status} names the bulk"),
        );
        run.check(
            run.stdout().is_empty(),
            format_args!("HTTP {status}: nothing on stdout, not even a header"),
        );
    }
}

#[test]
fn message_shape_result_message_is_shown() {
    let run = fail_with(
        404,
        r#"{"result":{"status":404,"message":"Bulk not found in tenant"}}"#,
    );
    run.expect_code(4).stderr_has("Bulk not found in tenant");
    run.check(run.stderr().contains("--endpoint"), "says what to check");
}

#[test]
fn message_shape_result_errors_is_shown() {
    let run = fail_with(
        400,
        r#"{"result":{"status":400,"errors":[{"message":"Invalid parameter","details":"limit must be <= 500"}]}}"#,
    );
    run.expect_code(7)
        .stderr_has("Invalid parameter (limit must be <= 500)");
    run.check(
        run.stderr().contains("limit=1000"),
        "names the parameters sent",
    );
}

#[test]
fn not_ready_says_to_come_back() {
    fail_with(
        428,
        r#"{"result":{"status":428,"errors":[{"message":"Bulk process not finished"}]}}"#,
    )
    .expect_code(5)
    .stderr_has("Bulk process not finished");
}

#[test]
fn html_gateway_timeout_uses_the_reason_phrase() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.path(results_path("B-77"));
        then.status(504)
            .header("content-type", "text/html")
            .body("<html><body>504 Gateway Time-out</body></html>");
    });
    results(&server.base_url(), "B-77")
        .fails(6)
        .stderr_has("HTTP 504: Gateway Timeout");
}

#[test]
fn a_page_cut_short_every_time_is_exit_6_after_retries() {
    let run = fail_with(200, "{\"content\": {\"results\": [");
    run.expect_code(6)
        .stderr_has("not valid JSON: it ends early, after 25 bytes")
        .stderr_has("gave up after 4 retries");
    run.check(run.stdout().is_empty(), "nothing on stdout");
}

#[test]
fn a_row_that_is_not_an_object_is_a_protocol_error() {
    fail_with(200, r#"{"content": {"results": [42]}}"#)
        .expect_code(7)
        .stderr_has("not a JSON object");
}

#[test]
fn a_cursor_equal_to_the_one_sent_stops_with_exit_7() {
    let server = MockServer::start();
    let first = mock_page(&server, None, page(json!([row("r1", "a")]), Some("r1")));
    let stuck = mock_page(
        &server,
        Some("r1"),
        page(json!([row("r2", "b")]), Some("r1")),
    );
    let run = results(&server.base_url(), "B1")
        .args(["-f", "jsonl"])
        .fails(7);
    run.stderr_has("same cursor");
    first.assert_calls(1);
    stuck.assert_calls(1);
    // Rows of the first page were written, and the hint says where to resume.
    run.same(&run.jsonl().len(), &1);
    run.stderr_has("--last r1");
}

#[test]
fn a_cursor_seen_before_stops_with_exit_7() {
    let server = MockServer::start();
    mock_page(&server, None, page(json!([row("r1", "a")]), Some("r1")));
    mock_page(
        &server,
        Some("r1"),
        page(json!([row("r2", "b")]), Some("r2")),
    );
    let back = mock_page(
        &server,
        Some("r2"),
        page(json!([row("r3", "c")]), Some("r1")),
    );
    results(&server.base_url(), "B1")
        .args(["-f", "jsonl"])
        .fails(7)
        .stderr_has("already returned");
    back.assert_calls(1);
}

#[test]
fn failure_after_some_pages_keeps_json_valid_and_gives_the_resume_cursor() {
    let server = MockServer::start();
    mock_page(
        &server,
        None,
        page(json!([row("r1", "a"), row("r2", "b")]), Some("r2")),
    );
    server.mock(|when, then| {
        when.path(results_path("B1")).query_param("last", "r2");
        then.status(502).body("bad gateway");
    });
    let run = results(&server.base_url(), "B1")
        .args(["-f", "json"])
        .fails(6);
    let rows = run.json();
    run.check(rows.is_array(), "valid JSON array");
    run.same(&rows.as_array().unwrap().len(), &2);
    run.stderr_has("hint: 2 rows in 1 page were written")
        .stderr_has("--last r2");
}

#[test]
fn connection_refused_is_exit_6_naming_the_endpoint() {
    let port = free_port();
    let endpoint = format!("http://127.0.0.1:{port}");
    results(&endpoint, "B1")
        .fails(6)
        .stderr_has(&endpoint)
        .stderr_has("could not connect");
}

#[test]
fn a_slow_server_times_out_with_exit_6() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.path(results_path("B1"));
        then.status(200)
            .delay(std::time::Duration::from_secs(3))
            .json_body(page(json!([]), None));
    });
    results(&server.base_url(), "B1")
        .args(["--timeout", "100ms"])
        .fails(6)
        .stderr_has("timed out");
}

#[test]
fn bad_input_is_refused_before_any_request_with_exit_2() {
    let server = MockServer::start();
    let any = server.mock(|when, then| {
        when.any_request();
        then.status(200).json_body(page(json!([]), None));
    });
    let base = server.base_url();
    let cases: &[(&[&str], &str)] = &[
        (&["results", "", "-e", &base], "bulk id is empty"),
        (&["results", "a\u{7}b", "-e", &base], "control characters"),
        (&["results", "..", "-e", &base], "not a bulk id"),
        (&["results", "B1", "-e", "not a url"], "not a valid URL"),
        (&["results", "B1", "-e", "ftp://h"], "http:// or https://"),
        (
            &["results", "B1", "-e", &base, "--page-size", "0"],
            "--page-size",
        ),
        (
            &["results", "B1", "-e", &base, "--page-size", "20000"],
            "--page-size",
        ),
        (
            &["results", "B1", "-e", &base, "--timeout", "soon"],
            "--timeout",
        ),
        (
            &["results", "B1", "-e", &base, "--lang", "spanish!"],
            "--lang",
        ),
        (
            &["results", "B1", "-e", &base, "--max-rows", "0"],
            "--max-rows",
        ),
        (
            &["results", "B1", "-e", &base, "--columns", "id,,error"],
            "--columns",
        ),
        (
            &["results", "B1", "-e", &base, "-o", "/no/such/dir/out.csv"],
            "does not exist",
        ),
        (
            &["results", "B1", "-e", &base, "--format", "xml"],
            "invalid value",
        ),
    ];
    for (args, words) in cases {
        druid_bulk(*args)
            .env("DRUID_TOKEN", TOKEN)
            .fails(2)
            .stderr_has(words);
    }
    any.assert_calls(0);
}

#[test]
fn missing_token_names_all_three_ways() {
    let run = bare("http://127.0.0.1:9", "B1").fails(2);
    for way in ["--token-file", "DRUID_TOKEN", "--token"] {
        run.stderr_has(way);
    }
}

#[test]
fn missing_endpoint_is_a_usage_error() {
    druid_bulk(["results", "B1"])
        .env("DRUID_TOKEN", TOKEN)
        .fails(2)
        .stderr_has("--endpoint");
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_is_an_output_error_that_names_the_output() {
    let server = MockServer::start();
    mock_page(&server, None, page(json!([row("r1", "a")]), None));
    let full = || std::fs::OpenOptions::new().write(true).open("/dev/full");
    let url = server.base_url();
    let to_stdout = TestCommand::shell(r#"exec "$0" results B1 -e "$1""#)
        .arg(&url)
        .spawn_with(Some(full().unwrap().into()))
        .finish();
    let to_file = results(&server.base_url(), "B1")
        .args(["-f", "csv", "-o", "/dev/full"])
        .run();
    for (run, name) in [(to_stdout, "stdout"), (to_file, "/dev/full")] {
        run.expect_code(1)
            .stderr_has(&format!("cannot write to {name}: No space left"));
    }
}

#[cfg(unix)]
#[test]
fn an_output_that_fills_up_after_some_pages_says_so_once() {
    let server = MockServer::start();
    mock_page(&server, None, page(json!([row("r1", "a")]), Some("r1")));
    let long = "x".repeat(200);
    let rows: Vec<_> = (2..20).map(|i| row(&format!("s{i:02}"), &long)).collect();
    mock_page(&server, Some("r1"), page(json!(rows), None));
    let dir = tempfile::tempdir().unwrap();
    // A file size limit of 512 bytes, its signal ignored: the second page
    // fails to write (EFBIG), as a disk that fills up mid-export does.
    let run = TestCommand::shell(
        r#"trap '' XFSZ; ulimit -f 1 && exec "$0" results B1 -e "$1" -f csv -o out.csv"#,
    )
    .arg(server.base_url())
    .current_dir(dir.path())
    .fails(1);
    run.stderr_has("cannot write to out.csv").check(
        run.stderr().matches("os error").count() == 1,
        "the write error is told once",
    );
}

#[test]
fn a_temporary_file_a_crashed_run_left_is_removed_by_the_next_run_on_that_output() {
    let server = MockServer::start();
    mock_page(&server, None, page(json!([row("r1", "a")]), None));
    let dir = tempfile::tempdir().unwrap();
    let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
    let left = |name: &str| {
        let path = dir.path().join(name);
        let file = std::fs::File::create(&path).unwrap();
        file.set_modified(hour_ago).unwrap();
        path
    };
    let others = [
        left(".other.csv.Xy12z9.partial"),
        left(".out.csv.notours.partial"),
    ];
    for args in [&[][..], &["--checkpoint", "out.ckpt"]] {
        let stale = left(".out.csv.Xy12z9.partial");
        let run = results(&server.base_url(), "B1")
            .args(["-o", "out.csv"])
            .args(args)
            .current_dir(dir.path())
            .ok();
        run.stderr_has(&format!(
            "note: removed {}, left behind by an earlier run on -o out.csv",
            std::path::Path::new(".")
                .join(".out.csv.Xy12z9.partial")
                .display()
        ));
        run.check(!stale.exists(), "the stale temporary file is gone");
        for other in &others {
            run.check(other.exists(), format!("{} is kept", other.display()));
        }
        std::fs::remove_file(dir.path().join("out.csv")).unwrap();
    }
}
