//! `druid-bulk results BULK_ID…`: the main job, export every page of the
//! bulks' failure reports.

use std::process::ExitCode;

use anyhow::Result;

use crate::cli::{GlobalArgs, ResultsArgs};
use crate::jobs::export;
use crate::settings;
use crate::ui;

pub fn run(args: &ResultsArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let settings = settings::results(args, global, ui::stdout_color())?;
    export::export(&settings)
}
