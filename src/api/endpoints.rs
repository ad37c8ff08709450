//! The typed endpoints: one [`Api`] for the run that asks for results pages
//! and bulk statuses with the headers DruID expects, and turns every answer
//! that is not a 200 into a classed [`FetchError`]. The token is only ever
//! exposed to build the header.

use std::time::{Duration, Instant};

use anyhow::Result;
use bytes::{Bytes, BytesMut};
use reqwest::header::{
    HeaderMap, HeaderValue, ACCEPT, ACCEPT_LANGUAGE, AUTHORIZATION, CONTENT_TYPE,
};
use secrecy::ExposeSecret;
use url::{Host, Url};

use super::error::{redirect_failure, status_failure, Asked};
use super::routes::{self, PageQuery};
use super::token::{Auth, Tokens};
use super::transport::{self, FetchError, Network, Proxy};
use crate::exit::{Class, Failure};
use crate::page::wire::{self, StatusEnvelope};
use crate::ui;

/// A page body larger than this is refused rather than held in memory.
pub const MAX_BODY: usize = 64 * 1024 * 1024;

/// Where the API is and how to authenticate.
#[derive(Debug, Clone)]
pub struct Connection {
    /// Base URL, path prefix kept, no trailing slash.
    pub endpoint: Url,
    pub auth: Auth,
}

impl Connection {
    /// Whether every host the run talks to (the endpoint, and the token
    /// URL with client credentials) is this machine: the built-in sandbox
    /// of `demo`, or `sandbox` in another terminal.
    pub fn is_local(&self) -> bool {
        let token_url = match &self.auth {
            Auth::Token(_) => None,
            Auth::Client(creds) => Some(&creds.auth_url),
        };
        is_loopback(&self.endpoint) && token_url.is_none_or(is_loopback)
    }
}

/// Whether the URL's host is this machine: `localhost`, 127.0.0.0/8, `[::1]`.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// The API client.
pub struct Api {
    http: reqwest::Client,
    /// Page buffers handed back after writing, reused for the next pages so
    /// memory stays flat however many pages an export has.
    buffers: std::sync::Mutex<Vec<BytesMut>>,
    endpoint: Url,
    tokens: Tokens,
    lang: Option<String>,
    /// `--timeout`: a request's limit (a submission's, without progress).
    timeout: Duration,
}

impl Api {
    /// The client for `conn`; `network` is what the environment says of
    /// proxies and CA certificates, for the `-v` notes.
    pub fn new(
        conn: Connection,
        timeout: Duration,
        lang: Option<String>,
        network: &Network,
    ) -> Result<Api> {
        let mut headers = HeaderMap::new();
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        headers.insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        if let Some(lang) = &lang {
            headers.insert(ACCEPT_LANGUAGE, HeaderValue::from_str(lang)?);
        }
        // A proxy cannot reach this machine's loopback, and a token sent in
        // plain http to the sandbox must not leave the machine through one.
        let proxy = if conn.is_local() {
            if network.proxy_named {
                ui::verbose(format_args!(
                    "proxy: not used for {}, which is on this machine",
                    conn.endpoint.as_str().trim_end_matches('/')
                ));
            }
            Proxy::Off
        } else {
            Proxy::System
        };
        Ok(Api {
            http: transport::client(timeout, headers, proxy, network)?,
            buffers: std::sync::Mutex::default(),
            endpoint: conn.endpoint,
            tokens: Tokens::new(conn.auth),
            lang,
            timeout,
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

    fn buffer(&self) -> BytesMut {
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
        routes::results_url(&self.endpoint, bulk_id, query)
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

    /// A 200 page whose body says `result.status` `code` outside 2xx: the
    /// same error that HTTP status would be.
    pub fn status_in_body(
        &self,
        code: u16,
        body: &[u8],
        bulk_id: &str,
        query: &PageQuery<'_>,
    ) -> FetchError {
        self.in_body(code, body, bulk_id, query.describe())
    }

    /// [`Api::status_in_body`] for any request, `params` naming what was sent.
    fn in_body(&self, code: u16, body: &[u8], bulk_id: &str, params: String) -> FetchError {
        let Ok(status) = reqwest::StatusCode::from_u16(code) else {
            return FetchError::Fatal(Failure::new(
                Class::Protocol,
                format!("unexpected answer for bulk {bulk_id} (result.status {code} in an HTTP 200 answer)"),
            ));
        };
        let asked = Asked {
            bulk_id,
            endpoint: self.endpoint(),
            params,
            in_body: true,
        };
        transport::classify(status, None, status_failure(status, body, &asked))
    }

    /// `GET {endpoint}/activityid/v1/user/bulk[/{bulk_id}]`: one bulk's
    /// status, or every bulk's. `Ok` only for a 200 whose envelope a results
    /// page would pass (`wire::status_envelope`): a `result.status` outside
    /// 2xx is that HTTP error, a body cut short is worth asking again, and a
    /// body of another shape or about another bulk breaks the protocol.
    pub async fn fetch_status(&self, bulk_id: Option<&str>) -> Result<Bytes, FetchError> {
        let url = routes::status_url(&self.endpoint, bulk_id);
        let bulk = bulk_id.unwrap_or("(all bulks)");
        let body = self.get(url, bulk, String::new()).await?;
        let answer = || match bulk_id {
            Some(bulk) => format!("the status answer for bulk {bulk}"),
            None => "the list of bulks".to_string(),
        };
        match wire::status_envelope(&body, bulk_id) {
            StatusEnvelope::Usable => Ok(body),
            StatusEnvelope::Status(code) => Err(self.in_body(code, &body, bulk, String::new())),
            StatusEnvelope::CutShort => Err(FetchError::Transient {
                label: "a body cut short".into(),
                retry_after: None,
                failure: Failure::new(
                    Class::Unavailable,
                    format!(
                        "{} is not valid JSON: it ends early, after {} bytes",
                        answer(),
                        body.len()
                    ),
                ),
            }),
            StatusEnvelope::Broken(why) => Err(FetchError::Fatal(Failure::new(
                Class::Protocol,
                format!("{} {why}", answer()),
            ))),
        }
    }

    /// The status word of one bulk (`processing`, `failed`, …) from
    /// `GET …/bulk/{bulk_id}`, one request with no retry; `Ok(None)` when
    /// the answer does not say.
    pub async fn bulk_status(&self, bulk_id: &str) -> Result<Option<String>, FetchError> {
        let body = self.fetch_status(Some(bulk_id)).await?;
        Ok(wire::bulk_status(&body))
    }

    /// The `Authorization` header of the next request (a token is fetched
    /// first when client credentials need one), marked sensitive.
    pub(super) async fn authorization(&self) -> Result<HeaderValue, FetchError> {
        let bearer = self.tokens.bearer(&self.http).await?;
        let mut auth = HeaderValue::from_str(bearer.expose_secret()).map_err(|_| {
            FetchError::Fatal(Failure::usage(
                "the app token contains characters not allowed in an HTTP header",
            ))
        })?;
        auth.set_sensitive(true);
        Ok(auth)
    }

    /// The client, its `--timeout` and the `Accept-Language` it sends, for
    /// the requests built elsewhere in `api`.
    pub(super) fn http(&self) -> (&reqwest::Client, Duration, Option<&str>) {
        (&self.http, self.timeout, self.lang.as_deref())
    }

    /// The base URL as parsed, to build routes under it.
    pub(super) fn base(&self) -> &Url {
        &self.endpoint
    }

    /// One authenticated GET; `Ok` only for a 200, with the whole body.
    async fn get(&self, url: Url, bulk_id: &str, params: String) -> Result<Bytes, FetchError> {
        let auth = self.authorization().await?;
        let started = Instant::now();
        self.log_request(&url);
        let during = format!("asking about bulk {bulk_id}");
        let unreachable =
            |e: reqwest::Error| transport::network_failure(e, self.endpoint(), &during);
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
        let request = self.http.get(url).header(AUTHORIZATION, auth);
        let answer =
            transport::send(request, self.buffer(), MAX_BODY, too_large, unreachable).await?;
        let status = answer.status;
        ui::verbose(format_args!(
            "< {status} in {} ms ({} bytes)",
            started.elapsed().as_millis(),
            answer.body.len()
        ));
        if status == reqwest::StatusCode::OK {
            return Ok(answer.body);
        }
        let asked = Asked {
            bulk_id,
            endpoint: self.endpoint(),
            params,
            in_body: false,
        };
        if status.is_redirection() {
            return Err(FetchError::Fatal(redirect_failure(
                status,
                answer.location.as_deref(),
                &asked,
            )));
        }
        let failure = status_failure(status, &answer.body, &asked);
        Err(transport::classify(status, answer.retry_after, failure))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::ClientCredentials;
    use secrecy::SecretString;

    fn conn(endpoint: &str, auth_url: Option<&str>) -> Connection {
        let auth = match auth_url {
            None => Auth::Token(SecretString::from("t")),
            Some(url) => Auth::Client(ClientCredentials {
                auth_url: Url::parse(url).unwrap(),
                client_id: "id".into(),
                secret: SecretString::from("s"),
            }),
        };
        Connection {
            endpoint: Url::parse(endpoint).unwrap(),
            auth,
        }
    }

    #[test]
    fn local_only_when_every_host_is_this_machine() {
        assert!(conn("http://127.0.0.1:8089", None).is_local());
        assert!(conn("http://localhost:1/api", Some("http://127.0.0.2:9")).is_local());
        assert!(conn("http://[::1]:8", Some("http://LOCALHOST:9")).is_local());
        assert!(!conn("https://graph.example.com", None).is_local());
        assert!(!conn("http://127.0.0.1:8089", Some("https://auth.example.com")).is_local());
        assert!(!conn("http://127.0.0.1.example.com", None).is_local());
    }
}
