#!/usr/bin/env bash
# Applies swift format (the committed .swift-format) to the Swift in place.
# Python is linted (scripts/lint.sh) but not reformatted.
set -euo pipefail
cd "$(dirname "$0")/.."
swift format format -i --parallel -r Package.swift Sources Tests fuzz/targets
echo "==> formatted; what the formatter cannot fix is left for scripts/lint.sh to name"
