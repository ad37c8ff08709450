use super::*;

fn expect<'a>(sent: Option<&'a str>, before: Option<&'a str>) -> Expect<'a> {
    Expect {
        bulk_id: "B1",
        sent,
        before,
        ordered: true,
    }
}

fn protocol(body: &str) -> String {
    match read(body.as_bytes(), &expect(None, None)) {
        Err(Broken::Protocol(why)) => why,
        other => panic!("{body}: {other:?}"),
    }
}

#[test]
fn broken_bodies_break_the_protocol_and_say_where() {
    assert!(protocol("{}").contains("neither"));
    assert!(protocol("[]").contains("at byte 0"), "{}", protocol("[]"));
    let numeric = protocol(r#"{"content":{"lastId":5}}"#);
    assert!(
        numeric.contains("invalid type: integer `5`, expected a string, at byte 2"),
        "{numeric}"
    );
    assert!(protocol(r#"{"content":{"results":{}}}"#).contains("invalid type: map"));
    assert!(protocol("<html>").contains("not a JSON object"));
    assert!(
        protocol("{x").contains("key must be a string, at byte 1"),
        "{}",
        protocol("{x")
    );
    assert!(protocol(r#"{"content":{"bulkId":"B2","results":[]}}"#).contains("\"B2\""));
    let bad_utf8 = b"{\"content\":{\"results\":[{\"id\":\"a\xff\"}]}}";
    assert!(matches!(
        read(bad_utf8, &expect(None, None)),
        Err(Broken::Protocol(_))
    ));
}

#[test]
fn a_body_that_ends_early_is_cut_short() {
    let got = read(br#"{"content":{"results":[{"id":"a"}"#, &expect(None, None));
    assert!(matches!(got, Err(Broken::CutShort(_))), "{got:?}");
    // Even in the middle of a character.
    let got = read(
        b"{\"content\":{\"results\":[{\"id\":\"\xe7\x94",
        &expect(None, None),
    );
    assert!(matches!(got, Err(Broken::CutShort(_))), "{got:?}");
}

#[test]
fn a_status_outside_2xx_is_that_status_and_no_errors_is_fine() {
    for (body, want) in [
        (
            r#"{"content":null,"result":{"status":500,"message":"x"}}"#,
            500,
        ),
        (r#"{"content":{"results":[]},"result":{"status":404}}"#, 404),
    ] {
        assert_eq!(
            read(body.as_bytes(), &expect(None, None)),
            Ok(Body::Status(want))
        );
    }
    for body in [
        r#"{"result":{"status":200,"message":"No errors for the bulk process"}}"#,
        r#"{"content":{"results":[]}}"#,
        r#"{"content":{"bulkId":"b1","results":[]}}"#,
    ] {
        assert!(matches!(
            read(body.as_bytes(), &expect(None, None)),
            Ok(Body::Rows {
                ref rows,
                last_id: None,
                ..
            }) if rows.is_empty()
        ));
    }
}

#[test]
fn rows_must_come_after_the_cursor_and_each_other() {
    let page = |ids: &[&str]| {
        let rows: Vec<String> = ids.iter().map(|i| format!(r#"{{"id":"{i}"}}"#)).collect();
        format!(r#"{{"content":{{"results":[{}]}}}}"#, rows.join(","))
    };
    let ok = read(
        page(&["b", "C", "d"]).as_bytes(),
        &expect(Some("a"), Some("a")),
    );
    assert!(matches!(ok, Ok(Body::Rows { last_row: Some(ref l), .. }) if l == "d"));
    for (ids, sent, before) in [
        (&["b", "b"][..], None, None),
        (&["c", "b"][..], None, None),
        (&["a"][..], Some("a"), None),
        (&["b"][..], Some("a"), Some("c")),
    ] {
        let got = read(page(ids).as_bytes(), &expect(sent, before));
        assert!(
            matches!(got, Err(Broken::Protocol(ref w)) if w.contains("out of order")),
            "{ids:?}"
        );
    }
    // Rows without an id take no part; --unordered turns the check off.
    let no_ids = r#"{"content":{"results":[{"id":"b"},{"x":1},{"id":"c"}]}}"#;
    assert!(read(no_ids.as_bytes(), &expect(None, None)).is_ok());
    let unordered = Expect {
        ordered: false,
        ..expect(None, None)
    };
    assert!(read(page(&["c", "b"]).as_bytes(), &unordered).is_ok());
}

#[test]
fn rows_are_walked_one_at_a_time_from_where_they_lie() {
    let body =
        "{\"content\":{\"results\": [ {\"id\":\"a\",\"x\":[1,{}]} ,\n{\"y\":\"],\"}, {} ] }}";
    let Ok(Body::Rows { rows, .. }) = read(body.as_bytes(), &expect(None, None)) else {
        panic!("{body}");
    };
    let got: Vec<&str> = rows.ranges().map(|r| &body[r]).collect();
    assert_eq!(got, [r#"{"id":"a","x":[1,{}]}"#, r#"{"y":"],"}"#, "{}"]);
    for ordered in [true, false] {
        let got = read(
            br#"{"content":{"results":[{},42]}}"#,
            &Expect {
                ordered,
                ..expect(None, None)
            },
        );
        assert!(
            matches!(got, Err(Broken::Protocol(ref w)) if w.contains("row 2: 42")),
            "{got:?}"
        );
    }
}

#[test]
fn a_body_that_is_not_utf8_says_where_as_before() {
    // The first byte that is not UTF-8, counted in the whole body, wherever
    // it is: in a row, in a member passed over, in a key, outside strings.
    for (body, at) in [
        (&b"{\"content\":{\"results\":[{\"id\":\"a\xff\"}]}}"[..], 31),
        (b"{\"content\":{\"x\":\"\xc3(\",\"results\":[]}}", 17),
        (
            b"{\"result\":{\"status\":200,\"message\":\"\xed\xa0\x80\"}}",
            35,
        ),
        (b"{\"c\xc0\xafntent\":{}}", 3),
        (b"{\"content\":{\"results\":[]}}\xff", 26),
        (b"\xef\xbb\xbf\xff{}", 3),
        (b"\xff", 0),
        // Valid UTF-8 up to a bad byte, and broken JSON after it: the byte
        // is what is said.
        (b"{\"content\":{\"lastId\":\"\xe7\x94x\",", 22),
    ] {
        let want =
            format!("is not the JSON the API documents (invalid unicode code point, at byte {at})");
        assert_eq!(
            read(body, &expect(None, None)),
            Err(Broken::Protocol(want)),
            "{}",
            String::from_utf8_lossy(body)
        );
    }
    // A body that ends inside a character is cut short, wherever it ends.
    for body in [
        &b"{\"content\":{\"results\":[{\"id\":\"\xe7\x94"[..],
        b"{\"content\":{\"results\":[]}}\xf0\x9f\x98",
        b"\xc3",
    ] {
        let want = format!(
            "is not valid JSON: it ends early, after {} bytes",
            body.len()
        );
        assert_eq!(read(body, &expect(None, None)), Err(Broken::CutShort(want)));
    }
}

use crate::page::json_gen;
use proptest::prelude::*;
use serde_json::value::RawValue;

/// serde_json's verdict on a body's bytes: a JSON value (`from_slice` of a
/// raw value checks all its text as UTF-8) read as the wire types.
fn serde_slice(body: &[u8]) -> Result<String, ()> {
    serde_json::from_slice::<&RawValue>(body).map_err(drop)?;
    serde_json::from_slice::<ResultsBody<'_>>(body)
        .map(|b| format!("{b:?}"))
        .map_err(drop)
}

/// The page reader on a body's bytes: it parses them as serde_json does
/// (takes what serde takes, and reads it the same), the quick way or not;
/// the quick way gives what the way of the whole-body check and serde
/// gives (messages and all); a body that is not UTF-8 is refused, saying
/// where as the whole-body check says it.
fn agree(body: &[u8]) -> Result<(), TestCaseError> {
    let shown = String::from_utf8_lossy(body);
    let ours = parse(body).map(|b| format!("{b:?}"));
    let serde = serde_slice(body).ok();
    prop_assert_eq!(ours.as_ref().ok(), serde.as_ref(), "{}", shown);
    prop_assert_eq!(ours, by_serde(body).map(|b| format!("{b:?}")), "{}", shown);
    let read = read(body, &expect(None, None));
    match std::str::from_utf8(body) {
        Ok(_) => {}
        Err(e) if e.error_len().is_none() => {
            prop_assert!(matches!(read, Err(Broken::CutShort(_))), "{}", shown);
        }
        Err(e) => {
            let at = format!("(invalid unicode code point, at byte {})", e.valid_up_to());
            prop_assert!(
                matches!(read, Err(Broken::Protocol(ref why)) if why.ends_with(&at)),
                "{}: {:?}",
                shown,
                read
            );
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(json_gen::config())]

    /// Generated bodies, as they are.
    #[test]
    fn generated_bodies_are_read_as_serde_reads_their_bytes(body in json_gen::body()) {
        agree(body.as_bytes())?;
    }

    /// The same bodies with one string not UTF-8, wherever it is (a key, a
    /// row's, a member passed over, the cursor).
    #[test]
    fn spoiled_bodies_are_refused_as_serde_refuses_them(
        body in json_gen::body(),
        at in any::<usize>(),
        bad in any::<usize>(),
    ) {
        let bytes = json_gen::spoil(&body, at, bad);
        if body.contains(json_gen::SPOT) {
            prop_assert!(read(&bytes, &expect(None, None)).is_err());
        }
        agree(&bytes)?;
    }

    /// The same bodies cut, with bytes flipped, inserted and removed (bytes
    /// that are not UTF-8 among them, in strings and between tokens).
    #[test]
    fn mutated_bodies_are_read_as_serde_reads_their_bytes(
        body in json_gen::body(),
        edits in json_gen::edits(),
    ) {
        agree(&json_gen::mutate(&body, &edits))?;
    }
}

#[test]
fn a_page_without_its_first_rows_keeps_the_rest_where_they_lie() {
    let body = Bytes::from_static(
        br#"{"content":{"results":[{"id":"a"}, {"id":"b","x":"]"},{"id":"c"}],"lastId":"c"}}"#,
    );
    let Ok(Body::Rows { rows, last_id, .. }) = read(&body, &expect(None, None)) else {
        panic!("a page");
    };
    let page = |rows: Spans| Page {
        number: 4,
        sent: Some("z".into()),
        next: last_id.clone(),
        body: body.clone(),
        rows,
    };
    let cut = page(rows.clone()).without_first(1, Some("a".into()));
    let got: Vec<&[u8]> = cut.raw_rows().collect();
    assert_eq!(got, [&br#"{"id":"b","x":"]"}"#[..], br#"{"id":"c"}"#]);
    assert_eq!((cut.number, cut.sent.as_deref()), (4, Some("a")));
    assert_eq!(cut.next.as_deref(), Some("c"));
    assert_eq!(page(rows.clone()).without_first(0, None).row_count(), 3);
    assert_eq!(page(rows).without_first(3, None).row_count(), 0);
}
