//! How the demo's table fits a terminal: ERROR's 40 columns at 60, 80,
//! 100, 120 and 200 columns, what is left out (and the note saying so),
//! `--wide`'s 20-column floor, and a real pseudo-terminal.

// The pseudo-terminal test runs on Linux only, as `script` does.
#![cfg_attr(not(target_os = "linux"), allow(unused))]

use unicode_width::UnicodeWidthStr;

use super::{check_table, demo_rows, demo_table, error_column, header, identifiers, ALL};
use crate::support::*;

#[test]
fn the_demo_table_gives_error_forty_columns_at_60_80_100_120_and_200() {
    let rows = demo_rows();
    let users = &["objectId", "pulseId"];
    for width in [200, 120] {
        let run = demo_table(width, &[]);
        check_table(&run, &rows, ALL, width);
        error_column(&run, width, 40);
        run.same(&header(run.stdout()), &vec!["ID", "TYPE", "USER", "ERROR"])
            .stdout_has("用户不存在")
            .stdout_has("⏎")
            .stderr_lacks("left out");
    }
    let run = demo_table(200, &[]);
    run.stdout_has("  object  ")
        .stdout_has("  pulse   ")
        .stdout_has("Conflicting update: user was modified concurrently, retry later")
        .stdout_lacks("…");
    // 100 and 80: all would leave ERROR 28 and 8, without TYPE 36 and 16;
    // without ID it has 40 and more.
    for width in [100, 80] {
        let run = demo_table(width, &[]);
        check_table(&run, &rows, users, width);
        error_column(&run, width, 40);
        run.same(&header(run.stdout()), &vec!["TYPE", "USER", "ERROR"])
            .stdout_lacks(rows[0]["id"].as_str().unwrap())
            .stderr_has(&format!(
                "note: ID left out to fit {width} columns; see it with --wide or --columns id,error\n"
            ));
    }
    let run = demo_table(80, &[]);
    run.stdout_has("  Invalid date format for \"birthDate\": expected…\n");
    // 60: no choice leaves 40; USER and all that is left.
    let run = demo_table(60, &[]);
    check_table(&run, &rows, users, 60);
    error_column(&run, 60, 34);
    run.same(&header(run.stdout()), &vec!["USER", "ERROR"])
        .stderr_has("note: ID, TYPE left out; try --wide or --columns id,error\n");
    // The ids the note names are there, whole, with --columns id,error.
    let run = demo_table(60, &["--columns", "id,error"]);
    check_table(&run, &rows, &["id"], 60);
    run.stderr_lacks("left out");
}

#[test]
fn narrow_terminals_keep_user_whole_and_never_cut_an_id() {
    let rows = demo_rows();
    // Not even 10 columns for ERROR after USER: USER alone, whole.
    let run = demo_table(30, &[]);
    run.same(&header(run.stdout()), &vec!["USER"])
        .stderr_has("note: ID, TYPE, ERROR left out\n");
    for (line, row) in run.stdout().lines().skip(1).zip(&rows) {
        let user = identifiers(row, &["objectId", "pulseId"]);
        run.same(&vec![line], &user);
    }
    // --quiet keeps the note to itself.
    let run = demo_table(60, &["-q"]);
    run.check(run.stderr().is_empty(), "nothing on stderr with -q");
}

#[test]
fn wide_wraps_long_text_and_keeps_every_column_and_id_whole() {
    let rows = demo_rows();
    let run = demo_table(80, &["--wide"]);
    let text = run.stdout();
    run.same(&header(text), &vec!["ID", "TYPE", "USER", "ERROR"])
        .stderr_lacks("left out")
        .stdout_lacks("…")
        .check(
            text.lines().count() > 13,
            "long errors wrap onto more lines",
        );
    for row in &rows {
        for id in identifiers(row, ALL) {
            run.check(
                text.matches(id).count() == 1,
                format_args!("{id} whole, once"),
            );
        }
    }
    // ERROR wraps inside 20 columns, not the 8 left at 80: those lines
    // run past the terminal.
    let at = error_column(&run, 92, 20);
    run.same(&at, &72)
        .check(
            text.lines()
                .all(|l| l.get(at..).unwrap_or("").width() <= 20),
            "ERROR wrapped inside 20 columns",
        )
        .check(
            text.lines().any(|l| l.width() > 80),
            "lines run past 80 columns",
        );
    // At 200 nothing needs wrapping: one line per row.
    let run = demo_table(200, &["--wide"]);
    check_table(&run, &rows, ALL, 200);
}

/// SGR codes: bold (the table header on a terminal), cyan (a note's
/// label) and back to plain.
#[cfg(target_os = "linux")]
const BOLD: &str = "\u{1b}[1m";
#[cfg(target_os = "linux")]
const RESET: &str = "\u{1b}[0m";
#[cfg(target_os = "linux")]
const CYAN: &str = "\u{1b}[36m";

/// `demo --rows 12` on a real pseudo-terminal (util-linux `script`) sized
/// with `stty`: the table is picked without `-f` and fits the terminal's
/// own width, not `COLUMNS` (which `TestCommand` never sets), with ERROR
/// cut no shorter than 40 columns.
#[cfg(target_os = "linux")]
#[test]
fn a_real_terminal_gets_a_table_fitted_to_its_width() {
    if !installed("script") {
        return;
    }
    let rows = demo_rows();
    let on = |width: usize, extra: &str| {
        let line = format!(
            "stty cols {width} rows 50; '{}' demo --rows 12 {extra}",
            binary().display()
        );
        let run = on_a_pty(&line).ok();
        // The pty turns each "\n" into "\r\n"; the header is bold on a
        // terminal, and so is the note's label, in cyan.
        let screen = (run.stdout().replace("\r\n", "\n"))
            .replace(BOLD, "")
            .replace(CYAN, "")
            .replace(RESET, "");
        (run, screen)
    };
    for (width, shown, ids) in [
        (
            80,
            vec!["TYPE", "USER", "ERROR"],
            &["objectId", "pulseId"][..],
        ),
        (
            120,
            vec!["ID", "TYPE", "USER", "ERROR"],
            &["id", "objectId", "pulseId"],
        ),
    ] {
        // -q leaves only the table.
        let (run, table) = on(width, "-q");
        let lines: Vec<&str> = table.lines().collect();
        run.same(&header(&table), &shown)
            .check(lines.len() == 13, "a header and 12 rows, one line each");
        let at = lines[0].find("ERROR").unwrap_or(width);
        run.check(width - at >= 40, "ERROR has 40 columns");
        for (line, row) in lines[1..].iter().zip(&rows) {
            for id in identifiers(row, ids) {
                run.check(line.contains(id), format_args!("{id} whole"));
            }
            run.check(
                line.width() <= width,
                format_args!("{line:?} fits {width} columns"),
            );
            // Cut with … no shorter than 40 columns (39 before a wide
            // character), or whole.
            let error = line.get(at..).unwrap_or("");
            run.check(
                !error.ends_with('…') || error.width() >= 39,
                format_args!("{error:?} cut below 40 columns"),
            );
        }
    }
    // The note on what was left out fits the terminal too.
    let (run, screen) = on(80, "");
    let note = screen.lines().find(|l| l.starts_with("note: "));
    run.same(
        &note,
        &Some("note: ID left out to fit 80 columns; see it with --wide or --columns id,error"),
    );
}
