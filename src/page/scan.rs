//! The quick reading of a page body: one pass over the bytes, for bodies
//! of the usual shape. It checks JSON structure as strictly as serde_json
//! does (strings, escapes, numbers, nesting) and gives the same answer
//! serde's reading would; anything it is not sure of (an escape in a key
//! or a cursor, a duplicate field, a field of an unusual type, broken
//! JSON) gives `None`, and the body is read by serde instead, so errors
//! and their messages stay serde's.

use std::borrow::Cow;

use serde_json::value::RawValue;

use super::json_text::plain_end;
use super::wire::{Content, ResultInfo, Results, ResultsBody};

/// Deeper than this, leave the body to serde.
const MAX_DEPTH: u32 = 100;

/// The body read as serde would read it, or `None` to let serde do it.
pub fn read(text: &str) -> Option<ResultsBody<'_>> {
    let mut s = Scanner::new(text);
    let (mut content, mut result) = (None, None);
    let (mut saw_content, mut saw_result) = (false, false);
    s.ws();
    s.eat(b'{')?;
    s.fields(|s, key| {
        match key {
            "content" if !saw_content => {
                saw_content = true;
                content = s.nullable(Scanner::content)?;
            }
            "result" if !saw_result => {
                saw_result = true;
                result = s.nullable(Scanner::result)?;
            }
            "content" | "result" => return None,
            _ => s.value()?,
        }
        Some(())
    })?;
    s.ws();
    (s.i == s.b.len()).then_some(ResultsBody { content, result })
}

/// The cursor of the next page, read from the start of a body when
/// `content.lastId` comes before `content.results` (as a usual body has
/// it), so the next request can go out before this page is checked.
pub fn cursor_ahead(text: &str) -> Option<&str> {
    let mut s = Scanner::new(text);
    let mut found = None;
    s.ws();
    s.eat(b'{')?;
    // Each closure stops the walk (`None`) once it has its answer.
    let _ = s.fields(|s, key| {
        (key == "content").then_some(())?;
        s.ws();
        s.eat(b'{')?;
        s.fields(|s, key| match key {
            "lastId" => {
                s.ws();
                found = s.plain_string().filter(|c| !c.is_empty());
                None
            }
            "results" => None,
            _ => s.value(),
        })?;
        None
    });
    found
}

struct Scanner<'a> {
    text: &'a str,
    b: &'a [u8],
    i: usize,
    depth: u32,
}

impl<'a> Scanner<'a> {
    fn new(text: &'a str) -> Scanner<'a> {
        Scanner {
            text,
            b: text.as_bytes(),
            i: 0,
            depth: 0,
        }
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.i).copied()
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.peek() {
            self.i += 1;
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
    fn fields(&mut self, mut field: impl FnMut(&mut Self, &'a str) -> Option<()>) -> Option<()> {
        self.ws();
        if self.eat(b'}').is_some() {
            return Some(());
        }
        loop {
            self.ws();
            let key = self.plain_string()?;
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
                "bulkId" => 0,
                "lastId" => 1,
                "results" => 2,
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
            if key != "status" {
                return s.value();
            }
            if std::mem::replace(&mut seen, true) {
                return None;
            }
            status = s.nullable(|s| {
                let start = s.i;
                s.value()?;
                serde_json::from_str::<&RawValue>(&s.text[start..s.i]).ok()
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
            out.push(&self.text[start..self.i]);
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

    /// A string with no escape, as text (a key, a cursor, a bulk id).
    fn plain_string(&mut self) -> Option<&'a str> {
        self.eat(b'"')?;
        let start = self.i;
        let end = plain_end(self.b, start);
        if self.b.get(end) != Some(&b'"') {
            return None;
        }
        self.i = end + 1;
        Some(&self.text[start..end])
    }

    /// Pass a string: no control character, only JSON's escapes.
    fn string(&mut self) -> Option<()> {
        self.i += 1;
        loop {
            let end = plain_end(self.b, self.i);
            self.i = end + 1;
            match self.b.get(end)? {
                b'"' => return Some(()),
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
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// What serde makes of a body, side by side with the quick reading.
    fn serde(text: &str) -> Result<String, String> {
        serde_json::from_str::<ResultsBody<'_>>(text)
            .map(|b| format!("{b:?}"))
            .map_err(|e| e.to_string())
    }

    const USUAL: &str = concat!(
        r#"{"content":{"bulkId":"B1","lastId":"c2","results":["#,
        r#"{"id":"a","n":-1.5e+3,"ok":true,"no":false,"x":null,"s":"q\"\\\/\b\f\n\r\t\u00e9"},"#,
        r#" { "v" : [ 1 , {"w":[]} , "é" ] , "id" : "b" } ,"#,
        r#"{},42,[],"s"]},"#,
        r#""result":{"status":200,"message":"ok"},"extra":[{"deep":[0.5]}]}"#,
    );

    #[test]
    fn the_usual_body_is_read_as_serde_reads_it() {
        let quick = read(USUAL).expect("the quick reading takes the usual body");
        assert_eq!(Ok(format!("{quick:?}")), serde(USUAL));
        for body in [
            "{}",
            r#"{"content":null,"result":null}"#,
            r#" {"content":{"results":null,"lastId":null,"bulkId":null}} "#,
            r#"{"result":{"status":null}}"#,
            r#"{"content":{"results":[]}}"#,
        ] {
            let quick = read(body).unwrap_or_else(|| panic!("{body}"));
            assert_eq!(Ok(format!("{quick:?}")), serde(body), "{body}");
        }
    }

    #[test]
    fn a_cursor_ahead_of_the_rows_is_read_from_the_start_of_a_body() {
        for (body, want) in [
            (
                r#"{"content":{"bulkId":"B1","lastId":"c2","results":[{"#,
                Some("c2"),
            ),
            (r#" { "content" : { "lastId" : "c2" "#, Some("c2")),
            (r#"{"content":{"n":[1,{"a":"]"}],"lastId":"c2""#, Some("c2")),
            (r#"{"content":{"lastId":"c"#, None),
            (r#"{"content":{"lastId":"","results":[]}}"#, None),
            (r#"{"content":{"lastId":"c\u0032"}}"#, None),
            (r#"{"content":{"lastId":5}}"#, None),
            (r#"{"content":{"results":[],"lastId":"c2"}}"#, None),
            (
                r#"{"result":{"status":200},"content":{"lastId":"c2"}}"#,
                None,
            ),
            (r#"{"content":null}"#, None),
            (r#"[{"content":{"lastId":"c2"}}]"#, None),
        ] {
            assert_eq!(cursor_ahead(body), want, "{body}");
        }
        assert_eq!(cursor_ahead(USUAL), Some("c2"));
    }

    #[test]
    fn anything_unusual_is_left_to_serde() {
        for body in [
            // Broken JSON, each a way serde refuses.
            "",
            "{",
            r#"{"content":{"results":[{"a":01}]}}"#,
            r#"{"content":{"results":[{"a":1.}]}}"#,
            r#"{"content":{"results":[{"a":1e}]}}"#,
            r#"{"content":{"results":[{"a":-}]}}"#,
            r#"{"content":{"results":[{"a":"\x"}]}}"#,
            r#"{"content":{"results":[{"a":"\u12"}]}}"#,
            "{\"content\":{\"results\":[{\"a\":\"\t\"}]}}",
            r#"{"content":{"results":[{"a":tru}]}}"#,
            r#"{"content":{"results":[{"a":1,}]}}"#,
            r#"{"content":{"results":[{"a":1}],}}"#,
            r#"{"content":{"results":[{1:1}]}}"#,
            r#"{"content":{"results":[{"a" 1}]}}"#,
            r#"{"content":{"results":[1 2]}}"#,
            r#"{} x"#,
            // Valid JSON that serde refuses or reads in its own way.
            r#"{"content":{},"content":{}}"#,
            r#"{"content":{"lastId":"a","lastId":"b"}}"#,
            r#"{"result":{"status":1,"status":2}}"#,
            r#"{"c\u006fntent":{"results":[]}}"#,
            r#"{"content":{"lastId":"a\u0062"}}"#,
            r#"{"content":{"lastId":5}}"#,
            r#"{"content":{"results":{}}}"#,
            r#"{"content":["B1","c",[]]}"#,
            r#"{"result":[200]}"#,
            "[]",
            "null",
        ] {
            assert!(read(body).is_none(), "{body}");
        }
        let deep = format!(
            r#"{{"content":{{"results":[{}{}]}}}}"#,
            "[".repeat(200),
            "]".repeat(200)
        );
        assert!(read(&deep).is_none());
    }

    proptest! {
        /// Whatever a body holds, the quick reading is serde's or none.
        #[test]
        fn the_quick_reading_never_differs_from_serde(
            cuts in proptest::collection::vec((0..USUAL.len(), "[ -~é\\t]{0,3}", 0..4usize), 1..4),
        ) {
            let mut body = USUAL.to_string();
            for (at, with, drop) in cuts {
                let mut at = at.min(body.len());
                while !body.is_char_boundary(at) {
                    at -= 1;
                }
                let mut end = (at + drop).min(body.len());
                while !body.is_char_boundary(end) {
                    end += 1;
                }
                body.replace_range(at..end, &with);
            }
            if let Some(quick) = read(&body) {
                prop_assert_eq!(Ok(format!("{quick:?}")), serde(&body), "{}", body);
            }
        }
    }

    /// The cursor serde reads in a body (`None`: serde refuses the body).
    fn serde_cursor(text: &str) -> Option<Option<String>> {
        let body = serde_json::from_str::<ResultsBody<'_>>(text).ok()?;
        Some(body.last_id().map(str::to_string))
    }

    /// Whatever the cursor peek finds in a body serde takes is the cursor
    /// serde reads there (it may find none).
    fn check_cursor(text: &str) -> Result<(), TestCaseError> {
        if let (Some(peeked), Some(cursor)) = (cursor_ahead(text), serde_cursor(text)) {
            prop_assert_eq!(Some(peeked.to_string()), cursor, "{}", text);
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(crate::page::json_gen::config())]

        /// Generated bodies (members in any order, of any type, rows of any
        /// shape): the quick reading is serde's or none, and so is the peek.
        #[test]
        fn generated_bodies_are_read_as_serde_reads_them(body in crate::page::json_gen::body()) {
            if let Some(quick) = read(&body) {
                prop_assert_eq!(Ok(format!("{quick:?}")), serde(&body), "{}", body);
            }
            check_cursor(&body)?;
        }

        /// The same bodies cut, with bytes flipped, inserted and removed.
        #[test]
        fn mutated_bodies_are_read_as_serde_reads_them_or_left_to_it(
            body in crate::page::json_gen::body(),
            edits in crate::page::json_gen::edits(),
        ) {
            let bytes = crate::page::json_gen::mutate(&body, &edits);
            if let Ok(body) = std::str::from_utf8(&bytes) {
                if let Some(quick) = read(body) {
                    prop_assert_eq!(Ok(format!("{quick:?}")), serde(body), "{}", body);
                }
                check_cursor(body)?;
            }
        }

        /// A body of the usual shape (any rows, any spacing) is always read
        /// the quick way, and its cursor is always found ahead of its rows.
        #[test]
        fn usual_bodies_are_read_the_quick_way_and_their_cursor_ahead(
            cursor in "[a-zA-Z0-9-]{0,12}",
            rows in proptest::collection::vec(crate::page::json_gen::row(), 0..6),
            ws in proptest::collection::vec(crate::page::json_gen::ws(), 6),
        ) {
            let body = format!(
                r#"{}{{"content":{{"bulkId":"B1",{}"lastId"{}:"{cursor}","results":[{}]}},"result":{{"status":200{}}}}}{}"#,
                ws[0], ws[1], ws[2], rows.join(","), ws[3], ws[4],
            );
            let quick = read(&body);
            prop_assert!(quick.is_some(), "{}", body);
            prop_assert_eq!(Ok(format!("{:?}", quick.unwrap())), serde(&body), "{}", body);
            let want = (!cursor.is_empty()).then_some(cursor.as_str());
            prop_assert_eq!(cursor_ahead(&body), want, "{}", body);
            // Cut anywhere after the cursor, the peek still finds it.
            let at = body.find("\"results\"").unwrap();
            prop_assert_eq!(cursor_ahead(&body[..at]), want, "{}", body);
        }
    }
}
