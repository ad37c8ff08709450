//! The sandbox's `--id-layout` and `--cursor-mode`: a sequential export is
//! the same in every layout and mode (a cursor the server issued is always
//! answered exactly), and a synthetic cursor (no row's id) gets each mode's
//! answer, asked for directly and through `results --last`.

use std::io::{Read, Write};

use crate::support::*;
use druid_bulk::api::routes;
use druid_bulk::sandbox::{self, CursorMode, IdLayout, SandboxConfig};
use serde_json::Value;

const ID_LAYOUTS: [IdLayout; 3] = [IdLayout::Uniform, IdLayout::Bursty, IdLayout::Skewed];
const MODES: [CursorMode; 5] = [
    CursorMode::Exact,
    CursorMode::Refuse,
    CursorMode::Restart,
    CursorMode::Inclusive,
    CursorMode::Round,
];

fn config(rows: u64, layout: IdLayout, mode: CursorMode) -> SandboxConfig {
    SandboxConfig::new(rows)
        .with_token(TOKEN)
        .with_id_layout(layout)
        .with_cursor_mode(mode)
}

/// The rows without their ids (the same in every id layout).
fn without_ids(rows: &[Value]) -> Vec<Value> {
    rows.iter()
        .map(|row| {
            let mut row = row.clone();
            row.as_object_mut().unwrap().remove("id");
            row
        })
        .collect()
}

#[test]
fn a_sequential_export_is_the_same_in_every_id_layout_and_cursor_mode() {
    let default = SandboxConfig::new(300).with_token(TOKEN);
    let default_rows = sandbox::expected_rows(&default, default.main_bulk_id(), false);
    for layout in ID_LAYOUTS {
        for mode in MODES {
            let cfg = config(300, layout, mode);
            let server = sandbox::start_background(cfg.clone()).unwrap();
            let run = results(&server.endpoint(), cfg.main_bulk_id())
                .args(["--page-size", "64", "-f", "jsonl"])
                .ok();
            let got = run.jsonl();
            run.same(
                &got,
                &sandbox::expected_rows(&cfg, cfg.main_bulk_id(), false),
            );
            run.same(&without_ids(&got), &without_ids(&default_rows));
            run.same(&server.hits(), &300_u64.div_ceil(64));
            if layout == IdLayout::Uniform {
                run.same(&got, &default_rows);
            }
        }
    }
}

#[test]
fn a_failed_only_export_is_the_same_in_every_cursor_mode() {
    for mode in MODES {
        let cfg = config(300, IdLayout::Skewed, mode);
        let server = sandbox::start_background(cfg.clone()).unwrap();
        let run = results(&server.endpoint(), cfg.main_bulk_id())
            .args(["--page-size", "32", "--failed-only", "-f", "jsonl"])
            .ok();
        run.same(
            &run.jsonl(),
            &sandbox::expected_rows(&cfg, cfg.main_bulk_id(), true),
        );
    }
}

/// `GET` the results of the main bulk with `query`: the status and the body.
fn get(server: &sandbox::Running, cfg: &SandboxConfig, query: &str) -> (u16, Value) {
    let path = routes::results(cfg.main_bulk_id());
    let mut s = std::net::TcpStream::connect(server.addr()).unwrap();
    write!(
        s,
        "GET {path}?{query} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {TOKEN}\r\n\
         Connection: close\r\n\r\n"
    )
    .unwrap();
    let mut answer = String::new();
    s.read_to_string(&mut answer).unwrap();
    let (head, body) = answer.split_once("\r\n\r\n").expect("a whole HTTP answer");
    let status = head[9..12].parse().unwrap();
    (
        status,
        serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body:?}")),
    )
}

/// The UUID just after `id` (same text form, its last hex digit one higher).
fn just_after(id: &str) -> String {
    uuid_text(u128::from_str_radix(&id.replace('-', ""), 16).unwrap() + 1)
}

/// The ids of a results page.
fn ids(body: &Value) -> Vec<&str> {
    body["content"]["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|row| row["id"].as_str().unwrap())
        .collect()
}

#[test]
fn a_synthetic_cursor_gets_each_modes_answer() {
    for mode in MODES {
        let cfg = config(500, IdLayout::Skewed, mode);
        let rows = sandbox::expected_rows(&cfg, cfg.main_bulk_id(), false);
        let id = |i: usize| rows[i]["id"].as_str().unwrap();
        let server = sandbox::start_background(cfg.clone()).unwrap();
        let cursor = just_after(id(200));
        assert!(
            cursor.as_str() < id(201),
            "{cursor} is between rows 200 and 201"
        );
        let (status, body) = get(&server, &cfg, &format!("limit=3&last={cursor}"));
        let first = match mode {
            CursorMode::Refuse => {
                assert_eq!(status, 400, "{mode:?}: {body}");
                assert_eq!(body["result"]["status"], 400);
                let details = body["result"]["errors"][0]["details"].as_str().unwrap();
                assert!(details.contains("last"), "{details}");
                continue;
            }
            CursorMode::Exact => 201,
            CursorMode::Restart => 0,
            CursorMode::Inclusive => 200,
            CursorMode::Round => 202,
        };
        assert_eq!(status, 200, "{mode:?}: {body}");
        assert_eq!(
            ids(&body),
            [id(first), id(first + 1), id(first + 2)],
            "{mode:?}"
        );
        assert_eq!(body["content"]["lastId"], id(first + 2), "{mode:?}");
        // A row's own id is answered exactly in every mode.
        let (status, body) = get(&server, &cfg, &format!("limit=3&last={}", id(200)));
        assert_eq!(status, 200);
        assert_eq!(ids(&body), [id(201), id(202), id(203)], "{mode:?} on a row");
    }
}

/// How `results --last` ends against a mode.
enum Ends {
    /// Exit 0 with the rows from this index on.
    From(usize),
    /// This exit code, this text on stderr.
    Fails(i32, &'static str),
}

#[test]
fn results_from_a_synthetic_cursor_shows_the_mode() {
    let cfg = config(100, IdLayout::Uniform, CursorMode::Exact);
    let rows = sandbox::expected_rows(&cfg, cfg.main_bulk_id(), false);
    let cursor = just_after(rows[49]["id"].as_str().unwrap());
    for (mode, ends) in [
        (CursorMode::Exact, Ends::From(50)),
        // One row too few: nothing in the page tells.
        (CursorMode::Round, Ends::From(51)),
        // The row at the cursor comes back: a row not after the cursor.
        (CursorMode::Inclusive, Ends::Fails(7, "out of order")),
        // The first page again: rows before the cursor.
        (CursorMode::Restart, Ends::Fails(7, "out of order")),
        (
            CursorMode::Refuse,
            Ends::Fails(7, "last must be the id of a result"),
        ),
    ] {
        let cfg = cfg.clone().with_cursor_mode(mode);
        let server = sandbox::start_background(cfg.clone()).unwrap();
        let mut cmd = results(&server.endpoint(), cfg.main_bulk_id());
        cmd.args(["--page-size", "20", "-f", "jsonl", "--last", &cursor]);
        match ends {
            Ends::From(skip) => {
                let run = cmd.ok();
                run.same(&run.jsonl(), &rows[skip..].to_vec());
            }
            Ends::Fails(code, text) => {
                cmd.fails(code).stderr_has(text);
            }
        }
    }
}

/// `druid-bulk sandbox --id-layout --cursor-mode`: the banner says them, the
/// ids are the layout's, a synthetic cursor gets the mode's answer.
#[test]
fn the_sandbox_command_takes_the_id_layout_and_cursor_mode() {
    use std::io::{BufRead, BufReader};
    let mut sandbox = druid_bulk([
        "sandbox",
        "--addr",
        "127.0.0.1:0",
        "--token",
        TOKEN,
        "--rows",
        "300",
        "--id-layout",
        "skewed",
        "--cursor-mode",
        "refuse",
    ])
    .spawn();
    let mut banner = BufReader::new(sandbox.child.stderr.take().unwrap());
    let mut said = String::new();
    while !said.contains("Ctrl-C stops it.") {
        let before = said.len();
        banner.read_line(&mut said).unwrap();
        assert!(said.len() > before, "the banner ends early: {said}");
    }
    let endpoint = said
        .lines()
        .find_map(|l| l.strip_prefix("endpoint: "))
        .unwrap()
        .to_string();
    let cfg = config(300, IdLayout::Skewed, CursorMode::Refuse);
    let rows = sandbox::expected_rows(&cfg, cfg.main_bulk_id(), false);
    let whole = results(&endpoint, cfg.main_bulk_id())
        .args(["--page-size", "50", "-f", "jsonl"])
        .run();
    let synthetic = results(&endpoint, cfg.main_bulk_id())
        .args(["--last", &just_after(rows[100]["id"].as_str().unwrap())])
        .run();
    let status = status_jsonl(&endpoint, Some(cfg.main_bulk_id()));
    sandbox.signal("INT");
    sandbox.finish_guarded();
    whole.expect_code(0);
    whole.same(&whole.jsonl(), &rows);
    synthetic
        .expect_code(7)
        .stderr_has("last must be the id of a result");
    status.same(
        &status.jsonl()[0],
        &sandbox::expected_status(&cfg, cfg.main_bulk_id()).unwrap(),
    );
    let line = "cursors:  row ids skewed; a cursor that is no row's id: refuse";
    assert!(said.contains(line), "the banner says so:\n{said}");
}
