//! CSV: a header of the chosen columns, then one record a row, quoted as
//! RFC 4180 says; fields are separated by commas, or by `--delimiter`'s
//! character (`;` for Excel where the decimal mark is a comma). Lines end in LF, or for Excel (`--excel`) in CRLF after a
//! UTF-8 byte order mark, without which Excel on Windows reads the bytes in
//! the local code page and garbles every accent and CJK character.

use std::borrow::Cow;
use std::io::{self, Write};

use super::{with_values, Layout, Row, RowWriter};
use crate::page::row::Value;

/// Writes the chosen columns of each row as a CSV record, each cell
/// straight from the row's text into the (buffered) output.
pub struct CsvWriter<W: Write> {
    out: W,
    layout: Layout,
    /// The record terminator.
    eol: &'static [u8],
    /// A string cell with escapes, undone.
    scratch: Vec<u8>,
}

impl<W: Write> CsvWriter<W> {
    pub fn new(out: W, layout: Layout) -> Self {
        let eol: &[u8] = if layout.excel { b"\r\n" } else { b"\n" };
        CsvWriter {
            out,
            layout,
            eol,
            scratch: Vec::new(),
        }
    }
}

/// Write one cell from its JSON value (`delimiter`: the field separator,
/// `safe`: `--csv-safe`, `scratch`: room to undo escapes in); `true` when
/// it is empty. The cell's bytes are written as they lie (the row is UTF-8,
/// and so is a string unescaped).
fn cell(
    out: &mut impl Write,
    value: Option<Value<'_>>,
    (delimiter, safe): (u8, bool),
    scratch: &mut Vec<u8>,
) -> io::Result<bool> {
    let text = match value {
        None => return Ok(true),
        // The common case: a string without escapes holds no quote and
        // no line break, so only a comma (found as the row was read), or
        // another delimiter, makes it need quotes.
        Some(Value::Plain(text)) if delimiter == b',' && !(safe && is_formula(text)) => {
            out.write_all(text)?;
            return Ok(text.is_empty());
        }
        Some(Value::Comma(text)) if delimiter == b',' && !(safe && is_formula(text)) => {
            out.write_all(b"\"")?;
            out.write_all(text)?;
            out.write_all(b"\"")?;
            return Ok(false);
        }
        Some(value) => value.bytes(scratch),
    };
    if safe && is_formula(text) {
        // Inside the quotes, if the cell needs them.
        let mut safe_text = Vec::with_capacity(text.len() + 1);
        safe_text.push(b'\'');
        safe_text.extend_from_slice(text);
        field(out, delimiter, &safe_text)?;
        return Ok(false);
    }
    field(out, delimiter, text)?;
    Ok(text.is_empty())
}

/// One record of `cells`, separated by `delimiter`, ended by `eol`.
fn record<'c>(
    out: &mut impl Write,
    (delimiter, eol): (u8, &[u8]),
    cells: impl Iterator<Item = Cow<'c, str>>,
) -> io::Result<()> {
    let mut empty = true;
    for (n, cell) in cells.enumerate() {
        if n > 0 {
            out.write_all(&[delimiter])?;
        }
        empty &= n == 0 && cell.is_empty();
        field(out, delimiter, cell.as_bytes())?;
    }
    if empty {
        // A record of one empty field would read as an empty line.
        out.write_all(b"\"\"")?;
    }
    out.write_all(eol)
}

/// One field, quoted as RFC 4180 says when it holds the delimiter, a quote
/// or a line break.
fn field(out: &mut impl Write, delimiter: u8, cell: &[u8]) -> io::Result<()> {
    if memchr::memchr3(delimiter, b'"', b'\n', cell).is_none()
        && memchr::memchr(b'\r', cell).is_none()
    {
        return out.write_all(cell);
    }
    out.write_all(b"\"")?;
    let mut rest = cell;
    while let Some(quote) = memchr::memchr(b'"', rest) {
        out.write_all(&rest[..=quote])?;
        out.write_all(b"\"")?;
        rest = &rest[quote + 1..];
    }
    out.write_all(rest)?;
    out.write_all(b"\"")
}

/// The UTF-8 byte order mark, which tells Excel the file is UTF-8.
const BOM: &[u8] = "\u{feff}".as_bytes();

/// OWASP's advice against CSV injection: a cell that starts with `=`, `+`,
/// `-`, `@`, a tab or a carriage return gets a leading `'`, so a spreadsheet
/// shows it as text instead of evaluating it.
pub(super) fn is_formula(cell: &[u8]) -> bool {
    matches!(
        cell.first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    )
}

impl<W: Write> RowWriter for CsvWriter<W> {
    fn begin(&mut self) -> io::Result<()> {
        // Only at the very start: a resumed output already has it.
        if self.layout.excel {
            self.out.write_all(BOM)?;
        }
        if self.layout.header {
            let columns = self.layout.columns.iter();
            record(
                &mut self.out,
                (self.layout.delimiter, self.eol),
                columns.map(|c| Cow::Borrowed(c.as_str())),
            )?;
        }
        Ok(())
    }

    fn row(&mut self, row: &Row<'_>) -> io::Result<()> {
        let (out, scratch) = (&mut self.out, &mut self.scratch);
        let columns = &self.layout.columns[..];
        let how = (self.layout.delimiter, self.layout.csv_safe);
        with_values(row, columns, |values| {
            for (n, value) in values.iter().enumerate() {
                if n > 0 {
                    out.write_all(&[how.0])?;
                }
                let empty = cell(out, *value, how, scratch)?;
                if empty && columns.len() == 1 {
                    // A record of one empty field would read as an empty line.
                    out.write_all(b"\"\"")?;
                }
            }
            out.write_all(self.eol)
        })
    }

    fn end_page(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests;
