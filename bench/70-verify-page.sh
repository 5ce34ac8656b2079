#!/usr/bin/env bash
# The auditor's page (web/verify.html) on 1,000 receipts in headless Chromium, beside
# `caseattest verify-receipt` on the same folder. BENCH_PAGE_RECEIPTS overrides the count.
set -euo pipefail
REPO="${REPO:-$(cd "$(dirname "$0")/.." && pwd)}"
PYTHON="${PYTHON:-$REPO/.venv/bin/python}"
cd "$REPO"
exec "$PYTHON" bench/verify_page_bench.py
