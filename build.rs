//! Sets `DRUID_BULK_VERSION` for `--version`: the crate version, followed by
//! the git commit and its date when built from a git checkout of this crate,
//! like cargo's `cargo 1.95.0 (f2d3ce0bd 2026-03-21)`. Only the commit's own
//! date is used, never the time of the build, so builds stay reproducible.
//! Without git, or outside a checkout (a crates.io tarball), it is the bare
//! version.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let version = std::env::var("CARGO_PKG_VERSION").expect("cargo sets CARGO_PKG_VERSION");
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let full = match commit(&dir) {
        Some((hash, date)) => format!("{version} ({hash} {date})"),
        None => version,
    };
    println!("cargo:rustc-env=DRUID_BULK_VERSION={full}");
}

/// The short hash and commit date of HEAD, when `dir` is the top of a git
/// work tree (not a folder inside some other repository).
fn commit(dir: &Path) -> Option<(String, String)> {
    let top = git(dir, &["rev-parse", "--show-toplevel"])?;
    if !same_dir(Path::new(&top), dir) {
        return None;
    }
    watch_head(dir);
    let hash = git(dir, &["rev-parse", "--short=9", "HEAD"])?;
    let date = git(dir, &["log", "-1", "--format=%cs", "HEAD"])?;
    Some((hash, date))
}

/// Rebuild when HEAD moves: HEAD itself (its own file in a linked work tree,
/// where `.git` is a file), the branch it points to, and packed refs.
fn watch_head(dir: &Path) {
    let absolute = |p: String| {
        let p = PathBuf::from(p);
        if p.is_absolute() {
            p
        } else {
            dir.join(p)
        }
    };
    let mut files = Vec::new();
    if let Some(git_dir) = git(dir, &["rev-parse", "--git-dir"]).map(absolute) {
        files.push(git_dir.join("HEAD"));
    }
    if let Some(common) = git(dir, &["rev-parse", "--git-common-dir"]).map(absolute) {
        if let Some(branch) = git(dir, &["symbolic-ref", "-q", "HEAD"]) {
            files.push(common.join(branch));
        }
        files.push(common.join("packed-refs"));
    }
    // A path that does not exist would make cargo rerun this every build.
    for file in files.iter().filter(|f| f.exists()) {
        println!("cargo:rerun-if-changed={}", file.display());
    }
}

fn same_dir(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// `git ARGS` in `dir`: its trimmed stdout, or None if git is missing,
/// fails or prints nothing.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(args)
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (!text.is_empty()).then_some(text)
}
