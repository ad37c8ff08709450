//! `--summary` on a CI job's page: with `GITHUB_STEP_SUMMARY` set, the
//! summary is also appended to that file in Markdown, which GitHub Actions
//! shows on the job's page. It says how the export ended (also part-way), so
//! nobody has to dig through the log. Writing it never changes how the
//! export ends: a file that cannot be written is a warning.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use crate::exit::{self, Class};
use crate::sanitize::markdown;
use crate::settings::Results;
use crate::summary::{self, Counts};
use crate::ui;

use super::report::{already_complete, plural, unfinished};
use super::Outcome;

/// Errors listed by count; the rest are counted in one line.
const TOP_ERRORS: usize = 10;

/// How a run ended, as its exit status and stderr say it.
pub struct Ending<'a> {
    /// The exit status's class; `None` for exit 0.
    pub class: Option<Class>,
    /// The error printed on stderr, if the export stopped with one.
    pub error: Option<&'a anyhow::Error>,
}

/// Append the Markdown summary to the job summary file, if the run has one.
pub fn append(settings: &Results, outcome: &Outcome, ending: &Ending<'_>) {
    let Some(path) = &settings.export.job_summary else {
        return;
    };
    let text = render(settings, outcome, ending);
    if let Err(e) = write(path, &text) {
        ui::warn(format_args!(
            "cannot append the summary to GITHUB_STEP_SUMMARY ({}): {e}; the export itself is \
             unaffected",
            path.display()
        ));
    }
}

/// One write at the end of the file, after what earlier steps put there.
fn write(path: &Path, text: &str) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)?;
    file.write_all(text.as_bytes())?;
    file.flush()
}

/// The summary in Markdown: a heading, how the run ended, what was written,
/// how to continue, the top errors and each bulk's outcome. Every text that
/// comes from the server or the user is escaped.
pub fn render(settings: &Results, outcome: &Outcome, ending: &Ending<'_>) -> String {
    let export = &settings.export;
    let mut md = String::new();
    let what = match export.bulk_ids.as_slice() {
        [one] => format!("bulk {}", markdown(one)),
        many => format!("{} bulks", many.len()),
    };
    // A blank line first: whatever the file holds, this starts a new block.
    let _ = writeln!(md, "\n### druid-bulk: {what}\n");
    let status = match (ending.class, ending.error) {
        (Some(class), _) => format!("**Exit {}**: {}", class.code(), class.meaning()),
        (None, Some(_)) => "**Exit 0**: the reader of stdout went away before the end".into(),
        (None, None) if !outcome.complete => "**Exit 0**: stopped where --max-rows said".into(),
        (None, None) => "**Exit 0**: every page was fetched and written".into(),
    };
    let _ = writeln!(md, "{status}\n");
    if let Some(err) = ending.error.filter(|_| ending.class.is_some()) {
        let _ = writeln!(md, "> {}\n", markdown(&format!("{err:#}")));
    }
    if let Some(done) = &outcome.already_complete {
        let _ = writeln!(md, "{}\n", markdown(&already_complete(done)));
        return md;
    }
    let _ = writeln!(md, "{}", written(settings, outcome));
    if let Some(counts) = &outcome.counts {
        let _ = writeln!(
            md,
            "- Rows with an error: {}, {}",
            counts.with_error,
            plural(counts.errors().len() as u64, "distinct error")
        );
    }
    md.push('\n');
    // What stderr says to do next: the error's `hint:`, or how to finish.
    let next = match ending.error {
        Some(err) => exit::hint(err).map(|hint| ("Hint", hint.to_string())),
        None => unfinished(settings, outcome).map(|next| ("To continue", next)),
    };
    if let Some((label, next)) = next {
        let _ = writeln!(md, "**{label}:** {}\n", markdown(&next));
    }
    if let Some(counts) = &outcome.counts {
        errors_table(&mut md, counts);
    }
    if export.many() {
        bulks_table(&mut md, outcome);
    }
    md
}

/// `- Rows written: N rows in P pages, to OUT` (and the rows in all after a
/// resume).
fn written(settings: &Results, outcome: &Outcome) -> String {
    let (export, output) = (&settings.export, &settings.output);
    let dest = match &output.path {
        Some(path) => markdown(&path.display().to_string()),
        None => "stdout".into(),
    };
    let rows = format!(
        "{} in {}",
        plural(outcome.rows, "row"),
        plural(outcome.pages, "page")
    );
    let mut line = if export.summary == summary::Mode::Only {
        format!("- Rows read: {rows}; only this summary was written, to {dest}")
    } else {
        format!("- Rows written: {rows}, to {dest}")
    };
    if let Some(before) = outcome.resumed_rows {
        let _ = write!(
            line,
            " ({} in all, with earlier runs)",
            plural(before + outcome.rows, "row")
        );
    }
    line
}

/// The most frequent errors with their counts.
fn errors_table(md: &mut String, counts: &Counts) {
    let errors = counts.errors();
    if errors.is_empty() {
        return;
    }
    md.push_str("| count | error |\n|---:|---|\n");
    for (message, count) in errors.iter().take(TOP_ERRORS) {
        let _ = writeln!(md, "| {count} | {} |", markdown(message));
    }
    if let Some(more) = errors.len().checked_sub(TOP_ERRORS).filter(|&n| n > 0) {
        let errors = if more == 1 { "error" } else { "errors" };
        let _ = writeln!(
            md,
            "\n…and {more} more distinct {errors}; the output has every row."
        );
    }
    md.push('\n');
}

/// With several bulks: each one's rows and outcome.
fn bulks_table(md: &mut String, outcome: &Outcome) {
    md.push_str("| bulk | rows | outcome |\n|---|---:|---|\n");
    for bulk in &outcome.bulks {
        let how = match &bulk.failure {
            Some(f) => {
                let mut how = format!("failed (exit {}): {}", f.class.code(), f.message);
                if let Some(hint) = &f.hint {
                    let _ = write!(how, " (hint: {hint})");
                }
                how
            }
            None if bulk.complete && bulk.pages == 0 => "complete in an earlier run".into(),
            None if bulk.complete => "complete".into(),
            None => "not complete".into(),
        };
        let _ = writeln!(
            md,
            "| {} | {} | {} |",
            markdown(&bulk.id),
            bulk.rows,
            markdown(&how)
        );
    }
    md.push('\n');
}
