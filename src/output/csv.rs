//! CSV: a header of the chosen columns, then one record a row, quoted as
//! RFC 4180 says. Lines end in LF, or for Excel (`--excel`) in CRLF after a
//! UTF-8 byte order mark, without which Excel on Windows reads the bytes in
//! the local code page and garbles every accent and CJK character.

use std::borrow::Cow;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use super::{Layout, Row, RowWriter};

/// Writes the chosen columns of each row as a CSV record.
pub struct CsvWriter<W: Write> {
    out: csv::Writer<Marked<W>>,
    layout: Layout,
    /// Set by `begin` with `--excel`: the output starts with a mark.
    mark: Arc<AtomicBool>,
}

impl<W: Write> CsvWriter<W> {
    pub fn new(out: W, layout: Layout) -> Self {
        let terminator = if layout.excel {
            csv::Terminator::CRLF
        } else {
            csv::Terminator::Any(b'\n')
        };
        let mark = Arc::new(AtomicBool::new(false));
        let out = csv::WriterBuilder::new()
            .buffer_capacity(64 * 1024)
            .terminator(terminator)
            .from_writer(Marked {
                out,
                mark: mark.clone(),
            });
        CsvWriter { out, layout, mark }
    }
}

/// The UTF-8 byte order mark, which tells Excel the file is UTF-8.
const BOM: &[u8] = "\u{feff}".as_bytes();

/// The output, which gets a byte order mark before its first byte when
/// `mark` is set by then (csv's writer gives no access to its output).
struct Marked<W> {
    out: W,
    mark: Arc<AtomicBool>,
}

impl<W: Write> Write for Marked<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.mark.swap(false, Ordering::Relaxed) {
            self.out.write_all(BOM)?;
        }
        self.out.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.mark.swap(false, Ordering::Relaxed) {
            self.out.write_all(BOM)?;
        }
        self.out.flush()
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
        // Only at the very start: a resumed output already has it.
        self.mark.store(self.layout.excel, Ordering::Relaxed);
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
    fn excel_gets_a_byte_order_mark_and_crlf_everywhere() {
        let mut l = layout(&["id", "error"], true);
        l.excel = true;
        l.csv_safe = true;
        let out = render(
            Format::Csv,
            l,
            &[
                &[r#"{"id":"1","error":"用户不存在"}"#],
                &[
                    r#"{"id":"2","error":"teléfono\ninválido"}"#,
                    r#"{"id":"3","error":"=1+1"}"#,
                ],
            ],
        );
        assert_eq!(
            out,
            "\u{feff}id,error\r\n1,用户不存在\r\n2,\"teléfono\ninválido\"\r\n3,'=1+1\r\n"
        );
        let mut l = layout(&["id"], false);
        l.excel = true;
        let out = render(Format::Csv, l, &[&[r#"{"id":"1"}"#]]);
        assert_eq!(out, "\u{feff}1\r\n", "the mark even without a header");
    }

    #[test]
    fn a_resumed_excel_output_gets_no_second_mark() {
        use crate::output::{writer, Row};
        let mut l = layout(&["id"], true);
        l.excel = true;
        let mut buf = Vec::new();
        {
            let mut w = writer(Format::Csv, &mut buf, l);
            w.resume_after(1);
            w.row(&Row::parse(r#"{"id":"2"}"#).unwrap()).unwrap();
            w.end_page().unwrap();
            w.finish().unwrap();
        }
        assert_eq!(buf, b"2\r\n");
    }

    #[test]
    fn empty_report_is_just_the_header() {
        let out = render(Format::Csv, layout(&["id"], true), &[]);
        assert_eq!(out, "id\n");
    }
}
