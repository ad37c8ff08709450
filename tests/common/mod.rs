//! Shared helpers for the integration tests: the binary with a clean
//! environment, and DruID-shaped response bodies.
#![allow(dead_code)]

pub mod scripted;

use assert_cmd::Command;
use serde_json::{json, Value};

/// A distinctive token that must never show up in any output.
pub const TOKEN: &str = "tok-SECRET-9f8e7d6c5b4a";

/// Path of the results endpoint for a bulk.
pub fn results_path(bulk: &str) -> String {
    format!("/activityid/v1/user/bulk/{bulk}/results")
}

/// The binary, with no DruID settings inherited from the environment.
pub fn bin() -> Command {
    let program = assert_cmd::cargo::cargo_bin("druid-bulk");
    Command::from_std(isolated(std::process::Command::new(program)))
}

/// `cmd` (the binary, or a shell that runs it) with no DruID settings
/// inherited from the environment, no config file, and short waits.
pub fn isolated(mut cmd: std::process::Command) -> std::process::Command {
    for var in [
        "DRUID_ENDPOINT",
        "DRUID_TOKEN",
        "DRUID_PROFILE",
        "DRUID_AUTH_URL",
        "DRUID_CLIENT_ID",
        "DRUID_CLIENT_SECRET",
        "COLUMNS",
        "CI",
        "NO_COLOR",
    ] {
        cmd.env_remove(var);
    }
    // Never the developer's own config file.
    cmd.env("XDG_CONFIG_HOME", "/nonexistent/druid-bulk-tests");
    // Retry and poll waits take a thousandth of their real time.
    cmd.env("DRUID_BULK_TIME_SCALE", "0.001");
    cmd
}

/// `sh -c LINE` run by [`isolated`], with the test token set; `$0` is the
/// binary, `$1`… are `args`.
pub fn shell(line: &str, args: &[&std::ffi::OsStr]) -> std::process::Command {
    let mut cmd = isolated(std::process::Command::new("sh"));
    cmd.arg("-c")
        .arg(line)
        .arg(assert_cmd::cargo::cargo_bin("druid-bulk"))
        .args(args)
        .env("DRUID_TOKEN", TOKEN);
    cmd
}

/// `results BULK -e ENDPOINT` with no credentials set.
pub fn bare(endpoint: &str, bulk: &str) -> Command {
    let mut cmd = bin();
    cmd.args(["results", bulk, "-e", endpoint]);
    cmd
}

/// `results BULK -e ENDPOINT` with the test token in the environment.
pub fn results(endpoint: &str, bulk: &str) -> Command {
    let mut cmd = bin();
    cmd.args(["results", bulk, "-e", endpoint])
        .env("DRUID_TOKEN", TOKEN);
    cmd
}

/// A 200 body with these rows and (optionally) a next cursor.
pub fn page(rows: Value, last_id: Option<&str>) -> Value {
    let mut content = json!({"bulkId": "B1", "results": rows});
    if let Some(last) = last_id {
        content["lastId"] = json!(last);
    }
    json!({"content": content, "result": {"status": 200, "message": "OK"}})
}

/// A typical failed row.
pub fn row(id: &str, error: &str) -> Value {
    json!({"id": id, "userIdentifierType": "object_id", "objectId": format!("obj-{id}"), "pulseId": null, "error": error})
}

pub fn stdout(out: &std::process::Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

pub fn stderr(out: &std::process::Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

/// Parse JSON lines.
pub fn jsonl(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Answer bulk `B1`'s results request for cursor `last` (`None`: the first page) with `body`.
pub fn mock_page<'a>(
    server: &'a httpmock::MockServer,
    last: Option<&str>,
    body: Value,
) -> httpmock::Mock<'a> {
    server.mock(|when, then| {
        let when = when.path(results_path("B1"));
        match last {
            Some(cursor) => when.query_param("last", cursor),
            None => when.query_param_missing("last"),
        };
        then.status(200).json_body(body);
    })
}
