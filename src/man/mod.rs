//! `druid-bulk man`: one man page for the whole tool, rendered from the
//! clap definition (synopsis, options under their help headings, each
//! subcommand's examples), from [`sections`] (exit status, files, examples)
//! and from the table of environment variables (`settings::env`). Every subcommand is a `.SS` of COMMANDS, so there is no
//! page per subcommand to refer to.

mod roff;
mod sections;

use clap::{Arg, Command};

use crate::settings::env;
use roff::{bold, escape, italic, prose, Page};

/// The page for `cmd` (the top-level command, built or not), headed with
/// `version`. Give the plain crate version: a commit in a committed page
/// would go stale.
pub fn render(mut cmd: Command, version: &str) -> String {
    cmd.build();
    let name = cmd.get_name().to_string();
    let mut page = Page::default();
    page.request(
        "TH",
        &[
            &name.to_uppercase(),
            "1",
            "",
            &format!("{name} {version}"),
            "User Commands",
        ],
    );
    // No hyphenation, ragged right: option names, paths and URLs stay whole
    // and no line is stretched with wide gaps.
    page.request("nh", &[]).request("ad", &["l"]);

    page.section("NAME");
    let about = cmd.get_about().map(|a| a.to_string()).unwrap_or_default();
    page.text(&format!(
        "{} \\- {}",
        escape(&name),
        escape(&lowercase_first(&about))
    ));

    page.section("SYNOPSIS");
    page.text(&format!(
        "{} [{}] {} [{}] [{}]...",
        bold(&name),
        italic("GLOBAL OPTIONS"),
        italic("COMMAND"),
        italic("OPTIONS"),
        italic("ARGS")
    ));
    for sub in subcommands(&cmd) {
        page.request("br", &[]).text(&synopsis(&name, sub));
    }

    page.section("DESCRIPTION");
    page.paragraph(&format!("{about}."));
    for paragraph in sections::DESCRIPTION {
        page.paragraph(paragraph);
    }
    page.paragraph(&format!(
        "Each command is described under COMMANDS; `{name} COMMAND --help` prints the same, \
         and `{name} COMMAND -h` the options used most, with two examples."
    ));

    page.section("GLOBAL OPTIONS");
    page.paragraph("These go before or after the command.");
    for arg in cmd.get_arguments().filter(|a| !a.is_hide_set()) {
        option(&mut page, arg);
    }

    page.section("COMMANDS");
    for sub in subcommands(&cmd) {
        command(&mut page, &name, sub);
    }

    page.section("EXIT STATUS");
    for (code, meaning) in sections::exit_status() {
        page.tagged(&bold(&code.to_string()), &prose(meaning));
    }
    page.paragraph(sections::EXIT_STATUS_NOTE);

    page.section("ENVIRONMENT");
    // Not the test suite's own: they are not for normal use.
    for var in env::VARIABLES.iter().filter(|v| !v.test_only) {
        page.tagged(&bold(&var.names.join(", ")), &prose(var.does));
    }

    page.section("FILES");
    for (path, meaning) in sections::FILES {
        page.tagged(&italic(path), &prose(meaning));
    }
    page.paragraph(sections::FILES_NOTE);
    page.code(sections::FILES_EXAMPLE);

    page.section("EXAMPLES");
    for (what, commands) in sections::EXAMPLES {
        page.paragraph(what);
        page.code(commands);
    }

    page.section("SEE ALSO");
    page.text(&escape(sections::SEE_ALSO));
    page.finish()
}

/// The subcommands to document: not clap's `help`.
fn subcommands(cmd: &Command) -> impl Iterator<Item = &Command> {
    cmd.get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
}

/// `druid-bulk results [OPTIONS] [BULK_ID]...` in roff.
fn synopsis(name: &str, sub: &Command) -> String {
    let mut line = bold(&format!("{name} {}", sub.get_name()));
    if own_options(sub).next().is_some() {
        line.push_str(&format!(" [{}]", italic("OPTIONS")));
    }
    // A required option is part of the usage, as in `--help`.
    for arg in own_options(sub).filter(|a| a.is_required_set()) {
        if let Some(long) = arg.get_long() {
            let value = italic(&value_names(arg).join(" "));
            line.push_str(&format!(" {} {value}", bold(&format!("--{long}"))));
        }
    }
    for arg in sub.get_positionals().filter(|a| !a.is_hide_set()) {
        line.push(' ');
        line.push_str(&positional(arg));
    }
    line
}

/// `BULK_ID`, `[BULK_ID]...`: a positional as usage shows it.
fn positional(arg: &Arg) -> String {
    let value = italic(&value_names(arg).join(" "));
    let many = arg.get_num_args().is_some_and(|n| n.max_values() > 1);
    let dots = if many { "..." } else { "" };
    if arg.is_required_set() {
        format!("{value}{dots}")
    } else {
        format!("[{value}]{dots}")
    }
}

/// The options a subcommand documents itself: not the global ones (under
/// GLOBAL OPTIONS) nor `--help`.
fn own_options(sub: &Command) -> impl Iterator<Item = &Arg> {
    sub.get_arguments().filter(|a| {
        !a.is_positional() && !a.is_hide_set() && !a.is_global_set() && a.get_id() != "help"
    })
}

/// One `.SS`: synopsis, description, arguments, options by help heading,
/// then the examples and notes of its `after_help`.
fn command(page: &mut Page, name: &str, sub: &Command) {
    page.request("SS", &[&format!("{name} {}", sub.get_name())]);
    page.text(&synopsis(name, sub));
    let about = sub
        .get_long_about()
        .or(sub.get_about())
        .map(|a| a.to_string())
        .unwrap_or_default();
    page.paragraph(&about);

    let positionals: Vec<&Arg> = sub.get_positionals().filter(|a| !a.is_hide_set()).collect();
    if !positionals.is_empty() {
        page.request("PP", &[]).text(&bold("Arguments:"));
        for arg in positionals {
            page.tagged(&positional(arg), &prose(&help(arg)));
        }
    }
    // The headings in the order `--help` shows them: options without one,
    // then each heading where its first option is.
    let options: Vec<&Arg> = own_options(sub).collect();
    let mut headings: Vec<Option<&str>> = vec![None];
    for arg in &options {
        if !headings.contains(&arg.get_help_heading()) {
            headings.push(arg.get_help_heading());
        }
    }
    for heading in headings {
        let mut group: Vec<&Arg> = options
            .iter()
            .copied()
            .filter(|a| a.get_help_heading() == heading)
            .collect();
        if group.is_empty() {
            continue;
        }
        group.sort_by_key(|a| a.get_display_order());
        page.request("PP", &[])
            .text(&bold(&format!("{}:", heading.unwrap_or("Options"))));
        for arg in group {
            option(page, arg);
        }
    }

    if let Some(after) = sub.get_after_long_help().or(sub.get_after_help()) {
        after_help(page, &after.to_string());
    }
}

/// An `after_help` text: a line ending in `:` is a label, lines indented
/// by two spaces are commands, other lines are prose.
fn after_help(page: &mut Page, text: &str) {
    for block in text.split("\n\n") {
        let mut commands: Vec<&str> = Vec::new();
        for line in block.lines() {
            if let Some(command) = line.strip_prefix("  ") {
                commands.push(command.trim_end());
                continue;
            }
            if !commands.is_empty() {
                page.code(&commands);
                commands.clear();
            }
            if line.ends_with(':') {
                page.request("PP", &[]).text(&bold(line));
            } else {
                page.paragraph(line);
            }
        }
        if !commands.is_empty() {
            page.code(&commands);
        }
    }
}

/// One option as a tagged paragraph: `-e, --endpoint URL`, then its help,
/// aliases, default, possible values and environment variable.
fn option(page: &mut Page, arg: &Arg) {
    let mut names = Vec::new();
    if let Some(short) = arg.get_short() {
        names.push(bold(&format!("-{short}")));
    }
    if let Some(long) = arg.get_long() {
        names.push(bold(&format!("--{long}")));
    }
    let mut tag = names.join(", ");
    if arg.get_action().takes_values() {
        let value = italic(&value_names(arg).join(" "));
        let optional = arg.get_num_args().is_some_and(|n| n.min_values() == 0);
        match (arg.is_require_equals_set(), optional) {
            (true, true) => tag.push_str(&format!("[={value}]")),
            (true, false) => tag.push_str(&format!("={value}")),
            (false, _) => tag.push_str(&format!(" {value}")),
        }
    }

    let mut body = prose(&help(arg));
    if let Some(aliases) = arg.get_visible_aliases().filter(|a| !a.is_empty()) {
        let aliases: Vec<String> = aliases.iter().map(|a| bold(&format!("--{a}"))).collect();
        body.push_str(&format!(" [alias: {}]", aliases.join(", ")));
    }
    // A flag's implicit `false` is no news, as in `--help`.
    let defaults = arg.get_default_values();
    if arg.get_action().takes_values() && !defaults.is_empty() && !arg.is_hide_default_value_set() {
        let defaults: Vec<String> = defaults
            .iter()
            .map(|d| bold(&d.to_string_lossy()))
            .collect();
        body.push_str(&format!(" [default: {}]", defaults.join(", ")));
    }
    let values: Vec<String> = arg
        .get_possible_values()
        .iter()
        .filter(|v| !v.is_hide_set())
        .map(|v| bold(v.get_name()))
        .collect();
    if !values.is_empty() && !arg.is_hide_possible_values_set() {
        body.push_str(&format!(" [possible values: {}]", values.join(", ")));
    }
    if let Some(env) = arg.get_env().filter(|_| !arg.is_hide_env_set()) {
        body.push_str(&format!(" [env: {}]", bold(&env.to_string_lossy())));
    }
    page.tagged(&tag, &body);
}

/// The help text, long if there is one, as `--help` shows it.
fn help(arg: &Arg) -> String {
    arg.get_long_help()
        .or(arg.get_help())
        .map(|h| h.to_string().trim_end().to_string())
        .unwrap_or_default()
}

/// `URL`, or the id in upper case for an argument with no value name.
fn value_names(arg: &Arg) -> Vec<String> {
    match arg.get_value_names() {
        Some(names) if !names.is_empty() => names.iter().map(|n| n.to_string()).collect(),
        _ => vec![arg.get_id().as_str().to_uppercase()],
    }
}

/// "Export the …" -> "export the …" for the NAME line, unless the first
/// word is an acronym.
fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if !second.is_uppercase() => first
            .to_lowercase()
            .chain(std::iter::once(second))
            .chain(chars)
            .collect(),
        _ => text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_required_option_is_in_the_synopsis() {
        let sub = Command::new("join")
            .arg(Arg::new("id").required(true).value_name("ID"))
            .arg(
                Arg::new("input")
                    .long("input")
                    .required(true)
                    .value_name("FILE"),
            )
            .arg(Arg::new("output").long("output").value_name("PATH"));
        assert_eq!(
            synopsis("tool", &sub),
            format!(
                "{} [{}] {} {} {}",
                bold("tool join"),
                italic("OPTIONS"),
                bold("--input"),
                italic("FILE"),
                italic("ID")
            )
        );
    }

    #[test]
    fn the_environment_section_is_the_table_of_variables() {
        let page = render(Command::new("tool").about("Do it"), "1");
        let start = page
            .find(".SH ENVIRONMENT\n")
            .expect("an ENVIRONMENT section");
        let end = page[start..]
            .find(".SH FILES")
            .map_or(page.len(), |e| start + e);
        let section = &page[start..end];
        // Every variable for users, in the table's order; not the test
        // suite's.
        let users: Vec<_> = env::VARIABLES.iter().filter(|v| !v.test_only).collect();
        let mut at = 0;
        for var in &users {
            let entry = format!(
                ".TP\n{}\n{}\n",
                bold(&var.names.join(", ")),
                prose(var.does)
            );
            let found = section[at..].find(&entry);
            assert!(found.is_some(), "ENVIRONMENT lists {var:?}:\n{section}");
            at += found.unwrap_or_default() + entry.len();
        }
        assert_eq!(section.matches(".TP").count(), users.len());
        assert!(!section.contains("DRUID_BULK_TIME_SCALE"), "{section}");
    }

    #[test]
    fn name_line_starts_in_lower_case() {
        assert_eq!(lowercase_first("Export the report"), "export the report");
        assert_eq!(lowercase_first("CSV out"), "CSV out");
    }
}
