//! The output format: `-f` as given, or what `-o`'s name says, or what
//! stdout is; and the width a table on stdout is fitted to.

use std::path::Path;

use anyhow::Result;

use crate::cli::FormatChoice;
use crate::exit::usage;
use crate::output::Format;

/// The extensions of `-o` that name a format, for messages.
const KNOWN_EXTENSIONS: &str = ".csv, .jsonl, .ndjson, .json or .txt";

/// What the name of `-o` says about the format.
#[derive(Debug, PartialEq, Eq)]
enum Named {
    /// A known extension (case-insensitive).
    Format(Format),
    /// No extension, or a device or pipe (`/dev/stdout`, `/dev/fd/N`, a
    /// FIFO): rows go on as they would to a pipe.
    Stream,
    /// Any other extension: a guess could write JSON lines into
    /// `report.xlsx`.
    Unknown,
}

fn named(path: &Path) -> Named {
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase());
    match ext.as_deref() {
        Some("csv") => Named::Format(Format::Csv),
        Some("jsonl" | "ndjson") => Named::Format(Format::Jsonl),
        Some("json") => Named::Format(Format::Json),
        Some("txt") => Named::Format(Format::Table),
        _ if crate::destination::is_stream(path) => Named::Stream,
        None | Some("") => Named::Stream,
        Some(_) => Named::Unknown,
    }
}

/// The format to write: `-f` as given, or for `auto` the one `-o`'s
/// extension names, else `table` on a terminal and `jsonl` when piped.
/// `--excel` makes `auto` CSV where no extension says otherwise, and is
/// refused with any other format. `flag` names the output in messages
/// (`-o`, `--export`).
pub fn resolve_format(
    format: FormatChoice,
    output: Option<&Path>,
    stdout_tty: bool,
    excel: bool,
    flag: &str,
) -> Result<Format> {
    let resolved = match format {
        FormatChoice::Table => Format::Table,
        FormatChoice::Csv => Format::Csv,
        FormatChoice::Jsonl => Format::Jsonl,
        FormatChoice::Json => Format::Json,
        FormatChoice::Auto => match output.map(named) {
            Some(Named::Format(format)) => format,
            _ if excel => Format::Csv,
            Some(Named::Stream) => Format::Jsonl,
            Some(Named::Unknown) => {
                let path = output.unwrap_or(Path::new("")).display();
                return usage(format!(
                    "cannot tell the format from {flag} {path}: use {KNOWN_EXTENSIONS}, \
                     or pass -f/--format"
                ));
            }
            None if stdout_tty => Format::Table,
            None => Format::Jsonl,
        },
    };
    if excel && resolved != Format::Csv {
        let (from, instead) = match (format, output) {
            (FormatChoice::Auto, Some(path)) => (
                format!(" (from {flag} {})", path.display()),
                "name a .csv file",
            ),
            _ => (String::new(), "write CSV with -f csv"),
        };
        return usage(format!(
            "--excel is for CSV, and the format is {}{from}: drop --excel, or {instead}",
            resolved.name()
        ));
    }
    Ok(resolved)
}

/// The width to fit a table on stdout into: the terminal's, else `COLUMNS`.
/// A table written to a file has none (nothing is cut).
pub(super) fn table_width(stdout_tty: bool) -> Option<usize> {
    if stdout_tty {
        if let Some((terminal_size::Width(w), _)) = terminal_size::terminal_size() {
            return Some(w as usize);
        }
    }
    super::env::text("COLUMNS")
        .and_then(|c| c.trim().parse().ok())
        .filter(|&w: &usize| w > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auto_format_follows_extension_then_terminal() {
        let auto = |path: Option<&str>, tty: bool| {
            resolve_format(FormatChoice::Auto, path.map(Path::new), tty, false, "-o").unwrap()
        };
        assert_eq!(auto(Some("a.CSV"), true), Format::Csv);
        assert_eq!(auto(Some("a.ndjson"), true), Format::Jsonl);
        assert_eq!(auto(Some("a.JsonL"), true), Format::Jsonl);
        assert_eq!(auto(Some("a.json"), false), Format::Json);
        assert_eq!(auto(Some("report.txt"), false), Format::Table);
        assert_eq!(auto(Some("REPORT.TXT"), true), Format::Table);
        assert_eq!(auto(Some("failures"), true), Format::Jsonl);
        assert_eq!(auto(Some("/dev/stdout"), true), Format::Jsonl);
        assert_eq!(auto(Some("/dev/fd/3"), true), Format::Jsonl);
        assert_eq!(auto(None, true), Format::Table);
        assert_eq!(auto(None, false), Format::Jsonl);
        let explicit = |format, path: &str| {
            resolve_format(format, Some(Path::new(path)), true, false, "-o").unwrap()
        };
        assert_eq!(explicit(FormatChoice::Csv, "report.xlsx"), Format::Csv);
        assert_eq!(explicit(FormatChoice::Jsonl, "a.txt"), Format::Jsonl);
    }

    #[test]
    fn an_unknown_extension_without_a_format_is_refused() {
        for path in ["report.xlsx", "out.CSV.bak", "data.tsv"] {
            let err = resolve_format(
                FormatChoice::Auto,
                Some(Path::new(path)),
                false,
                false,
                "-o",
            )
            .unwrap_err();
            assert_eq!(crate::exit::exit_code(&err), 2, "{path}");
            assert_eq!(
                err.to_string(),
                format!(
                    "cannot tell the format from -o {path}: use .csv, .jsonl, .ndjson, .json or \
                     .txt, or pass -f/--format"
                )
            );
        }
    }

    #[test]
    fn excel_means_csv_and_nothing_else() {
        let excel = |format, path: Option<&str>| {
            resolve_format(format, path.map(Path::new), true, true, "-o")
                .map_err(|e| (crate::exit::exit_code(&e), e.to_string()))
        };
        assert_eq!(excel(FormatChoice::Auto, None), Ok(Format::Csv));
        assert_eq!(excel(FormatChoice::Auto, Some("f.csv")), Ok(Format::Csv));
        assert_eq!(excel(FormatChoice::Auto, Some("failures")), Ok(Format::Csv));
        assert_eq!(
            excel(FormatChoice::Auto, Some("report.xlsx")),
            Ok(Format::Csv)
        );
        assert_eq!(excel(FormatChoice::Csv, Some("a.json")), Ok(Format::Csv));
        for (format, path) in [
            (FormatChoice::Json, None),
            (FormatChoice::Jsonl, None),
            (FormatChoice::Table, None),
            (FormatChoice::Auto, Some("a.json")),
            (FormatChoice::Auto, Some("a.jsonl")),
            (FormatChoice::Auto, Some("a.txt")),
        ] {
            let (code, message) = excel(format, path).unwrap_err();
            assert_eq!(code, 2, "{format:?} {path:?}");
            assert!(message.starts_with("--excel is for CSV"), "{message}");
        }
        assert_eq!(
            excel(FormatChoice::Auto, Some("a.txt")).unwrap_err().1,
            "--excel is for CSV, and the format is table (from -o a.txt): drop --excel, or name \
             a .csv file"
        );
        assert_eq!(
            excel(FormatChoice::Json, Some("a.csv")).unwrap_err().1,
            "--excel is for CSV, and the format is json: drop --excel, or write CSV with -f csv"
        );
    }
}
