//! Shipping: `.ci/package` lays out a release archive and its checksum;
//! `install.sh` and the GitHub Action's install step install from a mirror
//! of such archives (served here on loopback, no other network) and refuse
//! one whose checksum does not match; `install.sh` picks the archive
//! (`--target`, Linux's -gnu one when there is no -musl one), takes a
//! pinned digest (`--sha256`) and puts the completions and man page in the
//! XDG folders or beside `--to`; the action caches the binary in the
//! runner's tool cache and its run step outputs the exit code;
//! `.ci/release-notes` takes a version's notes from a changelog. The
//! scripts need `sh`, `bash`, `python3`, `tar`, curl or wget and sha256sum
//! or shasum: a test whose tool is missing is skipped (see
//! `support::installed`). The archive holds a stand-in binary (a script
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

/// The stand-in binary (a script that prints its version), written to
/// `dir/druid-bulk`.
fn fake_binary(dir: &Path) -> PathBuf {
    let bin = dir.join("druid-bulk");
    std::fs::write(
        &bin,
        format!("#!/bin/sh\necho 'druid-bulk {VERSION} (fake)'\n"),
    )
    .unwrap();
    make_executable(&bin);
    bin
}

/// A release of a stand-in binary (a script that prints its version),
/// packed by `.ci/package` for `target` into `dir/dist`: the archive's name.
fn pack_fake_release(dir: &Path, target: &str) -> String {
    let bin = fake_binary(dir);
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

/// A release as old ones were packed: the stand-in binary alone in its
/// folder, no completions, no man page; into `dir/dist` with its checksum
/// file. The archive's name.
fn pack_bare_release(dir: &Path, target: &str) -> String {
    fake_binary(dir);
    let top = format!("druid-bulk-{VERSION}-{target}");
    TestCommand::program("sh")
        .args([
            "-c",
            "set -e; mkdir -p \"$1\" dist; cp druid-bulk \"$1/\"; \
             tar -czf \"dist/$1.tar.gz\" \"$1\"; cd dist; \
             if command -v sha256sum >/dev/null; then sha256sum \"$1.tar.gz\"; \
             else shasum -a 256 \"$1.tar.gz\"; fi >\"$1.tar.gz.sha256\"",
            "sh",
        ])
        .arg(&top)
        .current_dir(dir)
        .ok();
    format!("{top}.tar.gz")
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
    serve_archive(server, prefix, dist, archive);
    let sum = checksum.unwrap_or_else(|| {
        std::fs::read_to_string(dist.join(format!("{archive}.sha256"))).unwrap()
    });
    server.mock(|when, then| {
        when.method(GET).path(format!("{prefix}/{archive}.sha256"));
        then.status(200).body(sum);
    });
}

/// Serve `archive` from `dist` at `{prefix}/{archive}`, without its checksum
/// file (any other path is a 404).
fn serve_archive(server: &MockServer, prefix: &str, dist: &Path, archive: &str) {
    let bytes = std::fs::read(dist.join(archive)).unwrap();
    server.mock(|when, then| {
        when.method(GET).path(format!("{prefix}/{archive}"));
        then.status(200).body(bytes);
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

/// The release target `install.sh` picks here, when it has one and the
/// tools it needs are installed; `None`, after saying the test is skipped.
fn script_target() -> Option<&'static str> {
    let Some(target) = host_target() else {
        skipped("install.sh has no release target for this system");
        return None;
    };
    tools_installed().then_some(target)
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
        Installer::Script => script_target()?,
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
    let mut cmd = install_sh(base_url);
    cmd.arg("--to").arg(to);
    cmd
}

/// `sh install.sh --version VERSION --base-url URL`, more arguments to add.
fn install_sh(base_url: &str) -> TestCommand {
    let mut cmd = TestCommand::program("sh");
    cmd.arg(repo().join("install.sh"))
        .args(["--version", VERSION])
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
        format!("{top}/ARCHITECTURE.md"),
        format!("{top}/BENCHMARKS.md"),
        format!("{top}/CHANGELOG.md"),
        format!("{top}/CONTRIBUTING.md"),
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
fn install_sh_help_documents_every_option() {
    if !scripts_here() || !installed("sh") {
        return;
    }
    // Every option the argument loop accepts, `--to=DIR` as `--to`.
    let script = std::fs::read_to_string(repo().join("install.sh")).unwrap();
    let mut options: Vec<&str> = script
        .lines()
        .skip_while(|l| !l.starts_with("while [ $# -gt 0 ]"))
        .take_while(|l| *l != "done")
        .map(str::trim_start)
        .filter(|l| l.starts_with('-'))
        .filter_map(|l| l.split_once(')').map(|(labels, _)| labels))
        .flat_map(|labels| labels.split('|'))
        .map(|label| label.trim().trim_end_matches("=*"))
        .collect();
    options.sort_unstable();
    options.dedup();
    assert!(options.len() >= 8, "the options of install.sh: {options:?}");

    let run = TestCommand::program("sh")
        .arg(repo().join("install.sh"))
        .arg("--help")
        .ok();
    let help = run.stdout();
    run.check(
        help.starts_with("Install druid-bulk"),
        "--help prints the comment header",
    );
    // The options list: `  --sha256 HEX     the archive must…`.
    let listed: Vec<&str> = help
        .lines()
        .filter(|l| l.starts_with("  -"))
        .flat_map(|l| l.trim_start().split("  ").next().unwrap().split([' ', ',']))
        .collect();
    for option in options {
        run.check(
            listed.contains(&option),
            format_args!("--help lists {option} in its options: {listed:?}"),
        );
    }
}

#[test]
fn install_sh_installs_the_archive_of_the_target_it_is_given() {
    if !tools_installed() {
        return;
    }
    // Any triple: not one this system would be detected as.
    let target = "riscv64gc-unknown-linux-gnu";
    let dir = tempfile::tempdir().unwrap();
    let archive = pack_fake_release(dir.path(), target);
    let server = mirror(&dir.path().join("dist"), &archive, None);
    let to = dir.path().join("bin");

    install(&to, &server.base_url())
        .args(["--target", target])
        .ok()
        .stderr_has(&format!("downloading {}/{archive}", server.base_url()))
        .stderr_has(&format!(
            "installed druid-bulk {VERSION} (fake) to {}, the {target} build",
            to.join("druid-bulk").display()
        ));
    install(&to, &server.base_url())
        .arg(format!("--target={target}"))
        .ok()
        .stderr_has(&format!("the {target} build"));

    // Not a triple, or a Windows one (a .zip): refused before any download.
    let other = dir.path().join("other");
    install(&other, &server.base_url())
        .args(["--target", "x86_64 linux"])
        .fails(1)
        .stderr_has("--target 'x86_64 linux' is not a target triple")
        .stderr_lacks("downloading");
    install(&other, &server.base_url())
        .args(["--target", "x86_64-pc-windows-msvc"])
        .fails(1)
        .stderr_has("download druid-bulk-X.Y.Z-x86_64-pc-windows-msvc.zip")
        .stderr_lacks("downloading");
    assert!(!other.exists(), "nothing in {}", other.display());
}

#[test]
fn install_sh_on_linux_takes_the_gnu_archive_when_a_release_has_no_musl_one() {
    if !tools_installed() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // This system is x86_64 Linux, whatever it is: a `uname` first on PATH.
    let stub = dir.path().join("stub");
    std::fs::create_dir(&stub).unwrap();
    std::fs::write(
        stub.join("uname"),
        "#!/bin/sh\ncase $1 in -s) echo Linux ;; -m) echo x86_64 ;; \
         *) echo \"uname stub: unexpected $*\" >&2; exit 1 ;; esac\n",
    )
    .unwrap();
    make_executable(&stub.join("uname"));
    let path = format!(
        "{}:{}",
        stub.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let musl = pack_fake_release(dir.path(), "x86_64-unknown-linux-musl");
    let gnu = pack_fake_release(dir.path(), "x86_64-unknown-linux-gnu");
    let dist = dir.path().join("dist");
    let to = dir.path().join("bin");
    let binary = to.join("druid-bulk");

    // Both: the static -musl one.
    let both = MockServer::start();
    serve_release(&both, "", &dist, &musl, None);
    serve_release(&both, "", &dist, &gnu, None);
    install(&to, &both.base_url())
        .env("PATH", &path)
        .ok()
        .stderr_has(&format!(
            "installed druid-bulk {VERSION} (fake) to {}, the x86_64-unknown-linux-musl build",
            binary.display()
        ))
        .stderr_lacks("linux-gnu");

    // The -gnu one alone: it says so, and installs that.
    let gnu_only = mirror(&dist, &gnu, None);
    install(&to, &gnu_only.base_url())
        .env("PATH", &path)
        .ok()
        .stderr_has(&format!("downloading {}/{musl}", gnu_only.base_url()))
        .stderr_has(&format!(
            "{VERSION} has no x86_64-unknown-linux-musl build (404): \
             trying the x86_64-unknown-linux-gnu one, which needs glibc"
        ))
        .stderr_has(&format!("downloading {}/{gnu}", gnu_only.base_url()))
        .stderr_has(&format!(
            "installed druid-bulk {VERSION} (fake) to {}, the x86_64-unknown-linux-gnu build",
            binary.display()
        ));

    // With --target, no other: the -musl one or nothing.
    let other = dir.path().join("other");
    install(&other, &gnu_only.base_url())
        .env("PATH", &path)
        .args(["--target", "x86_64-unknown-linux-musl"])
        .fails(1)
        .stderr_has(&format!("{musl} does not exist (404)"))
        .stderr_lacks("trying");

    // Neither: an error naming both, and nothing installed.
    let neither = MockServer::start();
    install(&other, &neither.base_url())
        .env("PATH", &path)
        .fails(1)
        .stderr_has(&format!(
            "{VERSION} has no Linux x86_64 build at {} \
             (neither x86_64-unknown-linux-musl nor x86_64-unknown-linux-gnu)",
            neither.base_url()
        ))
        .stderr_has("cargo install --locked druid-bulk");
    assert!(!other.exists(), "nothing in {}", other.display());
}

#[test]
fn install_sh_installs_an_archive_pinned_by_sha256_and_refuses_another() {
    let Some(target) = script_target() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let archive = pack_fake_release(dir.path(), target);
    let dist = dir.path().join("dist");
    let sum = std::fs::read_to_string(dist.join(format!("{archive}.sha256"))).unwrap();
    let digest = sum.split(' ').next().unwrap().to_owned();
    // The archive alone: with --sha256 its checksum file is not needed.
    let server = MockServer::start();
    serve_archive(&server, "", &dist, &archive);
    let to = dir.path().join("bin");

    install(&to, &server.base_url())
        .args(["--sha256", &digest.to_uppercase()])
        .ok()
        .stderr_has(&format!(
            "installed druid-bulk {VERSION} (fake) to {}",
            to.join("druid-bulk").display()
        ));

    // Another digest: refused, and nothing installed (no binary, no extras).
    let prefix = dir.path().join("other");
    let other = prefix.join("bin");
    let wrong = "ab".repeat(32);
    install(&other, &server.base_url())
        .arg(format!("--sha256={wrong}"))
        .fails(1)
        .stderr_has(&format!(
            "checksum mismatch for {archive}: expected {wrong} (from --sha256), got {digest}"
        ))
        .stderr_has("nothing was installed");
    assert!(!prefix.exists(), "nothing in {}", prefix.display());

    // Not a SHA-256: refused before any download.
    install(&other, &server.base_url())
        .args(["--sha256", "abc123"])
        .fails(1)
        .stderr_has("--sha256 'abc123' has 6 hex digits, a SHA-256 has 64")
        .stderr_lacks("downloading");
    install(&other, &server.base_url())
        .args(["--sha256", ""])
        .fails(1)
        .stderr_has("is not a SHA-256");
    assert!(!prefix.exists(), "nothing in {}", prefix.display());
}

/// Where install.sh puts the extras, the data folder and the fish folder
/// given: what it calls each, where it goes, and its file in the archive.
fn extras_in(data: &Path, fish: &Path) -> [(&'static str, PathBuf, &'static str); 4] {
    [
        (
            "bash completion",
            data.join("bash-completion/completions/druid-bulk"),
            "completions/druid-bulk.bash",
        ),
        (
            "zsh completion",
            data.join("zsh/site-functions/_druid-bulk"),
            "completions/_druid-bulk",
        ),
        (
            "fish completion",
            fish.join("druid-bulk.fish"),
            "completions/druid-bulk.fish",
        ),
        (
            "man page",
            data.join("man/man1/druid-bulk.1"),
            "man/druid-bulk.1",
        ),
    ]
}

/// Each extra is where `extras` says, the repository's file, and the run
/// said so in a line of its own.
#[track_caller]
fn assert_extras_installed(run: &Run, extras: &[(&str, PathBuf, &str)]) {
    for (what, file, source) in extras {
        run.stderr_has(&format!("druid-bulk install: {what}: {}", file.display()));
        let installed = std::fs::read(file).unwrap_or_default();
        run.check(
            installed == std::fs::read(repo().join(source)).unwrap(),
            format_args!("{} holds the archive's {source}", file.display()),
        );
    }
}

#[test]
fn install_sh_puts_the_completions_and_man_page_in_the_xdg_folders() {
    let Some((dir, _, server)) = served_release(Installer::Script, false) else {
        return;
    };
    let home = dir.path().join("home");
    let data = dir.path().join("data");
    let config = dir.path().join("config");

    let run = install_sh(&server.base_url())
        .env("HOME", &home)
        .env("XDG_DATA_HOME", &data)
        .env("XDG_CONFIG_HOME", &config)
        .ok();
    run.stderr_has(&format!(
        "installed druid-bulk {VERSION} (fake) to {}",
        home.join(".local/bin/druid-bulk").display()
    ));
    assert_extras_installed(&run, &extras_in(&data, &config.join("fish/completions")));
    run.stderr_has(&format!(
        "add fpath=({} $fpath) to ~/.zshrc before compinit",
        data.join("zsh/site-functions").display()
    ));

    // Neither set (or a relative one, which XDG says to ignore): under HOME.
    let run = install_sh(&server.base_url())
        .env("HOME", &home)
        .env_remove("XDG_DATA_HOME")
        .env("XDG_CONFIG_HOME", "relative")
        .current_dir(dir.path())
        .ok();
    assert_extras_installed(
        &run,
        &extras_in(
            &home.join(".local/share"),
            &home.join(".config/fish/completions"),
        ),
    );
    assert!(!dir.path().join("relative").exists());
}

#[test]
fn install_sh_puts_the_extras_in_the_share_folder_beside_to() {
    let Some((dir, _, server)) = served_release(Installer::Script, false) else {
        return;
    };
    let home = dir.path().join("home");
    let prefix = dir.path().join("prefix");

    let run = install(&prefix.join("bin"), &server.base_url())
        .env("HOME", &home)
        .env_remove("XDG_DATA_HOME")
        .ok();
    let share = prefix.join("share");
    assert_extras_installed(
        &run,
        &extras_in(&share, &share.join("fish/vendor_completions.d")),
    );
    assert!(!home.exists(), "nothing under HOME with --to");
}

#[test]
fn install_sh_with_no_extras_installs_the_binary_alone() {
    let Some((dir, _, server)) = served_release(Installer::Script, false) else {
        return;
    };
    let home = dir.path().join("home");
    let data = dir.path().join("data");
    let config = dir.path().join("config");

    let run = install_sh(&server.base_url())
        .arg("--no-extras")
        .env("HOME", &home)
        .env("XDG_DATA_HOME", &data)
        .env("XDG_CONFIG_HOME", &config)
        .ok();
    run.stderr_has("installed druid-bulk")
        .stderr_lacks("completion");
    assert!(home.join(".local/bin/druid-bulk").is_file());
    assert!(!data.exists() && !config.exists(), "no extras");
    assert!(!home.join(".local/share").exists(), "no extras");

    let prefix = dir.path().join("prefix");
    install(&prefix.join("bin"), &server.base_url())
        .arg("--no-extras")
        .ok()
        .stderr_lacks("man page");
    assert!(prefix.join("bin/druid-bulk").is_file());
    assert!(!prefix.join("share").exists(), "no extras");
}

#[test]
fn install_sh_installs_an_archive_without_extras_and_says_so() {
    let Some(target) = script_target() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let archive = pack_bare_release(dir.path(), target);
    let server = mirror(&dir.path().join("dist"), &archive, None);
    let prefix = dir.path().join("prefix");

    install(&prefix.join("bin"), &server.base_url())
        .ok()
        .stderr_has(&format!("installed druid-bulk {VERSION} (fake)"))
        .stderr_has("the archive has no completions or man page (an older release): installed the binary only")
        .stderr_lacks("warning");
    TestCommand::program(prefix.join("bin/druid-bulk"))
        .arg("--version")
        .ok();
    assert!(!prefix.join("share").exists(), "no extras");
}

#[test]
fn install_sh_warns_when_an_extra_cannot_be_written_and_keeps_the_binary() {
    let Some((dir, _, server)) = served_release(Installer::Script, false) else {
        return;
    };
    let home = dir.path().join("home");
    let config = dir.path().join("config");
    // A folder under a file: not even root can make it.
    let file = dir.path().join("a-file");
    std::fs::write(&file, "").unwrap();
    let data = file.join("data");

    let run = install_sh(&server.base_url())
        .env("HOME", &home)
        .env("XDG_DATA_HOME", &data)
        .env("XDG_CONFIG_HOME", &config)
        .ok();
    run.stderr_has(&format!(
        "installed druid-bulk {VERSION} (fake) to {}",
        home.join(".local/bin/druid-bulk").display()
    ))
    .stderr_has(&format!(
        "warning: could not write the bash completion to {} \
         (druid-bulk is installed all the same)",
        data.join("bash-completion/completions/druid-bulk")
            .display()
    ))
    .stderr_has(&format!(
        "or write the file with: druid-bulk man > {}",
        data.join("man/man1/druid-bulk.1").display()
    ))
    .stderr_has(
        "warning: some extras were not installed (see above); druid-bulk itself is installed",
    );
    // The one whose folder could be written is there.
    assert_extras_installed(
        &run,
        &extras_in(&data, &config.join("fish/completions"))[2..3],
    );
    TestCommand::program(home.join(".local/bin/druid-bulk"))
        .arg("--version")
        .ok();
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

/// The bash script of the `action.yml` step whose id is `id`.
fn action_step_script(id: &str) -> String {
    let action = std::fs::read_to_string(repo().join("action.yml")).unwrap();
    let mut lines = action
        .lines()
        .skip_while(|l| l.trim() != format!("- id: {id}"));
    let mut script = String::new();
    lines
        .by_ref()
        .find(|l| l.trim_start().starts_with("run: |"))
        .unwrap_or_else(|| panic!("the {id} step has a run: | script"));
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

/// A runner's folders and files, under one directory: `RUNNER_TEMP`,
/// `RUNNER_TOOL_CACHE`, and the `GITHUB_PATH` and `GITHUB_OUTPUT` files.
struct FakeRunner {
    temp: PathBuf,
    tool_cache: PathBuf,
    github_path: PathBuf,
    github_output: PathBuf,
}

impl FakeRunner {
    fn in_dir(dir: &Path) -> FakeRunner {
        let runner = FakeRunner {
            temp: dir.join("runner-temp"),
            tool_cache: dir.join("tool-cache"),
            github_path: dir.join("github_path"),
            github_output: dir.join("github_output"),
        };
        std::fs::create_dir(&runner.temp).unwrap();
        std::fs::create_dir(&runner.tool_cache).unwrap();
        runner
    }

    /// Where the install step caches this machine's release:
    /// `druid-bulk/VERSION/TARGET`, and the marker beside it.
    fn cached(&self) -> (PathBuf, PathBuf) {
        let target = host_target().expect("a release target");
        let dir = self
            .tool_cache
            .join("druid-bulk")
            .join(VERSION)
            .join(target);
        let marker = dir.with_file_name(format!("{target}.complete"));
        (dir, marker)
    }

    /// The action's install step, as a runner would run it, downloading
    /// from `repo` (a mirror's base URL).
    fn install(&self, repo: &str, version: &str) -> Run {
        let (os, arch) = runner();
        let mut cmd = TestCommand::program("bash");
        cmd.arg("-c")
            .arg(action_step_script("install"))
            .env("REPO", repo)
            .env("VERSION", version)
            .env("RUNNER_OS", os)
            .env("RUNNER_ARCH", arch)
            .env("RUNNER_TEMP", &self.temp)
            .env("RUNNER_TOOL_CACHE", &self.tool_cache)
            .env("GITHUB_PATH", &self.github_path)
            .env("GITHUB_OUTPUT", &self.github_output);
        cmd.run()
    }
}

#[test]
fn the_actions_install_step_puts_the_latest_release_on_path() {
    let Some((dir, _, server)) = served_release(Installer::Action, false) else {
        return;
    };
    let runner = FakeRunner::in_dir(dir.path());

    let run = runner.install(&server.base_url(), "latest");
    run.expect_code(0);
    run.stdout_has(&format!("druid-bulk {VERSION} (fake)"));
    let path = std::fs::read_to_string(&runner.github_path).unwrap();
    let bin_dir = PathBuf::from(path.trim_end());
    run.check(
        bin_dir.join("druid-bulk").is_file(),
        format_args!("druid-bulk in the folder added to PATH: {path:?}"),
    );
    // That folder is in the tool cache, marked complete; RUNNER_TEMP is
    // left as it was.
    let (cached, marker) = runner.cached();
    run.check(
        bin_dir == cached && marker.is_file(),
        format_args!(
            "{} in the tool cache, and {}",
            cached.display(),
            marker.display()
        ),
    );
    run.check(
        std::fs::read_dir(&runner.temp).unwrap().next().is_none(),
        "nothing left in RUNNER_TEMP",
    );
    let output = std::fs::read_to_string(&runner.github_output).unwrap();
    run.check(
        output.contains(&format!("version={VERSION}\n"))
            && output.contains(&format!("path={}\n", bin_dir.display())),
        format_args!("the step's outputs: {output:?}"),
    );
}

#[test]
fn the_actions_install_step_reuses_the_binary_in_the_tool_cache() {
    let Some((dir, _, server)) = served_release(Installer::Action, false) else {
        return;
    };
    let runner = FakeRunner::in_dir(dir.path());
    let (cached, marker) = runner.cached();
    runner
        .install(&server.base_url(), VERSION)
        .expect_code(0)
        .stdout_has("Downloading");

    // Again with no mirror at all: the cached binary, on PATH.
    let gone = format!("http://127.0.0.1:{}", free_port());
    std::fs::remove_file(&runner.github_path).unwrap();
    let run = runner.install(&gone, VERSION);
    run.expect_code(0)
        .stdout_has(&format!(
            "Using druid-bulk {VERSION} from the tool cache: {}",
            cached.display()
        ))
        .stdout_has(&format!("druid-bulk {VERSION} (fake)"))
        .stdout_lacks("Downloading");
    let path = std::fs::read_to_string(&runner.github_path).unwrap();
    run.check(
        path == format!("{}\n", cached.display()),
        format_args!("the cached folder added to PATH: {path:?}"),
    );

    // No marker (a copy cut short) or a binary that does not run: it is
    // downloaded again, and cached anew.
    std::fs::remove_file(&marker).unwrap();
    let run = runner.install(&gone, VERSION);
    run.check(
        run.code() != Some(0),
        "no cache to use, no mirror: the step fails",
    )
    .stdout_has("Downloading");
    runner.install(&server.base_url(), VERSION).expect_code(0);
    assert!(marker.is_file(), "{} again", marker.display());

    std::fs::write(cached.join("druid-bulk"), "#!/bin/sh\nexit 1\n").unwrap();
    let run = runner.install(&gone, VERSION);
    run.check(run.code() != Some(0), "a broken binary is not reused")
        .stdout_has("Downloading");
    runner
        .install(&server.base_url(), VERSION)
        .expect_code(0)
        .stdout_has(&format!("druid-bulk {VERSION} (fake)"));
}

#[test]
fn the_actions_install_step_refuses_a_bad_checksum_and_adds_nothing_to_path() {
    let Some((dir, _, server)) = served_release(Installer::Action, true) else {
        return;
    };
    let runner = FakeRunner::in_dir(dir.path());

    let run = runner.install(&server.base_url(), &format!("v{VERSION}"));
    run.check(run.code() != Some(0), "the step fails");
    run.check(!runner.github_path.exists(), "nothing was added to PATH");
    run.check(
        std::fs::read_dir(&runner.tool_cache)
            .unwrap()
            .next()
            .is_none(),
        "nothing in the tool cache",
    );
    // A version that is not one is refused before any download.
    let run = runner.install(&server.base_url(), "main");
    run.check(run.code() != Some(0), "the step fails")
        .stdout_has("'main' is not a druid-bulk version");
    let run = runner.install(&server.base_url(), "1.2.3/../../x");
    run.check(run.code() != Some(0), "the step fails")
        .stdout_has("is not a druid-bulk version");
}

#[test]
fn the_actions_run_step_outputs_the_exit_code_and_fails_with_it() {
    if !scripts_here() || !installed("bash") {
        return;
    }
    let action = std::fs::read_to_string(repo().join("action.yml")).unwrap();
    assert!(
        action.contains("value: ${{ steps.run.outputs.exit-code }}"),
        "action.yml's exit-code output is the run step's"
    );
    let dir = tempfile::tempdir().unwrap();
    // A druid-bulk that writes its arguments and exits with $FAKE_EXIT.
    let bin = dir.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    std::fs::write(
        bin.join("druid-bulk"),
        "#!/bin/sh\nprintf '%s\\n' \"$@\" >\"$ARGS_FILE\"\nexit \"$FAKE_EXIT\"\n",
    )
    .unwrap();
    make_executable(&bin.join("druid-bulk"));
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let output = dir.path().join("github_output");
    let args = dir.path().join("args");
    let run_step = |code: &str| {
        let _ = std::fs::remove_file(&output);
        let run = TestCommand::program("bash")
            .arg("-c")
            .arg(action_step_script("run"))
            .env(
                "DRUID_BULK_ARGS",
                r#"results "$BULK_ID" --failed-only -o "two words.csv" --fail-on-rows"#,
            )
            .env("BULK_ID", "B1")
            .env("FAKE_EXIT", code)
            .env("ARGS_FILE", &args)
            .env("GITHUB_OUTPUT", &output)
            .env("PATH", &path)
            .run();
        let written = std::fs::read_to_string(&output).unwrap_or_default();
        (run, written)
    };

    // Rows found: the output says 8, and the step fails with 8.
    let (run, written) = run_step("8");
    run.expect_code(8);
    run.same(written.as_str(), "exit-code=8\n");
    let passed = std::fs::read_to_string(&args).unwrap();
    run.same(
        passed.as_str(),
        "results\nB1\n--failed-only\n-o\ntwo words.csv\n--fail-on-rows\n",
    );
    // An error: its own code.
    let (run, written) = run_step("6");
    run.expect_code(6);
    run.same(written.as_str(), "exit-code=6\n");
    // Success.
    let (run, written) = run_step("0");
    run.expect_code(0);
    run.same(written.as_str(), "exit-code=0\n");
}

#[test]
fn the_action_uploads_artifact_path_under_a_default_name() {
    if !scripts_here() {
        return;
    }
    let action = std::fs::read_to_string(repo().join("action.yml")).unwrap();
    let upload = action
        .split("\n    - ")
        .find(|step| step.contains("uses: actions/upload-artifact@"))
        .expect("action.yml has an upload step");
    assert!(
        upload.contains("if: always() && inputs.artifact-path != ''\n"),
        "artifact-path alone uploads, even after a failure:\n{upload}"
    );
    assert!(
        upload.contains("name: ${{ inputs.artifact-name || 'druid-bulk-output' }}\n"),
        "an empty artifact-name is druid-bulk-output:\n{upload}"
    );
    let input = action
        .split_once("\n  artifact-name:\n")
        .and_then(|(_, rest)| rest.split_once("\n  artifact-path:"))
        .map(|(input, _)| input)
        .expect("action.yml has an artifact-name input");
    assert!(
        input
            .lines()
            .any(|l| l.trim() == "default: druid-bulk-output"),
        "artifact-name's default:\n{input}"
    );
}
