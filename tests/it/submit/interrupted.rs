//! Ctrl-C during an upload: exit 130 at once, and the message says whether
//! any of the file may have reached the server (then: check `druid-bulk
//! status` before sending it again) or none did (no bulk was created).

use std::io::Read;
use std::net::TcpListener;
use std::sync::mpsc;

use super::{submit, GOOD};
use crate::support::*;

/// A server that reads a request's head and `body` bytes of its body, says
/// so on the channel, then neither reads more nor answers: it holds the
/// connection until the test ends.
fn stalling(body: usize) -> (String, mpsc::Receiver<()>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let (ready, heard) = mpsc::channel();
    std::thread::spawn(move || {
        let Ok((mut stream, _)) = listener.accept() else {
            return;
        };
        let mut got = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            let head = got.windows(4).position(|w| w == b"\r\n\r\n");
            if head.is_some_and(|end| got.len() >= end + 4 + body) {
                break;
            }
            match stream.read(&mut buf) {
                Ok(0) | Err(_) => return,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
        let _ = ready.send(());
        // Held, unread and unanswered, until the test ends.
        let _ = listener.accept();
        drop(stream);
    });
    (url, heard)
}

/// `cmd` started, interrupted with SIGINT once `heard` says the server got
/// what it waits for, and finished.
fn interrupted_when(mut cmd: TestCommand, heard: &mpsc::Receiver<()>) -> Run {
    let running = cmd.hang_guard().spawn();
    heard
        .recv_timeout(HANG_GUARD)
        .expect("the server got the request");
    running.signal("INT");
    running.finish_guarded()
}

#[test]
fn ctrl_c_in_the_middle_of_the_body_says_part_of_it_may_have_reached_the_server() {
    // Far more than the connection's buffers hold: the upload stalls half-way.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("big.jsonl");
    let line = b"{\"user\":{\"object_id\":\"o1\"}}\n";
    let body: Vec<u8> = line.repeat(32 * 1024 * 1024 / line.len());
    std::fs::write(&path, body).unwrap();
    let len = std::fs::metadata(&path).unwrap().len();
    let (url, heard) = stalling(1);
    let mut cmd = submit(&url, &path);
    cmd.arg("--no-validate");
    let run = interrupted_when(cmd, &heard);
    run.expect_code(130)
        .stderr_has("error: interrupted by SIGINT (Ctrl-C) while sending ")
        .stderr_has(&format!(" of its {len} bytes: part of it may have reached the server"))
        .stderr_has("hint: check `druid-bulk status` (it lists every bulk) before submitting the file again");
    run.same(&run.stdout(), &"");
}

#[test]
fn ctrl_c_after_the_whole_body_says_the_bulk_may_have_been_created() {
    let (_dir, path) = users_file(GOOD);
    let (url, heard) = stalling(GOOD.len());
    let run = interrupted_when(submit(&url, &path), &heard);
    run.expect_code(130)
        .stderr_has(&format!(
            "error: interrupted by SIGINT (Ctrl-C) after all of {} ({} bytes) was sent, before the \
             server answered: the server may have created the bulk",
            path.display(),
            GOOD.len()
        ))
        .stderr_has("hint: check `druid-bulk status`");
    run.same(&run.stdout(), &"");
}

#[test]
fn ctrl_c_before_any_of_the_body_left_says_no_bulk_was_created() {
    // The token is asked for first, from an auth server that never answers.
    let (auth, heard) = stalling(0);
    let (_dir, path) = users_file(GOOD);
    let mut cmd = TestCommand::new();
    cmd.arg("submit")
        .arg(&path)
        .args(["-e", "http://127.0.0.1:9", "--auth-url", &auth])
        .args(["--client-id", "druid-bulk-tests"])
        .env("DRUID_CLIENT_SECRET", "client-SECRET-1a2b3c");
    let run = interrupted_when(cmd, &heard);
    run.expect_code(130)
        .stderr_has(&format!(
            "error: interrupted by SIGINT (Ctrl-C) before any of {} was sent: no bulk was created",
            path.display()
        ))
        .stderr_has("hint: run the same command again to submit it")
        .stderr_lacks("druid-bulk status");
}

#[test]
fn ctrl_c_during_the_wait_says_the_bulk_goes_on_and_how_to_follow_it() {
    use druid_bulk::sandbox::SandboxConfig;
    // A bulk that stays `received` for an hour, polled on the real clock.
    let process_time = std::time::Duration::from_secs(3600);
    let server = sandbox_with(SandboxConfig::new(1).with_process_time(process_time));
    let (_dir, path) = users_file(GOOD);
    let running = submit(&server.endpoint(), &path)
        .arg("--wait=1h")
        .real_clock()
        .hang_guard()
        .spawn();
    // The submission, then a status request: waiting.
    wait_for("the first status request", || server.hits() >= 2);
    running.signal("INT");
    let run = running.finish_guarded();
    let bulk = run.stdout().trim().to_string();
    run.expect_code(130)
        .stderr_has(&format!(
            "error: interrupted by SIGINT (Ctrl-C) while waiting for bulk {bulk}"
        ))
        .stderr_has(&format!("`druid-bulk status {bulk}` shows where it stands"));
}
