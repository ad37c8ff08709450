//! One range of a split export: a cursor chain started from a synthetic
//! boundary and read until it passes the next boundary (one page past it,
//! the overlap the next seam is checked against) or reaches the end.
//!
//! A range keeps in memory its first rows (enough for its seam: one more
//! than a page) and its last page (what it read past the next boundary);
//! the pages between go to its spool (`spool.rs`), and it pauses when the
//! spool reaches [`spool::PAUSE_AT`]: the chain then goes on sequentially
//! once the range is taken over. The spool is written from this task with
//! blocking writes, which a page cache absorbs; a slow disk would slow the
//! range, never change what is written.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Result;

use super::bounds;
use super::seam;
use super::spool::{self, Spool};
use crate::api::Api;
use crate::exit::{Class, Failure};
use crate::page::Row;
use crate::paginate::{Page, Paginator, Plan};
use crate::retry::Clock;

/// What a range read, not yet written.
pub struct Read {
    /// Its first pages, up to one row more than a page.
    pub head: Vec<Page>,
    /// The pages after those but the last.
    pub spool: Option<Spool>,
    /// The last page read, when the head did not hold it.
    pub tail: Option<Page>,
    /// The chain, to go on from after its last page if the range is
    /// accepted and the next one is not.
    pub chain: Paginator,
    /// Whether it reached the end of the bulk (no `lastId` in answer to a
    /// cursor the server issued).
    pub ended: bool,
}

impl Read {
    /// Whether it read any row.
    pub fn has_rows(&self) -> bool {
        self.head.iter().any(|p| p.row_count() > 0)
    }
}

/// Where a range's pages go as they come.
struct Kept {
    head: Vec<Page>,
    head_rows: usize,
    /// Rows the head holds before later pages go past it.
    want: usize,
    spool: Option<Spool>,
    tail: Option<Page>,
    dir: Option<PathBuf>,
}

impl Kept {
    fn push(&mut self, page: Page) -> Result<()> {
        if self.head_rows < self.want && self.tail.is_none() {
            self.head_rows += page.row_count();
            self.head.push(page);
            return Ok(());
        }
        if let Some(older) = self.tail.replace(page) {
            let spool = match &mut self.spool {
                Some(spool) => spool,
                None => self.spool.insert(Spool::new(self.dir.as_deref())?),
            };
            spool.push(&older)?;
        }
        Ok(())
    }

    fn paused(&self) -> bool {
        (self.spool.as_ref()).is_some_and(|s| s.bytes >= spool::PAUSE_AT)
    }

    fn read(self, chain: Paginator, ended: bool) -> Read {
        Read {
            head: self.head,
            spool: self.spool,
            tail: self.tail,
            chain,
            ended,
        }
    }
}

/// Read the range after `start` until a row after `upper` (or the end of
/// the bulk when there is no upper boundary), spooling in `dir`. Every page
/// passed the page checks against the cursor sent; a page whose `lastId`
/// is not its last row's id, or a row id that is not a UUIDv7, fails the
/// range.
pub async fn read(
    api: Arc<Api>,
    plan: Plan,
    clock: Clock,
    start: u128,
    upper: Option<u128>,
    dir: Option<PathBuf>,
) -> Result<Read> {
    let synthetic = bounds::format(start);
    let mut chain = Paginator::new(
        api.clone(),
        Plan {
            start: Some(synthetic.clone()),
            ..plan.clone()
        },
        clock.clone(),
    );
    let mut kept = Kept {
        head: Vec::new(),
        head_rows: 0,
        want: usize::try_from(plan.page_size)
            .unwrap_or(usize::MAX)
            .saturating_add(1),
        spool: None,
        tail: None,
        dir,
    };
    loop {
        let Some(mut page) = chain.next_page().await? else {
            return Ok(kept.read(chain, true));
        };
        let last = last_id(&page)?;
        if let (Some(next), Some((text, _))) = (&page.next, &last) {
            if next != text {
                return Err(refused(format!(
                    "page after {synthetic} names lastId {next}, not its last row's id {text}"
                )));
            }
        }
        let from_synthetic = page.sent.as_deref() == Some(synthetic.as_str());
        let passed = matches!((&last, upper), (Some((_, id)), Some(upper)) if *id > upper);
        let mut ended = false;
        if page.next.is_none() {
            match last {
                // A missing lastId ends a range only in answer to a cursor
                // the server issued: ask again after the last row,
                // and tell the writer this page is not the last either.
                Some((text, _)) if from_synthetic => {
                    page.next = Some(text.clone());
                    chain = Paginator::new(
                        api.clone(),
                        Plan {
                            start: Some(text),
                            ..plan.clone()
                        },
                        clock.clone(),
                    );
                }
                _ => ended = true,
            }
        }
        kept.push(page)?;
        if ended || passed || kept.paused() {
            return Ok(kept.read(chain, ended));
        }
    }
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
    let text = Row::checked(raw)
        .id()
        .ok_or_else(|| refused("a row has no string id".into()))?;
    let id =
        bounds::parse(&text).ok_or_else(|| refused(format!("row id {text} is not a UUIDv7")))?;
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
