//! What the sandbox makes of a submitted bulk's JSON lines: [`LineReader`]
//! splits the body into lines as its chunks arrive and keeps, per line, only
//! what the results need ([`Line`]: the user it names and why its update
//! fails, if it does), never the line itself.
//!
//! The rules, applied in this order (the first that matches decides):
//! - a blank line is skipped: it is no line of the bulk and has no row;
//! - a line that is not valid JSON, not a JSON object, longer than
//!   [`MAX_LINE_BYTES`], or that names no user (no string `object_id` or
//!   `pulse_id` in its `user` object, nor a top-level `object_id`,
//!   `pulse_id`, `objectId` or `pulseId`) fails with a message that names
//!   its line number; its row has no identifier (`userIdentifierType` null),
//!   since nothing else could tell which line it was;
//! - a `user.email` without `@` fails: `Invalid email "x", expected user@domain`;
//! - a `user.phone` or `user.phoneNumber` not starting with `+` fails:
//!   `Invalid phone number "x"`;
//! - about [`NOT_FOUND_PER_MILLE`] in a thousand users fail with
//!   `User not found`, picked by a hash of the seed and the identifier (so the
//!   same user is unknown in every bulk, as a real one would be);
//! - every other line succeeds.

use std::borrow::Cow;

use serde_json::{Map, Value};

use super::data::{hash_str, mix, Row, RowGen};

/// A longer line fails without being parsed (its bytes are not kept).
pub(crate) const MAX_LINE_BYTES: usize = 1024 * 1024;
/// Share, per thousand, of users the sandbox does not know.
pub(crate) const NOT_FOUND_PER_MILLE: u64 = 30;

/// Why a line's update failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Failure {
    NotJson { line: u64 },
    NotObject { line: u64 },
    TooLong { line: u64 },
    NoIdentifier { line: u64 },
    Email(Box<str>),
    Phone(Box<str>),
    NotFound,
}

impl Failure {
    /// The row's `error`.
    pub(crate) fn message(&self) -> Cow<'static, str> {
        match self {
            Failure::NotJson { line } => format!("Line {line}: not valid JSON").into(),
            Failure::NotObject { line } => format!("Line {line}: not a JSON object").into(),
            Failure::TooLong { line } => format!(
                "Line {line}: longer than {} MiB",
                MAX_LINE_BYTES / (1024 * 1024)
            )
            .into(),
            Failure::NoIdentifier { line } => format!(
                "Line {line}: no user identifier (user.object_id or user.pulse_id is mandatory)"
            )
            .into(),
            Failure::Email(value) => {
                format!("Invalid email {value:?}, expected user@domain").into()
            }
            Failure::Phone(value) => format!("Invalid phone number {value:?}").into(),
            Failure::NotFound => Cow::Borrowed("User not found"),
        }
    }
}

/// What the results keep of one submitted line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Line {
    pub object_id: Option<Box<str>>,
    pub pulse_id: Option<Box<str>>,
    pub failure: Option<Failure>,
}

impl Line {
    fn failed(failure: Failure) -> Line {
        Line {
            object_id: None,
            pulse_id: None,
            failure: Some(failure),
        }
    }

    /// The result row of this line, the `index`-th of bulk `gen`: typed by
    /// `object_id` when the line has one, else by `pulse_id`; the other
    /// identifier is there too when the line has both.
    pub(crate) fn row(&self, gen: &RowGen, index: u64) -> Row {
        let kind = match (&self.object_id, &self.pulse_id) {
            (Some(_), _) => Some("object_id"),
            (None, Some(_)) => Some("pulse_id"),
            (None, None) => None,
        };
        let some = |id: &Option<Box<str>>| id.as_deref().map(|id| Some(id.to_string()));
        Row {
            id: gen.id(index),
            user_identifier_type: kind,
            object_id: some(&self.object_id),
            pulse_id: some(&self.pulse_id),
            error: self.failure.as_ref().map(Failure::message),
            field: None,
        }
    }
}

/// Whether the sandbox does not know the user with this identifier.
pub(crate) fn unknown_user(seed: u64, identifier: &str) -> bool {
    mix(seed ^ mix(hash_str(identifier) ^ 0x5EED_0F0F_u64)) % 1000 < NOT_FOUND_PER_MILLE
}

/// A non-empty string at `key` of `map`.
fn text<'a>(map: &'a Map<String, Value>, key: &str) -> Option<&'a str> {
    map.get(key)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
}

/// What line number `line` (1-based) of a bulk, `bytes` (no line end), comes to.
pub(crate) fn derive(seed: u64, line: u64, bytes: &[u8]) -> Line {
    let value: Value = match serde_json::from_slice(bytes) {
        Ok(value) => value,
        Err(_) => return Line::failed(Failure::NotJson { line }),
    };
    let Value::Object(top) = value else {
        return Line::failed(Failure::NotObject { line });
    };
    let user = top.get("user").and_then(Value::as_object);
    let in_user = |key| user.and_then(|u| text(u, key));
    let object_id = (in_user("object_id"))
        .or_else(|| text(&top, "object_id"))
        .or_else(|| text(&top, "objectId"));
    let pulse_id = (in_user("pulse_id"))
        .or_else(|| text(&top, "pulse_id"))
        .or_else(|| text(&top, "pulseId"));
    let Some(identifier) = object_id.or(pulse_id) else {
        return Line::failed(Failure::NoIdentifier { line });
    };
    let email = in_user("email").filter(|e| !e.contains('@'));
    let phone = (in_user("phone"))
        .or_else(|| in_user("phoneNumber"))
        .filter(|p| !p.starts_with('+'));
    let failure = if let Some(email) = email {
        Some(Failure::Email(email.into()))
    } else if let Some(phone) = phone {
        Some(Failure::Phone(phone.into()))
    } else if unknown_user(seed, identifier) {
        Some(Failure::NotFound)
    } else {
        None
    };
    Line {
        object_id: object_id.map(Into::into),
        pulse_id: pulse_id.map(Into::into),
        failure,
    }
}

/// Splits a body into lines as its chunks arrive and derives each one; at
/// most one line's bytes are held. Past `max_lines` lines it only counts.
#[derive(Debug)]
pub(crate) struct LineReader {
    seed: u64,
    max_lines: u64,
    /// The line so far (its start came in an earlier chunk).
    partial: Vec<u8>,
    /// The current line is over [`MAX_LINE_BYTES`]: its bytes are dropped.
    overlong: bool,
    /// Lines seen, blank ones included (the number of the current one - 1).
    number: u64,
    /// Non-blank lines seen.
    count: u64,
    lines: Vec<Line>,
}

/// How a body ended.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Read {
    Lines(Vec<Line>),
    /// More than the limit: how many non-blank lines there were.
    TooMany(u64),
}

impl LineReader {
    pub(crate) fn new(seed: u64, max_lines: u64) -> Self {
        LineReader {
            seed,
            max_lines,
            partial: Vec::new(),
            overlong: false,
            number: 0,
            count: 0,
            lines: Vec::new(),
        }
    }

    /// The next chunk of the body.
    pub(crate) fn push(&mut self, mut chunk: &[u8]) {
        while let Some(end) = chunk.iter().position(|&b| b == b'\n') {
            let (head, rest) = (&chunk[..end], &chunk[end + 1..]);
            if self.partial.is_empty() && !self.overlong {
                self.line(head);
            } else {
                self.extend(head);
                let line = std::mem::take(&mut self.partial);
                self.line(&line);
                self.partial = line;
                self.partial.clear();
            }
            self.overlong = false;
            chunk = rest;
        }
        self.extend(chunk);
    }

    /// The end of the body: its last line, if it had no line end.
    pub(crate) fn finish(mut self) -> Read {
        if !self.partial.is_empty() || self.overlong {
            let line = std::mem::take(&mut self.partial);
            self.line(&line);
        }
        if self.count > self.max_lines {
            Read::TooMany(self.count)
        } else {
            Read::Lines(self.lines)
        }
    }

    fn extend(&mut self, bytes: &[u8]) {
        if self.overlong {
            return;
        }
        if self.partial.len() + bytes.len() > MAX_LINE_BYTES {
            self.overlong = true;
            self.partial = Vec::new();
        } else {
            self.partial.extend_from_slice(bytes);
        }
    }

    fn line(&mut self, bytes: &[u8]) {
        self.number += 1;
        let overlong = self.overlong || bytes.len() > MAX_LINE_BYTES;
        if !overlong && bytes.iter().all(u8::is_ascii_whitespace) {
            return;
        }
        self.count += 1;
        if self.count > self.max_lines {
            // Over the limit: the answer is a 400, so nothing more is kept.
            self.lines = Vec::new();
            return;
        }
        let line = if overlong {
            Line::failed(Failure::TooLong { line: self.number })
        } else {
            derive(self.seed, self.number, bytes)
        };
        self.lines.push(line);
    }
}

#[cfg(test)]
mod tests;
