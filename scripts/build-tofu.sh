#!/usr/bin/env bash
# Builds the OpenTofu CLI from the Go module proxy (no release download is
# reachable here) so the test tiers can run every stack on OpenTofu as well as
# Terraform. The binary is cached outside the checkout, keyed by version, and
# linked as <repo>/.tools/bin/tofu, where test/support/terraform-env.ts looks;
# a fresh clone on the same machine reuses the cached build.
#
# Env: TOFU_VERSION    version to build and link (default: the pinned one below)
#      TOFU_CACHE_DIR  cache root (default ${XDG_CACHE_HOME:-$HOME/.cache}/governance-estate/tofu)
#      TOFU_BIN_DIR    where the link goes (default <repo>/.tools/bin)
# Prints the path of the link on stdout.
set -euo pipefail
trap 'echo "build-tofu.sh: failed at line $LINENO" >&2' ERR

version=${TOFU_VERSION:-1.12.6}
module=github.com/opentofu/opentofu

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=${TOFU_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/governance-estate/tofu}/$version
bin_dir=${TOFU_BIN_DIR:-$repo/.tools/bin}

export CGO_ENABLED=0       # static binary, no gcc needed
export GOTOOLCHAIN=local   # fail clearly instead of fetching another Go toolchain
export GOWORK=off
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=mod"

mkdir -p "$cache" "$bin_dir"
# Test workers or two checkouts may call this at the same time: one build at a time.
exec 9>"$cache/.lock"
flock 9

# `tofu version` names the release it was built as (after any warning about the CLI config).
runs() {
  [[ -x "$1" ]] || return 1
  timeout 20 "$1" version 2>/dev/null | grep -x "OpenTofu v$version" >/dev/null
}

bin="$cache/tofu"
if runs "$bin"; then
  echo "reusing $bin" >&2
else
  command -v go >/dev/null || { echo "error: building OpenTofu $version needs go (the Go toolchain) on PATH" >&2; exit 1; }
  # `go install` refuses the module (its go.mod has a replace directive), so
  # build inside a writable copy of the downloaded module instead.
  dir=$(go mod download -json "$module@v$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
  [[ -n $dir && -d $dir ]] || { echo "error: go mod download $module@v$version gave no module folder (is the Go module proxy reachable?)" >&2; exit 1; }
  src="$cache/src"
  rm -rf "$src"
  cp -r "$dir" "$src"
  chmod -R u+w "$src"
  echo "building OpenTofu $version from $module@v$version (several minutes cold) ..." >&2
  start=$(date +%s)
  tmp="$bin.tmp.$$"
  # Same version stamp as a release build, so `tofu version` reports it.
  if ! (cd "$src" && go build -trimpath -buildvcs=false \
      -ldflags "-s -w -X github.com/opentofu/opentofu/version.dev=no" -o "$tmp" ./cmd/tofu); then
    rm -f "$tmp"
    echo "error: building $module@v$version failed (see above)" >&2
    exit 1
  fi
  mv -f "$tmp" "$bin"   # atomic: a half-written binary is never reused
  rm -rf "$src"
  runs "$bin" || { echo "error: $bin was built but 'tofu version' does not report OpenTofu v$version" >&2; exit 1; }
  echo "built $bin in $(( $(date +%s) - start )) s ($(du -h "$bin" | cut -f1))" >&2
fi

ln -sfn "$bin" "$bin_dir/tofu"
echo "$bin_dir/tofu"
