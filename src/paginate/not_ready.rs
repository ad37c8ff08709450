//! A page that answers 428 (the bulk is not finished): polled with
//! `--wait` at the pace of `poll.rs`, asking the bulk's status each time so
//! that a bulk that failed stops the wait at once; without `--wait`, or
//! past its deadline, the error that says what to do.

use std::time::Duration;

use super::poll::{self, Stage};
use super::{call, Paginator};
use crate::api::FetchError;
use crate::exit::{Class, Failure};
use crate::retry::Fault;
use crate::ui;

impl Paginator {
    /// What a failed request means here: a 428 is polled with `--wait`
    /// (not a retry) unless the bulk's status says it failed, anything else
    /// goes to [`retry::run`].
    pub(super) async fn fault(&self, error: FetchError) -> Fault {
        match error {
            FetchError::NotReady {
                retry_after,
                failure,
            } => {
                let stage = match self.plan.wait {
                    Some(_) => self.status().await,
                    None => None,
                };
                if let Some(Stage::Failed(_)) = stage {
                    ui::clear_progress();
                    return Fault::Fatal(self.bulk_failed());
                }
                match self.poll_pause(retry_after, failure, stage.as_ref().map(Stage::word)) {
                    Ok(pause) => Fault::Wait(pause),
                    Err(failure) => Fault::Fatal(failure),
                }
            }
            error => call::fault(error, &self.api),
        }
    }

    /// The bulk's stage while it answers 428, asked once: a bulk that
    /// failed would answer 428 until `--wait` gives up. A status request
    /// that fails does not end the wait (`None`; said with `-v`).
    async fn status(&self) -> Option<Stage> {
        let bulk = &self.plan.bulk_id;
        match self.api.bulk_status(bulk).await {
            Ok(word) => word.map(|word| Stage::of(&word, None)),
            Err(error) => {
                ui::verbose(format_args!(
                    "could not check the status of bulk {bulk} ({}); still waiting",
                    error.into_failure().message
                ));
                None
            }
        }
    }

    /// The bulk process ended `failed` on the server.
    fn bulk_failed(&self) -> Failure {
        let bulk = &self.plan.bulk_id;
        // Its own hint: running the same command again will not help.
        Failure::new(
            Class::BulkFailed,
            format!("bulk {bulk} failed on the server (status failed); its results may be partial"),
        )
        .with_hint(format!(
            "see `druid-bulk status {bulk}`; running this again will not change that"
        ))
    }

    /// How long to wait before polling a bulk that is not finished, or the
    /// error to stop with (no `--wait`, or its deadline passed). `status`
    /// is the bulk's own status word, when it could be had, for the spinner.
    fn poll_pause(
        &self,
        retry_after: Option<Duration>,
        failure: Failure,
        status: Option<&str>,
    ) -> Result<Duration, Failure> {
        let bulk = &self.plan.bulk_id;
        let Some(deadline) = self.plan.wait else {
            return Err(failure.with_hint(format!(
                "re-run with --wait to poll until bulk {bulk} has finished (e.g. --wait=1h)"
            )));
        };
        let mut waiting = self.waiting.lock().unwrap_or_else(|e| e.into_inner());
        let waited = waiting.waited(&self.clock);
        let Some(pause) = waiting.pause(&self.clock, deadline, retry_after) else {
            ui::clear_progress();
            if deadline.is_zero() {
                return Err(poll::checked_once(bulk, "not finished yet"));
            }
            return Err(Failure::new(
                Class::NotReady,
                format!(
                    "bulk {bulk} is still not finished after waiting {}",
                    humantime::format_duration(deadline)
                ),
            )
            .with_hint("wait longer with a larger --wait (e.g. --wait=2h)"));
        };
        let shown = status.map_or_else(|| "HTTP 428".to_string(), |s| format!("status {s}"));
        ui::waiting(bulk, waited, &shown);
        Ok(pause)
    }

    pub(super) fn finished_waiting(&mut self) {
        let waiting = self.waiting.get_mut().unwrap_or_else(|e| e.into_inner());
        if let Some(waited) = waiting.finish(&self.clock) {
            ui::clear_progress();
            ui::info(format_args!(
                "bulk {} has finished (waited {})",
                self.plan.bulk_id,
                humantime::format_duration(waited)
            ));
        }
    }
}
