# The two commands of a fresh machine (Node 20 and npm only): `make test` and `make demo`.
SHELL := /bin/bash
export TURBO_TELEMETRY_DISABLED := 1

.PHONY: test setup build typecheck lint bench

test: setup
	pnpm run build
	pnpm run typecheck
	pnpm run lint
	pnpm run test

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
