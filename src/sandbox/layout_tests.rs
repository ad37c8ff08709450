//! The results page in every [`Layout`] and [`LastId`] place: the same JSON
//! value as the compact page, the default bytes unchanged, and each layout's
//! own spelling.

use serde::Serialize;
use serde_json::Value;

use super::body::{OkBody, StatusMessage};
use super::data::Row;
use super::layout::{to_vec, LastId, Layout};
use super::page::{compute_page, parse_query};
use super::results::Content;
use super::*;

const ALL: [Layout; 4] = [
    Layout::Compact,
    Layout::Spaced,
    Layout::Pretty,
    Layout::Escaped,
];

/// The rows of the first page of 40 of a 300-row bulk (it has a `lastId`).
fn rows() -> Vec<Row> {
    let cfg = SandboxConfig::new(300);
    let page = compute_page(&cfg, 0, &parse_query(Some("limit=40")).unwrap()).unwrap();
    assert!(page.last_id.is_some());
    page.rows
}

/// The page body in `layout` with `lastId` at `place`.
fn body(layout: Layout, place: LastId, rows: &[Row]) -> Vec<u8> {
    let last = rows.last().map(|r| r.id.as_str());
    let content = Content::new(DEFAULT_BULK_ID, last, rows, place);
    let result = StatusMessage {
        status: 200,
        message: "OK",
    };
    to_vec(layout, &OkBody { content, result }).unwrap()
}

#[test]
fn the_default_body_is_the_historical_bytes() {
    /// The `content` as the sandbox wrote it before layouts existed.
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Before<'a> {
        bulk_id: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        last_id: Option<&'a str>,
        results: &'a [Row],
    }
    let rows = rows();
    let before = Before {
        bulk_id: DEFAULT_BULK_ID,
        last_id: rows.last().map(|r| r.id.as_str()),
        results: &rows,
    };
    let result = StatusMessage {
        status: 200,
        message: "OK",
    };
    let want = serde_json::to_vec(&OkBody {
        content: before,
        result,
    })
    .unwrap();
    let cfg = SandboxConfig::new(1);
    assert_eq!(body(cfg.layout, cfg.last_id, &rows), want);
}

#[test]
fn every_layout_is_the_same_value_as_compact() {
    let rows = rows();
    let compact: Value =
        serde_json::from_slice(&body(Layout::Compact, LastId::First, &rows)).unwrap();
    for layout in ALL {
        for place in [LastId::First, LastId::Last] {
            let text = body(layout, place, &rows);
            let value: Value = serde_json::from_slice(&text).unwrap();
            assert_eq!(value, compact, "{layout:?} {place:?}");
        }
    }
}

#[test]
fn each_layout_has_its_own_spelling() {
    let rows = rows();
    let text = |layout| String::from_utf8(body(layout, LastId::First, &rows)).unwrap();
    let compact = text(Layout::Compact);
    assert!(
        compact.starts_with(r#"{"content":{"bulkId":""#),
        "{compact}"
    );
    assert!(compact.contains(r#"},{"id":""#) && !compact.contains('\n'));
    assert!(compact.contains('é'), "the data has non-ASCII text");

    let spaced = text(Layout::Spaced);
    assert!(
        spaced.starts_with(r#"{"content": {"bulkId": ""#),
        "{spaced}"
    );
    assert!(spaced.contains(r#"}, {"id": ""#));
    assert!(!spaced.contains('\n'));

    let pretty = text(Layout::Pretty);
    assert!(
        pretty.starts_with("{\n  \"content\": {\n    \"bulkId\": \""),
        "{pretty}"
    );
    assert!(pretty.contains("\n      {\n        \"id\": \""));
    assert!(pretty.ends_with("\n  }\n}"));

    let escaped = text(Layout::Escaped);
    assert!(escaped.is_ascii(), "{escaped}");
    assert!(escaped.contains("tel\\u00e9fono"));
}

#[test]
fn escaped_writes_surrogate_pairs_above_the_bmp() {
    let text = to_vec(Layout::Escaped, &"a\u{e9}\"\u{1F600}\nz").unwrap();
    assert_eq!(text, br#""a\u00e9\"\ud83d\ude00\nz""#);
}

#[test]
fn last_id_goes_where_it_is_asked() {
    let rows = rows();
    let keys = |place| {
        let text = body(Layout::Compact, place, &rows);
        let value: Value = serde_json::from_slice(&text).unwrap();
        let text = String::from_utf8(text).unwrap();
        let at = |key: &str| text.find(&format!("\"{key}\":")).unwrap();
        assert_eq!(value["content"]["lastId"], rows.last().unwrap().id.as_str());
        (at("bulkId"), at("lastId"), at("results"))
    };
    let (bulk, last, results) = keys(LastId::First);
    assert!(bulk < last && last < results);
    let (bulk, last, results) = keys(LastId::Last);
    assert!(bulk < results && results < last);
}

#[test]
fn a_last_page_has_no_last_id_in_either_place() {
    for place in [LastId::First, LastId::Last] {
        let content = Content::new(DEFAULT_BULK_ID, None, &[], place);
        let text = serde_json::to_string(&content).unwrap();
        assert_eq!(
            text,
            format!(r#"{{"bulkId":"{DEFAULT_BULK_ID}","results":[]}}"#)
        );
    }
}
