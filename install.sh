#!/bin/sh
# Install druid-bulk from its release archives: detect this system, download
# the archive, verify its SHA-256, and put the binary in a folder
# (~/.local/bin unless told otherwise), with its shell completions and man
# page.
#
#   curl -fsSL https://github.com/druid-bulk/druid-bulk/releases/latest/download/install.sh | sh
#   curl -fsSL …/install.sh | sh -s -- --to /usr/local/bin
#   sh install.sh [--version X.Y.Z] [--to DIR] [--target TRIPLE]
#                 [--sha256 HEX] [--base-url URL] [--no-extras]
#
# Options (after `sh -s --` when piped):
#   --version X.Y.Z  the release to install (default: the latest)
#   --to DIR         where to put the binary (default: ~/.local/bin)
#   --target TRIPLE  install the archive built for TRIPLE (such as
#                    x86_64-unknown-linux-gnu) instead of detecting it
#   --sha256 HEX     the archive must have this SHA-256 (64 hex digits), or
#                    nothing is installed; its .sha256 file is then not
#                    downloaded
#   --base-url URL   download from URL/druid-bulk-X.Y.Z-TARGET.tar.gz and
#                    its .sha256 instead of the GitHub release (a mirror);
#                    needs --version
#   --no-extras      install the binary only: no completions, no man page
#   -h, --help       print this
#
# Detected: Linux x86_64 and aarch64 (the static -musl build; the -gnu one,
# which needs glibc, when a release has no -musl build) and macOS x86_64
# and arm64. Other systems: --target, or `cargo install --locked druid-bulk`.
#
# Extras: the bash, zsh and fish completions and the man page in the
# archive go to
#   bash  $XDG_DATA_HOME/bash-completion/completions/druid-bulk
#   zsh   $XDG_DATA_HOME/zsh/site-functions/_druid-bulk (a folder for fpath)
#   fish  $XDG_CONFIG_HOME/fish/completions/druid-bulk.fish
#   man   $XDG_DATA_HOME/man/man1/druid-bulk.1
# (XDG_DATA_HOME: ~/.local/share unless set; XDG_CONFIG_HOME: ~/.config),
# or, with --to DIR, into the share/ folder beside DIR: --to /usr/local/bin
# puts them in /usr/local/share/bash-completion/completions/,
# /usr/local/share/zsh/site-functions/,
# /usr/local/share/fish/vendor_completions.d/ and /usr/local/share/man/man1/.
# Each line of the output says where one went. One that cannot be written
# is a warning: the binary is installed all the same.
#
# Needs curl or wget, tar, and sha256sum or shasum.
set -eu

REPO=https://github.com/druid-bulk/druid-bulk
# The release job writes its version here in the copy it attaches to the
# release, so that copy installs its own release without asking GitHub.
DEFAULT_VERSION=

say() {
  printf 'druid-bulk install: %s\n' "$*" >&2
}

warn() {
  printf 'druid-bulk install: warning: %s\n' "$*" >&2
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
target=
target_given=
sha256_pin=
sha256_given=
extras=1
while [ $# -gt 0 ]; do
  case $1 in
    --version | --to | --base-url | --target | --sha256)
      [ $# -ge 2 ] || die "$1 needs a value (see --help)"
      case $1 in
        --version) version=$2 ;;
        --to) to=$2 ;;
        --base-url) base_url=$2 ;;
        --target) target=$2 target_given=1 ;;
        --sha256) sha256_pin=$2 sha256_given=1 ;;
      esac
      shift
      ;;
    --version=*) version=${1#--version=} ;;
    --to=*) to=${1#--to=} ;;
    --base-url=*) base_url=${1#--base-url=} ;;
    --target=*) target=${1#--target=} target_given=1 ;;
    --sha256=*) sha256_pin=${1#--sha256=} sha256_given=1 ;;
    --no-extras) extras= ;;
    -h | --help)
      if [ -f "$0" ]; then usage; else say "see $REPO#install"; fi
      exit 0
      ;;
    *) die "unknown argument '$1' (usage: sh install.sh [--version X.Y.Z] [--to DIR] [--target TRIPLE] [--sha256 HEX] [--base-url URL] [--no-extras]; see --help)" ;;
  esac
  shift
done
version=${version#v}

if [ -n "$sha256_given" ]; then
  sha256_pin=$(printf '%s' "$sha256_pin" | tr 'ABCDEF' 'abcdef')
  case $sha256_pin in
    *[!0-9a-f]* | '') die "--sha256 '$sha256_pin' is not a SHA-256: give the archive's digest as 64 hex digits" ;;
  esac
  [ ${#sha256_pin} -eq 64 ] ||
    die "--sha256 '$sha256_pin' has ${#sha256_pin} hex digits, a SHA-256 has 64: give the archive's whole digest"
fi

if [ -z "$to" ]; then
  [ -n "${HOME:-}" ] || die "HOME is not set: say where to install with --to DIR"
  to=$HOME/.local/bin
  to_given=
else
  to_given=1
fi

# The release target: the one given, or this system's. On Linux the static
# -musl build, and the -gnu one when the release has no -musl build.
fallback=
if [ -n "$target_given" ]; then
  case $target in
    '' | -* | *[!A-Za-z0-9_.-]*)
      die "--target '$target' is not a target triple: give one such as x86_64-unknown-linux-gnu (the part of an archive's name after the version)" ;;
    *windows*)
      die "install.sh installs .tar.gz archives; for $target download druid-bulk-X.Y.Z-$target.zip from $REPO/releases and put druid-bulk.exe on PATH" ;;
  esac
else
  os=$(uname -s)
  arch=$(uname -m)
  case $arch in
    x86_64 | amd64) arch=x86_64 ;;
    aarch64 | arm64) arch=aarch64 ;;
  esac
  case $os/$arch in
    Linux/x86_64 | Linux/aarch64)
      target=$arch-unknown-linux-musl
      fallback=$arch-unknown-linux-gnu
      ;;
    Darwin/x86_64 | Darwin/aarch64) target=$arch-apple-darwin ;;
    MINGW* | MSYS* | CYGWIN* | Windows_NT*)
      die "on Windows, download druid-bulk-X.Y.Z-x86_64-pc-windows-msvc.zip from $REPO/releases and put druid-bulk.exe on PATH" ;;
    *)
      die "no prebuilt druid-bulk for $os $arch; build it from source with: cargo install --locked druid-bulk (or pick an archive with --target TRIPLE)" ;;
  esac
fi

tmp=$(mktemp -d 2>/dev/null || mktemp -d -t druid-bulk)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# A downloader: `fetch URL FILE` returns 0 once FILE is downloaded, 2 when
# the server has no such file (404), and 1, after saying why, otherwise.
if command -v curl >/dev/null 2>&1; then
  fetch() {
    code=$(curl -fsSL --retry 3 -o "$2" -w '%{http_code}' "$1" 2>"$tmp/fetch.err") &&
      return 0
    [ "$code" = 404 ] && return 2
    cat "$tmp/fetch.err" >&2
    return 1
  }
elif command -v wget >/dev/null 2>&1; then
  fetch() {
    code=0
    wget -q -S -O "$2" "$1" 2>"$tmp/fetch.err" || code=$?
    [ "$code" = 0 ] && return 0
    grep -q 'HTTP/[0-9.]* 404' "$tmp/fetch.err" && return 2
    # wget's own error, if any, then the last status line of the headers.
    { grep -v '^ ' "$tmp/fetch.err" || true; grep 'HTTP/' "$tmp/fetch.err" | tail -n 1; } >&2
    say "wget exited $code (4: a network failure, 5: TLS verification, 8: an HTTP error)"
    return 1
  }
else
  die "neither curl nor wget is installed: install one of them and run this again"
fi

# A checksum: `sha256 FILE` prints its hex digest.
if command -v sha256sum >/dev/null 2>&1; then
  sha256() { sha256sum "$1" | cut -d ' ' -f 1; }
elif command -v shasum >/dev/null 2>&1; then
  sha256() { shasum -a 256 "$1" | cut -d ' ' -f 1; }
else
  die "neither sha256sum nor shasum is installed: cannot verify the download (install coreutils or perl's shasum, and run this again)"
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

# `download TARGET`: the archive for TARGET into $tmp, named $name.tar.gz;
# returns as fetch does.
download() {
  name=druid-bulk-$version-$1
  say "downloading $base_url/$name.tar.gz"
  fetch "$base_url/$name.tar.gz" "$tmp/$name.tar.gz"
}

status=0
download "$target" || status=$?
if [ "$status" = 2 ] && [ -n "$fallback" ]; then
  say "$version has no $target build (404): trying the $fallback one, which needs glibc"
  musl=$target
  target=$fallback
  status=0
  download "$target" || status=$?
  if [ "$status" = 2 ]; then
    die "$version has no Linux $arch build at $base_url (neither $musl nor $target): check the version at $REPO/releases, or build it from source with: cargo install --locked druid-bulk"
  fi
fi
case $status in
  0) ;;
  2) die "$base_url/$name.tar.gz does not exist (404): check that $version is a release (see $REPO/releases) with a build for $target" ;;
  *) die "could not download $base_url/$name.tar.gz: check the connection (and --base-url), then run this again" ;;
esac

if [ -n "$sha256_given" ]; then
  expected=$sha256_pin
  digest_from="from --sha256"
  advice="check the digest you passed belongs to $name.tar.gz"
else
  status=0
  fetch "$base_url/$name.tar.gz.sha256" "$tmp/$name.tar.gz.sha256" || status=$?
  [ "$status" = 0 ] ||
    die "could not download $base_url/$name.tar.gz.sha256: run this again, or pass the archive's digest with --sha256 HEX"
  expected=$(cut -d ' ' -f 1 <"$tmp/$name.tar.gz.sha256")
  digest_from="from $name.tar.gz.sha256"
  advice="the download or the mirror is corrupt: run this again, or download from another mirror"
fi
actual=$(sha256 "$tmp/$name.tar.gz")
if [ -z "$expected" ] || [ "$expected" != "$actual" ]; then
  die "checksum mismatch for $name.tar.gz: expected ${expected:-nothing} ($digest_from), got $actual; nothing was installed ($advice)"
fi

tar -xzf "$tmp/$name.tar.gz" -C "$tmp" || die "could not unpack $name.tar.gz: run this again; if it fails again, report it at $REPO/issues"
[ -f "$tmp/$name/druid-bulk" ] || die "$name.tar.gz has no $name/druid-bulk: report it at $REPO/issues"

mkdir -p "$to" || die "cannot create $to (pick another folder with --to DIR)"
# Copied beside the destination, then renamed over it: a running
# druid-bulk, or one interrupted half-way, never sees a partial file.
cp "$tmp/$name/druid-bulk" "$to/.druid-bulk.$$" || die "cannot write to $to (pick another folder with --to DIR)"
chmod 755 "$to/.druid-bulk.$$"
mv -f "$to/.druid-bulk.$$" "$to/druid-bulk" || {
  rm -f "$to/.druid-bulk.$$"
  die "cannot replace $to/druid-bulk (is it running, or the folder read-only? pick another folder with --to DIR)"
}

installed=$("$to/druid-bulk" --version 2>/dev/null) || installed="druid-bulk $version (it does not run here: $target may not suit this system)"
say "installed $installed to $to/druid-bulk, the $target build"

# The extras, each copied beside its destination and renamed over it.
# `extra WHAT FILE DIR NAME [NOTE]` installs the archive's FILE as DIR/NAME
# and says so, or warns.
absent=
found=
unwritten=
extra() {
  if [ ! -f "$tmp/$name/$2" ]; then
    absent="${absent:+$absent, }$1"
    return 0
  fi
  found=1
  if mkdir -p "$3" && cp "$tmp/$name/$2" "$3/.$4.$$" && chmod 644 "$3/.$4.$$" &&
     mv -f "$3/.$4.$$" "$3/$4"; then
    say "$1: $3/$4${5:+ ($5)}"
  else
    rm -f "$3/.$4.$$" 2>/dev/null || true
    warn "could not write the $1 to $3/$4 (druid-bulk is installed all the same): fix that folder and run this again (or pass --no-extras), or write the file with: druid-bulk $6 > $3/$4"
    unwritten=1
  fi
}

if [ -n "$extras" ]; then
  if [ -n "$to_given" ]; then
    # The share/ folder beside --to's: /usr/local/bin -> /usr/local/share.
    share=$(CDPATH='' cd -- "$to/.." && pwd) || share=$to/..
    share=${share%/}/share
    data=$share
    fish_dir=$share/fish/vendor_completions.d
  else
    case ${XDG_DATA_HOME:-} in
      /*) data=$XDG_DATA_HOME ;;
      *) data=$HOME/.local/share ;;
    esac
    case ${XDG_CONFIG_HOME:-} in
      /*) fish_dir=$XDG_CONFIG_HOME/fish/completions ;;
      *) fish_dir=$HOME/.config/fish/completions ;;
    esac
  fi
  zsh_dir=$data/zsh/site-functions
  extra "bash completion" completions/druid-bulk.bash "$data/bash-completion/completions" druid-bulk "" "completions bash"
  extra "zsh completion" completions/_druid-bulk "$zsh_dir" _druid-bulk \
    "unless that folder is on fpath, add fpath=($zsh_dir \$fpath) to ~/.zshrc before compinit" "completions zsh"
  extra "fish completion" completions/druid-bulk.fish "$fish_dir" druid-bulk.fish "" "completions fish"
  extra "man page" man/druid-bulk.1 "$data/man/man1" druid-bulk.1 "" man
  if [ -z "$found" ]; then
    say "the archive has no completions or man page (an older release): installed the binary only"
  elif [ -n "$absent" ]; then
    say "not in the archive, so not installed: $absent"
  fi
  if [ -n "$unwritten" ]; then
    warn "some extras were not installed (see above); druid-bulk itself is installed and works without them"
  fi
fi

case :${PATH:-}: in
  *:"$to":* | *:"${to%/}":*) say "$to is on your PATH: run druid-bulk --help" ;;
  *)
    say "$to is not on your PATH; add it, e.g. in ~/.profile:"
    say "  export PATH=\"$to:\$PATH\""
    ;;
esac
