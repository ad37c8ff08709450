//! The submit job (`submit`, and `demo --submit`'s parts): check a JSON Lines bulk update locally
//! (`validate.rs`), stream it to the API from the file or a copy of stdin
//! (`source.rs`), print the new bulk's id alone on stdout, and with
//! `--wait`, `--export` or `--failed-lines` poll its status until it has
//! finished (`paginate::poll`, as every command that waits), then export its results as `results BULK -o OUT`
//! would, then write the lines whose users failed as `failed-lines BULK
//! --input FILE -o OUT2` would, reading the lines that were sent (the file
//! still open, or the copy of stdin).
//!
//! A submission is sent again only when none of it can have reached the
//! server: see `api/submit.rs`.

pub mod source;
mod validate;

use std::io::{self, Write};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Result;
use tokio::runtime::Runtime;

use crate::api::{Api, Upload, CHECK_STATUS};
use crate::exit::{Class, Failure};
use crate::jobs::{export, failed_lines, wait};
use crate::settings::{Export, FailedLines, Request, Results, Submit};
use crate::signal::{Forced, Interrupts, LastWords, GRACE};
use crate::{paginate, ui};

/// Check, send, print the id, and with `--wait`, `--export` or
/// `--failed-lines` go on as far as the settings say: the exit code as a
/// class (`None`: 0).
pub fn run(settings: &Submit) -> Result<Option<Class>> {
    let prepared = source::prepare(settings.file.as_deref(), settings.validate)?;
    let runtime = super::runtime()?;
    let api = settings.request.api(&settings.conn)?;
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
        return Ok(None);
    };
    runtime.block_on(wait_for(&api, &settings.request, &bulk, deadline))?;
    // The steps that follow, in order; the first that fails ends the run,
    // and the exit code is the worst of those that ran (8 is no failure).
    let mut worst = None;
    if let Some(export) = &settings.export {
        match (
            export_to(export, &bulk, &runtime, &api),
            &settings.failed_lines,
        ) {
            (Ok(class @ (None | Some(Class::RowsFound))), _) => worst = class,
            (ended, None) => return ended,
            (ended, Some(lines)) => return Ok(not_joined(ended, lines, &bulk)),
        }
    }
    if let Some(lines) = &settings.failed_lines {
        let lines = FailedLines {
            bulk_id: bulk.clone(),
            ..lines.clone()
        };
        let outcome = runtime.block_on(failed_lines::run_on(
            &api,
            &lines,
            &upload.file,
            upload.len,
            &upload.name,
        ))?;
        failed_lines::report(&lines, &outcome);
        if settings.fail_on_rows && outcome.failures > 0 {
            worst = Some(Class::RowsFound);
        }
    }
    Ok(worst)
}

/// Send the file, retrying only what cannot have reached the server (see
/// `api/submit.rs`), and return the new bulk's id. Ctrl-C or SIGTERM stops
/// it at once (exit 130), saying whether any of it may have reached the
/// server.
pub async fn send(api: &Api, request: &Request, upload: &Upload) -> Result<String> {
    let clock = request.clock();
    let last_words: LastWords = {
        let (sent, len, name) = (upload.sent_counter(), upload.len, upload.name.clone());
        Box::new(move |forced| {
            let (Forced::Again(signal) | Forced::Grace(signal)) = forced;
            let failure = interrupted(signal, &name, sent(), len);
            ui::error_now(&failure.into());
        })
    };
    let mut interrupts = Interrupts::listen(clock.scaled(GRACE), last_words)?;
    let sending = paginate::call(api, request.retry, &clock, "the submission", || {
        api.submit(upload)
    });
    tokio::select! {
        biased;
        signal = interrupts.recv() => {
            // The upload is dropped here, its connection closed.
            let failure = interrupted(signal?, &upload.name, upload.sent(), upload.len);
            Err(failure.into())
        }
        bulk = sending => Ok(bulk?),
    }
}

/// `--wait`: poll bulk `bulk` until it has finished; Ctrl-C or SIGTERM
/// stops the wait at once (exit 130), and says how to follow the bulk,
/// which goes on.
async fn wait_for(api: &Api, request: &Request, bulk: &str, deadline: Duration) -> Result<()> {
    let last_words: LastWords = {
        let bulk = bulk.to_string();
        Box::new(move |forced| {
            let (Forced::Again(signal) | Forced::Grace(signal)) = forced;
            ui::error_now(&wait_stopped(signal, &bulk).into());
        })
    };
    let mut interrupts = Interrupts::listen(request.clock().scaled(GRACE), last_words)?;
    tokio::select! {
        biased;
        signal = interrupts.recv() => Err(wait_stopped(signal?, bulk).into()),
        done = wait::until_finished(api, request, bulk, deadline) => done,
    }
}

/// The wait for bulk `bulk`, stopped by `signal`.
fn wait_stopped(signal: &str, bulk: &str) -> Failure {
    Failure::new(
        Class::Interrupted,
        format!("interrupted by {signal} while waiting for bulk {bulk}"),
    )
    .with_hint(format!(
        "the bulk goes on without us: `druid-bulk status {bulk}` shows where it stands, and \
         `druid-bulk results {bulk} --wait=1h` waits for its report"
    ))
}

/// An upload of `len` bytes of `name` stopped by `signal` after `sent`
/// were handed to the connection: whether any of it may have reached the
/// server, and so whether to check before sending the file again.
fn interrupted(signal: &str, name: &str, sent: u64, len: u64) -> Failure {
    if sent == 0 {
        return Failure::new(
            Class::Interrupted,
            format!("interrupted by {signal} before any of {name} was sent: no bulk was created"),
        )
        .with_hint("run the same command again to submit it");
    }
    let stood = if sent >= len {
        format!(
            "after all of {name} ({len} bytes) was sent, before the server answered: the server \
             may have created the bulk"
        )
    } else {
        format!(
            "while sending {name}, after {sent} of its {len} bytes: part of it may have reached \
             the server"
        )
    };
    Failure::new(
        Class::Interrupted,
        format!("interrupted by {signal} {stood}"),
    )
    .with_hint(CHECK_STATUS)
}

/// `--export OUT`: the completed bulk's results, exactly as `results BULK
/// -o OUT` writes them, with its exit code as a class (8 with
/// `--fail-on-rows`).
fn export_to(
    export: &Results,
    bulk: &str,
    runtime: &Runtime,
    api: &Arc<Api>,
) -> Result<Option<Class>> {
    let export = Results {
        export: Export {
            bulk_ids: vec![bulk.to_string()],
            ..export.export.clone()
        },
        ..export.clone()
    };
    export::export_class(&export, runtime, api)
}

/// `--export` failed, so `--failed-lines` is not run: say so after the
/// error, and how to write the lines once it works (an interruption says
/// nothing more: the user stopped the run).
fn not_joined(ended: Result<Option<Class>>, lines: &FailedLines, bulk: &str) -> Option<Class> {
    let class = match ended {
        Ok(class) => class,
        Err(err) => {
            ui::error(&err);
            Some(crate::exit::class(&err))
        }
    };
    if class != Some(Class::Interrupted) {
        let out = lines.join.output.as_deref().unwrap_or(Path::new("-"));
        let input = match &lines.join.input {
            stdin if stdin == Path::new("-") => "- (the same lines)".to_string(),
            path => shell_word(&path.display().to_string()),
        };
        ui::note(format_args!(
            "--failed-lines {} was not written, since --export failed; once the report can be \
             fetched, run `druid-bulk failed-lines {bulk} --input {input} -o {}`",
            out.display(),
            shell_word(&out.display().to_string()),
        ));
    }
    class
}

/// `word` as one shell word: as it is when it needs no quoting.
fn shell_word(word: &str) -> String {
    let plain = !word.is_empty()
        && (word.chars()).all(|c| c.is_ascii_alphanumeric() || "-_./:=@,%+".contains(c));
    if plain {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', r"'\''"))
    }
}
