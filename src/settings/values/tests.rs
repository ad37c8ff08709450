use super::*;
use crate::exit::exit_code;

#[test]
fn endpoint_keeps_prefix_and_drops_trailing_slash() {
    assert_eq!(
        parse_endpoint("https://h.example/api/").unwrap().as_str(),
        "https://h.example/api"
    );
    assert_eq!(parse_endpoint("http://127.0.0.1:8089").unwrap().path(), "/");
    assert!(parse_endpoint("ftp://h").is_err());
    assert!(parse_endpoint("graph.example.com").is_err());
    assert!(parse_endpoint("https://h/?x=1").is_err());
}

#[test]
fn user_info_in_a_url_is_refused_and_never_shown() {
    for raw in [
        "http://user:pw-SECRET@127.0.0.1:8089",
        "https://:pw-SECRET@h.example/api",
        "https://pw-SECRET@h.example",
        "https://user:pw-SECRET@h.example:99999",
        "https://user:pw/pw-SECRET@h.example",
        "user:pw-SECRET@h.example",
        "https://user:pw-SECRET@h.example/?x=1",
    ] {
        for what in [&ENDPOINT, &AUTH_URL] {
            let err = parse_base_url(what, raw).unwrap_err();
            assert_eq!(crate::exit::exit_code(&err), 2, "{raw}");
            let message = format!("{err:#}");
            assert!(!message.contains("pw-SECRET"), "{raw}: {message}");
            assert!(message.contains(what.flag), "{raw}: {message}");
        }
    }
    let err = parse_endpoint("https://user:pw-SECRET@h.example/api").unwrap_err();
    assert!(
        err.to_string()
            .contains("\"https://h.example/api\" carries a user name or password"),
        "{err}"
    );
    assert_eq!(
        without_userinfo("https://u:p@h/x"),
        "https://[redacted]@h/x"
    );
    assert_eq!(without_userinfo("https://h/x"), "https://h/x");
}

#[test]
fn repeated_bulk_ids_are_kept_once_and_named() {
    let ids = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let (kept, repeated) = dedup(ids(&["a", "b", "a", "c", "a", "b"]));
    assert_eq!(kept, ids(&["a", "b", "c"]));
    assert_eq!(repeated, ids(&["a", "b"]));
    assert_eq!(
        repeated_note(&ids(&["a"])),
        "bulk a is given more than once; it is exported once"
    );
    assert_eq!(
        repeated_note(&ids(&["1", "2", "3", "4", "5", "6", "7"])),
        "bulks 1, 2, 3, 4, 5 and 2 more are given more than once; each is exported once"
    );
}

#[test]
fn a_byte_order_mark_is_not_part_of_the_input() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ids");
    std::fs::write(&path, "\u{feff}b1\r\n").unwrap();
    assert_eq!(read_input("--bulk-ids-from", &path).unwrap(), "b1\r\n");
}

#[test]
fn bulk_ids_that_cannot_be_druid_ids_are_refused() {
    let refused = |id: &str| check_bulk_id(id).map_err(|e| e.to_string()).unwrap_err();
    assert_eq!(refused(""), "the bulk id is empty");
    assert!(refused("a\nb").contains("contains control characters"));
    assert_eq!(refused(".."), "\"..\" is not a bulk id");
    assert_eq!(
        refused("a/b"),
        "the bulk id \"a/b\" contains a '/', which no DruID bulk id does; pass each id alone, \
         e.g. 018fcf0a-3b2c-7d41-9e5a-6c8b1f2d4e73"
    );
    for id in ["a b", " B1", "B1\u{a0}", "B1\u{3000}"] {
        assert!(refused(id).contains("contains whitespace"), "{id:?}");
    }
    for id in [
        "018fcf0a-3b2c-7d41-9e5a-6c8b1f2d4e73",
        "B1",
        "a?b#c%",
        "用户",
        "...",
    ] {
        assert!(check_bulk_id(id).is_ok(), "{id}");
    }
}

#[test]
fn a_bulk_id_that_reads_as_a_duration_after_a_bare_wait_is_refused() {
    let ids = |ids: &[&str]| ids.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let err = check_wait_habit(&ids(&["B1", "60s"]), true).unwrap_err();
    assert_eq!(exit_code(&err), 2);
    assert_eq!(
        err.to_string(),
        "--wait takes its duration after '=': --wait=60s"
    );
    let err = check_wait_habit(&ids(&["1h30m"]), true).unwrap_err();
    assert_eq!(
        err.to_string(),
        "--wait takes its duration after '=': --wait=1h30m"
    );
    assert!(
        check_wait_habit(&ids(&["B1", "60s"]), false).is_ok(),
        "--wait=… or none"
    );
    assert!(check_wait_habit(&ids(&["B1", "soon"]), true).is_ok());
}

#[test]
fn columns_are_each_named_once_and_list_asks_for_the_names() {
    let given = |names: &[&str]| names.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    let parse = |names: &[&str]| parse_columns(Some(&given(names)), &["id"]);
    assert_eq!(parse(&[" id", "error "]).unwrap(), ["id", "error"]);
    assert_eq!(parse_columns(None, &["id", "x"]).unwrap(), ["id", "x"]);
    let err = parse(&["id", "error", "field", " id"]).unwrap_err();
    assert_eq!(exit_code(&err), 2);
    assert_eq!(
        err.to_string(),
        "--columns names id more than once; name each field once"
    );
    assert!(parse(&["id", ""]).is_err());
    assert!(columns_list(Some(&given(&["list"]))));
    assert!(columns_list(Some(&given(&[" list "]))));
    assert!(!columns_list(Some(&given(&["list", "id"]))));
    assert!(!columns_list(Some(&given(&["LIST"]))));
    assert!(!columns_list(None));
}

#[test]
fn a_delimiter_is_one_ascii_character_or_tab() {
    assert_eq!(parse_delimiter(";").unwrap(), b';');
    assert_eq!(parse_delimiter("tab").unwrap(), b'\t');
    assert_eq!(parse_delimiter("\t").unwrap(), b'\t');
    assert_eq!(parse_delimiter("|").unwrap(), b'|');
    for bad in ["", "\"", "\r", "\n", ";;", "\\t", "é", "TAB"] {
        let err = parse_delimiter(bad).unwrap_err();
        assert_eq!(exit_code(&err), 2, "{bad:?}");
        assert!(
            err.to_string()
                .contains("e.g. --delimiter ';' or --delimiter tab"),
            "{err}"
        );
    }
}

#[test]
fn locales_and_durations() {
    assert!(check_locale("es-ES").is_ok());
    assert!(check_locale("zh-Hant-TW").is_ok());
    assert!(check_locale("español").is_err());
    assert!(check_locale("e").is_err());
    assert_eq!(
        parse_duration("--timeout", "90s").unwrap(),
        Duration::from_secs(90)
    );
    assert_eq!(
        parse_duration("--timeout", "1h30m").unwrap(),
        Duration::from_secs(5400)
    );
    assert!(parse_duration("--timeout", "soon").is_err());
    assert!(parse_duration("--timeout", "0s").is_err());
    assert_eq!(parse_wait("0s").unwrap(), Duration::ZERO);
    assert_eq!(parse_wait(" 0m ").unwrap(), Duration::ZERO);
    assert_eq!(parse_wait("2h").unwrap(), Duration::from_secs(7200));
    let err = parse_wait("soon").unwrap_err();
    assert_eq!(
        err.to_string(),
        "--wait \"soon\" is not a duration; expected e.g. 90s, 5m or 1h"
    );
}

#[test]
fn checkpoint_and_output_must_be_files_that_can_be_replaced_or_resumed() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    let code = |r: Result<()>| r.map_err(|e| crate::exit::exit_code(&e)).err();
    let ckpt = |c: &Path, o: &Path| check_checkpoint(c, Some(o), Format::Csv);
    assert_eq!(code(ckpt(&dir.path().join("c.json"), &out)), None);
    assert_eq!(code(ckpt(dir.path(), &out)), Some(2), "a directory");
    assert_eq!(code(ckpt(&out, &out)), Some(2), "the output itself");
    assert_eq!(code(check_output("-o", &out)), None);
    assert_eq!(code(check_output("-o", dir.path())), Some(2), "a directory");
    assert_eq!(
        code(check_output("-o", &dir.path().join("no/such/dir/x.csv"))),
        Some(2)
    );
}
