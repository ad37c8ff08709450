//! `failed-lines`: a bulk's failures joined to the input lines it was sent
//! from, against a mock server (every identifier location, the counts,
//! byte-exact output, gzip and stdin, `-o` left alone on a failure) and
//! against the sandbox (`sandbox.rs`).

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::support::*;
use httpmock::prelude::*;
use serde_json::{json, Value};

#[cfg(feature = "sandbox")]
mod sandbox;

/// A failure row naming the user by `kind` (`object_id` or `pulse_id`).
fn failure(kind: &str, id: &str, error: &str) -> Value {
    match kind {
        "object_id" => json!({"id": format!("r-{id}"), "userIdentifierType": kind,
                              "objectId": id, "pulseId": null, "error": error}),
        _ => json!({"id": format!("r-{id}"), "userIdentifierType": kind,
                    "pulseId": id, "error": error}),
    }
}

/// Serve `rows` as B1's failures, one page, to a request with
/// `failedOnly=true`; their ids are renumbered in order.
fn report(server: &MockServer, mut rows: Vec<Value>) -> httpmock::Mock<'_> {
    for (i, row) in rows.iter_mut().enumerate() {
        row["id"] = json!(format!("r{i:03}"));
    }
    server.mock(|when, then| {
        when.method(GET)
            .path(results_path("B1"))
            .query_param("failedOnly", "true");
        then.status(200).json_body(page(Value::Array(rows), None));
    })
}

/// A file `name` holding `text` in `dir`.
fn input_file(dir: &Path, name: &str, text: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).unwrap();
    path
}

/// These lines, each ended by a newline.
fn text(lines: &[&str]) -> String {
    lines.join("\n") + "\n"
}

/// The last line on stderr.
fn last_line(run: &Run) -> &str {
    run.stderr().lines().last().unwrap_or_default()
}

#[test]
fn each_identifier_location_is_found() {
    let server = MockServer::start();
    let mock = report(
        &server,
        vec![
            failure("object_id", "o1", "e1"),
            failure("pulse_id", "p2", "e2"),
            failure("object_id", "o3", "e3"),
            failure("pulse_id", "p4", "e4"),
            failure("object_id", "o5", "e5"),
            failure("pulse_id", "p6", "e6"),
        ],
    );
    let lines = [
        r#"{"user":{"object_id":"o1"},"email":"a@example.com"}"#,
        r#"{"user":{"object_id":"ok-1"}}"#,
        r#"{"user":{"pulse_id":"p2"}}"#,
        r#"{"object_id":"o3","phone":"+34600000000"}"#,
        r#"{"pulse_id":"p4"}"#,
        r#"{"pulse_id":"ok-2"}"#,
        r#"{"objectId":"o5"}"#,
        r#"{"pulseId":"p6"}"#,
    ];
    let (_dir, input) = users_file(text(&lines));
    let run = failed_lines(&server.base_url(), "B1", &input).ok();
    let expected: String = [0, 2, 3, 4, 6, 7]
        .iter()
        .map(|&i| format!("{}\n", lines[i]))
        .collect();
    run.same(&run.stdout(), &expected.as_str());
    run.same(
        &last_line(&run),
        &"6 of 8 input lines failed; 0 failures matched no input line; \
          0 input lines had no identifier",
    );
    mock.assert_calls(1);
}

#[test]
fn the_user_object_wins_over_top_level_keys() {
    let server = MockServer::start();
    report(&server, vec![failure("object_id", "top", "e")]);
    let (_dir, input) = users_file("{\"user\":{\"object_id\":\"inner\"},\"object_id\":\"top\"}\n");
    let run = failed_lines(&server.base_url(), "B1", &input).ok();
    run.same(&run.stdout(), &"");
    run.stderr_has("0 of 1 input line failed; 1 failure matched no input line");
}

#[test]
fn pointers_given_replace_the_default_locations() {
    let server = MockServer::start();
    report(
        &server,
        vec![
            failure("object_id", "o1", "e1"),
            failure("pulse_id", "p2", "e2"),
        ],
    );
    let lines = [
        r#"{"data":{"oid":"o1"}}"#,
        r#"{"user":{"object_id":"o1"}}"#,
        r#"{"ids":["x","p2"]}"#,
        r#"{"user":{"pulse_id":"p2"}}"#,
    ];
    let (_dir, input) = users_file(text(&lines));
    let run = failed_lines(&server.base_url(), "B1", &input)
        .args(["--object-id-at", "/data/oid", "--pulse-id-at", "/ids/1"])
        .ok();
    run.same(
        &run.stdout(),
        &format!("{}\n{}\n", lines[0], lines[2]).as_str(),
    );
    run.stderr_has("2 of 4 input lines failed; 0 failures matched no input line; 2 input lines had no identifier");
}

#[test]
fn a_line_with_both_identifiers_matches_on_either() {
    let server = MockServer::start();
    report(
        &server,
        vec![
            failure("pulse_id", "p1", "e1"),
            failure("object_id", "o2", "e2"),
            json!({"id": "r3", "userIdentifierType": "object_id", "objectId": "o3", "pulseId": "p3", "error": "e3"}),
        ],
    );
    let lines = [
        r#"{"user":{"object_id":"ok","pulse_id":"p1"}}"#,
        r#"{"user":{"object_id":"o2","pulse_id":"ok"}}"#,
        r#"{"user":{"object_id":"ok","pulse_id":"ok"}}"#,
        r#"{"user":{"pulse_id":"p3"}}"#,
    ];
    let (_dir, input) = users_file(text(&lines));
    let run = failed_lines(&server.base_url(), "B1", &input).ok();
    run.same(
        &run.stdout(),
        &format!("{}\n{}\n{}\n", lines[0], lines[1], lines[3]).as_str(),
    );
    run.stderr_has("3 of 4 input lines failed; 0 failures matched no input line");
}

#[test]
fn a_user_failing_on_two_lines_gets_both_lines_and_both_errors() {
    let server = MockServer::start();
    // One row per failed line: the same user twice.
    report(
        &server,
        vec![
            failure("object_id", "o1", "Invalid email"),
            failure("object_id", "o1", "Invalid phone"),
            failure("object_id", "o2", "User not found"),
        ],
    );
    let lines = [
        r#"{"user":{"object_id":"o1","email":"bad"}}"#,
        r#"{"user":{"object_id":"o2"}}"#,
        r#"{"user":{"object_id":"o1","phone":"600"}}"#,
    ];
    let (_dir, input) = users_file(text(&lines));
    let run = failed_lines(&server.base_url(), "B1", &input).ok();
    run.same(&run.stdout(), &text(&lines).as_str());
    run.stderr_has("3 of 3 input lines failed; 0 failures matched no input line");
    let run = failed_lines(&server.base_url(), "B1", &input)
        .arg("--annotate")
        .ok();
    let got: Vec<(u64, String)> = run
        .jsonl()
        .iter()
        .map(|v| {
            (
                v["line"].as_u64().unwrap(),
                v["error"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    run.same(
        &got,
        &vec![
            (1, "Invalid email; Invalid phone".to_string()),
            (2, "User not found".to_string()),
            (3, "Invalid email; Invalid phone".to_string()),
        ],
    );
}

#[test]
fn failures_and_lines_that_cannot_be_matched_are_counted() {
    let server = MockServer::start();
    report(
        &server,
        vec![
            failure("object_id", "o1", "e1"),
            failure("object_id", "gone-1", "e2"),
            failure("pulse_id", "gone-2", "e3"),
            json!({"id": "r4", "userIdentifierType": "object_id", "objectId": null, "error": "no id"}),
        ],
    );
    let (_dir, input) = users_file(
        "{\"user\":{\"object_id\":\"o1\"}}\n{\"user\":{\"email\":\"x@y\"}}\n{\"name\":\"n\"}\n",
    );
    let run = failed_lines(&server.base_url(), "B1", &input).ok();
    run.same(&run.stdout(), &"{\"user\":{\"object_id\":\"o1\"}}\n");
    run.same(
        &last_line(&run),
        &"1 of 3 input lines failed; 3 failures matched no input line; \
          2 input lines had no identifier",
    );
    run.stderr_has(&format!(
        "note: 2 input lines have no identifier at /user/object_id, /object_id, /objectId, \
         /user/pulse_id, /pulse_id, /pulseId (the first is {}:2)",
        input.display()
    ));
}

#[test]
fn a_report_that_matches_no_line_asks_whether_it_is_the_right_file() {
    let server = MockServer::start();
    report(&server, vec![failure("object_id", "o1", "e1")]);
    let dir = tempfile::tempdir().unwrap();
    let input = input_file(dir.path(), "other.jsonl", "{\"objectId\":\"zz\"}\n");
    failed_lines(&server.base_url(), "B1", &input)
        .ok()
        .stderr_has("none of the 1 failure of bulk B1 matched a line of")
        .stderr_has("is it the file this bulk was sent from?");
}

#[test]
fn lines_that_are_not_json_objects_are_named_and_counted() {
    let server = MockServer::start();
    report(&server, vec![failure("object_id", "o1", "e1")]);
    let (_dir, input) =
        users_file(b"{\"objectId\":\"o1\"}\n{\"objectId\":\"o1\"\n\xff\xfe\n[1,2]\n\n");
    let run = failed_lines(&server.base_url(), "B1", &input).ok();
    let name = input.display();
    run.same(&run.stdout(), &"{\"objectId\":\"o1\"}\n");
    run.stderr_has(&format!("warning: {name}:2: not JSON ("))
        .stderr_has(&format!("warning: {name}:3: not UTF-8 (byte 1)"))
        .stderr_has(&format!("warning: {name}:4: not a JSON object"))
        .same(
            &last_line(&run),
            &"1 of 4 input lines failed; 0 failures matched no input line; \
              0 input lines had no identifier; 3 input lines could not be read",
        );
}

#[test]
fn output_lines_are_the_input_bytes_crlf_included() {
    let server = MockServer::start();
    report(
        &server,
        vec![
            failure("object_id", "o1", "e1"),
            failure("pulse_id", "p3", "e3"),
        ],
    );
    // Spacing, key order, escapes and non-ASCII text as a Windows tool wrote them;
    // the last line has no line end.
    let text = "{ \"user\" : { \"object_id\" : \"o1\" },\t\"name\": \"Jos\\u00e9 Ñúñez\" }\r\n\
                {\"user\":{\"object_id\":\"ok\"}}\r\n\
                {\"n\":1.50,\"user\":{\"pulse_id\":\"p3\",\"tags\":[\"a\",\"b\"]}}";
    let (dir, input) = users_file(text);
    let out = dir.path().join("fix.jsonl");
    failed_lines(&server.base_url(), "B1", &input)
        .arg("-o")
        .arg(&out)
        .ok();
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let expected = format!("{}{}", lines[0], lines[2]);
    assert_eq!(std::fs::read(&out).unwrap(), expected.as_bytes());
}

#[test]
fn gzip_input_and_stdin_give_the_same_lines() {
    let server = MockServer::start();
    report(&server, vec![failure("object_id", "o2", "e")]);
    let dir = tempfile::tempdir().unwrap();
    let text = "{\"objectId\":\"o1\"}\n{\"objectId\":\"o2\"}\n{\"objectId\":\"o3\"}\n";
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(text.as_bytes()).unwrap();
    let gzipped = gz.finish().unwrap();
    let input = input_file(dir.path(), "users.jsonl.gz", &gzipped);
    let expected = "{\"objectId\":\"o2\"}\n";
    let run = failed_lines(&server.base_url(), "B1", &input).ok();
    run.same(&run.stdout(), &expected);
    run.stderr_has("1 of 3 input lines failed");
    let run = failed_lines(&server.base_url(), "B1", "-").stdin(text).ok();
    run.same(&run.stdout(), &expected);
    // Gzip on stdin is unpacked too.
    let run = failed_lines(&server.base_url(), "B1", "-")
        .stdin(gzipped)
        .ok();
    run.same(&run.stdout(), &expected);
}

/// A named pipe (or `<(zcat users.jsonl.gz)`) is read once, as it comes.
#[cfg(unix)]
#[test]
fn a_named_pipe_is_read_as_it_comes() {
    let server = MockServer::start();
    report(&server, vec![failure("object_id", "o2", "e")]);
    let dir = tempfile::tempdir().unwrap();
    let fifo = fifo_in(dir.path(), "users.fifo");
    let run = TestCommand::shell(
        r#"printf '{"objectId":"o1"}\n{"objectId":"o2"}\n' > "$1" &
           exec "$0" failed-lines B1 -e "$2" --input "$1""#,
    )
    .arg(&fifo)
    .arg(server.base_url())
    .hang_guard()
    .ok();
    run.same(&run.stdout(), &"{\"objectId\":\"o2\"}\n");
}

#[test]
fn a_line_longer_than_16_mib_is_refused_and_nothing_is_written() {
    let server = MockServer::start();
    report(&server, vec![failure("object_id", "o1", "e")]);
    let dir = tempfile::tempdir().unwrap();
    // Line 1 fails and would be written; line 2 is 17 MiB of spaces before
    // `{}`, a few KiB once gzipped.
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(b"{\"objectId\":\"o1\"}\n").unwrap();
    let mib = vec![b' '; 1 << 20];
    for _ in 0..17 {
        gz.write_all(&mib).unwrap();
    }
    gz.write_all(b"{}\n{\"objectId\":\"o1\"}\n").unwrap();
    let input = input_file(dir.path(), "users.jsonl.gz", gz.finish().unwrap());
    let out = input_file(dir.path(), "fix.jsonl", "earlier run\n");
    let run = failed_lines(&server.base_url(), "B1", &input)
        .arg("-o")
        .arg(&out)
        .fails(2);
    run.stderr_has(&format!(
        "error: {}:2: line longer than 16 MiB\nhint: ",
        input.display()
    ))
    .stderr_lacks("run the same command again");
    run.same(&std::fs::read_to_string(&out).unwrap(), &"earlier run\n");
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    run.same(&names.len(), &2);
}

#[test]
fn wait_0s_is_a_duration_that_does_not_poll() {
    let server = MockServer::start();
    report(&server, vec![failure("object_id", "o1", "e")]);
    let (_dir, input) = users_file("{\"objectId\":\"o1\"}\n");
    let run = failed_lines(&server.base_url(), "B1", &input)
        .arg("--wait=0s")
        .ok();
    run.same(&run.stdout(), &"{\"objectId\":\"o1\"}\n");
}

#[test]
fn a_gz_name_that_holds_no_gzip_data_is_refused_before_any_request() {
    let server = MockServer::start();
    let mock = report(&server, vec![]);
    let dir = tempfile::tempdir().unwrap();
    let input = input_file(dir.path(), "users.jsonl.gz", "{\"objectId\":\"o1\"}\n");
    failed_lines(&server.base_url(), "B1", &input)
        .fails(2)
        .stderr_has("ends in .gz but does not hold gzip data");
    mock.assert_calls(0);
}

#[test]
fn annotate_writes_line_error_and_input() {
    let server = MockServer::start();
    report(
        &server,
        vec![failure(
            "pulse_id",
            "p2",
            "Invalid phone number \"+34 600\"",
        )],
    );
    let (_dir, input) = users_file("{\"user\":{\"pulse_id\":\"ok\"}}\r\n{\"user\": {\"pulse_id\": \"p2\"}, \"phone\": \"600\"}\r\n",);
    let run = failed_lines(&server.base_url(), "B1", &input)
        .arg("--annotate")
        .ok();
    run.same(
        &run.stdout(),
        &"{\"line\":2,\"error\":\"Invalid phone number \\\"+34 600\\\"\",\
          \"input\":{\"user\": {\"pulse_id\": \"p2\"}, \"phone\": \"600\"}}\n",
    );
}

#[test]
fn a_failed_fetch_leaves_an_existing_output_untouched() {
    let server = MockServer::start();
    let mock = server.mock(|when, then| {
        when.path(results_path("B1"));
        then.status(503);
    });
    let (dir, input) = users_file("{\"objectId\":\"o1\"}\n");
    let out = input_file(dir.path(), "fix.jsonl", "earlier run\n");
    failed_lines(&server.base_url(), "B1", &input)
        .args(["--retries", "1", "-o"])
        .arg(&out)
        .fails(6)
        .stderr_has(&format!(
            "hint: nothing was written to -o {} (it was left as it was)",
            out.display()
        ));
    mock.assert_calls(2);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "earlier run\n");
    let names: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(names.len(), 2, "no temporary file is left: {names:?}");
}

#[test]
fn a_bulk_not_found_is_exit_4_and_writes_nothing() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.path(results_path("B1"));
        then.status(404)
            .json_body(json!({"result": {"status": 404, "message": "Bulk not found"}}));
    });
    let (dir, input) = users_file("{\"objectId\":\"o1\"}\n");
    let out = dir.path().join("fix.jsonl");
    failed_lines(&server.base_url(), "B1", &input)
        .arg("-o")
        .arg(&out)
        .fails(4);
    assert!(!out.exists());
}

#[test]
fn the_output_replaces_o_on_success() {
    let server = MockServer::start();
    report(&server, vec![failure("object_id", "o1", "e")]);
    let (dir, input) = users_file("{\"objectId\":\"o1\"}\n");
    let out = input_file(dir.path(), "fix.jsonl", "earlier run\n");
    let run = failed_lines(&server.base_url(), "B1", &input)
        .args(["-q", "-o"])
        .arg(&out)
        .ok();
    run.check(run.stderr().is_empty(), "nothing on stderr with -q");
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        "{\"objectId\":\"o1\"}\n"
    );
}

#[test]
fn wrong_input_or_pointers_are_usage_errors_before_any_request() {
    let server = MockServer::start();
    let mock = report(&server, vec![]);
    let (dir, input) = users_file("{}\n");
    failed_lines(&server.base_url(), "B1", dir.path().join("missing.jsonl"))
        .fails(2)
        .stderr_has("cannot read --input");
    failed_lines(&server.base_url(), "B1", &input)
        .args(["--object-id-at", "user.object_id"])
        .fails(2)
        .stderr_has("is not a JSON pointer")
        .stderr_has("(e.g. /user/object_id)");
    failed_lines(&server.base_url(), "B1", &input)
        .arg("-o")
        .arg(&input)
        .fails(2)
        .stderr_has("is the --input file");
    failed_lines(&server.base_url(), "B1", "-")
        .args(["--token-file", "-"])
        .fails(2)
        .stderr_has("--token-file and --input cannot both read stdin");
    mock.assert_calls(0);
    assert_eq!(std::fs::read_to_string(&input).unwrap(), "{}\n");
}

#[test]
fn failures_are_fetched_page_by_page_with_the_request_options() {
    let server = MockServer::start();
    let first = server.mock(|when, then| {
        when.path(results_path("B1"))
            .query_param("failedOnly", "true")
            .query_param("limit", "2")
            .query_param_missing("last")
            .header("accept-language", "es-ES");
        then.status(200).json_body(page(
            json!([
                failure("object_id", "o1", "a"),
                failure("object_id", "o2", "b")
            ]),
            Some("r-o2"),
        ));
    });
    let second = server.mock(|when, then| {
        when.path(results_path("B1"))
            .query_param("failedOnly", "true")
            .query_param("last", "r-o2");
        then.status(200)
            .json_body(page(json!([failure("object_id", "o3", "c")]), None));
    });
    let (_dir, input) =
        users_file("{\"objectId\":\"o3\"}\n{\"objectId\":\"o1\"}\n{\"objectId\":\"o9\"}\n");
    let run = failed_lines(&server.base_url(), "B1", &input)
        .args(["--page-size", "2", "--lang", "es-ES"])
        .ok();
    run.same(
        &run.stdout(),
        &"{\"objectId\":\"o3\"}\n{\"objectId\":\"o1\"}\n",
    );
    first.assert_calls(1);
    second.assert_calls(1);
}
