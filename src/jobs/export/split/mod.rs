//! `--split N`: one bulk fetched as up to N id ranges at once, written as
//! the sequential export would write it (issue 25).
//!
//! `bounds.rs` does the UUIDv7 arithmetic, `seam.rs` decides whether a
//! range may follow the chain before it.

// Not yet called: the engine that uses them is the next step.
#[allow(dead_code)]
mod bounds;
#[allow(dead_code)]
mod seam;
