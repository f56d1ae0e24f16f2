#!/usr/bin/env bash
# Installs what `make test` and `make demo` need on a fresh machine that has only Node 20
# and npm (and, for the control plane, Go): the pinned pnpm, the Debian packages of the
# real registry and of the real node (containerd, runc, the CNI plugins, a static busybox
# for the test images), the workspace dependencies from the frozen lockfile, and the cached
# kube-apiserver/etcd/kubectl/kubelet binaries. Each step is skipped when already satisfied.
set -euo pipefail
cd "$(dirname "$0")/.."
PNPM_VERSION=12.4.2

if [ "$(pnpm --version 2>/dev/null || true)" != "$PNPM_VERSION" ]; then
  echo "setup: installing pnpm $PNPM_VERSION"
  npm install -g "pnpm@$PNPM_VERSION" --no-fund --no-audit
fi

missing=()
command -v docker-registry >/dev/null || missing+=(docker-registry)
command -v htpasswd >/dev/null || missing+=(apache2-utils)
# The real node (packages/testenv startRealNode). The packages start no service here:
# the harness runs containerd itself with its own config, root, state and socket.
if [ "$(uname -s)" = Linux ]; then
  command -v containerd >/dev/null || missing+=(containerd)
  command -v runc >/dev/null || missing+=(runc)
  [ -x /usr/lib/cni/bridge ] || missing+=(containernetworking-plugins)
  dpkg-query -W -f='${Status}' busybox-static 2>/dev/null | grep -q 'ok installed' || missing+=(busybox-static)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  if [ "$(id -u)" != 0 ]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi
# The Debian package starts a system registry on :5000; the tests run their own.
if command -v systemctl >/dev/null && systemctl is-active --quiet docker-registry 2>/dev/null; then
  systemctl stop docker-registry || true
fi

export TURBO_TELEMETRY_DISABLED=1
pnpm install --frozen-lockfile --reporter=append-only

echo "setup: kube-apiserver, etcd, kubectl and kubelet (cold build: 10-20 min on 2 cores)"
tools/k8s-testenv/build.sh >/dev/null
tools/ggcr/build.sh >/dev/null # crane (second test registry) and the resolver benchmark Go baseline
