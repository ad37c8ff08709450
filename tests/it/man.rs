//! `druid-bulk man`: one page with every section a reader looks for, a
//! `.SS` per subcommand with its options and examples, roff that groff
//! formats without a warning, and the committed `man/druid-bulk.1` in sync.

use clap::CommandFactory;

use crate::support::*;

fn page() -> String {
    druid_bulk(["man"]).stdout()
}

/// Text as the page spells it: `-` is `\-`, `~` is `\(ti`, …
fn roff(text: &str) -> String {
    text.replace('-', r"\-")
        .replace('~', r"\(ti")
        .replace('\'', r"\(aq")
        .replace('…', "...")
}

/// The lines of the page from `.SH TITLE` up to the next `.SH`.
fn section(page: &str, title: &str) -> String {
    let head = if title.contains(' ') {
        format!(".SH \"{title}\"")
    } else {
        format!(".SH {title}")
    };
    let start = page
        .find(&format!("{head}\n"))
        .unwrap_or_else(|| panic!("the page has {head}"));
    let body = &page[start + head.len()..];
    body[..body.find("\n.SH ").unwrap_or(body.len())].to_string()
}

#[test]
fn man_page_has_the_sections_in_order() {
    let page = page();
    let headings: Vec<&str> = page.lines().filter(|l| l.starts_with(".SH ")).collect();
    assert_eq!(
        headings,
        [
            ".SH NAME",
            ".SH SYNOPSIS",
            ".SH DESCRIPTION",
            ".SH \"GLOBAL OPTIONS\"",
            ".SH COMMANDS",
            ".SH \"EXIT STATUS\"",
            ".SH ENVIRONMENT",
            ".SH FILES",
            ".SH EXAMPLES",
            ".SH \"SEE ALSO\"",
        ]
    );
    assert!(
        page.starts_with(&format!(
            ".TH DRUID\\-BULK 1 \"\" \"druid\\-bulk {}\" \"User Commands\"\n",
            env!("CARGO_PKG_VERSION")
        )),
        "a .TH with the plain version and no date:\n{}",
        page.lines().next().unwrap_or_default()
    );
    assert!(
        section(&page, "NAME").contains(r"druid\-bulk \- export the failure report"),
        "NAME is `druid-bulk - what it does`"
    );
}

/// Each subcommand (not `help`) is a `.SS` of COMMANDS with its synopsis,
/// every option of its own, and the examples of its `--help`.
#[test]
fn man_page_has_a_subsection_per_subcommand_with_options_and_examples() {
    let page = page();
    let commands = section(&page, "COMMANDS");
    let mut cli = druid_bulk::cli::Cli::command();
    cli.build();
    let subs: Vec<&clap::Command> = cli
        .get_subcommands()
        .filter(|s| s.get_name() != "help")
        .collect();
    let titles: Vec<String> = commands
        .lines()
        .filter(|l| l.starts_with(".SS "))
        .map(String::from)
        .collect();
    let expected: Vec<String> = subs
        .iter()
        .map(|s| format!(".SS \"druid\\-bulk {}\"", roff(s.get_name())))
        .collect();
    assert_eq!(titles, expected);
    for sub in subs {
        let name = sub.get_name();
        let title = roff(name);
        let start = commands
            .find(&format!(".SS \"druid\\-bulk {title}\"\n"))
            .expect("found above");
        let rest = &commands[start + 4..];
        let body = &rest[..rest.find("\n.SS ").unwrap_or(rest.len())];
        assert!(
            body.contains(&format!(r"\fBdruid\-bulk {title}\fR")),
            "{name}: a synopsis line"
        );
        for arg in sub.get_arguments().filter(|a| !a.is_global_set()) {
            if let Some(long) = arg.get_long().filter(|l| *l != "help") {
                assert!(
                    body.contains(&format!(r"\fB{}\fR", roff(&format!("--{long}")))),
                    "{name}: --{long} is documented"
                );
            }
        }
        // Every command line of the subcommand's examples, as `--help` has
        // them.
        let after = (sub.get_after_long_help())
            .or(sub.get_after_help())
            .map(|a| a.to_string())
            .unwrap_or_default();
        for example in after.lines().filter_map(|l| l.strip_prefix("  ")) {
            let first_words: String = example.split(' ').take(3).collect::<Vec<_>>().join(" ");
            let first_words = roff(&first_words);
            assert!(
                body.contains(&first_words),
                "{name}: the example {example:?} is on the page"
            );
        }
    }
    // The results examples, and the note after them.
    assert!(commands.contains(r"\-f jsonl | jq \-r .error"));
    assert!(commands.contains("The progress line shows only on a terminal"));
}

#[test]
fn man_page_exit_status_lists_every_code() {
    let exit = section(&page(), "EXIT STATUS");
    for code in [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 130] {
        assert!(
            exit.contains(&format!(".TP\n\\fB{code}\\fR\n")),
            "EXIT STATUS lists {code}:\n{exit}"
        );
    }
    assert!(
        exit.contains(r"\fB\-\-fail\-on\-rows\fR"),
        "8 names --fail-on-rows"
    );
}

/// The `DRUID_*` names in the guide's environment table.
fn guide_druid_variables() -> Vec<String> {
    let guide = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/GUIDE.md"))
        .expect("docs/GUIDE.md");
    let table = guide
        .split("## Environment variables")
        .nth(1)
        .expect("docs/GUIDE.md has an environment section");
    let table = &table[..table.find("\n## ").unwrap_or(table.len())];
    let mut names: Vec<String> = table
        .lines()
        .filter(|l| l.starts_with('|'))
        .flat_map(|l| {
            l.split('`')
                .filter(|w| w.starts_with("DRUID_"))
                .map(String::from)
                .collect::<Vec<_>>()
        })
        .collect();
    names.dedup();
    names
}

#[test]
fn man_page_environment_lists_every_variable() {
    let env = section(&page(), "ENVIRONMENT");
    let guide = guide_druid_variables();
    assert!(
        guide.len() >= 6,
        "the guide's table has the DRUID_ variables: {guide:?}"
    );
    let others = [
        "NO_COLOR",
        "CLICOLOR_FORCE",
        "FORCE_COLOR",
        "CLICOLOR",
        "CI",
        "TERM",
        "SSL_CERT_FILE",
        "COLUMNS",
        "XDG_CONFIG_HOME",
        "HTTPS_PROXY",
        "ALL_PROXY",
        "NO_PROXY",
    ];
    for var in guide.iter().map(String::as_str).chain(others) {
        assert!(
            env.contains(&format!(".TP\n\\fB{var}")),
            "ENVIRONMENT lists {var}:\n{env}"
        );
    }
}

/// Every `"DRUID_…"` string in the source: the variables the tool reads.
fn source_druid_variables() -> Vec<String> {
    fn walk(dir: &std::path::Path, found: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).expect("src/ is readable") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).expect("a source file");
                for (at, _) in text.match_indices("\"DRUID_") {
                    // `env!("DRUID_…")` is set by build.rs, not read at run time.
                    if text[..at].ends_with("env!(") {
                        continue;
                    }
                    let piece = &text[at + 1..];
                    let name: String = piece
                        .chars()
                        .take_while(|c| c.is_ascii_uppercase() || *c == '_')
                        .collect();
                    if piece[name.len()..].starts_with('"') {
                        found.push(name);
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
    found.sort();
    found.dedup();
    found
}

/// The variables only the test suite sets (`DRUID_BULK_TIME_SCALE`, …):
/// not for normal use, so not on the page.
fn test_only_variables() -> Vec<String> {
    (druid_bulk::settings::env::VARIABLES.iter())
        .filter(|v| v.test_only)
        .flat_map(|v| v.names.iter().map(|n| n.to_string()))
        .collect()
}

#[test]
fn man_page_environment_lists_every_variable_the_source_reads_for_users() {
    let env = section(&page(), "ENVIRONMENT");
    let vars = source_druid_variables();
    assert!(
        vars.contains(&"DRUID_TOKEN".to_string()),
        "found in src/: {vars:?}"
    );
    let hidden = test_only_variables();
    assert!(
        hidden.contains(&"DRUID_BULK_TIME_SCALE".to_string()),
        "{hidden:?}"
    );
    for var in vars {
        let listed = env.contains(&format!(".TP\n\\fB{}", roff(&var)));
        if hidden.contains(&var) {
            assert!(
                !listed,
                "ENVIRONMENT leaves out {var}, for the test suite only"
            );
            assert!(!page().contains(&roff(&var)), "the page never names {var}");
        } else {
            assert!(listed, "ENVIRONMENT lists {var}, which src/ reads");
        }
    }
}

#[test]
fn man_page_files_name_the_config_file() {
    let files = section(&page(), "FILES");
    assert!(files.contains(r"\(ti/.config/druid\-bulk/config.toml"));
    assert!(files.contains(r"$XDG_CONFIG_HOME/druid\-bulk/config.toml"));
    assert!(files.contains(r"\fB\-\-config PATH\fR"));
}

/// There is one page: nothing may send a reader to `druid-bulk-results(1)`.
#[test]
fn man_page_refers_only_to_pages_that_exist() {
    let page = page();
    assert!(
        !page.contains(r"druid\-bulk\-"),
        "no druid-bulk-COMMAND page is named"
    );
    let see_also = section(&page, "SEE ALSO");
    for line in page.lines().filter(|l| l.contains("(1)")) {
        assert!(
            see_also.contains(line),
            "only SEE ALSO refers to pages: {line}"
        );
    }
}

/// Every line is a known request or text that cannot be taken for one, and
/// every `-` and non-ASCII character is escaped.
#[test]
fn man_page_is_escaped_roff() {
    let requests = [
        "TH", "SH", "SS", "PP", "TP", "RS", "RE", "nf", "fi", "br", "sp", "nh", "ad",
    ];
    for line in page().lines() {
        if let Some(request) = line.strip_prefix('.') {
            let name = request.split(' ').next().unwrap_or_default();
            assert!(requests.contains(&name), "unknown request: {line}");
        }
        assert!(!line.starts_with('\''), "a text line starts with ': {line}");
        assert!(line.is_ascii(), "non-ASCII left unescaped: {line}");
        let bytes = line.as_bytes();
        for (i, b) in bytes.iter().enumerate() {
            assert!(
                *b != b'-' || (i > 0 && bytes[i - 1] == b'\\'),
                "a bare - (write \\-): {line}"
            );
        }
    }
}

/// groff on `page`: its warnings, or None (after saying so) when groff is
/// not installed.
fn groff_warnings(page: &str, device: &str) -> Option<String> {
    if !installed("groff") {
        return None;
    }
    let run = TestCommand::program("groff")
        .args(["-man", "-ww", "-z", device])
        .stdin(page)
        .ok();
    Some(run.stderr().to_string())
}

#[test]
fn groff_formats_the_man_page_without_warnings() {
    let page = page();
    for device in ["-Tps", "-Tutf8", "-Tascii"] {
        if let Some(warnings) = groff_warnings(&page, device) {
            assert_eq!(warnings, "", "groff -man -ww -z {device} warns");
        }
    }
}

/// As `man` shows it on an 80-column terminal (man-db sets a 78-column line),
/// no line is wider: long example commands are continued with `\`.
#[test]
fn man_page_fits_80_columns() {
    if !installed("groff") {
        return;
    }
    let run = TestCommand::program("groff")
        .args(["-man", "-Tascii", "-rLL=78n", "-P-cbou"])
        .stdin(page())
        .ok();
    let widest = run
        .stdout()
        .lines()
        .max_by_key(|l| l.len())
        .unwrap_or_default();
    run.check(
        widest.len() <= 80,
        format_args!("wider than 80 columns: {widest:?}"),
    );
}

#[test]
fn groff_warnings_are_seen() {
    // The check above can fail: an unknown macro is a warning.
    if let Some(warnings) = groff_warnings(".TH X 1\n.SH NAME\n.XYZZY\n", "-Tutf8") {
        assert!(warnings.contains("XYZZY"), "groff reported: {warnings:?}");
    }
}

/// The committed page describes the default build, like the completions.
#[cfg(feature = "sandbox")]
#[test]
fn committed_man_page_matches_the_binary() {
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/man/druid-bulk.1"))
            .unwrap_or_default();
    assert!(
        committed == page(),
        "man/druid-bulk.1 is stale: run `bash .ci/regen-completions`"
    );
}
