//! One page's body: parsed, checked against the protocol, and
//! kept with where each of its rows lies in it (`json_text::Spans`: a bit a
//! byte, so the writer does not scan for the rows again): memory is bounded
//! by the page's bytes whatever its row count.
//!
//! The rules, in order:
//! - a body cut short (JSON that ends early) may come whole if asked again;
//! - a complete body that is not a JSON object of the documented shape, or
//!   that has neither `content` nor `result`, breaks the protocol;
//! - a `result.status` outside 2xx is that error, as if it were the HTTP
//!   status;
//! - a `content.bulkId` that names another bulk breaks the protocol;
//! - every row is a JSON object;
//! - rows page by id: each row's `id` is greater than the cursor sent for
//!   its page and than the row before it (rows without an `id` are not
//!   checked), unless `--unordered`.
//!
//! What reads a 200 body, and how many times. A usual body is read twice,
//! check then write (before, three times: a UTF-8 check of the whole
//! body, the check, the write):
//! 1. the check (`read`): the one-pass scanner (`scan::read`), which is
//!    also the UTF-8 check: a string's bytes are checked when the string
//!    ends (only if they are not all ASCII, which the search for its end
//!    notes), and every byte outside the strings must be ASCII JSON. It
//!    keeps where each row lies, and reads each row's id from the row's
//!    first bytes as it passes (`RowId::of`, in any spacing; a row whose id
//!    is not its first member is parsed by serde for it). Whitespace
//!    between tokens is ordinary: a body spaced with `", "` or
//!    pretty-printed, its members in any order, is read here too;
//! 2. the write: each row once more, from where it lies, as bytes (passed
//!    through for JSON, one pass over its members for CSV and the table);
//!    only what must become text is checked as UTF-8 again, each piece on
//!    its own: a table's or a summary's cells, a resume cursor's id, and
//!    the page's cursor, bulk id and last row id.
//!
//! Besides: the request sent ahead peeks at the body's start, up to
//! `content.lastId` (`scan::cursor_ahead`, in `paginate/ahead.rs`). A body
//! the scanner leaves to serde (anything unusual, and every broken body) is
//! read as it was before the scanner checked UTF-8: the scanner up to where
//! it gave up, then the whole body checked as UTF-8 and parsed by serde
//! (whose errors say what is wrong and where), then the write. The
//! whole-body check stays there because serde does not check the strings
//! it passes over (`serde_json::from_slice` lets a bad byte in a skipped
//! member through), and it keeps every message as it was.

use std::borrow::Cow;
use std::cmp::Ordering;

use bytes::Bytes;

use super::json_text::{preview, Spans};
use super::scan;
use super::wire::{compare, Results, ResultsBody};

/// One page as received, with the cursors around it.
#[derive(Debug)]
pub struct Page {
    /// 1-based page number in this run.
    pub number: u64,
    /// The cursor sent to get this page (`None` for the very first).
    pub sent: Option<String>,
    /// The cursor for the next page; `None` when this was the last one.
    pub next: Option<String>,
    /// The body, checked: JSON, and UTF-8 throughout.
    pub(crate) body: Bytes,
    /// Where each row lies in `body`.
    pub(crate) rows: Spans,
}

impl Page {
    /// The body, to hand back to `Api::recycle` after writing.
    pub fn into_body(self) -> Bytes {
        self.body
    }

    /// Number of rows on the page.
    pub fn row_count(&self) -> usize {
        self.rows.len()
    }

    /// Each row's JSON text (an object, checked, UTF-8), one at a time,
    /// borrowed from the body.
    pub fn raw_rows(&self) -> impl Iterator<Item = &[u8]> + '_ {
        (self.rows.ranges()).map(|r| self.body.get(r).unwrap_or_default())
    }

    /// The same page without its first `skip` rows (`--split`: rows an
    /// earlier range already wrote), asked for with `sent`, the id of the
    /// last row before those that remain.
    pub fn without_first(self, skip: usize, sent: Option<String>) -> Page {
        let mut rows = Spans::default();
        for raw in self.raw_rows().skip(skip) {
            rows.push(raw);
        }
        Page {
            sent,
            rows: rows.in_text(&self.body),
            ..self
        }
    }
}

/// What a whole 200 body holds.
#[derive(Debug, PartialEq, Eq)]
pub enum Body {
    /// Rows (perhaps none) and the cursor that follows them.
    Rows {
        last_id: Option<String>,
        /// Where each row lies in the body.
        rows: Spans,
        /// The last row id on the page, the lower bound for the next one.
        last_row: Option<String>,
    },
    /// `result.status` outside 2xx: handled as that HTTP status.
    Status(u16),
}

/// Why a body cannot be used.
#[derive(Debug, PartialEq, Eq)]
pub enum Broken {
    /// JSON that ends early: asking again may give all of it.
    CutShort(String),
    /// A complete body that breaks the protocol: asking again will not help.
    Protocol(String),
}

/// What a page is checked against.
pub struct Expect<'a> {
    pub bulk_id: &'a str,
    /// The cursor sent for this page.
    pub sent: Option<&'a str>,
    /// The last row id of the page before.
    pub before: Option<&'a str>,
    /// Whether rows must come in id order (`--unordered` turns it off).
    pub ordered: bool,
}

/// Parse and check one whole 200 body. `Ok` only for a body that is UTF-8
/// throughout: the writer takes its rows as they lie.
pub fn read(body: &[u8], expect: &Expect<'_>) -> Result<Body, Broken> {
    let parsed = parse(body)?;
    if let Some(status) = parsed.status().filter(|s| !(200..300).contains(s)) {
        return Ok(Body::Status(status));
    }
    if parsed.content.is_none() && parsed.result.is_none() {
        return Err(Broken::Protocol(
            "has neither `content` nor `result`".into(),
        ));
    }
    if let Some(other) = parsed.bulk_id() {
        if !other.eq_ignore_ascii_case(expect.bulk_id) {
            return Err(Broken::Protocol(format!(
                "belongs to another bulk (content.bulkId is {other:?})"
            )));
        }
    }
    let last_id = parsed.last_id().map(str::to_string);
    let mut results = (parsed.content).and_then(|c| c.results).unwrap_or_default();
    let rows = std::mem::take(&mut results.rows).in_text(body);
    if let Some((n, row)) = results.not_object {
        return Err(Broken::Protocol(format!(
            "has a result row that is not a JSON object (row {}: {})",
            n + 1,
            preview(&text(row))
        )));
    }
    let last_row = if expect.ordered {
        check_order(&results, expect)?
    } else {
        None
    };
    Ok(Body::Rows {
        last_id,
        rows,
        last_row: last_row.or_else(|| expect.before.map(str::to_string)),
    })
}

/// The body as the wire types read it: by the scanner (a usual body, in
/// one pass that checks its UTF-8 too), else by [`by_serde`].
fn parse(body: &[u8]) -> Result<ResultsBody<'_>, Broken> {
    match scan::read(body) {
        Some(parsed) => Ok(parsed),
        None => by_serde(body),
    }
}

/// The body checked as UTF-8 as a whole, then parsed by serde: what
/// [`parse`] does with anything the scanner leaves, and what it gives the
/// same answer as when the scanner reads the body.
fn by_serde(body: &[u8]) -> Result<ResultsBody<'_>, Broken> {
    let text = std::str::from_utf8(body).map_err(|e| match e.error_len() {
        None => cut_short(body.len()),
        Some(_) => Broken::Protocol(format!(
            "is not the JSON the API documents (invalid unicode code point, at byte {})",
            e.valid_up_to()
        )),
    })?;
    // serde would take an array for a struct: only an object is an answer.
    if !matches!(body.trim_ascii_start().first(), Some(b'{') | None) {
        let at = body.len() - body.trim_ascii_start().len();
        return Err(Broken::Protocol(format!(
            "is not a JSON object (at byte {at})"
        )));
    }
    serde_json::from_str(text).map_err(|e| shape_error(body, &e))
}

/// Bytes of a checked body (UTF-8) as text, for a message.
fn text(bytes: &[u8]) -> Cow<'_, str> {
    String::from_utf8_lossy(bytes)
}

/// What went wrong with a body that did not parse, and where.
fn shape_error(body: &[u8], e: &serde_json::Error) -> Broken {
    let at = byte_offset(body, e.line(), e.column());
    match e.classify() {
        serde_json::error::Category::Eof => cut_short(body.len()),
        _ => {
            // serde's text ends with "at line L column C": say the byte instead.
            let text = e.to_string();
            let what = text.split(" at line ").next().unwrap_or(&text);
            Broken::Protocol(format!(
                "is not the JSON the API documents ({what}, at byte {at})"
            ))
        }
    }
}

/// A body of `len` bytes that ends early.
fn cut_short(len: usize) -> Broken {
    Broken::CutShort(format!(
        "is not valid JSON: it ends early, after {len} bytes"
    ))
}

/// The 0-based byte offset of serde_json's 1-based line and column.
fn byte_offset(body: &[u8], line: usize, column: usize) -> usize {
    let line_start: usize = body
        .split(|&b| b == b'\n')
        .take(line.saturating_sub(1))
        .map(|l| l.len() + 1)
        .sum();
    line_start + column.saturating_sub(1)
}

/// The first row id greater than the cursor sent and than the last row of
/// the page before, and each after the one before it (checked as the page
/// parsed); returns the page's last row id.
fn check_order(results: &Results<'_>, expect: &Expect<'_>) -> Result<Option<String>, Broken> {
    let out_of_order = |n: usize, id: &[u8], bound: &str, what: &str| {
        Broken::Protocol(format!(
            "has its rows out of order: row {} has id {}, which is not after {bound} \
             ({what}); rows page by id, so rows would be repeated or lost (pass \
             --unordered if this server does not sort them)",
            n + 1,
            text(id)
        ))
    };
    if let Some((n, id)) = &results.first_id {
        let bounds = [
            (expect.before, "the last row of the page before"),
            (expect.sent, "the cursor sent for this page"),
        ];
        for (bound, what) in bounds {
            if let Some(bound) = bound {
                if compare(id, bound) != Ordering::Greater {
                    return Err(out_of_order(*n, id, bound, what));
                }
            }
        }
    }
    // Ids rise within the page and the first is after both bounds: every
    // later one is too.
    if let Some((n, id, before)) = &results.disorder {
        return Err(out_of_order(*n, id, &text(before), "the row before it"));
    }
    Ok(results.last_id.as_ref().map(|id| text(id).into_owned()))
}

#[cfg(test)]
mod tests;
