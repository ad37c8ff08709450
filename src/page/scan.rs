//! The quick reading of a page body: one pass over the bytes, for bodies
//! of the usual shape, whatever their spacing (`", "` and `": "`,
//! pretty-printed, CRLF line ends: runs of whitespace are passed eight
//! bytes at a time) and member order. It checks JSON structure as
//! strictly as serde_json does (strings, escapes, numbers, nesting) and
//! gives the same answer serde's reading would; anything it is not sure
//! of (an escape in a key or a cursor, a duplicate field, a field of an
//! unusual type, broken JSON) gives `None`, and the body is read by
//! serde instead, so errors and their messages stay serde's.
//!
//! It is also the body's UTF-8 check, as serde_json's own slice reader
//! does it: each string's bytes (keys, values, those of members passed
//! over, escapes and all) are checked as UTF-8 once the string's end is
//! found, while they are still in cache (and only when they are not all
//! ASCII, which the search for the end notes), and every byte outside a
//! string must be ASCII JSON syntax anyway (any other byte is not JSON). So
//! a body read here is known to be UTF-8; one with a byte that is not gives
//! `None`.

use std::borrow::Cow;

use serde_json::value::RawValue;

use super::json_text::{ascii_end, plain_end, ws_end};
use super::wire::{Content, ResultInfo, Results, ResultsBody};

mod cursor;
pub use cursor::{cursor_ahead, cursor_behind, peek, Peek};

/// Deeper than this, leave the body to serde.
const MAX_DEPTH: u32 = 100;

/// The body read as serde would read it, or `None` to let serde do it.
/// `Some` only for a body that is UTF-8 throughout.
pub fn read(body: &[u8]) -> Option<ResultsBody<'_>> {
    let mut s = Scanner::new(body);
    let (mut content, mut result) = (None, None);
    let (mut saw_content, mut saw_result) = (false, false);
    s.ws();
    s.eat(b'{')?;
    s.fields(|s, key| {
        match key {
            b"content" if !saw_content => {
                saw_content = true;
                content = s.nullable(Scanner::content)?;
            }
            b"result" if !saw_result => {
                saw_result = true;
                result = s.nullable(Scanner::result)?;
            }
            b"content" | b"result" => return None,
            _ => s.value()?,
        }
        Some(())
    })?;
    s.ws();
    (s.i == s.b.len()).then_some(ResultsBody { content, result })
}

struct Scanner<'a> {
    b: &'a [u8],
    i: usize,
    depth: u32,
}

impl<'a> Scanner<'a> {
    fn new(b: &'a [u8]) -> Scanner<'a> {
        Scanner { b, i: 0, depth: 0 }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    /// Pass the whitespace between two tokens: none, most often; a run of
    /// it (a pretty-printed page's line ends and indents) is passed eight
    /// bytes at a time.
    fn ws(&mut self) {
        if let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.i += 1;
            // One space (`", "`, `": "`) needs no search.
            if let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
                self.i = ws_end(self.b, self.i + 1);
            }
        }
    }

    fn eat(&mut self, c: u8) -> Option<()> {
        (self.peek()? == c).then(|| self.i += 1)
    }

    /// `null` as `None`, else what `f` reads.
    fn nullable<T>(&mut self, f: impl FnOnce(&mut Self) -> Option<T>) -> Option<Option<T>> {
        self.ws();
        if self.b[self.i..].starts_with(b"null") {
            self.i += 4;
            return Some(None);
        }
        f(self).map(Some)
    }

    /// The members of an object whose `{` was just read, each key handed
    /// to `field`, which reads the value; up to and with the `}`.
    fn fields(&mut self, mut field: impl FnMut(&mut Self, &'a [u8]) -> Option<()>) -> Option<()> {
        self.ws();
        if self.eat(b'}').is_some() {
            return Some(());
        }
        loop {
            self.ws();
            let key = self.plain_bytes()?;
            self.ws();
            self.eat(b':')?;
            field(self, key)?;
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                b'}' => {
                    self.i += 1;
                    return Some(());
                }
                _ => return None,
            }
        }
    }

    /// `content`: `bulkId`, `lastId` and `results`, the rest skipped.
    fn content(&mut self) -> Option<Content<'a>> {
        self.eat(b'{')?;
        let (mut bulk_id, mut last_id, mut results) = (None, None, None);
        let mut seen = [false; 3];
        self.fields(|s, key| {
            let n = match key {
                b"bulkId" => 0,
                b"lastId" => 1,
                b"results" => 2,
                _ => return s.value(),
            };
            if std::mem::replace(&mut seen[n], true) {
                return None;
            }
            match n {
                0 => bulk_id = s.nullable(|s| s.plain_string().map(Cow::Borrowed))?,
                1 => last_id = s.nullable(|s| s.plain_string().map(Cow::Borrowed))?,
                _ => results = s.nullable(Scanner::results)?,
            }
            Some(())
        })?;
        Some(Content {
            bulk_id,
            last_id,
            results,
        })
    }

    /// `result`: its `status` kept raw, the rest skipped.
    fn result(&mut self) -> Option<ResultInfo<'a>> {
        self.eat(b'{')?;
        let mut status = None;
        let mut seen = false;
        self.fields(|s, key| {
            if key != b"status" {
                return s.value();
            }
            if std::mem::replace(&mut seen, true) {
                return None;
            }
            status = s.nullable(|s| {
                let start = s.i;
                s.value()?;
                serde_json::from_slice::<&RawValue>(&s.b[start..s.i]).ok()
            })?;
            Some(())
        })
        .map(|()| ResultInfo { status })
    }

    /// The `results` array, each row checked as it is passed.
    fn results(&mut self) -> Option<Results<'a>> {
        self.eat(b'[')?;
        let mut out = Results::default();
        self.ws();
        if self.eat(b']').is_some() {
            return Some(out);
        }
        loop {
            self.ws();
            let start = self.i;
            self.value()?;
            out.push(&self.b[start..self.i]);
            self.ws();
            match self.peek()? {
                b',' => self.i += 1,
                b']' => {
                    self.i += 1;
                    return Some(out);
                }
                _ => return None,
            }
        }
    }

    /// Pass one JSON value.
    fn value(&mut self) -> Option<()> {
        self.ws();
        match self.peek()? {
            b'"' => self.string(),
            b'{' | b'[' => self.nested(),
            b'-' | b'0'..=b'9' => self.number(),
            b't' => self.literal(b"true"),
            b'f' => self.literal(b"false"),
            b'n' => self.literal(b"null"),
            _ => None,
        }
    }

    fn literal(&mut self, word: &[u8]) -> Option<()> {
        self.b[self.i..]
            .starts_with(word)
            .then(|| self.i += word.len())
    }

    /// An object or an array.
    fn nested(&mut self) -> Option<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return None;
        }
        let close = if self.b[self.i] == b'{' { b'}' } else { b']' };
        self.i += 1;
        self.ws();
        if self.eat(close).is_none() {
            loop {
                if close == b'}' {
                    self.ws();
                    if self.peek()? != b'"' {
                        return None;
                    }
                    self.string()?;
                    self.ws();
                    self.eat(b':')?;
                }
                self.value()?;
                self.ws();
                match self.peek()? {
                    b',' => self.i += 1,
                    c if c == close => {
                        self.i += 1;
                        break;
                    }
                    _ => return None,
                }
            }
        }
        self.depth -= 1;
        Some(())
    }

    /// A number: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`.
    fn number(&mut self) -> Option<()> {
        let _ = self.eat(b'-');
        match self.peek()? {
            b'0' => {
                self.i += 1;
                if self.peek().is_some_and(|c| c.is_ascii_digit()) {
                    return None;
                }
            }
            b'1'..=b'9' => self.digits(),
            _ => return None,
        }
        if self.eat(b'.').is_some() {
            self.some_digits()?;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.i += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.i += 1;
            }
            self.some_digits()?;
        }
        Some(())
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.i += 1;
        }
    }

    fn some_digits(&mut self) -> Option<()> {
        let start = self.i;
        self.digits();
        (self.i > start).then_some(())
    }

    /// Where the run of string text from `i` ends (at a quote, a backslash
    /// or a control character); `ascii` is cleared when it holds a byte
    /// that is not ASCII. Text that is all ASCII, most of a page, is UTF-8
    /// as it is found: only a string with other bytes needs the check.
    fn run_end(&self, i: usize, ascii: &mut bool) -> usize {
        if !*ascii {
            return plain_end(self.b, i);
        }
        let end = ascii_end(self.b, i);
        if self.b.get(end).is_some_and(|&c| c >= 0x80) {
            *ascii = false;
            return plain_end(self.b, end);
        }
        end
    }

    /// A string with no escape (a key), as its bytes, checked as UTF-8.
    fn plain_bytes(&mut self) -> Option<&'a [u8]> {
        self.eat(b'"')?;
        let start = self.i;
        let mut ascii = true;
        let end = self.run_end(start, &mut ascii);
        if self.b.get(end) != Some(&b'"') {
            return None;
        }
        self.i = end + 1;
        let text = &self.b[start..end];
        (ascii || std::str::from_utf8(text).is_ok()).then_some(text)
    }

    /// A string with no escape, as text (a cursor, a bulk id).
    fn plain_string(&mut self) -> Option<&'a str> {
        std::str::from_utf8(self.plain_bytes()?).ok()
    }

    /// Pass a string: no control character, only JSON's escapes, and its
    /// bytes UTF-8 (checked once its end is found, if they are not all
    /// ASCII: an escape is ASCII, so the whole text between the quotes is
    /// checked at once).
    fn string(&mut self) -> Option<()> {
        self.i += 1;
        let start = self.i;
        let mut ascii = true;
        loop {
            let end = self.run_end(self.i, &mut ascii);
            self.i = end + 1;
            match self.b.get(end)? {
                b'"' => {
                    let text = &self.b[start..end];
                    return (ascii || std::str::from_utf8(text).is_ok()).then_some(());
                }
                b'\\' => {}
                _ => return None,
            }
            match self.peek()? {
                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => self.i += 1,
                b'u' => {
                    let hex = self.b.get(self.i + 1..self.i + 5)?;
                    if !hex.iter().all(u8::is_ascii_hexdigit) {
                        return None;
                    }
                    self.i += 5;
                }
                _ => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests;
