//! Named profiles from the TOML config file: where the file lives, checking
//! it strictly, and picking the profile for this run. A profile is read
//! straight into a [`Layer`], whose fields are its keys (`layer.rs`).
//!
//! Secrets never live in the file, only references to them; reading those
//! references and merging a profile with flags happen elsewhere.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use anyhow::Result;
use clap::ValueEnum;
use serde::Deserialize;

use super::layer::{Layer, SecretSource, TokenSource};
use crate::cli::FormatChoice;
use crate::exit::Failure;

/// Keys people reach for when pasting a secret; they get a pointed refusal
/// instead of serde's generic "unknown field".
const SECRET_KEYS: [&str; 4] = ["token", "client_secret", "secret", "password"];
const SECRET_MESSAGE: &str = "secrets are not stored in the config file: \
     use token_file / token_env (or client_secret_file / client_secret_env)";

/// The whole file; profiles stay raw tables until each is checked under its
/// own name, so errors can say which profile is wrong.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ConfigFile<P = toml::Table> {
    default_profile: Option<String>,
    #[serde(default = "BTreeMap::new")]
    profiles: BTreeMap<String, P>,
}

type Env<'a> = &'a dyn Fn(&str) -> Option<OsString>;

fn fail(message: impl Into<String>, hint: impl Into<String>) -> anyhow::Error {
    Failure::usage(message).with_hint(hint).into()
}

/// The default location: `$XDG_CONFIG_HOME/druid-bulk/config.toml`, else `~/.config/druid-bulk/config.toml`
/// (on Windows `%APPDATA%\druid-bulk\config.toml`). None when no home/config dir is known.
pub fn default_path() -> Option<PathBuf> {
    default_path_from(&super::env::os, cfg!(windows))
}

/// An empty variable counts as unset, as shells often export `VAR=`.
fn env_path(env: Env, key: &str) -> Option<PathBuf> {
    env(key).filter(|v| !v.is_empty()).map(PathBuf::from)
}

fn home_from(env: Env, windows: bool) -> Option<PathBuf> {
    env_path(env, "HOME").or_else(|| windows.then(|| env_path(env, "USERPROFILE")).flatten())
}

fn default_path_from(env: Env, windows: bool) -> Option<PathBuf> {
    let dir = if windows {
        env_path(env, "APPDATA")?
    } else {
        // The XDG spec says a relative value is invalid and must be ignored.
        let xdg = env_path(env, "XDG_CONFIG_HOME").filter(|p| p.is_absolute());
        xdg.or_else(|| Some(home_from(env, false)?.join(".config")))?
    };
    Some(dir.join("druid-bulk").join("config.toml"))
}

/// Load the profile to use.
/// - `explicit_path`: from `--config PATH`; the file must exist (else usage error).
/// - otherwise `default_path()`; a missing default file is fine (returns Ok(None)) unless a profile was asked for.
/// - `profile`: from `--profile NAME` or `DRUID_PROFILE`; when None, use `default_profile` from the file,
///   else a profile named "default" if present, else Ok(None).
/// - asking for a profile that does not exist is a usage error listing the profiles that do exist.
/// - a `token_env`/`client_secret_env` names an environment variable; it is NOT read here.
///
/// Returns the profile and the path it came from.
pub fn load(
    explicit_path: Option<&Path>,
    profile: Option<&str>,
) -> Result<Option<(Layer, PathBuf)>> {
    let home = home_from(&super::env::os, cfg!(windows));
    load_from(explicit_path, profile, default_path(), home.as_deref())
}

fn load_from(
    explicit: Option<&Path>,
    profile: Option<&str>,
    default: Option<PathBuf>,
    home: Option<&Path>,
) -> Result<Option<(Layer, PathBuf)>> {
    let Some(path) = explicit.map(Path::to_path_buf).or(default) else {
        return match profile {
            None => Ok(None),
            Some(name) => Err(fail(
                format!("profile `{name}` was asked for, but no config location is known"),
                "set HOME (APPDATA on Windows), or pass --config PATH",
            )),
        };
    };
    let shown = path.display();
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(fail(
                format!("cannot read config file {shown}: {e}"),
                "make it a readable file, or pass --config with another one",
            ))
        }
        Err(_) => {
            return match (explicit, profile) {
                // No config file is the normal case for users without profiles.
                (None, None) => Ok(None),
                (None, Some(name)) => Err(fail(
                    format!("profile `{name}` was asked for, but {shown} does not exist"),
                    format!("create it with a [profiles.{name}] table, or pass --config PATH"),
                )),
                (Some(_), _) => Err(fail(
                    format!("config file {shown} (from --config) does not exist"),
                    "check the path given to --config",
                )),
            };
        }
    };
    let file = parse(&text, &path, home)?;
    Ok(select(file, profile, &path)?.map(|p| (p, path)))
}

/// Checks every profile, not just the chosen one, so a typo shows up the
/// first time the file is used rather than on the day that profile is.
fn parse(text: &str, path: &Path, home: Option<&Path>) -> Result<ConfigFile<Layer>> {
    let raw: ConfigFile = toml::from_str(text).map_err(|e| {
        let before = &text[..e.span().map_or(0, |s| s.start.min(text.len()))];
        let line = before.matches('\n').count() + 1;
        let column = before.rsplit('\n').next().unwrap_or("").chars().count() + 1;
        let what = format!("{}:{line}:{column}: {}", path.display(), e.message());
        fail(what, "fix the file there, or pass another --config")
    })?;
    let profiles = (raw.profiles.into_iter())
        .map(|(name, table)| Ok((name.clone(), parse_profile(&name, table, path, home)?)))
        .collect::<Result<_>>()?;
    let default_profile = raw.default_profile;
    Ok(ConfigFile {
        default_profile,
        profiles,
    })
}

fn parse_profile(
    name: &str,
    mut table: toml::Table,
    path: &Path,
    home: Option<&Path>,
) -> Result<Layer> {
    let place = format!("profile `{name}` in {}", path.display());
    let bad = |what: String, hint: &str| fail(format!("{place}: {what}"), hint);
    if let Some(key) = table.keys().find(|k| SECRET_KEYS.contains(&k.as_str())) {
        let hint = "keep the secret in a file or an environment variable instead";
        return Err(bad(format!("`{key}`: {SECRET_MESSAGE}"), hint));
    }
    // A `format` that names no format is told last, after every other
    // check, so it is set aside from what serde reads.
    let unknown_format = (table.get("format").and_then(toml::Value::as_str))
        .filter(|f| FormatChoice::from_str(f, false).is_err())
        .map(String::from);
    if unknown_format.is_some() {
        table.remove("format");
    }
    let mut profile = Layer::deserialize(toml::Value::Table(table)).map_err(|e| {
        let what = e.to_string().trim().replace('\n', " ");
        bad(what, "fix or remove that key")
    })?;
    let base = path.parent().unwrap_or(Path::new(""));
    let token_file = match &mut profile.token {
        Some(TokenSource::File(path)) => Some(path),
        _ => None,
    };
    let secret_file = match &mut profile.secret {
        Some(SecretSource::File(path)) => Some(path),
        _ => None,
    };
    for (key, slot) in [
        ("token_file", token_file),
        ("client_secret_file", secret_file),
    ] {
        if let Some(raw) = slot {
            let why = |why| bad(format!("`{key}` {why}"), "write an absolute path");
            *raw = expand_path(raw, home, base).map_err(why)?;
        }
    }
    for (key, value) in [
        ("token_env", &profile.token_env),
        ("client_secret_env", &profile.secret_env),
    ] {
        let Some(value) = value else { continue };
        // A pasted secret is the likely mistake, so the value is never echoed.
        if value.is_empty() || !value.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            let what = format!("`{key}` must be the NAME of an environment variable");
            return Err(bad(what, "put the secret in a variable and its name here"));
        }
    }
    if let Some(t) = profile.timeout.as_deref() {
        if super::values::parse_duration("timeout", t).is_err() {
            let what = format!("`timeout` {t:?} is not a duration");
            return Err(bad(what, "write e.g. \"90s\", \"5m\" or \"1h\""));
        }
    }
    if let Some(f) = unknown_format {
        let what = format!("`format` {f:?} is not one of auto, table, csv, tsv, jsonl, json");
        return Err(bad(what, "fix or remove that key"));
    }
    Ok(profile)
}

/// `~` means the home directory; a relative path means the config file's
/// directory, so a profile behaves the same from any working directory.
fn expand_path(raw: &Path, home: Option<&Path>, base: &Path) -> Result<PathBuf, &'static str> {
    match (raw.strip_prefix("~"), home) {
        _ if raw.as_os_str().is_empty() => Err("is empty"),
        (Ok(rest), Some(home)) => Ok(home.join(rest)),
        (Ok(_), None) => Err("starts with `~` but the home directory is not known"),
        (Err(_), _) => Ok(base.join(raw)),
    }
}

/// Picks by `--profile`/`DRUID_PROFILE`, then `default_profile`, then a
/// profile called "default".
fn select(mut f: ConfigFile<Layer>, ask: Option<&str>, path: &Path) -> Result<Option<Layer>> {
    let (name, from) = match (ask, f.default_profile) {
        (Some(name), _) => (name.to_string(), "--profile / DRUID_PROFILE".to_string()),
        (None, Some(name)) => (name, format!("default_profile in {}", path.display())),
        (None, None) => return Ok(f.profiles.remove("default")),
    };
    if let Some(profile) = f.profiles.remove(&name) {
        return Ok(Some(profile));
    }
    let (shown, known) = (path.display(), f.profiles.keys().collect::<Vec<_>>());
    Err(fail(
        format!("profile `{name}` (from {from}) is not in {shown}; profiles there: {known:?}"),
        format!("pick an existing profile, or add a [profiles.{name}] table"),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::exit::exit_code;

    const EXAMPLE: &str = r#"
default_profile = "prod"

[profiles.prod]
endpoint = "https://graph.example.com"
auth_url = "https://auth.example.com"
client_id = "bulk-exporter"
client_secret_file = "~/.config/druid-bulk/prod.secret"
lang = "es-ES"
page_size = 500

[profiles.staging]
endpoint = "https://graph.staging.example.com"
token_env = "STAGING_DRUID_TOKEN"
timeout = "2m"
retries = 8
format = "csv"
"#;

    fn pick(text: &str, asked: Option<&str>) -> Result<Option<Layer>> {
        let path = Path::new("/etc/db/config.toml");
        select(parse(text, path, Some(Path::new("/home/u")))?, asked, path)
    }

    /// A profile's `token_file`, as read.
    fn token_file(profile: &Layer) -> Option<&Path> {
        match &profile.token {
            Some(TokenSource::File(path)) => Some(path),
            _ => None,
        }
    }

    /// Asserts exit code 2 and returns the message with its hint.
    fn usage_error(result: Result<impl std::fmt::Debug>) -> String {
        let err = result.unwrap_err();
        assert_eq!(exit_code(&err), 2, "{err:#}");
        let hint = err.downcast_ref::<Failure>().and_then(|f| f.hint.clone());
        format!("{err:#} / {}", hint.unwrap_or_default())
    }

    #[test]
    fn example_parses_and_profiles_are_selected() {
        let prod = pick(EXAMPLE, None).unwrap().unwrap();
        assert_eq!(prod.client_id.as_deref(), Some("bulk-exporter"));
        assert_eq!(prod.page_size, Some(500));
        let secret = Path::new("/home/u").join(".config/druid-bulk/prod.secret");
        assert!(matches!(prod.secret, Some(SecretSource::File(p)) if p == secret));
        let staging = pick(EXAMPLE, Some("staging")).unwrap().unwrap();
        assert_eq!(staging.token_env.as_deref(), Some("STAGING_DRUID_TOKEN"));
        assert_eq!(staging.timeout.as_deref(), Some("2m"));
        assert_eq!(staging.retries, Some(8));
        assert_eq!(staging.format, Some(FormatChoice::Csv));
        let text = "[profiles.default]\nlang = \"fr\"\n[profiles.other]\n";
        let chosen = pick(text, None).unwrap().unwrap();
        assert_eq!(chosen.lang.as_deref(), Some("fr"));
        let other = pick(text, Some("other")).unwrap().unwrap();
        assert_eq!(format!("{other:?}"), format!("{:?}", Layer::default()));
        assert!(pick("[profiles.other]\n", None).unwrap().is_none());
    }

    #[test]
    fn a_token_file_beats_a_token_env_and_both_are_checked() {
        let read = |body: &str| pick(&format!("[profiles.default]\n{body}\n"), None);
        let both = "token_file = \"t\"\ntoken_env = \"T\"\n\
                    client_secret_file = \"s\"\nclient_secret_env = \"S\"";
        let p = read(both).unwrap().unwrap();
        let file = |name: &str| Path::new("/etc/db").join(name);
        assert!(matches!(p.token_source(), Some(TokenSource::File(t)) if t == file("t")));
        assert!(matches!(p.secret_source(), Some(SecretSource::File(s)) if s == file("s")));
        let p = read("token_env = \"T\"").unwrap().unwrap();
        assert!(matches!(p.token_source(), Some(TokenSource::EnvNamed(t)) if t == "T"));
        let msg = usage_error(read("token_file = \"t\"\ntoken_env = \"a-b\""));
        assert!(msg.contains("`token_env` must be the NAME"), "{msg}");
    }

    #[test]
    fn a_format_that_is_none_is_told_after_every_other_check() {
        let first = |body: &str| usage_error(pick(&format!("[profiles.p]\n{body}\n"), None));
        assert!(first("format = \"xml\"\nzzz = 1").contains("unknown field `zzz`"));
        assert!(first("format = \"xml\"\npage_size = \"x\"").contains("`page_size`"));
        assert!(first("format = \"xml\"\ntoken_file = \"\"").contains("`token_file` is empty"));
        assert!(first("format = \"xml\"\ntimeout = \"soon\"").contains("`timeout` \"soon\""));
        let msg = first("format = 3");
        assert!(msg.contains("expected a string in `format`"), "{msg}");
        // Not a profile key, though a layer has it.
        let msg = first("retry_max_time = \"5m\"");
        assert!(
            msg.contains(
                "unknown field `retry_max_time`, expected one of `endpoint`, \
                              `auth_url`, `client_id`, `token_file`, `token_env`, \
                              `client_secret_file`, `client_secret_env`, `lang`, `page_size`, \
                              `timeout`, `retries`, `format`, `concurrency`"
            ),
            "{msg}"
        );
    }

    #[test]
    fn unknown_profile_lists_the_existing_ones() {
        let msg = usage_error(pick(EXAMPLE, Some("dev")));
        assert!(msg.contains("`dev`") && msg.contains(r#"["prod", "staging"]"#));
        let msg = usage_error(pick("default_profile = \"gone\"\n[profiles.a]\n", None));
        assert!(msg.contains("default_profile") && msg.contains(r#"there: ["a"]"#));
    }

    #[test]
    fn unknown_keys_bad_values_and_inline_secrets_are_refused() {
        let bad = |body: &str| usage_error(pick(&format!("[profiles.p]\n{body}\n"), None));
        let msg = bad("endpont = \"x\"");
        assert!(msg.contains("endpont") && msg.contains("`p`"), "{msg}");
        assert!(bad("page_size = \"5\"").contains("page_size"));
        for key in SECRET_KEYS {
            let msg = bad(&format!("{key} = \"s3cr3t\""));
            assert!(msg.contains("not stored in the config file") && !msg.contains("s3cr3t"));
        }
        let msg = bad("token_env = \"eyJhbGciOi.x\"");
        assert!(msg.contains("NAME of an environment variable") && !msg.contains("eyJ"));
        bad("token_file = \"\"");
        let msg = bad("timeout = \"soon\"");
        assert!(msg.contains("`timeout` \"soon\" is not a duration") && msg.contains("`p`"));
        assert!(bad("format = \"xml\"").contains("`format` \"xml\""));
        assert!(usage_error(pick("[prod]\n", None)).contains("unknown field `prod`"));
    }

    #[test]
    fn paths_expand_home_and_resolve_against_the_config_dir() {
        let (base, home) = (Path::new("/cfg/dir"), Some(Path::new("/home/u")));
        let expand = |raw: &str, home| expand_path(Path::new(raw), home, base);
        assert_eq!(expand("~/x", home), Ok(Path::new("/home/u").join("x")));
        assert_eq!(expand("s/secret", home), Ok(base.join("s/secret")));
        assert_eq!(expand("/abs/t", home), Ok(PathBuf::from("/abs/t")));
        assert!(expand("~/x", None).is_err());
        let p = pick("[profiles.default]\ntoken_file = \"tok\"\n", None).unwrap();
        let tok = Path::new("/etc/db").join("tok");
        assert_eq!(token_file(&p.unwrap()), Some(&*tok));
    }

    #[test]
    fn missing_and_real_files() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.toml");
        usage_error(load_from(Some(&missing), None, None, None));
        let found = load_from(None, None, Some(missing.clone()), None);
        assert!(found.unwrap().is_none());
        usage_error(load_from(None, Some("prod"), Some(missing), None));
        assert!(load_from(None, None, None, None).unwrap().is_none());
        let path = dir.path().join("config.toml");
        std::fs::write(&path, "[profiles.default]\ntoken_file = \"tok\"\n").unwrap();
        let (profile, from) = load_from(Some(&path), None, None, None).unwrap().unwrap();
        assert_eq!(token_file(&profile), Some(&*dir.path().join("tok")));
        assert_eq!(from, path);
    }

    #[test]
    fn invalid_toml_names_the_file_and_line() {
        let msg = usage_error(pick("[profiles.a]\nlang = \n", None));
        assert!(msg.contains("/etc/db/config.toml:2:"), "{msg}");
    }

    #[test]
    fn default_path_follows_xdg_then_home() {
        // `vars` is "KEY=value KEY=value", which keeps each case on one line.
        let path = |vars: &str, windows| {
            let env = |key: &str| {
                let mut pairs = vars.split(' ').filter_map(|kv| kv.split_once('='));
                pairs.find(|(k, _)| *k == key).map(|(_, v)| v.into())
            };
            default_path_from(&env, windows)
        };
        let want = |dir: &str| Some(Path::new(dir).join("druid-bulk").join("config.toml"));
        assert_eq!(path("XDG_CONFIG_HOME=/x HOME=/h", false), want("/x"));
        assert_eq!(
            path("XDG_CONFIG_HOME=rel HOME=/h", false),
            want("/h/.config")
        );
        assert_eq!(path("APPDATA=C:\\A HOME=/h", true), want("C:\\A"));
        assert_eq!(path("HOME=", false), None);
    }
}
