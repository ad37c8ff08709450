//! An export as a job, from the command's settings to its exit class: run
//! it, tell people how it went (on stderr, and on the CI job's page with
//! `--summary`), and pick the exit code.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Result;
use tokio::runtime::Runtime;

use super::job_summary::{self, Ending};
use super::{Ended, Exporter};
use crate::api::Api;
use crate::bug;
use crate::exit::{self, Class, Failure};
use crate::settings::{self, Results};

/// Export, tell people how it went (on stderr, and on the CI job's page
/// with `--summary`), and pick the exit code: the worst failed bulk's, else
/// 8 for `--fail-on-rows` with rows, else 0.
pub fn export(settings: &Results) -> Result<ExitCode> {
    let runtime = crate::jobs::runtime()?;
    let api = settings.request.api(&settings.conn)?;
    let class = export_class(settings, &runtime, &api)?;
    Ok(class.map_or(ExitCode::SUCCESS, Class::exit_code))
}

/// [`export`] on a command's runtime and client, its exit code as a class
/// (`None`: 0). With `--columns list`, the field names instead.
pub fn export_class(
    settings: &Results,
    runtime: &Runtime,
    api: &Arc<Api>,
) -> Result<Option<Class>> {
    if settings.export.list_columns {
        let names = runtime.block_on(super::fields::names(settings, api))?;
        let printed = super::fields::print(&names, &mut std::io::stdout().lock());
        return match printed {
            Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(None),
            other => other.map(|()| None).map_err(Into::into),
        };
    }
    let Ended {
        mut outcome,
        result,
    } = runtime.block_on(Exporter::new(settings, api.clone()).run());
    for bulk in &mut outcome.bulks {
        bulk.failure = (bulk.failure.take()).map(|f| wait_hint(f, &bulk.id));
    }
    let result = result.map_err(|e| {
        if exit::class(&e) != Class::NotFound {
            return e;
        }
        match e.downcast::<Failure>() {
            Ok(f) => wait_hint(f, settings.export.bulk_id()).into(),
            Err(other) => other,
        }
    });
    let class = match &result {
        // A bug outranks whatever the export got to: nothing is reported as done.
        _ if bug::panicked() => Some(Class::Internal),
        Err(e) if exit::is_broken_pipe(e) => None,
        Err(e) => Some(exit::class(e)),
        Ok(()) => {
            super::report(settings, &outcome);
            match outcome.worst_failure() {
                Some(worst) => Some(worst),
                None if settings.export.fail_on_rows
                    && outcome.rows + outcome.counted_before > 0
                    && outcome.already_complete.is_none() =>
                {
                    Some(Class::RowsFound)
                }
                None => None,
            }
        }
    };
    let ending = Ending {
        class,
        error: result.as_ref().err(),
    };
    job_summary::append(settings, &outcome, &ending);
    result?;
    Ok(class)
}

/// `results B --wait 60s` asks for a second bulk named `60s`: `--wait`
/// takes its value only as `--wait=60s`. A bulk that is not found and whose
/// id reads as a duration gets a hint saying so.
fn wait_hint(failure: Failure, bulk_id: &str) -> Failure {
    if failure.class == Class::NotFound && settings::parse_wait(bulk_id).is_ok() {
        failure.with_hint(format!("did you mean --wait={bulk_id}?"))
    } else {
        failure
    }
}
