//! What `-o`'s name says about the format, `--excel` CSV, TSV and
//! `--delimiter`.

use crate::support::*;
use httpmock::prelude::*;
use serde_json::json;

/// One page: a long error, CJK, accents and a newline.
fn serve(server: &MockServer) -> httpmock::Mock<'_> {
    mock_page(
        server,
        None,
        page(
            json!([
                row("r1", "用户不存在"),
                row("r2", "teléfono\ninválido"),
                row("r3", &format!("long {} end", "x".repeat(300))),
            ]),
            None,
        ),
    )
}

#[test]
fn an_unknown_extension_without_a_format_is_exit_2_before_any_request() {
    let server = MockServer::start();
    let mock = serve(&server);
    let dir = tempfile::tempdir().unwrap();
    let run = results(&server.base_url(), "B1")
        .current_dir(dir.path())
        .args(["-o", "report.xlsx"])
        .fails(2);
    run.stderr_has(
        "error: cannot tell the format from -o report.xlsx: use .csv, .tsv, .jsonl, .ndjson, \
         .json or .txt, or pass -f/--format",
    );
    run.same(&files_in(dir.path()), &Vec::<String>::new());
    mock.assert_calls(0);

    // With -f any name will do.
    results(&server.base_url(), "B1")
        .current_dir(dir.path())
        .args(["-o", "report.xlsx", "-f", "csv"])
        .ok();
    let csv = std::fs::read_to_string(dir.path().join("report.xlsx")).unwrap();
    assert!(csv.starts_with("id,userIdentifierType"), "{csv}");
}

#[test]
fn txt_gets_the_whole_table_without_escape_codes() {
    let server = MockServer::start();
    serve(&server);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("Report.TXT");
    let run = results(&server.base_url(), "B1")
        .env("COLUMNS", "40")
        .args(["--color", "always", "-o"])
        .arg(&out)
        .ok();
    let table = std::fs::read_to_string(&out).unwrap();
    run.check(
        !table.contains('\u{1b}'),
        format_args!("no escape codes:\n{table}"),
    )
    .check(
        !table.starts_with('{'),
        format_args!("a table, not JSON lines:\n{table}"),
    )
    .check(
        table.contains(&format!("long {} end", "x".repeat(300))),
        format_args!("nothing cut to COLUMNS:\n{table}"),
    );
    for text in [
        "ID",
        "ERROR",
        "r1",
        "obj-r1",
        "用户不存在",
        "teléfono⏎inválido",
    ] {
        run.check(table.contains(text), format_args!("{text:?} in\n{table}"));
    }
}

#[cfg(unix)]
#[test]
fn a_fifo_gets_json_lines() {
    let server = MockServer::start();
    serve(&server);
    let dir = tempfile::tempdir().unwrap();
    let fifo = fifo_in(dir.path(), "rows.pipe");
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let run = results(&server.base_url(), "B1").arg("-o").arg(&fifo).run();
    if !reader.is_finished() {
        // The run never opened the pipe: let the reader go.
        let _ = std::fs::OpenOptions::new().write(true).open(&fifo);
    }
    let read = reader.join().unwrap();
    run.expect_code(0);
    let rows = jsonl(&read);
    run.same(&rows.len(), &3)
        .same(&rows[0]["error"], &"用户不存在");
}

#[test]
fn excel_csv_has_a_byte_order_mark_and_crlf_line_ends() {
    let server = MockServer::start();
    serve(&server);
    let run = results(&server.base_url(), "B1")
        .args(["--excel", "--columns", "id,error"])
        .ok();
    let long = format!("long {} end", "x".repeat(300));
    run.same(
        &run.stdout(),
        &format!("\u{feff}id,error\r\nr1,用户不存在\r\nr2,\"teléfono\ninválido\"\r\nr3,{long}\r\n"),
    );
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("failures.csv");
    results(&server.base_url(), "B1")
        .args(["--excel", "--csv-safe", "-o"])
        .arg(&out)
        .ok();
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(&bytes[..3], b"\xEF\xBB\xBF");
    let text = String::from_utf8(bytes[3..].to_vec()).unwrap();
    assert!(
        text.starts_with("id,userIdentifierType,objectId,pulseId,error\r\n"),
        "{text}"
    );
    let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
    let errors: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[4].to_string())
        .collect();
    assert_eq!(errors, ["用户不存在", "teléfono\ninválido", &long]);
}

#[test]
fn excel_with_a_format_other_than_csv_is_exit_2_before_any_request() {
    let server = MockServer::start();
    let mock = serve(&server);
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["-f", "json"][..],
        &["-f", "table"],
        &["-o", "out.jsonl"],
        &["-o", "out.txt"],
        &["-f", "tsv"],
        &["-o", "out.tsv"],
    ] {
        results(&server.base_url(), "B1")
            .current_dir(dir.path())
            .arg("--excel")
            .args(args)
            .fails(2)
            .stderr_has("--excel is for CSV");
    }
    mock.assert_calls(0);
    assert!(files_in(dir.path()).is_empty());
}

#[test]
fn tsv_is_one_line_a_row_with_tabs_and_line_breaks_escaped() {
    let server = MockServer::start();
    serve(&server);
    let long = format!("long {} end", "x".repeat(300));
    let want = format!("id\terror\nr1\t用户不存在\nr2\tteléfono\\ninválido\nr3\t{long}\n");
    let run = results(&server.base_url(), "B1")
        .args(["-f", "tsv", "--columns", "id,error"])
        .ok();
    run.same(&run.stdout(), &want);
    let dir = tempfile::tempdir().unwrap();
    for name in ["failures.tsv", "FAILURES.TSV"] {
        let out = dir.path().join(name);
        results(&server.base_url(), "B1")
            .args(["--columns", "id,error", "-o"])
            .arg(&out)
            .ok();
        assert_eq!(std::fs::read_to_string(&out).unwrap(), want, "{name}");
        std::fs::remove_file(&out).unwrap();
    }
    // The default columns, and --csv-safe.
    let server = MockServer::start();
    mock_page(&server, None, page(json!([row("r1", "=cmd\t|x")]), None));
    let run = results(&server.base_url(), "B1")
        .args(["-f", "tsv", "--csv-safe"])
        .ok();
    run.same(
        &run.stdout(),
        &"id\tuserIdentifierType\tobjectId\tpulseId\terror\n\
          r1\tobject_id\tobj-r1\t\t'=cmd\\t|x\n",
    );
}

#[test]
fn a_delimiter_separates_csv_fields_and_implies_csv() {
    let server = MockServer::start();
    mock_page(
        &server,
        None,
        page(json!([row("r1", "a;b, c"), row("r2", "1,5")]), None),
    );
    for args in [
        &["--delimiter", ";"][..],
        &["--delimiter", ";", "-f", "csv"],
    ] {
        let run = results(&server.base_url(), "B1")
            .args(["--columns", "id,error"])
            .args(args)
            .ok();
        run.same(&run.stdout(), &"id;error\nr1;\"a;b, c\"\nr2;1,5\n");
    }
    let run = results(&server.base_url(), "B1")
        .args(["--columns", "id,error", "--delimiter", "tab"])
        .ok();
    run.same(&run.stdout(), &"id\terror\nr1\ta;b, c\nr2\t1,5\n");
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("failures.csv");
    results(&server.base_url(), "B1")
        .args(["--columns", "id,error", "--excel", "--delimiter", ";", "-o"])
        .arg(&out)
        .ok();
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "\u{feff}id;error\r\nr1;\"a;b, c\"\r\nr2;1,5\r\n"
    );
}

#[test]
fn a_delimiter_that_is_not_for_csv_is_exit_2_before_any_request() {
    let server = MockServer::start();
    let mock = serve(&server);
    let dir = tempfile::tempdir().unwrap();
    for (args, words) in [
        (
            &["--delimiter", ";", "-f", "tsv"][..],
            "--delimiter is for CSV, and the format is tsv",
        ),
        (
            &["--delimiter", ";", "-f", "json"],
            "--delimiter is for CSV, and the format is json",
        ),
        (
            &["--delimiter", ";", "-o", "out.jsonl"],
            "--delimiter is for CSV, and the format is jsonl (from -o out.jsonl)",
        ),
        (
            &["--delimiter", ";;"],
            "--delimiter \";;\" is not one ASCII character",
        ),
        (
            &["--delimiter", "\""],
            "is not one ASCII character other than a quote, CR or LF",
        ),
        (
            &["--delimiter", "\\t"],
            "e.g. --delimiter ';' or --delimiter tab",
        ),
        (&["--delimiter", "é"], "is not one ASCII character"),
    ] {
        results(&server.base_url(), "B1")
            .current_dir(dir.path())
            .args(args)
            .fails(2)
            .stderr_has(words);
    }
    mock.assert_calls(0);
    assert!(files_in(dir.path()).is_empty());
}
