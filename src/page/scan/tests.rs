use super::*;
use proptest::prelude::*;
use serde_json::value::RawValue;

/// What serde makes of a body, side by side with the quick reading: from
/// its bytes, a JSON value (`from_slice` of a raw value checks all its
/// text as UTF-8) read as the wire types.
fn serde(body: impl AsRef<[u8]>) -> Result<String, String> {
    let body = body.as_ref();
    serde_json::from_slice::<&RawValue>(body).map_err(|e| e.to_string())?;
    serde_json::from_slice::<ResultsBody<'_>>(body)
        .map(|b| format!("{b:?}"))
        .map_err(|e| e.to_string())
}

/// The quick reading of a text.
fn read(text: &str) -> Option<ResultsBody<'_>> {
    super::read(text.as_bytes())
}

/// The cursor peek of a text.
fn cursor_ahead(text: &str) -> Option<&str> {
    super::cursor_ahead(text.as_bytes())
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
fn a_body_laid_out_as_other_servers_write_it_is_read_the_quick_way() {
    let value: serde_json::Value = serde_json::from_str(USUAL).unwrap();
    let pretty = serde_json::to_string_pretty(&value).unwrap();
    let spaced = crate::page::json_gen::lay_out(USUAL, 1);
    let crlf = pretty.replace('\n', "\r\n\t");
    let after = USUAL
        .replace(r#""lastId":"c2","#, "")
        .replace(r#""s"]},"#, r#""s"],"lastId":"c2"},"#);
    assert!(
        spaced.contains(r#"{"content": {"bulkId": "B1", "lastId": "c2""#),
        "{spaced}"
    );
    assert!(after.contains(r#"],"lastId":"c2"}"#), "{after}");
    for body in [pretty, spaced, crlf, after] {
        let quick = read(&body).unwrap_or_else(|| panic!("{body}"));
        assert_eq!(Ok(format!("{quick:?}")), serde(&body), "{body}");
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

const UUID: &str = "018fd118-9400-7805-8ace-27de28e4e3df";

#[test]
fn a_cursor_after_the_rows_is_guessed_from_the_end_of_a_body() {
    let rows = r#"{"content":{"bulkId":"B1","results":[{"id":"a"}]"#;
    for (tail, want) in [
        (format!(r#","lastId":"{UUID}"}}}}"#), Some(UUID)),
        (
            format!(",\n    \"lastId\" : \"{UUID}\"\r\n  }}\n}}\n"),
            Some(UUID),
        ),
        (
            format!(r#","lastId":"{UUID}"}},"result":{{"status":200,"message":"OK"}}}}"#),
            Some(UUID),
        ),
        // Not a UUID, not the last member of an object, not a key's value.
        (r#","lastId":"c2"}}"#.to_string(), None),
        (format!(r#","lastId":"{UUID}","n":1}}}}"#), None),
        (r#","m":["lastId"]}}"#.to_string(), None),
        (
            format!(r#","lastId":"{}"}}}}"#, UUID.replace('-', "_")),
            None,
        ),
        (format!(r#","lastId":"{UUID}0"}}}}"#), None),
    ] {
        let body = format!("{rows}{tail}");
        assert_eq!(cursor_behind(body.as_bytes()), want, "{body}");
        assert_eq!(peek(body.as_bytes()), Peek::RowsFirst, "{body}");
    }
    // A lastId in a member after the page's: the last one is the guess,
    // which the page's checked cursor then refutes.
    let other = UUID.replace('0', "1");
    let body = format!(r#"{rows},"lastId":"{UUID}"}},"x":[{{"lastId":"{other}"}}]}}"#);
    assert_eq!(cursor_behind(body.as_bytes()), Some(other.as_str()));
    // Only the last kilobyte is read.
    let far = format!(
        r#"{rows},"lastId":"{UUID}"}},"pad":"{}"}}"#,
        "x".repeat(2000)
    );
    assert_eq!(cursor_behind(far.as_bytes()), None);
    let ahead = format!(r#"{{"content":{{"lastId":"{UUID}","results":[]}}}}"#);
    assert_eq!(peek(ahead.as_bytes()), Peek::Cursor(UUID));
    assert_eq!(peek(b"{\"result\":{}}"), Peek::Unknown);
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

#[test]
fn a_byte_that_is_not_utf8_leaves_the_body_to_serde_wherever_it_is() {
    // Each place holds `@`: in a row, a key, a cursor, a member passed over
    // (in `content`, in `result`, at the top, deep in a row), and outside
    // any string.
    let body = concat!(
        r#"{"content":{"bulkId":"B@","lastId":"c@","x@":1,"skip":{"a":["@"]},"#,
        r#""results":[{"id":"r@","n":[{"deep":"@"}],"e":"\u00e9@\n"}]},"#,
        r#""result":{"status":200,"message":"@"},"extra":"@"}@"#,
    );
    let places: Vec<usize> = body.match_indices('@').map(|(i, _)| i).collect();
    assert_eq!(places.len(), 10);
    let whole = body.replace('@', "");
    assert!(read(&whole).is_some());
    for (n, &at) in places.iter().enumerate() {
        for bad in crate::page::json_gen::BAD {
            let mut bytes = whole.as_bytes().to_vec();
            let at = at - n; // the `@`s before this one are gone
            bytes.splice(at..at, bad.iter().copied());
            let shown = String::from_utf8_lossy(&bytes);
            assert!(super::read(&bytes).is_none(), "{shown}");
            assert!(serde(&bytes).is_err(), "{shown}");
        }
    }
    // A valid character in each string is read the quick way.
    let valid = body.strip_suffix('@').unwrap().replace('@', "é");
    assert!(read(&valid).is_some(), "{valid}");
}

#[test]
fn serde_alone_lets_a_bad_byte_through_where_it_passes_over_a_member() {
    // Why a body left to serde is checked as UTF-8 as a whole first: the
    // wire types' reading does not check the strings it skips.
    let body = b"{\"content\":{\"skip\":\"\xff\",\"results\":[]}}";
    assert!(serde_json::from_slice::<ResultsBody<'_>>(body).is_ok());
    assert!(serde(body).is_err());
    assert!(super::read(body).is_none());
}

proptest! {
    /// Whatever a body holds, the quick reading is serde's or none: cut,
    /// with text put in, bytes that are not UTF-8 among it.
    #[test]
    fn the_quick_reading_never_differs_from_serde(
        cuts in proptest::collection::vec((
            0..USUAL.len(),
            prop_oneof![
                3 => "[ -~é\\t]{0,3}".prop_map(String::into_bytes),
                1 => prop::sample::select(crate::page::json_gen::BAD.to_vec()).prop_map(<[u8]>::to_vec),
            ],
            0..4usize,
        ), 1..4),
    ) {
        let mut body = USUAL.as_bytes().to_vec();
        for (at, with, drop) in cuts {
            let at = at.min(body.len());
            let end = (at + drop).min(body.len());
            body.splice(at..end, with);
        }
        agree(&body)?;
    }
}

/// The cursor serde reads in a body (`None`: serde refuses the body).
fn serde_cursor(body: &[u8]) -> Option<Option<String>> {
    serde(body).ok()?;
    let body = serde_json::from_slice::<ResultsBody<'_>>(body).ok()?;
    Some(body.last_id().map(str::to_string))
}

/// Whatever the cursor peek finds in a body serde takes is the cursor
/// serde reads there (it may find none).
fn check_cursor(body: &[u8]) -> Result<(), TestCaseError> {
    if let (Some(peeked), Some(cursor)) = (super::cursor_ahead(body), serde_cursor(body)) {
        let shown = String::from_utf8_lossy(body);
        prop_assert_eq!(Some(peeked.to_string()), cursor, "{}", shown);
    }
    Ok(())
}

/// The quick reading of a body's bytes is serde's, or none; it reads only
/// UTF-8; the peek finds serde's cursor, if any.
fn agree(body: &[u8]) -> Result<(), TestCaseError> {
    let shown = String::from_utf8_lossy(body);
    if let Some(quick) = super::read(body) {
        prop_assert!(std::str::from_utf8(body).is_ok(), "{}", shown);
        prop_assert_eq!(Ok(format!("{quick:?}")), serde(body), "{}", shown);
    }
    check_cursor(body)
}

proptest! {
    #![proptest_config(crate::page::json_gen::config())]

    /// Generated bodies (members in any order, of any type, rows of any
    /// shape): the quick reading is serde's or none, and so is the peek.
    #[test]
    fn generated_bodies_are_read_as_serde_reads_them(body in crate::page::json_gen::body()) {
        agree(body.as_bytes())?;
    }

    /// The same bodies with one string (a key, a row's, one passed over,
    /// the cursor) not UTF-8: never read the quick way.
    #[test]
    fn spoiled_bodies_are_left_to_serde(
        body in crate::page::json_gen::body(),
        at in any::<usize>(),
        bad in any::<usize>(),
    ) {
        let bytes = crate::page::json_gen::spoil(&body, at, bad);
        if body.contains(crate::page::json_gen::SPOT) {
            prop_assert!(super::read(&bytes).is_none(), "{}", String::from_utf8_lossy(&bytes));
        }
        agree(&bytes)?;
    }

    /// The same bodies cut, with bytes flipped, inserted and removed
    /// (bytes that are not UTF-8 among them).
    #[test]
    fn mutated_bodies_are_read_as_serde_reads_them_or_left_to_it(
        body in crate::page::json_gen::body(),
        edits in crate::page::json_gen::edits(),
    ) {
        agree(&crate::page::json_gen::mutate(&body, &edits))?;
    }

    /// A body of the usual shape (any rows, any spacing, laid out with
    /// `", "` or pretty-printed, `lastId` before or after `results`) is
    /// always read the quick way, and its cursor is found ahead of its
    /// rows when it comes first, and guessed from its end when it comes
    /// after them and is a UUID.
    #[test]
    fn usual_bodies_are_read_the_quick_way_and_their_cursor_ahead(
        cursor in "[a-zA-Z0-9-]{0,12}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        rows in proptest::collection::vec(crate::page::json_gen::row(), 0..6),
        ws in proptest::collection::vec(crate::page::json_gen::ws(), 6),
        layout in crate::page::json_gen::layout(),
        last in any::<bool>(),
    ) {
        let last_id = format!(r#"{}"lastId"{}:"{cursor}""#, ws[1], ws[2]);
        let results = format!(r#""results":[{}]"#, rows.join(","));
        let members = if last { [results, last_id] } else { [last_id, results] };
        let body = format!(
            r#"{{"content":{{"bulkId":"B1",{}}},"result":{{"status":200{}}}}}"#,
            members.join(","), ws[3],
        );
        let body = ws[0].clone() + &crate::page::json_gen::lay_out(&body, layout) + &ws[4];
        let quick = read(&body);
        prop_assert!(quick.is_some(), "{}", body);
        prop_assert_eq!(Ok(format!("{:?}", quick.unwrap())), serde(&body), "{}", body);
        let want = (!cursor.is_empty() && !last).then_some(cursor.as_str());
        prop_assert_eq!(cursor_ahead(&body), want, "{}", body);
        prop_assert_eq!(peek(body.as_bytes()) == Peek::RowsFirst, last, "{}", body);
        let guess = (last && cursor.len() == 36).then_some(cursor.as_str());
        prop_assert_eq!(cursor_behind(body.as_bytes()), guess, "{}", body);
        // Cut anywhere after the cursor, the peek still finds it.
        let at = body.find("\"results\"").unwrap();
        prop_assert_eq!(cursor_ahead(&body[..at]), want, "{}", body);
    }
}
