//! `PATCH {endpoint}/activityid/v1/user/bulk`: a bulk update streamed from
//! a file, its length announced, and the new bulk's id read from the
//! answer.
//!
//! A submission is not idempotent, so its failures are told apart by whether
//! any byte of the body may have reached the server. Only an attempt that
//! handed none of it over (a refused connection, DNS, a connect timeout) is
//! worth repeating ([`FetchError::Transient`]); a 401/403 is a complete
//! refusal, worth one more try with a fresh token
//! ([`FetchError::Unauthorized`]); everything else is final
//! ([`FetchError::Fatal`]), a 5xx included: the server answered, and may or
//! may not have created the bulk.
//!
//! `--timeout` is how long the exchange may go without progress (no body
//! bytes taken, or no answer after the last of them), not how long it may
//! take: a large file may take minutes to send.

use std::fs::File;
use std::io::{Seek, SeekFrom};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::BytesMut;
use futures_util::StreamExt;
use reqwest::header::{HeaderValue, AUTHORIZATION, CONTENT_LENGTH, CONTENT_TYPE};
use reqwest::StatusCode;
use serde_json::Value;
use tokio::io::AsyncReadExt;

use super::error::server_message;
use super::routes;
use super::transport::{self, FetchError};
use super::Api;
use crate::exit::{Class, Failure};
use crate::{sanitize, ui};

/// The media type of a JSON Lines body.
pub const JSONL: &str = "application/jsonl";

/// The longest answer to a submission read: it is a small JSON envelope.
const MAX_ANSWER: usize = 1024 * 1024;

/// How many characters of an answer without a bulk id are shown.
const PREVIEW: usize = 200;

/// How often the progress bar is redrawn and the exchange checked for progress.
const TICK: Duration = Duration::from_millis(100);

/// Chunks read from the file and handed to the connection.
const CHUNK: usize = 64 * 1024;

/// reqwest's own limit on the whole exchange, set out of the way: the
/// check for progress ([`Api::submit`]) stops a stalled one.
const NO_TOTAL_LIMIT: Duration = Duration::from_secs(7 * 24 * 3600);

/// What to send: a file, read from its start on every attempt.
pub struct Upload {
    pub file: File,
    /// Bytes sent: FILE's length when it was checked (what the server is told).
    pub len: u64,
    /// FILE as people read it, for messages and the progress bar.
    pub name: String,
    /// Body bytes the latest attempt handed to the connection: with any,
    /// the server may have some of the bulk (an attempt is repeated only
    /// when the one before handed over none, or was refused whole).
    sent: Arc<AtomicU64>,
}

impl Upload {
    /// `len` bytes of `file`, called `name` in messages.
    pub fn new(file: File, len: u64, name: String) -> Upload {
        Upload {
            file,
            len,
            name,
            sent: Arc::default(),
        }
    }

    /// Body bytes the latest attempt handed to the connection: with none,
    /// nothing of the bulk can have reached the server.
    pub fn sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    /// [`Upload::sent`], for a thread that outlives the borrow (a signal's
    /// last words).
    pub fn sent_counter(&self) -> impl Fn() -> u64 + Send + 'static {
        let sent = Arc::clone(&self.sent);
        move || sent.load(Ordering::Relaxed)
    }
}

/// How far an attempt got: the body bytes handed to the connection (also
/// the upload's, for an interruption to tell), and when that last happened.
struct Progress {
    started: Instant,
    sent: Arc<AtomicU64>,
    /// Milliseconds after `started` of the last chunk handed over.
    moved_at: AtomicU64,
}

impl Progress {
    /// A new attempt at `upload`: nothing of it handed over yet.
    fn new(upload: &Upload) -> Progress {
        upload.sent.store(0, Ordering::Relaxed);
        Progress {
            started: Instant::now(),
            sent: Arc::clone(&upload.sent),
            moved_at: AtomicU64::new(0),
        }
    }

    fn sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    fn moved(&self, bytes: usize) {
        self.sent.fetch_add(bytes as u64, Ordering::Relaxed);
        let now = u64::try_from(self.started.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.moved_at.store(now, Ordering::Relaxed);
    }

    /// How long since the last chunk was handed over (or since the start).
    fn idle(&self) -> Duration {
        let at = Duration::from_millis(self.moved_at.load(Ordering::Relaxed));
        self.started.elapsed().saturating_sub(at)
    }
}

impl Api {
    /// Send `upload` as a new bulk and return the bulk id the server gave it.
    pub async fn submit(&self, upload: &Upload) -> Result<String, FetchError> {
        let auth = self.authorization().await?;
        let (http, timeout, lang) = self.http();
        let url = routes::submit_url(self.base());
        let name = &upload.name;
        let progress = Arc::new(Progress::new(upload));
        let body = body(upload, &progress)?;
        let lang = lang.map_or(String::new(), |l| format!("\n> accept-language: {l}"));
        ui::verbose(format_args!(
            "> PATCH {url}\n> authorization: Bearer [redacted]\n> content-type: {JSONL}\n\
             > content-length: {}{lang}",
            upload.len
        ));
        let request = http
            .patch(url)
            .header(AUTHORIZATION, auth)
            .header(CONTENT_TYPE, JSONL)
            .header(CONTENT_LENGTH, HeaderValue::from(upload.len))
            .timeout(NO_TOTAL_LIMIT)
            .body(body);
        let endpoint = self.endpoint();
        // Nothing handed over yet: asking again cannot send the bulk twice.
        let unreachable = |e: reqwest::Error| {
            if e.is_connect() || progress.sent() == 0 {
                transport::network_failure(e, endpoint, &format!("sending {name}"))
            } else {
                lost(upload, progress.sent(), endpoint, &innermost(&e))
            }
        };
        let too_large = || {
            Failure::new(
                Class::Protocol,
                format!(
                    "the answer to the submission of {name} is larger than {} KiB, which is not \
                     the API's answer",
                    MAX_ANSWER / 1024
                ),
            )
        };
        let exchange =
            transport::send(request, BytesMut::new(), MAX_ANSWER, too_large, unreachable);
        tokio::pin!(exchange);
        ui::sending(name, 0, upload.len);
        let answer = loop {
            tokio::select! {
                answer = &mut exchange => break answer,
                () = tokio::time::sleep(TICK) => {
                    ui::sending(name, progress.sent(), upload.len);
                    if progress.idle() >= timeout {
                        ui::clear_progress();
                        return Err(stalled(upload, &progress, timeout, endpoint));
                    }
                }
            }
        };
        ui::clear_progress();
        let answer = answer?;
        let status = answer.status;
        ui::verbose(format_args!(
            "< {status} in {} ms ({} bytes)",
            progress.started.elapsed().as_millis(),
            answer.body.len()
        ));
        if status.is_success() {
            let accepted = format!("{endpoint} accepted {name} (HTTP {})", status.as_u16());
            let Some(bulk) = bulk_id(&answer.body) else {
                return Err(FetchError::Fatal(
                    Failure::new(
                        Class::Protocol,
                        format!(
                            "{accepted} but its answer names no bulk (no content.bulkId): {}",
                            preview(&answer.body)
                        ),
                    )
                    .with_hint(CHECK_STATUS),
                ));
            };
            // Scripts take the id from stdout and put it in paths and URLs:
            // one that cannot be used there is never printed as an id.
            if let Some(why) = unusable(&bulk) {
                return Err(FetchError::Fatal(
                    Failure::new(
                        Class::Protocol,
                        format!(
                            "{accepted} but the bulk id it sent, {bulk:?}, is not a usable bulk \
                             id ({why}), so it is not printed"
                        ),
                    )
                    .with_hint(CHECK_STATUS),
                ));
            }
            return Ok(bulk);
        }
        let failure = refused(
            status,
            &answer.body,
            answer.location.as_deref(),
            endpoint,
            name,
        );
        Err(match status.as_u16() {
            401 | 403 => FetchError::Unauthorized(failure),
            _ => FetchError::Fatal(failure),
        })
    }
}

/// What to do when it is unknown whether the bulk was created.
pub const CHECK_STATUS: &str =
    "check `druid-bulk status` (it lists every bulk) before submitting the \
     file again: a second submission would apply the same updates twice";

/// The file as a request body, read from its start, `upload.len` bytes at
/// most, each chunk counted in `progress` as it is handed over.
fn body(upload: &Upload, progress: &Arc<Progress>) -> Result<reqwest::Body, FetchError> {
    let unreadable = |e: std::io::Error| {
        FetchError::Fatal(Failure::new(
            Class::Other,
            format!("cannot read {}: {e}", upload.name),
        ))
    };
    let mut file = upload.file.try_clone().map_err(unreadable)?;
    file.seek(SeekFrom::Start(0)).map_err(unreadable)?;
    let reader = tokio::fs::File::from_std(file).take(upload.len);
    let progress = Arc::clone(progress);
    let chunks = tokio_util::io::ReaderStream::with_capacity(reader, CHUNK).map(move |chunk| {
        crate::bug::point("upload");
        if let Ok(bytes) = &chunk {
            progress.moved(bytes.len());
        }
        chunk
    });
    Ok(reqwest::Body::wrap_stream(chunks))
}

/// The bulk id in a 2xx answer: `content.bulkId`, else a top-level
/// `bulkId`, the first that is a string (see [`unusable`]).
pub fn bulk_id(body: &[u8]) -> Option<String> {
    let answer: Value = serde_json::from_slice(body).ok()?;
    let id = [answer.pointer("/content/bulkId"), answer.get("bulkId")]
        .into_iter()
        .flatten()
        .find_map(Value::as_str)?;
    Some(id.to_string())
}

/// Why a bulk id sent by the server cannot be printed for a script to use
/// as one path segment and one shell word, if it cannot.
fn unusable(id: &str) -> Option<&'static str> {
    if id.is_empty() {
        Some("it is empty")
    } else if id.chars().any(char::is_whitespace) {
        Some("it has whitespace")
    } else if id.chars().any(char::is_control) {
        Some("it has control characters")
    } else if id.contains('/') {
        Some("it has a `/`")
    } else if id == "." || id == ".." {
        Some("it is a dot segment")
    } else {
        None
    }
}

/// The first [`PREVIEW`] characters of an answer, for a message: redacted
/// before it is cut, so no part of a secret is left where the cut falls.
fn preview(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = sanitize::redact(&text);
    let text = text.trim();
    if text.is_empty() {
        return "(an empty body)".to_string();
    }
    match text.char_indices().nth(PREVIEW) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// The innermost cause of a transport error: it says it best ("connection reset by peer").
fn innermost(err: &reqwest::Error) -> String {
    let mut cause: &dyn std::error::Error = err;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// The exchange broke after some of the body was handed over: the server
/// may have the bulk.
fn lost(upload: &Upload, sent: u64, endpoint: &str, cause: &str) -> FetchError {
    FetchError::Fatal(
        Failure::new(
            Class::Unavailable,
            format!(
                "the connection to {endpoint} failed while submitting {} ({cause}) after {} of \
                 its {} bytes were sent; the server may have received the bulk, so it is not sent \
                 again",
                upload.name,
                sent.min(upload.len),
                upload.len
            ),
        )
        .with_hint(CHECK_STATUS),
    )
}

/// No progress for `--timeout`. With nothing of the body handed over yet,
/// asking again is safe; after that, the server may have the bulk.
fn stalled(upload: &Upload, progress: &Progress, timeout: Duration, endpoint: &str) -> FetchError {
    let sent = progress.sent();
    let waited = humantime::format_duration(timeout);
    if sent == 0 {
        return FetchError::Transient {
            label: "timeout".into(),
            retry_after: None,
            failure: Failure::new(
                Class::Unavailable,
                format!(
                    "no answer from {endpoint} while sending {}: nothing was sent for {waited}",
                    upload.name
                ),
            ),
        };
    }
    let cause = if sent >= upload.len {
        format!("no answer {waited} after the whole body was sent")
    } else {
        format!("no progress for {waited} (--timeout)")
    };
    lost(upload, sent, endpoint, &cause)
}

/// A complete answer that is not a 2xx, as a failure that says whether a
/// bulk may exist.
fn refused(
    status: StatusCode,
    body: &[u8],
    location: Option<&str>,
    endpoint: &str,
    name: &str,
) -> Failure {
    let code = status.as_u16();
    let reason = server_message(body).unwrap_or_else(|| {
        status
            .canonical_reason()
            .unwrap_or("no reason given")
            .to_string()
    });
    let shown = format!("HTTP {code}: {reason}");
    let not_created = "no bulk was created";
    match code {
        300..=399 => Failure::new(
            Class::Protocol,
            format!(
                "{endpoint} answered the submission of {name} with a redirect to {} ({shown}), \
                 which druid-bulk does not follow with the body; if that is the right API, pass \
                 it as --endpoint",
                location.unwrap_or("an unnamed location")
            ),
        ),
        400 => Failure::new(
            Class::Protocol,
            format!("the server refused {name} ({shown}); {not_created}"),
        )
        .with_hint("fix the file and submit it again"),
        401 | 403 => Failure::new(
            Class::Auth,
            format!(
                "authentication failed submitting {name} ({shown}); {not_created}. Check the app \
                 token (--token-file, DRUID_TOKEN, --token) or client credentials, and their \
                 right to submit bulks"
            ),
        ),
        404 | 405 => Failure::new(
            Class::Protocol,
            format!(
                "{endpoint} does not take bulk submissions at {} ({shown}); {not_created}. Check \
                 --endpoint",
                routes::BULKS
            ),
        ),
        408 | 429 => Failure::new(
            Class::Unavailable,
            format!(
                "the server did not take {name} ({shown}); {not_created}: submit it again later"
            ),
        ),
        413 => Failure::new(
            Class::Protocol,
            format!("the server refused {name} as too large ({shown}); {not_created}"),
        )
        .with_hint("split the file into smaller bulks and submit each"),
        500..=599 => Failure::new(
            Class::Unavailable,
            format!(
                "the server failed while taking {name} ({shown}); it may or may not have created \
                 the bulk, so it is not sent again"
            ),
        )
        .with_hint(CHECK_STATUS),
        _ if status.is_client_error() => Failure::new(
            Class::Protocol,
            format!("the server refused {name} ({shown}); {not_created}"),
        ),
        _ => Failure::new(
            Class::Protocol,
            format!("unexpected answer to the submission of {name} ({shown})"),
        )
        .with_hint(CHECK_STATUS),
    }
}

#[cfg(test)]
mod tests;
