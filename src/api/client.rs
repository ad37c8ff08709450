//! One HTTP client for the run: builds the results URL, sends the headers
//! DruID expects, and turns every answer that is not a page into a classed
//! failure. The token is only ever exposed to build the header.

use std::time::{Duration, Instant, SystemTime};

use anyhow::Result;
use bytes::Bytes;
use reqwest::header::{
    HeaderMap, HeaderValue, ACCEPT, ACCEPT_LANGUAGE, AUTHORIZATION, CONTENT_TYPE, LOCATION,
    RETRY_AFTER,
};
use secrecy::ExposeSecret;
use url::Url;

use super::error::{redirect_failure, status_failure, Asked};
use super::routes;
use super::token::{Auth, Tokens};
use crate::exit::{Class, Failure};
use crate::retry::parse_retry_after;
use crate::ui;

/// Characters kept as-is in a path segment (RFC 3986 unreserved).
/// A page body larger than this is refused rather than held in memory.
pub const MAX_BODY: usize = 64 * 1024 * 1024;

/// Connection attempts give up after this long.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Idle pooled connections are dropped before common load-balancer limits.
const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// Query of one results page.
#[derive(Debug, Clone, Copy)]
pub struct PageQuery<'a> {
    pub last: Option<&'a str>,
    pub limit: u32,
    pub failed_only: bool,
}

impl PageQuery<'_> {
    /// The parameters as people read them, for error messages.
    fn describe(&self) -> String {
        let mut parts = vec![format!("limit={}", self.limit)];
        if let Some(last) = self.last {
            parts.push(format!("last={last}"));
        }
        if self.failed_only {
            parts.push("failedOnly=true".into());
        }
        parts.join(", ")
    }
}

/// Where the API is and how to authenticate.
#[derive(Debug, Clone)]
pub struct Connection {
    /// Base URL, path prefix kept, no trailing slash.
    pub endpoint: Url,
    pub auth: Auth,
}

/// The API client.
pub struct Api {
    http: reqwest::Client,
    /// Page buffers handed back after writing, reused for the next pages so
    /// memory stays flat however many pages an export has.
    buffers: std::sync::Mutex<Vec<bytes::BytesMut>>,
    endpoint: Url,
    tokens: Tokens,
    lang: Option<String>,
}

impl Api {
    pub fn new(conn: Connection, timeout: Duration, lang: Option<String>) -> Result<Api> {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if let Some(lang) = &lang {
            headers.insert(ACCEPT_LANGUAGE, HeaderValue::from_str(lang)?);
        }
        let http = reqwest::Client::builder()
            .user_agent(concat!("druid-bulk/", env!("CARGO_PKG_VERSION")))
            .default_headers(headers)
            .timeout(timeout)
            .connect_timeout(CONNECT_TIMEOUT)
            .pool_idle_timeout(POOL_IDLE_TIMEOUT)
            .redirect(same_origin_redirects())
            .build()?;
        Ok(Api {
            http,
            buffers: std::sync::Mutex::default(),
            endpoint: conn.endpoint,
            tokens: Tokens::new(conn.auth),
            lang,
        })
    }

    /// Give a page body back once nothing borrows from it any more.
    pub fn recycle(&self, body: Bytes) {
        if let Ok(mut buffer) = body.try_into_mut() {
            buffer.clear();
            let mut pool = self.buffers.lock().unwrap_or_else(|e| e.into_inner());
            if pool.len() < 4 {
                pool.push(buffer);
            }
        }
    }

    fn buffer(&self) -> bytes::BytesMut {
        self.buffers
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop()
            .unwrap_or_default()
    }

    /// Whether a rejected token can be replaced (client credentials).
    pub fn can_renew_token(&self) -> bool {
        self.tokens.can_renew()
    }

    /// Forget the current token; the next request fetches a new one.
    pub async fn forget_token(&self) {
        self.tokens.forget().await;
    }

    /// The base URL, for messages.
    pub fn endpoint(&self) -> &str {
        self.endpoint.as_str().trim_end_matches('/')
    }

    /// `{endpoint}/activityid/v1/user/bulk/{bulk_id}/results?…`, the bulk id
    /// percent-encoded as one path segment and the endpoint's prefix kept.
    pub fn results_url(&self, bulk_id: &str, query: &PageQuery<'_>) -> Url {
        results_url(&self.endpoint, bulk_id, query)
    }

    /// Fetch one page; `Ok` only for a 200, with the whole body. Errors say
    /// whether asking again may help.
    pub async fn fetch_page(
        &self,
        bulk_id: &str,
        query: &PageQuery<'_>,
    ) -> Result<Bytes, FetchError> {
        let url = self.results_url(bulk_id, query);
        self.get(url, bulk_id, query.describe()).await
    }

    /// `GET {endpoint}/activityid/v1/user/bulk[/{bulk_id}]`: one bulk's
    /// status, or every bulk's.
    pub async fn fetch_status(&self, bulk_id: Option<&str>) -> Result<Bytes, FetchError> {
        let mut url = self.endpoint.clone();
        let route = bulk_id.map_or_else(|| routes::BULKS.to_string(), routes::bulk);
        url.set_path(&format!(
            "{}{route}",
            self.endpoint.path().trim_end_matches('/')
        ));
        self.get(url, bulk_id.unwrap_or("(all bulks)"), String::new())
            .await
    }

    /// One authenticated GET; `Ok` only for a 200, with the whole body.
    async fn get(&self, url: Url, bulk_id: &str, params: String) -> Result<Bytes, FetchError> {
        let bearer = self.tokens.bearer(&self.http).await?;
        let mut auth = HeaderValue::from_str(bearer.expose_secret()).map_err(|_| {
            FetchError::Fatal(Failure::usage(
                "the app token contains characters not allowed in an HTTP header",
            ))
        })?;
        auth.set_sensitive(true);
        drop(bearer);
        let started = Instant::now();
        self.log_request(&url);
        let during = format!("asking about bulk {bulk_id}");
        let unreachable = |e: reqwest::Error| network_failure(e, self.endpoint(), &during);
        let response = self
            .http
            .get(url)
            .header(AUTHORIZATION, auth)
            .send()
            .await
            .map_err(unreachable)?;
        let status = response.status();
        let retry_after = retry_after(response.headers());
        let location = response
            .headers()
            .get(LOCATION)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string);
        let too_large = || {
            Failure::new(
                Class::Protocol,
                format!(
                    "a page of bulk {bulk_id} is larger than {} MiB; refusing it rather than running \
                     out of memory (try a smaller --page-size)",
                    MAX_BODY / (1024 * 1024)
                ),
            )
        };
        let body = read_capped(response, self.buffer(), MAX_BODY, too_large, unreachable).await?;
        ui::verbose(format_args!(
            "< {status} in {} ms ({} bytes)",
            started.elapsed().as_millis(),
            body.len()
        ));
        if status == reqwest::StatusCode::OK {
            return Ok(body);
        }
        let asked = Asked {
            bulk_id,
            endpoint: self.endpoint(),
            params,
        };
        if status.is_redirection() {
            return Err(FetchError::Fatal(redirect_failure(
                status,
                location.as_deref(),
                &asked,
            )));
        }
        let failure = status_failure(status, &body, &asked);
        Err(match status.as_u16() {
            401 | 403 => FetchError::Unauthorized(failure),
            _ if is_transient(status) => FetchError::Transient {
                label: status.as_u16().to_string(),
                retry_after,
                failure,
            },
            428 => FetchError::NotReady {
                retry_after,
                failure,
            },
            _ => FetchError::Fatal(failure),
        })
    }

    /// The request line and headers, for `-v`; the token never shows.
    fn log_request(&self, url: &Url) {
        let lang = match &self.lang {
            Some(lang) => format!("\n> accept-language: {lang}"),
            None => String::new(),
        };
        ui::verbose(format_args!(
            "> GET {url}\n> authorization: Bearer [redacted]\n> accept: application/json{lang}"
        ));
    }
}

/// Answers that may turn out differently if asked again.
pub(super) fn is_transient(status: reqwest::StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 429 | 500 | 502 | 503 | 504)
}

/// The `Retry-After` a response carries, in seconds or as an HTTP date.
pub(super) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?;
    parse_retry_after(value, SystemTime::now())
}

/// Follow redirects only within the same origin (scheme, host, port): the
/// token is never sent anywhere else, and a move to another host is
/// reported instead of followed.
fn same_origin_redirects() -> reqwest::redirect::Policy {
    reqwest::redirect::Policy::custom(|attempt| {
        let same = attempt
            .previous()
            .last()
            .is_some_and(|prev| prev.origin() == attempt.url().origin());
        if !same {
            attempt.stop()
        } else if attempt.previous().len() > 5 {
            attempt.error("too many redirects")
        } else {
            attempt.follow()
        }
    })
}

/// Read a body of at most `limit` bytes, whether or not its length was
/// announced; `too_large` says what a larger one is. Memory stays bounded
/// whatever the server sends.
pub(super) async fn read_capped(
    mut response: reqwest::Response,
    mut body: bytes::BytesMut,
    limit: usize,
    too_large: impl Fn() -> Failure,
    unreachable: impl Fn(reqwest::Error) -> FetchError,
) -> Result<Bytes, FetchError> {
    let too_large = || FetchError::Fatal(too_large());
    let announced = response.content_length();
    if announced.is_some_and(|n| n > limit as u64) {
        return Err(too_large());
    }
    body.reserve(announced.unwrap_or(0) as usize);
    while let Some(chunk) = response.chunk().await.map_err(&unreachable)? {
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

fn results_url(endpoint: &Url, bulk_id: &str, query: &PageQuery<'_>) -> Url {
    let mut url = endpoint.clone();
    let path = format!(
        "{}{}",
        endpoint.path().trim_end_matches('/'),
        routes::results(bulk_id)
    );
    url.set_path(&path);
    {
        let mut pairs = url.query_pairs_mut();
        if let Some(last) = query.last {
            pairs.append_pair("last", last);
        }
        pairs.append_pair("limit", &query.limit.to_string());
        if query.failed_only {
            pairs.append_pair("failedOnly", "true");
        }
    }
    url
}

/// Why a page could not be fetched, and whether asking again may help.
#[derive(Debug)]
pub enum FetchError {
    /// Worth retrying: 408, 429, 5xx, no answer, a body cut short, bad JSON.
    Transient {
        /// Short name for the retry log: `503`, `timeout`, `connection error`.
        label: String,
        retry_after: Option<Duration>,
        failure: Failure,
    },
    /// 401/403: worth one more try with a fresh token, when one can be had.
    Unauthorized(Failure),
    /// 428: the bulk has not finished; worth polling with `--wait`.
    NotReady {
        retry_after: Option<Duration>,
        failure: Failure,
    },
    /// Asking again will not help (400, 401, 403, 404, …).
    Fatal(Failure),
}

impl FetchError {
    /// The failure to report when giving up.
    pub fn into_failure(self) -> Failure {
        match self {
            FetchError::Transient { failure, .. } | FetchError::NotReady { failure, .. } => failure,
            FetchError::Fatal(failure) | FetchError::Unauthorized(failure) => failure,
        }
    }
}

/// A request that got no (whole) HTTP answer: refused, DNS, timeout, reset,
/// a body cut short. Always worth retrying.
pub(super) fn network_failure(err: reqwest::Error, endpoint: &str, during: &str) -> FetchError {
    let label = if err.is_timeout() {
        "timeout"
    } else if err.is_connect() {
        "connection error"
    } else if err.is_body() || err.is_decode() {
        "incomplete body"
    } else {
        "network error"
    };
    let what = if err.is_timeout() {
        "timed out".to_string()
    } else {
        // The innermost cause says it best ("Connection refused", "dns error …").
        let mut cause: &dyn std::error::Error = &err;
        while let Some(next) = cause.source() {
            cause = next;
        }
        if err.is_connect() {
            format!("could not connect: {cause}")
        } else {
            cause.to_string()
        }
    };
    let failure = Failure::new(
        Class::Unavailable,
        format!("no answer from {endpoint} while {during}: {what}"),
    );
    FetchError::Transient {
        label: label.to_string(),
        retry_after: None,
        failure,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(last: Option<&str>) -> PageQuery<'_> {
        PageQuery {
            last,
            limit: 7,
            failed_only: true,
        }
    }

    #[test]
    fn bulk_id_stays_one_segment_and_prefix_is_kept() {
        let base = Url::parse("https://h.example/api").unwrap();
        let url = results_url(&base, "a/b?c#d %", &q(None));
        assert_eq!(
            url.as_str(),
            "https://h.example/api/activityid/v1/user/bulk/a%2Fb%3Fc%23d%20%25/results?limit=7&failedOnly=true"
        );
    }

    #[test]
    fn cursor_stays_inside_its_query_value() {
        let base = Url::parse("http://127.0.0.1:1").unwrap();
        let url = results_url(&base, "B", &q(Some("x&limit=1#y")));
        let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        assert_eq!(pairs[0], ("last".into(), "x&limit=1#y".into()));
        assert_eq!(pairs.len(), 3);
        assert_eq!(url.fragment(), None);
    }

    proptest::proptest! {
        #[test]
        fn any_bulk_id_stays_inside_its_path_segment(id in "\\PC{1,40}") {
            proptest::prop_assume!(id != "." && id != "..");
            let base = Url::parse("https://h.example/api").unwrap();
            let url = results_url(&base, &id, &q(None));
            let segments: Vec<&str> = url.path_segments().unwrap().collect();
            proptest::prop_assert_eq!(segments.len(), 7, "{}", url);
            proptest::prop_assert_eq!(&segments[..5], &["api", "activityid", "v1", "user", "bulk"]);
            proptest::prop_assert_eq!(segments[6], "results");
            let decoded = percent_encoding::percent_decode_str(segments[5]).decode_utf8().unwrap();
            proptest::prop_assert_eq!(decoded.as_ref(), id.as_str());
            proptest::prop_assert_eq!(url.host_str(), Some("h.example"));
            proptest::prop_assert!(url.fragment().is_none());
        }

        #[test]
        fn any_cursor_stays_inside_its_query_value(cursor in "\\PC{1,60}") {
            let base = Url::parse("https://h.example").unwrap();
            let url = results_url(&base, "B", &q(Some(&cursor)));
            let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
            proptest::prop_assert_eq!(pairs.len(), 3, "{}", url);
            proptest::prop_assert_eq!(&pairs[0], &("last".to_string(), cursor.clone()));
            proptest::prop_assert_eq!(&pairs[1], &("limit".to_string(), "7".to_string()));
            proptest::prop_assert_eq!(url.path(), "/activityid/v1/user/bulk/B/results");
            proptest::prop_assert!(url.fragment().is_none());
        }
    }
}
