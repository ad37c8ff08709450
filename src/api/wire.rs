//! Wire types of the results endpoint, borrowed from the response body.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

/// A 200 answer: `{"content": {"bulkId", "lastId", "results": [...]}, "result": {...}}`.
#[derive(Debug, Deserialize)]
pub struct ResultsBody<'a> {
    #[serde(borrow, default)]
    pub content: Option<Content<'a>>,
}

#[derive(Debug, Deserialize)]
pub struct Content<'a> {
    #[serde(rename = "lastId", borrow, default)]
    pub last_id: Option<Cow<'a, str>>,
    #[serde(borrow, default)]
    pub results: Option<Vec<&'a RawValue>>,
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
            r#"{}"#,
            r#"{"content":null}"#,
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
    }
}
