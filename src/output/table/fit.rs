//! Which columns a table shows and how wide each is, decided once from the
//! first page: a pure function of the columns' natural widths, the ways
//! the view may give way, and the terminal's width.

/// Spaces between columns.
pub const GAP: usize = 2;
/// Text columns give way down to this many columns (or their natural
/// width, if smaller) before a column is left out.
pub const MIN_TEXT: usize = 10;
/// With `--wide`, text wraps only inside a column at least this wide (or
/// its natural width, if smaller); where that cannot fit, the line runs
/// past the terminal.
pub const MIN_WRAP: usize = 20;

/// A column as the first page shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Measure {
    /// Widest cell (and header) of the first page.
    pub natural: usize,
    /// An identifier: never cut or wrapped, so never narrower than `natural`.
    pub ident: bool,
    /// Text narrower than this is not worth showing (its header, say).
    pub least: usize,
    /// The width this column should keep for a set of columns to be
    /// preferred ([`Ways::prefer`]); at least `least`.
    pub want: usize,
}

impl Measure {
    /// An identifier column.
    pub fn ident(natural: usize) -> Measure {
        Measure {
            natural,
            ident: true,
            least: natural,
            want: natural,
        }
    }

    /// A text column that may give way down to [`MIN_TEXT`] columns, or to
    /// `least` if that is more.
    pub fn text(natural: usize, least: usize) -> Measure {
        let least = natural.min(least.max(MIN_TEXT));
        Measure {
            natural,
            ident: false,
            least,
            want: least,
        }
    }

    /// This column wants `want` columns (or its natural width, if smaller)
    /// before the view settles for less.
    pub fn wanting(self, want: usize) -> Measure {
        Measure {
            want: self.natural.min(want).max(self.least),
            ..self
        }
    }

    /// With `--wide`: text wraps, but only inside [`MIN_WRAP`] columns.
    fn wrapping(self) -> Measure {
        if self.ident {
            return self;
        }
        let least = self.natural.min(self.least.max(MIN_WRAP));
        Measure {
            least,
            want: least,
            ..self
        }
    }

    /// The width this column keeps when preferred: `want` as its least.
    fn preferred(self) -> Measure {
        Measure {
            least: self.want,
            ..self
        }
    }
}

/// How a view gives way on a narrow terminal: sets of columns (indices)
/// to leave out, each tried in turn.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ways {
    /// The first set whose line fits with every column at the width it
    /// wants ([`Measure::want`]) is taken;
    pub prefer: Vec<Vec<usize>>,
    /// else the first of these whose line fits with text down to its
    /// least; else the last set of all, whose line runs past the terminal.
    pub settle: Vec<Vec<usize>>,
}

impl Ways {
    /// Leave out nothing, whatever the width.
    pub fn none() -> Ways {
        Ways::default()
    }

    /// Leave out the columns of `order` one by one until the line fits.
    pub fn in_order(order: &[usize]) -> Ways {
        Ways {
            prefer: (0..=order.len()).map(|n| order[..n].to_vec()).collect(),
            settle: Vec::new(),
        }
    }
}

/// The decision: the columns shown (indices, in order) and their widths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub shown: Vec<usize>,
    pub widths: Vec<usize>,
    /// Columns left out to fit, in table order.
    pub dropped: Vec<usize>,
}

/// Fit `columns` into `limit` display columns.
///
/// Without a limit every column keeps its natural width. With one, text
/// columns give way first, widest first, and the sets of columns of `ways`
/// are left out in turn until the line fits (see [`Ways`]); with `wide`
/// nothing is left out and text gives way only down to [`MIN_WRAP`]
/// columns (its lines may run past the limit instead). The last column,
/// if it is text, then takes whatever the line has left, for longer text
/// on later pages.
pub fn plan(columns: &[Measure], ways: &Ways, limit: Option<usize>, wide: bool) -> Plan {
    let Some(limit) = limit else {
        return Plan {
            shown: (0..columns.len()).collect(),
            widths: columns.iter().map(|c| c.natural).collect(),
            dropped: Vec::new(),
        };
    };
    if wide {
        let wrapping: Vec<Measure> = columns.iter().map(|c| c.wrapping()).collect();
        return layout(&wrapping, &[], limit);
    }
    // Sets that leave every column out are no choice.
    let possible = |set: &&Vec<usize>| (0..columns.len()).any(|i| !set.contains(&i));
    let preferred: Vec<Measure> = columns.iter().map(|c| c.preferred()).collect();
    let tries = (ways
        .prefer
        .iter()
        .filter(possible)
        .map(|set| (&preferred[..], set)))
    .chain(
        ways.settle
            .iter()
            .filter(possible)
            .map(|set| (columns, set)),
    );
    let mut last = None;
    for (measures, set) in tries {
        if line_width(&shrink(&shown(measures, set), limit)) <= limit {
            return layout(measures, set, limit);
        }
        last = Some(set);
    }
    layout(columns, last.map_or(&[][..], Vec::as_slice), limit)
}

/// The columns not in `left_out`.
fn shown(columns: &[Measure], left_out: &[usize]) -> Vec<Measure> {
    (columns.iter().enumerate())
        .filter(|(i, _)| !left_out.contains(i))
        .map(|(_, c)| *c)
        .collect()
}

/// The plan leaving out `left_out`: text given way as far as it must, the
/// last text column stretched to `limit`.
fn layout(columns: &[Measure], left_out: &[usize], limit: usize) -> Plan {
    let shown_at: Vec<usize> = (0..columns.len())
        .filter(|i| !left_out.contains(i))
        .collect();
    let mut dropped = left_out.to_vec();
    dropped.sort_unstable();
    let kept = shown(columns, left_out);
    let mut widths = shrink(&kept, limit);
    if let (Some(last), Some(rest)) = (kept.last(), widths.len().checked_sub(1)) {
        if !last.ident {
            let before = line_width(&widths[..rest]) + GAP * usize::from(rest > 0);
            widths[rest] = widths[rest].max(limit.saturating_sub(before));
        }
    }
    Plan {
        shown: shown_at,
        widths,
        dropped,
    }
}
/// A line's width with these column widths.
pub fn line_width(widths: &[usize]) -> usize {
    widths.iter().sum::<usize>() + GAP * widths.len().saturating_sub(1)
}

/// Lower a common cap on the text columns until the line fits in `limit`;
/// no column goes below its least, identifiers keep their width.
fn shrink(columns: &[Measure], limit: usize) -> Vec<usize> {
    let capped = |cap: usize| -> Vec<usize> {
        columns
            .iter()
            .map(|c| c.natural.min(cap).max(c.least))
            .collect()
    };
    let widest = columns.iter().map(|c| c.natural).max().unwrap_or(0);
    if line_width(&capped(widest)) <= limit {
        return capped(widest);
    }
    // The largest cap that fits, found by bisection.
    let (mut lo, mut hi) = (0, widest);
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        if line_width(&capped(mid)) <= limit {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    capped(lo)
}

#[cfg(test)]
mod tests;
