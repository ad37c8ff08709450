//! Shipping: `.ci/package` lays out a release archive and its checksum;
//! `install.sh` and the GitHub Action's install step install from a mirror
//! of such archives (served here on loopback, no other network) and refuse
//! one whose checksum does not match; `.ci/release-notes` takes a version's
//! notes from a changelog. The scripts need `sh`, `bash`, `python3`, `tar`,
//! curl or wget and sha256sum or shasum: a test whose tool is missing is
//! skipped (see `support::installed`). The archive holds a stand-in binary (a script
//! that prints its version), so the tests need no release build.

use std::path::{Path, PathBuf};

use httpmock::prelude::*;

use crate::support::*;

/// The version in Cargo.toml, which names the archive.
const VERSION: &str = env!("CARGO_PKG_VERSION");

/// The repository's root.
fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// False, after saying the test is skipped, when the scripts are not here:
/// the crate's package for crates.io leaves them out.
fn scripts_here() -> bool {
    let here = [
        "install.sh",
        "action.yml",
        ".ci/package",
        ".ci/release-notes",
    ]
    .iter()
    .all(|script| repo().join(script).is_file());
    if !here {
        skipped("the release scripts are not in this copy of the source");
    }
    here
}

/// False, after saying the test is skipped, when the scripts or a tool
/// they need are missing.
fn tools_installed() -> bool {
    if !scripts_here() {
        return false;
    }
    let missing: Vec<&str> = ["sh", "bash", "python3", "tar"]
        .into_iter()
        .filter(|tool| !have(tool))
        .chain((!have("curl") && !have("wget")).then_some("curl or wget"))
        .chain((!have("sha256sum") && !have("shasum")).then_some("sha256sum or shasum"))
        .collect();
    if !missing.is_empty() {
        crate::support::missing(&format!("{} not installed", missing.join(", ")));
    }
    missing.is_empty()
}

/// The release target `install.sh` picks on this machine.
fn host_target() -> Option<&'static str> {
    match (std::env::consts::OS, std::env::consts::ARCH) {
        ("linux", "x86_64") => Some("x86_64-unknown-linux-musl"),
        ("linux", "aarch64") => Some("aarch64-unknown-linux-musl"),
        ("macos", "x86_64") => Some("x86_64-apple-darwin"),
        ("macos", "aarch64") => Some("aarch64-apple-darwin"),
        _ => None,
    }
}

/// A release of a stand-in binary (a script that prints its version),
/// packed by `.ci/package` for `target` into `dir`: the archive's name.
fn pack_fake_release(dir: &Path, target: &str) -> String {
    let bin = dir.join("druid-bulk");
    std::fs::write(
        &bin,
        format!("#!/bin/sh\necho 'druid-bulk {VERSION} (fake)'\n"),
    )
    .unwrap();
    make_executable(&bin);
    TestCommand::program("bash")
        .arg(repo().join(".ci/package"))
        .args([target, "--bin"])
        .arg(&bin)
        .arg("--out-dir")
        .arg(dir.join("dist"))
        .arg("--fast")
        .env("SOURCE_DATE_EPOCH", "1767225600")
        .ok();
    format!("druid-bulk-{VERSION}-{target}.tar.gz")
}

#[cfg(unix)]
fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[cfg(not(unix))]
fn make_executable(_: &Path) {}

/// Serve `archive` and its checksum from `dist` at `{prefix}/{archive}` and
/// `{prefix}/{archive}.sha256` (the checksum file's text replaced by
/// `checksum` when given).
fn serve_release(
    server: &MockServer,
    prefix: &str,
    dist: &Path,
    archive: &str,
    checksum: Option<String>,
) {
    let bytes = std::fs::read(dist.join(archive)).unwrap();
    let sum = checksum.unwrap_or_else(|| {
        std::fs::read_to_string(dist.join(format!("{archive}.sha256"))).unwrap()
    });
    server.mock(|when, then| {
        when.method(GET).path(format!("{prefix}/{archive}"));
        then.status(200).body(bytes);
    });
    server.mock(|when, then| {
        when.method(GET).path(format!("{prefix}/{archive}.sha256"));
        then.status(200).body(sum);
    });
}

/// A mirror on loopback serving `archive` and its checksum from `dist`
/// (the checksum file's text replaced by `checksum` when given).
fn mirror(dist: &Path, archive: &str, checksum: Option<String>) -> MockServer {
    let server = MockServer::start();
    serve_release(&server, "", dist, archive, checksum);
    server
}

/// Who installs the release in a test: `install.sh` from a plain mirror, or
/// the action's install step from a GitHub-shaped one.
#[derive(Clone, Copy)]
enum Installer {
    Script,
    Action,
}

/// A stand-in release for this machine, packed in a fresh directory and
/// served by the installer's mirror (its checksum all zeros when
/// `bad_checksum`): the directory, the archive's name and the mirror.
/// `None`, after saying the test is skipped, when this system has no
/// release target or a tool the installer needs is missing.
fn served_release(
    installer: Installer,
    bad_checksum: bool,
) -> Option<(tempfile::TempDir, String, MockServer)> {
    let target = match installer {
        Installer::Script => {
            let Some(target) = host_target() else {
                skipped("install.sh has no release target for this system");
                return None;
            };
            if !tools_installed() {
                return None;
            }
            target
        }
        Installer::Action => {
            if host_target().is_none() {
                skipped("the action's install step has no release target for this system");
                return None;
            }
            if !tools_installed() || !installed("curl") {
                return None;
            }
            host_target().unwrap()
        }
    };
    let dir = tempfile::tempdir().unwrap();
    let archive = pack_fake_release(dir.path(), target);
    let dist = dir.path().join("dist");
    let wrong = bad_checksum.then(|| format!("{}  {archive}\n", "0".repeat(64)));
    let server = match installer {
        Installer::Script => mirror(&dist, &archive, wrong),
        Installer::Action => github_mirror(&dist, &archive, wrong),
    };
    Some((dir, archive, server))
}

/// `sh install.sh --version VERSION --to DIR --base-url URL`.
fn install(to: &Path, base_url: &str) -> TestCommand {
    let mut cmd = TestCommand::program("sh");
    cmd.arg(repo().join("install.sh"))
        .args(["--version", VERSION, "--to"])
        .arg(to)
        .args(["--base-url", base_url]);
    cmd
}

#[test]
fn a_package_holds_the_binary_completions_man_page_readme_licences_and_changelog() {
    if !tools_installed() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let archive = pack_fake_release(dir.path(), "x86_64-unknown-linux-gnu");
    let dist = dir.path().join("dist");
    let top = format!("druid-bulk-{VERSION}-x86_64-unknown-linux-gnu");
    let mut completions: Vec<String> = std::fs::read_dir(repo().join("completions"))
        .unwrap()
        .map(|e| {
            format!(
                "{top}/completions/{}",
                e.unwrap().file_name().to_string_lossy()
            )
        })
        .collect();
    completions.sort();
    let mut expected = vec![
        format!("{top}/"),
        format!("{top}/CHANGELOG.md"),
        format!("{top}/LICENSE-APACHE"),
        format!("{top}/LICENSE-MIT"),
        format!("{top}/README.md"),
        format!("{top}/completions/"),
    ];
    expected.extend(completions);
    expected.extend([
        format!("{top}/docs/"),
        format!("{top}/docs/GUIDE.md"),
        format!("{top}/docs/RELIABILITY.md"),
        format!("{top}/druid-bulk"),
        format!("{top}/man/"),
        format!("{top}/man/druid-bulk.1"),
    ]);
    let listing = TestCommand::program("tar")
        .arg("tzf")
        .arg(dist.join(&archive))
        .stdout();
    let listed: Vec<&str> = listing.lines().collect();
    assert_eq!(listed, expected, "the archive's files, in order");

    // `HASH  NAME`, as sha256sum writes it, and sha256sum -c agrees.
    let sum = std::fs::read_to_string(dist.join(format!("{archive}.sha256"))).unwrap();
    let (hash, name) = sum.trim_end().split_once("  ").expect("HASH  NAME");
    assert_eq!(name, archive);
    assert!(
        hash.len() == 64 && hash.bytes().all(|b| b.is_ascii_hexdigit()),
        "a SHA-256 in hex: {sum:?}"
    );
    let check = if have("sha256sum") {
        "sha256sum -c \"$1\""
    } else {
        "shasum -a 256 -c \"$1\""
    };
    TestCommand::program("sh")
        .args(["-c", check, "sh"])
        .arg(format!("{archive}.sha256"))
        .current_dir(&dist)
        .ok();

    // Packed again from the same files and date: the same bytes.
    let again = tempfile::tempdir().unwrap();
    pack_fake_release(again.path(), "x86_64-unknown-linux-gnu");
    let first = std::fs::read(dist.join(&archive)).unwrap();
    let second = std::fs::read(again.path().join("dist").join(&archive)).unwrap();
    assert!(first == second, "the archive is reproducible");
}

#[test]
fn install_sh_installs_from_a_mirror_over_an_older_binary() {
    let Some((dir, archive, server)) = served_release(Installer::Script, false) else {
        return;
    };
    let to = dir.path().join("bin");
    std::fs::create_dir(&to).unwrap();
    std::fs::write(to.join("druid-bulk"), "#!/bin/sh\necho old\n").unwrap();

    let run = install(&to, &server.base_url()).ok();
    run.stderr_has(&format!("downloading {}/{archive}", server.base_url()))
        .stderr_has(&format!(
            "installed druid-bulk {VERSION} (fake) to {}",
            to.join("druid-bulk").display()
        ))
        .stderr_has("is not on your PATH");
    TestCommand::program(to.join("druid-bulk"))
        .arg("--version")
        .ok()
        .stdout_has(&format!("druid-bulk {VERSION} (fake)"));
    let left: Vec<_> = std::fs::read_dir(&to).unwrap().collect();
    assert_eq!(left.len(), 1, "only the binary in {}", to.display());

    // Installed again with the folder on PATH: it says so.
    let path = format!(
        "{}:{}",
        to.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    install(&to, &server.base_url())
        .env("PATH", path)
        .ok()
        .stderr_has("is on your PATH")
        .stderr_lacks("not on your PATH");
}

#[test]
fn install_sh_refuses_an_archive_whose_checksum_does_not_match() {
    let Some((dir, archive, server)) = served_release(Installer::Script, true) else {
        return;
    };
    let to = dir.path().join("bin");

    install(&to, &server.base_url())
        .fails(1)
        .stderr_has(&format!("checksum mismatch for {archive}: expected 000000"))
        .stderr_has("nothing was installed");
    assert!(
        !to.join("druid-bulk").exists(),
        "no binary in {}",
        to.display()
    );
}

#[test]
fn install_sh_needs_a_version_to_use_a_mirror_and_says_so() {
    if !scripts_here() {
        return;
    }
    if !installed("sh") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    TestCommand::program("sh")
        .arg(repo().join("install.sh"))
        .arg("--to")
        .arg(dir.path())
        .args(["--base-url", "http://127.0.0.1:9"])
        .fails(1)
        .stderr_has("--base-url needs --version");
    TestCommand::program("sh")
        .arg(repo().join("install.sh"))
        .arg("--frobnicate")
        .fails(1)
        .stderr_has("unknown argument '--frobnicate'");
}

#[test]
fn release_notes_are_the_changelog_section_of_the_version() {
    if !scripts_here() {
        return;
    }
    if !installed("bash") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let changelog = dir.path().join("CHANGELOG.md");
    std::fs::write(
        &changelog,
        "# Changelog\n\nIntro.\n\n## [Unreleased]\n\n- next\n\n\
         ## [1.1.0] - 2026-12-01\n\n### Added\n\n- a thing\n  on two lines\n\n### Fixed\n\n- a bug\n\n\
         ## [1.0.0] - 2026-11-01\n\n- first\n\n\
         [1.1.0]: https://example.com/1.1.0\n[1.0.0]: https://example.com/1.0.0\n",
    )
    .unwrap();
    let notes = |version: &str| {
        let mut cmd = TestCommand::program("bash");
        cmd.arg(repo().join(".ci/release-notes"))
            .arg(version)
            .arg(&changelog);
        cmd
    };
    let run = notes("1.1.0").ok();
    run.same(
        run.stdout(),
        "### Added\n\n- a thing\n  on two lines\n\n### Fixed\n\n- a bug\n",
    );
    let run = notes("v1.0.0").ok();
    run.same(run.stdout(), "- first\n");
    notes("1.2.0")
        .fails(1)
        .stderr_has("has no notes for 1.2.0: add a `## [1.2.0] - YYYY-MM-DD` section");
}

/// The bash script of `action.yml`'s install step.
fn action_install_script() -> String {
    let action = std::fs::read_to_string(repo().join("action.yml")).unwrap();
    let mut lines = action.lines().skip_while(|l| l.trim() != "- id: install");
    let mut script = String::new();
    lines
        .by_ref()
        .find(|l| l.trim_start().starts_with("run: |"))
        .expect("the install step has a run: | script");
    for line in lines {
        if !line.trim().is_empty() && !line.starts_with("        ") {
            break;
        }
        script.push_str(line.strip_prefix("        ").unwrap_or(""));
        script.push('\n');
    }
    script
}

/// `runner.os` and `runner.arch` on this machine.
fn runner() -> (&'static str, &'static str) {
    let os = match std::env::consts::OS {
        "macos" => "macOS",
        "windows" => "Windows",
        _ => "Linux",
    };
    let arch = match std::env::consts::ARCH {
        "aarch64" => "ARM64",
        _ => "X64",
    };
    (os, arch)
}

/// A GitHub-shaped mirror: `/releases/latest` redirects to the tag, and the
/// tag's downloads hold `archive` and its checksum (`checksum` instead of
/// the real one when given).
fn github_mirror(dist: &Path, archive: &str, checksum: Option<String>) -> MockServer {
    let server = MockServer::start();
    server.mock(|when, then| {
        when.path("/releases/latest");
        then.status(302)
            .header("location", format!("/releases/tag/v{VERSION}"));
    });
    server.mock(|when, then| {
        when.path(format!("/releases/tag/v{VERSION}"));
        then.status(200).body("a release page");
    });
    serve_release(
        &server,
        &format!("/releases/download/v{VERSION}"),
        dist,
        archive,
        checksum,
    );
    server
}

/// The action's install step, as a runner would run it, against `server`.
fn run_action_install(server: &MockServer, temp: &Path, version: &str) -> Run {
    let (os, arch) = runner();
    let mut cmd = TestCommand::program("bash");
    cmd.arg("-c")
        .arg(action_install_script())
        .env("REPO", server.base_url())
        .env("VERSION", version)
        .env("RUNNER_OS", os)
        .env("RUNNER_ARCH", arch)
        .env("RUNNER_TEMP", temp)
        .env("GITHUB_PATH", temp.join("github_path"))
        .env("GITHUB_OUTPUT", temp.join("github_output"));
    cmd.run()
}

#[test]
fn the_actions_install_step_puts_the_latest_release_on_path() {
    let Some((dir, _, server)) = served_release(Installer::Action, false) else {
        return;
    };
    let temp = dir.path().join("runner-temp");
    std::fs::create_dir(&temp).unwrap();

    let run = run_action_install(&server, &temp, "latest");
    run.expect_code(0);
    run.stdout_has(&format!("druid-bulk {VERSION} (fake)"));
    let path = std::fs::read_to_string(temp.join("github_path")).unwrap();
    let bin_dir = PathBuf::from(path.trim_end());
    run.check(
        bin_dir.join("druid-bulk").is_file(),
        format_args!("druid-bulk in the folder added to PATH: {path:?}"),
    );
    let output = std::fs::read_to_string(temp.join("github_output")).unwrap();
    run.check(
        output.contains(&format!("version={VERSION}\n"))
            && output.contains(&format!("path={}\n", bin_dir.display())),
        format_args!("the step's outputs: {output:?}"),
    );
}

#[test]
fn the_actions_install_step_refuses_a_bad_checksum_and_adds_nothing_to_path() {
    let Some((dir, _, server)) = served_release(Installer::Action, true) else {
        return;
    };
    let temp = dir.path().join("runner-temp");
    std::fs::create_dir(&temp).unwrap();

    let run = run_action_install(&server, &temp, &format!("v{VERSION}"));
    run.check(run.code() != Some(0), "the step fails");
    run.check(
        !temp.join("github_path").exists(),
        "nothing was added to PATH",
    );
    // A version that is not one is refused before any download.
    let run = run_action_install(&server, &temp, "main");
    run.check(run.code() != Some(0), "the step fails")
        .stdout_has("'main' is not a druid-bulk version");
}
