//! The JSON response bodies shared by the sandbox routes: the `result`-only
//! message and error bodies (401, 404, 405, 400, 428, 5xx, …), the `content` +
//! `result` 200 envelope, their serialisation as `application/json`, and the
//! 404 / 405 fallback handlers.

use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::layout::{self, Layout};

/// `{"result":{"status":N,"message":"..."}}`
#[derive(Serialize)]
struct MessageBody<'a> {
    result: StatusMessage<'a>,
}

#[derive(Serialize)]
pub(crate) struct StatusMessage<'a> {
    pub status: u16,
    pub message: &'a str,
}

/// `{"result":{"status":N,"errors":[{"message":"...","details":"..."}]}}`
#[derive(Serialize)]
struct ErrorsBody<'a> {
    result: StatusErrors<'a>,
}

#[derive(Serialize)]
struct StatusErrors<'a> {
    status: u16,
    errors: [ErrorItem<'a>; 1],
}

#[derive(Serialize)]
struct ErrorItem<'a> {
    message: &'a str,
    details: &'a str,
}

/// Serialises `body` as an `application/json` response.
pub(crate) fn json_response<T: Serialize>(status: StatusCode, body: &T) -> Response {
    json_response_in(Layout::Compact, status, body)
}

/// Serialises `body` in `layout` as an `application/json` response.
fn json_response_in<T: Serialize>(layout: Layout, status: StatusCode, body: &T) -> Response {
    let (status, bytes) = match layout::to_vec(layout, body) {
        Ok(bytes) => (status, bytes),
        Err(_) => (
            StatusCode::INTERNAL_SERVER_ERROR,
            br#"{"result":{"status":500,"message":"Internal error"}}"#.to_vec(),
        ),
    };
    let ct = [(CONTENT_TYPE, HeaderValue::from_static("application/json"))];
    (status, ct, bytes).into_response()
}

/// `{"result":{"status":N,"message":msg}}` with that status.
pub(crate) fn message(status: StatusCode, msg: &str) -> Response {
    let body = MessageBody {
        result: StatusMessage {
            status: status.as_u16(),
            message: msg,
        },
    };
    json_response(status, &body)
}

/// `{"result":{"status":N,"errors":[{"message":msg,"details":details}]}}`.
pub(crate) fn errors(status: StatusCode, msg: &str, details: &str) -> Response {
    let body = ErrorsBody {
        result: StatusErrors {
            status: status.as_u16(),
            errors: [ErrorItem {
                message: msg,
                details,
            }],
        },
    };
    json_response(status, &body)
}

/// The 401 answer of every authenticated route.
pub(crate) fn unauthorized() -> Response {
    message(StatusCode::UNAUTHORIZED, "Invalid or missing app token")
}

/// The 404 answer for an unknown bulk id.
pub(crate) fn bulk_not_found() -> Response {
    message(StatusCode::NOT_FOUND, "Bulk not found")
}

/// The fallback handler for a path no route serves.
pub(crate) async fn not_found() -> Response {
    message(StatusCode::NOT_FOUND, "Not found")
}

/// The fallback handler for a method a route does not serve.
pub(crate) async fn method_not_allowed() -> Response {
    message(StatusCode::METHOD_NOT_ALLOWED, "Method not allowed")
}

/// `{"content":…,"result":{"status":200,"message":msg}}`
#[derive(Serialize)]
pub(crate) struct OkBody<'a, T> {
    pub content: T,
    pub result: StatusMessage<'a>,
}

/// A 200 with `content` and the result message `msg`.
pub(crate) fn ok<T: Serialize>(content: T, msg: &str) -> Response {
    ok_in(Layout::Compact, content, msg)
}

/// A 200 with `content` and the result message `msg`, written in `layout`.
pub(crate) fn ok_in<T: Serialize>(layout: Layout, content: T, msg: &str) -> Response {
    let result = StatusMessage {
        status: 200,
        message: msg,
    };
    json_response_in(layout, StatusCode::OK, &OkBody { content, result })
}
