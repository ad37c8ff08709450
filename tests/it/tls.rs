//! The CA roots a server is verified with: the system's, or, on a system
//! with none (a static binary in a minimal container image), the bundled
//! Mozilla roots; `-v` says which. On Linux the system's roots come from
//! the usual bundle files, or from `SSL_CERT_FILE`/`SSL_CERT_DIR` when
//! either is set, which is how these tests stand in for a bare system.

use crate::support::*;
use httpmock::prelude::*;
use serde_json::json;

/// A results request for one page of bulk `B1` from a mock server, with
/// the CA locations set to `file` and an empty directory.
fn run_with_cert_file(file: &std::path::Path, verbose: bool) -> Run {
    let api = MockServer::start();
    mock_page(&api, None, page(json!([row("r1", "a")]), None));
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = results(&api.base_url(), "B1");
    cmd.args(["-f", "jsonl"])
        .env("SSL_CERT_FILE", file)
        .env("SSL_CERT_DIR", dir.path());
    if verbose {
        cmd.arg("-v");
    }
    let run = cmd.ok();
    run.stdout_has("\"r1\"");
    run
}

#[test]
fn a_system_with_no_ca_certificates_uses_the_bundled_roots_and_v_says_so() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("none.pem");
    std::fs::write(&empty, "").unwrap();
    run_with_cert_file(&empty, true)
        .stderr_has("tls: no CA certificates found on this system (SSL_CERT_FILE=")
        .stderr_has("verifying servers with the bundled Mozilla roots");
}

#[test]
fn a_missing_ca_bundle_file_is_no_roots_either() {
    let dir = tempfile::tempdir().unwrap();
    run_with_cert_file(&dir.path().join("missing.pem"), true)
        .stderr_has("the bundled Mozilla roots");
}

#[test]
fn the_systems_ca_certificates_are_used_when_it_has_some() {
    let ca = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/fixtures/test-ca.pem");
    run_with_cert_file(&ca, true)
        .stderr_has("tls: verifying servers with the system's CA certificates")
        .stderr_lacks("bundled");
}

#[test]
fn without_v_the_roots_are_not_mentioned() {
    let dir = tempfile::tempdir().unwrap();
    run_with_cert_file(&dir.path().join("missing.pem"), false).stderr_lacks("tls:");
}
