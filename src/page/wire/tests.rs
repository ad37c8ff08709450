use super::*;

#[test]
fn ids_compare_as_lowercase_text() {
    use std::cmp::Ordering::*;
    let fold = |a: &str, b: &str| a.to_ascii_lowercase().cmp(&b.to_ascii_lowercase());
    let ids = [
        "",
        "a",
        "A",
        "b",
        "ab",
        "aB",
        "018fd118-97e8-7ad0-8aae-93f1ee5f5e09",
        "018FD118-97E8-7AD0-8AAE-93F1EE5F5E09",
        "018fd118-97e8-7ad0-8aae-93f1ee5f5e0a",
        "018fd118-97e8-7ad0-8aae-93f1ee5f5e0",
        "018fd118-97e8-7ad0",
        "018fd118-97E9",
    ];
    for a in ids {
        for b in ids {
            assert_eq!(compare(a, b), fold(a, b), "{a:?} {b:?}");
        }
    }
    assert_eq!(compare("abcdefgh-1", "ABCDEFGH-2"), Less);
}

#[test]
fn a_status_answer_gives_its_status_word_or_nothing() {
    let body =
        br#"{"content":{"bulkId":"B1","status":"failed","total":3},"result":{"status":200}}"#;
    assert_eq!(bulk_status(body).as_deref(), Some("failed"));
    for body in [
        &br#"{"content":{"status":5}}"#[..],
        br#"{"content":{}}"#,
        br#"{"content":null}"#,
        br#"{"result":{"status":428}}"#,
        b"<html>",
        b"[]",
    ] {
        assert_eq!(bulk_status(body), None, "{}", String::from_utf8_lossy(body));
    }
}

#[test]
fn a_status_answer_is_held_to_the_rules_of_a_page() {
    use StatusEnvelope::*;
    let read = |body: &str, bulk| status_envelope(body.as_bytes(), bulk);
    for (body, bulk) in [
        (r#"{"content":{"bulkId":"B1","status":"done"}}"#, Some("B1")),
        (
            r#"{"content":{"bulkId":"b1"},"result":{"status":200}}"#,
            Some("B1"),
        ),
        (r#"{"content":{"status":"done"}}"#, Some("B1")),
        (r#"{"content":null,"result":{"status":204}}"#, Some("B1")),
        (r#"{"content":[{"bulkId":"B2"}]}"#, None),
        (r#"{"content":{"bulkId":"B2"}}"#, None),
        (r#"{"content":{},"result":{"status":"500"}}"#, Some("B1")),
    ] {
        assert_eq!(read(body, bulk), Usable, "{body}");
    }
    assert_eq!(
        read(r#"{"content":null,"result":{"status":500}}"#, Some("B1")),
        Status(500)
    );
    assert_eq!(read(r#"{"result":{"status":404}}"#, None), Status(404));
    assert_eq!(read(r#"{"content":{"bulkId":"B1"#, Some("B1")), CutShort);
    assert_eq!(read("", None), CutShort);
    for (body, bulk, why) in [
        (
            r#"{"content":{"bulkId":"B2"}}"#,
            Some("B1"),
            r#"content.bulkId is "B2""#,
        ),
        (
            r#"{"content":{"bulkId":7}}"#,
            Some("B1"),
            "content.bulkId is 7",
        ),
        ("{}", None, "neither"),
        (r#"{"content":null}"#, Some("B1"), "neither"),
        ("[]", None, "not a JSON object"),
        ("<html>", None, "not the JSON the API documents"),
    ] {
        assert!(
            matches!(read(body, bulk), Broken(ref w) if w.contains(why)),
            "{body}: {:?}",
            read(body, bulk)
        );
    }
}

#[test]
fn missing_content_or_results_is_an_empty_last_page() {
    for body in [
        r#"{"content":{}}"#,
        r#"{"content":{"results":null,"lastId":""}}"#,
    ] {
        let parsed: ResultsBody = serde_json::from_str(body).unwrap();
        assert!(parsed.rows().is_none(), "{body}");
        assert_eq!(parsed.last_id(), None, "{body}");
    }
}

#[test]
fn rows_and_cursor_are_borrowed() {
    let body =
        r#"{"content":{"lastId":"c2","results":[{"id":"a"},{"id":"b"}]},"result":{"status":200}}"#;
    let parsed: ResultsBody = serde_json::from_str(body).unwrap();
    assert_eq!(parsed.last_id(), Some("c2"));
    let rows = parsed.rows().unwrap();
    let spans = rows.rows.clone().in_text(body.as_bytes());
    let texts: Vec<&str> = spans.ranges().map(|r| &body[r]).collect();
    assert_eq!(texts, [r#"{"id":"a"}"#, r#"{"id":"b"}"#]);
    assert_eq!(rows.last_id.as_deref(), Some(&b"b"[..]));
    assert_eq!(parsed.status(), Some(200));
}

#[test]
fn wrong_field_types_do_not_parse() {
    for body in [
        r#"{"content":{"lastId":5}}"#,
        r#"{"content":{"results":{}}}"#,
        r#"null"#,
    ] {
        assert!(serde_json::from_str::<ResultsBody>(body).is_err(), "{body}");
    }
}

/// A row's id as text.
fn id_of(row: &str) -> Option<String> {
    RowId::of(row.as_bytes()).map(|id| String::from_utf8(id.into_owned()).unwrap())
}

#[test]
fn row_ids_are_strings_or_nothing() {
    assert_eq!(id_of(r#"{"id":"a\u0062"}"#).as_deref(), Some("ab"));
    assert_eq!(id_of(r#"{"id":"r1","error":"x"}"#).as_deref(), Some("r1"));
    assert_eq!(id_of(r#"{"error":"x","id":"r2"}"#).as_deref(), Some("r2"));
    assert_eq!(id_of(r#"{ "id" : "r3" }"#).as_deref(), Some("r3"));
    assert_eq!(
        id_of("\r\n{\n  \"id\":\t\"r4\",\n  \"n\": 1\n}").as_deref(),
        Some("r4")
    );
    assert_eq!(id_of(r#"{"id": "r\u0035", "n": 1}"#).as_deref(), Some("r5"));
    assert_eq!(id_of(r#"{"id":7}"#), None);
    assert_eq!(id_of(r#"{"error":"x"}"#), None);
    assert_eq!(id_of("42"), None);
}

use crate::page::json_gen;
use proptest::prelude::*;

/// A row that starts with its id, as the shortcut reads it, in any
/// spacing and layout.
fn id_first() -> impl Strategy<Value = String> {
    let id = prop_oneof![
        "\"[a-zA-Z0-9-]{0,20}\"",
        json_gen::string_literal(),
        json_gen::value()
    ];
    let ws = || proptest::collection::vec(json_gen::ws(), 5);
    (id, json_gen::row(), ws(), json_gen::layout()).prop_map(|(id, row, ws, layout)| {
        let rest = row.trim().strip_prefix('{').unwrap_or("}").trim_start();
        let comma = if rest.starts_with('}') { "" } else { "," };
        let row = format!(
            r#"{}{{{}"id"{}:{}{id}{comma}{rest}"#,
            ws[0], ws[1], ws[2], ws[3]
        );
        json_gen::lay_out(&row, layout) + &ws[4]
    })
}

proptest! {
    #![proptest_config(json_gen::config())]

    /// A row's id is what serde reads: its `id` member when that is a
    /// string, else none. Of a row with two `id` members serde reads
    /// none; the shortcut may read the first.
    #[test]
    fn row_ids_are_read_as_serde_reads_them(
        row in prop_oneof![json_gen::row(), id_first()],
    ) {
        let Some(members) = json_gen::serde_members(&row) else {
            return Ok(());
        };
        let mut ids = members.iter().filter(|(k, _)| k == "id");
        let first = ids.next().and_then(|(_, v)| serde_json::from_str::<String>(v.get()).ok());
        let ours = id_of(&row);
        if ids.next().is_none() {
            prop_assert_eq!(ours, first, "{}", row);
        } else if ours.is_some() {
            prop_assert_eq!(ours, first, "{}", row);
        }
    }

    /// Ids compare as their lowercase text, wherever they differ (in
    /// or after a shared run of eight-byte chunks, in case only).
    #[test]
    fn ids_compare_as_their_lowercase_text(
        common in "[0-9a-fA-F-]{0,20}",
        a in "[0-9a-fA-FéÉ-]{0,10}",
        b in "[0-9a-fA-FéÉ-]{0,10}",
        case in any::<bool>(),
    ) {
        let a = format!("{common}{a}");
        let b = if case { format!("{common}{b}").to_ascii_uppercase() } else { format!("{common}{b}") };
        let fold = |x: &str, y: &str| x.to_ascii_lowercase().cmp(&y.to_ascii_lowercase());
        prop_assert_eq!(compare(&a, &b), fold(&a, &b), "{:?} {:?}", a, b);
        prop_assert_eq!(compare(&b, &a), fold(&b, &a), "{:?} {:?}", b, a);
        prop_assert_eq!(compare(&a, &a), std::cmp::Ordering::Equal);
    }
}
