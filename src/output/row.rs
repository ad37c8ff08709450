//! One result row, borrowed from the page body: its raw JSON (for the JSON
//! formats, passed through byte for byte) and its top-level fields (for the
//! column formats). Nothing here knows about HTTP or a particular format.

use std::borrow::Cow;
use std::fmt;

use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;

/// A row of the results array.
#[derive(Debug)]
pub struct Row<'a> {
    raw: &'a str,
    fields: Vec<(Cow<'a, str>, &'a RawValue)>,
    /// A field added in front of the received ones (`bulkId` when exporting several bulks).
    added: Option<(&'a str, &'a RawValue)>,
}

/// A row that is not a JSON object.
#[derive(Debug, thiserror::Error)]
#[error("a result row is not a JSON object: {0}")]
pub struct NotAnObject(String);

impl<'a> Row<'a> {
    /// Split a raw row into its fields without copying them.
    pub fn parse(raw: &'a str) -> Result<Row<'a>, NotAnObject> {
        let mut de = serde_json::Deserializer::from_str(raw);
        match de.deserialize_map(FieldsVisitor) {
            Ok(fields) => Ok(Row {
                raw,
                fields,
                added: None,
            }),
            Err(_) => Err(NotAnObject(preview(raw))),
        }
    }

    /// The row's JSON text exactly as received.
    pub fn raw(&self) -> &'a str {
        self.raw
    }

    /// Put a field in front of the received ones; it wins over a received
    /// field of the same name.
    pub fn with_field(mut self, name: &'a str, value: &'a RawValue) -> Row<'a> {
        self.added = Some((name, value));
        self
    }

    /// The added field, if any.
    pub fn added(&self) -> Option<(&'a str, &'a RawValue)> {
        self.added
    }

    /// A top-level field's raw JSON, if present.
    pub fn get(&self, name: &str) -> Option<&'a RawValue> {
        if let Some((added, value)) = self.added {
            if added == name {
                return Some(value);
            }
        }
        self.fields
            .iter()
            .find(|(k, _)| k.as_ref() == name)
            .map(|(_, v)| *v)
    }

    /// A field as text for a cell: strings unescaped, `null` and missing
    /// fields empty, numbers/booleans/objects as their JSON text.
    pub fn cell(&self, name: &str) -> Cow<'a, str> {
        self.get(name).map_or(Cow::Borrowed(""), cell_text)
    }

    /// The row's `id` when it is a string: the cursor that resumes after it.
    pub fn id(&self) -> Option<String> {
        let raw = self.get("id")?;
        serde_json::from_str::<String>(raw.get()).ok()
    }
}

/// Text of a raw JSON value for a cell.
pub fn cell_text(raw: &RawValue) -> Cow<'_, str> {
    let text = raw.get();
    match text.as_bytes().first() {
        Some(b'"') => {
            let mut de = serde_json::Deserializer::from_str(text);
            match de.deserialize_str(CowVisitor) {
                Ok(s) => s,
                Err(_) => Cow::Borrowed(text),
            }
        }
        Some(b'n') if text == "null" => Cow::Borrowed(""),
        _ => Cow::Borrowed(text),
    }
}

fn preview(text: &str) -> String {
    let mut p: String = text.chars().take(60).collect();
    if p.len() < text.len() {
        p.push('…');
    }
    p
}

/// Deserializes a string, borrowing it from the input when it has no escapes.
struct CowVisitor;

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

struct Key<'a>(Cow<'a, str>);

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_str(CowVisitor).map(Key)
    }
}

struct FieldsVisitor;

impl<'de> Visitor<'de> for FieldsVisitor {
    type Value = Vec<(Cow<'de, str>, &'de RawValue)>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut fields = Vec::with_capacity(map.size_hint().unwrap_or(6));
        while let Some((Key(k), v)) = map.next_entry::<Key<'de>, &'de RawValue>()? {
            fields.push((k, v));
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
    fn a_row_that_is_not_an_object_is_refused() {
        let r = raw(r#"[1,2]"#);
        assert!(Row::parse(r.get()).is_err());
        let r = raw(r#""text""#);
        assert!(Row::parse(r.get()).is_err());
    }
}
