//! The cursor of the next page, read before the page is checked so the
//! request for it can go out first: from the start of a body when
//! `lastId` comes before the rows, guessed from its end when it comes
//! after them.

use super::Scanner;

/// The cursor of the next page, read from the start of a body when
/// `content.lastId` comes before `content.results` (as a usual body has
/// it), so the next request can go out before this page is checked. Only
/// the body up to the cursor is read (its strings checked as UTF-8 too).
pub fn cursor_ahead(body: &[u8]) -> Option<&str> {
    match peek(body) {
        Peek::Cursor(cursor) => Some(cursor),
        Peek::RowsFirst | Peek::Unknown => None,
    }
}

/// What the start of a body tells of its cursor.
#[derive(Debug, PartialEq, Eq)]
pub enum Peek<'a> {
    /// `content.lastId`, non-empty, before `content.results`.
    Cursor(&'a str),
    /// `content.results` comes first: the cursor, if any, is after the rows.
    RowsFirst,
    /// Neither: an unusual start, a body cut short, an empty or absent cursor.
    Unknown,
}

/// Read the start of a body, up to `content.lastId` or `content.results`.
pub fn peek(body: &[u8]) -> Peek<'_> {
    let mut s = Scanner::new(body);
    let mut found = Peek::Unknown;
    s.ws();
    if s.eat(b'{').is_none() {
        return found;
    }
    // Each closure stops the walk (`None`) once it has its answer.
    let _ = s.fields(|s, key| {
        (key == b"content").then_some(())?;
        s.ws();
        s.eat(b'{')?;
        s.fields(|s, key| match key {
            b"lastId" => {
                s.ws();
                if let Some(c) = s.plain_string().filter(|c| !c.is_empty()) {
                    found = Peek::Cursor(c);
                }
                None
            }
            b"results" => {
                found = Peek::RowsFirst;
                None
            }
            _ => s.value(),
        })?;
        None
    });
    found
}

/// How far from its end a body's cursor is looked for when it comes after
/// the rows: past `}`, the page's `result` and the spacing of a
/// pretty-printed body.
const TAIL: usize = 1024;

/// A guess at the cursor of a body whose rows come first: the last
/// `"lastId"` member in its last kilobyte whose value is a UUID and that
/// ends an object (as `content.lastId` does when it is `content`'s last
/// member). Only a guess: read backwards, `content.lastId` cannot be told
/// from a `lastId` in a row or quoted in a message, so the request sent
/// for it is used only if the page, once checked, names the same cursor.
pub fn cursor_behind(body: &[u8]) -> Option<&str> {
    let tail = &body[body.len().saturating_sub(TAIL)..];
    let mut end = tail.len();
    while let Some(at) = memchr::memmem::rfind(&tail[..end], b"\"lastId\"") {
        end = at;
        let mut s = Scanner::new(tail);
        s.i = at + 8;
        s.ws();
        if s.eat(b':').is_none() {
            continue;
        }
        s.ws();
        let Some(value) = s.plain_string().filter(|v| uuid_shaped(v)) else {
            continue;
        };
        s.ws();
        if s.eat(b'}').is_some() {
            return Some(value);
        }
    }
    None
}

/// `8-4-4-4-12` hexadecimal digits, as a UUID is written.
fn uuid_shaped(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}
