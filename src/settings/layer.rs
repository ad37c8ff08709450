//! One layer of settings: what the flags, the environment, a config profile
//! or the built-in defaults say, each field `None` where that layer is
//! silent. Layers merge with [`Layer::or`], field by field, so precedence is
//! written once: flag > environment > profile > default.
//!
//! A config profile is read straight into a `Layer` (`file.rs` checks the
//! rest): each field is the profile key of its name, or of its serde
//! `rename`, unless it is `skip`ped, and any other key is refused. A
//! setting is written once, in the list below.
//!
//! clap folds `DRUID_ENDPOINT`, `DRUID_AUTH_URL` and `DRUID_CLIENT_ID` into
//! their flags (it reads them only when the flag is absent); the token and
//! the client secret are read from the environment here, so that a token on
//! the command line can be told from one in `DRUID_TOKEN`.

use std::path::PathBuf;

use clap::ValueEnum;
use secrecy::SecretString;
use serde::{Deserialize, Deserializer};

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
    /// A profile's `token_env`: the name of a variable that holds it (see
    /// [`Layer::token_source`]).
    EnvNamed(String),
}

/// Where the client secret comes from.
#[derive(Debug, Clone)]
pub enum SecretSource {
    /// `--client-secret-file` or a profile's `client_secret_file`.
    File(PathBuf),
    /// `DRUID_CLIENT_SECRET`.
    Env(SecretString),
    /// A profile's `client_secret_env`: the name of a variable that holds
    /// it (see [`Layer::secret_source`]).
    EnvNamed(String),
}

/// `Layer`, the profile keys it reads and its [`Layer::or`], from one list
/// of fields: a field is written once, and merging it cannot be forgotten.
macro_rules! layer {
    ($($(#[$attr:meta])* $field:ident: $ty:ty,)*) => {
        /// Every setting a layer may give; `None`: this layer does not say.
        /// Deserialized, it is a config profile (strict: an unknown key is
        /// refused).
        #[derive(Debug, Clone, Default, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct Layer {
            $($(#[$attr])* pub $field: Option<$ty>,)*
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

// In the order of the profile keys (serde's "expected one of" lists them).
layer! {
    endpoint: String,
    auth_url: String,
    client_id: String,
    /// A token given in any form beats every lower token source; in a
    /// profile, `token_file`.
    #[serde(rename = "token_file", default, deserialize_with = "token_file")]
    token: TokenSource,
    /// A profile's `token_env`: the name of the variable that holds the app
    /// token, used when no layer gives a `token`, so a profile's
    /// `token_file` wins over it ([`Layer::token_source`]). A field of its
    /// own, not a second way into `token`: serde reads each key into a field
    /// of its own (only `flatten` joins two keys into one enum, and it drops
    /// the list of expected keys from an unknown key's message), and
    /// `file.rs` checks the name even when `token_file` is given too.
    token_env: String,
    /// In a profile, `client_secret_file`.
    #[serde(rename = "client_secret_file", default, deserialize_with = "secret_file")]
    secret: SecretSource,
    /// A profile's `client_secret_env`: as `token_env`, for the secret.
    #[serde(rename = "client_secret_env")]
    secret_env: String,
    lang: String,
    page_size: u32,
    timeout: String,
    retries: u32,
    #[serde(default, deserialize_with = "format_name")]
    format: FormatChoice,
    concurrency: usize,
    /// Not a profile key.
    #[serde(skip)]
    retry_max_time: String,
}

/// A profile's `token_file`.
fn token_file<'de, D: Deserializer<'de>>(d: D) -> Result<Option<TokenSource>, D::Error> {
    Ok(Option::<PathBuf>::deserialize(d)?.map(TokenSource::File))
}

/// A profile's `client_secret_file`.
fn secret_file<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SecretSource>, D::Error> {
    Ok(Option::<PathBuf>::deserialize(d)?.map(SecretSource::File))
}

/// A profile's `format`: a name `-f` takes (`file.rs` sets any other name
/// aside before, to report it after its other checks).
fn format_name<'de, D: Deserializer<'de>>(d: D) -> Result<Option<FormatChoice>, D::Error> {
    Option::<String>::deserialize(d)?
        .map(|name| FormatChoice::from_str(&name, false).map_err(serde::de::Error::custom))
        .transpose()
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

    /// Where the app token comes from: `token`, else the variable a
    /// profile's `token_env` names.
    pub fn token_source(&self) -> Option<TokenSource> {
        (self.token.clone()).or_else(|| self.token_env.clone().map(TokenSource::EnvNamed))
    }

    /// Where the client secret comes from: `secret`, else the variable a
    /// profile's `client_secret_env` names.
    pub fn secret_source(&self) -> Option<SecretSource> {
        (self.secret.clone()).or_else(|| self.secret_env.clone().map(SecretSource::EnvNamed))
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
        assert!(matches!(
            env.clone().or(profile).token,
            Some(TokenSource::Env(_))
        ));
        // A profile's token_env comes after a token in any form.
        let named = Layer {
            token_env: Some("MY_TOKEN".into()),
            ..Layer::default()
        };
        let source = env.or(named.clone()).token_source();
        assert!(matches!(source, Some(TokenSource::Env(_))));
        let source = named.token_source();
        assert!(matches!(source, Some(TokenSource::EnvNamed(var)) if var == "MY_TOKEN"));
    }
}
