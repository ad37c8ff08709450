//! Tests of fault injection over real TCP: injected 5xx (and that 401/404 stay
//! unaffected), per-bulk injected 428s, repeatability from the seed, latency,
//! and bodies cut off mid-way (seen raw and through reqwest).

use std::io::{Read, Write};
use std::net::SocketAddr;
use std::time::Duration;

use serde_json::Value;

use super::*;
use crate::api::routes;

/// A raw HTTP/1.1 exchange: status, lower-cased head, body bytes as received.
struct Raw {
    status: u16,
    head: String,
    body: Vec<u8>,
}

impl Raw {
    fn header(&self, name: &str) -> Option<&str> {
        self.head.lines().find_map(|l| {
            l.strip_prefix(name)
                .and_then(|rest| rest.strip_prefix(": "))
        })
    }

    fn json(&self) -> Value {
        serde_json::from_slice(&self.body)
            .unwrap_or_else(|e| panic!("{e}: {:?}", String::from_utf8_lossy(&self.body)))
    }
}

/// Sends one request on a fresh connection and reads until the server closes it.
fn raw_get(addr: SocketAddr, bulk: &str, token: &str) -> Raw {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    let target = routes::results(bulk);
    let req = format!(
        "GET {target} HTTP/1.1\r\nHost: {addr}\r\n\
         Authorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    );
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    // A cut-off response may end in a reset rather than a clean EOF.
    if let Err(e) = s.read_to_end(&mut raw) {
        assert_eq!(e.kind(), std::io::ErrorKind::ConnectionReset, "{e}");
    }
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or_else(|| panic!("no head in {:?}", String::from_utf8_lossy(&raw)));
    let head = String::from_utf8(raw[..split].to_vec())
        .unwrap()
        .to_ascii_lowercase();
    Raw {
        status: head[9..12].parse().unwrap(),
        head,
        body: raw[split + 4..].to_vec(),
    }
}

fn with_faults(faults: Faults) -> Running {
    start_background(SandboxConfig::new(30).with_faults(faults)).unwrap()
}

fn get(srv: &Running, bulk: &str) -> Raw {
    raw_get(srv.addr(), bulk, DEFAULT_TOKEN)
}

#[test]
fn defaults_are_fault_free() {
    assert_eq!(SandboxConfig::new(1).faults, Faults::default());
    assert_eq!(Faults::default().latency, Duration::ZERO);
}

#[test]
fn fail_rate_one_always_answers_5xx() {
    let srv = with_faults(Faults {
        fail_rate: 1.0,
        ..Faults::default()
    });
    let mut statuses = Vec::new();
    let mut retry_after = [0, 0];
    for _ in 0..40 {
        let r = get(&srv, DEFAULT_BULK_ID);
        match r.status {
            500 | 502 | 503 => {
                assert_eq!(r.header("content-type"), Some("application/json"));
                let body = r.json();
                assert_eq!(body["result"]["status"], u64::from(r.status));
                let msg = body["result"]["message"].as_str().unwrap();
                assert!(msg.ends_with("(injected)"), "{msg}");
            }
            504 => {
                assert_eq!(r.header("content-type"), Some("text/html"));
                assert_eq!(r.body, faults::GATEWAY_TIMEOUT_HTML.as_bytes());
            }
            other => panic!("status {other}"),
        }
        match r.header("retry-after") {
            Some("1") => retry_after[0] += 1,
            None => retry_after[1] += 1,
            Some(other) => panic!("Retry-After: {other}"),
        }
        statuses.push(r.status);
    }
    assert!(retry_after[0] > 0 && retry_after[1] > 0, "{retry_after:?}");
    for s in [500, 502, 503, 504] {
        assert!(statuses.contains(&s), "{s} never seen in {statuses:?}");
    }
    assert_eq!(srv.faults_injected(), 40);

    // 401, 404 and the unfinished bulk's own 428 come first and are not faults.
    assert_eq!(raw_get(srv.addr(), DEFAULT_BULK_ID, "wrong").status, 401);
    assert_eq!(get(&srv, "no-such-bulk").status, 404);
    let r = get(&srv, PROCESSING_BULK_ID);
    assert_eq!((r.status, r.header("retry-after")), (428, None));
    assert_eq!(srv.faults_injected(), 40);
}

#[test]
fn not_ready_for_counts_per_bulk() {
    let srv = with_faults(Faults {
        not_ready_for: 3,
        ..Faults::default()
    });
    for bulk in [DEFAULT_BULK_ID, EMPTY_BULK_ID] {
        for _ in 0..3 {
            let r = get(&srv, bulk);
            assert_eq!((r.status, r.header("retry-after")), (428, Some("1")));
            assert_eq!(
                r.json()["result"]["errors"][0]["details"],
                "status: processing"
            );
        }
        for _ in 0..2 {
            let r = get(&srv, bulk);
            assert_eq!(r.status, 200);
            assert_eq!(r.json()["content"]["bulkId"], bulk);
        }
    }
    assert_eq!(srv.faults_injected(), 6);
}

fn statuses(seed: u64) -> Vec<u16> {
    let cfg = SandboxConfig::new(5).with_seed(seed).with_faults(Faults {
        fail_rate: 0.3,
        ..Faults::default()
    });
    let srv = start_background(cfg).unwrap();
    (0..200)
        .map(|_| get(&srv, DEFAULT_BULK_ID).status)
        .collect()
}

#[test]
fn faults_are_repeatable_from_the_seed() {
    let first = statuses(42);
    assert_eq!(first, statuses(42));
    assert_ne!(first, statuses(43));
    let failed = first.iter().filter(|&&s| s != 200).count();
    assert!((30..=90).contains(&failed), "{failed} of 200 failed");
    assert!(first.iter().all(|s| [200, 500, 502, 503, 504].contains(s)));
}

#[test]
fn latency_delays_every_results_request() {
    // An hour of latency: the request is received (counted), and no byte of
    // the answer has come by the time the read gives up.
    let srv = with_faults(Faults {
        latency: Duration::from_secs(3600),
        ..Faults::default()
    });
    let mut s = std::net::TcpStream::connect(srv.addr()).unwrap();
    let req = format!(
        "GET {} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {DEFAULT_TOKEN}\r\n\r\n",
        routes::results(DEFAULT_BULK_ID),
        srv.addr()
    );
    s.write_all(req.as_bytes()).unwrap();
    for _ in 0..60_000 {
        if srv.hits() > 0 {
            break;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    assert_eq!(srv.hits(), 1, "the request was received");
    s.set_read_timeout(Some(Duration::from_millis(50))).unwrap();
    let mut byte = [0u8; 1];
    let read = s.read(&mut byte);
    assert!(
        read.as_ref().is_err_and(|e| matches!(
            e.kind(),
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
        )),
        "an answer came at once: {read:?}"
    );
    assert_eq!(srv.faults_injected(), 0);
}

#[test]
fn reset_rate_cuts_the_body() {
    let srv = with_faults(Faults {
        reset_rate: 1.0,
        ..Faults::default()
    });
    let r = get(&srv, DEFAULT_BULK_ID);
    assert_eq!(r.status, 200);
    let announced: usize = r.header("content-length").unwrap().parse().unwrap();
    assert!(!r.body.is_empty(), "nothing of the body was sent");
    assert!(r.body.len() < announced, "{} of {announced}", r.body.len());
    assert!(serde_json::from_slice::<Value>(&r.body).is_err());
    assert_eq!(srv.faults_injected(), 1);
    // Errors come before the cut and are never cut.
    assert_eq!(get(&srv, "no-such-bulk").status, 404);
    assert_eq!(srv.faults_injected(), 1);
}

#[tokio::test]
async fn reqwest_sees_a_body_error() {
    let srv = with_faults(Faults {
        reset_rate: 1.0,
        ..Faults::default()
    });
    let url = format!("{}{}", srv.endpoint(), routes::results(DEFAULT_BULK_ID));
    // reqwest has no crypto provider of its own (see api/tls.rs).
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let resp = client
        .get(url)
        .bearer_auth(DEFAULT_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(resp.bytes().await.is_err());
}
