//! Transitional: the helpers the modules used before `TestCommand`.
#![allow(dead_code)]

pub fn bin() -> assert_cmd::Command {
    assert_cmd::Command::from_std(isolated(std::process::Command::new(super::binary())))
}

pub fn isolated(mut cmd: std::process::Command) -> std::process::Command {
    for var in [
        "DRUID_ENDPOINT",
        "DRUID_TOKEN",
        "DRUID_PROFILE",
        "DRUID_AUTH_URL",
        "DRUID_CLIENT_ID",
        "DRUID_CLIENT_SECRET",
        "COLUMNS",
        "CI",
        "NO_COLOR",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("XDG_CONFIG_HOME", "/nonexistent/druid-bulk-tests");
    cmd.env("DRUID_BULK_TIME_SCALE", "0.001");
    cmd
}

pub fn shell(line: &str, args: &[&std::ffi::OsStr]) -> std::process::Command {
    let mut cmd = isolated(std::process::Command::new("sh"));
    cmd.arg("-c")
        .arg(line)
        .arg(super::binary())
        .args(args)
        .env("DRUID_TOKEN", super::TOKEN);
    cmd
}

pub fn stdout(out: &std::process::Output) -> String {
    String::from_utf8(out.stdout.clone()).unwrap()
}

pub fn stderr(out: &std::process::Output) -> String {
    String::from_utf8(out.stderr.clone()).unwrap()
}

pub fn legacy_results(endpoint: &str, bulk: &str) -> assert_cmd::Command {
    let mut cmd = bin();
    cmd.args(["results", bulk, "-e", endpoint])
        .env("DRUID_TOKEN", super::TOKEN);
    cmd
}

pub fn legacy_bare(endpoint: &str, bulk: &str) -> assert_cmd::Command {
    let mut cmd = bin();
    cmd.args(["results", bulk, "-e", endpoint]);
    cmd
}
