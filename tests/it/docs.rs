//! The documentation people read: README.md, every file under docs/,
//! BENCHMARKS.md and CONTRIBUTING.md. Every relative link points to a file
//! that exists (and its `#anchor` to a heading of that file), and every
//! `druid-bulk …` command in a code block parses with the current CLI, as
//! clap parses argv: no network, no files read.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use clap::error::ErrorKind;
use clap::Parser;
use druid_bulk::cli::Cli;

/// What a `$VAR` or `"$VAR"` in an example becomes: any value will do for
/// parsing (bulk ids, paths and tokens are not checked by clap).
const PLACEHOLDER: &str = "PLACEHOLDER";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The files this test reads, relative to the repository root.
fn documents() -> Vec<PathBuf> {
    fn walk(dir: &Path, found: &mut Vec<PathBuf>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|e| e.expect("a directory entry").path())
            .collect();
        entries.sort();
        for path in entries {
            if path.is_dir() {
                walk(&path, found);
            } else if path.extension().is_some_and(|e| e == "md") {
                found.push(path);
            }
        }
    }
    let mut files: Vec<PathBuf> = ["README.md", "BENCHMARKS.md", "CONTRIBUTING.md"]
        .iter()
        .map(|f| root().join(f))
        .collect();
    walk(&root().join("docs"), &mut files);
    files
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn shown(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
}

/// A line of a Markdown file, and whether it is inside a fenced code block
/// (with the fence's info string, e.g. `sh` or `console`).
struct Line<'a> {
    number: usize,
    text: &'a str,
    fence: Option<&'a str>,
}

/// The lines of a document, each with the code block it is in. The fence
/// lines themselves count as outside any block.
fn lines(text: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut fence: Option<(&str, &str)> = None; // (marker, info string)
    for (i, text) in text.lines().enumerate() {
        let trimmed = text.trim_start();
        let marker = ["```", "~~~"].into_iter().find(|m| trimmed.starts_with(m));
        match (fence, marker) {
            (None, Some(m)) => {
                fence = Some((m, trimmed.trim_start_matches(m).trim()));
                continue;
            }
            (Some((open, _)), Some(m)) if m == open && trimmed.trim_end() == m => {
                fence = None;
                continue;
            }
            _ => {}
        }
        out.push(Line {
            number: i + 1,
            text,
            fence: fence.map(|(_, info)| info),
        });
    }
    out
}

/// GitHub's anchor for a heading: lowercase, spaces to `-`, punctuation
/// dropped (letters, digits, `-` and `_` kept), and `-1`, `-2`… after a
/// repeated one.
fn slug(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            c if c.is_alphanumeric() || c == '-' || c == '_' => Some(c),
            _ => None,
        })
        .collect()
}

/// The anchors of a Markdown file's headings (outside code blocks).
fn anchors(text: &str) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    for line in lines(text).into_iter().filter(|l| l.fence.is_none()) {
        let hashes = line.text.chars().take_while(|&c| c == '#').count();
        let Some(title) = line.text[hashes..].strip_prefix(' ') else {
            continue;
        };
        if !(1..=6).contains(&hashes) {
            continue;
        }
        let base = slug(title.trim_end_matches('#'));
        let mut anchor = base.clone();
        let mut n = 0;
        while seen.contains(&anchor) {
            n += 1;
            anchor = format!("{base}-{n}");
        }
        seen.insert(anchor);
    }
    seen
}

/// The targets of the inline links `[text](target)` and `![alt](target)`
/// and of the reference definitions `[name]: target` outside code blocks,
/// with their line numbers.
fn links(text: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for line in lines(text).into_iter().filter(|l| l.fence.is_none()) {
        let mut rest = line.text;
        while let Some(at) = rest.find("](") {
            rest = &rest[at + 2..];
            let end = rest
                .find(|c: char| c == ')' || c.is_whitespace())
                .unwrap_or(rest.len());
            out.push((line.number, rest[..end].to_string()));
            rest = &rest[end..];
        }
        let trimmed = line.text.trim_start();
        if let Some(def) = trimmed
            .strip_prefix('[')
            .and_then(|t| t.split_once("]: "))
            .map(|(_, target)| target.split_whitespace().next().unwrap_or(""))
        {
            out.push((line.number, def.to_string()));
        }
    }
    out
}

/// Every broken relative link of one document, as `FILE:LINE: message`.
fn broken_links(doc: &Path, text: &str) -> Vec<String> {
    let mut broken = Vec::new();
    for (number, target) in links(text) {
        let at = format!("{}:{number}: link {target:?}", shown(doc));
        if target.contains("://") || target.starts_with("mailto:") {
            continue;
        }
        let (file, anchor) = match target.split_once('#') {
            Some((file, anchor)) => (file, Some(anchor)),
            None => (target.as_str(), None),
        };
        let path = if file.is_empty() {
            doc.to_path_buf()
        } else {
            doc.parent().expect("a document is in a folder").join(file)
        };
        if file.starts_with('/') || !path.exists() {
            broken.push(format!("{at}: {} does not exist", path.display()));
            continue;
        }
        let Some(anchor) = anchor else { continue };
        if path.extension().is_none_or(|e| e != "md") {
            broken.push(format!("{at}: an anchor into a file that is not Markdown"));
            continue;
        }
        let known = if file.is_empty() {
            anchors(text)
        } else {
            anchors(&read(&path))
        };
        if !known.contains(anchor) {
            broken.push(format!(
                "{at}: {} has no heading whose anchor is #{anchor} (it has: {})",
                shown(&path),
                known.into_iter().collect::<Vec<_>>().join(", ")
            ));
        }
    }
    broken
}

/// The logical lines of the code blocks: `\` continuations joined, with the
/// number of the first line and the block's info string.
fn code_lines(text: &str) -> Vec<(usize, String, String)> {
    let mut out: Vec<(usize, String, String)> = Vec::new();
    let mut open: Option<(usize, String, String)> = None;
    for line in lines(text) {
        let Some(info) = line.fence else {
            if let Some(pending) = open.take() {
                out.push(pending);
            }
            continue;
        };
        let (number, mut joined, info) =
            open.take()
                .unwrap_or((line.number, String::new(), info.to_string()));
        let part = if joined.is_empty() {
            line.text
        } else {
            line.text.trim_start()
        };
        match part.strip_suffix('\\') {
            Some(head) => {
                joined.push_str(head);
                open = Some((number, joined, info));
            }
            None => {
                joined.push_str(part);
                out.push((number, joined, info));
            }
        }
    }
    out.extend(open);
    out
}

/// `$VAR`, `${VAR}` and `"$VAR"` replaced by [`PLACEHOLDER`].
fn substitute(line: &str) -> String {
    let mut out = String::new();
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '$' {
            out.push(c);
            continue;
        }
        match chars.peek() {
            Some('{') => {
                for c in chars.by_ref() {
                    if c == '}' {
                        break;
                    }
                }
                out.push_str(PLACEHOLDER);
            }
            Some(&c) if c == '_' || c.is_ascii_alphabetic() => {
                while chars
                    .peek()
                    .is_some_and(|&c| c == '_' || c.is_ascii_alphanumeric())
                {
                    chars.next();
                }
                out.push_str(PLACEHOLDER);
            }
            _ => out.push('$'),
        }
    }
    out
}

/// The `druid-bulk` commands of one logical line of a code block, as argv:
/// `$ ` prompts (the only commands of a `console` block), YAML `run:` and
/// the Action's `args:`, pipelines, `;`, `&&`, redirections, `if` and
/// `VAR=value` prefixes are understood, and a `$(…)` is checked for the
/// command inside it. None for a line that is not a command or holds a
/// substitution that cannot be resolved (backticks, `<(…)`) or a
/// completion key (`<TAB>`).
fn commands(line: &str, info: &str) -> Result<Vec<Vec<String>>, String> {
    let mut line = line.trim();
    match line.strip_prefix("$ ") {
        Some(command) => line = command.trim_start(),
        None if info == "console" => return Ok(Vec::new()),
        None => {}
    }
    line = line.strip_prefix("- ").unwrap_or(line).trim_start();
    line = line.strip_prefix("run: ").unwrap_or(line).trim_start();
    let line = match line.strip_prefix("args: ") {
        Some(args) => format!("druid-bulk {args}"),
        None => line.to_string(),
    };
    if line.contains("$(") {
        // `BULK=$(druid-bulk submit …)`: the command inside is checked.
        let mut found = Vec::new();
        for inner in substitutions(&line) {
            found.extend(commands(inner, "sh")?);
        }
        return Ok(found);
    }
    if !line.contains("druid-bulk ") || ["`", "<(", ">(", "<TAB>"].iter().any(|s| line.contains(s))
    {
        return Ok(Vec::new());
    }
    // A quoted `;` (`--delimiter ';'`) is a value, not the end of a command:
    // shlex drops the quotes that say so.
    let line = line
        .replace("';'", "'SEMICOLON'")
        .replace("\";\"", "\"SEMICOLON\"");
    let Some(words) = shlex::split(&substitute(&line)) else {
        let words: Vec<&str> = line.split_whitespace().collect();
        let starts = words
            .iter()
            .find(|w| !is_assignment(w) && !matches!(**w, "if" | "!"));
        return match starts {
            Some(&"druid-bulk") => Err("unbalanced quotes".to_string()),
            _ => Ok(Vec::new()),
        };
    };
    let mut found = Vec::new();
    let mut segment: Vec<String> = Vec::new();
    let mut words = words.into_iter();
    while let Some(word) = words.next() {
        let ends = word.ends_with(';') && word != ";";
        let word = word.trim_end_matches(';').to_string();
        match word.as_str() {
            "|" | "||" | "&&" | ";" | "&" | "" => {
                found.extend(druid(std::mem::take(&mut segment)));
                continue;
            }
            ">" | ">>" | "<" | "2>" | "2>>" | "&>" => {
                words.next(); // the redirection's target
            }
            w if w.starts_with('>') || w.starts_with('<') || w.starts_with("2>") => {}
            _ => segment.push(word),
        }
        if ends {
            found.extend(druid(std::mem::take(&mut segment)));
        }
    }
    found.extend(druid(segment));
    Ok(found)
}

/// The text inside each outermost `$( … )` of a line.
fn substitutions(line: &str) -> Vec<&str> {
    let mut found = Vec::new();
    let mut rest = line;
    while let Some(at) = rest.find("$(") {
        rest = &rest[at + 2..];
        let mut depth = 1;
        let end = rest.char_indices().find_map(|(i, c)| {
            match c {
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
            (depth == 0).then_some(i)
        });
        let Some(end) = end else { break };
        found.push(&rest[..end]);
        rest = &rest[end + 1..];
    }
    found
}

fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty() && name.chars().all(|c| c == '_' || c.is_ascii_alphanumeric())
    })
}

/// One simple command, without `if`, `!` and `VAR=value` before it, if it
/// runs druid-bulk.
fn druid(words: Vec<String>) -> Option<Vec<String>> {
    let start = words
        .iter()
        .position(|w| !is_assignment(w) && !matches!(w.as_str(), "if" | "!" | "then" | "do"))?;
    (words[start] == "druid-bulk").then(|| words[start..].to_vec())
}

/// Every example command of one document that clap refuses, as
/// `FILE:LINE: message`, and how many commands were checked.
fn broken_commands(doc: &Path, text: &str) -> (Vec<String>, usize) {
    let mut broken = Vec::new();
    let mut checked = 0;
    for (number, line, info) in code_lines(text) {
        let at = format!("{}:{number}", shown(doc));
        let argvs = match commands(&line, &info) {
            Ok(argvs) => argvs,
            Err(why) => {
                broken.push(format!("{at}: {why}: {line}"));
                continue;
            }
        };
        for argv in argvs {
            // `demo` and `sandbox` exist only with the sandbox feature (on
            // by default); a build without it cannot parse their examples.
            let sandboxed = argv.get(1).is_some_and(|c| c == "demo" || c == "sandbox");
            if sandboxed && !cfg!(feature = "sandbox") {
                continue;
            }
            checked += 1;
            if let Err(e) = Cli::try_parse_from(&argv) {
                if !matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
                    broken.push(format!(
                        "{at}: {line}\n  as argv {argv:?}\n  {}",
                        e.render().to_string().trim().replace('\n', "\n  ")
                    ));
                }
            }
        }
    }
    (broken, checked)
}

#[test]
fn docs_links_point_to_files_and_headings_that_exist() {
    let mut broken = Vec::new();
    let mut count = 0;
    for doc in documents() {
        let text = read(&doc);
        count += links(&text).len();
        broken.extend(broken_links(&doc, &text));
    }
    assert!(count >= 40, "the links were found: only {count}");
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
}

#[test]
fn docs_example_commands_parse_with_the_current_cli() {
    let mut broken = Vec::new();
    let mut checked = 0;
    for doc in documents() {
        let (found, n) = broken_commands(&doc, &read(&doc));
        broken.extend(found);
        checked += n;
    }
    assert!(
        checked >= 100,
        "the example commands were found: only {checked}"
    );
    assert!(
        broken.is_empty(),
        "example commands the CLI refuses:\n{}",
        broken.join("\n")
    );
}

#[test]
fn docs_test_finds_what_is_broken() {
    let doc = root().join("docs/GUIDE.md");
    let text = "# Title\n\n## Output formats\n\n\
        [ok](#output-formats) [ok](../README.md#exit-codes) [ok](https://example.com/x)\n\
        [bad](#no-such-heading) [bad](MISSING.md) [bad](../README.md#nope)\n\n\
        ```sh\n\
        druid-bulk results \"$BULK\" --failed-only \\\n  --no-such-flag   # a comment\n\
        DRUID_PROFILE=prod druid-bulk status\n\
        zcat u.jsonl.gz | druid-bulk failed-lines \"$BULK\" --input - > fix.jsonl\n\
        if druid-bulk results \"$BULK\" -q -o f.csv --fail-on-rows; then echo ok; fi\n\
        druid-bulk results 'unbalanced\n\
        BULK=$(druid-bulk submit users.jsonl --nope)\n\
        ```\n\n\
        ```console\n$ druid-bulk results B1 --format nope\ndruid-bulk sandbox listening on http://127.0.0.1:8089\n```\n";
    let links = broken_links(&doc, text);
    assert_eq!(links.len(), 3, "{links:#?}");
    assert!(links[0].contains("#no-such-heading"), "{links:#?}");
    assert!(links[1].contains("MISSING.md"), "{links:#?}");
    assert!(links[2].contains("#nope"), "{links:#?}");

    let (commands, checked) = broken_commands(&doc, text);
    assert_eq!(checked, 6, "{commands:#?}");
    assert_eq!(commands.len(), 4, "{commands:#?}");
    assert!(commands[0].contains("--no-such-flag"), "{commands:#?}");
    assert!(commands[1].contains("unbalanced quotes"), "{commands:#?}");
    assert!(commands[2].contains("--nope"), "{commands:#?}");
    assert!(commands[3].contains("--format nope"), "{commands:#?}");
}

#[test]
fn slugs_follow_github() {
    assert_eq!(
        slug("Failed lines: what to fix and send again"),
        "failed-lines-what-to-fix-and-send-again"
    );
    assert_eq!(
        slug("In CI (export CSV as an artifact)"),
        "in-ci-export-csv-as-an-artifact"
    );
    assert_eq!(
        slug("Retries, timeouts and waiting"),
        "retries-timeouts-and-waiting"
    );
    assert_eq!(slug("`--wait` and 428"), "--wait-and-428");
    let text = "# A\n## Same\n```\n## Not a heading\n```\n## Same\n";
    let found: Vec<String> = anchors(text).into_iter().collect();
    assert_eq!(found, ["a", "same", "same-1"]);
}
