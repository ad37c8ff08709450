//! Just enough roff for a man page: text escaped so groff and mandoc print
//! it as written, fonts, and a page built line by line with no text line
//! that roff could take for a request.

/// Plain text made safe for a roff text line or a quoted macro argument.
///
/// `\` prints as itself (`\e`); `-` is `\-`, the ASCII hyphen-minus that
/// options and commands need (a bare `-` may print as a typographic hyphen);
/// `'`, `` ` ``, `~`, `^` and `"` get their ASCII glyphs so examples can be
/// copied; `…` is `...`, and anything else outside ASCII is a `\[uXXXX]`
/// escape, which needs no input encoding. A line that starts with `.` or `'` is guarded by
/// [`Page::text`].
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str(r"\e"),
            '-' => out.push_str(r"\-"),
            '\'' => out.push_str(r"\(aq"),
            '`' => out.push_str(r"\(ga"),
            '~' => out.push_str(r"\(ti"),
            '^' => out.push_str(r"\(ha"),
            '"' => out.push_str(r"\(dq"),
            // Placeholders in examples (`0190b1c2-…`); a terminal without
            // Unicode has no glyph for it.
            '…' => out.push_str("..."),
            c if c.is_ascii() => out.push(c),
            c => out.push_str(&format!(r"\[u{:04X}]", u32::from(c))),
        }
    }
    out
}

/// `text` in bold.
pub fn bold(text: &str) -> String {
    format!(r"\fB{}\fR", escape(text))
}

/// `text` in italics (for placeholders such as `URL`).
pub fn italic(text: &str) -> String {
    format!(r"\fI{}\fR", escape(text))
}

/// Help-text prose: escaped, with `code spans` in bold. Unbalanced
/// backticks are printed as they are.
pub fn prose(text: &str) -> String {
    let parts: Vec<&str> = text.split('`').collect();
    if parts.len().is_multiple_of(2) {
        return escape(text);
    }
    parts
        .iter()
        .enumerate()
        .map(
            |(i, part)| {
                if i % 2 == 1 {
                    bold(part)
                } else {
                    escape(part)
                }
            },
        )
        .collect()
}

/// Columns a code line may take: 80 less man's indent (7) and the code
/// block's (4), and one to spare.
pub const CODE_WIDTH: usize = 68;

/// A shell command cut at spaces into lines of at most `width` characters,
/// each but the last ending in ` \` and each but the first indented by
/// four more: the same command, still runnable when pasted. A comment
/// (from ` #` on) is never cut, and neither is a word longer than a line.
/// Commands here quote no spaces, so a space is always a word break.
pub fn wrap(line: &str, width: usize) -> Vec<String> {
    if line.chars().count() <= width {
        return vec![line.to_string()];
    }
    let (command, comment) = match line.find(" #") {
        Some(at) => (&line[..at], Some(&line[at + 1..])),
        None => (line, None),
    };
    // An option and its value stay on one line: `-o failures.csv`.
    let mut words: Vec<String> = Vec::new();
    let mut split = command.split_whitespace().peekable();
    while let Some(word) = split.next() {
        let mut unit = word.to_string();
        let value = |next: &&str| !next.starts_with(['-', '|']);
        if word.starts_with('-') {
            if let Some(next) = split.next_if(value) {
                unit = format!("{word} {next}");
            }
        }
        words.push(unit);
    }
    words.extend(comment.map(String::from));
    let mut lines = Vec::new();
    let mut current = String::new();
    for word in words {
        let len = |s: &str| s.chars().count();
        if !current.trim().is_empty() && len(&current) + 1 + len(&word) + 2 > width {
            lines.push(format!("{current} \\"));
            current = String::from("    ");
        } else if !current.is_empty() && !current.ends_with(' ') {
            current.push(' ');
        }
        current.push_str(&word);
    }
    lines.push(current);
    lines
}

/// A man page being written.
#[derive(Default)]
pub struct Page {
    out: String,
}

impl Page {
    /// A request such as `.SH "EXIT STATUS"`; each argument is escaped, and
    /// quoted when it has a space or is empty.
    pub fn request(&mut self, name: &str, args: &[&str]) -> &mut Page {
        self.out.push('.');
        self.out.push_str(name);
        for arg in args {
            let arg = escape(arg);
            self.out.push(' ');
            if arg.is_empty() || arg.contains(' ') {
                self.out.push('"');
                self.out.push_str(&arg);
                self.out.push('"');
            } else {
                self.out.push_str(&arg);
            }
        }
        self.out.push('\n');
        self
    }

    /// Text lines, already escaped (with [`escape`], [`bold`], [`prose`]…).
    /// Empty lines are dropped (roff prints them as blank lines), and a line
    /// that starts with `.` or `'` is guarded with `\&`.
    pub fn text(&mut self, roff: &str) -> &mut Page {
        for line in roff.lines().map(str::trim_end).filter(|l| !l.is_empty()) {
            if line.starts_with(['.', '\'']) {
                self.out.push_str(r"\&");
            }
            self.out.push_str(line);
            self.out.push('\n');
        }
        self
    }

    /// A `.SH` section heading.
    pub fn section(&mut self, title: &str) -> &mut Page {
        self.request("SH", &[title])
    }

    /// A paragraph of prose.
    pub fn paragraph(&mut self, text: &str) -> &mut Page {
        self.request("PP", &[]).text(&prose(text))
    }

    /// A tagged paragraph: `tag` (escaped roff) on its own line, `body`
    /// (escaped roff) indented below it.
    pub fn tagged(&mut self, tag: &str, body: &str) -> &mut Page {
        self.request("TP", &[]).text(tag).text(body)
    }

    /// Lines shown as they are (commands to copy), indented; a long
    /// command is continued on the next line with ` \` (see [`wrap`]).
    pub fn code(&mut self, lines: &[&str]) -> &mut Page {
        self.request("PP", &[])
            .request("RS", &["4"])
            .request("nf", &[]);
        for line in lines {
            if line.trim().is_empty() {
                self.request("sp", &[]);
            }
            for part in wrap(line, CODE_WIDTH) {
                self.text(&escape(&part));
            }
        }
        self.request("fi", &[]).request("RE", &[])
    }

    /// The page.
    pub fn finish(self) -> String {
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_keeps_text_literal() {
        assert_eq!(escape(r"--a\b"), r"\-\-a\eb");
        assert_eq!(
            escape("it's `x` ~/.y ^z \"q\""),
            r"it\(aqs \(gax\(ga \(ti/.y \(haz \(dqq\(dq"
        );
        assert_eq!(escape("0190-…"), r"0190\-...");
        assert_eq!(escape("café"), r"caf\[u00E9]");
    }

    #[test]
    fn prose_puts_code_spans_in_bold() {
        assert_eq!(prose("use `auto` here"), r"use \fBauto\fR here");
        assert_eq!(prose("one ` only"), r"one \(ga only");
    }

    #[test]
    fn long_commands_are_continued_with_a_backslash() {
        assert_eq!(wrap("a b c", 10), ["a b c"]);
        assert_eq!(
            wrap("druid-bulk results X --token-file t -o out.csv", 24),
            [
                "druid-bulk results X \\",
                "    --token-file t \\",
                "    -o out.csv"
            ]
        );
        assert_eq!(
            wrap("druid-bulk status X  # one bulk, of all", 22),
            ["druid-bulk status X \\", "    # one bulk, of all"]
        );
        for line in wrap("x --a-long-option-name --another-long-one v", 16) {
            assert!(line.chars().count() <= 26, "{line:?}");
        }
    }

    #[test]
    fn text_lines_never_start_a_request() {
        let mut page = Page::default();
        page.text(".ci/run\n'quoted\n\nplain");
        assert_eq!(page.finish(), "\\&.ci/run\n\\&'quoted\nplain\n");
    }

    #[test]
    fn request_arguments_are_quoted_when_needed() {
        let mut page = Page::default();
        page.request("SH", &["EXIT STATUS"])
            .request("TH", &["X", "1", ""]);
        assert_eq!(page.finish(), ".SH \"EXIT STATUS\"\n.TH X 1 \"\"\n");
    }
}
