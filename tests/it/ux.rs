//! What people see around the data: progress that never pollutes a
//! pipe or a CI log, `--summary`, `--fail-on-rows`, colors.

use crate::support::*;
#[cfg(feature = "sandbox")]
use druid_bulk::sandbox;
#[cfg(feature = "sandbox")]
use serde_json::Value;

#[cfg(feature = "sandbox")]
#[test]
fn no_progress_or_ansi_codes_when_not_a_terminal_or_in_ci() {
    let (cfg, server) = start_sandbox(500);
    for ci in [false, true] {
        let mut cmd = results(&server.endpoint(), cfg.main_bulk_id());
        cmd.args(["--page-size", "50", "-f", "csv", "--color", "auto"]);
        if ci {
            cmd.env("CI", "1");
        }
        let run = cmd.ok();
        let err = run.stderr();
        run.check(
            !err.contains('\u{1b}'),
            format_args!("CI={ci}: ANSI in stderr"),
        )
        .check(
            err.lines().count() == 1,
            format_args!("CI={ci}: only the summary line"),
        )
        .check(
            err.starts_with("500 rows in 10 pages"),
            format_args!("CI={ci}: stderr starts with \"500 rows in 10 pages\""),
        )
        .check(
            !run.stdout().contains('\u{1b}'),
            format_args!("CI={ci}: ANSI in stdout"),
        );
    }
}

#[cfg(feature = "sandbox")]
#[test]
fn quiet_prints_nothing_on_success() {
    let (cfg, server) = start_sandbox(10);
    let run = results(&server.endpoint(), cfg.main_bulk_id())
        .args(["-q", "-f", "jsonl"])
        .ok();
    run.check(run.stderr().is_empty(), "nothing on stderr");
}

#[cfg(feature = "sandbox")]
#[test]
fn summary_counts_match_the_sandbox_rows() {
    let (cfg, server) = start_sandbox(400);
    let rows = sandbox::expected_rows(&cfg, cfg.main_bulk_id(), false);
    let mut counts = std::collections::HashMap::<String, u64>::new();
    for r in rows.iter().filter_map(|r| r["error"].as_str()) {
        *counts.entry(r.to_string()).or_default() += 1;
    }
    let (top, top_count) = counts
        .iter()
        .max_by_key(|(m, n)| (**n, std::cmp::Reverse((*m).clone())))
        .unwrap();

    let run = results(&server.endpoint(), cfg.main_bulk_id())
        .args(["--summary-only", "-f", "jsonl"])
        .ok();
    let summary = run.jsonl();
    let errors: Vec<&Value> = summary.iter().filter(|r| r["kind"] == "error").collect();
    run.same(&errors.len(), &counts.len());
    run.same(&errors[0]["value"], &top.as_str());
    run.same(&errors[0]["count"], top_count);
    for e in &errors {
        assert_eq!(
            e["count"],
            counts[e["value"].as_str().unwrap()],
            "{e}\n{}",
            run.describe()
        );
    }
    let counts_desc: Vec<u64> = errors
        .iter()
        .map(|e| e["count"].as_u64().unwrap())
        .collect();
    run.check(
        counts_desc.windows(2).all(|w| w[0] >= w[1]),
        "most frequent first",
    );
    let types: u64 = summary
        .iter()
        .filter(|r| r["kind"] == "userIdentifierType")
        .map(|r| r["count"].as_u64().unwrap())
        .sum();
    run.same(&types, &400);

    // --summary: rows on stdout as usual, the summary table on stderr.
    let run = results(&server.endpoint(), cfg.main_bulk_id())
        .args(["--summary", "-f", "jsonl"])
        .ok();
    run.same(&run.jsonl().len(), &400);
    let with_error = rows.iter().filter(|r| r.get("error").is_some()).count();
    run.stderr_has(&format!(
        "400 rows, {with_error} with an error, {} distinct errors",
        counts.len()
    ))
    .stderr_has(&format!("{top_count:>5}  {}", top.replace('\n', " ")));
}

#[cfg(feature = "sandbox")]
#[test]
fn fail_on_rows_gates_ci_both_ways() {
    let (cfg, server) = start_sandbox(20);
    let run = results(&server.endpoint(), cfg.main_bulk_id())
        .args(["--fail-on-rows", "-f", "jsonl"])
        .fails(8);
    run.check(run.jsonl().len() == 20, "rows are still written");
    results(&server.endpoint(), sandbox::EMPTY_BULK_ID)
        .args(["--fail-on-rows", "-f", "jsonl"])
        .ok();
}

#[cfg(feature = "sandbox")]
#[test]
fn color_always_bolds_the_table_header_and_never_or_no_color_do_not() {
    let (cfg, server) = start_sandbox(3);
    let table = |args: &[&str], no_color: bool| -> Run {
        let mut cmd = results(&server.endpoint(), cfg.main_bulk_id());
        cmd.args(["-f", "table"]).args(args);
        if no_color {
            cmd.env("NO_COLOR", "1");
        }
        cmd.ok()
    };
    let run = table(&["--color", "always"], false);
    run.check(
        run.stdout().starts_with("\u{1b}[1m"),
        "--color always: the table starts with a bold header",
    );
    let run = table(&["--color", "never"], false);
    run.check(!run.stdout().contains('\u{1b}'), "--color never: no ANSI");
    let run = table(&[], true);
    run.check(!run.stdout().contains('\u{1b}'), "NO_COLOR: no ANSI");
}

#[test]
fn colored_error_labels_only_when_asked() {
    let run = results("http://127.0.0.1:9", "B1")
        .args(["--color", "always", "--retries", "0"])
        .fails(6);
    run.check(
        run.stderr()
            .starts_with("\u{1b}[1m\u{1b}[31merror:\u{1b}[0m"),
        "stderr starts with a bold red \"error:\"",
    );
    let run = results("http://127.0.0.1:9", "B1")
        .args(["--retries", "0"])
        .fails(6);
    run.check(
        run.stderr().starts_with("error: "),
        "stderr starts with a plain \"error: \"",
    );
}

/// Run the binary under a pseudo-terminal (util-linux `script`) and return
/// everything the terminal showed.
#[cfg(all(target_os = "linux", feature = "sandbox"))]
fn on_a_terminal(endpoint: &str, bulk: &str, ci: bool) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let line = format!(
        "'{}' results {bulk} -e {endpoint} --page-size 10 -f csv -o '{}'",
        binary().display(),
        dir.path().join("out.csv").display()
    );
    let mut cmd = on_a_pty(&line);
    cmd.env("DRUID_TOKEN", TOKEN);
    if ci {
        cmd.env("CI", "true");
    }
    cmd.ok()
}

#[cfg(all(target_os = "linux", feature = "sandbox"))]
#[test]
fn a_terminal_gets_a_live_progress_line_and_ci_does_not() {
    if !installed("script") {
        return;
    }
    let (cfg, server) = slow_sandbox(150, 20);
    let live = on_a_terminal(&server.endpoint(), cfg.main_bulk_id(), false);
    live.check(
        live.stdout().contains("rows/s"),
        "progress shown on a terminal",
    )
    .stdout_has("150 rows in 15 pages");
    live.check(
        !live.stdout().lines().any(|l| is_heartbeat(l.trim_end())),
        "no line a minute where the live line shows",
    );
    // 15 pages, each answered 20 ms late: over three minutes of the test
    // clock, so CI gets the plain line a minute instead.
    let ci = on_a_terminal(&server.endpoint(), cfg.main_bulk_id(), true);
    ci.check(!ci.stdout().contains("rows/s"), "no progress under CI")
        .check(!ci.stdout().contains('\u{1b}'), "no ANSI codes under CI")
        .check(
            ci.stdout().lines().any(|l| is_heartbeat(l.trim_end())),
            "a plain line a minute under CI",
        )
        .stdout_has("150 rows in 15 pages");
}

/// Everything a terminal shows (stdout and stderr both on a pty, util-linux
/// `script`) for `results` with a table on stdout and, because the token
/// is on the command line, a `warning:` on stderr; `env` is added to the
/// environment (`CI` is never set).
#[cfg(all(target_os = "linux", feature = "sandbox"))]
fn terminal_shows(extra: &str, env: &[(&str, &str)]) -> Run {
    let (cfg, server) = slow_sandbox(100, 20);
    let line = format!(
        "'{}' results {} -e {} --page-size 10 --token {TOKEN} {extra}",
        binary().display(),
        cfg.main_bulk_id(),
        server.endpoint(),
    );
    let mut cmd = on_a_pty(&line);
    for (key, value) in env {
        cmd.env(key, value);
    }
    cmd.ok()
}

/// SGR codes: bold (the table header) and yellow (the `warning:` label).
#[cfg(feature = "sandbox")]
const BOLD: &str = "\u{1b}[1m";
#[cfg(feature = "sandbox")]
const YELLOW: &str = "\u{1b}[33m";

#[cfg(all(target_os = "linux", feature = "sandbox"))]
#[test]
fn a_terminal_gets_colour_and_the_progress_line_by_default() {
    if !installed("script") {
        return;
    }
    let run = terminal_shows("", &[]);
    run.stdout_has(BOLD)
        .stdout_has(&format!("{YELLOW}warning:"))
        .stdout_has("rows/s")
        .stdout_has("100 rows in 10 pages");
}

#[cfg(all(target_os = "linux", feature = "sandbox"))]
#[test]
fn term_dumb_gets_no_colour_and_no_progress_line() {
    if !installed("script") {
        return;
    }
    let run = terminal_shows("", &[("TERM", "dumb")]);
    run.check(
        !run.stdout().contains('\u{1b}'),
        "no escape sequence at all under TERM=dumb",
    )
    .stdout_lacks("rows/s")
    .stdout_has("warning: --token")
    .stdout_has("100 rows in 10 pages");
}

#[cfg(all(target_os = "linux", feature = "sandbox"))]
#[test]
fn no_color_and_color_never_keep_the_progress_line_without_colour() {
    if !installed("script") {
        return;
    }
    for (extra, env) in [("", &[("NO_COLOR", "1")][..]), ("--color never", &[][..])] {
        let run = terminal_shows(extra, env);
        run.stdout_lacks(BOLD)
            .stdout_lacks(YELLOW)
            .stdout_has("warning: --token")
            .stdout_has("rows/s");
    }
}

#[cfg(feature = "sandbox")]
#[test]
fn clicolor_force_colours_a_piped_stream_and_color_never_still_wins() {
    let (cfg, server) = start_sandbox(3);
    let forced = || {
        let mut cmd = results(&server.endpoint(), cfg.main_bulk_id());
        cmd.args(["-f", "table", "--token", TOKEN])
            .env("CLICOLOR_FORCE", "1");
        cmd
    };
    forced()
        .ok()
        .stdout_has(BOLD)
        .stderr_has(&format!("{YELLOW}warning:"));
    let never = forced().args(["--color", "never"]).ok();
    never.check(
        !never.stdout().contains('\u{1b}') && !never.stderr().contains('\u{1b}'),
        "--color never beats CLICOLOR_FORCE",
    );
    let piped = results(&server.endpoint(), cfg.main_bulk_id())
        .args(["-f", "table", "--token", TOKEN])
        .ok();
    piped.check(
        !piped.stdout().contains('\u{1b}') && !piped.stderr().contains('\u{1b}'),
        "a pipe gets no colour by default",
    );
}

#[cfg(feature = "sandbox")]
#[test]
fn force_color_colours_a_piped_stream_unless_it_is_0_or_no_color_is_set() {
    let (cfg, server) = start_sandbox(3);
    let run = |env: &[(&str, &str)], args: &[&str]| {
        let mut cmd = results(&server.endpoint(), cfg.main_bulk_id());
        cmd.args(["-f", "table", "--token", TOKEN]).args(args);
        for (key, value) in env {
            cmd.env(key, value);
        }
        cmd.ok()
    };
    for value in ["1", "true", "3"] {
        run(&[("FORCE_COLOR", value)], &[])
            .stdout_has(BOLD)
            .stderr_has(&format!("{YELLOW}warning:"));
    }
    for (env, args, why) in [
        (&[("FORCE_COLOR", "0")][..], &[][..], "FORCE_COLOR=0"),
        (&[("FORCE_COLOR", "")][..], &[][..], "an empty FORCE_COLOR"),
        (
            &[("FORCE_COLOR", "1"), ("NO_COLOR", "1")][..],
            &[][..],
            "NO_COLOR beats FORCE_COLOR",
        ),
        (
            &[("FORCE_COLOR", "1")][..],
            &["--color", "never"][..],
            "--color never beats FORCE_COLOR",
        ),
    ] {
        let run = run(env, args);
        run.check(
            !run.stdout().contains('\u{1b}') && !run.stderr().contains('\u{1b}'),
            format_args!("{why}: no colour"),
        );
    }
}

/// On a terminal an error and its hint are wrapped at spaces to the
/// terminal's width, each line under the message's first word; through a
/// pipe they stay one line each, whole.
#[cfg(target_os = "linux")]
#[test]
fn on_a_terminal_an_error_wraps_at_spaces_to_its_width() {
    if !installed("script") {
        return;
    }
    let args = "results B1 -e http://127.0.0.1:9 -o csv --color never";
    let piped = druid_bulk(args.split(' '))
        .env("DRUID_TOKEN", TOKEN)
        .fails(2);
    let said = piped.stderr().trim_end().to_string();
    piped.check(said.lines().count() == 1, "one line through a pipe");
    let mut cmd = on_a_pty(&format!(
        "stty cols 40 rows 50; '{}' {args}",
        binary().display()
    ));
    cmd.env("DRUID_TOKEN", TOKEN);
    let run = cmd.fails(2);
    let screen = run.stdout().replace("\r\n", "\n");
    let lines: Vec<&str> = screen.trim_end().lines().collect();
    run.check(lines.len() >= 3, "wrapped onto several lines at 40 columns");
    for line in &lines {
        run.check(
            line.chars().count() <= 40,
            format_args!("{line:?} fits 40 columns"),
        );
    }
    for line in &lines[1..] {
        run.check(
            line.starts_with("       ") && !line[7..].starts_with(' '),
            format_args!("{line:?} goes on under the message, after \"error: \""),
        );
    }
    let words = |text: &str| text.split_whitespace().collect::<Vec<_>>().join(" ");
    run.same(&words(&screen), &words(&said));
}
