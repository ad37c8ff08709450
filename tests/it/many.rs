//! Several bulks in one run: every row tagged with its bulk, whole pages,
//! one header, and one failing bulk does not cost the others their rows.

use crate::support::*;
#[cfg(feature = "sandbox")]
use druid_bulk::sandbox::{self, Bulk, SandboxConfig};
#[cfg(feature = "sandbox")]
use serde_json::Value;

/// A sandbox with three finished bulks of different sizes.
#[cfg(feature = "sandbox")]
fn three_bulks() -> (SandboxConfig, sandbox::Running) {
    let mut cfg = SandboxConfig::new(230).with_token(TOKEN);
    cfg.bulks.push(Bulk {
        id: "bulk-b".into(),
        rows: 75,
        ready: true,
    });
    cfg.bulks.push(Bulk {
        id: "bulk-c".into(),
        rows: 0,
        ready: true,
    });
    let server = sandbox::start_background(cfg.clone()).unwrap();
    (cfg, server)
}

#[cfg(feature = "sandbox")]
fn expected(cfg: &SandboxConfig, ids: &[&str]) -> Vec<Value> {
    ids.iter()
        .flat_map(|id| {
            sandbox::expected_rows(cfg, id, false)
                .into_iter()
                .map(move |mut row| {
                    let mut tagged = serde_json::Map::new();
                    tagged.insert("bulkId".into(), Value::from(*id));
                    tagged.append(row.as_object_mut().unwrap());
                    Value::Object(tagged)
                })
        })
        .collect()
}

#[cfg(feature = "sandbox")]
fn sorted(mut rows: Vec<Value>) -> Vec<Value> {
    rows.sort_by_key(|r| {
        (
            r["bulkId"].as_str().unwrap().to_string(),
            r["id"].as_str().unwrap().to_string(),
        )
    });
    rows
}

#[cfg(feature = "sandbox")]
#[test]
fn rows_of_every_bulk_arrive_tagged_with_their_bulk() {
    let (cfg, server) = three_bulks();
    let ids = [cfg.main_bulk_id(), "bulk-b", "bulk-c"];
    let run = results(&server.endpoint(), ids[0])
        .args([
            ids[1],
            ids[2],
            "--page-size",
            "20",
            "--concurrency",
            "2",
            "-f",
            "jsonl",
        ])
        .ok();
    let got = run.jsonl();
    run.same(&sorted(got.clone()), &sorted(expected(&cfg, &ids)));
    // bulkId comes first in each line, and each bulk's rows keep their order.
    run.check(
        run.stdout().lines().all(|l| l.starts_with("{\"bulkId\":")),
        "every line starts with bulkId",
    );
    let b: Vec<&str> = got
        .iter()
        .filter(|r| r["bulkId"] == "bulk-b")
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    let mut in_order = b.clone();
    in_order.sort();
    run.same(&b, &in_order);
    run.stderr_has("bulk bulk-b: 75 rows")
        .stderr_has("bulk bulk-c: 0 rows");
}

#[cfg(feature = "sandbox")]
#[test]
fn csv_has_one_header_and_a_bulk_id_column() {
    let (cfg, server) = three_bulks();
    let run = results(&server.endpoint(), cfg.main_bulk_id())
        .args(["bulk-b", "--page-size", "50", "-f", "csv"])
        .ok();
    let text = run.stdout();
    run.check(
        text.matches("bulkId,id,userIdentifierType").count() == 1,
        "one header",
    );
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let bulks: Vec<String> = reader
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .collect();
    run.same(&bulks.len(), &305);
    run.same(&bulks.iter().filter(|b| *b == "bulk-b").count(), &75);
}

#[cfg(feature = "sandbox")]
#[test]
fn a_failing_bulk_keeps_the_others_and_the_exit_code_is_the_worst() {
    let (cfg, server) = three_bulks();
    let ids = [cfg.main_bulk_id(), "bulk-b"];
    let run = results(&server.endpoint(), ids[0])
        .args([
            "no-such-bulk",
            ids[1],
            sandbox::PROCESSING_BULK_ID,
            "--page-size",
            "40",
            "-f",
            "jsonl",
        ])
        .run();
    run.check(
        run.code() == Some(5),
        "exit 5: 428 (5) is worse than 404 (4)",
    );
    run.same(&sorted(run.jsonl()), &sorted(expected(&cfg, &ids)));
    run.stderr_has("bulk no-such-bulk: failed after 0 rows (exit 4)")
        .stderr_has(&format!(
            "bulk {}: failed after 0 rows (exit 5)",
            sandbox::PROCESSING_BULK_ID
        ))
        .stderr_has("bulk bulk-b: 75 rows")
        .stderr_has(&format!("bulks complete: {} bulk-b;", ids[0]))
        .stderr_has(&format!(
            "`druid-bulk results no-such-bulk`, `druid-bulk results {}`",
            sandbox::PROCESSING_BULK_ID
        ));
}

#[cfg(feature = "sandbox")]
#[test]
fn bulk_ids_can_come_from_a_file_or_stdin() {
    let (cfg, server) = three_bulks();
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("bulks.txt");
    std::fs::write(
        &list,
        format!(
            "# today's bulks\n{}\n\nbulk-b\nbulk-b\n",
            cfg.main_bulk_id()
        ),
    )
    .unwrap();
    let run = druid_bulk([
        "results",
        "-e",
        &server.endpoint(),
        "-f",
        "jsonl",
        "--bulk-ids-from",
    ])
    .arg(&list)
    .env("DRUID_TOKEN", TOKEN)
    .ok();
    run.check(run.jsonl().len() == 305, "each bulk once");
    let run = bare(&server.endpoint(), "bulk-c")
        .args(["-f", "jsonl", "--bulk-ids-from", "-"])
        .env("DRUID_TOKEN", TOKEN)
        .stdin("bulk-b\n")
        .ok();
    run.check(
        run.jsonl().len() == 75,
        "75 rows: bulk-c (0) and bulk-b (75)",
    );
}

#[test]
fn options_that_need_one_bulk_are_refused_with_several() {
    for flag in [&["--max-rows", "5"][..], &["--last", "x"]] {
        results("http://127.0.0.1:9", "a")
            .arg("b")
            .args(flag)
            .fails(2)
            .stderr_has("one bulk at a time");
    }
    results("http://127.0.0.1:9", "a")
        .args(["--concurrency", "0"])
        .fails(2);
}

#[test]
fn a_bulk_given_twice_is_exported_once_and_a_note_says_so() {
    let server = httpmock::MockServer::start();
    let first = mock_page(
        &server,
        None,
        page(serde_json::json!([row("r1", "a")]), None),
    );
    let run = results(&server.base_url(), "B1")
        .args(["B1", "-f", "jsonl"])
        .ok();
    run.same(&run.jsonl().len(), &1)
        .stderr_has("note: bulk B1 is given more than once; it is exported once");
    first.assert_calls(1);
}

#[test]
fn a_bulk_that_failed_on_the_server_is_reported_with_exit_9_and_the_others_kept() {
    let server = httpmock::MockServer::start();
    let not_ready = server.mock(|when, then| {
        when.path(results_path("B1"));
        then.status(428).json_body(
            serde_json::json!({"result": {"status": 428, "message": "Bulk process not finished yet"}}),
        );
    });
    let status = server.mock(|when, then| {
        when.path(druid_bulk::api::routes::bulk("B1"));
        then.status(200).json_body(serde_json::json!({
            "content": {"bulkId": "B1", "status": "failed"},
            "result": {"status": 200, "message": "OK"}
        }));
    });
    let mut b2 = page(serde_json::json!([row("r1", "a"), row("r2", "b")]), None);
    b2["content"]["bulkId"] = "B2".into();
    let other = server.mock(|when, then| {
        when.path(results_path("B2"));
        then.status(200).json_body(b2);
    });
    let run = results(&server.base_url(), "B1")
        .args(["B2", "--wait=1h", "-f", "jsonl"])
        .fails(9);
    run.same(&run.jsonl().len(), &2)
        .stderr_has(
            "bulk B1: failed after 0 rows (exit 9): bulk B1 failed on the server (status failed)",
        )
        .stderr_has("bulk B2: 2 rows");
    not_ready.assert_calls(1);
    status.assert_calls(1);
    other.assert_calls(1);
}

#[test]
fn a_received_bulk_id_is_replaced_by_the_bulk_asked_for_in_json_outputs() {
    let server = httpmock::MockServer::start();
    // B1's rows carry a bulkId of their own, B2's the right one (in another case).
    let body = |bulk: &str, rows: &str| {
        format!(
            r#"{{"content":{{"bulkId":"{bulk}","results":[{rows}]}},"result":{{"status":200}}}}"#
        )
    };
    let b1 = body(
        "B1",
        r#"{"id":"r1","bulkId":"SERVER","error":"a"},{"bulkId":"SERVER","id":"r2","o":{"bulkId":"kept"}}"#,
    );
    let b2 = body("B2", r#"{"id":"r1","bulkId":"b2","error":"c"}"#);
    for (bulk, text) in [("B1", b1), ("B2", b2)] {
        server.mock(|when, then| {
            when.path(results_path(bulk));
            then.status(200).body(text);
        });
    }
    for format in ["jsonl", "json"] {
        let run = results(&server.base_url(), "B1")
            .args(["B2", "--concurrency", "1", "-f", format])
            .ok();
        let rows: Vec<serde_json::Value> = match format {
            "json" => serde_json::from_str(run.stdout()).unwrap(),
            _ => run.jsonl(),
        };
        let tagged: Vec<(&str, &str)> = (rows.iter())
            .map(|r| (r["bulkId"].as_str().unwrap(), r["id"].as_str().unwrap()))
            .collect();
        run.same(&tagged, &[("B1", "r1"), ("B1", "r2"), ("B2", "r1")]);
        run.same(&run.stdout().matches("\"bulkId\":").count(), &4);
        run.same(&rows[1]["o"]["bulkId"], &"kept");
        run.same(
            &run.stderr()
                .matches("note: bulk B1: its rows carry")
                .count(),
            &1,
        );
        run.stderr_has(r#"their own bulkId ("SERVER")"#)
            .stderr_lacks("note: bulk B2");
    }
}
