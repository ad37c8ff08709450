//! Where the bearer token comes from: a fixed app token, or the OAuth2
//! client-credentials flow (`POST {auth_url}/oauth2/token`), renewed before
//! it expires and once more after a 401. Secrets live in `SecretString` and
//! are exposed only to build a request.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
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

/// A token and when to stop using it.
struct Held {
    token: SecretString,
    renew_at: Option<Instant>,
}

/// Hands out a valid token for each request.
pub struct Tokens {
    auth: Auth,
    held: Mutex<Option<Held>>,
}

/// The token endpoint's answer.
#[derive(Deserialize)]
struct TokenAnswer {
    access_token: Option<SecretString>,
    expires_in: Option<f64>,
    expires_at: Option<f64>,
}

/// OAuth2's own error shape (`{"error": "invalid_client", "error_description": "…"}`).
#[derive(Deserialize)]
struct OauthError {
    error: Option<String>,
    error_description: Option<String>,
}

/// How long a token may be used: from `expires_in` (seconds) and/or
/// `expires_at` (milliseconds since 1970), the earlier one, minus a safety
/// margin of 10% of its life (at most 60 s). `None`: no expiry given.
pub fn usable_for(
    expires_in: Option<f64>,
    expires_at: Option<f64>,
    now: SystemTime,
) -> Option<Duration> {
    let from_in = expires_in.map(|s| Duration::from_secs_f64(s.max(0.0)));
    let from_at = expires_at.map(|ms| {
        let at = UNIX_EPOCH + Duration::from_secs_f64(ms.max(0.0) / 1000.0);
        at.duration_since(now).unwrap_or(Duration::ZERO)
    });
    let life = match (from_in, from_at) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b)?,
    };
    let margin = (life / 10).min(Duration::from_secs(60));
    Some(life - margin)
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
        let Some(token) = granted
            .access_token
            .filter(|t| !t.expose_secret().is_empty())
        else {
            return Err(FetchError::Fatal(Failure::new(
                Class::Auth,
                format!("the token endpoint {url} answered without an access_token"),
            )));
        };
        sanitize::hide(token.expose_secret());
        let renew_at = usable_for(granted.expires_in, granted.expires_at, SystemTime::now())
            .map(|d| started + d);
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
mod tests {
    use super::*;

    #[test]
    fn lifetime_uses_the_earlier_expiry_minus_a_margin() {
        let now = UNIX_EPOCH + Duration::from_secs(1_000_000);
        assert_eq!(
            usable_for(Some(3600.0), None, now),
            Some(Duration::from_secs(3540))
        );
        assert_eq!(
            usable_for(Some(100.0), None, now),
            Some(Duration::from_secs(90))
        );
        let at_ms = (1_000_000.0 + 50.0) * 1000.0;
        assert_eq!(
            usable_for(Some(3600.0), Some(at_ms), now),
            Some(Duration::from_secs(45))
        );
        assert_eq!(
            usable_for(None, Some(at_ms), now),
            Some(Duration::from_secs(45))
        );
        assert_eq!(usable_for(Some(0.0), None, now), Some(Duration::ZERO));
        assert_eq!(
            usable_for(None, Some(1.0), now),
            Some(Duration::ZERO),
            "already expired"
        );
        assert_eq!(usable_for(None, None, now), None);
    }

    #[test]
    fn token_url_keeps_the_auth_prefix() {
        let url = token_url(&Url::parse("https://auth.example.com/tenant/").unwrap());
        assert_eq!(url.as_str(), "https://auth.example.com/tenant/oauth2/token");
    }

    #[test]
    fn oauth_errors_are_read() {
        assert_eq!(
            oauth_message(br#"{"error":"invalid_client","error_description":"bad secret"}"#)
                .as_deref(),
            Some("invalid_client: bad secret")
        );
        assert_eq!(oauth_message(b"nope"), None);
    }

    #[test]
    fn debug_never_shows_secrets() {
        let auth = Auth::Client(ClientCredentials {
            auth_url: Url::parse("https://auth.example.com").unwrap(),
            client_id: "app".into(),
            secret: SecretString::from("s3cr3t-value"),
        });
        let shown = format!(
            "{auth:?} {:?}",
            Auth::Token(SecretString::from("tok-value"))
        );
        assert!(
            !shown.contains("s3cr3t-value") && !shown.contains("tok-value"),
            "{shown}"
        );
    }
}
