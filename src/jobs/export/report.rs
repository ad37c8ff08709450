//! What an export tells people when it ends: the summary line, the cursor
//! to resume from, each bulk's outcome, and what to do after a failure.

use std::path::{Path, PathBuf};

use crate::exit::{Class, Failure};
use crate::jobs::last_words::{kept, kept_rows, nothing_written};
use crate::settings::Results;
use crate::summary;
use crate::ui;

use super::Outcome;

/// What `-o` (or stdout) holds when an export stops.
pub enum Written {
    /// What was written, in the output itself: stdout, a device,
    /// `--checkpoint`'s file.
    InPlace,
    /// Nothing: `-o` is replaced only on success.
    Nothing,
    /// `-o` untouched, and in the pair kept beside it, `rows` rows in
    /// `bytes` bytes of `partial`, durably.
    Kept {
        rows: u64,
        bytes: u64,
        partial: PathBuf,
    },
}

/// Add what to do next to a failure (unless it says so itself).
pub fn with_next_step(
    err: anyhow::Error,
    settings: &Results,
    outcome: &Outcome,
    written: &Written,
) -> anyhow::Error {
    let Some(hint) = next_step(settings, outcome, written) else {
        return err;
    };
    match err.downcast::<Failure>() {
        Ok(f) if f.hint.is_some() => f.into(),
        Ok(f) => f.with_hint(hint).into(),
        Err(other) => Failure::new(Class::Other, format!("{other:#}"))
            .with_hint(hint)
            .into(),
    }
}

/// What to do after an export stops here: run again with the checkpoint,
/// or to continue what was kept beside `-o`, resume stdout with `--last`
/// (one command per unfinished bulk), or know that `-o` was left untouched.
/// `None` when there is nothing to resume.
pub fn next_step(settings: &Results, outcome: &Outcome, written: &Written) -> Option<String> {
    let (export, output) = (&settings.export, &settings.output);
    match written {
        Written::Kept {
            rows: rows @ 1..,
            bytes,
            partial,
        } => return Some(kept(*rows, *bytes, partial)),
        Written::Kept { .. } => return Some(nothing_written(output.path.as_deref())),
        _ => {}
    }
    let atomic = matches!(written, Written::Nothing);
    let written = match outcome.pages {
        0 => String::new(),
        _ => format!(
            "{} in {} were written; ",
            plural(outcome.rows, "row"),
            plural(outcome.pages, "page")
        ),
    };
    let hint = if export.many() && atomic && export.checkpoint.is_none() {
        nothing_written(output.path.as_deref())
    } else if export.many() && export.checkpoint.is_none() {
        format!("{written}{}", resume_bulks(outcome, output.path.as_deref()))
    } else if let Some(checkpoint) = &export.checkpoint {
        format!(
            "{written}run the same command again to continue from --checkpoint {}",
            checkpoint.display()
        )
    } else if atomic {
        format!(
            "{} (add --checkpoint FILE to keep progress across failures)",
            nothing_written(output.path.as_deref())
        )
    } else {
        match (&outcome.resume, outcome.pages) {
            (Some(cursor), 1..) => format!("{written}resume right after them with --last {cursor}"),
            _ => return None,
        }
    };
    Some(hint)
}

/// How to finish a many-bulk export whose whole pages stay where they were
/// written: the bulks already complete, and one command per other bulk that
/// continues right after its last page written (from its start if none was).
fn resume_bulks(outcome: &Outcome, path: Option<&Path>) -> String {
    let complete: Vec<&str> = (outcome.bulks.iter())
        .filter(|b| b.complete)
        .map(|b| b.id.as_str())
        .collect();
    let mut stuck = Vec::new();
    let commands: Vec<String> = (outcome.bulks.iter())
        .filter(|b| !b.complete)
        .filter_map(|b| match (&b.resume, b.pages) {
            (_, 0) => Some(format!("`druid-bulk results {}`", b.id)),
            (Some(cursor), _) => Some(format!("`druid-bulk results {} --last {cursor}`", b.id)),
            (None, _) => {
                stuck.push(b.id.as_str());
                None
            }
        })
        .collect();
    let complete = match complete.as_slice() {
        [] => "no bulk is complete yet".to_string(),
        ids => format!("bulks complete: {}", ids.join(" ")),
    };
    let options = match path {
        Some(_) => "the same other options but another -o",
        None => "the same other options",
    };
    let mut hint = format!(
        "{complete}; to export the rest with nothing repeated, run each of these with {options}: {}",
        commands.join(", ")
    );
    if !stuck.is_empty() {
        hint.push_str(&format!(
            "; the last row written of {} has no id to resume from",
            stuck.join(" ")
        ));
    }
    hint
}

/// Tell people how an export ended, on stderr (nothing with `--quiet`,
/// except what a script needs: the resume cursor of a `--max-rows` stop, a
/// failed bulk, and the `--summary` table that was asked for).
pub fn report(settings: &Results, outcome: &Outcome) {
    let (export, output) = (&settings.export, &settings.output);
    if let Some(done) = &outcome.already_complete {
        ui::info(already_complete(done));
        return;
    }
    if export.many() {
        for bulk in &outcome.bulks {
            match &bulk.failure {
                Some(f) => {
                    ui::always(format_args!(
                        "bulk {}: failed after {} (exit {}): {}",
                        bulk.id,
                        plural(bulk.rows, "row"),
                        f.class.code(),
                        f.message
                    ));
                    if let Some(hint) = &f.hint {
                        ui::hint(hint);
                    }
                }
                None if bulk.complete && bulk.pages == 0 => ui::info(format_args!(
                    "bulk {}: complete in an earlier run{}",
                    bulk.id,
                    if export.checkpoint.is_some() {
                        " (--checkpoint)"
                    } else {
                        ""
                    }
                )),
                None => ui::info(format_args!(
                    "bulk {}: {}",
                    bulk.id,
                    plural(bulk.rows, "row")
                )),
            }
        }
    }
    if let Some(unfinished) = unfinished(settings, outcome) {
        ui::always(unfinished);
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
    let ranges = match outcome.ranges {
        Some((used, fell_back)) => format!(
            "; {}, {} fell back",
            plural(used, "range"),
            plural(fell_back, "seam")
        ),
        None => String::new(),
    };
    ui::info(format_args!(
        "{} in {}{bulks}{dest} ({:.1}s){total}{ranges}",
        plural(outcome.rows, "row"),
        plural(outcome.pages, "page"),
        outcome.elapsed.as_secs_f64()
    ));
}

/// `the export of bulk B into OUT is already complete (N rows)…`.
pub fn already_complete(done: &super::checkpoint::Checkpoint) -> String {
    format!(
        "the export of {} {} into {} is already complete ({}); pass --restart to export it again",
        if done.bulks.is_empty() {
            "bulk"
        } else {
            "bulks"
        },
        done.bulk_ids(),
        done.output.display(),
        plural(done.rows, "row")
    )
}

/// How to finish an export that ended without an error but not complete
/// (`--max-rows`, a failed bulk among several); `None` when it is complete.
pub fn unfinished(settings: &Results, outcome: &Outcome) -> Option<String> {
    let (export, output) = (&settings.export, &settings.output);
    if outcome.already_complete.is_some() {
        return None;
    }
    if export.many() {
        let writing = export.summary != summary::Mode::Only;
        if !writing || outcome.bulks.iter().all(|b| b.complete) {
            return None;
        }
        return Some(match &export.checkpoint {
            Some(checkpoint) => format!(
                "the rows of whole pages were written; run the same command again to \
                 continue the bulks not complete from --checkpoint {}",
                checkpoint.display()
            ),
            None => format!(
                "the rows of whole pages were written; {}",
                resume_bulks(outcome, output.path.as_deref())
            ),
        });
    }
    if outcome.complete {
        return None;
    }
    Some(max_rows_stop(
        outcome.counted_before + outcome.rows,
        export.max_rows,
        outcome.resume.as_deref(),
        export.checkpoint.is_some(),
    ))
}

/// What a `--max-rows` stop after `rows` rows says. It stops short of the
/// limit only where the next row has no id to resume from (see write.rs);
/// with none written at all, the same limit would stop there again.
fn max_rows_stop(rows: u64, max: Option<u64>, resume: Option<&str>, checkpoint: bool) -> String {
    let stopped = match max.filter(|&max| rows < max) {
        Some(max) => format!(
            "stopped after {} (not {max}: row {} has no id to resume from)",
            plural(rows, "row"),
            rows + 1
        ),
        None => format!("stopped after {} (--max-rows)", plural(rows, "row")),
    };
    let raise = if rows == 0 {
        "raise --max-rows to get past it, then "
    } else {
        ""
    };
    let next = match (resume, checkpoint) {
        (Some(cursor), true) => format!(
            "{raise}run the same command again to continue, or resume right after them with \
             --last {cursor}"
        ),
        (Some(cursor), false) => format!("{raise}resume right after them with --last {cursor}"),
        (None, true) => format!("{raise}run the same command again to continue"),
        (None, false) => format!("{raise}run it again"),
    };
    format!("{stopped}; {next}")
}

/// The line that says a run continues an earlier one.
pub fn resuming(state: &super::checkpoint::Checkpoint, path: &Path) -> String {
    format!(
        "resuming from {}: {} in {} already in {}",
        path.display(),
        plural(state.rows, "row"),
        plural(state.pages, "page"),
        state.output.display()
    )
}

/// The line that says a run continues what an earlier one kept beside `-o`:
/// `continuing the 36,000 rows kept in .big.csv.druid-bulk.partial`.
pub fn continuing(state: &super::checkpoint::Checkpoint, partial: &Path) -> String {
    let rows = match state.rows {
        1 => "the row".to_string(),
        n => format!("the {}", kept_rows(n)),
    };
    format!("continuing {rows} kept in {}", partial.display())
}

pub fn plural(n: u64, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}
