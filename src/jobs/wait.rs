//! Waiting for a bulk to finish, by its status (`submit --wait`, `demo
//! --submit`): the one status poller. It reads the status word and keeps
//! the pace and the deadline as `results --wait` does while a page answers
//! 428 (`paginate::poll`: `Stage`, `Waiting`).

use std::time::Duration;

use anyhow::Result;

use crate::api::Api;
use crate::exit::{Class, Failure};
use crate::paginate::{self, poll::checked_once, poll::Stage, poll::Waiting};
use crate::settings::Request;
use crate::ui;

/// Poll bulk `bulk`'s status until it has completed (`Ok`), failed
/// (exit 9), or `deadline` has passed (exit 5). Each status request is
/// retried within `request`'s policy like any other, on its clock.
pub async fn until_finished(
    api: &Api,
    request: &Request,
    bulk: &str,
    deadline: Duration,
) -> Result<()> {
    let (policy, clock) = (request.retry, request.clock());
    let what = format!("the status request for bulk {bulk}");
    let mut waiting = Waiting::default();
    loop {
        let body =
            paginate::call(api, policy, &clock, &what, || api.fetch_status(Some(bulk))).await?;
        let stage = Stage::of_answer(&body).ok_or_else(|| {
            Failure::new(
                Class::Protocol,
                format!(
                    "the status answer for bulk {bulk} is not the JSON the API documents \
                     (no content.status)"
                ),
            )
        })?;
        let waited = waiting.waited(&clock);
        let shown = humantime::format_duration(Duration::from_secs(waited.as_secs()));
        let word = match stage {
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
            Stage::Running(word) => word,
        };
        let Some(pause) = waiting.pause(&clock, deadline, None) else {
            ui::clear_progress();
            if deadline.is_zero() {
                return Err(checked_once(bulk, &word).into());
            }
            return Err(Failure::new(
                Class::NotReady,
                format!(
                    "bulk {bulk} is still {word} after waiting {}",
                    humantime::format_duration(deadline)
                ),
            )
            .with_hint(format!(
                "it goes on without us: `druid-bulk status {bulk}` shows where it stands, and \
                 `druid-bulk results {bulk} --wait=1h` waits for its report"
            ))
            .into());
        };
        ui::waiting(bulk, waited, &word);
        clock.sleep(pause).await;
    }
}
