#!/usr/bin/env bash
# Builds kube-apiserver and etcd from the wrapper modules beside this script into a cache
# folder outside the work tree, keyed by the wrappers' go.mod/go.sum hash, and prints that
# folder on stdout. A finished build (marked by .done) is reused as it is.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
K8S_VERSION=v1.35.4
key=$(cat "$here/apiserver/go.mod" "$here/apiserver/go.sum" "$here/etcd/go.mod" "$here/etcd/go.sum" "$here/build.sh" | sha256sum | cut -c1-16)
root=${AGENTBOX_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/agentbox}
out="$root/k8s-testenv/$key"
if [ -f "$out/.done" ] && [ -x "$out/kube-apiserver" ] && [ -x "$out/etcd" ]; then
  echo "$out"
  exit 0
fi
command -v go >/dev/null || { echo "k8s-testenv: the go command is missing (Go 1.26 is needed to build kube-apiserver and etcd)" >&2; exit 1; }
mkdir -p "$out"
export GOTOOLCHAIN=local GOWORK=off CGO_ENABLED=0 GOFLAGS=-buildvcs=false
start=$(date +%s)
# Progress goes to stderr once a minute so a cold build (10-20 min on 2 cores) is visibly alive.
( while sleep 60; do echo "k8s-testenv: still building ($(( $(date +%s) - start ))s)..." >&2; done ) &
ticker=$!
trap 'kill $ticker 2>/dev/null || true' EXIT
echo "k8s-testenv: building etcd v3.6.16 into $out" >&2
(cd "$here/etcd" && go build -trimpath -o "$out/etcd.tmp" go.etcd.io/etcd/server/v3) >&2
mv "$out/etcd.tmp" "$out/etcd"
echo "k8s-testenv: building kube-apiserver $K8S_VERSION into $out" >&2
ld="-s -w"
for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  ld="$ld -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=35"
done
(cd "$here/apiserver" && go build -trimpath -ldflags "$ld" -o "$out/kube-apiserver.tmp" k8s.io/kubernetes/cmd/kube-apiserver) >&2
mv "$out/kube-apiserver.tmp" "$out/kube-apiserver"
echo "$(( $(date +%s) - start ))" > "$out/build-seconds"
touch "$out/.done"
echo "k8s-testenv: built in $(( $(date +%s) - start ))s" >&2
echo "$out"
