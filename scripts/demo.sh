#!/usr/bin/env bash
# `make demo`: runs packages/cli/demo/demo.ts (after `scripts/setup.sh` and a build, which the Makefile does).
# DEMO_KEEP=1 keeps the environment running until Ctrl-C; DEMO_REPLICAS sizes the pool (default 5, at least 4).
set -euo pipefail
cd "$(dirname "$0")/.."
exec node --conditions=@agentbox/source --import tsx packages/cli/demo/demo.ts
