//! `druid-bulk submit FILE`: check a JSON Lines bulk update locally
//! (`validate.rs`), stream it to the API from the file or a copy of stdin
//! (`source.rs`), print the new bulk's id alone on stdout, and with
//! `--wait` or `--export` poll its status until it has finished
//! (`wait.rs`), then export its results as `results BULK -o OUT` would.
//!
//! A submission is sent again only when none of it can have reached the
//! server: see `api/submit.rs`.

mod source;
mod validate;
mod wait;

use std::io::{self, Write};
use std::process::ExitCode;

use anyhow::Result;

use crate::api::{Api, Upload};
use crate::cli::{GlobalArgs, SubmitArgs};
use crate::paginate;
use crate::retry::{self, Clock};
use crate::settings::{self, Request, Submit};
use crate::ui;

pub fn run(args: &SubmitArgs, global: &GlobalArgs) -> Result<ExitCode> {
    let settings = settings::submit(args, global, ui::stdout_color())?;
    let prepared = source::prepare(settings.file.as_deref(), settings.validate)?;
    let runtime = super::runtime()?;
    let api = Api::new(
        settings.conn.clone(),
        settings.request.timeout,
        settings.request.lang.clone(),
    )?;
    let upload = &prepared.upload;
    let bulk = runtime.block_on(send(&api, &settings.request, upload))?;
    // The id first, alone and flushed: `BULK=$(druid-bulk submit …)` has it
    // whatever happens next.
    let mut stdout = io::stdout().lock();
    writeln!(stdout, "{bulk}")?;
    stdout.flush()?;
    drop(stdout);
    let lines = prepared
        .lines
        .map_or(String::new(), |n| format!("{n} lines, "));
    ui::info(format_args!(
        "submitted {} as bulk {bulk} ({lines}{})",
        upload.name,
        indicatif::BinaryBytes(upload.len)
    ));
    let Some(deadline) = settings.wait else {
        return Ok(ExitCode::SUCCESS);
    };
    runtime.block_on(wait::until_finished(
        &api,
        &settings.request,
        &bulk,
        deadline,
    ))?;
    drop(api);
    drop(runtime);
    // `--failed-lines OUT2` is written here, once the bulk has completed:
    // FILE's lines whose users failed (`failed-lines`' join), read from
    // `prepared.upload.file` (a copy of stdin for `-`), so it must stay
    // open until then.
    export(&settings, bulk)
}

/// Send the file, retrying only what cannot have reached the server (see
/// `api/submit.rs`), and return the new bulk's id.
async fn send(api: &Api, request: &Request, upload: &Upload) -> Result<String> {
    let clock = Clock::from_env();
    let bulk = retry::run(
        request.retry,
        &clock,
        "the submission",
        |attempt| async move {
            if attempt.renew_token {
                api.forget_token().await;
            }
            api.submit(upload)
                .await
                .map_err(|error| paginate::fault(error, api))
        },
    )
    .await?;
    Ok(bulk)
}

/// `--export OUT`: the completed bulk's results, exactly as `results BULK
/// -o OUT` writes them, with its exit code (8 with `--fail-on-rows`).
fn export(settings: &Submit, bulk: String) -> Result<ExitCode> {
    let Some(export) = &settings.export else {
        return Ok(ExitCode::SUCCESS);
    };
    let mut export = export.clone();
    export.export.bulk_ids = vec![bulk];
    super::results::export(&export)
}
