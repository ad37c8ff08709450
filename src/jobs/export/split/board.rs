//! What the readers of a split export share: where each range starts and
//! how far it has read, so that a reader that stops can take the upper
//! half of what is left of the largest (work stealing).
//!
//! A range owns the ids after its key up to the next key (the last range,
//! to the end of the bulk), so a range's upper boundary is never stored:
//! splitting a range is inserting a key. A reader records each page under
//! the lock and decides there whether it has passed its upper boundary;
//! a key is inserted only above the last row its range has recorded, so
//! the one page that crosses a new boundary holds every row its range read
//! past it, which the seam check compares. The chain being written (range
//! 0, or whatever the coordinator continues) takes part the same way
//! while it reads toward the next boundary.

use std::collections::BTreeMap;
use std::ops::Bound::{Excluded, Unbounded};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use anyhow::Result;
use tokio::task::JoinHandle;

use super::bounds;
use super::spool::Spool;
use crate::api::Api;
use crate::paginate::{Paginator, Plan};
use crate::retry::Clock;
use crate::ui;

/// How a range is started: what every reader needs.
pub struct Start {
    pub api: Arc<Api>,
    /// The export's plan, with no request sent ahead and no row limit.
    pub plan: Plan,
    pub clock: Clock,
    pub spool_dir: Option<PathBuf>,
    /// A range pauses once its spool holds this many bytes.
    pub pause_at: u64,
    /// Reads the range at a boundary on a task of its own.
    pub reader: fn(Board, u128) -> JoinHandle<Result<Read>>,
}

/// What a range read, not yet written.
pub struct Read {
    /// Its pages, in order.
    pub spool: Option<Spool>,
    /// Rows read in all.
    pub rows: u64,
    /// The chain, to go on from after its last page if the range is
    /// accepted and the next one is not.
    pub chain: Paginator,
    /// Whether it reached the end of the bulk (no `lastId` in answer to a
    /// cursor the server issued).
    pub ended: bool,
}

/// The readers' shared state; cheap to clone.
#[derive(Clone)]
pub struct Board(Arc<Shared>);

struct Shared {
    state: Mutex<State>,
    start: Start,
}

struct State {
    /// Ranges started and not yet walked, by their lower boundary.
    ranges: BTreeMap<u128, Span>,
    /// The chain being written.
    chain: Chain,
    /// Whether new ranges may start (not after a seam failed, or once the
    /// export stops).
    open: bool,
    /// Where the last range's span is taken to end, to size it.
    end: u128,
    /// Ranges started in all.
    started: usize,
}

/// How far one reader has read.
#[derive(Default)]
struct Span {
    /// Where it started reading.
    from: u128,
    /// The last row it read.
    last: Option<u128>,
    /// Its last page with rows: how densely its ids come now.
    rate: Option<Rate>,
    reading: bool,
    task: Option<JoinHandle<Result<Read>>>,
}

/// A page's rows and the ids they span.
#[derive(Debug, Clone, Copy)]
pub struct Rate {
    pub rows: u64,
    pub first: u128,
    pub last: u128,
}

#[derive(Default)]
struct Chain {
    span: Span,
    /// The last boundary it walked (0 before the first).
    at: u128,
}

/// What the chain being written does next.
#[derive(Debug, PartialEq, Eq)]
pub enum Next {
    /// Read another page: it has not passed the next boundary.
    Read,
    /// It has passed boundary `b` (or reached the end): walk that seam.
    Seam(u128),
    /// No boundary is left: read to the end.
    Drain,
}

impl Board {
    /// A board for ranges read as `start` says, the last range's span
    /// taken to end at `end`.
    pub fn new(start: Start, end: u128) -> Board {
        Board(Arc::new(Shared {
            state: Mutex::new(State {
                ranges: BTreeMap::new(),
                chain: Chain::default(),
                open: true,
                end,
                started: 0,
            }),
            start,
        }))
    }

    pub fn start(&self) -> &Start {
        &self.0.start
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A reader that panicked held no invariant half-made: the state is
        // only ever changed whole under the lock.
        self.0.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The chain being written has read its first page, `first`.
    pub fn chain_began(&self, first: Rate) {
        let mut state = self.lock();
        state.chain.span = Span {
            from: first.first,
            last: Some(first.last),
            rate: Some(first),
            reading: true,
            task: None,
        };
    }

    /// Start a range at each boundary of `cuts`.
    pub fn cut(&self, cuts: &[u128]) {
        let mut state = self.lock();
        for &b in cuts {
            self.spawn(&mut state, b);
        }
    }

    fn spawn(&self, state: &mut State, from: u128) {
        let task = (self.0.start.reader)(self.clone(), from);
        state.started += 1;
        state.ranges.insert(
            from,
            Span {
                from,
                reading: true,
                task: Some(task),
                ..Span::default()
            },
        );
    }

    /// Ranges started in all.
    pub fn started(&self) -> usize {
        self.lock().started
    }

    /// Start no more ranges.
    pub fn close(&self) {
        self.lock().open = false;
    }

    /// The range at `from` read a page, `page` (none for a page with no
    /// rows). `true` when it is to stop: it passed its upper boundary, or
    /// `done` (it reached the end, paused, or failed). A reader that stops
    /// frees its slot for half of the largest range left.
    pub fn read(&self, from: u128, page: Option<Rate>, done: bool) -> bool {
        let mut state = self.lock();
        let upper = upper_of(&state.ranges, from);
        let Some(span) = state.ranges.get_mut(&from) else {
            return true;
        };
        let last = page.map(|p| p.last);
        span.last = last.or(span.last);
        span.rate = page.or(span.rate);
        let passed = matches!((last, upper), (Some(last), Some(upper)) if last > upper);
        if !(done || passed) {
            return false;
        }
        if span.reading {
            span.reading = false;
            self.steal(&mut state);
        }
        true
    }

    /// Where the chain being written stands: it walked boundary `at` last,
    /// its last page with rows is `page`, and `ended` says whether it
    /// reached the end of the bulk.
    pub fn chain(&self, at: u128, page: Option<Rate>, ended: bool) -> Next {
        let last = page.map(|p| p.last);
        let mut state = self.lock();
        state.chain.at = at;
        let Some(next) = upper_of(&state.ranges, at) else {
            state.chain.span.reading = false;
            return Next::Drain;
        };
        let span = &mut state.chain.span;
        span.last = last.or(span.last);
        span.rate = page.or(span.rate);
        if ended || last.is_some_and(|last| last > next) {
            if std::mem::take(&mut state.chain.span.reading) {
                self.steal(&mut state);
            }
            return Next::Seam(next);
        }
        span.reading = true;
        Next::Read
    }

    /// The task reading the range at `b`, once.
    pub fn take(&self, b: u128) -> Option<JoinHandle<Result<Read>>> {
        self.lock().ranges.get_mut(&b)?.task.take()
    }

    /// The seam at `b` is walked: forget its range.
    pub fn walked(&self, b: u128) {
        self.lock().ranges.remove(&b);
    }

    /// Start a range over the upper half of what is left of the range
    /// expected to hold the most rows still unread, if one holds enough to
    /// be worth it (four pages: each half then saves more requests than a
    /// seam costs).
    fn steal(&self, state: &mut State) {
        if !state.open {
            return;
        }
        let worth = 4 * u128::from(self.0.start.plan.page_size);
        let chain_upper = upper_of(&state.ranges, state.chain.at);
        let spans = (state.ranges.iter())
            .map(|(&from, span)| (span, upper_of(&state.ranges, from)))
            .chain(std::iter::once((&state.chain.span, chain_upper)));
        let best = spans
            .filter(|(span, _)| span.reading)
            .filter_map(|(span, upper)| {
                let last = span.last?;
                let upper = upper.unwrap_or(state.end);
                let left = unread(span, last, upper);
                (left >= worth).then_some((left, span.from, bounds::midpoint(last, upper)?))
            })
            .max_by_key(|&(left, ..)| left);
        if let Some((left, from, cut)) = best {
            ui::verbose(format_args!(
                "--split: the range from {} (about {left} rows left) split at {}",
                bounds::format(from),
                bounds::format(cut)
            ));
            self.spawn(state, cut);
        }
    }
}

/// The boundary above `from`: the next range's key.
fn upper_of(ranges: &BTreeMap<u128, Span>, from: u128) -> Option<u128> {
    ranges
        .range((Excluded(from), Unbounded))
        .next()
        .map(|(&k, _)| k)
}

/// The rows a span is expected to hold between its last row and `upper`,
/// at the rate (rows a millisecond) of its last page: ids that bunch in
/// time (bursts) make a rate over all it read say little of what comes
/// next, and a range reading a burst now is the one worth splitting.
fn unread(span: &Span, last: u128, upper: u128) -> u128 {
    let Some(rate) = span.rate else {
        return 0;
    };
    if upper <= last {
        return 0;
    }
    let read =
        u128::from(bounds::millis(rate.last).saturating_sub(bounds::millis(rate.first))).max(1);
    let left = u128::from(bounds::millis(upper).saturating_sub(bounds::millis(last)));
    left * u128::from(rate.rows) / read
}

/// Stops every range still reading when the export ends, by success or
/// not, and starts no more.
pub struct Stop(pub Board);

impl Drop for Stop {
    fn drop(&mut self) {
        let mut state = self.0.lock();
        state.open = false;
        for span in state.ranges.values() {
            if let Some(task) = &span.task {
                task.abort();
            }
        }
    }
}
