//! What an export tells people when it ends: the summary line, the cursor
//! to resume from, each bulk's outcome, and what to do after a failure.

use std::path::Path;

use crate::exit::{Class, Failure};
use crate::settings::Results;
use crate::summary;
use crate::ui;

use super::Outcome;

/// Add what to do next to a failure: run again with the checkpoint, resume
/// stdout with `--last`, or know that `-o` was left untouched.
pub fn with_next_step(
    err: anyhow::Error,
    settings: &Results,
    outcome: &Outcome,
    atomic: bool,
) -> anyhow::Error {
    let (export, output) = (&settings.export, &settings.output);
    let written = match outcome.pages {
        0 => String::new(),
        _ => format!(
            "{} in {} were written; ",
            plural(outcome.rows, "row"),
            plural(outcome.pages, "page")
        ),
    };
    let hint = if export.many() {
        let unfinished: Vec<&str> = outcome
            .bulks
            .iter()
            .filter(|b| !b.complete)
            .map(|b| b.id.as_str())
            .collect();
        format!(
            "{written}bulks not exported completely: {}; run those again",
            unfinished.join(" ")
        )
    } else if let Some(checkpoint) = &export.checkpoint {
        format!(
            "{written}run the same command again to continue from --checkpoint {}",
            checkpoint.display()
        )
    } else if atomic {
        let dest = output.path.as_deref().unwrap_or(Path::new(""));
        format!(
            "-o {} was left as it was; run the same command again (add --checkpoint FILE to keep \
             progress across failures)",
            dest.display()
        )
    } else {
        match (&outcome.resume, outcome.pages) {
            (Some(cursor), 1..) => format!("{written}resume right after them with --last {cursor}"),
            _ => return err,
        }
    };
    match err.downcast::<Failure>() {
        Ok(f) if f.hint.is_some() => f.into(),
        Ok(f) => f.with_hint(hint).into(),
        Err(other) => Failure::new(Class::Other, format!("{other:#}"))
            .with_hint(hint)
            .into(),
    }
}

/// Tell people how an export ended, on stderr (nothing with `--quiet`,
/// except what a script needs: the resume cursor of a `--max-rows` stop, a
/// failed bulk, and the `--summary` table that was asked for).
pub fn report(settings: &Results, outcome: &Outcome) {
    let (export, output) = (&settings.export, &settings.output);
    if let Some(done) = &outcome.already_complete {
        ui::info(format_args!(
            "the export of bulk {} into {} is already complete ({}); pass --restart to export it again",
            done.bulk_id,
            done.output.display(),
            plural(done.rows, "row")
        ));
        return;
    }
    if export.many() {
        for bulk in &outcome.bulks {
            match &bulk.failure {
                Some(f) => ui::always(format_args!(
                    "bulk {}: failed after {} (exit {}): {}",
                    bulk.id,
                    plural(bulk.rows, "row"),
                    f.class.code(),
                    f.message
                )),
                None => ui::info(format_args!(
                    "bulk {}: {}",
                    bulk.id,
                    plural(bulk.rows, "row")
                )),
            }
        }
    } else if !outcome.complete {
        let again = match &export.checkpoint {
            Some(_) => "run the same command again to continue, or resume",
            None => "resume",
        };
        match &outcome.resume {
            Some(cursor) => ui::always(format_args!(
                "stopped after {} (--max-rows); {again} right after them with --last {cursor}",
                plural(outcome.rows, "row")
            )),
            None => ui::always(format_args!(
                "stopped after {} (--max-rows); the last row has no id to resume from",
                plural(outcome.rows, "row")
            )),
        }
    }
    if let (Some(counts), summary::Mode::Stderr) = (&outcome.counts, export.summary) {
        ui::always(counts.render().trim_end());
    }
    let dest = (output.path.as_ref())
        .map(|p| format!(" to {}", p.display()))
        .unwrap_or_default();
    let bulks = if export.many() {
        format!(" from {}", plural(outcome.bulks.len() as u64, "bulk"))
    } else {
        String::new()
    };
    let total = match outcome.resumed_rows {
        Some(before) => format!(", {} in all", plural(before + outcome.rows, "row")),
        None => String::new(),
    };
    ui::info(format_args!(
        "{} in {}{bulks}{dest} ({:.1}s){total}",
        plural(outcome.rows, "row"),
        plural(outcome.pages, "page"),
        outcome.elapsed.as_secs_f64()
    ));
}

/// The line that says a run continues an earlier one.
pub fn resuming(state: &crate::checkpoint::Checkpoint, path: &Path) -> String {
    format!(
        "resuming from {}: {} in {} already in {}",
        path.display(),
        plural(state.rows, "row"),
        plural(state.pages, "page"),
        state.output.display()
    )
}

pub fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}
