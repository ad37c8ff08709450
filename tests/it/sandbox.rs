//! End to end against the built-in sandbox: whole exports, the demo, and a
//! reader that goes away early.

use std::io::{BufRead, BufReader};

use crate::support::*;
use druid_bulk::sandbox::{self, SandboxConfig};
use serde_json::Value;

#[test]
fn small_pages_export_exactly_the_sandbox_rows() {
    let cfg = SandboxConfig::new(2_500).with_token(TOKEN);
    let expected = sandbox::expected_rows(&cfg, cfg.main_bulk_id(), false);
    assert_eq!(expected.len(), 2_500);
    let server = sandbox::start_background(cfg.clone()).unwrap();
    let run = results(&server.endpoint(), cfg.main_bulk_id())
        .args(["--page-size", "7", "-f", "jsonl"])
        .ok();
    let got = run.jsonl();
    run.same(&got.len(), &expected.len());
    let ids: std::collections::HashSet<&str> =
        got.iter().map(|r| r["id"].as_str().unwrap()).collect();
    run.check(ids.len() == got.len(), "no duplicates");
    assert_eq!(
        got,
        expected,
        "same rows, same order, same fields\n{}",
        run.describe()
    );
    run.same(&server.hits(), &2_500_u64.div_ceil(7));
}

#[test]
fn failed_only_exports_only_rows_with_errors() {
    let cfg = SandboxConfig::new(300).with_token(TOKEN);
    let expected = sandbox::expected_rows(&cfg, cfg.main_bulk_id(), true);
    assert!(expected.len() < 300 && expected.iter().all(|r| r.get("error").is_some()));
    let server = sandbox::start_background(cfg.clone()).unwrap();
    let run = results(&server.endpoint(), cfg.main_bulk_id())
        .args(["--page-size", "50", "--failed-only", "-f", "jsonl"])
        .ok();
    run.same(&run.jsonl(), &expected);
}

#[test]
fn csv_from_the_sandbox_parses_back_to_its_rows() {
    let cfg = SandboxConfig::new(400).with_token(TOKEN);
    let expected = sandbox::expected_rows(&cfg, cfg.main_bulk_id(), false);
    let server = sandbox::start_background(cfg.clone()).unwrap();
    let run = results(&server.endpoint(), cfg.main_bulk_id())
        .args(["--page-size", "100", "-f", "csv"])
        .ok();
    let mut reader = csv::Reader::from_reader(run.stdout().as_bytes());
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    run.same(&records.len(), &expected.len());
    let text = |v: &Value| v.as_str().unwrap_or("").to_string();
    for (record, row) in records.iter().zip(&expected) {
        let fields = ["id", "userIdentifierType", "objectId", "pulseId", "error"];
        for (i, field) in fields.iter().enumerate() {
            assert_eq!(
                record[i],
                text(&row[field]),
                "{field} of {}\n{}",
                row["id"],
                run.describe()
            );
        }
    }
}

#[test]
fn sandbox_rejects_a_wrong_token_and_reports_unfinished_and_unknown_bulks() {
    let cfg = SandboxConfig::new(10).with_token(TOKEN);
    let server = sandbox::start_background(cfg.clone()).unwrap();
    bare(&server.endpoint(), cfg.main_bulk_id())
        .env("DRUID_TOKEN", "wrong")
        .fails(3);
    results(&server.endpoint(), sandbox::PROCESSING_BULK_ID).fails(5);
    results(&server.endpoint(), "no-such-bulk").fails(4);
    let run = results(&server.endpoint(), sandbox::EMPTY_BULK_ID)
        .args(["-f", "jsonl"])
        .ok();
    run.check(run.stdout().is_empty(), "no rows on stdout");
}

#[test]
fn demo_runs_an_export_with_no_setup() {
    let run = druid_bulk(["demo", "-f", "csv", "--rows", "25"]).ok();
    let mut reader = csv::Reader::from_reader(run.stdout().as_bytes());
    run.check(reader.records().count() == 25, "25 CSV records")
        .stderr_has("demo: exporting bulk 018fcf0a-3b2c-7d41-9e5a-6c8b1f2d4e73 from the sandbox\n")
        .stderr_lacks("127.0.0.1");
    // The sandbox's address is for -v.
    druid_bulk(["demo", "-f", "csv", "--rows", "1", "-v"])
        .ok()
        .stderr_has("demo: the sandbox listens at http://127.0.0.1:");

    let run = druid_bulk(["demo", "-f", "table"])
        .env("COLUMNS", "120")
        .ok();
    run.check(
        run.stdout().starts_with("ID "),
        "the table starts with the \"ID\" header",
    );
}

#[test]
fn closed_stdout_ends_quietly_with_exit_0() {
    let cfg = SandboxConfig::new(50_000).with_token(TOKEN);
    let server = sandbox::start_background(cfg.clone()).unwrap();
    for format in ["jsonl", "csv", "json", "table"] {
        let mut running = results(&server.endpoint(), cfg.main_bulk_id())
            .args(["-f", format])
            .spawn();
        {
            let mut first = String::new();
            BufReader::new(running.child.stdout.take().unwrap())
                .read_line(&mut first)
                .unwrap();
            assert!(!first.is_empty());
        } // the reader is dropped here, like `| head -1`
        let run = running.finish();
        run.expect_code(0).check(
            run.stderr_said().is_empty(),
            format_args!("{format}: no error text"),
        );
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
    let run = results(&server.endpoint(), cfg.main_bulk_id())
        .args(["-f", "jsonl", "--page-size", "100"])
        .ok();
    run.same(
        &run.jsonl(),
        &sandbox::expected_rows(&cfg, cfg.main_bulk_id(), false),
    );
}

#[test]
fn a_sandbox_on_every_interface_suggests_a_loopback_endpoint() {
    let mut sandbox = druid_bulk(["sandbox", "--addr", "0.0.0.0:0", "--token", TOKEN]).spawn();
    let mut banner = BufReader::new(sandbox.child.stderr.take().unwrap());
    let mut said = String::new();
    while !said.contains("Ctrl-C stops it.") {
        let before = said.len();
        banner.read_line(&mut said).unwrap();
        assert!(said.len() > before, "the banner ends early: {said}");
    }
    // The command it suggests works as printed (an unspecified address is
    // refused as an endpoint).
    let try_line = said.lines().find(|l| l.starts_with("try:")).unwrap();
    let words: Vec<&str> = try_line.split_whitespace().collect();
    let after = |flag: &str| words[words.iter().position(|w| *w == flag).unwrap() + 1];
    let (bulk, endpoint) = (after("results"), after("-e"));
    let run = druid_bulk(["results", bulk, "-e", endpoint, "-f", "csv"])
        .env("DRUID_TOKEN", TOKEN)
        .run();
    sandbox.signal("INT");
    sandbox.finish_guarded();
    run.expect_code(0);
    run.check(
        said.contains("listening on http://0.0.0.0:") && endpoint.starts_with("http://127.0.0.1:"),
        format_args!("listening on every interface, reached on loopback:\n{said}"),
    );
}

/// `demo --columns list`: the documented fields, then the others the
/// sandbox's first page has, each once.
#[test]
fn the_demo_lists_the_fields_its_rows_have() {
    let documented = ["id", "userIdentifierType", "objectId", "pulseId", "error"];
    let cfg = SandboxConfig::new(40);
    let mut others: Vec<String> = (sandbox::expected_rows(&cfg, cfg.main_bulk_id(), false))
        .iter()
        .flat_map(|row| row.as_object().unwrap().keys().cloned().collect::<Vec<_>>())
        .filter(|name| !documented.contains(&name.as_str()))
        .collect();
    others.sort();
    others.dedup();
    let run = druid_bulk(["demo", "--columns", "list"]).ok();
    let names: Vec<&str> = run.stdout().lines().collect();
    run.same(&&names[..5], &&documented[..]);
    let mut rest: Vec<&str> = names[5..].to_vec();
    rest.sort();
    run.check(!rest.is_empty(), "the sandbox's rows have more fields")
        .same(&rest, &others);
    druid_bulk(["demo", "--submit", "--columns", "list"])
        .fails(2)
        .stderr_has("run `druid-bulk demo --columns list`, without --submit");
}
