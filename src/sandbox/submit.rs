//! The submission route, `PATCH /activityid/v1/user/bulk`: checks the token
//! (401) and the `Content-Type` (415), reads the JSON lines as they arrive
//! (only what the results need is kept, see `lines`), refuses an empty body
//! or one over the line limit (400), and answers the new bulk's id at once;
//! the bulk then goes through its stages (see `submitted`).

use std::sync::Arc;

use axum::body::Body;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use futures_util::StreamExt;
use serde::Serialize;

use super::body::{errors, message, ok, unauthorized};
use super::lines::{LineReader, Read};
use super::state::Shared;
use super::submitted::Submitted;

/// Media types of a JSON lines body (parameters such as `; charset=utf-8`
/// allowed).
const JSON_LINES: [&str; 2] = ["application/jsonl", "application/x-ndjson"];

/// The `content` of the answer.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Accepted<'a> {
    bulk_id: &'a str,
}

/// Whether the request says its body is JSON lines.
fn is_json_lines(headers: &HeaderMap) -> bool {
    let Some(value) = headers.get(CONTENT_TYPE).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let value = value.trim().to_ascii_lowercase();
    JSON_LINES.iter().any(|t| {
        value
            .strip_prefix(t)
            .is_some_and(|rest| rest.is_empty() || rest.trim_start().starts_with(';'))
    })
}

/// Reads `body` to its end, handing each chunk to `each` as it arrives.
async fn read(body: Body, mut each: impl FnMut(&[u8])) -> Result<(), axum::Error> {
    let mut chunks = body.into_data_stream();
    while let Some(data) = chunks.next().await {
        each(&data?);
    }
    Ok(())
}

/// `PATCH /activityid/v1/user/bulk`.
pub(crate) async fn submit(
    State(shared): State<Arc<Shared>>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    // A refusal still reads the body: a client that is still sending it
    // would see a reset connection instead of the answer.
    if !shared.authorized(&headers) {
        let _ = read(body, |_| {}).await;
        return unauthorized();
    }
    if !is_json_lines(&headers) {
        let _ = read(body, |_| {}).await;
        return errors(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "Unsupported media type",
            "send the bulk as JSON lines with Content-Type: application/jsonl",
        );
    }
    let cfg = &shared.cfg;
    let mut reader = LineReader::new(cfg.seed, cfg.max_lines);
    if read(body, |data| reader.push(data)).await.is_err() {
        return message(StatusCode::BAD_REQUEST, "The body could not be read");
    }
    let lines = match reader.finish() {
        Read::Lines(lines) if lines.is_empty() => {
            return message(StatusCode::BAD_REQUEST, "No lines in the bulk");
        }
        Read::Lines(lines) => lines,
        Read::TooMany(count) => {
            let max = cfg.max_lines;
            return message(
                StatusCode::BAD_REQUEST,
                &format!("Too many lines: {count} (max {max})"),
            );
        }
    };
    let id = shared.add_submitted(|id| Submitted::new(cfg.seed, id, lines, cfg.fail_bulks));
    ok(Accepted { bulk_id: &id }, "OK")
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn json_lines_media_types_are_recognised() {
        let with = |ct: &str| {
            let mut headers = HeaderMap::new();
            headers.insert(CONTENT_TYPE, HeaderValue::from_str(ct).unwrap());
            is_json_lines(&headers)
        };
        for good in [
            "application/jsonl",
            "Application/JSONL",
            "application/jsonl; charset=utf-8",
            "application/x-ndjson",
            "application/x-ndjson;charset=UTF-8",
        ] {
            assert!(with(good), "{good}");
        }
        for bad in [
            "application/json",
            "text/plain",
            "application/jsonlines",
            "application/x-ndjsonx",
            "",
        ] {
            assert!(!with(bad), "{bad}");
        }
        assert!(!is_json_lines(&HeaderMap::new()));
    }
}
