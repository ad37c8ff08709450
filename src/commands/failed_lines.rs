//! `druid-bulk failed-lines BULK_ID --input FILE`: the input lines whose
//! users failed in a bulk, to fix and send again.

use std::process::ExitCode;

use anyhow::Result;

use crate::cli::{FailedLinesArgs, GlobalArgs};
use crate::jobs::failed_lines;
use crate::settings;

pub fn run(args: &FailedLinesArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let settings = settings::failed_lines(args, global)?;
    let api = settings.request.api(&settings.conn)?;
    let outcome = crate::jobs::runtime()?.block_on(failed_lines::run(&api, &settings))?;
    failed_lines::report(&settings, &outcome);
    Ok(ExitCode::SUCCESS)
}
