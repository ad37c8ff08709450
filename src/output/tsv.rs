//! TSV: a header of the chosen columns, then one line a row, the cells
//! joined by tabs. Nothing is quoted: a backslash, tab, line feed or
//! carriage return in a cell is written as `\\`, `\t`, `\n` or `\r`, so
//! every record is one line and every tab a separator (the escapes of
//! PostgreSQL's `COPY`, MySQL's `LOAD DATA` and Python's `csv` with
//! `escapechar`). `null` and missing fields are empty cells.

use std::io::{self, Write};

use super::csv::is_formula;
use super::{with_values, Layout, Row, RowWriter};
use crate::page::row::Value;

/// Writes the chosen columns of each row as a line of TSV.
pub struct TsvWriter<W: Write> {
    out: W,
    layout: Layout,
    /// A string cell with escapes, undone.
    scratch: Vec<u8>,
}

impl<W: Write> TsvWriter<W> {
    pub fn new(out: W, layout: Layout) -> Self {
        TsvWriter {
            out,
            layout,
            scratch: Vec::new(),
        }
    }
}

/// One cell, its tabs, line breaks and backslashes escaped; with `safe`
/// (`--csv-safe`), a `'` before a cell a spreadsheet would run.
fn cell(out: &mut impl Write, text: &[u8], safe: bool) -> io::Result<()> {
    if safe && is_formula(text) {
        out.write_all(b"'")?;
    }
    let mut rest = text;
    while let Some(at) = rest
        .iter()
        .position(|b| matches!(b, b'\\' | b'\t' | b'\n' | b'\r'))
    {
        out.write_all(&rest[..at])?;
        out.write_all(match rest[at] {
            b'\\' => b"\\\\",
            b'\t' => b"\\t",
            b'\n' => b"\\n",
            _ => b"\\r",
        })?;
        rest = &rest[at + 1..];
    }
    out.write_all(rest)
}

impl<W: Write> RowWriter for TsvWriter<W> {
    fn begin(&mut self) -> io::Result<()> {
        if self.layout.header {
            for (n, column) in self.layout.columns.iter().enumerate() {
                if n > 0 {
                    self.out.write_all(b"\t")?;
                }
                cell(&mut self.out, column.as_bytes(), false)?;
            }
            self.out.write_all(b"\n")?;
        }
        Ok(())
    }

    fn row(&mut self, row: &Row<'_>) -> io::Result<()> {
        let (out, scratch) = (&mut self.out, &mut self.scratch);
        let safe = self.layout.csv_safe;
        with_values(row, &self.layout.columns, |values| {
            for (n, value) in values.iter().enumerate() {
                if n > 0 {
                    out.write_all(b"\t")?;
                }
                let text = match value {
                    None => continue,
                    // No escapes, so no tab, line break or backslash.
                    Some(Value::Plain(text) | Value::Comma(text)) if !safe => {
                        out.write_all(text)?;
                        continue;
                    }
                    Some(value) => value.bytes(scratch),
                };
                cell(out, text, safe)?;
            }
            out.write_all(b"\n")
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
