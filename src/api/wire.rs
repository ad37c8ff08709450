//! Wire types of the results endpoint, borrowed from the response body.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

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
    #[serde(borrow, default)]
    pub results: Option<Vec<&'a RawValue>>,
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

    /// The rows of this page (none when `content` or `results` is missing).
    pub fn rows(&self) -> &[&'a RawValue] {
        self.content
            .as_ref()
            .and_then(|c| c.results.as_deref())
            .unwrap_or(&[])
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
            if let Some(end) = rest.find(['"', '\\']) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn missing_content_or_results_is_an_empty_last_page() {
        for body in [
            r#"{"content":{}}"#,
            r#"{"content":{"results":null,"lastId":""}}"#,
        ] {
            let parsed: ResultsBody = serde_json::from_str(body).unwrap();
            assert!(parsed.rows().is_empty(), "{body}");
            assert_eq!(parsed.last_id(), None, "{body}");
        }
    }

    #[test]
    fn rows_and_cursor_are_borrowed() {
        let body = r#"{"content":{"lastId":"c2","results":[{"id":"a"},{"id":"b"}]},"result":{"status":200}}"#;
        let parsed: ResultsBody = serde_json::from_str(body).unwrap();
        assert_eq!(parsed.last_id(), Some("c2"));
        assert_eq!(parsed.rows().len(), 2);
        assert_eq!(parsed.rows()[1].get(), r#"{"id":"b"}"#);
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
}
