//! The whole loop against the built-in sandbox: `submit FILE --export OUT
//! --failed-lines OUT2` writes what `results` and `failed-lines` write on
//! their own, from a file or from stdin, CRLF lines byte for byte; a bulk
//! that ends `failed` writes neither (exit 9); `--wait` follows the
//! sandbox's bulk through its statuses.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::submit;
use crate::support::*;
use druid_bulk::sandbox::{self, SandboxConfig};

/// A sandbox whose bulks complete a few milliseconds after they arrive.
fn quick() -> (SandboxConfig, sandbox::Running) {
    let cfg = SandboxConfig::new(1).with_process_time(Duration::from_millis(5));
    (cfg.clone(), sandbox_with(cfg))
}

/// Seven lines and the five of them whose users fail: a bad email (its
/// line ends in CRLF), a phone without `+`, an unknown user (CRLF), a
/// second line of the user with the bad email (it fails with them), and a
/// last line without a line end.
fn users(cfg: &SandboxConfig) -> (String, String) {
    let (a, b, c, d, e) = (
        known(cfg, 1),
        known(cfg, 2),
        known(cfg, 3),
        known(cfg, 4),
        known(cfg, 5),
    );
    let gone = unknown(cfg);
    let lines = [
        (
            format!("{{\"user\":{{\"object_id\":\"{a}\",\"email\":\"ana@example.com\"}}}}\n"),
            false,
        ),
        (
            format!("{{\"user\":{{\"object_id\":\"{b}\",\"email\":\"bob.example.com\"}}}}\r\n"),
            true,
        ),
        (
            format!("{{\"user\":{{\"pulse_id\":\"{c}\",\"phone\":\"600 000 000\"}}}}\n"),
            true,
        ),
        (
            format!("{{ \"objectId\" : \"{d}\", \"name\": \"Zoë\" }}\n"),
            false,
        ),
        (
            format!("{{\"user\":{{\"object_id\":\"{gone}\"}}}}\r\n"),
            true,
        ),
        (
            format!("{{\"user\":{{\"object_id\":\"{b}\",\"phone\":\"+34600000000\"}}}}\n"),
            true,
        ),
        (
            format!("{{\"user\":{{\"object_id\":\"{e}\",\"email\":\"eva\"}}}}"),
            true,
        ),
    ];
    let all = lines.iter().map(|(l, _)| l.as_str()).collect();
    let failed = lines
        .iter()
        .filter(|(_, f)| *f)
        .map(|(l, _)| l.as_str())
        .collect();
    (all, failed)
}

fn read(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The bulk id `submit` printed: stdout is that line and nothing else.
fn bulk_of(run: &Run) -> String {
    let id = run.stdout().strip_suffix('\n').unwrap_or_default();
    run.check(
        !id.is_empty() && !id.contains(char::is_whitespace),
        "stdout is the bulk id alone",
    );
    id.to_string()
}

#[test]
fn export_and_failed_lines_write_what_results_and_failed_lines_write() {
    let (cfg, server) = quick();
    let (text, failed) = users(&cfg);
    let (dir, path) = users_file(&text);
    let at = |name: &str| -> PathBuf { dir.path().join(name) };
    let run = submit(&server.endpoint(), &path)
        .arg("--export")
        .arg(at("failures.csv"))
        .arg("--failed-lines")
        .arg(at("fix.jsonl"))
        .ok();
    let bulk = bulk_of(&run);
    run.stderr_has(&format!("bulk {bulk} has completed"))
        .stderr_has("7 rows in 1 page to")
        .stderr_has(
            "5 of 7 input lines failed; 0 failures matched no input line; \
             0 input lines had no identifier",
        );

    // The failed lines, CRLF and all, in input order.
    run.same(&String::from_utf8(read(&at("fix.jsonl"))).unwrap(), &failed);
    run.check(
        read(&at("fix.jsonl"))
            .windows(2)
            .filter(|w| w == b"\r\n")
            .count()
            == 2,
        "both CRLF line ends kept",
    );

    // The same bytes as the separate commands.
    results(&server.endpoint(), &bulk)
        .arg("-o")
        .arg(at("results.csv"))
        .ok();
    failed_lines(&server.endpoint(), &bulk, &path)
        .arg("-o")
        .arg(at("failed-lines.jsonl"))
        .ok();
    run.same(&read(&at("failures.csv")), &read(&at("results.csv")))
        .same(&read(&at("fix.jsonl")), &read(&at("failed-lines.jsonl")));
}

#[test]
fn failed_lines_of_stdin_come_from_the_copy_that_was_sent() {
    let (cfg, server) = quick();
    let (text, failed) = users(&cfg);
    let dir = tempfile::tempdir().unwrap();
    let fix = dir.path().join("fix.jsonl");
    let run = submit(&server.endpoint(), Path::new("-"))
        .arg("--failed-lines")
        .arg(&fix)
        .stdin(text.clone())
        .ok();
    bulk_of(&run);
    run.same(&String::from_utf8(read(&fix)).unwrap(), &failed)
        .stderr_has("submitted <stdin> as bulk")
        .stderr_has("5 of 7 input lines failed");
}

#[test]
fn line_options_and_the_gate_apply_to_the_failed_lines() {
    let (cfg, server) = quick();
    let (text, _) = users(&cfg);
    let (dir, path) = users_file(&text);
    let fix = dir.path().join("fix.jsonl");
    // --annotate: the line numbers of the failed lines; --fail-on-rows: 8.
    let run = submit(&server.endpoint(), &path)
        .arg("--failed-lines")
        .arg(&fix)
        .args(["--annotate", "--fail-on-rows", "--page-size", "2"])
        .fails(8);
    let annotated = jsonl(&String::from_utf8(read(&fix)).unwrap());
    let numbers: Vec<u64> = annotated
        .iter()
        .map(|a| a["line"].as_u64().unwrap())
        .collect();
    run.same(&numbers, &vec![2, 3, 5, 6, 7]).same(
        &annotated[0]["error"],
        &serde_json::json!("Invalid email \"bob.example.com\", expected user@domain"),
    );
    // Pointers that find no identifier: nothing matches.
    let run = submit(&server.endpoint(), &path)
        .arg("--failed-lines")
        .arg(&fix)
        .args(["--object-id-at", "/ids/oid", "--pulse-id-at", "/ids/pid"])
        .ok();
    run.same(&read(&fix), &Vec::<u8>::new())
        .stderr_has("7 input lines have no identifier at /ids/oid, /ids/pid");
    // No failures: the gate stays open.
    let (_other, good) = users_file(
        text.lines().next().unwrap(), // ana, who succeeds
    );
    let run = submit(&server.endpoint(), &good)
        .arg("--failed-lines")
        .arg(&fix)
        .arg("--fail-on-rows")
        .ok();
    run.same(&read(&fix), &Vec::<u8>::new())
        .stderr_has("0 of 1 input line failed");
}

#[test]
fn a_bulk_that_ends_failed_is_exit_9_and_writes_neither_file() {
    let cfg = (SandboxConfig::new(1))
        .with_process_time(Duration::from_millis(5))
        .with_failing_bulks();
    let server = sandbox_with(cfg.clone());
    let (text, _) = users(&cfg);
    let (dir, path) = users_file(&text);
    let run = submit(&server.endpoint(), &path)
        .arg("--export")
        .arg(dir.path().join("failures.csv"))
        .arg("--failed-lines")
        .arg(dir.path().join("fix.jsonl"))
        .fails(9);
    let bulk = bulk_of(&run);
    run.stderr_has(&format!("bulk {bulk} failed (status `failed`"));
    let left: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    run.same(&left, &vec!["users.jsonl".to_string()]);
}

/// The sandbox's status of `bulk`.
fn status_of(endpoint: &str, bulk: &str) -> String {
    status_jsonl(endpoint, Some(bulk)).jsonl()[0]["status"]
        .as_str()
        .unwrap()
        .to_string()
}

#[test]
fn wait_follows_a_sandbox_bulk_through_its_statuses() {
    // An hour of process time, stepped through by moving the sandbox's
    // clock: received, scheduled (at a quarter), processing (at a half),
    // completed (at the end). `submit --wait` must still be waiting after
    // polling each unfinished status, and end once the bulk has completed.
    let process_time = Duration::from_secs(3600);
    let server = sandbox_with(SandboxConfig::new(1).with_process_time(process_time));
    let (dir, path) = users_file("{\"user\":{\"object_id\":\"a\"}}\n");
    let mut running = submit(&server.endpoint(), &path).arg("--wait").spawn();
    let mut id = String::new();
    std::io::BufRead::read_line(
        &mut std::io::BufReader::new(running.child.stdout.as_mut().unwrap()),
        &mut id,
    )
    .unwrap();
    let bulk = id.trim_end().to_string();
    for (status, then) in [
        ("received", process_time / 4),
        ("scheduled", process_time / 4),
        ("processing", process_time / 2),
    ] {
        assert_eq!(status_of(&server.endpoint(), &bulk), status);
        // Two more requests than this test's own: submit has polled this
        // status, and asked again after it.
        let seen = server.hits();
        wait_for("submit to poll", || server.hits() >= seen + 2);
        assert!(
            !running.ended(),
            "submit --wait ended while the bulk was {status}"
        );
        server.advance(then);
    }
    let run = running.finish_guarded();
    run.expect_code(0)
        .stderr_has(&format!("bulk {bulk} has completed"));
    run.same(&status_of(&server.endpoint(), &bulk), &"completed");
    drop(dir);
}
