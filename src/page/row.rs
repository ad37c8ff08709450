//! One result row, borrowed from the page body: its raw JSON (for the JSON
//! formats, passed through byte for byte) and its top-level fields (for the
//! column formats). Nothing here knows about HTTP or a particular format.
//!
//! A row is bytes of a body the page check read as UTF-8 (or of text the
//! tool made), so it is walked as bytes and never checked again as a whole:
//! only a cell that must become text (`Row::cell`, `Value::text`, `Row::id`,
//! `Row::get`) is checked, on its own (`String::from_utf8_lossy`, which
//! borrows what is valid, and here everything is).

use std::borrow::Cow;
use std::cell::OnceCell;
use std::fmt;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::json_text::preview;
pub use walk::unescape_into;
use walk::{member_texts, members};

mod walk;

/// A row of the results array.
#[derive(Debug)]
pub struct Row<'a> {
    raw: &'a [u8],
    /// Split on first use: the JSON formats pass `raw` through and never
    /// need them.
    fields: OnceCell<Fields<'a>>,
    /// A field added in front of the received ones (`bulkId` when exporting several bulks).
    added: Option<(&'a str, &'a RawValue)>,
    /// The value of the first received field of the added field's name,
    /// which the added one replaces.
    replaced: Option<&'a [u8]>,
}

/// Each field's name (escapes undone) and its value's JSON text.
type Fields<'a> = Vec<(Cow<'a, [u8]>, &'a [u8])>;

/// A row that is not a JSON object.
#[derive(Debug, thiserror::Error)]
#[error("a result row is not a JSON object: {0}")]
pub struct NotAnObject(String);

impl<'a> Row<'a> {
    /// Split a raw row (text, or bytes of a checked body) into its fields
    /// without copying them; serde checks it is a JSON object.
    pub fn parse<T: AsRef<[u8]> + ?Sized>(raw: &'a T) -> Result<Row<'a>, NotAnObject> {
        let raw = raw.as_ref();
        let fields = split(raw).map_err(|_| NotAnObject(preview(&String::from_utf8_lossy(raw))))?;
        Ok(Row {
            raw,
            fields: OnceCell::from(fields),
            added: None,
            replaced: None,
        })
    }

    /// A row already checked to be a JSON object (a page's rows are, when
    /// the page arrives): its fields are split only if a field is asked for.
    pub fn checked<T: AsRef<[u8]> + ?Sized>(raw: &'a T) -> Row<'a> {
        Row {
            raw: raw.as_ref(),
            fields: OnceCell::new(),
            added: None,
            replaced: None,
        }
    }

    fn fields(&self) -> &Fields<'a> {
        (self.fields).get_or_init(|| split_flat(self.raw).unwrap_or_else(|| split_any(self.raw)))
    }

    /// The row's JSON text exactly as received.
    pub fn raw(&self) -> &'a [u8] {
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
    pub fn replaced(&self) -> Option<&'a [u8]> {
        self.replaced
    }

    /// The first received top-level field `name`'s JSON text. Only a row
    /// whose text could name it (its name, or a `\u` escape that could
    /// spell it) is split to look: most rows are not.
    fn received(&self, name: &str) -> Option<&'a [u8]> {
        let text = self.raw;
        if memchr::memmem::find(text, name.as_bytes()).is_none()
            && memchr::memmem::find(text, b"\\u").is_none()
        {
            return None;
        }
        (self.fields().iter())
            .find(|(k, _)| k.as_ref() == name.as_bytes())
            .map(|(_, v)| *v)
    }

    /// Hand the text of each received member (name, colon and value) to
    /// `each`, in order, except those named `name`.
    pub fn members_except<E>(
        &self,
        name: &str,
        mut each: impl FnMut(&'a [u8]) -> Result<(), E>,
    ) -> Result<(), E> {
        member_texts(self.raw, |member, text, _| {
            if member != name.as_bytes() {
                each(text)?;
            }
            Ok(())
        })
    }

    /// The names of the row's received top-level fields, in order, escapes
    /// undone (a name given twice comes twice).
    pub fn names(&self) -> impl Iterator<Item = Cow<'_, str>> + '_ {
        (self.fields().iter()).map(|(name, _)| String::from_utf8_lossy(name))
    }

    /// A top-level field's raw JSON, if present.
    pub fn get(&self, name: &str) -> Option<&'a RawValue> {
        serde_json::from_slice(self.json(name)?).ok()
    }

    /// A top-level field's JSON text, if present.
    fn json(&self, name: &str) -> Option<&'a [u8]> {
        if let Some((added, value)) = self.added {
            if added == name {
                return Some(value.get().as_bytes());
            }
        }
        (self.fields().iter())
            .find(|(k, _)| k.as_ref() == name.as_bytes())
            .map(|(_, v)| *v)
    }

    /// A field as text for a cell: strings unescaped, `null` and missing
    /// fields empty, numbers/booleans/objects as their JSON text.
    pub fn cell(&self, name: &str) -> Cow<'a, str> {
        self.json(name).map_or(Cow::Borrowed(""), json_cell)
    }

    /// The row's `id` when it is a string: the cursor that resumes after it.
    pub fn id(&self) -> Option<String> {
        serde_json::from_slice::<String>(self.json("id")?).ok()
    }
}

/// A top-level member's value as it lies in the row's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Value<'a> {
    /// A string without escapes or commas: the text between its quotes.
    Plain(&'a [u8]),
    /// A string without escapes that holds a comma: the text between its
    /// quotes.
    Comma(&'a [u8]),
    /// Any other value's JSON text: a string with escapes (quotes and
    /// all), a number, `true`, `false`, `null`, an object or an array.
    Json(&'a [u8]),
}

impl<'a> Value<'a> {
    /// The bytes a cell shows: a string's text (its escapes undone into
    /// `scratch`), nothing for `null`, any other value's JSON text. UTF-8,
    /// as the row is: a writer of bytes takes them as they are.
    pub fn bytes<'s>(self, scratch: &'s mut Vec<u8>) -> &'s [u8]
    where
        'a: 's,
    {
        match self {
            Value::Plain(text) | Value::Comma(text) => text,
            Value::Json(b"null") => b"",
            Value::Json(json) if json.first() == Some(&b'"') => {
                scratch.clear();
                unescape_into(json, scratch);
                scratch
            }
            Value::Json(json) => json,
        }
    }

    /// The same as text: what [`Row::cell`] gives.
    pub fn text(self) -> Cow<'a, str> {
        match self {
            Value::Plain(text) | Value::Comma(text) => String::from_utf8_lossy(text),
            Value::Json(json) => json_cell(json),
        }
    }

    fn of(json: &'a [u8]) -> Value<'a> {
        match json.first() {
            Some(b'"') if memchr::memchr(b'\\', json).is_none() => {
                let text = json.get(1..json.len() - 1).unwrap_or_default();
                if memchr::memchr(b',', json).is_none() {
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
                    *slot = Some(Value::of(value.get().as_bytes()));
                    left -= 1;
                }
            }
        }
        if left == 0 {
            return;
        }
        let whole = members(self.raw, |name, _, value| {
            let first = name.first();
            for (wanted, slot) in names.iter().zip(values.iter_mut()) {
                // The first byte sorts out most names without a call to memcmp.
                let wanted = wanted.as_bytes();
                if slot.is_none() && wanted.first() == first && wanted == name {
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

/// The fields of a JSON object's text, borrowed, as serde reads them (a
/// text that is not a JSON object is an error).
fn split(raw: &[u8]) -> Result<Fields<'_>, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(raw);
    de.deserialize_map(FieldsVisitor)
}

/// The fields of a JSON object's text (known to be valid), in one pass over
/// its bytes ([`member_texts`]), whatever they hold: names with escapes
/// undone (a lone surrogate, which serde passes over in a page but refuses
/// to decode, as U+FFFD, so the other fields stay found, as [`Row::select`]
/// finds them), nested values passed over.
fn split_any(raw: &[u8]) -> Fields<'_> {
    let mut fields = Vec::new();
    let _ = member_texts(raw, |name, _, value| {
        fields.push((Cow::Owned(name.to_vec()), value));
        Ok::<_, ()>(())
    });
    fields
}

/// The fields of the text of a JSON object already known to be valid, in
/// one pass over its bytes ([`members`]), when it is flat: names without
/// escapes, values strings, numbers, booleans or null. `None` for anything
/// else (nested values, escaped names), which [`split_any`] handles.
fn split_flat(raw: &[u8]) -> Option<Fields<'_>> {
    let mut fields = Vec::with_capacity(8);
    let mut flat = true;
    let whole = members(raw, |name, json, _| {
        flat = !matches!(json.first(), Some(b'{' | b'['));
        fields.push((Cow::Borrowed(name), json));
        flat
    });
    (whole && flat).then_some(fields)
}

/// Text of a raw JSON value for a cell.
pub fn cell_text(raw: &RawValue) -> Cow<'_, str> {
    json_cell(raw.get().as_bytes())
}

/// Text of a JSON value's text (UTF-8) for a cell: a string's text, nothing
/// for `null`, any other value's text as it is.
fn json_cell(text: &[u8]) -> Cow<'_, str> {
    match text.first() {
        // A string without escapes is its text between the quotes.
        Some(b'"') if memchr::memchr(b'\\', text).is_none() => {
            String::from_utf8_lossy(text.get(1..text.len() - 1).unwrap_or_default())
        }
        Some(b'"') => {
            let mut out = Vec::with_capacity(text.len());
            unescape_into(text, &mut out);
            match String::from_utf8(out) {
                Ok(out) => Cow::Owned(out),
                Err(e) => Cow::Owned(String::from_utf8_lossy(e.as_bytes()).into_owned()),
            }
        }
        Some(b'n') if text == b"null" => Cow::Borrowed(""),
        _ => String::from_utf8_lossy(text),
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
            let k = match k {
                Cow::Borrowed(k) => Cow::Borrowed(k.as_bytes()),
                Cow::Owned(k) => Cow::Owned(k.into_bytes()),
            };
            fields.push((k, v.get().as_bytes()));
        }
        Ok(fields)
    }
}

#[cfg(test)]
mod tests;
