//! `--columns` in every format: the fields picked and ordered (JSON values
//! byte for byte as received, `null` for a missing one), a name given twice,
//! the `bulkId` of several bulks, a checkpoint that recorded them, and
//! `--columns list`.

use crate::support::*;
use httpmock::prelude::*;
use serde_json::json;

/// Bulk B1's one page, as text: escapes, a number's spelling and spacing
/// that a JSON writer must keep.
const BODY: &str = r#"{"content":{"bulkId":"B1","results":[
 {"id":"r1","userIdentifierType":"object_id","objectId":"o1","error":"a \"q\"\n\u00e9, x","n":1.50,"x":{ "k" : [1,2] }},
 {"id":"r2","error":null,"extra":true}
]},"result":{"status":200,"message":"OK"}}"#;

/// A last page of `bulk` holding `rows`.
fn page_of(bulk: &str, rows: serde_json::Value) -> String {
    let mut body = page(rows, None);
    body["content"]["bulkId"] = json!(bulk);
    body.to_string()
}

fn serve_text<'a>(server: &'a MockServer, bulk: &str, body: &str) -> httpmock::Mock<'a> {
    server.mock(|when, then| {
        when.path(results_path(bulk));
        then.status(200)
            .header("content-type", "application/json")
            .body(body);
    })
}

#[test]
fn columns_pick_and_order_the_fields_of_every_format() {
    let server = MockServer::start();
    let mock = serve_text(&server, "B1", BODY);
    let columns = ["--columns", "error,id,n,x,gone"];
    let line1 =
        r#"{"error":"a \"q\"\n\u00e9, x","id":"r1","n":1.50,"x":{ "k" : [1,2] },"gone":null}"#;
    let line2 = r#"{"error":null,"id":"r2","n":null,"x":null,"gone":null}"#;
    for (format, want) in [
        ("jsonl", format!("{line1}\n{line2}\n")),
        ("json", format!("[\n{line1},\n{line2}\n]\n")),
        (
            "csv",
            "error,id,n,x,gone\n\"a \"\"q\"\"\né, x\",r1,1.50,\"{ \"\"k\"\" : [1,2] }\",\n,r2,,,\n"
                .to_string(),
        ),
        (
            "tsv",
            "error\tid\tn\tx\tgone\na \"q\"\\né, x\tr1\t1.50\t{ \"k\" : [1,2] }\t\n\tr2\t\t\t\n"
                .to_string(),
        ),
    ] {
        let run = results(&server.base_url(), "B1")
            .args(["-f", format])
            .args(columns)
            .ok();
        run.same(&run.stdout(), &want);
    }
    let run = results(&server.base_url(), "B1")
        .args(["-f", "table"])
        .args(columns)
        .ok();
    let header: Vec<&str> = run
        .stdout()
        .lines()
        .next()
        .unwrap()
        .split_whitespace()
        .collect();
    run.same(&header, &["error", "id", "n", "x", "gone"]);
    mock.assert_calls(5);
}

#[test]
fn a_field_named_twice_is_exit_2_in_every_format() {
    let server = MockServer::start();
    let mock = serve_text(&server, "B1", BODY);
    for format in ["jsonl", "json", "csv", "tsv", "table"] {
        results(&server.base_url(), "B1")
            .args(["-f", format, "--columns", "id,error,field,id"])
            .fails(2)
            .stderr_has("error: --columns names id more than once; name each field once");
    }
    druid_bulk([
        "status",
        "-e",
        &server.base_url(),
        "--columns",
        "status,status",
    ])
    .env("DRUID_TOKEN", TOKEN)
    .fails(2)
    .stderr_has("--columns names status more than once");
    mock.assert_calls(0);
}

#[test]
fn with_several_bulks_json_has_the_bulk_id_only_when_picked() {
    let server = MockServer::start();
    for bulk in ["B1", "B2"] {
        let rows = json!([row(&format!("{bulk}-r1"), "e")]);
        serve_text(&server, bulk, &page_of(bulk, rows));
    }
    let run = results(&server.base_url(), "B1")
        .args([
            "B2",
            "--concurrency",
            "1",
            "-f",
            "jsonl",
            "--columns",
            "id,bulkId",
        ])
        .ok();
    run.same(
        &run.stdout(),
        &"{\"id\":\"B1-r1\",\"bulkId\":\"B1\"}\n{\"id\":\"B2-r1\",\"bulkId\":\"B2\"}\n",
    );
    let run = results(&server.base_url(), "B1")
        .args(["B2", "--concurrency", "1", "-f", "json", "--columns", "id"])
        .ok();
    run.same(&run.json(), &json!([{"id": "B1-r1"}, {"id": "B2-r1"}]));
}

/// `results B1 -o out --checkpoint cp ARGS` against `server`.
fn with_checkpoint(
    server: &MockServer,
    out: &std::path::Path,
    cp: &std::path::Path,
    args: &[&str],
) -> TestCommand {
    let mut cmd = results(&server.base_url(), "B1");
    cmd.arg("-o")
        .arg(out)
        .arg("--checkpoint")
        .arg(cp)
        .args(args);
    cmd
}

#[test]
fn a_checkpoint_keeps_the_columns_and_delimiter_it_was_made_with() {
    let server = MockServer::start();
    serve_text(&server, "B1", BODY);
    let dir = tempfile::tempdir().unwrap();
    let (out, cp) = (dir.path().join("out.jsonl"), dir.path().join("out.ckpt"));
    let export = |args: &[&str]| with_checkpoint(&server, &out, &cp, args);
    export(&["--columns", "id"]).ok();
    export(&["--columns", "id"]).ok();
    export(&["--columns", "id,error"])
        .fails(2)
        .stderr_has("belongs to another export (--columns was [\"id\"], now [\"id\", \"error\"])");
    export(&[])
        .fails(2)
        .stderr_has("(--columns was [\"id\"], now [])");
    let (out, cp) = (dir.path().join("out.csv"), dir.path().join("csv.ckpt"));
    let export = |args: &[&str]| with_checkpoint(&server, &out, &cp, args);
    export(&["--delimiter", ";"]).ok();
    export(&[])
        .fails(2)
        .stderr_has("(--delimiter was \";\", now \",\")");
    export(&["--delimiter", ";"]).ok();
}

#[test]
fn columns_list_prints_the_documented_fields_then_those_of_the_first_page() {
    let server = MockServer::start();
    // Raw text, so the fields come in the order written here.
    let first = server.mock(|when, then| {
        when.path(results_path("B1")).query_param_missing("last");
        then.status(200).body(
            r#"{"content":{"bulkId":"B1","lastId":"r2","results":[
              {"id":"r1","error":"e","zeta":1,"userIdentifierType":"object_id","alpha":null},
              {"id":"r2","beta":[],"zeta":2,"line\nbreak":0}]}}"#,
        );
    });
    let second = mock_page(
        &server,
        Some("r2"),
        page(json!([{"id": "r3", "gamma": 1}]), None),
    );
    let want = "id\nuserIdentifierType\nobjectId\npulseId\nerror\nzeta\nalpha\nbeta\nline⏎break\n";
    for format in ["jsonl", "csv"] {
        let run = results(&server.base_url(), "B1")
            .args(["--columns", "list", "-f", format])
            .ok();
        run.same(&run.stdout(), &want);
    }
    first.assert_calls(2);
    second.assert_calls(0);

    // Several bulks: bulkId first, then each bulk's first page in turn.
    serve_text(
        &server,
        "B2",
        &page_of("B2", json!([{"id": "x", "delta": 1, "bulkId": "B2"}])),
    );
    let run = results(&server.base_url(), "B1")
        .args(["B2", "--columns", "list"])
        .ok();
    run.same(&run.stdout(), &format!("bulkId\n{want}delta\n").as_str());

    let dir = tempfile::tempdir().unwrap();
    results(&server.base_url(), "B1")
        .args(["--columns", "list", "-o", "fields.txt"])
        .current_dir(dir.path())
        .fails(2)
        .stderr_has("--columns list prints the field names on stdout and writes no file: drop -o");
    druid_bulk([
        "status",
        "B1",
        "-e",
        &server.base_url(),
        "--columns",
        "list",
    ])
    .env("DRUID_TOKEN", TOKEN)
    .fails(2)
    .stderr_has("--columns list is for the rows of results and demo");
    let (_users, users) = users_file("{\"user\":{\"object_id\":\"o1\"}}\n");
    druid_bulk(["submit", "-e", &server.base_url(), "--export", "out.csv"])
        .args(["--columns", "list"])
        .arg(&users)
        .env("DRUID_TOKEN", TOKEN)
        .current_dir(dir.path())
        .fails(2)
        .stderr_has("--columns list prints the fields of a bulk's rows instead of exporting them");
    first.assert_calls(3);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}
