//! Ctrl-C, SIGTERM and `kill -9` in the middle of an export: whole pages
//! only, a cursor or checkpoint that continues, and every row exactly once;
//! and a signal still ends the run when stdout is a pipe nobody reads.
#![cfg(unix)]

use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use crate::support::*;
use druid_bulk::sandbox::{self, Faults, SandboxConfig};
use serde_json::Value;

const ROWS: u64 = 6_000;
const PAGE: &str = "50";

/// The export, on the real clock: the grace period after a signal is a
/// ceiling these runs must stay under (they close their output between two
/// pages at once), not a wait; the test clock would make it 2 ms.
fn spawn(endpoint: &str, bulk: &str, args: &[&str], stdout: Stdio) -> Running {
    results(endpoint, bulk)
        .args(["--page-size", PAGE])
        .args(args)
        .real_clock()
        .spawn_with(Some(stdout))
}

/// The export on the test clock, for a run stuck on a pipe that sits
/// through the whole grace period (2 s, so 2 ms).
fn spawn_stuck(endpoint: &str, bulk: &str) -> Running {
    results(endpoint, bulk)
        .args(["--page-size", PAGE, "-f", "jsonl"])
        .spawn_with(Some(Stdio::piped()))
}

fn lines(path: &Path) -> usize {
    std::fs::read_to_string(path)
        .map(|t| t.lines().count())
        .unwrap_or(0)
}

fn ids(rows: &[Value]) -> Vec<String> {
    rows.iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect()
}

/// The `--last` value from a "resume right after them with --last X" hint.
fn resume_cursor(stderr: &str) -> String {
    let at = stderr
        .rfind("--last ")
        .unwrap_or_else(|| panic!("no --last in: {stderr}"));
    stderr[at + 7..]
        .split_whitespace()
        .next()
        .unwrap()
        .to_string()
}

#[test]
fn sigint_flushes_whole_pages_and_the_cursor_resumes_with_nothing_lost() {
    let (cfg, server) = slow_sandbox(ROWS, 5);
    let expected = ids(&sandbox::expected_rows(&cfg, cfg.main_bulk_id(), false));
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first.jsonl");
    let child = spawn(
        &server.endpoint(),
        cfg.main_bulk_id(),
        &["-f", "jsonl"],
        File::create(&first).unwrap().into(),
    );
    wait_for("two pages", || lines(&first) >= 100);
    child.signal("INT");
    let run = child.finish();
    run.expect_code(130).stderr_has("interrupted by SIGINT");

    let got = jsonl(&std::fs::read_to_string(&first).unwrap());
    run.check(got.len() < expected.len(), "interrupted before the end")
        .check(
            got.len().is_multiple_of(50),
            format_args!("whole pages only: {}", got.len()),
        );

    let rest = results(&server.endpoint(), cfg.main_bulk_id())
        .args([
            "--page-size",
            PAGE,
            "-f",
            "jsonl",
            "--last",
            &resume_cursor(run.stderr()),
        ])
        .ok();
    let mut all = ids(&got);
    all.extend(ids(&rest.jsonl()));
    assert_eq!(all, expected, "every row exactly once\n{}", rest.describe());
}

#[test]
fn sigterm_closes_a_json_array_so_it_stays_valid() {
    let (cfg, server) = slow_sandbox(ROWS, 5);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.json");
    let child = spawn(
        &server.endpoint(),
        cfg.main_bulk_id(),
        &["-f", "json"],
        File::create(&path).unwrap().into(),
    );
    wait_for("two pages", || lines(&path) >= 100);
    child.signal("TERM");
    let run = child.finish();
    run.expect_code(130);
    let rows: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).expect("a valid JSON array");
    run.check(
        rows.as_array().unwrap().len().is_multiple_of(50),
        "whole pages only",
    )
    .stderr_has("--last ");
}

#[test]
fn kill_9_then_the_same_command_yields_every_row_exactly_once() {
    let (cfg, server) = slow_sandbox(ROWS, 5);
    let expected = ids(&sandbox::expected_rows(&cfg, cfg.main_bulk_id(), false));
    let dir = tempfile::tempdir().unwrap();
    let out_path = dir.path().join("out.csv");
    let cp_path = dir.path().join("out.checkpoint");
    let args = [
        "-o",
        out_path.to_str().unwrap(),
        "--checkpoint",
        cp_path.to_str().unwrap(),
    ];
    for round in 0..2 {
        let mut child = spawn(&server.endpoint(), cfg.main_bulk_id(), &args, Stdio::null());
        let target = 300 * (round + 1);
        wait_for("a checkpoint", || {
            std::fs::read_to_string(&cp_path)
                .ok()
                .and_then(|t| serde_json::from_str::<Value>(&t).ok())
                .is_some_and(|c| c["rows"].as_u64().unwrap_or(0) >= target)
        });
        child.child.kill().unwrap(); // SIGKILL: no chance to clean up
        child.child.wait().unwrap();
    }
    let done = spawn(&server.endpoint(), cfg.main_bulk_id(), &args, Stdio::null()).finish();
    done.expect_code(0);
    let text = std::fs::read_to_string(&out_path).unwrap();
    done.check(
        text.matches("id,userIdentifierType").count() == 1,
        "one header",
    );
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let got: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .collect();
    assert_eq!(
        got,
        expected,
        "every row exactly once, in order\n{}",
        done.describe()
    );
}

/// Wait until the export stops asking for pages: its writer is stuck.
/// Stuck is not an event the test can see, so: no new request over 30
/// polls 5 ms apart, while the sandbox answers in 5 ms (a writer that still
/// wrote would ask for the next page many times over in that span).
fn wait_for_stall(server: &sandbox::Running) {
    wait_for("requests", || server.hits() >= 3);
    let mut before = server.hits();
    let mut quiet = 0;
    wait_for("the export to stall on the full pipe", || {
        let now = server.hits();
        quiet = if now == before { quiet + 1 } else { 0 };
        before = now;
        quiet >= 30
    });
}

/// The rows a stuck pipe received up to the resume cursor's row, which must
/// all be whole; then the rest fetched with `--last`: every row exactly once.
fn check_resume_from_stuck_pipe(
    run: &Run,
    endpoint: &str,
    bulk: &str,
    mut stuck: std::process::ChildStdout,
    expected: &[String],
) {
    let mut held = Vec::new();
    stuck.read_to_end(&mut held).unwrap();
    let held = String::from_utf8_lossy(&held);
    let cursor = resume_cursor(run.stderr());
    let needle = format!("\"id\":\"{cursor}\"");
    let whole = held
        .lines()
        .position(|l| l.contains(&needle))
        .unwrap_or_else(|| panic!("no row {cursor} in stdout\n\n{}", run.describe()));
    let got = jsonl(&held.lines().take(whole + 1).collect::<Vec<_>>().join("\n"));
    run.check(got.len() < expected.len(), "stuck before the end")
        .check(
            got.len().is_multiple_of(50),
            format_args!("the cursor follows a whole page: {}", got.len()),
        );
    let rest = results(endpoint, bulk)
        .args(["--page-size", PAGE, "-f", "jsonl", "--last", &cursor])
        .ok();
    let mut all = ids(&got);
    all.extend(ids(&rest.jsonl()));
    assert_eq!(all, expected, "every row exactly once\n{}", rest.describe());
}

#[test]
fn sigterm_ends_an_export_stuck_on_a_full_pipe_after_the_grace_period() {
    let (cfg, server) = slow_sandbox(ROWS, 5);
    let bulk = cfg.main_bulk_id();
    let expected = ids(&sandbox::expected_rows(&cfg, bulk, false));
    let mut child = spawn_stuck(&server.endpoint(), bulk);
    let stuck = child.child.stdout.take().unwrap(); // never read while it runs
    wait_for_stall(&server);
    child.signal("TERM");
    // The grace period (2 s, on the test clock) ended it: the message says
    // so, where a second signal would have said "interrupted again".
    let run = child.finish_guarded();
    run.expect_code(130)
        .stderr_has("interrupted by SIGTERM, and the output could not be closed within 2s")
        .stderr_has("stdout may end in part of a page after the last whole one")
        .stderr_lacks("interrupted again");
    check_resume_from_stuck_pipe(&run, &server.endpoint(), bulk, stuck, &expected);
}

#[test]
fn a_second_sigint_ends_an_export_stuck_on_a_full_pipe_at_once() {
    let (cfg, server) = slow_sandbox(ROWS, 5);
    let bulk = cfg.main_bulk_id();
    let expected = ids(&sandbox::expected_rows(&cfg, bulk, false));
    // On the real clock: the 2 s grace period must not end it first.
    let mut child = spawn(&server.endpoint(), bulk, &["-f", "jsonl"], Stdio::piped());
    let stuck = child.child.stdout.take().unwrap();
    wait_for_stall(&server);
    // Signals sent close together may arrive as one: send SIGINT every few
    // milliseconds until it ends. The first starts the grace period, any
    // later one is the second.
    wait_for("the export to end", || {
        if !child.ended() {
            let _ = std::process::Command::new("kill")
                .args(["-INT", &child.id().to_string()])
                .status();
        }
        child.ended()
    });
    let run = child.finish_guarded();
    run.expect_code(130)
        .stderr_has("interrupted again by SIGINT (Ctrl-C): stopped at once")
        .stderr_lacks("could not be closed within")
        .stderr_has("stdout may end in part of a page");
    check_resume_from_stuck_pipe(&run, &server.endpoint(), bulk, stuck, &expected);
}

#[test]
fn sigint_with_a_reading_consumer_still_flushes_whole_pages() {
    let (cfg, server) = slow_sandbox(ROWS, 5);
    let bulk = cfg.main_bulk_id();
    let expected = ids(&sandbox::expected_rows(&cfg, bulk, false));
    let mut child = spawn(&server.endpoint(), bulk, &["-f", "jsonl"], Stdio::piped());
    let mut stdout = child.child.stdout.take().unwrap();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        stdout.read_to_string(&mut text).unwrap();
        text
    });
    wait_for("some pages", || server.hits() >= 5);
    child.signal("INT");
    let run = child.finish_guarded();
    run.expect_code(130)
        .stderr_has("error: interrupted by SIGINT (Ctrl-C)\n")
        .stderr_lacks("stopped at once");
    let got = jsonl(&reader.join().unwrap());
    run.check(got.len() < expected.len(), "interrupted before the end")
        .check(
            got.len().is_multiple_of(50),
            format_args!("whole pages only: {}", got.len()),
        );
    let rest = results(&server.endpoint(), bulk)
        .args(["--page-size", PAGE, "-f", "jsonl"])
        .args(["--last", &resume_cursor(run.stderr())])
        .ok();
    let mut all = ids(&got);
    all.extend(ids(&rest.jsonl()));
    assert_eq!(all, expected, "every row exactly once\n{}", rest.describe());
}

#[test]
fn sigterm_ends_the_export_when_stderr_is_the_same_stuck_pipe() {
    let (cfg, server) = slow_sandbox(ROWS, 5);
    let mut child =
        // On the test clock: the grace period is sat through.
        TestCommand::shell(r#"exec "$0" results "$1" -e "$2" --page-size 50 -f jsonl 2>&1"#)
            .args([cfg.main_bulk_id(), &server.endpoint()])
            .spawn_with(Some(Stdio::piped()));
    let _stuck = child.child.stdout.take().unwrap();
    wait_for_stall(&server);
    child.signal("TERM");
    let run = child.finish_guarded();
    run.expect_code(130);
}

/// A slow sandbox with three bulks: the main one (6,000 rows), a small one
/// that finishes at once and a middle one.
fn slow_bulks() -> (SandboxConfig, sandbox::Running, [String; 3]) {
    let mut cfg = SandboxConfig::new(ROWS)
        .with_token(TOKEN)
        .with_faults(Faults {
            latency: Duration::from_millis(5),
            ..Faults::default()
        });
    for (id, rows) in [("b-small", 60), ("b-mid", 3_000)] {
        cfg.bulks.push(sandbox::Bulk {
            id: id.into(),
            rows,
            ready: true,
        });
    }
    let server = sandbox::start_background(cfg.clone()).unwrap();
    let ids = [
        cfg.main_bulk_id().to_string(),
        "b-small".into(),
        "b-mid".into(),
    ];
    (cfg, server, ids)
}

/// Every row of these bulks as `(bulk, id)`, sorted.
fn expected_pairs(cfg: &SandboxConfig, bulks: &[String]) -> Vec<(String, String)> {
    let mut all: Vec<(String, String)> = bulks
        .iter()
        .flat_map(|b| {
            ids(&sandbox::expected_rows(cfg, b, false))
                .into_iter()
                .map(move |id| (b.clone(), id))
        })
        .collect();
    all.sort();
    all
}

/// `(bulkId, id)` of tagged rows.
fn pairs(rows: &[Value]) -> Vec<(String, String)> {
    rows.iter()
        .map(|r| {
            let field = |f: &str| r[f].as_str().unwrap().to_string();
            (field("bulkId"), field("id"))
        })
        .collect()
}

/// What the hint of an interrupted run says to do: the same command again,
/// or these commands (`druid-bulk results BULK [--last CURSOR]`, in
/// backticks) with the same other options.
enum Next {
    Again,
    Commands(Vec<Vec<String>>),
}

fn next_step(stderr: &str) -> Next {
    if stderr.contains("run the same command again") {
        return Next::Again;
    }
    let commands: Vec<Vec<String>> = stderr
        .split('`')
        .skip(1)
        .step_by(2)
        .filter_map(|c| c.strip_prefix("druid-bulk "))
        .map(|c| c.split_whitespace().map(String::from).collect())
        .collect();
    assert!(!commands.is_empty(), "no step to follow in: {stderr}");
    Next::Commands(commands)
}

/// Interrupt a three-bulk export once a page of the main bulk and the small
/// bulk are out, follow the printed hint literally, and check that what the
/// runs wrote together is every row of every bulk exactly once.
fn interrupt_many_and_follow_the_hint(to_file: bool, checkpoint: bool) {
    let (cfg, server, bulks) = slow_bulks();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.jsonl");
    let first = dir.path().join("first.jsonl");
    let cp = dir.path().join("out.checkpoint");
    let mut args: Vec<&str> = vec![&bulks[1], &bulks[2], "--concurrency", "3", "-f", "jsonl"];
    if to_file {
        args.extend(["-o", out.to_str().unwrap()]);
    }
    if checkpoint {
        args.extend(["--checkpoint", cp.to_str().unwrap()]);
    }
    let stdout = if to_file {
        Stdio::null()
    } else {
        File::create(&first).unwrap().into()
    };
    let child = spawn(&server.endpoint(), &bulks[0], &args, stdout);
    if checkpoint {
        // The small bulk complete, the others under way.
        wait_for("a checkpoint of several bulks", || {
            std::fs::read_to_string(&cp)
                .ok()
                .and_then(|t| serde_json::from_str::<Value>(&t).ok())
                .is_some_and(|c| {
                    c["bulks"][1]["complete"] == true && c["rows"].as_u64() >= Some(300)
                })
        });
    } else {
        wait_for("rows of several bulks", || server.hits() >= 20);
    }
    child.signal("INT");
    let run = child.finish();
    run.expect_code(130).stderr_has("interrupted by SIGINT");
    if to_file && !checkpoint {
        run.stderr_has("hint: kept ");
    }
    let mut got = if to_file {
        Vec::new()
    } else {
        pairs(&jsonl(&std::fs::read_to_string(&first).unwrap()))
    };
    run.check(
        got.len() < expected_pairs(&cfg, &bulks).len(),
        "interrupted before the end",
    );
    match next_step(run.stderr()) {
        Next::Again => {
            let again = spawn(&server.endpoint(), &bulks[0], &args, Stdio::null()).finish();
            again.expect_code(0);
            if checkpoint {
                again
                    .stderr_has("resuming from")
                    .stderr_has("bulk b-small: complete in an earlier run");
            } else if to_file {
                again.stderr_has("continuing the ");
            }
            if !to_file {
                got.extend(pairs(&again.jsonl()));
            }
        }
        Next::Commands(commands) => {
            for command in commands {
                let bulk = command[1].clone();
                let mut cmd = druid_bulk(&command);
                cmd.args(["-e", &server.endpoint(), "--page-size", PAGE, "-f", "jsonl"])
                    .env("DRUID_TOKEN", TOKEN);
                if to_file {
                    // The same other options: the same -o.
                    cmd.args(["-o", out.to_str().unwrap()]);
                }
                let rest = cmd.ok();
                if !to_file {
                    got.extend(ids(&rest.jsonl()).into_iter().map(|id| (bulk.clone(), id)));
                }
            }
        }
    }
    if to_file {
        let text = std::fs::read_to_string(&out).unwrap();
        got.extend(pairs(&jsonl(&text)));
    }
    got.sort();
    assert_eq!(
        got,
        expected_pairs(&cfg, &bulks),
        "every row of every bulk exactly once\n{}",
        run.describe()
    );
}

#[test]
fn sigint_with_several_bulks_to_stdout_gives_a_resume_command_per_unfinished_bulk() {
    interrupt_many_and_follow_the_hint(false, false);
}

#[test]
fn sigint_with_several_bulks_and_o_keeps_the_pages_and_the_same_command_continues() {
    interrupt_many_and_follow_the_hint(true, false);
}

#[test]
fn sigint_with_several_bulks_and_a_checkpoint_resumes_each_unfinished_bulk_only() {
    interrupt_many_and_follow_the_hint(true, true);
}
