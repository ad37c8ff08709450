//! A bug inside the tool never ends a run as if it had worked: each kind of
//! task is made to panic in turn (`DRUID_BULK_PANIC_AT`, read by debug
//! builds only), and every run must exit 70 with one `internal error` line,
//! `-o` as it was, no checkpoint marked complete, and no note that claims
//! more than what is on disk.

use std::path::{Path, PathBuf};

use httpmock::prelude::*;
use serde_json::json;

use crate::support::*;

/// What `-o` held before each run: it must hold it after.
const BEFORE: &str = "what the file held before\n";

/// A fresh `-o` holding [`BEFORE`], in its own folder.
fn old_output(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(name);
    std::fs::write(&path, BEFORE).unwrap();
    (dir, path)
}

/// What every run that hit a bug shows: exit 70, the one line to report,
/// no claim that the report was written or may be resumed with a cursor.
#[track_caller]
fn is_a_bug(run: &Run, point: &str) {
    run.expect_code(70)
        .stderr_has("error: internal error in druid-bulk ")
        .stderr_has(&format!("fault point {point} reached"))
        .stderr_has("this is a bug; please report it with this line")
        .stderr_lacks("stopped after")
        .stderr_lacks("panicked at")
        .stderr_lacks("--last");
    let reports = run.stderr().matches("internal error in").count();
    run.same(&reports, &1);
    // No summary: `N rows in M pages to OUT (0.1s)`.
    let summary = (run.stderr().lines())
        .find(|l| l.starts_with(|c: char| c.is_ascii_digit()) && l.contains(" to "));
    run.same(&summary, &None);
}

#[track_caller]
fn untouched(run: &Run, path: &Path) {
    run.same(&std::fs::read_to_string(path).unwrap(), &BEFORE.to_string());
    let left: Vec<_> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".partial"))
        .collect();
    run.check(
        left.is_empty(),
        format_args!("temporary files left: {left:?}"),
    );
}

/// `cmd -o NAME`, NAME a fresh file holding [`BEFORE`], panicking at
/// `point` (`NAME[@N]`): a bug, and the file as it was. The run, for more.
#[track_caller]
fn leaves_old_output(cmd: &mut TestCommand, point: &str, name: &str) -> Run {
    let (_dir, out) = old_output(name);
    let run = cmd
        .arg("-o")
        .arg(&out)
        .env("DRUID_BULK_PANIC_AT", point)
        .run();
    is_a_bug(&run, point.split('@').next().unwrap());
    untouched(&run, &out);
    run
}

/// Whether the checkpoint at `path` says the export is complete.
fn complete(path: &Path) -> bool {
    std::fs::read_to_string(path)
        .ok()
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .is_some_and(|c| c["complete"] == json!(true))
}

#[cfg(feature = "sandbox")]
mod sandboxed {
    use super::*;
    use druid_bulk::sandbox::SandboxConfig;

    /// `results` of the sandbox's main bulk (`rows` rows, pages of `page`)
    /// panicking at `point`, twice: to a fresh `-o name` that must be left as
    /// it was, and with `--checkpoint` too, which must not be marked complete.
    fn export_panics_at(point: &str, rows: u64, page: u64, name: &str) {
        export_panics(point, rows, page, name, true);
    }

    /// [`export_panics_at`], with `--checkpoint` as well or not.
    fn export_panics(point: &str, rows: u64, page: u64, name: &str, checkpoint: bool) {
        let (cfg, server) = start_sandbox(rows);
        let (dir, out) = old_output(name);
        let export = || {
            let mut cmd = results(&server.endpoint(), cfg.main_bulk_id());
            cmd.args(["--page-size", &page.to_string(), "-o"])
                .arg(&out)
                .env("DRUID_BULK_PANIC_AT", point)
                .env_remove("RUST_BACKTRACE");
            cmd
        };
        let name = point.split('@').next().unwrap();
        let run = export().run();
        is_a_bug(&run, name);
        untouched(&run, &out);
        // No backtrace without RUST_BACKTRACE: the line, and a hint if the
        // run got to say one (a panic of the writer's own thread does not).
        let said = run.stderr_said();
        let hints = said.lines().filter(|l| l.starts_with("hint: ")).count();
        run.same(&said.lines().count(), &(1 + hints));
        if hints > 0 {
            run.stderr_has("hint: nothing was written to -o");
        }

        if !checkpoint {
            return;
        }
        let state = dir.path().join("state");
        let run = export().arg("--checkpoint").arg(&state).run();
        is_a_bug(&run, name);
        run.check(!complete(&state), "the checkpoint is not complete");
    }

    #[test]
    fn a_page_fetcher_that_panics_mid_export_commits_nothing() {
        export_panics_at("page-fetch@3", 500, 100, "out.csv");
    }

    #[test]
    fn a_panic_before_the_first_page_is_not_a_max_rows_stop() {
        let (cfg, server) = start_sandbox(5);
        let mut cmd = results(&server.endpoint(), cfg.main_bulk_id());
        cmd.args(["--max-rows", "3", "--fail-on-rows"]);
        leaves_old_output(&mut cmd, "page-fetch", "gate.csv");
    }

    #[test]
    fn the_request_sent_ahead_that_panics_is_not_asked_again() {
        export_panics_at("ahead@2", 500, 100, "out.jsonl");
    }

    #[test]
    fn a_writer_that_panics_leaves_the_output_as_it_was() {
        export_panics_at("writer@2", 500, 100, "out.json");
    }

    #[test]
    fn a_background_sync_that_panics_is_seen_before_the_commit() {
        // A sync starts behind the writes every 8 MiB: 60,000 JSON lines
        // are well over that. (With --checkpoint every page is synced
        // before it is recorded, so nothing is left to sync behind.)
        export_panics("sync", 60_000, 5000, "big.jsonl", false);
    }

    #[test]
    fn with_rust_backtrace_the_report_line_comes_with_a_backtrace() {
        let (cfg, server) = start_sandbox(5);
        let run = results(&server.endpoint(), cfg.main_bulk_id())
            .env("DRUID_BULK_PANIC_AT", "writer")
            .env("RUST_BACKTRACE", "1")
            .run();
        is_a_bug(&run, "writer");
        run.stderr_has("druid_bulk::bug::point");
    }

    #[test]
    fn a_checkpoint_save_that_panics_leaves_no_complete_checkpoint() {
        let (cfg, server) = start_sandbox(300);
        let dir = tempfile::tempdir().unwrap();
        let (out, state) = (dir.path().join("out.jsonl"), dir.path().join("state"));
        let run = results(&server.endpoint(), cfg.main_bulk_id())
            .args(["--page-size", "100", "-o"])
            .arg(&out)
            .arg("--checkpoint")
            .arg(&state)
            .env("DRUID_BULK_PANIC_AT", "checkpoint@2")
            .run();
        is_a_bug(&run, "checkpoint");
        run.check(!complete(&state), "the checkpoint is not complete");
        // What the checkpoint kept is true: the same command finishes the
        // export with every row once.
        let again = results(&server.endpoint(), cfg.main_bulk_id())
            .args(["--page-size", "100", "-o"])
            .arg(&out)
            .arg("--checkpoint")
            .arg(&state)
            .ok();
        again.check(complete(&state), "the checkpoint is complete");
        let rows = jsonl(&std::fs::read_to_string(&out).unwrap());
        let ids: std::collections::HashSet<String> =
            rows.iter().map(|r| r["id"].to_string()).collect();
        again.same(&rows.len(), &300).same(&ids.len(), &300);
    }

    #[test]
    fn several_bulks_with_a_panic_are_not_a_success() {
        let (cfg, server) = start_sandbox(50);
        let main = cfg.main_bulk_id();
        let mut cmd = results(&server.endpoint(), main);
        cmd.arg(main).args(["--page-size", "10"]);
        leaves_old_output(&mut cmd, "page-fetch@4", "many.csv");
    }

    #[test]
    fn a_panic_while_sending_a_bulk_is_exit_70_and_never_sent_again() {
        let cfg = SandboxConfig::new(1);
        let server = sandbox_with(cfg);
        let (_dir, file) = users_file("{\"user\":{\"object_id\":\"o1\"},\"data\":{\"x\":1}}\n");
        let run = druid_bulk(["submit", "-e", &server.endpoint()])
            .arg(&file)
            .env("DRUID_TOKEN", TOKEN)
            .env("DRUID_BULK_PANIC_AT", "upload")
            .run();
        is_a_bug(&run, "upload");
        run.same(&run.stdout(), &"");
        // No bulk was created by a second try.
        let listed = status_jsonl(&server.endpoint(), None);
        let submitted = listed.jsonl().len();
        let fresh = status_jsonl(&sandbox_with(SandboxConfig::new(1)).endpoint(), None);
        listed.same(&submitted, &fresh.jsonl().len());
    }

    #[test]
    fn a_panic_in_the_join_of_failed_lines_writes_nothing() {
        let (cfg, server) = start_sandbox(20);
        let (dir, out) = old_output("failed.jsonl");
        let input = dir.path().join("in.jsonl");
        std::fs::write(&input, "{\"user\":{\"object_id\":\"o1\"}}\n".repeat(3)).unwrap();
        let run = failed_lines(&server.endpoint(), cfg.main_bulk_id(), &input)
            .arg("-o")
            .arg(&out)
            .env("DRUID_BULK_PANIC_AT", "join@2")
            .run();
        is_a_bug(&run, "join");
        untouched(&run, &out);
    }
}

/// `command B1` with client credentials against `server`, which grants a
/// token and serves one page of B1.
fn with_token_server(server: &MockServer, command: &str) -> TestCommand {
    server.mock(|when, then| {
        when.method(POST).path("/oauth2/token");
        then.status(200)
            .json_body(json!({"access_token": "T1", "expires_in": 3600}));
    });
    mock_page(server, None, page(json!([row("r1", "a")]), None));
    let url = server.base_url();
    let mut cmd = druid_bulk([command, "B1", "-e", &url, "--auth-url", &url]);
    cmd.args(["--client-id", "cid"])
        .env("DRUID_CLIENT_SECRET", "s3cr3t-value");
    cmd
}

#[test]
fn a_token_fetch_that_panics_in_an_export_commits_nothing() {
    let server = MockServer::start();
    let mut cmd = with_token_server(&server, "results");
    cmd.arg("--fail-on-rows");
    leaves_old_output(&mut cmd, "token", "gate.csv").never_shows("s3cr3t-value");
    let (_dir, out) = old_output("gate.csv");
    let state = out.with_file_name("state");
    let run = with_token_server(&server, "results")
        .args(["-o"])
        .arg(&out)
        .arg("--checkpoint")
        .arg(&state)
        .env("DRUID_BULK_PANIC_AT", "token")
        .run();
    is_a_bug(&run, "token");
    run.check(!complete(&state), "the checkpoint is not complete");
}

#[test]
fn a_token_fetch_that_panics_in_status_is_exit_70_not_101() {
    let server = MockServer::start();
    let run = with_token_server(&server, "status")
        .env("DRUID_BULK_PANIC_AT", "token")
        .run();
    is_a_bug(&run, "token");
    run.same(&run.stdout(), &"");
}

#[test]
fn without_the_fault_point_the_same_runs_succeed() {
    // The runs above fail because of the fault point, not of their setup.
    let server = MockServer::start();
    let (_dir, out) = old_output("gate.csv");
    with_token_server(&server, "results")
        .arg("-o")
        .arg(&out)
        .ok();
}

#[cfg(feature = "sandbox")]
#[test]
fn a_page_fetcher_that_ends_without_its_last_word_is_a_bug_not_the_end() {
    // No panic this time: the fetcher's task returns early, as a bug in its
    // loop would. Only the missing "done" can tell.
    let (cfg, server) = start_sandbox(500);
    let (_dir, out) = old_output("out.csv");
    let run = results(&server.endpoint(), cfg.main_bulk_id())
        .args(["--page-size", "100", "--max-rows", "400", "-o"])
        .arg(&out)
        .env("DRUID_BULK_PANIC_AT", "fetcher-quits@3")
        .run();
    run.expect_code(70)
        .stderr_has("error: internal error in druid-bulk ")
        .stderr_has("a page fetcher ended without saying it had fetched the last page")
        .stderr_lacks("stopped after")
        .stderr_lacks(" pages to ");
    untouched(&run, &out);
}

/// A panic on a terminal, with the live progress line drawn (`script`
/// gives the run a pseudo-terminal): the writer panics while the line is
/// suspended, a fetcher while it is drawn. Each is still exit 70 (a panic
/// while the line's lock is held must not become a second, uncaught one),
/// and what is left on screen ends with the report, not the line.
#[cfg(all(target_os = "linux", feature = "sandbox"))]
#[test]
fn a_panic_on_a_terminal_with_the_progress_line_is_still_exit_70() {
    if !installed("script") {
        return;
    }
    let (cfg, server) = slow_sandbox(300, 20);
    let dir = tempfile::tempdir().unwrap();
    for point in ["writer@8", "page-fetch@8"] {
        let line = format!(
            "{} results {} -e {} --page-size 10 -o {}; echo \"[exit $?]\"",
            binary().display(),
            cfg.main_bulk_id(),
            server.endpoint(),
            dir.path().join("out.csv").display()
        );
        let run = on_a_pty(&line)
            .env("DRUID_TOKEN", TOKEN)
            .env("DRUID_BULK_PANIC_AT", point)
            .env_remove("RUST_BACKTRACE")
            .env_remove("CI")
            .ok();
        run.stdout_has("[exit 70]")
            .stdout_has("this is a bug; please report it with this line");
        // The progress line was drawn, and none of it stays on screen after
        // the report: on each line from the report on, what is left after
        // the last erase (`\r`, ESC [2K) is not the progress line.
        let shown = run.stdout();
        let report = shown.rfind("internal error in").unwrap();
        let stays = |line: &str| {
            let erased = [
                line.rfind('\r').map(|i| i + 1),
                line.rfind("\u{1b}[2K").map(|i| i + 4),
            ];
            let from = erased.into_iter().flatten().max().unwrap_or(0);
            line[from..].contains("rows/s")
        };
        run.check(shown[..report].contains("rows/s"), "the line was drawn")
            .check(
                !shown[report..].lines().any(stays),
                "no line after the report",
            );
    }
}
