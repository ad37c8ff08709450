//! `druid-bulk submit FILE`: send a JSON Lines bulk update, print its id,
//! and with `--wait`, `--export` or `--failed-lines` see it through
//! (`jobs::submit`).

use std::process::ExitCode;

use anyhow::Result;

use crate::cli::{GlobalArgs, SubmitArgs};
use crate::exit::Class;
use crate::jobs::submit;
use crate::settings;
use crate::ui;

pub fn run(args: &SubmitArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let settings = settings::submit(args, global, ui::stdout_color())?;
    let class = submit::run(&settings)?;
    Ok(class.map_or(ExitCode::SUCCESS, Class::exit_code))
}
