//! The table on a terminal: one line per row, identifiers whole, lines no
//! wider than `COLUMNS`, columns left out in order (with a note) when the
//! terminal is narrow, `--columns` as given, `--wide`, and cell text.

use serde_json::json;
#[cfg(feature = "sandbox")]
use serde_json::Value;
#[cfg(feature = "sandbox")]
use unicode_width::UnicodeWidthStr;

use crate::support::*;
#[cfg(feature = "sandbox")]
use druid_bulk::sandbox::{self, Bulk, SandboxConfig};

/// Every identifier field: `bulkId`, `id`, `objectId`, `pulseId`.
#[cfg(feature = "sandbox")]
const ALL: &[&str] = &["bulkId", "id", "objectId", "pulseId"];

/// The row's identifiers of these fields (those it has).
#[cfg(feature = "sandbox")]
fn identifiers<'r>(row: &'r Value, keys: &[&str]) -> Vec<&'r str> {
    keys.iter().filter_map(|key| row[key].as_str()).collect()
}

/// The header's words.
#[cfg(feature = "sandbox")]
fn header(table: &str) -> Vec<&str> {
    table
        .lines()
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect()
}

/// One line per row under the header, each holding its row's identifiers
/// (of the fields `keys`) verbatim, none wider than `width` display columns.
#[cfg(feature = "sandbox")]
fn check_table(run: &Run, rows: &[Value], keys: &[&str], width: usize) {
    let lines: Vec<&str> = run.stdout().lines().collect();
    run.check(
        lines.len() == rows.len() + 1,
        format_args!("{} rows on one line each, under a header", rows.len()),
    );
    for (line, row) in lines[1..].iter().zip(rows) {
        for id in identifiers(row, keys) {
            run.check(
                line.contains(id),
                format_args!("{id} whole on its row's line"),
            );
        }
    }
    for line in &lines {
        run.check(
            line.width() <= width,
            format_args!(
                "{line:?} is {} columns wide, more than {width}",
                line.width()
            ),
        );
    }
}

/// The rows of `demo --rows 12`, as JSON.
#[cfg(feature = "sandbox")]
fn demo_rows() -> Vec<Value> {
    druid_bulk(["demo", "--rows", "12", "-f", "jsonl"])
        .ok()
        .jsonl()
}

#[cfg(feature = "sandbox")]
fn demo_table(width: usize, extra: &[&str]) -> Run {
    druid_bulk(["demo", "--rows", "12", "-f", "table"])
        .args(extra)
        .env("COLUMNS", width.to_string())
        .ok()
}

/// Where `ERROR` starts (display columns; what is before it is ASCII),
/// and that it has at least `least` columns of a `width`-column line.
#[cfg(feature = "sandbox")]
fn error_column(run: &Run, width: usize, least: usize) -> usize {
    let at = (run.stdout().lines().next())
        .and_then(|h| h.find("ERROR"))
        .unwrap_or(width);
    run.check(
        width.saturating_sub(at) >= least,
        format_args!("ERROR has {} columns, fewer than {least}", width - at),
    );
    at
}

#[cfg(feature = "sandbox")]
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

#[cfg(feature = "sandbox")]
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

#[cfg(feature = "sandbox")]
#[test]
fn pages_of_a_bigger_export_keep_one_line_per_row_with_cjk_and_emoji() {
    let (cfg, server) = start_sandbox(90);
    let rows = sandbox::expected_rows(&cfg, cfg.main_bulk_id(), false);
    let rows: Vec<Value> = rows.into_iter().collect();
    let errors: Vec<&str> = rows.iter().filter_map(|r| r["error"].as_str()).collect();
    assert!(errors.iter().any(|e| e.contains('🔒')) && errors.iter().any(|e| e.contains("用户")));
    for width in [80, 120, 200] {
        let run = results(&server.endpoint(), cfg.main_bulk_id())
            .args(["-f", "table", "--page-size", "25"])
            .env("COLUMNS", width.to_string())
            .ok();
        // At 80 ID is left out for ERROR's 40 columns.
        let ids = if width == 80 { &ALL[2..] } else { ALL };
        check_table(&run, &rows, ids, width);
        run.stdout_has("用户");
        if width == 200 {
            run.stdout_has("🔒");
        }
    }
}

#[cfg(feature = "sandbox")]
#[test]
fn several_bulks_put_bulk_first_and_leave_out_id_then_bulk_to_fit() {
    let mut cfg = SandboxConfig::new(7).with_token(TOKEN);
    cfg.bulks.push(Bulk {
        id: "018fcf0a-6e5f-7a74-b18d-9fbe4c5a7ba6".into(),
        rows: 5,
        ready: true,
    });
    let server = sandbox::start_background(cfg.clone()).unwrap();
    let bulks = [cfg.main_bulk_id(), "018fcf0a-6e5f-7a74-b18d-9fbe4c5a7ba6"];
    let table = |width: usize| {
        results(&server.endpoint(), bulks[0])
            .args([bulks[1], "-f", "table", "--concurrency", "1"])
            .env("COLUMNS", width.to_string())
            .ok()
    };
    let rows = results(&server.endpoint(), bulks[0])
        .args([bulks[1], "-f", "jsonl", "--concurrency", "1"])
        .ok()
        .jsonl();
    let run = table(200);
    check_table(&run, &rows, ALL, 200);
    run.same(
        &header(run.stdout()),
        &vec!["BULK", "ID", "TYPE", "USER", "ERROR"],
    );
    // ID goes first, as with one bulk; then BULK with it.
    let run = table(120);
    check_table(&run, &rows, &["bulkId", "objectId", "pulseId"], 120);
    error_column(&run, 120, 40);
    run.same(
        &header(run.stdout()),
        &vec!["BULK", "TYPE", "USER", "ERROR"],
    )
    .stderr_has("note: ID left out to fit 120 columns; see it with --wide or --columns id,error\n");
    let run = table(100);
    check_table(&run, &rows, &["objectId", "pulseId"], 100);
    error_column(&run, 100, 40);
    run.same(&header(run.stdout()), &vec!["USER", "ERROR"])
        .stderr_has(
            "note: BULK, ID, TYPE left out to fit 100 columns; see them with --wide or --columns bulkId,id,error\n",
        );
}

#[cfg(feature = "sandbox")]
#[test]
fn columns_are_field_names_shown_exactly_as_given() {
    let rows = demo_rows();
    for width in [60, 200] {
        let run = demo_table(width, &["--columns", "pulseId,error,id,userIdentifierType"]);
        let lines: Vec<&str> = run.stdout().lines().collect();
        run.same(
            &header(run.stdout()),
            &vec!["pulseId", "error", "id", "userIdentifierType"],
        )
        .same(&lines.len(), &13)
        .stderr_lacks("left out");
        for (line, row) in lines[1..].iter().zip(&rows) {
            run.check(line.contains(row["id"].as_str().unwrap()), "the id whole");
            if let Some(pulse) = row["pulseId"].as_str() {
                run.check(line.starts_with(pulse), "pulseId whole, first");
            }
        }
        if width == 200 {
            run.stdout_has("  pulse_id").stdout_has("  object_id");
        }
    }
    // CSV keeps the real fields.
    let run = druid_bulk(["demo", "--rows", "2", "-f", "csv"]).ok();
    run.check(
        run.stdout()
            .starts_with("id,userIdentifierType,objectId,pulseId,error\n"),
        "csv's default columns are the fields",
    );
}

#[cfg(feature = "sandbox")]
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

#[test]
fn a_later_longer_id_pushes_its_line_right_whole() {
    let server = httpmock::MockServer::start();
    let long = "r3-a-much-longer-identifier-than-the-first-page-had";
    mock_page(
        &server,
        None,
        page(json!([row("r1", "first"), row("r2", "second")]), Some("r2")),
    );
    mock_page(&server, Some("r2"), page(json!([row(long, "third")]), None));
    let run = results(&server.base_url(), "B1")
        .args(["-f", "table", "--columns", "id,objectId,error"])
        .env("COLUMNS", "40")
        .ok();
    let lines: Vec<&str> = run.stdout().lines().collect();
    run.same(
        &lines,
        &vec![
            "id  objectId  error",
            "r1  obj-r1    first",
            "r2  obj-r2    second",
            &format!("{long}  obj-{long}  third"),
        ],
    );
}

#[test]
fn line_breaks_show_as_a_mark_or_as_backslash_n_without_utf8() {
    let server = httpmock::MockServer::start();
    mock_page(
        &server,
        None,
        page(json!([row("r1", "two\nlines\r\nand\ta tab")]), None),
    );
    let table = |env: &[(&str, &str)]| {
        let mut cmd = results(&server.base_url(), "B1");
        cmd.args(["-f", "table", "--columns", "id,error"]);
        for (key, value) in env {
            cmd.env(key, value);
        }
        cmd.ok()
    };
    table(&[]).stdout_has("r1  two⏎lines⏎and a tab\n");
    table(&[("LANG", "es_ES.UTF-8")]).stdout_has("r1  two⏎lines⏎and a tab\n");
    table(&[("LC_ALL", "C"), ("LANG", "en_US.UTF-8")])
        .stdout_has("r1  two\\nlines\\nand a tab\n")
        .stdout_lacks("⏎");
    table(&[("LC_CTYPE", "en_US.ISO-8859-1")]).stdout_has("two\\nlines");
}

#[cfg(feature = "sandbox")]
#[test]
fn status_and_summary_tables_keep_one_line_per_row() {
    let cfg = SandboxConfig::new(40).with_token(TOKEN);
    let server = sandbox::start_background(cfg.clone()).unwrap();
    let run = druid_bulk(["status", "-e", &server.endpoint(), "-f", "table"])
        .env("DRUID_TOKEN", TOKEN)
        .env("COLUMNS", "80")
        .ok();
    let statuses = status_jsonl(&server.endpoint(), None).jsonl();
    // The status view: nothing cut; at 80 columns CREATED gives way.
    let whole = &["bulkId", "status", "updatedOn"];
    check_table(&run, &statuses, whole, 80);
    run.same(&header(run.stdout()), &vec!["BULK", "STATUS", "UPDATED"])
        .stdout_lacks("…")
        .stderr_has("note: CREATED left out; see it with --wide, --columns or -f csv\n");
    let status = |width: &str, extra: &[&str]| {
        druid_bulk(["status", "-e", &server.endpoint(), "-f", "table"])
            .args(extra)
            .env("DRUID_TOKEN", TOKEN)
            .env("COLUMNS", width)
            .ok()
    };
    let run = status("120", &[]);
    check_table(
        &run,
        &statuses,
        &["bulkId", "status", "createdOn", "updatedOn"],
        120,
    );
    run.same(
        &header(run.stdout()),
        &vec!["BULK", "STATUS", "CREATED", "UPDATED"],
    );
    let run = status("60", &[]);
    check_table(&run, &statuses, &["bulkId", "status"], 60);
    run.stderr_has("note: CREATED, UPDATED left out; try --wide or --columns\n");
    // --columns: field names, as given, never left out.
    let run = status("80", &["--columns", "bulkId,status,createdOn,updatedOn"]);
    run.same(
        &header(run.stdout()),
        &vec!["bulkId", "status", "createdOn", "updatedOn"],
    )
    .stderr_lacks("left out");
    let run = results(&server.endpoint(), cfg.main_bulk_id())
        .args(["-f", "table", "--summary-only"])
        .env("COLUMNS", "40")
        .ok();
    let counts = results(&server.endpoint(), cfg.main_bulk_id())
        .args(["-f", "jsonl", "--summary-only"])
        .ok()
        .jsonl();
    check_table(&run, &counts, ALL, 40);
    run.same(&header(run.stdout()), &vec!["kind", "value", "count"])
        .stdout_has("…");
}

/// SGR codes: bold (the table header on a terminal), cyan (a note's
/// label) and back to plain.
#[cfg(all(target_os = "linux", feature = "sandbox"))]
const BOLD: &str = "\u{1b}[1m";
#[cfg(all(target_os = "linux", feature = "sandbox"))]
const RESET: &str = "\u{1b}[0m";
#[cfg(all(target_os = "linux", feature = "sandbox"))]
const CYAN: &str = "\u{1b}[36m";

/// `demo --rows 12` on a real pseudo-terminal (util-linux `script`) sized
/// with `stty`: the table is picked without `-f` and fits the terminal's
/// own width, not `COLUMNS` (which `TestCommand` never sets), with ERROR
/// cut no shorter than 40 columns.
#[cfg(all(target_os = "linux", feature = "sandbox"))]
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
