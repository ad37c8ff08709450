//! Habits from other tools, caught before any request with exit 2 and a
//! message that says what was meant: `-o csv` for `-f csv`, `--wait 60s`
//! for `--wait=60s`, and arguments that cannot be DruID bulk ids.

use std::path::Path;

use crate::support::*;
use httpmock::prelude::*;
use serde_json::json;

/// A server that answers anything, to count that nothing was asked.
fn any_request(server: &MockServer) -> httpmock::Mock<'_> {
    server.mock(|when, then| {
        when.any_request();
        then.status(200)
            .json_body(page(json!([row("r1", "a")]), None));
    })
}

#[test]
fn a_format_name_after_o_is_exit_2_and_says_f() {
    let server = MockServer::start();
    let any = any_request(&server);
    let dir = tempfile::tempdir().unwrap();
    for (name, format) in [
        ("csv", "csv"),
        ("json", "json"),
        ("jsonl", "jsonl"),
        ("table", "table"),
        ("tsv", "tsv"),
        ("CSV", "csv"),
    ] {
        let run = results(&server.base_url(), "B1")
            .args(["-o", name])
            .current_dir(dir.path())
            .fails(2);
        run.same(
            &run.stderr(),
            &format!(
                "error: -o names a file; did you mean -f {format}? (to write a file named \
                 {name}, use -o ./{name})\n"
            ),
        );
    }
    // No server at all: it is caught before the connection is even looked at.
    druid_bulk(["results", "B1", "-o", "json"])
        .current_dir(dir.path())
        .fails(2)
        .stderr_has("error: -o names a file; did you mean -f json?");
    let (_users, users) = users_file("{\"user\":{\"object_id\":\"o1\"}}\n");
    druid_bulk(["submit", "-e", &server.base_url(), "--export", "csv"])
        .arg(&users)
        .env("DRUID_TOKEN", TOKEN)
        .current_dir(dir.path())
        .fails(2)
        .stderr_has(
            "error: --export names a file; did you mean -f csv? (to write a file named csv, use \
             --export ./csv)",
        );
    any.assert_calls(0);
    let nothing: Vec<String> = Vec::new();
    let run = results(&server.base_url(), "B1")
        .args(["-o", "./csv"])
        .current_dir(dir.path())
        .ok();
    run.same(&files_in(dir.path()), &vec!["csv".to_string()]);
    let written = std::fs::read_to_string(dir.path().join("csv")).unwrap();
    run.same(&jsonl(&written)[0]["id"], &"r1");
    std::fs::remove_file(dir.path().join("csv")).unwrap();
    run.same(&files_in(dir.path()), &nothing);
}

/// `results B1 --wait 60s`: `--wait` takes a value only as `--wait=60s`,
/// so `60s` would be a second bulk.
#[test]
fn a_bulk_id_that_reads_as_a_duration_after_a_bare_wait_is_exit_2() {
    let server = MockServer::start();
    let any = any_request(&server);
    let dir = tempfile::tempdir().unwrap();
    let (_users, users) = users_file("{\"user\":{\"object_id\":\"o1\"}}\n");
    let cases: [(Vec<&str>, &str); 4] = [
        (vec!["B1", "--wait", "60s"], "60s"),
        (vec!["--wait", "1h30m", "-o", "out.csv"], "1h30m"),
        (vec!["B1", "--wait", "0s", "-f", "csv"], "0s"),
        (vec!["--bulk-ids-from", "-", "--wait", "2m"], "2m"),
    ];
    for (args, duration) in cases {
        let run = druid_bulk(["results", "-e", &server.base_url()])
            .args(args)
            .env("DRUID_TOKEN", TOKEN)
            .stdin("B1\n")
            .current_dir(dir.path())
            .fails(2);
        run.same(
            &run.stderr(),
            &format!("error: --wait takes its duration after '=': --wait={duration}\n"),
        );
    }
    failed_lines(&server.base_url(), "60s", &users)
        .arg("--wait")
        .fails(2)
        .stderr_has("error: --wait takes its duration after '=': --wait=60s");
    any.assert_calls(0);
    run_nothing_written(dir.path());
}

fn run_nothing_written(dir: &Path) {
    assert_eq!(files_in(dir), Vec::<String>::new(), "nothing written");
}

/// With `--wait=DURATION`, or without `--wait`, a bulk named like a
/// duration is asked for; when the server does not know it, a hint says
/// what `--wait` takes.
#[test]
fn a_bulk_not_found_that_reads_as_a_duration_hints_at_wait_equals() {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.path(results_path("B1"));
        then.status(200)
            .json_body(page(json!([row("r1", "a")]), None));
    });
    let unknown = server.mock(|when, then| {
        when.path_not(results_path("B1"));
        then.status(404)
            .json_body(json!({"result": {"status": 404, "message": "Bulk not found"}}));
    });
    for wait in [&[][..], &["--wait=10s"]] {
        results(&server.base_url(), "B1")
            .args(["60s", "-f", "jsonl"])
            .args(wait)
            .fails(4)
            .stderr_has("bulk 60s: failed after 0 rows (exit 4): bulk 60s not found")
            .stderr_has("hint: did you mean --wait=60s?");
    }
    unknown.assert_calls(2);
    for other in ["nope", "0190b1c2-0000-7000-8000-000000000000"] {
        results(&server.base_url(), "B1")
            .arg(other)
            .args(["-f", "jsonl", "--wait"])
            .fails(4)
            .stderr_lacks("--wait");
    }
}

#[test]
fn an_argument_that_cannot_be_a_druid_bulk_id_is_exit_2() {
    let server = MockServer::start();
    let any = any_request(&server);
    let base = server.base_url();
    let (_users, users) = users_file("{\"user\":{\"object_id\":\"o1\"}}\n");
    let slash = "contains a '/', which no DruID bulk id does; pass each id alone";
    let space = "contains whitespace, which no DruID bulk id does";
    for (id, words) in [
        ("a/b", slash),
        ("/activityid/v1/user/bulk/B1", slash),
        ("B1 B2", space),
        (" B1", space),
        ("B1\u{a0}", space),
        ("", "the bulk id is empty"),
        ("B1\u{7}", "control characters"),
    ] {
        results(&base, "B2").arg(id).fails(2).stderr_has(words);
        druid_bulk(["status", id, "-e", &base])
            .env("DRUID_TOKEN", TOKEN)
            .fails(2)
            .stderr_has(words);
        failed_lines(&base, id, &users).fails(2).stderr_has(words);
    }
    results(&base, "B2")
        .args(["--bulk-ids-from", "-"])
        .stdin("B1\n# a comment\nbulk/B3\n")
        .fails(2)
        .stderr_has("the bulk id \"bulk/B3\" contains a '/'");
    any.assert_calls(0);
}
