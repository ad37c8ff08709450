//! Test support: JSON text as a server may send it, generated for the
//! differential property tests of the hand-written JSON readers
//! (`paginate::scan`, `json_text`, `output::row`, `api::wire`,
//! `output::write_compact`), which compare each of them with serde_json.
//!
//! The texts vary what a hand-written reader can get wrong: spacing and
//! line breaks between tokens (runs of them, whole bodies laid out with
//! `", "` or pretty-printed), member order, every escape (`\/`, `\u` in
//! either case, surrogate pairs, lone surrogates), commas and brackets in
//! strings, non-ASCII text, nesting, duplicate names and numbers in every
//! form; [`mutate`] then cuts, flips and inserts bytes (bytes that are not
//! UTF-8 among them), and [`spoil`] puts bytes that are not UTF-8 in one
//! string, wherever it is: a key, a row, a member a reader passes over.
//!
//! Cases: 64 a property unless `PROPTEST_CASES` says otherwise, so that
//! `cargo test` stays quick; `PROPTEST_CASES=10000 cargo test --lib` runs
//! them longer.

use proptest::prelude::*;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

/// The proptest configuration of these properties.
pub(crate) fn config() -> ProptestConfig {
    let mut config = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        config.cases = 64;
    }
    config
}

/// Whitespace between two tokens: mostly none, else a space, a few of any
/// kind, a line end and an indent, or a long run (past a word of eight).
pub(crate) fn ws() -> impl Strategy<Value = String> {
    prop_oneof![
        12 => Just(String::new()),
        2 => Just(" ".to_string()),
        2 => "[ \n\r\t]{1,3}",
        1 => "\r?\n[ \t]{0,12}",
        1 => "[ \n\r\t]{4,40}",
    ]
}

/// How a whole text is laid out on top of its own spacing: as generated,
/// with `", "` and `": "` (as many servers write JSON), or pretty-printed
/// (a line a member or item, indented by depth, as `to_string_pretty`).
pub(crate) fn lay_out(text: &str, layout: u8) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let (mut in_string, mut escaped, mut depth) = (false, false, 0usize);
    let line = |out: &mut String, depth: usize| {
        out.push('\n');
        out.push_str(&"  ".repeat(depth));
    };
    for c in text.chars() {
        if in_string {
            (in_string, escaped) = (escaped || c != '"', !escaped && c == '\\');
            out.push(c);
            continue;
        }
        if layout == 2 && matches!(c, '}' | ']') {
            depth = depth.saturating_sub(1);
            line(&mut out, depth);
        }
        out.push(c);
        in_string = c == '"';
        match (layout, c) {
            (1 | 2, ':') | (1, ',') => out.push(' '),
            (2, ',') => line(&mut out, depth),
            (2, '{' | '[') => {
                depth += 1;
                line(&mut out, depth);
            }
            _ => {}
        }
    }
    out
}

/// A character in a generated string where [`spoil`] may put bytes that
/// are not UTF-8 (as it is, a private-use character: valid text).
pub(crate) const SPOT: char = '\u{e000}';

/// Byte sequences that are not UTF-8, none holding a quote or a backslash
/// (the string around them stays a string): a byte UTF-8 never uses, a
/// lone continuation byte, a lead byte without its continuation, a
/// three-byte character cut short, a UTF-16 surrogate, an overlong `/`,
/// a code point past U+10FFFF.
pub(crate) const BAD: [&[u8]; 8] = [
    b"\xff",
    b"\xfe",
    b"\x80",
    b"\xc3(",
    b"\xe7\x94",
    b"\xed\xa0\x80",
    b"\xc0\xaf",
    b"\xf4\x90\x80\x80",
];

/// One piece of a string's text: plain text (commas, brackets, quotes of
/// other kinds, non-ASCII), an escape, or a [`SPOT`].
fn string_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => "[a-zA-Z0-9 ,:;{}\\[\\]'=+@#é€用户😀-]{1,6}",
        1 => Just(SPOT.to_string()),
        1 => Just("\\\"".to_string()),
        1 => Just("\\\\".to_string()),
        1 => Just("\\/".to_string()),
        1 => prop::sample::select(vec!["\\b", "\\f", "\\n", "\\r", "\\t"]).prop_map(String::from),
        1 => (any::<u16>(), any::<bool>()).prop_map(|(u, upper)| hex(u, upper)),
        1 => (0xD800u16..0xDC00, 0xDC00u16..0xE000, any::<bool>())
            .prop_map(|(hi, lo, upper)| hex(hi, upper) + &hex(lo, !upper)),
        // A lone surrogate: high alone, low alone, high then a non-low.
        1 => (0xD800u16..0xE000, prop::sample::select(vec!["", "x", "\\u0041", "\\ud800"]))
            .prop_map(|(u, after)| hex(u, false) + after),
    ]
}

fn hex(u: u16, upper: bool) -> String {
    if upper {
        format!("\\u{u:04X}")
    } else {
        format!("\\u{u:04x}")
    }
}

/// A JSON string literal, quotes included.
pub(crate) fn string_literal() -> impl Strategy<Value = String> {
    prop::collection::vec(string_piece(), 0..6).prop_map(|p| format!("\"{}\"", p.concat()))
}

/// A JSON number, in any of its forms (within f64's range).
pub(crate) fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        "-?(0|[1-9][0-9]{0,20})(\\.[0-9]{1,6})?([eE][+-]?[0-9]{1,2})?",
        prop::sample::select(vec![
            "0",
            "-0",
            "-0.0",
            "1E+2",
            "1e-2",
            "0.5e0",
            "123456789012345678901234567890"
        ])
        .prop_map(String::from),
    ]
}

/// A member name: one of the names the tool asks for (some spelled with
/// escapes), or any string.
pub(crate) fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => prop::sample::select(vec![
            "\"id\"", "\"error\"", "\"x\"", "\"bulkId\"", "\"n\"", "\"é\"", "\"a,b\"", "\"\"",
            "\"\\u0069d\"", "\"err\\u006fr\"", "\"bulk\\u0049d\"", "\"x\\/\"",
        ])
        .prop_map(String::from),
        1 => string_literal(),
    ]
}

/// Any JSON value's text, with spacing inside it.
pub(crate) fn value() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        3 => string_literal(),
        2 => number(),
        1 => prop::sample::select(vec!["true", "false", "null"]).prop_map(String::from),
    ];
    leaf.prop_recursive(4, 40, 5, |inner| {
        prop_oneof![
            prop::collection::vec((ws(), inner.clone(), ws()), 0..5)
                .prop_map(|items| array(items.into_iter().map(|(a, v, b)| a + &v + &b))),
            prop::collection::vec((ws(), name(), ws(), ws(), inner, ws()), 0..5).prop_map(
                |members| object(members.into_iter().map(|(a, k, b, c, v, d)| a
                    + &k
                    + &b
                    + ":"
                    + &c
                    + &v
                    + &d))
            ),
        ]
    })
}

fn array(items: impl Iterator<Item = String>) -> String {
    format!("[{}]", items.collect::<Vec<_>>().join(","))
}

fn object(members: impl Iterator<Item = String>) -> String {
    format!("{{{}}}", members.collect::<Vec<_>>().join(","))
}

/// A row: an object of members with the names the tool asks for (often
/// twice), any values, any spacing.
pub(crate) fn row() -> impl Strategy<Value = String> {
    (
        ws(),
        prop::collection::vec((ws(), name(), ws(), ws(), value(), ws()), 0..7),
        ws(),
    )
        .prop_map(|(before, members, after)| {
            let text = object(
                members
                    .into_iter()
                    .map(|(a, k, b, c, v, d)| a + &k + &b + ":" + &c + &v + &d),
            );
            before + &text + &after
        })
}

/// A results page's body: its members in any order (`lastId` before or
/// after `results`), the usual ones with values of the usual or an unusual
/// type, extra members, any spacing, in any [`lay_out`].
pub(crate) fn body() -> impl Strategy<Value = String> {
    let cursor = || {
        prop_oneof![
            4 => "\"[a-zA-Z0-9-]{0,12}\"",
            1 => string_literal(),
            1 => Just("null".to_string()),
            1 => value(),
        ]
    };
    let rows = prop_oneof![
        6 => prop::collection::vec(prop_oneof![4 => row(), 1 => value()], 0..5)
            .prop_map(|rows| array(rows.into_iter())),
        1 => Just("null".to_string()),
        1 => value(),
    ];
    let extra = || (name(), value()).prop_map(|(k, v)| format!("{k}:{v}"));
    let content = (
        prop::sample::subsequence(vec![0, 1, 2, 3], 0..=4).prop_shuffle(),
        cursor(),
        cursor(),
        rows,
        extra(),
        prop::collection::vec(ws(), 8),
    )
        .prop_map(|(order, bulk, last, rows, extra, ws)| {
            let members = order.iter().map(|n| match n {
                0 => format!("{}\"bulkId\"{}:{bulk}", ws[0], ws[1]),
                1 => format!("{}\"lastId\"{}:{}{last}", ws[2], ws[3], ws[4]),
                2 => format!("{}\"results\"{}:{rows}{}", ws[5], ws[6], ws[7]),
                _ => extra.clone(),
            });
            object(members)
        });
    let content = prop_oneof![8 => content, 1 => Just("null".to_string()), 1 => value()];
    let result = prop_oneof![
        4 => (prop::sample::select(vec!["200", "204", "500", "428", "\"200\"", "null", "2e2"]), extra())
            .prop_map(|(status, extra)| format!("{{\"status\":{status},{extra}}}")),
        1 => Just("{}".to_string()),
        1 => value(),
    ];
    (
        prop::sample::subsequence(vec![0, 1, 2], 0..=3).prop_shuffle(),
        content,
        result,
        extra(),
        ws(),
        ws(),
        layout(),
    )
        .prop_map(|(order, content, result, extra, a, b, layout)| {
            let members = order.iter().map(|n| match n {
                0 => format!("\"content\":{content}"),
                1 => format!("\"result\":{result}"),
                _ => extra.clone(),
            });
            a + &lay_out(&object(members), layout) + &b
        })
}

/// A layout for [`lay_out`]: mostly as generated.
pub(crate) fn layout() -> impl Strategy<Value = u8> {
    prop_oneof![2 => Just(0), 1 => Just(1), 1 => Just(2)]
}

/// One change to a text's bytes.
#[derive(Debug, Clone)]
pub(crate) enum Edit {
    /// Cut the text at this point (a fraction of its length, in 1/1000).
    Truncate(usize),
    /// Replace the byte at this point with another.
    Flip(usize, u8),
    /// Insert a token at this point.
    Insert(usize, &'static [u8]),
    /// Remove a few bytes from this point.
    Remove(usize, usize),
}

/// A few edits: the bytes a JSON reader stumbles on most, and any byte.
pub(crate) fn edits() -> impl Strategy<Value = Vec<Edit>> {
    let at = 0..1000usize;
    let edit = prop_oneof![
        1 => at.clone().prop_map(Edit::Truncate),
        2 => (at.clone(), prop_oneof![
            3 => prop::sample::select(b"\"\\{}[],:0-.eE+ \n\tnul/u\x00\x1f".to_vec()),
            1 => any::<u8>(),
        ]).prop_map(|(at, b)| Edit::Flip(at, b)),
        2 => (at.clone(), prop::sample::select(vec![
            &b"\""[..], b"\\", b"\\u", b"\\ud800", b"\\udc00", b",", b":", b"{", b"}", b"[", b"]",
            b"null", b"-", b"1e", b" ", b"\n", b"\"id\":\"a\",", b"\"lastId\":\"c\",",
            "é".as_bytes(),
        ])).prop_map(|(at, s)| Edit::Insert(at, s)),
        // Bytes that are not UTF-8: in a string, between tokens, or in the
        // middle of a character.
        1 => (at.clone(), prop::sample::select(BAD.to_vec()))
            .prop_map(|(at, s)| Edit::Insert(at, s)),
        1 => (at, 1..4usize).prop_map(|(at, n)| Edit::Remove(at, n)),
    ];
    prop::collection::vec(edit, 1..4)
}

/// `text` with `edits` made to its bytes.
pub(crate) fn mutate(text: &str, edits: &[Edit]) -> Vec<u8> {
    let mut b = text.as_bytes().to_vec();
    let place = |b: &Vec<u8>, at: usize| at * b.len() / 1000;
    for edit in edits {
        match *edit {
            Edit::Truncate(at) => b.truncate(place(&b, at)),
            Edit::Flip(at, byte) => {
                let at = place(&b, at);
                if let Some(old) = b.get_mut(at) {
                    *old = byte;
                }
            }
            Edit::Insert(at, s) => {
                let at = place(&b, at);
                b.splice(at..at, s.iter().copied());
            }
            Edit::Remove(at, n) => {
                let at = place(&b, at);
                b.drain(at..(at + n).min(b.len()));
            }
        }
    }
    b
}

/// `text` with the bytes `BAD[bad % BAD.len()]` in place of one of its
/// [`SPOT`]s (the `at`-th, counting round), so that only that string is
/// not UTF-8; `text` as it is when it has none.
pub(crate) fn spoil(text: &str, at: usize, bad: usize) -> Vec<u8> {
    let spots: Vec<usize> = text.match_indices(SPOT).map(|(i, _)| i).collect();
    let mut b = text.as_bytes().to_vec();
    if let Some(&i) = spots.get(at % spots.len().max(1)) {
        b.splice(i..i + SPOT.len_utf8(), BAD[bad % BAD.len()].iter().copied());
    }
    b
}

/// The members of a JSON object's text as serde reads them, in order:
/// names decoded, values as their text. `None` when serde refuses it.
pub(crate) fn serde_members(text: &str) -> Option<Vec<(String, Box<RawValue>)>> {
    struct Members;
    impl<'de> Visitor<'de> for Members {
        type Value = Vec<(String, Box<RawValue>)>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = Vec::new();
            while let Some(entry) = map.next_entry()? {
                out.push(entry);
            }
            Ok(out)
        }
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let members = de.deserialize_map(Members).ok()?;
    de.end().ok()?;
    Some(members)
}

/// The text of a JSON string literal as serde decodes it; where serde
/// refuses a lone surrogate, the text with each one as U+FFFD (what the
/// writers show).
pub(crate) fn string_text(literal: &str) -> String {
    serde_json::from_str::<String>(literal).unwrap_or_else(|_| lossy(literal))
}

/// A string literal's text with each lone surrogate as U+FFFD, decoded
/// here by the book.
fn lossy(literal: &str) -> String {
    let inner = &literal[1..literal.len() - 1];
    let mut units = Vec::new();
    let mut chars = inner.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            units.extend_from_slice(c.encode_utf16(&mut [0; 2]));
            continue;
        }
        let unit = match chars.next() {
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                u16::from_str_radix(&hex, 16).expect("four hex digits")
            }
            Some('n') => 10,
            Some('t') => 9,
            Some('r') => 13,
            Some('b') => 8,
            Some('f') => 12,
            Some(c) => c as u16,
            None => panic!("a string that ends in a backslash: {literal}"),
        };
        units.push(unit);
    }
    char::decode_utf16(units)
        .map(|c| c.unwrap_or('\u{fffd}'))
        .collect()
}

/// The text a cell shows for a value's JSON text: a string's text, nothing
/// for `null`, any other value's text as it is.
pub(crate) fn cell_text(json: &str) -> String {
    match json {
        "null" => String::new(),
        s if s.starts_with('"') => string_text(s),
        s => s.to_string(),
    }
}

#[cfg(test)]
mod tests;
