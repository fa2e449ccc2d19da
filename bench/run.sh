#!/usr/bin/env bash
# `make bench`: provisions what `make test` provisions (idempotently), then runs
# the benchmark harness (python -m bench) against its own database
# (studio_bench), Redis database (/3), state directory (var/bench) and
# processes (gunicorn on a free loopback port, Celery worker and beat).
# Arguments go to the harness: bash bench/run.sh --quick | --only P1,P3 | --help
. "$(dirname "$0")/../scripts/lib.sh"
cd "$REPO"

start=$(date +%s)
bash scripts/bootstrap.sh
export_services
bash scripts/docker-engine.sh
bash worker_images/build.sh

# Bench-only tools (py-spy), installed beside the app's packages when they changed.
STAMP="$VENV/.bench-requirements.sha256"
want="$(sha256sum bench/requirements.txt | cut -d' ' -f1)"
if [ "$(cat "$STAMP" 2>/dev/null)" != "$want" ]; then
  log "installing bench/requirements.txt"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r bench/requirements.txt 2>&1 |
    grep -v "is ignored: it is neither" >&2 || true
  "$VENV/bin/py-spy" --version >/dev/null 2>&1 && echo "$want" >"$STAMP" ||
    log "py-spy did not install; the profile pass will say so"
fi

# P6 drives the built editor in Debian's Chromium with bench/editor/ (playwright-core; never
# `playwright install`), installed when its lockfile changed, as scripts/e2e.sh does for tests/browser.
command -v chromium >/dev/null || apt_install chromium
bash scripts/frontend.sh build
npm_install_locked bench/editor "bench/editor, the P6 browser driver"

export BENCH_DATABASE_URL="${BENCH_DATABASE_URL:-${DATABASE_URL%/*}/studio_bench}"
export BENCH_BROKER_URL="${BENCH_BROKER_URL:-${CELERY_BROKER_URL%/*}/3}"
export STUDIO_VAR_DIR="${BENCH_VAR_DIR:-$VAR/bench}"
mkdir -p "$STUDIO_VAR_DIR"
log "provisioned in $(( $(date +%s) - start ))s"
exec "$VENV/bin/python" -m bench "$@"
