//! `results` against a mock server: what is sent, how pages are followed,
//! and what each format writes.

use crate::support::*;
use httpmock::prelude::*;
use serde_json::{json, Value};

#[test]
fn sends_documented_headers_and_query() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        when.method(GET)
            .path(results_path("B1"))
            .header("authorization", format!("Bearer {TOKEN}"))
            .header("content-type", "application/json")
            .header("accept", "application/json")
            .header("accept-language", "es-ES")
            .header_exists("accept-encoding")
            .query_param("limit", "25")
            .query_param("last", "c0")
            .query_param("failedOnly", "true");
        then.status(200)
            .json_body(page(json!([row("r1", "bad")]), None));
    });
    results(&server.base_url(), "B1")
        .args([
            "--page-size",
            "25",
            "--last",
            "c0",
            "--failed-only",
            "--lang",
            "es-ES",
            "-f",
            "jsonl",
        ])
        .ok();
    mock.assert_calls(1);
}

#[test]
fn optional_parameters_are_left_out() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        when.path(results_path("B1"))
            .query_param_missing("last")
            .query_param_missing("failedOnly")
            .header_missing("accept-language");
        then.status(200).json_body(page(json!([]), None));
    });
    results(&server.base_url(), "B1").ok();
    mock.assert_calls(1);
}

#[test]
fn follows_last_id_across_pages_until_absent() {
    let server = MockServer::start();
    let first = mock_page(
        &server,
        None,
        page(json!([row("r1", "a"), row("r2", "b")]), Some("r2")),
    );
    let second = mock_page(
        &server,
        Some("r2"),
        page(json!([row("r3", "c")]), Some("r3")),
    );
    let third = server.mock(|when, then| {
        when.path(results_path("B1")).query_param("last", "r3");
        // The last page: lastId null counts as absent.
        then.status(200)
            .json_body(json!({"content": {"lastId": null, "results": [row("r4", "d")]}}));
    });
    let run = results(&server.base_url(), "B1").args(["-f", "jsonl"]).ok();
    let ids: Vec<String> = run
        .jsonl()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    run.same(&ids, &["r1", "r2", "r3", "r4"]);
    first.assert_calls(1);
    second.assert_calls(1);
    third.assert_calls(1);
}

#[test]
fn endpoint_path_prefix_is_kept_and_bulk_id_is_one_segment() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        when.path("/api/v2/activityid/v1/user/bulk/a%3Fb%23c%25/results");
        then.status(200)
            .json_body(json!({"content": {"bulkId": "a?b#c%", "results": []}}));
    });
    results(&format!("{}/api/v2/", server.base_url()), "a?b#c%").ok();
    mock.assert_calls(1);
}

#[test]
fn empty_report_is_success_with_no_rows() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.path(results_path("B1"));
        then.status(200).json_body(
            json!({"result": {"status": 200, "message": "No errors for the bulk process"}}),
        );
    });
    let run = results(&server.base_url(), "B1").args(["-f", "jsonl"]).ok();
    run.same(&run.stdout(), &"");
    let run = results(&server.base_url(), "B1").args(["-f", "csv"]).ok();
    run.same(
        &run.stdout(),
        &"id,userIdentifierType,objectId,pulseId,error\n",
    );
    let run = results(&server.base_url(), "B1").args(["-f", "json"]).ok();
    run.same(&run.json(), &json!([]));
}

#[test]
fn jsonl_passes_rows_through_with_unknown_fields_and_nothing_else() {
    let server = MockServer::start();
    let rows = json!([
        {"id": "r1", "userIdentifierType": "pulse_id", "pulseId": "p1", "error": "x", "retryable": false, "meta": {"n": [1, 2]}},
        {"id": "r2", "userIdentifierType": "object_id", "objectId": "o2"}
    ]);
    server.mock(|when, then| {
        when.path(results_path("B1"));
        then.status(200).json_body(page(rows.clone(), None));
    });
    let run = results(&server.base_url(), "B1").args(["-f", "jsonl"]).ok();
    run.same(&run.stdout().lines().count(), &2);
    run.same(&run.jsonl(), &rows.as_array().unwrap().clone());
}

#[test]
fn json_is_one_valid_array_across_pages() {
    let server = MockServer::start();
    mock_page(&server, None, page(json!([row("r1", "a")]), Some("r1")));
    mock_page(&server, Some("r1"), page(json!([row("r2", "b")]), None));
    let run = results(&server.base_url(), "B1").args(["-f", "json"]).ok();
    let v: Value = run.json();
    run.same(&v, &json!([row("r1", "a"), row("r2", "b")]));
}

#[test]
fn csv_round_trips_commas_quotes_newlines_and_unicode() {
    let server = MockServer::start();
    let nasty = [
        "comma, inside",
        "quote \"inside\" here",
        "line one\nline two\r\nthree",
        "Teléfono inválido: 用户不存在 🔒",
        "",
    ];
    let rows: Vec<Value> = nasty
        .iter()
        .enumerate()
        .map(|(i, e)| row(&format!("r{i}"), e))
        .collect();
    server.mock(|when, then| {
        when.path(results_path("B1"));
        then.status(200).json_body(page(json!(rows), None));
    });
    let run = results(&server.base_url(), "B1").args(["-f", "csv"]).ok();
    let mut reader = csv::Reader::from_reader(run.stdout().as_bytes());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    run.same(
        &header,
        &["id", "userIdentifierType", "objectId", "pulseId", "error"],
    );
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    run.same(&records.len(), &nasty.len());
    for (i, (record, error)) in records.iter().zip(nasty).enumerate() {
        run.same(&&record[0], &format!("r{i}"));
        run.same(&&record[1], &"object_id");
        run.same(&&record[2], &format!("obj-r{i}"));
        assert_eq!(
            &record[3],
            "",
            "null pulseId is an empty cell\n\n{}",
            run.describe()
        );
        run.same(&&record[4], &error);
    }
}

#[test]
fn columns_pick_and_order_fields_and_no_header_drops_it() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.path(results_path("B1"));
        then.status(200).json_body(page(
            json!([{"id": "r1", "error": "e", "extra": 7, "objectId": null}]),
            None,
        ));
    });
    let run = results(&server.base_url(), "B1")
        .args(["-f", "csv", "--columns", "error,extra,nosuch,objectId,id"])
        .ok();
    run.same(&run.stdout(), &"error,extra,nosuch,objectId,id\ne,7,,,r1\n");
    let run = results(&server.base_url(), "B1")
        .args(["-f", "csv", "--columns", "id", "--no-header"])
        .ok();
    run.same(&run.stdout(), &"r1\n");
}

#[test]
fn max_rows_stops_mid_page_and_prints_the_resume_cursor() {
    let server = MockServer::start();
    let first = mock_page(
        &server,
        None,
        page(
            json!([row("r1", "a"), row("r2", "b"), row("r3", "c")]),
            Some("r3"),
        ),
    );
    let rest = mock_page(&server, Some("r3"), page(json!([row("r4", "d")]), None));
    let run = results(&server.base_url(), "B1")
        .args(["-f", "jsonl", "--max-rows", "2"])
        .ok();
    run.same(&run.jsonl().len(), &2);
    run.stderr_has("--last r2");
    first.assert_calls(1);
    rest.assert_calls(0);

    // At a page boundary the cursor is the page's lastId, and the next page is not fetched.
    let run = results(&server.base_url(), "B1")
        .args(["-f", "jsonl", "--max-rows", "3", "-q"])
        .ok();
    run.same(&run.jsonl().len(), &3);
    run.stderr_has("--last r3");
    rest.assert_calls(0);

    // Resuming with --last gives the rest.
    let run = results(&server.base_url(), "B1")
        .args(["-f", "jsonl", "--last", "r3"])
        .ok();
    run.same(&run.jsonl(), &vec![row("r4", "d")]);
    rest.assert_calls(1);
}

#[test]
fn a_max_rows_cut_on_a_row_without_an_id_stops_before_it_and_says_so() {
    let server = MockServer::start();
    let rows = json!([{"id": 7, "error": "n"}, row("r2", "b"), {"error": "none"}, row("r4", "d")]);
    mock_page(&server, None, page(rows, Some("r4")));

    // Rows 1 to 3 allowed, row 3 has no id: stop after row 2, whose id resumes.
    let run = results(&server.base_url(), "B1")
        .args(["-f", "jsonl", "--max-rows", "3"])
        .ok();
    run.same(&run.jsonl().len(), &2);
    run.stderr_has(
        "stopped after 2 rows (not 3: row 3 has no id to resume from); \
         resume right after them with --last r2",
    );

    // No row allowed has an id: nothing is written, and nothing claims otherwise.
    let run = results(&server.base_url(), "B1")
        .args(["-f", "jsonl", "--max-rows", "1"])
        .ok();
    run.same(&run.stdout(), &"");
    run.stderr_has(
        "stopped after 0 rows (not 1: row 1 has no id to resume from); raise --max-rows",
    );
}

#[test]
fn output_file_format_follows_its_extension() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.path(results_path("B1"));
        then.status(200)
            .json_body(page(json!([row("r1", "a")]), None));
    });
    let dir = tempfile::tempdir().unwrap();
    for (name, check) in [
        ("out.csv", "id,userIdentifierType"),
        ("out.ndjson", "{\""),
        ("out.json", "[\n{\""),
    ] {
        let path = dir.path().join(name);
        let run = results(&server.base_url(), "B1").arg("-o").arg(&path).ok();
        run.check(run.stdout().is_empty(), "nothing on stdout with -o");
        let text = std::fs::read_to_string(&path).unwrap();
        run.check(
            text.starts_with(check),
            format_args!("{name} starts with {check:?}: {text}"),
        );
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".partial"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
}

#[test]
fn failed_run_leaves_an_existing_output_file_untouched() {
    let server = MockServer::start();
    mock_page(&server, None, page(json!([row("r1", "a")]), Some("r1")));
    server.mock(|when, then| {
        when.path(results_path("B1")).query_param("last", "r1");
        then.status(503).body("down");
    });
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.csv");
    std::fs::write(&path, "previous export\n").unwrap();
    let run = results(&server.base_url(), "B1")
        .arg("-o")
        .arg(&path)
        .fails(6);
    run.same(
        &std::fs::read_to_string(&path).unwrap(),
        &"previous export\n",
    );
    // The page written is kept beside it, not in it.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    run.same(
        &names,
        &[
            ".out.csv.druid-bulk.partial",
            ".out.csv.druid-bulk.state",
            "out.csv",
        ],
    );
    run.stderr_has(&format!(
        "hint: kept 1 row (68 bytes in {}); run the same command again to continue, or --restart",
        dir.path().join(".out.csv.druid-bulk.partial").display()
    ));
}

#[test]
fn output_dash_is_stdout_not_a_file_named_dash() {
    let server = MockServer::start();
    mock_page(&server, None, page(json!([row("r1", "a")]), None));
    let dir = tempfile::tempdir().unwrap();
    let run = results(&server.base_url(), "B1")
        .args(["-o", "-", "-f", "jsonl"])
        .current_dir(dir.path())
        .ok();
    run.same(&run.jsonl(), &vec![row("r1", "a")]);
    run.same(&std::fs::read_dir(dir.path()).unwrap().count(), &0);
}

#[cfg(unix)]
#[test]
fn output_to_a_pipe_or_device_is_written_not_replaced() {
    use std::os::unix::fs::FileTypeExt;
    let server = MockServer::start();
    mock_page(&server, None, page(json!([row("r1", "a")]), None));
    let dir = tempfile::tempdir().unwrap();
    let fifo = fifo_in(dir.path(), "rows.fifo");
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let run = results(&server.base_url(), "B1")
        .args(["-f", "jsonl", "-o"])
        .arg(&fifo)
        .ok();
    run.same(&jsonl(&reader.join().unwrap()), &vec![row("r1", "a")]);
    let kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
    run.check(kind.is_fifo(), "-o did not rename a file over the pipe");
    run.same(&std::fs::read_dir(dir.path()).unwrap().count(), &1);
}

#[cfg(unix)]
#[test]
fn output_to_dev_stdout_appends_to_what_the_shell_opened() {
    let server = MockServer::start();
    mock_page(&server, None, page(json!([row("r1", "a")]), None));
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("log.jsonl");
    std::fs::write(&log, "{\"kept\":true}\n").unwrap();
    let line = r#"exec "$0" results B1 -e "$1" -f jsonl -o /dev/stdout >> "$2""#;
    let url = server.base_url();
    let run = TestCommand::shell(line).arg(&url).arg(&log).ok();
    let lines = jsonl(&std::fs::read_to_string(&log).unwrap());
    run.same(&lines, &vec![json!({"kept": true}), row("r1", "a")]);
    run.same(&std::fs::read_dir(dir.path()).unwrap().count(), &1);
}

#[cfg(unix)]
#[test]
fn a_new_output_file_gets_the_usual_mode_and_an_old_one_keeps_its_own() {
    use std::os::unix::fs::PermissionsExt;
    let server = MockServer::start();
    mock_page(&server, None, page(json!([row("r1", "a")]), None));
    let dir = tempfile::tempdir().unwrap();
    let fresh = dir.path().join("fresh.csv");
    let kept = dir.path().join("kept.csv");
    std::fs::write(&kept, "old\n").unwrap();
    std::fs::set_permissions(&kept, std::fs::Permissions::from_mode(0o600)).unwrap();
    let url = server.base_url();
    for path in [&fresh, &kept] {
        // `umask 022` as in most shells: a new file is rw-r--r--, like `>`.
        let line = r#"umask 022; exec "$0" results B1 -e "$1" -o "$2""#;
        TestCommand::shell(line).arg(&url).arg(path).ok();
    }
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&fresh), 0o644, "a new file follows the umask");
    assert_eq!(mode(&kept), 0o600, "a replaced file keeps its mode");
    assert!(std::fs::read_to_string(&kept).unwrap().starts_with("id,"));
}

#[test]
fn output_to_a_directory_is_refused_before_any_request() {
    let server = MockServer::start();
    let mock = mock_page(&server, None, page(json!([row("r1", "a")]), None));
    let dir = tempfile::tempdir().unwrap();
    results(&server.base_url(), "B1")
        .arg("-o")
        .arg(dir.path())
        .fails(2)
        .stderr_has("is a directory");
    mock.assert_calls(0);
}

#[cfg(unix)]
#[test]
fn checkpoint_refuses_a_pipe_it_could_not_resume() {
    let server = MockServer::start();
    let mock = mock_page(&server, None, page(json!([row("r1", "a")]), None));
    let dir = tempfile::tempdir().unwrap();
    let fifo = fifo_in(dir.path(), "rows.fifo");
    results(&server.base_url(), "B1")
        .args(["-f", "csv", "-o"])
        .arg(&fifo)
        .arg("--checkpoint")
        .arg(dir.path().join("ckpt.json"))
        // Opening a pipe nobody reads would block: fail instead of hanging.
        .hang_guard()
        .fails(2)
        .stderr_has("regular file");
    mock.assert_calls(0);
}

#[test]
fn table_fits_the_width_and_cleans_control_characters() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.path(results_path("B1"));
        then.status(200).json_body(page(
            json!([row("r1", "evil \u{1b}[2J\u{1b}]0;title\u{7} text \u{202e}reversed, and a long tail of words to wrap around")]),
            None,
        ));
    });
    let run = results(&server.base_url(), "B1")
        .args(["-f", "table"])
        .env("COLUMNS", "60")
        .ok();
    let text = run.stdout();
    run.stdout_lacks("\u{1b}")
        .stdout_lacks("\u{7}")
        .stdout_lacks("\u{202e}")
        .stdout_has("\\u{1b}[2J")
        .check(
            text.lines().all(|l| l.chars().count() <= 60),
            "every line fits in 60 columns",
        )
        .check(
            text.lines().next().is_some_and(|l| l.starts_with("ID  ")),
            "the first line is the header, starting with ID",
        );
}
