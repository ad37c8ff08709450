//! `failed-lines` against the built-in sandbox: a whole bulk joined to an
//! input made from its rows, an unfinished and flaky bulk with `--wait`, and
//! Ctrl-C while the failures are fetched.

use super::*;
use druid_bulk::sandbox::{self, Faults, SandboxConfig};

/// Input lines for the sandbox bulk's rows: each failed user on two
/// lines (one with its id in `user`, one at the top level), every
/// other user once, and lines of users the bulk never saw.
fn input_for(cfg: &SandboxConfig) -> (String, String, u64) {
    let rows = sandbox::expected_rows(cfg, cfg.main_bulk_id(), false);
    let (mut input, mut failed, mut failures) = (String::new(), String::new(), 0);
    for (i, row) in rows.iter().enumerate() {
        let (key, id) = match row["userIdentifierType"].as_str().unwrap() {
            "object_id" => ("object_id", row["objectId"].as_str().unwrap()),
            _ => ("pulse_id", row["pulseId"].as_str().unwrap()),
        };
        let line = format!("{{\"user\":{{\"{key}\":\"{id}\"}},\"n\":{i}}}\n");
        input.push_str(&line);
        input.push_str(&format!("{{\"user\":{{\"{key}\":\"never-{i}\"}}}}\n"));
        if row.get("error").is_some() {
            let again = format!("{{\"{key}\":\"{id}\",\"again\":true}}\r\n");
            input.push_str(&again);
            failed.push_str(&line);
            failed.push_str(&again);
            failures += 1;
        }
    }
    (input, failed, failures)
}

#[test]
fn the_failed_lines_of_a_sandbox_bulk() {
    let cfg = SandboxConfig::new(500).with_token(TOKEN);
    let (input, expected, failures) = input_for(&cfg);
    let server = sandbox::start_background(cfg.clone()).unwrap();
    let (_dir, path) = users_file(&input);
    let run = failed_lines(&server.endpoint(), cfg.main_bulk_id(), &path)
        .args(["--page-size", "40"])
        .ok();
    run.same(&run.stdout(), &expected.as_str());
    let lines = input.lines().count();
    run.same(
        &last_line(&run),
        &format!(
            "{} of {lines} input lines failed; 0 failures matched no input line; \
             0 input lines had no identifier",
            failures * 2
        )
        .as_str(),
    );
}

#[test]
fn an_unfinished_flaky_bulk_gives_the_same_lines_with_wait() {
    let cfg = SandboxConfig::new(300)
        .with_token(TOKEN)
        .with_faults(Faults {
            not_ready_for: 2,
            fail_rate: 0.3,
            ..Faults::default()
        });
    let (input, expected, _) = input_for(&cfg);
    let server = sandbox::start_background(cfg.clone()).unwrap();
    let run = failed_lines(&server.endpoint(), cfg.main_bulk_id(), "-")
        .args(["--page-size", "25", "--retries", "10"])
        .stdin(input.clone())
        .fails(5);
    run.stderr_has("re-run with --wait");
    let run = failed_lines(&server.endpoint(), cfg.main_bulk_id(), "-")
        .args(["--page-size", "25", "--retries", "10", "--wait"])
        .stdin(input)
        .ok();
    run.same(&run.stdout(), &expected.as_str());
}

#[cfg(unix)]
#[test]
fn ctrl_c_while_fetching_leaves_o_as_it_was() {
    let (cfg, server) = slow_sandbox(2_000, 20);
    let (dir, input) = users_file("{\"objectId\":\"o1\"}\n");
    let out = input_file(dir.path(), "fix.jsonl", "earlier run\n");
    let child = failed_lines(&server.endpoint(), cfg.main_bulk_id(), &input)
        .args(["--page-size", "10", "-o"])
        .arg(&out)
        // The grace period after Ctrl-C is a ceiling here, not a wait.
        .real_clock()
        .spawn();
    wait_for("three requests", || server.hits() >= 3);
    child.signal("INT");
    let run = child.finish_guarded();
    run.expect_code(130)
        .stderr_has("interrupted by SIGINT (Ctrl-C) while fetching the failures of bulk")
        .stderr_has("nothing was written to -o");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "earlier run\n");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
}
