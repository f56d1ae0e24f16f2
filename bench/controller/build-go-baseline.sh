#!/usr/bin/env bash
# Builds the controller-runtime baseline of the controller benchmark into a cache folder outside the work
# tree, keyed by its sources, and prints the binary's path. A finished build is reused as it is.
set -euo pipefail
here=$(cd "$(dirname "$0")/go-baseline" && pwd)
key=$(cat "$here/go.mod" "$here/go.sum" "$here/main.go" "$0" | sha256sum | cut -c1-16)
root=${AGENTBOX_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/agentbox}
out="$root/controller-baseline/$key"
if [ -x "$out/go-baseline" ]; then
  echo "$out/go-baseline"
  exit 0
fi
command -v go >/dev/null || { echo "controller baseline: the go command is missing (Go 1.26)" >&2; exit 1; }
mkdir -p "$out"
export GOTOOLCHAIN=local GOWORK=off CGO_ENABLED=0 GOFLAGS=-buildvcs=false
echo "controller baseline: building controller-runtime v0.25.2 baseline into $out (about 2 min cold)" >&2
(cd "$here" && go build -trimpath -o "$out/go-baseline.tmp" .) >&2
mv "$out/go-baseline.tmp" "$out/go-baseline"
echo "$out/go-baseline"
