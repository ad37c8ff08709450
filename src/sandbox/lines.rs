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
mod tests {
    use super::*;

    const SEED: u64 = 42;

    /// An object id the sandbox knows (not one of its unknown users).
    fn known(n: u32) -> String {
        (0..)
            .map(|i| format!("{n:08x}{i:016x}"))
            .find(|id| !unknown_user(SEED, id))
            .unwrap()
    }

    fn error(text: &str) -> Option<String> {
        derive(SEED, 7, text.as_bytes())
            .failure
            .map(|f| f.message().into_owned())
    }

    #[test]
    fn identifiers_are_found_in_the_user_object_then_at_the_top() {
        let id = known(1);
        for (text, object, pulse) in [
            (
                format!(r#"{{"user":{{"object_id":"{id}"}}}}"#),
                Some(id.as_str()),
                None,
            ),
            (
                format!(r#"{{"user":{{"pulse_id":"{id}"}}}}"#),
                None,
                Some(id.as_str()),
            ),
            (
                format!(r#"{{"object_id":"{id}"}}"#),
                Some(id.as_str()),
                None,
            ),
            (format!(r#"{{"objectId":"{id}"}}"#), Some(id.as_str()), None),
            (format!(r#"{{"pulse_id":"{id}"}}"#), None, Some(id.as_str())),
            (
                format!(r#"{{"pulseId":"{id}","user":{{}}}}"#),
                None,
                Some(id.as_str()),
            ),
            (
                format!(r#"{{"user":{{"object_id":"{id}","pulse_id":"p-1"}},"objectId":"x"}}"#),
                Some(id.as_str()),
                Some("p-1"),
            ),
        ] {
            let line = derive(SEED, 1, text.as_bytes());
            assert_eq!(line.object_id.as_deref(), object, "{text}");
            assert_eq!(line.pulse_id.as_deref(), pulse, "{text}");
            assert_eq!(line.failure, None, "{text}");
        }
    }

    #[test]
    fn each_rule_gives_its_message() {
        let id = known(2);
        let user = |fields: &str| format!(r#"{{"user":{{"object_id":"{id}"{fields}}}}}"#);
        assert_eq!(
            error(&user(r#","email":"ana.example.com""#)).as_deref(),
            Some(r#"Invalid email "ana.example.com", expected user@domain"#)
        );
        assert_eq!(error(&user(r#","email":"ana@example.com""#)), None);
        assert_eq!(error(&user(r#","email":null"#)), None);
        assert_eq!(
            error(&user(r#","phone":"600 000 000""#)).as_deref(),
            Some(r#"Invalid phone number "600 000 000""#)
        );
        assert_eq!(
            error(&user(r#","phoneNumber":"0034600""#)).as_deref(),
            Some(r#"Invalid phone number "0034600""#)
        );
        assert_eq!(error(&user(r#","phone":"+34 600 000 000""#)), None);
        // The email is checked before the phone.
        assert_eq!(
            error(&user(r#","phone":"1","email":"x""#)).as_deref(),
            Some(r#"Invalid email "x", expected user@domain"#)
        );
        for (text, want) in [
            ("{nope", "Line 7: not valid JSON"),
            ("[1,2]", "Line 7: not a JSON object"),
            ("\"x\"", "Line 7: not a JSON object"),
            (
                r#"{"user":{"email":"a@b.c"}}"#,
                "Line 7: no user identifier (user.object_id or user.pulse_id is mandatory)",
            ),
            (
                r#"{"user":{"object_id":""}}"#,
                "Line 7: no user identifier (user.object_id or user.pulse_id is mandatory)",
            ),
            (
                r#"{"user":{"object_id":5}}"#,
                "Line 7: no user identifier (user.object_id or user.pulse_id is mandatory)",
            ),
        ] {
            assert_eq!(error(text).as_deref(), Some(want), "{text}");
            let line = derive(SEED, 7, text.as_bytes());
            assert_eq!((line.object_id, line.pulse_id), (None, None), "{text}");
        }
    }

    #[test]
    fn about_three_percent_of_users_are_unknown_the_same_ones_each_time() {
        let unknown: Vec<u32> = (0..20_000)
            .filter(|n| unknown_user(SEED, &format!("user-{n}")))
            .collect();
        assert!((450..750).contains(&unknown.len()), "{}", unknown.len());
        let again: Vec<u32> = (0..20_000)
            .filter(|n| unknown_user(SEED, &format!("user-{n}")))
            .collect();
        assert_eq!(unknown, again);
        let n = unknown[0];
        assert_eq!(
            error(&format!(r#"{{"user":{{"pulse_id":"user-{n}"}}}}"#)).as_deref(),
            Some("User not found")
        );
        let other_seed = (0..20_000)
            .filter(|n| unknown_user(SEED + 1, &format!("user-{n}")))
            .count();
        assert_ne!(other_seed, 0);
        assert_ne!(
            (0..20_000)
                .filter(|n| unknown_user(SEED + 1, &format!("user-{n}")))
                .collect::<Vec<u32>>(),
            unknown
        );
    }

    #[test]
    fn rows_name_the_user_by_object_id_first() {
        let gen = RowGen::new(SEED, "b");
        let both = derive(SEED, 1, br#"{"user":{"object_id":"o1","pulse_id":"p1"}}"#);
        let value = serde_json::to_value(both.row(&gen, 3)).unwrap();
        assert_eq!(value["id"], gen.id(3));
        assert_eq!(value["userIdentifierType"], "object_id");
        assert_eq!(
            (&value["objectId"], &value["pulseId"]),
            (&"o1".into(), &"p1".into())
        );
        let pulse = derive(SEED, 1, br#"{"pulseId":"p2"}"#);
        let value = serde_json::to_value(pulse.row(&gen, 0)).unwrap();
        assert_eq!(value["userIdentifierType"], "pulse_id");
        assert!(value.get("objectId").is_none());
        let none = derive(SEED, 4, b"[]");
        let value = serde_json::to_value(none.row(&gen, 0)).unwrap();
        assert_eq!(value["userIdentifierType"], Value::Null);
        assert!(value.get("objectId").is_none() && value.get("pulseId").is_none());
        assert_eq!(value["error"], "Line 4: not a JSON object");
    }

    /// The lines of `body` fed in chunks of `size` bytes.
    fn read(body: &[u8], size: usize, max: u64) -> Read {
        let mut reader = LineReader::new(SEED, max);
        for chunk in body.chunks(size.max(1)) {
            reader.push(chunk);
        }
        reader.finish()
    }

    #[test]
    fn lines_are_the_same_however_the_body_is_cut() {
        let body =
            b"{\"object_id\":\"a\"}\r\n\n  \n{\"pulse_id\":\"b\"}\nnope\n{\"objectId\":\"c\"}";
        let whole = read(body, body.len(), 10);
        let Read::Lines(lines) = &whole else {
            panic!("{whole:?}")
        };
        assert_eq!(lines.len(), 4, "blank lines are skipped");
        assert_eq!(lines[0].object_id.as_deref(), Some("a"));
        assert_eq!(lines[1].pulse_id.as_deref(), Some("b"));
        assert_eq!(lines[2].failure, Some(Failure::NotJson { line: 5 }));
        assert_eq!(lines[3].object_id.as_deref(), Some("c"));
        for size in [1, 2, 3, 7, 16] {
            assert_eq!(read(body, size, 10), whole, "chunks of {size}");
        }
        assert_eq!(read(b"", 4, 10), Read::Lines(Vec::new()));
    }

    #[test]
    fn more_lines_than_the_limit_are_counted_not_kept() {
        let body = "{\"object_id\":\"a\"}\n".repeat(5);
        assert!(matches!(read(body.as_bytes(), 9, 5), Read::Lines(l) if l.len() == 5));
        assert_eq!(read(body.as_bytes(), 9, 4), Read::TooMany(5));
        assert_eq!(read(body.as_bytes(), 9, 0), Read::TooMany(5));
    }

    #[test]
    fn an_overlong_line_fails_without_being_kept() {
        let mut body = b"{\"object_id\":\"a\"}\n{\"x\":\"".to_vec();
        body.extend(std::iter::repeat_n(b'y', MAX_LINE_BYTES));
        body.extend(b"\"}\n{\"object_id\":\"b\"}\n");
        for size in [4096, MAX_LINE_BYTES / 3, body.len()] {
            let Read::Lines(lines) = read(&body, size, 10) else {
                panic!("lines")
            };
            assert_eq!(lines.len(), 3);
            assert_eq!(lines[1].failure, Some(Failure::TooLong { line: 2 }));
            assert_eq!(lines[2].object_id.as_deref(), Some("b"));
        }
    }
}
