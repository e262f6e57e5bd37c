#!/usr/bin/env bash
# Builds the terraform providers that the machine's offline mirror lacks from
# the Go module proxy into the project's own unpacked filesystem mirror, so
# that `terraform init` can run with no registry access (see
# test/support/terraform-env.ts, which writes the matching CLI config).
#
# Env: PROVIDER_MIRROR_DIR  mirror root (default <repo>/.providers/mirror)
#      PROVIDER_BUILD_DIR   throwaway wrapper modules (default <repo>/.providers/build)
set -euo pipefail
trap 'echo "build-providers.sh: failed at line $LINENO" >&2' ERR

# One provider per line:
#   source address                       version  module path its go.mod declares                              module path it is published under
PROVIDERS=(
  "registry.terraform.io/cyrilgdn/postgresql 1.26.0 github.com/terraform-providers/terraform-provider-postgresql github.com/cyrilgdn/terraform-provider-postgresql"
)

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
mirror=${PROVIDER_MIRROR_DIR:-$repo/.providers/mirror}
build_root=${PROVIDER_BUILD_DIR:-$repo/.providers/build}

export CGO_ENABLED=0   # static binary, no gcc needed
export GOTOOLCHAIN=local   # fail clearly instead of fetching another Go toolchain
export GOWORK=off
# -mod=mod lets `go build` fill the wrapper's go.sum; keep whatever GOFLAGS the machine sets.
export GOFLAGS="${GOFLAGS:+$GOFLAGS }-mod=mod"
platform="$(go env GOOS)_$(go env GOARCH)"

mkdir -p "$mirror" "$build_root"
# Test workers may call this at the same time: one build at a time.
exec 9>"$build_root/.lock"
flock 9

# A provider binary run by hand prints go-plugin's banner and exits non-zero.
runs() {
  [[ -x "$1" ]] || return 1
  local out
  out=$(timeout 20 "$1" </dev/null 2>&1 || true)
  [[ $out == *"This binary is a plugin"* ]]
}

for entry in "${PROVIDERS[@]}"; do
  read -r source version declared upstream <<<"$entry"
  type=${source##*/}
  dest_dir="$mirror/$source/$version/$platform"
  bin="$dest_dir/terraform-provider-${type}_v${version}"

  if runs "$bin"; then
    echo "reusing $bin" >&2
    continue
  fi

  # The upstream go.mod declares another module path, so `go install
  # upstream@vX` refuses it; a wrapper module that requires the declared path
  # and replaces it with the upstream one builds it as a dependency.
  # (No `go mod tidy`: nothing imports a main package, so tidy would drop the require.)
  work="$build_root/${source//\//_}_$version"
  rm -rf "$work"
  mkdir -p "$work" "$dest_dir"
  (
    cd "$work"
    go mod init providerbuild/"$type" >/dev/null 2>&1
    go mod edit -require="$declared@v$version" -replace="$declared=$upstream@v$version"
  )

  echo "building $source $version ($platform) from $upstream@v$version ..." >&2
  start=$(date +%s.%N)
  tmp="$bin.tmp.$$"
  if ! (cd "$work" && go build -trimpath -buildvcs=false -ldflags "-s -w" -o "$tmp" "$declared"); then
    rm -f "$tmp"
    echo "error: building $upstream@v$version failed (see above). A '403 ... not available' means the Go module proxy here does not serve that module." >&2
    exit 1
  fi
  mv -f "$tmp" "$bin"   # atomic: a half-written binary is never reused
  end=$(date +%s.%N)
  runs "$bin" || { echo "error: $bin was built but does not run as a provider plugin" >&2; exit 1; }
  printf 'built %s in %.1f s (%s)\n' "$bin" "$(awk "BEGIN { print $end - $start }")" "$(du -h "$bin" | cut -f1)" >&2
done
