//! The table on a terminal: one line per row, identifiers whole, lines no
//! wider than `COLUMNS`, several bulks, `--columns` as given, `status` and
//! `--summary-only` tables, and cell text; `fit.rs`: which columns the
//! demo's table shows at each width (ERROR's 40 columns, the note on what
//! was left out), `--wide`, and a real pseudo-terminal.

use serde_json::json;
#[cfg(feature = "sandbox")]
use serde_json::Value;
#[cfg(feature = "sandbox")]
use unicode_width::UnicodeWidthStr;

use crate::support::*;
#[cfg(feature = "sandbox")]
use druid_bulk::sandbox::{self, Bulk, SandboxConfig};

#[cfg(feature = "sandbox")]
mod fit;

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
