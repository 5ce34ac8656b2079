#!/usr/bin/env bash
# Installs what `make run`/`make test` need and is missing: Debian packages and
# the Python venv (.venv) pinned by devchain/requirements.txt. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(postgresql libsecp256k1-dev libcurl4-openssl-dev libpq-dev libssl-dev python3-venv pkg-config wrk
          redis-server libhiredis-dev prometheus systemd chromium chromium-driver
          softhsm2 libp11-kit-dev)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "==> installing Debian packages: ${missing[*]}"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# The venv is rebuilt when the pinned requirements change (the dev chain's, the
# browser tests' Selenium in tests/browser/requirements.txt, and the backend's
# Alembic and SQLAlchemy in tests/alembic/requirements.txt).
stamp=.venv/.requirements.sha256
want=$(cat devchain/requirements.txt tests/browser/requirements.txt tests/alembic/requirements.txt \
    | sha256sum | cut -d' ' -f1)
if [ ! -x .venv/bin/python ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "==> creating .venv from devchain/requirements.txt"
    python=python3
    command -v python3 >/dev/null || python=/usr/bin/python3
    "$python" -m venv .venv
    .venv/bin/pip install -q --disable-pip-version-check -r devchain/requirements.txt -r tests/browser/requirements.txt \
        -r tests/alembic/requirements.txt
    echo "$want" > "$stamp"
fi

# ruff lints the Python (scripts/lint.sh); kept apart from the pinned
# requirements so adding it does not rebuild the venv.
if [ ! -x .venv/bin/ruff ] || [ "$(.venv/bin/ruff --version 2>/dev/null)" != "ruff 0.17.5" ]; then
    echo "==> installing ruff into .venv"
    .venv/bin/pip install -q --disable-pip-version-check ruff==0.17.5
fi
