//! Exports from a sandbox that writes its results pages in each layout
//! (compact, spaced, pretty, `\u`-escaped; `lastId` first or last): CSV is
//! byte for byte the one from the default sandbox; JSON lines and JSON are
//! the same values (`jsonl` keeps each row as the server spelt it, so a
//! spaced or escaped row is written spaced or escaped).

use crate::support::*;
use druid_bulk::sandbox::{self, LastId, Layout, SandboxConfig};
use serde_json::Value;

const LAYOUTS: [Layout; 4] = [
    Layout::Compact,
    Layout::Spaced,
    Layout::Pretty,
    Layout::Escaped,
];

/// What `results -f FORMAT` writes for a 700-row bulk in pages of 64 from a
/// sandbox with `layout` and `last_id`, after checking every page was asked for.
fn export(layout: Layout, last_id: LastId, format: &str) -> String {
    let cfg = SandboxConfig::new(700)
        .with_token(TOKEN)
        .with_layout(layout)
        .with_last_id(last_id);
    let server = sandbox::start_background(cfg.clone()).unwrap();
    let run = results(&server.endpoint(), cfg.main_bulk_id())
        .args(["--page-size", "64", "-f", format])
        .ok();
    run.same(&server.hits(), &700_u64.div_ceil(64));
    run.stdout().to_string()
}

#[test]
fn every_layout_exports_the_same_csv_bytes() {
    let want = export(Layout::Compact, LastId::First, "csv");
    assert!(want.contains("用户不存在"), "the data has non-ASCII text");
    for layout in LAYOUTS {
        for last_id in [LastId::First, LastId::Last] {
            let got = export(layout, last_id, "csv");
            assert!(
                got == want,
                "-f csv from {layout:?} with lastId {last_id:?} differs from compact"
            );
        }
    }
}

/// Each line of JSON lines text as a value.
fn values(jsonl: &str) -> Vec<Value> {
    jsonl
        .lines()
        .map(|line| serde_json::from_str(line).unwrap())
        .collect()
}

#[test]
fn every_layout_exports_the_same_json_values() {
    let want_lines = values(&export(Layout::Compact, LastId::First, "jsonl"));
    assert_eq!(want_lines.len(), 700);
    let want: Value =
        serde_json::from_str(&export(Layout::Compact, LastId::First, "json")).unwrap();
    for layout in LAYOUTS {
        for last_id in [LastId::First, LastId::Last] {
            let lines = export(layout, last_id, "jsonl");
            if layout == Layout::Spaced {
                // The rows reached the client spaced: jsonl keeps them so.
                assert!(lines.starts_with(r#"{"id": ""#), "{lines}");
            }
            assert!(
                values(&lines) == want_lines,
                "-f jsonl from {layout:?} with lastId {last_id:?}: other rows than from compact"
            );
            let got: Value = serde_json::from_str(&export(layout, last_id, "json")).unwrap();
            assert!(
                got == want,
                "-f json from {layout:?} with lastId {last_id:?}: other rows than from compact"
            );
        }
    }
}
