#!/usr/bin/env bash
# Set up and run every test: unit, app (AppTest), reliability and browser tests.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ ! -x /usr/bin/chromium ]]; then
  echo "installing Debian's chromium for the browser tests" >&2
  SUDO=""
  [[ "$(id -u)" == "0" ]] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi
bash scripts/setup.sh --dev
exec .venv/bin/python -m pytest "$@"
