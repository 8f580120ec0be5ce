#!/usr/bin/env bash
# One command: set up, migrate, load the demo federation and serve it with a background worker
# on the embedded default database (SQLite under ./var). Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/gonghui demo --host "${GONGHUI_HOST:-127.0.0.1}" --port "${GONGHUI_PORT:-8000}"
