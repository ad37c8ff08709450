//! Writers, one per format, behind one trait. They receive whole pages of
//! parsed rows and know nothing of HTTP; each is generic over `io::Write` so
//! tests print into a `Vec<u8>`.

#[cfg(test)]
mod conformance;
mod csv;
mod json;
mod table;
mod tsv;

use std::io::{self, Write};

pub use self::csv::CsvWriter;
pub use self::json::{JsonArrayWriter, JsonLinesWriter};
pub use self::table::{TableView, TableWriter};
pub use self::tsv::TsvWriter;
use crate::page::json_text::ws_end;
use crate::page::row::Value;
pub use crate::page::Row;

/// A concrete output format (what `--format auto` resolved to).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Table,
    Csv,
    Tsv,
    Jsonl,
    Json,
}

impl Format {
    /// The format's name, as `--format` takes it.
    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Csv => "csv",
            Format::Tsv => "tsv",
            Format::Jsonl => "jsonl",
            Format::Json => "json",
        }
    }
}

/// Streams rows out in one format. Calls come as `begin`, then for each page
/// `row`… and `end_page`, then `finish` (also after a failed page, so the
/// output stays well-formed).
pub trait RowWriter {
    /// Write whatever precedes the first row (CSV header, `[`).
    fn begin(&mut self) -> io::Result<()>;
    /// Write one row.
    fn row(&mut self, row: &Row<'_>) -> io::Result<()>;
    /// A whole page has been written: flush it through.
    fn end_page(&mut self) -> io::Result<()>;
    /// Close the output (`]`) and flush.
    fn finish(&mut self) -> io::Result<()>;
    /// Continue an output that already holds `rows` rows (instead of `begin`).
    fn resume_after(&mut self, _rows: u64) {}
}

/// Options that shape the column formats. Serialised as a whole into the
/// state an interrupted export keeps (`jobs/export/checkpoint.rs`), so that
/// a field added here is held the same from run to run without more code.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Layout {
    /// Field names: CSV's and TSV's columns, the table's with
    /// [`TableView::Fields`], and the JSON formats' with `picked`.
    pub columns: Vec<String>,
    /// The fields were given (`--columns`): the JSON formats write only
    /// `columns`, in that order, instead of whole rows.
    pub picked: bool,
    /// Table: the fields as given, or the results view (`ID TYPE USER ERROR`).
    pub table_view: TableView,
    pub header: bool,
    /// Width to fit a table into (`None`: natural widths, nothing cut).
    pub width: Option<usize>,
    /// Table: wrap long text inside its column and leave no column out.
    pub wide: bool,
    /// CSV: neutralise cells a spreadsheet would run as a formula.
    pub csv_safe: bool,
    /// CSV for Excel: a UTF-8 byte order mark and CRLF line ends.
    pub excel: bool,
    /// CSV's field separator (`--delimiter`): an ASCII byte other than `"`,
    /// CR and LF.
    pub delimiter: u8,
    /// Table: bold header (ANSI).
    pub color: bool,
    /// Table: the locale is UTF-8 (a line break in a cell shows as `⏎`, else `\n`).
    pub utf8: bool,
}

impl Layout {
    /// The columns that shape every row written in `format`: CSV's and
    /// TSV's, the JSON formats' when the fields were given, none for whole
    /// rows (or a table, whose columns never reach a file that resumes).
    pub fn columns_of(&self, format: Format) -> &[String] {
        match format {
            Format::Csv | Format::Tsv => &self.columns,
            Format::Jsonl | Format::Json if self.picked => &self.columns,
            _ => &[],
        }
    }
}

/// Columns picked from a row on the stack; more go on the heap.
const STACK: usize = 16;

/// Hand `each` the value of every one of `columns` in `row`, found in one
/// pass over it ([`Row::select`]); nothing is allocated for up to
/// [`STACK`] columns (more take a vector a row).
fn with_values<'a, T>(
    row: &Row<'a>,
    columns: &[String],
    each: impl FnOnce(&[Option<Value<'a>>]) -> T,
) -> T {
    let mut stack = [None; STACK];
    let mut heap = Vec::new();
    let values = if columns.len() <= STACK {
        &mut stack[..columns.len()]
    } else {
        heap.resize(columns.len(), None);
        &mut heap[..]
    };
    row.select(columns, values);
    each(values)
}

/// Write whole rows as one page (rows the tool makes itself: bulk
/// statuses, `--summary-only` counts).
pub fn write_page(
    writer: &mut (dyn RowWriter + '_),
    rows: &[Box<serde_json::value::RawValue>],
) -> anyhow::Result<()> {
    for raw in rows {
        writer.row(&Row::parse(raw.get())?)?;
    }
    writer.end_page()?;
    Ok(())
}

/// The writer for a format.
pub fn writer<'w, W: Write + 'w>(
    format: Format,
    out: W,
    layout: Layout,
) -> Box<dyn RowWriter + 'w> {
    match format {
        Format::Csv => Box::new(CsvWriter::new(out, layout)),
        Format::Tsv => Box::new(TsvWriter::new(out, layout)),
        Format::Jsonl => Box::new(JsonLinesWriter::new(out, picked(layout))),
        Format::Json => Box::new(JsonArrayWriter::new(out, picked(layout))),
        Format::Table => Box::new(TableWriter::new(out, layout)),
    }
}

/// The fields the JSON formats write, when they were given.
fn picked(layout: Layout) -> Option<Vec<String>> {
    layout.picked.then_some(layout.columns)
}

/// Write a row as one line of JSON: exactly as received, with an added
/// field (if any) first, in place of any received field of its name (a
/// JSON reader would take the last of two).
pub(crate) fn write_row_json(out: &mut impl Write, row: &Row<'_>) -> io::Result<()> {
    let Some((name, value)) = row.added() else {
        return write_compact(out, row.raw());
    };
    write!(out, "{{{}:", serde_json::Value::from(name))?;
    write_compact(out, value.get())?;
    if row.replaced().is_some() {
        // The rare row that has the field: its other members, one by one.
        row.members_except(name, |member| {
            out.write_all(b",")?;
            write_compact(out, member)
        })?;
        return out.write_all(b"}");
    }
    // The received object's members follow, if it has any.
    let inner = row
        .raw()
        .trim_ascii_start()
        .strip_prefix(b"{")
        .unwrap_or(b"}")
        .trim_ascii_start();
    if !inner.starts_with(b"}") {
        out.write_all(b",")?;
    }
    write_compact(out, inner)
}

/// Write JSON text on one line, as received but for its line breaks: a
/// run of whitespace that holds a line break (a pretty-printed line end and
/// the next line's indent) is dropped, or after a comma becomes one space;
/// everything else (spacing within a line, key order, number spelling,
/// escapes) is kept byte for byte. A line break is never inside a JSON
/// string (there it is written `\n`), so such a run is always between
/// tokens, and is found by a memchr search: the strings need no reading.
pub(crate) fn write_compact(out: &mut impl Write, json: impl AsRef<[u8]>) -> io::Result<()> {
    let json = json.as_ref();
    let mut from = 0;
    while let Some(at) = memchr::memchr2(b'\n', b'\r', &json[from..]) {
        let at = from + at;
        let mut end = at;
        while end > from && matches!(json[end - 1], b' ' | b'\t') {
            end -= 1;
        }
        out.write_all(&json[from..end])?;
        from = ws_end(json, at + 1);
        if end > 0 && json[end - 1] == b',' && from < json.len() {
            out.write_all(b" ")?;
        }
    }
    out.write_all(&json[from..])
}

#[cfg(test)]
pub(crate) mod test_support {
    use super::*;
    use serde_json::value::RawValue;

    /// Run a writer over pages of raw rows and return what it wrote.
    pub fn render(format: Format, layout: Layout, pages: &[&[&str]]) -> String {
        let raws: Vec<Vec<Box<RawValue>>> = pages
            .iter()
            .map(|p| {
                p.iter()
                    .map(|r| RawValue::from_string(r.to_string()).unwrap())
                    .collect()
            })
            .collect();
        let mut buf = Vec::new();
        {
            let mut w = writer(format, &mut buf, layout);
            w.begin().unwrap();
            for page in &raws {
                for raw in page {
                    w.row(&Row::parse(raw.get()).unwrap()).unwrap();
                }
                w.end_page().unwrap();
            }
            w.finish().unwrap();
        }
        String::from_utf8(buf).unwrap()
    }

    pub fn layout(columns: &[&str], header: bool) -> Layout {
        Layout {
            columns: columns.iter().map(|c| c.to_string()).collect(),
            picked: false,
            table_view: TableView::Fields,
            header,
            width: None,
            wide: false,
            csv_safe: false,
            excel: false,
            delimiter: b',',
            color: false,
            utf8: true,
        }
    }
}

#[cfg(test)]
mod tests;
