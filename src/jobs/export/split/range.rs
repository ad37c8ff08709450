//! One range of a split export: a cursor chain started from a synthetic
//! boundary and read until it passes the boundary above it (one page past
//! it, the overlap the next seam is checked against), reaches the end, or
//! is told to stop. The boundary above may come down while it reads, when
//! another reader takes the upper half of what is left (`board.rs`).
//!
//! Every page goes to the range's spool (`spool.rs`) as it comes, so a
//! range waiting to be written holds no page in memory; it pauses when the
//! spool reaches [`super::spool::PAUSE_AT`] (256 MiB), and the chain then goes on
//! sequentially once the range is taken over. The spool is written from
//! this task with blocking writes, which a page cache absorbs; a slow disk
//! would slow the range, never change what is written.

use anyhow::Result;

use super::board::{Board, Rate, Read};
use super::bounds;
use super::seam;
use super::spool::Spool;
use crate::exit::{Class, Failure};
use crate::page::Row;
use crate::paginate::{Page, Paginator, Plan};
use crate::retry::RetryPolicy;
use crate::ui;

/// Why a bulk cannot be split at all (rather than a server that misreads
/// a synthetic cursor): said in a note, and no more ranges start.
#[derive(Debug)]
pub struct Unsplittable(pub String);

impl std::fmt::Display for Unsplittable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "--split: {}", self.0)
    }
}

impl std::error::Error for Unsplittable {}

/// Read the range at boundary `from` on its own task, and tell the board
/// when it stops, however it stops.
pub async fn run(board: Board, from: u128) -> Result<Read> {
    let read = read(&board, from).await;
    if read.is_err() {
        board.read(from, None, true);
    }
    read
}

/// A paginator of `plan` from `start`. From a synthetic cursor a failure
/// is retried once: a server that answers such a cursor with a 5xx is
/// more likely refusing it than failing.
fn chain(board: &Board, start: String, synthetic: bool) -> Paginator {
    let given = board.start();
    let mut plan = Plan {
        start: Some(start),
        ..given.plan.clone()
    };
    if synthetic {
        plan.retry = RetryPolicy {
            retries: plan.retry.retries.min(1),
            ..plan.retry
        };
    }
    Paginator::new(given.api.clone(), plan, given.clock.clone())
}

async fn read(board: &Board, from: u128) -> Result<Read> {
    let synthetic = bounds::format(from);
    let failed_only = board.start().plan.failed_only;
    let mut pager = chain(board, synthetic.clone(), true);
    let mut spool: Option<Spool> = None;
    let mut rows = 0u64;
    loop {
        let next = pager.next_page().await?;
        let Some(mut page) = next else {
            board.read(from, None, true);
            return Ok(Read {
                spool,
                rows,
                chain: pager,
                ended: true,
            });
        };
        if failed_only {
            without_error(&page)?;
        }
        let last = last_id(&page)?;
        if let (Some(next), Some((text, _))) = (&page.next, &last) {
            if next != text {
                return Err(refused(format!(
                    "page after {synthetic} names lastId {next}, not its last row's id {text}"
                )));
            }
        }
        let from_synthetic = page.sent.as_deref() == Some(synthetic.as_str());
        let mut ended = false;
        if page.next.is_none() {
            match &last {
                // A missing lastId ends a range only in answer to a cursor
                // the server issued: ask again after the last row,
                // and tell the writer this page is not the last either.
                Some((text, _)) if from_synthetic => {
                    page.next = Some(text.clone());
                    pager = chain(board, text.clone(), false);
                }
                _ => ended = true,
            }
        } else if from_synthetic {
            // Go on from a cursor the server issued, with the export's
            // own retries.
            if let Some(next) = &page.next {
                pager = chain(board, next.clone(), false);
            }
        }
        rows += page.row_count() as u64;
        let kept = match &mut spool {
            Some(spool) => spool,
            None => spool.insert(Spool::new(board.start().spool_dir.as_deref())?),
        };
        kept.push(&page)?;
        let paused = kept.bytes >= board.start().pause_at;
        if paused {
            ui::verbose(format_args!(
                "--split: the range after {synthetic} paused with {} bytes spooled; the chain goes on from it sequentially",
                kept.bytes
            ));
        }
        if board.read(from, rate(&page), ended || paused) {
            return Ok(Read {
                spool,
                rows,
                chain: pager,
                ended,
            });
        }
    }
}

/// With `--failed-only`, every row is a failure: one without `error`
/// means the server does not filter what a synthetic cursor asks for.
pub fn without_error(page: &Page) -> Result<()> {
    for raw in page.raw_rows() {
        let row = Row::checked(raw);
        if row.get("error").is_none_or(|e| e.get() == "null") {
            let id = row.id().unwrap_or_default();
            return Err(Unsplittable(format!(
                "row {id} has no error, yet --failed-only asked for failures only; fetched sequentially"
            ))
            .into());
        }
    }
    Ok(())
}

/// How densely `page`'s ids come: its rows and the ids they span, when it
/// has rows with UUIDv7 ids.
pub fn rate(page: &Page) -> Option<Rate> {
    let id = |raw| row_id(raw).ok().map(|(_, id)| id);
    let first = id(page.raw_rows().next()?)?;
    let last = id(page.raw_rows().last()?)?;
    Some(Rate {
        rows: page.row_count() as u64,
        first,
        last,
    })
}

/// The last row's id of `page`, as sent and as a number; `None` for a page
/// with no rows.
pub fn last_id(page: &Page) -> Result<Option<(String, u128)>> {
    let Some(raw) = page.raw_rows().last() else {
        return Ok(None);
    };
    row_id(raw).map(Some)
}

/// A row's id, as sent and as a number, or why it cannot be split on.
pub fn row_id(raw: &[u8]) -> Result<(String, u128)> {
    let text = Row::checked(raw).id().ok_or_else(|| {
        Unsplittable("a row has no string id to split on; fetched sequentially".into())
    })?;
    let id = bounds::parse(&text).ok_or_else(|| {
        Unsplittable(format!(
            "row id {text} is not a UUIDv7, so ids cannot be split into ranges; fetched sequentially"
        ))
    })?;
    Ok((text, id))
}

/// The first `count` rows of `pages` as the seam check reads them.
pub fn seam_rows(pages: &[Page], count: usize) -> Result<Vec<seam::Row<'_>>> {
    pages
        .iter()
        .flat_map(Page::raw_rows)
        .take(count)
        .map(|raw| {
            Ok(seam::Row {
                id: row_id(raw)?.1,
                raw,
            })
        })
        .collect()
}

fn refused(why: String) -> anyhow::Error {
    Failure::new(Class::Protocol, format!("--split: {why}")).into()
}
