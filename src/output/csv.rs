//! CSV (RFC 4180): a header of the chosen columns, then one record a row.

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
            self.out
                .write_field(row.cell(column).as_bytes())
                .map_err(io_err)?;
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
    use crate::config::OutputFormat;
    use crate::output::test_support::{layout, render};

    #[test]
    fn header_then_quoted_records() {
        let out = render(
            OutputFormat::Csv,
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
            OutputFormat::Csv,
            layout(&["nope", "id"], false),
            &[&[r#"{"id":"1"}"#]],
        );
        assert_eq!(out, ",1\n");
    }

    #[test]
    fn empty_report_is_just_the_header() {
        let out = render(OutputFormat::Csv, layout(&["id"], true), &[]);
        assert_eq!(out, "id\n");
    }
}
