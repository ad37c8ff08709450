//! The page model: the one place that reads JSON text by hand. A results
//! page's wire types (`wire.rs`), its check against the protocol
//! (`check.rs`: shape, `result.status`, the bulk, rows in id order; the
//! `Page` the cursor loop yields), the one-pass scanner of the usual body,
//! which is also its UTF-8 check (`scan.rs`; rows are then read as bytes
//! known to be UTF-8), where a run of string text ends and where the rows lie
//! (`json_text.rs`), and a row read where it lies in the body (`row.rs`:
//! `Row`, its fields, its id, unescaping). It knows nothing of HTTP or of
//! output; `paginate`, `api` and `output` read pages and rows through it.
//!
//! Every hand-written reader here is held to serde_json by property tests
//! on generated and mutated text (`json_gen.rs`), and the page reader to
//! the public JSON conformance suite (`output/conformance.rs`, which also
//! writes what it reads).

pub mod check;
#[cfg(test)]
pub(crate) mod json_gen;
pub mod json_text;
pub mod row;
pub mod scan;
pub mod wire;

pub use check::Page;
pub use row::Row;
