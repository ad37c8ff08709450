//! Where the bearer token comes from: a fixed app token, or the OAuth2
//! client-credentials flow (`POST {auth_url}/oauth2/token`), renewed before
//! it expires and once more after a 401. The lifetime the token endpoint
//! gives is read leniently and clamped before any arithmetic (see
//! [`usable_for`]). Secrets live in `SecretString` and are exposed only to
//! build a request.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use serde_json::value::RawValue;
use tokio::sync::Mutex;
use tokio::time::Instant;
use url::Url;

use super::error::server_message;
use super::transport::{self, is_transient, FetchError};
use crate::exit::{Class, Failure};
use crate::{sanitize, ui};

/// Client credentials for the token endpoint.
#[derive(Debug, Clone)]
pub struct ClientCredentials {
    /// Base URL of the auth server (`/oauth2/token` is appended).
    pub auth_url: Url,
    pub client_id: String,
    pub secret: SecretString,
}

/// How requests are authenticated.
#[derive(Debug, Clone)]
pub enum Auth {
    /// An app token given by the user; it cannot be renewed.
    Token(SecretString),
    /// Tokens fetched (and renewed) with client credentials.
    Client(ClientCredentials),
}

/// A token and when to stop using it (`None`: until it is refused).
struct Held {
    token: SecretString,
    renew_at: Option<Instant>,
}

/// Hands out a valid token for each request.
pub struct Tokens {
    auth: Auth,
    held: Mutex<Option<Held>>,
}

/// The token endpoint's answer. The lifetimes are kept as the JSON text
/// they came as: a number, a numeric string (Azure AD v1 sends
/// `"3599"`), or anything else, which must not make the token unusable.
#[derive(Deserialize)]
struct TokenAnswer<'a> {
    access_token: Option<SecretString>,
    #[serde(borrow)]
    expires_in: Option<&'a RawValue>,
    #[serde(borrow)]
    expires_at: Option<&'a RawValue>,
}

/// The longest lifetime believed: a token said to last longer is renewed
/// after a year (and the arithmetic on it can never overflow).
const MAX_LIFETIME: Duration = Duration::from_secs(365 * 24 * 3600);

/// A JSON number, or a string holding one, as `f64`; `None` for anything
/// else (`null`, `"abc"`, `"NaN"`, an object). A number too large for
/// `f64` (`1e400`) is infinite, which the clamps below handle.
fn lenient_number(raw: &RawValue) -> Option<f64> {
    let text = raw.get();
    let number = match serde_json::from_str::<String>(text) {
        Ok(quoted) => quoted.trim().parse::<f64>().ok()?,
        Err(_) => text.parse::<f64>().ok()?,
    };
    (!number.is_nan()).then_some(number)
}

/// `secs` as a lifetime: `None` when it is not above zero, at most
/// [`MAX_LIFETIME`].
fn lifetime(secs: f64) -> Option<Duration> {
    if secs.is_nan() || secs <= 0.0 {
        return None;
    }
    Duration::try_from_secs_f64(secs.min(MAX_LIFETIME.as_secs_f64())).ok()
}

/// OAuth2's own error shape (`{"error": "invalid_client", "error_description": "…"}`).
#[derive(Deserialize)]
struct OauthError {
    error: Option<String>,
    error_description: Option<String>,
}

/// How long a token may be used, from `expires_in` (seconds) or, only
/// when that is absent or unreadable, `expires_at` (milliseconds since
/// 1970, believed only when it is in the future), minus a safety margin of
/// 10% of its life (at most 60 s). Both are clamped first: at most a year;
/// a lifetime that is zero or less is no lifetime. `None`: no usable
/// expiry, so the token is used until a request is refused (then one new
/// token), never renewed before every request.
pub fn usable_for(
    expires_in: Option<f64>,
    expires_at: Option<f64>,
    now: SystemTime,
) -> Option<Duration> {
    let life = match expires_in.filter(|s| !s.is_nan()) {
        Some(secs) => lifetime(secs)?,
        None => {
            let now_ms = now.duration_since(UNIX_EPOCH).ok()?.as_secs_f64() * 1000.0;
            lifetime((expires_at? - now_ms) / 1000.0)?
        }
    };
    let margin = (life / 10).min(Duration::from_secs(60));
    Some(life - margin)
}

/// [`usable_for`] of a token answer's own fields, read leniently.
fn answer_usable_for(answer: &TokenAnswer<'_>, now: SystemTime) -> Option<Duration> {
    let read = |raw: Option<&RawValue>| raw.and_then(lenient_number);
    usable_for(read(answer.expires_in), read(answer.expires_at), now)
}

impl Tokens {
    pub fn new(auth: Auth) -> Tokens {
        // Whatever a server quotes back, no message shows these.
        let secret = match &auth {
            Auth::Token(token) => token,
            Auth::Client(creds) => &creds.secret,
        };
        sanitize::hide(secret.expose_secret());
        Tokens {
            auth,
            held: Mutex::new(None),
        }
    }

    /// Whether a rejected token can be replaced by a fresh one.
    pub fn can_renew(&self) -> bool {
        matches!(self.auth, Auth::Client(_))
    }

    /// Drop the held token so the next request fetches a new one.
    pub async fn forget(&self) {
        *self.held.lock().await = None;
    }

    /// The `Authorization` value for the next request.
    pub async fn bearer(&self, http: &reqwest::Client) -> Result<SecretString, FetchError> {
        let creds = match &self.auth {
            Auth::Token(token) => return Ok(bearer(token)),
            Auth::Client(creds) => creds,
        };
        let mut held = self.held.lock().await;
        if let Some(h) = held.as_ref() {
            if h.renew_at.is_none_or(|at| Instant::now() < at) {
                return Ok(bearer(&h.token));
            }
        }
        let fresh = fetch(http, creds).await?;
        let value = bearer(&fresh.token);
        *held = Some(fresh);
        Ok(value)
    }
}

fn bearer(token: &SecretString) -> SecretString {
    SecretString::from(format!("Bearer {}", token.expose_secret()))
}

/// The largest token answer read: a token response is a few KiB at most.
const MAX_TOKEN_BODY: usize = 1024 * 1024;

/// `POST {auth_url}/oauth2/token` with the client credentials.
async fn fetch(http: &reqwest::Client, creds: &ClientCredentials) -> Result<Held, FetchError> {
    crate::bug::point("token");
    let url = token_url(&creds.auth_url);
    let body = url::form_urlencoded::Serializer::new(String::new())
        .append_pair("grant_type", "client_credentials")
        .append_pair("client_id", &creds.client_id)
        .append_pair("client_secret", creds.secret.expose_secret())
        .finish();
    ui::verbose(format_args!(
        "> POST {url}\n> grant_type=client_credentials&client_id={}&client_secret=[redacted]",
        creds.client_id
    ));
    let started = Instant::now();
    let request = http
        .post(url.clone())
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/x-www-form-urlencoded",
        )
        .body(body);
    let unreachable =
        |e: reqwest::Error| transport::network_failure(e, url.as_str(), "fetching a token");
    let too_large = || {
        Failure::new(
            Class::Auth,
            format!(
                "the token endpoint {url} answered with more than {} KiB, which is not a token",
                MAX_TOKEN_BODY / 1024
            ),
        )
    };
    let answer = transport::send(
        request,
        bytes::BytesMut::new(),
        MAX_TOKEN_BODY,
        too_large,
        unreachable,
    )
    .await?;
    let status = answer.status;
    ui::verbose(format_args!(
        "< {status} in {} ms (token not shown)",
        started.elapsed().as_millis()
    ));
    if status.is_success() {
        let granted: TokenAnswer = serde_json::from_slice(&answer.body).map_err(|_| {
            FetchError::Fatal(Failure::new(
                Class::Auth,
                format!("the token endpoint {url} answered {status} without a JSON token"),
            ))
        })?;
        let usable = answer_usable_for(&granted, SystemTime::now());
        let Some(token) = granted
            .access_token
            .filter(|t| !t.expose_secret().is_empty())
        else {
            return Err(FetchError::Fatal(Failure::new(
                Class::Auth,
                format!("the token endpoint {url} answered without an access_token"),
            )));
        };
        // The auth server's fault, not the user's: it is not their token.
        if !fits_a_header(token.expose_secret()) {
            return Err(FetchError::Fatal(Failure::new(
                Class::Auth,
                format!(
                    "the token endpoint {url} returned a token that cannot be sent in an HTTP \
                     header (a line break, a control or non-ASCII character)"
                ),
            )));
        }
        sanitize::hide(token.expose_secret());
        let renew_at = usable.and_then(|d| started.checked_add(d));
        return Ok(Held { token, renew_at });
    }
    let reason = oauth_message(&answer.body)
        .or_else(|| server_message(&answer.body))
        .unwrap_or_else(|| {
            status
                .canonical_reason()
                .unwrap_or("no reason given")
                .to_string()
        });
    let code = status.as_u16();
    if is_transient(status) {
        return Err(FetchError::Transient {
            label: format!("{code} from the token endpoint"),
            retry_after: answer.retry_after,
            failure: Failure::new(
                Class::Unavailable,
                format!("the token endpoint {url} failed (HTTP {code}: {reason})"),
            ),
        });
    }
    Err(FetchError::Fatal(Failure::new(
        Class::Auth,
        format!(
            "the token endpoint {url} refused client {} (HTTP {code}: {reason}); \
             check --client-id, the client secret and --auth-url",
            creds.client_id
        ),
    )))
}

/// Whether a token can follow `Bearer ` in an `Authorization` header:
/// visible ASCII only. (`HeaderValue` would take bytes above 0x7F, which
/// no server reads as the token it issued.)
fn fits_a_header(token: &str) -> bool {
    token.bytes().all(|b| b.is_ascii_graphic())
}

fn token_url(auth_url: &Url) -> Url {
    let mut url = auth_url.clone();
    let path = format!("{}/oauth2/token", auth_url.path().trim_end_matches('/'));
    url.set_path(&path);
    url
}

fn oauth_message(body: &[u8]) -> Option<String> {
    let e: OauthError = serde_json::from_slice(body).ok()?;
    match (e.error, e.error_description) {
        (Some(code), Some(text)) => Some(format!("{code}: {text}")),
        (code, text) => text.or(code),
    }
}

#[cfg(test)]
mod tests;
