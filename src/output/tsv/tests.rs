use crate::output::test_support::{layout, render};
use crate::output::Format;

/// TSV read back: lines, cells split on tabs, escapes undone.
fn read(tsv: &str) -> Vec<Vec<String>> {
    let unescape = |cell: &str| {
        let mut out = String::new();
        let mut chars = cell.chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            out.push(match chars.next() {
                Some('t') => '\t',
                Some('n') => '\n',
                Some('r') => '\r',
                Some('\\') => '\\',
                other => panic!("a lone backslash before {other:?} in {cell:?}"),
            });
        }
        out
    };
    let body = tsv.strip_suffix('\n').expect("every line ends in LF");
    body.split('\n')
        .map(|line| line.split('\t').map(unescape).collect())
        .collect()
}

#[test]
fn header_then_one_line_a_row_with_escapes() {
    let out = render(
        Format::Tsv,
        layout(&["id", "error", "n", "x", "gone"], true),
        &[
            &[r#"{"id":"1","error":"a\tb\nc\r\nd \\ e, \"f\"","n":1.50,"x":null}"#],
            &[r#"{"id":"2","x":{"k":[1,"a\tb"]},"error":"plain"}"#],
        ],
    );
    assert_eq!(
        out,
        "id\terror\tn\tx\tgone\n\
         1\ta\\tb\\nc\\r\\nd \\\\ e, \"f\"\t1.50\t\t\n\
         2\tplain\t\t{\"k\":[1,\"a\\\\tb\"]}\t\n"
    );
    assert_eq!(
        read(&out)[1],
        ["1", "a\tb\nc\r\nd \\ e, \"f\"", "1.50", "", ""]
    );
    assert_eq!(read(&out)[2][3], r#"{"k":[1,"a\tb"]}"#);
}

#[test]
fn no_header_and_an_empty_report() {
    let out = render(Format::Tsv, layout(&["id"], false), &[&[r#"{"id":"r1"}"#]]);
    assert_eq!(out, "r1\n");
    assert_eq!(
        render(Format::Tsv, layout(&["id", "error"], true), &[]),
        "id\terror\n"
    );
    let out = render(Format::Tsv, layout(&["a\tb"], true), &[]);
    assert_eq!(out, "a\\tb\n", "a header is escaped as cells are");
}

#[test]
fn csv_safe_marks_formulas_in_tsv_too() {
    let rows: &[&str] = &[r#"{"a":"=1+1","b":"\t@x","c":"-2","d":"ok=1"}"#];
    let mut l = layout(&["a", "b", "c", "d"], false);
    l.csv_safe = true;
    let out = render(Format::Tsv, l, &[rows]);
    assert_eq!(out, "'=1+1\t'\\t@x\t'-2\tok=1\n");
    let plain = render(Format::Tsv, layout(&["a"], false), &[rows]);
    assert_eq!(plain, "=1+1\n");
}

use proptest::prelude::*;

/// A cell's text, with what TSV must escape and what it must not touch.
fn cell_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        4 => "[a-z0-9 ]{1,4}",
        1 => prop::sample::select(vec![
            "\t", "\n", "\r", "\r\n", "\\", "\\t", "\\n", "\"", ",", "=", "'", "é", "用户", "\u{0}",
        ])
        .prop_map(String::from),
    ];
    prop::collection::vec(piece, 0..5).prop_map(|p| p.concat())
}

proptest! {
    #![proptest_config(crate::page::json_gen::config())]

    /// Every record is one line of exactly as many cells as columns, and
    /// reads back (escapes undone) as the text each cell holds, whether
    /// the row's string had escapes or not; missing fields are empty.
    #[test]
    fn each_row_is_one_line_that_reads_back_as_its_cells(
        rows in prop::collection::vec(
            prop::collection::vec((prop::option::of(cell_text()), any::<bool>()), 1..5),
            1..5,
        ),
        safe in any::<bool>(),
    ) {
        let columns = rows.iter().map(Vec::len).max().unwrap_or(1);
        let names: Vec<String> = (0..columns).map(|n| format!("c{n}")).collect();
        let mut texts = Vec::new();
        let mut want = Vec::new();
        for row in &rows {
            let members: Vec<String> = (row.iter().enumerate())
                .filter_map(|(n, (text, escape_all))| {
                    let text = text.as_ref()?;
                    let json = if *escape_all {
                        let units: String =
                            text.encode_utf16().map(|u| format!("\\u{u:04x}")).collect();
                        format!("\"{units}\"")
                    } else {
                        serde_json::to_string(text).unwrap()
                    };
                    Some(format!("\"c{n}\":{json}"))
                })
                .collect();
            texts.push(format!("{{{}}}", members.join(",")));
            want.push(
                (0..columns)
                    .map(|n| {
                        let text = row.get(n).and_then(|(t, _)| t.clone()).unwrap_or_default();
                        if safe && super::is_formula(text.as_bytes()) {
                            format!("'{text}")
                        } else {
                            text
                        }
                    })
                    .collect::<Vec<_>>(),
            );
        }
        let mut l = layout(&names.iter().map(String::as_str).collect::<Vec<_>>(), true);
        l.csv_safe = safe;
        let page: Vec<&str> = texts.iter().map(String::as_str).collect();
        let out = render(Format::Tsv, l, &[&page]);
        prop_assert_eq!(out.matches('\n').count(), rows.len() + 1, "{:?}", out);
        prop_assert!(!out.contains('\r'), "{:?}", out);
        let back = read(&out);
        prop_assert_eq!(&back[0], &names);
        prop_assert_eq!(&back[1..], &want[..], "{:?}", texts);
    }
}
