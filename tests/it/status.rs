//! `druid-bulk status`: one bulk, or all of them, in every format.

use crate::support::*;
use druid_bulk::sandbox::{self, SandboxConfig};
use serde_json::Value;

#[test]
fn status_of_one_bulk_matches_the_server() {
    let cfg = SandboxConfig::new(120).with_token(TOKEN);
    let server = sandbox::start_background(cfg.clone()).unwrap();
    let run = druid_bulk([
        "status",
        sandbox::PROCESSING_BULK_ID,
        "-e",
        &server.endpoint(),
        "-f",
        "jsonl",
    ])
    .env("DRUID_TOKEN", TOKEN)
    .ok();
    let expected = sandbox::expected_status(&cfg, sandbox::PROCESSING_BULK_ID).unwrap();
    run.same(&run.jsonl(), &vec![expected.clone()]);
    assert_eq!(expected["status"], "processing");
}

#[test]
fn status_of_all_bulks_as_csv_and_table() {
    let cfg = SandboxConfig::new(120).with_token(TOKEN);
    let server = sandbox::start_background(cfg.clone()).unwrap();
    let run = druid_bulk(["status", "-e", &server.endpoint(), "-f", "csv"])
        .env("DRUID_TOKEN", TOKEN)
        .ok();
    let mut reader = csv::Reader::from_reader(run.stdout().as_bytes());
    run.same(
        &reader.headers().unwrap(),
        &vec!["bulkId", "status", "createdAt", "updatedAt"],
    );
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    run.same(&records.len(), &cfg.bulks.len());
    for (record, bulk) in records.iter().zip(&cfg.bulks) {
        let expected: Value = sandbox::expected_status(&cfg, &bulk.id).unwrap();
        run.same(&&record[0], &bulk.id);
        run.same(&&record[1], &expected["status"].as_str().unwrap());
        run.same(&&record[2], &expected["createdAt"].as_str().unwrap());
    }
    let run = druid_bulk([
        "status",
        "-e",
        &server.endpoint(),
        "-f",
        "table",
        "--columns",
        "bulkId,status,total",
    ])
    .env("DRUID_TOKEN", TOKEN)
    .ok();
    run.check(
        run.stdout()
            .lines()
            .next()
            .is_some_and(|l| l.starts_with("bulkId")),
        "the table's first line is its bulkId header",
    )
    .stdout_has("completed")
    .stdout_has("processing");
}

#[test]
fn status_errors_use_the_same_exit_codes() {
    let cfg = SandboxConfig::new(10).with_token(TOKEN);
    let server = sandbox::start_background(cfg).unwrap();
    druid_bulk(["status", "nope", "-e", &server.endpoint()])
        .env("DRUID_TOKEN", TOKEN)
        .fails(4);
    druid_bulk(["status", "-e", &server.endpoint()])
        .env("DRUID_TOKEN", "wrong")
        .fails(3);
}

#[test]
fn status_honours_every_profile_key_that_applies_to_it() {
    use httpmock::prelude::*;
    let server = MockServer::start();
    let answered = server.mock(|when, then| {
        when.path("/activityid/v1/user/bulk/B1")
            .header("accept-language", "es-ES");
        then.status(200)
            .json_body(serde_json::json!({"content": {"bulkId": "B1", "status": "completed"}}));
    });
    let slow = server.mock(|when, then| {
        when.path("/activityid/v1/user/bulk/B2");
        then.status(200)
            .delay(std::time::Duration::from_secs(5))
            .json_body(serde_json::json!({"content": {"bulkId": "B2"}}));
    });
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config.toml");
    std::fs::write(
        &file,
        format!(
            "[profiles.p]\nendpoint = \"{}\"\ntoken_env = \"MY_DRUID_TOKEN\"\nlang = \"es-ES\"\n\
             timeout = \"300ms\"\nretries = 0\nformat = \"csv\"\n",
            server.base_url()
        ),
    )
    .unwrap();
    let status = |bulk: &str| {
        let mut cmd = druid_bulk(["status", bulk, "--profile", "p", "--config"]);
        cmd.arg(&file).env("MY_DRUID_TOKEN", TOKEN);
        cmd
    };
    // lang (Accept-Language) and format (csv) from the profile.
    status("B1")
        .ok()
        .stdout_has("bulkId,status,createdAt,updatedAt\nB1,completed");
    answered.assert_calls(1);
    // timeout and retries from the profile: a slow answer fails at once, asked once.
    let started = std::time::Instant::now();
    status("B2").fails(6).stderr_has("timed out");
    assert!(started.elapsed() < std::time::Duration::from_secs(4));
    slow.assert_calls(1);
}
