//! Every environment variable druid-bulk reads, in one table
//! ([`VARIABLES`]: its names, what it does, who reads it), and the only
//! reads of the environment in `src/` (`tests/it/architecture.rs` holds
//! that). The man page's ENVIRONMENT section is written from the table.
//!
//! The modules below the settings (`ui`, `sanitize`, `bug`, `retry`, `api`)
//! do not read the environment themselves: what they need of it is read
//! here and handed down as facts, [`Process`] at the start of `main`, and
//! the time scale and the network's notes on the resolved
//! [`Request`](super::Request).

use std::ffi::OsString;

use crate::api::Network;
use crate::{sanitize, ui};
use Reader::{Clap, Library, Settings};

/// Who reads a variable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    /// clap, as the fallback of a flag (`#[arg(env = …)]` in `cli/`).
    Clap,
    /// The settings, through this module.
    Settings,
    /// A library, on its own.
    Library(&'static str),
}

/// One entry of the table.
#[derive(Debug)]
pub struct Variable {
    /// Its names, as the man page heads the entry (`HTTPS_PROXY, HTTP_PROXY`).
    pub names: &'static [&'static str],
    /// What it does, as the man page says it (`code` in backticks).
    pub does: &'static str,
    pub readers: &'static [Reader],
    /// Hidden: for the test suite only, left out of `--help`, the guide
    /// and the man page.
    pub test_only: bool,
}

/// A variable for users, read by `readers`.
const fn user(
    names: &'static [&'static str],
    readers: &'static [Reader],
    does: &'static str,
) -> Variable {
    Variable {
        names,
        does,
        readers,
        test_only: false,
    }
}

/// Every variable druid-bulk reads, in the order the man page lists them.
/// Not here: the variable a profile's `token_env` or `client_secret_env`
/// names ([`named`]), whose name is the user's; and those only the test
/// suite reads, not the tool (`PROPTEST_CASES`, `DRUID_BULK_REQUIRE_TOOLS`,
/// `DRUID_BULK_SKIPPED_LOG`: see `CONTRIBUTING.md`).
pub const VARIABLES: &[Variable] = &[
    user(&["DRUID_ENDPOINT"], &[Clap], "Default for `--endpoint`."),
    user(
        &["DRUID_TOKEN"],
        &[Settings],
        "The app token, when neither `--token-file` nor `--token` is given. Never printed.",
    ),
    user(&["DRUID_AUTH_URL"], &[Clap], "Default for `--auth-url`."),
    user(&["DRUID_CLIENT_ID"], &[Clap], "Default for `--client-id`."),
    user(
        &["DRUID_CLIENT_SECRET"],
        &[Settings],
        "The client secret, when `--client-secret-file` is not given. Never printed.",
    ),
    user(&["DRUID_PROFILE"], &[Clap], "Default for `--profile`."),
    Variable {
        names: &["DRUID_BULK_TIME_SCALE"],
        does: "For the test suite only: scales every retry and poll wait and the grace period \
               after Ctrl-C (0.001 makes them a thousandth). Not meant for normal use.",
        readers: &[Settings],
        test_only: true,
    },
    Variable {
        names: &["DRUID_BULK_PANIC_AT"],
        does: "For the test suite only: makes a kind of task panic (`page-fetch`, `token`, \
               `writer`, …; `NAME@N` the N-th time), to check that a bug is exit 70 with nothing \
               committed. Read only by builds with debug assertions; a release binary ignores it.",
        readers: &[Settings],
        test_only: true,
    },
    Variable {
        names: &["DRUID_BULK_SPOOL_PAUSE"],
        does: "For the test suite only: the bytes a range of `results --split` spools before it \
               pauses (256 MiB otherwise). Read only by builds with debug assertions; a release \
               binary ignores it.",
        readers: &[Settings],
        test_only: true,
    },
    user(
        &["XDG_CONFIG_HOME"],
        &[Settings],
        "Where the config file is looked for (see FILES).",
    ),
    user(
        &["HOME"],
        &[Settings],
        "The home directory: `~/.config` when XDG_CONFIG_HOME is unset, and `~/` in config file \
         paths.",
    ),
    user(
        &["APPDATA"],
        &[Settings],
        "On Windows, where the config file is looked for (see FILES).",
    ),
    user(
        &["USERPROFILE"],
        &[Settings],
        "On Windows, the home directory when HOME is unset: `~/` in config file paths.",
    ),
    user(
        &["HTTPS_PROXY", "HTTP_PROXY"],
        &[Library("reqwest"), Settings],
        "The proxy for `https://` URLs (tunnelled with CONNECT), and for `http://` ones. \
         Lower-case names work too. Never used for this machine: `demo` and a `sandbox` on \
         loopback are reached directly.",
    ),
    user(
        &["ALL_PROXY"],
        &[Library("reqwest"), Settings],
        "The proxy for both schemes, when the one above is unset.",
    ),
    user(
        &["NO_PROXY"],
        &[Library("reqwest")],
        "Hosts reached directly: comma-separated names (each covers its subdomains), IP \
         addresses or ranges (`10.0.0.0/8`), or `*`.",
    ),
    user(
        &["NO_COLOR"],
        &[Library("anstream"), Settings],
        "Any non-empty value: no colour with `--color auto` (it wins over the two below).",
    ),
    user(
        &["CLICOLOR_FORCE"],
        &[Library("anstream")],
        "Any non-empty value: colour with `--color auto` even when the stream is not a terminal.",
    ),
    user(
        &["FORCE_COLOR"],
        &[Settings],
        "Any non-empty value but `0`: colour with `--color auto` even when the stream is not a \
         terminal, as CLICOLOR_FORCE.",
    ),
    user(
        &["CLICOLOR"],
        &[Library("anstream")],
        "`0`: no colour with `--color auto`; another value: colour on a terminal even when TERM \
         says it has none.",
    ),
    user(
        &["TERM"],
        &[Library("anstream"), Settings],
        "`dumb`: no colour with `--color auto`, and no live progress line.",
    ),
    user(
        &["CI"],
        &[Settings, Library("anstream")],
        "Set (to any value): no live progress line; an export that runs longer than a minute \
         prints a plain line a minute instead (`12,000 rows in 12 pages, 1m elapsed`).",
    ),
    user(
        &["GITHUB_STEP_SUMMARY"],
        &[Settings],
        "A file path (GitHub Actions sets it): with `--summary` or `--summary-only`, the summary \
         is appended to it in Markdown.",
    ),
    user(
        &["COLUMNS"],
        &[Settings, Library("clap")],
        "Table width when stdout is not a terminal; the width `-h` and `--help` wrap to, then.",
    ),
    user(
        &["LC_ALL", "LC_CTYPE", "LANG"],
        &[Settings],
        "The first one that is set and not empty decides whether the locale is UTF-8: if it does \
         not name `UTF-8` or `utf8`, a line break in a table cell shows as `\\n` instead of a return symbol.",
    ),
    user(
        &["SSL_CERT_FILE", "SSL_CERT_DIR"],
        &[Library("rustls-platform-verifier"), Settings],
        "On Linux, the CA certificates to trust instead of the system's usual locations (a \
         bundle with the public roots as well as your own).",
    ),
    user(
        &["TMPDIR"],
        &[Library("std")],
        "Where `submit -` copies stdin before sending it, and where `results --split` keeps the \
         pages of later ranges when the output is not a regular file (unnamed files, gone when \
         the command ends).",
    ),
    user(
        &["RUST_BACKTRACE"],
        &[Settings],
        "Set, and not `0`: an internal error (exit 70) is followed by a backtrace, for the report.",
    ),
];

/// The variables that name a proxy: each in either case.
const PROXIES: [&str; 3] = ["HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY"];

/// Whether the table lists `name` (in any case: proxies are read in both).
fn listed(name: &str) -> bool {
    VARIABLES
        .iter()
        .any(|v| v.names.iter().any(|n| n.eq_ignore_ascii_case(name)))
}

/// A variable of the table, as the system gives it.
pub(super) fn os(name: &str) -> Option<OsString> {
    debug_assert!(listed(name), "{name} is not in settings::env::VARIABLES");
    std::env::var_os(name)
}

/// A variable of the table, when it is set and Unicode.
pub(super) fn text(name: &str) -> Option<String> {
    debug_assert!(listed(name), "{name} is not in settings::env::VARIABLES");
    std::env::var(name).ok()
}

/// The variable a profile's `token_env` or `client_secret_env` names, when
/// it is set and Unicode. Its name is the user's, so it is not in the table.
pub(super) fn named(name: &str) -> Option<String> {
    std::env::var(name).ok()
}

/// The hidden test clock's scale (`DRUID_BULK_TIME_SCALE`) as given;
/// `retry::Clock::scaled_by` takes only a fraction below 1.
pub fn time_scale() -> Option<f64> {
    text("DRUID_BULK_TIME_SCALE").and_then(|s| s.parse().ok())
}

/// The hidden spool size at which a `--split` range pauses
/// (`DRUID_BULK_SPOOL_PAUSE`), read only by builds with debug assertions.
pub fn spool_pause() -> Option<u64> {
    if !cfg!(debug_assertions) {
        return None;
    }
    text("DRUID_BULK_SPOOL_PAUSE").and_then(|s| s.parse().ok())
}

/// What the `-v` notes of `api` say about the network: reqwest and the
/// platform verifier read these variables themselves.
pub(super) fn network() -> Network {
    let set = |name: &str| os(name).is_some() || os(&name.to_ascii_lowercase()).is_some();
    Network {
        proxy_named: PROXIES.iter().any(|name| set(name)),
        cert_vars: ["SSL_CERT_FILE", "SSL_CERT_DIR"]
            .into_iter()
            .filter_map(|name| Some(format!("{name}={}", os(name)?.to_string_lossy())))
            .collect(),
    }
}

/// What the process needs before any command runs, read once at the start
/// of `main`, for the modules that cannot ask the settings.
#[derive(Debug)]
pub struct Process {
    /// For `ui::init`: whether a live progress line may show.
    pub terminal: ui::Terminal,
    /// For `sanitize::set_utf8_locale`: `LC_ALL`, `LC_CTYPE`, `LANG`.
    pub utf8_locale: bool,
    /// For `bug::install`: `RUST_BACKTRACE` set and not `0`.
    pub backtrace: bool,
    /// For `bug::install`: `DRUID_BULK_PANIC_AT`, read only by builds with
    /// debug assertions.
    pub fault_point: Option<String>,
}

/// The facts of [`Process`], from the environment.
pub fn process() -> Process {
    let lossy = |name| os(name).map(|v| v.to_string_lossy().into_owned());
    let (lc_all, lc_ctype, lang) = (lossy("LC_ALL"), lossy("LC_CTYPE"), lossy("LANG"));
    Process {
        terminal: ui::Terminal {
            ci: os("CI").is_some(),
            dumb: os("TERM").is_some_and(|t| t == "dumb"),
            force_color: os("FORCE_COLOR").is_some_and(|v| !v.is_empty() && v != "0"),
            no_color: os("NO_COLOR").is_some_and(|v| !v.is_empty()),
        },
        utf8_locale: sanitize::locale_is_utf8(
            lc_all.as_deref(),
            lc_ctype.as_deref(),
            lang.as_deref(),
        ),
        backtrace: os("RUST_BACKTRACE").is_some_and(|v| v != "0"),
        fault_point: if cfg!(debug_assertions) {
            text("DRUID_BULK_PANIC_AT")
        } else {
            None
        },
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use clap::CommandFactory;

    use super::*;

    fn clap_variables(cmd: &clap::Command, found: &mut BTreeSet<String>) {
        for arg in cmd.get_arguments() {
            if let Some(name) = arg.get_env() {
                found.insert(name.to_string_lossy().into_owned());
            }
        }
        for sub in cmd.get_subcommands() {
            clap_variables(sub, found);
        }
    }

    #[test]
    fn the_table_names_what_clap_reads_and_only_that_as_clap_s() {
        let mut from_clap = BTreeSet::new();
        clap_variables(&crate::cli::Cli::command(), &mut from_clap);
        let in_table: BTreeSet<String> = (VARIABLES.iter())
            .filter(|v| v.readers.contains(&Clap))
            .flat_map(|v| v.names.iter().map(|n| n.to_string()))
            .collect();
        assert!(from_clap.contains("DRUID_ENDPOINT"), "{from_clap:?}");
        assert_eq!(from_clap, in_table);
    }

    #[test]
    fn each_name_is_listed_once_and_each_entry_says_what_it_does() {
        let mut seen = BTreeSet::new();
        for var in VARIABLES {
            assert!(!var.names.is_empty() && !var.readers.is_empty(), "{var:?}");
            assert!(var.does.ends_with('.'), "{var:?}");
            for name in var.names {
                assert!(seen.insert(*name), "{name} is listed twice");
                let upper = name.chars().all(|c| c.is_ascii_uppercase() || c == '_');
                assert!(upper, "{name}: names are written in upper case");
            }
        }
    }

    #[test]
    fn hidden_variables_are_the_test_suite_s_and_say_so() {
        let hidden: Vec<&str> = (VARIABLES.iter())
            .filter(|v| v.test_only)
            .flat_map(|v| v.names.iter().copied())
            .collect();
        assert_eq!(
            hidden,
            [
                "DRUID_BULK_TIME_SCALE",
                "DRUID_BULK_PANIC_AT",
                "DRUID_BULK_SPOOL_PAUSE"
            ]
        );
        for var in VARIABLES {
            let says = var.does.starts_with("For the test suite only");
            assert_eq!(var.test_only, says, "{var:?}");
        }
    }

    #[test]
    fn what_the_accessors_read_is_in_the_table() {
        // Each read asserts (in a debug build) that its name is listed.
        let _ = (time_scale(), spool_pause(), network(), process());
        assert!(listed("https_proxy") && listed("SSL_CERT_DIR") && !listed("PATH"));
    }
}
