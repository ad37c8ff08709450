//! One result row, borrowed from the page body: its raw JSON (for the JSON
//! formats, passed through byte for byte) and its top-level fields (for the
//! column formats). Nothing here knows about HTTP or a particular format.

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
mod tests;
