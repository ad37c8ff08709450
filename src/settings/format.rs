//! The output format: `-f` as given, or what `-o`'s name says, or what
//! stdout is; and the width a table on stdout is fitted to.

use std::path::Path;

use anyhow::Result;

use crate::cli::FormatChoice;
use crate::exit::usage;
use crate::output::Format;

/// The extensions of `-o` that name a format, for messages.
const KNOWN_EXTENSIONS: &str = ".csv, .tsv, .jsonl, .ndjson, .json or .txt";

/// The names `-f` takes that people type after `-o` by habit (`-o csv`).
const FORMAT_NAMES: [&str; 5] = ["csv", "tsv", "jsonl", "json", "table"];

/// Refuse `-o csv` and the like: a file named after a format, with no
/// extension and no directory, is `-f` typed as `-o` (`flag` names the
/// output: `-o`, `--export`). `./csv` names such a file on purpose.
pub fn check_output_name(flag: &str, path: &Path) -> Result<()> {
    let Some(name) = path.to_str() else {
        return Ok(());
    };
    let lower = name.to_ascii_lowercase();
    match FORMAT_NAMES.iter().find(|f| **f == lower) {
        Some(format) => usage(format!(
            "{flag} names a file; did you mean -f {format}? (to write a file named {name}, use \
             {flag} ./{name})"
        )),
        None => Ok(()),
    }
}

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
        Some("tsv") => Named::Format(Format::Tsv),
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
/// `csv_only`, a flag given that only CSV takes (`--excel`,
/// `--delimiter`), makes `auto` CSV where no extension says otherwise, and
/// is refused with any other format. `flag` names the output in messages
/// (`-o`, `--export`).
pub fn resolve_format(
    format: FormatChoice,
    output: Option<&Path>,
    stdout_tty: bool,
    csv_only: Option<&str>,
    flag: &str,
) -> Result<Format> {
    let resolved = match format {
        FormatChoice::Table => Format::Table,
        FormatChoice::Csv => Format::Csv,
        FormatChoice::Tsv => Format::Tsv,
        FormatChoice::Jsonl => Format::Jsonl,
        FormatChoice::Json => Format::Json,
        FormatChoice::Auto => match output.map(named) {
            Some(Named::Format(format)) => format,
            _ if csv_only.is_some() => Format::Csv,
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
    if let Some(csv_flag) = csv_only.filter(|_| resolved != Format::Csv) {
        let (from, instead) = match (format, output) {
            (FormatChoice::Auto, Some(path)) => (
                format!(" (from {flag} {})", path.display()),
                "name a .csv file",
            ),
            _ => (String::new(), "write CSV with -f csv"),
        };
        return usage(format!(
            "{csv_flag} is for CSV, and the format is {}{from}: drop {csv_flag}, or {instead}",
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
            resolve_format(FormatChoice::Auto, path.map(Path::new), tty, None, "-o").unwrap()
        };
        assert_eq!(auto(Some("a.CSV"), true), Format::Csv);
        assert_eq!(auto(Some("a.tsv"), false), Format::Tsv);
        assert_eq!(auto(Some("A.TSV"), true), Format::Tsv);
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
            resolve_format(format, Some(Path::new(path)), true, None, "-o").unwrap()
        };
        assert_eq!(explicit(FormatChoice::Csv, "report.xlsx"), Format::Csv);
        assert_eq!(explicit(FormatChoice::Jsonl, "a.txt"), Format::Jsonl);
        assert_eq!(explicit(FormatChoice::Tsv, "a.csv"), Format::Tsv);
    }

    #[test]
    fn an_unknown_extension_without_a_format_is_refused() {
        for path in ["report.xlsx", "out.CSV.bak", "data.tab"] {
            let err = resolve_format(FormatChoice::Auto, Some(Path::new(path)), false, None, "-o")
                .unwrap_err();
            assert_eq!(crate::exit::exit_code(&err), 2, "{path}");
            assert_eq!(
                err.to_string(),
                format!(
                    "cannot tell the format from -o {path}: use .csv, .tsv, .jsonl, .ndjson, \
                     .json or .txt, or pass -f/--format"
                )
            );
        }
    }

    #[test]
    fn excel_means_csv_and_nothing_else() {
        let excel = |format, path: Option<&str>| {
            resolve_format(format, path.map(Path::new), true, Some("--excel"), "-o")
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
            (FormatChoice::Tsv, None),
            (FormatChoice::Auto, Some("a.tsv")),
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

    #[test]
    fn a_delimiter_means_csv_too() {
        let delimiter = |format, path: Option<&str>| {
            resolve_format(format, path.map(Path::new), true, Some("--delimiter"), "-o")
                .map_err(|e| e.to_string())
        };
        assert_eq!(delimiter(FormatChoice::Auto, None), Ok(Format::Csv));
        assert_eq!(delimiter(FormatChoice::Auto, Some("out")), Ok(Format::Csv));
        assert_eq!(
            delimiter(FormatChoice::Tsv, None).unwrap_err(),
            "--delimiter is for CSV, and the format is tsv: drop --delimiter, or write CSV with \
             -f csv"
        );
        assert_eq!(
            delimiter(FormatChoice::Auto, Some("x.jsonl")).unwrap_err(),
            "--delimiter is for CSV, and the format is jsonl (from -o x.jsonl): drop \
             --delimiter, or name a .csv file"
        );
    }

    #[test]
    fn a_format_name_as_the_output_file_is_a_habit() {
        for (path, format) in [
            ("csv", "csv"),
            ("JSON", "json"),
            ("jsonl", "jsonl"),
            ("table", "table"),
            ("tsv", "tsv"),
        ] {
            let err = check_output_name("-o", Path::new(path)).unwrap_err();
            assert_eq!(crate::exit::exit_code(&err), 2, "{path}");
            assert_eq!(
                err.to_string(),
                format!(
                    "-o names a file; did you mean -f {format}? (to write a file named {path}, \
                     use -o ./{path})"
                )
            );
        }
        let err = check_output_name("--export", Path::new("csv")).unwrap_err();
        assert!(err.to_string().contains("use --export ./csv"), "{err}");
        for fine in [
            "./csv", "out/csv", "csv.csv", "csvs", "auto", "failures", "-",
        ] {
            assert!(check_output_name("-o", Path::new(fine)).is_ok(), "{fine}");
        }
    }
}
