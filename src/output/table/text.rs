//! Cell text measured in display columns (`unicode-width`: CJK and most
//! emoji take two), cut with `…`, padded, or wrapped at words.

use std::borrow::Cow;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Columns `text` takes on a terminal.
pub fn width(text: &str) -> usize {
    text.width()
}

/// `text` cut to at most `max` columns, ending in `…` when cut. A wide
/// character that would cross the limit is left out whole.
pub fn truncate(text: &str, max: usize) -> Cow<'_, str> {
    if width(text) <= max {
        return Cow::Borrowed(text);
    }
    if max == 0 {
        return Cow::Borrowed("");
    }
    let mut out = String::with_capacity(max + 3);
    let mut used = 0;
    for c in text.chars() {
        let w = c.width().unwrap_or(0);
        if used + w > max - 1 {
            break;
        }
        used += w;
        out.push(c);
    }
    // Sequences (emoji with a variation selector…) can measure wider than
    // their characters: trust the string's width.
    while width(&out) > max - 1 {
        out.pop();
    }
    out.push('…');
    Cow::Owned(out)
}

/// Append `count` spaces.
pub fn pad(line: &mut String, count: usize) {
    line.extend(std::iter::repeat_n(' ', count));
}

/// `text` in lines of at most `max` columns, broken at spaces; a word
/// longer than a line is broken where the line ends.
pub fn wrap(text: &str, max: usize) -> Vec<String> {
    if width(text) <= max || max == 0 {
        return vec![text.to_string()];
    }
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let needed = if line.is_empty() { 0 } else { 1 } + width(word);
        if !line.is_empty() && width(&line) + needed > max {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        for c in word.chars() {
            if !line.is_empty() && width(&line) + c.width().unwrap_or(0) > max {
                lines.push(std::mem::take(&mut line));
            }
            line.push(c);
        }
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_counts_display_columns() {
        assert_eq!(truncate("short", 10), "short");
        assert_eq!(truncate("exactly10!", 10), "exactly10!");
        assert_eq!(truncate("a bit too long", 10), "a bit too…");
        // 用 takes two columns: the cut never splits one past the limit.
        assert_eq!(truncate("用户不存在", 6), "用户…");
        assert_eq!(truncate("用户不存在", 5), "用户…");
        assert_eq!(truncate("a用户不存在", 5), "a用…");
        assert_eq!(truncate("policy 🔒🔒", 9), "policy …");
        assert_eq!(truncate("x", 0), "");
        for max in 1..12 {
            for text in [
                "用户不存在",
                "a🔒b🔒c🔒d",
                "❤\u{fe0f}❤\u{fe0f}❤\u{fe0f}❤\u{fe0f}",
            ] {
                assert!(width(&truncate(text, max)) <= max, "{text} at {max}");
            }
        }
    }

    #[test]
    fn wrapping_breaks_at_words_then_inside_long_words() {
        assert_eq!(wrap("fits", 10), vec!["fits"]);
        assert_eq!(
            wrap("Invalid date format for birthDate", 12),
            vec!["Invalid date", "format for", "birthDate"]
        );
        assert_eq!(wrap("abcdefghij klm", 4), vec!["abcd", "efgh", "ij", "klm"]);
        assert_eq!(wrap("用户不存在", 4), vec!["用户", "不存", "在"]);
        for line in wrap("Password policy: min 12 chars, 1 digit, 1 symbol 🔒", 7) {
            assert!(width(&line) <= 7, "{line}");
        }
    }
}
