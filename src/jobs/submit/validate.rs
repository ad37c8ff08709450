//! The checks a bulk file passes before anything is sent: every line a
//! JSON object, in UTF-8, that names its user. The file is read once, a
//! line at a time (a line longer than [`MAX_LINE`] is refused, not held),
//! so memory stays flat however long it is.
//!
//! Blank lines are refused too: the file is sent byte for byte, and in JSON
//! Lines every line is a value, so the server would see them. A last line
//! without its newline is fine.

use std::fmt;
use std::io::{self, BufRead};

use serde_json::Value;

pub use crate::settings::MAX_LINE;
use crate::settings::{OBJECT_ID_AT, PULSE_ID_AT};

/// How many bad lines are listed before the count.
pub const SHOWN: usize = 20;

/// Why a line cannot be sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    Blank,
    TooLong,
    /// The 1-based byte of the line where UTF-8 breaks.
    NotUtf8(usize),
    ByteOrderMark,
    NotJson(String),
    /// The JSON type the line holds instead of an object.
    NotObject(&'static str),
    NoUser,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Blank => write!(f, "blank line (JSON Lines has one object on every line)"),
            Problem::TooLong => write!(f, "line longer than {} MiB", MAX_LINE / (1024 * 1024)),
            Problem::NotUtf8(byte) => write!(f, "not valid UTF-8 (byte {byte})"),
            Problem::ByteOrderMark => {
                write!(
                    f,
                    "starts with a byte order mark; save the file as UTF-8 without it"
                )
            }
            Problem::NotJson(why) => write!(f, "not valid JSON: {why}"),
            Problem::NotObject(kind) => write!(f, "a JSON {kind}, not an object"),
            Problem::NoUser => write!(
                f,
                "no user identifier: user.object_id or user.pulse_id must be a non-empty string"
            ),
        }
    }
}

/// What the checks found in a whole file.
#[derive(Debug, Default)]
pub struct Checked {
    pub lines: u64,
    pub bytes: u64,
    /// How many lines cannot be sent.
    pub bad: u64,
    /// The first [`SHOWN`] of them: 1-based line number and why.
    pub shown: Vec<(u64, Problem)>,
}

/// Check every line that `reader` gives.
pub fn check(mut reader: impl BufRead) -> io::Result<Checked> {
    let mut checked = Checked::default();
    let mut line = Vec::new();
    while let Some(read) = read_line(&mut reader, &mut line)? {
        checked.lines += 1;
        checked.bytes += read.bytes;
        let verdict = if read.too_long {
            Err(Problem::TooLong)
        } else {
            check_line(&line)
        };
        if let Err(problem) = verdict {
            checked.bad += 1;
            if checked.shown.len() < SHOWN {
                checked.shown.push((checked.lines, problem));
            }
        }
    }
    Ok(checked)
}

/// One line read: its length with the newline, and whether it was too long
/// to keep.
struct Read {
    bytes: u64,
    too_long: bool,
}

/// Read the next line into `line`, without its `\n`; `None` at the end. A
/// line over [`MAX_LINE`] is read through but not kept.
fn read_line(reader: &mut impl BufRead, line: &mut Vec<u8>) -> io::Result<Option<Read>> {
    line.clear();
    let mut read = Read {
        bytes: 0,
        too_long: false,
    };
    loop {
        let available = match reader.fill_buf() {
            Ok(available) => available,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok((read.bytes > 0).then_some(read));
        }
        let (part, used, ended) = match available.iter().position(|&b| b == b'\n') {
            Some(at) => (&available[..at], at + 1, true),
            None => (available, available.len(), false),
        };
        if !read.too_long {
            if line.len() + part.len() > MAX_LINE {
                read.too_long = true;
                line.clear();
            } else {
                line.extend_from_slice(part);
            }
        }
        reader.consume(used);
        read.bytes += used as u64;
        if ended {
            return Ok(Some(read));
        }
    }
}

/// Whether one line (without its `\n`) can be sent.
pub fn check_line(line: &[u8]) -> Result<(), Problem> {
    let line = line.strip_suffix(b"\r").unwrap_or(line);
    if line.iter().all(u8::is_ascii_whitespace) {
        return Err(Problem::Blank);
    }
    let text = std::str::from_utf8(line).map_err(|e| Problem::NotUtf8(e.valid_up_to() + 1))?;
    if text.starts_with('\u{feff}') {
        return Err(Problem::ByteOrderMark);
    }
    let value: Value = serde_json::from_str(text).map_err(|e| Problem::NotJson(json_error(&e)))?;
    if !value.is_object() {
        return Err(Problem::NotObject(kind(&value)));
    }
    // A line names its user where `failed-lines` looks for one: in the
    // API's `user` object, or at a top-level spelling some exports use. One
    // non-empty string is enough.
    let named = (OBJECT_ID_AT.iter()).chain(&PULSE_ID_AT).any(|pointer| {
        value
            .pointer(pointer)
            .and_then(Value::as_str)
            .is_some_and(|id| !id.trim().is_empty())
    });
    if named {
        Ok(())
    } else {
        Err(Problem::NoUser)
    }
}

/// serde_json's message with the column, without its "line 1": the line
/// is the file's, given before it.
fn json_error(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let what = text
        .rsplit_once(" at line ")
        .map_or(&text[..], |(what, _)| what);
    format!("{what} (column {})", e.column())
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_names_its_user_in_any_documented_place() {
        for line in [
            r#"{"user":{"object_id":"o1"},"data":{"name":"Ana"}}"#,
            r#"{"user":{"pulse_id":"p1"}}"#,
            r#"{"object_id":"o1"}"#,
            r#"{"pulse_id":"p1"}"#,
            r#"{"objectId":"o1"}"#,
            r#"{"pulseId":"p1"}"#,
            "{\"user\":{\"object_id\":\"o1\"}}\r",
        ] {
            assert_eq!(check_line(line.as_bytes()), Ok(()), "{line}");
        }
    }

    #[test]
    fn each_bad_line_says_why() {
        let problem = |line: &[u8]| check_line(line).unwrap_err();
        assert_eq!(problem(b""), Problem::Blank);
        assert_eq!(problem(b"  \t\r"), Problem::Blank);
        assert_eq!(problem(b"{\"a\":\"\xff\"}"), Problem::NotUtf8(7));
        assert_eq!(
            problem("\u{feff}{\"objectId\":\"o\"}".as_bytes()),
            Problem::ByteOrderMark
        );
        assert_eq!(problem(b"[1,2]"), Problem::NotObject("array"));
        assert_eq!(problem(b"\"x\""), Problem::NotObject("string"));
        assert_eq!(problem(br#"{"user":{"email":"a@b"}}"#), Problem::NoUser);
        assert_eq!(problem(br#"{"user":{"object_id":""}}"#), Problem::NoUser);
        assert_eq!(problem(br#"{"user":{"object_id":7}}"#), Problem::NoUser);
        assert_eq!(problem(br#"{"user":{"object_id":null}}"#), Problem::NoUser);
        let Problem::NotJson(why) = problem(br#"{"user": }"#) else {
            panic!("not JSON")
        };
        assert_eq!(why, "expected value (column 10)");
    }

    #[test]
    fn a_file_is_counted_and_its_first_bad_lines_kept() {
        let mut file = String::new();
        for n in 1..=30 {
            if n % 2 == 0 {
                file.push_str("not json\n");
            } else {
                file.push_str("{\"objectId\":\"o\"}\n");
            }
        }
        file.push_str("{\"objectId\":\"last, no newline\"}");
        let checked = check(file.as_bytes()).unwrap();
        assert_eq!(checked.lines, 31);
        assert_eq!(checked.bytes, file.len() as u64);
        assert_eq!(checked.bad, 15);
        assert_eq!(checked.shown.len(), 15);
        assert_eq!(checked.shown[0].0, 2);
        assert_eq!(checked.shown[14].0, 30);
    }

    #[test]
    fn only_the_first_bad_lines_are_kept_and_blank_lines_count() {
        let file = "\n".repeat(25);
        let checked = check(file.as_bytes()).unwrap();
        assert_eq!((checked.lines, checked.bad), (25, 25));
        assert_eq!(checked.shown.len(), SHOWN);
        assert!(checked.shown.iter().all(|(_, p)| *p == Problem::Blank));
    }

    #[test]
    fn a_line_too_long_is_read_through_but_not_kept() {
        let mut file = vec![b'x'; MAX_LINE + 10];
        file.extend_from_slice(b"\n{\"objectId\":\"o\"}\n");
        // A small buffer: the long line arrives in many pieces.
        let reader = io::BufReader::with_capacity(4096, &file[..]);
        let checked = check(reader).unwrap();
        assert_eq!(checked.lines, 2);
        assert_eq!(checked.shown, [(1, Problem::TooLong)]);
        assert_eq!(checked.bytes, file.len() as u64);
    }
}
