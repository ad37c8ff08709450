//! The version, and clap's own consistency checks (the help text: `help.rs`).

use clap::CommandFactory;

use crate::support::*;

#[test]
fn clap_definition_is_consistent() {
    druid_bulk::cli::Cli::command().debug_assert();
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
            } else if path.extension().is_some_and(|e| e == "rs")
                && !path.parent().is_some_and(|dir| dir.ends_with("src/ui"))
            {
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
        "print for people through src/ui/, not directly:\n{}",
        found.join("\n")
    );
}
