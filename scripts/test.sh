#!/usr/bin/env bash
# `make test`: provisions everything the tests need (idempotently) and runs the
# whole suite against real PostgreSQL, Redis and Docker. In CI (CI=true) a
# missing dependency is a failure, never a skip.
. "$(dirname "$0")/lib.sh"
cd "$REPO"

only_backend=0
[ "${1:-}" = "--backend-only" ] && { only_backend=1; shift; }

start=$(date +%s)
bash scripts/bootstrap.sh
# tests/studio/test_compose.py checks docker-compose.yml with `docker-compose config` (or `docker compose`):
# installed from Debian where that is possible (root) or required (CI); otherwise that test skips.
if ! command -v docker-compose >/dev/null && ! docker compose version >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] || [ -n "${CI:-}" ]; then apt_install docker-compose; fi
fi
export_services
# Tests use their own Redis database and state directory, apart from `make up`'s.
export CELERY_BROKER_URL="${CELERY_BROKER_URL%/*}/1"
export STUDIO_VAR_DIR="$VAR/test"
export STUDIO_REQUIRE_DOCKER=1
mkdir -p "$STUDIO_VAR_DIR"
if [ -x scripts/docker-engine.sh ] || [ -f scripts/docker-engine.sh ]; then
  bash scripts/docker-engine.sh
  bash worker_images/build.sh
fi
log "provisioned in $(( $(date +%s) - start ))s"

log "ruff"
.venv/bin/ruff check backend tests

log "migrations are up to date"
.venv/bin/python backend/manage.py makemigrations --check --dry-run >/dev/null ||
  die "models changed without a migration: run manage.py makemigrations"

if [ "$only_backend" = 0 ] && [ -f frontend/package.json ]; then
  bash scripts/frontend.sh test
fi

log "pytest"
.venv/bin/python tests/fixtures/fetch_kfp_collection.py || die "could not fetch the public KFP component collection (tests/fixtures/fetch_kfp_collection.py)"
set +e
.venv/bin/pytest -c tests/pytest.ini "$@"
rc=$?
set -e
if [ $rc -eq 5 ]; then die "pytest collected no tests"; fi
[ $rc -eq 0 ] || exit $rc

if [ "$only_backend" = 0 ] && [ -f tests/browser/package.json ]; then
  log "browser tests (Playwright + Chromium against the real stack)"
  bash scripts/e2e.sh
fi
