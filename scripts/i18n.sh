#!/usr/bin/env bash
# Refresh the English catalogue from the Chinese source strings and compile it.
#   bash scripts/i18n.sh          update gonghui/locale/en/LC_MESSAGES/django.po, compile .mo
# Source strings are Simplified Chinese (the default UI); English is the translation.
set -euo pipefail
cd "$(dirname "$0")/../gonghui"
export GONGHUI_DATA_DIR=${GONGHUI_DATA_DIR:-/tmp/gh-i18n}
../.venv/bin/django-admin makemessages --settings=gonghui.settings --pythonpath=.. -l en \
  --no-obsolete --no-location -i "*/tests/*" -i "static/*"
../.venv/bin/django-admin compilemessages --settings=gonghui.settings --pythonpath=.. -l en
