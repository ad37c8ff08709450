use super::*;
use proptest::prelude::*;

/// What serde makes of a body, side by side with the quick reading.
fn serde(text: &str) -> Result<String, String> {
    serde_json::from_str::<ResultsBody<'_>>(text)
        .map(|b| format!("{b:?}"))
        .map_err(|e| e.to_string())
}

const USUAL: &str = concat!(
    r#"{"content":{"bulkId":"B1","lastId":"c2","results":["#,
    r#"{"id":"a","n":-1.5e+3,"ok":true,"no":false,"x":null,"s":"q\"\\\/\b\f\n\r\t\u00e9"},"#,
    r#" { "v" : [ 1 , {"w":[]} , "é" ] , "id" : "b" } ,"#,
    r#"{},42,[],"s"]},"#,
    r#""result":{"status":200,"message":"ok"},"extra":[{"deep":[0.5]}]}"#,
);

#[test]
fn the_usual_body_is_read_as_serde_reads_it() {
    let quick = read(USUAL).expect("the quick reading takes the usual body");
    assert_eq!(Ok(format!("{quick:?}")), serde(USUAL));
    for body in [
        "{}",
        r#"{"content":null,"result":null}"#,
        r#" {"content":{"results":null,"lastId":null,"bulkId":null}} "#,
        r#"{"result":{"status":null}}"#,
        r#"{"content":{"results":[]}}"#,
    ] {
        let quick = read(body).unwrap_or_else(|| panic!("{body}"));
        assert_eq!(Ok(format!("{quick:?}")), serde(body), "{body}");
    }
}

#[test]
fn a_cursor_ahead_of_the_rows_is_read_from_the_start_of_a_body() {
    for (body, want) in [
        (
            r#"{"content":{"bulkId":"B1","lastId":"c2","results":[{"#,
            Some("c2"),
        ),
        (r#" { "content" : { "lastId" : "c2" "#, Some("c2")),
        (r#"{"content":{"n":[1,{"a":"]"}],"lastId":"c2""#, Some("c2")),
        (r#"{"content":{"lastId":"c"#, None),
        (r#"{"content":{"lastId":"","results":[]}}"#, None),
        (r#"{"content":{"lastId":"c\u0032"}}"#, None),
        (r#"{"content":{"lastId":5}}"#, None),
        (r#"{"content":{"results":[],"lastId":"c2"}}"#, None),
        (
            r#"{"result":{"status":200},"content":{"lastId":"c2"}}"#,
            None,
        ),
        (r#"{"content":null}"#, None),
        (r#"[{"content":{"lastId":"c2"}}]"#, None),
    ] {
        assert_eq!(cursor_ahead(body), want, "{body}");
    }
    assert_eq!(cursor_ahead(USUAL), Some("c2"));
}

#[test]
fn anything_unusual_is_left_to_serde() {
    for body in [
        // Broken JSON, each a way serde refuses.
        "",
        "{",
        r#"{"content":{"results":[{"a":01}]}}"#,
        r#"{"content":{"results":[{"a":1.}]}}"#,
        r#"{"content":{"results":[{"a":1e}]}}"#,
        r#"{"content":{"results":[{"a":-}]}}"#,
        r#"{"content":{"results":[{"a":"\x"}]}}"#,
        r#"{"content":{"results":[{"a":"\u12"}]}}"#,
        "{\"content\":{\"results\":[{\"a\":\"\t\"}]}}",
        r#"{"content":{"results":[{"a":tru}]}}"#,
        r#"{"content":{"results":[{"a":1,}]}}"#,
        r#"{"content":{"results":[{"a":1}],}}"#,
        r#"{"content":{"results":[{1:1}]}}"#,
        r#"{"content":{"results":[{"a" 1}]}}"#,
        r#"{"content":{"results":[1 2]}}"#,
        r#"{} x"#,
        // Valid JSON that serde refuses or reads in its own way.
        r#"{"content":{},"content":{}}"#,
        r#"{"content":{"lastId":"a","lastId":"b"}}"#,
        r#"{"result":{"status":1,"status":2}}"#,
        r#"{"c\u006fntent":{"results":[]}}"#,
        r#"{"content":{"lastId":"a\u0062"}}"#,
        r#"{"content":{"lastId":5}}"#,
        r#"{"content":{"results":{}}}"#,
        r#"{"content":["B1","c",[]]}"#,
        r#"{"result":[200]}"#,
        "[]",
        "null",
    ] {
        assert!(read(body).is_none(), "{body}");
    }
    let deep = format!(
        r#"{{"content":{{"results":[{}{}]}}}}"#,
        "[".repeat(200),
        "]".repeat(200)
    );
    assert!(read(&deep).is_none());
}

proptest! {
    /// Whatever a body holds, the quick reading is serde's or none.
    #[test]
    fn the_quick_reading_never_differs_from_serde(
        cuts in proptest::collection::vec((0..USUAL.len(), "[ -~é\\t]{0,3}", 0..4usize), 1..4),
    ) {
        let mut body = USUAL.to_string();
        for (at, with, drop) in cuts {
            let mut at = at.min(body.len());
            while !body.is_char_boundary(at) {
                at -= 1;
            }
            let mut end = (at + drop).min(body.len());
            while !body.is_char_boundary(end) {
                end += 1;
            }
            body.replace_range(at..end, &with);
        }
        if let Some(quick) = read(&body) {
            prop_assert_eq!(Ok(format!("{quick:?}")), serde(&body), "{}", body);
        }
    }
}

/// The cursor serde reads in a body (`None`: serde refuses the body).
fn serde_cursor(text: &str) -> Option<Option<String>> {
    let body = serde_json::from_str::<ResultsBody<'_>>(text).ok()?;
    Some(body.last_id().map(str::to_string))
}

/// Whatever the cursor peek finds in a body serde takes is the cursor
/// serde reads there (it may find none).
fn check_cursor(text: &str) -> Result<(), TestCaseError> {
    if let (Some(peeked), Some(cursor)) = (cursor_ahead(text), serde_cursor(text)) {
        prop_assert_eq!(Some(peeked.to_string()), cursor, "{}", text);
    }
    Ok(())
}

proptest! {
    #![proptest_config(crate::page::json_gen::config())]

    /// Generated bodies (members in any order, of any type, rows of any
    /// shape): the quick reading is serde's or none, and so is the peek.
    #[test]
    fn generated_bodies_are_read_as_serde_reads_them(body in crate::page::json_gen::body()) {
        if let Some(quick) = read(&body) {
            prop_assert_eq!(Ok(format!("{quick:?}")), serde(&body), "{}", body);
        }
        check_cursor(&body)?;
    }

    /// The same bodies cut, with bytes flipped, inserted and removed.
    #[test]
    fn mutated_bodies_are_read_as_serde_reads_them_or_left_to_it(
        body in crate::page::json_gen::body(),
        edits in crate::page::json_gen::edits(),
    ) {
        let bytes = crate::page::json_gen::mutate(&body, &edits);
        if let Ok(body) = std::str::from_utf8(&bytes) {
            if let Some(quick) = read(body) {
                prop_assert_eq!(Ok(format!("{quick:?}")), serde(body), "{}", body);
            }
            check_cursor(body)?;
        }
    }

    /// A body of the usual shape (any rows, any spacing) is always read
    /// the quick way, and its cursor is always found ahead of its rows.
    #[test]
    fn usual_bodies_are_read_the_quick_way_and_their_cursor_ahead(
        cursor in "[a-zA-Z0-9-]{0,12}",
        rows in proptest::collection::vec(crate::page::json_gen::row(), 0..6),
        ws in proptest::collection::vec(crate::page::json_gen::ws(), 6),
    ) {
        let body = format!(
            r#"{}{{"content":{{"bulkId":"B1",{}"lastId"{}:"{cursor}","results":[{}]}},"result":{{"status":200{}}}}}{}"#,
            ws[0], ws[1], ws[2], rows.join(","), ws[3], ws[4],
        );
        let quick = read(&body);
        prop_assert!(quick.is_some(), "{}", body);
        prop_assert_eq!(Ok(format!("{:?}", quick.unwrap())), serde(&body), "{}", body);
        let want = (!cursor.is_empty()).then_some(cursor.as_str());
        prop_assert_eq!(cursor_ahead(&body), want, "{}", body);
        // Cut anywhere after the cursor, the peek still finds it.
        let at = body.find("\"results\"").unwrap();
        prop_assert_eq!(cursor_ahead(&body[..at]), want, "{}", body);
    }
}
