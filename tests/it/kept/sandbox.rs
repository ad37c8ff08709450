//! What `-o` keeps, against the sandbox: interrupted with Ctrl-C at
//! several points, in CSV and as a JSON array, then finished by the same
//! command, to the bytes of an export never interrupted; killed after a
//! sync in the background; two runs on one output at once.

use std::path::Path;
use std::process::Stdio;

use super::{first_request, out, Out};
use crate::support::*;
use druid_bulk::sandbox;

fn lines(path: &Path) -> usize {
    std::fs::read(path).map_or(0, |t| t.iter().filter(|&&b| b == b'\n').count())
}

/// `results` of the sandbox's main bulk into `out` in `format`, pages of
/// 50, on the real clock (a signal is handled between two pages).
fn export(server: &sandbox::Running, bulk: &str, out: &Out, format: &str) -> TestCommand {
    export_by(server, bulk, out, format, "50")
}

/// [`export`] in pages of `page`.
fn export_by(
    server: &sandbox::Running,
    bulk: &str,
    out: &Out,
    format: &str,
    page: &str,
) -> TestCommand {
    let mut cmd = results(&server.endpoint(), bulk);
    cmd.args(["--page-size", page, "-f", format, "-o"])
        .arg(&out.path)
        .real_clock();
    cmd
}

/// Interrupt the export into `format` with Ctrl-C once the partial file
/// holds each of `points` lines, then let the same command finish: the
/// output is byte for byte that of an export never interrupted.
fn interrupted_at(format: &str, points: &[usize]) {
    let (cfg, server) = slow_sandbox(6_000, 5);
    let bulk = cfg.main_bulk_id();
    let whole = out(&format!("whole.{format}"));
    export(&server, bulk, &whole, format).ok();
    let out = out(&format!("out.{format}"));
    for &point in points {
        let child = export(&server, bulk, &out, format).spawn_with(Some(Stdio::null()));
        wait_for("pages in the partial file", || lines(&out.partial) >= point);
        child.signal("INT");
        let run = child.finish();
        run.expect_code(130)
            .stderr_has("interrupted by SIGINT")
            .stderr_has("hint: kept ")
            .stderr_has("run the same command again to continue, or --restart");
        run.check(
            !out.path.exists(),
            "-o is made only when the export is complete",
        );
    }
    let run = export(&server, bulk, &out, format).arg("-v").ok();
    let first = first_request(&run);
    run.check(
        first.contains("last=") && first.contains("limit=1"),
        format_args!("the first request asks for the last row kept: {first}"),
    )
    .stderr_has("continuing the ");
    let same = std::fs::read(&out.path).unwrap() == std::fs::read(&whole.path).unwrap();
    run.check(same, "the same bytes as an export never interrupted");
    run.same(&out.names(), &[format!("out.{format}")]);
}

#[test]
fn a_csv_export_interrupted_at_several_points_ends_as_one_never_interrupted() {
    interrupted_at("csv", &[120, 1_500, 4_000]);
}

#[test]
fn a_json_array_interrupted_at_several_points_ends_as_one_never_interrupted() {
    interrupted_at("json", &[60, 2_000]);
}

#[test]
fn a_second_run_on_the_same_output_while_one_runs_writes_a_file_of_its_own() {
    let (cfg, server) = slow_sandbox(6_000, 5);
    let bulk = cfg.main_bulk_id();
    let out = out("out.jsonl");
    let first = export(&server, bulk, &out, "jsonl").spawn_with(Some(Stdio::null()));
    wait_for("pages in the partial file", || lines(&out.partial) >= 100);
    // Pages of 1000: done long before the first.
    let second = export_by(&server, bulk, &out, "jsonl", "1000").ok();
    second.stderr_has(&format!(
        "note: another druid-bulk run is exporting to -o {} (it holds {}); this run writes a \
         temporary file of its own and keeps nothing if it is interrupted",
        out.path.display(),
        out.state.display()
    ));
    let whole = std::fs::read(&out.path).unwrap();
    second.same(&lines(&out.path), &6_000);
    first.signal("INT");
    let run = first.finish();
    run.expect_code(130).stderr_has("hint: kept ");
    run.same(&std::fs::read(&out.path).unwrap(), &whole);
    // The page size is no setting of the output.
    let again = export_by(&server, bulk, &out, "jsonl", "1000").ok();
    again.stderr_has("continuing the ");
    again.same(&std::fs::read(&out.path).unwrap(), &whole);
}

#[test]
fn kill_9_after_a_sync_in_the_background_continues_from_what_it_made_durable() {
    // Over 8 MiB of CSV: a sync starts in the background, and the
    // state records the pages it covered once it is done.
    let (cfg, server) = slow_sandbox(150_000, 2);
    let bulk = cfg.main_bulk_id();
    let whole = out("whole.csv");
    let big = |out: &Out| {
        let mut cmd = results(&server.endpoint(), bulk);
        cmd.args(["--page-size", "1000", "-o"]).arg(&out.path);
        cmd
    };
    big(&whole).ok();
    let out = out("out.csv");
    let mut child = big(&out).spawn_with(Some(Stdio::null()));
    wait_for("a state that keeps rows", || {
        std::fs::read(&out.state)
            .ok()
            .and_then(|t| serde_json::from_slice::<serde_json::Value>(&t).ok())
            .is_some_and(|s| s["rows"].as_u64() > Some(0))
    });
    child.child.kill().unwrap(); // SIGKILL: no chance to save anything more
    child.child.wait().unwrap();
    let run = big(&out).ok();
    run.stderr_has("continuing the ");
    let same = std::fs::read(&out.path).unwrap() == std::fs::read(&whole.path).unwrap();
    run.check(same, "the same bytes as an export never interrupted");
}

#[test]
fn sigint_leaves_an_existing_output_file_untouched_and_the_same_command_continues() {
    let (cfg, server) = slow_sandbox(6_000, 5);
    let expected: Vec<String> = sandbox::expected_rows(&cfg, cfg.main_bulk_id(), false)
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.csv");
    let partial = dir.path().join(".out.csv.druid-bulk.partial");
    std::fs::write(&path, "previous\n").unwrap();
    let args = ["-o", path.to_str().unwrap()];
    let spawn = || {
        results(&server.endpoint(), cfg.main_bulk_id())
            .args(["--page-size", "50"])
            .args(args)
            .real_clock()
            .spawn_with(Some(Stdio::null()))
    };
    let child = spawn();
    wait_for("two pages", || lines(&partial) > 100);
    child.signal("INT");
    let run = child.finish();
    run.expect_code(130);
    run.same(&std::fs::read_to_string(&path).unwrap(), &"previous\n");
    run.check(
        std::fs::read_dir(dir.path()).unwrap().count() == 3,
        "the output, and the pair kept beside it",
    )
    .stderr_has("hint: kept ")
    .stderr_has(".out.csv.druid-bulk.partial); run the same command again to continue");

    let again = spawn().finish();
    again.expect_code(0).stderr_has("continuing the ");
    let mut reader = csv::Reader::from_path(&path).unwrap();
    let got: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .collect();
    assert_eq!(
        got,
        expected,
        "every row exactly once\n{}",
        again.describe()
    );
    again.same(&std::fs::read_dir(dir.path()).unwrap().count(), &1);
}
