//! The committed completion scripts: in sync with the binary, and loaded in
//! a real bash, zsh and fish to check what each offers for a command line.
//! A shell that is not installed is skipped (see `support::installed`).

use crate::support::*;

/// The committed files describe the default build: one without the `sandbox`
/// feature has no `demo` or `sandbox` subcommand to complete.
#[cfg(feature = "sandbox")]
#[test]
fn committed_completions_match_the_binary() {
    for (shell, file) in [
        ("bash", "druid-bulk.bash"),
        ("zsh", "_druid-bulk"),
        ("fish", "druid-bulk.fish"),
        ("powershell", "_druid-bulk.ps1"),
        ("elvish", "druid-bulk.elv"),
    ] {
        let run = druid_bulk(["completions", shell]).ok();
        let committed = std::fs::read_to_string(script(file)).unwrap_or_default();
        run.check(
            committed == run.stdout(),
            format_args!(
                "completions/{file} is stale: run `druid-bulk completions {shell} > completions/{file}`"
            ),
        );
    }
}

/// What every shell must offer, the cursor at the end of the line.
const CASES: [(&str, &[&str]); 4] = [
    ("druid-bulk st", &["status"]),
    ("druid-bulk results --fo", &["--format"]),
    ("druid-bulk results --format c", &["csv"]),
    ("druid-bulk status --retry-m", &["--retry-max-time"]),
];

fn script(file: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("completions")
        .join(file)
}

/// Every subcommand of the default build, and `help`.
#[cfg(feature = "sandbox")]
fn subcommands() -> Vec<String> {
    use clap::CommandFactory;
    let mut names: Vec<String> = druid_bulk::cli::Cli::command()
        .get_subcommands()
        .map(|s| s.get_name().to_string())
        .chain(["help".to_string()])
        .collect();
    names.sort();
    names
}

/// The candidates bash offers for `line`, with the committed script loaded.
fn bash_completes(line: &str) -> Vec<String> {
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
        .arg(script("druid-bulk.bash"))
        .arg(line);
    let run = cmd.ok();
    run.stderr_lacks("command not found");
    run.stdout().lines().map(String::from).collect()
}

/// The candidates zsh offers for `line`: an interactive zsh on a
/// pseudo-terminal, with compinit and the committed script loaded, types the
/// line and a Tab (`support/complete.zsh`).
fn zsh_completes(line: &str) -> Vec<String> {
    let driver =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/it/support/complete.zsh");
    let mut cmd = TestCommand::program("zsh");
    cmd.arg("-f")
        .arg(driver)
        .arg(script("_druid-bulk"))
        .arg(line)
        .hang_guard();
    let run = cmd.ok();
    run.check(run.stderr().is_empty(), "zsh printed nothing on stderr");
    run.stdout().lines().map(String::from).collect()
}

/// The candidates fish offers for `line` (`complete -C`), with the committed
/// script loaded; descriptions dropped.
fn fish_completes(line: &str) -> Vec<String> {
    let mut cmd = TestCommand::program("fish");
    cmd.args([
        "--no-config",
        "-c",
        "source $argv[1]; and complete --do-complete=$argv[2]",
    ])
    .arg(script("druid-bulk.fish"))
    .arg(line);
    let run = cmd.ok();
    run.check(run.stderr().is_empty(), "fish printed nothing on stderr");
    run.stdout()
        .lines()
        .map(|l| l.split('\t').next().unwrap_or_default().to_string())
        .collect()
}

/// What `completes` gives for each of [`CASES`] is what the case wants;
/// with `every_subcommand` (in the default build), `druid-bulk ` gives
/// every subcommand. Skipped when `shell` is not installed.
fn check_shell(shell: &str, completes: fn(&str) -> Vec<String>, every_subcommand: bool) {
    if !installed(shell) {
        return;
    }
    for (line, want) in CASES {
        assert_eq!(completes(line), want, "{shell} candidates for {line:?}");
    }
    #[cfg(feature = "sandbox")]
    if every_subcommand {
        let mut got = completes("druid-bulk ");
        got.sort();
        assert_eq!(got, subcommands(), "{shell} candidates for \"druid-bulk \"");
    }
    #[cfg(not(feature = "sandbox"))]
    let _ = every_subcommand;
}

#[test]
fn bash_completes_subcommands_options_and_values() {
    check_shell("bash", bash_completes, false);
}

#[test]
fn zsh_completes_subcommands_options_and_values() {
    check_shell("zsh", zsh_completes, true);
}

#[test]
fn fish_completes_subcommands_options_and_values() {
    check_shell("fish", fish_completes, true);
}
