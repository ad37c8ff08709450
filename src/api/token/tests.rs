use super::*;

const NOW_SECS: u64 = 1_000_000;
const YEAR_LESS_MARGIN: Duration = Duration::from_secs(365 * 24 * 3600 - 60);

/// What a token answer with these fields (JSON text) gives.
fn usable(fields: &str) -> Option<Duration> {
    let body = format!(r#"{{"access_token":"t"{fields}}}"#);
    let answer: TokenAnswer = serde_json::from_str(&body).unwrap();
    answer_usable_for(&answer, UNIX_EPOCH + Duration::from_secs(NOW_SECS))
}

#[test]
fn the_lifetime_is_expires_in_minus_a_margin() {
    assert_eq!(
        usable(r#","expires_in":3600"#),
        Some(Duration::from_secs(3540))
    );
    assert_eq!(
        usable(r#","expires_in":100"#),
        Some(Duration::from_secs(90))
    );
    assert_eq!(
        usable(r#","expires_in":"3599""#),
        Some(Duration::from_secs(3539))
    );
    assert_eq!(
        usable(r#","expires_in":" 3599 ""#),
        Some(Duration::from_secs(3539))
    );
    assert_eq!(
        usable(r#","expires_in":0.5"#),
        Some(Duration::from_millis(450))
    );
    assert_eq!(usable(""), None);
}

#[test]
fn expires_in_wins_and_expires_at_counts_only_without_it_and_in_the_future() {
    let in_50s = (NOW_SECS + 50) * 1000;
    assert_eq!(
        usable(&format!(r#","expires_in":3600,"expires_at":{in_50s}"#)),
        Some(Duration::from_secs(3540))
    );
    assert_eq!(
        usable(&format!(r#","expires_at":{in_50s}"#)),
        Some(Duration::from_secs(45))
    );
    assert_eq!(
        usable(&format!(r#","expires_at":"{in_50s}""#)),
        Some(Duration::from_secs(45))
    );
    assert_eq!(
        usable(&format!(r#","expires_in":"abc","expires_at":{in_50s}"#)),
        Some(Duration::from_secs(45)),
        "an unreadable expires_in is as good as absent"
    );
    // A date in 1970 (and a moment ago) is in the past: not believed.
    assert_eq!(usable(r#","expires_at":1000"#), None);
    assert_eq!(
        usable(&format!(r#","expires_at":{}"#, NOW_SECS * 1000)),
        None
    );
    // Year 2999: a year at most.
    assert_eq!(
        usable(r#","expires_at":32503680000000"#),
        Some(YEAR_LESS_MARGIN)
    );
}

#[test]
fn numbers_a_server_sends_are_clamped_before_any_arithmetic() {
    for huge in [
        "1e300",
        "\"1e300\"",
        "1e400",
        "1.7976931348623157e308",
        "18446744073709551616",
    ] {
        assert_eq!(
            usable(&format!(r#","expires_in":{huge}"#)),
            Some(YEAR_LESS_MARGIN),
            "expires_in {huge}"
        );
        assert_eq!(
            usable(&format!(r#","expires_at":{huge}"#)),
            Some(YEAR_LESS_MARGIN),
            "expires_at {huge}"
        );
    }
    for unknown in [
        "0", "-1", "-5", "-1e300", "\"0\"", "\"-1\"", "\"NaN\"", "\"nan\"", "\"abc\"", "\"\"",
        "null", "true", "{}", "[3600]",
    ] {
        assert_eq!(
            usable(&format!(r#","expires_in":{unknown}"#)),
            None,
            "expires_in {unknown}"
        );
        assert_eq!(
            usable(&format!(r#","expires_at":{unknown}"#)),
            None,
            "expires_at {unknown}"
        );
    }
    // And the raw numbers, as a caller may pass them.
    let now = UNIX_EPOCH + Duration::from_secs(NOW_SECS);
    assert_eq!(usable_for(Some(f64::NAN), None, now), None);
    assert_eq!(
        usable_for(Some(f64::INFINITY), None, now),
        Some(YEAR_LESS_MARGIN)
    );
    assert_eq!(
        usable_for(None, Some(f64::MAX), now),
        Some(YEAR_LESS_MARGIN)
    );
    assert_eq!(usable_for(None, Some(f64::NEG_INFINITY), now), None);
}

#[test]
fn only_visible_ascii_tokens_go_in_a_header() {
    assert!(fits_a_header("eyJhbGciOi.J9-_~+/="));
    for bad in ["a\nb", "a\rb", "a b", "t\u{f6}ken", "a\u{7f}", "tab\there"] {
        assert!(!fits_a_header(bad), "{bad:?}");
    }
}

#[test]
fn token_url_keeps_the_auth_prefix() {
    let url = token_url(&Url::parse("https://auth.example.com/tenant/").unwrap());
    assert_eq!(url.as_str(), "https://auth.example.com/tenant/oauth2/token");
}

#[test]
fn oauth_errors_are_read() {
    assert_eq!(
        oauth_message(br#"{"error":"invalid_client","error_description":"bad secret"}"#).as_deref(),
        Some("invalid_client: bad secret")
    );
    assert_eq!(oauth_message(b"nope"), None);
}

#[test]
fn debug_never_shows_secrets() {
    let auth = Auth::Client(ClientCredentials {
        auth_url: Url::parse("https://auth.example.com").unwrap(),
        client_id: "app".into(),
        secret: SecretString::from("s3cr3t-value"),
    });
    let shown = format!(
        "{auth:?} {:?}",
        Auth::Token(SecretString::from("tok-value"))
    );
    assert!(
        !shown.contains("s3cr3t-value") && !shown.contains("tok-value"),
        "{shown}"
    );
}
