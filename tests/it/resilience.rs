//! Retries of transient faults and waiting for an unfinished bulk, against a
//! scripted server. Waits run at a thousandth of real time (see support::TestCommand).

use crate::support::scripted::{Reply, Scripted};
use crate::support::*;
use serde_json::json;

fn ok_page() -> Reply {
    Reply::page(&page(json!([row("r1", "a"), row("r2", "b")]), None))
}

fn export(server: &Scripted, extra: &[&str]) -> std::process::Output {
    legacy_results(&server.url, "B1")
        .args(["-f", "jsonl"])
        .args(extra)
        .output()
        .unwrap()
}

#[test]
fn each_transient_status_is_retried_then_succeeds() {
    for status in [408, 429, 500, 502, 503, 504] {
        let server = Scripted::start(vec![
            Reply::new(status, "{}"),
            Reply::new(status, "oops"),
            ok_page(),
        ]);
        let out = export(&server, &[]);
        assert!(out.status.success(), "{status}: {}", stderr(&out));
        assert_eq!(jsonl(&stdout(&out)).len(), 2, "{status}: rows written once");
        assert_eq!(server.requests().len(), 3, "{status}");
        let err = stderr(&out);
        assert!(
            err.contains(&format!("retrying page 1 after {status} in ")),
            "{err}"
        );
        assert!(
            err.contains("(attempt 2/5)") && err.contains("(attempt 3/5)"),
            "{err}"
        );
    }
}

#[test]
fn non_transient_answers_are_never_retried() {
    for (status, code) in [(400, 7), (401, 3), (403, 3), (404, 4)] {
        let server = Scripted::start(vec![Reply::new(status, "{}"), ok_page()]);
        let out = export(&server, &[]);
        assert_eq!(out.status.code(), Some(code), "{status}");
        assert_eq!(server.requests().len(), 1, "{status} must not be retried");
        assert!(!stderr(&out).contains("retrying"), "{}", stderr(&out));
    }
}

#[test]
fn retry_after_in_seconds_is_honoured() {
    let server = Scripted::start(vec![
        Reply::new(503, "{}").header("Retry-After", "7"),
        ok_page(),
    ]);
    let out = export(&server, &[]);
    assert!(out.status.success());
    assert!(
        stderr(&out).contains("retrying page 1 after 503 in 7.0s"),
        "{}",
        stderr(&out)
    );
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
    let out = export(&server, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let err = stderr(&out);
    let first = err.lines().next().unwrap();
    let secs: f64 = first
        .split(" in ")
        .nth(1)
        .unwrap()
        .split('s')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!((9.0..=12.0).contains(&secs), "{first}");
    assert!(
        err.contains("after 503 in 30.0s"),
        "a long Retry-After is capped: {err}"
    );
}

#[test]
fn gives_up_after_the_configured_retries() {
    let server = Scripted::start(vec![Reply::new(503, "{}")]);
    let out = export(&server, &["--retries", "2"]);
    assert_eq!(out.status.code(), Some(6));
    assert_eq!(server.requests().len(), 3);
    assert!(
        stderr(&out).contains("gave up after 2 retries"),
        "{}",
        stderr(&out)
    );

    let server = Scripted::start(vec![Reply::new(503, "{}"), ok_page()]);
    let out = export(&server, &["--retries", "0"]);
    assert_eq!(out.status.code(), Some(6), "--retries 0 disables retrying");
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn gives_up_when_the_retry_time_runs_out() {
    let server = Scripted::start(vec![Reply::new(502, "{}")]);
    let out = export(&server, &["--retries", "100", "--retry-max-time", "20s"]);
    assert_eq!(out.status.code(), Some(6));
    assert!(
        stderr(&out).contains("--retry-max-time reached"),
        "{}",
        stderr(&out)
    );
    assert!(server.requests().len() < 100);
}

#[test]
fn a_200_that_is_not_json_is_retried() {
    let server = Scripted::start(vec![Reply::new(200, "<html>proxy error</html>"), ok_page()]);
    let out = export(&server, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("after invalid JSON"),
        "{}",
        stderr(&out)
    );
    assert_eq!(jsonl(&stdout(&out)).len(), 2);
}

#[test]
fn a_body_cut_short_and_a_dropped_connection_are_retried() {
    let server = Scripted::start(vec![ok_page().cut_short(), Reply::hang_up(), ok_page()]);
    let out = export(&server, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(server.requests().len(), 3);
    assert_eq!(
        jsonl(&stdout(&out)).len(),
        2,
        "the cut page is not written twice"
    );
}

#[test]
fn retries_resend_the_same_cursor() {
    let first = Reply::page(&page(json!([row("r1", "a")]), Some("r1")));
    let last = Reply::page(&page(json!([row("r2", "b")]), None));
    let server = Scripted::start(vec![first, Reply::new(500, "{}"), last]);
    let out = export(&server, &[]);
    assert!(out.status.success(), "{}", stderr(&out));
    let requests = server.requests();
    assert!(
        requests[1].contains("last=r1") && requests[2].contains("last=r1"),
        "{requests:?}"
    );
    assert_eq!(jsonl(&stdout(&out)).len(), 2);
}

#[test]
fn without_wait_an_unfinished_bulk_is_exit_5_suggesting_wait() {
    let server = Scripted::start(vec![Reply::new(428, "{}"), ok_page()]);
    let out = export(&server, &[]);
    assert_eq!(out.status.code(), Some(5));
    assert!(stderr(&out).contains("--wait"), "{}", stderr(&out));
    assert_eq!(server.requests().len(), 1);
}

#[test]
fn wait_polls_until_the_bulk_is_finished_without_using_retries() {
    let not_ready = Reply::new(428, r#"{"result":{"status":428,"message":"processing"}}"#);
    let server = Scripted::start(vec![
        not_ready.clone(),
        not_ready.clone(),
        not_ready,
        ok_page(),
    ]);
    let out = export(&server, &["--wait", "--retries", "0"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(server.requests().len(), 4);
    assert_eq!(jsonl(&stdout(&out)).len(), 2);
    assert!(stderr(&out).contains("has finished"), "{}", stderr(&out));
}

#[test]
fn wait_gives_up_at_its_deadline_with_exit_5() {
    let server = Scripted::start(vec![Reply::new(428, "{}").header("Retry-After", "1")]);
    let out = export(&server, &["--wait=10s"]);
    assert_eq!(out.status.code(), Some(5));
    assert!(
        stderr(&out).contains("still not finished after waiting 10s"),
        "{}",
        stderr(&out)
    );
    let polls = server.requests().len();
    assert!(
        (5..=15).contains(&polls),
        "Retry-After: 1 over 10s: {polls} polls"
    );
}
