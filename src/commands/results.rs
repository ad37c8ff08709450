//! `druid-bulk results BULK_ID…`: the main job, export every page of the
//! bulks' failure reports.

use std::process::ExitCode;

use anyhow::Result;

use crate::cli::{GlobalArgs, ResultsArgs};
use crate::exit::Class;
use crate::export::{self, Exporter};
use crate::settings::{self, Results};
use crate::ui;

pub fn run(args: &ResultsArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let settings = settings::results(args, global, ui::stdout_color())?;
    export(&settings)
}

/// Export, tell people how it went, and pick the exit code: the worst
/// failed bulk's, else 8 for `--fail-on-rows` with rows, else 0.
pub(super) fn export(settings: &Results) -> Result<ExitCode> {
    let outcome = super::runtime()?.block_on(Exporter::new(settings)?.run())?;
    export::report(settings, &outcome);
    let class = match outcome.worst_failure() {
        Some(worst) => Some(worst),
        None if settings.export.fail_on_rows
            && outcome.rows > 0
            && outcome.already_complete.is_none() =>
        {
            Some(Class::RowsFound)
        }
        None => None,
    };
    Ok(class.map_or(ExitCode::SUCCESS, Class::exit_code))
}
