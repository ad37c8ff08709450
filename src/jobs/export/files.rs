//! Where an export writes: the destination opened (continuing a
//! `--checkpoint`, or the pair kept beside `-o` once its last row is found
//! again on the server), and closed: committed after success; after a
//! failure, what `-o` holds kept or left as it was, with the next step.

use anyhow::Result;

use super::checkpoint::Checkpoint;
use super::report::{self, Written};
use super::write::{Saved, Store};
use super::{interrupted, kept, Exporter};
use crate::bug;
use crate::destination::{Destination, FileHandle};
use crate::exit::{self, is_broken_pipe, Class};
use crate::jobs::last_words::Continued;
use crate::signal::Interrupts;
use crate::{summary, ui};

impl Exporter<'_> {
    /// Before continuing the rows kept beside `-o`, check the server still
    /// has them (`kept::changed`); if not, start over.
    pub(super) async fn check_kept(&mut self, interrupts: &mut Interrupts) -> Result<()> {
        let Some(saved) = self.saved.as_mut().filter(|s| s.state.rows > 0) else {
            return Ok(());
        };
        let Store::Kept(kept) = &mut saved.store else {
            return Ok(());
        };
        let changed = tokio::select! {
            biased;
            signal = interrupts.recv() => {
                return Err(signal.map_or_else(Into::into, interrupted));
            }
            changed = kept::changed(&self.api, self.settings, &saved.state) => changed?,
        };
        if let Some(why) = changed {
            ui::note(format_args!(
                "the report changed or expired since {} was kept ({why}); starting over",
                kept.pair.partial.display()
            ));
            saved.state = Checkpoint::start(self.settings)?;
            (saved.base_rows, saved.base_pages) = (0, 0);
            kept.start_over(&saved.state)?;
        }
        Ok(())
    }

    /// The destination, continued where a checkpoint says the output ends.
    pub(super) fn open(&mut self) -> Result<Destination> {
        let destination = match (&self.output.path, &mut self.saved) {
            (Some(path), Some(s)) => match &mut s.store {
                Store::Checkpoint { .. } => Destination::continue_at(path, s.state.output_bytes)?,
                Store::Kept(kept) => {
                    let partial = (kept.partial.take()).expect("the partial file is opened once");
                    Destination::keep_in(path, &kept.pair, partial, s.state.output_bytes)?
                }
            },
            (Some(path), None) => Destination::to_path(path)?,
            (None, _) => Destination::stdout(),
        };
        self.file = destination.file.clone();
        self.atomic = destination.is_atomic();
        let continued = match self.saved.as_ref().map(|s| &s.store) {
            None => Continued::No,
            Some(Store::Checkpoint { .. }) => Continued::InPlace,
            Some(Store::Kept(_)) => Continued::Kept,
        };
        (self.flushed).opened(
            self.output.path.as_deref(),
            destination.temporary(),
            continued,
        );
        if let (Some(path), [first, more @ ..]) = (&self.output.path, &destination.removed[..]) {
            ui::note(match more.len() {
                0 => format!(
                    "removed {}, left behind by an earlier run on -o {} that did not finish",
                    first.display(),
                    path.display()
                ),
                n => format!(
                    "removed {} temporary files left behind by earlier runs on -o {} that did not finish",
                    n + 1,
                    path.display()
                ),
            });
        }
        if let Some(s) = self.saved.as_ref().filter(|s| s.state.pages > 0) {
            ui::info(match s.kept() {
                Some(kept) => report::continuing(&s.state, &kept.pair.partial),
                None => report::resuming(&s.state, &s.path),
            });
            if s.kept().is_some() && self.export.summary != summary::Mode::Off {
                ui::note("--summary counts the rows this run fetches, not those kept before");
            }
            self.begun = true;
            self.outcome.resumed_rows = Some(s.state.rows);
            self.outcome.counted_before = s.counted_before();
        }
        self.flushed.page_done(self.next_step());
        Ok(destination)
    }

    /// What the output holds if the export stops now.
    pub(super) fn written(&self) -> Written {
        match self.saved.as_ref().and_then(Saved::kept) {
            Some(kept) => Written::Kept {
                rows: kept.saved.0,
                bytes: kept.saved.1,
                partial: kept.pair.partial.clone(),
            },
            None if self.atomic => Written::Nothing,
            None => Written::InPlace,
        }
    }

    /// Commit the output after success; after a failure keep what a
    /// resumable destination holds and say how to continue.
    pub(super) fn finish(&mut self, destination: Destination, result: Result<()>) -> Result<()> {
        match result {
            Ok(()) => {
                // A panic anywhere, even on a thread nobody awaited, and
                // nothing is committed.
                if let Err(e) = bug::check("the export") {
                    self.discard_kept();
                    return Err(e.into());
                }
                if self.export.many() {
                    self.outcome.complete = self.outcome.bulks.iter().all(|b| b.complete);
                }
                let committed = destination.commit();
                match self.saved.as_mut() {
                    // Done, or moved aside (the error says where): the state goes.
                    Some(Saved {
                        store: Store::Kept(kept),
                        ..
                    }) => kept.done(),
                    Some(s) if self.outcome.complete && committed.is_ok() => {
                        s.state.complete = true;
                        s.state.output_bytes = self.file.as_ref().map_or(0, FileHandle::end_offset);
                        s.state.save(&s.path)?;
                    }
                    _ => {}
                }
                committed
            }
            Err(e) if is_broken_pipe(&e) => Err(e),
            Err(e) => {
                if !destination.is_atomic() {
                    // Whole pages (and a closed JSON array) stay where they are.
                    let _ = destination.commit();
                }
                if let Some(Saved {
                    state,
                    store: Store::Kept(kept),
                    ..
                }) = self.saved.as_mut()
                {
                    // Stopped after the last page: the next run fetches
                    // nothing, and puts the output in place.
                    state.complete = !self.export.many() && self.outcome.complete;
                    kept.keep(state, self.file.as_ref());
                }
                if bug::panicked() || exit::class(&e) == Class::Internal {
                    self.discard_kept();
                }
                // An uncommitted temporary file is removed here; -o keeps what it held.
                Err(report::with_next_step(
                    e,
                    self.settings,
                    &self.outcome,
                    &self.written(),
                ))
            }
        }
    }
    /// What a bug wrote is not continued: the pair kept beside `-o` goes.
    fn discard_kept(&mut self) {
        if let Some(Saved {
            store: Store::Kept(kept),
            ..
        }) = self.saved.as_mut()
        {
            kept.discard();
        }
    }
}
