use super::*;

#[test]
fn escapes_and_bidi_overrides_are_made_visible() {
    assert_eq!(cell("a\u{1b}[31mred", true), "a\\u{1b}[31mred");
    assert_eq!(cell("abc\u{202E}def", true), "abc\\u{202e}def");
    assert_eq!(message("two\nlines\u{7}"), "two\nlines\\u{7}");
    assert_eq!(message("two\r\nlines\tx"), "two\nlines x");
}

#[test]
fn a_cell_shows_line_breaks_as_a_mark_and_tabs_as_spaces() {
    assert_eq!(cell("two\nlines\r\n\tx", true), "two⏎lines⏎ x");
    assert_eq!(cell("two\nlines\r\n\tx", false), "two\\nlines\\n x");
    // A carriage return on its own is no line break: it is escaped.
    assert_eq!(cell("over\rwrite", true), "over\\u{d}write");
}

#[test]
fn the_first_locale_variable_set_decides_utf8() {
    assert!(
        locale_is_utf8(None, None, None),
        "nothing set: assume UTF-8"
    );
    assert!(locale_is_utf8(None, None, Some("en_US.UTF-8")));
    assert!(locale_is_utf8(None, None, Some("C.utf8")));
    assert!(locale_is_utf8(Some("de_DE.Utf-8"), None, Some("C")));
    assert!(!locale_is_utf8(None, None, Some("C")));
    assert!(!locale_is_utf8(None, None, Some("POSIX")));
    assert!(!locale_is_utf8(
        None,
        Some("en_US.ISO-8859-1"),
        Some("en_US.UTF-8")
    ));
    assert!(!locale_is_utf8(Some("C"), Some("en_US.UTF-8"), None));
    // An empty value is skipped, not taken as "no UTF-8".
    assert!(locale_is_utf8(Some(""), None, Some("es_ES.UTF-8")));
    assert!(!locale_is_utf8(Some(""), Some(""), Some("ja_JP.eucJP")));
    assert_eq!(newline_mark(true), "⏎");
    assert_eq!(newline_mark(false), "\\n");
}

#[test]
fn markdown_shows_server_text_as_it_is() {
    assert_eq!(markdown("a|b"), "a\\|b");
    assert_eq!(markdown("`rm -rf` <script>"), "\\`rm -rf\\` \\<script\\>");
    assert_eq!(
        markdown("*bold* _it_ [link](x) ~~s~~ &amp; $x$"),
        "\\*bold\\* \\_it\\_ \\[link\\](x) \\~\\~s\\~\\~ \\&amp; \\$x\\$"
    );
    assert_eq!(markdown("two\nlines\r\nthree"), "two lines three");
    assert_eq!(markdown("a\\|b"), "a\\\\\\|b");
    assert_eq!(markdown("x\u{1b}[2J"), "x\\\\u{1b}\\[2J");
    assert_eq!(markdown("Teléfono, 用户 🔒"), "Teléfono, 用户 🔒");
}

fn hidden(secrets: &[&str]) -> Vec<String> {
    let mut all: Vec<String> = secrets.iter().flat_map(|s| forms(s)).collect();
    all.sort_by_key(|s| std::cmp::Reverse(s.len()));
    all
}

#[test]
fn a_secret_is_redacted_as_it_is_json_escaped_and_percent_encoded() {
    let secrets = hidden(&[r#"cs/VERY"secret\77&=+ ü"#]);
    for form in [
        r#"cs/VERY"secret\77&=+ ü"#,
        r#"cs/VERY\"secret\\77&=+ ü"#,
        r#"cs\/VERY\"secret\\77&=+ ü"#,
        r#"cs/VERY\"secret\\77&=+ \u00fc"#,
        r#"cs\/VERY\"secret\\77&=+ \u00FC"#,
        "cs%2FVERY%22secret%5C77%26%3D%2B+%C3%BC",
        "cs%2FVERY%22secret%5C77%26%3D%2B%20%C3%BC",
        "cs%2fVERY%22secret%5c77%26%3d%2b%20%c3%bc",
    ] {
        assert_eq!(
            redact_with(&format!("bad secret <{form}> given"), &secrets),
            "bad secret <[redacted]> given",
            "{form}"
        );
    }
    // Every occurrence, and several secrets in one text.
    let secrets = hidden(&["tok-one-1234", "tok-two-5678"]);
    assert_eq!(
        redact_with("tok-one-1234, tok-two-5678 and tok-one-1234", &secrets),
        "[redacted], [redacted] and [redacted]"
    );
    // A form that is longer than another is replaced whole.
    let secrets = hidden(&["ab/cd"]);
    assert_eq!(redact_with(r#"x ab\/cd y"#, &secrets), "x [redacted] y");
}

#[test]
fn bearer_and_basic_credentials_are_redacted_and_the_scheme_kept() {
    let none: &[String] = &[];
    for (text, want) in [
        (
            "token Bearer tok-abcdefghijklmnop is expired",
            "token Bearer [redacted] is expired",
        ),
        (
            "Authorization: basic dXNlcjpwYXNzd29yZDEyMw== denied",
            "Authorization: basic [redacted] denied",
        ),
        (
            "BEARER\tA-._~+/0123456789abc=,next",
            "BEARER\t[redacted],next",
        ),
        ("\"Bearer  aaaaaaaaaaaaaaaa\"", "\"Bearer  [redacted]\""),
        (
            "Bearer one-two-three-four; Bearer five-six-seven-eight",
            "Bearer [redacted]; Bearer [redacted]",
        ),
    ] {
        assert_eq!(redact_with(text, none), want, "{text}");
    }
    for kept in [
        "Bearer short-token-1",
        "Bearer token is expired",
        "Bearer",
        "Unbearer abcdefghijklmnopqrstuvwxyz",
        "Bearerabcdefghijklmnopqrstuvwxyz",
        "Basic authentication is required",
        "Bearer ñabcdefghijklmnopqrstuvwxyz",
        "Bearer [redacted]",
    ] {
        assert!(
            matches!(redact_with(kept, none), Cow::Borrowed(_)),
            "{kept}"
        );
    }
}

#[test]
fn hidden_secrets_leave_messages_and_job_summaries() {
    // Process-wide: a secret no other test uses.
    hide("sanitize-test-secret-Qz8");
    hide("abc");
    assert_eq!(
        message("bad sanitize-test-secret-Qz8\u{7} and abc"),
        "bad [redacted]\\u{7} and abc"
    );
    assert_eq!(
        markdown("bad sanitize-test-secret-Qz8 | Bearer abcdefghijklmnop_q"),
        "bad \\[redacted\\] \\| Bearer \\[redacted\\]"
    );
    // A report row's cell is data: never redacted.
    assert_eq!(
        cell("sanitize-test-secret-Qz8", true),
        "sanitize-test-secret-Qz8"
    );
}

#[test]
fn clean_text_is_borrowed() {
    assert!(matches!(cell("Teléfono, 用户 🔒", true), Cow::Borrowed(_)));
}
