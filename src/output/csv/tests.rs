use crate::output::test_support::{layout, render};
use crate::output::Format;

#[test]
fn header_then_quoted_records() {
    let out = render(
        Format::Csv,
        layout(&["id", "error", "objectId"], true),
        &[
            &[r#"{"id":"1","error":"a, \"b\"\nc","objectId":null}"#],
            &[r#"{"id":"2"}"#],
        ],
    );
    assert_eq!(out, "id,error,objectId\n1,\"a, \"\"b\"\"\nc\",\n2,,\n");
}

#[test]
fn no_header_and_unknown_columns() {
    let out = render(
        Format::Csv,
        layout(&["nope", "id"], false),
        &[&[r#"{"id":"1"}"#]],
    );
    assert_eq!(out, ",1\n");
}

#[test]
fn csv_safe_neutralises_formulas_only_when_asked() {
    let rows: &[&str] = &[
        r#"{"id":"=HYPERLINK(\"http://x\")","error":"+1","n":"-2","at":"@SUM(A1)"}"#,
        r#"{"id":"\tx","error":"\rcmd","n":"ok","at":"a=b"}"#,
    ];
    let mut l = layout(&["id", "error", "n", "at"], false);
    l.csv_safe = true;
    let out = render(Format::Csv, l, &[rows]);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(out.as_bytes());
    let cells: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(String::from).collect())
        .collect();
    assert_eq!(
        cells[0],
        ["'=HYPERLINK(\"http://x\")", "'+1", "'-2", "'@SUM(A1)"]
    );
    assert_eq!(cells[1], ["'\tx", "'\rcmd", "ok", "a=b"]);
    let plain = render(
        Format::Csv,
        layout(&["error"], false),
        &[&[r#"{"error":"=1+1"}"#]],
    );
    assert_eq!(plain, "=1+1\n");
}

#[test]
fn excel_gets_a_byte_order_mark_and_crlf_everywhere() {
    let mut l = layout(&["id", "error"], true);
    l.excel = true;
    l.csv_safe = true;
    let out = render(
        Format::Csv,
        l,
        &[
            &[r#"{"id":"1","error":"用户不存在"}"#],
            &[
                r#"{"id":"2","error":"teléfono\ninválido"}"#,
                r#"{"id":"3","error":"=1+1"}"#,
            ],
        ],
    );
    assert_eq!(
        out,
        "\u{feff}id,error\r\n1,用户不存在\r\n2,\"teléfono\ninválido\"\r\n3,'=1+1\r\n"
    );
    let mut l = layout(&["id"], false);
    l.excel = true;
    let out = render(Format::Csv, l, &[&[r#"{"id":"1"}"#]]);
    assert_eq!(out, "\u{feff}1\r\n", "the mark even without a header");
}

#[test]
fn a_resumed_excel_output_gets_no_second_mark() {
    use crate::output::{writer, Row};
    let mut l = layout(&["id"], true);
    l.excel = true;
    let mut buf = Vec::new();
    {
        let mut w = writer(Format::Csv, &mut buf, l);
        w.resume_after(1);
        w.row(&Row::parse(r#"{"id":"2"}"#).unwrap()).unwrap();
        w.end_page().unwrap();
        w.finish().unwrap();
    }
    assert_eq!(buf, b"2\r\n");
}

#[test]
fn records_are_quoted_as_the_csv_crate_quotes_them() {
    use std::borrow::Cow;
    let cells = [
        "",
        "plain",
        "a,b",
        "say \"hi\"",
        "\"",
        "line\nbreak",
        "cr\rhere",
        "crlf\r\n",
        "tab\tok",
        " spaced ",
        "用户",
        "'quote",
        "#hash",
        "semi;colon",
        "pipe|d",
    ];
    let mut records: Vec<Vec<&str>> = cells.iter().map(|c| vec![*c]).collect();
    records.push(cells.to_vec());
    records.push(vec!["", ""]);
    records.push(vec![]);
    for (eol, terminator) in [
        (&b"\n"[..], csv::Terminator::Any(b'\n')),
        (b"\r\n", csv::Terminator::CRLF),
    ] {
        for delimiter in DELIMITERS {
            for cells in &records {
                let mut ours = Vec::new();
                let cells_in = cells.iter().map(|c| Cow::Borrowed(*c));
                super::record(&mut ours, (delimiter, eol), cells_in).unwrap();
                let mut theirs = csv::WriterBuilder::new()
                    .terminator(terminator)
                    .delimiter(delimiter)
                    .from_writer(Vec::new());
                theirs.write_record(cells).unwrap();
                let theirs = theirs.into_inner().unwrap();
                assert_eq!(
                    String::from_utf8_lossy(&ours),
                    String::from_utf8_lossy(&theirs),
                    "{cells:?} delimiter {:?}",
                    char::from(delimiter)
                );
            }
        }
    }
}

#[test]
fn every_cell_reads_back_as_the_row_holds_it() {
    use crate::output::Row;
    let rows = [
        r#"{"id":"1","error":"a, b","n":-2,"x":null}"#,
        r#"{"id":"2","error":"=a, b","n":1.5,"x":"+1"}"#,
        r#"{"id":"3","error":"q \"u\", \n\u00e9","x":{"k":[1,"a,b"]}}"#,
        r#"{"id":"4,5","error":"","n":true,"x":"@"}"#,
        r#"{"x":"only x, here"}"#,
    ];
    for safe in [false, true] {
        let mut l = layout(&["id", "error", "n", "x"], false);
        l.csv_safe = safe;
        let out = render(Format::Csv, l, &[&rows]);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(out.as_bytes());
        for (record, raw) in reader.records().zip(rows) {
            let record = record.unwrap();
            let row = Row::parse(raw).unwrap();
            for (cell, name) in record.iter().zip(["id", "error", "n", "x"]) {
                let want = row.cell(name);
                let want = match want.chars().next() {
                    Some('=' | '+' | '-' | '@' | '\t' | '\r') if safe => format!("'{want}"),
                    _ => want.into_owned(),
                };
                assert_eq!(cell, want, "{raw} {name} safe={safe}");
            }
        }
    }
}

/// Delimiters the tests try: the comma, and some `--delimiter` takes.
const DELIMITERS: [u8; 6] = [b',', b';', b'\t', b'|', b' ', b'#'];

#[test]
fn a_delimiter_separates_and_quotes_in_place_of_the_comma() {
    let rows: &[&str] = &[r#"{"id":"1","error":"a, b","n":"x;y","e":"\u0041;"}"#];
    let mut l = layout(&["id", "error", "n", "e"], true);
    l.delimiter = b';';
    let out = render(Format::Csv, l.clone(), &[rows]);
    assert_eq!(out, "id;error;n;e\n1;a, b;\"x;y\";\"A;\"\n");
    l.excel = true;
    let out = render(Format::Csv, l, &[rows]);
    assert_eq!(out, "\u{feff}id;error;n;e\r\n1;a, b;\"x;y\";\"A;\"\r\n");
}

use proptest::prelude::*;

/// A cell's text: what makes CSV quote it (quotes, commas, CR, LF,
/// CRLF), what `--csv-safe` marks (a leading `= + - @`, tab or CR),
/// spaces, `'`, `#` and non-ASCII text.
fn cell_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => "[a-z0-9 ]{1,4}",
        1 => prop::sample::select(vec![
            "\"", ",", "\r", "\n", "\r\n", "=", "+", "-", "@", "\t", "'", "#", "é", "用户", "😀", "\u{0}",
            ";", "|",
        ])
        .prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..5).prop_map(|p| p.concat())
}

/// A field as a row may hold it, with the text a cell shows for it:
/// missing, null, a string (escaped or not), a number, an object.
fn field() -> impl Strategy<Value = (Option<String>, String)> {
    prop_oneof![
        1 => Just((None, String::new())),
        1 => Just((Some("null".to_string()), String::new())),
        6 => (cell_text(), any::<bool>()).prop_map(|(text, escape_all)| {
            let json = if escape_all {
                // Every character as `\u` escapes: the long way.
                let units: String = text.encode_utf16().map(|u| format!("\\u{u:04x}")).collect();
                format!("\"{units}\"")
            } else {
                serde_json::to_string(&text).unwrap()
            };
            (Some(json), text)
        }),
        1 => "-?[1-9][0-9]{0,2}(\\.[0-9]{1,2})?".prop_map(|n| (Some(n.clone()), n)),
        1 => Just((Some(r#"{"k":[1,"a,b"]}"#.to_string()), r#"{"k":[1,"a,b"]}"#.to_string())),
    ]
}

proptest! {
    #![proptest_config(crate::page::json_gen::config())]

    /// Records are byte for byte what the csv crate writes for the
    /// cells the rows hold (with `--csv-safe`, a `'` before a cell a
    /// spreadsheet would run; with `--excel`, a byte order mark and
    /// CRLF; with `--delimiter`, that separator), and the csv crate reads
    /// the cells back.
    #[test]
    fn records_are_what_the_csv_crate_writes_for_the_cells(
        rows in prop::collection::vec(prop::collection::vec(field(), 1..5), 0..5),
        columns in 1..5usize,
        header in any::<bool>(),
        safe in any::<bool>(),
        excel in any::<bool>(),
        delimiter in prop::sample::select(DELIMITERS.to_vec()),
    ) {
        let names: Vec<String> = (0..columns).map(|n| format!("c{n}")).collect();
        let mut texts = Vec::new();
        let mut want_cells = Vec::new();
        for row in &rows {
            let members: Vec<String> = (row.iter().enumerate())
                .filter_map(|(n, (json, _))| Some(format!("\"c{n}\":{}", json.as_ref()?)))
                .collect();
            texts.push(format!("{{{}}}", members.join(",")));
            want_cells.push(
                (0..columns)
                    .map(|n| {
                        let text = row.get(n).map_or("", |(_, text)| text.as_str());
                        if safe && super::is_formula(text.as_bytes()) {
                            format!("'{text}")
                        } else {
                            text.to_string()
                        }
                    })
                    .collect::<Vec<_>>(),
            );
        }
        let mut l = layout(&names.iter().map(String::as_str).collect::<Vec<_>>(), header);
        l.csv_safe = safe;
        l.excel = excel;
        l.delimiter = delimiter;
        let page: Vec<&str> = texts.iter().map(String::as_str).collect();
        let ours = render(Format::Csv, l, &[&page]);

        let terminator = if excel { csv::Terminator::CRLF } else { csv::Terminator::Any(b'\n') };
        let mut theirs = csv::WriterBuilder::new()
            .terminator(terminator)
            .delimiter(delimiter)
            .from_writer(Vec::new());
        if header {
            theirs.write_record(&names).unwrap();
        }
        for cells in &want_cells {
            for cell in cells {
                theirs.write_field(cell).unwrap();
            }
            theirs.write_record(None::<&[u8]>).unwrap();
        }
        let mut theirs = String::from_utf8(theirs.into_inner().unwrap()).unwrap();
        if excel {
            theirs.insert(0, '\u{feff}');
        }
        prop_assert_eq!(&ours, &theirs, "{:?}", texts);

        let read = ours.strip_prefix('\u{feff}').unwrap_or(&ours);
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(header)
            .delimiter(delimiter)
            .from_reader(read.as_bytes());
        let back: Vec<Vec<String>> = reader
            .records()
            .map(|r| r.unwrap().iter().map(String::from).collect())
            .collect();
        prop_assert_eq!(back, want_cells);
    }
}

#[test]
fn empty_report_is_just_the_header() {
    let out = render(Format::Csv, layout(&["id"], true), &[]);
    assert_eq!(out, "id\n");
}
