//! What stderr says while an export runs. On a terminal, the live line is
//! cut to fit and never wraps, is gone before the message of a Ctrl-C, and
//! counts what a resumed output already held; where it does not show (CI,
//! stderr not a terminal), a long export says how far it got once a minute.
//! Under the test clock a minute is 60 ms: the sandbox's latency makes an
//! export last longer than that, and no test waits on time.

// The tests on a pseudo-terminal run on Linux only, as `script` does.
#![cfg_attr(not(target_os = "linux"), allow(unused))]

use std::io::Write;
use std::process::Stdio;

use druid_bulk::sandbox::SandboxConfig;

use crate::support::*;

/// What a terminal of `cols` columns shows after `output`: each row's
/// text, as an xterm places it (a character in the last column leaves the
/// cursor there, and the next one wraps; `\r`, `ESC[K`, `ESC[A`…`ESC[D`
/// move or erase; other escapes change no text).
fn screen(output: &str, cols: usize) -> Vec<String> {
    let mut rows: Vec<Vec<char>> = vec![Vec::new()];
    let (mut row, mut col, mut pending) = (0usize, 0usize, false);
    let mut chars = output.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' if chars.peek() == Some(&'[') => {
                chars.next();
                let mut param = String::new();
                let mut last = ' ';
                for c in chars.by_ref() {
                    if c.is_ascii_digit() || c == ';' || c == '?' {
                        param.push(c);
                    } else {
                        last = c;
                        break;
                    }
                }
                let n = param.parse::<usize>().unwrap_or(1).max(1);
                pending = false;
                match last {
                    'A' => row = row.saturating_sub(n),
                    'B' => row += n,
                    'C' => col = (col + n).min(cols - 1),
                    'D' => col = col.saturating_sub(n),
                    'K' if param == "2" => rows[row].clear(),
                    'K' => rows[row].truncate(col),
                    _ => {}
                }
            }
            '\r' => (col, pending) = (0, false),
            '\n' => (row, pending) = (row + 1, false),
            c if c.is_control() => {}
            c => {
                if pending {
                    (row, col, pending) = (row + 1, 0, false);
                }
                while rows.len() <= row {
                    rows.push(Vec::new());
                }
                let line = &mut rows[row];
                if line.len() <= col {
                    line.resize(col + 1, ' ');
                }
                line[col] = c;
                if col + 1 == cols {
                    pending = true;
                } else {
                    col += 1;
                }
            }
        }
        while rows.len() <= row {
            rows.push(Vec::new());
        }
    }
    rows.into_iter()
        .map(|r| r.into_iter().collect::<String>().trim_end().to_string())
        .collect()
}

/// Each stretch of text a terminal was sent between line ends and
/// carriage returns, without escapes: what one draw of a line put there.
fn drawn(output: &str) -> Vec<String> {
    let mut plain = String::new();
    let mut chars = output.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            chars.next();
            for c in chars.by_ref() {
                if !(c.is_ascii_digit() || c == ';' || c == '?') {
                    break;
                }
            }
        } else {
            plain.push(c);
        }
    }
    plain
        .split(['\r', '\n'])
        .map(|s| s.trim_end().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

/// A draw of the spinner's line: it starts with a braille spinner frame.
fn is_spinner(text: &str) -> bool {
    text.starts_with(|c: char| ('\u{2800}'..='\u{28ff}').contains(&c))
}

#[cfg(target_os = "linux")]
#[test]
fn the_spinner_of_a_wait_is_cut_to_fit_the_terminal() {
    if !installed("script") {
        return;
    }
    // A bulk that stays `received` for an hour of the sandbox's clock; the
    // wait gives up after 5 s of the test clock.
    let process_time = std::time::Duration::from_secs(3600);
    let server = sandbox_with(SandboxConfig::new(1).with_process_time(process_time));
    let (_dir, users) = users_file("{\"user\":{\"object_id\":\"o1\"}}\n");
    // The bulk id alone is 36 columns: at 50, the line must be cut.
    let line = format!(
        "stty cols 50 rows 20; DRUID_TOKEN={TOKEN} '{}' submit '{}' -e {} --wait=5s",
        binary().display(),
        users.display(),
        server.endpoint()
    );
    let run = on_a_pty(&line).run();
    run.stdout_has("is still received after waiting 5s");
    let spinner: Vec<String> = (drawn(run.stdout()).into_iter())
        .filter(|t| is_spinner(t) || t.starts_with("sending "))
        .collect();
    run.check(
        spinner.iter().any(|t| t.contains(", waited ")),
        "the wait's spinner was drawn",
    );
    for text in &spinner {
        run.check(
            text.chars().count() <= 48,
            format_args!("{text:?} leaves the last two of 50 columns free"),
        );
    }
    // The bulk id gives way, not what the line says about it.
    let waited = spinner.iter().find(|t| t.contains(", waited ")).unwrap();
    run.check(
        waited.contains("… is received, waited "),
        format_args!("{waited:?}: the id is cut with …, the status and time kept"),
    );
}

/// `script` running `line` on a pseudo-terminal, and its keyboard: what is
/// written there is typed (Ctrl-C is `\x03`).
#[cfg(target_os = "linux")]
fn on_a_keyboard(line: &str, dir: &std::path::Path) -> (Running, std::fs::File) {
    let fifo = fifo_in(dir, "keys");
    // Read and write: opening it does not wait for the other end, and the
    // keyboard stays open until the test is done with it.
    let keys = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&fifo)
        .unwrap();
    let stdin = Stdio::from(keys.try_clone().unwrap());
    let running = on_a_pty(line).spawn_fed(stdin);
    (running, keys)
}

#[cfg(target_os = "linux")]
#[test]
fn ctrl_c_leaves_no_progress_line_on_the_screen() {
    if !installed("script") {
        return;
    }
    let (cfg, server) = slow_sandbox(10_000, 20);
    let dir = tempfile::tempdir().unwrap();
    let line = format!(
        "stty cols 60 rows 20; DRUID_TOKEN={TOKEN} '{}' results {} -e {} --page-size 10 -o '{}'",
        binary().display(),
        cfg.main_bulk_id(),
        server.endpoint(),
        dir.path().join("out.csv").display()
    );
    let (running, mut keys) = on_a_keyboard(&line, dir.path());
    wait_for("two pages", || server.hits() >= 3);
    // Ctrl-C typed: the terminal echoes `^C` where the cursor is, after
    // the progress line, and interrupts the export.
    keys.write_all(b"\x03").unwrap();
    let run = running.finish_guarded();
    drop(keys);
    let shown = screen(run.stdout(), 60);
    let text = shown.join("\n");
    run.check(
        shown
            .iter()
            .any(|l| l.starts_with("error: interrupted by SIGINT (Ctrl-C)")),
        format_args!("the interruption is said:\n{text}"),
    );
    run.check(
        !shown.iter().any(|l| l.contains("rows/s") || is_spinner(l)),
        format_args!("no progress line is left on the screen:\n{text}"),
    );
}

#[cfg(target_os = "linux")]
#[test]
fn a_resumed_export_counts_the_rows_its_output_already_held() {
    if !installed("script") {
        return;
    }
    let (cfg, server) = slow_sandbox(100, 20);
    let dir = tempfile::tempdir().unwrap();
    let (out, cp) = (dir.path().join("out.csv"), dir.path().join("out.ckpt"));
    let export = |extra: &[&str]| {
        let mut cmd = results(&server.endpoint(), cfg.main_bulk_id());
        cmd.args(["--page-size", "10", "-o"])
            .arg(&out)
            .arg("--checkpoint")
            .arg(&cp)
            .args(extra);
        cmd
    };
    export(&["--max-rows", "30"]).ok();
    let line = format!(
        "DRUID_TOKEN={TOKEN} '{}' results {} -e {} --page-size 10 -o '{}' --checkpoint '{}'",
        binary().display(),
        cfg.main_bulk_id(),
        server.endpoint(),
        out.display(),
        cp.display()
    );
    let run = on_a_pty(&line).ok();
    // `⠁ bulk B: 4 pages, 40 rows, 500 rows/s`: pages and rows of the whole
    // output, the 3 pages and 30 rows of the first run included.
    let counts: Vec<(u64, u64)> = (drawn(run.stdout()).into_iter())
        .filter(|t| is_spinner(t))
        .filter_map(|t| {
            let (_, counts) = t.split_once(": ")?;
            let mut words = counts.split([' ', ',']).filter(|w| !w.is_empty());
            let pages = words.next()?.parse().ok()?;
            let rows = words.find_map(|w| w.parse().ok())?;
            Some((pages, rows))
        })
        .collect();
    run.check(!counts.is_empty(), "the progress line was drawn");
    for (pages, rows) in &counts {
        run.check(
            *pages >= 4 && *rows >= 40,
            format_args!("{pages} pages, {rows} rows: counted after the 3 pages already there"),
        );
    }
}

#[test]
fn a_long_export_with_no_live_line_says_how_far_it_got_once_a_minute() {
    // 10 pages, each answered 20 ms late: at least 200 ms, over three
    // minutes of the test clock.
    let (cfg, server) = slow_sandbox(100, 20);
    let export = |extra: &[&str]| {
        let mut cmd = results(&server.endpoint(), cfg.main_bulk_id());
        cmd.args(["--page-size", "10", "-f", "csv"]).args(extra);
        cmd
    };
    for ci in [false, true] {
        let mut cmd = export(&[]);
        if ci {
            cmd.env("CI", "true");
        }
        let run = cmd.ok();
        let beats: Vec<&str> = run.stderr().lines().filter(|l| is_heartbeat(l)).collect();
        run.check(!beats.is_empty(), "a line a minute on a captured stderr");
        for (n, beat) in beats.iter().enumerate() {
            let minute = format!(", {}m elapsed", n + 1);
            run.check(
                beat.ends_with(&minute),
                format_args!("{beat:?}: minute {} of the export", n + 1),
            );
        }
        let rows = |beat: &str| -> u64 {
            let count = beat.split(' ').next().unwrap_or_default().replace(',', "");
            count.parse().unwrap_or(u64::MAX)
        };
        run.check(
            beats.windows(2).all(|w| rows(w[0]) <= rows(w[1])) && rows(beats[0]) <= 100,
            "the rows so far, never more than the bulk's 100",
        );
        run.stderr_has("100 rows in 10 pages");
    }
    let quiet = export(&["-q"]).ok();
    quiet.check(quiet.stderr().is_empty(), "-q: not a line");
}

#[test]
fn the_line_a_minute_is_recognised() {
    assert!(is_heartbeat("12,000 rows in 12 pages, 1m elapsed"));
    assert!(is_heartbeat("1 row in 1 page, 1h 2m elapsed"));
    assert!(!is_heartbeat("100 rows in 10 pages to out.csv (0.2s)"));
    assert!(!is_heartbeat("error: 100 rows in 10 pages, 1m elapsed"));
}
