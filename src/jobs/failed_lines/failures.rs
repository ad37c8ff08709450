//! A bulk's failures by user identifier: what the join looks each input
//! line up in. One entry per identifier (`objectId` or `pulseId`) with the
//! distinct error messages of every failure row that names it, so a user
//! with two failure rows (one per failed line) is one entry with both
//! messages; a row that names both identifiers is found by either. Memory
//! grows with the failures (messages are kept once however many rows
//! repeat them), never with the input.

use std::collections::HashMap;

use super::ids::{id_text, Ids};
use crate::output::Row;

/// No entry (an identifier the row does not name).
const NONE: u32 = u32::MAX;

/// The failures of one bulk.
#[derive(Debug, Default)]
pub struct Failures {
    /// Each distinct error message once, and where it is.
    messages: Vec<Box<str>>,
    message_at: HashMap<Box<str>, u32>,
    by_object: HashMap<Box<str>, u32>,
    by_pulse: HashMap<Box<str>, u32>,
    entries: Vec<Entry>,
    /// Each failure row's entries (object, pulse), [`NONE`] where it names
    /// no such identifier.
    rows: Vec<[u32; 2]>,
}

/// The failures of one identifier.
#[derive(Debug)]
struct Entry {
    /// Its first message (`NONE`: the rows carry no error text) and any
    /// other distinct ones, in report order.
    first: u32,
    more: Vec<u32>,
    /// Whether an input line named it.
    matched: bool,
}

/// The entries an input line was found under.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Found([u32; 2]);

impl Failures {
    /// Add one failure row of the report.
    pub fn add(&mut self, row: &Row<'_>) {
        let ids = Ids {
            object: row.get("objectId").and_then(id_text),
            pulse: row.get("pulseId").and_then(id_text),
        };
        let error = row.get("error").map(crate::page::row::cell_text);
        let message = match error.as_deref() {
            Some(text) if !text.is_empty() => self.message(text),
            _ => NONE,
        };
        let object = ids.object.map_or(NONE, |id| {
            let at = entry(&mut self.by_object, &mut self.entries, &id);
            self.entries[at as usize].add(message);
            at
        });
        let pulse = ids.pulse.map_or(NONE, |id| {
            let at = entry(&mut self.by_pulse, &mut self.entries, &id);
            self.entries[at as usize].add(message);
            at
        });
        self.rows.push([object, pulse]);
    }

    fn message(&mut self, text: &str) -> u32 {
        if let Some(&at) = self.message_at.get(text) {
            return at;
        }
        let at = self.messages.len() as u32;
        self.messages.push(text.into());
        self.message_at.insert(text.into(), at);
        at
    }

    /// How many failure rows the report held.
    pub fn rows(&self) -> u64 {
        self.rows.len() as u64
    }

    /// Whether the user of a line with these identifiers failed; the entries
    /// found are marked as matched.
    pub fn find(&mut self, ids: &Ids<'_>) -> Option<Found> {
        let look = |map: &HashMap<Box<str>, u32>, id: &Option<_>| {
            id.as_deref()
                .and_then(|id: &str| map.get(id).copied())
                .unwrap_or(NONE)
        };
        let found = [
            look(&self.by_object, &ids.object),
            look(&self.by_pulse, &ids.pulse),
        ];
        if found == [NONE; 2] {
            return None;
        }
        for at in found.into_iter().filter(|&at| at != NONE) {
            self.entries[at as usize].matched = true;
        }
        Some(Found(found))
    }

    /// The distinct messages of what was found, in report order, joined by
    /// `; ` (`None`: the failure rows carry no error text).
    pub fn message_of(&self, found: Found) -> Option<String> {
        let mut ids: Vec<u32> = Vec::new();
        for at in found.0.into_iter().filter(|&at| at != NONE) {
            let entry = &self.entries[at as usize];
            for m in std::iter::once(entry.first).chain(entry.more.iter().copied()) {
                if m != NONE && !ids.contains(&m) {
                    ids.push(m);
                }
            }
        }
        if ids.is_empty() {
            return None;
        }
        let texts: Vec<&str> = ids.iter().map(|&m| &*self.messages[m as usize]).collect();
        Some(texts.join("; "))
    }

    /// Failure rows no input line matched (rows that name no identifier
    /// included: no line can match them).
    pub fn unmatched(&self) -> u64 {
        let matched = |at: u32| at != NONE && self.entries[at as usize].matched;
        (self.rows.iter())
            .filter(|[object, pulse]| !matched(*object) && !matched(*pulse))
            .count() as u64
    }
}

/// The entry of `id` in `map`, made if new.
fn entry(map: &mut HashMap<Box<str>, u32>, entries: &mut Vec<Entry>, id: &str) -> u32 {
    if let Some(&at) = map.get(id) {
        return at;
    }
    let at = entries.len() as u32;
    entries.push(Entry {
        first: NONE,
        more: Vec::new(),
        matched: false,
    });
    map.insert(id.into(), at);
    at
}

impl Entry {
    fn add(&mut self, message: u32) {
        if message == NONE || self.first == message || self.more.contains(&message) {
            return;
        }
        if self.first == NONE {
            self.first = message;
        } else {
            self.more.push(message);
        }
    }
}

#[cfg(test)]
pub(super) mod tests {
    use super::*;
    use serde_json::value::RawValue;
    use std::borrow::Cow;

    /// The failures of these result rows.
    pub(in crate::jobs::failed_lines) fn failures(rows: &[&str]) -> Failures {
        let mut f = Failures::default();
        for text in rows {
            let raw = RawValue::from_string(text.to_string()).unwrap();
            f.add(&Row::parse(raw.get()).unwrap());
        }
        f
    }

    fn line(object: Option<&str>, pulse: Option<&str>) -> Ids<'static> {
        Ids {
            object: object.map(|s| Cow::Owned(s.to_string())),
            pulse: pulse.map(|s| Cow::Owned(s.to_string())),
        }
    }

    #[test]
    fn a_line_is_found_by_either_identifier() {
        let mut f = failures(&[
            r#"{"userIdentifierType":"object_id","objectId":"o1","error":"bad email"}"#,
            r#"{"userIdentifierType":"pulse_id","objectId":null,"pulseId":"p2","error":"no user"}"#,
        ]);
        let found = f.find(&line(Some("o1"), Some("zz"))).unwrap();
        assert_eq!(f.message_of(found).as_deref(), Some("bad email"));
        let found = f.find(&line(None, Some("p2"))).unwrap();
        assert_eq!(f.message_of(found).as_deref(), Some("no user"));
        assert!(f.find(&line(Some("p2"), Some("o1"))).is_none());
        assert_eq!(f.unmatched(), 0);
    }

    #[test]
    fn a_user_with_two_rows_has_both_messages_once() {
        let mut f = failures(&[
            r#"{"objectId":"o1","error":"bad email"}"#,
            r#"{"objectId":"o1","error":"bad phone"}"#,
            r#"{"objectId":"o1","error":"bad email"}"#,
        ]);
        let found = f.find(&line(Some("o1"), None)).unwrap();
        assert_eq!(f.message_of(found).as_deref(), Some("bad email; bad phone"));
        assert_eq!((f.rows(), f.unmatched()), (3, 0));
    }

    #[test]
    fn rows_no_line_names_are_counted() {
        let mut f = failures(&[
            r#"{"objectId":"o1","error":"a"}"#,
            r#"{"objectId":"o2","pulseId":"p2","error":"b"}"#,
            r#"{"userIdentifierType":"object_id","objectId":null,"error":"c"}"#,
        ]);
        assert_eq!(f.unmatched(), 3);
        f.find(&line(None, Some("p2"))).unwrap();
        assert_eq!(f.unmatched(), 2);
    }

    #[test]
    fn messages_are_kept_once() {
        let f = failures(&[
            r#"{"objectId":"o1","error":"same"}"#,
            r#"{"objectId":"o2","error":"same"}"#,
            r#"{"objectId":"o3"}"#,
        ]);
        assert_eq!(f.messages.len(), 1);
        assert_eq!(f.message_of(Found([2, NONE])), None);
    }
}
