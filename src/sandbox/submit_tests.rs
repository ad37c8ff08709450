//! Tests of bulk submission over real TCP: the `PATCH` answers (401, 415,
//! 400, 200), a submitted bulk's status, listing and results at its first
//! and last stages, a bulk that ends `failed`, and a body of 100,000 lines.

use std::net::SocketAddr;
use std::time::Duration;

use serde_json::{json, Value};

use super::tests::{http, http_get, results_path, Reply};
use super::*;
use crate::api::routes;

/// One request with a body on a fresh connection.
fn send(addr: SocketAddr, method: &str, content_type: &str, body: &[u8], token: &str) -> Reply {
    let head = format!(
        "{method} {} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\n\
         Content-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        routes::BULKS,
        body.len()
    );
    http(addr, &head, body)
}

fn patch(srv: &Running, body: &str) -> Reply {
    send(
        srv.addr(),
        "PATCH",
        "application/jsonl",
        body.as_bytes(),
        DEFAULT_TOKEN,
    )
}

fn get(srv: &Running, target: &str) -> Reply {
    http_get(srv.addr(), target, Some(DEFAULT_TOKEN))
}

/// The id of a bulk just accepted.
fn accepted(reply: &Reply) -> String {
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(
        reply.body["result"],
        json!({"status": 200, "message": "OK"})
    );
    reply.body["content"]["bulkId"]
        .as_str()
        .unwrap()
        .to_string()
}

/// An object id the sandbox knows.
fn known(cfg: &SandboxConfig, n: u32) -> String {
    (0..)
        .map(|i| format!("{n:08x}{i:016x}"))
        .find(|id| !unknown_user(cfg, id))
        .unwrap()
}

#[test]
fn a_submission_is_refused_without_the_token_json_lines_or_lines() {
    let cfg = SandboxConfig::new(1).with_max_lines(3);
    let srv = start_background(cfg).unwrap();
    let a = srv.addr();
    let line = "{\"user\":{\"object_id\":\"a\"}}\n";
    let line_as =
        |method, content_type, token| send(a, method, content_type, line.as_bytes(), token);
    let r = line_as("PATCH", "application/jsonl", "wrong");
    assert_eq!(r.status, 401);
    let r = line_as("PATCH", "application/json", DEFAULT_TOKEN);
    assert_eq!(r.status, 415);
    assert_eq!(
        r.body,
        json!({"result": {"status": 415, "errors": [{
            "message": "Unsupported media type",
            "details": "send the bulk as JSON lines with Content-Type: application/jsonl"
        }]}})
    );
    let r = line_as("POST", "application/jsonl", DEFAULT_TOKEN);
    assert_eq!(r.status, 405);
    let r = patch(&srv, "\n \n");
    assert_eq!(
        r.body,
        json!({"result": {"status": 400, "message": "No lines in the bulk"}})
    );
    let r = patch(&srv, &line.repeat(4));
    assert_eq!(
        (r.status, &r.body),
        (
            400,
            &json!({"result": {"status": 400, "message": "Too many lines: 4 (max 3)"}})
        )
    );
    accepted(&patch(&srv, &line.repeat(3)));
    let r = send(
        a,
        "PATCH",
        "application/x-ndjson",
        line.as_bytes(),
        DEFAULT_TOKEN,
    );
    accepted(&r);
}

#[test]
fn a_new_bulk_is_received_listed_and_not_ready() {
    let cfg = SandboxConfig::new(1).with_process_time(Duration::from_secs(3600));
    let srv = start_background(cfg.clone()).unwrap();
    let id = accepted(&patch(
        &srv,
        "{\"user\":{\"object_id\":\"a\"}}\n{\"pulse_id\":\"b\"}",
    ));
    assert_eq!(id, submitted::bulk_id(cfg.seed, 0));
    let second = accepted(&patch(&srv, "{\"objectId\":\"c\"}"));
    assert_eq!(second, submitted::bulk_id(cfg.seed, 1));

    let status = get(&srv, &routes::bulk(&id)).body["content"].clone();
    assert_eq!(status["bulkId"], id.as_str());
    assert_eq!(status["status"], "received");
    assert_eq!(
        (&status["total"], &status["failed"]),
        (&json!(2), &json!(0))
    );
    let created = status["createdOn"].as_str().unwrap();
    assert_eq!(created.len(), 20, "{created}");
    assert_eq!(status["updatedOn"], created);

    let r = get(&srv, &results_path(&id, ""));
    assert_eq!(r.status, 428);
    assert_eq!(r.body["result"]["errors"][0]["details"], "status: received");

    let listed = get(&srv, routes::BULKS).body["content"]["results"].clone();
    let ids: Vec<&str> = (listed.as_array().unwrap().iter())
        .map(|b| b["bulkId"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            DEFAULT_BULK_ID,
            PROCESSING_BULK_ID,
            EMPTY_BULK_ID,
            &id,
            &second
        ]
    );
    assert_eq!(listed[3], status);
}

#[test]
fn a_completed_bulk_has_one_row_per_line_in_order() {
    let cfg = SandboxConfig::new(1).with_process_time(Duration::ZERO);
    let srv = start_background(cfg.clone()).unwrap();
    let (a, b, c) = (known(&cfg, 1), known(&cfg, 2), known(&cfg, 3));
    let body = format!(
        "{{\"user\":{{\"object_id\":\"{a}\",\"email\":\"a@example.com\"}}}}\n\
         {{\"user\":{{\"pulse_id\":\"{b}\",\"email\":\"nope\"}}}}\r\n\
         \n\
         not json\n\
         {{\"user\":{{\"object_id\":\"{c}\",\"phone\":\"600\"}}}}\n"
    );
    let id = accepted(&patch(&srv, &body));
    let status = get(&srv, &routes::bulk(&id)).body["content"].clone();
    assert_eq!(status["status"], "completed");
    assert_eq!(
        (&status["total"], &status["failed"]),
        (&json!(4), &json!(3))
    );
    assert_ne!(status["updatedOn"], Value::Null);

    let page = get(&srv, &results_path(&id, "?limit=2"));
    assert_eq!(page.body["result"]["message"], "OK");
    let rows = page.body["content"]["results"].as_array().unwrap().clone();
    let last = page.body["content"]["lastId"].as_str().unwrap().to_string();
    let rest = get(&srv, &results_path(&id, &format!("?limit=2&last={last}")));
    assert!(rest.body["content"].get("lastId").is_none());
    let all: Vec<Value> = rows
        .into_iter()
        .chain(rest.body["content"]["results"].as_array().unwrap().clone())
        .collect();
    let strip = |row: &Value| {
        let mut row = row.clone();
        row.as_object_mut().unwrap().remove("id");
        row
    };
    let want = [
        json!({"userIdentifierType": "object_id", "objectId": a}),
        json!({"userIdentifierType": "pulse_id", "pulseId": b,
               "error": "Invalid email \"nope\", expected user@domain"}),
        json!({"userIdentifierType": null, "error": "Line 4: not valid JSON"}),
        json!({"userIdentifierType": "object_id", "objectId": c,
               "error": "Invalid phone number \"600\""}),
    ];
    assert_eq!(all.iter().map(strip).collect::<Vec<_>>(), want);
    let ids: Vec<&str> = all.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "{ids:?}");

    let failed = get(&srv, &results_path(&id, "?failedOnly=true"));
    let failed = failed.body["content"]["results"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(failed, all[1..]);
}

#[test]
fn a_failing_bulk_ends_failed_and_its_results_stay_unavailable() {
    let cfg = (SandboxConfig::new(1))
        .with_process_time(Duration::ZERO)
        .with_failing_bulks();
    let srv = start_background(cfg).unwrap();
    let id = accepted(&patch(
        &srv,
        "{\"user\":{\"object_id\":\"a\",\"email\":\"x\"}}",
    ));
    let status = get(&srv, &routes::bulk(&id)).body["content"].clone();
    assert_eq!(
        (&status["status"], &status["failed"]),
        (&json!("failed"), &json!(1))
    );
    let r = get(&srv, &results_path(&id, ""));
    assert_eq!(r.status, 428);
    assert_eq!(r.body["result"]["errors"][0]["details"], "status: failed");
}

#[test]
fn a_body_of_100_000_lines_is_taken_in_and_paged() {
    const LINES: usize = 100_000;
    let cfg = SandboxConfig::new(1).with_process_time(Duration::ZERO);
    let srv = start_background(cfg.clone()).unwrap();
    let mut body = String::with_capacity(LINES * 80);
    for n in 0..LINES {
        let email = if n % 10 == 0 {
            "broken"
        } else {
            "u@example.com"
        };
        body.push_str(&format!(
            "{{\"user\":{{\"object_id\":\"{n:024x}\",\"email\":\"{email}\",\"name\":\"User {n}\"}}}}\n"
        ));
    }
    let id = accepted(&patch(&srv, &body));
    let status = get(&srv, &routes::bulk(&id)).body["content"].clone();
    assert_eq!(status["total"], LINES);
    let unknown = (0..LINES)
        .filter(|n| n % 10 != 0 && unknown_user(&cfg, &format!("{n:024x}")))
        .count();
    assert_eq!(status["failed"], LINES / 10 + unknown);
    let page = get(&srv, &results_path(&id, "?failedOnly=true&limit=1000"));
    let rows = page.body["content"]["results"].as_array().unwrap();
    assert_eq!(rows.len(), 1000);
    assert_eq!(rows[0]["objectId"], format!("{:024x}", 0));
    assert_eq!(
        rows[0]["error"],
        "Invalid email \"broken\", expected user@domain"
    );
}

#[test]
fn a_refused_submission_is_answered_after_its_whole_body() {
    let srv = start_background(SandboxConfig::new(1)).unwrap();
    let body = "{\"user\":{\"object_id\":\"a\"}}\n".repeat(300_000);
    let r = send(
        srv.addr(),
        "PATCH",
        "application/jsonl",
        body.as_bytes(),
        "wrong",
    );
    assert_eq!(r.status, 401);
    let r = send(
        srv.addr(),
        "PATCH",
        "text/csv",
        body.as_bytes(),
        DEFAULT_TOKEN,
    );
    assert_eq!(r.status, 415);
}
