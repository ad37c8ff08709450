use super::walk::*;
use super::*;

fn raw(s: &str) -> Box<RawValue> {
    RawValue::from_string(s.to_string()).unwrap()
}

#[test]
fn cells_unescape_strings_and_blank_nulls() {
    let r = raw(r#"{"id":"a","error":"x, \"y\"\nz","objectId":null,"n":3,"o":{"k":[1]}}"#);
    let row = Row::parse(r.get()).unwrap();
    assert_eq!(row.cell("error"), "x, \"y\"\nz");
    assert_eq!(row.cell("objectId"), "");
    assert_eq!(row.cell("pulseId"), "");
    assert_eq!(row.cell("n"), "3");
    assert_eq!(row.cell("o"), r#"{"k":[1]}"#);
    assert_eq!(row.id().as_deref(), Some("a"));
}

#[test]
fn plain_strings_are_borrowed() {
    let r = raw(r#"{"error":"plain"}"#);
    let row = Row::parse(r.get()).unwrap();
    assert!(matches!(row.cell("error"), Cow::Borrowed("plain")));
}

#[test]
fn escaped_keys_are_found() {
    let r = raw(r#"{"err\u006fr":"k"}"#);
    assert_eq!(Row::parse(r.get()).unwrap().cell("error"), "k");
}

#[test]
fn flat_rows_split_in_one_pass_as_serde_splits_them() {
    for text in [
        r#"{"id":"a","error":"x, \"y\"\nz","objectId":null,"n":-3.5e2,"ok":true}"#,
        "{ \"id\" : \"a\" ,\n\t\"pulseId\":\"p\\\\\" , \"n\" : 7 }",
        r#"{}"#,
        r#" { } "#,
        r#"{"id":"a","id":"b"}"#,
        r#"{"e":"\u00e9\\","f":""}"#,
    ] {
        let flat = split_flat(text.as_bytes()).unwrap_or_else(|| panic!("{text}"));
        assert_eq!(flat, split(text.as_bytes()).unwrap(), "{text}");
        assert_eq!(flat, split_any(text.as_bytes()), "{text}");
        let (lazy, eager) = (Row::checked(text), Row::parse(text).unwrap());
        for name in [
            "id", "error", "objectId", "pulseId", "n", "ok", "e", "f", "x",
        ] {
            assert_eq!(lazy.cell(name), eager.cell(name), "{text} {name}");
        }
    }
    // Nested values and escaped names go the long way, with the same result.
    for text in [
        r#"{"id":"a","o":{"k":[1,"}"]}}"#,
        r#"{"err\u006fr":"k","id":"b"}"#,
        r#"{"a":[1,2],"id":"c"}"#,
    ] {
        assert_eq!(split_flat(text.as_bytes()), None, "{text}");
        assert_eq!(split_any(text.as_bytes()), split(text.as_bytes()).unwrap());
        let row = Row::checked(text);
        assert_eq!(row.cell("error"), Row::parse(text).unwrap().cell("error"));
        assert_eq!(row.id(), Row::parse(text).unwrap().id(), "{text}");
    }
    assert_eq!(Row::checked(r#"{"o":{"k":[1]}}"#).cell("o"), r#"{"k":[1]}"#);
}

/// The text a cell shows for a selected value, as the CSV writer makes it
/// (bytes), the same as the text the value gives.
fn shown(value: Option<Value<'_>>) -> String {
    let Some(value) = value else {
        return String::new();
    };
    let bytes = String::from_utf8(value.bytes(&mut Vec::new()).to_vec()).unwrap();
    assert_eq!(bytes, value.text());
    bytes
}

#[test]
fn select_finds_in_one_pass_what_cell_finds() {
    let names: Vec<String> = [
        "id", "error", "o", "n", "ok", "nul", "e", "x", "id", "bulkId",
    ]
    .map(String::from)
    .to_vec();
    let bulk = raw(r#""B\"1""#);
    for text in [
        r#"{"id":"a","error":"x, \"y\"\nz","o":{"k":[1,"}",{"a":"]"}]},"n":-3.5e2,"ok":true,"nul":null}"#,
        "{ \"id\" : \"a\" ,\n\t\"e\":\"p\\\\\" , \"n\" : 7 , \"o\" : [ ] }",
        r#"{}"#,
        r#" { } "#,
        r#"{"id":"a","id":"b","error":"first","error":"second"}"#,
        r#"{"e":"\u00e9\\\/\b\f\t\r\n","x":"","n":0}"#,
        r#"{"e":"\ud83d\udd12 lock","x":"\u7528\u6237"}"#,
        r#"{"n":1,"err\u006fr":"k","id":"late","error":"not first"}"#,
        r#"{"bulkId":"received","id":"r"}"#,
        r#"{"o":"\"}","error":"after a string with a brace"}"#,
        r#"{"error":"a, b, c","x":",","e":"no comma","id":"long enough to take two words, and a comma"}"#,
    ] {
        let r = raw(text);
        for added in [false, true] {
            let mut row = Row::parse(r.get()).unwrap();
            if added {
                row = row.with_field("bulkId", &bulk);
            }
            let mut values = vec![None; names.len()];
            row.select(&names, &mut values);
            for (name, value) in names.iter().zip(&values) {
                assert_eq!(shown(*value), row.cell(name), "{text} {name} {added}");
            }
        }
    }
}

#[test]
fn unescaping_agrees_with_serde() {
    for text in [
        r#""plain""#,
        r#""a\"b\\c\/d\be\ff\ng\rh\ti""#,
        r#""\u0041\u00e9\u7528\ud83d\udd12\u0000""#,
        r#""end\\""#,
        r#""""#,
    ] {
        let mut ours = Vec::new();
        unescape_into(text.as_bytes(), &mut ours);
        assert_eq!(
            String::from_utf8(ours).unwrap(),
            serde_json::from_str::<String>(text).unwrap(),
            "{text}"
        );
    }
}

use crate::page::json_gen::{self, cell_text, serde_members, string_text};
use proptest::prelude::*;

/// The names the properties ask rows for (`iD`: none has it).
const NAMES: [&str; 9] = ["id", "error", "x", "bulkId", "n", "é", "a,b", "", "iD"];

/// What serde makes of a row: the first member of each name, as text.
fn first(members: &[(String, Box<RawValue>)], name: &str) -> Option<String> {
    (members.iter())
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.get().to_string())
}

proptest! {
    #![proptest_config(json_gen::config())]

    /// Every escape undone as serde undoes it (a lone surrogate, which
    /// serde refuses to decode, as U+FFFD), appended to what was there.
    #[test]
    fn unescape_into_agrees_with_serde(literal in json_gen::string_literal()) {
        let mut ours = b"before".to_vec();
        unescape_into(literal.as_bytes(), &mut ours);
        let ours = String::from_utf8(ours);
        prop_assert_eq!(ours, Ok(format!("before{}", string_text(&literal))), "{}", literal);
    }

    /// A string's end is just past its closing quote, whatever follows;
    /// it says whether the string held an escape, and a comma.
    #[test]
    fn a_string_ends_past_its_closing_quote(
        literal in json_gen::string_literal(),
        tail in prop::sample::select(vec!["", ",\"z\":\"\\\"\"}", "}", " , \"a,\":1}"]),
    ) {
        let text = format!("{literal}{tail}");
        let (end, plain, comma) = string_end(text.as_bytes(), 1);
        prop_assert_eq!(end, literal.len(), "{}", text);
        prop_assert_eq!(plain, !literal.contains('\\'), "{}", text);
        if plain {
            prop_assert_eq!(comma, literal.contains(','), "{}", text);
        }
    }

    /// A member's value ends where serde says it does, before the
    /// spacing, comma or brace after it.
    #[test]
    fn a_value_ends_where_serde_says(
        value in json_gen::value(),
        tail in prop::sample::select(vec![",\"z\":1}", "}", " }", "\n,\"a\":[]}", "\t}"]),
    ) {
        let text = format!("{value}{tail}");
        let mut de = serde_json::Deserializer::from_str(&text);
        let raw: &RawValue = serde::Deserialize::deserialize(&mut de).unwrap();
        prop_assert_eq!(value_end(text.as_bytes(), 0), raw.get().len(), "{}", text);
    }

    /// The fields of a row, however they are read (one name, several
    /// in one pass, the id, the raw value, with a field added in front),
    /// are what serde reads: the first member of the name, a string's
    /// text, nothing for null or a missing field, other values as sent.
    #[test]
    fn row_fields_are_read_as_serde_reads_them(
        text in json_gen::row(),
        picks in prop::collection::vec(0..NAMES.len(), 1..12),
    ) {
        let names: Vec<String> = picks.iter().map(|&n| NAMES[n].to_string()).collect();
        let serde = serde_members(&text);
        let bulk = raw(r#""B \"1\"""#);
        for added in [false, true] {
            let mut row = Row::checked(&text);
            if added {
                row = row.with_field("bulkId", &bulk);
            }
            let mut values = vec![None; names.len()];
            row.select(&names, &mut values);
            for (name, value) in names.iter().zip(&values) {
                // One pass over the row finds what a lookup finds.
                prop_assert_eq!(shown(*value), row.cell(name), "{} {} {}", text, name, added);
                let Some(members) = &serde else { continue };
                let want = match first(members, name) {
                    _ if added && name == "bulkId" => Some(bulk.get().to_string()),
                    want => want,
                };
                let cell = want.as_deref().map(cell_text).unwrap_or_default();
                prop_assert_eq!(row.cell(name), cell, "{} {} {}", text, name, added);
                prop_assert_eq!(row.get(name).map(|r| r.get().to_string()), want, "{} {}", text, name);
            }
            if let Some(members) = &serde {
                let id = first(members, "id").and_then(|id| serde_json::from_str::<String>(&id).ok());
                prop_assert_eq!(row.id(), id, "{}", text);
            }
        }
        let serde = split(text.as_bytes()).ok();
        if let Some(flat) = split_flat(text.as_bytes()) {
            prop_assert_eq!(Some(flat), serde.clone(), "{}", text);
        }
        // Any row serde splits, the walk splits the same way.
        if let Some(serde) = serde {
            prop_assert_eq!(split_any(text.as_bytes()), serde, "{}", text);
        }
    }
}

#[test]
fn a_name_serde_cannot_decode_hides_no_other_field() {
    // A page check lets a lone surrogate pass (serde skips a row's
    // text without decoding it); the table's cell and the CSV's one
    // pass must both still find the fields around it.
    let text = r#"{"x":"😀","\ud800":"lone","id":"r1","error":"e"}"#;
    let row = Row::checked(text);
    assert_eq!(row.cell("x"), "😀");
    assert_eq!(row.cell("error"), "e");
    assert_eq!(row.cell("\u{fffd}"), "lone");
    assert_eq!(row.id().as_deref(), Some("r1"));
    let names = ["x", "error"].map(String::from);
    let mut values = [None; 2];
    row.select(&names, &mut values);
    assert_eq!(values.map(shown), ["😀", "e"]);
}

#[test]
fn a_row_that_is_not_an_object_is_refused() {
    let r = raw(r#"[1,2]"#);
    assert!(Row::parse(r.get()).is_err());
    let r = raw(r#""text""#);
    assert!(Row::parse(r.get()).is_err());
}
