//! One layer of settings: what the flags, the environment, a config profile
//! or the built-in defaults say, each field `None` where that layer is
//! silent. Layers merge with [`Layer::or`], field by field, so precedence is
//! written once: flag > environment > profile > default.
//!
//! clap folds `DRUID_ENDPOINT`, `DRUID_AUTH_URL` and `DRUID_CLIENT_ID` into
//! their flags (it reads them only when the flag is absent); the token and
//! the client secret are read from the environment here, so that a token on
//! the command line can be told from one in `DRUID_TOKEN`.

use std::path::PathBuf;

use clap::ValueEnum;
use secrecy::SecretString;

use super::file::Profile;
use crate::cli::{ConnArgs, FormatArgs, FormatChoice, RequestArgs};

/// Where the app token comes from.
#[derive(Debug, Clone)]
pub enum TokenSource {
    /// `--token-file` or a profile's `token_file` (`-` is stdin).
    File(PathBuf),
    /// `--token` on the command line (visible to other users: warned about).
    Argv(SecretString),
    /// `DRUID_TOKEN`.
    Env(SecretString),
    /// A profile's `token_env`: the name of a variable that holds it.
    EnvNamed(String),
}

/// Where the client secret comes from.
#[derive(Debug, Clone)]
pub enum SecretSource {
    /// `--client-secret-file` or a profile's `client_secret_file`.
    File(PathBuf),
    /// `DRUID_CLIENT_SECRET`.
    Env(SecretString),
    /// A profile's `client_secret_env`: the name of a variable that holds it.
    EnvNamed(String),
}

/// `Layer` and its [`Layer::or`], from one list of fields: a field is
/// written once, and merging it cannot be forgotten.
macro_rules! layer {
    ($($(#[$doc:meta])* $field:ident: $ty:ty,)*) => {
        /// Every setting a layer may give; `None`: this layer does not say.
        #[derive(Debug, Clone, Default)]
        pub struct Layer {
            $($(#[$doc])* pub $field: Option<$ty>,)*
        }

        impl Layer {
            /// This layer, with `lower` filling what it leaves unsaid.
            pub fn or(self, lower: Layer) -> Layer {
                Layer {
                    $($field: self.$field.or(lower.$field),)*
                }
            }
        }
    };
}

layer! {
    endpoint: String,
    auth_url: String,
    client_id: String,
    /// A token given in any form beats every lower token source.
    token: TokenSource,
    secret: SecretSource,
    lang: String,
    timeout: String,
    retries: u32,
    retry_max_time: String,
    page_size: u32,
    format: FormatChoice,
    concurrency: usize,
}

/// Built-in defaults (`--help` shows the same values).
pub const DEFAULT_TIMEOUT: &str = "60s";
pub const DEFAULT_RETRIES: u32 = 4;
pub const DEFAULT_RETRY_MAX_TIME: &str = "5m";
pub const DEFAULT_PAGE_SIZE: u32 = 1000;
pub const DEFAULT_CONCURRENCY: usize = 4;

impl Layer {
    /// What the connection flags say (with clap's environment fallbacks).
    pub fn from_conn(conn: &ConnArgs) -> Layer {
        let token = match (&conn.token_file, &conn.token) {
            (Some(path), _) => Some(TokenSource::File(path.clone())),
            (None, Some(token)) => Some(TokenSource::Argv(token.clone())),
            (None, None) => None,
        };
        Layer {
            endpoint: conn.endpoint.clone(),
            auth_url: conn.auth_url.clone(),
            client_id: conn.client_id.clone(),
            token,
            secret: conn.client_secret_file.clone().map(SecretSource::File),
            ..Layer::default()
        }
    }

    /// What the request flags say.
    pub fn from_request(req: &RequestArgs) -> Layer {
        Layer {
            lang: req.lang.clone(),
            timeout: req.timeout.clone(),
            retries: req.retries,
            retry_max_time: req.retry_max_time.clone(),
            ..Layer::default()
        }
    }

    /// What the format flags say.
    pub fn from_format(format: &FormatArgs) -> Layer {
        Layer {
            format: format.format,
            ..Layer::default()
        }
    }

    /// The token and client secret from `DRUID_TOKEN` and
    /// `DRUID_CLIENT_SECRET` (blank values count as unset).
    pub fn from_env() -> Layer {
        let var = |name: &str| {
            super::env::text(name)
                .filter(|v| !v.trim().is_empty())
                .map(|v| SecretString::from(v.trim()))
        };
        Layer {
            token: var("DRUID_TOKEN").map(TokenSource::Env),
            secret: var("DRUID_CLIENT_SECRET").map(SecretSource::Env),
            ..Layer::default()
        }
    }

    /// What a config profile says.
    pub fn from_profile(p: &Profile) -> Layer {
        let token = (p.token_file.clone().map(TokenSource::File))
            .or_else(|| p.token_env.clone().map(TokenSource::EnvNamed));
        let secret = (p.client_secret_file.clone().map(SecretSource::File))
            .or_else(|| p.client_secret_env.clone().map(SecretSource::EnvNamed));
        Layer {
            endpoint: p.endpoint.clone(),
            auth_url: p.auth_url.clone(),
            client_id: p.client_id.clone(),
            token,
            secret,
            lang: p.lang.clone(),
            timeout: p.timeout.clone(),
            retries: p.retries,
            retry_max_time: None,
            page_size: p.page_size,
            // The file's loader already refused any other name.
            format: (p.format.as_deref()).and_then(|f| FormatChoice::from_str(f, false).ok()),
            concurrency: p.concurrency,
        }
    }

    /// The built-in defaults.
    pub fn defaults() -> Layer {
        Layer {
            timeout: Some(DEFAULT_TIMEOUT.into()),
            retries: Some(DEFAULT_RETRIES),
            retry_max_time: Some(DEFAULT_RETRY_MAX_TIME.into()),
            page_size: Some(DEFAULT_PAGE_SIZE),
            format: Some(FormatChoice::Auto),
            concurrency: Some(DEFAULT_CONCURRENCY),
            ..Layer::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_upper_layer_wins_field_by_field() {
        let flags = Layer {
            page_size: Some(10),
            ..Layer::default()
        };
        let profile = Layer {
            page_size: Some(20),
            lang: Some("es-ES".into()),
            ..Layer::default()
        };
        let merged = flags.or(profile).or(Layer::defaults());
        assert_eq!(merged.page_size, Some(10));
        assert_eq!(merged.lang.as_deref(), Some("es-ES"));
        assert_eq!(merged.retries, Some(DEFAULT_RETRIES));
    }

    #[test]
    fn a_token_in_any_form_beats_a_lower_token_source() {
        let env = Layer {
            token: Some(TokenSource::Env(SecretString::from("t"))),
            ..Layer::default()
        };
        let profile = Layer {
            token: Some(TokenSource::File("/p".into())),
            ..Layer::default()
        };
        assert!(matches!(env.or(profile).token, Some(TokenSource::Env(_))));
    }
}
