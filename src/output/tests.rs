use super::*;

/// `raw` with `bulkId: "B 1"` added, written as JSON, is `expected`.
fn assert_with_bulk_id(raw: &str, expected: &str) {
    let bulk = serde_json::value::RawValue::from_string(r#""B 1""#.into()).unwrap();
    let raw = serde_json::value::RawValue::from_string(raw.into()).unwrap();
    let row = Row::parse(raw.get()).unwrap().with_field("bulkId", &bulk);
    let mut out = Vec::new();
    write_row_json(&mut out, &row).unwrap();
    assert_eq!(String::from_utf8(out).unwrap(), expected, "{raw}");
    assert_eq!(row.cell("bulkId"), "B 1");
}

#[test]
fn an_added_field_goes_first() {
    for (raw, expected) in [
        (
            r#"{"id":"r1","n":1}"#,
            r#"{"bulkId":"B 1","id":"r1","n":1}"#,
        ),
        ("{ }", r#"{"bulkId":"B 1"}"#),
        ("{\n \"id\": \"r2\"\n}", r#"{"bulkId":"B 1","id": "r2"}"#),
    ] {
        assert_with_bulk_id(raw, expected);
    }
}

#[test]
fn an_added_field_replaces_a_received_one_of_that_name() {
    for (raw, expected) in [
        (
            r#"{"id":"r1","bulkId":"SERVER","n":1}"#,
            r#"{"bulkId":"B 1","id":"r1","n":1}"#,
        ),
        (r#"{"bulkId":"SERVER"}"#, r#"{"bulkId":"B 1"}"#),
        (
            "{\n \"bulkId\" : \"X\" ,\n \"id\": \"r2\"\n}",
            r#"{"bulkId":"B 1","id": "r2"}"#,
        ),
        // An escaped name is the same name to a JSON reader.
        (
            r#"{"bulk\u0049d":7,"id":"r3"}"#,
            r#"{"bulkId":"B 1","id":"r3"}"#,
        ),
        // Every received one goes, and the rest stays byte for byte.
        (
            r#"{"bulkId":"X","e":"\u00e9 \"bulkId\"","bulkId":["Y"],"n":1.50}"#,
            r#"{"bulkId":"B 1","e":"\u00e9 \"bulkId\"","n":1.50}"#,
        ),
        // Only top-level names count.
        (
            r#"{"id":"r4","o":{"bulkId":"inner"},"error":"bulkId"}"#,
            r#"{"bulkId":"B 1","id":"r4","o":{"bulkId":"inner"},"error":"bulkId"}"#,
        ),
    ] {
        assert_with_bulk_id(raw, expected);
    }
}

use crate::page::json_gen;
use proptest::prelude::*;
use serde_json::value::RawValue;

/// A value's text as serde reads it; `None` for one with a lone
/// surrogate, which serde will not decode.
fn value(text: &str) -> Option<serde_json::Value> {
    serde_json::from_str(text).ok()
}

/// What [`write_compact`] writes, by another way: the text cut into runs
/// of whitespace and the rest; a whitespace run that holds a line break is
/// dropped, or is one space after a comma when more text follows.
fn compact_by_runs(json: &[u8]) -> Vec<u8> {
    let ws = |b: &u8| matches!(b, b' ' | b'\n' | b'\r' | b'\t');
    let mut compact: Vec<u8> = Vec::new();
    let mut i = 0;
    while i < json.len() {
        let start = i;
        let in_ws = ws(&json[i]);
        while i < json.len() && ws(&json[i]) == in_ws {
            i += 1;
        }
        let run = &json[start..i];
        if !in_ws || !run.iter().any(|b| matches!(b, b'\n' | b'\r')) {
            compact.extend_from_slice(run);
        } else if compact.last() == Some(&b',') && i < json.len() {
            compact.push(b' ');
        }
    }
    compact
}

proptest! {
    #![proptest_config(json_gen::config())]

    /// The memchr search writes what cutting the text into runs does, for
    /// any text with a line break (pretty-printed, mutated, cut in a
    /// string or an escape).
    #[test]
    fn compact_json_is_written_as_a_byte_loop_writes_it(
        text in json_gen::value(),
        layout in json_gen::layout(),
        edits in json_gen::edits(),
    ) {
        let text = json_gen::lay_out(&text, layout) + "\n";
        for bytes in [text.clone().into_bytes(), json_gen::mutate(&text, &edits)] {
            if memchr::memchr2(b'\n', b'\r', &bytes).is_none() {
                continue;
            }
            let mut out = Vec::new();
            write_compact(&mut out, &bytes).unwrap();
            let want = compact_by_runs(&bytes);
            prop_assert!(out == want, "{:?}", String::from_utf8_lossy(&bytes));
        }
    }

    /// Compact JSON is the same value on one line: no line break is
    /// left, and serde reads the same value (strings, numbers, member
    /// order and all) from it; text with no line break is left as it is.
    #[test]
    fn compact_json_is_the_same_value_on_one_line(text in json_gen::value()) {
        let mut out = Vec::new();
        write_compact(&mut out, &text).unwrap();
        let out = String::from_utf8(out).unwrap();
        prop_assert!(!out.contains(['\n', '\r']), "{:?}", out);
        let raw = serde_json::from_str::<&RawValue>(&out);
        prop_assert!(raw.is_ok(), "{:?} from {:?}", out, text);
        if let Some(want) = value(&text) {
            prop_assert_eq!(value(&out), Some(want), "{:?}", text);
        }
        if !text.contains(['\n', '\r']) {
            prop_assert_eq!(&out, &text);
        }
        let members = (json_gen::serde_members(&out), json_gen::serde_members(&text));
        if let (Some(ours), Some(theirs)) = members {
            let names = |m: Vec<(String, Box<RawValue>)>| m.into_iter().map(|(k, _)| k).collect::<Vec<_>>();
            prop_assert_eq!(names(ours), names(theirs));
        }
    }

    /// A row written as a JSON line is its members as serde reads them,
    /// in order; with a field added, that field first and no received
    /// member of its name.
    #[test]
    fn a_row_as_a_json_line_is_its_members_in_order(
        text in json_gen::row(),
        added in any::<bool>(),
    ) {
        let Some(received) = json_gen::serde_members(&text) else {
            return Ok(());
        };
        let bulk = RawValue::from_string(r#""B 1""#.into()).unwrap();
        let mut row = Row::checked(&text);
        let mut want: Vec<(String, String)> = Vec::new();
        if added {
            row = row.with_field("bulkId", &bulk);
            want.push(("bulkId".into(), bulk.get().into()));
        }
        want.extend(
            (received.into_iter())
                .filter(|(k, _)| !added || k != "bulkId")
                .map(|(k, v)| (k, v.get().to_string())),
        );
        let mut out = Vec::new();
        write_row_json(&mut out, &row).unwrap();
        let out = String::from_utf8(out).unwrap();
        prop_assert!(!out.contains(['\n', '\r']), "{:?}", out);
        let got = json_gen::serde_members(&out);
        prop_assert!(got.is_some(), "{:?} from {:?}", out, text);
        let got = got.unwrap();
        prop_assert_eq!(got.len(), want.len(), "{:?} from {:?}", out, text);
        for ((k, v), (wk, wv)) in got.iter().zip(&want) {
            prop_assert_eq!(k, wk, "{:?} from {:?}", out, text);
            if let Some(wv) = value(wv) {
                prop_assert_eq!(value(v.get()), Some(wv), "{:?} from {:?}", out, text);
            }
        }
    }
}

#[test]
fn compact_drops_line_breaks_and_indents_only() {
    let mut out = Vec::new();
    let pretty = "{\n  \"a b\": \"x \\\" y\\n\",  \r\n\t\"n\": [\n    1.50,\n    {}\n  ]\n}\n";
    write_compact(&mut out, pretty).unwrap();
    assert_eq!(
        String::from_utf8(out).unwrap(),
        r#"{"a b": "x \" y\n", "n": [1.50, {}]}"#
    );
}
