//! CSV (RFC 4180): a header of the chosen columns, then one record a row.

use std::borrow::Cow;
use std::io::{self, Write};

use super::{Layout, Row, RowWriter};

/// Writes the chosen columns of each row as a CSV record.
pub struct CsvWriter<W: Write> {
    out: csv::Writer<W>,
    layout: Layout,
}

impl<W: Write> CsvWriter<W> {
    pub fn new(out: W, layout: Layout) -> Self {
        let out = csv::WriterBuilder::new()
            .buffer_capacity(64 * 1024)
            .from_writer(out);
        CsvWriter { out, layout }
    }
}

/// OWASP's advice against CSV injection: a cell that starts with `=`, `+`,
/// `-`, `@`, a tab or a carriage return gets a leading `'`, so a spreadsheet
/// shows it as text instead of evaluating it.
pub fn formula_safe(cell: &str) -> Cow<'_, str> {
    match cell.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => Cow::Owned(format!("'{cell}")),
        _ => Cow::Borrowed(cell),
    }
}

fn io_err(e: csv::Error) -> io::Error {
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

impl<W: Write> RowWriter for CsvWriter<W> {
    fn begin(&mut self) -> io::Result<()> {
        if self.layout.header {
            self.out
                .write_record(&self.layout.columns)
                .map_err(io_err)?;
        }
        Ok(())
    }

    fn row(&mut self, row: &Row<'_>) -> io::Result<()> {
        for column in &self.layout.columns {
            let cell = row.cell(column);
            let cell = if self.layout.csv_safe {
                formula_safe(&cell)
            } else {
                cell
            };
            self.out.write_field(cell.as_bytes()).map_err(io_err)?;
        }
        self.out.write_record(None::<&[u8]>).map_err(io_err)
    }

    fn end_page(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use crate::output::test_support::{layout, render};
    use crate::output::Format;

    #[test]
    fn header_then_quoted_records() {
        let out = render(
            Format::Csv,
            layout(&["id", "error", "objectId"], true),
            &[
                &[r#"{"id":"1","error":"a, \"b\"\nc","objectId":null}"#],
                &[r#"{"id":"2"}"#],
            ],
        );
        assert_eq!(out, "id,error,objectId\n1,\"a, \"\"b\"\"\nc\",\n2,,\n");
    }

    #[test]
    fn no_header_and_unknown_columns() {
        let out = render(
            Format::Csv,
            layout(&["nope", "id"], false),
            &[&[r#"{"id":"1"}"#]],
        );
        assert_eq!(out, ",1\n");
    }

    #[test]
    fn csv_safe_neutralises_formulas_only_when_asked() {
        let rows: &[&str] = &[
            r#"{"id":"=HYPERLINK(\"http://x\")","error":"+1","n":"-2","at":"@SUM(A1)"}"#,
            r#"{"id":"\tx","error":"\rcmd","n":"ok","at":"a=b"}"#,
        ];
        let mut l = layout(&["id", "error", "n", "at"], false);
        l.csv_safe = true;
        let out = render(Format::Csv, l, &[rows]);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(out.as_bytes());
        let cells: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect();
        assert_eq!(
            cells[0],
            ["'=HYPERLINK(\"http://x\")", "'+1", "'-2", "'@SUM(A1)"]
        );
        assert_eq!(cells[1], ["'\tx", "'\rcmd", "ok", "a=b"]);
        let plain = render(
            Format::Csv,
            layout(&["error"], false),
            &[&[r#"{"error":"=1+1"}"#]],
        );
        assert_eq!(plain, "=1+1\n");
    }

    #[test]
    fn empty_report_is_just_the_header() {
        let out = render(Format::Csv, layout(&["id"], true), &[]);
        assert_eq!(out, "id\n");
    }
}
