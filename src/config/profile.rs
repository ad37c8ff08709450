//! A config-file profile applied under the command line: a value from a
//! flag or the environment always wins, a profile value beats the built-in
//! default. Precedence: flag > env > profile > default.

use anyhow::Result;
use clap::parser::ValueSource;
use clap::{ArgMatches, ValueEnum};

use super::file::Profile;
use crate::cli::{ConnArgs, FetchArgs, FormatChoice};
use crate::exit::Failure;

/// Whether the user set `id` (by flag or environment), as opposed to a default.
fn given(matches: &ArgMatches, id: &str) -> bool {
    matches!(
        matches.value_source(id),
        Some(ValueSource::CommandLine | ValueSource::EnvVariable)
    )
}

/// Fill the connection settings the user left unset from `profile`.
pub fn apply_conn(profile: &Profile, matches: &ArgMatches, conn: &mut ConnArgs) {
    let pick = |id: &str, ours: &mut Option<String>, theirs: &Option<String>| {
        if !given(matches, id) && theirs.is_some() {
            ours.clone_from(theirs);
        }
    };
    pick("endpoint", &mut conn.endpoint, &profile.endpoint);
    pick("auth_url", &mut conn.auth_url, &profile.auth_url);
    pick("client_id", &mut conn.client_id, &profile.client_id);
    // A token or secret the user gave in any form beats the profile's reference.
    let token_given = given(matches, "token") || given(matches, "token_file");
    if !token_given {
        if profile.token_file.is_some() {
            conn.token_file.clone_from(&profile.token_file);
        }
        conn.token_env.clone_from(&profile.token_env);
    }
    if !given(matches, "client_secret_file") {
        if profile.client_secret_file.is_some() && std::env::var_os("DRUID_CLIENT_SECRET").is_none()
        {
            conn.client_secret_file
                .clone_from(&profile.client_secret_file);
        }
        conn.client_secret_env
            .clone_from(&profile.client_secret_env);
    }
}

/// Fill the export settings the user left unset from `profile`.
pub fn apply_fetch(profile: &Profile, matches: &ArgMatches, fetch: &mut FetchArgs) -> Result<()> {
    if !given(matches, "lang") && profile.lang.is_some() {
        fetch.req.lang.clone_from(&profile.lang);
    }
    if let (false, Some(n)) = (given(matches, "page_size"), profile.page_size) {
        fetch.page_size = n;
    }
    if let (false, Some(t)) = (given(matches, "timeout"), &profile.timeout) {
        fetch.req.timeout.clone_from(t);
    }
    if let (false, Some(n)) = (given(matches, "retries"), profile.retries) {
        fetch.req.retries = n;
    }
    if let (false, Some(f)) = (given(matches, "format"), &profile.format) {
        // The file's loader already refused any other name.
        fetch.format = FormatChoice::from_str(f, false).map_err(Failure::usage)?;
    }
    Ok(())
}

/// The profile's `concurrency` unless `--concurrency` was given.
pub fn concurrency(profile: &Profile, matches: &ArgMatches, flag: usize) -> usize {
    match (given(matches, "concurrency"), profile.concurrency) {
        (false, Some(n)) => n,
        _ => flag,
    }
}
