//! The generated files (completions, man page), the help text, and clap's
//! own consistency checks.

use clap::CommandFactory;

use crate::support::*;

#[test]
fn clap_definition_is_consistent() {
    druid_bulk::cli::Cli::command().debug_assert();
}

/// The committed files describe the default build: one without the `sandbox`
/// feature has no `demo` or `sandbox` subcommand to complete.
#[cfg(feature = "sandbox")]
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
        let run = druid_bulk(["completions", shell]).ok();
        let committed = std::fs::read_to_string(dir.join(file)).unwrap_or_default();
        run.check(
            committed == run.stdout(),
            format_args!(
                "completions/{file} is stale: run `druid-bulk completions {shell} > completions/{file}`"
            ),
        );
    }
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

/// The candidates bash offers for `line` (the cursor at its end), with the
/// committed completion script loaded.
fn bash_completes(line: &str) -> Vec<String> {
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("completions/druid-bulk.bash");
    let driver = r#"
        source "$1"
        read -r -a COMP_WORDS <<< "$2"
        case "$2" in *" ") COMP_WORDS+=("") ;; esac
        COMP_CWORD=$(( ${#COMP_WORDS[@]} - 1 ))
        COMP_LINE="$2"; COMP_POINT=${#COMP_LINE}
        _druid__bulk druid-bulk "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}"
        printf '%s\n' "${COMPREPLY[@]}"
    "#;
    let mut cmd = TestCommand::program("bash");
    cmd.args(["--norc", "--noprofile", "-c", driver, "bash"])
        .arg(script)
        .arg(line);
    let run = cmd.ok();
    run.stderr_lacks("command not found");
    run.stdout().lines().map(String::from).collect()
}

#[test]
fn bash_completes_subcommands_options_and_values() {
    if std::process::Command::new("bash")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("skipped: bash is not installed");
        return;
    }
    for (line, want) in [
        ("druid-bulk st", &["status"][..]),
        ("druid-bulk results --fo", &["--format"][..]),
        ("druid-bulk results --format c", &["csv"][..]),
        ("druid-bulk status --retry-m", &["--retry-max-time"][..]),
    ] {
        assert_eq!(bash_completes(line), want, "candidates for {line:?}");
    }
}
