//! Where the token comes from, and that it never shows up in any output.

use crate::support::*;
use httpmock::prelude::*;
use serde_json::json;

fn ok_server() -> MockServer {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.path(results_path("B1"))
            .header("authorization", format!("Bearer {TOKEN}"));
        then.status(200)
            .json_body(page(json!([row("r1", "a")]), None));
    });
    server.mock(|when, then| {
        when.path(results_path("B2"));
        then.status(401)
            .json_body(json!({"result": {"status": 401, "message": "Unauthorized"}}));
    });
    server
}

fn assert_no_token(out: &std::process::Output) {
    let all = format!("{}{}", stdout(out), stderr(out));
    assert!(!all.contains(TOKEN), "token leaked: {all}");
    assert!(
        !all.contains("9f8e7d6c5b4a"),
        "part of the token leaked: {all}"
    );
}

#[test]
fn verbose_logs_requests_with_the_token_redacted() {
    let server = ok_server();
    let out = legacy_results(&server.base_url(), "B1")
        .args(["-v", "-f", "jsonl"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("> GET http://"), "{err}");
    assert!(err.contains("authorization: Bearer [redacted]"), "{err}");
    assert!(err.contains("< 200 OK"), "{err}");
    assert_no_token(&out);
}

#[test]
fn errors_never_print_the_token() {
    let server = ok_server();
    let out = legacy_results(&server.base_url(), "B2")
        .args(["-v"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert_no_token(&out);
    let out = legacy_bare("http://127.0.0.1:9", "B1")
        .args(["--token", TOKEN, "-v"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(6));
    assert_no_token(&out);
}

#[test]
fn help_never_shows_the_token_from_the_environment() {
    for args in [
        &["results", "--help"][..],
        &["results", "-h"],
        &["demo", "--help"],
        &["man"],
        &["--help"],
    ] {
        let out = bin().args(args).env("DRUID_TOKEN", TOKEN).output().unwrap();
        assert!(out.status.success());
        assert_no_token(&out);
    }
    let out = bin()
        .args(["results", "--help"])
        .env("DRUID_TOKEN", TOKEN)
        .output()
        .unwrap();
    assert!(
        stdout(&out).contains("DRUID_TOKEN"),
        "the variable is documented"
    );
}

#[test]
fn token_file_is_read_and_trimmed() {
    let server = ok_server();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("token");
    std::fs::write(&path, format!("  {TOKEN}\n\n")).unwrap();
    let out = legacy_bare(&server.base_url(), "B1")
        .args(["-f", "jsonl", "--token-file"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(jsonl(&stdout(&out)).len(), 1);
}

#[test]
fn token_file_dash_reads_stdin_and_wins_over_the_environment() {
    let server = ok_server();
    let out = legacy_bare(&server.base_url(), "B1")
        .args(["-f", "jsonl", "--token-file", "-"])
        .env("DRUID_TOKEN", "some-other-token")
        .write_stdin(format!("{TOKEN}\n"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn unreadable_or_empty_token_file_is_a_usage_error() {
    let out = legacy_bare("http://127.0.0.1:9", "B1")
        .args(["--token-file", "/no/such/token"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("cannot read --token-file"),
        "{}",
        stderr(&out)
    );
    let out = legacy_bare("http://127.0.0.1:9", "B1")
        .args(["--token-file", "-"])
        .write_stdin("  \n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("empty"), "{}", stderr(&out));
}

#[test]
fn token_on_the_command_line_warns_and_env_does_not() {
    let server = ok_server();
    let out = legacy_bare(&server.base_url(), "B1")
        .args(["--token", TOKEN])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(
        stderr(&out).contains("warning: --token is visible to other users"),
        "{}",
        stderr(&out)
    );
    assert_eq!(stderr(&out).matches("warning").count(), 1);
    assert_no_token(&out);

    let out = legacy_results(&server.base_url(), "B1").output().unwrap();
    assert!(out.status.success());
    assert!(!stderr(&out).contains("warning"), "{}", stderr(&out));
}
