//! Where the token comes from, and that it never shows up in any output.

use crate::support::scripted::{Reply, Scripted};
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

/// A static token with characters that JSON and percent-encoding change.
const ODD_TOKEN: &str = r#"tok-ODD/5b4a+9f8e"q\z=="#;
/// Each form of `ODD_TOKEN` a server might echo, in a message.
const ODD_FORMS: [&str; 4] = [
    ODD_TOKEN,
    r#"tok-ODD/5b4a+9f8e\"q\\z=="#,
    r#"tok-ODD\/5b4a+9f8e\"q\\z=="#,
    "tok-ODD%2F5b4a%2B9f8e%22q%5Cz%3D%3D",
];

/// A 401 whose message quotes `token` as `Bearer …`, and `quoted` as it is.
fn echoing_401(token: &str, quoted: &[&str]) -> String {
    let message = format!(
        "token Bearer {token} is expired (saw: {})",
        quoted.join(" | ")
    );
    json!({"result": {"status": 401, "message": message}}).to_string()
}

#[test]
fn a_401_that_quotes_the_token_never_shows_it_nor_does_the_job_summary() {
    let server = Scripted::start(vec![Reply::new(401, echoing_401(ODD_TOKEN, &ODD_FORMS))]);
    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    for verbose in [&[][..], &["-v"]] {
        let run = bare(&server.url, "B1")
            .args(verbose)
            .arg("--summary")
            .env("DRUID_TOKEN", ODD_TOKEN)
            .env("GITHUB_STEP_SUMMARY", &summary)
            .fails(3);
        run.stderr_has("token Bearer [redacted] is expired (saw: [redacted] | [redacted]");
        for form in ODD_FORMS {
            run.never_shows(form);
        }
        run.never_shows("5b4a");
    }
    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(md.contains("Exit 3"), "{md}");
    assert!(
        !md.contains("5b4a"),
        "the job summary shows the token:\n{md}"
    );
}

#[test]
fn renewed_tokens_and_the_client_secret_are_never_shown_in_any_form() {
    const SECRET: &str = r#"cs/VERY"secret\77&=+ ü"#;
    const FIRST: &str = "acc-FIRST-token-qwxz";
    const SECOND: &str = "acc-SECOND/token+jkvy==";
    let secret_forms = [
        SECRET,
        r#"cs/VERY\"secret\\77&=+ ü"#,
        r#"cs\/VERY\"secret\\77&=+ \u00fc"#,
        "cs%2FVERY%22secret%5C77%26%3D%2B+%C3%BC",
        "cs%2FVERY%22secret%5C77%26%3D%2B%20%C3%BC",
    ];
    let auth = Scripted::start(vec![
        Reply::new(
            200,
            json!({"access_token": FIRST, "expires_in": 3600}).to_string(),
        ),
        Reply::new(
            200,
            json!({"access_token": SECOND, "expires_in": 3600}).to_string(),
        ),
    ]);
    let second_forms = [
        SECOND,
        "acc-SECOND\\/token+jkvy==",
        "acc-SECOND%2Ftoken%2Bjkvy%3D%3D",
    ];
    let mut quoted = vec![FIRST];
    quoted.extend(second_forms);
    quoted.extend(secret_forms);
    let api = Scripted::start(vec![
        Reply::new(401, echoing_401(FIRST, &[FIRST])),
        Reply::new(401, echoing_401(SECOND, &quoted)),
    ]);
    let run = TestCommand::new()
        .args([
            "results",
            "B1",
            "-v",
            "-e",
            &api.url,
            "--auth-url",
            &auth.url,
        ])
        .args(["--client-id", "app-1"])
        .env("DRUID_CLIENT_SECRET", SECRET)
        .fails(3);
    run.same(&api.requests().len(), &2)
        .stderr_has("token Bearer [redacted] is expired");
    for shown in [FIRST, "qwxz", "jkvy", "VERY", "77&"]
        .into_iter()
        .chain(second_forms)
        .chain(secret_forms)
    {
        run.never_shows(shown);
    }
}

#[test]
fn a_token_endpoint_that_echoes_the_form_never_shows_the_secret() {
    let body = json!({
        "error": "invalid_client",
        "error_description": "cannot read grant_type=client_credentials&client_id=app-1&\
                              client_secret=cs-ECHOED%26secret%3D42",
    });
    let auth = Scripted::start(vec![Reply::new(401, body.to_string())]);
    let run = TestCommand::new()
        .args([
            "results",
            "B1",
            "-e",
            "http://127.0.0.1:9",
            "--auth-url",
            &auth.url,
        ])
        .args(["--client-id", "app-1"])
        .env("DRUID_CLIENT_SECRET", "cs-ECHOED&secret=42")
        .fails(3);
    run.stderr_has("client_secret=[redacted]")
        .never_shows("ECHOED");
}

#[test]
fn a_server_text_cut_for_a_message_is_redacted_before_it_is_cut() {
    // The answer to a submission is shown cut to 200 characters: the token
    // straddles the cut.
    let pad = "x".repeat(200 - r#"{"note":""#.len() - 10);
    let body = format!(r#"{{"note":"{pad}{TOKEN} was used"}}"#);
    let server = Scripted::start(vec![Reply::new(201, body)]);
    let (_dir, path) = users_file("{\"user\":{\"object_id\":\"o1\"},\"data\":{}}\n");
    let run = TestCommand::new()
        .arg("submit")
        .arg(&path)
        .args(["-e", &server.url])
        .env("DRUID_TOKEN", TOKEN)
        .fails(7);
    run.stderr_has("names no bulk").never_shows("tok-SECRET");
}
