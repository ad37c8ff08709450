//! `druid-bulk status`: one bulk, or all of them, in every format.

use crate::support::*;
use druid_bulk::sandbox::{self, SandboxConfig};
use serde_json::Value;

#[test]
fn status_of_one_bulk_matches_the_server() {
    let cfg = SandboxConfig::new(120).with_token(TOKEN);
    let server = sandbox::start_background(cfg.clone()).unwrap();
    let out = bin()
        .args([
            "status",
            sandbox::PROCESSING_BULK_ID,
            "-e",
            &server.endpoint(),
            "-f",
            "jsonl",
        ])
        .env("DRUID_TOKEN", TOKEN)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let expected = sandbox::expected_status(&cfg, sandbox::PROCESSING_BULK_ID).unwrap();
    assert_eq!(jsonl(&stdout(&out)), vec![expected.clone()]);
    assert_eq!(expected["status"], "processing");
}

#[test]
fn status_of_all_bulks_as_csv_and_table() {
    let cfg = SandboxConfig::new(120).with_token(TOKEN);
    let server = sandbox::start_background(cfg.clone()).unwrap();
    let out = bin()
        .args(["status", "-e", &server.endpoint(), "-f", "csv"])
        .env("DRUID_TOKEN", TOKEN)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let mut reader = csv::Reader::from_reader(out.stdout.as_slice());
    assert_eq!(
        reader.headers().unwrap(),
        vec!["bulkId", "status", "createdAt", "updatedAt"]
    );
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), cfg.bulks.len());
    for (record, bulk) in records.iter().zip(&cfg.bulks) {
        let expected: Value = sandbox::expected_status(&cfg, &bulk.id).unwrap();
        assert_eq!(&record[0], bulk.id);
        assert_eq!(&record[1], expected["status"].as_str().unwrap());
        assert_eq!(&record[2], expected["createdAt"].as_str().unwrap());
    }
    let out = bin()
        .args([
            "status",
            "-e",
            &server.endpoint(),
            "-f",
            "table",
            "--columns",
            "bulkId,status,total",
        ])
        .env("DRUID_TOKEN", TOKEN)
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(text.lines().next().unwrap().starts_with("bulkId"), "{text}");
    assert!(
        text.contains("completed") && text.contains("processing"),
        "{text}"
    );
}

#[test]
fn status_errors_use_the_same_exit_codes() {
    let cfg = SandboxConfig::new(10).with_token(TOKEN);
    let server = sandbox::start_background(cfg).unwrap();
    let out = bin()
        .args(["status", "nope", "-e", &server.endpoint()])
        .env("DRUID_TOKEN", TOKEN)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(4), "{}", stderr(&out));
    let out = bin()
        .args(["status", "-e", &server.endpoint()])
        .env("DRUID_TOKEN", "wrong")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
}
