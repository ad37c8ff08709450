//! A line's user identifiers, found by JSON pointer in the line's text
//! without building a `serde_json::Value`: the top-level object is walked
//! once (which also checks the whole line is JSON), keeping only the raw
//! text of the keys a pointer starts with; a pointer's further steps walk
//! only the value they lead into. Identifiers are borrowed from the line
//! unless they hold escapes.

use std::borrow::Cow;
use std::fmt;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use crate::page::row::{CowVisitor, Key};
use crate::settings::{Identifiers, Pointer};

/// The identifiers a line (or a failure row) names; `None` where absent,
/// `null`, empty or not a string or number.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Ids<'a> {
    pub object: Option<Cow<'a, str>>,
    pub pulse: Option<Cow<'a, str>>,
}

impl Ids<'_> {
    /// Whether neither identifier was found.
    pub fn is_empty(&self) -> bool {
        self.object.is_none() && self.pulse.is_none()
    }
}

/// Finds the identifiers in lines, with the pointers of [`Identifiers`].
pub struct Finder {
    object: Vec<Pointer>,
    pulse: Vec<Pointer>,
    /// The distinct first tokens of every pointer: the top-level keys kept.
    keys: Vec<String>,
}

impl Finder {
    pub fn new(ids: &Identifiers) -> Finder {
        let mut keys: Vec<String> = Vec::new();
        for pointer in ids.object.iter().chain(&ids.pulse) {
            let first = &pointer.tokens()[0];
            if !keys.contains(first) {
                keys.push(first.clone());
            }
        }
        Finder {
            object: ids.object.clone(),
            pulse: ids.pulse.clone(),
            keys,
        }
    }

    /// The identifiers of `line`, a JSON object's text (surrounding
    /// whitespace allowed), or why the line is not one.
    pub fn find<'a>(&self, line: &'a str) -> Result<Ids<'a>, String> {
        let mut de = serde_json::Deserializer::from_str(line);
        let top = de
            .deserialize_map(TopVisitor { keys: &self.keys })
            .and_then(|top| de.end().map(|()| top))
            .map_err(|e| why_not(&e))?;
        let first = |pointers: &[Pointer]| {
            pointers.iter().find_map(|p| {
                let (head, rest) = p.tokens().split_first()?;
                let at = self.keys.iter().position(|k| k == head)?;
                let mut value = top[at]?;
                for token in rest {
                    value = child(value, token)?;
                }
                id_text(value)
            })
        };
        Ok(Ids {
            object: first(&self.object),
            pulse: first(&self.pulse),
        })
    }
}

/// Why a line is not a JSON object, in a few words.
fn why_not(e: &serde_json::Error) -> String {
    match e.classify() {
        serde_json::error::Category::Data => "not a JSON object".to_string(),
        _ => {
            let text = e.to_string();
            let what = match text.rfind(" at line ") {
                Some(at) => &text[..at],
                None => &text,
            };
            format!("not JSON ({what} at column {})", e.column())
        }
    }
}

/// An identifier's text: a string (unescaped) or a number (as written).
pub fn id_text(value: &RawValue) -> Option<Cow<'_, str>> {
    let text = value.get();
    let id = match text.as_bytes().first()? {
        b'"' => serde_json::Deserializer::from_str(text)
            .deserialize_str(CowVisitor)
            .ok()?,
        b'-' | b'0'..=b'9' => Cow::Borrowed(text),
        _ => return None,
    };
    (!id.is_empty()).then_some(id)
}

/// The value under `token` in `value`: an object's key, or an array's
/// index (digits, no leading zero).
fn child<'a>(value: &'a RawValue, token: &str) -> Option<&'a RawValue> {
    let text = value.get();
    let mut de = serde_json::Deserializer::from_str(text);
    match text.as_bytes().first()? {
        b'{' => de.deserialize_map(KeyVisitor { key: token }).ok()?,
        b'[' => {
            let index: usize = match token.as_bytes() {
                [b'0'] => 0,
                [b'1'..=b'9', ..] if token.bytes().all(|b| b.is_ascii_digit()) => {
                    token.parse().ok()?
                }
                _ => return None,
            };
            de.deserialize_seq(IndexVisitor { index }).ok()?
        }
        _ => None,
    }
}

/// Walks the top-level object, keeping the raw value of each of `keys`
/// (the last one where a key is repeated) and skipping the rest.
struct TopVisitor<'k> {
    keys: &'k [String],
}

impl<'de> Visitor<'de> for TopVisitor<'_> {
    type Value = Vec<Option<&'de RawValue>>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = vec![None; self.keys.len()];
        while let Some(Key(key)) = map.next_key()? {
            match self.keys.iter().position(|k| *k == key) {
                Some(at) => found[at] = Some(map.next_value()?),
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(found)
    }
}

/// Walks an object for one key's raw value.
struct KeyVisitor<'k> {
    key: &'k str,
}

impl<'de> Visitor<'de> for KeyVisitor<'_> {
    type Value = Option<&'de RawValue>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        while let Some(Key(key)) = map.next_key()? {
            if key == self.key {
                found = Some(map.next_value()?);
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(found)
    }
}

/// Walks an array for one element's raw value.
struct IndexVisitor {
    index: usize,
}

impl<'de> Visitor<'de> for IndexVisitor {
    type Value = Option<&'de RawValue>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON array")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut found = None;
        let mut at = 0;
        while let Some(value) = seq.next_element_seed(Element(at == self.index))? {
            found = found.or(value);
            at += 1;
        }
        Ok(found)
    }
}

/// An array element: its raw value when `keep`, else skipped.
struct Element(bool);

impl<'de> DeserializeSeed<'de> for Element {
    type Value = Option<&'de RawValue>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        if self.0 {
            serde::Deserialize::deserialize(d).map(Some)
        } else {
            <IgnoredAny as serde::Deserialize>::deserialize(d).map(|_| None)
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use crate::cli::LineArgs;

    /// A finder with the defaults, or the pointers given.
    pub(crate) fn finder(object: Option<&str>, pulse: Option<&str>) -> Finder {
        let args = LineArgs {
            object_id_at: object.map(String::from),
            pulse_id_at: pulse.map(String::from),
            annotate: false,
        };
        let join = crate::settings::join(&args, std::path::Path::new("-"), None).unwrap();
        Finder::new(&join.ids)
    }

    fn ids(f: &Finder, line: &str) -> (Option<String>, Option<String>) {
        let ids = f.find(line).unwrap();
        (
            ids.object.map(Cow::into_owned),
            ids.pulse.map(Cow::into_owned),
        )
    }

    fn some(s: &str) -> Option<String> {
        Some(s.to_string())
    }

    #[test]
    fn the_user_object_comes_first_then_top_level_keys() {
        let f = finder(None, None);
        let line = r#"{"object_id":"top","user":{"pulse_id":"p1","object_id":"o1"}}"#;
        assert_eq!(ids(&f, line), (some("o1"), some("p1")));
        assert_eq!(ids(&f, r#"{"object_id":"o2"}"#), (some("o2"), None));
        assert_eq!(
            ids(&f, r#"{"pulseId":"p3","x":[1,{"a":2}]}"#),
            (None, some("p3"))
        );
        assert_eq!(
            ids(&f, r#"{"user":{"object_id":null},"objectId":"o4"}"#),
            (some("o4"), None)
        );
    }

    #[test]
    fn a_pointer_given_replaces_the_defaults() {
        let f = finder(Some("/data/ids/1"), Some("/p~1id"));
        let line = r#"{"user":{"object_id":"no"},"data":{"ids":["a","b"]},"p/id":7}"#;
        assert_eq!(ids(&f, line), (some("b"), some("7")));
        assert_eq!(ids(&f, r#"{"user":{"object_id":"no"}}"#), (None, None));
    }

    #[test]
    fn escaped_keys_and_values_are_read() {
        let f = finder(None, None);
        let line = r#"{"us\u0065r":{"object_id":"a\"b"}}"#;
        assert_eq!(ids(&f, line), (some("a\"b"), None));
    }

    #[test]
    fn values_that_are_no_identifier_are_skipped() {
        let f = finder(None, None);
        for line in [
            r#"{"user":{"object_id":""}}"#,
            r#"{"user":{"object_id":{"x":1}}}"#,
            r#"{"user":{"object_id":true}}"#,
            r#"{"user":"o1"}"#,
            r#"{}"#,
        ] {
            assert!(f.find(line).unwrap().is_empty(), "{line}");
        }
    }

    #[test]
    fn lines_that_are_not_json_objects_say_why() {
        let f = finder(None, None);
        assert_eq!(f.find("[1]").unwrap_err(), "not a JSON object");
        let err = f.find(r#"{"user": }"#).unwrap_err();
        assert!(
            err.starts_with("not JSON (expected value at column 10"),
            "{err}"
        );
        // Garbage after the object is not JSON either.
        assert!(f.find(r#"{"a":1} x"#).is_err());
    }
}
