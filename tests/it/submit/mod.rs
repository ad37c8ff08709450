//! `submit FILE`: the local checks (nothing sent on a bad line), the body
//! streamed as it is, the bulk id alone on stdout, and the rule that a body
//! that may have reached the server is never sent again. What follows an
//! accepted bulk (`--wait`, `--export`, `--failed-lines`) is in `after.rs`,
//! and the whole loop against the built-in sandbox in `sandbox.rs`.

mod after;
#[cfg(feature = "sandbox")]
mod interrupted;
#[cfg(feature = "sandbox")]
mod sandbox;

use std::io::{BufRead, BufReader};
use std::path::Path;

use crate::support::scripted::{Gate, Reply, Scripted};
use crate::support::*;
use httpmock::prelude::*;
use serde_json::json;

/// Where bulks are submitted.
const BULKS: &str = druid_bulk::api::routes::BULKS;

/// Three good lines: each identifier location, a CRLF, no final newline.
const GOOD: &str = "{\"user\":{\"object_id\":\"o1\"},\"data\":{\"email\":\"ana@example.com\"}}\n\
                    {\"user\":{\"pulse_id\":\"p2\"},\"data\":{\"name\":null}}\r\n\
                    {\"objectId\":\"o3\",\"data\":{\"phone\":\"+34600000000\"}}";

/// `submit FILE -e ENDPOINT` with the test token.
fn submit(endpoint: &str, file: &Path) -> TestCommand {
    let mut cmd = TestCommand::new();
    cmd.arg("submit")
        .arg(file)
        .args(["-e", endpoint])
        .env("DRUID_TOKEN", TOKEN);
    cmd
}

/// The answer to a submission.
fn accepted(bulk: &str) -> String {
    json!({"content": {"bulkId": bulk}, "result": {"status": 201, "message": "Created"}})
        .to_string()
}

/// A bulk's status answer.
fn status(bulk: &str, status: &str) -> Reply {
    Reply::page(&json!({
        "content": {"bulkId": bulk, "status": status, "createdOn": "2026-01-05T10:00:00Z"},
        "result": {"status": 200, "message": "OK"}
    }))
}

/// Takes any submission and answers with bulk `bulk`.
fn mock_submit<'a>(server: &'a MockServer, bulk: &str) -> httpmock::Mock<'a> {
    let body = accepted(bulk);
    server.mock(|when, then| {
        when.method("PATCH").path(BULKS);
        then.status(201).body(body);
    })
}

#[test]
fn bad_lines_are_listed_with_their_reasons_and_nothing_is_sent() {
    let server = MockServer::start();
    let patch = mock_submit(&server, "B1");
    let mut text = String::from(GOOD);
    text.push('\n');
    for bad in [
        "",
        "not json",
        "[1,2]",
        r#"{"user":{"email":"a@example.com"}}"#,
    ] {
        text.push_str(bad);
        text.push('\n');
    }
    let mut bytes = text.into_bytes();
    bytes.extend_from_slice(b"{\"objectId\":\"\xff\"}\n");
    let (_dir, path) = users_file(bytes);
    let name = path.display().to_string();
    let run = submit(&server.base_url(), &path).fails(2);
    run.stderr_has(&format!("{name}:4: blank line"))
        .stderr_has(&format!(
            "{name}:5: not valid JSON: expected ident (column 2)"
        ))
        .stderr_has(&format!("{name}:6: a JSON array, not an object"))
        .stderr_has(&format!("{name}:7: no user identifier"))
        .stderr_has(&format!("{name}:8: not valid UTF-8 (byte 14)"))
        .stderr_has("5 of 8 lines in")
        .stderr_has("nothing was sent")
        .stderr_has("--no-validate")
        .same(run.stdout(), "");
    patch.assert_calls(0);
}

#[test]
fn only_the_first_twenty_bad_lines_are_listed_then_the_count() {
    let server = MockServer::start();
    let patch = mock_submit(&server, "B1");
    let (_dir, path) = users_file("{}\n".repeat(25));
    let run = submit(&server.base_url(), &path).fails(2);
    let listed: Vec<&str> = run
        .stderr()
        .lines()
        .filter(|l| l.contains("users.jsonl:"))
        .collect();
    run.same(&listed.len(), &20)
        .check(
            listed[19].contains("users.jsonl:20: "),
            "the 20th is line 20",
        )
        .stderr_has("25 of 25 lines in")
        .stderr_has("the first 20 are listed above");
    patch.assert_calls(0);
}

#[test]
fn no_validate_sends_the_file_as_it_is() {
    let server = MockServer::start();
    let text = "not json\n\n{\"objectId\":\"o1\"}\n";
    let patch = server.mock(|when, then| {
        when.method("PATCH").path(BULKS).body(text);
        then.status(202).body(accepted("B7"));
    });
    let (_dir, path) = users_file(text);
    let run = submit(&server.base_url(), &path).arg("--no-validate").ok();
    run.same(run.stdout(), "B7\n");
    patch.assert_calls(1);
}

#[test]
fn the_body_arrives_unchanged_with_its_type_length_and_token() {
    // Large enough to be read and sent in many chunks.
    let mut text = String::new();
    for n in 0..40_000 {
        text.push_str(&format!(
            "{{\"user\":{{\"object_id\":\"obj-{n:06}\"}},\"data\":{{\"email\":\"u{n}@example.com\"}}}}\n"
        ));
    }
    let server = MockServer::start();
    let patch = server.mock(|when, then| {
        when.method("PATCH")
            .path(BULKS)
            .header("content-type", "application/jsonl")
            .header("content-length", text.len().to_string())
            .header("authorization", format!("Bearer {TOKEN}"))
            .body(text.as_str());
        then.status(201).body(accepted("0190b1c2-new"));
    });
    let (_dir, path) = users_file(&text);
    let run = submit(&server.base_url(), &path).arg("-v").ok();
    run.same(run.stdout(), "0190b1c2-new\n")
        .stderr_has("submitted")
        .stderr_has("40000 lines")
        .stderr_has(&format!("> PATCH {}{BULKS}", server.base_url()))
        .stderr_has("> authorization: Bearer [redacted]")
        .stderr_lacks("sending ")
        .never_shows(TOKEN);
    patch.assert_calls(1);
}

#[test]
fn stdin_is_checked_then_sent() {
    let server = MockServer::start();
    let patch = server.mock(|when, then| {
        when.method("PATCH")
            .path(BULKS)
            .header("content-length", GOOD.len().to_string())
            .body(GOOD);
        then.status(201).body(accepted("B2"));
    });
    let run = submit(&server.base_url(), Path::new("-")).stdin(GOOD).ok();
    run.same(run.stdout(), "B2\n");
    patch.assert_calls(1);

    let run = submit(&server.base_url(), Path::new("-"))
        .stdin("{\"user\":{}}\n")
        .fails(2);
    run.stderr_has("<stdin>:1: no user identifier");
    patch.assert_calls(1);
}

#[test]
fn an_empty_file_and_stdin_shared_with_the_token_are_refused() {
    let server = MockServer::start();
    let patch = mock_submit(&server, "B1");
    let (_dir, path) = users_file("");
    submit(&server.base_url(), &path)
        .arg("--no-validate")
        .fails(2)
        .stderr_has("is empty: there is nothing to submit");
    submit(&server.base_url(), Path::new("-"))
        .args(["--token-file", "-"])
        .stdin(GOOD)
        .fails(2)
        .stderr_has("cannot both read stdin");
    patch.assert_calls(0);
}

#[test]
fn a_top_level_bulk_id_is_taken_and_an_answer_without_one_is_exit_7() {
    let server = MockServer::start();
    let (_dir, path) = users_file(GOOD);
    let mut top = server.mock(|when, then| {
        when.method("PATCH").path(BULKS);
        then.status(200).json_body(json!({"bulkId": "B9"}));
    });
    let run = submit(&server.base_url(), &path).ok();
    run.same(run.stdout(), "B9\n");
    top.delete();

    let message = format!("queued {}", "x".repeat(300));
    let body = json!({"result": {"status": 200, "message": message}}).to_string();
    server.mock(|when, then| {
        when.method("PATCH").path(BULKS);
        then.status(200).body(&body);
    });
    let run = submit(&server.base_url(), &path).fails(7);
    let shown: String = body.chars().take(200).collect();
    run.stderr_has("names no bulk")
        .stderr_has(&format!("{shown}…"))
        .stderr_lacks(&body.chars().take(201).collect::<String>())
        .stderr_has("druid-bulk status")
        .same(run.stdout(), "");
}

#[test]
fn a_bulk_id_that_cannot_be_used_is_exit_7_and_never_printed() {
    let (_dir, path) = users_file(GOOD);
    for (id, says) in [
        ("", "it is empty"),
        ("B1/../B2", "it has a `/`"),
        ("B1 B2", "it has whitespace"),
        (r"B1\t", "it has whitespace"),
        (r"\u00a0B1", "it has whitespace"),
        (r"B1\u001b[2J", "it has control characters"),
        ("..", "it is a dot segment"),
    ] {
        let body = format!(r#"{{"content":{{"bulkId":"{id}"}},"result":{{"status":201}}}}"#);
        let server = Scripted::start(vec![Reply::new(201, body)]);
        let run = submit(&server.url, &path).fails(7);
        run.same(run.stdout(), "")
            .stderr_has("is not a usable bulk id")
            .stderr_has(says)
            .stderr_has("druid-bulk status")
            .same(&server.requests().len(), &1);
    }
}

#[test]
fn a_connection_lost_after_the_body_is_never_sent_again() {
    let server = Scripted::start(vec![Reply::hang_up(), Reply::new(201, accepted("B1"))]);
    let (_dir, path) = users_file(GOOD);
    let run = submit(&server.url, &path).fails(6);
    run.stderr_has("may have received the bulk")
        .stderr_has(&format!("{} of its {} bytes", GOOD.len(), GOOD.len()))
        .stderr_has("check `druid-bulk status`")
        .stderr_lacks("retrying")
        .same(run.stdout(), "");
    let requests = server.requests();
    run.same(&requests.len(), &1).check(
        requests[0].starts_with(&format!("PATCH {BULKS} ")),
        "a PATCH",
    );
}

#[test]
fn a_server_error_is_not_sent_again() {
    let server = Scripted::start(vec![
        Reply::new(503, r#"{"result":{"status":503,"message":"overloaded"}}"#),
        Reply::new(201, accepted("B1")),
    ]);
    let (_dir, path) = users_file(GOOD);
    let run = submit(&server.url, &path).fails(6);
    run.stderr_has("HTTP 503: overloaded")
        .stderr_has("may or may not have created the bulk")
        .stderr_has("druid-bulk status");
    run.same(&server.requests().len(), &1);
}

#[test]
fn no_answer_after_the_body_is_given_up_after_timeout_and_not_sent_again() {
    // The server never answers (its gate never opens): only --timeout can
    // end the run; without it the hang guard would kill it.
    let never = Gate::new();
    let server = Scripted::start(vec![
        Reply::new(201, accepted("B0")).after(&never),
        Reply::new(201, accepted("B1")),
    ]);
    let (_dir, path) = users_file(GOOD);
    let run = submit(&server.url, &path)
        .args(["--timeout", "100ms"])
        .hang_guard()
        .fails(6);
    run.stderr_has("no answer 100ms after the whole body was sent")
        .stderr_has("druid-bulk status");
    run.same(&server.requests().len(), &1);
}

#[test]
fn a_refused_connection_is_retried_then_the_bulk_is_sent() {
    let port = free_port();
    let (_dir, path) = users_file(GOOD);
    let mut running = submit(&format!("http://127.0.0.1:{port}"), &path)
        .args(["--retries", "100", "--retry-max-time", "1h"])
        .spawn_with(None);
    let mut stderr = BufReader::new(running.child.stderr.take().unwrap()).lines();
    let first = stderr.next().unwrap().unwrap();
    assert!(
        first.contains("retrying the submission after connection error"),
        "{first}"
    );
    // Nothing listened when it tried: now something does.
    let server = Scripted::start_on(port, vec![Reply::new(201, accepted("B3"))]);
    let rest: Vec<String> = stderr.map_while(Result::ok).collect();
    let run = running.finish();
    run.expect_code(0).same(run.stdout(), "B3\n").check(
        rest.iter().any(|l| l.contains("submitted")),
        format_args!("stderr after the first retry: {rest:?}"),
    );
    run.same(&server.requests().len(), &1);
}

#[test]
fn a_401_with_client_credentials_gets_one_fresh_token_and_one_resend() {
    let auth = MockServer::start();
    let token = auth.mock(|when, then| {
        when.method(POST).path("/oauth2/token");
        then.status(200)
            .json_body(json!({"access_token": "acc-fresh", "expires_in": 3600}));
    });
    let server = Scripted::start(vec![
        Reply::new(
            401,
            r#"{"result":{"status":401,"message":"token revoked"}}"#,
        ),
        Reply::new(201, accepted("B4")),
    ]);
    let (_dir, path) = users_file(GOOD);
    let mut cmd = TestCommand::new();
    cmd.arg("submit")
        .arg(&path)
        .args(["-e", &server.url, "--auth-url", &auth.base_url()])
        .args(["--client-id", "app-1"])
        .env("DRUID_CLIENT_SECRET", "cs-secret");
    let run = cmd.ok();
    run.same(run.stdout(), "B4\n")
        .stderr_has("retrying once with a new token")
        .never_shows("acc-fresh");
    token.assert_calls(2);
    let requests = server.requests();
    run.same(&requests.len(), &2).check(
        requests.iter().all(|r| r.starts_with("PATCH ")),
        "the same PATCH twice",
    );
}

#[test]
fn refusals_keep_their_exit_codes_and_are_sent_once() {
    for (status, code, says) in [
        (400, 7, "the server refused"),
        (401, 3, "authentication failed"),
        (404, 7, "does not take bulk submissions"),
        (413, 7, "as too large"),
        (429, 6, "submit it again later"),
    ] {
        let server = Scripted::start(vec![
            Reply::new(status, r#"{"result":{"message":"no"}}"#),
            Reply::new(201, accepted("B1")),
        ]);
        let (_dir, path) = users_file(GOOD);
        let run = submit(&server.url, &path).fails(code);
        run.stderr_has(says)
            .stderr_has(&format!("HTTP {status}: no"))
            .same(&server.requests().len(), &1);
        if status != 401 {
            run.stderr_has("no bulk was created");
        }
    }
}
