//! `results --split N` against the sandbox: the report is the sequential
//! export's, byte for byte, in every id layout; against every wrong reading
//! of a synthetic cursor (`--cursor-mode`) the export falls back, exits 0,
//! says so once, and is still the sequential one.

use crate::support::*;
use druid_bulk::sandbox::{self, CursorMode, IdLayout, SandboxConfig};

const ID_LAYOUTS: [IdLayout; 3] = [IdLayout::Uniform, IdLayout::Bursty, IdLayout::Skewed];
const WRONG_MODES: [CursorMode; 4] = [
    CursorMode::Refuse,
    CursorMode::Restart,
    CursorMode::Inclusive,
    CursorMode::Round,
];
const FELL_BACK: &str =
    "--split: the server does not accept synthetic cursors; fetched sequentially";

fn config(rows: u64, layout: IdLayout, mode: CursorMode) -> SandboxConfig {
    SandboxConfig::new(rows)
        .with_token(TOKEN)
        .with_id_layout(layout)
        .with_cursor_mode(mode)
}

/// The sequential export of the sandbox's main bulk with `args`, and the
/// same with `--split` and `-v` (which names the ranges and any dropped).
fn both(cfg: &SandboxConfig, args: &[&str], split: &str) -> (Run, Run) {
    let (sequential, split, _) = counted(cfg, args, split);
    (sequential, split)
}

/// [`both`], and how many requests each export made.
fn counted(cfg: &SandboxConfig, args: &[&str], split: &str) -> (Run, Run, [u64; 2]) {
    let server = sandbox::start_background(cfg.clone()).unwrap();
    let sequential = results(&server.endpoint(), cfg.main_bulk_id())
        .args(args)
        .ok();
    let before = server.hits();
    let split = results(&server.endpoint(), cfg.main_bulk_id())
        .args(args)
        .args(["--split", split, "-v"])
        .ok();
    (sequential, split, [before, server.hits() - before])
}

#[test]
fn a_split_export_is_the_sequential_one_in_every_id_layout() {
    for layout in ID_LAYOUTS {
        for ranges in ["4", "8"] {
            let cfg = config(1_000, layout, CursorMode::Exact);
            let (sequential, split) = both(&cfg, &["--page-size", "50", "-f", "jsonl"], ranges);
            split
                .same(&split.stdout(), &sequential.stdout())
                .check(split.stdout().lines().count() == 1_000, "1,000 rows")
                .stderr_has(&format!("--split: {ranges} ranges after "))
                .stderr_has(" 0 refused and read sequentially")
                .stderr_lacks("dropped")
                .stderr_lacks(FELL_BACK);
        }
    }
}

#[test]
fn every_wrong_reading_of_a_synthetic_cursor_falls_back_to_the_sequential_export() {
    for layout in ID_LAYOUTS {
        for mode in WRONG_MODES {
            let cfg = config(600, layout, mode);
            let args = ["--page-size", "40", "-f", "jsonl"];
            let (sequential, split, [pages, requests]) = counted(&cfg, &args, "4");
            split
                .same(&split.stdout(), &sequential.stdout())
                .check(split.stdout().lines().count() == 600, "600 rows")
                .stderr_has(FELL_BACK)
                .stderr_lacks("ranges after")
                // The probe inside the first page, and the status request.
                .same(&requests, &(pages + 2));
        }
    }
}

#[test]
fn a_failed_only_split_export_is_the_sequential_one() {
    for mode in [CursorMode::Exact, CursorMode::Round, CursorMode::Inclusive] {
        let cfg = config(1_000, IdLayout::Skewed, mode);
        let args = ["--page-size", "20", "--failed-only", "-f", "jsonl"];
        let (sequential, split) = both(&cfg, &args, "8");
        split.same(&split.stdout(), &sequential.stdout()).same(
            &split.jsonl(),
            &sandbox::expected_rows(&cfg, cfg.main_bulk_id(), true),
        );
        if mode == CursorMode::Exact {
            split.stderr_lacks("dropped");
        } else {
            split.stderr_has(FELL_BACK);
        }
    }
}

#[test]
fn a_split_csv_file_is_the_sequential_one_byte_for_byte() {
    let cfg = config(700, IdLayout::Bursty, CursorMode::Exact);
    let server = sandbox::start_background(cfg.clone()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let export = |name: &str, extra: &[&str]| {
        let path = dir.path().join(name);
        results(&server.endpoint(), cfg.main_bulk_id())
            .args(["--page-size", "30", "-o"])
            .arg(&path)
            .args(extra)
            .ok();
        std::fs::read(path).unwrap()
    };
    let sequential = export("sequential.csv", &[]);
    let split = export("split.csv", &["--split", "6"]);
    assert!(sequential.len() > 700 * 10, "a real export");
    assert!(
        sequential == split,
        "the split CSV differs from the sequential one"
    );
}

#[test]
fn split_takes_two_to_thirty_two_ranges_of_one_bulk() {
    let bulk = "018fcf0a-3b2c-7d41-9e5a-6c8b1f2d4e73";
    for n in ["0", "1", "33", "auto"] {
        results("http://127.0.0.1:9", bulk)
            .args(["--split", n])
            .fails(2)
            .stderr_has("--split");
    }
}

#[test]
fn several_bulks_are_each_split_sharing_the_requests_in_flight() {
    let mut cfg = config(800, IdLayout::Bursty, CursorMode::Exact);
    cfg.bulks.push(sandbox::Bulk {
        id: "018fcf0a-3b2c-7d41-9e5a-6c8b1f2d4e74".into(),
        rows: 500,
        ready: true,
    });
    let server = sandbox::start_background(cfg.clone()).unwrap();
    let export = |concurrency: &str, split: bool| {
        let mut cmd = results(&server.endpoint(), cfg.main_bulk_id());
        cmd.arg(&cfg.bulks.last().unwrap().id).args([
            "--page-size",
            "25",
            "-f",
            "jsonl",
            "--concurrency",
            concurrency,
        ]);
        if split {
            cmd.args(["--split", "4", "-v"]);
        }
        cmd.ok()
    };
    let sorted = |run: &Run| {
        let mut lines: Vec<String> = run.stdout().lines().map(String::from).collect();
        lines.sort();
        lines
    };
    // One bulk at a time: the same bytes; several at once: the same rows
    // (pages of different bulks interleave as they come, split or not).
    let (sequential, split) = (export("1", false), export("1", true));
    split
        .same(&split.stdout(), &sequential.stdout())
        .check(split.stdout().lines().count() == 1_300, "1,300 rows");
    assert_eq!(split.stderr().matches(" ranges after ").count(), 2);
    let (sequential, split) = (export("3", false), export("3", true));
    split.same(&sorted(&split), &sorted(&sequential));
    assert_eq!(split.stderr().matches(" ranges after ").count(), 2);
}

#[test]
fn max_rows_with_split_stops_where_the_sequential_export_does() {
    let cfg = config(2_000, IdLayout::Skewed, CursorMode::Exact);
    let args = ["--page-size", "30", "-f", "jsonl", "--max-rows", "777"];
    let (sequential, split) = both(&cfg, &args, "4");
    let resume = |run: &Run| {
        (run.stderr().lines())
            .find(|l| l.contains("--last "))
            .map(|l| l[l.find("--last ").unwrap()..].to_string())
    };
    split
        .same(&split.stdout(), &sequential.stdout())
        .check(split.stdout().lines().count() == 777, "777 rows")
        .stderr_has(" ranges after ")
        .same(&resume(&split), &resume(&sequential))
        .check(resume(&split).is_some(), "a resume cursor");
}

#[test]
fn unordered_ends_splitting_with_a_note() {
    let cfg = config(300, IdLayout::Uniform, CursorMode::Exact);
    let (sequential, split) = both(&cfg, &["--page-size", "50", "--unordered"], "4");
    split
        .same(&split.stdout(), &sequential.stdout())
        .stderr_has("--split: with --unordered")
        .stderr_lacks("ranges after");
}

/// A UUIDv7 at Unix millisecond `ms` (tiny, so the text is easy to read),
/// with `n` in its random bits.
fn id_at(ms: u64, n: u64) -> String {
    format!("00000000-{ms:04x}-7000-8000-{n:012x}")
}

/// A bulk of six rows r0…r5 at 1.0 s … 2.0 s, in pages of two, on
/// httpmock; updatedOn 1 s means ids up to 2 s, so the one boundary of
/// `--split 2` falls at 1.6 s ([`BOUNDARY`]), just before r3. The probe
/// inside the first page is answered exactly; the boundary is answered
/// with the rows `synthetic` and no lastId, and the range asks again after
/// the last of them. Returns the ids of every mock (each must be asked at
/// least once), then of the boundary's and the probe's.
fn six_rows(server: &httpmock::MockServer, synthetic: &[usize]) -> (Vec<usize>, [usize; 2]) {
    use httpmock::prelude::*;
    use serde_json::json;

    let r: Vec<String> = (0..6).map(|k| id_at(1_000 + 200 * k, 1)).collect();
    let rows = |ks: &[usize]| {
        json!(ks
            .iter()
            .map(|&k| json!({"id": r[k], "error": "x"}))
            .collect::<Vec<_>>())
    };
    let page = |last: Option<&str>, ks: &[usize], next: Option<&str>| {
        server
            .mock(|when, then| {
                let when = when.method(GET).path(results_path(BULK));
                match last {
                    Some(last) => when.query_param("last", last),
                    None => when.query_param_missing("last"),
                };
                then.status(200)
                    .json_body(json!({"content": {"results": rows(ks), "lastId": next}}));
            })
            .id
    };
    let mut all = vec![
        page(None, &[0, 1], Some(&r[1])),
        page(Some(&r[1]), &[2, 3], Some(&r[3])),
        // Sequentially: the end.
        page(Some(&r[3]), &[4, 5], None),
    ];
    // After the range's last row: the rest, and the end.
    let last = *synthetic.last().unwrap();
    let rest: Vec<usize> = (last + 1..6).collect();
    all.push(page(Some(&r[last]), &rest, None));
    let boundary = page(Some(BOUNDARY), synthetic, None);
    let probe = page(
        Some("00000000-04b0-7000-8000-000000000000"),
        &[1, 2],
        Some(&r[2]),
    );
    let status = server.mock(|when, then| {
        when.method(GET)
            .path(format!("/activityid/v1/user/bulk/{BULK}"));
        then.status(200).json_body(json!({"content": {
            "bulkId": BULK, "status": "completed",
            "createdOn": "1970-01-01T00:00:01Z", "updatedOn": "1970-01-01T00:00:01Z"}}));
    });
    all.extend([boundary, probe, status.id]);
    (all, [boundary, probe])
}

/// Every mock of `ids` was asked at least once.
fn all_asked(server: &httpmock::MockServer, ids: &[usize]) {
    for &id in ids {
        let calls = httpmock::Mock::new(id, server).calls();
        assert!(calls > 0, "mock {id} was never asked");
    }
}

const BULK: &str = "018fcf0a-3b2c-7d41-9e5a-6c8b1f2d4e73";
const BOUNDARY: &str = "00000000-0640-7000-8000-000000000000";

/// [`six_rows`] exported sequentially and with `--split 2 -v`.
fn six_rows_both(server: &httpmock::MockServer) -> (Run, Run) {
    let args = ["--page-size", "2", "-f", "jsonl"];
    let sequential = results(&server.base_url(), BULK).args(args).ok();
    let split = results(&server.base_url(), BULK)
        .args(args)
        .args(["--split", "2", "-v"])
        .ok();
    (sequential, split)
}

#[test]
fn a_range_whose_synthetic_cursor_gets_no_last_id_asks_again_after_its_last_row() {
    let server = httpmock::MockServer::start();
    let (all, [boundary, probe]) = six_rows(&server, &[3, 4]);
    let (sequential, split) = six_rows_both(&server);
    all_asked(&server, &all);
    split
        .same(&split.stdout(), &sequential.stdout())
        .check(split.stdout().lines().count() == 6, "six rows")
        .stderr_has(&format!("boundaries {BOUNDARY}"))
        .stderr_lacks("dropped");
    httpmock::Mock::new(boundary, &server).assert_calls(1);
    httpmock::Mock::new(probe, &server).assert_calls(1);
}

#[test]
fn a_range_that_skips_a_row_at_its_seam_is_dropped_though_the_probe_passed() {
    let server = httpmock::MockServer::start();
    // Rounded: the boundary answered from r4, r3 skipped.
    let (all, [boundary, _]) = six_rows(&server, &[4, 5]);
    let (sequential, split) = six_rows_both(&server);
    all_asked(&server, &all);
    split
        .same(&split.stdout(), &sequential.stdout())
        .check(split.stdout().lines().count() == 6, "six rows")
        .stderr_has(" dropped: Overlap at the seam")
        .stderr_has(FELL_BACK)
        .stderr_has("6 rows in 3 pages")
        .stderr_has("; 2 ranges, 1 seam fell back");
    httpmock::Mock::new(boundary, &server).assert_calls(1);
}

/// Lines in the file at `path` (0 while it does not exist).
fn lines(path: &std::path::Path) -> usize {
    std::fs::read(path).map_or(0, |t| t.iter().filter(|&&b| b == b'\n').count())
}

/// A `--split 8` export to `-o` from a sandbox with `layout` ids (20 ms a
/// page, to keep it running), stopped by `stop` once the partial file holds
/// each of `points` lines, every run continuing the one before; then the
/// same command to the end, which must leave the sequential export's bytes.
fn stopped_and_continued(
    layout: IdLayout,
    points: impl IntoIterator<Item = usize>,
    stop: impl Fn(Running),
) -> Run {
    // 20 ms a page, so that the rest of a split export takes long enough
    // to be stopped after the partial file has the lines asked for (ranges
    // come in bursts). The same rows without latency, for the sequential
    // export to compare with.
    let cfg = SandboxConfig::new(12_000)
        .with_token(TOKEN)
        .with_id_layout(layout);
    let slow = cfg.clone().with_faults(sandbox::Faults {
        latency: std::time::Duration::from_millis(20),
        ..sandbox::Faults::default()
    });
    let server = sandbox::start_background(slow).unwrap();
    let fast = sandbox::start_background(cfg.clone()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let export = |endpoint: &str, path: &std::path::Path, split: bool| {
        let mut cmd = results(endpoint, cfg.main_bulk_id());
        cmd.args(["--page-size", "50", "-f", "csv", "-o"])
            .arg(path)
            .real_clock();
        if split {
            cmd.args(["--split", "8"]);
        }
        cmd
    };
    let whole = dir.path().join("whole.csv");
    export(&fast.endpoint(), &whole, false).ok();
    let export = |path: &std::path::Path, split: bool| export(&server.endpoint(), path, split);
    let path = dir.path().join("out.csv");
    let partial = dir.path().join(".out.csv.druid-bulk.partial");
    for point in points {
        let child = export(&path, true).spawn_with(Some(std::process::Stdio::null()));
        wait_for("rows in the partial file", || lines(&partial) >= point);
        stop(child);
    }
    let run = export(&path, true).ok();
    let same = std::fs::read(&path).unwrap() == std::fs::read(&whole).unwrap();
    run.check(
        same,
        "the same bytes as a sequential export never interrupted",
    );
    run
}

#[test]
fn a_split_export_interrupted_at_several_points_ends_as_the_sequential_one() {
    let run = stopped_and_continued(IdLayout::Skewed, [120, 1_500, 3_000], |child| {
        child.signal("INT");
        child
            .finish()
            .expect_code(130)
            .stderr_has("run the same command again to continue");
    });
    run.stderr_has("continuing the ");
}

#[test]
fn a_split_export_killed_at_ten_points_ends_as_the_sequential_one() {
    // `kill -9` gives no chance to clean up or save: each run continues
    // from what the one before made durable.
    let points = (0..10).map(|k| 100 + k * 450);
    stopped_and_continued(IdLayout::Bursty, points, |mut child| {
        child.child.kill().unwrap(); // SIGKILL
        child.child.wait().unwrap();
    });
}

/// The number of ranges a `-v` run of `--split` says it used.
fn ranges_used(run: &Run) -> u64 {
    let stderr = run.stderr();
    let line = (stderr.lines())
        .find(|l| l.starts_with("--split: ") && l.contains(" ranges: "))
        .unwrap_or_else(|| panic!("no count of ranges in:\n{stderr}"));
    line["--split: ".len()..]
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn ids_bunched_in_time_are_shared_out_by_splitting_the_range_that_holds_them() {
    // Skewed: 90% of the rows in the first 5% of the window, all of it in
    // range 0 of 4. The other ranges finish first and split it, and the
    // ranges split from it, while the chain being written reads it.
    let cfg = config(3_000, IdLayout::Skewed, CursorMode::Exact).with_faults(sandbox::Faults {
        latency: std::time::Duration::from_millis(2),
        ..sandbox::Faults::default()
    });
    let args = ["--page-size", "20", "-f", "jsonl"];
    let (sequential, split, [pages, requests]) = counted(&cfg, &args, "4");
    let ranges = ranges_used(&split);
    split
        .same(&split.stdout(), &sequential.stdout())
        .stderr_has(" split at ")
        .stderr_has(" 0 refused and read sequentially")
        .stderr_has(&format!("; {ranges} ranges, 0 seams fell back"))
        .check(ranges > 4, format!("more than 4 ranges: {ranges}"))
        // The probe and the status request, then at most three requests a
        // range more than the sequential export's pages.
        .check(
            requests <= pages + 2 + 3 * ranges,
            format!("{requests} requests for {pages} pages and {ranges} ranges"),
        );
}

#[test]
fn a_split_starts_when_the_first_page_takes_two_milliseconds_or_more() {
    // On the real clock: 5 ms a page is over the 2 ms under which the
    // sequential export is already as fast as the server (a unit test
    // covers the other side: a real clock cannot promise a page under
    // 2 ms on a loaded machine).
    let cfg = config(400, IdLayout::Uniform, CursorMode::Exact).with_faults(sandbox::Faults {
        latency: std::time::Duration::from_millis(5),
        ..sandbox::Faults::default()
    });
    let server = sandbox::start_background(cfg.clone()).unwrap();
    results(&server.endpoint(), cfg.main_bulk_id())
        .args(["--page-size", "50", "-f", "jsonl", "--split", "2", "-v"])
        .real_clock()
        .ok()
        .stderr_has("--split: 2 ranges after ")
        .stderr_lacks("under 2 ms");
}

/// A bulk of two pages of rows with `ids`, each with `error` unless
/// `without_error` names it, exported sequentially and with `--split 2 -v`
/// and `extra`.
fn two_pages(ids: [&str; 4], without_error: Option<usize>, extra: &[&str]) -> (Run, Run) {
    use httpmock::prelude::*;
    use serde_json::json;

    let server = httpmock::MockServer::start();
    let row = |k: usize| match without_error == Some(k) {
        true => json!({"id": ids[k]}),
        false => json!({"id": ids[k], "error": "x"}),
    };
    server.mock(|when, then| {
        when.method(GET)
            .path(results_path(BULK))
            .query_param_missing("last");
        then.status(200)
            .json_body(json!({"content": {"results": [row(0), row(1)], "lastId": ids[1]}}));
    });
    server.mock(|when, then| {
        when.method(GET)
            .path(results_path(BULK))
            .query_param("last", ids[1]);
        then.status(200)
            .json_body(json!({"content": {"results": [row(2), row(3)]}}));
    });
    let both = |split: bool| {
        let mut cmd = results(&server.base_url(), BULK);
        cmd.args(["--page-size", "2", "-f", "jsonl"]).args(extra);
        if split {
            cmd.args(["--split", "2", "-v"]);
        }
        cmd.ok()
    };
    (both(false), both(true))
}

#[test]
fn row_ids_that_are_not_uuidv7_end_splitting_with_a_note_that_says_so() {
    let (sequential, split) = two_pages(["a1", "a2", "a3", "a4"], None, &[]);
    split
        .same(&split.stdout(), &sequential.stdout())
        .stderr_has("note: --split: row id a1 is not a UUIDv7")
        .stderr_has("fetched sequentially")
        .stderr_lacks(FELL_BACK)
        .stderr_lacks("ranges after");
}

#[test]
fn a_row_without_error_under_failed_only_ends_splitting_with_a_note() {
    let ids = [1, 2, 3, 4].map(|k| id_at(1_000 + 200 * k, 1));
    let ids = [&*ids[0], &*ids[1], &*ids[2], &*ids[3]];
    let (sequential, split) = two_pages(ids, Some(1), &["--failed-only"]);
    split
        .same(&split.stdout(), &sequential.stdout())
        .stderr_has(&format!("note: --split: row {} has no error", ids[1]))
        .stderr_lacks(FELL_BACK)
        .stderr_lacks("ranges after");
}

#[test]
fn a_429_while_ranges_may_run_at_once_paces_the_split_and_counts_once_one_is_left() {
    let mut cfg = config(600, IdLayout::Uniform, CursorMode::Exact);
    let args = ["--page-size", "40", "-f", "jsonl", "--retries", "0"];
    let whole = {
        let server = sandbox::start_background(cfg.clone()).unwrap();
        results(&server.endpoint(), cfg.main_bulk_id())
            .args(args)
            .ok()
    };
    let export = |cfg: &SandboxConfig, split: &[&str]| {
        let server = sandbox::start_background(cfg.clone()).unwrap();
        let mut cmd = results(&server.endpoint(), cfg.main_bulk_id());
        cmd.args(args).args(split).arg("-v");
        cmd.run()
    };
    // Two 429s: sequentially, the first fails the export (no retries);
    // with --split 8 they halve the ranges at once to 4, then 2, and the
    // export goes on.
    cfg.faults.limited_for = 2;
    export(&cfg, &[]).expect_code(6).stderr_has("429");
    let split = export(&cfg, &["--split", "8"]);
    split
        .expect_code(0)
        .same(&split.stdout(), &whole.stdout())
        .stderr_has("at most 4 requests at once")
        .stderr_has("at most 2 requests at once");
    // Four: 8, 4, 2, then 1 at once, and that one counts.
    cfg.faults.limited_for = 4;
    export(&cfg, &["--split", "8"])
        .expect_code(6)
        .stderr_has("at most 1 request at once");
}

#[test]
fn a_range_whose_spool_is_full_pauses_and_the_chain_goes_on_from_it() {
    // A test build's spool limit of one byte: every range pauses after its
    // first page (the real limit is 256 MiB).
    let cfg = config(1_000, IdLayout::Uniform, CursorMode::Exact);
    let server = sandbox::start_background(cfg.clone()).unwrap();
    let export = |split: bool| {
        let mut cmd = results(&server.endpoint(), cfg.main_bulk_id());
        cmd.args(["--page-size", "20", "-f", "jsonl"]);
        if split {
            cmd.args(["--split", "4", "-v"])
                .env("DRUID_BULK_SPOOL_PAUSE", "1");
        }
        cmd.ok()
    };
    let (sequential, split) = (export(false), export(true));
    split
        .same(&split.stdout(), &sequential.stdout())
        .stderr_has("paused with ")
        .stderr_has(" 0 refused and read sequentially");
}

#[test]
fn a_page_after_a_range_taken_over_is_named_as_the_export_counts_it() {
    use httpmock::prelude::*;
    use serde_json::json;

    // Six rows in pages of two; the one range (after 1.6 s, just before
    // r3) pauses after its first page ([r3, r4]: a test spool of one
    // byte), is taken over after the chain's second page, and the chain
    // goes on from it: the page after r4, which is broken, is the
    // export's fourth (pages 1 and 2, then [r4], the rest of the range's
    // first).
    let server = httpmock::MockServer::start();
    let r: Vec<String> = (0..6).map(|k| id_at(1_000 + 200 * k, 1)).collect();
    let page = |last: Option<&str>, ks: &[usize], next: Option<&str>| {
        let rows: Vec<_> = ks
            .iter()
            .map(|&k| json!({"id": r[k], "error": "x"}))
            .collect();
        server.mock(|when, then| {
            let when = when.method(GET).path(results_path(BULK));
            match last {
                Some(last) => when.query_param("last", last),
                None => when.query_param_missing("last"),
            };
            then.status(200)
                .json_body(json!({"content": {"results": rows, "lastId": next}}));
        });
    };
    page(None, &[0, 1], Some(&r[1]));
    page(
        Some("00000000-04b0-7000-8000-000000000000"),
        &[1, 2],
        Some(&r[2]),
    );
    page(Some(&r[1]), &[2, 3], Some(&r[3]));
    page(Some(BOUNDARY), &[3, 4], Some(&r[4]));
    server.mock(|when, then| {
        when.method(GET)
            .path(results_path(BULK))
            .query_param("last", &r[4]);
        // A row before the cursor: a broken page (exit 7), named by number.
        then.status(200)
            .json_body(json!({"content": {"results": [{"id": r[2], "error": "x"}]}}));
    });
    server.mock(|when, then| {
        when.method(GET)
            .path(format!("/activityid/v1/user/bulk/{BULK}"));
        then.status(200).json_body(json!({"content": {
            "bulkId": BULK, "status": "completed",
            "createdOn": "1970-01-01T00:00:01Z", "updatedOn": "1970-01-01T00:00:01Z"}}));
    });
    let run = results(&server.base_url(), BULK)
        .args(["--page-size", "2", "-f", "jsonl", "--split", "2", "-v"])
        .env("DRUID_BULK_SPOOL_PAUSE", "1")
        .fails(7);
    run.stderr_has("paused with ")
        .stderr_has("page 4 of bulk")
        .check(run.stdout().lines().count() == 5, "r0 to r4 written");
}
