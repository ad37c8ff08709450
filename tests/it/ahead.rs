//! The request sent ahead when a page's rows come before its `lastId` (as
//! many servers write an object: `results` first): the cursor is guessed
//! from the end of the body, the request for it goes out before the page is
//! checked, and its answer is used only if the checked page names the same
//! cursor. Wrong guesses cost a request each, never a row, and stop after two.

use crate::support::scripted::{Reply, Scripted};
use crate::support::*;
use serde_json::{json, Value};

/// A UUID-shaped cursor, different for each `n`.
fn uuid(n: u32) -> String {
    format!("018fd118-9400-7805-8ace-{n:012x}")
}

/// A results page written `results` first, then `lastId` (if any), then
/// `tail` (more members of the top object).
fn rows_first(rows: &[Value], last_id: Option<&str>, tail: &str) -> String {
    let rows: Vec<String> = rows.iter().map(Value::to_string).collect();
    let last = last_id
        .map(|c| format!(r#","lastId":"{c}""#))
        .unwrap_or_default();
    format!(
        r#"{{"content":{{"bulkId":"B1","results":[{}]{last}}},"result":{{"status":200}}{tail}}}"#,
        rows.join(",")
    )
}

#[test]
fn a_cursor_after_the_rows_is_asked_for_before_the_page_is_checked() {
    // The request sent ahead panics as it starts (a fault point): only a
    // request sent ahead reaches it, so exit 70 shows one went out for the
    // cursor read from the end of page 1.
    let first = rows_first(&[row(&uuid(1), "a")], Some(&uuid(1)), "");
    let last = rows_first(&[row(&uuid(2), "b")], None, "");
    let server = Scripted::start(vec![
        Reply::new(200, first.clone()),
        Reply::new(200, last.clone()),
    ]);
    let run = results(&server.url, "B1")
        .args(["-f", "jsonl"])
        .env("DRUID_BULK_PANIC_AT", "ahead")
        .run();
    run.expect_code(70).stderr_has("fault point ahead reached");

    // Without the fault, the answer sent ahead is page 2: two requests.
    let server = Scripted::start(vec![
        Reply::new(200, first.clone()),
        Reply::new(200, last.clone()),
    ]);
    let run = results(&server.url, "B1").args(["-f", "jsonl"]).run();
    run.expect_code(0);
    run.same(&server.requests().len(), &2);
    run.check(
        server.requests()[1].contains(&format!("last={}", uuid(1))),
        format_args!("{:?}", server.requests()),
    );
    let ids: Vec<Value> = run.jsonl().iter().map(|r| r["id"].clone()).collect();
    run.same(&ids, &vec![json!(uuid(1)), json!(uuid(2))]);
}

#[test]
fn a_wrong_guess_costs_a_request_and_two_end_the_guessing() {
    // Each page ends with a decoy `lastId` after `content`: the guess is the
    // decoy, never the page's cursor. Six pages: the decoys of pages 1 and 2
    // are asked for (or their requests dropped before they leave), the
    // later ones never; every row is written once, in order.
    let server = httpmock::MockServer::start();
    let pages = 6;
    let mut decoys = Vec::new();
    for n in 1..=pages {
        let cursor = (n < pages).then(|| uuid(n));
        let decoy = uuid(1000 + n);
        let body = rows_first(
            &[row(&uuid(n), "e")],
            cursor.as_deref(),
            &format!(r#","debug":{{"lastId":"{decoy}"}}"#),
        );
        server.mock(|when, then| {
            let when = when.path(results_path("B1"));
            match n {
                1 => when.query_param_missing("last"),
                _ => when.query_param("last", uuid(n - 1)),
            };
            then.status(200).body(body);
        });
        decoys.push(server.mock(|when, then| {
            when.path(results_path("B1"))
                .query_param("last", decoy.as_str());
            then.status(500);
        }));
    }
    let run = results(&server.base_url(), "B1")
        .args(["-f", "jsonl", "-v"])
        .run();
    run.expect_code(0)
        .stderr_has("the cursor read from the end of page 2 of bulk B1 was wrong again");
    let ids: Vec<Value> = run.jsonl().iter().map(|r| r["id"].clone()).collect();
    run.same(
        &ids,
        &(1..=pages).map(|n| json!(uuid(n))).collect::<Vec<_>>(),
    );
    let asked: Vec<usize> = decoys.iter().map(|d| d.calls()).collect();
    run.check(
        asked[2..].iter().all(|&h| h == 0) && asked[..2].iter().all(|&h| h <= 1),
        format_args!("decoy requests per page: {asked:?}"),
    );
}
