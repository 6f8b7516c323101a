#!/usr/bin/env bash
# Create .venv and install what the app (and, with --dev, the tests) need.
set -euo pipefail
cd "$(dirname "$0")/.."
python3 -m venv .venv
.venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
if [[ "${1:-}" == "--dev" ]]; then
  .venv/bin/pip install --quiet --disable-pip-version-check --require-hashes -r requirements-dev.txt
else
  .venv/bin/pip install --quiet --disable-pip-version-check --require-hashes -r requirements.txt
fi
