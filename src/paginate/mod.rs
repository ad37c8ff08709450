//! The cursor loop: fetches pages one after another, following
//! `content.lastId`, and refuses a cursor that does not advance, rows out
//! of order (see `page::check`) and an endless run of empty pages. It yields
//! whole, checked pages and knows nothing of output.

mod ahead;
mod call;
mod not_ready;
pub mod poll;
mod throttle;

use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Result;
use bytes::Bytes;
use tokio::sync::{mpsc, Semaphore};
use tokio::task::JoinHandle;

use crate::page::check as page;
pub use crate::page::Page;
use ahead::Ahead;
pub use call::{call, fault};
use poll::Waiting;
pub use throttle::Throttle;

use crate::api::{Api, PageQuery};
use crate::bug;
use crate::exit::{Class, Failure};
use crate::page::json_text::Spans;
use crate::retry::{self, Attempt, Clock, Fault, RetryPolicy};

/// What to do after a page, from the cursor sent and the one received.
#[derive(Debug, PartialEq, Eq)]
pub enum Next {
    Done,
    Fetch(String),
}

/// The server sent a cursor that would loop.
#[derive(Debug, PartialEq, Eq)]
pub struct StuckCursor {
    pub cursor: String,
    pub repeated_last: bool,
}

/// Decide the next step. `seen` holds every cursor sent so far in this run.
pub fn next_cursor(
    sent: Option<&str>,
    received: Option<&str>,
    seen: &mut HashSet<String>,
) -> Result<Next, StuckCursor> {
    let Some(received) = received.filter(|c| !c.is_empty()) else {
        return Ok(Next::Done);
    };
    if sent == Some(received) || !seen.insert(received.to_string()) {
        return Err(StuckCursor {
            cursor: received.to_string(),
            repeated_last: sent == Some(received),
        });
    }
    Ok(Next::Fetch(received.to_string()))
}

/// Settings of one export's page loop.
#[derive(Debug, Clone)]
pub struct Plan {
    pub bulk_id: String,
    pub page_size: u32,
    pub failed_only: bool,
    pub start: Option<String>,
    /// Stop fetching once this many rows have arrived.
    pub max_rows: Option<u64>,
    pub retry: RetryPolicy,
    /// With `--wait`: how long to poll a bulk that answers 428.
    pub wait: Option<Duration>,
    /// Check that rows come in id order (off with `--unordered`).
    pub ordered: bool,
    /// Empty pages with a new cursor followed in a row before giving up.
    pub max_empty_pages: u32,
    /// Send the next page's request before this page is checked (see
    /// `Paginator::send_ahead`): when this is the only paginator running.
    pub ahead: bool,
    /// Shared with other paginators of the same server (`--split`): each
    /// attempt takes a slot, and a 429 or 503 slows them all down.
    pub throttle: Option<Arc<Throttle>>,
}

/// Fetches pages in order.
pub struct Paginator {
    api: Arc<Api>,
    plan: Plan,
    cursor: Option<String>,
    seen: HashSet<String>,
    number: u64,
    rows: u64,
    /// The id of the last row received, which the next row must follow.
    last_row: Option<String>,
    /// Empty pages with a cursor received in a row.
    empty_run: u32,
    done: bool,
    clock: Clock,
    /// Behind a lock because an attempt, a future that borrows the
    /// paginator while [`retry::run`] drives it, updates it.
    waiting: Mutex<Waiting>,
    /// The request for the next page, sent before this one was checked.
    ahead: Mutex<Option<Ahead>>,
    /// Cursors guessed from the end of a body that were not its `lastId`.
    misses: u32,
}

/// A page body that parsed, with what the loop needs from it.
struct Fetched {
    body: Bytes,
    last_id: Option<String>,
    rows: Spans,
    last_row: Option<String>,
}

impl Paginator {
    pub fn new(api: Arc<Api>, plan: Plan, clock: Clock) -> Paginator {
        let cursor = plan.start.clone();
        let seen = cursor.iter().cloned().collect();
        Paginator {
            api,
            plan,
            cursor,
            seen,
            number: 0,
            rows: 0,
            last_row: None,
            empty_run: 0,
            done: false,
            clock,
            waiting: Mutex::default(),
            ahead: Mutex::default(),
            misses: 0,
        }
    }

    /// Fetch the current page until it arrives whole and parses: transient
    /// faults are retried with backoff, a 428 is polled with `--wait`.
    async fn fetch(&mut self) -> Result<Fetched> {
        let what = format!("page {}", self.number);
        let this = &*self;
        let what = what.as_str();
        let fetched = retry::run(this.plan.retry, &this.clock, what, |attempt| async move {
            match &this.plan.throttle {
                Some(throttle) => throttle.paced(what, this.attempt(attempt)).await,
                None => this.attempt(attempt).await,
            }
        })
        .await?;
        self.finished_waiting();
        Ok(fetched)
    }

    /// One try at the current page.
    async fn attempt(&self, attempt: Attempt) -> Result<Fetched, Fault> {
        if attempt.renew_token {
            self.api.forget_token().await;
        }
        let query = PageQuery {
            last: self.cursor.as_deref(),
            limit: self.plan.page_size,
            failed_only: self.plan.failed_only,
        };
        let bulk_id = &self.plan.bulk_id;
        // The request sent ahead for this cursor, if any, is this attempt;
        // one for another cursor stays (a page retried may name it again).
        let ahead = {
            let mut ahead = self.ahead.lock().unwrap_or_else(|e| e.into_inner());
            match ahead.take() {
                Some(a) if Some(a.cursor.as_str()) == self.cursor.as_deref() => Some(a.task),
                other => {
                    *ahead = other;
                    None
                }
            }
        };
        bug::point("page-fetch");
        let answer = match ahead {
            Some(task) => match task.await {
                Ok(answer) => answer,
                // Its panic was a bug (the hook said so): never asked again
                // as if it had been a network fault.
                Err(e) if e.is_panic() => {
                    return Err(Fault::Fatal(bug::ended(format_args!(
                        "the request sent ahead for page {} of bulk {bulk_id} panicked",
                        self.number
                    ))))
                }
                Err(_) => self.api.fetch_page(bulk_id, &query).await,
            },
            None => self.api.fetch_page(bulk_id, &query).await,
        };
        let body = match answer {
            Ok(body) => body,
            Err(error) => return Err(self.fault(error).await),
        };
        let expect = page::Expect {
            bulk_id,
            sent: self.cursor.as_deref(),
            before: self.last_row.as_deref(),
            ordered: self.plan.ordered,
        };
        let this_page = |why: String| {
            Failure::new(
                Class::Protocol,
                format!("page {} of bulk {bulk_id} {why}", self.number),
            )
        };
        if self.send_ahead(&body) {
            // Let the request go out before this page is checked.
            tokio::task::yield_now().await;
        }
        match page::read(&body, &expect) {
            Ok(page::Body::Rows {
                last_id,
                rows,
                last_row,
            }) => Ok(Fetched {
                body,
                last_id,
                rows,
                last_row,
            }),
            Ok(page::Body::Status(code)) => {
                let error = self.api.status_in_body(code, &body, bulk_id, &query);
                Err(self.fault(error).await)
            }
            // A cut-short body may come whole if asked again; when it never
            // does, that is a server or network fault (exit 6), like any
            // other transient one.
            Err(page::Broken::CutShort(why)) => Err(Fault::Transient {
                label: "a body cut short".into(),
                retry_after: None,
                failure: Failure {
                    class: Class::Unavailable,
                    ..this_page(why)
                },
            }),
            Err(page::Broken::Protocol(why)) => Err(Fault::Fatal(this_page(why))),
        }
    }

    /// The next page, or `None` after the last one.
    pub async fn next_page(&mut self) -> Result<Option<Page>> {
        if self.done {
            return Ok(None);
        }
        self.number += 1;
        let Fetched {
            body,
            last_id,
            rows,
            last_row,
        } = self.fetch().await?;
        self.settle_guess(last_id.as_deref());
        let count = rows.len();
        let next = next_cursor(self.cursor.as_deref(), last_id.as_deref(), &mut self.seen)
            .map_err(|stuck| self.stuck(stuck))?;
        self.empty_run = match (count == 0, &next) {
            (true, Next::Fetch(_)) => self.empty_run + 1,
            _ => 0,
        };
        if self.empty_run > self.plan.max_empty_pages {
            return Err(self.endless().into());
        }
        self.last_row = last_row;
        self.rows += count as u64;
        let next = match next {
            Next::Done => None,
            Next::Fetch(c) => Some(c),
        };
        let budget_spent = self.plan.max_rows.is_some_and(|max| self.rows >= max);
        self.done = next.is_none() || budget_spent;
        let page = Page {
            number: self.number,
            sent: std::mem::replace(&mut self.cursor, next.clone()),
            next,
            rows,
            body,
        };
        Ok(Some(page))
    }

    /// Too many empty pages in a row: a server that would page forever.
    fn endless(&self) -> Failure {
        let resume = match &self.cursor {
            Some(cursor) => format!("--last {cursor}"),
            None => "the start".to_string(),
        };
        Failure::new(
            Class::Protocol,
            format!(
                "bulk {} sent {} empty pages in a row, each with a new lastId, so the export would \
                 never end; stopped at page {} (it resumes with {resume}). If this server filters \
                 that many empty pages before more rows, raise --max-empty-pages (now {})",
                self.plan.bulk_id, self.empty_run, self.number, self.plan.max_empty_pages
            ),
        )
    }

    fn stuck(&self, stuck: StuckCursor) -> Failure {
        let how = if stuck.repeated_last {
            "the same cursor it was sent"
        } else {
            "a cursor it had already returned"
        };
        Failure::new(
            Class::Protocol,
            format!(
                "the server answered page {} of bulk {} with {how} ({}); stopping instead of looping",
                self.number, self.plan.bulk_id, stuck.cursor
            ),
        )
    }

    /// Count the pages from here on after `before` pages (a paginator that
    /// continues another chain, as a `--split` range does): its messages
    /// then name a page as the export counts it.
    pub fn after_pages(&mut self, before: u64) {
        self.number = before;
    }

    /// Go on as the only paginator of its server: no slots to share, and
    /// the next request sent ahead if `ahead` (a split export that went
    /// back to reading one page after another).
    pub fn alone(&mut self, ahead: bool) {
        self.plan.throttle = None;
        self.plan.ahead = ahead;
    }

    /// Run the loop on its own task once `gate` lets it start, sending
    /// what it has to say, tagged with `index`, into `events`: each page,
    /// then [`Event::Done`] after the last one or [`Event::Failed`]. The
    /// receiver takes the export as complete only on `Done`: a task that
    /// ends without it (a panic) never passes for a finished one. The
    /// channel is bounded, so the fetcher runs at most a page ahead of the
    /// writer: while page N is written, page N+1 is already in flight.
    pub fn spawn(
        mut self,
        index: usize,
        events: mpsc::Sender<(usize, Event)>,
        gate: Arc<Semaphore>,
    ) -> JoinHandle<()> {
        tokio::spawn(async move {
            let Ok(_permit) = gate.acquire_owned().await else {
                return;
            };
            loop {
                if bug::reached("fetcher-quits") {
                    return;
                }
                let (event, last) = match self.next_page().await {
                    Ok(Some(page)) => (Event::Page(page), false),
                    Ok(None) => (Event::Done, true),
                    Err(e) => (Event::Failed(e), true),
                };
                if events.send((index, event)).await.is_err() || last {
                    break;
                }
            }
        })
    }
}

/// What a paginator's task tells the export, in order: pages, then exactly
/// one of `Done` or `Failed`.
pub enum Event {
    Page(Page),
    /// A split export (`--split`) used this many ranges, and this many of
    /// their seams fell back to reading sequentially: said once, before
    /// `Done`.
    Ranges {
        used: u64,
        fell_back: u64,
    },
    /// The last page has been sent (or `--max-rows` was reached).
    Done,
    /// The export of this bulk stopped on this error.
    Failed(anyhow::Error),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_or_empty_cursor_ends_the_export() {
        let mut seen = HashSet::new();
        assert_eq!(next_cursor(None, None, &mut seen), Ok(Next::Done));
        assert_eq!(next_cursor(Some("a"), Some(""), &mut seen), Ok(Next::Done));
    }

    #[test]
    fn a_new_cursor_is_followed() {
        let mut seen = HashSet::new();
        assert_eq!(
            next_cursor(None, Some("a"), &mut seen),
            Ok(Next::Fetch("a".into()))
        );
        assert_eq!(
            next_cursor(Some("a"), Some("b"), &mut seen),
            Ok(Next::Fetch("b".into()))
        );
    }

    #[test]
    fn the_cursor_just_sent_is_refused() {
        let mut seen = HashSet::from(["a".to_string()]);
        let err = next_cursor(Some("a"), Some("a"), &mut seen).unwrap_err();
        assert!(err.repeated_last);
    }

    #[test]
    fn a_cursor_seen_earlier_is_refused() {
        let mut seen = HashSet::new();
        next_cursor(None, Some("a"), &mut seen).unwrap();
        next_cursor(Some("a"), Some("b"), &mut seen).unwrap();
        let err = next_cursor(Some("b"), Some("a"), &mut seen).unwrap_err();
        assert_eq!(
            err,
            StuckCursor {
                cursor: "a".into(),
                repeated_last: false
            }
        );
    }
}
