//! JSONTestSuite's `test_parsing` (`tests/data/JSONTestSuite`, MIT) run
//! against the page reader. Each document is put in a page as a row
//! field's value, and also sent as the whole body:
//!
//! - every `y_` document is accepted, as a row field, and comes out intact:
//!   its JSON line, read back, holds serde's value of the document; its
//!   cell is serde's reading too, in a lookup, in one pass and in CSV; the
//!   cursor after it is still found ahead of the rows;
//! - every `n_` document is refused, as a row field and as a body (a
//!   protocol error, or a body cut short: never a page), by the scanner
//!   too (those with bytes that are not UTF-8 among them);
//! - no `i_` document crashes the reader or a writer, and none whose bytes
//!   are not UTF-8 is accepted.

use serde_json::Value;

use super::test_support::layout;
use super::{writer, Format, Row};
use crate::page::check::{self as page, Body, Broken, Expect};
use crate::page::json_gen::cell_text;
use crate::page::scan;

const DIR: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/JSONTestSuite/test_parsing"
);

/// Every file of the suite whose name starts with `kind`: name and bytes.
fn files(kind: &str) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = std::fs::read_dir(DIR)
        .unwrap_or_else(|e| panic!("{DIR}: {e}"))
        .map(|entry| entry.unwrap().path())
        .filter(|path| {
            path.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(kind)
        })
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect();
    files.sort();
    files
}

const EXPECT: Expect<'static> = Expect {
    bulk_id: "B1",
    sent: None,
    before: None,
    ordered: true,
};

/// A page whose one row holds `doc` as its field `x`, and a field after it.
fn embedded(doc: &[u8]) -> Vec<u8> {
    let mut body = br#"{"content":{"bulkId":"B1","results":[{"id":"r1","x":"#.to_vec();
    body.extend_from_slice(doc);
    body.extend_from_slice(br#","z":"after"}]},"result":{"status":200}}"#);
    body
}

/// What the page reader makes of a body: the page, and the body.
fn read(body: Vec<u8>) -> Result<(Body, Vec<u8>), Broken> {
    Ok((page::read(&body, &EXPECT)?, body))
}

/// The one row of an accepted page.
fn only_row<'t>(body: &Body, text: &'t [u8]) -> &'t [u8] {
    let Body::Rows { rows, .. } = body else {
        panic!("not rows: {body:?}");
    };
    let rows: Vec<_> = rows.ranges().collect();
    assert_eq!(rows.len(), 1);
    &text[rows[0].clone()]
}

/// What each writer makes of a row: its JSON line and its CSV record
/// (columns `id`, `x`, `z`), read back by serde and by the csv crate.
fn written(raw: &[u8]) -> (String, Vec<String>) {
    let row = Row::checked(raw);
    let mut line = Vec::new();
    let mut w = writer(Format::Jsonl, &mut line, layout(&[], false));
    w.row(&row).unwrap();
    w.finish().unwrap();
    drop(w);
    let mut csv = Vec::new();
    let mut w = writer(Format::Csv, &mut csv, layout(&["id", "x", "z"], false));
    w.row(&row).unwrap();
    w.finish().unwrap();
    drop(w);
    let record = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(&csv[..])
        .records()
        .next()
        .expect("one record")
        .expect("CSV the csv crate reads");
    let line = String::from_utf8(line).unwrap();
    (line, record.iter().map(String::from).collect())
}

#[test]
fn every_y_document_is_accepted_in_a_row_and_comes_out_intact() {
    let files = files("y_");
    assert_eq!(files.len(), 95, "the suite's y_ files");
    for (name, doc) in files {
        let want: Value = serde_json::from_slice(&doc).unwrap_or_else(|e| panic!("{name}: {e}"));
        let (body, text) = read(embedded(&doc)).unwrap_or_else(|e| panic!("{name}: {e:?}"));
        let raw = only_row(&body, &text);
        // Read the quick way (not left to serde).
        assert!(scan::read(&text).is_some(), "{name}: left to serde");

        let (line, record) = written(raw);
        assert_eq!(line.matches('\n').count(), 1, "{name}: {line}");
        let out: Value = serde_json::from_str(&line).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(out["x"], want, "{name}: {line}");
        assert_eq!(
            (&out["id"], &out["z"]),
            (&Value::from("r1"), &Value::from("after"))
        );

        // The cell, however it is read, is serde's reading of the document.
        let row = Row::checked(raw);
        let cell = row.cell("x");
        match &want {
            Value::String(s) => assert_eq!(cell, *s, "{name}"),
            Value::Null => assert_eq!(cell, "", "{name}"),
            _ => {
                assert_eq!(
                    serde_json::from_str::<Value>(&cell).ok(),
                    Some(want.clone())
                );
                let doc = std::str::from_utf8(&doc).unwrap();
                assert_eq!(cell, cell_text(doc.trim_matches([' ', '\t', '\n', '\r'])));
            }
        }
        let names = ["z", "x", "id"].map(String::from);
        let mut values = [None; 3];
        row.select(&names, &mut values);
        let shown = values.map(|v| v.map_or(String::new(), |v| v.text().into_owned()));
        assert_eq!(shown, ["after", &cell, "r1"], "{name}");
        assert_eq!(record, ["r1", &cell, "after"], "{name}");

        // A string in an array (most `y_string_` documents) is unwrapped
        // too: its cell is serde's text of it, in a lookup and in one pass.
        if let Some([Value::String(want)]) = want.as_array().map(Vec::as_slice) {
            let doc = std::str::from_utf8(&doc)
                .unwrap()
                .trim_matches([' ', '\t', '\n', '\r']);
            let inner = doc[1..doc.len() - 1].trim_matches([' ', '\t', '\n', '\r']);
            let (body, text) = read(embedded(inner.as_bytes())).unwrap();
            let row = Row::checked(only_row(&body, &text));
            assert_eq!(row.cell("x"), *want, "{name}");
            let mut values = [None; 1];
            row.select(&names[1..2], &mut values);
            assert_eq!(
                values[0].map(|v| v.text().into_owned()).as_ref(),
                Some(want)
            );
        }

        // The document passed over, the cursor after it is still found.
        let mut peek = br#"{"content":{"x":"#.to_vec();
        peek.extend_from_slice(&doc);
        peek.extend_from_slice(br#","lastId":"c2","results":[]}}"#);
        assert_eq!(scan::cursor_ahead(&peek), Some("c2"), "{name}");
    }
}

#[test]
fn every_n_document_is_refused_in_a_row_and_as_a_body() {
    let files = files("n_");
    assert_eq!(files.len(), 188, "the suite's n_ files");
    for (name, doc) in files {
        for body in [embedded(&doc), doc.clone()] {
            assert!(scan::read(&body).is_none(), "{name}: read the quick way");
            match read(body) {
                Err(Broken::Protocol(_) | Broken::CutShort(_)) => {}
                Ok(page) => panic!("{name}: accepted: {page:?}"),
            }
        }
    }
}

#[test]
fn every_y_document_as_a_body_is_read_as_serde_reads_it() {
    // Most are not a page (`[]`, `"x"`, `{}`): refused as such, never
    // taken for a body cut short.
    for (name, doc) in files("y_") {
        match read(doc.clone()) {
            Err(Broken::CutShort(why)) => panic!("{name}: {why}"),
            Ok(_) | Err(Broken::Protocol(_)) => {}
        }
        if let Some(quick) = scan::read(&doc) {
            let serde = serde_json::from_slice::<crate::page::wire::ResultsBody>(&doc);
            assert_eq!(
                Ok(format!("{quick:?}")),
                serde.map(|b| format!("{b:?}")).map_err(|_| ())
            );
        }
    }
}

#[test]
fn no_i_document_crashes_the_reader_or_a_writer() {
    let files = files("i_");
    assert_eq!(files.len(), 35, "the suite's i_ files");
    for (name, doc) in files {
        let utf8 = std::str::from_utf8(&doc).is_ok();
        if let Ok((body, text)) = read(embedded(&doc)) {
            assert!(utf8, "{name}: accepted, but not UTF-8");
            let raw = only_row(&body, &text);
            let (line, record) = written(raw);
            // Passed through as received: JSON serde can skip, if not decode.
            let line = line.trim_end();
            assert!(
                serde_json::from_str::<&serde_json::value::RawValue>(line).is_ok(),
                "{name}"
            );
            assert_eq!(record[0], "r1", "{name}");
            assert_eq!(record[2], "after", "{name}");
        }
        assert!(
            read(doc.clone()).is_err() || utf8,
            "{name}: accepted, but not UTF-8"
        );
        assert!(
            scan::read(&doc).is_none() || utf8,
            "{name}: read, but not UTF-8"
        );
        let _ = scan::cursor_ahead(&doc);
    }
}
