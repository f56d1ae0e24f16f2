# The two commands of a fresh machine (Node 20 and npm only): `make test` and `make demo`.
SHELL := /bin/bash
export TURBO_TELEMETRY_DISABLED := 1

.PHONY: test demo setup build typecheck lint bench chaos

test: setup
	pnpm run build
	pnpm run typecheck
	pnpm run lint
	pnpm run test

# The whole job on a local control plane (loopback only); DEMO_KEEP=1 keeps it running until Ctrl-C.
demo: setup
	pnpm run build
	scripts/demo.sh

setup:
	scripts/setup.sh

build:
	pnpm run build

typecheck:
	pnpm run typecheck

lint:
	pnpm run lint

bench: setup build
	pnpm run bench:resolver
	pnpm run bench:cli
	pnpm run bench:controller

# Faults against real processes (control plane, registry, kubelet simulator, two controllers); CHAOS_SECONDS
# (default 600) and CHAOS_SEED pick the profile. Writes bench/results/chaos.json, fails on any violation.
chaos: setup build
	CHAOS_SECONDS=$${CHAOS_SECONDS:-600} pnpm run bench:chaos
