//! HTTP answers that are not a page of results, turned into classed
//! failures whose messages name the bulk and say what to do next.

use reqwest::StatusCode;

use crate::exit::{Class, Failure};
use crate::page::wire::ErrorBody;

/// The server's own message from either error-body shape, if any.
pub fn server_message(body: &[u8]) -> Option<String> {
    let parsed: ErrorBody = serde_json::from_slice(body).ok()?;
    let result = parsed.result?;
    let from_errors: Vec<String> = result
        .errors
        .unwrap_or_default()
        .into_iter()
        .filter_map(|e| match (e.message, e.details) {
            (Some(m), Some(d)) if !d.is_empty() => Some(format!("{m} ({d})")),
            (Some(m), _) => Some(m),
            (None, Some(d)) => Some(d),
            (None, None) => None,
        })
        .collect();
    if !from_errors.is_empty() {
        return Some(from_errors.join("; "));
    }
    result.message.filter(|m| !m.is_empty())
}

/// What was being asked when the answer came, for error messages.
pub struct Asked<'a> {
    pub bulk_id: &'a str,
    pub endpoint: &'a str,
    /// The query parameters sent, e.g. `limit=1000, last=0190…`.
    pub params: String,
    /// The status came in the body (`result.status`) of an HTTP 200 answer.
    pub in_body: bool,
}

/// A redirect we did not follow: to another origin, where the token must not go.
pub fn redirect_failure(status: StatusCode, location: Option<&str>, asked: &Asked<'_>) -> Failure {
    let to = location.unwrap_or("an unnamed location");
    Failure::new(
        Class::Protocol,
        format!(
            "{} redirected the request for bulk {} to {to} (HTTP {}); druid-bulk does not send the \
             token to another host. If that is the right API, pass it as --endpoint",
            asked.endpoint,
            asked.bulk_id,
            status.as_u16()
        ),
    )
}

/// Map a non-200 answer to a failure.
pub fn status_failure(status: StatusCode, body: &[u8], asked: &Asked<'_>) -> Failure {
    let reason = server_message(body).unwrap_or_else(|| {
        status
            .canonical_reason()
            .unwrap_or("no reason given")
            .to_string()
    });
    let code = status.as_u16();
    let bulk = asked.bulk_id;
    let shown = if asked.in_body {
        format!("result.status {code} in an HTTP 200 answer")
    } else {
        format!("HTTP {code}")
    };
    let (class, message) = match code {
        400 => (
            Class::Protocol,
            format!(
                "the server rejected the request for bulk {bulk} ({shown}: {reason}); \
                 parameters sent: {}. Check --page-size and --last",
                asked.params
            ),
        ),
        401 | 403 => (
            Class::Auth,
            format!(
                "authentication failed for bulk {bulk} ({shown}: {reason}); \
                 check the app token (--token-file, DRUID_TOKEN, --token) or client credentials, and their access to this bulk"
            ),
        ),
        404 => (
            Class::NotFound,
            format!(
                "bulk {bulk} not found at {} ({shown}: {reason}); check the bulk id and --endpoint",
                asked.endpoint
            ),
        ),
        428 => (
            Class::NotReady,
            format!(
                "bulk {bulk} is not finished yet ({shown}: {reason})"
            ),
        ),
        408 | 429 | 500..=599 => (
            Class::Unavailable,
            format!(
                "the server failed on the request for bulk {bulk} ({shown}: {reason})"
            ),
        ),
        _ => (
            Class::Protocol,
            format!("unexpected answer for bulk {bulk} ({shown}: {reason})"),
        ),
    };
    Failure::new(class, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn asked() -> Asked<'static> {
        Asked {
            bulk_id: "B1",
            endpoint: "https://h",
            params: "limit=10".into(),
            in_body: false,
        }
    }

    #[test]
    fn both_error_shapes_give_the_servers_message() {
        assert_eq!(
            server_message(br#"{"result":{"status":404,"message":"Bulk not found"}}"#).as_deref(),
            Some("Bulk not found")
        );
        assert_eq!(
            server_message(br#"{"result":{"status":400,"errors":[{"message":"Bad","details":"limit"},{"message":"Also"}]}}"#)
                .as_deref(),
            Some("Bad (limit); Also")
        );
        assert_eq!(server_message(b"<html>504</html>"), None);
    }

    #[test]
    fn each_status_has_its_class() {
        let cases = [
            (400, Class::Protocol),
            (401, Class::Auth),
            (403, Class::Auth),
            (404, Class::NotFound),
            (428, Class::NotReady),
            (408, Class::Unavailable),
            (429, Class::Unavailable),
            (503, Class::Unavailable),
            (418, Class::Protocol),
        ];
        for (code, class) in cases {
            let f = status_failure(StatusCode::from_u16(code).unwrap(), b"", &asked());
            assert_eq!(f.class, class, "{code}");
            assert!(f.message.contains("B1"), "{}", f.message);
        }
    }

    #[test]
    fn non_json_body_falls_back_to_the_reason_phrase() {
        let f = status_failure(StatusCode::GATEWAY_TIMEOUT, b"<html>oops</html>", &asked());
        assert!(f.message.contains("Gateway Timeout"), "{}", f.message);
    }
}
