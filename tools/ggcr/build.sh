#!/usr/bin/env bash
# Builds go-containerregistry v0.22.1's `crane` (a second real registry for the tests and the
# benchmark: `crane registry serve`) from the wrapper module beside this script, and the
# benchmark's Go baseline from bench/resolver/go-baseline, into a cache folder outside the work
# tree keyed by the hash of their go.mod/go.sum/sources and this script; prints that folder on
# stdout. A finished build (marked by .done) is reused as it is.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
baseline="$here/../../bench/resolver/go-baseline"
key=$(cat "$here/go.mod" "$here/go.sum" "$baseline/go.mod" "$baseline/go.sum" "$baseline/main.go" "$here/build.sh" | sha256sum | cut -c1-16)
root=${AGENTBOX_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/agentbox}
out="$root/ggcr/$key"
if [ -f "$out/.done" ] && [ -x "$out/crane" ] && [ -x "$out/go-baseline" ]; then
  echo "$out"
  exit 0
fi
command -v go >/dev/null || { echo "ggcr: the go command is missing (Go 1.26 is needed to build crane)" >&2; exit 1; }
mkdir -p "$out"
export GOTOOLCHAIN=local GOWORK=off CGO_ENABLED=0 GOFLAGS=-buildvcs=false
start=$(date +%s)
echo "ggcr: building crane (go-containerregistry v0.22.1) and the Go baseline into $out" >&2
(cd "$here" && go build -trimpath -ldflags "-s -w" -o "$out/crane.tmp" github.com/google/go-containerregistry/cmd/crane) >&2
mv "$out/crane.tmp" "$out/crane"
(cd "$baseline" && go build -trimpath -ldflags "-s -w" -o "$out/go-baseline.tmp" .) >&2
mv "$out/go-baseline.tmp" "$out/go-baseline"
touch "$out/.done"
echo "ggcr: built in $(( $(date +%s) - start ))s" >&2
echo "$out"
