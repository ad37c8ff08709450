//! One range of a split export: a cursor chain started from a synthetic
//! boundary and read until it passes the next boundary (one page past it,
//! the overlap the next seam is checked against) or reaches the end.
//!
//! Its pages are kept in memory until the range is accepted or dropped.
//! The plan (issue 25, item 3) is to spool them to unlinked 0600 files
//! (`tempfile::tempfile_in`) paused at 256 MiB; until then a range holds
//! at most its share of the bulk, which bounds memory by the report's size,
//! not by a constant.

use std::sync::Arc;

use anyhow::Result;

use super::bounds;
use super::seam;
use crate::api::Api;
use crate::exit::{Class, Failure};
use crate::page::Row;
use crate::paginate::{Page, Paginator, Plan};
use crate::retry::Clock;

/// What a range read, not yet written.
pub struct Read {
    pub pages: Vec<Page>,
    /// The chain, to go on from after its last page if the range is
    /// accepted and the next one is not.
    pub chain: Paginator,
    /// Whether it reached the end of the bulk (no `lastId` in answer to a
    /// cursor the server issued).
    pub ended: bool,
}

/// Read the range after `start` until a row after `upper` (or the end of
/// the bulk when there is no upper boundary). Every page passed the page
/// checks against the cursor sent; a page whose `lastId` is not its last
/// row's id, or a row id that is not a UUIDv7, fails the range.
pub async fn read(
    api: Arc<Api>,
    plan: Plan,
    clock: Clock,
    start: u128,
    upper: Option<u128>,
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
    let mut pages = Vec::new();
    loop {
        let Some(page) = chain.next_page().await? else {
            return Ok(Read {
                pages,
                chain,
                ended: true,
            });
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
        let at_end = page.next.is_none();
        pages.push(page);
        if at_end {
            match last {
                // A missing lastId ends a range only in answer to a cursor
                // the server issued (item 4): ask again after the last row.
                Some((text, _)) if from_synthetic => {
                    // Not the end, as far as the writer is told either.
                    if let Some(page) = pages.last_mut() {
                        page.next = Some(text.clone());
                    }
                    chain = Paginator::new(
                        api.clone(),
                        Plan {
                            start: Some(text),
                            ..plan.clone()
                        },
                        clock.clone(),
                    );
                }
                _ => {
                    return Ok(Read {
                        pages,
                        chain,
                        ended: true,
                    })
                }
            }
        }
        if passed {
            return Ok(Read {
                pages,
                chain,
                ended: false,
            });
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
