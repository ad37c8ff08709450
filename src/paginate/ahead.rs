//! The request sent ahead: when a page's body names its cursor before its
//! rows, the request for that cursor goes out before the page is checked,
//! so fetching overlaps checking and writing. Its answer is used only once
//! the page has passed every check and names the same cursor.

use tokio::task::JoinHandle;

use super::Paginator;
use crate::api::{FetchError, PageQuery};
use crate::bug;
use crate::page::scan;

/// A request sent ahead: the cursor it asks for, and its answer to come.
pub(super) struct Ahead {
    pub(super) cursor: String,
    pub(super) task: JoinHandle<Result<bytes::Bytes, FetchError>>,
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
    /// request, never a row. Returns whether a request went out.
    pub(super) fn send_ahead(&self, body: &[u8]) -> bool {
        if !self.plan.ahead {
            return false;
        }
        let Some(next) = scan::cursor_ahead(body) else {
            return false;
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
        });
        true
    }
}
