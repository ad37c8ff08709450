//! End to end against the built-in sandbox: whole exports, the demo, and a
//! reader that goes away early.

use std::io::{BufRead, BufReader};
use std::process::{Command as StdCommand, Stdio};

use crate::support::*;
use druid_bulk::sandbox::{self, SandboxConfig};
use serde_json::Value;

#[test]
fn small_pages_export_exactly_the_sandbox_rows() {
    let cfg = SandboxConfig::new(2_500).with_token(TOKEN);
    let expected = sandbox::expected_rows(&cfg, cfg.main_bulk_id(), false);
    assert_eq!(expected.len(), 2_500);
    let server = sandbox::start_background(cfg.clone()).unwrap();
    let out = legacy_results(&server.endpoint(), cfg.main_bulk_id())
        .args(["--page-size", "7", "-f", "jsonl"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let got = jsonl(&stdout(&out));
    assert_eq!(got.len(), expected.len());
    let ids: std::collections::HashSet<&str> =
        got.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), got.len(), "no duplicates");
    assert_eq!(got, expected, "same rows, same order, same fields");
    assert_eq!(server.hits(), 2_500_u64.div_ceil(7));
}

#[test]
fn failed_only_exports_only_rows_with_errors() {
    let cfg = SandboxConfig::new(300).with_token(TOKEN);
    let expected = sandbox::expected_rows(&cfg, cfg.main_bulk_id(), true);
    assert!(expected.len() < 300 && expected.iter().all(|r| r.get("error").is_some()));
    let server = sandbox::start_background(cfg.clone()).unwrap();
    let out = legacy_results(&server.endpoint(), cfg.main_bulk_id())
        .args(["--page-size", "50", "--failed-only", "-f", "jsonl"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(jsonl(&stdout(&out)), expected);
}

#[test]
fn csv_from_the_sandbox_parses_back_to_its_rows() {
    let cfg = SandboxConfig::new(400).with_token(TOKEN);
    let expected = sandbox::expected_rows(&cfg, cfg.main_bulk_id(), false);
    let server = sandbox::start_background(cfg.clone()).unwrap();
    let out = legacy_results(&server.endpoint(), cfg.main_bulk_id())
        .args(["--page-size", "100", "-f", "csv"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), expected.len());
    let text = |v: &Value| v.as_str().unwrap_or("").to_string();
    for (record, row) in records.iter().zip(&expected) {
        let fields = ["id", "userIdentifierType", "objectId", "pulseId", "error"];
        for (i, field) in fields.iter().enumerate() {
            assert_eq!(record[i], text(&row[field]), "{field} of {}", row["id"]);
        }
    }
}

#[test]
fn sandbox_rejects_a_wrong_token_and_reports_unfinished_and_unknown_bulks() {
    let cfg = SandboxConfig::new(10).with_token(TOKEN);
    let server = sandbox::start_background(cfg.clone()).unwrap();
    let out = bin()
        .args(["results", cfg.main_bulk_id(), "-e", &server.endpoint()])
        .env("DRUID_TOKEN", "wrong")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let out = legacy_results(&server.endpoint(), sandbox::PROCESSING_BULK_ID)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(5));
    let out = legacy_results(&server.endpoint(), "no-such-bulk")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4));
    let out = legacy_results(&server.endpoint(), sandbox::EMPTY_BULK_ID)
        .args(["-f", "jsonl"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(stdout(&out), "");
}

#[test]
fn demo_runs_an_export_with_no_setup() {
    let out = bin()
        .args(["demo", "-f", "csv", "--rows", "25"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    assert_eq!(reader.records().count(), 25);
    assert!(stderr(&out).contains("sandbox"), "{}", stderr(&out));

    let out = bin()
        .args(["demo", "-f", "table"])
        .env("COLUMNS", "120")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("id "), "{}", stdout(&out));
}

#[test]
fn closed_stdout_ends_quietly_with_exit_0() {
    let cfg = SandboxConfig::new(50_000).with_token(TOKEN);
    let server = sandbox::start_background(cfg.clone()).unwrap();
    for format in ["jsonl", "csv", "json", "table"] {
        let mut child = StdCommand::new(assert_cmd::cargo::cargo_bin("druid-bulk"))
            .args([
                "results",
                cfg.main_bulk_id(),
                "-e",
                &server.endpoint(),
                "-f",
                format,
            ])
            .env("DRUID_TOKEN", TOKEN)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        {
            let mut first = String::new();
            BufReader::new(child.stdout.take().unwrap())
                .read_line(&mut first)
                .unwrap();
            assert!(!first.is_empty());
        } // the reader is dropped here, like `| head -1`
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{format}: {}", stderr(&out));
        assert_eq!(stderr(&out), "", "{format}: no error text");
    }
}

#[test]
fn compressed_responses_are_asked_for_and_decoded() {
    use std::io::{Read, Write};
    let cfg = SandboxConfig::new(300).with_token(TOKEN).with_compression();
    let server = sandbox::start_background(cfg.clone()).unwrap();
    // The sandbox compresses when asked ...
    let mut s = std::net::TcpStream::connect(server.addr()).unwrap();
    write!(
        s,
        "GET /activityid/v1/user/bulk/{}/results HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n\
         Accept-Encoding: gzip\r\nConnection: close\r\n\r\n",
        cfg.main_bulk_id()
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let head = String::from_utf8_lossy(&raw).to_ascii_lowercase();
    assert!(
        head.contains("content-encoding: gzip"),
        "{}",
        &head[..300.min(head.len())]
    );
    // ... and druid-bulk asks for it and decodes it.
    let out = legacy_results(&server.endpoint(), cfg.main_bulk_id())
        .args(["-f", "jsonl", "--page-size", "100"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        jsonl(&stdout(&out)),
        sandbox::expected_rows(&cfg, cfg.main_bulk_id(), false)
    );
}
