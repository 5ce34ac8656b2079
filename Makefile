# The two commands of the README: `make run` and `make test`.
# Everything a fresh Debian machine lacks is installed by scripts/install-deps.sh.
SHELL := /bin/bash
.DEFAULT_GOAL := help

.PHONY: help install build run test bench dev-up dev-down contracts clean fuzz test-sanitizers lint format

help:
	@echo "make run       start PostgreSQL + the dev chain, migrate, deploy, seed demo cases, run the daemon"
	@echo "make test      install what is missing, start services on free ports, run every test"
	@echo "make bench     benchmarks, side by side with their peers"
	@echo "make dev-up    start the services only (writes .run/env); make dev-down stops them"
	@echo "make fuzz      build the libFuzzer targets (.build-fuzz) and run each for FUZZ_SECONDS (default 180)"
	@echo "make test-sanitizers  unit, PostgreSQL and JSON-RPC tests under ThreadSanitizer, then AddressSanitizer"
	@echo "make lint      swift format lint (.swift-format) and ruff (ruff.toml); make format applies swift format"
	@echo "make contracts compile contracts/*.vy with the pinned Vyper (contracts/build/, and the embedded Swift artifact)"

install:
	@scripts/install-deps.sh

build: install
	swift build

run: install
	@scripts/run.sh

test:
	@scripts/test.sh

fuzz:
	@scripts/fuzz.sh

test-sanitizers:
	@scripts/test-sanitizers.sh

lint: install
	@scripts/lint.sh

format:
	@scripts/format.sh

bench:
	@scripts/bench.sh

dev-up: install
	@scripts/dev-up.sh

dev-down:
	@scripts/dev-down.sh

contracts: install
	.venv/bin/python contracts/build.py

clean:
	@CLEAN=1 scripts/dev-down.sh
	rm -rf .build
