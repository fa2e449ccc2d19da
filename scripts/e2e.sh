#!/usr/bin/env bash
# Browser tests: starts the real stack (gunicorn + Celery worker on PostgreSQL, Redis and Docker)
# on 127.0.0.1:$E2E_PORT with a fresh database, then drives it with Playwright in Debian's Chromium.
# Screenshots land in var/e2e/screenshots/ (kept out of git). Called by scripts/test.sh.
. "$(dirname "$0")/lib.sh"
cd "$REPO"

E2E_PORT="${E2E_PORT:-8111}"
export E2E_BASE_URL="http://127.0.0.1:$E2E_PORT"
export E2E_USER=admin E2E_PASSWORD="e2e-admin-password"

# What the browser tests need, installed when absent.
command -v chromium >/dev/null || apt_install chromium
bash scripts/bootstrap.sh
export_services
bash scripts/docker-engine.sh
bash worker_images/build.sh
bash scripts/frontend.sh build
npm_install_locked tests/browser "browser tests"

# A fresh database, broker db and state directory for every run.
export DATABASE_URL="${DATABASE_URL%/*}/studio_e2e"
export CELERY_BROKER_URL="${CELERY_BROKER_URL%/*}/2"
export STUDIO_VAR_DIR="$VAR/e2e"
export STUDIO_ADMIN_PASSWORD="$E2E_PASSWORD"
export DEBUG=true
rm -rf "$STUDIO_VAR_DIR"/{artifacts,logs,screenshots,results}
mkdir -p "$STUDIO_VAR_DIR/screenshots" "$STUDIO_VAR_DIR/log"
PGPASSWORD=studio dropdb -h 127.0.0.1 -U studio --if-exists --force studio_e2e
PGPASSWORD=studio createdb -h 127.0.0.1 -U studio studio_e2e
redis-cli -n 2 flushdb >/dev/null

PY="$VENV/bin/python"
( cd backend
  "$PY" manage.py migrate --noinput >/dev/null
  "$PY" manage.py collectstatic --noinput >/dev/null
  "$PY" manage.py sync_component_library >/dev/null
  "$PY" manage.py ensure_admin >/dev/null
  "$PY" manage.py load_demo_pipelines >/dev/null )

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM -- "-$pid" 2>/dev/null || true; done
  sleep 1
  for pid in "${pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

cd backend
setsid "$VENV/bin/gunicorn" studio.wsgi:application --bind "127.0.0.1:$E2E_PORT" --workers 2 --threads 8 \
  --timeout 0 >"$STUDIO_VAR_DIR/log/web.log" 2>&1 &
pids+=($!)
setsid "$VENV/bin/celery" -A studio worker --pool threads --concurrency 8 --loglevel INFO --without-gossip \
  --without-mingle --hostname "e2e@%h" >"$STUDIO_VAR_DIR/log/worker.log" 2>&1 &
pids+=($!)
cd "$REPO"

for _ in $(seq 1 60); do
  curl -fs "$E2E_BASE_URL/api/health/" >/dev/null 2>&1 && break
  sleep 0.5
done
curl -fs "$E2E_BASE_URL/api/health/" >/dev/null || { tail -30 "$STUDIO_VAR_DIR/log/web.log" >&2; die "the e2e server did not start"; }
grep -q "ready" "$STUDIO_VAR_DIR/log/worker.log" || sleep 3

log "playwright (Chromium $(chromium --version 2>/dev/null | awk '{print $2}'))"
export E2E_SCREENSHOTS="$STUDIO_VAR_DIR/screenshots"
set +e
( cd tests/browser && npx playwright test "$@" )
rc=$?
set -e
[ $rc -eq 0 ] || { log "worker log tail:"; tail -40 "$STUDIO_VAR_DIR/log/worker.log" >&2; }
log "screenshots: $E2E_SCREENSHOTS"
exit $rc
