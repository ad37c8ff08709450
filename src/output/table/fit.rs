//! Which columns a table shows and how wide each is, decided once from the
//! first page: a pure function of the columns' natural widths and the
//! terminal's.

/// Spaces between columns.
pub const GAP: usize = 2;
/// Text columns give way down to this many columns (or their natural
/// width, if smaller) before a column is left out.
pub const MIN_TEXT: usize = 10;

/// A column as the first page shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Measure {
    /// Widest cell (and header) of the first page.
    pub natural: usize,
    /// An identifier: never cut or wrapped, so never narrower than `natural`.
    pub ident: bool,
    /// Text narrower than this is not worth showing (its header, say).
    pub least: usize,
}

impl Measure {
    /// An identifier column.
    pub fn ident(natural: usize) -> Measure {
        Measure {
            natural,
            ident: true,
            least: natural,
        }
    }

    /// A text column that may give way down to [`MIN_TEXT`] columns, or to
    /// `least` if that is more.
    pub fn text(natural: usize, least: usize) -> Measure {
        Measure {
            natural,
            ident: false,
            least: natural.min(least.max(MIN_TEXT)),
        }
    }
}

/// The decision: the columns shown (indices, in order) and their widths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub shown: Vec<usize>,
    pub widths: Vec<usize>,
    /// Columns left out to fit, in the order they were dropped.
    pub dropped: Vec<usize>,
}

/// Fit `columns` into `limit` display columns.
///
/// Without a limit every column keeps its natural width. With one, text
/// columns give way first, widest first, down to their least; if the line
/// is still too long, the columns of `drop_order` are left out one by one
/// (never with `wide`: its lines may run past the limit instead). What
/// still does not fit overflows. The last column, if it is text, then
/// takes whatever the line has left, for longer text on later pages.
pub fn plan(columns: &[Measure], drop_order: &[usize], limit: Option<usize>, wide: bool) -> Plan {
    let mut shown: Vec<usize> = (0..columns.len()).collect();
    let Some(limit) = limit else {
        let widths = columns.iter().map(|c| c.natural).collect();
        return Plan {
            shown,
            widths,
            dropped: Vec::new(),
        };
    };
    let mut dropped = Vec::new();
    let mut to_drop = drop_order.iter().copied().filter(|_| !wide);
    let mut widths = loop {
        let measures: Vec<Measure> = shown.iter().map(|&i| columns[i]).collect();
        let widths = shrink(&measures, limit);
        if line_width(&widths) <= limit {
            break widths;
        }
        match to_drop.next() {
            Some(column) if shown.len() > 1 => {
                shown.retain(|&i| i != column);
                dropped.push(column);
            }
            _ => break widths,
        }
    };
    if let (Some(&last), Some(rest)) = (shown.last(), widths.len().checked_sub(1)) {
        if !columns[last].ident {
            let before = line_width(&widths[..rest]) + GAP * usize::from(rest > 0);
            widths[rest] = widths[rest].max(limit.saturating_sub(before));
        }
    }
    Plan {
        shown,
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
mod tests {
    use super::*;

    fn id(natural: usize) -> Measure {
        Measure::ident(natural)
    }

    fn text(natural: usize) -> Measure {
        Measure::text(natural, 0)
    }

    /// ID TYPE USER ERROR as the demo's first page measures them.
    const RESULTS: [Measure; 4] = [
        Measure {
            natural: 36,
            ident: true,
            least: 36,
        },
        Measure {
            natural: 6,
            ident: false,
            least: 6,
        },
        Measure {
            natural: 24,
            ident: true,
            least: 24,
        },
        Measure {
            natural: 64,
            ident: false,
            least: 10,
        },
    ];
    const DROP: [usize; 3] = [1, 2, 3];

    #[test]
    fn without_a_limit_every_column_keeps_its_natural_width() {
        let p = plan(&RESULTS, &DROP, None, false);
        assert_eq!(p.shown, vec![0, 1, 2, 3]);
        assert_eq!(p.widths, vec![36, 6, 24, 64]);
        assert!(p.dropped.is_empty());
    }

    #[test]
    fn the_last_text_column_takes_the_rest_of_a_wide_terminal() {
        let p = plan(&RESULTS, &DROP, Some(200), false);
        assert_eq!(p.widths, vec![36, 6, 24, 200 - 36 - 6 - 24 - 6]);
        assert_eq!(line_width(&p.widths), 200);
    }

    #[test]
    fn error_gives_way_down_to_ten_then_type_then_user_are_dropped() {
        // 120: everything fits once ERROR gives way.
        let p = plan(&RESULTS, &DROP, Some(120), false);
        assert_eq!(
            (p.shown.clone(), p.widths.clone()),
            (vec![0, 1, 2, 3], vec![36, 6, 24, 48])
        );
        // 80: ERROR would get 8: TYPE goes, and ERROR gets 16.
        let p = plan(&RESULTS, &DROP, Some(80), false);
        assert_eq!(
            (p.shown, p.widths, p.dropped),
            (vec![0, 2, 3], vec![36, 24, 16], vec![1])
        );
        // 60: then USER.
        let p = plan(&RESULTS, &DROP, Some(60), false);
        assert_eq!(
            (p.shown, p.widths, p.dropped),
            (vec![0, 3], vec![36, 22], vec![1, 2])
        );
        // 40: ERROR cannot have 10 either; ID is never dropped.
        let p = plan(&RESULTS, &DROP, Some(40), false);
        assert_eq!(
            (p.shown, p.widths, p.dropped),
            (vec![0], vec![36], vec![1, 2, 3])
        );
        // 20: narrower than an id: it overflows.
        let p = plan(&RESULTS, &DROP, Some(20), false);
        assert_eq!((p.shown, p.widths), (vec![0], vec![36]));
    }

    #[test]
    fn wide_drops_nothing_and_may_overflow() {
        let p = plan(&RESULTS, &DROP, Some(60), true);
        assert_eq!(p.shown, vec![0, 1, 2, 3]);
        assert!(p.dropped.is_empty());
        assert_eq!(p.widths, vec![36, 6, 24, 10]);
    }

    #[test]
    fn text_columns_give_way_widest_first_identifiers_never() {
        // bulkId, status, createdOn, updatedOn at 80.
        let p = plan(
            &[id(36), text(10), text(24), text(24)],
            &[],
            Some(80),
            false,
        );
        assert_eq!(p.widths, vec![36, 10, 14, 14]);
        // Too narrow even at the floor: the line overflows, nothing dropped.
        let p = plan(&[id(36), text(30), id(24), text(30)], &[], Some(60), false);
        assert_eq!(p.widths, vec![36, 10, 24, 10]);
        assert!(line_width(&p.widths) > 60);
        // A text column keeps its least (a header, say) whole.
        let p = plan(
            &[id(36), Measure::text(18, 18), text(40)],
            &[],
            Some(60),
            false,
        );
        assert_eq!(p.widths, vec![36, 18, 10]);
        // A last identifier column is not stretched.
        let p = plan(&[text(5), id(8)], &[], Some(100), false);
        assert_eq!(p.widths, vec![5, 8]);
    }
}
