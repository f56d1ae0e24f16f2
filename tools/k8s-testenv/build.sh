#!/usr/bin/env bash
# Builds kube-apiserver, kubectl, kubelet (Linux only: the real node) and etcd from the wrapper
# modules beside this script into a cache folder outside the work tree, keyed by the wrappers'
# go.mod/go.sum and this script, and prints that folder on stdout. A finished build (marked by
# .done) is reused as it is. Each binary's build time is kept in <name>-build-seconds.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
K8S_VERSION=v1.35.4
key=$(cat "$here/apiserver/go.mod" "$here/apiserver/go.sum" "$here/etcd/go.mod" "$here/etcd/go.sum" "$here/build.sh" | sha256sum | cut -c1-16)
root=${AGENTBOX_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/agentbox}
out="$root/k8s-testenv/$key"
binaries=(etcd kube-apiserver kubectl)
# kubelet only runs on Linux; elsewhere the kubelet simulator plays the node.
if [ "$(uname -s)" = Linux ]; then binaries+=(kubelet); fi
complete() {
  [ -f "$out/.done" ] || return 1
  for b in "${binaries[@]}"; do [ -x "$out/$b" ] || return 1; done
}
if complete; then
  echo "$out"
  exit 0
fi
command -v go >/dev/null || { echo "k8s-testenv: the go command is missing (Go 1.26 is needed to build ${binaries[*]})" >&2; exit 1; }
mkdir -p "$out"
export GOTOOLCHAIN=local GOWORK=off CGO_ENABLED=0 GOFLAGS=-buildvcs=false
start=$(date +%s)
# Progress goes to stderr once a minute so a cold build (10-20 min on 2 cores) is visibly alive.
( while sleep 60; do echo "k8s-testenv: still building ($(( $(date +%s) - start ))s)..." >&2; done ) &
ticker=$!
trap 'kill $ticker 2>/dev/null || true' EXIT
ld="-s -w"
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ld="$ld -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=35 -X $p.gitTreeState=clean"
done
# build <name> <module folder> <package> [ldflags]: one binary, timed, moved into place when whole.
build() {
  local name=$1 dir=$2 pkg=$3 flags=${4:-} t0
  t0=$(date +%s)
  echo "k8s-testenv: building $name into $out" >&2
  (cd "$here/$dir" && go build -trimpath -ldflags "$flags" -o "$out/$name.tmp" "$pkg") >&2
  mv "$out/$name.tmp" "$out/$name"
  echo "$(( $(date +%s) - t0 ))" > "$out/$name-build-seconds"
}
for b in "${binaries[@]}"; do
  [ -x "$out/$b" ] && continue
  case $b in
    etcd) build etcd etcd go.etcd.io/etcd/server/v3 ;;
    *) build "$b" apiserver "k8s.io/kubernetes/cmd/$b" "$ld" ;;
  esac
done
echo "$(( $(date +%s) - start ))" > "$out/build-seconds"
touch "$out/.done"
echo "k8s-testenv: built in $(( $(date +%s) - start ))s" >&2
echo "$out"
