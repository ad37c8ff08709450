//! The help text: `-h` short (the daily options, two examples, a
//! pointer to `--help`), `--help` complete with the command's own options
//! first and the global ones last, and examples that fit 80 columns.

use clap::CommandFactory;

use crate::support::*;

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
            "Connection",
            "Authentication",
            "Selection",
            "Output",
            "Reliability",
            "Progress",
            "Global options",
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
    // Every option clap knows is listed, and the global ones (and --help)
    // under their heading, and only they.
    let mut cli = druid_bulk::cli::Cli::command();
    cli.build();
    let results = cli
        .find_subcommand("results")
        .expect("a results subcommand");
    let (global, _) = listed("Global options");
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
        run.check(
            global.contains(&flag) == arg.is_global_set(),
            format_args!("{flag} is under Global options if, and only if, it is global"),
        );
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
                "Connection",
                "Authentication",
                "Output",
                "Reliability",
                "Progress",
                "Global options",
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
                "Global options",
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

/// Every subcommand's name (not clap's `help`), and `None` for the
/// top-level command.
fn commands() -> Vec<Option<String>> {
    let mut cli = druid_bulk::cli::Cli::command();
    cli.build();
    let subs = (cli.get_subcommands())
        .filter(|s| s.get_name() != "help")
        .map(|s| Some(s.get_name().to_string()));
    std::iter::once(None).chain(subs).collect()
}

/// `druid-bulk [COMMAND] FLAG` as clap prints it at 80 columns.
fn help(command: &Option<String>, flag: &str) -> Run {
    let mut cmd = TestCommand::new();
    cmd.args(command.iter()).arg(flag).env("COLUMNS", "80");
    cmd.ok()
}

#[test]
fn short_help_fits_40_lines_and_points_to_the_long_one() {
    let commands = commands();
    assert!(commands.len() >= 7, "{commands:?}");
    for command in &commands {
        let run = help(command, "-h");
        let lines: Vec<&str> = run.stdout().lines().collect();
        run.check(
            lines.len() <= 40,
            format_args!("{} lines, at most 40 at 80 columns", lines.len()),
        );
        run.check(
            lines.iter().all(|l| l.chars().count() <= 80),
            "no line wider than 80 columns",
        );
        let last = lines.iter().rev().find(|l| !l.trim().is_empty());
        run.check(
            last.is_some_and(|l| l.contains("--help")),
            "the last line points to --help",
        );
        let long = help(command, "--help");
        run.check(
            long.stdout().lines().count() > lines.len(),
            "--help says more than -h",
        );
    }
}

#[test]
fn short_help_gives_each_option_one_line() {
    for command in commands() {
        let run = help(&command, "-h");
        let lines: Vec<&str> = run.stdout().lines().collect();
        let indent = |l: &str| l.len() - l.trim_start().len();
        for (i, line) in lines.iter().enumerate() {
            let option = matches!(indent(line), 2 | 6) && line.trim_start().starts_with('-');
            let next = lines.get(i + 1).copied().unwrap_or_default();
            run.check(
                !option || next.trim().is_empty() || indent(next) <= 6,
                format_args!("{line:?} continues on the next line: {next:?}"),
            );
        }
        // Daily options only: the rest are in --help.
        let options = lines
            .iter()
            .filter(|l| matches!(indent(l), 2 | 6) && l.trim_start().starts_with('-'))
            .count();
        run.check(options <= 15, format_args!("{options} options, at most 15"));
    }
    let run = help(&Some("results".into()), "-h");
    run.stdout_has("--format")
        .stdout_has("--output")
        .stdout_lacks("--max-empty-pages")
        .stdout_lacks("--color");
}

#[test]
fn long_help_examples_fit_80_columns() {
    let cli = druid_bulk::cli::Cli::command();
    for sub in cli.get_subcommands() {
        let name = Some(sub.get_name().to_string());
        let run = help(&name, "--help");
        let shown: Vec<&str> = run.stdout().lines().collect();
        let examples = (sub.get_after_long_help())
            .or(sub.get_after_help())
            .map(|a| a.to_string())
            .unwrap_or_default();
        for example in examples.lines().filter(|l| l.starts_with("  ")) {
            run.check(
                shown.contains(&example),
                format_args!("the example {example:?} is one line of --help, not wrapped"),
            );
            run.check(
                example.chars().count() <= 80,
                format_args!("{example:?} fits 80 columns"),
            );
        }
    }
}

#[test]
fn long_help_lists_the_command_s_options_before_the_global_ones() {
    for command in ["results", "submit", "status", "failed-lines"] {
        let run = help(&Some(command.into()), "--help");
        let sections = help_sections(run.stdout());
        let headings: Vec<&str> = sections.iter().map(|(h, _, _)| h.as_str()).collect();
        run.check(
            headings.ends_with(&["Global options", "Examples"]),
            format_args!("the global options come last, before the examples: {headings:?}"),
        );
        let (_, global, _) = &sections[sections.len() - 2];
        run.same(global, &["--color", "--config", "--profile", "--help"]);
    }
}
