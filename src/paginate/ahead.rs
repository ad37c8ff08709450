//! The request sent ahead: when a page's body names its cursor before its
//! rows, the request for that cursor goes out before the page is checked,
//! so fetching overlaps checking and writing. When the rows come first
//! (many servers write `results` before `lastId`), the cursor is guessed
//! from the end of the body instead, and guessing stops for the run after
//! two wrong guesses. Either way its answer is used only once the page has
//! passed every check and names the same cursor, byte for byte.

use tokio::task::JoinHandle;

use super::Paginator;
use crate::api::{FetchError, PageQuery};
use crate::page::scan::{self, Peek};
use crate::{bug, ui};

/// Wrong guesses after which the cursor is no longer guessed in this run.
const MISSES: u32 = 2;

/// A request sent ahead: the cursor it asks for, and its answer to come.
pub(super) struct Ahead {
    pub(super) cursor: String,
    pub(super) task: JoinHandle<Result<bytes::Bytes, FetchError>>,
    /// Read from the end of the body, where it may not be `content.lastId`.
    pub(super) guessed: bool,
}

impl Drop for Paginator {
    fn drop(&mut self) {
        if let Some(ahead) = self.ahead.get_mut().ok().and_then(Option::take) {
            ahead.task.abort();
        }
    }
}

impl Paginator {
    /// Send the request for the next page now, before this page is
    /// checked, when the body names its cursor ahead of its rows (a usual
    /// body does): fetching it then overlaps checking and writing this one.
    /// Its answer is used only once this page has passed every check and
    /// names the same cursor; a page that fails them costs that one
    /// request, never a row. When the rows come first, the cursor is
    /// guessed from the end of the body ([`scan::cursor_behind`]) until
    /// two guesses have been wrong. Returns whether a request went out.
    pub(super) fn send_ahead(&self, body: &[u8]) -> bool {
        if !self.plan.ahead {
            return false;
        }
        let (next, guessed) = match scan::peek(body) {
            Peek::Cursor(next) => (next, false),
            Peek::RowsFirst if self.misses < MISSES => match scan::cursor_behind(body) {
                Some(next) => (next, true),
                None => return false,
            },
            Peek::RowsFirst | Peek::Unknown => return false,
        };
        if Some(next) == self.cursor.as_deref() || self.seen.contains(next) {
            return false;
        }
        let mut ahead = self.ahead.lock().unwrap_or_else(|e| e.into_inner());
        if ahead.as_ref().is_some_and(|a| a.cursor == next) {
            return false;
        }
        if let Some(old) = ahead.take() {
            old.task.abort();
        }
        let (api, bulk, cursor) = (
            self.api.clone(),
            self.plan.bulk_id.clone(),
            next.to_string(),
        );
        let (limit, failed_only) = (self.plan.page_size, self.plan.failed_only);
        let task = tokio::spawn(async move {
            bug::point("ahead");
            let query = PageQuery {
                last: Some(&cursor),
                limit,
                failed_only,
            };
            api.fetch_page(&bulk, &query).await
        });
        *ahead = Some(Ahead {
            cursor: next.to_string(),
            task,
            guessed,
        });
        true
    }

    /// Once a page has passed its checks: a request sent ahead for a
    /// guessed cursor that is not the one the page names is dropped, and
    /// counted; after [`MISSES`] of them, no more guesses.
    pub(super) fn settle_guess(&mut self, named: Option<&str>) {
        let ahead = self.ahead.get_mut().unwrap_or_else(|e| e.into_inner());
        let missed = ahead
            .as_ref()
            .is_some_and(|a| a.guessed && Some(a.cursor.as_str()) != named);
        if !missed {
            return;
        }
        if let Some(wrong) = ahead.take() {
            wrong.task.abort();
        }
        self.misses += 1;
        if self.misses == MISSES {
            ui::verbose(format_args!(
                "the cursor read from the end of page {} of bulk {} was wrong again: \
                 from now on each request waits for the page before it to be checked",
                self.number, self.plan.bulk_id
            ));
        }
    }
}
