//! `druid-bulk failed-lines BULK_ID --input FILE`: the input lines whose
//! users failed in a bulk, to fix and send again.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Result;

use crate::api::Api;
use crate::cli::{FailedLinesArgs, GlobalArgs};
use crate::failed_lines;
use crate::settings;

pub fn run(args: &FailedLinesArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let settings = settings::failed_lines(args, global)?;
    let request = &settings.request;
    let api = Arc::new(Api::new(
        settings.conn.clone(),
        request.timeout,
        request.lang.clone(),
    )?);
    let outcome = super::runtime()?.block_on(failed_lines::run(&api, &settings))?;
    failed_lines::report(&settings, &outcome);
    Ok(ExitCode::SUCCESS)
}
