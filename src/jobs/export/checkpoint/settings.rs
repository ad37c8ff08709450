//! What a checkpoint records of the settings besides its bulks, output and
//! format: everything else that changes the output's bytes or rows, the
//! output layout as a whole among them, and how two of them differ.

use serde::{Deserialize, Serialize};

use crate::output::{Format, Layout, TableView};

/// The settings that change an export's bytes or rows besides the fields of
/// [`super::Checkpoint`] that name them (the bulks in order, the output, the
/// format, `--failed-only`, CSV's columns, `--excel`). `--checkpoint` holds
/// a run to `layout`; a kept `-o` export is continued only with all of them
/// the same. No token or secret is among them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Settings {
    /// druid-bulk's version and build: another may write other bytes.
    pub version: String,
    /// Where the rows come from: the endpoint (`demo` for the demo).
    pub origin: Option<String>,
    /// `--lang`: the language of each row's `error` text.
    pub lang: Option<String>,
    /// `--last`: where the export started.
    pub start: Option<String>,
    /// `--max-rows`: where it stops.
    pub max_rows: Option<u64>,
    /// The output layout, as a whole (see [`layout_key`]): `--columns`,
    /// `--no-header`, `--csv-safe`, `--excel`, and any option added to it.
    pub layout: serde_json::Value,
}

/// The last row written of a bulk, as the server sent it, and the cursor
/// that asks for it (`last=` the row before it, or the bulk's starting
/// cursor; `None`: no `last` at all).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LastRow {
    pub asked_with: Option<String>,
    pub row: String,
}

/// The output layout as a state records it: all of it but what only a
/// table uses (its view, width, wrapping and colour, and whether the
/// terminal takes UTF-8, which another terminal may change; a table is
/// never continued) and, for the JSON formats, what only CSV uses (their
/// columns count only when `--columns` picked them). An option added to
/// [`Layout`] later is recorded, and held the same, as it is.
pub fn layout_key(format: Format, layout: &Layout) -> serde_json::Value {
    let mut layout = layout.clone();
    layout.table_view = TableView::Fields;
    layout.width = None;
    layout.wide = false;
    layout.color = false;
    layout.utf8 = false;
    if matches!(format, Format::Jsonl | Format::Json) {
        if !layout.picked {
            layout.columns = Vec::new();
        }
        layout.header = true;
        layout.csv_safe = false;
        layout.excel = false;
        layout.delimiter = b',';
    }
    serde_json::to_value(&layout).unwrap_or_default()
}

/// Each output option that differs between two layouts, named by its flag
/// (`csv_safe` is `--csv-safe`; `header` is `--no-header`, its value turned).
pub(super) fn layout_differences(
    saved: &serde_json::Value,
    now: &serde_json::Value,
) -> Vec<(String, String, String)> {
    let empty = serde_json::Map::new();
    let (saved, now) = (
        saved.as_object().unwrap_or(&empty),
        now.as_object().unwrap_or(&empty),
    );
    let mut keys: Vec<&String> = saved.keys().chain(now.keys()).collect();
    keys.sort();
    keys.dedup();
    let null = serde_json::Value::Null;
    keys.into_iter()
        .filter(|key| saved.get(*key) != now.get(*key))
        .map(|key| {
            let (a, b) = (
                saved.get(key).unwrap_or(&null),
                now.get(key).unwrap_or(&null),
            );
            match (key.as_str(), a.as_bool(), b.as_bool()) {
                ("header", Some(a), Some(b)) => {
                    ("--no-header".into(), (!a).to_string(), (!b).to_string())
                }
                _ => (
                    format!("--{}", key.replace('_', "-")),
                    a.to_string(),
                    b.to_string(),
                ),
            }
        })
        .collect()
}
