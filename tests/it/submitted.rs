//! Bulks submitted to the sandbox (`PATCH /activityid/v1/user/bulk`, sent
//! from the test), then followed with `status` and exported with `results
//! --wait`: the failures derived from the lines, a bulk still on its way,
//! and one that ends `failed`.

use std::time::Duration;

use crate::support::*;
use druid_bulk::sandbox::SandboxConfig;
use serde_json::{json, Value};

/// A row without its (generated) id.
fn without_id(mut row: Value) -> Value {
    row.as_object_mut().unwrap().remove("id");
    row
}

#[test]
fn a_submitted_bulk_is_awaited_and_its_failures_are_the_lines_that_break_a_rule() {
    // An hour: the bulk completes when the test moves the sandbox's clock.
    let cfg = SandboxConfig::new(1).with_process_time(Duration::from_secs(3600));
    let server = sandbox_with(cfg.clone());
    let (a, b, c, d) = (
        known(&cfg, 1),
        known(&cfg, 2),
        known(&cfg, 3),
        known(&cfg, 4),
    );
    let gone = unknown(&cfg);
    let lines = [
        format!(r#"{{"user":{{"object_id":"{a}","email":"ana@example.com"}}}}"#),
        format!(r#"{{"user":{{"object_id":"{b}","email":"bob.example.com"}}}}"#),
        format!(r#"{{"user":{{"pulse_id":"{c}","phone":"600 000 000"}}}}"#),
        r#"{"user":{"email":"nobody@example.com"}}"#.to_string(),
        format!(r#"{{"user":{{"object_id":"{gone}"}}}}"#),
        format!(r#"{{"objectId":"{d}","phoneNumber":"+34600000000"}}"#),
    ];
    let bulk = submit_bulk(server.addr(), &lines.join("\n"));

    let waiting = results(&server.endpoint(), &bulk)
        .args(["--wait", "--failed-only", "-f", "jsonl"])
        .spawn();
    // A results request answered 428, then the status it asks: waiting.
    let asked = server.hits();
    wait_for("results --wait to be told to wait", || {
        server.hits() >= asked + 2
    });
    server.advance(Duration::from_secs(3600));
    let run = waiting.finish_guarded();
    run.expect_code(0)
        .stderr_has(&format!("bulk {bulk} has finished"));
    let rows: Vec<Value> = run.jsonl().into_iter().map(without_id).collect();
    run.same(
        &rows,
        &vec![
            json!({"userIdentifierType": "object_id", "objectId": b,
                   "error": "Invalid email \"bob.example.com\", expected user@domain"}),
            json!({"userIdentifierType": "pulse_id", "pulseId": c,
                   "error": "Invalid phone number \"600 000 000\""}),
            json!({"userIdentifierType": null,
                   "error": "Line 4: no user identifier (user.object_id or user.pulse_id is mandatory)"}),
            json!({"userIdentifierType": "object_id", "objectId": gone, "error": "User not found"}),
        ],
    );

    // Every line has a row, in the lines' order; successes carry no error.
    let run = results(&server.endpoint(), &bulk)
        .args(["-f", "jsonl", "--page-size", "4"])
        .ok();
    let all = run.jsonl();
    run.same(&all.len(), &6);
    run.same(&all[0]["objectId"], &json!(a))
        .same(&all[5]["objectId"], &json!(d));
    run.check(
        all[0].get("error").is_none() && all[5].get("error").is_none(),
        "successes have no error",
    );

    let run = status_jsonl(&server.endpoint(), Some(&bulk));
    let one = &run.jsonl()[0];
    run.same(&one["status"], &json!("completed"))
        .same(&one["total"], &json!(6))
        .same(&one["failed"], &json!(4));
}

#[test]
fn a_bulk_on_its_way_is_listed_received_and_is_not_finished_without_wait() {
    let cfg = SandboxConfig::new(1).with_process_time(Duration::from_secs(3600));
    let server = sandbox_with(cfg);
    let bulk = submit_bulk(server.addr(), r#"{"user":{"object_id":"a"}}"#);
    let run = status_jsonl(&server.endpoint(), None);
    let listed = run.jsonl();
    let ours: Vec<&Value> = listed.iter().filter(|b| b["bulkId"] == *bulk).collect();
    run.same(&ours.len(), &1);
    run.same(&ours[0]["status"], &json!("received"));
    run.check(
        ours[0]["createdOn"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z'))
            && ours[0]["updatedOn"].is_string(),
        "createdOn and updatedOn are set",
    );
    results(&server.endpoint(), &bulk)
        .fails(5)
        .stderr_has("--wait");
}

#[test]
fn a_bulk_that_ends_failed_stops_results_wait_with_exit_9() {
    let cfg = (SandboxConfig::new(1))
        .with_process_time(Duration::from_millis(50))
        .with_failing_bulks();
    let server = sandbox_with(cfg);
    let bulk = submit_bulk(server.addr(), "{\"user\":{\"object_id\":\"a\"}}\n");
    let run = results(&server.endpoint(), &bulk)
        .args(["--wait=1h", "-f", "jsonl"])
        .hang_guard()
        .fails(9);
    run.stderr_has(&format!(
        "bulk {bulk} failed on the server (status failed); its results may be partial\n\
         hint: see `druid-bulk status {bulk}`; running this again will not change that"
    ));
    run.check(run.stdout().is_empty(), "no rows");
    let run = status_jsonl(&server.endpoint(), Some(&bulk));
    run.same(&run.jsonl()[0]["status"], &json!("failed"));
}

#[test]
fn a_body_over_the_line_limit_is_refused_with_400() {
    let server = sandbox_with(SandboxConfig::new(1).with_max_lines(2));
    let (code, body) = submit_lines(server.addr(), b"{}\n{}\n{}\n");
    assert_eq!(code, 400);
    assert_eq!(
        body,
        json!({"result": {"status": 400, "message": "Too many lines: 3 (max 2)"}})
    );
}

#[test]
fn the_sandbox_command_takes_submissions_with_its_options() {
    use std::io::{BufRead, BufReader};
    druid_bulk(["sandbox", "--process-time", "soon"])
        .fails(2)
        .stderr_has("--process-time \"soon\" is not a duration");
    let mut sandbox = druid_bulk([
        "sandbox",
        "--addr",
        "127.0.0.1:0",
        "--token",
        TOKEN,
        "--process-time",
        "0s",
        "--max-lines",
        "5",
        "--fail-bulks",
    ])
    .spawn();
    let mut banner = BufReader::new(sandbox.child.stderr.take().unwrap());
    let mut said = String::new();
    while !said.contains("Ctrl-C stops it.") {
        let before = said.len();
        banner.read_line(&mut said).unwrap();
        assert!(said.len() > before, "the banner ends early: {said}");
    }
    assert!(
        said.contains("submit:   PATCH http://127.0.0.1:")
            && said.contains("/activityid/v1/user/bulk\n          JSON lines, at most 5; each bulk failed after 0s\n"),
        "{said}"
    );
    let endpoint = said
        .split_whitespace()
        .find(|w| w.starts_with("http://127.0.0.1:"))
        .unwrap()
        .to_string();
    let addr: std::net::SocketAddr = endpoint["http://".len()..].parse().unwrap();
    let (code, _) = submit_lines(addr, "{}\n".repeat(6).as_bytes());
    assert_eq!(code, 400, "over --max-lines");
    let bulk = submit_bulk(addr, "{\"user\":{\"object_id\":\"a\"}}\n");
    results(&endpoint, &bulk).arg("--wait").fails(9);
    sandbox.signal("INT");
    sandbox.finish_guarded().expect_code(0);
}
