//! Walking a row's JSON text by hand, one pass over the bytes: its members
//! in order, where a string, a value or a nested value ends, and a string's
//! escapes undone. The text is known to be valid JSON and UTF-8 (the page
//! check read it first), and is walked as bytes; `Row` builds on these.

use super::Value;
use crate::page::json_text::{self, plain_end};

/// Where the JSON whitespace that starts at `i` ends.
fn skip_space(b: &[u8], i: usize) -> usize {
    json_text::skip_ws(b, i)
}

/// Hand each member of a JSON object's text (known to be valid) to `each`,
/// in order, until it returns `false`; one pass over the bytes, nested
/// values passed over. `false` when a name holds an escape (the members
/// from there on are not read).
pub(super) fn members<'a>(
    b: &'a [u8],
    mut each: impl FnMut(&'a [u8], &'a [u8], Value<'a>) -> bool,
) -> bool {
    let space = |i: usize| skip_space(b, i);
    let mut i = space(0);
    if b.get(i) != Some(&b'{') {
        return true;
    }
    i = space(i + 1);
    while b.get(i) == Some(&b'"') {
        let name_end = plain_end(b, i + 1);
        match b.get(name_end) {
            Some(b'"') => {}
            Some(_) => return false,
            None => return true,
        }
        let name = b.get(i + 1..name_end).unwrap_or_default();
        i = space(space(name_end + 1) + 1);
        let start = i;
        let value = match b.get(i) {
            Some(b'"') => {
                let (end, plain, comma) = string_end(b, i + 1);
                i = end;
                let inner = || b.get(start + 1..end - 1).unwrap_or_default();
                match (plain, comma) {
                    (true, false) => Value::Plain(inner()),
                    (true, true) => Value::Comma(inner()),
                    (false, _) => Value::Json(b.get(start..end).unwrap_or_default()),
                }
            }
            Some(b'{' | b'[') => {
                i = nested_end(b, i);
                Value::Json(b.get(start..i).unwrap_or_default())
            }
            _ => {
                i = value_end(b, i);
                Value::Json(b.get(start..i).unwrap_or_default())
            }
        };
        if !each(name, b.get(start..i).unwrap_or_default(), value) {
            return true;
        }
        i = space(i);
        if b.get(i) != Some(&b',') {
            return true;
        }
        i = space(i + 1);
    }
    true
}

/// Hand each member of a JSON object's text (known to be valid) to `each`:
/// its name (escapes undone, a lone surrogate as U+FFFD), its text from the
/// name's opening quote to the value's end, and its value's text. Unlike
/// [`members`], names with escapes are read too.
pub(super) fn member_texts<'a, E>(
    b: &'a [u8],
    mut each: impl FnMut(&[u8], &'a [u8], &'a [u8]) -> Result<(), E>,
) -> Result<(), E> {
    let space = |i: usize| skip_space(b, i);
    let mut i = space(0);
    if b.get(i) != Some(&b'{') {
        return Ok(());
    }
    i = space(i + 1);
    let mut name = Vec::new();
    while b.get(i) == Some(&b'"') {
        let start = i;
        let (name_end, plain, _) = string_end(b, i + 1);
        let quoted = b.get(start..name_end).unwrap_or_default();
        let name = if plain {
            quoted.get(1..quoted.len() - 1).unwrap_or_default()
        } else {
            name.clear();
            unescape_into(quoted, &mut name);
            &name
        };
        let value = space(space(name_end) + 1);
        i = value_end(b, value);
        let text = b.get(start..i).unwrap_or_default();
        each(name, text, b.get(value..i).unwrap_or_default())?;
        i = space(i);
        if b.get(i) != Some(&b',') {
            break;
        }
        i = space(i + 1);
    }
    Ok(())
}

/// Just past the value that starts at `i`.
pub(super) fn value_end(b: &[u8], mut i: usize) -> usize {
    match b.get(i) {
        Some(b'"') => string_end(b, i + 1).0,
        Some(b'{' | b'[') => nested_end(b, i),
        _ => {
            while b
                .get(i)
                .is_some_and(|c| !matches!(c, b',' | b'}') && !c.is_ascii_whitespace())
            {
                i += 1;
            }
            i
        }
    }
}

/// Just past the closing quote of the string whose text starts at `i`,
/// whether it held no escape, and whether it held a comma (which a CSV
/// cell must quote): one pass, eight bytes at a time.
pub(super) fn string_end(b: &[u8], mut i: usize) -> (usize, bool, bool) {
    let (mut plain, mut comma) = (true, false);
    loop {
        // A string of a valid row holds no control character: the run ends
        // at its closing quote, an escape or a comma.
        i = json_text::text_end(b, i, b',');
        match b.get(i) {
            None => return (b.len(), plain, comma),
            Some(b'"') => return (i + 1, plain, comma),
            Some(b',') => {
                comma = true;
                i += 1;
            }
            Some(_) => {
                plain = false;
                i += 2;
            }
        }
    }
}

/// Just past the object or array that starts at `i`.
pub(super) fn nested_end(b: &[u8], mut i: usize) -> usize {
    let mut depth = 0usize;
    while let Some(&c) = b.get(i) {
        i += 1;
        match c {
            b'"' => i = string_end(b, i).0,
            b'{' | b'[' => depth += 1,
            b'}' | b']' => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    i
}

/// Append the text of a JSON string literal (known to be valid, quotes
/// included) to `out`, its escapes undone: UTF-8 when the literal is.
pub fn unescape_into(json: &[u8], out: &mut Vec<u8>) {
    let inner = json
        .strip_prefix(b"\"")
        .and_then(|s| s.strip_suffix(b"\""))
        .unwrap_or(json);
    let mut rest = inner;
    while let Some(at) = memchr::memchr(b'\\', rest) {
        out.extend_from_slice(&rest[..at]);
        let esc = rest.get(at + 1).copied().unwrap_or(b'\\');
        rest = rest.get(at + 2..).unwrap_or_default();
        let c = match esc {
            b'n' => '\n',
            b't' => '\t',
            b'r' => '\r',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'u' => {
                let (unit, after) = hex4(rest);
                rest = after;
                match unit {
                    0xD800..=0xDBFF => match rest.strip_prefix(b"\\u").map(hex4) {
                        Some((low @ 0xDC00..=0xDFFF, after)) => {
                            rest = after;
                            let code = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                            char::from_u32(code).unwrap_or('\u{fffd}')
                        }
                        _ => '\u{fffd}',
                    },
                    _ => char::from_u32(unit).unwrap_or('\u{fffd}'),
                }
            }
            other => char::from(other),
        };
        out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
    }
    out.extend_from_slice(rest);
}

/// The four hex digits at the start of `s`, and what follows them.
fn hex4(s: &[u8]) -> (u32, &[u8]) {
    let digits = s.get(..4).and_then(|h| std::str::from_utf8(h).ok());
    match digits.and_then(|h| u32::from_str_radix(h, 16).ok()) {
        Some(n) => (n, &s[4..]),
        None => (0xFFFD, s),
    }
}
