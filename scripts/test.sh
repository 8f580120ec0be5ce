#!/usr/bin/env bash
# One command: set up and run the whole test suite: ruff, mypy, the import-layer contract, then
# pytest on SQLite and on PostgreSQL.
#   bash scripts/test.sh              both databases
#   GONGHUI_TEST_DBS=sqlite bash scripts/test.sh     one of them
# Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh --with-postgres

echo "==> ruff"
.venv/bin/ruff check gonghui bench tests conftest.py
echo "==> mypy (django-stubs, check_untyped_defs)"
.venv/bin/mypy gonghui
echo "==> import-layer contract (import-linter)"
.venv/bin/lint-imports --no-cache

PG_URL=${GONGHUI_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/gonghui}
ensure_postgres() {
  if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then return 0; fi
  echo "==> starting PostgreSQL"
  local version
  version=$(ls /etc/postgresql | sort -V | tail -n 1)
  local hba=/etc/postgresql/$version/main/pg_hba.conf
  # A fresh Debian install asks for passwords on 127.0.0.1; tests connect as postgres with trust.
  if ! grep -qE '^host\s+all\s+all\s+127\.0\.0\.1/32\s+trust' "$hba"; then
    sed -i '1i host all all 127.0.0.1/32 trust' "$hba"
  fi
  pg_ctlcluster --skip-systemctl-redirect "$version" main start || pg_ctlcluster "$version" main start
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && return 0; sleep 1; done
  echo "PostgreSQL did not start" >&2; return 1
}

# Multi-process concurrency tests (worker subprocesses over one queue, SIGKILL mid-batch) run
# in a pytest process of their own, after the main run: they spawn `gonghui` processes against
# the test database and must not share a process (clock, language, connections) with the rest.
ISOLATED=(gonghui/mutualaid/tests/test_concurrency.py)

run_suite() {  # name, then env assignments
  local name=$1; shift
  echo "==> pytest on $name"
  local ignore=()
  for f in "${ISOLATED[@]}"; do ignore+=(--ignore "$f"); done
  set +e
  env "$@" GONGHUI_CONN_MAX_AGE=0 GONGHUI_DATA_DIR="$PWD/var/test-$name" .venv/bin/pytest -n "${GONGHUI_TEST_WORKERS:-2}" \
      -p xdist --dist loadfile -q "${ignore[@]}" "${PYTEST_ARGS[@]}"
  local rc=$?
  if [ $rc -eq 0 ] && [ "$name" = postgres ] && [ ${#PYTEST_ARGS[@]} -eq 0 ]; then
    echo "==> pytest on $name: multi-process concurrency tests"
    env "$@" GONGHUI_CONN_MAX_AGE=0 GONGHUI_DATA_DIR="$PWD/var/test-$name" .venv/bin/pytest -q \
        "${ISOLATED[@]}"
    rc=$?
  fi
  set -e
  # pytest exits 5 when no test was collected: that is a failure here, not a success.
  if [ $rc -ne 0 ]; then echo "pytest on $name failed (exit $rc)" >&2; return $rc; fi
}

PYTEST_ARGS=("$@")
dbs=${GONGHUI_TEST_DBS:-"sqlite postgres"}
for db in $dbs; do
  case $db in
    sqlite) run_suite sqlite DATABASE_URL= ;;
    postgres) ensure_postgres; run_suite postgres DATABASE_URL="$PG_URL" ;;
    *) echo "unknown database $db" >&2; exit 2 ;;
  esac
done
echo "==> all test runs passed: $dbs"
