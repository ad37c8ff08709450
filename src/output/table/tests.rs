use unicode_width::UnicodeWidthStr;

use super::*;
use crate::output::test_support::{layout, render};
use crate::output::Format;

/// Rows shaped like the demo's: uuid ids, 24-hex object ids, pulse ids,
/// errors with CJK, emoji, quotes and a line break.
const ROWS: [&str; 8] = [
    r#"{"id":"018fd118-9400-7805-8ace-27de28e4e3df","userIdentifierType":"pulse_id","pulseId":"pulse-2381879049"}"#,
    r#"{"id":"018fd118-9401-7ee6-9a99-a502ac9fafff","userIdentifierType":"object_id","objectId":"06cca3b9f3690badc4788a71","error":"用户不存在"}"#,
    r#"{"id":"018fd118-9402-7f93-b837-de212eb35970","userIdentifierType":"object_id","objectId":"1cb4620bcee0fc3b1488555d","pulseId":null,"error":"Invalid date format for \"birthDate\": expected YYYY-MM-DD"}"#,
    r#"{"id":"018fd118-9403-77a0-a8bc-0007e9c8d8b7","userIdentifierType":"pulse_id","pulseId":"pulse-8988856215","error":"Password policy: min 12 chars, 1 digit, 1 symbol 🔒"}"#,
    r#"{"id":"018fd118-9404-7319-9d7a-8d5077debe26","userIdentifierType":"object_id","objectId":"d305554b5748d8b9b972d958","error":"Field \"name\" exceeds max length (255)\nValue was rejected"}"#,
    r#"{"id":"018fd118-9405-7dfe-adca-ef508a10b418","userIdentifierType":"pulse_id","pulseId":"pulse-3821886466","error":"Conflicting update: user was modified concurrently, retry later"}"#,
    r#"{"id":"018fd118-9406-7bc5-ae8b-076767a65b48","userIdentifierType":"object_id","objectId":"172f7a23c9b035a7964baecb","error":"用户不存在，请检查标识符 🔒 并重试，或联系管理员以获取更多帮助"}"#,
    r#"{"id":"018fd118-9407-79d4-a693-ec482d31bc8c","userIdentifierType":"pulse_id","pulseId":"pulse-6710194614","error":"Número de documento inválido, compruebe el formato"}"#,
];

fn results(width: Option<usize>) -> Layout {
    let mut l = layout(&[], true);
    l.table_view = TableView::Results { bulk: false };
    l.width = width;
    l
}

/// The identifiers each row must show whole: its id and its user.
fn identifiers(raw: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(raw).unwrap();
    let mut ids = vec![v["id"].as_str().unwrap().to_string()];
    for key in ["objectId", "pulseId"] {
        if let Some(s) = v[key].as_str() {
            ids.push(s.to_string());
        }
    }
    ids
}

/// The header's words.
fn header(out: &str) -> Vec<&str> {
    out.lines()
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect()
}

/// One line per row, the identifiers of the columns shown (`ID`, `USER`)
/// whole on its row's line, no line wider than `width`.
fn assert_one_line_per_row(out: &str, rows: &[&str], width: usize) {
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), rows.len() + 1, "one line per row:\n{out}");
    let (id, user) = (header(out).contains(&"ID"), header(out).contains(&"USER"));
    assert!(id || user, "an identifier shown:\n{out}");
    for (line, raw) in lines[1..].iter().zip(rows) {
        let ids = identifiers(raw);
        let (first, users) = ids.split_at(1);
        let shown = (first.iter().filter(|_| id)).chain(users.iter().filter(|_| user));
        for id in shown {
            assert!(line.contains(id.as_str()), "{id} whole in {line:?}\n{out}");
        }
    }
    for line in &lines {
        assert!(
            line.width() <= width,
            "{} > {width}: {line:?}\n{out}",
            line.width()
        );
    }
}

#[test]
fn results_at_200_columns_show_everything_on_one_line() {
    let out = render(Format::Table, results(Some(200)), &[&ROWS]);
    assert_one_line_per_row(&out, &ROWS, 200);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["ID", "TYPE", "USER", "ERROR"]
    );
    assert!(lines[1].contains("  pulse   pulse-2381879049"), "{out}");
    assert!(
        lines[2].contains("  object  06cca3b9f3690badc4788a71  用户不存在"),
        "{out}"
    );
    assert!(out.contains("Conflicting update: user was modified concurrently, retry later"));
    assert!(out.contains("Field \"name\" exceeds max length (255)⏎Value was rejected"));
    assert!(!out.contains('…'), "nothing cut at 200:\n{out}");
    assert!(!out.contains("userIdentifierType") && !out.contains("pulse_id"));
}

#[test]
fn results_at_120_columns_cut_only_the_error() {
    let out = render(Format::Table, results(Some(120)), &[&ROWS]);
    assert_one_line_per_row(&out, &ROWS, 120);
    assert!(out.starts_with("ID  "), "{out}");
    assert!(out.lines().next().unwrap().contains("TYPE"));
    assert!(
        out.contains("  Conflicting update: user was modified concurren…\n"),
        "{out}"
    );
    // A cut never splits a two-column character past the limit: the line
    // ends a column short rather than half a 员 in.
    let cjk = out.lines().find(|l| l.contains("请检查")).unwrap();
    assert!(
        cjk.ends_with("  用户不存在，请检查标识符 🔒 并重试，或联系管理…"),
        "{out}"
    );
    assert_eq!(cjk.width(), 119);
}

/// Each row's error as the line shows it from display column `at` (the
/// columns before it are ASCII): whole, or cut with `…` to no fewer than
/// `least` columns.
fn assert_errors_from(out: &str, rows: &[&str], at: usize, least: usize) {
    for (line, raw) in out.lines().skip(1).zip(rows) {
        let v: serde_json::Value = serde_json::from_str(raw).unwrap();
        let error = v["error"].as_str().unwrap_or("").replace('\n', "⏎");
        let shown = line.get(at..).unwrap_or("");
        if shown != error {
            let kept = shown
                .strip_suffix('…')
                .unwrap_or_else(|| panic!("{shown:?} is {error:?} whole or cut with …\n{out}"));
            assert!(error.starts_with(kept), "{shown:?} from {error:?}\n{out}");
            // A two-column character may leave the cut a column short.
            assert!(shown.width() + 1 >= least, "{shown:?} < {least}\n{out}");
        }
    }
}

#[test]
fn results_at_60_80_100_120_200_columns_give_error_forty_or_all_after_user() {
    for (width, shown, error) in [
        (200, &["ID", "TYPE", "USER", "ERROR"][..], 128),
        (120, &["ID", "TYPE", "USER", "ERROR"], 48),
        (100, &["TYPE", "USER", "ERROR"], 66),
        (80, &["TYPE", "USER", "ERROR"], 46),
        (60, &["USER", "ERROR"], 34),
    ] {
        let out = render(Format::Table, results(Some(width)), &[&ROWS]);
        assert_one_line_per_row(&out, &ROWS, width);
        assert_eq!(header(&out), shown, "at {width}:\n{out}");
        let at = out.lines().next().unwrap().find("ERROR").unwrap();
        assert_eq!(width - at, error, "ERROR's columns at {width}:\n{out}");
        assert_errors_from(&out, &ROWS, at, error);
    }
}

#[test]
fn narrower_terminals_keep_user_whole_and_error_while_it_has_ten() {
    let at = |width| {
        let out = render(Format::Table, results(Some(width)), &[&ROWS]);
        for raw in ROWS {
            let user = identifiers(raw).pop().unwrap();
            assert!(out.contains(user.as_str()), "{user} at {width}:\n{out}");
        }
        assert_eq!(out.lines().count(), ROWS.len() + 1);
        header(&out).join(" ")
    };
    assert_eq!(at(40), "USER ERROR");
    assert_eq!(at(36), "USER ERROR");
    assert_eq!(at(35), "USER");
    // Narrower than an id: the id overflows, whole.
    assert_eq!(at(20), "USER");
}

#[test]
fn the_note_names_what_was_left_out_and_how_to_see_it() {
    let bulk_id = serde_json::value::RawValue::from_string(
        r#""018fcf0a-3b2c-7d41-9e5a-6c8b1f2d4e73""#.to_string(),
    )
    .unwrap();
    let note = |width, bulk| {
        let mut l = results(Some(width));
        l.table_view = TableView::Results { bulk };
        let mut writer = TableWriter::new(Vec::new(), l);
        for raw in ROWS {
            let row = Row::parse(raw).unwrap().with_field("bulkId", &bulk_id);
            writer.row(&row).unwrap();
        }
        let plan = writer.decide();
        writer.dropped_note(width, &plan.dropped)
    };
    assert_eq!(
        note(80, false),
        "ID left out to fit 80 columns; see it with --wide or --columns id,error"
    );
    assert_eq!(
        note(108, false),
        "TYPE left out to fit 108 columns; see it with --wide"
    );
    assert_eq!(
        note(60, false),
        "ID, TYPE left out; try --wide or --columns id,error"
    );
    assert_eq!(note(30, false), "ID, TYPE, ERROR left out");
    assert_eq!(
        note(120, true),
        "ID left out to fit 120 columns; see it with --wide or --columns id,error"
    );
    assert_eq!(
        note(100, true),
        "BULK, ID, TYPE left out to fit 100 columns; see them with --wide or --columns bulkId,id,error"
    );
}

#[test]
fn several_bulks_put_bulk_first() {
    let mut l = results(Some(200));
    l.table_view = TableView::Results { bulk: true };
    let row = r#"{"bulkId":"018fcf0a-3b2c-7d41-9e5a-6c8b1f2d4e73","id":"r1","userIdentifierType":"object_id","objectId":"o1","error":"bad"}"#;
    let out = render(Format::Table, l, &[&[row]]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["BULK", "ID", "TYPE", "USER", "ERROR"]
    );
    assert!(
        lines[1].starts_with("018fcf0a-3b2c-7d41-9e5a-6c8b1f2d4e73  r1"),
        "{out}"
    );
}

#[test]
fn type_is_shortened_and_user_is_the_identifier_the_type_names() {
    let rows = [
        r#"{"id":"1","userIdentifierType":"object_id","objectId":"OBJ","pulseId":"PUL"}"#,
        r#"{"id":"2","userIdentifierType":"pulse_id","objectId":"OBJ","pulseId":"PUL"}"#,
        r#"{"id":"3","pulseId":"PUL"}"#,
        r#"{"id":"4","userIdentifierType":"email","objectId":"OBJ"}"#,
    ];
    let out = render(Format::Table, results(None), &[&rows]);
    let cells: Vec<Vec<&str>> = out
        .lines()
        .skip(1)
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(
        cells,
        [
            vec!["1", "object", "OBJ"],
            vec!["2", "pulse", "PUL"],
            vec!["3", "PUL"],
            vec!["4", "email", "OBJ"],
        ],
        "{out}"
    );
}

#[test]
fn columns_are_field_names_shown_as_given() {
    let mut l = layout(&["error", "objectId", "id"], true);
    l.width = Some(60);
    let out = render(Format::Table, l, &[&ROWS[1..3]]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["error", "objectId", "id"],
        "{out}"
    );
    assert_eq!(lines.len(), 3, "{out}");
    // The error gives way to the identifiers, which stay whole even if the
    // line then overflows.
    assert_eq!(
        lines[2], "Invalid d…  1cb4620bcee0fc3b1488555d  018fd118-9402-7f93-b837-de212eb35970",
        "{out}"
    );
    assert!(lines[2].width() > 60);
}

#[test]
fn without_a_width_nothing_is_cut_or_left_out() {
    let out = render(Format::Table, results(None), &[&ROWS]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), ROWS.len() + 1);
    assert!(lines[0].contains("TYPE") && lines[0].contains("USER"));
    assert!(!out.contains('…'), "{out}");
    assert!(out.contains("Conflicting update: user was modified concurrently, retry later"));
}

#[test]
fn wide_wraps_text_in_its_column_and_keeps_ids_whole() {
    let wide = |width| {
        let mut l = results(Some(width));
        l.wide = true;
        render(Format::Table, l, &[&ROWS])
    };
    let out = wide(120);
    let lines: Vec<&str> = out.lines().collect();
    assert!(lines.len() > ROWS.len() + 1, "some rows wrap:\n{out}");
    assert!(!out.contains('…'), "nothing cut:\n{out}");
    assert!(lines.iter().all(|l| l.width() <= 120), "{out}");
    // ERROR starts where its header does, on every line of a wrapped row,
    // and the text reads whole across them.
    let at = lines[0].find("ERROR").unwrap();
    let start = lines
        .iter()
        .position(|l| l.contains("Conflicting"))
        .unwrap();
    assert_eq!(lines[start].find("Conflicting"), Some(at), "{out}");
    let next = lines[start + 1];
    assert_eq!(next.len() - next.trim_start().len(), at, "{out}");
    let text = format!("{} {}", &lines[start][at..], next.trim_start());
    assert_eq!(
        text,
        "Conflicting update: user was modified concurrently, retry later"
    );
    // At 80 nothing is left out: the lines run past the terminal instead,
    // and identifiers stay whole.
    let out = wide(80);
    assert_eq!(
        out.lines()
            .next()
            .unwrap()
            .split_whitespace()
            .collect::<Vec<_>>(),
        ["ID", "TYPE", "USER", "ERROR"],
        "{out}"
    );
    for raw in ROWS {
        for id in identifiers(raw) {
            assert_eq!(
                out.matches(id.as_str()).count(),
                1,
                "{id} whole once:\n{out}"
            );
        }
    }
    assert!(!out.contains('…'), "nothing cut:\n{out}");
    // ERROR wraps inside 20 columns, not the 8 that are left: its lines
    // run past the terminal instead.
    let lines: Vec<&str> = out.lines().collect();
    let at = lines[0].find("ERROR").unwrap();
    assert_eq!(at, 36 + 6 + 24 + 6);
    let errors: Vec<&str> = lines.iter().filter_map(|l| l.get(at..)).collect();
    assert!(errors.iter().all(|e| e.width() <= 20), "{out}");
    assert!(errors.iter().any(|e| e.width() > 15), "{out}");
    assert!(lines.iter().any(|l| l.width() > 80), "{out}");
}

#[test]
fn wide_never_wraps_a_column_narrower_than_twenty() {
    // The first page makes userIdentifierType 18 columns (its header); a
    // longer type later on is shown whole and pushes ERROR right.
    let mut l = layout(&["userIdentifierType", "error"], true);
    (l.width, l.wide) = (Some(40), true);
    let late = r#"{"userIdentifierType":"an_identifier_type_of_some_length","error":"late"}"#;
    let out = render(Format::Table, l, &[&ROWS[..1], &[late]]);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines,
        [
            "userIdentifierType  error",
            "pulse_id",
            "an_identifier_type_of_some_length  late"
        ],
        "{out}"
    );
}

#[test]
fn a_later_longer_id_pushes_its_line_right_and_stays_whole() {
    let long = "018fd118-9408-721c-af4f-5608991b64ad-and-then-some";
    let later = format!(
        r#"{{"id":"{long}","userIdentifierType":"pulse_id","pulseId":"pulse-4117739986","error":"late"}}"#
    );
    let out = render(
        Format::Table,
        results(Some(120)),
        &[&ROWS, &[later.as_str()]],
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), ROWS.len() + 2, "{out}");
    let last = lines.last().unwrap();
    assert!(last.starts_with(&format!("{long}  pulse ")), "{out}");
    let type_at = lines[0].find("TYPE").unwrap();
    assert_eq!(last.find("pulse"), Some(long.len() + 2));
    assert!(long.len() + 2 > type_at);
    assert!(last.ends_with("pulse-4117739986          late"), "{out}");
}

#[test]
fn pages_line_up_under_one_header() {
    let out = render(
        Format::Table,
        layout(&["id", "error"], true),
        &[
            &[r#"{"id":"1","error":"short"}"#],
            &[r#"{"id":"22","error":"x"}"#],
        ],
    );
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines, ["id  error", "1   short", "22  x"], "{out}");
}

#[test]
fn line_breaks_show_as_a_mark_and_control_characters_are_escaped() {
    let row: &[&str] = &[r#"{"error":"a\u001b[2Jb\nc\r\nd\te"}"#];
    let out = render(Format::Table, layout(&["error"], false), &[row]);
    assert_eq!(out, "a\\u{1b}[2Jb⏎c⏎d e\n");
    let mut l = layout(&["error"], false);
    l.utf8 = false;
    let out = render(Format::Table, l, &[row]);
    assert_eq!(out, "a\\u{1b}[2Jb\\nc\\nd e\n");
}

#[test]
fn color_makes_the_header_bold_and_only_then() {
    let row: &[&str] = &[r#"{"id":"1"}"#];
    let mut l = layout(&["id"], true);
    assert!(!render(Format::Table, l.clone(), &[row]).contains('\u{1b}'));
    l.color = true;
    let out = render(Format::Table, l, &[row]);
    assert!(out.starts_with("\u{1b}[1mid\u{1b}[0m\n1\n"), "{out:?}");
}

#[test]
fn no_header_means_rows_only() {
    let mut l = results(Some(120));
    l.header = false;
    let out = render(Format::Table, l, &[&ROWS[..2]]);
    assert_eq!(out.lines().count(), 2);
    assert!(
        out.starts_with("018fd118-9400-7805-8ace-27de28e4e3df  pulse "),
        "{out}"
    );
}
