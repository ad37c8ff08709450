//! HTTP transport, shared by the endpoints and the token source: the one
//! reqwest client and its same-origin redirect policy, bodies read with a
//! size cap, `Retry-After`, and what a failed exchange means for asking
//! again ([`FetchError`]). It knows no DruID route and no retry policy.

use std::time::{Duration, SystemTime};

use bytes::{Bytes, BytesMut};
use reqwest::header::{HeaderMap, LOCATION, RETRY_AFTER};
use reqwest::{RequestBuilder, StatusCode};

use super::tls;
use crate::exit::{Class, Failure};

/// Connection attempts give up after this long.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Idle pooled connections are dropped before common load-balancer limits.
const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// Why a request failed, and whether asking again may help.
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

/// Whether requests may go through a proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Proxy {
    /// The one the environment names (`HTTPS_PROXY`, `HTTP_PROXY`,
    /// `ALL_PROXY`, less the hosts in `NO_PROXY`), or else on macOS and
    /// Windows the system's settings: reqwest's default.
    System,
    /// Never a proxy: for hosts on this machine, which a proxy cannot reach
    /// and where plain http must not leave the machine.
    Off,
}

/// What the environment says about the network, as the settings read it.
/// reqwest and the platform verifier read these variables themselves; this
/// is for the `-v` notes only.
#[derive(Debug, Clone, Default)]
pub struct Network {
    /// A variable that names a proxy is set (`HTTPS_PROXY`, `HTTP_PROXY`,
    /// `ALL_PROXY`, in either case).
    pub proxy_named: bool,
    /// `SSL_CERT_FILE` and `SSL_CERT_DIR`, those that are set, as
    /// `NAME=value`.
    pub cert_vars: Vec<String>,
}

/// The client for the run: `default_headers` on every request, a timeout
/// per request, redirects followed only within one origin, a proxy only
/// when `proxy` allows it, and TLS as [`tls`] sets it up (the system's CA
/// roots, else the bundled ones; `network` for what `-v` says of them).
pub fn client(
    timeout: Duration,
    default_headers: HeaderMap,
    proxy: Proxy,
    network: &Network,
) -> reqwest::Result<reqwest::Client> {
    tls::build(&network.cert_vars, |roots| {
        let builder = match proxy {
            Proxy::System => reqwest::Client::builder(),
            Proxy::Off => reqwest::Client::builder().no_proxy(),
        };
        let builder = builder
            .user_agent(concat!("druid-bulk/", env!("CARGO_PKG_VERSION")))
            .default_headers(default_headers.clone())
            .timeout(timeout)
            .connect_timeout(CONNECT_TIMEOUT)
            .pool_idle_timeout(POOL_IDLE_TIMEOUT)
            .redirect(same_origin_redirects());
        match roots {
            Some(certs) => builder.tls_certs_only(certs),
            None => builder,
        }
        .build()
    })
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

/// An answer read whole.
pub struct Answer {
    pub status: StatusCode,
    /// The `Retry-After` it asked for, if any.
    pub retry_after: Option<Duration>,
    /// Where a redirect that was not followed pointed.
    pub location: Option<String>,
    pub body: Bytes,
}

/// Send `request` and read its answer into `buffer`, at most `limit` bytes
/// (`too_large` says what a larger body is). `unreachable` names a request
/// that got no whole answer.
pub async fn send(
    request: RequestBuilder,
    buffer: BytesMut,
    limit: usize,
    too_large: impl Fn() -> Failure,
    unreachable: impl Fn(reqwest::Error) -> FetchError,
) -> Result<Answer, FetchError> {
    let response = request.send().await.map_err(&unreachable)?;
    let status = response.status();
    let retry_after = retry_after(response.headers());
    let location = response
        .headers()
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = read_capped(response, buffer, limit, too_large, unreachable).await?;
    Ok(Answer {
        status,
        retry_after,
        location,
        body,
    })
}

/// Read a body of at most `limit` bytes, whether or not its length was
/// announced; `too_large` says what a larger one is. Memory stays bounded
/// whatever the server sends.
async fn read_capped(
    mut response: reqwest::Response,
    mut body: BytesMut,
    limit: usize,
    too_large: impl Fn() -> Failure,
    unreachable: impl Fn(reqwest::Error) -> FetchError,
) -> Result<Bytes, FetchError> {
    let too_large = || FetchError::Fatal(too_large());
    // The length as the HTTP layer framed the body (a Content-Length that
    // is not a number never gets this far: the answer is refused as a
    // broken exchange, and retried like one).
    let Ok(announced) = announced_length(response.content_length(), limit) else {
        return Err(too_large());
    };
    let Some(first) = response.chunk().await.map_err(&unreachable)? else {
        return Ok(Bytes::new());
    };
    if announced == Some(first.len()) {
        // The whole body in one piece (usual on a fast link): kept as it
        // came, without a copy.
        return Ok(first);
    }
    if first.len() > limit {
        return Err(too_large());
    }
    body.reserve(announced.unwrap_or(0));
    body.extend_from_slice(&first);
    while let Some(chunk) = response.chunk().await.map_err(&unreachable)? {
        if body.len() + chunk.len() > limit {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// The announced length of a body, checked against `limit` before it is
/// used to size anything: `Err` when it is larger, `Ok(None)` when none
/// was announced.
fn announced_length(announced: Option<u64>, limit: usize) -> Result<Option<usize>, ()> {
    match announced.map(usize::try_from) {
        None => Ok(None),
        Some(Ok(n)) if n <= limit => Ok(Some(n)),
        Some(_) => Err(()),
    }
}

/// The `Retry-After` a response carries, in seconds or as an HTTP date.
fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?;
    parse_retry_after(value, SystemTime::now())
}

/// The longest `Retry-After` taken as said; the retry loop caps it further.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(24 * 3600);

/// `Retry-After` as delta-seconds (`120`; leniently also `1.5` or `1e300`)
/// or an HTTP date, at most [`MAX_RETRY_AFTER`]. `0` and a date in the
/// past are zero: "no wait asked", which each caller raises to its own
/// minimum. Anything else (negative, `NaN`, text) is as if absent.
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Too many digits for a u64 is still "a long time".
        let secs = value.parse::<u64>().unwrap_or(u64::MAX);
        return Some(Duration::from_secs(secs).min(MAX_RETRY_AFTER));
    }
    if let Ok(secs) = value.parse::<f64>() {
        if secs.is_nan() || secs < 0.0 {
            return None;
        }
        return Duration::try_from_secs_f64(secs.min(MAX_RETRY_AFTER.as_secs_f64())).ok();
    }
    let when = httpdate::parse_http_date(value).ok()?;
    Some(
        when.duration_since(now)
            .unwrap_or(Duration::ZERO)
            .min(MAX_RETRY_AFTER),
    )
}

/// Answers that may turn out differently if asked again.
pub fn is_transient(status: StatusCode) -> bool {
    matches!(status.as_u16(), 408 | 429 | 500 | 502 | 503 | 504)
}

/// What an API answer that is not a 200 means for asking again; `failure`
/// is how it is reported.
pub fn classify(status: StatusCode, retry_after: Option<Duration>, failure: Failure) -> FetchError {
    match status.as_u16() {
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
    }
}

/// A request that got no (whole) HTTP answer: refused, DNS, timeout, reset,
/// a body cut short. Always worth retrying.
pub fn network_failure(err: reqwest::Error, endpoint: &str, during: &str) -> FetchError {
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

    #[test]
    fn retry_after_reads_seconds_and_http_dates() {
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(parse_retry_after(" 3 ", now), Some(Duration::from_secs(3)));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:50:07 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(parse_retry_after("soon", now), None);
        assert_eq!(parse_retry_after("-5", now), None);
    }

    #[test]
    fn retry_after_is_clamped_whatever_the_server_sends() {
        let now = httpdate::parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT").unwrap();
        let said = |value: &str| parse_retry_after(value, now);
        for huge in [
            "1e300",
            "1e400",
            "inf",
            "99999999999999999999999",
            "18446744073709551615",
            "Tue, 01 Jan 2999 00:00:00 GMT",
        ] {
            assert_eq!(said(huge), Some(MAX_RETRY_AFTER), "{huge}");
        }
        for zero in ["0", "000", "0.0", "Thu, 01 Jan 1970 00:00:00 GMT"] {
            assert_eq!(said(zero), Some(Duration::ZERO), "{zero}");
        }
        assert_eq!(said("3599"), Some(Duration::from_secs(3599)));
        assert_eq!(said("1.5"), Some(Duration::from_millis(1500)));
        for unreadable in [
            "-1", "-1e300", "NaN", "nan", "-inf", "", "3599s", "\"3599\"",
        ] {
            assert_eq!(said(unreadable), None, "{unreadable}");
        }
    }

    #[test]
    fn an_announced_length_is_checked_before_it_sizes_anything() {
        let limit = 64 * 1024 * 1024;
        assert_eq!(announced_length(None, limit), Ok(None));
        assert_eq!(announced_length(Some(0), limit), Ok(Some(0)));
        assert_eq!(announced_length(Some(3599), limit), Ok(Some(3599)));
        assert_eq!(announced_length(Some(limit as u64), limit), Ok(Some(limit)));
        assert_eq!(announced_length(Some(limit as u64 + 1), limit), Err(()));
        assert_eq!(announced_length(Some(u64::MAX), limit), Err(()));
    }

    #[test]
    fn answers_are_classed_by_whether_asking_again_helps() {
        let class = |code: u16| {
            let status = StatusCode::from_u16(code).unwrap();
            match classify(status, None, Failure::new(Class::Protocol, "x")) {
                FetchError::Transient { label, .. } => format!("transient {label}"),
                FetchError::Unauthorized(_) => "unauthorized".into(),
                FetchError::NotReady { .. } => "not ready".into(),
                FetchError::Fatal(_) => "fatal".into(),
            }
        };
        assert_eq!(class(401), "unauthorized");
        assert_eq!(class(403), "unauthorized");
        assert_eq!(class(428), "not ready");
        assert_eq!(class(503), "transient 503");
        assert_eq!(class(408), "transient 408");
        assert_eq!(class(404), "fatal");
        assert_eq!(class(501), "fatal");
    }
}
