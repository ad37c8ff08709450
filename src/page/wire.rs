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
/// Rows and ids are bytes of a body read as UTF-8 (by the scanner, string
/// by string, or by serde after a check of the whole body): an id becomes
/// text only for a message or as the page's last.
#[derive(Debug, Default)]
pub struct Results<'a> {
    /// Where each row lies, in order, so the rows are not scanned again to
    /// be written (a bit a byte of the array: `json_text::Spans`).
    pub rows: Spans,
    /// The first row that has an id: its 0-based number and id.
    pub first_id: Option<(usize, Id<'a>)>,
    /// The last row id.
    pub last_id: Option<Id<'a>>,
    /// The first row that is not a JSON object: its 0-based number and text.
    pub not_object: Option<(usize, &'a [u8])>,
    /// The first row whose id is not after the row id before it: its
    /// 0-based number, its id and the one before.
    pub disorder: Option<(usize, Id<'a>, Id<'a>)>,
}

/// A row id's text, as bytes (borrowed from the body unless it had escapes).
pub type Id<'a> = Cow<'a, [u8]>;

impl<'a> Results<'a> {
    /// Take the next row's JSON text (known to be one whole JSON value):
    /// keep where it lies and check it against the rows before it.
    pub fn push(&mut self, row: &'a [u8]) {
        let n = self.rows.len();
        self.rows.push(row);
        if self.not_object.is_some() || self.disorder.is_some() {
            return;
        }
        if row.first() != Some(&b'{') {
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
            out.push(raw.get().as_bytes());
        }
        Ok(out)
    }
}

/// Compare ids as canonical lowercase text, in one pass and no allocation.
pub fn compare(a: impl AsRef<[u8]>, b: impl AsRef<[u8]>) -> std::cmp::Ordering {
    let (a, b) = (a.as_ref(), b.as_ref());
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

impl<'a> RowId<'a> {
    /// The `id` of a row's JSON text (`None`: no id, or not a string), as
    /// the bytes of its text: the row is known to be UTF-8.
    pub fn of(row: &'a [u8]) -> Option<Id<'a>> {
        // Fast path for the usual shape, `{"id":"…",…}` with a plain id, in
        // any spacing (`{ "id": "…"`, pretty-printed): no parse at all. The
        // row is known to be JSON, so whitespace between its tokens is JSON
        // whitespace. Anything else (escapes, id further in) is parsed
        // properly.
        let after = |text: &'a [u8], token: &[u8]| text.trim_ascii_start().strip_prefix(token);
        let rest = after(row, b"{")
            .and_then(|r| after(r, br#""id""#))
            .and_then(|r| after(r, b":"))
            .and_then(|r| after(r, b"\""));
        if let Some(rest) = rest {
            if let Some(end) = memchr::memchr2(b'"', b'\\', rest) {
                if rest[end] == b'"' {
                    return Some(Cow::Borrowed(&rest[..end]));
                }
            }
        }
        let parsed: RowId<'_> = serde_json::from_slice(row).ok()?;
        let raw = parsed.id?;
        match serde_json::from_str::<Cow<'_, str>>(raw.get()).ok()? {
            Cow::Borrowed(id) => Some(Cow::Borrowed(id.as_bytes())),
            Cow::Owned(id) => Some(Cow::Owned(id.into_bytes())),
        }
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
mod tests;
