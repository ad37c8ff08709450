//! Fault injection for the results route: the per-server fault state (request
//! and fault counters, per-bulk "not ready yet" counts), the repeatable random
//! draws derived from the seed, the injected 428 / 5xx responses, the latency
//! sleep, and [`cut`], which turns a 200 into one whose body is cut off mid-way.

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes, HttpBody};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use http_body::Frame;
use tokio::time::Sleep;

use super::body::{errors, message};
use super::data::mix;
use super::{Faults, SandboxConfig};

/// Salts of the independent random draws of one request.
const SALT_FAIL: u64 = 1;
const SALT_STATUS: u64 = 2;
const SALT_RETRY_AFTER: u64 = 3;
const SALT_RESET: u64 = 4;

/// How long a cut body waits after its first part, so that hyper flushes that
/// part to the socket before the error makes it drop the connection.
const CUT_PAUSE: Duration = Duration::from_millis(10);

/// The body of an injected 504, as a gateway in front of the API would send it.
pub(crate) const GATEWAY_TIMEOUT_HTML: &str =
    "<html><body><h1>504 Gateway Time-out</h1></body></html>";

/// Fault-injection state of one server.
#[derive(Debug, Default)]
pub(crate) struct FaultState {
    /// Results requests that passed the 401/404 checks: numbers the draws.
    requests: AtomicU64,
    /// Faults injected so far (5xx, cut bodies, injected 428s).
    injected: AtomicU64,
    /// Results requests that could have been answered 429 (`limited_for`).
    limited: AtomicU64,
    /// Injected 428s answered so far, per bulk id.
    not_ready: Mutex<HashMap<String, u32>>,
}

/// The random draws of one results request: a pure function of the seed and
/// the request number.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Draw {
    seed: u64,
    request: u64,
}

impl Draw {
    /// 64 well-mixed bits, independent for each salt.
    fn bits(self, salt: u64) -> u64 {
        mix(self.seed ^ mix(self.request ^ mix(salt.wrapping_mul(0xA24B_AED4_963E_E407))))
    }

    /// True with probability `rate` (clamped to 0.0–1.0; NaN is 0.0).
    fn chance(self, salt: u64, rate: f64) -> bool {
        // 53 random bits -> uniform in [0, 1).
        let unit = (self.bits(salt) >> 11) as f64 / (1u64 << 53) as f64;
        unit < rate
    }
}

impl FaultState {
    /// Numbers a results request that passed the 401/404 checks and returns its
    /// draws. Requests are numbered in order of arrival from 0.
    pub(crate) fn next_request(&self, cfg: &SandboxConfig) -> Draw {
        Draw {
            seed: cfg.seed,
            request: self.requests.fetch_add(1, Ordering::SeqCst),
        }
    }

    /// Faults injected so far: 5xx, cut bodies and injected 428s.
    pub(crate) fn injected(&self) -> u64 {
        self.injected.load(Ordering::SeqCst)
    }

    fn count(&self) {
        self.injected.fetch_add(1, Ordering::SeqCst);
    }

    /// The injected 428 while the bulk has been asked fewer than
    /// `not_ready_for` times; counts the request.
    pub(crate) fn not_ready(&self, faults: &Faults, bulk_id: &str) -> Option<Response> {
        if faults.not_ready_for == 0 {
            return None;
        }
        {
            let mut seen = self.not_ready.lock().unwrap_or_else(|e| e.into_inner());
            let n = seen.entry(bulk_id.to_string()).or_insert(0);
            if *n >= faults.not_ready_for {
                return None;
            }
            *n += 1;
        }
        self.count();
        let resp = errors(
            StatusCode::PRECONDITION_REQUIRED,
            "Bulk process not finished yet",
            "status: processing",
        );
        Some(retry_after(resp))
    }

    /// The injected 429 while fewer than `limited_for` results requests
    /// have been answered one; counts the request.
    pub(crate) fn limited(&self, faults: &Faults) -> Option<Response> {
        let before = self.limited.fetch_add(1, Ordering::SeqCst);
        if before >= u64::from(faults.limited_for) {
            return None;
        }
        self.count();
        let resp = errors(
            StatusCode::TOO_MANY_REQUESTS,
            "Too many requests",
            "rate limit exceeded",
        );
        Some(retry_after(resp))
    }

    /// A random 500, 502, 503 or 504 with probability `fail_rate`; about half
    /// of them carry `Retry-After: 1`.
    pub(crate) fn server_error(&self, faults: &Faults, draw: Draw) -> Option<Response> {
        if !draw.chance(SALT_FAIL, faults.fail_rate) {
            return None;
        }
        self.count();
        let resp = match draw.bits(SALT_STATUS) % 4 {
            0 => message(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Internal server error (injected)",
            ),
            1 => message(StatusCode::BAD_GATEWAY, "Bad gateway (injected)"),
            2 => message(
                StatusCode::SERVICE_UNAVAILABLE,
                "Service unavailable (injected)",
            ),
            _ => (
                StatusCode::GATEWAY_TIMEOUT,
                [(CONTENT_TYPE, HeaderValue::from_static("text/html"))],
                GATEWAY_TIMEOUT_HTML,
            )
                .into_response(),
        };
        Some(if draw.bits(SALT_RETRY_AFTER) & 1 == 1 {
            retry_after(resp)
        } else {
            resp
        })
    }

    /// `resp` cut off mid-body with probability `reset_rate`, else unchanged.
    pub(crate) async fn maybe_cut(&self, faults: &Faults, draw: Draw, resp: Response) -> Response {
        if !draw.chance(SALT_RESET, faults.reset_rate) {
            return resp;
        }
        self.count();
        cut(resp).await
    }
}

/// Sleeps for the configured latency, if any.
pub(crate) async fn delay(faults: &Faults) {
    if !faults.latency.is_zero() {
        // The runtime's timer ticks in whole milliseconds and overshoots by up
        // to one; a blocking sleep keeps the latency what was asked, so
        // benchmarks measure clients, not the timer.
        let latency = faults.latency;
        if tokio::task::spawn_blocking(move || std::thread::sleep(latency))
            .await
            .is_err()
        {
            tokio::time::sleep(latency).await;
        }
    }
}

fn retry_after(mut resp: Response) -> Response {
    resp.headers_mut()
        .insert(RETRY_AFTER, HeaderValue::from_static("1"));
    resp
}

/// The same response with `Content-Length` announcing the full body, of which
/// only the first half is sent before the connection is dropped: the client
/// sees a truncated body and an error reading it, never a shorter valid one.
pub(crate) async fn cut(resp: Response) -> Response {
    let (mut parts, body) = resp.into_parts();
    let full = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(full) => full,
        Err(_) => return message(StatusCode::INTERNAL_SERVER_ERROR, "Internal error"),
    };
    parts
        .headers
        .insert(CONTENT_LENGTH, HeaderValue::from(full.len()));
    let body = CutBody {
        head: Some(full.slice(..full.len() / 2)),
        pause: Some(Box::pin(tokio::time::sleep(CUT_PAUSE))),
    };
    Response::from_parts(parts, Body::new(body))
}

/// A body that yields its `head`, waits [`CUT_PAUSE`] and then fails, which
/// makes hyper abort the connection. Its size is unknown to hyper (the default
/// size hint), so hyper trusts the explicit `Content-Length` header.
///
/// The pause matters: if the error followed the chunk immediately, hyper would
/// drop the connection before flushing anything, and the client would see no
/// response at all instead of a truncated one.
struct CutBody {
    head: Option<Bytes>,
    pause: Option<Pin<Box<Sleep>>>,
}

impl HttpBody for CutBody {
    type Data = Bytes;
    type Error = io::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, io::Error>>> {
        if let Some(head) = self.head.take() {
            return Poll::Ready(Some(Ok(Frame::data(head))));
        }
        if let Some(pause) = self.pause.as_mut() {
            if pause.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            self.pause = None;
        }
        Poll::Ready(Some(Err(io::Error::new(
            io::ErrorKind::ConnectionReset,
            "sandbox: connection reset mid-body (injected)",
        ))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_are_repeatable_and_independent() {
        let d = |seed, request| Draw { seed, request };
        assert_eq!(d(42, 7).bits(SALT_FAIL), d(42, 7).bits(SALT_FAIL));
        assert_ne!(d(42, 7).bits(SALT_FAIL), d(43, 7).bits(SALT_FAIL));
        assert_ne!(d(42, 7).bits(SALT_FAIL), d(42, 8).bits(SALT_FAIL));
        assert_ne!(d(42, 7).bits(SALT_FAIL), d(42, 7).bits(SALT_RESET));
        for r in 0..1000 {
            assert!(d(1, r).chance(SALT_FAIL, 1.0));
            assert!(d(1, r).chance(SALT_FAIL, 7.5));
            assert!(!d(1, r).chance(SALT_FAIL, 0.0));
            assert!(!d(1, r).chance(SALT_FAIL, -1.0));
            assert!(!d(1, r).chance(SALT_FAIL, f64::NAN));
        }
        let hits = (0..10_000)
            .filter(|&r| d(5, r).chance(SALT_FAIL, 0.25))
            .count();
        assert!((2_200..2_800).contains(&hits), "{hits}");
    }
}
