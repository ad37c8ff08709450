//! An aligned table for people at a terminal: one line per row.
//!
//! Identifiers (`bulkId`, `id`, `objectId`, `pulseId`) are never cut; other
//! text is cut with `…` to fit the terminal, or wrapped inside its column
//! with `--wide` (only inside 20 columns or more). Without `--columns`, an
//! export shows the results view `ID TYPE USER ERROR` (`BULK` first with
//! several bulks), and `ERROR` gets 40 columns: the first of all columns,
//! without `TYPE`, without `ID`, without both that leaves it 40 is shown,
//! else `USER` and all that is left; `status` shows
//! `BULK STATUS CREATED UPDATED`, nothing cut.
//!
//! Rows are rendered a page at a time so memory stays at one page. The
//! columns and their widths are decided from the first page and kept for
//! the whole table, so the pages line up; a longer identifier later on
//! pushes the rest of its line right. Cells are cleaned of control and bidi
//! characters first.

mod fit;
mod note;
mod text;

use std::borrow::Cow;
use std::io::{self, Write};

use super::{Layout, Row, RowWriter};
use crate::{sanitize, ui};

use fit::{Measure, Plan, Ways, GAP, MIN_WRAP};
use note::left_out_note;

/// Fields that identify something: never cut or wrapped.
const IDENTIFIERS: [&str; 4] = ["bulkId", "id", "objectId", "pulseId"];
/// Columns the results view keeps for `ERROR` (or its natural width, if
/// less) before settling for what is left after `USER`.
const ERROR_WANTS: usize = 40;

/// Which columns a table shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub enum TableView {
    /// The layout's field names, in order, each headed by its name.
    Fields,
    /// An export's results: `ID TYPE USER ERROR`, with `BULK` first when
    /// several bulks share the table.
    Results { bulk: bool },
    /// Bulk statuses: `BULK STATUS CREATED UPDATED`, nothing cut; `CREATED`,
    /// then `UPDATED`, give way on a narrow terminal.
    Status,
}

/// Where a column's cells come from.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Source {
    Field(String),
    /// `userIdentifierType`, shortened.
    Type,
    /// The identifier the row's type names.
    User,
}

#[derive(Debug, Clone)]
struct Column {
    header: String,
    source: Source,
    ident: bool,
    /// Columns wanted before the view settles for less ([`Measure::want`]).
    want: usize,
}

impl Column {
    fn field(header: &str, name: &str) -> Column {
        Column {
            header: header.to_string(),
            source: Source::Field(name.to_string()),
            ident: IDENTIFIERS.contains(&name),
            want: 0,
        }
    }

    /// A column never cut, like an identifier (a status, a timestamp).
    fn whole(header: &str, name: &str) -> Column {
        Column {
            ident: true,
            ..Column::field(header, name)
        }
    }

    /// Narrowest this column may be, whatever the first page holds.
    fn least(&self) -> usize {
        match self.source {
            // Room for `object` even if the first page only had `pulse`.
            Source::Type => "object".len(),
            _ => 1,
        }
    }

    /// The cell's text, not yet cleaned.
    fn text<'a>(&self, row: &Row<'a>) -> Cow<'a, str> {
        match &self.source {
            Source::Field(name) => row.cell(name),
            Source::Type => match row.cell("userIdentifierType") {
                t if t == "object_id" => Cow::Borrowed("object"),
                t if t == "pulse_id" => Cow::Borrowed("pulse"),
                t => t,
            },
            Source::User => {
                let (object, pulse) = (row.cell("objectId"), row.cell("pulseId"));
                match row.cell("userIdentifierType").as_ref() {
                    "object_id" => object,
                    "pulse_id" => pulse,
                    _ if object.is_empty() => pulse,
                    _ => object,
                }
            }
        }
    }
}

/// The columns of a layout, and the ways they may be left out.
fn columns(layout: &Layout) -> (Vec<Column>, Ways) {
    match layout.table_view {
        TableView::Fields => {
            let columns = layout.columns.iter().map(|c| Column::field(c, c)).collect();
            (columns, Ways::none())
        }
        TableView::Results { bulk } => {
            let mut columns: Vec<Column> = Vec::new();
            if bulk {
                columns.push(Column::field("BULK", "bulkId"));
            }
            let id = columns.len();
            columns.push(Column::field("ID", "id"));
            let kind = columns.len();
            columns.push(Column {
                header: "TYPE".into(),
                source: Source::Type,
                ident: false,
                want: 0,
            });
            columns.push(Column {
                header: "USER".into(),
                source: Source::User,
                ident: true,
                want: 0,
            });
            let error = columns.len();
            columns.push(Column {
                want: ERROR_WANTS,
                ..Column::field("ERROR", "error")
            });
            // All, without TYPE, without ID, without both (and without
            // BULK too): the first that leaves ERROR its 40; else USER and
            // what is left, or USER alone.
            let mut prefer = vec![vec![], vec![kind], vec![id], vec![id, kind]];
            if bulk {
                prefer.push(vec![0, id, kind]);
            }
            let last = prefer.last().cloned().unwrap_or_default();
            let settle = vec![last.clone(), [last, vec![error]].concat()];
            (columns, Ways { prefer, settle })
        }
        TableView::Status => {
            let columns = vec![
                Column::field("BULK", "bulkId"),
                Column::whole("STATUS", "status"),
                Column::whole("CREATED", "createdOn"),
                Column::whole("UPDATED", "updatedOn"),
            ];
            (columns, Ways::in_order(&[2, 3]))
        }
    }
}

pub struct TableWriter<W: Write> {
    out: W,
    layout: Layout,
    columns: Vec<Column>,
    ways: Ways,
    /// The page being gathered: every column's cleaned cell of each row.
    page: Vec<Vec<String>>,
    plan: Option<Plan>,
}

impl<W: Write> TableWriter<W> {
    pub fn new(out: W, layout: Layout) -> Self {
        let (columns, ways) = columns(&layout);
        TableWriter {
            out,
            layout,
            columns,
            ways,
            page: Vec::new(),
            plan: None,
        }
    }

    /// Decide the columns and widths from the first page; say what was
    /// left out.
    fn decide(&self) -> Plan {
        let measures: Vec<Measure> = (self.columns.iter().enumerate())
            .map(|(i, column)| {
                let header = if self.layout.header {
                    text::width(&column.header)
                } else {
                    0
                };
                let natural = (self.page.iter())
                    .map(|row| text::width(&row[i]))
                    .fold(header.max(column.least()), usize::max);
                if column.ident {
                    Measure::ident(natural)
                } else {
                    Measure::text(natural, header).wanting(column.want)
                }
            })
            .collect();
        let plan = fit::plan(&measures, &self.ways, self.layout.width, self.layout.wide);
        if let (Some(width), false) = (self.layout.width, plan.dropped.is_empty()) {
            ui::note(self.dropped_note(width, &plan.dropped));
        }
        plan
    }

    /// `ID, TYPE left out; see them with --wide or --columns id,error`:
    /// the longest of [`left_out_note`]'s that fits `width` after `note: `.
    fn dropped_note(&self, width: usize, dropped: &[usize]) -> String {
        let names: Vec<&str> = dropped
            .iter()
            .map(|&i| self.columns[i].header.as_str())
            .collect();
        let ways: Vec<String> = match self.layout.table_view {
            // The identifiers left out, with the error.
            TableView::Results { .. } => {
                let ids: Vec<&str> = (dropped.iter())
                    .filter(|&&i| self.columns[i].ident)
                    .filter_map(|&i| match &self.columns[i].source {
                        Source::Field(name) => Some(name.as_str()),
                        _ => None,
                    })
                    .collect();
                let mut ways = vec!["--wide".to_string()];
                if !ids.is_empty() {
                    ways.push(format!("--columns {},error", ids.join(",")));
                }
                ways
            }
            _ => ["--wide", "--columns", "-f csv"].map(String::from).to_vec(),
        };
        left_out_note(&names, width, &ways)
    }

    fn render_page(&mut self, with_header: bool) -> io::Result<()> {
        if self.plan.is_none() {
            self.plan = Some(self.decide());
        }
        let Some(plan) = &self.plan else {
            return Ok(());
        };
        let lines = Lines {
            plan,
            columns: &self.columns,
            fit: self.layout.width.is_some(),
            wide: self.layout.wide,
        };
        if with_header {
            let headers: Vec<&str> = self.columns.iter().map(|c| c.header.as_str()).collect();
            let header = lines.line(&headers);
            if self.layout.color {
                writeln!(self.out, "\u{1b}[1m{header}\u{1b}[0m")?;
            } else {
                writeln!(self.out, "{header}")?;
            }
        }
        for row in self.page.drain(..) {
            let cells: Vec<&str> = row.iter().map(String::as_str).collect();
            for line in lines.row(&cells) {
                writeln!(self.out, "{line}")?;
            }
        }
        Ok(())
    }
}

/// Rows laid out by a plan.
struct Lines<'p> {
    plan: &'p Plan,
    columns: &'p [Column],
    /// A width is known: text is cut (or wrapped) to its column.
    fit: bool,
    wide: bool,
}

impl Lines<'_> {
    /// A row's lines: one, or with `--wide` as many as its longest text
    /// needs.
    fn row(&self, cells: &[&str]) -> Vec<String> {
        if !(self.wide && self.fit) {
            return vec![self.line(cells)];
        }
        // Text wraps only inside columns of at least MIN_WRAP; in a
        // narrower one (its first page's text was short) it stays whole.
        let wrapped: Vec<Vec<String>> = (self.plan.shown.iter().zip(&self.plan.widths))
            .map(
                |(&i, &width)| match self.columns[i].ident || width < MIN_WRAP {
                    true => vec![cells[i].to_string()],
                    false => text::wrap(cells[i], width),
                },
            )
            .collect();
        let height = wrapped.iter().map(Vec::len).max().unwrap_or(1);
        (0..height)
            .map(|n| {
                let parts: Vec<&str> = wrapped
                    .iter()
                    .map(|lines| lines.get(n).map_or("", String::as_str))
                    .collect();
                self.join(&parts)
            })
            .collect()
    }

    /// One line of `cells` (every column's, shown or not).
    fn line(&self, cells: &[&str]) -> String {
        let parts: Vec<&str> = self.plan.shown.iter().map(|&i| cells[i]).collect();
        self.join(&parts)
    }

    /// The shown columns' parts padded to their widths, text cut to its
    /// column when a width is known (and not `--wide`: its parts are
    /// wrapped already); an identifier wider than its column pushes the
    /// rest of the line right.
    fn join(&self, parts: &[&str]) -> String {
        let mut line = String::new();
        let last = parts.len().saturating_sub(1);
        for (n, ((part, &width), &i)) in parts
            .iter()
            .zip(&self.plan.widths)
            .zip(&self.plan.shown)
            .enumerate()
        {
            let part = if self.fit && !self.wide && !self.columns[i].ident {
                text::truncate(part, width)
            } else {
                Cow::Borrowed(*part)
            };
            line.push_str(&part);
            if n < last {
                text::pad(&mut line, width.saturating_sub(text::width(&part)) + GAP);
            }
        }
        line.truncate(line.trim_end().len());
        line
    }
}

impl<W: Write> RowWriter for TableWriter<W> {
    fn begin(&mut self) -> io::Result<()> {
        Ok(())
    }

    fn row(&mut self, row: &Row<'_>) -> io::Result<()> {
        let utf8 = self.layout.utf8;
        let cells = (self.columns.iter())
            .map(|c| sanitize::cell(&c.text(row), utf8).into_owned())
            .collect();
        self.page.push(cells);
        Ok(())
    }

    fn end_page(&mut self) -> io::Result<()> {
        if self.page.is_empty() {
            return Ok(());
        }
        let first = self.plan.is_none();
        self.render_page(first && self.layout.header)?;
        self.out.flush()
    }

    fn finish(&mut self) -> io::Result<()> {
        if !self.page.is_empty() {
            self.end_page()?;
        }
        self.out.flush()
    }
}

#[cfg(test)]
mod tests;
