//! `submit --wait`: poll a submitted bulk's status (`received`,
//! `scheduled`, `processing`, …) until it is `completed` or `failed`, or
//! the deadline passes, at the pace `results --wait` polls a 428: every
//! 2 s at first, up to every 30 s.

use std::time::Duration;

use anyhow::Result;
use bytes::Bytes;

use crate::api::Api;
use crate::exit::{Class, Failure};
use crate::paginate;
use crate::retry::{poll_interval, Clock};
use crate::settings::Request;
use crate::ui;

/// Where a bulk stands, as far as waiting for it goes.
#[derive(Debug, PartialEq, Eq)]
enum Stage {
    Completed,
    /// `failed`, with the reason its status gives, if any.
    Failed(Option<String>),
    /// Anything else (`received`, `scheduled`, `processing`, or a status
    /// the docs do not list): not finished yet.
    Running(String),
}

/// Poll bulk `bulk`'s status until it has completed (`Ok`), failed
/// (exit 9), or `deadline` has passed (exit 5).
pub async fn until_finished(
    api: &Api,
    request: &Request,
    bulk: &str,
    deadline: Duration,
) -> Result<()> {
    let clock = Clock::from_env();
    let since = clock.now();
    let mut polls = 0;
    loop {
        let body = fetch(api, request, &clock, bulk).await?;
        let stage = stage(&body).ok_or_else(|| {
            Failure::new(
                Class::Protocol,
                format!(
                    "the status answer for bulk {bulk} is not the JSON the API documents \
                     (no content.status)"
                ),
            )
        })?;
        let waited = clock.since(since);
        let shown = humantime::format_duration(Duration::from_secs(waited.as_secs()));
        let status = match stage {
            Stage::Completed => {
                ui::clear_progress();
                ui::info(format_args!("bulk {bulk} has completed (waited {shown})"));
                return Ok(());
            }
            Stage::Failed(reason) => {
                ui::clear_progress();
                let reason = reason.map_or(String::new(), |r| format!(": {r}"));
                return Err(Failure::new(
                    Class::BulkFailed,
                    format!("bulk {bulk} failed (status `failed`{reason}) after {shown}"),
                )
                .with_hint(format!(
                    "`druid-bulk results {bulk}` lists what it did before it stopped"
                ))
                .into());
            }
            Stage::Running(status) => status,
        };
        if waited >= deadline {
            ui::clear_progress();
            return Err(Failure::new(
                Class::NotReady,
                format!(
                    "bulk {bulk} is still {status} after waiting {}",
                    humantime::format_duration(deadline)
                ),
            )
            .with_hint(format!(
                "it goes on without us: `druid-bulk status {bulk}` shows where it stands, and \
                 `druid-bulk results {bulk} --wait=1h` waits for its report"
            ))
            .into());
        }
        ui::waiting(bulk, waited, &status);
        clock
            .sleep(poll_interval(polls, None).min(deadline - waited))
            .await;
        polls += 1;
    }
}

/// One status request, retried on transient faults like any other.
async fn fetch(api: &Api, request: &Request, clock: &Clock, bulk: &str) -> Result<Bytes> {
    let what = format!("the status request for bulk {bulk}");
    let body = paginate::call(api, request.retry, clock, &what, || {
        api.fetch_status(Some(bulk))
    })
    .await?;
    Ok(body)
}

/// The stage a status answer gives: `content.status`, in any case.
fn stage(body: &[u8]) -> Option<Stage> {
    let state = crate::api::wire::bulk_state(body)?;
    let status = state.status.trim().to_ascii_lowercase();
    Some(match status.as_str() {
        "completed" => Stage::Completed,
        "failed" => Stage::Failed(state.reason.filter(|r| !r.trim().is_empty())),
        _ => Stage::Running(status),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_stage_comes_from_content_status() {
        let stage_of = |body: &str| stage(body.as_bytes());
        assert_eq!(
            stage_of(r#"{"content":{"bulkId":"B","status":"completed"}}"#),
            Some(Stage::Completed)
        );
        assert_eq!(
            stage_of(r#"{"content":{"status":"Processing"}}"#),
            Some(Stage::Running("processing".into()))
        );
        assert_eq!(
            stage_of(r#"{"content":{"status":"failed","message":"disk full"}}"#),
            Some(Stage::Failed(Some("disk full".into())))
        );
        assert_eq!(
            stage_of(r#"{"content":{"status":"failed"}}"#),
            Some(Stage::Failed(None))
        );
        assert_eq!(stage_of(r#"{"content":{}}"#), None);
        assert_eq!(stage_of(r#"{"status":"completed"}"#), None);
        assert_eq!(stage_of("<html>"), None);
    }
}
