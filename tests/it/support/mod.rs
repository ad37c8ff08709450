//! What every integration test uses: [`TestCommand`], the binary (or a shell
//! or `script` that runs it) in an isolated environment, whose assertions
//! print the command line, exit status, stdout and stderr when they fail;
//! and DruID-shaped response bodies.

pub mod scripted;

use std::ffi::OsStr;
use std::fmt::Write as _;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

#[cfg(feature = "sandbox")]
use druid_bulk::sandbox::{self, SandboxConfig};

/// Every variable that can name a proxy.
pub const PROXY_VARIABLES: [&str; 6] = [
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
];

/// How long a test waits for something that should happen (a process to
/// end, a file to grow, a request to arrive) before it fails: a guard
/// against a hang, never a measure of speed. No test asserts on how long
/// anything took; the retry and poll waits run on the test clock.
pub const HANG_GUARD: Duration = Duration::from_secs(60);

/// How long a guarded wait sleeps between two looks.
const POLL: Duration = Duration::from_millis(5);

/// Whether `ready` comes to hold, looking every [`POLL`], at most as many
/// times as fit in [`HANG_GUARD`] (a count, not a clock: on a loaded
/// machine the guard only lasts longer).
fn polled(mut ready: impl FnMut() -> bool) -> bool {
    let looks = HANG_GUARD.as_millis() / POLL.as_millis();
    (0..looks).any(|_| {
        let ready = ready();
        if !ready {
            std::thread::sleep(POLL);
        }
        ready
    })
}

/// Wait until `ready` holds, polling every few milliseconds; fail naming
/// `what` after [`HANG_GUARD`]'s worth of looks.
#[track_caller]
pub fn wait_for(what: &str, ready: impl FnMut() -> bool) {
    assert!(polled(ready), "timed out waiting for {what}");
}

/// A distinctive token that must never show up in any output.
pub const TOKEN: &str = "tok-SECRET-9f8e7d6c5b4a";

/// A 128-bit id in a UUID's text form (`8-4-4-4-12` lower-case hex).
pub fn uuid_text(id: u128) -> String {
    let hex = format!("{id:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// Path of the results endpoint for a bulk.
pub fn results_path(bulk: &str) -> String {
    druid_bulk::api::routes::results(bulk)
}

/// The binary under test.
pub fn binary() -> std::path::PathBuf {
    assert_cmd::cargo::cargo_bin("druid-bulk")
}

/// A command to run and assert on: the binary, or a program that runs it.
///
/// The environment is isolated: no DruID settings, no config file, no `CI`,
/// `NO_COLOR`, `CLICOLOR_FORCE`, `COLUMNS`, `GITHUB_STEP_SUMMARY`, proxy
/// (`HTTP_PROXY`, …) or locale (`LC_ALL`, `LC_CTYPE`, `LANG`) inherited,
/// and retry and poll waits take a thousandth of their real time.
pub struct TestCommand {
    cmd: std::process::Command,
    stdin: Option<Vec<u8>>,
    timeout: Option<Duration>,
}

impl TestCommand {
    /// The binary with no arguments yet.
    pub fn new() -> TestCommand {
        TestCommand::program(binary())
    }

    /// Any program (`sh`, `script`, …) in the same isolated environment.
    pub fn program(program: impl AsRef<OsStr>) -> TestCommand {
        let mut cmd = std::process::Command::new(program);
        for var in [
            "DRUID_ENDPOINT",
            "DRUID_TOKEN",
            "DRUID_PROFILE",
            "DRUID_AUTH_URL",
            "DRUID_CLIENT_ID",
            "DRUID_CLIENT_SECRET",
            "COLUMNS",
            "CI",
            "NO_COLOR",
            "CLICOLOR",
            "CLICOLOR_FORCE",
            "FORCE_COLOR",
            "LC_ALL",
            "LC_CTYPE",
            "LANG",
            "GITHUB_STEP_SUMMARY",
            "NO_PROXY",
            "no_proxy",
        ]
        .into_iter()
        .chain(PROXY_VARIABLES)
        {
            cmd.env_remove(var);
        }
        // Never the developer's own config file.
        cmd.env("XDG_CONFIG_HOME", "/nonexistent/druid-bulk-tests");
        // Retry and poll waits take a thousandth of their real time.
        cmd.env("DRUID_BULK_TIME_SCALE", "0.001");
        cmd.env("TERM", "xterm-256color");
        TestCommand {
            cmd,
            stdin: None,
            timeout: None,
        }
    }

    /// `sh -c LINE` with the test token set; `$0` is the binary, `$1`… are
    /// added with [`TestCommand::arg`].
    pub fn shell(line: &str) -> TestCommand {
        let mut cmd = TestCommand::program("sh");
        cmd.arg("-c")
            .arg(line)
            .arg(binary())
            .env("DRUID_TOKEN", TOKEN);
        cmd
    }

    pub fn arg(&mut self, arg: impl AsRef<OsStr>) -> &mut TestCommand {
        self.cmd.arg(arg);
        self
    }

    pub fn args<I, S>(&mut self, args: I) -> &mut TestCommand
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.cmd.args(args);
        self
    }

    pub fn env(&mut self, key: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> &mut TestCommand {
        self.cmd.env(key, value);
        self
    }

    pub fn env_remove(&mut self, key: impl AsRef<OsStr>) -> &mut TestCommand {
        self.cmd.env_remove(key);
        self
    }

    pub fn current_dir(&mut self, dir: impl AsRef<Path>) -> &mut TestCommand {
        self.cmd.current_dir(dir);
        self
    }

    /// Feed these bytes on stdin (otherwise stdin is empty).
    pub fn stdin(&mut self, bytes: impl Into<Vec<u8>>) -> &mut TestCommand {
        self.stdin = Some(bytes.into());
        self
    }

    /// Kill the command if it runs longer than [`HANG_GUARD`] (its exit
    /// status then fails the test): for a command that could block, on a
    /// pipe nobody reads or a server that never answers.
    pub fn hang_guard(&mut self) -> &mut TestCommand {
        self.timeout = Some(HANG_GUARD);
        self
    }

    /// Without the test clock: every wait takes its real time. For a test
    /// in which a wait is a ceiling that must not be reached (a deadline
    /// the command must stop well before, the grace period after Ctrl-C),
    /// never one it sits through. Pair it with [`TestCommand::hang_guard`].
    pub fn real_clock(&mut self) -> &mut TestCommand {
        self.cmd.env_remove("DRUID_BULK_TIME_SCALE");
        self
    }

    /// The command line, for failure messages.
    pub fn line(&self) -> String {
        describe(&self.cmd)
    }

    /// Run to completion, whatever the exit status.
    pub fn run(&mut self) -> Run {
        let mut cmd = assert_cmd::Command::from_std(clone(&self.cmd));
        cmd.write_stdin(self.stdin.clone().unwrap_or_default());
        if let Some(limit) = self.timeout {
            cmd.timeout(limit);
        }
        let output = cmd
            .output()
            .unwrap_or_else(|e| panic!("cannot run {}: {e}", self.line()));
        Run::new(self.line(), output)
    }

    /// Run and assert exit 0.
    #[track_caller]
    pub fn ok(&mut self) -> Run {
        let run = self.run();
        run.expect_code(0);
        run
    }

    /// Run and assert exit `code`.
    #[track_caller]
    pub fn fails(&mut self, code: i32) -> Run {
        assert_ne!(code, 0, "use .ok() for a run that must succeed");
        let run = self.run();
        run.expect_code(code);
        run
    }

    /// Run, assert exit 0, and return stdout.
    #[track_caller]
    pub fn stdout(&mut self) -> String {
        self.ok().stdout
    }

    /// Start in the background with stdout and stderr piped (stdout to
    /// `stdout` when given), for tests that signal or race the process.
    pub fn spawn_with(&mut self, stdout: Option<Stdio>) -> Running {
        let mut cmd = clone(&self.cmd);
        cmd.stdin(Stdio::null())
            .stdout(stdout.unwrap_or_else(Stdio::piped))
            .stderr(Stdio::piped());
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", self.line()));
        Running {
            line: self.line(),
            child,
        }
    }

    /// [`TestCommand::spawn_with`] with stdout piped and `stdin` as stdin.
    #[cfg(feature = "sandbox")]
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    pub fn spawn_fed(&mut self, stdin: Stdio) -> Running {
        let mut cmd = clone(&self.cmd);
        cmd.stdin(stdin)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", self.line()));
        Running {
            line: self.line(),
            child,
        }
    }

    /// [`TestCommand::spawn_with`] with stdout piped.
    #[cfg(feature = "sandbox")]
    pub fn spawn(&mut self) -> Running {
        self.spawn_with(None)
    }
}

impl Default for TestCommand {
    fn default() -> Self {
        TestCommand::new()
    }
}

/// A command started in the background.
pub struct Running {
    line: String,
    pub child: Child,
}

impl Running {
    /// The process id, to signal it.
    #[cfg(feature = "sandbox")]
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// Send `signal` (`INT`, `TERM`, `KILL`, …) with the shell's builtin kill.
    #[cfg(feature = "sandbox")]
    pub fn signal(&self, signal: &str) {
        let status = std::process::Command::new("sh")
            .args(["-c", &format!("kill -{signal} {}", self.id())])
            .status()
            .expect("sh runs kill");
        assert!(status.success(), "kill -{signal} {} failed", self.id());
    }

    /// Whether the process has ended.
    #[cfg(feature = "sandbox")]
    pub fn ended(&mut self) -> bool {
        self.child
            .try_wait()
            .expect("the process can be waited for")
            .is_some()
    }

    /// [`Running::finish`], failing the test (and killing the process) if
    /// it has not ended within [`HANG_GUARD`]: for a process that must end
    /// on its own, and would otherwise hang.
    #[cfg(feature = "sandbox")]
    #[track_caller]
    pub fn finish_guarded(mut self) -> Run {
        if !polled(|| self.ended()) {
            let _ = self.child.kill();
            let run = self.finish();
            panic!(
                "still running after {HANG_GUARD:?}, killed\n\n{}",
                run.describe()
            );
        }
        self.finish()
    }

    /// Wait for the process to end and collect what it wrote.
    pub fn finish(self) -> Run {
        let output = self
            .child
            .wait_with_output()
            .unwrap_or_else(|e| panic!("cannot wait for {}: {e}", self.line));
        Run::new(self.line, output)
    }
}

/// A finished command: its exit status and what it wrote. Every assertion
/// prints the whole run when it fails.
#[derive(Clone)]
pub struct Run {
    line: String,
    status: std::process::ExitStatus,
    stdout: String,
    stderr: String,
    /// Whether each stream was valid UTF-8 (else it is kept lossily).
    utf8: (bool, bool),
}

impl Run {
    fn new(line: String, output: std::process::Output) -> Run {
        Run {
            line,
            status: output.status,
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            utf8: (
                std::str::from_utf8(&output.stdout).is_ok(),
                std::str::from_utf8(&output.stderr).is_ok(),
            ),
        }
    }

    /// Everything about the run, for a failure message.
    pub fn describe(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(s, "command: {}", self.line);
        let _ = writeln!(s, "status:  {}", self.status);
        let _ = writeln!(
            s,
            "stdout ({} bytes):\n{}",
            self.stdout.len(),
            clip(&self.stdout)
        );
        let _ = writeln!(
            s,
            "stderr ({} bytes):\n{}",
            self.stderr.len(),
            clip(&self.stderr)
        );
        s
    }

    /// Fail the test with `what` and the whole run, unless `holds`.
    #[track_caller]
    pub fn check(&self, holds: bool, what: impl std::fmt::Display) -> &Run {
        if !holds {
            panic!("{what}\n\n{}", self.describe());
        }
        self
    }

    /// The exit code (`None`: killed by a signal).
    pub fn code(&self) -> Option<i32> {
        self.status.code()
    }

    #[track_caller]
    pub fn expect_code(&self, code: i32) -> &Run {
        self.check(
            self.code() == Some(code),
            format_args!("expected exit {code}, got {}", self.status),
        )
    }

    /// stdout, which must be UTF-8.
    #[track_caller]
    pub fn stdout(&self) -> &str {
        self.check(self.utf8.0, "stdout is not UTF-8");
        &self.stdout
    }

    /// stderr, which must be UTF-8.
    #[track_caller]
    pub fn stderr(&self) -> &str {
        self.check(self.utf8.1, "stderr is not UTF-8");
        &self.stderr
    }

    /// stderr without the plain line a minute of a long export
    /// (`12,000 rows in 12 pages, 1m elapsed`), which a captured stderr
    /// gets: under the test clock a minute is 60 ms.
    #[cfg(feature = "sandbox")]
    #[track_caller]
    pub fn stderr_said(&self) -> String {
        (self.stderr().lines())
            .filter(|line| !is_heartbeat(line))
            .map(|line| format!("{line}\n"))
            .collect()
    }

    /// stdout as JSON lines.
    #[track_caller]
    pub fn jsonl(&self) -> Vec<Value> {
        self.stdout()
            .lines()
            .enumerate()
            .map(|(i, l)| {
                serde_json::from_str(l).unwrap_or_else(|e| {
                    panic!(
                        "stdout line {} is not JSON ({e})\n\n{}",
                        i + 1,
                        self.describe()
                    )
                })
            })
            .collect()
    }

    /// stdout as one JSON document.
    #[track_caller]
    pub fn json(&self) -> Value {
        serde_json::from_str(self.stdout())
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e})\n\n{}", self.describe()))
    }

    /// `assert_eq!(actual, expected)` that also prints the whole run.
    #[track_caller]
    pub fn same<A, B>(&self, actual: &A, expected: &B) -> &Run
    where
        A: PartialEq<B> + std::fmt::Debug + ?Sized,
        B: std::fmt::Debug + ?Sized,
    {
        self.check(
            actual == expected,
            format_args!("expected {expected:#?}\n     got {actual:#?}"),
        )
    }

    #[track_caller]
    pub fn stdout_has(&self, needle: &str) -> &Run {
        self.check(
            self.stdout().contains(needle),
            format_args!("stdout lacks {needle:?}"),
        )
    }

    #[track_caller]
    pub fn stdout_lacks(&self, needle: &str) -> &Run {
        self.check(
            !self.stdout().contains(needle),
            format_args!("stdout has {needle:?}"),
        )
    }

    #[track_caller]
    pub fn stderr_has(&self, needle: &str) -> &Run {
        self.check(
            self.stderr().contains(needle),
            format_args!("stderr lacks {needle:?}"),
        )
    }

    #[track_caller]
    pub fn stderr_lacks(&self, needle: &str) -> &Run {
        self.check(
            !self.stderr().contains(needle),
            format_args!("stderr has {needle:?}"),
        )
    }

    /// Neither stream mentions `needle` (a secret, say).
    #[track_caller]
    pub fn never_shows(&self, needle: &str) -> &Run {
        self.stdout_lacks(needle).stderr_lacks(needle)
    }
}

/// Long output is cut in the middle so a failure stays readable.
fn clip(text: &str) -> &str {
    const MAX: usize = 8_000;
    if text.len() <= MAX {
        return text;
    }
    let mut end = MAX;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// `std::process::Command` is not `Clone`; rebuild it.
fn clone(cmd: &std::process::Command) -> std::process::Command {
    let mut copy = std::process::Command::new(cmd.get_program());
    copy.args(cmd.get_args());
    for (key, value) in cmd.get_envs() {
        match value {
            Some(value) => copy.env(key, value),
            None => copy.env_remove(key),
        };
    }
    if let Some(dir) = cmd.get_current_dir() {
        copy.current_dir(dir);
    }
    copy
}

/// The environment this test set (not the isolation), then the command line.
fn describe(cmd: &std::process::Command) -> String {
    let mut parts: Vec<String> = cmd
        .get_envs()
        .filter_map(|(k, v)| Some((k, v?)))
        .filter(|(k, _)| {
            !matches!(
                k.to_str(),
                Some("XDG_CONFIG_HOME" | "DRUID_BULK_TIME_SCALE" | "TERM")
            )
        })
        .map(|(k, v)| format!("{}={}", k.to_string_lossy(), quote(v)))
        .collect();
    parts.push(quote(cmd.get_program()));
    parts.extend(cmd.get_args().map(quote));
    parts.join(" ")
}

fn quote(s: &OsStr) -> String {
    let s = s.to_string_lossy();
    if !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@,%+".contains(c))
    {
        s.into_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

/// `results BULK -e ENDPOINT` with no credentials set.
pub fn bare(endpoint: &str, bulk: &str) -> TestCommand {
    let mut cmd = TestCommand::new();
    cmd.args(["results", bulk, "-e", endpoint]);
    cmd
}

/// `results BULK -e ENDPOINT` with the test token in the environment.
pub fn results(endpoint: &str, bulk: &str) -> TestCommand {
    let mut cmd = bare(endpoint, bulk);
    cmd.env("DRUID_TOKEN", TOKEN);
    cmd
}

/// `failed-lines BULK -e ENDPOINT --input INPUT` with the test token.
pub fn failed_lines(endpoint: &str, bulk: &str, input: impl AsRef<OsStr>) -> TestCommand {
    let mut cmd = TestCommand::new();
    cmd.args(["failed-lines", bulk, "-e", endpoint, "--input"])
        .arg(input)
        .env("DRUID_TOKEN", TOKEN);
    cmd
}

/// `script -qec LINE /dev/null` (util-linux): `LINE` run by a shell on a
/// pseudo-terminal; stdout is everything the terminal showed.
#[cfg(target_os = "linux")]
pub fn on_a_pty(line: &str) -> TestCommand {
    let mut cmd = TestCommand::program("script");
    cmd.args(["-qec", line, "/dev/null"]);
    cmd
}

/// Whether `line` is an export's plain line a minute:
/// `12,000 rows in 12 pages, 1m elapsed`.
#[cfg(feature = "sandbox")]
pub fn is_heartbeat(line: &str) -> bool {
    let count = |s: &str, word: &str| {
        s.strip_suffix(word)
            .is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit() || c == ','))
    };
    let Some((rows, rest)) = line.split_once(" in ") else {
        return false;
    };
    let Some((pages, time)) = rest.split_once(", ") else {
        return false;
    };
    (count(rows, " rows") || count(rows, " row"))
        && (count(pages, " pages") || count(pages, " page"))
        && time.ends_with(" elapsed")
}

/// The names of the files in `dir`.
pub fn files_in(dir: &Path) -> Vec<String> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

/// Whether `tool` is found on `PATH` (`command -v`).
pub fn have(tool: &str) -> bool {
    std::process::Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

/// [`have`]; when `tool` is missing, the test is skipped ([`skipped`]),
/// or fails if `DRUID_BULK_REQUIRE_TOOLS=1` says every tool is there.
#[track_caller]
pub fn installed(tool: &str) -> bool {
    let found = have(tool);
    if !found {
        missing(&format!("{tool} is not installed"));
    }
    found
}

/// A tool the test needs is missing (`why`): fail if
/// `DRUID_BULK_REQUIRE_TOOLS=1` (`.ci/run` sets it once it has installed
/// them), else [`skipped`].
#[track_caller]
pub fn missing(why: &str) {
    if std::env::var_os("DRUID_BULK_REQUIRE_TOOLS").is_some_and(|v| v == "1") {
        panic!("{why}, and DRUID_BULK_REQUIRE_TOOLS=1 says every tool the tests need is installed");
    }
    skipped(why);
}

/// Say the test is skipped, and why: on stderr (seen with `--nocapture`)
/// and, when `DRUID_BULK_SKIPPED_LOG` names a file, as a line
/// `test-name: why` appended to it, which `.ci/run` counts and prints.
pub fn skipped(why: &str) {
    let thread = std::thread::current();
    let test = thread.name().unwrap_or("unnamed test");
    eprintln!("skipped: {why}");
    if let Some(log) = std::env::var_os("DRUID_BULK_SKIPPED_LOG") {
        use std::io::Write as _;
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&log)
            .unwrap_or_else(|e| panic!("cannot append to DRUID_BULK_SKIPPED_LOG: {e}"));
        // One write per line: tests run on several threads at once.
        file.write_all(format!("{test}: {why}\n").as_bytes())
            .unwrap_or_else(|e| panic!("cannot append to DRUID_BULK_SKIPPED_LOG: {e}"));
    }
}

/// A loopback port nothing listens on (it was free a moment ago).
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// A named pipe `name` made in `dir` with `mkfifo`.
#[cfg(unix)]
pub fn fifo_in(dir: &Path, name: &str) -> std::path::PathBuf {
    let fifo = dir.join(name);
    let made = std::process::Command::new("mkfifo").arg(&fifo).status();
    assert!(made.unwrap().success(), "mkfifo makes a named pipe");
    fifo
}

/// The binary with these arguments.
pub fn druid_bulk<I, S>(args: I) -> TestCommand
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let mut cmd = TestCommand::new();
    cmd.args(args);
    cmd
}

/// A `users.jsonl` holding `text` in a fresh directory that lives as long
/// as the returned [`tempfile::TempDir`].
pub fn users_file(text: impl AsRef<[u8]>) -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("users.jsonl");
    std::fs::write(&path, text).unwrap();
    (dir, path)
}

/// A 200 body with these rows and (optionally) a next cursor.
pub fn page(rows: Value, last_id: Option<&str>) -> Value {
    let mut content = json!({"bulkId": "B1", "results": rows});
    if let Some(last) = last_id {
        content["lastId"] = json!(last);
    }
    json!({"content": content, "result": {"status": 200, "message": "OK"}})
}

/// A typical failed row.
pub fn row(id: &str, error: &str) -> Value {
    json!({"id": id, "userIdentifierType": "object_id", "objectId": format!("obj-{id}"), "pulseId": null, "error": error})
}

/// Parse JSON lines.
pub fn jsonl(text: &str) -> Vec<Value> {
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Answer bulk `B1`'s results request for cursor `last` (`None`: the first page) with `body`.
pub fn mock_page<'a>(
    server: &'a httpmock::MockServer,
    last: Option<&str>,
    body: Value,
) -> httpmock::Mock<'a> {
    server.mock(|when, then| {
        let when = when.path(results_path("B1"));
        match last {
            Some(cursor) => when.query_param("last", cursor),
            None => when.query_param_missing("last"),
        };
        then.status(200).json_body(body);
    })
}

/// The sandbox, on a free loopback port, with `rows` rows in its main bulk
/// and the test token.
#[cfg(feature = "sandbox")]
pub fn start_sandbox(rows: u64) -> (SandboxConfig, sandbox::Running) {
    slow_sandbox(rows, 0)
}

/// The same, answering each results request `ms` milliseconds late: slow
/// enough to interrupt mid-export, or for the progress line to be drawn.
#[cfg(feature = "sandbox")]
pub fn slow_sandbox(rows: u64, ms: u64) -> (SandboxConfig, sandbox::Running) {
    let cfg = SandboxConfig::new(rows)
        .with_token(TOKEN)
        .with_faults(sandbox::Faults {
            latency: Duration::from_millis(ms),
            ..sandbox::Faults::default()
        });
    (cfg.clone(), sandbox_with(cfg))
}

/// The sandbox as `cfg` says, with the test token, on a free loopback port.
#[cfg(feature = "sandbox")]
pub fn sandbox_with(cfg: SandboxConfig) -> sandbox::Running {
    sandbox::start_background(cfg.with_token(TOKEN)).unwrap()
}

/// `status [BULK] -e ENDPOINT -f jsonl` with the test token, which must
/// succeed.
#[cfg(feature = "sandbox")]
#[track_caller]
pub fn status_jsonl(endpoint: &str, bulk: Option<&str>) -> Run {
    let mut cmd = druid_bulk(["status", "-e", endpoint, "-f", "jsonl"]);
    cmd.args(bulk).env("DRUID_TOKEN", TOKEN);
    cmd.ok()
}

/// The `n`th object id the sandbox knows (not one of its unknown users).
#[cfg(feature = "sandbox")]
pub fn known(cfg: &SandboxConfig, n: u32) -> String {
    (0..)
        .map(|i| format!("{n:08x}{i:016x}"))
        .find(|id| !sandbox::unknown_user(cfg, id))
        .unwrap()
}

/// An object id the sandbox does not know.
#[cfg(feature = "sandbox")]
pub fn unknown(cfg: &SandboxConfig) -> String {
    (0..)
        .map(|i| format!("ffff0000{i:016x}"))
        .find(|id| sandbox::unknown_user(cfg, id))
        .unwrap()
}

/// `PATCH /activityid/v1/user/bulk` with `body` as JSON lines and the test
/// token, on a fresh connection to `addr`: the answer's status and JSON body.
#[cfg(feature = "sandbox")]
pub fn submit_lines(addr: std::net::SocketAddr, body: &[u8]) -> (u16, Value) {
    use std::io::{Read, Write};
    let mut stream = std::net::TcpStream::connect(addr).expect("the sandbox accepts connections");
    let head = format!(
        "PATCH {} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {TOKEN}\r\n\
         Content-Type: application/jsonl\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        druid_bulk::api::routes::BULKS,
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    let answer = String::from_utf8(answer).expect("a UTF-8 answer");
    let (head, body) = answer.split_once("\r\n\r\n").expect("a whole HTTP answer");
    let status = head[9..12].parse().expect("a status code");
    let body = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body:?}"));
    (status, body)
}

/// Submits `body` to the sandbox at `addr` and returns the new bulk's id.
#[cfg(feature = "sandbox")]
#[track_caller]
pub fn submit_bulk(addr: std::net::SocketAddr, body: &str) -> String {
    let (status, answer) = submit_lines(addr, body.as_bytes());
    assert_eq!(status, 200, "the submission is accepted: {answer}");
    answer["content"]["bulkId"]
        .as_str()
        .expect("content.bulkId")
        .to_string()
}
