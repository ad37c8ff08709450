//! Tests of the bulk status routes over real TCP: the single-bulk and listing
//! answers for the default config, 401/404/405, agreement with
//! [`expected_status`], immunity to faults, the results route left unchanged,
//! and a bulk of a million rows counted once, then answered from the cache.

use std::io::{Read, Write};
use std::time::Duration;

use serde_json::{json, Value};

use super::tests::{http_get, results_path, Reply};
use super::*;
use crate::api::routes::{self, BULKS as LIST};
use axum::http::StatusCode;

fn status_path(bulk: &str) -> String {
    routes::bulk(bulk)
}

fn get(srv: &Running, target: &str) -> Reply {
    http_get(srv.addr(), target, Some(DEFAULT_TOKEN))
}

/// `{"content": content, "result": {"status": 200, "message": "OK"}}`
fn ok_body(content: Value) -> Value {
    json!({"content": content, "result": {"status": 200, "message": "OK"}})
}

fn failed_rows(cfg: &SandboxConfig, bulk_id: &str) -> u64 {
    let gen = data::RowGen::new(cfg.seed, bulk_id);
    let rows = cfg.find_bulk(bulk_id).unwrap().rows;
    (0..rows).filter(|&i| gen.is_failed(i)).count() as u64
}

#[test]
fn single_bulk_status_for_the_default_config() {
    let cfg = SandboxConfig::new(250);
    let srv = start_background(cfg.clone()).unwrap();
    let main = json!({
        "bulkId": DEFAULT_BULK_ID, "status": "completed",
        "createdOn": "2024-06-01T00:00:00Z", "updatedOn": "2024-06-01T00:00:01Z",
        "total": 250, "failed": 194,
    });
    let processing = json!({
        "bulkId": PROCESSING_BULK_ID, "status": "processing",
        "createdOn": "2024-06-01T10:00:00Z", "updatedOn": "2024-06-01T10:00:01Z",
        "total": 50, "failed": failed_rows(&cfg, PROCESSING_BULK_ID),
    });
    let empty = json!({
        "bulkId": EMPTY_BULK_ID, "status": "completed",
        "createdOn": "2024-06-01T11:00:00Z", "updatedOn": "2024-06-01T11:00:01Z",
        "total": 0, "failed": 0,
    });
    let failed = expected_rows(&cfg, DEFAULT_BULK_ID, true).len() as u64;
    assert_eq!(main["failed"], failed);
    for (id, want) in [
        (DEFAULT_BULK_ID, &main),
        (PROCESSING_BULK_ID, &processing),
        (EMPTY_BULK_ID, &empty),
    ] {
        let r = get(&srv, &status_path(id));
        assert_eq!(
            (r.status, r.content_type.as_str()),
            (200, "application/json")
        );
        assert_eq!(r.body, ok_body(want.clone()), "{id}");
        assert_eq!(expected_status(&cfg, id).as_ref(), Some(want));
        // Asked again, the cached count gives the same answer.
        assert_eq!(get(&srv, &status_path(id)).body, r.body);
    }
    assert_eq!(srv.hits(), 6);
}

#[test]
fn listing_has_every_bulk_in_config_order() {
    let cfg = SandboxConfig::new(250);
    let srv = start_background(cfg.clone()).unwrap();
    let want: Vec<Value> = [DEFAULT_BULK_ID, PROCESSING_BULK_ID, EMPTY_BULK_ID]
        .iter()
        .map(|id| expected_status(&cfg, id).unwrap())
        .collect();
    let r = get(&srv, LIST);
    assert_eq!(
        (r.status, r.content_type.as_str()),
        (200, "application/json")
    );
    assert_eq!(r.body, ok_body(json!({ "results": want })));
    // Each entry is what the single-bulk route serves.
    for entry in &want {
        let id = entry["bulkId"].as_str().unwrap();
        assert_eq!(get(&srv, &status_path(id)).body["content"], *entry);
    }

    // Another config: times follow the position in the config, ids do not matter.
    let mut cfg = SandboxConfig::new(3).with_seed(9);
    cfg.bulks.reverse();
    cfg.bulks.extend((0..20).map(|i| Bulk {
        id: format!("extra-{i}"),
        rows: i,
        ready: i % 2 == 0,
    }));
    let srv = start_background(cfg.clone()).unwrap();
    let results = get(&srv, LIST).body["content"]["results"].clone();
    let results = results.as_array().unwrap();
    assert_eq!(results.len(), cfg.bulks.len());
    assert_eq!(results[0]["createdOn"], "2024-06-01T00:00:00Z");
    assert_eq!(results[0]["bulkId"], EMPTY_BULK_ID);
    assert_eq!(results[15]["createdOn"], "2024-06-02T00:00:00Z");
    for (entry, bulk) in results.iter().zip(&cfg.bulks) {
        assert_eq!(Some(entry), expected_status(&cfg, &bulk.id).as_ref());
        let status = if bulk.ready {
            "completed"
        } else {
            "processing"
        };
        assert_eq!(
            (entry["status"].as_str(), &entry["total"]),
            (Some(status), &json!(bulk.rows))
        );
        assert!(entry["createdOn"].as_str() < entry["updatedOn"].as_str());
    }
    assert!(results
        .windows(2)
        .all(|w| w[0]["createdOn"].as_str() < w[1]["createdOn"].as_str()));
}

/// The status line of a raw `method` request to `target`.
fn raw_status(srv: &Running, method: &str, target: &str) -> u16 {
    let mut s = std::net::TcpStream::connect(srv.addr()).unwrap();
    let req = format!(
        "{method} {target} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {DEFAULT_TOKEN}\r\n\
         Content-Length: 0\r\nConnection: close\r\n\r\n"
    );
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = String::new();
    s.read_to_string(&mut raw).unwrap();
    raw[9..12].parse().unwrap()
}

#[test]
fn auth_unknown_bulks_and_methods() {
    let cfg = SandboxConfig::new(10);
    let srv = start_background(cfg.clone()).unwrap();
    let a = srv.addr();
    for token in [None, Some("wrong")] {
        let want = http_get(a, &results_path(DEFAULT_BULK_ID, ""), token);
        assert_eq!(want.status, 401);
        for target in [status_path(DEFAULT_BULK_ID), LIST.to_string()] {
            let r = http_get(a, &target, token);
            assert_eq!((r.status, &r.body), (401, &want.body), "{target}");
        }
        // Without the token, an unknown bulk is still a 401.
        assert_eq!(http_get(a, &status_path("nope"), token).status, 401);
    }
    let want = get(&srv, &results_path("nope", ""));
    assert_eq!(want.status, 404);
    let r = get(&srv, &status_path("nope"));
    assert_eq!((r.status, &r.body), (404, &want.body));
    assert_eq!(r.body["result"]["message"], "Bulk not found");
    assert_eq!(expected_status(&cfg, "nope"), None);
    for target in [status_path(DEFAULT_BULK_ID), LIST.to_string()] {
        assert_eq!(raw_status(&srv, "POST", &target), 405, "{target}");
        assert_eq!(raw_status(&srv, "DELETE", &target), 405, "{target}");
    }
    assert_eq!(srv.hits(), 14);
}

#[test]
fn results_route_is_unaffected() {
    let cfg = SandboxConfig::new(150);
    let expected = expected_rows(&cfg, DEFAULT_BULK_ID, false);
    let srv = start_background(cfg).unwrap();
    assert_eq!(get(&srv, &status_path(DEFAULT_BULK_ID)).status, 200);
    let r = get(&srv, &results_path(DEFAULT_BULK_ID, "?limit=100"));
    assert_eq!(r.status, 200);
    assert_eq!(r.body["content"]["bulkId"], DEFAULT_BULK_ID);
    assert_eq!(
        r.body["content"]["results"].as_array().unwrap()[..],
        expected[..100]
    );
    let last = r.body["content"]["lastId"].as_str().unwrap().to_string();
    let r = get(
        &srv,
        &results_path(DEFAULT_BULK_ID, &format!("?last={last}")),
    );
    assert_eq!(
        r.body["content"]["results"].as_array().unwrap()[..],
        expected[100..]
    );
    assert_eq!(get(&srv, &results_path(PROCESSING_BULK_ID, "")).status, 428);
    assert_eq!(
        get(&srv, &format!("{LIST}/{DEFAULT_BULK_ID}/other")).status,
        404
    );
    assert_eq!(srv.hits(), 5);
}

#[test]
fn faults_do_not_apply() {
    let faults = Faults {
        fail_rate: 1.0,
        reset_rate: 1.0,
        // An hour: a status route that waited for it would not answer
        // before the test's hang guard fails it.
        latency: Duration::from_secs(3600),
        not_ready_for: 1,
        limited_for: 1,
    };
    let cfg = SandboxConfig::new(40).with_faults(faults);
    let srv = start_background(cfg.clone()).unwrap();
    for _ in 0..3 {
        let r = get(&srv, &status_path(DEFAULT_BULK_ID));
        assert_eq!(r.status, 200);
        assert_eq!(
            Some(r.body["content"].clone()),
            expected_status(&cfg, DEFAULT_BULK_ID)
        );
        assert_eq!(get(&srv, LIST).status, 200);
    }
    assert_eq!(srv.faults_injected(), 0);
    // The results route's fault state was left alone: its first request
    // would still get the injected 428 (asked of the state directly: a
    // request would wait out the latency first).
    let shared = srv.shared();
    let first = shared.faults.not_ready(&shared.cfg.faults, DEFAULT_BULK_ID);
    assert_eq!(
        first.map(|r| r.status()),
        Some(StatusCode::PRECONDITION_REQUIRED)
    );
    assert_eq!(srv.faults_injected(), 1);
}

#[test]
fn million_row_bulk_is_counted_once_then_answered_from_the_cache() {
    let cfg = SandboxConfig::new(1_000_000);
    let srv = start_background(cfg.clone()).unwrap();
    let cached = || srv.shared().failed[0].get().copied();
    assert_eq!(cached(), None, "nothing is counted before it is asked");
    let r = get(&srv, &status_path(DEFAULT_BULK_ID));
    assert_eq!(r.status, 200);
    let content = &r.body["content"];
    assert_eq!(content["total"], 1_000_000);
    let failed = content["failed"].as_u64().unwrap();
    assert!((780_000..820_000).contains(&failed), "{failed}");
    assert_eq!(
        Some(content),
        expected_status(&cfg, DEFAULT_BULK_ID).as_ref()
    );
    assert_eq!(cached(), Some(failed), "the count is kept");
    let r = get(&srv, LIST);
    assert_eq!(r.body["content"]["results"][0], *content);
}
