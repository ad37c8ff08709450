//! The join: the input read once, each line's identifiers looked up in the
//! failures, and every line whose user failed written out, in input order,
//! byte for byte (its line end too), or as a `{"line","error","input"}`
//! object with `--annotate`. Blank lines are skipped; a line that is not
//! UTF-8 or not a JSON object cannot be matched, so it is counted and named
//! in a warning (the first [`NAMED`] of them).

use std::io::Write;

use anyhow::Result;
use serde::Serialize;
use serde_json::value::RawValue;

use super::failures::Failures;
use super::ids::Finder;
use super::input::Input;
use crate::exit::{Class, Failure};
use crate::ui;

/// Unreadable lines named one by one; the rest are counted.
pub const NAMED: u64 = 20;

/// Lines read between two looks for a signal.
const SIGNAL_EVERY: u64 = 4096;

/// What the join found in the input.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Counts {
    /// Input lines (blank lines are not counted).
    pub lines: u64,
    /// Lines whose user failed: the lines written.
    pub failed: u64,
    /// JSON objects in which no pointer found an identifier.
    pub no_identifier: u64,
    /// The first of them.
    pub first_no_identifier: Option<u64>,
    /// Lines that are not UTF-8 or not a JSON object.
    pub unreadable: u64,
}

/// A failed line as `--annotate` writes it.
#[derive(Serialize)]
struct Annotated<'a> {
    line: u64,
    error: Option<String>,
    input: &'a RawValue,
}

/// How the join writes and when it stops.
pub struct Join<'a> {
    pub finder: &'a Finder,
    pub annotate: bool,
    /// The first signal heard, if any: looked at every few thousand lines.
    pub signal: &'a dyn Fn() -> Option<&'static str>,
    /// Whether to show a progress line (not while writing to a terminal:
    /// the two would tear each other).
    pub progress: bool,
}

impl Join<'_> {
    /// Read `input` to its end, writing the failed lines to `out`.
    pub fn run(
        &self,
        input: &mut Input,
        failures: &mut Failures,
        out: &mut impl Write,
    ) -> Result<Counts> {
        let mut counts = Counts::default();
        let mut line = Vec::with_capacity(4096);
        let mut annotated = Vec::new();
        while let Some(number) = input.next_line(&mut line)? {
            if number % SIGNAL_EVERY == 0 {
                if self.progress {
                    ui::joining(&input.name, number, counts.failed);
                }
                if let Some(signal) = (self.signal)() {
                    return Err(Failure::new(
                        Class::Interrupted,
                        format!("interrupted by {signal} at input line {number}"),
                    )
                    .into());
                }
            }
            let mut bytes = &line[..];
            if number == 1 {
                // A byte order mark starts the file, not its first line.
                bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
            }
            if bytes.trim_ascii().is_empty() {
                continue;
            }
            counts.lines += 1;
            crate::bug::point("join");
            let text = match std::str::from_utf8(bytes) {
                Ok(text) => text,
                Err(e) => {
                    let why = format!("not UTF-8 (byte {})", e.valid_up_to() + 1);
                    unreadable(&mut counts, &input.name, number, &why);
                    continue;
                }
            };
            let ids = match self.finder.find(text) {
                Ok(ids) => ids,
                Err(why) => {
                    unreadable(&mut counts, &input.name, number, &why);
                    continue;
                }
            };
            if ids.is_empty() {
                counts.no_identifier += 1;
                counts.first_no_identifier.get_or_insert(number);
                continue;
            }
            let Some(found) = failures.find(&ids) else {
                continue;
            };
            counts.failed += 1;
            if !self.annotate {
                out.write_all(bytes)?;
                continue;
            }
            annotated.clear();
            let value = Annotated {
                line: number,
                error: failures.message_of(found),
                input: serde_json::from_str(text)?,
            };
            serde_json::to_writer(&mut annotated, &value)?;
            annotated.push(b'\n');
            out.write_all(&annotated)?;
        }
        if counts.unreadable > NAMED {
            ui::warn(format_args!(
                "{} more input lines could not be read (the first {NAMED} are named above)",
                counts.unreadable - NAMED
            ));
        }
        Ok(counts)
    }
}

/// Count a line that cannot be matched, and name it while few have been.
fn unreadable(counts: &mut Counts, name: &str, number: u64, why: &str) {
    counts.unreadable += 1;
    if counts.unreadable <= NAMED {
        ui::warn(format_args!(
            "{name}:{number}: {why}; it cannot be matched to a failure"
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::jobs::failed_lines::failures::tests::failures;
    use crate::jobs::failed_lines::ids::tests::finder;

    fn join(input: &[u8], rows: &[&str], annotate: bool) -> (String, Counts, u64) {
        let raw = Box::new(std::io::Cursor::new(input.to_vec()));
        let mut input = Input::from_reader(raw, "in.jsonl".into(), false).unwrap();
        let mut failures = failures(rows);
        let finder = finder(None, None);
        let join = Join {
            finder: &finder,
            annotate,
            signal: &|| None,
            progress: false,
        };
        let mut out = Vec::new();
        let counts = join.run(&mut input, &mut failures, &mut out).unwrap();
        (
            String::from_utf8(out).unwrap(),
            counts,
            failures.unmatched(),
        )
    }

    const ROWS: [&str; 2] = [
        r#"{"objectId":"o1","error":"bad email"}"#,
        r#"{"pulseId":"p2","error":"no user"}"#,
    ];

    #[test]
    fn failed_lines_are_written_byte_for_byte_in_input_order() {
        let input = concat!(
            "{\"user\": {\"pulse_id\": \"p2\"}, \"x\": 1}\r\n",
            "{\"user\":{\"object_id\":\"ok\"}}\n",
            "\n",
            "{ \"objectId\" : \"o1\" }\n",
            "{\"user\":{\"object_id\":\"o1\"},\"n\":2}"
        );
        let (out, counts, unmatched) = join(input.as_bytes(), &ROWS, false);
        assert_eq!(
            out,
            concat!(
                "{\"user\": {\"pulse_id\": \"p2\"}, \"x\": 1}\r\n",
                "{ \"objectId\" : \"o1\" }\n",
                "{\"user\":{\"object_id\":\"o1\"},\"n\":2}"
            )
        );
        assert_eq!((counts.lines, counts.failed, unmatched), (4, 3, 0));
    }

    #[test]
    fn annotate_writes_the_line_number_the_error_and_the_input() {
        let input = "{\"user\":{\"object_id\":\"ok\"}}\n\n{\"user\": {\"object_id\": \"o1\"}}\r\n";
        let (out, _, _) = join(input.as_bytes(), &ROWS, true);
        assert_eq!(
            out,
            "{\"line\":3,\"error\":\"bad email\",\"input\":{\"user\": {\"object_id\": \"o1\"}}}\n"
        );
    }

    #[test]
    fn lines_without_identifiers_and_unreadable_lines_are_counted() {
        let input = b"{\"user\":{}}\nnot json\n\xff{}\n[1]\n{\"objectId\":\"o1\"}\n{\"a\":1}\n";
        let (out, counts, unmatched) = join(input, &ROWS, false);
        assert_eq!(out, "{\"objectId\":\"o1\"}\n");
        assert_eq!(
            counts,
            Counts {
                lines: 6,
                failed: 1,
                no_identifier: 2,
                first_no_identifier: Some(1),
                unreadable: 3,
            }
        );
        assert_eq!(unmatched, 1);
    }

    #[test]
    fn a_byte_order_mark_is_not_part_of_the_first_line() {
        let input = b"\xEF\xBB\xBF{\"objectId\":\"o1\"}\n";
        let (out, counts, _) = join(input, &ROWS, false);
        assert_eq!(out, "{\"objectId\":\"o1\"}\n");
        assert_eq!(counts.unreadable, 0);
    }
}
