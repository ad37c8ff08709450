//! The config file: named profiles, and the precedence
//! flag > environment > profile > built-in default.

use std::path::PathBuf;

use crate::support::*;
use druid_bulk::sandbox::{self, SandboxConfig};

const ROWS: u64 = 70;

struct Setup {
    _dir: tempfile::TempDir,
    file: PathBuf,
    server: sandbox::Running,
    bulk: String,
}

/// A sandbox and a config file with profiles `good` (right endpoint, page
/// size 7) and `wrong` (an endpoint where nothing listens).
fn setup(extra: &str) -> Setup {
    let cfg = SandboxConfig::new(ROWS).with_token(TOKEN);
    let server = sandbox::start_background(cfg.clone()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config.toml");
    std::fs::write(
        &file,
        format!(
            "{extra}\n[profiles.good]\nendpoint = \"{}\"\ntoken_env = \"MY_DRUID_TOKEN\"\npage_size = 7\nformat = \"jsonl\"\n\n\
             [profiles.wrong]\nendpoint = \"http://127.0.0.1:9\"\ntoken_env = \"MY_DRUID_TOKEN\"\n",
            server.endpoint()
        ),
    )
    .unwrap();
    Setup {
        bulk: cfg.main_bulk_id().to_string(),
        _dir: dir,
        file,
        server,
    }
}

/// `results` for the setup's bulk with its config file, the profiles' token
/// variable set, no retries, and these arguments.
fn with_config(s: &Setup, args: &[&str]) -> TestCommand {
    let mut cmd = druid_bulk(["results", &s.bulk, "--retries", "0", "--config"]);
    cmd.arg(&s.file).args(args).env("MY_DRUID_TOKEN", TOKEN);
    cmd
}

#[test]
fn a_profile_supplies_endpoint_token_page_size_and_format() {
    let s = setup("");
    let run = with_config(&s, &["--profile", "good"]).ok();
    assert_eq!(
        run.jsonl().len(),
        ROWS as usize,
        "format jsonl from the profile\n\n{}",
        run.describe()
    );
    assert_eq!(
        s.server.hits(),
        ROWS.div_ceil(7),
        "page size 7 from the profile"
    );
}

#[test]
fn a_flag_beats_the_profile() {
    let s = setup("");
    with_config(&s, &["--profile", "good", "--page-size", "50"]).ok();
    assert_eq!(s.server.hits(), 2);
    with_config(&s, &["--profile", "wrong", "-e", &s.server.endpoint()]).ok();
}

#[test]
fn the_environment_beats_the_profile_and_a_flag_beats_the_environment() {
    let s = setup("");
    let run = druid_bulk([
        "results",
        &s.bulk,
        "--profile",
        "wrong",
        "-f",
        "jsonl",
        "--config",
    ])
    .arg(&s.file)
    .env("MY_DRUID_TOKEN", TOKEN)
    .env("DRUID_ENDPOINT", s.server.endpoint())
    .run();
    run.check(run.code() == Some(0), "env beats profile: expected exit 0");
    let run = druid_bulk([
        "results",
        &s.bulk,
        "--retries",
        "0",
        "-e",
        &s.server.endpoint(),
        "-f",
        "jsonl",
    ])
    .env("DRUID_ENDPOINT", "http://127.0.0.1:9")
    .env("DRUID_TOKEN", TOKEN)
    .run();
    run.check(run.code() == Some(0), "flag beats env: expected exit 0");
}

#[test]
fn the_profile_beats_the_default_and_can_be_chosen_by_env_or_default_profile() {
    let s = setup("default_profile = \"good\"");
    let run = with_config(&s, &[]).run();
    run.check(run.code() == Some(0), "default_profile: expected exit 0");
    assert_eq!(s.server.hits(), ROWS.div_ceil(7), "7, not the default 1000");
    let run = druid_bulk(["results", &s.bulk, "--retries", "0", "--config"])
        .arg(&s.file)
        .env("MY_DRUID_TOKEN", TOKEN)
        .env("DRUID_PROFILE", "wrong")
        .run();
    run.check(
        run.code() == Some(6),
        "DRUID_PROFILE picked `wrong`: expected exit 6",
    );
}

#[test]
fn bad_profiles_are_usage_errors() {
    let s = setup("");
    with_config(&s, &["--profile", "nope"])
        .fails(2)
        .stderr_has("good")
        .stderr_has("wrong");

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config.toml");
    std::fs::write(
        &file,
        "[profiles.p]\nendpoint = \"https://h\"\ntoken = \"tok-inline\"\n",
    )
    .unwrap();
    druid_bulk(["results", "B", "--profile", "p", "--config"])
        .arg(&file)
        .fails(2)
        .stderr_has("secrets are not stored in the config file")
        .stderr_lacks("tok-inline");

    druid_bulk(["results", "B", "--config", "/no/such/config.toml"]).fails(2);
}
