//! The help text, the version, and clap's own consistency checks.

use clap::CommandFactory;

use crate::support::*;

#[test]
fn clap_definition_is_consistent() {
    druid_bulk::cli::Cli::command().debug_assert();
}

/// A `--help` text cut at its headings (`Options:`, `Connection:`, …): each
/// heading with the long options that start a line under it, and its text.
fn help_sections(help: &str) -> Vec<(String, Vec<String>, String)> {
    let mut sections: Vec<(String, Vec<String>, String)> = Vec::new();
    for line in help.lines() {
        let indent = line.len() - line.trim_start().len();
        if indent == 0 && line.ends_with(':') {
            sections.push((
                line.trim_end_matches(':').to_string(),
                Vec::new(),
                String::new(),
            ));
            continue;
        }
        let Some((_, options, text)) = sections.last_mut() else {
            continue;
        };
        text.push_str(line);
        text.push('\n');
        // `  -e, --endpoint <URL>  …` or `      --lang <LOCALE>  …`; wrapped
        // help lines are indented further.
        if (indent == 2 || indent == 6) && line.trim_start().starts_with('-') {
            if let Some(long) = line.split_whitespace().find(|w| w.starts_with("--")) {
                let name = long.split(['[', '=']).next().unwrap_or(long);
                options.push(name.to_string());
            }
        }
    }
    sections
}

/// Where each option of `results` is listed in its help.
const RESULTS_HEADINGS: [(&str, &[&str]); 6] = [
    (
        "Connection",
        &[
            "--endpoint",
            "--allow-insecure-http",
            "--concurrency",
            "--lang",
            "--timeout",
        ],
    ),
    (
        "Authentication",
        &[
            "--token-file",
            "--token",
            "--auth-url",
            "--client-id",
            "--client-secret-file",
        ],
    ),
    (
        "Selection",
        &[
            "--bulk-ids-from",
            "--page-size",
            "--last",
            "--failed-only",
            "--max-rows",
        ],
    ),
    (
        "Output",
        &[
            "--format",
            "--columns",
            "--no-header",
            "--output",
            "--csv-safe",
            "--summary",
            "--summary-only",
            "--fail-on-rows",
        ],
    ),
    (
        "Reliability",
        &[
            "--max-empty-pages",
            "--unordered",
            "--wait",
            "--checkpoint",
            "--restart",
            "--retries",
            "--retry-max-time",
        ],
    ),
    ("Progress", &["--quiet", "--verbose"]),
];

#[test]
fn results_help_documents_every_option() {
    let run = druid_bulk(["results", "--help"]).ok();
    let sections = help_sections(run.stdout());
    let headings: Vec<&str> = sections.iter().map(|(h, _, _)| h.as_str()).collect();
    run.same(
        &headings[..],
        &[
            "Arguments",
            "Options",
            "Connection",
            "Authentication",
            "Selection",
            "Output",
            "Reliability",
            "Progress",
            "Examples",
        ][..],
    );
    let listed = |heading: &str| {
        sections
            .iter()
            .find(|(h, _, _)| h == heading)
            .map(|(_, options, text)| (options.clone(), text.clone()))
            .unwrap_or_default()
    };
    for (heading, flags) in RESULTS_HEADINGS {
        let (options, _) = listed(heading);
        for flag in flags {
            run.check(
                options.iter().any(|o| o == flag),
                format_args!("{flag} is listed under {heading}:"),
            );
        }
    }
    // Every option clap knows is listed, and only the global ones (and
    // --help) under the plain `Options:` heading.
    let mut cli = druid_bulk::cli::Cli::command();
    cli.build();
    let results = cli
        .find_subcommand("results")
        .expect("a results subcommand");
    let (general, _) = listed("Options");
    for arg in results.get_arguments() {
        let Some(long) = arg.get_long() else { continue };
        let flag = format!("--{long}");
        let under: Vec<&str> = sections
            .iter()
            .filter(|(_, options, _)| options.contains(&flag))
            .map(|(h, _, _)| h.as_str())
            .collect();
        run.check(
            under.len() == 1,
            format_args!("{flag} is listed once, not under {under:?}"),
        );
        if general.contains(&flag) {
            run.check(
                arg.is_global_set() || long == "help",
                format_args!("{flag} is under a heading that says what it does"),
            );
        }
    }
    for (heading, words) in [
        ("Connection", &["DRUID_ENDPOINT"][..]),
        (
            "Authentication",
            &[
                "DRUID_TOKEN",
                "DRUID_AUTH_URL",
                "DRUID_CLIENT_ID",
                "DRUID_CLIENT_SECRET",
            ][..],
        ),
        ("Selection", &["--limit", "--after"][..]),
        (
            "Examples",
            &["--failed-only -o failures.csv", "jq -r .error"][..],
        ),
    ] {
        let (_, text) = listed(heading);
        for word in words {
            run.check(
                text.contains(word),
                format_args!("{heading}: mentions {word}"),
            );
        }
    }
}

#[test]
fn status_and_demo_help_use_the_same_headings() {
    for (command, headings) in [
        (
            "status",
            &[
                "Arguments",
                "Options",
                "Connection",
                "Authentication",
                "Output",
                "Reliability",
                "Progress",
                "Examples",
            ][..],
        ),
        #[cfg(feature = "sandbox")]
        (
            "demo",
            &[
                "Options",
                "Output",
                "Selection",
                "Reliability",
                "Connection",
                "Progress",
                "Examples",
            ][..],
        ),
    ] {
        let run = druid_bulk([command, "--help"]).ok();
        let sections = help_sections(run.stdout());
        let got: Vec<&str> = sections.iter().map(|(h, _, _)| h.as_str()).collect();
        run.same(&got[..], headings);
        for (heading, flags) in RESULTS_HEADINGS {
            for (h, options, _) in &sections {
                for option in options.iter().filter(|o| flags.contains(&o.as_str())) {
                    run.check(
                        h == heading,
                        format_args!("{option} is under {heading}:, not {h}:"),
                    );
                }
            }
        }
    }
}

#[test]
fn top_level_help_lists_every_exit_code() {
    let run = druid_bulk(["--help"]).ok();
    let help = run.stdout().replace('\n', " ");
    for code in [
        "0 ok",
        "1 other error",
        "2 usage",
        "3 auth",
        "4 bulk not found",
        "5 bulk not finished",
        "6 server/network",
        "7 bad request or protocol",
        "8 rows found",
        "9 bulk failed",
        "130 interrupted",
    ] {
        run.check(
            help.contains(code),
            format_args!("--help lists exit code {code:?}"),
        );
    }
}

/// `git ARGS` in the crate's directory: trimmed stdout, None if it fails.
fn git(args: &[&str]) -> Option<String> {
    let out = std::process::Command::new("git")
        .arg("-C")
        .arg(env!("CARGO_MANIFEST_DIR"))
        .args(args)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// `(hash date)` as cargo prints it: 9 hex digits and a YYYY-MM-DD date.
fn commit_and_date(text: &str) -> Option<(&str, &str)> {
    let (hash, date) = text
        .strip_prefix(" (")?
        .strip_suffix(')')?
        .split_once(' ')?;
    let hex = hash.len() == 9
        && hash
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase());
    let day = date.len() == 10
        && date.bytes().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                b == b'-'
            } else {
                b.is_ascii_digit()
            }
        });
    (hex && day).then_some((hash, date))
}

#[test]
fn version_prints_the_commit_it_was_built_from() {
    let version = druid_bulk(["--version"]).stdout();
    assert_eq!(
        druid_bulk(["-V"]).stdout(),
        version,
        "-V and --version agree"
    );
    let line = version.trim_end();
    let rest = line
        .strip_prefix(&format!("druid-bulk {}", env!("CARGO_PKG_VERSION")))
        .unwrap_or_else(|| panic!("{line:?} starts with the name and version"));
    // Built from a checkout of this crate (as the tests run here): the commit
    // is one of this repository's, with its own date. HEAD may have moved
    // since the build, so it is not compared with HEAD.
    let top = git(&["rev-parse", "--show-toplevel"]).map(std::path::PathBuf::from);
    let checkout = top.and_then(|t| t.canonicalize().ok())
        == std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .canonicalize()
            .ok();
    if !checkout {
        assert_eq!(rest, "", "outside a git checkout, only the version");
        return;
    }
    let (hash, date) = commit_and_date(rest)
        .unwrap_or_else(|| panic!("{line:?} ends with \" (<9 hex digits> <YYYY-MM-DD>)\""));
    let object = format!("{hash}^{{commit}}");
    assert!(
        git(&["cat-file", "-e", &object]).is_some(),
        "{hash} is a commit of this repository"
    );
    assert_eq!(
        git(&["log", "-1", "--format=%cs", hash]).as_deref(),
        Some(date),
        "the date is the commit's"
    );
}

/// The man page and completion scripts are committed: a commit hash in them
/// would be stale at the next commit.
#[test]
fn generated_files_name_the_version_but_not_the_commit() {
    let version = druid_bulk(["--version"]).stdout();
    let suffix = version
        .trim_end()
        .strip_prefix(&format!("druid-bulk {}", env!("CARGO_PKG_VERSION")))
        .unwrap_or_default();
    let Some((hash, _)) = commit_and_date(suffix) else {
        skipped("built outside a git checkout, the version names no commit");
        return;
    };
    let man = druid_bulk(["man"]).ok();
    man.stdout_has(env!("CARGO_PKG_VERSION")).stdout_lacks(hash);
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        druid_bulk(["completions", shell]).ok().stdout_lacks(hash);
    }
}

#[test]
fn version_suffix_is_a_hash_and_a_date() {
    assert_eq!(
        commit_and_date(" (d8eba1b2c 2026-11-28)"),
        Some(("d8eba1b2c", "2026-11-28"))
    );
    for wrong in [
        "",
        " (d8eba1b2c)",
        " (D8EBA1B2C 2026-11-28)",
        " (d8eba1b2 2026-11-28)",
        " (d8eba1b2c 2026-1-28)",
    ] {
        assert_eq!(commit_and_date(wrong), None, "{wrong:?}");
    }
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
