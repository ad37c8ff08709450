//! TLS for the HTTP client: the crypto provider and the CA roots.
//!
//! - The provider is rustls' `ring`, installed as the process default once,
//!   before the first client is built (reqwest is built without a provider
//!   of its own, and would panic without one).
//! - The roots are the system's (rustls-platform-verifier: the keychain on
//!   macOS, the certificate store on Windows, on Linux the usual bundle
//!   files, or `SSL_CERT_FILE`/`SSL_CERT_DIR` when set). A system with none,
//!   such as a static binary in a minimal container image, gets Mozilla's
//!   roots compiled into the binary (webpki-root-certs) instead of a client
//!   that cannot be built. `-v` says which.

use std::sync::{Arc, OnceLock};

use rustls::crypto::CryptoProvider;

use crate::ui;

/// Where the certificates that verify a server come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Roots {
    /// The platform's store (or `SSL_CERT_FILE`/`SSL_CERT_DIR`).
    System,
    /// The bundled Mozilla roots: the system has none.
    Bundled,
}

/// Decided once per process, with the first client.
static ROOTS: OnceLock<Roots> = OnceLock::new();

/// The crypto provider every TLS connection uses: installed as the process
/// default on first use (a provider already installed is kept).
pub fn provider() -> Arc<CryptoProvider> {
    if let Some(installed) = CryptoProvider::get_default() {
        return installed.clone();
    }
    // Losing a race to another thread installing one is fine: use theirs.
    let _ = rustls::crypto::ring::default_provider().install_default();
    CryptoProvider::get_default()
        .expect("a crypto provider was just installed")
        .clone()
}

/// Build a client with `build`: given no certificates, it must use the
/// system's roots; given some, only those. The system's are tried first;
/// when the system has none, the bundled roots are used instead. The
/// choice is made (and told with `-v`, naming the `cert_vars` that are set:
/// `SSL_CERT_FILE=…`) once per process.
pub fn build<T>(
    cert_vars: &[String],
    build: impl Fn(Option<Vec<reqwest::Certificate>>) -> reqwest::Result<T>,
) -> reqwest::Result<T> {
    provider();
    if ROOTS.get() == Some(&Roots::Bundled) {
        return build(Some(bundled()?));
    }
    match build(None) {
        Ok(client) => {
            decided(Roots::System, cert_vars);
            Ok(client)
        }
        Err(_) if !system_has_roots() => {
            decided(Roots::Bundled, cert_vars);
            build(Some(bundled()?))
        }
        Err(err) => Err(err),
    }
}

/// Record the choice, and say it with `-v` the first time.
fn decided(roots: Roots, cert_vars: &[String]) {
    if ROOTS.set(roots).is_err() {
        return;
    }
    match roots {
        Roots::System => ui::verbose("tls: verifying servers with the system's CA certificates"),
        Roots::Bundled => ui::verbose(format_args!(
            "tls: no CA certificates found on this system{}; verifying servers with \
             the bundled Mozilla roots (webpki-root-certs)",
            cert_env(cert_vars)
        )),
    }
}

/// ` (SSL_CERT_FILE=…, SSL_CERT_DIR=…)` for the variables that are set, as
/// they replace the system's locations on Linux.
fn cert_env(set: &[String]) -> String {
    if set.is_empty() {
        String::new()
    } else {
        format!(" ({})", set.join(", "))
    }
}

/// Whether the platform verifier finds any root (it is an error, on Linux,
/// when it loads none).
fn system_has_roots() -> bool {
    rustls_platform_verifier::Verifier::new(provider()).is_ok()
}

/// Mozilla's roots, as bundled in the binary.
fn bundled() -> reqwest::Result<Vec<reqwest::Certificate>> {
    webpki_root_certs::TLS_SERVER_ROOT_CERTS
        .iter()
        .map(|der| reqwest::Certificate::from_der(der))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_provider_is_installed_once_and_a_client_builds() {
        let first = provider();
        let second = provider();
        assert!(Arc::ptr_eq(&first, &second), "the same provider both times");
        // Would panic ("No rustls crypto provider is configured") without it.
        build(&[], |certs| {
            let builder = reqwest::Client::builder();
            match certs {
                Some(certs) => builder.tls_certs_only(certs),
                None => builder,
            }
            .build()
        })
        .expect("a client builds");
        assert!(ROOTS.get().is_some(), "the roots were decided");
    }

    #[test]
    fn the_bundled_roots_all_parse_into_a_client() {
        provider();
        let certs = bundled().expect("every bundled root is a certificate");
        assert!(certs.len() > 100, "Mozilla's roots: {}", certs.len());
        reqwest::Client::builder()
            .tls_certs_only(certs)
            .build()
            .expect("a client with only the bundled roots builds");
    }
}
