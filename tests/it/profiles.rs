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

fn run(s: &Setup, args: &[&str]) -> std::process::Output {
    bin()
        .args(["results", &s.bulk, "--retries", "0", "--config"])
        .arg(&s.file)
        .args(args)
        .env("MY_DRUID_TOKEN", TOKEN)
        .output()
        .unwrap()
}

#[test]
fn a_profile_supplies_endpoint_token_page_size_and_format() {
    let s = setup("");
    let out = run(&s, &["--profile", "good"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        jsonl(&stdout(&out)).len(),
        ROWS as usize,
        "format jsonl from the profile"
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
    let out = run(&s, &["--profile", "good", "--page-size", "50"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(s.server.hits(), 2);
    let out = run(&s, &["--profile", "wrong", "-e", &s.server.endpoint()]);
    assert!(out.status.success(), "{}", stderr(&out));
}

#[test]
fn the_environment_beats_the_profile_and_a_flag_beats_the_environment() {
    let s = setup("");
    let out = bin()
        .args([
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
        .output()
        .unwrap();
    assert!(out.status.success(), "env beats profile: {}", stderr(&out));
    let out = bin()
        .args([
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
        .output()
        .unwrap();
    assert!(out.status.success(), "flag beats env: {}", stderr(&out));
}

#[test]
fn the_profile_beats_the_default_and_can_be_chosen_by_env_or_default_profile() {
    let s = setup("default_profile = \"good\"");
    let out = run(&s, &[]);
    assert!(out.status.success(), "default_profile: {}", stderr(&out));
    assert_eq!(s.server.hits(), ROWS.div_ceil(7), "7, not the default 1000");
    let out = bin()
        .args(["results", &s.bulk, "--retries", "0", "--config"])
        .arg(&s.file)
        .env("MY_DRUID_TOKEN", TOKEN)
        .env("DRUID_PROFILE", "wrong")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(6),
        "DRUID_PROFILE picked `wrong`: {}",
        stderr(&out)
    );
}

#[test]
fn bad_profiles_are_usage_errors() {
    let s = setup("");
    let out = run(&s, &["--profile", "nope"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("good") && stderr(&out).contains("wrong"),
        "{}",
        stderr(&out)
    );

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config.toml");
    std::fs::write(
        &file,
        "[profiles.p]\nendpoint = \"https://h\"\ntoken = \"tok-inline\"\n",
    )
    .unwrap();
    let out = bin()
        .args(["results", "B", "--profile", "p", "--config"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("secrets are not stored in the config file"),
        "{}",
        stderr(&out)
    );
    assert!(!stderr(&out).contains("tok-inline"));

    let out = bin()
        .args(["results", "B", "--config", "/no/such/config.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
