use super::*;

#[test]
fn the_bulk_id_is_content_bulk_id_else_a_top_level_one() {
    assert_eq!(
        bulk_id(br#"{"content":{"bulkId":"B1"},"result":{"status":201}}"#).as_deref(),
        Some("B1")
    );
    assert_eq!(bulk_id(br#"{"bulkId":"B2"}"#).as_deref(), Some("B2"));
    assert_eq!(
        bulk_id(br#"{"content":{"bulkId":7},"bulkId":"B3"}"#).as_deref(),
        Some("B3")
    );
    for none in [&br#"{"content":{}}"#[..], b"accepted", b""] {
        assert_eq!(bulk_id(none), None, "{}", String::from_utf8_lossy(none));
    }
    // One that is there is given as it is, to be checked.
    assert_eq!(
        bulk_id(br#"{"content":{"bulkId":""},"bulkId":"B3"}"#).as_deref(),
        Some("")
    );
}

#[test]
fn a_bulk_id_for_a_script_is_one_plain_word() {
    for ok in ["B1", "0190b1c2-7e4f-7abc-9def-0123456789ab", "a.b", "é…"] {
        assert_eq!(unusable(ok), None, "{ok}");
    }
    for (id, why) in [
        ("", "it is empty"),
        ("a b", "it has whitespace"),
        ("a\tb", "it has whitespace"),
        ("\u{a0}B1", "it has whitespace"),
        ("B1\n", "it has whitespace"),
        ("B1\u{1b}[2J", "it has control characters"),
        ("B1\u{0}", "it has control characters"),
        ("a/b", "it has a `/`"),
        ("..", "it is a dot segment"),
    ] {
        assert_eq!(unusable(id), Some(why), "{id:?}");
    }
}

#[test]
fn a_preview_is_the_first_200_characters() {
    assert_eq!(preview(b"  ok \n"), "ok");
    assert_eq!(preview(b""), "(an empty body)");
    let long = "é".repeat(300);
    let shown = preview(long.as_bytes());
    assert_eq!(shown.chars().count(), PREVIEW + 1);
    assert!(shown.ends_with('…'));
}

#[test]
fn each_refusal_says_whether_a_bulk_may_exist() {
    let class = |code: u16| {
        let f = refused(
            StatusCode::from_u16(code).unwrap(),
            b"",
            None,
            "https://h",
            "u.jsonl",
        );
        (
            f.class,
            f.hint.is_some_and(|h| h.contains("druid-bulk status")),
        )
    };
    assert_eq!(class(400), (Class::Protocol, false));
    assert_eq!(class(401), (Class::Auth, false));
    assert_eq!(class(404), (Class::Protocol, false));
    assert_eq!(class(413), (Class::Protocol, false));
    assert_eq!(class(418), (Class::Protocol, false));
    assert_eq!(class(429), (Class::Unavailable, false));
    assert_eq!(class(500), (Class::Unavailable, true));
    assert_eq!(class(503), (Class::Unavailable, true));
    assert_eq!(class(307), (Class::Protocol, false));
}
