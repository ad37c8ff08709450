//! The man page, the help text, the version, and clap's own consistency
//! checks.

use clap::CommandFactory;

use crate::support::*;

#[test]
fn clap_definition_is_consistent() {
    druid_bulk::cli::Cli::command().debug_assert();
}

#[test]
fn man_page_is_roff_and_lists_the_subcommands() {
    let run = druid_bulk(["man"]).ok();
    let page = run.stdout();
    run.check(
        page.starts_with(".ie") || page.contains(".TH"),
        "the man page is roff",
    );
    run.stdout_has("druid\\-bulk").stdout_has("results");
}

#[test]
fn results_help_documents_every_option() {
    let run = druid_bulk(["results", "--help"]).ok();
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
        run.stdout_has(flag);
    }
}

#[test]
fn version_prints_the_crate_version() {
    let stdout = druid_bulk(["--version"]).stdout();
    assert_eq!(
        stdout.trim(),
        format!("druid-bulk {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn only_the_ui_module_writes_to_stderr() {
    fn walk(dir: &std::path::Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("src/ui.rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                for (n, line) in text.lines().enumerate() {
                    if ["eprintln!", "eprint!", "stderr()", "io::stderr"]
                        .iter()
                        .any(|p| line.contains(p))
                    {
                        found.push(format!("{}:{}: {}", path.display(), n + 1, line.trim()));
                    }
                }
            }
        }
    }
    let mut found = Vec::new();
    walk(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut found,
    );
    assert!(
        found.is_empty(),
        "print for people through src/ui.rs, not directly:\n{}",
        found.join("\n")
    );
}
