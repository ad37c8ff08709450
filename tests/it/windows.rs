//! What differs on Windows. A file that another program holds open without
//! sharing deletion (as spreadsheets do) cannot be replaced: `-o` must say
//! so and keep the export. The checkpoint lock is tested on every platform
//! (`checkpoint.rs`). Ctrl-C is not tested here: a test cannot send
//! CTRL_C_EVENT to one child alone without giving it a console and a
//! process group of its own; `signal.rs` handles it as on Unix.
#![cfg(windows)]

use std::os::windows::fs::OpenOptionsExt;

use httpmock::MockServer;
use serde_json::json;

use crate::support::*;

/// `FILE_SHARE_READ | FILE_SHARE_WRITE`, without `FILE_SHARE_DELETE`.
const SHARE_READ_WRITE: u32 = 0x1 | 0x2;

#[test]
fn an_output_held_open_elsewhere_is_left_alone_and_the_export_kept_beside_it() {
    let server = MockServer::start();
    mock_page(&server, None, page(json!([row("r1", "boom")]), None));
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("failures.csv");
    std::fs::write(&out, "old\n").unwrap();
    let held = std::fs::OpenOptions::new()
        .read(true)
        .share_mode(SHARE_READ_WRITE)
        .open(&out)
        .unwrap();

    let run = results(&server.base_url(), "B1")
        .args(["-f", "csv", "-o"])
        .arg(&out)
        .fails(1);
    drop(held);
    run.stderr_has(&format!("cannot replace -o {}: ", out.display()))
        .stderr_has("; the export is kept in ")
        .stderr_has("close it; then move");
    run.same(&std::fs::read_to_string(&out).unwrap(), &"old\n");
    let kept: Vec<std::path::PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p != &out)
        .collect();
    run.same(&kept.len(), &1);
    run.stderr_has(&kept[0].display().to_string());
    let text = std::fs::read_to_string(&kept[0]).unwrap();
    run.check(
        text.contains("r1") && text.contains("boom"),
        format!("the kept file holds the export: {text:?}"),
    );
}
