//! The cursor loop: fetches pages one after another, following
//! `content.lastId`, and refuses a cursor that does not advance. It yields
//! whole, parsed pages and knows nothing of output.

use std::collections::HashSet;
use std::sync::Arc;

use anyhow::Result;
use bytes::Bytes;
use serde_json::value::RawValue;
use tokio::sync::mpsc;

use crate::api::wire::ResultsBody;
use crate::api::{Api, PageQuery};
use crate::exit::{Class, Failure};

/// One page as received, with the cursors around it.
#[derive(Debug)]
pub struct Page {
    /// 1-based page number in this run.
    pub number: u64,
    /// The cursor sent to get this page (`None` for the very first).
    pub sent: Option<String>,
    /// The cursor for the next page; `None` when this was the last one.
    pub next: Option<String>,
    pub rows: usize,
    body: Bytes,
}

impl Page {
    /// The page's rows, borrowed from its body.
    pub fn raw_rows(&self) -> Vec<&RawValue> {
        // The body was parsed once already when the page was made.
        parse(&self.body)
            .map(|b| b.rows().to_vec())
            .unwrap_or_default()
    }
}

fn parse(body: &[u8]) -> serde_json::Result<ResultsBody<'_>> {
    serde_json::from_slice(body)
}

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
}

/// Fetches pages in order.
pub struct Paginator {
    api: Arc<Api>,
    plan: Plan,
    cursor: Option<String>,
    seen: HashSet<String>,
    number: u64,
    rows: u64,
    done: bool,
}

impl Paginator {
    pub fn new(api: Arc<Api>, plan: Plan) -> Paginator {
        let cursor = plan.start.clone();
        let seen = cursor.iter().cloned().collect();
        Paginator {
            api,
            plan,
            cursor,
            seen,
            number: 0,
            rows: 0,
            done: false,
        }
    }

    /// The next page, or `None` after the last one.
    pub async fn next_page(&mut self) -> Result<Option<Page>> {
        if self.done {
            return Ok(None);
        }
        self.number += 1;
        let query = PageQuery {
            last: self.cursor.as_deref(),
            limit: self.plan.page_size,
            failed_only: self.plan.failed_only,
        };
        let body = self.api.fetch_page(&self.plan.bulk_id, &query).await?;
        let parsed = parse(&body).map_err(|e| {
            Failure::new(
                Class::Protocol,
                format!(
                    "page {} of bulk {} is not valid JSON ({e}); the server or a proxy sent something else",
                    self.number, self.plan.bulk_id
                ),
            )
        })?;
        let rows = parsed.rows().len();
        let next = next_cursor(self.cursor.as_deref(), parsed.last_id(), &mut self.seen)
            .map_err(|stuck| self.stuck(stuck))?;
        drop(parsed);
        self.rows += rows as u64;
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

    /// Run the loop on its own task, one page ahead of the consumer: while
    /// page N is written, page N+1 is already being fetched.
    pub fn spawn(mut self) -> mpsc::Receiver<Result<Page>> {
        let (tx, rx) = mpsc::channel(1);
        tokio::spawn(async move {
            loop {
                let item = self.next_page().await.transpose();
                let Some(item) = item else { break };
                let failed = item.is_err();
                if tx.send(item).await.is_err() || failed {
                    break;
                }
            }
        });
        rx
    }
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
