//! An aligned table for people at a terminal.
//!
//! Rows are rendered a page at a time so memory stays at one page. Column
//! widths are fixed from the first page (fitted to the terminal width) and
//! reused for every later page, so the pages line up as one table; a longer
//! cell later on wraps inside its column. Cells are cleaned of control and
//! bidi characters first.

use std::io::{self, Write};

use comfy_table::{Attribute, Cell, ColumnConstraint, ContentArrangement, Table, Width};
use unicode_width::UnicodeWidthStr;

use super::{Layout, Row, RowWriter};
use crate::sanitize;

/// Border style: no borders, a line under the header.
const STYLE: &str = "     ─             ";
/// Spaces between columns.
const GAP: usize = 2;
/// A column is never squeezed below this many characters.
const MIN_COLUMN: usize = 8;
/// Prose columns give way first, down to this width.
const PROSE_FLOOR: usize = 20;

pub struct TableWriter<W: Write> {
    out: W,
    layout: Layout,
    page: Vec<Vec<String>>,
    widths: Option<Vec<usize>>,
}

impl<W: Write> TableWriter<W> {
    pub fn new(out: W, layout: Layout) -> Self {
        TableWriter {
            out,
            layout,
            page: Vec::new(),
            widths: None,
        }
    }

    fn render_page(&mut self, with_header: bool) -> io::Result<()> {
        let widths = self.widths.get_or_insert_with(|| {
            let natural = natural_widths(&self.layout, &self.page);
            let prose: Vec<bool> = (0..natural.len())
                .map(|i| self.page.iter().any(|r| r[i].contains(' ')))
                .collect();
            let mut widths = fit_widths(&natural, &prose, self.layout.width);
            // Later pages may hold longer text: let the last column use the
            // rest of the terminal rather than wrap early.
            if let (Some(limit), Some(last)) = (self.layout.width, widths.len().checked_sub(1)) {
                let used = widths.iter().sum::<usize>() + GAP * last;
                widths[last] += limit.saturating_sub(used);
            }
            widths
        });
        let mut table = Table::new();
        table
            .load_preset(STYLE)
            .set_content_arrangement(ContentArrangement::Disabled);
        if self.layout.color {
            table.enforce_styling();
        } else {
            table.force_no_tty();
        }
        if with_header {
            let bold = self.layout.color;
            table.set_header(self.layout.columns.iter().map(|name| {
                let cell = Cell::new(name);
                if bold {
                    cell.add_attribute(Attribute::Bold)
                } else {
                    cell
                }
            }));
        }
        for row in self.page.drain(..) {
            table.add_row(row);
        }
        let last = widths.len().saturating_sub(1);
        for (i, width) in widths.iter().enumerate() {
            if let Some(column) = table.column_mut(i) {
                let pad = if i == last { 0 } else { GAP as u16 };
                column.set_padding((0, pad));
                column.set_constraint(ColumnConstraint::Absolute(Width::Fixed(
                    (*width as u16).saturating_add(pad),
                )));
            }
        }
        for line in table.lines() {
            self.out.write_all(line.trim_end().as_bytes())?;
            self.out.write_all(b"\n")?;
        }
        Ok(())
    }
}

/// Widest cell of each column (header included) on the first page.
fn natural_widths(layout: &Layout, rows: &[Vec<String>]) -> Vec<usize> {
    layout
        .columns
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let header = if layout.header { name.width() } else { 1 };
            rows.iter()
                .map(|r| r[i].width())
                .fold(header, usize::max)
                .max(1)
        })
        .collect()
}

/// Fit the table into `limit` characters. Columns of prose (cells with
/// spaces, which wrap at words) give way first, down to `PROSE_FLOOR`; only
/// then are all columns shrunk, widest first.
fn fit_widths(natural: &[usize], prose: &[bool], limit: Option<usize>) -> Vec<usize> {
    let Some(limit) = limit else {
        return natural.to_vec();
    };
    let budget = limit.saturating_sub(GAP * natural.len().saturating_sub(1));
    let widths = cap_widest(natural, |i| prose[i], PROSE_FLOOR, budget);
    cap_widest(&widths, |_| true, MIN_COLUMN, budget)
}

/// Lower a common cap on the chosen columns until the widths sum to at most
/// `budget`; the cap never goes below `floor`.
fn cap_widest(
    widths: &[usize],
    chosen: impl Fn(usize) -> bool,
    floor: usize,
    budget: usize,
) -> Vec<usize> {
    let total = |cap: usize| -> usize {
        widths
            .iter()
            .enumerate()
            .map(|(i, w)| if chosen(i) { (*w).min(cap) } else { *w })
            .sum()
    };
    if total(usize::MAX) <= budget {
        return widths.to_vec();
    }
    // The largest cap that fits, found by bisection.
    let (mut lo, mut hi) = (
        floor,
        widths.iter().copied().max().unwrap_or(floor).max(floor),
    );
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if total(mid) <= budget {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    widths
        .iter()
        .enumerate()
        .map(|(i, w)| if chosen(i) { (*w).min(lo) } else { *w })
        .collect()
}

impl<W: Write> RowWriter for TableWriter<W> {
    fn begin(&mut self) -> io::Result<()> {
        Ok(())
    }

    fn row(&mut self, row: &Row<'_>) -> io::Result<()> {
        let cells = self
            .layout
            .columns
            .iter()
            .map(|c| sanitize::cell(&row.cell(c)).into_owned())
            .collect();
        self.page.push(cells);
        Ok(())
    }

    fn end_page(&mut self) -> io::Result<()> {
        if self.page.is_empty() {
            return Ok(());
        }
        let first = self.widths.is_none();
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
mod tests {
    use super::*;
    use crate::output::test_support::{layout, render};
    use crate::output::Format;

    #[test]
    fn pages_line_up_under_one_header() {
        let out = render(
            Format::Table,
            layout(&["id", "error"], true),
            &[
                &[r#"{"id":"1","error":"short"}"#],
                &[r#"{"id":"22","error":"x"}"#],
            ],
        );
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines.len(), 4, "{out}");
        assert!(lines[0].starts_with("id") && lines[0].contains("error"));
        assert!(lines[1].contains('─'));
        let col = lines[0].find("error").unwrap();
        assert_eq!(lines[2].find("short"), Some(col), "{out}");
        assert_eq!(lines[3].find('x'), Some(col), "{out}");
    }

    #[test]
    fn control_characters_are_cleaned_and_newlines_flattened() {
        let out = render(
            Format::Table,
            layout(&["error"], false),
            &[&[r#"{"error":"a\u001b[2Jb\nc"}"#]],
        );
        assert!(!out.contains('\u{1b}'), "{out:?}");
        assert!(out.contains("a\\u{1b}[2Jb c"), "{out:?}");
    }

    #[test]
    fn color_makes_the_header_bold_and_only_then() {
        let row: &[&str] = &[r#"{"id":"1"}"#];
        let mut l = layout(&["id"], true);
        assert!(!render(Format::Table, l.clone(), &[row]).contains('\u{1b}'));
        l.color = true;
        let out = render(Format::Table, l, &[row]);
        assert!(out.starts_with("\u{1b}[1mid"), "{out:?}");
    }

    #[test]
    fn widths_fit_the_terminal_by_shrinking_the_widest() {
        let no_prose = [false; 3];
        assert_eq!(
            fit_widths(&[36, 9, 120], &no_prose, Some(80)),
            vec![33, 9, 33]
        );
        assert_eq!(fit_widths(&[10, 10], &no_prose, Some(100)), vec![10, 10]);
        assert_eq!(fit_widths(&[50, 50], &no_prose, None), vec![50, 50]);
        // Never below the minimum, even if that overflows.
        assert_eq!(
            fit_widths(&[30, 30, 30], &no_prose, Some(10)),
            vec![8, 8, 8]
        );
    }

    #[test]
    fn prose_columns_give_way_before_ids() {
        // id, type, error (prose): the error column shrinks, the id stays whole.
        assert_eq!(
            fit_widths(&[36, 9, 64], &[false, false, true], Some(90)),
            vec![36, 9, 41]
        );
        // Below the prose floor everything shrinks together.
        assert_eq!(
            fit_widths(&[36, 9, 64], &[false, false, true], Some(50)),
            vec![18, 9, 18]
        );
    }

    #[test]
    fn long_cells_wrap_inside_their_column() {
        let mut l = layout(&["id", "error"], false);
        l.width = Some(30);
        let long = "word ".repeat(20);
        let row = format!(r#"{{"id":"1","error":"{long}"}}"#);
        let out = render(Format::Table, l, &[&[row.as_str()]]);
        assert!(out.lines().count() > 1);
        assert!(out.lines().all(|line| line.width() <= 30), "{out}");
    }
}
