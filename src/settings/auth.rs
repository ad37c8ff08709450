//! Credentials from flags, files and the environment: an app token, or
//! client credentials for the token endpoint; and the rule that secrets
//! only travel over https (or to this machine).

use std::path::Path;

use anyhow::Result;
use secrecy::{ExposeSecret, SecretString};
use url::Url;

use super::env;
use super::layer::{Layer, SecretSource, TokenSource};
use super::values::{parse_base_url, AUTH_URL};
use crate::api::{is_loopback, Auth, ClientCredentials};
use crate::exit::usage;
use crate::ui;

/// Pick the credentials from the merged layer: client credentials when all
/// three parts are given (they can be renewed), else the app token.
pub fn resolve(layer: &Layer, allow_insecure_http: bool) -> Result<Auth> {
    if let [first, second] = stdin_readers(layer)[..] {
        return usage(format!("{first} and {second} cannot both read stdin ('-')"));
    }
    // Checked even when the token is used instead: a URL with a password in
    // it is refused wherever it comes from.
    let auth_url = layer
        .auth_url
        .as_deref()
        .map(|raw| parse_base_url(&AUTH_URL, raw))
        .transpose()?;
    let secret = match &layer.secret_source() {
        Some(SecretSource::File(path)) => Some(read_secret_file("--client-secret-file", path)?),
        Some(SecretSource::Env(secret)) => Some(secret.clone()),
        Some(SecretSource::EnvNamed(var)) => env::named(var)
            .filter(|s| !s.trim().is_empty())
            .map(|s| SecretString::from(s.trim())),
        None => None,
    };
    let token_source = layer.token_source();
    let has_token = token_source.is_some();
    match (auth_url, &layer.client_id, secret) {
        (Some(auth_url), Some(client_id), Some(secret)) => {
            check_transport("--auth-url", &auth_url, allow_insecure_http)?;
            if client_id.trim().is_empty() || client_id.chars().any(char::is_control) {
                return usage("--client-id is empty or contains control characters");
            }
            if has_token {
                ui::note(
                    "using the client credentials (they can be renewed); the app token given is ignored",
                );
            }
            Ok(Auth::Client(ClientCredentials {
                auth_url,
                client_id: client_id.trim().to_string(),
                secret,
            }))
        }
        (auth_url, client_id, secret)
            if !has_token && (auth_url.is_some() || client_id.is_some() || secret.is_some()) =>
        {
            let missing: Vec<&str> = [
                (auth_url.is_none(), "--auth-url (or DRUID_AUTH_URL)"),
                (client_id.is_none(), "--client-id (or DRUID_CLIENT_ID)"),
                (
                    secret.is_none(),
                    "--client-secret-file (or DRUID_CLIENT_SECRET)",
                ),
            ]
            .into_iter()
            .filter_map(|(gone, name)| gone.then_some(name))
            .collect();
            usage(format!(
                "client credentials are incomplete: missing {}",
                missing.join(", ")
            ))
        }
        _ => token(token_source.as_ref()).map(Auth::Token),
    }
}

/// The credential flags that read stdin (`-`): stdin can be read only once.
pub(super) fn stdin_readers(layer: &Layer) -> Vec<&'static str> {
    let stdin = |path: &Path| path == Path::new("-");
    let token = matches!(&layer.token, Some(TokenSource::File(p)) if stdin(p));
    let secret = matches!(&layer.secret, Some(SecretSource::File(p)) if stdin(p));
    [(token, "--token-file"), (secret, "--client-secret-file")]
        .into_iter()
        .filter_map(|(reads, flag)| reads.then_some(flag))
        .collect()
}

fn token(source: Option<&TokenSource>) -> Result<SecretString> {
    let token = match source {
        Some(TokenSource::File(path)) => read_secret_file("--token-file", path)?,
        Some(TokenSource::Argv(token)) => {
            ui::warn(
                "--token is visible to other users of this machine (ps, /proc); \
                 prefer --token-file or DRUID_TOKEN",
            );
            SecretString::from(token.expose_secret().trim())
        }
        Some(TokenSource::Env(token)) => token.clone(),
        Some(TokenSource::EnvNamed(var)) => match env::named(var) {
            Some(value) => SecretString::from(value.trim()),
            None => {
                return usage(format!(
                    "the profile takes the app token from ${var}, which is not set"
                ))
            }
        },
        None => {
            return usage(
                "no credentials: pass --token-file PATH (or '-' for stdin), set DRUID_TOKEN, \
                 or pass --token TOKEN; or give --auth-url, --client-id and a client secret",
            )
        }
    };
    if token.expose_secret().is_empty() {
        return usage("the app token is empty: check --token-file, DRUID_TOKEN or --token");
    }
    Ok(token)
}

/// Read a secret from a file or stdin (`-`), trimmed.
fn read_secret_file(flag: &str, path: &Path) -> Result<SecretString> {
    #[cfg(unix)]
    warn_if_open_to_others(flag, path);
    let mut raw = super::values::read_input(flag, path)?;
    let secret = SecretString::from(raw.trim());
    raw.clear();
    if secret.expose_secret().is_empty() {
        return usage(format!("{flag} {} is empty", path.display()));
    }
    Ok(secret)
}

/// Warn, as ssh does for keys, when a secret file can be read (or changed)
/// by its group or by others. Pipes and devices (`<(pass show …)`) are not
/// files anyone else could open later.
#[cfg(unix)]
fn warn_if_open_to_others(flag: &str, path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    let Ok(meta) = std::fs::metadata(path) else {
        return;
    };
    let mode = meta.permissions().mode() & 0o777;
    if meta.is_file() && mode & 0o077 != 0 {
        ui::warn(format!(
            "{flag} {path} is open to users other than its owner (mode {mode:04o}); \
             restrict it with: chmod 600 {path}",
            path = path.display()
        ));
    }
}

/// Secrets go over https, or plain http only to this machine, unless the
/// user says otherwise.
pub fn check_transport(flag: &str, url: &Url, allow_insecure: bool) -> Result<()> {
    if url.scheme() == "http" && !is_loopback(url) && !allow_insecure {
        return usage(format!(
            "{flag} {url} uses plain http to another machine, which would send credentials in clear; \
             use https://, or pass --allow-insecure-http if you really mean it"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_is_only_for_this_machine() {
        let url = |s: &str| Url::parse(s).unwrap();
        for ok in [
            "https://graph.example.com",
            "http://127.0.0.1:8089",
            "http://localhost:1",
            "http://[::1]:8",
        ] {
            assert!(
                check_transport("--endpoint", &url(ok), false).is_ok(),
                "{ok}"
            );
        }
        let err =
            check_transport("--endpoint", &url("http://graph.example.com"), false).unwrap_err();
        assert_eq!(crate::exit::exit_code(&err), 2);
        assert!(err.to_string().contains("--allow-insecure-http"));
        assert!(check_transport("--endpoint", &url("http://graph.example.com"), true).is_ok());
        assert!(
            check_transport("--endpoint", &url("http://127.0.0.1.example.com"), false).is_err()
        );
    }
}
