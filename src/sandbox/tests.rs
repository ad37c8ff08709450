//! Cross-module tests of the sandbox: paging through the real page function,
//! properties of the generated data, and end-to-end HTTP over raw TCP.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};

use serde_json::Value;

use super::page::{compute_page, parse_query};
use super::*;

/// Pages through `bulk_id` the way a client would, by feeding each `lastId`
/// back through the handler's own query parsing and page computation.
fn page_all(cfg: &SandboxConfig, bulk_id: &str, limit: u64, failed_only: bool) -> Vec<Value> {
    let index = cfg.bulk_index(bulk_id).unwrap();
    let mut out = Vec::new();
    let mut last: Option<String> = None;
    loop {
        let mut q = format!("limit={limit}&failedOnly={failed_only}&ignored=1");
        if let Some(l) = &last {
            q.push_str(&format!("&last={l}"));
        }
        let params = parse_query(Some(&q)).unwrap();
        let page = compute_page(cfg, index, &params).unwrap();
        assert!(page.rows.len() as u64 <= limit);
        if failed_only {
            assert!(page.rows.iter().all(|r| r.error.is_some()));
        }
        out.extend(page.rows.iter().map(|r| serde_json::to_value(r).unwrap()));
        match page.last_id {
            Some(id) => {
                assert_eq!(page.rows.len() as u64, limit, "non-final page must be full");
                assert_eq!(Some(&id), page.rows.last().map(|r| &r.id));
                last = Some(id);
            }
            None => return out,
        }
    }
}

#[test]
fn paging_covers_every_row_exactly_once() {
    for rows in [0u64, 1, 7, 700, 2345] {
        let cfg = SandboxConfig::new(rows);
        for failed_only in [false, true] {
            let expected = expected_rows(&cfg, DEFAULT_BULK_ID, failed_only);
            if !failed_only {
                assert_eq!(expected.len() as u64, rows);
            }
            for limit in [1u64, 7, 100, 1000] {
                let got = page_all(&cfg, DEFAULT_BULK_ID, limit, failed_only);
                assert_eq!(
                    got, expected,
                    "rows={rows} limit={limit} failed={failed_only}"
                );
                let mut ids: Vec<&str> = got.iter().map(|r| r["id"].as_str().unwrap()).collect();
                ids.dedup();
                assert_eq!(ids.len(), got.len());
            }
        }
    }
}

#[test]
fn exactly_full_last_page_has_no_last_id() {
    let cfg = SandboxConfig::new(700);
    let params = parse_query(Some("limit=700")).unwrap();
    let page = compute_page(&cfg, 0, &params).unwrap();
    assert_eq!(page.rows.len(), 700);
    assert!(page.last_id.is_none());
    // a cursor beyond the end gives an empty page, still "OK"
    let beyond = data::RowGen::new(cfg.seed, DEFAULT_BULK_ID).id(5000);
    let params = parse_query(Some(&format!("last={beyond}"))).unwrap();
    let page = compute_page(&cfg, 0, &params).unwrap();
    assert!(page.rows.is_empty() && page.last_id.is_none() && !page.no_matches);
    // a cursor before the base timestamp means "from the start"
    let params = parse_query(Some(&format!("last={DEFAULT_BULK_ID}&limit=3"))).unwrap();
    let page = compute_page(&cfg, 0, &params).unwrap();
    assert_eq!(
        page.rows[0],
        data::RowGen::new(cfg.seed, DEFAULT_BULK_ID).row(0)
    );
}

#[test]
fn data_contains_awkward_values_early() {
    let cfg = SandboxConfig::new(200);
    let rows = expected_rows(&cfg, DEFAULT_BULK_ID, false);
    let errors: Vec<&str> = rows.iter().filter_map(|r| r["error"].as_str()).collect();
    let has = |p: &dyn Fn(&str) -> bool| errors.iter().any(|e| p(e));
    assert!(has(&|e| e.contains(',')), "comma");
    assert!(has(&|e| e.contains('"')), "quote");
    assert!(has(&|e| e.contains('\n')), "newline");
    assert!(has(&|e| !e.is_ascii()), "non-ASCII");
    assert!(rows.iter().any(|r| r.get("field").is_some()), "extra field");
    let successes = rows.iter().filter(|r| r.get("error").is_none()).count();
    assert!((20..=60).contains(&successes), "successes {successes}");
    for key in ["objectId", "pulseId"] {
        assert!(
            rows.iter().any(|r| r.get(key) == Some(&Value::Null)),
            "{key} null"
        );
        assert!(rows.iter().any(|r| r.get(key).is_none()), "{key} absent");
    }
    let text = serde_json::to_string(
        &compute_page(&cfg, 0, &parse_query(None).unwrap())
            .unwrap()
            .rows,
    )
    .unwrap();
    let first = &text[..text.find('}').unwrap()];
    assert!(first.starts_with(r#"[{"id":"#), "key order: {first}");
    assert!(first.contains(r#""userIdentifierType":"#));
}

/// A parsed response: status, lower-cased `Content-Type`, JSON body.
pub(super) struct Reply {
    pub status: u16,
    pub content_type: String,
    pub body: Value,
}

/// One GET on a fresh connection, with the bearer `token` if any.
pub(super) fn http_get(addr: SocketAddr, target: &str, token: Option<&str>) -> Reply {
    let auth = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
    http(
        addr,
        &format!("GET {target} HTTP/1.1\r\nHost: {addr}\r\n{auth}Connection: close\r\n\r\n"),
        b"",
    )
}

/// How long a test waits for an answer before failing: only a guard
/// against a hang (an answer the sandbox holds back), never a measure of
/// speed.
pub(super) const HANG_GUARD: std::time::Duration = std::time::Duration::from_secs(60);

/// One request (`head`, then `body`) on a fresh connection, read to its end
/// (failing after [`HANG_GUARD`] without one).
pub(super) fn http(addr: SocketAddr, head: &str, body: &[u8]) -> Reply {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(HANG_GUARD)).unwrap();
    s.write_all(head.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8(raw).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let status = head[9..12].parse().unwrap();
    let content_type = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("content-type: ")
                .map(String::from)
        })
        .unwrap_or_default();
    let body = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body:?}"));
    Reply {
        status,
        content_type,
        body,
    }
}

pub(super) fn results_path(bulk: &str, query: &str) -> String {
    format!("{}{query}", crate::api::routes::results(bulk))
}

#[test]
fn end_to_end_over_tcp() {
    let cfg = SandboxConfig::new(250);
    let expected = expected_rows(&cfg, DEFAULT_BULK_ID, false);
    let srv = start_background(cfg).unwrap();
    assert_eq!(
        srv.endpoint(),
        format!("http://127.0.0.1:{}", srv.addr().port())
    );
    let a = srv.addr();
    let main = results_path(DEFAULT_BULK_ID, "");
    let tok = Some(DEFAULT_TOKEN);

    for token in [None, Some("wrong")] {
        let r = http_get(a, &main, token);
        assert_eq!(r.status, 401);
        let want = r#"{"result":{"status":401,"message":"Invalid or missing app token"}}"#;
        assert_eq!(r.body, serde_json::from_str::<Value>(want).unwrap());
    }

    let r = http_get(a, &results_path("nope", ""), tok);
    assert_eq!(r.status, 404);
    assert_eq!(r.body["result"]["message"], "Bulk not found");

    let r = http_get(a, &results_path(PROCESSING_BULK_ID, ""), tok);
    assert_eq!(r.status, 428);
    assert_eq!(
        r.body["result"]["errors"][0]["details"],
        "status: processing"
    );

    let r = http_get(a, &results_path(DEFAULT_BULK_ID, "?limit=abc"), tok);
    assert_eq!(r.status, 400);
    let want = r#"{"result":{"status":400,"errors":[{"message":"Invalid parameter","details":"limit must be a positive integer"}]}}"#;
    assert_eq!(r.body, serde_json::from_str::<Value>(want).unwrap());
    assert_eq!(r.content_type, "application/json");

    let r = http_get(a, &main, tok);
    assert_eq!(
        (r.status, r.content_type.as_str()),
        (200, "application/json")
    );
    assert_eq!(r.body["result"]["message"], "OK");
    assert_eq!(r.body["content"]["bulkId"], DEFAULT_BULK_ID);
    let page = r.body["content"]["results"].as_array().unwrap();
    assert_eq!(page[..], expected[..100]);
    let last = r.body["content"]["lastId"].as_str().unwrap().to_string();
    assert_eq!(last, expected[99]["id"]);

    let r = http_get(
        a,
        &results_path(DEFAULT_BULK_ID, &format!("?last={last}&limit=500")),
        tok,
    );
    assert_eq!(
        r.body["content"]["results"].as_array().unwrap()[..],
        expected[100..]
    );
    assert!(r.body["content"].get("lastId").is_none());

    let r = http_get(a, &results_path(EMPTY_BULK_ID, "?failedOnly=true"), tok);
    assert_eq!(r.status, 200);
    assert_eq!(
        r.body["result"]["message"],
        "No errors for the bulk process"
    );
    assert_eq!(r.body["content"]["results"], Value::Array(vec![]));

    let r = http_get(a, "/elsewhere", tok);
    assert_eq!(
        (r.status, r.content_type.as_str()),
        (404, "application/json")
    );
    assert_eq!(srv.hits(), 9);
}

#[tokio::test]
async fn usable_from_async_code() {
    let srv = start_background(SandboxConfig::new(3).with_token("t").with_seed(7)).unwrap();
    let a = srv.addr();
    let r = tokio::task::spawn_blocking(move || {
        http_get(a, &results_path(DEFAULT_BULK_ID, ""), Some("t"))
    })
    .await
    .unwrap();
    assert_eq!(r.body["content"]["results"].as_array().unwrap().len(), 3);
    drop(srv);

    let cfg = SandboxConfig::new(5).with_bulk_id("custom");
    assert_eq!(cfg.main_bulk_id(), "custom");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let a = listener.local_addr().unwrap();
    let server = tokio::spawn(serve(listener, cfg.clone()));
    let r = tokio::task::spawn_blocking(move || {
        http_get(a, &results_path("custom", "?limit=2"), tok())
    })
    .await
    .unwrap();
    assert_eq!(
        r.body["content"]["results"].as_array().unwrap()[..],
        expected_rows(&cfg, "custom", false)[..2]
    );
    server.abort();
}

fn tok() -> Option<&'static str> {
    Some(DEFAULT_TOKEN)
}
