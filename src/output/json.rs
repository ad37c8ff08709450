//! JSON lines (one row object a line) and a streamed JSON array. Rows pass
//! through exactly as received, unknown fields included; with `--columns`,
//! each row is an object of those fields alone, in that order, each value's
//! JSON text as received (`null` for a missing one).

use std::io::{self, Write};

use super::{with_values, write_compact, write_row_json, Row, RowWriter};
use crate::page::row::Value;

/// What a row is written as: whole, or the fields `--columns` names.
enum Shape {
    Whole,
    /// The field names, and what goes before each one's value: `{"id":`
    /// for the first, `,"error":` for the others.
    Picked {
        names: Vec<String>,
        keys: Vec<Vec<u8>>,
    },
}

impl Shape {
    fn of(fields: Option<Vec<String>>) -> Shape {
        let Some(names) = fields else {
            return Shape::Whole;
        };
        let keys = (names.iter().enumerate())
            .map(|(n, name)| {
                let mut key = if n == 0 { b"{".to_vec() } else { b",".to_vec() };
                serde_json::to_writer(&mut key, name).expect("a string is JSON");
                key.push(b':');
                key
            })
            .collect();
        Shape::Picked { names, keys }
    }

    /// Write `row` as one line of JSON.
    fn write(&self, out: &mut impl Write, row: &Row<'_>) -> io::Result<()> {
        let Shape::Picked { names, keys } = self else {
            return write_row_json(out, row);
        };
        if names.is_empty() {
            return out.write_all(b"{}");
        }
        with_values(row, names, |values| {
            for (key, value) in keys.iter().zip(values) {
                out.write_all(key)?;
                match value {
                    None => out.write_all(b"null")?,
                    // No escapes: the text between the quotes is all there is.
                    Some(Value::Plain(text) | Value::Comma(text)) => {
                        out.write_all(b"\"")?;
                        out.write_all(text)?;
                        out.write_all(b"\"")?;
                    }
                    Some(Value::Json(json)) => write_compact(out, json)?,
                }
            }
            out.write_all(b"}")
        })
    }
}

/// One JSON object per line, nothing else.
pub struct JsonLinesWriter<W: Write> {
    out: W,
    shape: Shape,
}

impl<W: Write> JsonLinesWriter<W> {
    /// `fields`: the fields to write (`--columns`), or `None` for whole rows.
    pub fn new(out: W, fields: Option<Vec<String>>) -> Self {
        JsonLinesWriter {
            out,
            shape: Shape::of(fields),
        }
    }
}

impl<W: Write> RowWriter for JsonLinesWriter<W> {
    fn begin(&mut self) -> io::Result<()> {
        Ok(())
    }

    fn row(&mut self, row: &Row<'_>) -> io::Result<()> {
        self.shape.write(&mut self.out, row)?;
        self.out.write_all(b"\n")
    }

    fn end_page(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// One JSON array, written as rows arrive (never collected in memory).
pub struct JsonArrayWriter<W: Write> {
    out: W,
    shape: Shape,
    rows: u64,
}

impl<W: Write> JsonArrayWriter<W> {
    /// `fields`: the fields to write (`--columns`), or `None` for whole rows.
    pub fn new(out: W, fields: Option<Vec<String>>) -> Self {
        JsonArrayWriter {
            out,
            shape: Shape::of(fields),
            rows: 0,
        }
    }
}

impl<W: Write> RowWriter for JsonArrayWriter<W> {
    fn begin(&mut self) -> io::Result<()> {
        self.out.write_all(b"[")
    }

    fn row(&mut self, row: &Row<'_>) -> io::Result<()> {
        self.out
            .write_all(if self.rows == 0 { b"\n" } else { b",\n" })?;
        self.rows += 1;
        self.shape.write(&mut self.out, row)
    }

    fn end_page(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    fn finish(&mut self) -> io::Result<()> {
        self.out
            .write_all(if self.rows == 0 { b"]\n" } else { b"\n]\n" })?;
        self.out.flush()
    }

    fn resume_after(&mut self, rows: u64) {
        self.rows = rows;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::test_support::{layout, render};
    use crate::output::Format;
    use crate::page::json_gen;
    use proptest::prelude::*;
    use serde_json::value::RawValue;

    /// `rows` as one page in `format`, with the fields `columns` picked.
    fn picked(format: Format, columns: &[&str], rows: &[&str]) -> String {
        let mut l = layout(columns, true);
        l.picked = true;
        render(format, l, &[rows])
    }

    #[test]
    fn columns_pick_fields_in_order_as_received_and_null_when_missing() {
        let rows = [
            r#"{"id":"1","error":"a \"q\" \u00e9","n":1.50,"x":{ "k" : [1, 2] }}"#,
            "{\n \"x\": {\n  \"k\": 1\n },\n \"id\": \"2\", \"error\": null\n}",
            "{}",
        ];
        let out = picked(Format::Jsonl, &["error", "id", "n", "x", "gone"], &rows);
        assert_eq!(
            out,
            concat!(
                r#"{"error":"a \"q\" \u00e9","id":"1","n":1.50,"x":{ "k" : [1, 2] },"gone":null}"#,
                "\n",
                r#"{"error":null,"id":"2","n":null,"x":{"k": 1},"gone":null}"#,
                "\n",
                r#"{"error":null,"id":null,"n":null,"x":null,"gone":null}"#,
                "\n",
            )
        );
        let out = picked(Format::Json, &["id"], &rows);
        assert_eq!(
            out,
            "[\n{\"id\":\"1\"},\n{\"id\":\"2\"},\n{\"id\":null}\n]\n"
        );
        let rows = [r#"{"a\"b":1,"i\u0064":"x","id":"y"}"#];
        assert_eq!(
            picked(Format::Jsonl, &["a\"b", "id"], &rows),
            "{\"a\\\"b\":1,\"id\":\"x\"}\n",
            "a name is written as a JSON key; the first member of a name counts"
        );
    }

    #[test]
    fn an_added_bulk_id_is_picked_like_any_field() {
        let bulk = RawValue::from_string(r#""B 1""#.into()).unwrap();
        let raw = r#"{"bulkId":"SERVER","id":"r1"}"#;
        for (columns, expected) in [
            (&["id", "bulkId"][..], r#"{"id":"r1","bulkId":"B 1"}"#),
            (&["id"][..], r#"{"id":"r1"}"#),
        ] {
            let mut out = Vec::new();
            {
                let fields = Some(columns.iter().map(|c| c.to_string()).collect());
                let mut w = JsonLinesWriter::new(&mut out, fields);
                let row = Row::parse(raw).unwrap().with_field("bulkId", &bulk);
                w.row(&row).unwrap();
            }
            assert_eq!(String::from_utf8(out).unwrap(), format!("{expected}\n"));
        }
    }

    proptest! {
        #![proptest_config(json_gen::config())]

        /// With `--columns`, a row is an object of those names alone, in
        /// that order, each the row's first member of that name (the added
        /// `bulkId` in place of any received one) or null, on one line.
        #[test]
        fn picked_fields_are_the_first_members_of_those_names(
            text in json_gen::row(),
            wanted in prop::collection::vec(
                prop::sample::select(vec!["id", "error", "x", "bulkId", "n", "é", "a,b", "", "nope"]),
                1..6,
            ),
            added in any::<bool>(),
        ) {
            let Some(received) = json_gen::serde_members(&text) else {
                return Ok(());
            };
            let mut names: Vec<String> = Vec::new();
            for name in wanted {
                if !names.iter().any(|n| n == name) {
                    names.push(name.to_string());
                }
            }
            let bulk = RawValue::from_string(r#""B 1""#.into()).unwrap();
            let mut row = Row::checked(&text);
            if added {
                row = row.with_field("bulkId", &bulk);
            }
            let mut out = Vec::new();
            Shape::of(Some(names.clone())).write(&mut out, &row).unwrap();
            let out = String::from_utf8(out).unwrap();
            prop_assert!(!out.contains(['\n', '\r']), "{:?}", out);
            let got = json_gen::serde_members(&out);
            prop_assert!(got.is_some(), "{:?} from {:?}", out, text);
            let got = got.unwrap();
            let got_names: Vec<&str> = got.iter().map(|(k, _)| k.as_str()).collect();
            prop_assert_eq!(&got_names, &names, "{:?}", out);
            for ((name, value), wanted) in got.iter().zip(&names) {
                let want = match received.iter().find(|(k, _)| k == wanted) {
                    _ if added && wanted == "bulkId" => bulk.get().to_string(),
                    Some((_, v)) => v.get().to_string(),
                    None => "null".to_string(),
                };
                let read = |t: &str| serde_json::from_str::<serde_json::Value>(t).ok();
                if let Some(want) = read(&want) {
                    prop_assert_eq!(read(value.get()), Some(want), "{} in {:?}", name, out);
                }
            }
        }
    }

    const PRETTY: &str = "{\n \"id\": \"1\",\n \"x\": {\"k\": 1.0}\n}";

    #[test]
    fn jsonl_keeps_rows_as_received_one_per_line() {
        let out = render(
            Format::Jsonl,
            layout(&[], true),
            &[
                &[r#"{"id":"1","extra":[1,2],"n":1.0}"#, PRETTY],
                &[r#"{"id":"3"}"#],
            ],
        );
        assert_eq!(
            out,
            "{\"id\":\"1\",\"extra\":[1,2],\"n\":1.0}\n{\"id\": \"1\", \"x\": {\"k\": 1.0}}\n{\"id\":\"3\"}\n"
        );
    }

    #[test]
    fn json_array_is_valid_across_pages_and_when_empty() {
        let out = render(
            Format::Json,
            layout(&[], true),
            &[&[r#"{"id":"1"}"#, PRETTY], &[], &[r#"{"id":"3"}"#]],
        );
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v.as_array().unwrap().len(), 3);
        assert_eq!(v[1]["x"]["k"], 1.0);
        assert_eq!(render(Format::Json, layout(&[], true), &[]), "[]\n");
    }

    #[test]
    fn a_resumed_array_continues_with_a_comma() {
        use crate::output::{writer, Row};
        let raw = serde_json::value::RawValue::from_string(r#"{"id":"2"}"#.into()).unwrap();
        let mut out = b"[\n{\"id\":\"1\"}".to_vec();
        {
            let mut w = writer(Format::Json, &mut out, layout(&[], true));
            w.resume_after(1);
            w.row(&Row::parse(raw.get()).unwrap()).unwrap();
            w.finish().unwrap();
        }
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(v.as_array().unwrap().len(), 2);
    }
}
