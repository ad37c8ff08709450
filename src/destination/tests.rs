use super::*;

#[test]
fn replace_leaves_the_destination_alone_until_commit() {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("out.csv");
    std::fs::write(&dest, "old\n").unwrap();
    let mut out = Destination::to_path(&dest).unwrap();
    out.out.write_all(b"new\n").unwrap();
    out.out.flush().unwrap();
    assert_eq!(std::fs::read_to_string(&dest).unwrap(), "old\n");
    out.commit().unwrap();
    assert_eq!(std::fs::read_to_string(&dest).unwrap(), "new\n");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn written_pages_are_synced_behind_the_writes_and_committed_whole() {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("out.jsonl");
    let mut out = Destination::to_path(&dest).unwrap();
    let page = vec![b'x'; 1024 * 1024];
    for _ in 0..20 {
        out.out.write_all(&page).unwrap();
        out.out.flush().unwrap();
    }
    let handle = out.file.clone().unwrap();
    let synced = handle.0.behind.lock().unwrap().synced;
    assert!(
        synced >= SYNC_BEHIND,
        "a sync started behind the writes: {synced}"
    );
    out.commit().unwrap();
    let behind = handle.0.behind.lock().unwrap();
    assert!(behind.running.is_none() && behind.failed.is_none());
    assert_eq!(std::fs::metadata(&dest).unwrap().len(), 20 * 1024 * 1024);
}

#[test]
fn dropping_an_uncommitted_replacement_removes_the_temporary_file() {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("out.csv");
    let mut out = Destination::to_path(&dest).unwrap();
    out.out.write_all(b"partial").unwrap();
    drop(out);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn continuing_cuts_back_to_the_start_and_counts_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.jsonl");
    std::fs::write(&path, "{\"a\":1}\n{\"half").unwrap();
    let mut out = Destination::continue_at(&path, 8).unwrap();
    let handle = out.file.clone().unwrap();
    handle.cut_to_start().unwrap();
    out.out.write_all(b"{\"b\":2}\n").unwrap();
    out.out.flush().unwrap();
    assert_eq!(handle.end_offset(), 16);
    out.commit().unwrap();
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "{\"a\":1}\n{\"b\":2}\n"
    );
}

#[test]
fn a_file_shorter_than_the_checkpoint_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.csv");
    std::fs::write(&path, "id\n").unwrap();
    let err = Destination::continue_at(&path, 100).err().unwrap();
    assert_eq!(crate::exit::exit_code(&err), 2);
}

#[test]
fn a_missing_file_is_refused_not_created_when_resuming() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.csv");
    let err = Destination::continue_at(&path, 100).err().unwrap();
    assert_eq!(crate::exit::exit_code(&err), 2);
    assert!(!path.exists());
    assert!(Destination::continue_at(&path, 0).is_ok());
    assert!(path.exists(), "a fresh export creates it");
}

#[cfg(unix)]
#[test]
fn a_replaced_file_keeps_its_mode_and_a_symlink_stays_a_symlink() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("report.csv");
    std::fs::write(&target, "old\n").unwrap();
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).unwrap();
    let link = dir.path().join("latest.csv");
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let mut out = Destination::to_path(&link).unwrap();
    out.out.write_all(b"new\n").unwrap();
    out.commit().unwrap();
    assert!(std::fs::symlink_metadata(&link).unwrap().is_symlink());
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "new\n");
    let mode = std::fs::metadata(&target).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o640);

    // A link to a file that does not exist yet: the file is created.
    let dangling = dir.path().join("next.csv");
    std::os::unix::fs::symlink("sub/../later.csv", &dangling).unwrap();
    std::fs::create_dir(dir.path().join("sub")).unwrap();
    let mut out = Destination::to_path(&dangling).unwrap();
    out.out.write_all(b"later\n").unwrap();
    out.commit().unwrap();
    assert!(std::fs::symlink_metadata(&dangling).unwrap().is_symlink());
    let later = dir.path().join("later.csv");
    assert_eq!(std::fs::read_to_string(later).unwrap(), "later\n");
}

#[cfg(unix)]
#[test]
fn a_pipe_is_written_in_place_not_replaced() {
    use std::os::unix::fs::FileTypeExt;
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("rows.fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.unwrap().success(), "mkfifo makes a named pipe");
    let reader = {
        let fifo = fifo.clone();
        std::thread::spawn(move || std::fs::read_to_string(fifo).unwrap())
    };
    let mut out = Destination::to_path(&fifo).unwrap();
    assert!(!out.is_atomic());
    assert!(out.file.is_none());
    out.out.write_all(b"rows\n").unwrap();
    out.commit().unwrap();
    assert_eq!(reader.join().unwrap(), "rows\n");
    let kind = std::fs::symlink_metadata(&fifo).unwrap().file_type();
    assert!(kind.is_fifo(), "the pipe is still a pipe");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn only_what_a_finished_sync_covered_counts_as_durable() {
    let dir = tempfile::tempdir().unwrap();
    let dest = dir.path().join("out.jsonl");
    let mut out = Destination::to_path(&dest).unwrap();
    let handle = out.file.clone().unwrap();
    out.out.write_all(b"x").unwrap();
    out.out.flush().unwrap();
    assert_eq!(handle.durable(), (0, 0), "nothing synced yet");
    let page = vec![b'x'; 1024 * 1024];
    for _ in 0..9 {
        out.out.write_all(&page).unwrap();
        out.out.flush().unwrap();
    }
    // The sync started in the background covers the page it started after.
    let started = 1 + SYNC_BEHIND;
    let mut looks = 0;
    while handle.durable() != (started, started) {
        looks += 1;
        assert!(
            looks < 6000,
            "the sync never finished: {:?}",
            handle.durable()
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    handle.sync().unwrap();
    let end = handle.end_offset();
    assert_eq!(handle.durable(), (end, end));
    out.commit().unwrap();
}
