//! Text from a server made safe to show on a terminal.
//!
//! Server strings can carry ANSI escapes, carriage returns and bidirectional
//! overrides that would rewrite what a person sees. Data formats keep the
//! exact bytes; tables and stderr messages go through here first.

use std::borrow::Cow;

/// Whether a character would change how a terminal renders the text around it.
fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// One line for a table cell: newlines and tabs become spaces, other control
/// and bidi characters become visible escapes like `\u{1b}`.
pub fn cell(text: &str) -> Cow<'_, str> {
    clean(text, false)
}

/// A message for stderr: like [`cell`] but newlines are kept.
pub fn message(text: &str) -> Cow<'_, str> {
    clean(text, true)
}

/// Text shown as it is in Markdown (a GitHub job summary), in a table cell
/// or inline: what Markdown would read as markup, a table's column break,
/// HTML, an entity or maths gets a backslash; newlines become spaces (a table
/// row is one line) and control characters visible escapes, as in [`cell`].
pub fn markdown(text: &str) -> String {
    let text = cell(text);
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '|' | '`' | '<' | '>' | '*' | '_' | '[' | ']' | '&' | '~' | '$'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn clean(text: &str, keep_newlines: bool) -> Cow<'_, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '\n' if keep_newlines => out.push('\n'),
            '\n' | '\t' => out.push(' '),
            '\r' => {}
            c if is_unsafe(c) => out.extend(c.escape_unicode()),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_bidi_overrides_are_made_visible() {
        assert_eq!(cell("a\u{1b}[31mred"), "a\\u{1b}[31mred");
        assert_eq!(cell("abc\u{202E}def"), "abc\\u{202e}def");
        assert_eq!(cell("two\nlines\r\tx"), "two lines x");
        assert_eq!(message("two\nlines\u{7}"), "two\nlines\\u{7}");
    }

    #[test]
    fn markdown_shows_server_text_as_it_is() {
        assert_eq!(markdown("a|b"), "a\\|b");
        assert_eq!(markdown("`rm -rf` <script>"), "\\`rm -rf\\` \\<script\\>");
        assert_eq!(
            markdown("*bold* _it_ [link](x) ~~s~~ &amp; $x$"),
            "\\*bold\\* \\_it\\_ \\[link\\](x) \\~\\~s\\~\\~ \\&amp; \\$x\\$"
        );
        assert_eq!(markdown("two\nlines\r\nthree"), "two lines three");
        assert_eq!(markdown("a\\|b"), "a\\\\\\|b");
        assert_eq!(markdown("x\u{1b}[2J"), "x\\\\u{1b}\\[2J");
        assert_eq!(markdown("Teléfono, 用户 🔒"), "Teléfono, 用户 🔒");
    }

    #[test]
    fn clean_text_is_borrowed() {
        assert!(matches!(cell("Teléfono, 用户 🔒"), Cow::Borrowed(_)));
    }
}
