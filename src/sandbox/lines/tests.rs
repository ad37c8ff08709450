use super::*;

const SEED: u64 = 42;

/// An object id the sandbox knows (not one of its unknown users).
fn known(n: u32) -> String {
    (0..)
        .map(|i| format!("{n:08x}{i:016x}"))
        .find(|id| !unknown_user(SEED, id))
        .unwrap()
}

fn error(text: &str) -> Option<String> {
    derive(SEED, 7, text.as_bytes())
        .failure
        .map(|f| f.message().into_owned())
}

#[test]
fn identifiers_are_found_in_the_user_object_then_at_the_top() {
    let id = known(1);
    for (text, object, pulse) in [
        (
            format!(r#"{{"user":{{"object_id":"{id}"}}}}"#),
            Some(id.as_str()),
            None,
        ),
        (
            format!(r#"{{"user":{{"pulse_id":"{id}"}}}}"#),
            None,
            Some(id.as_str()),
        ),
        (
            format!(r#"{{"object_id":"{id}"}}"#),
            Some(id.as_str()),
            None,
        ),
        (format!(r#"{{"objectId":"{id}"}}"#), Some(id.as_str()), None),
        (format!(r#"{{"pulse_id":"{id}"}}"#), None, Some(id.as_str())),
        (
            format!(r#"{{"pulseId":"{id}","user":{{}}}}"#),
            None,
            Some(id.as_str()),
        ),
        (
            format!(r#"{{"user":{{"object_id":"{id}","pulse_id":"p-1"}},"objectId":"x"}}"#),
            Some(id.as_str()),
            Some("p-1"),
        ),
    ] {
        let line = derive(SEED, 1, text.as_bytes());
        assert_eq!(line.object_id.as_deref(), object, "{text}");
        assert_eq!(line.pulse_id.as_deref(), pulse, "{text}");
        assert_eq!(line.failure, None, "{text}");
    }
}

#[test]
fn each_rule_gives_its_message() {
    let id = known(2);
    let user = |fields: &str| format!(r#"{{"user":{{"object_id":"{id}"{fields}}}}}"#);
    assert_eq!(
        error(&user(r#","email":"ana.example.com""#)).as_deref(),
        Some(r#"Invalid email "ana.example.com", expected user@domain"#)
    );
    assert_eq!(error(&user(r#","email":"ana@example.com""#)), None);
    assert_eq!(error(&user(r#","email":null"#)), None);
    assert_eq!(
        error(&user(r#","phone":"600 000 000""#)).as_deref(),
        Some(r#"Invalid phone number "600 000 000""#)
    );
    assert_eq!(
        error(&user(r#","phoneNumber":"0034600""#)).as_deref(),
        Some(r#"Invalid phone number "0034600""#)
    );
    assert_eq!(error(&user(r#","phone":"+34 600 000 000""#)), None);
    // The email is checked before the phone.
    assert_eq!(
        error(&user(r#","phone":"1","email":"x""#)).as_deref(),
        Some(r#"Invalid email "x", expected user@domain"#)
    );
    for (text, want) in [
        ("{nope", "Line 7: not valid JSON"),
        ("[1,2]", "Line 7: not a JSON object"),
        ("\"x\"", "Line 7: not a JSON object"),
        (
            r#"{"user":{"email":"a@b.c"}}"#,
            "Line 7: no user identifier (user.object_id or user.pulse_id is mandatory)",
        ),
        (
            r#"{"user":{"object_id":""}}"#,
            "Line 7: no user identifier (user.object_id or user.pulse_id is mandatory)",
        ),
        (
            r#"{"user":{"object_id":5}}"#,
            "Line 7: no user identifier (user.object_id or user.pulse_id is mandatory)",
        ),
    ] {
        assert_eq!(error(text).as_deref(), Some(want), "{text}");
        let line = derive(SEED, 7, text.as_bytes());
        assert_eq!((line.object_id, line.pulse_id), (None, None), "{text}");
    }
}

#[test]
fn about_three_percent_of_users_are_unknown_the_same_ones_each_time() {
    let unknown: Vec<u32> = (0..20_000)
        .filter(|n| unknown_user(SEED, &format!("user-{n}")))
        .collect();
    assert!((450..750).contains(&unknown.len()), "{}", unknown.len());
    let again: Vec<u32> = (0..20_000)
        .filter(|n| unknown_user(SEED, &format!("user-{n}")))
        .collect();
    assert_eq!(unknown, again);
    let n = unknown[0];
    assert_eq!(
        error(&format!(r#"{{"user":{{"pulse_id":"user-{n}"}}}}"#)).as_deref(),
        Some("User not found")
    );
    let other_seed = (0..20_000)
        .filter(|n| unknown_user(SEED + 1, &format!("user-{n}")))
        .count();
    assert_ne!(other_seed, 0);
    assert_ne!(
        (0..20_000)
            .filter(|n| unknown_user(SEED + 1, &format!("user-{n}")))
            .collect::<Vec<u32>>(),
        unknown
    );
}

#[test]
fn rows_name_the_user_by_object_id_first() {
    let gen = RowGen::new(SEED, "b");
    let both = derive(SEED, 1, br#"{"user":{"object_id":"o1","pulse_id":"p1"}}"#);
    let value = serde_json::to_value(both.row(&gen, 3)).unwrap();
    assert_eq!(value["id"], gen.id(3));
    assert_eq!(value["userIdentifierType"], "object_id");
    assert_eq!(
        (&value["objectId"], &value["pulseId"]),
        (&"o1".into(), &"p1".into())
    );
    let pulse = derive(SEED, 1, br#"{"pulseId":"p2"}"#);
    let value = serde_json::to_value(pulse.row(&gen, 0)).unwrap();
    assert_eq!(value["userIdentifierType"], "pulse_id");
    assert!(value.get("objectId").is_none());
    let none = derive(SEED, 4, b"[]");
    let value = serde_json::to_value(none.row(&gen, 0)).unwrap();
    assert_eq!(value["userIdentifierType"], Value::Null);
    assert!(value.get("objectId").is_none() && value.get("pulseId").is_none());
    assert_eq!(value["error"], "Line 4: not a JSON object");
}

/// The lines of `body` fed in chunks of `size` bytes.
fn read(body: &[u8], size: usize, max: u64) -> Read {
    let mut reader = LineReader::new(SEED, max);
    for chunk in body.chunks(size.max(1)) {
        reader.push(chunk);
    }
    reader.finish()
}

#[test]
fn lines_are_the_same_however_the_body_is_cut() {
    let body = b"{\"object_id\":\"a\"}\r\n\n  \n{\"pulse_id\":\"b\"}\nnope\n{\"objectId\":\"c\"}";
    let whole = read(body, body.len(), 10);
    let Read::Lines(lines) = &whole else {
        panic!("{whole:?}")
    };
    assert_eq!(lines.len(), 4, "blank lines are skipped");
    assert_eq!(lines[0].object_id.as_deref(), Some("a"));
    assert_eq!(lines[1].pulse_id.as_deref(), Some("b"));
    assert_eq!(lines[2].failure, Some(Failure::NotJson { line: 5 }));
    assert_eq!(lines[3].object_id.as_deref(), Some("c"));
    for size in [1, 2, 3, 7, 16] {
        assert_eq!(read(body, size, 10), whole, "chunks of {size}");
    }
    assert_eq!(read(b"", 4, 10), Read::Lines(Vec::new()));
}

#[test]
fn more_lines_than_the_limit_are_counted_not_kept() {
    let body = "{\"object_id\":\"a\"}\n".repeat(5);
    assert!(matches!(read(body.as_bytes(), 9, 5), Read::Lines(l) if l.len() == 5));
    assert_eq!(read(body.as_bytes(), 9, 4), Read::TooMany(5));
    assert_eq!(read(body.as_bytes(), 9, 0), Read::TooMany(5));
}

#[test]
fn an_overlong_line_fails_without_being_kept() {
    let mut body = b"{\"object_id\":\"a\"}\n{\"x\":\"".to_vec();
    body.extend(std::iter::repeat_n(b'y', MAX_LINE_BYTES));
    body.extend(b"\"}\n{\"object_id\":\"b\"}\n");
    for size in [4096, MAX_LINE_BYTES / 3, body.len()] {
        let Read::Lines(lines) = read(&body, size, 10) else {
            panic!("lines")
        };
        assert_eq!(lines.len(), 3);
        assert_eq!(lines[1].failure, Some(Failure::TooLong { line: 2 }));
        assert_eq!(lines[2].object_id.as_deref(), Some("b"));
    }
}
