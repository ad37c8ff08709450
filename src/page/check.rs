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

use std::cmp::Ordering;

use bytes::Bytes;
use bytestring::ByteString;

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
    pub(crate) body: ByteString,
    /// Where each row lies in `body`.
    pub(crate) rows: Spans,
}

impl Page {
    /// The body, to hand back to `Api::recycle` after writing.
    pub fn into_body(self) -> Bytes {
        self.body.into_bytes()
    }

    /// Number of rows on the page.
    pub fn row_count(&self) -> usize {
        self.rows.len()
    }

    /// Each row's JSON text (an object, checked), one at a time, borrowed
    /// from the body.
    pub fn raw_rows(&self) -> impl Iterator<Item = &str> + '_ {
        (self.rows.ranges()).map(|r| self.body.get(r).unwrap_or_default())
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

/// A whole 200 body as text: checked once to be UTF-8 (not again by the
/// page check, nor by the writer, which borrows each row from it).
pub fn text(body: Bytes) -> Result<ByteString, Broken> {
    let len = body.len();
    ByteString::try_from(body).map_err(|e| match e.error_len() {
        None => cut_short(len),
        Some(_) => Broken::Protocol(format!(
            "is not the JSON the API documents (invalid unicode code point, at byte {})",
            e.valid_up_to()
        )),
    })
}

/// Parse and check one whole 200 body, as bytes.
#[cfg(test)]
pub fn read(body: &[u8], expect: &Expect<'_>) -> Result<Body, Broken> {
    read_text(&text(Bytes::copy_from_slice(body))?, expect)
}

/// Parse and check one whole 200 body.
pub fn read_text(text: &str, expect: &Expect<'_>) -> Result<Body, Broken> {
    let body = text.as_bytes();
    // serde would take an array for a struct: only an object is an answer.
    if !matches!(body.trim_ascii_start().first(), Some(b'{') | None) {
        let at = body.len() - body.trim_ascii_start().len();
        return Err(Broken::Protocol(format!(
            "is not a JSON object (at byte {at})"
        )));
    }
    let parsed: ResultsBody<'_> = match scan::read(text) {
        Some(parsed) => parsed,
        None => serde_json::from_str(text).map_err(|e| shape_error(body, &e))?,
    };
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
    let rows = std::mem::take(&mut results.rows).in_text(text);
    if let Some((n, row)) = results.not_object {
        return Err(Broken::Protocol(format!(
            "has a result row that is not a JSON object (row {}: {})",
            n + 1,
            preview(row)
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
    let out_of_order = |n: usize, id: &str, bound: &str, what: &str| {
        Broken::Protocol(format!(
            "has its rows out of order: row {} has id {id}, which is not after {bound} \
             ({what}); rows page by id, so rows would be repeated or lost (pass \
             --unordered if this server does not sort them)",
            n + 1
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
        return Err(out_of_order(*n, id, before, "the row before it"));
    }
    Ok(results.last_id.as_ref().map(|id| id.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn expect<'a>(sent: Option<&'a str>, before: Option<&'a str>) -> Expect<'a> {
        Expect {
            bulk_id: "B1",
            sent,
            before,
            ordered: true,
        }
    }

    fn protocol(body: &str) -> String {
        match read(body.as_bytes(), &expect(None, None)) {
            Err(Broken::Protocol(why)) => why,
            other => panic!("{body}: {other:?}"),
        }
    }

    #[test]
    fn broken_bodies_break_the_protocol_and_say_where() {
        assert!(protocol("{}").contains("neither"));
        assert!(protocol("[]").contains("at byte 0"), "{}", protocol("[]"));
        let numeric = protocol(r#"{"content":{"lastId":5}}"#);
        assert!(
            numeric.contains("invalid type: integer `5`, expected a string, at byte 2"),
            "{numeric}"
        );
        assert!(protocol(r#"{"content":{"results":{}}}"#).contains("invalid type: map"));
        assert!(protocol("<html>").contains("not a JSON object"));
        assert!(
            protocol("{x").contains("key must be a string, at byte 1"),
            "{}",
            protocol("{x")
        );
        assert!(protocol(r#"{"content":{"bulkId":"B2","results":[]}}"#).contains("\"B2\""));
        let bad_utf8 = b"{\"content\":{\"results\":[{\"id\":\"a\xff\"}]}}";
        assert!(matches!(
            read(bad_utf8, &expect(None, None)),
            Err(Broken::Protocol(_))
        ));
    }

    #[test]
    fn a_body_that_ends_early_is_cut_short() {
        let got = read(br#"{"content":{"results":[{"id":"a"}"#, &expect(None, None));
        assert!(matches!(got, Err(Broken::CutShort(_))), "{got:?}");
        // Even in the middle of a character.
        let got = read(
            b"{\"content\":{\"results\":[{\"id\":\"\xe7\x94",
            &expect(None, None),
        );
        assert!(matches!(got, Err(Broken::CutShort(_))), "{got:?}");
    }

    #[test]
    fn a_status_outside_2xx_is_that_status_and_no_errors_is_fine() {
        for (body, want) in [
            (
                r#"{"content":null,"result":{"status":500,"message":"x"}}"#,
                500,
            ),
            (r#"{"content":{"results":[]},"result":{"status":404}}"#, 404),
        ] {
            assert_eq!(
                read(body.as_bytes(), &expect(None, None)),
                Ok(Body::Status(want))
            );
        }
        for body in [
            r#"{"result":{"status":200,"message":"No errors for the bulk process"}}"#,
            r#"{"content":{"results":[]}}"#,
            r#"{"content":{"bulkId":"b1","results":[]}}"#,
        ] {
            assert!(matches!(
                read(body.as_bytes(), &expect(None, None)),
                Ok(Body::Rows {
                    ref rows,
                    last_id: None,
                    ..
                }) if rows.is_empty()
            ));
        }
    }

    #[test]
    fn rows_must_come_after_the_cursor_and_each_other() {
        let page = |ids: &[&str]| {
            let rows: Vec<String> = ids.iter().map(|i| format!(r#"{{"id":"{i}"}}"#)).collect();
            format!(r#"{{"content":{{"results":[{}]}}}}"#, rows.join(","))
        };
        let ok = read(
            page(&["b", "C", "d"]).as_bytes(),
            &expect(Some("a"), Some("a")),
        );
        assert!(matches!(ok, Ok(Body::Rows { last_row: Some(ref l), .. }) if l == "d"));
        for (ids, sent, before) in [
            (&["b", "b"][..], None, None),
            (&["c", "b"][..], None, None),
            (&["a"][..], Some("a"), None),
            (&["b"][..], Some("a"), Some("c")),
        ] {
            let got = read(page(ids).as_bytes(), &expect(sent, before));
            assert!(
                matches!(got, Err(Broken::Protocol(ref w)) if w.contains("out of order")),
                "{ids:?}"
            );
        }
        // Rows without an id take no part; --unordered turns the check off.
        let no_ids = r#"{"content":{"results":[{"id":"b"},{"x":1},{"id":"c"}]}}"#;
        assert!(read(no_ids.as_bytes(), &expect(None, None)).is_ok());
        let unordered = Expect {
            ordered: false,
            ..expect(None, None)
        };
        assert!(read(page(&["c", "b"]).as_bytes(), &unordered).is_ok());
    }

    #[test]
    fn rows_are_walked_one_at_a_time_from_where_they_lie() {
        let body =
            "{\"content\":{\"results\": [ {\"id\":\"a\",\"x\":[1,{}]} ,\n{\"y\":\"],\"}, {} ] }}";
        let Ok(Body::Rows { rows, .. }) = read(body.as_bytes(), &expect(None, None)) else {
            panic!("{body}");
        };
        let got: Vec<&str> = rows.ranges().map(|r| &body[r]).collect();
        assert_eq!(got, [r#"{"id":"a","x":[1,{}]}"#, r#"{"y":"],"}"#, "{}"]);
        for ordered in [true, false] {
            let got = read(
                br#"{"content":{"results":[{},42]}}"#,
                &Expect {
                    ordered,
                    ..expect(None, None)
                },
            );
            assert!(
                matches!(got, Err(Broken::Protocol(ref w)) if w.contains("row 2: 42")),
                "{got:?}"
            );
        }
    }
}
