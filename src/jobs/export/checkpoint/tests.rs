use super::*;
use crate::output::Layout;

fn sample() -> Checkpoint {
    Checkpoint {
        version: VERSION,
        bulk_id: "B1".into(),
        output: "/tmp/out.csv".into(),
        format: "csv".into(),
        failed_only: false,
        columns: vec!["id".into()],
        excel: false,
        delimiter: None,
        cursor: Some("c9".into()),
        rows: 900,
        pages: 9,
        output_bytes: 12_345,
        complete: false,
        bulks: Vec::new(),
        settings: None,
        last_row: None,
    }
}

#[test]
fn a_version_1_file_still_loads_and_a_newer_one_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cp.json");
    let mut v1 = serde_json::to_value(sample()).unwrap();
    v1["version"] = 1.into();
    std::fs::write(&path, v1.to_string()).unwrap();
    assert_eq!(Checkpoint::load(&path).unwrap(), Some(sample()));
    v1["version"] = (VERSION + 1).into();
    std::fs::write(&path, v1.to_string()).unwrap();
    let err = Checkpoint::load(&path).unwrap_err();
    assert!(err.to_string().contains("another version"), "{err}");
}

#[test]
fn several_bulks_are_saved_each_with_its_progress() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cp.json");
    let mut many = sample();
    many.bulks = ["B1", "B2"]
        .map(|id| BulkState {
            id: id.into(),
            cursor: Some(format!("{id}-c")),
            rows: 1,
            pages: 1,
            complete: id == "B1",
            last_row: None,
        })
        .to_vec();
    many.save(&path).unwrap();
    assert_eq!(Checkpoint::load(&path).unwrap(), Some(many.clone()));
    assert_eq!(many.bulk_ids(), "B1 B2");
    let err = many.check_same_export(&sample(), &path).unwrap_err();
    assert!(err.to_string().contains("bulk ids"), "{err}");
}

#[test]
fn saves_and_loads_the_same_checkpoint_without_leftovers() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cp.json");
    assert_eq!(Checkpoint::load(&path).unwrap(), None);
    sample().save(&path).unwrap();
    let mut next = sample();
    next.rows = 1000;
    next.save(&path).unwrap();
    assert_eq!(Checkpoint::load(&path).unwrap(), Some(next));
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn a_checkpoint_for_another_export_is_refused() {
    let saved = sample();
    let path = Path::new("cp.json");
    assert!(saved.check_same_export(&sample(), path).is_ok());
    for change in [
        |c: &mut Checkpoint| c.bulk_id = "B2".into(),
        |c: &mut Checkpoint| c.format = "jsonl".into(),
        |c: &mut Checkpoint| c.output = "/tmp/other.csv".into(),
        |c: &mut Checkpoint| c.failed_only = true,
        |c: &mut Checkpoint| c.columns = vec!["error".into()],
        |c: &mut Checkpoint| c.excel = true,
        |c: &mut Checkpoint| c.delimiter = Some(";".into()),
        |c: &mut Checkpoint| c.format = "tsv".into(),
    ] {
        let mut other = sample();
        change(&mut other);
        let err = saved.check_same_export(&other, path).unwrap_err();
        assert_eq!(crate::exit::exit_code(&err), 2, "{err}");
    }
}

#[test]
fn one_lock_per_checkpoint_and_no_file_left_behind() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cp.json");
    let held = Lock::acquire(&path).unwrap();
    let err = Lock::acquire(&path).unwrap_err();
    assert_eq!(crate::exit::exit_code(&err), 2);
    assert!(err.to_string().contains("cp.json is in use"), "{err}");
    drop(held);
    if cfg!(unix) {
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
    let again = Lock::acquire(&path);
    assert!(again.is_ok(), "released with its holder");
}

#[test]
fn garbage_is_refused_with_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cp.json");
    std::fs::write(&path, "not json").unwrap();
    let err = Checkpoint::load(&path).unwrap_err();
    assert_eq!(crate::exit::exit_code(&err), 2);
    assert!(err.to_string().contains("--restart"));
}

/// `sample()` with its settings: a CSV `layout`, and `--lang` as given.
fn with_settings(layout: &Layout, lang: Option<&str>) -> Checkpoint {
    Checkpoint {
        settings: Some(Settings {
            version: "1.0".into(),
            origin: Some("https://druid.example".into()),
            lang: lang.map(String::from),
            start: None,
            max_rows: None,
            layout: layout_key(Format::Csv, layout),
        }),
        ..sample()
    }
}

#[test]
fn a_checkpoint_for_other_output_options_is_refused_naming_the_flag() {
    let csv = crate::output::test_support::layout(&["id"], true);
    let saved = with_settings(&csv, None);
    let path = Path::new("cp.json");
    assert!(saved
        .check_same_export(&with_settings(&csv, None), path)
        .is_ok());
    for (change, named) in [
        (
            (|l: &mut Layout| l.header = false) as fn(&mut Layout),
            "--no-header was false, now true",
        ),
        (
            |l: &mut Layout| l.csv_safe = true,
            "--csv-safe was false, now true",
        ),
    ] {
        let mut other = csv.clone();
        change(&mut other);
        let err = (saved.check_same_export(&with_settings(&other, None), path)).unwrap_err();
        assert_eq!(crate::exit::exit_code(&err), 2, "{err}");
        assert!(err.to_string().contains(named), "{err}");
    }
    // A version 2 checkpoint has no settings: not held to them.
    assert!(sample().check_same_export(&saved, path).is_ok());
}

#[test]
fn what_only_a_table_or_only_csv_uses_is_not_a_difference() {
    let mut csv = crate::output::test_support::layout(&["id"], true);
    let key = layout_key(Format::Csv, &csv);
    // Another terminal, another table: the same CSV.
    (csv.utf8, csv.wide, csv.width, csv.color) = (!csv.utf8, true, Some(80), true);
    assert_eq!(layout_key(Format::Csv, &csv), key);
    csv.excel = true;
    assert_ne!(layout_key(Format::Csv, &csv), key);
    // JSON lines ignore CSV's options.
    let mut other = csv.clone();
    (other.columns, other.header) = (vec!["error".into()], false);
    other.delimiter = b';';
    assert_eq!(
        layout_key(Format::Jsonl, &csv),
        layout_key(Format::Jsonl, &other)
    );
    // …but the fields `--columns` picks for them do count.
    let (mut picked, mut other) = (csv.clone(), other);
    (picked.picked, other.picked) = (true, true);
    assert_ne!(
        layout_key(Format::Jsonl, &picked),
        layout_key(Format::Jsonl, &other)
    );
}

#[test]
fn a_kept_state_is_held_to_every_setting_a_checkpoint_to_some() {
    let csv = crate::output::test_support::layout(&["id"], true);
    let saved = with_settings(&csv, Some("fr"));
    let now = with_settings(&csv, Some("en"));
    assert!(saved.check_same_export(&now, Path::new("cp.json")).is_ok());
    assert_eq!(
        saved.difference(&now, true).as_deref(),
        Some(r#"--lang was Some("fr"), now Some("en")"#)
    );
    assert_eq!(
        sample().difference(&now, true).as_deref(),
        Some("druid-bulk was an earlier version, now this one")
    );
    assert_eq!(saved.difference(&saved.clone(), true), None);
}

#[test]
fn a_kept_state_reads_past_a_longer_record_it_was_written_over() {
    assert_eq!(Checkpoint::from_state(b""), Ok(None));
    assert_eq!(Checkpoint::from_state(b"\n \n"), Ok(None));
    let text = serde_json::to_vec(&sample()).unwrap();
    assert_eq!(Checkpoint::from_state(&text), Ok(Some(sample())));
    let mut written_over = text.clone();
    written_over.extend_from_slice(b"ws\": 12,\n  \"pages\": 9\n}\n");
    assert_eq!(Checkpoint::from_state(&written_over), Ok(Some(sample())));
    assert!(Checkpoint::from_state(&text[..text.len() - 3]).is_err());
    let mut newer = serde_json::to_value(sample()).unwrap();
    newer["version"] = (VERSION + 1).into();
    let err = Checkpoint::from_state(newer.to_string().as_bytes()).unwrap_err();
    assert!(err.contains("another version"), "{err}");
}
