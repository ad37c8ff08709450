//! The generated files (completions, man page) and the help text.

mod common;

use common::*;

#[test]
fn committed_completions_match_the_binary() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("completions");
    for (shell, file) in [
        ("bash", "druid-bulk.bash"),
        ("zsh", "_druid-bulk"),
        ("fish", "druid-bulk.fish"),
        ("powershell", "_druid-bulk.ps1"),
        ("elvish", "druid-bulk.elv"),
    ] {
        let out = bin().args(["completions", shell]).output().unwrap();
        assert!(out.status.success());
        let committed = std::fs::read_to_string(dir.join(file)).unwrap_or_default();
        assert!(
            committed == stdout(&out),
            "completions/{file} is stale: run `druid-bulk completions {shell} > completions/{file}`"
        );
    }
}

#[test]
fn man_page_is_roff_and_lists_the_subcommands() {
    let out = bin().arg("man").output().unwrap();
    assert!(out.status.success());
    let page = stdout(&out);
    assert!(
        page.starts_with(".ie") || page.contains(".TH"),
        "{}",
        &page[..200.min(page.len())]
    );
    assert!(page.contains("druid\\-bulk"));
    assert!(page.contains("results"));
}

#[test]
fn results_help_documents_every_option() {
    let out = bin().args(["results", "--help"]).output().unwrap();
    let help = stdout(&out);
    for flag in [
        "--endpoint",
        "--token-file",
        "--token",
        "--format",
        "--output",
        "--page-size",
        "--limit",
        "--last",
        "--after",
        "--failed-only",
        "--max-rows",
        "--columns",
        "--no-header",
        "--lang",
        "--timeout",
        "--retries",
        "--retry-max-time",
        "--wait",
        "--checkpoint",
        "--restart",
        "--auth-url",
        "--client-id",
        "--client-secret-file",
        "--allow-insecure-http",
        "--csv-safe",
        "DRUID_AUTH_URL",
        "DRUID_CLIENT_ID",
        "DRUID_CLIENT_SECRET",
        "--quiet",
        "--verbose",
        "DRUID_ENDPOINT",
        "DRUID_TOKEN",
    ] {
        assert!(help.contains(flag), "{flag} missing from results --help");
    }
}

#[test]
fn version_prints_the_crate_version() {
    let out = bin().arg("--version").output().unwrap();
    assert_eq!(
        stdout(&out).trim(),
        format!("druid-bulk {}", env!("CARGO_PKG_VERSION"))
    );
}
