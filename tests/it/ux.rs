//! What people see around the data: progress that never pollutes a
//! pipe or a CI log, `--summary`, `--fail-on-rows`, colors.

use crate::support::*;
use druid_bulk::sandbox::{self, SandboxConfig};
use serde_json::Value;

fn sandbox_with(rows: u64) -> (SandboxConfig, sandbox::Running) {
    let cfg = SandboxConfig::new(rows).with_token(TOKEN);
    let server = sandbox::start_background(cfg.clone()).unwrap();
    (cfg, server)
}

#[test]
fn no_progress_or_ansi_codes_when_not_a_terminal_or_in_ci() {
    let (cfg, server) = sandbox_with(500);
    for ci in [false, true] {
        let mut cmd = legacy_results(&server.endpoint(), cfg.main_bulk_id());
        cmd.args(["--page-size", "50", "-f", "csv", "--color", "auto"]);
        if ci {
            cmd.env("CI", "1");
        }
        let out = cmd.output().unwrap();
        assert!(out.status.success());
        let err = stderr(&out);
        assert!(!err.contains('\u{1b}'), "ANSI in stderr: {err:?}");
        assert_eq!(err.lines().count(), 1, "only the summary line: {err}");
        assert!(err.starts_with("500 rows in 10 pages"), "{err}");
        assert!(!stdout(&out).contains('\u{1b}'));
    }
}

#[test]
fn quiet_prints_nothing_on_success() {
    let (cfg, server) = sandbox_with(10);
    let out = legacy_results(&server.endpoint(), cfg.main_bulk_id())
        .args(["-q", "-f", "jsonl"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(stderr(&out), "");
}

#[test]
fn summary_counts_match_the_sandbox_rows() {
    let (cfg, server) = sandbox_with(400);
    let rows = sandbox::expected_rows(&cfg, cfg.main_bulk_id(), false);
    let mut counts = std::collections::HashMap::<String, u64>::new();
    for r in rows.iter().filter_map(|r| r["error"].as_str()) {
        *counts.entry(r.to_string()).or_default() += 1;
    }
    let (top, top_count) = counts
        .iter()
        .max_by_key(|(m, n)| (**n, std::cmp::Reverse((*m).clone())))
        .unwrap();

    let out = legacy_results(&server.endpoint(), cfg.main_bulk_id())
        .args(["--summary-only", "-f", "jsonl"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let summary = jsonl(&stdout(&out));
    let errors: Vec<&Value> = summary.iter().filter(|r| r["kind"] == "error").collect();
    assert_eq!(errors.len(), counts.len());
    assert_eq!(errors[0]["value"], top.as_str());
    assert_eq!(errors[0]["count"], *top_count);
    for e in &errors {
        assert_eq!(e["count"], counts[e["value"].as_str().unwrap()], "{e}");
    }
    let counts_desc: Vec<u64> = errors
        .iter()
        .map(|e| e["count"].as_u64().unwrap())
        .collect();
    assert!(
        counts_desc.windows(2).all(|w| w[0] >= w[1]),
        "most frequent first"
    );
    let types: u64 = summary
        .iter()
        .filter(|r| r["kind"] == "userIdentifierType")
        .map(|r| r["count"].as_u64().unwrap())
        .sum();
    assert_eq!(types, 400);

    // --summary: rows on stdout as usual, the summary table on stderr.
    let out = legacy_results(&server.endpoint(), cfg.main_bulk_id())
        .args(["--summary", "-f", "jsonl"])
        .output()
        .unwrap();
    assert_eq!(jsonl(&stdout(&out)).len(), 400);
    let err = stderr(&out);
    let with_error = rows.iter().filter(|r| r.get("error").is_some()).count();
    assert!(
        err.contains(&format!(
            "400 rows, {with_error} with an error, {} distinct errors",
            counts.len()
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!("{top_count:>5}  {}", top.replace('\n', " "))),
        "{err}"
    );
}

#[test]
fn fail_on_rows_gates_ci_both_ways() {
    let (cfg, server) = sandbox_with(20);
    let out = legacy_results(&server.endpoint(), cfg.main_bulk_id())
        .args(["--fail-on-rows", "-f", "jsonl"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(8));
    assert_eq!(jsonl(&stdout(&out)).len(), 20, "rows are still written");
    let out = legacy_results(&server.endpoint(), sandbox::EMPTY_BULK_ID)
        .args(["--fail-on-rows", "-f", "jsonl"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn color_always_bolds_the_table_header_and_never_or_no_color_do_not() {
    let (cfg, server) = sandbox_with(3);
    let run = |args: &[&str], no_color: bool| {
        let mut cmd = legacy_results(&server.endpoint(), cfg.main_bulk_id());
        cmd.args(["-f", "table"]).args(args);
        if no_color {
            cmd.env("NO_COLOR", "1");
        }
        stdout(&cmd.output().unwrap())
    };
    assert!(run(&["--color", "always"], false).starts_with("\u{1b}[1m"));
    assert!(!run(&["--color", "never"], false).contains('\u{1b}'));
    assert!(!run(&[], true).contains('\u{1b}'));
}

#[test]
fn colored_error_labels_only_when_asked() {
    let out = legacy_results("http://127.0.0.1:9", "B1")
        .args(["--color", "always", "--retries", "0"])
        .output()
        .unwrap();
    assert!(
        stderr(&out).starts_with("\u{1b}[1;31merror:\u{1b}[0m"),
        "{:?}",
        stderr(&out)
    );
    let out = legacy_results("http://127.0.0.1:9", "B1")
        .args(["--retries", "0"])
        .output()
        .unwrap();
    assert!(stderr(&out).starts_with("error: "), "{:?}", stderr(&out));
}

/// Run the binary under a pseudo-terminal (util-linux `script`) and return
/// everything the terminal showed.
#[cfg(target_os = "linux")]
fn on_a_terminal(endpoint: &str, bulk: &str, ci: bool) -> String {
    let bin = assert_cmd::cargo::cargo_bin("druid-bulk");
    let dir = tempfile::tempdir().unwrap();
    let line = format!(
        "'{}' results {bulk} -e {endpoint} --page-size 10 -f csv -o '{}'",
        bin.display(),
        dir.path().join("out.csv").display()
    );
    let mut cmd = isolated(std::process::Command::new("script"));
    cmd.args(["-qec", &line])
        .arg(dir.path().join("typescript"))
        .env("DRUID_TOKEN", TOKEN);
    if ci {
        cmd.env("CI", "true");
    }
    let out = cmd
        .output()
        .expect("util-linux `script` runs the binary on a pty");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[cfg(target_os = "linux")]
#[test]
fn a_terminal_gets_a_live_progress_line_and_ci_does_not() {
    let cfg = SandboxConfig::new(150)
        .with_token(TOKEN)
        .with_faults(sandbox::Faults {
            latency: std::time::Duration::from_millis(20),
            ..sandbox::Faults::default()
        });
    let server = sandbox::start_background(cfg.clone()).unwrap();
    let live = on_a_terminal(&server.endpoint(), cfg.main_bulk_id(), false);
    assert!(
        live.contains("rows/s"),
        "progress shown on a terminal: {live:?}"
    );
    assert!(live.contains("150 rows in 15 pages"), "{live:?}");
    let ci = on_a_terminal(&server.endpoint(), cfg.main_bulk_id(), true);
    assert!(!ci.contains("rows/s"), "no progress under CI: {ci:?}");
    assert!(!ci.contains('\u{1b}'), "no ANSI codes under CI: {ci:?}");
    assert!(ci.contains("150 rows in 15 pages"), "{ci:?}");
}
