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

/// How a line break inside a one-line cell is shown: `⏎`, or the two
/// characters `\n` when the locale is not UTF-8.
pub fn newline_mark(utf8: bool) -> &'static str {
    if utf8 {
        "⏎"
    } else {
        "\\n"
    }
}

/// Whether the locale's character set is UTF-8, from the values of
/// `LC_ALL`, `LC_CTYPE` and `LANG`: the first non-empty one decides, and it
/// is UTF-8 when it names `UTF-8` or `utf8` (any case); with none set, UTF-8
/// is assumed.
pub fn locale_is_utf8(lc_all: Option<&str>, lc_ctype: Option<&str>, lang: Option<&str>) -> bool {
    match [lc_all, lc_ctype, lang]
        .into_iter()
        .flatten()
        .find(|v| !v.is_empty())
    {
        None => true,
        Some(locale) => {
            let locale = locale.to_ascii_lowercase();
            locale.contains("utf-8") || locale.contains("utf8")
        }
    }
}

/// [`locale_is_utf8`] for this process's environment.
pub fn utf8_locale() -> bool {
    let var = |name| std::env::var_os(name).map(|v| v.to_string_lossy().into_owned());
    let (lc_all, lc_ctype, lang) = (var("LC_ALL"), var("LC_CTYPE"), var("LANG"));
    locale_is_utf8(lc_all.as_deref(), lc_ctype.as_deref(), lang.as_deref())
}

/// One line for a table cell: a newline (or CRLF) becomes
/// [`newline_mark`], a tab a space, and every other control or bidi
/// character a visible escape like `\u{1b}`.
pub fn cell(text: &str, utf8: bool) -> Cow<'_, str> {
    clean(text, Some(newline_mark(utf8)))
}

/// A message for stderr: like [`cell`] but newlines are kept and carriage
/// returns dropped.
pub fn message(text: &str) -> Cow<'_, str> {
    clean(text, None)
}

/// Text shown as it is in Markdown (a GitHub job summary), in a table cell
/// or inline: what Markdown would read as markup, a table's column break,
/// HTML, an entity or maths gets a backslash; newlines become spaces (a table
/// row is one line) and control characters visible escapes, as in [`cell`].
pub fn markdown(text: &str) -> String {
    let text = clean(text, Some(" "));
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

/// `newline`: what a line break becomes (`None`: it is kept).
fn clean<'t>(text: &'t str, newline: Option<&str>) -> Cow<'t, str> {
    if !text.chars().any(is_unsafe) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, newline) {
            ('\n', None) => out.push('\n'),
            ('\r', None) => {}
            ('\n', Some(mark)) => out.push_str(mark),
            ('\r', Some(mark)) if chars.peek() == Some(&'\n') => {
                chars.next();
                out.push_str(mark);
            }
            ('\t', _) => out.push(' '),
            (c, _) if is_unsafe(c) => out.extend(c.escape_unicode()),
            (c, _) => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_and_bidi_overrides_are_made_visible() {
        assert_eq!(cell("a\u{1b}[31mred", true), "a\\u{1b}[31mred");
        assert_eq!(cell("abc\u{202E}def", true), "abc\\u{202e}def");
        assert_eq!(message("two\nlines\u{7}"), "two\nlines\\u{7}");
        assert_eq!(message("two\r\nlines\tx"), "two\nlines x");
    }

    #[test]
    fn a_cell_shows_line_breaks_as_a_mark_and_tabs_as_spaces() {
        assert_eq!(cell("two\nlines\r\n\tx", true), "two⏎lines⏎ x");
        assert_eq!(cell("two\nlines\r\n\tx", false), "two\\nlines\\n x");
        // A carriage return on its own is no line break: it is escaped.
        assert_eq!(cell("over\rwrite", true), "over\\u{d}write");
    }

    #[test]
    fn the_first_locale_variable_set_decides_utf8() {
        assert!(
            locale_is_utf8(None, None, None),
            "nothing set: assume UTF-8"
        );
        assert!(locale_is_utf8(None, None, Some("en_US.UTF-8")));
        assert!(locale_is_utf8(None, None, Some("C.utf8")));
        assert!(locale_is_utf8(Some("de_DE.Utf-8"), None, Some("C")));
        assert!(!locale_is_utf8(None, None, Some("C")));
        assert!(!locale_is_utf8(None, None, Some("POSIX")));
        assert!(!locale_is_utf8(
            None,
            Some("en_US.ISO-8859-1"),
            Some("en_US.UTF-8")
        ));
        assert!(!locale_is_utf8(Some("C"), Some("en_US.UTF-8"), None));
        // An empty value is skipped, not taken as "no UTF-8".
        assert!(locale_is_utf8(Some(""), None, Some("es_ES.UTF-8")));
        assert!(!locale_is_utf8(Some(""), Some(""), Some("ja_JP.eucJP")));
        assert_eq!(newline_mark(true), "⏎");
        assert_eq!(newline_mark(false), "\\n");
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
        assert!(matches!(cell("Teléfono, 用户 🔒", true), Cow::Borrowed(_)));
    }
}
