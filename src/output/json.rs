//! JSON lines (one row object a line) and a streamed JSON array. Rows pass
//! through exactly as received, unknown fields included.

use std::io::{self, Write};

use super::{write_row_json, Row, RowWriter};

/// One JSON object per line, nothing else.
pub struct JsonLinesWriter<W: Write> {
    out: W,
}

impl<W: Write> JsonLinesWriter<W> {
    pub fn new(out: W) -> Self {
        JsonLinesWriter { out }
    }
}

impl<W: Write> RowWriter for JsonLinesWriter<W> {
    fn begin(&mut self) -> io::Result<()> {
        Ok(())
    }

    fn row(&mut self, row: &Row<'_>) -> io::Result<()> {
        write_row_json(&mut self.out, row)?;
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
    rows: u64,
}

impl<W: Write> JsonArrayWriter<W> {
    pub fn new(out: W) -> Self {
        JsonArrayWriter { out, rows: 0 }
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
        write_row_json(&mut self.out, row)
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
    use crate::output::test_support::{layout, render};
    use crate::output::Format;

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
            "{\"id\":\"1\",\"extra\":[1,2],\"n\":1.0}\n{\"id\":\"1\",\"x\":{\"k\":1.0}}\n{\"id\":\"3\"}\n"
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
