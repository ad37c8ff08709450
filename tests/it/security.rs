//! What a hostile or broken server, or a careless flag, must not achieve:
//! leak the token to another host, travel in clear, exhaust memory, inject
//! into a terminal or a spreadsheet.

use crate::support::scripted::{Reply, Scripted};
use crate::support::*;
use httpmock::prelude::*;
use serde_json::json;

#[test]
fn a_redirect_to_another_host_is_not_followed_and_gets_no_token() {
    let other = MockServer::start();
    let stolen = other.mock(|when, then| {
        when.any_request();
        then.status(200)
            .json_body(page(json!([row("evil", "x")]), None));
    });
    let api = MockServer::start();
    api.mock(|when, then| {
        when.path(results_path("B1"));
        then.status(302)
            .header("location", format!("{}/collect", other.base_url()));
    });
    let run = results(&api.base_url(), "B1").fails(7);
    stolen.assert_calls(0);
    run.stderr_has("does not send the token to another host")
        .check(run.stdout().is_empty(), "nothing on stdout");
}

#[test]
fn a_redirect_within_the_same_server_is_followed_with_the_token() {
    let api = MockServer::start();
    api.mock(|when, then| {
        when.path(results_path("B1"));
        then.status(307).header("location", "/v2/results");
    });
    let moved = api.mock(|when, then| {
        when.path("/v2/results")
            .header("authorization", format!("Bearer {TOKEN}"));
        then.status(200)
            .json_body(page(json!([row("r1", "a")]), None));
    });
    results(&api.base_url(), "B1").args(["-f", "jsonl"]).ok();
    moved.assert_calls(1);
}

#[test]
fn plain_http_to_another_machine_is_refused_before_any_request() {
    for args in [
        &["-e", "http://graph.example.invalid"][..],
        &[
            "-e",
            "https://graph.example.invalid",
            "--auth-url",
            "http://auth.example.invalid",
            "--client-id",
            "a",
        ],
    ] {
        druid_bulk(["results", "B1"])
            .args(args)
            .env("DRUID_TOKEN", TOKEN)
            .env("DRUID_CLIENT_SECRET", "s")
            .fails(2)
            .stderr_has("in clear")
            .stderr_has("--allow-insecure-http");
    }
    // With the flag it goes ahead (and here fails to resolve the host: exit 6, not 2).
    results("http://graph.example.invalid", "B1")
        .args(["--allow-insecure-http", "--retries", "0"])
        .fails(6);
}

#[test]
fn credentials_in_an_endpoint_or_auth_url_are_refused_before_any_request() {
    let api = MockServer::start();
    let any = api.mock(|when, then| {
        when.any_request();
        then.status(200)
            .json_body(page(json!([row("r1", "a")]), None));
    });
    let with_password = api.base_url().replace("://", "://user:pw-SECRET@");
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.toml");
    std::fs::write(
        &config,
        format!(
            "[profiles.p]\nendpoint = \"{with_password}\"\ntoken_env = \"MY_TOKEN\"\n\n\
             [profiles.a]\nendpoint = \"{}\"\nauth_url = \"{with_password}\"\n\
             client_id = \"app\"\nclient_secret_env = \"MY_SECRET\"\n",
            api.base_url()
        ),
    )
    .unwrap();
    let from_flag = results(&with_password, "B1");
    let mut from_env = druid_bulk(["results", "B1"]);
    from_env
        .env("DRUID_ENDPOINT", &with_password)
        .env("DRUID_TOKEN", TOKEN);
    let mut from_profile = druid_bulk(["results", "B1", "--profile", "p", "--config"]);
    from_profile.arg(&config).env("MY_TOKEN", TOKEN);
    let mut auth_flag = results(&api.base_url(), "B1");
    auth_flag
        .args(["--auth-url", &with_password, "--client-id", "app"])
        .env("DRUID_CLIENT_SECRET", "s");
    let mut auth_profile = druid_bulk(["results", "B1", "--profile", "a", "--config"]);
    auth_profile.arg(&config).env("MY_SECRET", "s");
    for (mut cmd, flag) in [
        (from_flag, "--endpoint"),
        (from_env, "--endpoint"),
        (from_profile, "--endpoint"),
        (auth_flag, "--auth-url"),
        (auth_profile, "--auth-url"),
    ] {
        let run = cmd.args(["-v", "-f", "jsonl"]).fails(2);
        run.stderr_has(flag)
            .stderr_has("carries a user name or password")
            .never_shows("pw-SECRET")
            .check(run.stdout().is_empty(), "no rows");
    }
    any.assert_calls(0);
}

#[test]
fn an_oversized_page_is_refused_with_exit_7() {
    // Announced too large, then streamed without a length: both stop at 64 MiB.
    let announced = Reply::new(200, "{}").claim_length(200 * 1024 * 1024);
    let streamed = Reply::new(200, vec![b' '; 1024 * 1024]).chunked(80);
    for (name, reply) in [("announced", announced), ("streamed", streamed)] {
        let server = Scripted::start(vec![reply]);
        let run = results(&server.url, "B1").run();
        run.check(run.code() == Some(7), format_args!("{name}: exit 7"))
            .check(
                run.stderr().contains("larger than 64 MiB"),
                format_args!("{name}: stderr says \"larger than 64 MiB\""),
            )
            .check(
                server.requests().len() == 1,
                format_args!("{name}: not retried"),
            );
    }
}

#[test]
fn server_messages_are_cleaned_before_they_reach_stderr() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.path(results_path("B1"));
        then.status(404)
            .json_body(json!({"result": {"status": 404, "message": "gone\u{1b}[2J\u{1b}]0;pwned\u{7}\r\u{202e}txt.exe"}}));
    });
    let run = results(&server.base_url(), "B1").fails(4);
    for bad in ['\u{1b}', '\u{7}', '\r', '\u{202e}'] {
        run.check(
            !run.stderr().contains(bad),
            format_args!("{bad:?} reached stderr"),
        );
    }
    run.stderr_has("gone\\u{1b}[2J");
}

#[test]
fn data_formats_keep_the_exact_bytes() {
    let server = MockServer::start();
    let nasty = "a\u{1b}[31m\u{202e}b\r\n";
    server.mock(|when, then| {
        when.path(results_path("B1"));
        then.status(200)
            .json_body(page(json!([row("r1", nasty)]), None));
    });
    let run = results(&server.base_url(), "B1").args(["-f", "jsonl"]).ok();
    run.same(&run.jsonl()[0]["error"], &nasty);
    let run = results(&server.base_url(), "B1").args(["-f", "csv"]).ok();
    let mut reader = csv::Reader::from_reader(run.stdout().as_bytes());
    run.same(&&reader.records().next().unwrap().unwrap()[4], &nasty);
}

#[test]
fn csv_safe_neutralises_spreadsheet_formulas() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.path(results_path("B1"));
        then.status(200).json_body(page(
            json!([{"id": "r1", "error": "=cmd|' /C calc'!A0", "objectId": "+1", "pulseId": "@x"}]),
            None,
        ));
    });
    let run = results(&server.base_url(), "B1")
        .args(["-f", "csv", "--csv-safe"])
        .ok();
    let mut reader = csv::Reader::from_reader(run.stdout().as_bytes());
    let record = reader.records().next().unwrap().unwrap();
    run.same(&&record[4], &"'=cmd|' /C calc'!A0");
    run.same(&&record[2], &"'+1");
    run.same(&&record[3], &"'@x");
    let run = results(&server.base_url(), "B1").args(["-f", "csv"]).ok();
    run.check(
        run.stdout().contains(",=cmd|"),
        "off by default: stdout has \",=cmd|\"",
    );
}
