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

#[track_caller]
fn assert_no_token(run: &Run) {
    run.never_shows(TOKEN);
    // Not even part of it.
    run.never_shows("9f8e7d6c5b4a");
}

#[test]
fn verbose_logs_requests_with_the_token_redacted() {
    let server = ok_server();
    let run = results(&server.base_url(), "B1")
        .args(["-v", "-f", "jsonl"])
        .ok();
    run.stderr_has("> GET http://")
        .stderr_has("authorization: Bearer [redacted]")
        .stderr_has("< 200 OK");
    assert_no_token(&run);
}

#[test]
fn errors_never_print_the_token() {
    let server = ok_server();
    let run = results(&server.base_url(), "B2").args(["-v"]).fails(3);
    assert_no_token(&run);
    let run = bare("http://127.0.0.1:9", "B1")
        .args(["--token", TOKEN, "-v"])
        .fails(6);
    assert_no_token(&run);
}

#[test]
fn help_never_shows_the_token_from_the_environment() {
    let mut commands = vec![
        &["results", "--help"][..],
        &["results", "-h"],
        &["man"],
        &["--help"],
    ];
    if cfg!(feature = "sandbox") {
        commands.push(&["demo", "--help"]);
    }
    for args in commands {
        let run = druid_bulk(args).env("DRUID_TOKEN", TOKEN).ok();
        assert_no_token(&run);
    }
    let run = druid_bulk(["results", "--help"])
        .env("DRUID_TOKEN", TOKEN)
        .ok();
    run.check(
        run.stdout().contains("DRUID_TOKEN"),
        "the variable is documented",
    );
}

#[test]
fn token_file_is_read_and_trimmed() {
    let server = ok_server();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("token");
    std::fs::write(&path, format!("  {TOKEN}\n\n")).unwrap();
    let run = bare(&server.base_url(), "B1")
        .args(["-f", "jsonl", "--token-file"])
        .arg(&path)
        .ok();
    run.same(&run.jsonl().len(), &1);
}

#[test]
fn token_file_dash_reads_stdin_and_wins_over_the_environment() {
    let server = ok_server();
    bare(&server.base_url(), "B1")
        .args(["-f", "jsonl", "--token-file", "-"])
        .env("DRUID_TOKEN", "some-other-token")
        .stdin(format!("{TOKEN}\n"))
        .ok();
}

#[test]
fn unreadable_or_empty_token_file_is_a_usage_error() {
    bare("http://127.0.0.1:9", "B1")
        .args(["--token-file", "/no/such/token"])
        .fails(2)
        .stderr_has("cannot read --token-file");
    bare("http://127.0.0.1:9", "B1")
        .args(["--token-file", "-"])
        .stdin("  \n")
        .fails(2)
        .stderr_has("empty");
}

#[test]
fn token_on_the_command_line_warns_and_env_does_not() {
    let server = ok_server();
    let run = bare(&server.base_url(), "B1").args(["--token", TOKEN]).ok();
    run.stderr_has("warning: --token is visible to other users");
    run.same(&run.stderr().matches("warning").count(), &1);
    assert_no_token(&run);

    results(&server.base_url(), "B1")
        .ok()
        .stderr_lacks("warning");
}

/// A file holding `text`, readable by its owner only.
fn private_file(dir: &std::path::Path, name: &str, text: &str) -> std::path::PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    path
}

#[test]
fn a_byte_order_mark_at_the_start_of_a_token_file_is_not_part_of_the_token() {
    let server = ok_server();
    let dir = tempfile::tempdir().unwrap();
    let path = private_file(dir.path(), "token", &format!("\u{feff}{TOKEN}\r\n"));
    let run = bare(&server.base_url(), "B1")
        .args(["-f", "jsonl", "--token-file"])
        .arg(&path)
        .ok();
    run.same(&run.jsonl().len(), &1).stderr_lacks("warning");
}

#[cfg(unix)]
#[test]
fn a_token_file_others_can_read_is_warned_about() {
    use std::os::unix::fs::PermissionsExt;
    let server = ok_server();
    let dir = tempfile::tempdir().unwrap();
    let path = private_file(dir.path(), "token", TOKEN);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    let shown = path.display().to_string();
    let run = bare(&server.base_url(), "B1")
        .args(["-f", "jsonl", "--token-file", &shown])
        .ok();
    run.stderr_has(&format!(
        "warning: --token-file {shown} is open to users other than its owner (mode 0644)"
    ))
    .stderr_has(&format!("chmod 600 {shown}"));
    assert_no_token(&run);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    bare(&server.base_url(), "B1")
        .args(["-f", "jsonl", "--token-file", &shown])
        .ok()
        .stderr_lacks("warning");
}

#[test]
fn stdin_is_not_read_for_both_a_secret_and_the_bulk_ids() {
    let server = MockServer::start();
    let any = server.mock(|when, then| {
        when.any_request();
        then.status(200)
            .json_body(page(json!([row("r1", "a")]), None));
    });
    let secret_from_stdin = [
        "--auth-url",
        "http://127.0.0.1:9",
        "--client-id",
        "app",
        "--client-secret-file",
        "-",
    ];
    for (args, flag) in [
        (&["--token-file", "-"][..], "--token-file"),
        (&secret_from_stdin[..], "--client-secret-file"),
    ] {
        bare(&server.base_url(), "B1")
            .args(args)
            .args(["--bulk-ids-from", "-"])
            .stdin(format!("{TOKEN}\nB2\n"))
            .fails(2)
            .stderr_has(&format!(
                "{flag} and --bulk-ids-from cannot both read stdin"
            ))
            .stderr_lacks("empty");
    }
    any.assert_calls(0);
}
