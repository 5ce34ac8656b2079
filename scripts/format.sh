#!/usr/bin/env bash
# Applies swift format (the committed .swift-format) in place to the
# hand-written Swift (scripts/swift-files.sh). The Python is linted
# (scripts/lint.sh) but not reformatted.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t swift_files < <(scripts/swift-files.sh)
swift format format -i --parallel "${swift_files[@]}"
echo "==> formatted ${#swift_files[@]} files; scripts/lint.sh names what the formatter cannot fix"
