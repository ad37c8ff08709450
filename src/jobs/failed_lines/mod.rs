//! `failed-lines`: a bulk's failures joined to the input it was sent from.
//! The failures are fetched first (`failedOnly=true`, through the same
//! page loop as an export: its checks, retries, `--wait` and tokens) into
//! an index by user identifier (`failures.rs`); then the input is read
//! once (`input.rs`: a file, stdin, gzip) and every line whose user failed
//! is written out (`join.rs`), its identifiers found by JSON pointer
//! (`ids.rs`). Memory holds the failures, never the input.
//!
//! Nothing is written until the whole report has arrived: a fetch that
//! fails leaves `-o` as it was, and `-o` is replaced only once every line
//! has been read and every failed one written.

mod failures;
mod ids;
mod input;
mod join;

use std::fs::File;
use std::io::{IsTerminal, Read, Seek, SeekFrom};
use std::sync::Arc;
use std::time::Instant;

use anyhow::Result;

pub use join::Counts;

use crate::api::Api;
use crate::destination::Destination;
use crate::exit::{Class, Failure};
use crate::jobs::last_words::{nothing_written, with_nothing_written, Continued, Flushed};
use crate::output::Row;
use crate::paginate::{Paginator, Plan};
use crate::settings::FailedLines;
use crate::signal::Interrupts;
use crate::ui;
use failures::Failures;
use ids::Finder;
use input::Input;
use join::Join;

/// What a run of `failed-lines` did.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    /// What the input held, and how many of its lines were written.
    pub counts: Counts,
    /// Rows of the failure report.
    pub failures: u64,
    /// Rows of the report no input line matched.
    pub unmatched: u64,
    /// How messages name the input: its path, or `stdin`.
    pub input: String,
}

impl Outcome {
    /// The last line on stderr: `412 of 100000 input lines failed; 3
    /// failures matched no input line; 0 input lines had no identifier`.
    pub fn summary(&self) -> String {
        let c = &self.counts;
        let mut line = format!(
            "{} of {} failed; {} matched no input line; {} no identifier",
            c.failed,
            plural(c.lines, "input line", "input lines"),
            plural(self.unmatched, "failure", "failures"),
            plural(c.no_identifier, "input line had", "input lines had"),
        );
        if c.unreadable > 0 {
            line.push_str(&format!(
                "; {} not be read",
                plural(c.unreadable, "input line could", "input lines could")
            ));
        }
        line
    }
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// Fetch the bulk's failures and write the input lines whose users failed.
/// `api` is the run's client (its token is reused).
pub async fn run(api: &Arc<Api>, settings: &FailedLines) -> Result<Outcome> {
    join_to(api, settings, || Input::open(&settings.join.input)).await
}

/// [`run`] on lines already open instead of `settings.join.input`: the
/// first `len` bytes of `file` from its start, named `name` in messages
/// (`submit --failed-lines` reads the file it sent, or its copy of stdin).
pub async fn run_on(
    api: &Arc<Api>,
    settings: &FailedLines,
    file: &File,
    len: u64,
    name: &str,
) -> Result<Outcome> {
    let open = || {
        let cannot = |e: std::io::Error| {
            anyhow::Error::from(Failure::new(
                Class::Other,
                format!("cannot read {name} again: {e}"),
            ))
        };
        let mut file = file.try_clone().map_err(cannot)?;
        file.seek(SeekFrom::Start(0)).map_err(cannot)?;
        // Gzip data is unpacked wherever it is found, but a name ending in
        // `.gz` is not held against a file that was sent as it is.
        Input::from_reader(Box::new(file.take(len)), name.to_string(), false)
    };
    join_to(api, settings, open).await
}

/// The join, once signals are heard: open the input, fetch the failures,
/// write the failed lines.
async fn join_to(
    api: &Arc<Api>,
    settings: &FailedLines,
    open: impl FnOnce() -> Result<Input>,
) -> Result<Outcome> {
    let join = &settings.join;
    let output = join.output.as_deref();
    let flushed = Flushed::writing("line");
    flushed.page_done(Some(match output {
        Some(path) => nothing_written(Some(path)),
        None => "run the same command again".to_string(),
    }));
    let mut interrupts = flushed.listen(&settings.request.clock())?;
    let mut input = open()?;
    let mut failures = fetch(api, settings, &mut interrupts)
        .await
        .map_err(|e| with_nothing_written(e, output))?;
    let mut destination = match &join.output {
        Some(path) => Destination::to_path(path)?,
        None => Destination::stdout(),
    };
    flushed.opened(output, destination.temporary(), Continued::No);
    if let (Some(path), [first, ..]) = (&join.output, &destination.removed[..]) {
        ui::note(format_args!(
            "removed {}, left behind by an earlier run on -o {} that did not finish",
            first.display(),
            path.display()
        ));
    }
    let finder = Finder::new(&join.ids);
    let joined = Join {
        finder: &finder,
        annotate: join.annotate,
        signal: &|| interrupts.heard(),
        progress: join.output.is_some() || !std::io::stdout().is_terminal(),
    }
    .run(&mut input, &mut failures, &mut destination.out);
    ui::clear_progress();
    let counts = joined.map_err(|e| with_nothing_written(e, output))?;
    destination.commit()?;
    Ok(Outcome {
        counts,
        failures: failures.rows(),
        unmatched: failures.unmatched(),
        input: input.name,
    })
}

/// Every failure of the bulk, page after page.
async fn fetch(
    api: &Arc<Api>,
    settings: &FailedLines,
    interrupts: &mut Interrupts,
) -> Result<Failures> {
    let bulk_id = &settings.bulk_id;
    let plan = Plan {
        bulk_id: bulk_id.clone(),
        page_size: settings.fetch.page_size,
        failed_only: true,
        start: None,
        max_rows: None,
        retry: settings.request.retry,
        wait: settings.fetch.wait,
        ordered: settings.fetch.ordered,
        max_empty_pages: settings.fetch.max_empty_pages,
        ahead: true,
        throttle: None,
    };
    let mut pager = Paginator::new(api.clone(), plan, settings.request.clock());
    let mut failures = Failures::default();
    let (mut pages, mut empty) = (0, 0);
    let what = format!("failures of bulk {bulk_id}");
    let started = Instant::now();
    loop {
        let page = tokio::select! {
            biased;
            signal = interrupts.recv() => {
                ui::clear_progress();
                let signal = signal?;
                return Err(Failure::new(
                    Class::Interrupted,
                    format!("interrupted by {signal} while fetching the {what}"),
                )
                .into());
            }
            page = pager.next_page() => page,
        };
        let Some(page) = page.inspect_err(|_| ui::clear_progress())? else {
            break;
        };
        for raw in page.raw_rows() {
            // The page loop checked that every row is an object.
            if let Ok(row) = Row::parse(raw) {
                failures.add(&row);
            }
        }
        pages += 1;
        empty += u64::from(page.row_count() == 0);
        api.recycle(page.into_body());
        let exported = ui::Exported {
            pages,
            empty,
            rows: failures.rows(),
            rows_now: failures.rows(),
        };
        ui::exporting(&what, exported, started.elapsed());
    }
    ui::clear_progress();
    Ok(failures)
}

/// Tell people how the run went: what may need a look (lines with no
/// identifier, a report that matched nothing), then the summary line.
pub fn report(settings: &FailedLines, outcome: &Outcome) {
    let c = &outcome.counts;
    if let Some(first) = c.first_no_identifier {
        ui::note(format_args!(
            "{} no identifier at {} (the first is {}:{first}); if they keep it elsewhere, \
             point to it with --object-id-at or --pulse-id-at",
            plural(c.no_identifier, "input line has", "input lines have"),
            settings.join.ids.describe(),
            outcome.input
        ));
    }
    if outcome.failures > 0 && outcome.unmatched == outcome.failures && c.lines > 0 {
        ui::note(format_args!(
            "none of the {} of bulk {} matched a line of {}: is it the file this bulk was sent \
             from?",
            plural(outcome.failures, "failure", "failures"),
            settings.bulk_id,
            outcome.input
        ));
    }
    ui::info(outcome.summary());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_summary_line_counts_lines_and_failures() {
        let mut outcome = Outcome {
            counts: Counts {
                lines: 100_000,
                failed: 412,
                ..Counts::default()
            },
            failures: 415,
            unmatched: 3,
            ..Outcome::default()
        };
        assert_eq!(
            outcome.summary(),
            "412 of 100000 input lines failed; 3 failures matched no input line; \
             0 input lines had no identifier"
        );
        outcome.counts = Counts {
            lines: 1,
            failed: 1,
            no_identifier: 1,
            unreadable: 2,
            ..Counts::default()
        };
        outcome.unmatched = 1;
        assert_eq!(
            outcome.summary(),
            "1 of 1 input line failed; 1 failure matched no input line; \
             1 input line had no identifier; 2 input lines could not be read"
        );
    }
}
