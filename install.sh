#!/bin/sh
# Install druid-bulk from its release archives: detect this system, download
# the archive and its checksum, verify it, and put the binary in a folder
# (~/.local/bin unless told otherwise).
#
#   curl -fsSL https://github.com/druid-bulk/druid-bulk/releases/latest/download/install.sh | sh
#   sh install.sh [--version X.Y.Z] [--to DIR] [--base-url URL]
#
# Options (also after `sh -s --` when piped):
#   --version X.Y.Z  the release to install (default: the latest)
#   --to DIR         where to put the binary (default: ~/.local/bin)
#   --base-url URL   download from URL/druid-bulk-X.Y.Z-TARGET.tar.gz and
#                    its .sha256 instead of the GitHub release (a mirror);
#                    needs --version
#
# Linux (x86_64, aarch64: static musl builds) and macOS (x86_64, arm64).
# Needs curl or wget, tar, and sha256sum or shasum.
set -eu

REPO=https://github.com/druid-bulk/druid-bulk
# The release job writes its version here in the copy it attaches to the
# release, so that copy installs its own release without asking GitHub.
DEFAULT_VERSION=

say() {
  printf 'druid-bulk install: %s\n' "$*" >&2
}

die() {
  printf 'druid-bulk install: error: %s\n' "$*" >&2
  exit 1
}

usage() {
  sed -n '2,/^set -eu/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
}

version=$DEFAULT_VERSION
to=
base_url=
while [ $# -gt 0 ]; do
  case $1 in
    --version | --to | --base-url)
      [ $# -ge 2 ] || die "$1 needs a value (see --help)"
      case $1 in
        --version) version=$2 ;;
        --to) to=$2 ;;
        --base-url) base_url=$2 ;;
      esac
      shift
      ;;
    --version=*) version=${1#--version=} ;;
    --to=*) to=${1#--to=} ;;
    --base-url=*) base_url=${1#--base-url=} ;;
    -h | --help)
      if [ -f "$0" ]; then usage; else say "see $REPO#install"; fi
      exit 0
      ;;
    *) die "unknown argument '$1' (usage: sh install.sh [--version X.Y.Z] [--to DIR] [--base-url URL])" ;;
  esac
  shift
done
version=${version#v}

if [ -z "$to" ]; then
  [ -n "${HOME:-}" ] || die "HOME is not set: say where to install with --to DIR"
  to=$HOME/.local/bin
fi

# This system, as a release target.
os=$(uname -s)
arch=$(uname -m)
case $arch in
  x86_64 | amd64) arch=x86_64 ;;
  aarch64 | arm64) arch=aarch64 ;;
esac
case $os/$arch in
  Linux/x86_64 | Linux/aarch64) target=$arch-unknown-linux-musl ;;
  Darwin/x86_64 | Darwin/aarch64) target=$arch-apple-darwin ;;
  MINGW* | MSYS* | CYGWIN* | Windows_NT*)
    die "on Windows, download druid-bulk-X.Y.Z-x86_64-pc-windows-msvc.zip from $REPO/releases and put druid-bulk.exe on PATH" ;;
  *)
    die "no prebuilt druid-bulk for $os $arch; build it from source with: cargo install --locked druid-bulk" ;;
esac

# A downloader: `fetch URL FILE`.
if command -v curl >/dev/null 2>&1; then
  fetch() { curl -fsSL --retry 3 -o "$2" "$1"; }
elif command -v wget >/dev/null 2>&1; then
  fetch() { wget -q -O "$2" "$1"; }
else
  die "neither curl nor wget is installed: install one of them and run this again"
fi

# A checksum: `sha256 FILE` prints its hex digest.
if command -v sha256sum >/dev/null 2>&1; then
  sha256() { sha256sum "$1" | cut -d ' ' -f 1; }
elif command -v shasum >/dev/null 2>&1; then
  sha256() { shasum -a 256 "$1" | cut -d ' ' -f 1; }
else
  die "neither sha256sum nor shasum is installed: cannot verify the download"
fi

# The latest release: where GitHub's /releases/latest page redirects to
# (.../releases/tag/vX.Y.Z), or its API with wget.
latest() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsSLI --retry 3 -o /dev/null -w '%{url_effective}' "$REPO/releases/latest" |
      sed -n 's|.*/releases/tag/v\{0,1\}\([^/]*\)$|\1|p'
  else
    wget -q -O - "https://api.github.com/repos/druid-bulk/druid-bulk/releases/latest" |
      sed -n 's|.*"tag_name": *"v\{0,1\}\([^"]*\)".*|\1|p' | head -n 1
  fi
}

if [ -z "$version" ]; then
  [ -z "$base_url" ] || die "--base-url needs --version (a mirror has no 'latest')"
  version=$(latest) || true
  [ -n "$version" ] || die "could not find the latest release at $REPO/releases; pass --version X.Y.Z"
fi
base_url=${base_url:-$REPO/releases/download/v$version}
base_url=${base_url%/}

name=druid-bulk-$version-$target
tmp=$(mktemp -d 2>/dev/null || mktemp -d -t druid-bulk)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

say "downloading $base_url/$name.tar.gz"
fetch "$base_url/$name.tar.gz" "$tmp/$name.tar.gz" ||
  die "could not download $base_url/$name.tar.gz (is $version a release, with a build for $target?)"
fetch "$base_url/$name.tar.gz.sha256" "$tmp/$name.tar.gz.sha256" ||
  die "could not download $base_url/$name.tar.gz.sha256"

expected=$(cut -d ' ' -f 1 <"$tmp/$name.tar.gz.sha256")
actual=$(sha256 "$tmp/$name.tar.gz")
if [ -z "$expected" ] || [ "$expected" != "$actual" ]; then
  die "checksum mismatch for $name.tar.gz: expected ${expected:-nothing}, got $actual; nothing was installed"
fi

tar -xzf "$tmp/$name.tar.gz" -C "$tmp" || die "could not unpack $name.tar.gz"
[ -f "$tmp/$name/druid-bulk" ] || die "$name.tar.gz has no $name/druid-bulk"

mkdir -p "$to" || die "cannot create $to (pick another folder with --to DIR)"
# Copied beside the destination, then renamed over it: a running
# druid-bulk, or one interrupted half-way, never sees a partial file.
cp "$tmp/$name/druid-bulk" "$to/.druid-bulk.$$" || die "cannot write to $to (pick another folder with --to DIR)"
chmod 755 "$to/.druid-bulk.$$"
mv -f "$to/.druid-bulk.$$" "$to/druid-bulk" || {
  rm -f "$to/.druid-bulk.$$"
  die "cannot replace $to/druid-bulk"
}

installed=$("$to/druid-bulk" --version 2>/dev/null) || installed="druid-bulk $version (it does not run here: $target may not suit this system)"
say "installed $installed to $to/druid-bulk"
case :${PATH:-}: in
  *:"$to":* | *:"${to%/}":*) say "$to is on your PATH: run druid-bulk --help" ;;
  *)
    say "$to is not on your PATH; add it, e.g. in ~/.profile:"
    say "  export PATH=\"$to:\$PATH\""
    ;;
esac
