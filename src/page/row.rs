//! One result row, borrowed from the page body: its raw JSON (for the JSON
//! formats, passed through byte for byte) and its top-level fields (for the
//! column formats). Nothing here knows about HTTP or a particular format.

use std::borrow::Cow;
use std::cell::OnceCell;
use std::fmt;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::json_text::{self, plain_end, preview};

/// A row of the results array.
#[derive(Debug)]
pub struct Row<'a> {
    raw: &'a str,
    /// Split on first use: the JSON formats pass `raw` through and never
    /// need them.
    fields: OnceCell<Fields<'a>>,
    /// A field added in front of the received ones (`bulkId` when exporting several bulks).
    added: Option<(&'a str, &'a RawValue)>,
    /// The value of the first received field of the added field's name,
    /// which the added one replaces.
    replaced: Option<&'a str>,
}

/// Each field's name and its value's JSON text.
type Fields<'a> = Vec<(Cow<'a, str>, &'a str)>;

/// A row that is not a JSON object.
#[derive(Debug, thiserror::Error)]
#[error("a result row is not a JSON object: {0}")]
pub struct NotAnObject(String);

impl<'a> Row<'a> {
    /// Split a raw row into its fields without copying them.
    pub fn parse(raw: &'a str) -> Result<Row<'a>, NotAnObject> {
        let fields = split(raw).map_err(|_| NotAnObject(preview(raw)))?;
        Ok(Row {
            raw,
            fields: OnceCell::from(fields),
            added: None,
            replaced: None,
        })
    }

    /// A row already checked to be a JSON object (a page's rows are, when
    /// the page arrives): its fields are split only if a field is asked for.
    pub fn checked(raw: &'a str) -> Row<'a> {
        Row {
            raw,
            fields: OnceCell::new(),
            added: None,
            replaced: None,
        }
    }

    fn fields(&self) -> &Fields<'a> {
        (self.fields).get_or_init(|| {
            split_flat(self.raw)
                .or_else(|| split(self.raw).ok())
                .unwrap_or_else(|| split_lossy(self.raw))
        })
    }

    /// The row's JSON text exactly as received.
    pub fn raw(&self) -> &'a str {
        self.raw
    }

    /// Put a field in front of the received ones; it replaces received
    /// fields of the same name.
    pub fn with_field(mut self, name: &'a str, value: &'a RawValue) -> Row<'a> {
        self.added = Some((name, value));
        self.replaced = self.received(name);
        self
    }

    /// The added field, if any.
    pub fn added(&self) -> Option<(&'a str, &'a RawValue)> {
        self.added
    }

    /// The JSON text of the received field the added one replaces, if the
    /// row had one.
    pub fn replaced(&self) -> Option<&'a str> {
        self.replaced
    }

    /// The first received top-level field `name`'s JSON text. Only a row
    /// whose text could name it (its name, or a `\u` escape that could
    /// spell it) is split to look: most rows are not.
    fn received(&self, name: &str) -> Option<&'a str> {
        let text = self.raw.as_bytes();
        if memchr::memmem::find(text, name.as_bytes()).is_none()
            && memchr::memmem::find(text, b"\\u").is_none()
        {
            return None;
        }
        (self.fields().iter())
            .find(|(k, _)| k.as_ref() == name)
            .map(|(_, v)| *v)
    }

    /// Hand the text of each received member (name, colon and value) to
    /// `each`, in order, except those named `name`.
    pub fn members_except<E>(
        &self,
        name: &str,
        mut each: impl FnMut(&'a str) -> Result<(), E>,
    ) -> Result<(), E> {
        member_texts(self.raw, |member, text, _| {
            if member != name {
                each(text)?;
            }
            Ok(())
        })
    }

    /// A top-level field's raw JSON, if present.
    pub fn get(&self, name: &str) -> Option<&'a RawValue> {
        serde_json::from_str(self.json(name)?).ok()
    }

    /// A top-level field's JSON text, if present.
    fn json(&self, name: &str) -> Option<&'a str> {
        if let Some((added, value)) = self.added {
            if added == name {
                return Some(value.get());
            }
        }
        (self.fields().iter())
            .find(|(k, _)| k.as_ref() == name)
            .map(|(_, v)| *v)
    }

    /// A field as text for a cell: strings unescaped, `null` and missing
    /// fields empty, numbers/booleans/objects as their JSON text.
    pub fn cell(&self, name: &str) -> Cow<'a, str> {
        self.json(name).map_or(Cow::Borrowed(""), json_cell)
    }

    /// The row's `id` when it is a string: the cursor that resumes after it.
    pub fn id(&self) -> Option<String> {
        serde_json::from_str::<String>(self.json("id")?).ok()
    }
}

/// A top-level member's value as it lies in the row's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value<'a> {
    /// A string without escapes or commas: the text between its quotes.
    Plain(&'a str),
    /// A string without escapes that holds a comma: the text between its
    /// quotes.
    Comma(&'a str),
    /// Any other value's JSON text: a string with escapes (quotes and
    /// all), a number, `true`, `false`, `null`, an object or an array.
    Json(&'a str),
}

impl<'a> Value<'a> {
    /// The text a cell shows: a string's text (its escapes undone into
    /// `scratch`), nothing for `null`, any other value's JSON text.
    pub fn text<'s>(self, scratch: &'s mut String) -> &'s str
    where
        'a: 's,
    {
        match self {
            Value::Plain(text) | Value::Comma(text) => text,
            Value::Json("null") => "",
            Value::Json(json) if json.starts_with('"') => {
                scratch.clear();
                unescape_into(json, scratch);
                scratch
            }
            Value::Json(json) => json,
        }
    }

    fn of(json: &'a str) -> Value<'a> {
        let b = json.as_bytes();
        match b.first() {
            Some(b'"') if memchr::memchr(b'\\', b).is_none() => {
                let text = json.get(1..json.len() - 1).unwrap_or_default();
                if memchr::memchr(b',', b).is_none() {
                    Value::Plain(text)
                } else {
                    Value::Comma(text)
                }
            }
            _ => Value::Json(json),
        }
    }
}

impl<'a> Row<'a> {
    /// The value of each of `names` (the first member of that name, or
    /// the added field), in one pass over the row and without allocating:
    /// what [`Row::cell`] reads, for a writer that wants several columns of
    /// every row. `values` comes in all `None`, as long as `names`.
    pub fn select(&self, names: &[String], values: &mut [Option<Value<'a>>]) {
        let mut left = names.len();
        if let Some((added, value)) = self.added {
            for (name, slot) in names.iter().zip(values.iter_mut()) {
                if name == added {
                    *slot = Some(Value::of(value.get()));
                    left -= 1;
                }
            }
        }
        if left == 0 {
            return;
        }
        let whole = members(self.raw, |name, _, value| {
            let first = name.as_bytes().first();
            for (wanted, slot) in names.iter().zip(values.iter_mut()) {
                // The first byte sorts out most names without a call to memcmp.
                if slot.is_none() && wanted.as_bytes().first() == first && wanted == name {
                    *slot = Some(value);
                    left -= 1;
                }
            }
            left > 0
        });
        if !whole {
            // A name with escapes: the members after it, the long way.
            for (name, slot) in names.iter().zip(values.iter_mut()) {
                if slot.is_none() {
                    *slot = self.json(name).map(Value::of);
                }
            }
        }
    }
}

/// Where the JSON whitespace that starts at `i` ends.
fn skip_space(b: &[u8], mut i: usize) -> usize {
    while b.get(i).is_some_and(|c| c.is_ascii_whitespace()) {
        i += 1;
    }
    i
}

/// Hand each member of a JSON object's text (known to be valid) to `each`,
/// in order, until it returns `false`; one pass over the bytes, nested
/// values passed over. `false` when a name holds an escape (the members
/// from there on are not read).
fn members<'a>(raw: &'a str, mut each: impl FnMut(&'a str, &'a str, Value<'a>) -> bool) -> bool {
    let b = raw.as_bytes();
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
        let name = raw.get(i + 1..name_end).unwrap_or_default();
        i = space(space(name_end + 1) + 1);
        let start = i;
        let value = match b.get(i) {
            Some(b'"') => {
                let (end, plain, comma) = string_end(b, i + 1);
                i = end;
                let inner = || raw.get(start + 1..end - 1).unwrap_or_default();
                match (plain, comma) {
                    (true, false) => Value::Plain(inner()),
                    (true, true) => Value::Comma(inner()),
                    (false, _) => Value::Json(raw.get(start..end).unwrap_or_default()),
                }
            }
            Some(b'{' | b'[') => {
                i = nested_end(b, i);
                Value::Json(raw.get(start..i).unwrap_or_default())
            }
            _ => {
                i = value_end(b, i);
                Value::Json(raw.get(start..i).unwrap_or_default())
            }
        };
        if !each(name, raw.get(start..i).unwrap_or_default(), value) {
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
fn member_texts<'a, E>(
    raw: &'a str,
    mut each: impl FnMut(&str, &'a str, &'a str) -> Result<(), E>,
) -> Result<(), E> {
    let b = raw.as_bytes();
    let space = |i: usize| skip_space(b, i);
    let mut i = space(0);
    if b.get(i) != Some(&b'{') {
        return Ok(());
    }
    i = space(i + 1);
    let mut name = String::new();
    while b.get(i) == Some(&b'"') {
        let start = i;
        let (name_end, plain, _) = string_end(b, i + 1);
        let quoted = raw.get(start..name_end).unwrap_or_default();
        let name = if plain {
            quoted.get(1..quoted.len() - 1).unwrap_or_default()
        } else {
            name.clear();
            unescape_into(quoted, &mut name);
            &name
        };
        let value = space(space(name_end) + 1);
        i = value_end(b, value);
        let text = raw.get(start..i).unwrap_or_default();
        each(name, text, raw.get(value..i).unwrap_or_default())?;
        i = space(i);
        if b.get(i) != Some(&b',') {
            break;
        }
        i = space(i + 1);
    }
    Ok(())
}

/// Just past the value that starts at `i`.
fn value_end(b: &[u8], mut i: usize) -> usize {
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
fn string_end(b: &[u8], mut i: usize) -> (usize, bool, bool) {
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
fn nested_end(b: &[u8], mut i: usize) -> usize {
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
/// included) to `out`, its escapes undone.
pub fn unescape_into(json: &str, out: &mut String) {
    let inner = json
        .strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(json);
    let mut rest = inner;
    while let Some(at) = memchr::memchr(b'\\', rest.as_bytes()) {
        out.push_str(&rest[..at]);
        let esc = rest.as_bytes().get(at + 1).copied().unwrap_or(b'\\');
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
                    0xD800..=0xDBFF => match rest.strip_prefix("\\u").map(hex4) {
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
        out.push(c);
    }
    out.push_str(rest);
}

/// The four hex digits at the start of `s`, and what follows them.
fn hex4(s: &str) -> (u32, &str) {
    match s.get(..4).and_then(|h| u32::from_str_radix(h, 16).ok()) {
        Some(n) => (n, &s[4..]),
        None => (0xFFFD, s),
    }
}

/// The fields of a JSON object's text, borrowed.
fn split(raw: &str) -> Result<Fields<'_>, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(raw);
    de.deserialize_map(FieldsVisitor)
}

/// The fields of a JSON object's text (known to be valid) that serde does
/// not split: a name with a lone surrogate (`"\ud800"`), which serde passes
/// over in a page but refuses to decode, is read with U+FFFD in its place,
/// so the other fields stay found (as [`Row::select`] finds them).
fn split_lossy(raw: &str) -> Fields<'_> {
    let mut fields = Vec::new();
    let _ = member_texts(raw, |name, _, value| {
        fields.push((Cow::Owned(name.to_string()), value));
        Ok::<_, ()>(())
    });
    fields
}

/// The fields of the text of a JSON object already known to be valid, in
/// one pass over its bytes ([`members`]), when it is flat: names without
/// escapes, values strings, numbers, booleans or null. `None` for anything
/// else (nested values, escaped names), which [`split`] handles.
fn split_flat(raw: &str) -> Option<Fields<'_>> {
    let mut fields = Vec::with_capacity(8);
    let mut flat = true;
    let whole = members(raw, |name, json, _| {
        flat = !json.starts_with(['{', '[']);
        fields.push((Cow::Borrowed(name), json));
        flat
    });
    (whole && flat).then_some(fields)
}

/// Text of a raw JSON value for a cell.
pub fn cell_text(raw: &RawValue) -> Cow<'_, str> {
    json_cell(raw.get())
}

/// Text of a JSON value's text for a cell.
fn json_cell(text: &str) -> Cow<'_, str> {
    match text.as_bytes().first() {
        // A string without escapes is its text between the quotes.
        Some(b'"') if memchr::memchr(b'\\', text.as_bytes()).is_none() => {
            Cow::Borrowed(text.get(1..text.len() - 1).unwrap_or_default())
        }
        Some(b'"') => {
            let mut out = String::with_capacity(text.len());
            unescape_into(text, &mut out);
            Cow::Owned(out)
        }
        Some(b'n') if text == "null" => Cow::Borrowed(""),
        _ => Cow::Borrowed(text),
    }
}

/// Deserializes a string, borrowing it from the input when it has no escapes.
pub(crate) struct CowVisitor;

impl<'de> Visitor<'de> for CowVisitor {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v))
    }
}

pub(crate) struct Key<'a>(pub(crate) Cow<'a, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(CowVisitor).map(Key)
    }
}

struct FieldsVisitor;

impl<'de> Visitor<'de> for FieldsVisitor {
    type Value = Fields<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut fields = Vec::with_capacity(map.size_hint().unwrap_or(6));
        while let Some((Key(k), v)) = map.next_entry::<Key<'de>, &'de RawValue>()? {
            fields.push((k, v.get()));
        }
        Ok(fields)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(s: &str) -> Box<RawValue> {
        RawValue::from_string(s.to_string()).unwrap()
    }

    #[test]
    fn cells_unescape_strings_and_blank_nulls() {
        let r = raw(r#"{"id":"a","error":"x, \"y\"\nz","objectId":null,"n":3,"o":{"k":[1]}}"#);
        let row = Row::parse(r.get()).unwrap();
        assert_eq!(row.cell("error"), "x, \"y\"\nz");
        assert_eq!(row.cell("objectId"), "");
        assert_eq!(row.cell("pulseId"), "");
        assert_eq!(row.cell("n"), "3");
        assert_eq!(row.cell("o"), r#"{"k":[1]}"#);
        assert_eq!(row.id().as_deref(), Some("a"));
    }

    #[test]
    fn plain_strings_are_borrowed() {
        let r = raw(r#"{"error":"plain"}"#);
        let row = Row::parse(r.get()).unwrap();
        assert!(matches!(row.cell("error"), Cow::Borrowed("plain")));
    }

    #[test]
    fn escaped_keys_are_found() {
        let r = raw(r#"{"err\u006fr":"k"}"#);
        assert_eq!(Row::parse(r.get()).unwrap().cell("error"), "k");
    }

    #[test]
    fn flat_rows_split_in_one_pass_as_serde_splits_them() {
        for text in [
            r#"{"id":"a","error":"x, \"y\"\nz","objectId":null,"n":-3.5e2,"ok":true}"#,
            "{ \"id\" : \"a\" ,\n\t\"pulseId\":\"p\\\\\" , \"n\" : 7 }",
            r#"{}"#,
            r#" { } "#,
            r#"{"id":"a","id":"b"}"#,
            r#"{"e":"\u00e9\\","f":""}"#,
        ] {
            let flat = split_flat(text).unwrap_or_else(|| panic!("{text}"));
            assert_eq!(flat, split(text).unwrap(), "{text}");
            let (lazy, eager) = (Row::checked(text), Row::parse(text).unwrap());
            for name in [
                "id", "error", "objectId", "pulseId", "n", "ok", "e", "f", "x",
            ] {
                assert_eq!(lazy.cell(name), eager.cell(name), "{text} {name}");
            }
        }
        // Nested values and escaped names go the long way, with the same result.
        for text in [
            r#"{"id":"a","o":{"k":[1,"}"]}}"#,
            r#"{"err\u006fr":"k","id":"b"}"#,
            r#"{"a":[1,2],"id":"c"}"#,
        ] {
            assert_eq!(split_flat(text), None, "{text}");
            let row = Row::checked(text);
            assert_eq!(row.cell("error"), Row::parse(text).unwrap().cell("error"));
            assert_eq!(row.id(), Row::parse(text).unwrap().id(), "{text}");
        }
        assert_eq!(Row::checked(r#"{"o":{"k":[1]}}"#).cell("o"), r#"{"k":[1]}"#);
    }

    /// The text a cell shows for a selected value, as the CSV writer makes it.
    fn shown(value: Option<Value<'_>>) -> String {
        value.map_or(String::new(), |v| v.text(&mut String::new()).to_string())
    }

    #[test]
    fn select_finds_in_one_pass_what_cell_finds() {
        let names: Vec<String> = [
            "id", "error", "o", "n", "ok", "nul", "e", "x", "id", "bulkId",
        ]
        .map(String::from)
        .to_vec();
        let bulk = raw(r#""B\"1""#);
        for text in [
            r#"{"id":"a","error":"x, \"y\"\nz","o":{"k":[1,"}",{"a":"]"}]},"n":-3.5e2,"ok":true,"nul":null}"#,
            "{ \"id\" : \"a\" ,\n\t\"e\":\"p\\\\\" , \"n\" : 7 , \"o\" : [ ] }",
            r#"{}"#,
            r#" { } "#,
            r#"{"id":"a","id":"b","error":"first","error":"second"}"#,
            r#"{"e":"\u00e9\\\/\b\f\t\r\n","x":"","n":0}"#,
            r#"{"e":"\ud83d\udd12 lock","x":"\u7528\u6237"}"#,
            r#"{"n":1,"err\u006fr":"k","id":"late","error":"not first"}"#,
            r#"{"bulkId":"received","id":"r"}"#,
            r#"{"o":"\"}","error":"after a string with a brace"}"#,
            r#"{"error":"a, b, c","x":",","e":"no comma","id":"long enough to take two words, and a comma"}"#,
        ] {
            let r = raw(text);
            for added in [false, true] {
                let mut row = Row::parse(r.get()).unwrap();
                if added {
                    row = row.with_field("bulkId", &bulk);
                }
                let mut values = vec![None; names.len()];
                row.select(&names, &mut values);
                for (name, value) in names.iter().zip(&values) {
                    assert_eq!(shown(*value), row.cell(name), "{text} {name} {added}");
                }
            }
        }
    }

    #[test]
    fn unescaping_agrees_with_serde() {
        for text in [
            r#""plain""#,
            r#""a\"b\\c\/d\be\ff\ng\rh\ti""#,
            r#""\u0041\u00e9\u7528\ud83d\udd12\u0000""#,
            r#""end\\""#,
            r#""""#,
        ] {
            let mut ours = String::new();
            unescape_into(text, &mut ours);
            assert_eq!(
                ours,
                serde_json::from_str::<String>(text).unwrap(),
                "{text}"
            );
        }
    }

    use crate::page::json_gen::{self, cell_text, serde_members, string_text};
    use proptest::prelude::*;

    /// The names the properties ask rows for (`iD`: none has it).
    const NAMES: [&str; 9] = ["id", "error", "x", "bulkId", "n", "é", "a,b", "", "iD"];

    /// What serde makes of a row: the first member of each name, as text.
    fn first(members: &[(String, Box<RawValue>)], name: &str) -> Option<String> {
        (members.iter())
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.get().to_string())
    }

    proptest! {
        #![proptest_config(json_gen::config())]

        /// Every escape undone as serde undoes it (a lone surrogate, which
        /// serde refuses to decode, as U+FFFD), appended to what was there.
        #[test]
        fn unescape_into_agrees_with_serde(literal in json_gen::string_literal()) {
            let mut ours = String::from("before");
            unescape_into(&literal, &mut ours);
            prop_assert_eq!(ours, format!("before{}", string_text(&literal)), "{}", literal);
        }

        /// A string's end is just past its closing quote, whatever follows;
        /// it says whether the string held an escape, and a comma.
        #[test]
        fn a_string_ends_past_its_closing_quote(
            literal in json_gen::string_literal(),
            tail in prop::sample::select(vec!["", ",\"z\":\"\\\"\"}", "}", " , \"a,\":1}"]),
        ) {
            let text = format!("{literal}{tail}");
            let (end, plain, comma) = string_end(text.as_bytes(), 1);
            prop_assert_eq!(end, literal.len(), "{}", text);
            prop_assert_eq!(plain, !literal.contains('\\'), "{}", text);
            if plain {
                prop_assert_eq!(comma, literal.contains(','), "{}", text);
            }
        }

        /// A member's value ends where serde says it does, before the
        /// spacing, comma or brace after it.
        #[test]
        fn a_value_ends_where_serde_says(
            value in json_gen::value(),
            tail in prop::sample::select(vec![",\"z\":1}", "}", " }", "\n,\"a\":[]}", "\t}"]),
        ) {
            let text = format!("{value}{tail}");
            let mut de = serde_json::Deserializer::from_str(&text);
            let raw: &RawValue = serde::Deserialize::deserialize(&mut de).unwrap();
            prop_assert_eq!(value_end(text.as_bytes(), 0), raw.get().len(), "{}", text);
        }

        /// The fields of a row, however they are read (one name, several
        /// in one pass, the id, the raw value, with a field added in front),
        /// are what serde reads: the first member of the name, a string's
        /// text, nothing for null or a missing field, other values as sent.
        #[test]
        fn row_fields_are_read_as_serde_reads_them(
            text in json_gen::row(),
            picks in prop::collection::vec(0..NAMES.len(), 1..12),
        ) {
            let names: Vec<String> = picks.iter().map(|&n| NAMES[n].to_string()).collect();
            let serde = serde_members(&text);
            let bulk = raw(r#""B \"1\"""#);
            for added in [false, true] {
                let mut row = Row::checked(&text);
                if added {
                    row = row.with_field("bulkId", &bulk);
                }
                let mut values = vec![None; names.len()];
                row.select(&names, &mut values);
                for (name, value) in names.iter().zip(&values) {
                    // One pass over the row finds what a lookup finds.
                    prop_assert_eq!(shown(*value), row.cell(name), "{} {} {}", text, name, added);
                    let Some(members) = &serde else { continue };
                    let want = match first(members, name) {
                        _ if added && name == "bulkId" => Some(bulk.get().to_string()),
                        want => want,
                    };
                    let cell = want.as_deref().map(cell_text).unwrap_or_default();
                    prop_assert_eq!(row.cell(name), cell, "{} {} {}", text, name, added);
                    prop_assert_eq!(row.get(name).map(|r| r.get().to_string()), want, "{} {}", text, name);
                }
                if let Some(members) = &serde {
                    let id = first(members, "id").and_then(|id| serde_json::from_str::<String>(&id).ok());
                    prop_assert_eq!(row.id(), id, "{}", text);
                }
            }
            if let Some(flat) = split_flat(&text) {
                prop_assert_eq!(Some(flat), split(&text).ok(), "{}", text);
            }
        }
    }

    #[test]
    fn a_name_serde_cannot_decode_hides_no_other_field() {
        // A page check lets a lone surrogate pass (serde skips a row's
        // text without decoding it); the table's cell and the CSV's one
        // pass must both still find the fields around it.
        let text = r#"{"x":"😀","\ud800":"lone","id":"r1","error":"e"}"#;
        let row = Row::checked(text);
        assert_eq!(row.cell("x"), "😀");
        assert_eq!(row.cell("error"), "e");
        assert_eq!(row.cell("\u{fffd}"), "lone");
        assert_eq!(row.id().as_deref(), Some("r1"));
        let names = ["x", "error"].map(String::from);
        let mut values = [None; 2];
        row.select(&names, &mut values);
        assert_eq!(values.map(shown), ["😀", "e"]);
    }

    #[test]
    fn a_row_that_is_not_an_object_is_refused() {
        let r = raw(r#"[1,2]"#);
        assert!(Row::parse(r.get()).is_err());
        let r = raw(r#""text""#);
        assert!(Row::parse(r.get()).is_err());
    }
}
