//! The client-credentials flow: the token request, renewal before expiry,
//! one fresh token after a 401, and the token endpoint's own failures.

use crate::support::scripted::{Reply, Scripted};
use crate::support::*;
use httpmock::prelude::*;
use serde_json::json;

const CLIENT_SECRET: &str = "cs-VERY-secret-77&=+";
const ACCESS: &str = "acc-FRESH-token-4242";

/// The binary with client credentials for `auth` against `endpoint`.
fn with_client(endpoint: &str, auth: &str) -> TestCommand {
    let mut cmd = TestCommand::new();
    cmd.args([
        "results",
        "B1",
        "-e",
        endpoint,
        "-f",
        "jsonl",
        "--auth-url",
        auth,
        "--client-id",
        "app-1",
    ])
    .env("DRUID_CLIENT_SECRET", CLIENT_SECRET);
    cmd
}

fn token_mock(server: &MockServer, expires_in: u64) -> httpmock::Mock<'_> {
    server.mock(|when, then| {
        when.method(POST)
            .path("/tenant/oauth2/token")
            .header("content-type", "application/x-www-form-urlencoded")
            .body("grant_type=client_credentials&client_id=app-1&client_secret=cs-VERY-secret-77%26%3D%2B");
        then.status(200).json_body(json!({
            "access_token": ACCESS, "token_type": "bearer", "expires_in": expires_in
        }));
    })
}

fn three_pages(server: &MockServer) {
    for (last, body) in [
        (None, page(json!([row("r1", "a")]), Some("r1"))),
        (Some("r1"), page(json!([row("r2", "b")]), Some("r2"))),
        (Some("r2"), page(json!([row("r3", "c")]), None)),
    ] {
        server.mock(|when, then| {
            let when = when
                .path(results_path("B1"))
                .header("authorization", format!("Bearer {ACCESS}"));
            match last {
                Some(cursor) => when.query_param("last", cursor),
                None => when.query_param_missing("last"),
            };
            then.status(200).json_body(body);
        });
    }
}

#[track_caller]
fn assert_no_secrets(run: &Run) {
    for secret in [CLIENT_SECRET, "cs-VERY-secret", ACCESS, "FRESH-token"] {
        run.never_shows(secret);
    }
}

#[test]
fn posts_the_form_and_uses_the_token_it_gets() {
    let auth = MockServer::start();
    let token = token_mock(&auth, 3600);
    let api = MockServer::start();
    three_pages(&api);
    let run = with_client(&api.base_url(), &format!("{}/tenant/", auth.base_url())).ok();
    run.same(&run.jsonl().len(), &3);
    token.assert_calls(1);
}

#[test]
fn a_short_lived_token_is_renewed_before_it_expires() {
    let auth = MockServer::start();
    let token = token_answer(&auth, json!({"expires_in": 0.000001}));
    let api = MockServer::start();
    three_pages(&api);
    with_client(&api.base_url(), &auth.base_url()).ok();
    token.assert_calls(3);
}

#[test]
fn a_401_gets_one_fresh_token_and_the_page_is_retried() {
    let auth = MockServer::start();
    let token = token_mock(&auth, 3600);
    let api = Scripted::start(vec![
        Reply::new(401, "{}"),
        Reply::page(&page(json!([row("r1", "a")]), None)),
    ]);
    with_client(&api.url, &format!("{}/tenant", auth.base_url())).ok();
    token.assert_calls(2);
    assert_eq!(api.requests().len(), 2);
    assert!(api
        .heads()
        .iter()
        .all(|h| h.to_ascii_lowercase().contains(&format!(
            "authorization: bearer {}",
            ACCESS.to_ascii_lowercase()
        ))));
}

#[test]
fn a_second_401_is_exit_3() {
    let auth = MockServer::start();
    let token = token_mock(&auth, 3600);
    let api = Scripted::start(vec![
        Reply::new(401, "{}"),
        Reply::new(401, "{}"),
        Reply::page(&page(json!([]), None)),
    ]);
    with_client(&api.url, &format!("{}/tenant", auth.base_url())).fails(3);
    token.assert_calls(2);
    assert_eq!(api.requests().len(), 2);
}

#[test]
fn token_endpoint_refusals_are_exit_3_with_their_message() {
    let cases = [
        (
            400,
            r#"{"error":"invalid_client","error_description":"Unknown client app-1"}"#,
            "invalid_client: Unknown client app-1",
        ),
        (
            401,
            r#"{"result":{"status":401,"message":"Bad credentials"}}"#,
            "Bad credentials",
        ),
        (
            401,
            r#"{"result":{"status":401,"errors":[{"message":"Locked","details":"too many tries"}]}}"#,
            "Locked (too many tries)",
        ),
        (401, "<html>nope</html>", "Unauthorized"),
    ];
    for (status, body, words) in cases {
        let auth = MockServer::start();
        auth.mock(|when, then| {
            when.method(POST).path("/oauth2/token");
            then.status(status).body(body);
        });
        let run = with_client("http://127.0.0.1:9", &auth.base_url()).run();
        run.check(
            run.code() == Some(3),
            format_args!("{status} {body}: expected exit 3"),
        );
        run.stderr_has(words);
        run.check(run.stderr().contains("--client-id"), "says what to check");
        assert_no_secrets(&run);
    }
}

#[test]
fn an_unreachable_token_endpoint_is_exit_6_after_retries() {
    let run = with_client("http://127.0.0.1:9", "http://127.0.0.1:9")
        .args(["--retries", "2"])
        .fails(6);
    run.same(&run.stderr().matches("retrying page 1").count(), &2);
    run.stderr_has("oauth2/token");
}

#[test]
fn a_token_endpoint_hiccup_is_retried() {
    let auth = Scripted::start(vec![
        Reply::new(503, "{}"),
        Reply::new(
            200,
            json!({"access_token": ACCESS, "expires_in": 3600}).to_string(),
        ),
    ]);
    let api = MockServer::start();
    three_pages(&api);
    with_client(&api.base_url(), &auth.url)
        .ok()
        .stderr_has("503 from the token endpoint");
}

#[test]
fn the_secret_can_come_from_a_file_or_stdin() {
    let auth = MockServer::start();
    let token = token_mock(&auth, 3600);
    let api = MockServer::start();
    three_pages(&api);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("secret");
    std::fs::write(&path, format!("{CLIENT_SECRET}\n")).unwrap();
    let base = format!("{}/tenant", auth.base_url());
    with_client(&api.base_url(), &base)
        .env_remove("DRUID_CLIENT_SECRET")
        .arg("--client-secret-file")
        .arg(&path)
        .ok();
    with_client(&api.base_url(), &base)
        .env_remove("DRUID_CLIENT_SECRET")
        .args(["--client-secret-file", "-"])
        .stdin(CLIENT_SECRET)
        .ok();
    token.assert_calls(2);
}

#[test]
fn a_client_secret_file_loses_its_byte_order_mark_and_is_warned_about_when_open() {
    let auth = MockServer::start();
    let token = token_mock(&auth, 3600);
    let api = MockServer::start();
    three_pages(&api);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("secret");
    std::fs::write(&path, format!("\u{feff}{CLIENT_SECRET}\r\n")).unwrap();
    let shown = path.display().to_string();
    let base = format!("{}/tenant", auth.base_url());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        with_client(&api.base_url(), &base)
            .env_remove("DRUID_CLIENT_SECRET")
            .args(["--client-secret-file", &shown])
            .ok()
            .stderr_has(&format!("warning: --client-secret-file {shown} is open"))
            .stderr_has(&format!("chmod 600 {shown}"));
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    with_client(&api.base_url(), &base)
        .env_remove("DRUID_CLIENT_SECRET")
        .args(["--client-secret-file", &shown])
        .ok()
        .stderr_lacks("warning");
    token.assert_calls(if cfg!(unix) { 2 } else { 1 });
}

#[test]
fn incomplete_client_credentials_name_what_is_missing() {
    bare("http://127.0.0.1:9", "B1")
        .args(["--client-id", "app-1"])
        .fails(2)
        .stderr_has("--auth-url")
        .stderr_has("DRUID_CLIENT_SECRET")
        .stderr_lacks("missing --client-id");
}

#[test]
fn client_credentials_win_over_a_token_and_say_so() {
    let auth = MockServer::start();
    let token = token_mock(&auth, 3600);
    let api = MockServer::start();
    three_pages(&api);
    with_client(&api.base_url(), &format!("{}/tenant", auth.base_url()))
        .env("DRUID_TOKEN", TOKEN)
        .ok()
        .stderr_has("using the client credentials");
    token.assert_calls(1);
}

#[test]
fn verbose_logs_show_the_token_request_with_secrets_redacted() {
    let auth = MockServer::start();
    token_mock(&auth, 3600);
    let api = MockServer::start();
    three_pages(&api);
    let run = with_client(&api.base_url(), &format!("{}/tenant", auth.base_url()))
        .arg("-v")
        .ok();
    run.stderr_has("> POST ")
        .stderr_has("client_secret=[redacted]")
        .stderr_has("authorization: Bearer [redacted]");
    assert_no_secrets(&run);
}

#[test]
fn help_and_man_never_show_secret_values_from_the_environment() {
    for args in [&["results", "--help"][..], &["--help"], &["man"]] {
        let run = druid_bulk(args)
            .env("DRUID_CLIENT_SECRET", CLIENT_SECRET)
            .env("DRUID_TOKEN", ACCESS)
            .ok();
        assert_no_secrets(&run);
    }
}

#[test]
fn an_oversized_token_answer_is_refused_not_read() {
    // Announced too large, then streamed without a length: both stop at 1 MiB.
    let announced = Reply::new(200, "{}").claim_length(512 * 1024 * 1024);
    let streamed = Reply::new(200, vec![b' '; 64 * 1024]).chunked(40);
    for (name, reply) in [("announced", announced), ("streamed", streamed)] {
        let auth = Scripted::start(vec![reply]);
        let api = MockServer::start();
        let results = api.mock(|when, then| {
            when.path(results_path("B1"));
            then.status(200).json_body(page(json!([]), None));
        });
        let run = with_client(&api.base_url(), &auth.url).run();
        run.check(
            run.code() == Some(3),
            format_args!("{name}: expected exit 3"),
        );
        run.stderr_has("more than 1024 KiB, which is not a token");
        assert_eq!(auth.requests().len(), 1, "not retried");
        results.assert_calls(0);
    }
}

/// A token endpoint that answers `access_token` with this lifetime
/// (`expires_in`, `expires_at`, both or neither, as JSON).
fn token_answer(server: &MockServer, lifetime: serde_json::Value) -> httpmock::Mock<'_> {
    let mut body = json!({"access_token": ACCESS, "token_type": "bearer"});
    for (key, value) in lifetime.as_object().unwrap() {
        body[key] = value.clone();
    }
    server.mock(|when, then| {
        when.method(POST).path("/oauth2/token");
        then.status(200).json_body(body);
    })
}

#[test]
fn expires_in_as_a_numeric_string_is_a_lifetime() {
    // Azure AD v1 sends "3599".
    let auth = MockServer::start();
    let token = token_answer(&auth, json!({"expires_in": "3599"}));
    let api = MockServer::start();
    three_pages(&api);
    let run = with_client(&api.base_url(), &auth.base_url()).ok();
    run.same(&run.jsonl().len(), &3);
    token.assert_calls(1);
}

#[test]
fn a_lifetime_too_long_to_compute_is_one_year_and_the_export_completes() {
    for lifetime in [
        json!({"expires_in": 1e300}),
        json!({"expires_in": "1e300"}),
        json!({"expires_at": 1e300}),
        json!({"expires_at": 32503680000000u64}),
    ] {
        let auth = MockServer::start();
        let token = token_answer(&auth, lifetime.clone());
        let api = MockServer::start();
        three_pages(&api);
        let run = with_client(&api.base_url(), &auth.base_url()).run();
        run.expect_code(0)
            .stderr_lacks("panicked")
            .same(&run.jsonl().len(), &3);
        run.check(token.calls() == 1, format_args!("{lifetime}: one token"));
    }
}

#[test]
fn a_lifetime_that_is_zero_negative_unreadable_or_past_is_unknown_so_one_token_serves_every_page() {
    for lifetime in [
        json!({"expires_in": 0}),
        json!({"expires_in": -5}),
        json!({"expires_in": "abc"}),
        json!({"expires_in": "NaN"}),
        json!({"expires_in": null}),
        json!({"expires_in": {"seconds": 5}}),
        json!({"expires_at": 1_000_000u64}),
        json!({"expires_at": -1}),
        json!({}),
    ] {
        let auth = MockServer::start();
        let token = token_answer(&auth, lifetime.clone());
        let api = MockServer::start();
        three_pages(&api);
        let run = with_client(&api.base_url(), &auth.base_url()).run();
        run.expect_code(0).same(&run.jsonl().len(), &3);
        run.check(
            token.calls() == 1,
            format_args!("{lifetime}: one token, not one a page ({})", token.calls()),
        );
    }
}

#[test]
fn expires_in_wins_over_expires_at() {
    // A lifetime of a microsecond is over before the next page: each page
    // gets a new token, however far ahead expires_at is.
    let auth = MockServer::start();
    let token = token_answer(
        &auth,
        json!({"expires_in": 0.000001, "expires_at": 32503680000000u64}),
    );
    let api = MockServer::start();
    three_pages(&api);
    with_client(&api.base_url(), &auth.base_url()).ok();
    token.assert_calls(3);
}

#[test]
fn a_token_that_cannot_go_in_a_header_is_the_token_endpoints_fault_exit_3() {
    for bad in ["acc-line\nbreak-1234", "acc-t\u{f6}ken-1234"] {
        let auth = MockServer::start();
        auth.mock(|when, then| {
            when.method(POST).path("/oauth2/token");
            then.status(200)
                .json_body(json!({"access_token": bad, "expires_in": 3600}));
        });
        let run = with_client("http://127.0.0.1:9", &auth.base_url()).fails(3);
        run.stderr_has(&format!(
            "the token endpoint {}/oauth2/token returned a token that cannot be sent in an HTTP header",
            auth.base_url()
        ))
        .stderr_lacks("app token")
        .never_shows("acc-")
        .never_shows("break-1234");
        assert_no_secrets(&run);
    }
}
