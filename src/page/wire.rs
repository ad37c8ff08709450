//! Wire types of the results endpoint, borrowed from the response body.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::json_text::Spans;

/// A 200 answer: `{"content": {"bulkId", "lastId", "results": [...]}, "result": {...}}`.
/// Field types are strict: a `lastId` that is not a string, or `results`
/// that is not an array, fails to parse (the body breaks the protocol).
#[derive(Debug, Deserialize)]
pub struct ResultsBody<'a> {
    #[serde(borrow, default)]
    pub content: Option<Content<'a>>,
    #[serde(borrow, default)]
    pub result: Option<ResultInfo<'a>>,
}

#[derive(Debug, Deserialize)]
pub struct Content<'a> {
    #[serde(rename = "bulkId", borrow, default)]
    pub bulk_id: Option<Cow<'a, str>>,
    #[serde(rename = "lastId", borrow, default)]
    pub last_id: Option<Cow<'a, str>>,
    /// Walked as it parses, one row at a time: nothing is kept per row.
    #[serde(borrow, default)]
    pub results: Option<Results<'a>>,
}

/// The envelope's `result`: `{"status": 200, "message": "…"}`.
#[derive(Debug, Deserialize)]
pub struct ResultInfo<'a> {
    /// Kept raw: only a whole number counts as a status.
    #[serde(borrow, default)]
    pub status: Option<&'a RawValue>,
}

impl<'a> ResultsBody<'a> {
    /// The cursor for the next page; `null` and `""` mean there is none.
    pub fn last_id(&self) -> Option<&str> {
        self.content
            .as_ref()
            .and_then(|c| c.last_id.as_deref())
            .filter(|id| !id.is_empty())
    }

    /// What the `results` array held (`None` when `content` or `results`
    /// is missing or null).
    pub fn rows(&self) -> Option<&Results<'a>> {
        self.content.as_ref().and_then(|c| c.results.as_ref())
    }

    /// The bulk the page says it belongs to, when it says.
    pub fn bulk_id(&self) -> Option<&str> {
        self.content.as_ref().and_then(|c| c.bulk_id.as_deref())
    }

    /// `result.status`, when it is a number.
    pub fn status(&self) -> Option<u16> {
        let raw = self.result.as_ref()?.status?;
        raw.get().trim().parse().ok()
    }
}

/// The `results` array, checked row by row as it parses and summed up in a
/// few fields whatever its length: the rows themselves stay in the body.
#[derive(Debug, Default)]
pub struct Results<'a> {
    /// Where each row lies, in order, so the rows are not scanned again to
    /// be written (a bit a byte of the array: `json_text::Spans`).
    pub rows: Spans,
    /// The first row that has an id: its 0-based number and id.
    pub first_id: Option<(usize, Cow<'a, str>)>,
    /// The last row id.
    pub last_id: Option<Cow<'a, str>>,
    /// The first row that is not a JSON object: its 0-based number and text.
    pub not_object: Option<(usize, &'a str)>,
    /// The first row whose id is not after the row id before it: its
    /// 0-based number, its id and the one before.
    pub disorder: Option<(usize, Cow<'a, str>, Cow<'a, str>)>,
}

impl<'a> Results<'a> {
    /// Take the next row's JSON text (known to be one whole JSON value):
    /// keep where it lies and check it against the rows before it.
    pub fn push(&mut self, row: &'a str) {
        let n = self.rows.len();
        self.rows.push(row);
        if self.not_object.is_some() || self.disorder.is_some() {
            return;
        }
        if !row.starts_with('{') {
            self.not_object = Some((n, row));
            return;
        }
        let Some(id) = RowId::of(row) else {
            return;
        };
        match self.last_id.take() {
            None => self.first_id = Some((n, id.clone())),
            Some(before) if compare(&id, &before) != std::cmp::Ordering::Greater => {
                self.disorder = Some((n, id.clone(), before));
            }
            Some(_) => {}
        }
        self.last_id = Some(id);
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Results<'a> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_seq(ResultsVisitor(std::marker::PhantomData))
    }
}

struct ResultsVisitor<'a>(std::marker::PhantomData<&'a ()>);

impl<'de: 'a, 'a> serde::de::Visitor<'de> for ResultsVisitor<'a> {
    type Value = Results<'a>;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a sequence")
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut out = Results::default();
        while let Some(raw) = seq.next_element::<&'de RawValue>()? {
            out.push(raw.get());
        }
        Ok(out)
    }
}

/// Compare ids as canonical lowercase text, in one pass and no allocation.
pub fn compare(a: &str, b: &str) -> std::cmp::Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    // Ids of one page share most of their bytes: skip the common prefix
    // (compared as slices, eight bytes at a time), then fold case.
    let mut same = 0;
    for (x, y) in a.chunks(8).zip(b.chunks(8)) {
        if x != y {
            break;
        }
        same += x.len();
    }
    (a[same..].iter().map(u8::to_ascii_lowercase)).cmp(b[same..].iter().map(u8::to_ascii_lowercase))
}

/// One row's `id`, when it is a string.
#[derive(Debug, Deserialize)]
pub struct RowId<'a> {
    #[serde(borrow, default)]
    id: Option<&'a RawValue>,
}

impl RowId<'_> {
    /// The `id` of a row's JSON text (`None`: no id, or not a string).
    pub fn of(row: &str) -> Option<Cow<'_, str>> {
        // Fast path for the usual shape, `{"id":"…",…}` with a plain id: no
        // parse at all. Anything else (spaces, escapes, id further in) is
        // parsed properly.
        if let Some(rest) = row.strip_prefix(r#"{"id":""#) {
            if let Some(end) = memchr::memchr2(b'"', b'\\', rest.as_bytes()) {
                if rest.as_bytes()[end] == b'"' {
                    return Some(Cow::Borrowed(&rest[..end]));
                }
            }
        }
        let parsed: RowId<'_> = serde_json::from_str(row).ok()?;
        let raw = parsed.id?;
        serde_json::from_str::<Cow<'_, str>>(raw.get()).ok()
    }
}

/// An error answer in either shape DruID uses:
/// `{"result": {"message": …}}` or `{"result": {"errors": [{"message", "details"}]}}`.
#[derive(Debug, Deserialize)]
pub struct ErrorBody {
    pub result: Option<ErrorResult>,
}

#[derive(Debug, Deserialize)]
pub struct ErrorResult {
    pub message: Option<String>,
    pub errors: Option<Vec<ErrorItem>>,
}

#[derive(Debug, Deserialize)]
pub struct ErrorItem {
    pub message: Option<String>,
    pub details: Option<String>,
}

/// What a bulk's status answer, `{"content": {"status": "processing", …}}`,
/// says: its status word as sent, and the first of `message`, `error`,
/// `reason` beside it (why a `failed` bulk failed, when the server says).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BulkState {
    pub status: String,
    pub reason: Option<String>,
}

/// The [`BulkState`] of a status answer, when the body names a status.
pub fn bulk_state(body: &[u8]) -> Option<BulkState> {
    let answer: serde_json::Value = serde_json::from_slice(body).ok()?;
    let content = answer.get("content")?;
    let status = content.get("status")?.as_str()?.to_string();
    let reason = ["message", "error", "reason"]
        .into_iter()
        .find_map(|key| content.get(key).and_then(serde_json::Value::as_str))
        .map(str::to_string);
    Some(BulkState { status, reason })
}

/// How a status answer (`GET …/bulk[/{bulk_id}]`, an HTTP 200) reads
/// against the rules a results page is held to.
#[derive(Debug, PartialEq, Eq)]
pub enum StatusEnvelope {
    /// Its `content` may be read.
    Usable,
    /// `result.status` outside 2xx: handled as that HTTP status.
    Status(u16),
    /// JSON that ends early: asking again may give all of it.
    CutShort,
    /// A complete body that breaks the protocol, and why.
    Broken(String),
}

/// Check a status answer's envelope: a JSON object, `result.status` (a
/// whole number) within 2xx, `content` or `result` present, and with
/// `bulk_id` a `content.bulkId`, when there is one, naming that bulk (in any
/// case). What `content` holds is for the reader of the answer.
pub fn status_envelope(body: &[u8], bulk_id: Option<&str>) -> StatusEnvelope {
    use serde_json::Value;
    let answer: Value = match serde_json::from_slice(body) {
        Ok(answer) => answer,
        Err(e) if e.classify() == serde_json::error::Category::Eof => {
            return StatusEnvelope::CutShort
        }
        Err(e) => {
            return StatusEnvelope::Broken(format!("is not the JSON the API documents ({e})"))
        }
    };
    let Some(answer) = answer.as_object() else {
        return StatusEnvelope::Broken("is not a JSON object".into());
    };
    let status = (answer.get("result"))
        .and_then(|result| result.get("status")?.as_u64())
        .and_then(|code| u16::try_from(code).ok());
    if let Some(code) = status.filter(|code| !(200..300).contains(code)) {
        return StatusEnvelope::Status(code);
    }
    let present = |key: &str| answer.get(key).is_some_and(|v| !v.is_null());
    if !present("content") && !present("result") {
        return StatusEnvelope::Broken("has neither `content` nor `result`".into());
    }
    let named = answer.get("content").and_then(|c| c.get("bulkId"));
    match (bulk_id, named) {
        (None, _) | (_, None | Some(Value::Null)) => StatusEnvelope::Usable,
        (Some(bulk), Some(Value::String(named))) if named.eq_ignore_ascii_case(bulk) => {
            StatusEnvelope::Usable
        }
        (Some(_), Some(other)) => StatusEnvelope::Broken(format!(
            "belongs to another bulk (content.bulkId is {other})"
        )),
    }
}

/// The `content.status` of a bulk's status answer (`received`, `scheduled`,
/// `processing`, `completed`, `failed`, …), when the body says one.
pub fn bulk_status(body: &[u8]) -> Option<String> {
    bulk_state(body).map(|state| state.status)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_compare_as_lowercase_text() {
        use std::cmp::Ordering::*;
        let fold = |a: &str, b: &str| a.to_ascii_lowercase().cmp(&b.to_ascii_lowercase());
        let ids = [
            "",
            "a",
            "A",
            "b",
            "ab",
            "aB",
            "018fd118-97e8-7ad0-8aae-93f1ee5f5e09",
            "018FD118-97E8-7AD0-8AAE-93F1EE5F5E09",
            "018fd118-97e8-7ad0-8aae-93f1ee5f5e0a",
            "018fd118-97e8-7ad0-8aae-93f1ee5f5e0",
            "018fd118-97e8-7ad0",
            "018fd118-97E9",
        ];
        for a in ids {
            for b in ids {
                assert_eq!(compare(a, b), fold(a, b), "{a:?} {b:?}");
            }
        }
        assert_eq!(compare("abcdefgh-1", "ABCDEFGH-2"), Less);
    }

    #[test]
    fn a_status_answer_gives_its_status_word_or_nothing() {
        let body =
            br#"{"content":{"bulkId":"B1","status":"failed","total":3},"result":{"status":200}}"#;
        assert_eq!(bulk_status(body).as_deref(), Some("failed"));
        for body in [
            &br#"{"content":{"status":5}}"#[..],
            br#"{"content":{}}"#,
            br#"{"content":null}"#,
            br#"{"result":{"status":428}}"#,
            b"<html>",
            b"[]",
        ] {
            assert_eq!(bulk_status(body), None, "{}", String::from_utf8_lossy(body));
        }
    }

    #[test]
    fn a_status_answer_is_held_to_the_rules_of_a_page() {
        use StatusEnvelope::*;
        let read = |body: &str, bulk| status_envelope(body.as_bytes(), bulk);
        for (body, bulk) in [
            (r#"{"content":{"bulkId":"B1","status":"done"}}"#, Some("B1")),
            (
                r#"{"content":{"bulkId":"b1"},"result":{"status":200}}"#,
                Some("B1"),
            ),
            (r#"{"content":{"status":"done"}}"#, Some("B1")),
            (r#"{"content":null,"result":{"status":204}}"#, Some("B1")),
            (r#"{"content":[{"bulkId":"B2"}]}"#, None),
            (r#"{"content":{"bulkId":"B2"}}"#, None),
            (r#"{"content":{},"result":{"status":"500"}}"#, Some("B1")),
        ] {
            assert_eq!(read(body, bulk), Usable, "{body}");
        }
        assert_eq!(
            read(r#"{"content":null,"result":{"status":500}}"#, Some("B1")),
            Status(500)
        );
        assert_eq!(read(r#"{"result":{"status":404}}"#, None), Status(404));
        assert_eq!(read(r#"{"content":{"bulkId":"B1"#, Some("B1")), CutShort);
        assert_eq!(read("", None), CutShort);
        for (body, bulk, why) in [
            (
                r#"{"content":{"bulkId":"B2"}}"#,
                Some("B1"),
                r#"content.bulkId is "B2""#,
            ),
            (
                r#"{"content":{"bulkId":7}}"#,
                Some("B1"),
                "content.bulkId is 7",
            ),
            ("{}", None, "neither"),
            (r#"{"content":null}"#, Some("B1"), "neither"),
            ("[]", None, "not a JSON object"),
            ("<html>", None, "not the JSON the API documents"),
        ] {
            assert!(
                matches!(read(body, bulk), Broken(ref w) if w.contains(why)),
                "{body}: {:?}",
                read(body, bulk)
            );
        }
    }

    #[test]
    fn missing_content_or_results_is_an_empty_last_page() {
        for body in [
            r#"{"content":{}}"#,
            r#"{"content":{"results":null,"lastId":""}}"#,
        ] {
            let parsed: ResultsBody = serde_json::from_str(body).unwrap();
            assert!(parsed.rows().is_none(), "{body}");
            assert_eq!(parsed.last_id(), None, "{body}");
        }
    }

    #[test]
    fn rows_and_cursor_are_borrowed() {
        let body = r#"{"content":{"lastId":"c2","results":[{"id":"a"},{"id":"b"}]},"result":{"status":200}}"#;
        let parsed: ResultsBody = serde_json::from_str(body).unwrap();
        assert_eq!(parsed.last_id(), Some("c2"));
        let rows = parsed.rows().unwrap();
        let spans = rows.rows.clone().in_text(body);
        let texts: Vec<&str> = spans.ranges().map(|r| &body[r]).collect();
        assert_eq!(texts, [r#"{"id":"a"}"#, r#"{"id":"b"}"#]);
        assert_eq!(rows.last_id.as_deref(), Some("b"));
        assert_eq!(parsed.status(), Some(200));
    }

    #[test]
    fn wrong_field_types_do_not_parse() {
        for body in [
            r#"{"content":{"lastId":5}}"#,
            r#"{"content":{"results":{}}}"#,
            r#"null"#,
        ] {
            assert!(serde_json::from_str::<ResultsBody>(body).is_err(), "{body}");
        }
    }

    #[test]
    fn row_ids_are_strings_or_nothing() {
        assert_eq!(RowId::of(r#"{"id":"a\u0062"}"#).as_deref(), Some("ab"));
        assert_eq!(
            RowId::of(r#"{"id":"r1","error":"x"}"#).as_deref(),
            Some("r1")
        );
        assert_eq!(
            RowId::of(r#"{"error":"x","id":"r2"}"#).as_deref(),
            Some("r2")
        );
        assert_eq!(RowId::of(r#"{ "id" : "r3" }"#).as_deref(), Some("r3"));
        assert_eq!(RowId::of(r#"{"id":7}"#), None);
        assert_eq!(RowId::of(r#"{"error":"x"}"#), None);
        assert_eq!(RowId::of("42"), None);
    }

    use crate::page::json_gen;
    use proptest::prelude::*;

    /// A row that starts with its id, as the shortcut reads it.
    fn id_first() -> impl Strategy<Value = String> {
        let id = prop_oneof![
            "\"[a-zA-Z0-9-]{0,20}\"",
            json_gen::string_literal(),
            json_gen::value()
        ];
        (id, json_gen::row()).prop_map(|(id, row)| {
            let rest = row.trim().strip_prefix('{').unwrap_or("}").trim_start();
            let comma = if rest.starts_with('}') { "" } else { "," };
            format!(r#"{{"id":{id}{comma}{rest}"#)
        })
    }

    proptest! {
        #![proptest_config(json_gen::config())]

        /// A row's id is what serde reads: its `id` member when that is a
        /// string, else none. Of a row with two `id` members serde reads
        /// none; the shortcut may read the first.
        #[test]
        fn row_ids_are_read_as_serde_reads_them(
            row in prop_oneof![json_gen::row(), id_first()],
        ) {
            let Some(members) = json_gen::serde_members(&row) else {
                return Ok(());
            };
            let mut ids = members.iter().filter(|(k, _)| k == "id");
            let first = ids.next().and_then(|(_, v)| serde_json::from_str::<String>(v.get()).ok());
            let ours = RowId::of(&row).map(Cow::into_owned);
            if ids.next().is_none() {
                prop_assert_eq!(ours, first, "{}", row);
            } else if ours.is_some() {
                prop_assert_eq!(ours, first, "{}", row);
            }
        }

        /// Ids compare as their lowercase text, wherever they differ (in
        /// or after a shared run of eight-byte chunks, in case only).
        #[test]
        fn ids_compare_as_their_lowercase_text(
            common in "[0-9a-fA-F-]{0,20}",
            a in "[0-9a-fA-FéÉ-]{0,10}",
            b in "[0-9a-fA-FéÉ-]{0,10}",
            case in any::<bool>(),
        ) {
            let a = format!("{common}{a}");
            let b = if case { format!("{common}{b}").to_ascii_uppercase() } else { format!("{common}{b}") };
            let fold = |x: &str, y: &str| x.to_ascii_lowercase().cmp(&y.to_ascii_lowercase());
            prop_assert_eq!(compare(&a, &b), fold(&a, &b), "{:?} {:?}", a, b);
            prop_assert_eq!(compare(&b, &a), fold(&b, &a), "{:?} {:?}", b, a);
            prop_assert_eq!(compare(&a, &a), std::cmp::Ordering::Equal);
        }
    }
}
