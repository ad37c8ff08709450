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
        &vec!["bulkId", "status", "createdOn", "updatedOn"],
    );
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    run.same(&records.len(), &cfg.bulks.len());
    for (record, bulk) in records.iter().zip(&cfg.bulks) {
        let expected: Value = sandbox::expected_status(&cfg, &bulk.id).unwrap();
        run.same(&&record[0], &bulk.id);
        run.same(&&record[1], &expected["status"].as_str().unwrap());
        run.same(&&record[2], &expected["createdOn"].as_str().unwrap());
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
    // Answered after 5 s: within the default timeout (60 s), so a run
    // without the profile's 100ms would get it and exit 0.
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
             timeout = \"100ms\"\nretries = 0\nformat = \"csv\"\n",
            server.base_url()
        ),
    )
    .unwrap();
    let status = |bulk: &str| {
        let mut cmd = druid_bulk(["status", bulk, "--profile", "p", "--config"]);
        cmd.arg(&file).env("MY_DRUID_TOKEN", TOKEN);
        cmd
    };
    // lang (Accept-Language) and format (csv) from the profile (with a
    // timeout of its own, so a loaded machine cannot make it miss 100ms).
    status("B1")
        .args(["--timeout", "60s"])
        .ok()
        .stdout_has("bulkId,status,createdOn,updatedOn\nB1,completed");
    answered.assert_calls(1);
    // timeout and retries from the profile: a slow answer times out (exit 6,
    // not the answer), asked once.
    status("B2").fails(6).stderr_has("timed out");
    slow.assert_calls(1);
}

#[test]
fn status_shows_the_documented_fields_and_keeps_the_others() {
    use httpmock::prelude::*;
    use serde_json::json;
    let bulk = |id: &str, minute: u32| {
        json!({
            "bulkId": id, "status": "completed",
            "createdOn": format!("2024-06-01T09:{minute:02}:00Z"),
            "updatedOn": format!("2024-06-01T09:{:02}:12Z", minute + 5),
            "extra": format!("x-{id}"),
        })
    };
    let (b1, b2) = (bulk("B1", 0), bulk("B2", 10));
    // One server per shape of the answer: one bulk, `content.results`, a `content` array.
    let one = MockServer::start();
    one.mock(|when, then| {
        when.path("/activityid/v1/user/bulk/B1");
        then.status(200).json_body(json!({ "content": b1 }));
    });
    let results = MockServer::start();
    results.mock(|when, then| {
        when.path("/activityid/v1/user/bulk");
        then.status(200)
            .json_body(json!({"content": {"results": [b1, b2]}}));
    });
    let bare = MockServer::start();
    bare.mock(|when, then| {
        when.path("/activityid/v1/user/bulk");
        then.status(200).json_body(json!({ "content": [b1, b2] }));
    });
    let cases = [
        (one.base_url(), Some("B1"), vec![&b1]),
        (results.base_url(), None, vec![&b1, &b2]),
        (bare.base_url(), None, vec![&b1, &b2]),
    ];
    for (endpoint, bulk_id, want) in cases {
        let status = |extra: &[&str]| {
            let mut cmd = druid_bulk(["status"]);
            cmd.args(bulk_id)
                .args(["-e", endpoint.as_str()])
                .args(extra)
                .env("DRUID_TOKEN", TOKEN);
            cmd
        };
        // The default columns are the documented names, both dates filled.
        let mut csv_want = String::from("bulkId,status,createdOn,updatedOn\n");
        for b in &want {
            csv_want += &format!(
                "{},completed,{},{}\n",
                b["bulkId"].as_str().unwrap(),
                b["createdOn"].as_str().unwrap(),
                b["updatedOn"].as_str().unwrap()
            );
        }
        let run = status(&["-f", "csv"]).ok();
        run.same(&run.stdout(), &csv_want.as_str());
        // Any other field is there for --columns…
        let mut extra_want = String::from("bulkId,extra\n");
        for b in &want {
            extra_want += &format!(
                "{},{}\n",
                b["bulkId"].as_str().unwrap(),
                b["extra"].as_str().unwrap()
            );
        }
        let run = status(&["-f", "csv", "--columns", "bulkId,extra"]).ok();
        run.same(&run.stdout(), &extra_want.as_str());
        // …and passed through as it came in JSON lines, after the documented
        // fields in their documented order (the server sent them sorted).
        let run = status(&["-f", "jsonl"]).ok();
        let want: Vec<Value> = want.into_iter().cloned().collect();
        run.same(&run.jsonl(), &want);
        for line in run.stdout().lines() {
            let at: Vec<Option<usize>> = ["bulkId", "status", "createdOn", "updatedOn", "extra"]
                .iter()
                .map(|name| line.find(&format!("\"{name}\":")))
                .collect();
            run.check(
                at.iter().all(Option::is_some) && at.windows(2).all(|w| w[0] < w[1]),
                format_args!("bulkId, status, createdOn, updatedOn, then extra: {line}"),
            );
        }
    }
}

/// `status [BULK] -e SERVER --retries 2` against a server that answers every
/// request with `body` (HTTP 200), and how many requests it got.
fn status_answered(bulk: Option<&str>, body: &str) -> (Run, usize) {
    use crate::support::scripted::{Reply, Scripted};
    let server = Scripted::start(vec![Reply::new(200, body)]);
    let mut cmd = druid_bulk(["status"]);
    cmd.args(bulk)
        .args(["-e", &server.url, "--retries", "2", "-f", "jsonl"])
        .env("DRUID_TOKEN", TOKEN);
    let run = cmd.run();
    let asked = server.requests().len();
    (run, asked)
}

#[test]
fn a_result_status_outside_2xx_in_a_200_is_that_error() {
    for (bulk, body, code, asked, says) in [
        (
            Some("B1"),
            r#"{"content":null,"result":{"status":500}}"#,
            6,
            3,
            "result.status 500 in an HTTP 200 answer",
        ),
        (
            None,
            r#"{"content":null,"result":{"status":503,"message":"down"}}"#,
            6,
            3,
            "result.status 503 in an HTTP 200 answer: down",
        ),
        (
            Some("B1"),
            r#"{"content":null,"result":{"status":404,"message":"Bulk not found"}}"#,
            4,
            1,
            "bulk B1 not found",
        ),
        (
            Some("B1"),
            r#"{"result":{"status":401,"message":"expired"}}"#,
            3,
            1,
            "authentication failed",
        ),
        (
            Some("B1"),
            r#"{"content":{"bulkId":"B1","status":"processing"},"result":{"status":400}}"#,
            7,
            1,
            "result.status 400",
        ),
    ] {
        let (run, got) = status_answered(bulk, body);
        run.expect_code(code)
            .stderr_has(says)
            .same(run.stdout(), "")
            .same(&got, &asked);
    }
}

#[test]
fn a_status_answer_without_an_envelope_or_about_another_bulk_is_exit_7() {
    for (bulk, body, says) in [
        (
            Some("B1"),
            r#"{"content":{"bulkId":"B2","status":"completed"}}"#,
            r#"belongs to another bulk (content.bulkId is "B2")"#,
        ),
        (
            Some("B1"),
            r#"{"status":"completed"}"#,
            "has neither `content` nor `result`",
        ),
        (None, "{}", "has neither `content` nor `result`"),
        (Some("B1"), "[]", "is not a JSON object"),
        (
            Some("B1"),
            r#"{"content":null,"result":{"status":200}}"#,
            "no content.status",
        ),
        (
            None,
            r#"{"content":[{"bulkId":"B1","status":"completed"},{"status":"failed"}]}"#,
            "bulk 2 in the list has no bulkId",
        ),
        (
            None,
            r#"{"content":{"results":[{"bulkId":"B1","status":"completed"},{"bulkId":"B2"}]}}"#,
            "bulk 2 in the list (B2) has no status",
        ),
        (
            None,
            r#"{"content":[7]}"#,
            "bulk 1 in the list is not a JSON object",
        ),
    ] {
        let (run, asked) = status_answered(bulk, body);
        run.expect_code(7)
            .stderr_has(says)
            .same(run.stdout(), "")
            .same(&asked, &1);
    }
    // The same bulk in another case is that bulk.
    let (run, _) = status_answered(
        Some("b1"),
        r#"{"content":{"bulkId":"B1","status":"failed"}}"#,
    );
    run.expect_code(0).stdout_has(r#""status":"failed""#);
}
