//! The chain being written in a split export (range 0's, then each range
//! it takes over) and where its pages go: the export's one writer,
//! through the same events, in the same order, as a single paginator's.

use std::io;

use anyhow::Result;
use tokio::sync::mpsc;

use super::board::{self, Board, Next};
use super::range;
use super::seam;
use super::spool;
use crate::paginate::{Event, Page, Paginator};

/// Where accepted pages go: the export's writer.
pub(super) struct Out {
    pub(super) events: mpsc::Sender<(usize, Event)>,
    pub(super) index: usize,
    /// Pages sent, to number them as one chain.
    pub(super) number: u64,
    /// Rows sent.
    pub(super) rows: u64,
    pub(super) max_rows: Option<u64>,
    /// The ranges' board, once they start: how many were used.
    pub(super) board: Option<Board>,
    /// Seams that fell back to reading sequentially.
    pub(super) fell_back: u64,
}

/// `--max-rows` rows are sent: the export of this bulk is done (every
/// range still reading stops).
#[derive(Debug)]
pub(super) struct Enough;

impl std::fmt::Display for Enough {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("--max-rows reached")
    }
}

impl std::error::Error for Enough {}

impl Out {
    pub(super) async fn send(&mut self, mut page: Page) -> Result<()> {
        self.number += 1;
        self.rows += page.row_count() as u64;
        page.number = self.number;
        (self.events.send((self.index, Event::Page(page))).await)
            .map_err(|_| anyhow::anyhow!("the writer stopped"))?;
        match self.max_rows {
            Some(max) if self.rows >= max => Err(Enough.into()),
            _ => Ok(()),
        }
    }
}

/// The chain being written: range 0's, or the last range it took over.
pub(super) struct Chain {
    pub(super) pager: Paginator,
    pub(super) ended: bool,
    /// The last row read (and so sent): its id as the server wrote it,
    /// and as a number.
    pub(super) last: Option<(String, u128)>,
    /// The last page with rows this chain read (sent or not), sharing its
    /// body: what it read past a boundary.
    pub(super) last_page: Option<Page>,
}

impl Chain {
    pub(super) fn new(pager: Paginator) -> Chain {
        Chain {
            pager,
            ended: false,
            last: None,
            last_page: None,
        }
    }

    /// The last row id of the first page, `None` when it has no rows;
    /// `Err` when the bulk cannot be split on its ids.
    pub(super) fn last_id(&self, failed_only: bool) -> Result<Option<u128>> {
        let Some(page) = &self.last_page else {
            return Ok(None);
        };
        if failed_only {
            range::without_error(page)?;
        }
        let rows = range::seam_rows(std::slice::from_ref(page), usize::MAX)?;
        Ok(rows.last().map(|row| row.id))
    }

    /// Fetch and send the next page, if any.
    pub(super) async fn step(&mut self, out: &mut Out) -> Result<()> {
        let next = self.pager.next_page().await?;
        match next {
            None => self.ended = true,
            Some(page) => {
                self.ended = page.next.is_none();
                self.read(&page);
                out.send(page).await?;
            }
        }
        Ok(())
    }

    /// Note a page read by this chain.
    pub(super) fn read(&mut self, page: &Page) {
        if let Some(raw) = page.raw_rows().last() {
            self.last = range::row_id(raw).ok();
            self.last_page = Some(Page {
                number: page.number,
                sent: None,
                next: None,
                body: page.body.clone(),
                rows: page.rows.clone(),
            });
        }
    }

    /// Read on until a row after the next boundary (`Some` of it; the
    /// boundary may come down while it reads), or to the end of the bulk
    /// when no boundary is left (`None`). `at`: the last boundary walked.
    pub(super) async fn pass(
        &mut self,
        board: &Board,
        at: u128,
        out: &mut Out,
    ) -> Result<Option<u128>> {
        loop {
            let page = self.last_page.as_ref().and_then(range::rate);
            match board.chain(at, page, self.ended) {
                Next::Seam(b) => return Ok(Some(b)),
                Next::Drain => return Ok(None),
                Next::Read => self.step(out).await?,
            }
        }
    }

    /// Read on to the end of the bulk as a sequential export does, no
    /// range having started: sending a request ahead if `ahead`.
    pub(super) async fn alone(&mut self, ahead: bool, out: &mut Out) -> Result<()> {
        self.pager.alone(ahead);
        self.drain(out).await
    }

    /// Read on to the end of the bulk.
    pub(super) async fn drain(&mut self, out: &mut Out) -> Result<()> {
        while !self.ended {
            self.step(out).await?;
        }
        Ok(())
    }

    /// The rows this chain read past `boundary` (it has passed it).
    pub(super) fn past(&self, boundary: u128) -> Result<Vec<seam::Row<'_>>> {
        let Some(page) = &self.last_page else {
            return Ok(Vec::new());
        };
        page.raw_rows()
            .map(|raw| {
                Ok(seam::Row {
                    id: range::row_id(raw)?.1,
                    raw,
                })
            })
            .filter(|row| row.as_ref().map_or(true, |row| row.id > boundary))
            .collect()
    }

    /// Take over `read`, the range after `boundary` (which this chain has
    /// passed), if it follows this chain: `Ok(Ok(rows))` when it did (its
    /// pages sent but for the rows this chain had sent already),
    /// `Ok(Err(why))` when it does not.
    pub(super) async fn seam(
        &mut self,
        boundary: u128,
        read: board::Read,
        out: &mut Out,
    ) -> Result<Result<u64, String>> {
        let board::Read {
            spool,
            rows,
            chain,
            ended,
        } = read;
        let mut pages = spool
            .map(spool::Spool::pages)
            .transpose()?
            .into_iter()
            .flatten();
        let past = match self.past(boundary) {
            Ok(past) => past,
            Err(e) => return Ok(Err(format!("{e:#}"))),
        };
        // The range's first rows, as many as the seam compares and one more.
        let want = past.len() + 1;
        let mut head = Vec::new();
        while head.iter().map(Page::row_count).sum::<usize>() < want {
            match pages.next() {
                Some(page) => head.push(page?),
                None => break,
            }
        }
        let checked = range::seam_rows(&head, want)
            .map_err(|e| format!("{e:#}"))
            .and_then(|rows| {
                let before = seam::Before {
                    past: &past,
                    ended: self.ended,
                };
                seam::check(boundary, before, &rows).map_err(|m| format!("{m:?} at the seam"))
            });
        let skip = match checked {
            Ok(skip) => skip,
            Err(why) => return Ok(Err(why)),
        };
        self.take_over(head.into_iter().map(Ok).chain(pages), skip, out)
            .await?;
        self.pager = chain;
        self.pager.after_pages(out.number);
        self.ended = ended;
        Ok(Ok(rows))
    }

    /// Go on from an accepted range: send its pages but for the first
    /// `skip` rows, already sent.
    pub(super) async fn take_over(
        &mut self,
        pages: impl Iterator<Item = io::Result<Page>>,
        mut skip: usize,
        out: &mut Out,
    ) -> Result<()> {
        let mut first = true;
        for page in pages {
            let page = page?;
            let count = page.row_count();
            if skip > 0 && skip >= count {
                skip -= count;
                self.read(&page);
                continue;
            }
            // The first page sent from this range is asked for, as far as
            // the writer (and a resume) knows, after the last row it wrote.
            let after = self.last.as_ref().map(|(text, _)| text.clone());
            // Noted whole: the rows it shares with the chain before are
            // rows this chain read past the next boundaries too.
            self.read(&page);
            let page = if first {
                page.without_first(skip, after)
            } else {
                page
            };
            (first, skip) = (false, 0);
            out.send(page).await?;
        }
        Ok(())
    }
}
