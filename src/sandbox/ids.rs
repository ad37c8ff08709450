//! When the rows of a configured bulk were written: the [`IdLayout`] that
//! places row `i`'s UUIDv7 timestamp inside the bulk's `createdOn`..`updatedOn`
//! window, and that window (whole seconds, as the status routes show it).
//!
//! A layout is a few segments (the whole bulk, ten bursts, a dense head and a
//! sparse tail), each spreading a run of consecutive rows evenly over a run
//! of milliseconds that no other segment uses, so the row at an index is
//! found in O(1) and ids grow with the index. Rows that share a millisecond
//! are ordered by a counter in the 12-bit `rand_a` field (RFC 9562, method 1);
//! a row alone in its millisecond keeps a random `rand_a`, which is how the
//! default (`uniform`, one row a millisecond) keeps its historical ids.

/// Millisecond timestamp of row index 0: 2024-06-01T00:00:00Z.
pub(crate) const BASE_MS: u64 = 1_717_200_000_000;

/// How row ids are spread over the bulk's window.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum IdLayout {
    /// One row a millisecond from `createdOn`: evenly over a window of as
    /// many milliseconds as rows (rounded up to a whole second).
    #[default]
    Uniform,
    /// Ten bursts of a tenth of the rows each, several rows a millisecond,
    /// [`BURST_GAP_MIN_MS`] or more apart.
    Bursty,
    /// 90% of the rows (rounded up) in the first 5% of the window, several a
    /// millisecond; the rest one a millisecond or sparser after them.
    Skewed,
}

/// Rows a millisecond inside a burst.
const BURST_DENSITY: u64 = 8;
/// Bursts start at least this far apart (a whole number of minutes).
pub(crate) const BURST_GAP_MIN_MS: u64 = 3 * 60_000;
/// Rows a millisecond in the dense head of `skewed`.
const SKEW_DENSITY: u64 = 16;

/// `createdOn` of the first (main) bulk: the base time, its first row's.
const MAIN_CREATED_S: u64 = BASE_MS / 1000;
/// `createdOn` of the second bulk, after the base time; each following
/// bulk (in config order) was created [`CREATED_STEP_S`] later.
const SECOND_CREATED_S: u64 = BASE_MS / 1000 + 10 * 3600;
const CREATED_STEP_S: u64 = 3600;

/// Unix seconds of the `createdOn` of the `index`-th configured bulk.
pub(crate) fn created_secs(index: usize) -> u64 {
    match index {
        0 => MAIN_CREATED_S,
        _ => {
            let step = u64::try_from(index - 1)
                .unwrap_or(u64::MAX)
                .saturating_mul(CREATED_STEP_S);
            SECOND_CREATED_S.saturating_add(step)
        }
    }
}

/// A run of rows spread evenly over a run of milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Segment {
    /// Index of its first row.
    first: u64,
    /// Number of its rows.
    count: u64,
    /// Its first millisecond, after the window's start.
    at_ms: u64,
    /// Number of its milliseconds (at least 1).
    span_ms: u64,
}

/// The timestamps of one bulk's rows: where each row falls in the window.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Stamps {
    layout: IdLayout,
    /// Unix milliseconds of the window's start (a whole second).
    start_ms: u64,
    rows: u64,
}

impl Stamps {
    /// The rows of a bulk of `rows` rows laid out by `layout` from `start_ms`.
    pub(crate) fn new(layout: IdLayout, start_ms: u64, rows: u64) -> Self {
        Stamps {
            layout,
            start_ms,
            rows,
        }
    }

    /// The stamps of the `index`-th configured bulk, of `rows` rows.
    pub(crate) fn configured(layout: IdLayout, index: usize, rows: u64) -> Self {
        Stamps::new(layout, created_secs(index).saturating_mul(1000), rows)
    }

    /// The historical ids: one a millisecond from the base time, whatever
    /// the row count (submitted bulks).
    pub(crate) fn historical() -> Self {
        Stamps::new(IdLayout::Uniform, BASE_MS, u64::MAX)
    }

    /// The window, `(createdOn, updatedOn)` in unix seconds: from the start
    /// to the end of the last segment rounded up to a second, at least a
    /// second long. Every row's timestamp is inside it.
    pub(crate) fn window(&self) -> (u64, u64) {
        let created = self.start_ms / 1000;
        let span_s = self.span_ms().div_ceil(1000).max(1);
        (created, created.saturating_add(span_s))
    }

    /// Milliseconds from the start to the end of the last segment.
    fn span_ms(&self) -> u64 {
        match self.layout {
            IdLayout::Uniform => self.rows,
            IdLayout::Bursty => {
                let (span, gap) = self.burst();
                9 * gap + span
            }
            IdLayout::Skewed => 20 * self.skew_head().1,
        }
    }

    /// `(span, gap)` of every burst, in milliseconds.
    fn burst(&self) -> (u64, u64) {
        let span = self.rows.div_ceil(10).div_ceil(BURST_DENSITY).max(1);
        let gap = BURST_GAP_MIN_MS.max((span / 60_000 + 2) * 60_000);
        (span, gap)
    }

    /// `(rows, span)` of the dense head of `skewed`: 90% of the rows over a
    /// multiple of 50 ms, so that 20 heads make whole seconds.
    fn skew_head(&self) -> (u64, u64) {
        let head = u64::try_from((u128::from(self.rows) * 9).div_ceil(10)).unwrap_or(u64::MAX);
        let span = head.div_ceil(SKEW_DENSITY * 50).max(1) * 50;
        (head, span)
    }

    /// The segment that holds row `index`.
    fn segment(&self, index: u64) -> Segment {
        match self.layout {
            IdLayout::Uniform => Segment {
                first: 0,
                count: self.rows,
                at_ms: 0,
                span_ms: self.rows.max(1),
            },
            IdLayout::Bursty => {
                let (span, gap) = self.burst();
                let first = |b: u64| mul_div(b, self.rows, 10);
                let mut b = mul_div(index, 10, self.rows.max(1)).min(9);
                while b < 9 && first(b + 1) <= index {
                    b += 1;
                }
                while b > 0 && first(b) > index {
                    b -= 1;
                }
                Segment {
                    first: first(b),
                    count: first(b + 1) - first(b),
                    at_ms: b * gap,
                    span_ms: span,
                }
            }
            IdLayout::Skewed => {
                let (head, span) = self.skew_head();
                if index < head {
                    Segment {
                        first: 0,
                        count: head,
                        at_ms: 0,
                        span_ms: span,
                    }
                } else {
                    Segment {
                        first: head,
                        count: self.rows - head,
                        at_ms: span,
                        span_ms: 19 * span,
                    }
                }
            }
        }
    }

    /// Row `index`'s unix millisecond and, when its segment puts several rows
    /// in a millisecond, its rank among them (the `rand_a` counter).
    pub(crate) fn at(&self, index: u64) -> (u64, Option<u64>) {
        if self.layout == IdLayout::Uniform {
            // One row a millisecond: the historical ids, for any row count.
            return (self.start_ms.wrapping_add(index), None);
        }
        let seg = self.segment(index);
        let k = index - seg.first;
        let ms = mul_div(k, seg.span_ms, seg.count);
        let counter = (seg.count > seg.span_ms).then(|| {
            let first_in_ms = u64::try_from(
                (u128::from(ms) * u128::from(seg.count)).div_ceil(u128::from(seg.span_ms)),
            )
            .unwrap_or(u64::MAX);
            k - first_in_ms
        });
        (self.start_ms + seg.at_ms + ms, counter)
    }
}

/// `a * b / c` rounded down, without overflow (`c` > 0).
fn mul_div(a: u64, b: u64, c: u64) -> u64 {
    u64::try_from(u128::from(a) * u128::from(b) / u128::from(c.max(1))).unwrap_or(u64::MAX)
}
