//! A server that misbehaves with a 200: broken or foreign bodies, a
//! `result.status` error inside, endless empty pages, rows repeated or out
//! of order. Exit 0 means the whole report; nothing here may pass as clean.

use httpmock::prelude::*;
use serde_json::{json, Value};

use crate::support::scripted::{Reply, Scripted};
use crate::support::*;

fn export(server: &Scripted, extra: &[&str]) -> Run {
    results(&server.url, "B1")
        .args(["-f", "jsonl", "--retries", "2"])
        .args(extra)
        .run()
}

/// A 200 with this body, then (were it asked again) a clean page.
fn once(body: &str) -> Scripted {
    Scripted::start(vec![
        Reply::new(200, body),
        Reply::page(&page(json!([row("r1", "a")]), None)),
    ])
}

#[test]
fn a_body_that_is_not_an_answer_is_exit_7_even_with_fail_on_rows() {
    for (body, says) in [
        ("{}", "has neither `content` nor `result`"),
        ("[]", "is not a JSON object"),
        ("\"ok\"", "is not a JSON object"),
        ("{\"content\": null}", "has neither `content` nor `result`"),
    ] {
        for extra in [&[][..], &["--fail-on-rows"][..]] {
            let server = once(body);
            let run = export(&server, extra);
            run.check(run.code() == Some(7), format_args!("{body}: exit 7"))
                .stderr_has(says);
            run.same(&server.requests().len(), &1);
        }
    }
}

#[test]
fn a_status_error_inside_a_200_is_that_status() {
    for (status, results, code, asked) in [
        // Transient: retried (--retries 2), then exit 6.
        (500, Value::Null, 6, 3),
        (503, json!([]), 6, 3),
        (429, Value::Null, 6, 3),
        (404, Value::Null, 4, 1),
        (428, Value::Null, 5, 1),
        (401, Value::Null, 3, 1),
        (400, json!([]), 7, 1),
        (418, Value::Null, 7, 1),
    ] {
        let content = match results {
            Value::Null => Value::Null,
            rows => json!({"results": rows}),
        };
        let body = json!({"content": content, "result": {"status": status, "message": "boom"}});
        let server = Scripted::start(vec![Reply::page(&body)]);
        let run = export(&server, &[]);
        run.check(
            run.code() == Some(code),
            format_args!("result.status {status}: exit {code}"),
        )
        .stderr_has(&format!("result.status {status} in an HTTP 200 answer"));
        run.same(&server.requests().len(), &asked);
        run.check(run.stdout().is_empty(), "no rows");
    }
}

#[test]
fn a_status_428_inside_a_200_is_waited_for() {
    let not_ready = json!({"result": {"status": 428, "message": "Bulk not finished"}});
    let server = Scripted::start(vec![
        Reply::page(&not_ready),
        Reply::page(&page(json!([row("r1", "a")]), None)),
    ]);
    let run = export(&server, &["--wait=1m"]);
    run.expect_code(0).stderr_has("has finished");
    run.same(&run.jsonl().len(), &1);
}

#[test]
fn a_refused_token_inside_a_200_gets_one_new_token() {
    let api = MockServer::start();
    let auth = MockServer::start();
    let tokens = auth.mock(|when, then| {
        when.method(POST).path("/oauth2/token");
        then.status(200).json_body(
            json!({"access_token": "acc-1", "token_type": "bearer", "expires_in": 3600}),
        );
    });
    let refused = api.mock(|when, then| {
        when.path(results_path("B1"));
        then.status(200)
            .json_body(json!({"result": {"status": 401, "message": "token expired"}}));
    });
    TestCommand::new()
        .args([
            "results",
            "B1",
            "-e",
            &api.base_url(),
            "--auth-url",
            &auth.base_url(),
        ])
        .args(["--client-id", "app-1"])
        .env("DRUID_CLIENT_SECRET", "cs-1")
        .fails(3)
        .stderr_has("retrying once with a new token");
    tokens.assert_calls(2);
    refused.assert_calls(2);
}

#[test]
fn a_genuine_no_errors_answer_is_still_exit_0() {
    for body in [
        json!({"result": {"status": 200, "message": "No errors for the bulk process"}}),
        json!({"content": {"bulkId": "B1", "results": []}, "result": {"status": 200}}),
        json!({"content": {"results": []}}),
    ] {
        let server = Scripted::start(vec![Reply::page(&body)]);
        let run = export(&server, &["--fail-on-rows"]);
        run.expect_code(0);
        run.check(run.stdout().is_empty(), "no rows");
    }
}

#[test]
fn a_page_of_another_bulk_is_exit_7() {
    let foreign = json!({"content": {"bulkId": "B2", "results": [row("r1", "a")]}});
    let server = Scripted::start(vec![Reply::page(&foreign)]);
    let run = export(&server, &[]);
    run.expect_code(7)
        .stderr_has("page 1 of bulk B1 belongs to another bulk (content.bulkId is \"B2\")");
    run.check(run.stdout().is_empty(), "nothing of it written");
}

/// An empty page whose cursor is `cursor`.
fn empty(cursor: &str) -> Reply {
    Reply::page(&page(json!([]), Some(cursor)))
}

#[test]
fn empty_pages_before_more_rows_are_followed() {
    let server = Scripted::start(vec![
        empty("c1"),
        empty("c2"),
        Reply::page(&page(json!([row("r1", "a")]), Some("r1"))),
        empty("r5"),
        Reply::page(&page(json!([row("r6", "b")]), None)),
    ]);
    let run = export(&server, &[]);
    run.expect_code(0);
    run.same(&ids(&run.jsonl()), &["r1", "r6"]);
}

#[test]
fn endless_empty_pages_stop_with_exit_7_and_the_cursor_to_resume_from() {
    let mut script: Vec<Reply> = (1..=20).map(|n| empty(&format!("c{n:02}"))).collect();
    script.push(Reply::page(&page(json!([row("r1", "a")]), None)));
    let server = Scripted::start(script);
    let run = export(&server, &["--max-empty-pages", "5"]);
    run.expect_code(7)
        .stderr_has("bulk B1 sent 6 empty pages in a row")
        .stderr_has("--last c05")
        .stderr_has("--max-empty-pages (now 5)");
    run.same(&server.requests().len(), &6);
    // The default bound lets 20 empty pages through.
    let server = Scripted::start(
        (1..=20)
            .map(|n| empty(&format!("c{n:02}")))
            .chain([Reply::page(&page(json!([row("r1", "a")]), None))])
            .collect(),
    );
    export(&server, &[]).expect_code(0);
    results("http://127.0.0.1:9", "B1")
        .args(["--max-empty-pages", "0"])
        .fails(2)
        .stderr_has("--max-empty-pages must be between 1 and 10000");
}

#[test]
fn overlapping_pages_are_exit_7_with_nothing_of_that_page_written() {
    let server = Scripted::start(vec![
        Reply::page(&page(json!([row("r1", "a"), row("r2", "b")]), Some("r2"))),
        Reply::page(&page(json!([row("r2", "b"), row("r3", "c")]), None)),
    ]);
    let run = export(&server, &[]);
    run.expect_code(7)
        .stderr_has("page 2 of bulk B1 has its rows out of order: row 1 has id r2")
        .stderr_has("resume right after them with --last r2");
    run.same(&ids(&run.jsonl()), &["r1", "r2"]);
    // --unordered trusts the server: the repeat goes through.
    let server = Scripted::start(vec![
        Reply::page(&page(json!([row("r1", "a"), row("r2", "b")]), Some("r2"))),
        Reply::page(&page(json!([row("r2", "b"), row("r3", "c")]), None)),
    ]);
    let run = export(&server, &["--unordered"]);
    run.expect_code(0);
    run.same(&ids(&run.jsonl()), &["r1", "r2", "r2", "r3"]);
}

#[test]
fn rows_out_of_order_within_a_page_are_exit_7() {
    let server = Scripted::start(vec![Reply::page(&page(
        json!([row("r2", "a"), row("r1", "b"), {"error": "no id"}]),
        None,
    ))]);
    export(&server, &[])
        .expect_code(7)
        .stderr_has("row 2 has id r1, which is not after r2 (the row before it)");
    // A row without an id is written as it is and takes no part.
    let server = Scripted::start(vec![Reply::page(&page(
        json!([row("r1", "a"), {"error": "no id"}, row("r2", "b")]),
        None,
    ))]);
    let run = export(&server, &[]);
    run.expect_code(0);
    run.same(&run.jsonl().len(), &3);
}

#[test]
fn a_complete_body_of_the_wrong_shape_is_exit_7_at_once() {
    for (body, says) in [
        (
            r#"{"content":{"bulkId":"B1","lastId":5,"results":[]}}"#.as_bytes(),
            "invalid type: integer `5`, expected a string, at byte",
        ),
        (
            br#"{"content":{"bulkId":"B1","results":{"id":"r1"}}}"#,
            "invalid type: map, expected a sequence, at byte",
        ),
        (
            b"{\"content\":{\"results\":[{\"id\":\"r1\",\"error\":\"bad \xff\"}]}}",
            "invalid unicode code point, at byte",
        ),
    ] {
        let server = Scripted::start(vec![Reply::new(200, body)]);
        let run = export(&server, &[]);
        run.expect_code(7)
            .stderr_has("page 1 of bulk B1 is not the JSON the API documents")
            .stderr_has(says)
            .stderr_lacks("retrying");
        run.same(&server.requests().len(), &1);
    }
}

fn ids(rows: &[Value]) -> Vec<String> {
    rows.iter()
        .map(|r| r["id"].as_str().unwrap_or("(none)").to_string())
        .collect()
}
