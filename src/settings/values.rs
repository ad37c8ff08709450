//! Checks and parsers for single values: URLs, bulk ids, durations,
//! locales, column lists and bulk-id lists. Each fails with
//! a usage error (exit 2) that says what was expected.

use std::fmt;
use std::path::Path;
use std::time::Duration;

use anyhow::Result;
use url::Url;

use crate::exit::{usage, Failure};
use crate::output::Format;
use crate::ui;

/// Most bulks fetched at once.
pub const MAX_CONCURRENCY: usize = 32;

/// Check a count that `flag` takes: from 1 to `max`.
pub fn check_between<T>(flag: &str, n: T, max: T) -> Result<T>
where
    T: Copy + PartialOrd + From<u8> + fmt::Display,
{
    if (T::from(1)..=max).contains(&n) {
        Ok(n)
    } else {
        usage(format!("{flag} must be between 1 and {max}, got {n}"))
    }
}

/// Whether two paths name the same existing file.
pub(super) fn same_file(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Whether two paths name the same file: the same absolute path (the file
/// need not exist yet), or [`same_file`].
pub(super) fn same_path(a: &Path, b: &Path) -> bool {
    std::path::absolute(a).ok() == std::path::absolute(b).ok() || same_file(a, b)
}

/// The contents of a file named by `flag`, or of stdin for `-`, without the
/// UTF-8 byte order mark that Windows editors put at the start.
pub(super) fn read_input(flag: &str, path: &Path) -> Result<String> {
    let mut text = String::new();
    let read = if path == Path::new("-") {
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
    } else {
        std::fs::File::open(path).and_then(|mut f| std::io::Read::read_to_string(&mut f, &mut text))
    };
    match read {
        Ok(_) => {
            if text.starts_with('\u{feff}') {
                text.drain(..'\u{feff}'.len_utf8());
            }
            Ok(text)
        }
        Err(e) => usage(format!("cannot read {flag} {}: {e}", path.display())),
    }
}

/// Bulk ids from arguments and `--bulk-ids-from` (one a line, `#` comments
/// and blank lines skipped), each once, in order; a note names those given
/// more than once.
pub fn collect_bulk_ids(args: &[String], from: Option<&Path>) -> Result<Vec<String>> {
    let mut ids: Vec<String> = args.to_vec();
    if let Some(path) = from {
        let text = read_input("--bulk-ids-from", path)?;
        ids.extend(
            text.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty() && !l.starts_with('#'))
                .map(String::from),
        );
    }
    let (ids, repeated) = dedup(ids);
    if !repeated.is_empty() {
        ui::note(repeated_note(&repeated));
    }
    Ok(ids)
}

/// The ids each once, in order, and those that came more than once.
fn dedup(mut ids: Vec<String>) -> (Vec<String>, Vec<String>) {
    let mut seen = std::collections::HashSet::new();
    let mut repeated = Vec::new();
    ids.retain(|id| {
        let first = seen.insert(id.clone());
        if !first && !repeated.contains(id) {
            repeated.push(id.clone());
        }
        first
    });
    (ids, repeated)
}

/// `note: bulk X is given more than once; it is exported once`, naming at
/// most a few of a long list.
fn repeated_note(repeated: &[String]) -> String {
    const SHOWN: usize = 5;
    let names: Vec<&str> = repeated.iter().take(SHOWN).map(String::as_str).collect();
    let more = match repeated.len().saturating_sub(SHOWN) {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    match repeated {
        [one] => format!("bulk {one} is given more than once; it is exported once"),
        _ => format!(
            "bulks {}{more} are given more than once; each is exported once",
            names.join(", ")
        ),
    }
}

/// `-o PATH` (or `flag PATH`) must name something rows can be written to: a file (new or
/// existing) in an existing directory, or a device or pipe such as
/// `/dev/null`.
pub(super) fn check_output(flag: &str, output: &Path) -> Result<()> {
    if output.is_dir() {
        return usage(format!(
            "cannot write {flag} {}: it is a directory; name a file inside it, e.g. {}",
            output.display(),
            output.join("failures.csv").display()
        ));
    }
    if let Some(parent) = output.parent() {
        if !parent.as_os_str().is_empty() && !parent.is_dir() {
            return usage(format!(
                "cannot write {flag} {}: directory {} does not exist",
                output.display(),
                parent.display()
            ));
        }
    }
    Ok(())
}

/// `--checkpoint` appends to a file in place, so it needs `-o` and a format
/// that can be continued.
pub(super) fn check_checkpoint(
    checkpoint: &Path,
    output: Option<&Path>,
    format: Format,
) -> Result<()> {
    let Some(output) = output else {
        return usage("--checkpoint needs -o PATH: progress is saved for a file, not for stdout");
    };
    if format == Format::Table {
        return usage("--checkpoint works with csv, tsv, jsonl or json output, not table");
    }
    if std::path::absolute(checkpoint).ok() == std::path::absolute(output).ok() {
        return usage("--checkpoint and -o must be different files");
    }
    if crate::destination::is_stream(output) {
        return usage(format!(
            "--checkpoint needs -o to be a regular file; {} is a device, a pipe or a system path, \
             which cannot be resumed",
            output.display()
        ));
    }
    if checkpoint.exists() && !checkpoint.is_file() {
        // It is replaced after every page: never rename over a directory,
        // a device or a pipe.
        return usage(format!(
            "--checkpoint {} is not a regular file; name a file such as failures.checkpoint",
            checkpoint.display()
        ));
    }
    Ok(())
}

/// A base URL the user gives: the flag that names it, an example, and where
/// the credentials it must not carry go instead.
pub(super) struct BaseUrl {
    flag: &'static str,
    example: &'static str,
    credentials: &'static str,
}

/// `--endpoint`, the API.
pub(super) const ENDPOINT: BaseUrl = BaseUrl {
    flag: "--endpoint",
    example: "https://graph.example.com",
    credentials: "pass the app token with --token-file or DRUID_TOKEN",
};

/// `--auth-url`, the token endpoint.
pub(super) const AUTH_URL: BaseUrl = BaseUrl {
    flag: "--auth-url",
    example: "https://auth.example.com",
    credentials: "pass the client secret with --client-secret-file or DRUID_CLIENT_SECRET",
};

/// Parse and normalise the API base URL.
pub fn parse_endpoint(raw: &str) -> Result<Url> {
    parse_base_url(&ENDPOINT, raw)
}

/// Parse and normalise a base URL from a flag, the environment or a profile.
///
/// User info (`user:password@`) is refused: reqwest would send it as
/// `Authorization: Basic` in place of the bearer token, and it would show in
/// `-v` and in every error. No message echoes it.
pub(super) fn parse_base_url(what: &BaseUrl, raw: &str) -> Result<Url> {
    let BaseUrl { flag, example, .. } = what;
    let shown = without_userinfo(raw.trim());
    let mut url = Url::parse(raw.trim()).map_err(|e| {
        Failure::usage(format!(
            "{flag} {shown:?} is not a valid URL ({e}); expected e.g. {example}"
        ))
    })?;
    if !url.username().is_empty() || url.password().is_some() {
        // Both setters only fail for URLs without a host, which have no user info.
        let _ = url.set_username("");
        let _ = url.set_password(None);
        return usage(format!(
            "{flag} {:?} carries a user name or password; credentials never go in the URL: \
             remove the user:password@ part and {}",
            url.as_str(),
            what.credentials
        ));
    }
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return usage(format!(
            "{flag} must be an http:// or https:// URL with a host, got {shown:?}; expected e.g. {example}"
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        url.set_query(None);
        url.set_fragment(None);
        return usage(format!(
            "{flag} must not carry a query or fragment; use {:?}",
            url.as_str()
        ));
    }
    let path = url.path().trim_end_matches('/').to_string();
    url.set_path(&path);
    Ok(url)
}

/// `raw` for a message, with anything that may be user info hidden: all
/// before the last `@` after the scheme. A path holding an `@` is hidden too,
/// which is the safe side for a URL that is being refused anyway.
fn without_userinfo(raw: &str) -> String {
    let start = raw.find("://").map_or(0, |i| i + 3);
    match raw[start..].rfind('@') {
        Some(at) => format!("{}[redacted]{}", &raw[..start], &raw[start + at..]),
        None => raw.to_string(),
    }
}

/// A bulk id becomes one URL path segment, and a DruID bulk id is a UUID:
/// it must be non-empty, free of control characters, whitespace and `/`,
/// and not a dot segment that URL parsing would remove. Checked before any
/// request, so a stray argument is exit 2, not a 404.
pub fn check_bulk_id(id: &str) -> Result<()> {
    if id.is_empty() {
        return usage("the bulk id is empty");
    }
    if id.chars().any(char::is_control) {
        return usage(format!(
            "the bulk id {:?} contains control characters",
            id.escape_debug().to_string()
        ));
    }
    let what = if id.contains('/') {
        "a '/'"
    } else if id.chars().any(char::is_whitespace) {
        "whitespace"
    } else if id == "." || id == ".." {
        return usage(format!("{id:?} is not a bulk id"));
    } else {
        return Ok(());
    };
    usage(format!(
        "the bulk id {id:?} contains {what}, which no DruID bulk id does; pass each id alone, \
         e.g. 018fcf0a-3b2c-7d41-9e5a-6c8b1f2d4e73"
    ))
}

/// `results B --wait 60s` asks for a second bulk named `60s`: with `--wait`
/// given without a value (`bare`), a bulk id that reads as a duration is
/// that habit, refused before any request.
pub(super) fn check_wait_habit(bulk_ids: &[String], bare: bool) -> Result<()> {
    if !bare {
        return Ok(());
    }
    match bulk_ids.iter().find(|id| parse_wait(id).is_ok()) {
        Some(id) => usage(format!(
            "--wait takes its duration after '=': --wait={}",
            id.trim()
        )),
        None => Ok(()),
    }
}

/// Whether `--columns` asks for the list of fields (`--columns list`).
pub(super) fn columns_list(raw: Option<&[String]>) -> bool {
    matches!(raw, Some([one]) if one.trim() == "list")
}

/// `--columns`, or `default` when it is not given. A name given twice is
/// refused: it would be a JSON object's key twice.
pub(super) fn parse_columns(raw: Option<&[String]>, default: &[&str]) -> Result<Vec<String>> {
    let Some(raw) = raw else {
        return Ok(default.iter().map(|c| c.to_string()).collect());
    };
    let columns: Vec<String> = raw.iter().map(|c| c.trim().to_string()).collect();
    if columns.is_empty() || columns.iter().any(String::is_empty) {
        return usage("--columns needs comma-separated field names, e.g. --columns id,error");
    }
    let twice = (columns.iter().enumerate()).find(|(n, name)| columns[..*n].contains(name));
    if let Some((_, name)) = twice {
        return usage(format!(
            "--columns names {name} more than once; name each field once"
        ));
    }
    Ok(columns)
}

/// `--delimiter`: one ASCII character other than `"`, CR and LF, or the
/// word `tab`.
pub(super) fn parse_delimiter(raw: &str) -> Result<u8> {
    match raw.as_bytes() {
        b"tab" => Ok(b'\t'),
        [b] if b.is_ascii() && !matches!(b, b'"' | b'\r' | b'\n') => Ok(*b),
        _ => usage(format!(
            "--delimiter {:?} is not one ASCII character other than a quote, CR or LF; e.g. \
             --delimiter ';' or --delimiter tab",
            raw.escape_debug().to_string()
        )),
    }
}

/// Accept locale tags like `es`, `es-ES`, `zh-Hant-TW`.
pub(super) fn check_locale(lang: &str) -> Result<()> {
    let mut parts = lang.split(['-', '_']);
    let primary = parts.next().unwrap_or("");
    let ok = (2..=3).contains(&primary.len())
        && primary.chars().all(|c| c.is_ascii_alphabetic())
        && parts
            .all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
    if ok {
        Ok(())
    } else {
        usage(format!(
            "--lang {lang:?} is not a locale; expected a tag like es-ES or en"
        ))
    }
}

/// Parse `90s`, `5m`, `1h`, `1h30m`.
pub fn parse_duration(flag: &str, raw: &str) -> Result<Duration> {
    match humantime::parse_duration(raw.trim()) {
        Ok(d) if !d.is_zero() => Ok(d),
        _ => usage(format!(
            "{flag} {raw:?} is not a duration; expected e.g. 90s, 5m or 1h"
        )),
    }
}

/// Parse `--wait`'s DURATION, for every command that waits: as
/// [`parse_duration`], and `0s` too, which checks once and does not poll.
pub fn parse_wait(raw: &str) -> Result<Duration> {
    match humantime::parse_duration(raw.trim()) {
        Ok(d) if d.is_zero() => Ok(d),
        _ => parse_duration("--wait", raw),
    }
}

#[cfg(test)]
mod tests;
