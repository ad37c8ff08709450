//! Retries of transient faults and waiting for an unfinished bulk, against a
//! scripted server. Waits run at a thousandth of real time (see support::TestCommand).

use crate::support::scripted::{Reply, Scripted};
use crate::support::*;
use serde_json::json;

fn ok_page() -> Reply {
    Reply::page(&page(json!([row("r1", "a"), row("r2", "b")]), None))
}

fn export(server: &Scripted, extra: &[&str]) -> Run {
    results(&server.url, "B1")
        .args(["-f", "jsonl"])
        .args(extra)
        .run()
}

#[test]
fn each_transient_status_is_retried_then_succeeds() {
    for status in [408, 429, 500, 502, 503, 504] {
        let server = Scripted::start(vec![
            Reply::new(status, "{}"),
            Reply::new(status, "oops"),
            ok_page(),
        ]);
        let run = export(&server, &[]);
        run.expect_code(0);
        assert_eq!(
            run.jsonl().len(),
            2,
            "{status}: rows written once\n\n{}",
            run.describe()
        );
        assert_eq!(server.requests().len(), 3, "{status}\n\n{}", run.describe());
        run.stderr_has(&format!("retrying page 1 after {status} in "))
            .stderr_has("(attempt 2/5)")
            .stderr_has("(attempt 3/5)");
    }
}

#[test]
fn non_transient_answers_are_never_retried() {
    for (status, code) in [(400, 7), (401, 3), (403, 3), (404, 4)] {
        let server = Scripted::start(vec![Reply::new(status, "{}"), ok_page()]);
        let run = export(&server, &[]);
        run.expect_code(code);
        assert_eq!(
            server.requests().len(),
            1,
            "{status} must not be retried\n\n{}",
            run.describe()
        );
        run.stderr_lacks("retrying");
    }
}

#[test]
fn retry_after_in_seconds_is_honoured() {
    let server = Scripted::start(vec![
        Reply::new(503, "{}").header("Retry-After", "7"),
        ok_page(),
    ]);
    export(&server, &[])
        .expect_code(0)
        .stderr_has("retrying page 1 after 503 in 7.0s");
}

#[test]
fn retry_after_as_an_http_date_is_honoured_and_capped() {
    let soon =
        httpdate::fmt_http_date(std::time::SystemTime::now() + std::time::Duration::from_secs(12));
    let server = Scripted::start(vec![
        Reply::new(429, "{}").header("Retry-After", &soon),
        Reply::new(503, "{}").header("Retry-After", "3600"),
        ok_page(),
    ]);
    let run = export(&server, &[]);
    run.expect_code(0);
    let first = run.stderr().lines().next().unwrap_or_default();
    let secs: Option<f64> = first
        .split(" in ")
        .nth(1)
        .and_then(|rest| rest.split('s').next())
        .and_then(|secs| secs.parse().ok());
    run.check(
        secs.is_some_and(|secs| (9.0..=12.0).contains(&secs)),
        format_args!("the first retry waits 9 to 12 s: {first}"),
    );
    // A long Retry-After is capped.
    run.stderr_has("after 503 in 30.0s");
}

#[test]
fn gives_up_after_the_configured_retries() {
    let server = Scripted::start(vec![Reply::new(503, "{}")]);
    let run = export(&server, &["--retries", "2"]);
    run.expect_code(6);
    run.same(&server.requests().len(), &3);
    run.stderr_has("gave up after 2 retries");

    let server = Scripted::start(vec![Reply::new(503, "{}"), ok_page()]);
    let run = export(&server, &["--retries", "0"]);
    // --retries 0 disables retrying.
    run.expect_code(6);
    run.same(&server.requests().len(), &1);
}

#[test]
fn gives_up_when_the_retry_time_runs_out() {
    let server = Scripted::start(vec![Reply::new(502, "{}")]);
    let run = export(&server, &["--retries", "100", "--retry-max-time", "20s"]);
    run.expect_code(6)
        .stderr_has("--retry-max-time reached")
        .check(
            server.requests().len() < 100,
            format_args!("fewer than 100 requests: {}", server.requests().len()),
        );
}

#[test]
fn a_complete_200_that_is_not_json_is_a_protocol_error_at_once() {
    let server = Scripted::start(vec![Reply::new(200, "<html>proxy error</html>"), ok_page()]);
    let run = export(&server, &[]);
    run.expect_code(7)
        .stderr_has("page 1 of bulk B1 is not a JSON object (at byte 0)")
        .stderr_lacks("retrying");
    run.same(&server.requests().len(), &1);
    run.check(run.stdout().is_empty(), "nothing written");
}

#[test]
fn a_json_body_that_ends_early_is_retried() {
    let cut = r#"{"content":{"bulkId":"B1","results":[{"id":"r1"}"#;
    let server = Scripted::start(vec![Reply::new(200, cut), ok_page()]);
    let run = export(&server, &[]);
    run.expect_code(0)
        .stderr_has("retrying page 1 after a body cut short");
    run.same(&run.jsonl().len(), &2);
}

#[test]
fn a_body_cut_short_and_a_dropped_connection_are_retried() {
    let server = Scripted::start(vec![ok_page().cut_short(), Reply::hang_up(), ok_page()]);
    let run = export(&server, &[]);
    run.expect_code(0);
    run.same(&server.requests().len(), &3);
    assert_eq!(
        run.jsonl().len(),
        2,
        "the cut page is not written twice\n\n{}",
        run.describe()
    );
}

#[test]
fn the_next_request_goes_out_before_a_page_is_checked_and_is_used_once_it_passes() {
    // Page 1 names its cursor before its rows (as a usual body does), then
    // ends early: the request for r1 went out before the check (it takes
    // the second reply), page 1 is asked again, and once it passes, the
    // answer sent ahead is its next page.
    let first = page(json!([row("r1", "a")]), Some("r1")).to_string();
    assert!(first.find("lastId") < first.find("results"), "{first}");
    let cut = Reply::new(200, &first.as_bytes()[..first.len() - 5]);
    let second = Reply::page(&page(json!([row("r2", "b")]), None));
    let server = Scripted::start(vec![cut, second, Reply::new(200, first.as_bytes())]);
    let run = export(&server, &[]);
    run.expect_code(0);
    let requests = server.requests();
    run.check(
        requests.len() == 3 && requests[1].contains("last=r1") && !requests[2].contains("last="),
        format_args!("page 2 asked ahead, then page 1 again: {requests:?}"),
    );
    let ids: Vec<_> = run.jsonl().iter().map(|r| r["id"].clone()).collect();
    run.same(&ids, &vec![json!("r1"), json!("r2")]);
}

#[test]
fn an_answer_asked_ahead_for_a_broken_page_is_never_written() {
    // Rows out of order: page 1 fails its check after the request for r2
    // went out; nothing of either page is written.
    let broken = page(json!([row("r2", "a"), row("r1", "b")]), Some("r2"));
    let next = Reply::page(&page(json!([row("r3", "c")]), None));
    let server = Scripted::start(vec![Reply::page(&broken), next]);
    let run = export(&server, &[]);
    run.expect_code(7);
    run.same(&run.stdout(), &String::new());
}

#[test]
fn retries_resend_the_same_cursor() {
    let first = Reply::page(&page(json!([row("r1", "a")]), Some("r1")));
    let last = Reply::page(&page(json!([row("r2", "b")]), None));
    let server = Scripted::start(vec![first, Reply::new(500, "{}"), last]);
    let run = export(&server, &[]);
    run.expect_code(0);
    let requests = server.requests();
    run.check(
        requests.len() > 2 && requests[1].contains("last=r1") && requests[2].contains("last=r1"),
        format_args!("the retry resends last=r1: {requests:?}"),
    );
    run.same(&run.jsonl().len(), &2);
}

#[test]
fn without_wait_an_unfinished_bulk_is_exit_5_suggesting_wait() {
    let server = Scripted::start(vec![Reply::new(428, "{}"), ok_page()]);
    let run = export(&server, &[]);
    run.expect_code(5).stderr_has("--wait");
    run.same(&server.requests().len(), &1);
}

/// The status answer of bulk B1 with this status word.
fn status(word: &str) -> Reply {
    Reply::page(&json!({
        "content": {"bulkId": "B1", "status": word},
        "result": {"status": 200, "message": "OK"}
    }))
}

/// The request lines of results pages (not status checks).
fn page_requests(server: &Scripted) -> Vec<String> {
    (server.requests().into_iter())
        .filter(|r| r.contains("/results"))
        .collect()
}

#[test]
fn wait_polls_until_the_bulk_is_finished_without_using_retries() {
    let not_ready = Reply::new(428, r#"{"result":{"status":428,"message":"processing"}}"#);
    // After each 428 the bulk's status is asked once.
    let server = Scripted::start(vec![
        not_ready.clone(),
        status("scheduled"),
        not_ready.clone(),
        status("processing"),
        not_ready,
        status("processing"),
        ok_page(),
    ]);
    let run = export(&server, &["--wait", "--retries", "0"]);
    run.expect_code(0);
    let requests = server.requests();
    run.same(&requests.len(), &7);
    run.same(&page_requests(&server).len(), &4);
    run.check(
        requests[1].starts_with("GET /activityid/v1/user/bulk/B1 "),
        format_args!("the second request asks the status: {requests:?}"),
    );
    run.same(&run.jsonl().len(), &2);
    run.stderr_has("has finished");
}

#[test]
fn wait_gives_up_at_its_deadline_with_exit_5() {
    // Every request is answered 428, the status checks too: a status that
    // cannot be had does not end the wait.
    let server = Scripted::start(vec![Reply::new(428, "{}").header("Retry-After", "1")]);
    let run = export(&server, &["--wait=10s", "-v"]);
    run.expect_code(5)
        .stderr_has("still not finished after waiting 10s")
        .stderr_has("could not check the status of bulk B1 (");
    let polls = page_requests(&server).len();
    run.check(
        (5..=15).contains(&polls),
        format_args!("Retry-After: 1 over 10s: {polls} polls"),
    );
}

#[test]
fn wait_stops_at_once_with_exit_9_when_the_bulk_failed() {
    let server = Scripted::start(vec![Reply::new(428, "{}"), status("failed"), ok_page()]);
    // On the real clock, so the hour is an hour: a run that waited for the
    // deadline would still be waiting when the hang guard kills it, and
    // fail on its exit status.
    let run = results(&server.url, "B1")
        .args(["-f", "jsonl", "--wait=1h"])
        .real_clock()
        .hang_guard()
        .run();
    run.expect_code(9).stderr_has(
        "bulk B1 failed on the server (status failed); its results may be partial\n\
         hint: see `druid-bulk status B1`; running this again will not change that",
    );
    run.stderr_lacks("same command again");
    run.same(&server.requests().len(), &2);
    run.check(run.stdout().is_empty(), "no rows");
}

#[test]
fn wait_0s_checks_once_and_does_not_poll() {
    let not_ready = Reply::new(428, r#"{"result":{"status":428,"message":"processing"}}"#);
    let server = Scripted::start(vec![not_ready, status("processing"), ok_page()]);
    let run = export(&server, &["--wait=0s"]);
    run.expect_code(5)
        .stderr_has("bulk B1 is not finished yet (--wait=0s checks once and does not poll)");
    run.same(&page_requests(&server).len(), &1);
    run.same(&server.requests().len(), &2);
    // A finished bulk is exported as with any --wait.
    let server = Scripted::start(vec![ok_page()]);
    let run = export(&server, &["--wait=0s"]);
    run.expect_code(0).same(&run.jsonl().len(), &2);
}

#[test]
fn without_wait_the_status_is_not_asked() {
    let server = Scripted::start(vec![Reply::new(428, "{}"), status("failed")]);
    export(&server, &[]).expect_code(5).stderr_has("--wait");
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn memory_is_bounded_by_the_page_bytes_not_its_row_count() {
    // 3,000,000 rows of `{}`: a 9 MB page. Kept per row (16 bytes a slice,
    // a parsed row each) it took about 1 GB; walked row by row it fits in
    // well under 250 MiB of address space (60 MiB sufficed when measured).
    const ROWS: usize = 3_000_000;
    let mut body = String::with_capacity(ROWS * 3 + 32);
    body.push_str(r#"{"content":{"results":["#);
    for n in 0..ROWS {
        body.push_str(if n == 0 { "{}" } else { ",{}" });
    }
    body.push_str("]}}");
    let server = Scripted::start(vec![Reply::new(200, body)]);
    let dir = tempfile::tempdir().unwrap();
    let run = TestCommand::shell(
        r#"ulimit -v 256000 && exec "$0" results B1 -e "$1" -f csv -o out.csv -q"#,
    )
    .arg(&server.url)
    .env("MALLOC_ARENA_MAX", "2")
    .current_dir(dir.path())
    .run();
    run.expect_code(0);
    let out = std::fs::read_to_string(dir.path().join("out.csv")).unwrap();
    run.check(out.lines().count() == ROWS + 1, "a header and every row");
}

#[test]
fn wait_polls_at_most_once_a_second_whatever_retry_after_says() {
    // Retry-After: 0, or a date long past, would be "ask again at once":
    // over 3 s of --wait that is at most 4 polls (at 0, 1, 2 and 3 s), not a
    // request as fast as the server answers. Status checks get a 428 too.
    for asked in ["0", "Thu, 01 Jan 1970 00:00:00 GMT", "-1", "NaN"] {
        let server = Scripted::start(vec![Reply::new(428, "{}").header("Retry-After", asked)]);
        let run = export(&server, &["--wait=3s"]);
        run.expect_code(5)
            .stderr_has("still not finished after waiting 3s");
        let polls = page_requests(&server).len();
        run.check(
            (2..=5).contains(&polls),
            format_args!("Retry-After: {asked} over 3s: {polls} polls"),
        );
    }
}

#[test]
fn wait_stops_with_exit_9_whatever_the_case_and_spacing_of_failed() {
    for word in ["Failed", " FAILED\n"] {
        let server = Scripted::start(vec![
            Reply::new(428, "{}"),
            status(word),
            Reply::new(428, "{}"),
        ]);
        let run = export(&server, &["--wait=1h"]);
        run.expect_code(9)
            .stderr_has("bulk B1 failed on the server");
        run.same(&server.requests().len(), &2);
    }
}
