//! The two requests a split export makes after its first page, at once:
//! the probe (does the server read a synthetic cursor as "the rows after
//! it"?) and the bulk's status (where its ids end).

use std::sync::Arc;
use std::time::UNIX_EPOCH;

use super::bounds;
use super::range;
use super::seam;
use crate::api::Api;
use crate::paginate::{self, Page, Paginator, Plan};
use crate::retry::Clock;

/// Ask for the rows after a synthetic cursor inside `first` (the first
/// page), whose answer is known from it: `Some(true)` when the server
/// answers with exactly the rows after it, `Some(false)` when it refuses,
/// ignores, or misreads it, `None` when the page has no place for one
/// (its rows all in one millisecond). One request tells a server that does
/// not read synthetic cursors as "the rows after" before any range is read.
pub(super) async fn probe(
    api: &Arc<Api>,
    plan: &Plan,
    clock: &Clock,
    first: Option<&Page>,
) -> Option<bool> {
    let rows = range::seam_rows(std::slice::from_ref(first?), usize::MAX).ok()?;
    let cursor = bounds::cursor_at(bounds::millis(rows.last()?.id));
    let past: Vec<seam::Row> = rows.iter().copied().filter(|r| r.id > cursor).collect();
    if past.is_empty() || past.len() == rows.len() {
        return None;
    }
    let mut asked = Paginator::new(
        api.clone(),
        Plan {
            start: Some(bounds::format(cursor)),
            // A 5xx on a synthetic cursor is more likely a refusal.
            retry: crate::retry::RetryPolicy {
                retries: plan.retry.retries.min(1),
                ..plan.retry
            },
            ..plan.clone()
        },
        clock.clone(),
    );
    // Pages shorter than asked for are followed (a few) until the answer
    // holds as many rows as the first page had past the cursor.
    let mut pages = Vec::new();
    while pages.iter().map(Page::row_count).sum::<usize>() < past.len() && pages.len() < 4 {
        match asked.next_page().await {
            Ok(Some(page)) => pages.push(page),
            Ok(None) => break,
            Err(_) => return Some(false),
        }
    }
    let Ok(answer) = range::seam_rows(&pages, past.len() + 1) else {
        return Some(false);
    };
    let before = seam::Before {
        past: &past,
        ended: false,
    };
    Some(seam::check(cursor, before, &answer).is_ok())
}

/// The end of the bulk's id window, in Unix milliseconds: its `updatedOn`.
pub(super) async fn window_end(api: &Api, plan: &Plan, clock: &Clock) -> Option<u64> {
    let body = paginate::call(api, plan.retry, clock, "the bulk's status", || {
        api.fetch_status(Some(&plan.bulk_id))
    })
    .await
    .ok()?;
    let answer: serde_json::Value = serde_json::from_slice(&body).ok()?;
    let text = answer.get("content")?.get("updatedOn")?.as_str()?;
    let time = humantime::parse_rfc3339_weak(text).ok()?;
    u64::try_from(time.duration_since(UNIX_EPOCH).ok()?.as_millis()).ok()
}
