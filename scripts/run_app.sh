#!/usr/bin/env bash
# Set up and run the app. With no network it shows the bundled default model list.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/streamlit run streamlit_app.py "$@"
