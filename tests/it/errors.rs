//! Every way an export can fail: the exit code scripts rely on and a message
//! that names the bulk and says what to do next.

use crate::support::*;
use httpmock::prelude::*;
use serde_json::json;

/// Run against a server that answers `status` with `body` and return (exit code, stderr).
fn fail_with(status: u16, body: &str) -> (Option<i32>, String, String) {
    let server = MockServer::start();
    let body = body.to_string();
    server.mock(|when, then| {
        when.path(results_path("B-77"));
        then.status(status)
            .header("content-type", "application/json")
            .body(body);
    });
    let out = legacy_results(&server.base_url(), "B-77")
        .args(["-f", "csv"])
        .output()
        .unwrap();
    (out.status.code(), stdout(&out), stderr(&out))
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
        let (exit, out, err) = fail_with(status, "{}");
        assert_eq!(exit, Some(code), "HTTP {status}: {err}");
        assert!(err.contains(words), "HTTP {status}: {err}");
        assert!(err.contains("B-77"), "HTTP {status} names the bulk: {err}");
        assert_eq!(
            out, "",
            "HTTP {status}: nothing on stdout, not even a header"
        );
    }
}

#[test]
fn message_shape_result_message_is_shown() {
    let (code, _, err) = fail_with(
        404,
        r#"{"result":{"status":404,"message":"Bulk not found in tenant"}}"#,
    );
    assert_eq!(code, Some(4));
    assert!(err.contains("Bulk not found in tenant"), "{err}");
    assert!(err.contains("--endpoint"), "says what to check: {err}");
}

#[test]
fn message_shape_result_errors_is_shown() {
    let (code, _, err) = fail_with(
        400,
        r#"{"result":{"status":400,"errors":[{"message":"Invalid parameter","details":"limit must be <= 500"}]}}"#,
    );
    assert_eq!(code, Some(7));
    assert!(
        err.contains("Invalid parameter (limit must be <= 500)"),
        "{err}"
    );
    assert!(
        err.contains("limit=1000"),
        "names the parameters sent: {err}"
    );
}

#[test]
fn not_ready_says_to_come_back() {
    let (code, _, err) = fail_with(
        428,
        r#"{"result":{"status":428,"errors":[{"message":"Bulk process not finished"}]}}"#,
    );
    assert_eq!(code, Some(5));
    assert!(err.contains("Bulk process not finished"), "{err}");
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
    let out = legacy_results(&server.base_url(), "B-77").output().unwrap();
    assert_eq!(out.status.code(), Some(6));
    assert!(
        stderr(&out).contains("HTTP 504: Gateway Timeout"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_page_that_is_not_json_is_a_protocol_error() {
    let (code, out, err) = fail_with(200, "{\"content\": {\"results\": [");
    assert_eq!(code, Some(7));
    assert!(err.contains("not valid JSON"), "{err}");
    assert_eq!(out, "");
}

#[test]
fn a_row_that_is_not_an_object_is_a_protocol_error() {
    let (code, _, err) = fail_with(200, r#"{"content": {"results": [42]}}"#);
    assert_eq!(code, Some(7));
    assert!(err.contains("not a JSON object"), "{err}");
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
    let out = legacy_results(&server.base_url(), "B1")
        .args(["-f", "jsonl"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(7));
    assert!(stderr(&out).contains("same cursor"), "{}", stderr(&out));
    first.assert_calls(1);
    stuck.assert_calls(1);
    // Rows of the first page were written, and the hint says where to resume.
    assert_eq!(jsonl(&stdout(&out)).len(), 1);
    assert!(stderr(&out).contains("--last r1"), "{}", stderr(&out));
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
    let out = legacy_results(&server.base_url(), "B1")
        .args(["-f", "jsonl"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(7));
    assert!(
        stderr(&out).contains("already returned"),
        "{}",
        stderr(&out)
    );
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
    let out = legacy_results(&server.base_url(), "B1")
        .args(["-f", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(6));
    let rows: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("valid JSON array");
    assert_eq!(rows.as_array().unwrap().len(), 2);
    assert!(
        stderr(&out).contains("hint: 2 rows in 1 page were written"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("--last r2"), "{}", stderr(&out));
}

#[test]
fn connection_refused_is_exit_6_naming_the_endpoint() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let endpoint = format!("http://127.0.0.1:{port}");
    let out = legacy_results(&endpoint, "B1").output().unwrap();
    assert_eq!(out.status.code(), Some(6));
    assert!(stderr(&out).contains(&endpoint), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("could not connect"),
        "{}",
        stderr(&out)
    );
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
    let out = legacy_results(&server.base_url(), "B1")
        .args(["--timeout", "200ms"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(6));
    assert!(stderr(&out).contains("timed out"), "{}", stderr(&out));
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
        let out = bin()
            .args(*args)
            .env("DRUID_TOKEN", TOKEN)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(stderr(&out).contains(words), "{args:?}: {}", stderr(&out));
    }
    any.assert_calls(0);
}

#[test]
fn missing_token_names_all_three_ways() {
    let out = legacy_bare("http://127.0.0.1:9", "B1").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    for way in ["--token-file", "DRUID_TOKEN", "--token"] {
        assert!(err.contains(way), "{err}");
    }
}

#[test]
fn missing_endpoint_is_a_usage_error() {
    let out = bin()
        .args(["results", "B1"])
        .env("DRUID_TOKEN", TOKEN)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("--endpoint"), "{}", stderr(&out));
}

#[cfg(target_os = "linux")]
#[test]
fn a_full_disk_is_an_output_error_that_names_the_output() {
    let server = MockServer::start();
    mock_page(&server, None, page(json!([row("r1", "a")]), None));
    let full = || std::fs::OpenOptions::new().write(true).open("/dev/full");
    let url = server.base_url();
    let to_stdout = shell(r#"exec "$0" results B1 -e "$1""#, &[url.as_ref()])
        .stdout(full().unwrap())
        .output()
        .unwrap();
    let to_file = legacy_results(&server.base_url(), "B1")
        .args(["-f", "csv", "-o", "/dev/full"])
        .output()
        .unwrap();
    for (out, name) in [(to_stdout, "stdout"), (to_file, "/dev/full")] {
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains(&format!("cannot write to {name}: No space left")),
            "{err}"
        );
    }
}
