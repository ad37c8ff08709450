//! Text from a server made safe to show on a terminal.
//!
//! Server strings can carry ANSI escapes, carriage returns and bidirectional
//! overrides that would rewrite what a person sees. Data formats keep the
//! exact bytes; tables and stderr messages go through here first.
//!
//! They can also quote a secret back (`401: token Bearer tok-… is
//! expired`). [`redact`] is the one place such text loses every secret of
//! the run ([`hide`] registers each as it is seen) and any `Bearer`/`Basic`
//! credential, before it is shown on stderr, cut for a message or written
//! to a CI job summary. Report rows are data: they are never redacted.

use std::borrow::Cow;
use std::sync::RwLock;

/// What a secret is replaced with.
pub const REDACTED: &str = "[redacted]";

/// Shorter secrets are not hidden: they would blank out ordinary words in
/// every message, and hide nothing worth the name.
const MIN_SECRET: usize = 4;

/// A `Bearer`/`Basic` credential is this many token68 characters or more.
const MIN_CREDENTIAL: usize = 16;

/// Every secret seen in this run, in each form a server may echo it in,
/// longest first (so no part of a longer form is left behind).
static SECRETS: RwLock<Vec<String>> = RwLock::new(Vec::new());

/// Hide `secret` (a token, renewed ones too, or a client secret) from every
/// text [`redact`] is given from now on, in the forms a server may echo it
/// in: as it is, JSON-escaped and percent-encoded.
pub fn hide(secret: &str) {
    if secret.chars().count() < MIN_SECRET {
        return;
    }
    let mut secrets = SECRETS.write().unwrap_or_else(|e| e.into_inner());
    for form in forms(secret) {
        if !secrets.contains(&form) {
            secrets.push(form);
        }
    }
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
}

/// Server text with every secret of the run and every `Bearer`/`Basic`
/// credential (16 or more token68 characters) replaced by `[redacted]`; the
/// scheme word stays, to say what was there.
pub fn redact(text: &str) -> Cow<'_, str> {
    let secrets = SECRETS.read().unwrap_or_else(|e| e.into_inner());
    redact_with(text, &secrets)
}

/// [`redact`] with the secrets given (each form, longest first).
fn redact_with<'t>(text: &'t str, secrets: &[String]) -> Cow<'t, str> {
    let mut out = Cow::Borrowed(text);
    for secret in secrets {
        if out.contains(secret.as_str()) {
            out = Cow::Owned(out.replace(secret.as_str(), REDACTED));
        }
    }
    match credentials(&out) {
        Some(hidden) => Cow::Owned(hidden),
        None => out,
    }
}

/// The forms of `secret` a server may echo: as it is; JSON-escaped, with
/// and without `\/`, and with `\uXXXX` for every non-ASCII character;
/// percent-encoded as a form field (`+` for a space) and as a URI
/// component. Hex digits in either case.
fn forms(secret: &str) -> Vec<String> {
    let mut forms = vec![secret.to_string()];
    for upper in [false, true] {
        for slash in [false, true] {
            for ascii in [false, true] {
                forms.push(json_escaped(secret, slash, ascii, upper));
            }
        }
        for form in [false, true] {
            forms.push(percent_encoded(secret, form, upper));
        }
    }
    forms.sort();
    forms.dedup();
    forms
}

/// `text` inside a JSON string: `slash` escapes `/` as `\/`, `ascii`
/// writes every non-ASCII character as `\uXXXX` (UTF-16), `upper` with
/// uppercase hex digits.
fn json_escaped(text: &str, slash: bool, ascii: bool, upper: bool) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '/' if slash => out.push_str("\\/"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c.is_control() || (ascii && !c.is_ascii()) => {
                let mut units = [0u16; 2];
                for &mut unit in c.encode_utf16(&mut units) {
                    out.push_str(&if upper {
                        format!("\\u{unit:04X}")
                    } else {
                        format!("\\u{unit:04x}")
                    });
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// `text` percent-encoded: as a form field (`*-._` kept, a space as `+`)
/// when `form`, else as a URI component (`-._~` kept); `upper` with
/// uppercase hex digits.
fn percent_encoded(text: &str, form: bool, upper: bool) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for &b in text.as_bytes() {
        let kept = b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'.' | b'_')
            || (form && b == b'*')
            || (!form && b == b'~');
        match b {
            _ if kept => out.push(char::from(b)),
            b' ' if form => out.push('+'),
            _ if upper => out.push_str(&format!("%{b:02X}")),
            _ => out.push_str(&format!("%{b:02x}")),
        }
    }
    out
}

/// `text` with each `Bearer`/`Basic` credential (the scheme in any case at
/// the start of a word, spaces, then [`MIN_CREDENTIAL`] or more token68
/// characters and any `=` padding) replaced; `None` when there is none.
fn credentials(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = String::new();
    let (mut copied, mut at) = (0, 0);
    while at < bytes.len() {
        let Some(scheme) = scheme_at(bytes, at) else {
            at += 1;
            continue;
        };
        let start = at + scheme;
        let spaces = bytes[start..]
            .iter()
            .take_while(|&&b| b == b' ' || b == b'\t')
            .count();
        let start = start + spaces;
        let run = bytes[start..]
            .iter()
            .take_while(|&&b| b.is_ascii_alphanumeric() || b"-._~+/".contains(&b))
            .count();
        if spaces == 0 || run < MIN_CREDENTIAL {
            at = start.max(at + 1);
            continue;
        }
        let end = start + run;
        let end = end + bytes[end..].iter().take_while(|&&b| b == b'=').count();
        // Only ASCII was matched, so both ends are character boundaries.
        out.push_str(&text[copied..start]);
        out.push_str(REDACTED);
        (copied, at) = (end, end);
    }
    if copied == 0 {
        return None;
    }
    out.push_str(&text[copied..]);
    Some(out)
}

/// The length of `Bearer` or `Basic` (any case) starting a word at `at`.
fn scheme_at(bytes: &[u8], at: usize) -> Option<usize> {
    if at > 0 && bytes[at - 1].is_ascii_alphanumeric() {
        return None;
    }
    [&b"bearer"[..], b"basic"].into_iter().find_map(|word| {
        let here = bytes.get(at..at + word.len())?;
        here.eq_ignore_ascii_case(word).then_some(word.len())
    })
}

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

/// This process's [`locale_is_utf8`], set once at the start of `main` from
/// the settings' reading of the environment.
static UTF8: std::sync::OnceLock<bool> = std::sync::OnceLock::new();

/// Set [`utf8_locale`], once (a later call changes nothing).
pub fn set_utf8_locale(utf8: bool) {
    let _ = UTF8.set(utf8);
}

/// Whether this process's locale is UTF-8, as set at the start (the
/// progress line asks at every update); UTF-8 when it was never set.
pub fn utf8_locale() -> bool {
    UTF8.get().copied().unwrap_or(true)
}

/// One line for a table cell: a newline (or CRLF) becomes
/// [`newline_mark`], a tab a space, and every other control or bidi
/// character a visible escape like `\u{1b}`.
pub fn cell(text: &str, utf8: bool) -> Cow<'_, str> {
    clean(text, Some(newline_mark(utf8)))
}

/// A message for stderr: [`redact`]ed, then like [`cell`] but newlines are
/// kept and carriage returns dropped.
pub fn message(text: &str) -> Cow<'_, str> {
    match redact(text) {
        Cow::Borrowed(text) => clean(text, None),
        Cow::Owned(text) => Cow::Owned(clean(&text, None).into_owned()),
    }
}

/// Text shown as it is in Markdown (a GitHub job summary), in a table cell
/// or inline: what Markdown would read as markup, a table's column break,
/// HTML, an entity or maths gets a backslash; newlines become spaces (a table
/// row is one line) and control characters visible escapes, as in [`cell`].
/// It is [`redact`]ed first: a job summary is shown to everyone who can see
/// the CI job.
pub fn markdown(text: &str) -> String {
    let text = redact(text);
    let text = clean(&text, Some(" "));
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
mod tests;
