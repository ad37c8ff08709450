//! Settings of `failed-lines`: which bulk's failures are fetched and how,
//! the input they are joined to, where each line keeps its user's
//! identifiers (JSON pointers), and where the failed lines go. [`join`] is
//! public on its own so that any command that writes failed lines builds
//! the same part from the same flags.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::Result;

use super::{auth, check_bulk_id, connect, parse_wait, profile_layer, request, values};
use super::{Layer, Request, DEFAULT_MAX_EMPTY_PAGES};
use crate::api::Connection;
use crate::cli::{FailedLinesArgs, GlobalArgs, LineArgs, PagingArgs};
use crate::exit::usage;

/// Where a line's object id is looked for when `--object-id-at` is not
/// given, in this order.
pub const OBJECT_ID_AT: [&str; 3] = ["/user/object_id", "/object_id", "/objectId"];
/// The same for the pulse id (`--pulse-id-at`).
pub const PULSE_ID_AT: [&str; 3] = ["/user/pulse_id", "/pulse_id", "/pulseId"];

/// The longest line of a bulk file that `submit` sends and `failed-lines`
/// reads: one user's update is far smaller, and a longer line is refused
/// rather than held in memory.
pub const MAX_LINE: usize = 16 * 1024 * 1024;

/// A JSON pointer (RFC 6901), split into its unescaped reference tokens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pointer {
    text: String,
    tokens: Vec<String>,
}

impl Pointer {
    /// Parse `text` given to `flag`; the empty pointer (the whole line) and
    /// anything not starting with `/` are refused.
    pub fn parse(flag: &str, text: &str) -> Result<Pointer> {
        let Some(rest) = text.strip_prefix('/') else {
            let hint = match text {
                "" => String::new(),
                _ => format!(" (e.g. /{})", text.replace('.', "/")),
            };
            return usage(format!(
                "{flag} {text:?} is not a JSON pointer: it starts with '/' and names each key \
                 on the way down, e.g. /user/object_id{hint}"
            ));
        };
        let mut tokens = Vec::new();
        for raw in rest.split('/') {
            tokens.push(unescape(raw).ok_or_else(|| {
                crate::exit::Failure::usage(format!(
                    "{flag} {text:?}: '~' must be followed by 0 (for ~) or 1 (for /)"
                ))
            })?);
        }
        Ok(Pointer {
            text: text.to_string(),
            tokens,
        })
    }

    /// The reference tokens, unescaped (`~1` is `/`, `~0` is `~`).
    pub fn tokens(&self) -> &[String] {
        &self.tokens
    }
}

impl fmt::Display for Pointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// `~1` to `/` and `~0` to `~`, in that order; `None` for a bare `~`.
fn unescape(token: &str) -> Option<String> {
    let mut out = String::with_capacity(token.len());
    let mut chars = token.chars();
    while let Some(c) = chars.next() {
        match c {
            '~' => match chars.next() {
                Some('0') => out.push('~'),
                Some('1') => out.push('/'),
                _ => return None,
            },
            c => out.push(c),
        }
    }
    Some(out)
}

/// Where a line keeps its user's identifiers: for each kind, the pointers
/// tried in order, the first that holds an identifier winning.
#[derive(Debug, Clone)]
pub struct Identifiers {
    pub object: Vec<Pointer>,
    pub pulse: Vec<Pointer>,
}

impl Identifiers {
    /// Every pointer, object ids first, for messages.
    pub fn describe(&self) -> String {
        let all: Vec<String> = (self.object.iter().chain(&self.pulse))
            .map(Pointer::to_string)
            .collect();
        all.join(", ")
    }
}

/// The join of a bulk's failures to its input lines.
#[derive(Debug, Clone)]
pub struct Join {
    /// The JSON Lines input; `-` is stdin.
    pub input: PathBuf,
    /// `-o PATH`; `None` is stdout.
    pub output: Option<PathBuf>,
    pub ids: Identifiers,
    /// Write `{"line","error","input"}` objects instead of the lines.
    pub annotate: bool,
}

/// How a bulk's failures are fetched.
#[derive(Debug, Clone)]
pub struct Fetch {
    pub page_size: u32,
    /// With `--wait`: how long to poll a bulk that is not finished.
    pub wait: Option<Duration>,
    pub max_empty_pages: u32,
    /// Check that failures come in id order (off with `--unordered`).
    pub ordered: bool,
}

impl Fetch {
    /// The paging flags (the page size from the merged `layer`), checked.
    pub(super) fn new(layer: &Layer, paging: &PagingArgs, wait: Option<Duration>) -> Result<Fetch> {
        Ok(Fetch {
            page_size: values::check_between(
                "--page-size",
                layer.page_size.unwrap_or_default(),
                super::MAX_PAGE_SIZE,
            )?,
            wait,
            max_empty_pages: values::check_between(
                "--max-empty-pages",
                paging.max_empty_pages.unwrap_or(DEFAULT_MAX_EMPTY_PAGES),
                super::MAX_EMPTY_PAGES,
            )?,
            ordered: !paging.unordered,
        })
    }
}

/// Everything `failed-lines` needs.
#[derive(Debug, Clone)]
pub struct FailedLines {
    pub conn: Connection,
    pub request: Request,
    pub bulk_id: String,
    pub fetch: Fetch,
    pub join: Join,
}

/// Settings for `failed-lines`: every profile key that applies to it.
pub fn failed_lines(args: &FailedLinesArgs, global: &GlobalArgs) -> Result<FailedLines> {
    let layer = Layer {
        page_size: args.paging.page_size,
        ..Layer::from_conn(&args.conn)
    }
    .or(Layer::from_request(&args.request))
    .or(profile_layer(global)?)
    .or(Layer::defaults());
    if args.input == Path::new("-") {
        if let Some(flag) = auth::stdin_readers(&layer).first() {
            return usage(format!(
                "{flag} and --input cannot both read stdin ('-'); put one of them in a file"
            ));
        }
    }
    values::check_wait_habit(std::slice::from_ref(&args.bulk_id), args.waiting.bare())?;
    check_bulk_id(&args.bulk_id)?;
    let conn = connect(&layer, &args.conn)?;
    let request = request(&layer)?;
    let wait = args.waiting.duration().map(parse_wait).transpose()?;
    let fetch = Fetch::new(&layer, &args.paging, wait)?;
    let output = args.output.as_deref().filter(|p| *p != Path::new("-"));
    let join = join(&args.lines, &args.input, output)?;
    Ok(FailedLines {
        conn,
        request,
        bulk_id: args.bulk_id.clone(),
        fetch,
        join,
    })
}

/// The join's settings: the input (a readable file, or `-`), the output
/// (`None`: stdout; never the input itself) and the identifier pointers.
pub fn join(args: &LineArgs, input: &Path, output: Option<&Path>) -> Result<Join> {
    if input != Path::new("-") {
        check_input(input)?;
    }
    if let Some(output) = output {
        values::check_output("-o", output)?;
        if input != Path::new("-") && values::same_file(input, output) {
            return usage(format!(
                "-o {} is the --input file: replacing it would lose the lines that did not \
                 fail; write the failed lines to another file",
                output.display()
            ));
        }
    }
    let pointers = |flag: &str, given: &Option<String>, default: &[&str]| -> Result<Vec<Pointer>> {
        match given {
            Some(text) => Ok(vec![Pointer::parse(flag, text)?]),
            None => default.iter().map(|p| Pointer::parse(flag, p)).collect(),
        }
    };
    Ok(Join {
        input: input.to_path_buf(),
        output: output.map(Path::to_path_buf),
        ids: Identifiers {
            object: pointers("--object-id-at", &args.object_id_at, &OBJECT_ID_AT)?,
            pulse: pointers("--pulse-id-at", &args.pulse_id_at, &PULSE_ID_AT)?,
        },
        annotate: args.annotate,
    })
}

/// The input must be there and readable before any request is sent. Only
/// a regular file is opened to check it: opening a named pipe would wait
/// for its writer, and closing it again would cut the writer off.
fn check_input(input: &Path) -> Result<()> {
    let cannot = |e: std::io::Error| usage(format!("cannot read --input {}: {e}", input.display()));
    let metadata = match std::fs::metadata(input) {
        Ok(metadata) => metadata,
        Err(e) => return cannot(e),
    };
    if metadata.is_dir() {
        return usage(format!(
            "cannot read --input {}: it is a directory; name the JSON Lines file the bulk was \
             sent from",
            input.display()
        ));
    }
    if metadata.is_file() {
        if let Err(e) = std::fs::File::open(input) {
            return cannot(e);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_are_split_and_unescaped() {
        let p = Pointer::parse("--object-id-at", "/a~1b/m~0n/0").unwrap();
        assert_eq!(p.tokens(), ["a/b", "m~n", "0"]);
        assert_eq!(p.to_string(), "/a~1b/m~0n/0");
        assert_eq!(Pointer::parse("-", "/").unwrap().tokens(), [""]);
    }

    #[test]
    fn a_pointer_must_start_with_a_slash() {
        let err = Pointer::parse("--object-id-at", "user.object_id").unwrap_err();
        assert!(format!("{err}").contains("e.g. /user/object_id"), "{err}");
        assert!(Pointer::parse("--object-id-at", "").is_err());
        assert!(Pointer::parse("--object-id-at", "/a~2").is_err());
    }
}
